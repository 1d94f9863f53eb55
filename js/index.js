// @ts-check
/*
 * auth0-spa-wasm: package entry. Same exports and method signatures as @auth0/auth0-spa-js v2
 * (docs/behaviour.md §1), backed by the Rust/WebAssembly client. No separate init call: the wasm
 * module loads itself (one memoised promise), so `new Auth0Client(options)` stays synchronous and
 * `createAuth0Client(options)` simply awaits it. In a page the constructor starts that load and
 * the wasm client's construction in the background (warmUp), so the app's first call (typically
 * handleRedirectCallback after the framework's first render) finds them done or under way; a
 * failure there is reported by the first call instead, and retried by it.
 *
 * ======================= CONTRACT WITH THE WASM SIDE (src/wasm/) =======================
 * Built with `wasm-pack build --target web --out-name auth0_spa_wasm`; this file imports the glue
 * `./auth0_spa_wasm.js` and calls its default init once. The Rust side exports ONE class:
 *
 *   #[wasm_bindgen] pub struct WasmClient
 *   new WasmClient(optionsJson: string, cache: object | undefined, nowProvider: Function | undefined)
 *       optionsJson  JSON text of Auth0ClientOptions without `cache` and `nowProvider`.
 *                    Non-finite numbers and BigInts arrive as strings ("NaN", "Infinity",
 *                    "-Infinity", "10"): reject them as InvalidConfiguration naming the option.
 *                    Never contains both `cache` and `cacheLocation`: JS settles that (and maps
 *                    `cache: new LocalStorageCache()` to `cacheLocation: "localstorage"`).
 *       cache        a custom ICache {get,set,remove,allKeys?}; each may return a value or a Promise.
 *       nowProvider  () => number | Promise<number>, milliseconds.
 *       Throws (synchronously) an error object (below) for invalid options.
 *
 *   Every method below returns a Promise (async, &self) and rejects with an error object.
 *   "JSON text" results may also be plain JS objects; JS accepts both.
 *     loginWithRedirect(optionsJson)           -> string   the /authorize URL (JS appends
 *                                                          `#fragment`, then openUrl/onRedirect/
 *                                                          location.assign). optionsJson has
 *                                                          authorizationParams and appState (as
 *                                                          JSON, store it verbatim in the txn).
 *     handleRedirectCallback(url: string)      -> string   JSON text {"appState": <stored JSON>}
 *                                                          ({} when none); JS adds response_type.
 *                                                          After connectAccountWithRedirect also
 *                                                          "connect": the body of the My Account
 *                                                          API's complete request, which JS sends.
 *     connect(op, argsJson)                    -> connectAccountWithRedirect's steps: op 0
 *                                                          {redirectUri?} -> Promise of JSON text
 *                                                          {state, code_verifier, code_challenge,
 *                                                          code_challenge_method, redirect_uri};
 *                                                          1 {started, answer, appState?,
 *                                                          connection?} -> Promise of undefined
 *                                                          (transaction stored; JS then opens
 *                                                          connect_uri?ticket=…); 2 -> the My
 *                                                          Account API base `{domainUrl}/me/`.
 *     loginWithPopup(optionsJson, popup: Window, configJson) -> undefined
 *                                                          popup is already open (about:blank);
 *                                                          set its location, wait, close it unless
 *                                                          config.closePopup === false.
 *                                                          configJson: {timeoutInSeconds?, closePopup?}
 *     getTokenSilently(optionsJson)            -> string | undefined
 *                                                          the access token; when
 *                                                          options.detailedResponse === true the
 *                                                          JSON text of {id_token, access_token,
 *                                                          token_type, expires_in, scope?};
 *                                                          undefined for a cache-only miss.
 *     getTokenWithPopup(optionsJson, popup: Window, configJson) -> string | undefined  access token
 *     getUser()                                -> string | undefined  JSON text of the user claims
 *     getIdTokenClaims()                       -> string | undefined  JSON text of all claims + __raw
 *                                                          (JS returns the same object again while
 *                                                          the text is unchanged, like auth0-spa-js)
 *     isAuthenticated()                        -> boolean
 *     checkSession(optionsJson)                -> undefined  swallows every error itself (§1.4);
 *                                                          JS only propagates load/options errors.
 *     logout(optionsJson)                      -> string   the logout URL, or "" for no navigation.
 *                                                          optionsJson: {clientId?: string|null,
 *                                                          logoutParams?}; JS handles openUrl.
 *     dpop(op, argsJson)                       -> Promise; the DPoP helpers (RFC 9449): op 0
 *                                                          getDpopNonce {id?} -> string | undefined;
 *                                                          1 setDpopNonce {nonce, id?};
 *                                                          2 generateDpopProof {url, method, nonce?,
 *                                                          accessToken?} -> the proof.
 *                                                          Throws synchronously without useDpop
 *                                                          (JS checks that first, as auth0-spa-js).
 *     mfa(op, argsJson)                        -> Promise; client.mfa (js/mfa.js): op 0 verify's
 *                                                          grant {body, scope?, audience?} -> JSON
 *                                                          text of the token response (rejects with
 *                                                          class MfaVerify too); 1 {baseUrl,
 *                                                          clientId, timeoutMs}; client.passkey
 *                                                          (js/passkey.js): op 2 the passkey grant
 *                                                          {authSession, credential, realm?,
 *                                                          organization?, scope?, audience?} -> JSON
 *                                                          text of the token response.
 *   An MfaRequired rejection also names the `scope` and `audience` its request asked for: kept as
 *   the mfa_token's context for client.mfa (noteMfa below).
 *   Per-call optionsJson never contains functions or windows (openUrl, onRedirect, fragment,
 *   popup are handled here). getConfiguration() is answered in JS.
 *
 *   Two synchronous methods serve getTokenSilently's fast path (see fastHit below):
 *     hitMemo(optionsJson)  -> string | undefined  JSON text {g, l, n, f, r[, k, u, e, t]}: the
 *                                                  memoised hit a call with these options would
 *                                                  serve (r, the detailed response) while the cache
 *                                                  generation is still g, now is in [n, f), and with
 *                                                  l (localStorage) the keys k and u still hold the
 *                                                  texts e and t; undefined: no memo usable in JS.
 *     cacheGeneration()     -> number              the client's cache generation, -1 while another
 *                                                  tab's logout waits to be applied.
 *
 *   Error object (rejection / constructor throw), turned into classes by toJsError (errors.js):
 *     { class: "Plain" | "Generic" | "Authentication" | "Timeout" | "PopupTimeout"
 *              | "PopupCancelled" | "PopupOpen" | "MfaRequired" | "MissingRefreshToken"
 *              | "InvalidConfiguration" | "UseDpopNonce",
 *       error: string, description: string, state?, appState?, connection?, mfa_token?,
 *       mfa_requirements? (object or JSON text), audience?, scope?, suggestion?, newDpopNonce? }
 *   JS Error objects thrown through wasm (a page callback's error, fetch TypeError) pass through
 *   unchanged; a WebAssembly.RuntimeError (trap) or any other value becomes
 *   GenericError('internal_error', ...). Nothing rejects with a bare string or a RuntimeError.
 * =========================================================================================
 */
