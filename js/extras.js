// @ts-check
// Exports of @auth0/auth0-spa-js 2.28.3 that the framework wrappers re-export and that the rest of
// the package does not define: the MFA, passkey, My Account and anonymous-session error classes,
// and isFederatedDomain. @auth0/auth0-angular re-exports twelve of them from
// '@auth0/auth0-spa-js', so an Angular build aliased to this package fails without them;
// @auth0/auth0-react and @auth0/auth0-vue re-export them too.
//
// The classes keep auth0-spa-js's names, constructor arguments, fields, `error`/`code` values and
// prototype chains, including its quirks, so that `instanceof` and `e.code === …` checks in an app
// give the same answers after the switch:
//   - MfaError and its five subclasses are GenericErrors (`error`, `error_description`).
//   - PasskeyError is a plain Error with `code` and `cause`; PasskeyRegisterError,
//     PasskeyChallengeError and PasskeyGetTokenError come in auth0-spa-js from another package
//     (@auth0/auth0-auth-js) and extend that package's own, unexported PasskeyError, not the
//     exported one: `new PasskeyRegisterError(…) instanceof PasskeyError` is false there, and here.
//   - MyAccountApiError and AnonymousSessionError are plain Errors with a `name`.
// client.mfa throws the MFA classes, client.passkey the passkey ones (js/passkey-api.js),
// client.myAccount MyAccountApiError and client.anonymous AnonymousSessionError
// (js/anonymous-api.js).

import { GenericError } from './errors.js';

/** An error of the MFA API client (`error`, `error_description`). */
export class MfaError extends GenericError {
  /** @param {string} error @param {string} error_description */
  constructor(error, error_description) {
    super(error, error_description);
    Object.setPrototypeOf(this, MfaError.prototype);
  }

  /** @param {{ error: string, error_description: string }} payload */
  static fromPayload({ error, error_description }) {
    return new MfaError(error, error_description);
  }
}

/** `mfa.getAuthenticators()` failed. */
export class MfaListAuthenticatorsError extends MfaError {
  /** @param {string} error @param {string} error_description */
  constructor(error, error_description) {
    super(error, error_description);
    Object.setPrototypeOf(this, MfaListAuthenticatorsError.prototype);
  }
}

/** `mfa.enroll()` failed. */
export class MfaEnrollmentError extends MfaError {
  /** @param {string} error @param {string} error_description */
  constructor(error, error_description) {
    super(error, error_description);
    Object.setPrototypeOf(this, MfaEnrollmentError.prototype);
  }
}

/** `mfa.challenge()` failed. */
export class MfaChallengeError extends MfaError {
  /** @param {string} error @param {string} error_description */
  constructor(error, error_description) {
    super(error, error_description);
    Object.setPrototypeOf(this, MfaChallengeError.prototype);
  }
}

/** `mfa.verify()` failed. */
export class MfaVerifyError extends MfaError {
  /** @param {string} error @param {string} error_description */
  constructor(error, error_description) {
    super(error, error_description);
    Object.setPrototypeOf(this, MfaVerifyError.prototype);
  }
}

/** `mfa.getEnrollmentFactors()` failed. */
export class MfaEnrollmentFactorsError extends MfaError {
  /** @param {string} error @param {string} error_description */
  constructor(error, error_description) {
    super(error, error_description);
    Object.setPrototypeOf(this, MfaEnrollmentFactorsError.prototype);
  }
}

/**
 * @typedef {{ error: string, error_description: string, message?: string }} PasskeyErrorResponse
 */

/** An error of the passkey API client: `code` (e.g. 'passkey_not_supported') and the server's `cause`. */
export class PasskeyError extends Error {
  /** @param {string} code @param {string} message @param {PasskeyErrorResponse} [cause] */
  constructor(code, message, cause) {
    super(message);
    this.name = 'PasskeyError';
    /** @readonly */
    this.code = code;
    /** @readonly @type {PasskeyErrorResponse | undefined} */
    this.cause = cause;
    Object.setPrototypeOf(this, PasskeyError.prototype);
  }
}

/**
 * The base of the three passkey request errors (auth0-auth-js's own PasskeyError, which
 * auth0-spa-js does not export). `cause` keeps only the OAuth fields of what it is given;
 * `statusCode`, `headers` and `body` come from it when it carries them.
 */
class PasskeyRequestError extends Error {
  /** @param {string} code @param {string} message @param {any} [cause] */
  constructor(code, message, cause) {
    super(message);
    this.code = code;
    /** @type {any} */
    this.cause = cause && { error: cause.error, error_description: cause.error_description, message: cause.message };
    const c = typeof cause === 'object' && cause !== null ? cause : {};
    /** @type {number | undefined} */
    this.statusCode = typeof c.statusCode === 'number' ? c.statusCode : undefined;
    /** @type {Headers | undefined} */
    this.headers = typeof Headers !== 'undefined' && c.headers instanceof Headers ? c.headers : undefined;
    /** @type {string | undefined} */
    this.body = typeof c.body === 'string' ? c.body : undefined;
  }
}

/** The passkey signup challenge request failed (`code` 'passkey_register_error'). */
export class PasskeyRegisterError extends PasskeyRequestError {
  /** @param {string} message @param {any} [cause] */
  constructor(message, cause) {
    super('passkey_register_error', message, cause);
    this.name = 'PasskeyRegisterError';
  }
}

