// @ts-check
// The part of `client.mfa` (auth0-spa-js 2.28.3's MfaApiClient, docs/behaviour.md §1.5) that an
// app needs only once it uses it: listing, enrolling and challenging authenticators with Auth0's
// MFA API (`GET /mfa/authenticators`, `POST /mfa/associate`, `POST /mfa/challenge`, Auth0 docs
// "Manage Authenticator Factors using Auth0 MFA API"; auth0-spa-js calls them through
// @auth0/auth0-auth-js's MfaClient), what the contexts answer (`getAuthenticators`' filter,
// `getEnrollmentFactors`), and `verify`'s grant: its type and body (Auth0 docs, "Authenticate With
// Resource Owner Password Grant and MFA"), which the Rust core sends and stores
// (src/client/mfa.rs). The contexts themselves are js/mfa.js's.
//
// Loaded on first use by js/mfa.js with a dynamic import(), so that apps that never touch
// `client.mfa` do not download it: this module imports nothing, and everything it needs (fetch,
// the error classes, the tenant's URL) comes in as `deps`. Importing a module the main entry also
// imports would make esbuild split a shared chunk that every app fetches at start-up.

/**
 * @typedef {new (error: string, error_description: string) => Error} MfaErrorClass
 * @typedef {{ list: MfaErrorClass, enroll: MfaErrorClass, challenge: MfaErrorClass, factors: MfaErrorClass, verify: MfaErrorClass }} MfaErrors
 * @typedef {{
 *   baseUrl: string,
 *   clientId: string,
 *   fetch: typeof fetch,
 *   timeoutMs: number,
 *   errors: MfaErrors
 * }} MfaDeps
 * @typedef {import('./mfa.js').MfaContext} MfaContext
 */

/** `grant_type` of a one-time password from an authenticator app. */
export const MFA_OTP_GRANT = 'http://auth0.com/oauth/grant-type/mfa-otp';
/** `grant_type` of an out-of-band challenge (SMS, voice, email, push), with `oob_code`. */
export const MFA_OOB_GRANT = 'http://auth0.com/oauth/grant-type/mfa-oob';
/** `grant_type` of a recovery code. */
export const MFA_RECOVERY_CODE_GRANT = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';

/** auth0-spa-js's `verify` / `getEnrollmentFactors` message when no context is found. */
export const CONTEXT_NOT_FOUND = 'MFA context not found for this MFA token. Please retry the original request to get a new MFA token.';
/** auth0-spa-js's `getAuthenticators` message when no context is found (code `invalid_request`). */
export const LIST_CONTEXT_NOT_FOUND = 'MFA context not found for this MFA token';
/** auth0-spa-js's `verify` message when no code is given (code `invalid_request`). */
export const NO_GRANT_TYPE = 'Unable to determine grant type. Provide one of: otp, oobCode, or recoveryCode.';

/**
 * `verify(params)`'s grant, in auth0-spa-js's order of precedence (`otp`, then `oobCode`, then
 * `recoveryCode`: the first truthy one) and its body after `client_id`: `grant_type`, each code
 * given (`otp`, `oob_code`, `binding_code`, `recovery_code`; strings as they are, numbers as
 * JavaScript prints them), then `mfa_token`. auth0-spa-js sends no `audience` or `scope` with an
 * MFA grant (the `mfa_token` carries them); the context's name the cache key the answer is stored
 * under. No context (unknown or expired) or no code is an `MfaVerifyError` before anything is sent.
 * @param {MfaErrors} errors @param {any} params @param {MfaContext | undefined} context
 * @returns {{ body: [string, string][], scope?: string, audience?: string }}
 */
export function verifyGrant(errors, params, context) {
  if (!context) throw new errors.verify('mfa_context_not_found', CONTEXT_NOT_FOUND);
  const p = params || {};
  const grant = p.otp ? MFA_OTP_GRANT : p.oobCode ? MFA_OOB_GRANT : p.recoveryCode ? MFA_RECOVERY_CODE_GRANT : undefined;
  if (!grant) throw new errors.verify('invalid_request', NO_GRANT_TYPE);
  /** @type {[string, string][]} */
  const body = [['grant_type', grant]];
  for (const [from, to] of [['otp', 'otp'], ['oobCode', 'oob_code'], ['bindingCode', 'binding_code'], ['recoveryCode', 'recovery_code']]) {
    const v = p[from];
    if (typeof v === 'string' || typeof v === 'number') body.push([to, String(v)]);
  }
  body.push(['mfa_token', String(p.mfaToken)]);
  return { body, scope: context.scope, audience: context.audience };
}

