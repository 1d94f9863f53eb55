// @ts-check
// auth0-spa-wasm/vue: the API of @auth0/auth0-vue 2.10.0 (the createAuth0 plugin, useAuth0,
// authGuard, createAuthGuard, the $auth0 global property, AUTH0_INJECTION_KEY, Auth0Plugin and the
// re-exported classes), backed by this package's Auth0Client. An app switches by changing its
// imports from '@auth0/auth0-vue' to 'auth0-spa-wasm/vue'; its bundle then holds one SDK.
//
// Written for this package on the public API of 'auth0-spa-wasm' only (imported by its name, so
// the app's own `import 'auth0-spa-wasm'` and this module share one copy) and of Vue 3. The router
// is optional and never imported: the plugin uses the one the app installed
// (`app.config.globalProperties.$router`), as auth0-vue does.
//
// Behaviour follows auth0-vue's documented contract (README "Using Vue"): `app.use(createAuth0(…))`
// makes the client, then either handles the redirect callback (and navigates to
// `appState.target`, default '/') or runs checkSession; `isLoading`, `isAuthenticated`, `user`,
// `idTokenClaims` and `error` are refs, refreshed from the client after every call. The newer
// client methods and sub-clients are handed through to the client as auth0-vue does.

import { inject, ref, unref, watchEffect } from 'vue';
import { Auth0Client } from 'auth0-spa-wasm';

export {
  User,
  InMemoryCache,
  LocalStorageCache,
  UseDpopNonceError,
  MfaRequiredError,
  MfaError,
  MfaListAuthenticatorsError,
  MfaEnrollmentError,
  MfaChallengeError,
  MfaVerifyError,
  MfaEnrollmentFactorsError,
  PasskeyError,
  PasskeyRegisterError,
  PasskeyChallengeError,
  PasskeyGetTokenError,
  MyAccountApiError,
  MissingScopesError,
  InvalidConfigurationError,
  RefreshTokenMode,
  isFederatedDomain
} from 'auth0-spa-wasm';

/** The telemetry auth0-vue 2.10.0 sends (`Auth0-Client` header, `auth0Client` parameter). */
const TELEMETRY = { name: 'auth0-vue', version: '2.10.0' };

/** The global property the plugin installs (`this.$auth0` in the Options API). */
const AUTH0_TOKEN = '$auth0';

/** The key under which the plugin is provided; `useAuth0()` injects it. */
export const AUTH0_INJECTION_KEY = /* @__PURE__ */ Symbol(AUTH0_TOKEN);

const notInstalled = () => {
  console.error(`Please ensure Auth0's Vue plugin is correctly installed.`);
};

/** Until a plugin is installed, `authGuard` sees this stand-in (not signed in, not loading). */
function placeholderClient() {
  /** @type {Record<string, any>} */
  const c = {
    isLoading: ref(false),
    isAuthenticated: ref(false),
    user: ref(undefined),
    idTokenClaims: ref(undefined),
    error: ref(null),
    mfa: {},
    passkey: {},
    myAccount: {}
  };
  for (const m of [
    'loginWithPopup',
    'loginWithRedirect',
    'loginWithCustomTokenExchange',
    'getAccessTokenSilently',
    'getAccessTokenWithPopup',
    'logout',
    'checkSession',
    'handleRedirectCallback',
    'getDpopNonce',
    'setDpopNonce',
    'generateDpopProof',
    'createFetcher'
  ]) {
    c[m] = notInstalled;
  }
  for (const m of ['setMFAAuthDetails', 'getAuthenticators', 'enroll', 'challenge', 'verify', 'getEnrollmentFactors']) c.mfa[m] = notInstalled;
  for (const m of ['signup', 'login']) c.passkey[m] = notInstalled;
  for (const m of [
    'getFactors',
    'getAuthenticationMethods',
    'getAuthenticationMethod',
    'updateAuthenticationMethod',
    'deleteAuthenticationMethod',
    'enrollmentChallenge',
    'enrollmentVerify'
  ]) {
    c.myAccount[m] = notInstalled;
  }
  return c;
}

/** The last installed plugin (what `authGuard` uses). */
const current = /* @__PURE__ */ ref(/** @type {any} */ (null));

/** Moves a top-level `redirect_uri` to `authorizationParams.redirect_uri`, with a warning. */
function deprecateRedirectUri(/** @type {any} */ options) {
  if (options && options.redirect_uri) {
    console.warn(
      'Using `redirect_uri` has been deprecated, please use `authorizationParams.redirect_uri` instead as `redirectUri` will be no longer supported in a future version'
    );
    options.authorizationParams = options.authorizationParams || {};
    options.authorizationParams.redirect_uri = options.redirect_uri;
    delete options.redirect_uri;
  }
}