/** The passkey login challenge request failed (`code` 'passkey_challenge_error'). */
export class PasskeyChallengeError extends PasskeyRequestError {
  /** @param {string} message @param {any} [cause] */
  constructor(message, cause) {
    super('passkey_challenge_error', message, cause);
    this.name = 'PasskeyChallengeError';
  }
}

/** Exchanging a passkey credential for tokens failed (`code` 'passkey_get_token_error'). */
export class PasskeyGetTokenError extends PasskeyRequestError {
  /** @param {string} message @param {any} [cause] */
  constructor(message, cause) {
    super('passkey_get_token_error', message, cause);
    this.name = 'PasskeyGetTokenError';
    this.cause = cause && {
      error: cause.error,
      error_description: cause.error_description,
      message: cause.message,
      mfa_token: cause.mfa_token,
      mfa_requirements: cause.mfa_requirements
    };
  }
}

/**
 * @typedef {{ detail: string, field?: string, pointer?: string, source?: string }} ValidationError
 * @typedef {{ type: string, status: number, title: string, detail: string,
 *   validation_errors?: ValidationError[] }} MyAccountErrorResponse
 */

/** A problem-details answer of the My Account API; the message is its `detail`. */
export class MyAccountApiError extends Error {
  /** @param {MyAccountErrorResponse} response */
  constructor({ type, status, title, detail, validation_errors }) {
    super(detail);
    this.name = 'MyAccountApiError';
    /** @readonly */
    this.type = type;
    /** @readonly */
    this.status = status;
    /** @readonly */
    this.title = title;
    /** @readonly */
    this.detail = detail;
    /** @readonly */
    this.validation_errors = validation_errors;
    Object.setPrototypeOf(this, MyAccountApiError.prototype);
  }
}

/** An error of the anonymous-session client: `code` (e.g. 'session_expired') and `cause`. */
export class AnonymousSessionError extends Error {
  /** @param {string} code @param {string} message @param {any} [cause] */
  constructor(code, message, cause) {
    super(message);
    this.name = 'AnonymousSessionError';
    this.code = code;
    /** @type {any} */
    this.cause = cause && { error: cause.error, error_description: cause.error_description, message: cause.message };
  }
}

// isFederatedDomain: answers are remembered per tenant and email domain, as in auth0-spa-js:
// a yes for 60 s, a 404 for 15 s, nothing else; at most 1000 entries (the oldest go first).
const FEDERATED_TTL_MS = 60_000;
const NOT_FEDERATED_TTL_MS = 15_000;
const FEDERATED_MAX = 1000;
/** @type {Map<string, { value: boolean, until: number }>} */
const federated = new Map();

/** @param {string} key @param {boolean} value @param {number} ttl */
function remember(key, value, ttl) {
  federated.delete(key);
  federated.set(key, { value, until: Date.now() + ttl });
  while (federated.size > FEDERATED_MAX) {
    const oldest = federated.keys().next().value;
    if (oldest === undefined) break;
    federated.delete(oldest);
  }
}

/**
 * @typedef {{ enabled: false } | { enabled?: true, name: string, version: string }} TelemetryConfig
 * @typedef {{ customFetch?: typeof fetch, telemetry?: TelemetryConfig }} IsFederatedDomainOptions
 */

/**
 * Whether `emailDomain` is set up for enterprise single sign-on at the tenant `auth0Domain`:
 * a WebFinger lookup, `GET https://{auth0Domain}/.well-known/webfinger?resource=urn:auth0:discovery:domain:{emailDomain}&rel=http://openid.net/specs/connect/1.0/issuer`,
 * with the `Auth0-Client` telemetry header. A routing hint, not a security check: true for a 2xx
 * answer, false for anything else, never a rejection (as in auth0-spa-js 2.28.3).
 * @param {string} auth0Domain  the tenant, with or without `https://`
 * @param {string} emailDomain  e.g. 'example.com'
 * @param {IsFederatedDomainOptions} [options]
 * @returns {Promise<boolean>}
 */
export async function isFederatedDomain(auth0Domain, emailDomain, options) {
  try {
    const host = String(auth0Domain).replace(/^https?:\/\//i, '').toLowerCase();
    const domain = String(emailDomain).toLowerCase();
    const key = host + '|' + domain;
    const hit = federated.get(key);
    if (hit) {
      if (Date.now() < hit.until) return hit.value;
      federated.delete(key);
    }
    const url = new URL('https://' + host + '/.well-known/webfinger');
    url.searchParams.set('resource', 'urn:auth0:discovery:domain:' + domain);
    url.searchParams.set('rel', 'http://openid.net/specs/connect/1.0/issuer');
    const fetchFn = (options && options.customFetch) || globalThis.fetch;
    const telemetry = (options && options.telemetry) || { name: 'auth0-spa-js', version: '2.28.3' };
    /** @type {RequestInit | undefined} */
    let init;
    if (telemetry.enabled !== false) {
      const t = /** @type {{ name: string, version: string }} */ (telemetry);
      init = { headers: { 'Auth0-Client': btoa(JSON.stringify({ name: t.name, version: t.version })) } };
    }
    const res = await fetchFn(url.toString(), init);
    if (res.ok) {
      remember(key, true, FEDERATED_TTL_MS);
      return true;
    }
    if (res.status === 404) remember(key, false, NOT_FEDERATED_TTL_MS);
    else if (res.status === 429) console.warn('[Auth0] isFederatedDomain: rate limit hit (429)');
    return false;
  } catch {
    return false;
  }
}