/**
 * `getEnrollmentFactors`: the `enroll` list of the context's requirements (`[]` when there is
 * none); no context, or one without requirements, is auth0-spa-js's `MfaEnrollmentFactorsError`.
 * @param {MfaErrors} errors @param {MfaContext | undefined} context
 */
export function enrollmentFactors(errors, context) {
  const requirements = context && context.mfaRequirements;
  if (!requirements) throw new errors.factors('mfa_context_not_found', CONTEXT_NOT_FOUND);
  const enroll = requirements.enroll;
  return Array.isArray(enroll) && enroll.length ? enroll : [];
}

/**
 * `Auth0-Client` of these three calls: auth0-spa-js makes them through @auth0/auth0-auth-js,
 * whose telemetry (its own name and version, 1.16.1 in auth0-spa-js 2.28.3) they carry.
 */
export const AUTH_JS_TELEMETRY = { name: '@auth0/auth0-auth-js', version: '1.16.1' };

/** auth0-spa-js's `FACTOR_MAPPING`: the `authenticator_types` and `oob_channels` of each factor. */
export const FACTORS = {
  otp: { types: ['otp'] },
  sms: { types: ['oob'], channels: ['sms'] },
  email: { types: ['oob'], channels: ['email'] },
  push: { types: ['oob'], channels: ['auth0'] },
  voice: { types: ['oob'], channels: ['voice'] }
};

/** The message auth0-spa-js's request helper uses on a timeout (a plain `Error`, code `timeout`). */
const TIMEOUT_MESSAGE = "Timeout when executing 'fetch'";

/**
 * Sends one request with the auth0-auth-js telemetry header, aborted after `deps.timeoutMs`
 * (auth0-auth-js has no timeout; this package never leaves a call pending). Also used by
 * js/passkey-api.js and js/anonymous-api.js, whose requests auth0-spa-js sends through
 * auth0-auth-js too.
 * @param {Pick<MfaDeps, 'baseUrl' | 'fetch' | 'timeoutMs'>} deps @param {string} path @param {RequestInit & { headers: Record<string, string> }} init
 * @returns {Promise<Response>}
 */
