// @ts-check
// What `client.passkey` (auth0-spa-js 2.28.3's PasskeyApiClient, docs/behaviour.md §1.6) does, loaded
// on its first use by js/passkey.js: Auth0's passkey challenges (`POST /passkey/register` for a
// new user, `POST /passkey/challenge` for a login; auth0-spa-js sends them through
// @auth0/auth0-auth-js's PasskeyClient), the browser's WebAuthn ceremony
// (`navigator.credentials.create` / `get`), the credential serialised as the token endpoint wants
// it (binary members base64url), and then the webauthn grant, which the Rust core decides, sends
// and stores like a login (src/client/passkey.rs, through `host.run(2, …)`).
//
// It imports only js/mfa-api.js's request helper, which esbuild bundles into this chunk
// (scripts/build.sh bundles each lazy module on its own); everything else comes from the host.

import { send } from './mfa-api.js';

/**
 * @typedef {new (message: string, cause?: any) => Error & { statusCode?: number, headers?: Headers }} PasskeyRequestErrorClass
 * @typedef {{
 *   PasskeyError: new (code: string, message: string, cause?: any) => Error,
 *   register: PasskeyRequestErrorClass,
 *   challenge: PasskeyRequestErrorClass
 * }} PasskeyErrors
 * @typedef {import('./passkey.js').PasskeyHost} PasskeyHost
 * @typedef {{ authSession: string, authnParamsPublicKey: any }} Challenge
 */

/** auth0-spa-js's message when the browser has no WebAuthn (code `passkey_not_supported`). */
export const NOT_SUPPORTED = 'WebAuthn is not supported in this browser.';

/**
 * `passkey_not_supported` unless the page has WebAuthn: auth0-spa-js checks
 * `window.PublicKeyCredential`; `navigator.credentials` is checked too, since the ceremony needs it.
 * @param {PasskeyErrors} errors
 */
export function assertSupported(errors) {
  const g = /** @type {any} */ (globalThis);
  if (!g.PublicKeyCredential || !g.navigator || !g.navigator.credentials) throw new errors.PasskeyError('passkey_not_supported', NOT_SUPPORTED);
}

/** base64url (no padding) of `buffer`. @param {ArrayBuffer | ArrayBufferView} buffer */
export function toBase64url(buffer) {
  const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of base64url (or base64) `text`. @param {string} text */
export function fromBase64url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/**
 * A credential list (`excludeCredentials`, `allowCredentials`) whose base64url `id`s become
 * bytes, as WebAuthn requires (auth0-spa-js leaves them as text, which the browser refuses).
 * @param {any} list
 */
const credentialIds = (list) => (Array.isArray(list) ? list.map((c) => (c && typeof c.id === 'string' ? { ...c, id: fromBase64url(c.id) } : c)) : list);

/**
 * The `publicKey` of `navigator.credentials.create` from the signup challenge's
 * `authn_params_public_key`: `challenge` and `user.id` decoded from base64url.
 * @param {any} publicKey @returns {PublicKeyCredentialCreationOptions}
 */
export function creationOptions(publicKey) {
  const options = { ...publicKey, challenge: fromBase64url(publicKey.challenge), user: { ...publicKey.user, id: fromBase64url(publicKey.user.id) } };
  if ('excludeCredentials' in publicKey) options.excludeCredentials = credentialIds(publicKey.excludeCredentials);
  return options;
}

/**
 * The `publicKey` of `navigator.credentials.get` from the login challenge's
 * `authn_params_public_key`: `challenge` decoded from base64url.
 * @param {any} publicKey @returns {PublicKeyCredentialRequestOptions}
 */
export function requestOptions(publicKey) {
  const options = { ...publicKey, challenge: fromBase64url(publicKey.challenge) };
  if ('allowCredentials' in publicKey) options.allowCredentials = credentialIds(publicKey.allowCredentials);
  return options;
}

/**
 * A `PublicKeyCredential` as the webauthn grant's `authn_response`: auth0-spa-js's members, binary
 * ones base64url; an attestation (signup) has `clientDataJSON` and `attestationObject`, an
 * assertion (login) `clientDataJSON`, `authenticatorData`, `signature` and `userHandle`.
 * @param {any} credential @param {boolean} assertion
 */
export function serializeCredential(credential, assertion) {
  const r = credential.response;
  const response = assertion
    ? {
        clientDataJSON: toBase64url(r.clientDataJSON),
        authenticatorData: toBase64url(r.authenticatorData),
        signature: toBase64url(r.signature),
        userHandle: r.userHandle ? toBase64url(r.userHandle) : undefined
      }
    : { clientDataJSON: toBase64url(r.clientDataJSON), attestationObject: toBase64url(r.attestationObject) };
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    response,
    clientExtensionResults: credential.getClientExtensionResults()
  };
}

/** `Set-Cookie` never rides on an error (auth-js's `filterSensitiveHeaders`). @param {Headers} headers */
function withoutCookies(headers) {
  const h = new Headers(headers);
  h.delete('set-cookie');
  return h;
}

/**
 * A challenge request: `POST {domainUrl}{path}` with `body` (JSON) and auth-js's telemetry,
 * aborted after `httpTimeoutInSeconds`. A non-2xx answer is `Refused(error_description ||
 * fallback, cause)` with auth-js's `cause` (the body's members, or `unknown_error` and `HTTP
 * {status} {statusText}` when it is not JSON, plus `statusCode`, `headers`, `body`).
 * @param {PasskeyHost} h @param {string} path @param {Record<string, unknown>} body
 * @param {PasskeyRequestErrorClass} Refused @param {string} fallback @returns {Promise<Challenge>}
 */