import {
  GenericError,
  InvalidConfigurationError,
  PopupOpenError,
  TimeoutError,
  MfaRequiredError,
  toJsError,
  asksForPopup
} from './errors.js';
import { MfaApiClient, rememberMfaContext } from './mfa.js';
import { MfaListAuthenticatorsError, MfaEnrollmentError, MfaChallengeError, MfaVerifyError, MfaEnrollmentFactorsError, AnonymousSessionError } from './extras.js';
import { PasskeyError, PasskeyRegisterError, PasskeyChallengeError } from './extras.js';
import { PasskeyApiClient } from './passkey.js';
import { AnonymousSessionApiClient, lowLevelCall, lowLevelClient, startAnonymousSession, withAnonTransferToken } from './anonymous.js';
import { MyAccountApiClient } from './my-account.js';
import { once, pageFetch } from './lazy.js';
// Named, not as a namespace: a namespace used as a value is an object built at the top level, which
// a bundler keeps, and with it the whole client (tests/bundlers/tree-shaking.test.mjs).
import { WasmClient as BuiltInClient, load as loadBuiltIn, FULL as BUILT_IN_FULL } from './lite.js';
// The sub-clients, their requests loaded on first use: the MFA API client (js/mfa.js), the passkey
// API client (js/passkey.js), the anonymous-session client (js/anonymous.js) and the My Account
// API client (js/my-account.js).
export { MfaApiClient } from './mfa.js';
export { MyAccountApiClient };
export { PasskeyApiClient };
export { AnonymousSessionApiClient };

/**
 * @auth0/auth0-auth-js's low-level AnonymousSessionClient, re-exported by auth0-spa-js: the
 * session requests to `https://{domain}`, nothing stored (js/anonymous.js `lowLevelClient`).
 */
export class AnonymousSessionClient {
  /** @param {{ domain: string, clientId: string, customFetch?: typeof fetch }} options */
  constructor(options) {
    lowLevelClient(this, options, { session: AnonymousSessionError, timeout: TimeoutError, failed: internalError });
  }

  /** A new session (`POST /anonymous/token`). @param {any} [options] */
  createSession(options) {
    return lowLevelCall(this, 'createSession', options);
  }

  /** A new access token of `options.sessionToken`'s session, or a new session without one. @param {any} [options] */
  getAccessToken(options) {
    return lowLevelCall(this, 'getAccessToken', options);
  }

  /**
   * A single-use transfer token of `sessionToken`'s session for a login, or null on any failure.
   * @param {string} [sessionToken]
   */
  mintTransferToken(sessionToken) {
    return lowLevelCall(this, 'mintTransferToken', sessionToken);
  }

  /** Ends the browser's session at the tenant (its `auth0_anon` cookie). */
  logout() {
    return lowLevelCall(this, 'logout');
  }
}
import { Fetcher } from './fetcher.js';
import { LocalStorageCache } from './caches.js';
// The cache classes and value types of auth0-spa-js (js/caches.js).
export { CacheKey, LocalStorageCache, InMemoryCache, User, ResponseType, RefreshTokenMode } from './caches.js';

export {
  GenericError,
  InvalidConfigurationError,
  AuthenticationError,
  ConnectError,
  TimeoutError,
  PopupTimeoutError,
  PopupCancelledError,
  PopupOpenError,
  MfaRequiredError,
  MissingRefreshTokenError,
  MissingScopesError,
  UseDpopNonceError
} from './errors.js';
// The MFA, passkey, My Account and anonymous-session error classes and isFederatedDomain (js/extras.js).
export * from './extras.js';

/**
 * The app's options objects as this module reads them: loosely, since the wasm client validates
 * them (their public types are js/index.d.ts's).
 * @typedef {Record<string, any>} Options
 */

// ---------------------------------------------------------------------------------------------
// Loading the wasm: two builds (docs/module-split.md), each a module with its glue and wasm
// (js/lite.js, which scripts/build.sh stages twice). './lite.js', the build without DPoP,
// Multi-Resource Refresh Tokens, the interactive error handler, token exchange, revocation and the
// MFA and passkey grants, is part of this entry: imported statically, so that the page fetches it
// with the entry (as a chunk import()ed at construction it measured a round trip later at
// start-up: bench figures b and h). './full.js' carries those features too and is import()ed by a
// client that needs it: at construction when its options turn such a feature on (needsFull), or on
// its first call of such a method (fullClient). Its wasm is instantiated then, and the lite one
// only by a client that uses it. The `auth0-spa-wasm/full` entry holds the full build in place of
// the lite one (BUILT_IN_FULL): every client is made on it, and './full.js' is never loaded.

/** @typedef {import('./auth0_spa_wasm.js').WasmClient} Wasm  A wasm client of either build (js/auth0_spa_wasm.d.ts). */
/** @typedef {{ WasmClient: typeof import('./auth0_spa_wasm.js').WasmClient, load: () => Promise<unknown> }} WasmModule */

/** @type {{ builtIn?: Promise<WasmModule>, full?: Promise<WasmModule> }} */
const loading = {};

