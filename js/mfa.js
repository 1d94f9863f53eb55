// @ts-check
// `client.mfa`: auth0-spa-js 2.28.3's MfaApiClient (docs/behaviour.md §1.5).
//
// In the main entry, because every app may need them: the contexts (what the request that got an
// `mfa_required` answer asked for, per `mfa_token`; js/index.js records one whenever a call
// rejects with MfaRequiredError, from the scope and audience the Rust core names in it) and this
// class. Loaded on first use (js/mfa-api.js), so that apps that never call `client.mfa` do not
// download them: the lookups, the choice of grant and its body, and the MFA API's HTTP calls. The
// grant itself is the Rust core's (`WasmClient.mfa`, op 0: sent, checked and stored like a login).

import { lazyImport, pageFetch } from './lazy.js';

/**
 * How long a context is kept: auth0-spa-js's `MfaContextManager` default (10 minutes), as long as
 * Auth0's `mfa_token` lives.
 */
export const MFA_CONTEXT_TTL_MS = 10 * 60 * 1000;

/**
 * @typedef {{ scope?: string, audience?: string, mfaRequirements?: any, createdAt: number }} MfaContext
 * @typedef {{
 *   run: (op: number, args: object) => Promise<any>,
 *   settings: () => Promise<{ baseUrl: string, clientId: string, timeoutMs: number }>,
 *   contexts: Map<string, MfaContext>,
 *   errors: import('./mfa-api.js').MfaDeps['errors'],
 *   failed: (message: string) => Error
 * }} MfaHost
 *   What a client lends its `mfa`: `run(op, args)` calls `WasmClient.mfa` (op 0 the grant
 *   `{ body, scope?, audience? }` → the token response) and resolves to its JSON answer parsed;
 *   `settings()` is what the HTTP calls need from the client, asked of it once (shared with
 *   `client.passkey` and `client.anonymous`); `contexts` are the client's; `errors` are the classes
 *   js/mfa-api.js throws; `failed(message)` makes the error of a module that could not be loaded.
 *   This module imports nothing (the error classes come from js/index.js), so that the lazily
 *   loaded js/mfa-api.js shares no module with the main entry.
 */

/**
 * Drops the expired contexts (older than the TTL, strictly: auth0-spa-js's `now - createdAt >
 * ttl`) and returns the one of `mfaToken`, if any.
 * @param {Map<string, MfaContext>} contexts @param {string} mfaToken @param {number} [now]
 */
export function mfaContext(contexts, mfaToken, now = Date.now()) {
  forgetExpired(contexts, now);
  return contexts.get(mfaToken);
}

/** @param {Map<string, MfaContext>} contexts @param {number} now */
function forgetExpired(contexts, now) {
  for (const [token, c] of contexts) if (now - c.createdAt > MFA_CONTEXT_TTL_MS) contexts.delete(token);
}

/**
 * Keeps the context of `mfaToken` (a newer one replaces the older), as auth0-spa-js does for every
 * grant but `authorization_code` that answers `mfa_required`, and for `setMFAAuthDetails`.
 * @param {Map<string, MfaContext>} contexts @param {string} mfaToken
 * @param {string} [scope] @param {string} [audience] @param {any} [mfaRequirements] @param {number} [now]
 */
export function rememberMfaContext(contexts, mfaToken, scope, audience, mfaRequirements, now = Date.now()) {
  forgetExpired(contexts, now);
  contexts.set(mfaToken, { scope, audience, mfaRequirements, createdAt: now });
}


/** js/mfa-api.js, imported once; a failed load is reported (`api(host)`) and tried again on the next call. */
const api = (/** @type {MfaHost} */ h) => lazyImport('MFA', () => import('./mfa-api.js'), h);

const HOST = Symbol('host');

/** @param {MfaApiClient} self @returns {MfaHost} */
const host = (self) => /** @type {any} */ (self)[HOST];

/** The lazily loaded module and what its HTTP calls need from the client of `self`. @param {MfaApiClient} self */
async function http(self) {
  const h = host(self);
  const [module, settings] = await Promise.all([api(h), h.settings()]);
  const deps = { ...settings, fetch: pageFetch, errors: h.errors };
  return { module, deps };
}

/** The MFA API of one client: auth0-spa-js's `client.mfa`. */
export class MfaApiClient {
  /** @internal Use `client.mfa`. @param {MfaHost} host */
  constructor(host) {
    Object.defineProperty(this, HOST, { value: host });
  }

  /**
   * Remembers the scope, audience and requirements of an `mfa_required` answer for `mfaToken`
   * (the client does this itself when its token requests get one).
   * @param {string} mfaToken @param {string} [scope] @param {string} [audience] @param {object} [mfaRequirements]
   */
  setMFAAuthDetails(mfaToken, scope, audience, mfaRequirements) {
    rememberMfaContext(host(this).contexts, mfaToken, scope, audience, mfaRequirements);
  }

  /** The enrolled authenticators that answer the context's challenge types. @param {string} mfaToken */
  async getAuthenticators(mfaToken) {
    const context = mfaContext(host(this).contexts, mfaToken);
    const { module, deps } = await http(this);
    return module.getAuthenticators(deps, mfaToken, context);
  }

  /** Enrolls a new authenticator. @param {any} params */
  async enroll(params) {
    const { module, deps } = await http(this);
    return module.enroll(deps, params);
  }

  /** Starts a challenge. @param {any} params */
  async challenge(params) {
    const { module, deps } = await http(this);
    return module.challenge(deps, params);
  }

  /** The factors the user may enroll (the context's `mfaRequirements.enroll`). @param {string} mfaToken */
  async getEnrollmentFactors(mfaToken) {
    const context = mfaContext(host(this).contexts, mfaToken);
    const module = await api(host(this));
    return module.enrollmentFactors(host(this).errors, context);
  }

  /** Completes the MFA step with a code and stores the tokens as a login does. @param {any} params */
  async verify(params) {
    const h = host(this);
    const mfaToken = params && params.mfaToken;
    const context = typeof mfaToken === 'string' ? mfaContext(h.contexts, mfaToken) : undefined;
    const module = await api(h);
    const answer = await h.run(0, module.verifyGrant(h.errors, params, context));
    h.contexts.delete(mfaToken);
    return answer;
  }
}