/**
 * The Vue plugin: `app.use(createAuth0(options))`. Its methods are bound, so they can be passed
 * around (`const { loginWithRedirect } = useAuth0()`).
 */
export class Auth0Plugin {
  /**
   * @param {any} clientOptions  Auth0Client options
   * @param {{ skipRedirectCallback?: boolean, errorPath?: string }} [pluginOptions]
   */
  constructor(clientOptions, pluginOptions) {
    /** @private */
    this.clientOptions = clientOptions;
    /** @private */
    this.pluginOptions = pluginOptions;
    /** @private @type {any} */
    this._client = undefined;
    this.isLoading = ref(true);
    this.isAuthenticated = ref(false);
    /** @type {import('vue').Ref<any>} */
    this.user = ref({});
    /** @type {import('vue').Ref<any>} */
    this.idTokenClaims = ref(undefined);
    /** @type {import('vue').Ref<any>} */
    this.error = ref(null);
    const stand = placeholderClient();
    /** @type {any} */
    this.mfa = stand.mfa;
    /** @type {any} */
    this.passkey = stand.passkey;
    /** @type {any} */
    this.myAccount = stand.myAccount;
    const self = /** @type {Record<string, any>} */ (/** @type {unknown} */ (this));
    for (const name of Object.getOwnPropertyNames(Auth0Plugin.prototype)) {
      if (name !== 'constructor') self[name] = self[name].bind(this);
    }
  }

  /** Vue calls this from `app.use()`. @param {import('vue').App} app */
  install(app) {
    const client = new Auth0Client({ ...this.clientOptions, auth0Client: TELEMETRY });
    this._client = client;
    this.mfa = client.mfa;
    this.myAccount = client.myAccount;
    const passkeyClient = client.passkey;
    this.passkey = {
      signup: (/** @type {any} */ options) => this.__proxy(() => passkeyClient.signup(options)),
      login: (/** @type {any} */ options) => this.__proxy(() => passkeyClient.login(options))
    };
    void this.__checkSession(app.config.globalProperties.$router);
    app.config.globalProperties[AUTH0_TOKEN] = this;
    app.provide(AUTH0_INJECTION_KEY, this);
    current.value = this;
  }

  /** @param {any} [options] */
  async loginWithRedirect(options) {
    deprecateRedirectUri(options);
    return this._client.loginWithRedirect(options);
  }

  /** @param {any} [options] @param {any} [config] */
  async loginWithPopup(options, config) {
    deprecateRedirectUri(options);
    return this.__proxy(() => this._client.loginWithPopup(options, config));
  }

  /** With `openUrl` (or `openUrl: false`) the page stays, so the refs are refreshed. @param {any} [options] */
  async logout(options) {
    if (options && (options.openUrl || options.openUrl === false)) {
      return this.__proxy(() => this._client.logout(options));
    }
    return this._client.logout(options);
  }

  /** @param {any} [options] */
  async getAccessTokenSilently(options = {}) {
    deprecateRedirectUri(options);
    return this.__proxy(() => this._client.getTokenSilently(options));
  }

  /** @param {any} [options] @param {any} [config] */
  async getAccessTokenWithPopup(options, config) {
    deprecateRedirectUri(options);
    return this.__proxy(() => this._client.getTokenWithPopup(options, config));
  }

  /** @param {any} options */
  async loginWithCustomTokenExchange(options) {
    return this.__proxy(() => this._client.loginWithCustomTokenExchange(options));
  }

  /** @param {any} [options] */
  async checkSession(options) {
    return this.__proxy(() => this._client.checkSession(options));
  }

  /** @param {string} [url] */
  async handleRedirectCallback(url) {
    return this.__proxy(() => this._client.handleRedirectCallback(url));
  }

  /** @param {string} [id] */
  async getDpopNonce(id) {
    return this.__proxy(() => this._client.getDpopNonce(id));
  }

  /** @param {string} nonce @param {string} [id] */
  async setDpopNonce(nonce, id) {
    return this.__proxy(() => this._client.setDpopNonce(nonce, id));
  }

  /** @param {any} params */
  async generateDpopProof(params) {
    return this.__proxy(() => this._client.generateDpopProof(params));
  }

  /** @param {any} [config] */
  createFetcher(config) {
    return this._client.createFetcher(config);
  }