/** The `error` code with which a lite build refuses options only the full build carries (src/wasm/). */
const FULL_BUILD_NEEDED = 'full_build_needed';

// A page whose Content-Security-Policy lacks 'wasm-unsafe-eval' in script-src refuses to compile
// WebAssembly; each engine words it differently (Chromium: "Refused to compile or instantiate
// WebAssembly module because 'unsafe-eval' is not an allowed source...", Firefox: "...blocked by
// CSP", WebKit: "...'wasm-unsafe-eval' is not an allowed source...").
const CSP_REFUSAL = /Content.Security.Policy|\bCSP\b|unsafe-eval/i;

/** The error for a failed load: the CSP requirement by name when that was the cause. @param {unknown} e */
function loadError(e) {
  if (CSP_REFUSAL.test(text(e))) {
    return new GenericError(
      'csp_blocked',
      "auth0-spa-wasm: the page's Content-Security-Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to its script-src (" +
        text(e) +
        ')'
    );
  }
  return new GenericError('internal_error', 'auth0-spa-wasm: the WebAssembly module could not be loaded: ' + text(e));
}

/**
 * The build a client needs, loaded and instantiated once: the entry's own, or the full build
 * import()ed when `full` and the entry's own is the lite one. A failed load (network, CSP) is
 * retried on the next call.
 * @param {boolean} full @returns {Promise<WasmModule>}
 */
function ready(full) {
  const which = full && !BUILT_IN_FULL ? 'full' : 'builtIn';
  let module = loading[which];
  if (!module) {
    listenForTraps();
    module = loading[which] = (which === 'full' ? import('./full.js') : Promise.resolve({ WasmClient: BuiltInClient, load: loadBuiltIn }))
      .then(async (m) => {
        await m.load();
        return m;
      })
      .catch((e) => {
        loading[which] = undefined;
        throw loadError(e);
      });
  }
  return module;
}

/**
 * Whether options surely need the full build: a hint that spares such a client making a lite
 * client first. The rule's owner is the wasm options parser (ClientOptions::need_full_build): a
 * lite build refuses such options with FULL_BUILD_NEEDED, and client() then makes the client on
 * the full build.
 * @param {Options} options
 */
function needsFull(options) {
  return options.useDpop === true || options.useMrrt === true || options.interactiveErrorHandler === 'popup' || options.refreshTokenMode === 'online';
}

// ---------------------------------------------------------------------------------------------
// Containing a WebAssembly trap. A trap (a Rust panic, or any `unreachable`) aborts the wasm code
// where it is and leaves the module's state undefined: an async method whose task trapped would
// never settle, and the task queue it ran in may never run again. So every call into wasm is
// registered while it waits; the first trap seen (thrown at a call, or reported to the page as an
// uncaught error or rejection by the microtask that ran the task) rejects every waiting call with
// GenericError('internal_error'), and from then on every method of every client rejects with the
// same error instead of running on the broken module. Reloading the page starts a fresh module.

/** @type {GenericError | undefined} */
let broken;
/** @type {Set<(e: unknown) => void>} */
const waiting = new Set();
let listening = false;

const isTrap = (/** @type {unknown} */ e) => typeof WebAssembly === 'object' && e instanceof WebAssembly.RuntimeError;

/** @param {unknown} e */
function trapped(e) {
  if (!broken) {
    broken = new GenericError(
      'internal_error',
      'auth0-spa-wasm stopped after an internal error (' + text(e) + '); reload the page to continue'
    );
  }
  for (const reject of waiting) reject(broken);
  waiting.clear();
}

function listenForTraps() {
  if (listening || typeof addEventListener !== 'function') return;
  listening = true;
  addEventListener('error', (ev) => {
    if (isTrap(ev.error)) trapped(ev.error);
  });
  addEventListener('unhandledrejection', (ev) => {
    if (isTrap(ev.reason)) trapped(ev.reason);
  });
}

/** @param {unknown} e */
function text(e) {
  try {
    return e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e);
  } catch {
    return 'unknown error';
  }
}

/** What perClient has made, per client and then per `key`. */
const made = new WeakMap();

/**
 * What belongs to each client but is made on first use (its sub-clients, its MFA contexts, the
 * settings they ask of it): `make()` once per client and `key`. Kept beside the client in a
 * WeakMap, not on it, so that it also works on objects that only borrow Auth0Client.prototype, as
 * the framework wrappers' test doubles do. Called from inside functions, never at the entry's top
 * level: a bundler keeps a top-level call it cannot prove pure, and with it, through its
 * argument, the whole client and its WebAssembly in an app that imports only error classes
 * (tests/bundlers/tree-shaking.test.mjs; the build's minified entry has no @__PURE__ marks).
 * @template T @param {Auth0Client} self @param {string} key @param {() => T} make @returns {T}
 */
function perClient(self, key, make) {
  let mine = made.get(self);
  if (!mine) made.set(self, (mine = new Map()));
  if (!mine.has(key)) mine.set(key, make());
  return mine.get(key);
}

/** The MFA contexts of each client: what its requests that got `mfa_required` asked for (js/mfa.js). */
const mfaContextsOf = (/** @type {Auth0Client} */ self) => perClient(self, 'mfaContexts', () => new Map());

// An `mfa_required` answer names the scope and audience its request asked for (the Rust core's
// Error::for_request): kept as the mfa_token's context for client.mfa (js/mfa.js), as
// auth0-spa-js keeps one for every grant but authorization_code.
/** @param {Auth0Client} self @param {any} raw @param {Error} e */
function noteMfa(self, raw, e) {
  if (e instanceof MfaRequiredError && raw && typeof raw.scope === 'string') {
    rememberMfaContext(mfaContextsOf(self), e.mfa_token, raw.scope, raw.audience, e.mfa_requirements);
  }
}