export async function send(deps, path, init) {
  const controller = new AbortController();
  init.headers['Auth0-Client'] = btoa(JSON.stringify(AUTH_JS_TELEMETRY));
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(Object.assign(new Error(TIMEOUT_MESSAGE), { error: 'timeout' }));
    }, deps.timeoutMs);
  });
  try {
    return await Promise.race([deps.fetch(deps.baseUrl + path, { ...init, signal: controller.signal }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A non-2xx answer as auth-js reads it, re-thrown the way auth0-spa-js wraps it: `error` is the
 * body's `error` (`unknown_error` when the body is not JSON), the message its
 * `error_description`, else `fallback`.
 * @param {Response} response @param {MfaErrorClass} ErrorClass @param {string} fallback
 */
async function refusal(response, ErrorClass, fallback) {
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return new ErrorClass('unknown_error', fallback);
  }
  const error = body && typeof body === 'object' ? body : {};
  return new ErrorClass(error.error, error.error_description || fallback);
}

/** A required text parameter, or the class's `invalid_request` naming it. */
function required(/** @type {unknown} */ value, /** @type {string} */ name, /** @type {MfaErrorClass} */ ErrorClass) {
  if (typeof value !== 'string' || !value) throw new ErrorClass('invalid_request', `${name} is required`);
  return value;
}

/**
 * `mfa.getAuthenticators(mfaToken)`: the user's enrolled authenticators, in auth0-spa-js's shape,
 * only those whose `type` is among the context's `mfaRequirements.challenge` types when it names
 * any. No context (unknown or expired) is auth0-spa-js's `invalid_request` before any request.
 * @param {MfaDeps} deps @param {string} mfaToken @param {MfaContext | undefined} context
 */
export async function getAuthenticators(deps, mfaToken, context) {
  if (!context) throw new deps.errors.list('invalid_request', LIST_CONTEXT_NOT_FOUND);
  const response = await send(deps, '/mfa/authenticators', {
    method: 'GET',
    headers: { Authorization: `Bearer ${mfaToken}`, 'Content-Type': 'application/json' }
  });
  if (!response.ok) throw await refusal(response, deps.errors.list, 'Failed to list authenticators');
  /** @type {Array<Record<string, any>>} */
  const list = await response.json();
  const all = list.map((a) => ({ id: a.id, authenticatorType: a.authenticator_type, active: a.active, name: a.name, oobChannels: a.oob_channels, type: a.type }));
  /** @type {string[]} */
  const types = ((context.mfaRequirements && context.mfaRequirements.challenge) || []).map((/** @type {{ type: string }} */ c) => c.type);
  return types.length ? all.filter((a) => !!a.type && types.includes(a.type)) : all;
}

/**
 * `mfa.enroll({ mfaToken, factorType, phoneNumber?, email? })`: associates a new authenticator
 * (`POST /mfa/associate`); resolves to the OTP secret and barcode URI, or the OOB channel and code.
 * @param {MfaDeps} deps @param {{ mfaToken: string, factorType: string, phoneNumber?: string, email?: string }} params
 */
export async function enroll(deps, params) {
  const Refused = deps.errors.enroll;
  const mfaToken = required(params && params.mfaToken, 'mfaToken', Refused);
  const factor = Object.prototype.hasOwnProperty.call(FACTORS, params.factorType) ? FACTORS[/** @type {keyof typeof FACTORS} */ (params.factorType)] : undefined;
  if (!factor) throw new Refused('invalid_request', `factorType must be one of ${Object.keys(FACTORS).join(', ')}`);
  /** @type {Record<string, unknown>} */
  const body = { authenticator_types: factor.types };
  if ('channels' in factor) body.oob_channels = factor.channels;
  if (params.phoneNumber) body.phone_number = params.phoneNumber;
  if (params.email) body.email = params.email;
  const response = await send(deps, '/mfa/associate', {
    method: 'POST',
    headers: { Authorization: `Bearer ${mfaToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
  if (!response.ok) throw await refusal(response, Refused, 'Failed to enroll authenticator');
  const a = await response.json();
  if (a.authenticator_type === 'otp') {
    return { authenticatorType: 'otp', secret: a.secret, barcodeUri: a.barcode_uri, recoveryCodes: a.recovery_codes, id: a.id };
  }
  if (a.authenticator_type === 'oob') {
    return {
      authenticatorType: 'oob',
      oobChannel: a.oob_channel,
      oobCode: a.oob_code,
      bindingMethod: a.binding_method,
      id: a.id,
      barcodeUri: a.barcode_uri,
      recoveryCodes: a.recovery_codes
    };
  }
  throw new Error(`Unexpected authenticator type: ${a.authenticator_type}`);
}

/**
 * `mfa.challenge({ mfaToken, challengeType, authenticatorId? })`: asks Auth0 to start a challenge
 * (`POST /mfa/challenge`, the token in the body as Auth0 documents); resolves to
 * `{ challengeType, oobCode?, bindingMethod? }`.
 * @param {MfaDeps} deps @param {{ mfaToken: string, challengeType: string, authenticatorId?: string }} params
 */
export async function challenge(deps, params) {
  const Refused = deps.errors.challenge;
  const mfaToken = required(params && params.mfaToken, 'mfaToken', Refused);
  /** @type {Record<string, unknown>} */
  const body = { mfa_token: mfaToken, client_id: deps.clientId, challenge_type: params.challengeType };
  if (params.authenticatorId) body.authenticator_id = params.authenticatorId;
  const response = await send(deps, '/mfa/challenge', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw await refusal(response, Refused, 'Failed to challenge authenticator');
  const a = await response.json();
  /** @type {{ challengeType: string, oobCode?: string, bindingMethod?: string }} */
  const result = { challengeType: a.challenge_type };
  if (a.oob_code !== undefined) result.oobCode = a.oob_code;
  if (a.binding_method !== undefined) result.bindingMethod = a.binding_method;
  return result;
}
