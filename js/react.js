// @ts-check
// auth0-spa-wasm/react: the API of @auth0/auth0-react 2.27.0 (Auth0Provider, useAuth0, withAuth0,
// withAuthenticationRequired, Auth0Context, useAuth0Suspense, useEnterpriseConnect, OAuthError and
// the re-exported classes), backed by this package's Auth0Client. An app switches by changing its
// imports from '@auth0/auth0-react' to 'auth0-spa-wasm/react'; its bundle then holds one SDK.
//
// Written for this package on the public API of 'auth0-spa-wasm' only (imported by its name, so
// the app's own `import 'auth0-spa-wasm'` and this module share one copy) and of React 16.11+
// (imported as its default export, which every React version has; `React.use` is looked up at
// call time, only by useAuth0Suspense). No JSX: plain createElement calls, so the file ships as is.
//
// Behaviour follows auth0-react's documented contract (README "Using React"): the provider makes
// one client for its lifetime, handles the redirect callback once on mount (or runs
// checkSession), keeps { isLoading, isAuthenticated, user, error } in state, normalises errors
// to Error instances (OAuthError for `{ error, error_description }` objects), and re-reads the
// user after every call that can change it. The newer client methods and sub-clients are handed
// through to the client as auth0-react does.

// A client-only module, as auth0-react's bundles say: Next.js (App Router) may render the
// provider from a Server Component; components that call the hooks are Client Components.
'use client';

import React from 'react';
import {
  Auth0Client,
  ResponseType,
  isFederatedDomain as spaIsFederatedDomain
} from 'auth0-spa-wasm';

export {
  InMemoryCache,
  LocalStorageCache,
  TimeoutError,
  MfaRequiredError,
  PopupCancelledError,
  PopupTimeoutError,
  PopupOpenError,
  AuthenticationError,
  MissingRefreshTokenError,
  MissingScopesError,
  InvalidConfigurationError,
  GenericError,
  UseDpopNonceError,
  ResponseType,
  ConnectError,
  RefreshTokenMode,
  User,
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
  AnonymousSessionError
} from 'auth0-spa-wasm';

/** The telemetry auth0-react 2.27.0 sends (`Auth0-Client` header, `auth0Client` parameter). */
const TELEMETRY = { name: 'auth0-react', version: '2.27.0' };

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * An OAuth error (`error`, optional `error_description`) that reached the provider as a plain
 * object rather than an Error; the message is the description, else the code.
 */
export class OAuthError extends Error {
  /** @param {string} error @param {string} [error_description] */
  constructor(error, error_description) {
    super(error_description === undefined ? error : error_description);
    this.error = error;
    this.error_description = error_description;
    Object.setPrototypeOf(this, OAuthError.prototype);
  }
}

/**
 * Errors pass through; `{ error, error_description? }` objects become OAuthErrors; anything else
 * becomes Error(fallback).
 * @param {string} fallback
 * @returns {(error: unknown) => Error}
 */
const normaliser = (fallback) => (error) => {
  if (error instanceof Error) return error;
  if (error !== null && typeof error === 'object' && typeof (/** @type {any} */ (error)).error === 'string') {
    const e = /** @type {{ error: string, error_description?: unknown }} */ (error);
    return typeof e.error_description === 'string' ? new OAuthError(e.error, e.error_description) : new OAuthError(e.error);
  }
  return new Error(fallback);
};
const loginError = normaliser('Login failed');
const tokenError = normaliser('Get access token failed');

/** Moves the pre-v2 `redirectUri` options to `authorizationParams.redirect_uri`, with a warning. */
function deprecateRedirectUri(/** @type {any} */ options) {
  if (options && options.redirectUri) {
    console.warn(
      'Using `redirectUri` has been deprecated, please use `authorizationParams.redirect_uri` instead as `redirectUri` will be no longer supported in a future version'
    );
    options.authorizationParams = options.authorizationParams || {};
    options.authorizationParams.redirect_uri = options.redirectUri;
    delete options.redirectUri;
  }
  if (options && options.authorizationParams && options.authorizationParams.redirectUri) {
    console.warn(
      'Using `authorizationParams.redirectUri` has been deprecated, please use `authorizationParams.redirect_uri` instead as `authorizationParams.redirectUri` will be removed in a future version'
    );
    options.authorizationParams.redirect_uri = options.authorizationParams.redirectUri;
    delete options.authorizationParams.redirectUri;
  }
}