// Anything a wasm call rejects or throws with becomes an Error (see the contract above).
/** @param {any} e @param {Window} [popup] @returns {Error} */
function toError(e, popup) {
  if (typeof WebAssembly === 'object' && e instanceof WebAssembly.RuntimeError) {
    return new GenericError('internal_error', 'auth0-spa-wasm internal error: ' + text(e));
  }
  if (Object.prototype.toString.call(e) === '[object Error]') return e;
  if (e && typeof e === 'object' && typeof e.class === 'string') {
    // The one MFA API class the wasm side names (client.mfa.verify's refused grant).
    return e.class === 'MfaVerify' ? new MfaVerifyError(e.error, e.description) : toJsError(e, popup);
  }
  if (e && typeof e === 'object' && typeof e.error === 'string') {
    return new GenericError(e.error, String(e.error_description || e.description || e.error));
  }
  return new GenericError('internal_error', 'auth0-spa-wasm internal error: ' + text(e));
}

// ---------------------------------------------------------------------------------------------
// Options → JSON for the Rust options parser.

// JSON text of `obj` where non-finite numbers and BigInts become strings, so the parser can reject
// them by name instead of seeing `null`. A top-level `appState` is stored and handed back as JSON
// by auth0-spa-js too, so it is normalised exactly as JSON.stringify would (NaN -> null).
/** @param {unknown} obj @returns {string} */
function toJson(obj) {
  return JSON.stringify(obj || {}, function (key, v) {
    if (key === 'appState' && this === obj) {
      const t = JSON.stringify(v);
      return t === undefined ? undefined : JSON.parse(t);
    }
    if (typeof v === 'number' && !isFinite(v)) return String(v);
    if (typeof v === 'bigint') return String(v);
    return v;
  });
}

// Shallow copy of `obj` without `keys`.
/** @param {Options} obj @param {string[]} keys */
function without(obj, keys) {
  /** @type {Options} */
  const out = {};
  for (const k in obj) {
    if (Object.prototype.hasOwnProperty.call(obj, k) && keys.indexOf(k) < 0) out[k] = obj[k];
  }
  return out;
}

// A result that is JSON text (or already a value).
const parsed = (/** @type {any} */ r) => (typeof r === 'string' ? JSON.parse(r) : r);

// Same object back while the JSON text is unchanged (auth0-spa-js keeps user identity stable).
/** @param {{ t?: string, v?: any }} slot @param {unknown} r */
function remembered(slot, r) {
  if (r == null) {
    slot.t = slot.v = undefined;
    return undefined;
  }
  if (typeof r !== 'string') return r;
  if (slot.t !== r) {
    slot.v = JSON.parse(r);
    slot.t = r;
  }
  return slot.v;
}

// auth0-spa-js `patchOpenUrlWithOnRedirect`: `openUrl` wins unless unset; then `onRedirect`.
const opener = (/** @type {Options} */ o) => (o.openUrl === false || o.openUrl ? o.openUrl : o.onRedirect);

// auth0-spa-js `openPopup('')`: centred 400x600 named window, opened before any await.
function openPopup() {
  const width = 400;
  const height = 600;
  const left = window.screenX + (window.innerWidth - width) / 2;
  const top = window.screenY + (window.innerHeight - height) / 2;
  return window.open(
    '',
    'auth0:authorize:popup',
    'left=' + left + ',top=' + top + ',width=' + width + ',height=' + height +
      ',resizable,scrollbars=yes,status=1'
  );
}

/** @param {Window} popup */
function closeQuietly(popup) {
  try {
    popup.close();
  } catch {
    /* already gone */
  }
}

// ---------------------------------------------------------------------------------------------
// Auth0Client

const S = Symbol('auth0-spa-wasm');

/**
 * What each client keeps under S (its constructor defines it): the options as JSON text and what
 * JSON cannot carry, the wasm client once made (`inst`) or being made (`pending`), whether it is
 * on the full module (`full`) or moving there (`moving`) and how many calls run on it (`running`,
 * with what waits for them to settle), the last user
 * and claims texts with their objects, and getTokenSilently's memoised hits (below).
 * @typedef {{
 *   json: string, cache: object | undefined, now: Function | undefined,
 *   config: Readonly<{ domain: string, clientId: string }>, dpop: boolean, transferParam: string,
 *   anonymousMode: any, inst: Wasm | undefined, pending: Promise<Wasm> | undefined,
 *   full: boolean, moving: Promise<Wasm> | undefined, running: number, settled: Array<(v: unknown) => void>,
 *   user: { t?: string, v?: any }, claims: { t?: string, v?: any }, hits: Map<string, Hit> | undefined
 * }} State
 * @typedef {Auth0Client & { [S]: State }} Stated  A client seen with its state. (The methods cast
 *   `this` to Auth0Client first: tsc will not cast its polymorphic `this` to Stated directly.)
 */

// The wasm client of `s`, constructed once after the module is ready.
/** @param {State} s @returns {Promise<Wasm>} */
function client(s) {
  if (!s.pending) {
    const lite = !s.full;
    s.pending = ready(s.full)
      .then((mod) => {
        if (typeof mod.WasmClient !== 'function') {
          throw new GenericError('internal_error', 'auth0-spa-wasm: the wasm module exports no WasmClient');
        }
        s.inst = new mod.WasmClient(s.json, s.cache, s.now);
        return s.inst;
      })
      .catch((e) => {
        s.pending = undefined; // the load may succeed later; an options error repeats anyway
        if (lite && e && e.error === FULL_BUILD_NEEDED) {
          s.full = true;
          return client(s);
        }
        if (isTrap(e)) trapped(e);
        throw broken || toError(e);
      });
  }
  return s.pending;
}

// Starts loading the module and constructing the wasm client of `s` without waiting for them, in
// a page only (server-side rendering constructs clients it never uses). Nothing is lost when it
// fails: client() forgets a failed attempt, so the first call repeats it and reports its error.
/** @param {State} s */
function warmUp(s) {
  if (typeof window !== 'undefined' && !broken) client(s).catch(() => {});
}

// The wasm client, or a promise of it on first use (callers `await` either).
/** @param {Auth0Client} self */
function wasm(self) {
  const s = /** @type {Stated} */ (self)[S];
  return s.moving || s.inst || client(s);
}