async function challengeRequest(h, path, body, Refused, fallback) {
  const settings = await h.settings();
  const deps = { ...settings, fetch: h.fetch };
  const response = await send(deps, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ client_id: settings.clientId, ...body }) });
  if (!response.ok) {
    const text = await response.text();
    let cause;
    try {
      cause = { ...JSON.parse(text) };
    } catch {
      cause = { error: 'unknown_error', error_description: `HTTP ${response.status} ${response.statusText}` };
    }
    Object.assign(cause, { statusCode: response.status, headers: response.headers, body: text });
    const err = new Refused(cause.error_description || fallback, cause);
    err.statusCode = response.status;
    err.headers = withoutCookies(response.headers);
    throw err;
  }
  const answer = await response.json();
  return { authSession: answer.auth_session, authnParamsPublicKey: { ...answer.authn_params_public_key } };
}

/** The user-profile options of a signup and their `user_profile` names (auth-js). */
const PROFILE = [['email', 'email'], ['name', 'name'], ['phoneNumber', 'phone_number'], ['username', 'username'], ['givenName', 'given_name'], ['familyName', 'family_name'], ['nickname', 'nickname'], ['picture', 'picture']];

/**
 * `POST /passkey/register`: `user_profile` from the truthy profile options, `realm`,
 * `organization`, `user_metadata` when given. @param {PasskeyHost} h @param {any} o
 */
function register(h, o) {
  /** @type {Record<string, unknown>} */
  const profile = {};
  for (const [from, to] of PROFILE) if (o[from]) profile[to] = o[from];
  /** @type {Record<string, unknown>} */
  const body = { user_profile: profile };
  if (o.realm) body.realm = o.realm;
  if (o.organization) body.organization = o.organization;
  if (o.userMetadata) body.user_metadata = o.userMetadata;
  return challengeRequest(h, '/passkey/register', body, h.errors.register, 'Failed to request signup challenge');
}

/** `POST /passkey/challenge`, with `realm` and `organization` when given. @param {PasskeyHost} h @param {any} [o] */
function challenge(h, o) {
  /** @type {Record<string, unknown>} */
  const body = {};
  if (o && o.realm) body.realm = o.realm;
  if (o && o.organization) body.organization = o.organization;
  return challengeRequest(h, '/passkey/challenge', body, h.errors.challenge, 'Failed to request login challenge');
}

/**
 * The webauthn grant (Rust core), stored as a login; resolves to the token response.
 * @param {PasskeyHost} h @param {string} authSession @param {object} credential @param {any} o
 */
function grant(h, authSession, credential, o) {
  const { realm, organization, scope, audience } = o || {};
  return h.run(2, { authSession, credential, realm, organization, scope, audience });
}

/**
 * The whole flow of `signup` (`create`: the signup challenge, `navigator.credentials.create`) and
 * `login` (the login challenge, `navigator.credentials.get`), then the grant. `options` minus
 * `scope` and `audience` go to the challenge; a ceremony that gives no credential is
 * `passkey_cancelled`, one that throws (the browser's `NotAllowedError`) passes through.
 * @param {PasskeyHost} h @param {any} options @param {boolean} create
 */
async function ceremony(h, options, create) {
  assertSupported(h.errors);
  const { scope, audience, ...challengeOptions } = options || {};
  const c = await (create ? register : challenge)(h, challengeOptions);
  const credential = create
    ? await navigator.credentials.create({ publicKey: creationOptions(c.authnParamsPublicKey) })
    : await navigator.credentials.get({ publicKey: requestOptions(c.authnParamsPublicKey) });
  if (!credential) throw new h.errors.PasskeyError('passkey_cancelled', `Passkey ${create ? 'creation' : 'authentication'} was cancelled or no credential was returned.`);
  return grant(h, c.authSession, serializeCredential(credential, !create), { ...challengeOptions, scope, audience });
}

/** `passkey.signup(options)`: the signup challenge, WebAuthn creation, the grant. @param {PasskeyHost} h @param {any} options */
export const signup = (h, options) => ceremony(h, options, true);

/** `passkey.login(options?)`: the login challenge, WebAuthn assertion, the grant. @param {PasskeyHost} h @param {any} [options] */
export const login = (h, options) => ceremony(h, options, false);

/** `passkey.getSignupChallenge(options)` → `{ authSession, publicKey }`. @param {PasskeyHost} h @param {any} options */
export async function getSignupChallenge(h, options) {
  assertSupported(h.errors);
  const c = await register(h, options || {});
  return { authSession: c.authSession, publicKey: creationOptions(c.authnParamsPublicKey) };
}

/** `passkey.getLoginChallenge(options?)` → `{ authSession, publicKey }`. @param {PasskeyHost} h @param {any} [options] */
export async function getLoginChallenge(h, options) {
  assertSupported(h.errors);
  const c = await challenge(h, options);
  return { authSession: c.authSession, publicKey: requestOptions(c.authnParamsPublicKey) };
}

/**
 * `passkey.getTokenWithPasskey({ authSession, credential, realm?, organization?, scope?,
 * audience? })`: a ceremony's raw credential (attestation or assertion, told apart by its
 * response's class) exchanged for tokens. @param {PasskeyHost} h @param {any} options
 */
export async function getTokenWithPasskey(h, options) {
  assertSupported(h.errors);
  const g = /** @type {any} */ (globalThis);
  const credential = options && options.credential;
  const response = credential && credential.response;
  const is = (/** @type {string} */ name) => typeof g[name] === 'function' && response instanceof g[name];
  const assertion = is('AuthenticatorAssertionResponse');
  if (!assertion && !is('AuthenticatorAttestationResponse')) {
    throw new h.errors.PasskeyError('passkey_invalid_credential', 'The provided credential is not a valid attestation or assertion response.');
  }
  return grant(h, options.authSession, serializeCredential(credential, assertion), options);
}
