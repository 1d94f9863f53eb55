// @ts-check
// `client.anonymous`: auth0-spa-js 2.27/2.28's AnonymousSessionApiClient (anonymous sessions,
// "Early Access"; docs/behaviour.md §1.7), and the two places the client itself uses it:
// `checkSession` with `createAnonymousSessionOnFailedSilentAuth`, and the `anon_transfer_token` a
// login carries while a session exists.
//
// In the main entry: the class, whose synchronous `hasSession()` reads the store
// (js/anonymous-store.js), and these hooks. Loaded on first use (js/anonymous-api.js), so that apps
// without anonymous sessions do not download them: the requests, their answers and the renewal
// rule. A login looks at the store first and loads nothing when there is no session.

import { anonymousKeys, cacheModeOf, readStored, storedSession } from './anonymous-store.js';
import { lazyImport, pageFetch } from './lazy.js';

/**
 * @typedef {import('./anonymous-api.js').AnonymousDeps} AnonymousDeps
 * @typedef {import('./anonymous-api.js').AnonymousHttp} AnonymousHttp
 * @typedef {{
 *   clientId: string,
 *   cacheMode: unknown,
 *   settings: () => Promise<{ baseUrl: string, timeoutMs: number }>,
 *   errors: AnonymousDeps['errors'],
 *   failed: (message: string) => Error
 * }} AnonymousHost
 *   What a client lends its `anonymous`: its client id and `anonymousSessionsCacheMode` option,
 *   `settings()` (the tenant's URL and the request timeout, from the wasm client, which checks the
 *   options), the error classes the requests throw, and `failed(message)`, the error of a module
 *   that could not be loaded. The classes come from js/index.js, so that this module stays
 *   type-checked and small; js/anonymous-api.js, bundled on its own, carries its own copy of
 *   js/anonymous-store.js.
 */

/** js/anonymous-api.js, imported once; a failed load is reported (`api(host)`) and tried again on the next call. */
const api = (/** @type {{ failed: (message: string) => Error }} */ h) => lazyImport('anonymous-session', () => import('./anonymous-api.js'), h);

const STATE = Symbol('anonymous');

/**
 * @typedef {{ host: AnonymousHost, keys: ReturnType<typeof anonymousKeys>, mode: 'localStorage' | 'memory', memory: Map<string, string> }} State
 * @param {AnonymousSessionApiClient} self @returns {State}
 */
const state = (self) => /** @type {any} */ (self)[STATE];

/** The lazily loaded module and what its requests need. @param {AnonymousSessionApiClient} self */
async function http(self) {
  const s = state(self);
  const [module, settings] = await Promise.all([api(s.host), s.host.settings()]);
  /** @type {AnonymousDeps} */
  const deps = {
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    clientId: s.host.clientId,
    fetch: pageFetch,
    store: module.anonymousStore(s.mode, s.memory),
    keys: s.keys,
    errors: s.host.errors
  };
  return { module, deps };
}

/** The anonymous sessions of one client: auth0-spa-js's `client.anonymous`. */
export class AnonymousSessionApiClient {
  /** @internal Use `client.anonymous`. @param {AnonymousHost} host */
  constructor(host) {
    Object.defineProperty(this, STATE, { value: { host, keys: anonymousKeys(host.clientId), mode: cacheModeOf(host.cacheMode), memory: new Map() } });
  }

  /** Starts a new anonymous session and stores it. @param {import('./anonymous-api.js').CreateOptions} [options] */
  async createSession(options) {
    const { module, deps } = await http(this);
    return module.createSession(deps, options);
  }

  /**
   * An access token of the session for `audience` and `scope`: cached until 60 s before it
   * expires, then renewed with the session token (a new session when there is none).
   * @param {{ audience?: string, scope?: string }} [options]
   */
  async getTokenSilently(options) {
    const { module, deps } = await http(this);
    return module.getTokenSilently(deps, options);
  }

  /** A single-use transfer token for a login, or null without a session or on failure. */
  async mintTransferToken() {
    if (!this.hasSession()) return null;
    try {
      const { module, deps } = await http(this);
      return await module.mintTransferToken(deps);
    } catch {
      return null;
    }
  }