/**
 * The client of `s` on the full module: moved there on the first call that needs it. The move
 * waits for the calls already running on the lite client to settle (calls made meanwhile wait for
 * the move), then makes the full client with the same options and cache, and gives it the lite
 * client's in-memory entries, so a session kept in memory survives; stored sessions
 * (localStorage, a custom cache) are shared anyway.
 * @param {State} s @returns {Promise<Wasm>}
 */
function fullClient(s) {
  if (s.full) return client(s);
  if (!s.moving) {
    s.moving = Promise.all([client(s), ready(true)])
      .then(async ([liteClient, mod]) => {
        if (s.full) {
          s.moving = undefined; // the lite build refused the options: the client was made on the full one
          return liteClient;
        }
        while (s.running) await new Promise((resolve) => s.settled.push(resolve));
        const inst = new mod.WasmClient(s.json, s.cache, s.now);
        inst.memoryEntries(liteClient.memoryEntries());
        Object.assign(s, { full: true, inst, pending: Promise.resolve(inst), hits: undefined, moving: undefined });
        return inst;
      })
      .catch((e) => {
        s.moving = undefined; // tried again by the next call that needs it
        if (isTrap(e)) trapped(e);
        throw broken || toError(e);
      });
  }
  return s.moving;
}

/**
 * Runs fn on `c`; on a lite client, counted as running (fullClient waits for those to settle). A
 * full client never moves, so its calls are not counted.
 * @template T @param {State} s @param {Wasm} c @param {(c: Wasm) => T | PromiseLike<T>} fn
 * @returns {T | PromiseLike<T>}
 */
function running(s, c, fn) {
  if (s.full) return fn(c);
  s.running++;
  const done = () => {
    if (--s.running === 0) for (const resolve of s.settled.splice(0)) resolve(undefined);
  };
  try {
    return Promise.resolve(fn(c)).finally(done);
  } catch (e) {
    done();
    throw e;
  }
}

// Runs fn(wasm client) and turns anything it throws into an SDK error (see the contract above;
// popup errors carry `popup`); settles even when the wasm code traps (see "Containing a
// WebAssembly trap").
// With `full`, the call needs the full module (fullClient).
/**
 * @template T @param {Auth0Client} self @param {(c: Wasm) => T | PromiseLike<T>} fn
 * @param {Window} [popup] @param {boolean} [full] @returns {Promise<T>}
 */
function call(self, fn, popup, full) {
  if (broken) return Promise.reject(broken);
  const s = /** @type {Stated} */ (self)[S];
  return new Promise((resolve, reject) => {
    waiting.add(reject);
    Promise.resolve()
      .then(() => (full ? fullClient(s) : wasm(self)))
      // s.inst, not c: a move that ended after c was found has made another client current.
      .then((c) => (s.moving && !full ? s.moving.then((moved) => running(s, moved, fn)) : running(s, s.inst || c, fn)))
      .then(
        (v) => {
          waiting.delete(reject);
          resolve(v);
        },
        (e) => {
          waiting.delete(reject);
          if (isTrap(e)) trapped(e);
          const err = broken || toError(e, popup);
          noteMfa(self, e, err);
          reject(err);
        }
      );
  });
}

/**
 * `interactiveErrorHandler: 'popup'`: the silent renewal needs the user (MFA), so a login popup
 * with the call's `authorizationParams` gets the token, which is then read from the cache as
 * auth0-spa-js does (its `interactive_handler_cache_miss` when it is not there). Like
 * auth0-spa-js it opens the popup outside a click handler, where a popup blocker may refuse it
 * (`PopupOpenError`).
 * @param {Auth0Client} client @param {Options} options @param {boolean} detailed
 * @returns {Promise<any>}
 */
async function completeInPopup(client, options, detailed) {
  const authorizationParams = options.authorizationParams;
  await client.loginWithPopup(authorizationParams ? { authorizationParams } : {});
  const entry = await client.getTokenSilently({ authorizationParams, cacheMode: 'cache-only', detailedResponse: true });
  if (!entry) throw new GenericError('interactive_handler_cache_miss', 'Token not found in cache after interactive authentication');
  return detailed ? entry : entry.access_token;
}

// The DPoP methods throw synchronously without `useDpop`, as auth0-spa-js's `_assertDpop` does.
/** @param {Auth0Client} self */
function assertDpop(self) {
  if (!/** @type {Stated} */ (self)[S].dpop) throw new Error('`useDpop` option must be enabled before using DPoP.');
}

// An optional text argument: absent stays absent.
/** @param {unknown} v */
function optionalText(v) {
  return v == null ? undefined : String(v);
}

/** The SDK client; same API as auth0-spa-js's `Auth0Client`. */
export class Auth0Client {
  /** @param {Options} options */
  constructor(options) {
    // The checks auth0-spa-js makes synchronously in its constructor (doc §1.3).
    if (options.refreshTokenMode === 'online') {
      if (options.useRefreshTokens !== true) {
        throw new InvalidConfigurationError(
          '`refreshTokenMode: "online"` requires the refresh-token grant.',
          'Set `useRefreshTokens: true`.'
        );
      }
      if (options.useDpop !== true) {
        throw new InvalidConfigurationError(
          '`refreshTokenMode: "online"` requires DPoP, which is missing or disabled.',
          'Set `useDpop: true` (DPoP is mandatory for online access).'
        );
      }
    }
    if (typeof window !== 'undefined') {
      if (!window.crypto) {
        throw new Error('For security reasons, `window.crypto` is required to run `auth0-spa-js`.');
      }
      // auth0-spa-js refuses an insecure context (plain http on a non-localhost host, where
      // browsers withhold crypto.subtle) with this message. This SDK hashes in wasm and would
      // otherwise run there, sending the code and tokens over plain http (security case C9).
      if (typeof window.crypto.subtle === 'undefined') {
        throw new Error(
          '\n      auth0-spa-js must run on a secure origin. See https://github.com/auth0/auth0-spa-js/blob/main/FAQ.md#why-do-i-get-auth0-spa-js-must-run-on-a-secure-origin for more information.\n    '
        );
      }
    }

    const rest = without(options, ['cache', 'nowProvider', 'sessionTransferTokenQueryParamName']);
    let cache = options.cache || undefined;
    if (cache) {
      if (options.cacheLocation) {
        console.warn(
          'Both `cache` and `cacheLocation` options have been specified in the Auth0Client configuration; ignoring `cacheLocation` and using `cache`.'
        );
        delete rest.cacheLocation;
      }
      if (Object.getPrototypeOf(cache) === LocalStorageCache.prototype) {
        // Same storage, keys and JSON as the built-in 'localstorage' cache: use the fast path.
        rest.cacheLocation = 'localstorage';
        cache = undefined;
      }
    } else {
      const location = options.cacheLocation || 'memory';
      if (location !== 'memory' && location !== 'localstorage') {
        throw new Error('Invalid cache location "' + location + '"');
      }
    }

    Object.defineProperty(this, S, {
      value: {
        json: toJson(rest),
        cache,
        now: typeof options.nowProvider === 'function' ? options.nowProvider : undefined,
        config: Object.freeze({ domain: options.domain, clientId: options.clientId }),
        dpop: !!options.useDpop,
        transferParam: typeof options.sessionTransferTokenQueryParamName === 'string' ? options.sessionTransferTokenQueryParamName : '',
        anonymousMode: options.anonymousSessionsCacheMode,
        inst: undefined,
        pending: undefined,
        full: BUILT_IN_FULL || needsFull(options),
        moving: undefined,
        running: 0,
        settled: [],
        user: {},
        claims: {},
        hits: undefined
      }
    });
    warmUp(/** @type {Stated} */ (/** @type {Auth0Client} */ (this))[S]);
  }

