// Type declarations of auth0-spa-wasm/vue. Names and shapes follow @auth0/auth0-vue 2.10.0, so
// that a TypeScript Vue app written for it type-checks with only its import lines changed.
// Written for this package.

import type { App, InjectionKey, Ref } from 'vue';
import type { RouteLocation } from 'vue-router';
import type {
  Auth0ClientOptions,
  ConnectAccountRedirectResult,
  CustomFetchMinimalOutput,
  CustomTokenExchangeOptions,
  Fetcher,
  FetcherConfig,
  GetTokenSilentlyOptions,
  GetTokenSilentlyVerboseResponse,
  GetTokenWithPopupOptions,
  IdToken,
  LogoutOptions as SPALogoutOptions,
  MfaApiClient,
  MyAccountApiClient,
  PasskeyApiClient,
  PopupConfigOptions,
  PopupLoginOptions,
  RedirectLoginOptions as SPARedirectLoginOptions,
  RedirectLoginResult,
  TokenEndpointResponse,
  User
} from 'auth0-spa-wasm';

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

export type {
  AuthorizationParams,
  InteractiveErrorHandler,
  CustomTokenExchangeOptions,
  TokenEndpointResponse,
  PopupLoginOptions,
  PopupConfigOptions,
  GetTokenWithPopupOptions,
  LogoutUrlOptions,
  CacheLocation,
  GetTokenSilentlyOptions,
  IdToken,
  ICache,
  Cacheable,
  FetcherConfig,
  Fetcher,
  CustomFetchMinimalOutput,
  MfaApiClient,
  Authenticator,
  AuthenticatorType,
  OobChannel,
  MfaFactorType,
  EnrollParams,
  EnrollOtpParams,
  EnrollSmsParams,
  EnrollVoiceParams,
  EnrollEmailParams,
  EnrollPushParams,
  EnrollmentResponse,
  OtpEnrollmentResponse,
  OobEnrollmentResponse,
  ChallengeAuthenticatorParams,
  ChallengeResponse,
  VerifyParams,
  MfaGrantType,
  EnrollmentFactor,
  PasskeyApiClient,
  PasskeySignupOptions,
  PasskeyLoginOptions,
  MyAccountApiClient,
  AuthenticationMethod,
  AuthenticationMethodType,
  Factor,
  UpdateAuthenticationMethodRequest,
  EnrollmentChallengeOptions,
  EnrollmentChallengeResponse,
  EnrollmentVerifyOptions,
  IsFederatedDomainOptions
} from 'auth0-spa-wasm';

/** What the app stored with `loginWithRedirect({ appState })`; `target` is where the plugin goes after the callback. */
export interface AppState {
  target?: string;
  [key: string]: any;
}

/** Second argument of `createAuth0`. */
export interface Auth0PluginOptions {
  /** Leave `?code=&state=` in the URL alone (it belongs to something else). */
  skipRedirectCallback?: boolean;
  /** Where the router goes when the start-up callback fails (default '/'). */
  errorPath?: string;
}

/** First argument of `createAuth0`: the Auth0Client options. */
export interface Auth0VueClientOptions extends Auth0ClientOptions {}

/** `logout()` options (without the deprecated `onRedirect`). */
export interface LogoutOptions extends Omit<SPALogoutOptions, 'onRedirect'> {}

/** `loginWithRedirect()` options (without the deprecated `onRedirect`). */
export interface RedirectLoginOptions<TAppState = AppState> extends Omit<SPARedirectLoginOptions<TAppState>, 'onRedirect'> {}

