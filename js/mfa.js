// @ts-check
// `client.mfa`: auth0-spa-js 2.28.3's MfaApiClient (docs/behaviour.md §1.5). The MFA contexts and
// `verify` are the Rust core's (src/client/mfa.rs, reached through `WasmClient.mfa(op, args)`);
// listing, enrolling and challenging authenticators are js/mfa-api.js, loaded on first use so that
// apps that never call them do not download it (scripts/build.sh emits it as its own file).

/**
 * What a client lends its `mfa`: `run(op, args)` calls `WasmClient.mfa` (op 0 the context for
 * `getAuthenticators`, 1 `getEnrollmentFactors`, 2 `setMFAAuthDetails`, 3 `verify`, 4 the
 * client's `{ baseUrl, clientId, timeoutMs }`) and resolves to its JSON answer parsed; `errors`
 * are the classes js/mfa-api.js throws; `failed(message)` makes the GenericError of a module that
 * could not be loaded. This module imports nothing (the error classes come from js/index.js), so
 * that the lazily loaded js/mfa-api.js shares no module with the main entry.
 * @typedef {{
 *   run: (op: number, args: object) => Promise<any>,
 *   errors: import('./mfa-api.js').MfaDeps['errors'],
 *   failed: (message: string) => Error
 * }} MfaHost
 */

// Captured when the package is imported, as js/platform.js captures the globals the core uses.
const pageFetch = typeof fetch === 'function' ? fetch.bind(globalThis) : undefined;

/** @type {Promise<typeof import('./mfa-api.js')> | undefined} */
let loading;

/** js/mfa-api.js, imported once; a failed load is reported and tried again on the next call. @param {MfaHost} h */
function api(h) {
  if (!loading) {
    loading = import('./mfa-api.js').catch((e) => {
      loading = undefined;
      throw h.failed('auth0-spa-wasm: the MFA module could not be loaded: ' + String(e && e.message ? e.message : e));
    });
  }
  return loading;
}

const HOST = Symbol('host');

/** @param {MfaApiClient} self @returns {MfaHost} */
const host = (self) => /** @type {any} */ (self)[HOST];

/** The lazily loaded module and what it needs from the client of `self`. @param {MfaApiClient} self */
async function http(self) {
  const h = host(self);
  const [module, settings] = await Promise.all([api(h), h.run(4, {})]);
  const deps = { ...settings, fetch: pageFetch || fetch, errors: h.errors };
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
    host(this).run(2, { mfaToken, scope, audience, mfaRequirements }).catch(() => {});
  }

  /** The enrolled authenticators that answer the context's challenge types. @param {string} mfaToken */
  async getAuthenticators(mfaToken) {
    const context = await host(this).run(0, { mfaToken });
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
    return host(this).run(1, { mfaToken });
  }

  /** Completes the MFA step with a code and stores the tokens as a login does. @param {any} params */
  async verify(params) {
    return host(this).run(3, params || {});
  }
}