  /** `{ domain, clientId }` as given to the constructor (frozen). */
  getConfiguration() {
    return /** @type {Stated} */ (/** @type {Auth0Client} */ (this))[S].config;
  }

  /** @param {Options} [options] */
  async loginWithRedirect(options = {}) {
    const openUrl = opener(options);
    const fragment = options.fragment;
    const login = await withAnonymousTransfer(this, withSessionTransferToken(/** @type {Stated} */ (/** @type {Auth0Client} */ (this))[S], without(options, ['openUrl', 'onRedirect', 'fragment'])));
    const url = await call(this, (c) => c.loginWithRedirect(toJson(login)));
    const target = fragment ? url + '#' + fragment : url;
    try {
      if (openUrl) {
        await openUrl(target);
      } else {
        window.location.assign(target);
      }
    } catch (e) {
      throw toError(e);
    }
  }

  /** @param {string} [url] */
  async handleRedirectCallback(url = window.location.href) {
    const r = parsed(await call(this, (c) => c.handleRedirectCallback(String(url)))) || {};
    if (r.connect) {
      // An account connection (§2.12): the client checked the callback; the My Account API completes it.
      const account = await this.myAccount.completeAccount(r.connect);
      return Object.assign({}, account, { appState: r.appState, response_type: 'connect_code' });
    }
    return { appState: r.appState, response_type: 'code' };
  }

  // Not `async` in spirit: the popup must be opened before the first await (popup blockers only
  // allow window.open in the same task as the user's click). An async function runs synchronously
  // up to its first await, so the code before `await wasm(this)` still runs inside the click.
  /** @param {Options} [options] @param {Options} [config] */
  async loginWithPopup(options, config) {
    return popupCall(this, 'loginWithPopup', options, config);
  }

  /** @param {Options} [options] @param {Options} [config] */
  async getTokenWithPopup(options, config) {
    return popupCall(this, 'getTokenWithPopup', options, config);
  }

  /** @param {Options} [options] @returns {Promise<any>} */
  async getTokenSilently(options = {}) {
    const s = /** @type {Stated} */ (/** @type {Auth0Client} */ (this))[S];
    const json = toJson(options);
    const detailed = !!options && options.detailedResponse === true;
    const hit = broken ? undefined : fastHit(s, json);
    if (hit) return detailed ? Object.assign({}, hit) : hit.access_token;
    let r;
    try {
      r = await call(this, async (c) => {
        const token = await c.getTokenSilently(json);
        rememberHit(s, c, json);
        return token;
      });
    } catch (e) {
      if (!asksForPopup(e)) throw e;
      return completeInPopup(this, options, detailed);
    }
    return detailed ? parsed(r) : r;
  }

  /** @param {Options} [options] */
  async checkSession(options) {
    // The wasm client answers whether the user is known to be logged out and
    // createAnonymousSessionOnFailedSilentAuth asks for an anonymous session then.
    const anonymous = await call(this, (c) => c.checkSession(toJson(options)));
    if (anonymous === true) await startAnonymousSession(this.anonymous);
  }

  getUser() {
    return call(this, async (c) => remembered(/** @type {Stated} */ (/** @type {Auth0Client} */ (this))[S].user, await c.getUser()));
  }

  getIdTokenClaims() {
    return call(this, async (c) => remembered(/** @type {Stated} */ (/** @type {Auth0Client} */ (this))[S].claims, await c.getIdTokenClaims()));
  }

  isAuthenticated() {
    return call(this, async (c) => !!(await c.isAuthenticated()));
  }

  /** @param {Options} options */
  async loginWithCustomTokenExchange(options) {
    return parsed(await call(this, (c) => c.loginWithCustomTokenExchange(toJson(options)), undefined, true));
  }

  /** @param {Options} options */
  async customTokenExchange(options) {
    return parsed(await call(this, (c) => c.customTokenExchange(toJson(options)), undefined, true));
  }

  /** @deprecated use loginWithCustomTokenExchange (as in auth0-spa-js). @param {Options} options */
  async exchangeToken(options) {
    return this.loginWithCustomTokenExchange(options);
  }

  /**
   * A `fetch` for the app's own API that adds this client's access token (js/fetcher.js); the
   * token comes from `getTokenSilently({ authorizationParams: { scope, audience }, detailedResponse: true })`.
   * @param {Options} [config]
   */
  createFetcher(config = {}) {
    return new Fetcher(config, {
      getAccessToken: (authParams) =>
        this.getTokenSilently({
          authorizationParams: { scope: authParams?.scope?.join(' '), audience: authParams?.audience },
          detailedResponse: true
        }),
      getDpopNonce: () => this.getDpopNonce(config.dpopNonceId),
      setDpopNonce: (nonce) => this.setDpopNonce(nonce, config.dpopNonceId),
      generateDpopProof: (params) => this.generateDpopProof(params)
    });
  }