/** What `useAuth0()` and `$auth0` give: refs of the auth state and the client's methods. */
export interface Auth0VueClient {
  isLoading: Ref<boolean>;
  isAuthenticated: Ref<boolean>;
  user: Ref<User | undefined>;
  idTokenClaims: Ref<IdToken | undefined>;
  error: Ref<any>;
  loginWithPopup(options?: PopupLoginOptions, config?: PopupConfigOptions): Promise<void>;
  loginWithRedirect(options?: RedirectLoginOptions<AppState>): Promise<void>;
  loginWithCustomTokenExchange(options: CustomTokenExchangeOptions): Promise<TokenEndpointResponse>;
  handleRedirectCallback(url?: string): Promise<RedirectLoginResult<AppState> | ConnectAccountRedirectResult<AppState>>;
  checkSession(options?: GetTokenSilentlyOptions): Promise<void>;
  getAccessTokenSilently(options: GetTokenSilentlyOptions & { detailedResponse: true }): Promise<GetTokenSilentlyVerboseResponse | undefined>;
  getAccessTokenSilently(options?: GetTokenSilentlyOptions): Promise<string | undefined>;
  getAccessTokenWithPopup(options?: GetTokenWithPopupOptions, config?: PopupConfigOptions): Promise<string | undefined>;
  logout(options?: LogoutOptions): Promise<void>;
  getDpopNonce(id?: string): Promise<string | undefined>;
  setDpopNonce(nonce: string, id?: string): Promise<void>;
  generateDpopProof(params: { url: string; method: string; accessToken: string; nonce?: string }): Promise<string>;
  createFetcher<TOutput extends CustomFetchMinimalOutput = Response>(config?: FetcherConfig<TOutput>): Fetcher<TOutput>;
  mfa: MfaApiClient;
  passkey: PasskeyApiClient;
  myAccount: MyAccountApiClient;
}

/** The plugin `createAuth0` returns; `app.use()` installs it. */
export declare class Auth0Plugin implements Auth0VueClient {
  private clientOptions;
  private pluginOptions?;
  private _client;
  isLoading: Ref<boolean>;
  isAuthenticated: Ref<boolean>;
  user: Ref<User | undefined>;
  idTokenClaims: Ref<IdToken | undefined>;
  error: Ref<Error | null>;
  mfa: MfaApiClient;
  passkey: PasskeyApiClient;
  myAccount: MyAccountApiClient;
  constructor(clientOptions: Auth0VueClientOptions, pluginOptions?: Auth0PluginOptions | undefined);
  install(app: App): void;
  loginWithRedirect(options?: RedirectLoginOptions<AppState>): Promise<void>;
  loginWithPopup(options?: PopupLoginOptions, config?: PopupConfigOptions): Promise<void>;
  logout(options?: LogoutOptions): Promise<void>;
  getAccessTokenSilently(options: GetTokenSilentlyOptions & { detailedResponse: true }): Promise<GetTokenSilentlyVerboseResponse | undefined>;
  getAccessTokenSilently(options?: GetTokenSilentlyOptions): Promise<string | undefined>;
  getAccessTokenWithPopup(options?: GetTokenWithPopupOptions, config?: PopupConfigOptions): Promise<string | undefined>;
  loginWithCustomTokenExchange(options: CustomTokenExchangeOptions): Promise<TokenEndpointResponse>;
  checkSession(options?: GetTokenSilentlyOptions): Promise<void>;
  handleRedirectCallback(url?: string): Promise<RedirectLoginResult<AppState> | ConnectAccountRedirectResult<AppState>>;
  getDpopNonce(id?: string): Promise<string | undefined>;
  setDpopNonce(nonce: string, id?: string): Promise<void>;
  generateDpopProof(params: { url: string; method: string; accessToken: string; nonce?: string }): Promise<string>;
  createFetcher<TOutput extends CustomFetchMinimalOutput = Response>(config?: FetcherConfig<TOutput>): Fetcher<TOutput>;
  private __checkSession;
  private __refreshState;
  private __proxy;
}

/** The key under which the plugin is provided. */
export declare const AUTH0_INJECTION_KEY: InjectionKey<Auth0VueClient>;

declare module 'vue' {
  interface ComponentCustomProperties {
    $auth0: Auth0VueClient;
  }
}

/** `app.use(createAuth0({ domain, clientId, authorizationParams }))`. */
export declare function createAuth0(clientOptions: Auth0VueClientOptions, pluginOptions?: Auth0PluginOptions): Auth0Plugin;

/** The installed plugin, inside `setup()`. */
export declare function useAuth0(): Auth0VueClient;

export interface AuthGuardOptions {
  app?: App;
  redirectLoginOptions?: SPARedirectLoginOptions;
}
/** A route guard bound to an app, or with login options. */
export declare function createAuthGuard(app?: App): (to: RouteLocation) => Promise<boolean>;
export declare function createAuthGuard(options?: AuthGuardOptions): (to: RouteLocation) => Promise<boolean>;
/** A route guard: lets a signed-in user through, else starts a redirect login and blocks. */
export declare function authGuard(to: RouteLocation): Promise<boolean>;