/** Whether the query string is an authorization (or connect-account) callback. */
const hasAuthParams = (search = window.location.search) =>
  (/[?&](?:connect_)?code=[^&]+/.test(search) || /[?&]error=[^&]+/.test(search)) && /[?&]state=[^&]+/.test(search);

// ---------------------------------------------------------------------------------------------
// State

/**
 * @typedef {{ error: Error | undefined, isAuthenticated: boolean, isLoading: boolean, user: any }} AuthState
 * @typedef {{ type: 'LOGIN_POPUP_STARTED' } | { type: 'LOGOUT' } | { type: 'ERROR', error: Error }
 *   | { type: 'INITIALISED' | 'LOGIN_POPUP_COMPLETE' | 'USER', user: any }} Action
 */

/** @type {AuthState} */
const initialAuthState = { isAuthenticated: false, isLoading: true, error: undefined, user: undefined };

/**
 * INITIALISED and LOGIN_POPUP_COMPLETE end loading and clear the error; USER (after a token, a
 * callback or a revocation) only replaces a user that changed, so an unchanged user does not
 * re-render the tree.
 * @param {AuthState} state @param {Action} action @returns {AuthState}
 */
function reducer(state, action) {
  switch (action.type) {
    case 'LOGIN_POPUP_STARTED':
      return { ...state, isLoading: true };
    case 'INITIALISED':
    case 'LOGIN_POPUP_COMPLETE':
      return { ...state, isAuthenticated: !!action.user, user: action.user, isLoading: false, error: undefined };
    case 'USER':
      return state.user === action.user ? state : { ...state, isAuthenticated: !!action.user, user: action.user };
    case 'LOGOUT':
      return { ...state, isAuthenticated: false, user: undefined };
    case 'ERROR':
      return { ...state, isLoading: false, error: action.error };
    default:
      return state;
  }
}

// ---------------------------------------------------------------------------------------------
// Context

const outsideProvider = () => {
  throw new Error('You forgot to wrap your component in <Auth0Provider>.');
};

/** The context value outside any provider: the initial state and methods that throw. */
export const initialContext = {
  ...initialAuthState,
  buildAuthorizeUrl: outsideProvider,
  buildLogoutUrl: outsideProvider,
  getAccessTokenSilently: outsideProvider,
  getAccessTokenWithPopup: outsideProvider,
  getIdTokenClaims: outsideProvider,
  loginWithCustomTokenExchange: outsideProvider,
  customTokenExchange: outsideProvider,
  exchangeToken: outsideProvider,
  loginWithRedirect: outsideProvider,
  loginWithPopup: outsideProvider,
  connectAccountWithRedirect: outsideProvider,
  logout: outsideProvider,
  revokeRefreshToken: outsideProvider,
  handleRedirectCallback: outsideProvider,
  getDpopNonce: outsideProvider,
  setDpopNonce: outsideProvider,
  generateDpopProof: outsideProvider,
  createFetcher: outsideProvider,
  getConfiguration: outsideProvider,
  mfa: {
    getAuthenticators: outsideProvider,
    enroll: outsideProvider,
    challenge: outsideProvider,
    verify: outsideProvider,
    getEnrollmentFactors: outsideProvider
  },
  passkey: { signup: outsideProvider, login: outsideProvider },
  myAccount: {
    getFactors: outsideProvider,
    getAuthenticationMethods: outsideProvider,
    getAuthenticationMethod: outsideProvider,
    updateAuthenticationMethod: outsideProvider,
    deleteAuthenticationMethod: outsideProvider,
    enrollmentChallenge: outsideProvider,
    enrollmentVerify: outsideProvider
  },
  anonymous: {
    createSession: outsideProvider,
    getTokenSilently: outsideProvider,
    logout: outsideProvider,
    hasSession: outsideProvider,
    getClaims: outsideProvider
  }
};

/** The default context of every hook and HOC. */
export const Auth0Context = /* @__PURE__ */ React.createContext(/** @type {any} */ (initialContext));

// ---------------------------------------------------------------------------------------------
// Provider

/** @param {any} appState */
const defaultOnRedirectCallback = (appState) => {
  window.history.replaceState({}, document.title, (appState && appState.returnTo) || window.location.pathname);
};

/**
 * A promise settled by hand; its rejection is marked handled, since only useAuth0Suspense
 * consumes it.
 * @returns {{ promise: Promise<void>, resolve: () => void, reject: (e: Error) => void }}
 */