  /**
   * Connects an account of `connection` to the user (auth0-spa-js 2.6+, docs/behaviour.md §2.12):
   * the client draws `state` and a PKCE pair, the My Account API's `connect` answers with a
   * ticket, the client stores the transaction, and the page goes to the ticket URL (or
   * `openUrl` gets it). `handleRedirectCallback` completes it on the way back.
   * @param {Options} options
   */
  async connectAccountWithRedirect(options) {
    const { openUrl, appState, connection, scopes, authorization_params, redirectUri } = options;
    if (!connection) throw new Error('connection is required');
    const started = parsed(await call(this, (c) => c.connect(0, toJson({ redirectUri }))));
    const answer = await this.myAccount.connectAccount({
      connection,
      scopes,
      redirect_uri: started.redirect_uri,
      state: started.state,
      code_challenge: started.code_challenge,
      code_challenge_method: started.code_challenge_method,
      authorization_params
    });
    await call(this, (c) => c.connect(1, toJson({ started, answer, appState, connection })));
    try {
      const target = new URL(answer.connect_uri);
      target.searchParams.set('ticket', answer.connect_params.ticket);
      const url = target.toString();
      if (openUrl) await openUrl(url);
      else window.location.assign(url);
    } catch (e) {
      throw toError(e);
    }
  }

  /**
   * The My Account API client (auth0-spa-js 2.21+): `{domainUrl}/me/v1/…` through a fetcher whose
   * tokens are for the audience `{domainUrl}/me/` (DPoP nonce slot `__auth0_my_account_api__` with
   * `useDpop`). One per client, made on first use.
   */
  get myAccount() {
    return myAccountOf(this);
  }

  /** The MFA API client (js/mfa.js): one per client, made on first use. */
  get mfa() {
    return mfaOf(this);
  }

  /** The anonymous-session client (js/anonymous.js): one per client, made on first use. */
  get anonymous() {
    return anonymousOf(this);
  }

  /** The passkey API client (js/passkey.js): one per client, made on first use. */
  get passkey() {
    return passkeyOf(this);
  }

  /** @param {Options} [options] */
  async revokeRefreshToken(options = {}) {
    await call(this, (c) => c.revokeRefreshToken(toJson(options)), undefined, true);
  }

  /** The stored DPoP nonce of Auth0 (no `id`) or of the API `id` (RFC 9449 §8). @param {string} [id] */
  getDpopNonce(id) {
    assertDpop(this);
    return call(this, (c) => c.dpop(0, JSON.stringify({ id: optionalText(id) })));
  }

  /** Stores a DPoP nonce for Auth0 (no `id`) or for the API `id`. @param {string} nonce @param {string} [id] */
  setDpopNonce(nonce, id) {
    assertDpop(this);
    return call(this, async (c) => { await c.dpop(1, JSON.stringify({ nonce: String(nonce), id: optionalText(id) })); });
  }

  /**
   * A DPoP proof for a request to a resource server, with `ath` for `accessToken` (RFC 9449 §7).
   * `url` is read as `new URL(url)` reads it (the form auth0-spa-js signs); the query and fragment
   * are left out of `htu` by the client.
   * @param {Options} params
   */
  generateDpopProof(params) {
    assertDpop(this);
    const { url, method, nonce, accessToken } = params || {};
    return call(this, (c) => c.dpop(2, JSON.stringify({ url: new URL(url).href, method: String(method), nonce: optionalText(nonce), accessToken: optionalText(accessToken) })));
  }