  /** Ends the session at the tenant, then removes it here. */
  async logout() {
    const { module, deps } = await http(this);
    return module.logout(deps);
  }

  /** Whether a session token is stored (synchronous). */
  hasSession() {
    const s = state(this);
    return storedSession(readStored(s.mode, s.memory, s.keys.session)) !== null;
  }

  /** The session token's claims: always null, as in auth0-spa-js 2.28.3 (the tokens are opaque). */
  getClaims() {
    return null;
  }
}

/**
 * `authorizationParams` of a login with the session's transfer token as `anon_transfer_token`
 * (auth0-spa-js 2.28): a minted token wins over one the call gives; without one (no session, or
 * the mint failed) they stay as they are. Pure; the login awaits the mint first.
 * @param {Record<string, unknown>} params @param {string | null} token
 */
export function withAnonTransferToken(params, token) {
  return token ? { ...params, anon_transfer_token: token } : params;
}

/**
 * What `checkSession` does when the wasm client answers that the user is logged out and the option
 * asks for an anonymous session: nothing when one is stored; otherwise a session through
 * `getTokenSilently()` (no audience: the app asks per API later), whose failure is only logged
 * (`console.debug`, as auth0-spa-js), never thrown.
 * @param {AnonymousSessionApiClient} anonymous
 */
export async function startAnonymousSession(anonymous) {
  if (anonymous.hasSession()) return;
  try {
    await anonymous.getTokenSilently();
  } catch (e) {
    console.debug('[auth0-spa-js] Anonymous session creation failed', e);
  }
}

/** How long the low-level client's requests may take: the client's `httpTimeoutInSeconds` default. */
const LOW_LEVEL_TIMEOUT_MS = 10_000;

const HTTP = Symbol('http');

/**
 * @typedef {AnonymousHttp['errors'] & { failed: (message: string) => Error }} LowLevelErrors
 * @typedef {'createSession' | 'getAccessToken' | 'mintTransferToken' | 'logout'} LowLevelMethod
 */

/**
 * Sets up `self`, an @auth0/auth0-auth-js AnonymousSessionClient (which auth0-spa-js re-exports):
 * the session requests without storage (the caller keeps the session token), to
 * `https://{domain}` as in auth0-auth-js. Browser apps use `client.anonymous`; client
 * authentication options (`clientSecret`, assertions, mTLS) belong to servers and are not taken.
 * js/index.js declares the class with the error classes, so that nothing at the entry's top level
 * calls a function (which would keep the class, and its requests, in apps that never use it).
 * @param {object} self @param {{ domain: string, clientId: string, customFetch?: typeof fetch }} options
 * @param {LowLevelErrors} errors
 */
export function lowLevelClient(self, options, errors) {
  /** @type {AnonymousHttp} */
  const http = {
    baseUrl: `https://${options.domain}`,
    clientId: options.clientId,
    timeoutMs: LOW_LEVEL_TIMEOUT_MS,
    fetch: options.customFetch || pageFetch,
    errors: { session: errors.session, timeout: errors.timeout }
  };
  Object.defineProperty(self, HTTP, { value: { http, loader: { failed: errors.failed } } });
}

/**
 * A method of a low-level client set up by {@link lowLevelClient}, over the lazily loaded
 * requests: `createSession(options?)`, `getAccessToken(options?)` (a renewal with
 * `options.sessionToken`, else a new session), `mintTransferToken(sessionToken)` (null on any
 * failure, even when the module cannot be loaded), `logout()`.
 * @param {object} self @param {LowLevelMethod} method @param {any} [arg]
 */
export async function lowLevelCall(self, method, arg) {
  /** @type {{ http: AnonymousHttp, loader: { failed: (message: string) => Error } }} */
  const { http, loader } = /** @type {any} */ (self)[HTTP];
  if (method === 'mintTransferToken') {
    try {
      return await (await api(loader)).transferToken(http, arg);
    } catch {
      return null;
    }
  }
  const module = await api(loader);
  if (method === 'createSession') return module.newSession(http, arg);
  if (method === 'getAccessToken') return module.accessToken(http, arg);
  return module.endSession(http);
}