function deferred() {
  /** @type {() => void} */
  let resolve = () => {};
  /** @type {(e: Error) => void} */
  let reject = () => {};
  const promise = new Promise((res, rej) => {
    resolve = () => res(undefined);
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * Provides the Auth0 context to its children. Props: every Auth0Client option (`domain`,
 * `clientId`, `authorizationParams`, `cacheLocation`, `useRefreshTokens`, …) or a ready `client`,
 * plus `onRedirectCallback(appState, user)`, `skipRedirectCallback`, `context` and `children`.
 * @param {any} props
 */
export function Auth0Provider(props) {
  const {
    children,
    skipRedirectCallback,
    onRedirectCallback = defaultOnRedirectCallback,
    context = Auth0Context,
    client: givenClient,
    ...clientOptions
  } = props;
  if (givenClient && (clientOptions.domain || clientOptions.clientId)) {
    console.warn(
      'Auth0Provider: the `client` prop takes precedence over `domain`/`clientId` and other configuration options. ' +
        'Remove `domain`, `clientId`, and any other Auth0Client configuration props when using the `client` prop.'
    );
  }
  const [client] = React.useState(() => {
    if (givenClient) return givenClient;
    deprecateRedirectUri(clientOptions);
    return new Auth0Client({ ...clientOptions, auth0Client: TELEMETRY });
  });
  const [state, dispatch] = React.useReducer(reducer, initialAuthState);
  const [init, setInit] = React.useState(deferred);
  const [initFailed, setInitFailed] = React.useState(false);
  const started = React.useRef(false);
  const retried = React.useRef(false);

  /** Re-reads the user into state after a call that may have changed it. */
  const syncUser = React.useCallback(async () => {
    dispatch({ type: 'USER', user: await client.getUser() });
  }, [client]);

  // The redirect callback is single use: a retry (below) only re-checks the session.
  const runInit = React.useCallback(
    /** @param {ReturnType<typeof deferred>} d @param {boolean} mayHandleCallback */
    async (d, mayHandleCallback) => {
      try {
        let user;
        if (mayHandleCallback && !skipRedirectCallback && hasAuthParams()) {
          const { appState = {}, response_type, ...rest } = await client.handleRedirectCallback();
          user = await client.getUser();
          appState.response_type = response_type;
          if (response_type === ResponseType.ConnectCode) appState.connectedAccount = rest;
          onRedirectCallback(appState, user);
        } else {
          await client.checkSession();
          user = await client.getUser();
        }
        dispatch({ type: 'INITIALISED', user });
        d.resolve();
      } catch (e) {
        const error = loginError(e);
        dispatch({ type: 'ERROR', error });
        setInitFailed(true);
        d.reject(error);
      }
    },
    [client, onRedirectCallback, skipRedirectCallback]
  );

  React.useEffect(() => {
    if (started.current) return; // once per provider, also under StrictMode's double effects
    started.current = true;
    void runInit(init, true);
  }, [runInit, init]);

  // After a failed start, once the app is signed in by other means (a popup, a silent token),
  // check the session once more against a fresh promise, so a Suspense error boundary can recover.
  React.useEffect(() => {
    if (!initFailed || retried.current || !state.isAuthenticated) return;
    retried.current = true;
    const d = deferred();
    setInit(d);
    void runInit(d, false);
  }, [initFailed, state.isAuthenticated, runInit]);

  /**
   * Runs `call`, turns its failure into an Error with `normalise`, and re-reads the user
   * whatever happened.
   * @template T @param {() => Promise<T>} call @param {(e: unknown) => Error} normalise
   */
  const withUserSync = React.useCallback(
    /** @type {<T>(call: () => Promise<T>, normalise: (e: unknown) => Error) => Promise<T>} */
    (async (call, normalise) => {
      try {
        return await call();
      } catch (e) {
        throw normalise(e);
      } finally {
        await syncUser();
      }
    }),
    [syncUser]
  );

  const loginWithRedirect = React.useCallback(
    /** @param {any} [options] */
    (options) => {
      deprecateRedirectUri(options);
      return client.loginWithRedirect(options);
    },
    [client]
  );

  const loginWithPopup = React.useCallback(
    /** @param {any} [options] @param {any} [config] */
    async (options, config) => {
      dispatch({ type: 'LOGIN_POPUP_STARTED' });
      try {
        await client.loginWithPopup(options, config);
      } catch (e) {
        dispatch({ type: 'ERROR', error: loginError(e) });
        return;
      }
      dispatch({ type: 'LOGIN_POPUP_COMPLETE', user: await client.getUser() });
    },
    [client]
  );

  const logout = React.useCallback(
    /** @param {any} [options] */
    async (options = {}) => {
      await client.logout(options);
      // With openUrl (or openUrl: false) the page stays: reflect the logout in state.
      if (options.openUrl || options.openUrl === false) dispatch({ type: 'LOGOUT' });
    },
    [client]
  );

  const revokeRefreshToken = React.useCallback(
    /** @param {any} [options] */
    async (options) => {
      try {
        await client.revokeRefreshToken(options);
      } finally {
        await syncUser();
      }
    },
    [client, syncUser]
  );

  const getAccessTokenSilently = React.useCallback(
    /** @param {any} [options] */
    (options) => withUserSync(() => client.getTokenSilently(options), tokenError),
    [client, withUserSync]
  );

  const getAccessTokenWithPopup = React.useCallback(
    /** @param {any} [options] @param {any} [config] */
    (options, config) => withUserSync(() => client.getTokenWithPopup(options, config), tokenError),
    [client, withUserSync]
  );

  const handleRedirectCallback = React.useCallback(
    /** @param {string} [url] */
    (url) => withUserSync(() => client.handleRedirectCallback(url), tokenError),
    [client, withUserSync]
  );

  const loginWithCustomTokenExchange = React.useCallback(
    /** @param {any} options */
    (options) => withUserSync(() => client.loginWithCustomTokenExchange(options), tokenError),
    [client, withUserSync]
  );

  const customTokenExchange = React.useCallback(
    /** @param {any} options */
    (options) => client.customTokenExchange(options),
    [client]
  );

  const connectAccountWithRedirect = React.useCallback(
    /** @param {any} options */
    (options) => client.connectAccountWithRedirect(options),
    [client]
  );

  const getIdTokenClaims = React.useCallback(() => client.getIdTokenClaims(), [client]);
  const getConfiguration = React.useCallback(() => client.getConfiguration(), [client]);
  const getDpopNonce = React.useCallback(
    /** @param {string} [id] */
    (id) => client.getDpopNonce(id),
    [client]
  );
  const setDpopNonce = React.useCallback(
    /** @param {string} nonce @param {string} [id] */
    (nonce, id) => client.setDpopNonce(nonce, id),
    [client]
  );
  const generateDpopProof = React.useCallback(
    /** @param {any} params */
    (params) => client.generateDpopProof(params),
    [client]
  );
  const createFetcher = React.useCallback(
    /** @param {any} [config] */
    (config) => client.createFetcher(config),
    [client]
  );

  const mfa = React.useMemo(() => client.mfa, [client]);
  const myAccount = React.useMemo(() => client.myAccount, [client]);
  const anonymous = React.useMemo(() => client.anonymous, [client]);
  const passkey = React.useMemo(() => {
    /** @param {'signup' | 'login'} method */
    const call = (method) =>
      /** @param {any} [options] */
      (options) =>
        withUserSync(() => client.passkey[method](options), tokenError);
    return { signup: call('signup'), login: call('login') };
  }, [client, withUserSync]);

  const value = React.useMemo(
    () => ({
      ...state,
      getAccessTokenSilently,
      getAccessTokenWithPopup,
      getIdTokenClaims,
      loginWithCustomTokenExchange,
      customTokenExchange,
      exchangeToken: loginWithCustomTokenExchange,
      loginWithRedirect,
      loginWithPopup,
      connectAccountWithRedirect,
      logout,
      revokeRefreshToken,
      handleRedirectCallback,
      getDpopNonce,
      setDpopNonce,
      generateDpopProof,
      createFetcher,
      getConfiguration,
      mfa,
      passkey,
      myAccount,
      anonymous,
      _initPromise: init.promise
    }),
    [
      state,
      getAccessTokenSilently,
      getAccessTokenWithPopup,
      getIdTokenClaims,
      loginWithCustomTokenExchange,
      customTokenExchange,
      loginWithRedirect,
      loginWithPopup,
      connectAccountWithRedirect,
      logout,
      revokeRefreshToken,
      handleRedirectCallback,
      getDpopNonce,
      setDpopNonce,
      generateDpopProof,
      createFetcher,
      getConfiguration,
      mfa,
      passkey,
      myAccount,
      anonymous,
      init
    ]
  );

  return React.createElement(context.Provider, { value }, children);
}

// ---------------------------------------------------------------------------------------------
// Hooks and higher-order components

/**
 * The auth state and methods of the nearest Auth0Provider (or of `context`).
 * @param {React.Context<any>} [context]
 */
export function useAuth0(context = Auth0Context) {
  return React.useContext(context);
}

/**
 * Like useAuth0, but suspends until the provider has started (React 19's `use`), and throws its
 * start-up error to the nearest error boundary. The result has no `isLoading`.
 * @param {React.Context<any>} [context]
 */
export function useAuth0Suspense(context = Auth0Context) {
  const use = /** @type {any} */ (React).use;
  if (typeof use !== 'function') {
    throw new Error('useAuth0Suspense requires React 19 or later (React.use is unavailable).');
  }
  const ctx = React.useContext(context);
  if (!ctx._initPromise) throw new Error('useAuth0Suspense must be used within an <Auth0Provider>.');
  use(ctx._initPromise);
  return React.useMemo(() => {
    const { isLoading: _loading, _initPromise: _init, ...rest } = ctx;
    return rest;
  }, [ctx]);
}

/**
 * Enterprise Connect helpers bound to the provider's tenant: `isFederatedDomain(emailDomain)`
 * (WebFinger discovery) and `loginWithSSO(email)` (a redirect login with `login_hint`).
 * @param {React.Context<any>} [context]
 */
export function useEnterpriseConnect(context = Auth0Context) {
  const { getConfiguration, loginWithRedirect } = React.useContext(context);
  const isFederatedDomain = React.useCallback(
    /** @param {string} emailDomain @param {any} [options] */
    (emailDomain, options) => spaIsFederatedDomain(getConfiguration().domain, emailDomain, options),
    [getConfiguration]
  );
  const loginWithSSO = React.useCallback(
    /** @param {string} email @param {any} [options] */
    (email, options) =>
      loginWithRedirect({
        ...options,
        authorizationParams: { ...(options && options.authorizationParams), login_hint: email }
      }),
    [loginWithRedirect]
  );
  return { isFederatedDomain, loginWithSSO };
}

/**
 * Gives a (class) component the context as its `auth0` prop.
 * @param {React.ComponentType<any>} Component @param {React.Context<any>} [context]
 */
export function withAuth0(Component, context = Auth0Context) {
  return function WithAuth0(/** @type {any} */ props) {
    return React.createElement(context.Consumer, {
      children: (/** @type {any} */ auth0) => React.createElement(Component, { ...props, auth0 })
    });
  };
}

/** The default `returnTo`: this page's path and query, with a leading `//` collapsed (no open redirect). */
const currentPath = () => window.location.pathname.replace(/^\/\/+/, '/') + window.location.search;
const renderNothing = () => React.createElement(React.Fragment);
const nothingBefore = async () => {};

/**
 * Renders `Component` only for a signed-in user; otherwise shows `onRedirecting()` and starts a
 * redirect login whose `appState.returnTo` brings the user back.
 * @param {React.ComponentType<any>} Component
 * @param {{ returnTo?: string | (() => string), onRedirecting?: () => any,
 *   onBeforeAuthentication?: () => Promise<void>, loginOptions?: any, context?: React.Context<any> }} [options]
 */
export function withAuthenticationRequired(Component, options = {}) {
  return function WithAuthenticationRequired(/** @type {any} */ props) {
    const {
      returnTo = currentPath,
      onRedirecting = renderNothing,
      onBeforeAuthentication = nothingBefore,
      loginOptions,
      context = Auth0Context
    } = options;
    const { isAuthenticated, isLoading, loginWithRedirect } = useAuth0(context);
    React.useEffect(() => {
      if (isLoading || isAuthenticated) return;
      const login = {
        ...loginOptions,
        appState: {
          ...(loginOptions && loginOptions.appState),
          returnTo: typeof returnTo === 'function' ? returnTo() : returnTo
        }
      };
      void (async () => {
        await onBeforeAuthentication();
        await loginWithRedirect(login);
      })();
    }, [isLoading, isAuthenticated, loginWithRedirect, onBeforeAuthentication, loginOptions, returnTo]);
    return isAuthenticated ? React.createElement(Component, props) : onRedirecting();
  };
}