  /** @param {Options} [options] */
  async logout(options = {}) {
    const openUrl = opener(options);
    const url = await call(this, (c) => c.logout(toJson(without(options, ['openUrl', 'onRedirect']))), undefined, options.revokeRefreshTokens === true);
    try {
      if (openUrl) {
        await openUrl(url);
      } else if (openUrl !== false && url) {
        window.location.assign(url);
      }
    } catch (e) {
      throw toError(e);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// getTokenSilently's fast path. A repeated cache hit is answered here, without entering wasm,
// from the hit the client memoised (WasmClient.hitMemo, per options text), while everything the
// client itself would check still holds: this client wrote and removed nothing since
// (cacheGeneration, which is also -1 while another tab's logout waits to be applied), the stored
// texts are unchanged (localStorage: other tabs write there too), and the token is still fresh
// by the client's own rule (60 s early expiry). Anything else goes through the client.

const MAX_REMEMBERED_HITS = 8;

/**
 * A memoised hit (WasmClient.hitMemo's JSON): its cache generation `g`, fresh from `n` until `f`
 * (ms), the detailed response `r`, and with entries in localStorage (`l`) their keys `k`, `u` and
 * texts `e`, `t`.
 * @typedef {{ g: number, n: number, f: number, r: any, l?: boolean, k: string, u: string, e: string, t: string }} Hit
 */

/** @param {State} s @param {string} json */
function fastHit(s, json) {
  const m = s.hits && s.hits.get(json);
  if (!m) return;
  try {
    const now = Date.now();
    const generation = /** @type {Wasm} */ (s.inst).cacheGeneration();
    if (now < m.n || now >= m.f || generation < 0 || generation !== m.g) return;
    if (m.l && (localStorage.getItem(m.k) !== m.e || localStorage.getItem(m.u) !== m.t)) return;
    return m.r;
  } catch (e) {
    if (isTrap(e)) trapped(e);
    /* otherwise storage is unreadable now: the client decides */
  }
}

/** @param {State} s @param {Wasm} c @param {string} json */
function rememberHit(s, c, json) {
  let t;
  try {
    t = c.hitMemo(json);
  } catch {
    /* no memo then */
  }
  if (!s.hits || s.hits.size >= MAX_REMEMBERED_HITS) s.hits = new Map();
  if (t) s.hits.set(json, JSON.parse(t));
  else s.hits.delete(json);
}

// Native-to-web single sign-on (auth0-spa-js `sessionTransferTokenQueryParamName`, doc §1.3): a
// login carries the page URL's `?{name}=` value as `session_transfer_token` (unless the call
// gives one), and the parameter leaves the address bar so it is used once.
/** @param {State} s @param {Options} options */
function withSessionTransferToken(s, options) {
  const name = s.transferParam;
  const params = options.authorizationParams || {};
  if (!name || params.session_transfer_token || typeof window === 'undefined') return options;
  let url;
  try {
    url = new URL(window.location.href);
  } catch {
    return options;
  }
  const token = url.searchParams.get(name);
  if (!token) return options;
  url.searchParams.delete(name);
  try {
    window.history.replaceState({}, '', url.toString());
  } catch {
    /* the token is still sent; the URL keeps it */
  }
  return Object.assign({}, options, { authorizationParams: Object.assign({}, params, { session_transfer_token: token }) });
}

// loginWithPopup / getTokenWithPopup. Runs synchronously up to `await wasm(self)`.
/**
 * @param {Auth0Client} self @param {'loginWithPopup' | 'getTokenWithPopup'} method
 * @param {Options} [options] @param {Options} [config]
 */
async function popupCall(self, method, options, config) {
  config = config || {};
  let popup = config.popup;
  const opened = !popup;
  if (opened) {
    popup = openPopup();
    if (!popup) throw new PopupOpenError();
  }
  let started = false;
  try {
    // Awaited after the popup is open (it must open inside the click), as in auth0-spa-js.
    const login = method === 'loginWithPopup' ? await withAnonymousTransfer(self, withSessionTransferToken(/** @type {Stated} */ (self)[S], options || {})) : options;
    return await call(self, (c) => {
      const optionsJson = toJson(login);
      const configJson = toJson(without(config, ['popup']));
      started = true; // from here the wasm side owns the popup (and closes it on failure)
      return c[method](optionsJson, popup, configJson);
    }, popup);
  } catch (e) {
    if (opened && (!started || e === broken)) closeQuietly(popup);
    throw e;
  }
}

// What client.mfa, client.passkey and client.anonymous call the wasm client with: `WasmClient.mfa(op, args)`, its
// JSON answer parsed.
const subClientRun = (/** @type {Auth0Client} */ self) => async (/** @type {number} */ op, /** @type {object} */ args) => parsed(await call(self, (c) => c.mfa(op, toJson(args)), undefined, op !== 1));

// What the MFA, passkey and anonymous-session requests need from the wasm client (`{ baseUrl,
// clientId, timeoutMs }`, op 1 above), asked once per client; a failed answer is asked again.
const settingsOf = (/** @type {Auth0Client} */ self) => perClient(self, 'settings', () => once(() => subClientRun(self)(1, {})));

/** The error of a lazily loaded module that could not be loaded (the sub-clients' `failed`). */
const internalError = (/** @type {string} */ message) => new GenericError('internal_error', message);

const mfaOf = (/** @type {Auth0Client} */ self) =>
  perClient(self, 'mfa', () =>
    new MfaApiClient({
      run: subClientRun(self),
      settings: settingsOf(self),
      contexts: mfaContextsOf(self),
      errors: { list: MfaListAuthenticatorsError, enroll: MfaEnrollmentError, challenge: MfaChallengeError, factors: MfaEnrollmentFactorsError, verify: MfaVerifyError },
      failed: internalError
    })
  );

const passkeyOf = (/** @type {Auth0Client} */ self) =>
  perClient(self, 'passkey', () =>
    new PasskeyApiClient({
      run: subClientRun(self),
      settings: settingsOf(self),
      fetch: pageFetch,
      errors: { PasskeyError, register: PasskeyRegisterError, challenge: PasskeyChallengeError },
      failed: internalError
    })
  );

const anonymousOf = (/** @type {Auth0Client} */ self) => perClient(self, 'anonymous', () => {
  const s = /** @type {Partial<Stated>} */ (self)[S]; // absent on objects that only borrow the prototype (wrappers' test doubles)
  return new AnonymousSessionApiClient({
    clientId: s ? s.config.clientId : '',
    cacheMode: s && s.anonymousMode,
    // The tenant's URL and the request timeout, as the wasm client settles them.
    settings: settingsOf(self),
    errors: { session: AnonymousSessionError, timeout: TimeoutError },
    failed: internalError
  });
});

const myAccountOf = (/** @type {Auth0Client} */ self) => perClient(self, 'myAccount', () => {
  const base = () => call(self, (c) => c.connect(2, ''));
  const fetcher = self.createFetcher({
    ...(/** @type {Partial<Stated>} */ (self)[S] && /** @type {Stated} */ (self)[S].dpop ? { dpopNonceId: MY_ACCOUNT_DPOP_NONCE_ID } : {}),
    getAccessToken: async (/** @type {{ scope?: string[] } | undefined} */ authParams) =>
      self.getTokenSilently({ authorizationParams: { scope: authParams?.scope?.join(' '), audience: await base() }, detailedResponse: true })
  });
  return new MyAccountApiClient(fetcher, base);
});

// A login's options with `anon_transfer_token` while an anonymous session exists (auth0-spa-js
// 2.28): minted first, so the tenant can link the anonymous identity to the user who logs in.
// Without a session nothing is loaded or sent.
/** @param {Auth0Client} self @param {Options} options */
async function withAnonymousTransfer(self, options) {
  const token = await self.anonymous.mintTransferToken();
  if (!token) return options;
  return Object.assign({}, options, { authorizationParams: withAnonTransferToken(options.authorizationParams || {}, token) });
}

/** The DPoP nonce slot of the My Account API (auth0-spa-js's `dpopNonceId` for it). */
const MY_ACCOUNT_DPOP_NONCE_ID = '__auth0_my_account_api__';

/** `new Auth0Client(options)` followed by `checkSession()`; resolves to the client. @param {Options} options */
export async function createAuth0Client(options) {
  const auth0 = new Auth0Client(options);
  await auth0.checkSession();
  return auth0;
}