  /**
   * On a callback URL (`code=` or `error=`, with `state=`): handle it, take the query off the
   * address bar and go to `appState.target` (with the router) or replace the URL with it. Else
   * check the session. Never throws (the plugin is installing): a failure lands in `error`, the
   * URL goes to '/', and the router to `errorPath`.
   * @private @param {any} [router]
   */
  async __checkSession(router) {
    const search = window.location.search;
    try {
      const callback = (search.includes('code=') || search.includes('error=')) && search.includes('state=');
      if (callback && !(this.pluginOptions && this.pluginOptions.skipRedirectCallback)) {
        const result = await this.handleRedirectCallback();
        const target = result && result.appState ? result.appState.target : undefined;
        if (router) {
          window.history.replaceState({}, '', window.location.pathname);
          router.push(target === undefined || target === null ? '/' : target);
        } else {
          window.history.replaceState({}, '', target === undefined || target === null ? window.location.pathname : target);
        }
        return result;
      }
      await this.checkSession();
    } catch {
      window.history.replaceState({}, '', '/');
      if (router) router.push((this.pluginOptions && this.pluginOptions.errorPath) || '/');
    }
    return undefined;
  }

  /** @private */
  async __refreshState() {
    this.isAuthenticated.value = await this._client.isAuthenticated();
    this.user.value = await this._client.getUser();
    this.idTokenClaims.value = await this._client.getIdTokenClaims();
    this.isLoading.value = false;
  }

  /**
   * Runs `call`; keeps its error in `error` (and rethrows it) or clears `error`; then refreshes
   * the refs from the client.
   * @private @template T @param {() => T} call @returns {Promise<Awaited<T>>}
   */
  async __proxy(call) {
    try {
      const result = await call();
      this.error.value = null;
      return result;
    } catch (e) {
      this.error.value = e;
      throw e;
    } finally {
      await this.__refreshState();
    }
  }
}

/**
 * The plugin: `app.use(createAuth0({ domain, clientId, authorizationParams }, { skipRedirectCallback, errorPath }))`.
 * @param {any} clientOptions @param {{ skipRedirectCallback?: boolean, errorPath?: string }} [pluginOptions]
 */
export function createAuth0(clientOptions, pluginOptions) {
  deprecateRedirectUri(clientOptions);
  return new Auth0Plugin(clientOptions, pluginOptions);
}

/** The installed plugin, from a component's setup (Composition API). */
export function useAuth0() {
  return /** @type {Auth0Plugin} */ (inject(AUTH0_INJECTION_KEY));
}

/**
 * Resolves when `condition()` is true, watching Vue refs it reads.
 * @param {() => boolean} condition @returns {Promise<void>}
 */
function when(condition) {
  return new Promise((resolve) => {
    /** @type {(() => void) | undefined} */
    let stop;
    let done = false;
    stop = watchEffect(() => {
      if (!done && condition()) {
        done = true;
        resolve();
        if (stop) stop();
      }
    });
    if (done) stop();
  });
}

/**
 * Waits until the plugin has started, then lets a signed-in user through, or starts a redirect
 * login with `appState.target` = the route's full path and blocks the navigation.
 * @param {any} auth0 @param {any} to @param {any} [redirectLoginOptions]
 */
async function guard(auth0, to, redirectLoginOptions) {
  if (unref(auth0.isLoading)) await when(() => !unref(auth0.isLoading));
  if (unref(auth0.isAuthenticated)) return true;
  await auth0.loginWithRedirect({
    ...redirectLoginOptions,
    appState: { target: to.fullPath, ...(redirectLoginOptions && redirectLoginOptions.appState) }
  });
  return false;
}

/**
 * A route guard bound to an app's plugin (`createAuthGuard(app)`), or to the last installed
 * plugin with login options (`createAuthGuard({ app?, redirectLoginOptions })`).
 * @param {any} [appOrOptions]
 */
export function createAuthGuard(appOrOptions) {
  const { app, redirectLoginOptions } =
    !appOrOptions || 'config' in appOrOptions ? { app: appOrOptions, redirectLoginOptions: undefined } : appOrOptions;
  return async (/** @type {any} */ to) =>
    guard(app ? app.config.globalProperties[AUTH0_TOKEN] : current.value || placeholderClient(), to, redirectLoginOptions);
}

/** A route guard (`beforeEnter: authGuard`) using the last installed plugin. @param {any} to */
export async function authGuard(to) {
  return guard(current.value || placeholderClient(), to);
}
