// Type declarations of auth0-spa-wasm/react. Names and shapes follow @auth0/auth0-react 2.27.0, so
// that a TypeScript React app written for it type-checks with only its import lines changed
// (tests/types/react-app.tsx is such an app, checked against these and against auth0-react's own).
// Written for this package.

import type * as React from 'react';
import type {
  Auth0Client,
  Auth0ClientOptions,
  AnonymousSessionApiClient,
  ClientConfiguration,
  ConnectAccountRedirectResult,
  CustomFetchMinimalOutput,
  CustomTokenExchangeOptions,
  Fetcher,
  FetcherConfig,
  GetTokenSilentlyOptions,
  GetTokenSilentlyVerboseResponse,
  GetTokenWithPopupOptions,
  IdToken,
  IsFederatedDomainOptions,
  LogoutOptions as SPALogoutOptions,
  MfaApiClient,
  MyAccountApiClient,
  PasskeyApiClient,
  PopupConfigOptions,
  PopupLoginOptions,
  RedirectConnectAccountOptions,
  RedirectLoginOptions as SPARedirectLoginOptions,
  RedirectLoginResult,
  ResponseType,
  RevokeRefreshTokenOptions,
  TokenEndpointResponse,
  User
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

export type {
  AuthorizationParams,
  PopupLoginOptions,
  PopupConfigOptions,
  GetTokenWithPopupOptions,
  LogoutUrlOptions,
  CacheLocation,
  GetTokenSilentlyOptions,
  IdToken,
  ICache,
  Cacheable,
  RedirectConnectAccountOptions,
  ConnectAccountRedirectResult,
  CustomTokenExchangeOptions,
  TokenEndpointResponse,
  ActClaim,
  ClientConfiguration,
  RevokeRefreshTokenOptions,
  FetcherConfig,
  InteractiveErrorHandler,
  IsFederatedDomainOptions,
  MfaApiClient,
  Authenticator,
  MfaFactorType,
  EnrollParams,
  EnrollOtpParams,
  EnrollSmsParams,
  EnrollVoiceParams,
  EnrollEmailParams,
  EnrollPushParams,
  EnrollmentResponse,
  ChallengeAuthenticatorParams,
  ChallengeResponse,
  VerifyParams,
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
  AnonymousSessionApiClient,
  AnonymousGetTokenSilentlyOptions,
  AnonymousSession,
  AnonymousSessionClaims,
  AnonymousSessionErrorCode,
  CreateAnonymousSessionOptions
} from 'auth0-spa-wasm';

/** An OAuth error (`error`, `error_description`) normalised into an Error. */
export declare class OAuthError extends Error {
  error: string;
  error_description?: string | undefined;
  constructor(error: string, error_description?: string | undefined);
}

// ----------------------------------------------------------------------------------------------
// State and context

/** The auth state part of `useAuth0()`. */
export interface AuthState<TUser extends User = User> {
  error: Error | undefined;
  isAuthenticated: boolean;
  isLoading: boolean;
  user: TUser | undefined;
}

/** `logout()` options (without the deprecated `onRedirect`). */
export interface LogoutOptions extends Omit<SPALogoutOptions, 'onRedirect'> {}

/** `loginWithRedirect()` options (without the deprecated `onRedirect`). */
export interface RedirectLoginOptions<TAppState = AppState> extends Omit<SPARedirectLoginOptions<TAppState>, 'onRedirect'> {}

/** What `useAuth0()` returns: the auth state and the client's methods. */
export interface Auth0ContextInterface<TUser extends User = User> extends AuthState<TUser> {
  /** An access token (cache, refresh token or silent authentication); re-reads the user. */
  getAccessTokenSilently: Auth0Client['getTokenSilently'];
  getAccessTokenWithPopup: (options?: GetTokenWithPopupOptions, config?: PopupConfigOptions) => Promise<string | undefined>;
  getIdTokenClaims: () => Promise<IdToken | undefined>;
  loginWithCustomTokenExchange: (options: CustomTokenExchangeOptions) => Promise<TokenEndpointResponse>;
  customTokenExchange: (options: CustomTokenExchangeOptions) => Promise<TokenEndpointResponse>;
  /** @deprecated use `loginWithCustomTokenExchange`. */
  exchangeToken: (options: CustomTokenExchangeOptions) => Promise<TokenEndpointResponse>;
  loginWithRedirect: (options?: RedirectLoginOptions<AppState>) => Promise<void>;
  loginWithPopup: (options?: PopupLoginOptions, config?: PopupConfigOptions) => Promise<void>;
  connectAccountWithRedirect: (options: RedirectConnectAccountOptions) => Promise<void>;
  logout: (options?: LogoutOptions) => Promise<void>;
  revokeRefreshToken: (options?: RevokeRefreshTokenOptions) => Promise<void>;
  handleRedirectCallback: (url?: string) => Promise<RedirectLoginResult | ConnectAccountRedirectResult>;
  getDpopNonce: (id?: string) => Promise<string | undefined>;
  setDpopNonce: (nonce: string, id?: string) => Promise<void>;
  generateDpopProof: (params: { url: string; method: string; nonce?: string; accessToken: string }) => Promise<string>;
  createFetcher: <TOutput extends CustomFetchMinimalOutput = Response>(config?: FetcherConfig<TOutput>) => Fetcher<TOutput>;
  getConfiguration: () => Readonly<ClientConfiguration>;
  mfa: MfaApiClient;
  passkey: PasskeyApiClient;
  myAccount: MyAccountApiClient;
  anonymous: AnonymousSessionApiClient;
  /** @internal settles when the provider has started (useAuth0Suspense). */
  _initPromise?: Promise<void>;
}

/** The context value outside any provider: every method throws. */
export declare const initialContext: {
  buildAuthorizeUrl: () => never;
  buildLogoutUrl: () => never;
  getAccessTokenSilently: () => never;
  getAccessTokenWithPopup: () => never;
  getIdTokenClaims: () => never;
  loginWithCustomTokenExchange: () => never;
  customTokenExchange: () => never;
  exchangeToken: () => never;
  loginWithRedirect: () => never;
  loginWithPopup: () => never;
  connectAccountWithRedirect: () => never;
  logout: () => never;
  revokeRefreshToken: () => never;
  handleRedirectCallback: () => never;
  getDpopNonce: () => never;
  setDpopNonce: () => never;
  generateDpopProof: () => never;
  createFetcher: () => never;
  getConfiguration: () => never;
  mfa: MfaApiClient;
  passkey: PasskeyApiClient;
  myAccount: MyAccountApiClient;
  anonymous: AnonymousSessionApiClient;
  error: Error | undefined;
  isAuthenticated: boolean;
  isLoading: boolean;
  user: User | undefined;
};

/** The default Auth0 context. */
export declare const Auth0Context: React.Context<Auth0ContextInterface<User>>;

// ----------------------------------------------------------------------------------------------
// Provider

/** The account connected by a connect-account redirect. */
export type ConnectedAccount = Omit<ConnectAccountRedirectResult, 'appState' | 'response_type'>;

/** What the app stored with `loginWithRedirect({ appState })`, handed to `onRedirectCallback`. */
export type AppState = {
  returnTo?: string;
  connectedAccount?: ConnectedAccount;
  response_type?: ResponseType;
  [key: string]: any;
};

type Auth0ProviderBaseOptions<TUser extends User = User> = {
  children?: React.ReactNode;
  /** Called after the redirect callback; default: `history.replaceState` to `appState.returnTo` or the path. */
  onRedirectCallback?: (appState?: AppState, user?: TUser) => void;
  /** Leave `?code=&state=` in the URL alone (it belongs to something else). */
  skipRedirectCallback?: boolean;
  /** A context of your own, for several providers in one app. */
  context?: React.Context<Auth0ContextInterface<TUser>>;
};

/** Provider props that configure the client (`domain`, `clientId`, …). */
export type Auth0ProviderWithConfigOptions<TUser extends User = User> = Auth0ProviderBaseOptions<TUser> &
  Auth0ClientOptions & { client?: never };

/** Provider props that pass a ready client. */
export type Auth0ProviderWithClientOptions<TUser extends User = User> = Auth0ProviderBaseOptions<TUser> & {
  client: Auth0Client;
};

export type Auth0ProviderOptions<TUser extends User = User> =
  | Auth0ProviderWithConfigOptions<TUser>
  | Auth0ProviderWithClientOptions<TUser>;

/** Provides the Auth0 context to its children. */
export declare const Auth0Provider: <TUser extends User = User>(opts: Auth0ProviderOptions<TUser>) => React.JSX.Element;

// ----------------------------------------------------------------------------------------------
// Hooks and HOCs

export declare const useAuth0: <TUser extends User = User>(
  context?: React.Context<Auth0ContextInterface<User>>
) => Auth0ContextInterface<TUser>;

export type Auth0SuspenseContextInterface<TUser extends User = User> = Omit<
  Auth0ContextInterface<TUser>,
  'isLoading' | '_initPromise'
>;
/** Suspends until the provider has started; throws its start-up error (React 19). */
export declare const useAuth0Suspense: <TUser extends User = User>(
  context?: React.Context<Auth0ContextInterface<User>>
) => Auth0SuspenseContextInterface<TUser>;

export interface UseEnterpriseConnect {
  isFederatedDomain: (emailDomain: string, options?: IsFederatedDomainOptions) => Promise<boolean>;
  loginWithSSO: (email: string, options?: RedirectLoginOptions) => Promise<void>;
}
export declare const useEnterpriseConnect: (context?: React.Context<Auth0ContextInterface<User>>) => UseEnterpriseConnect;

/** Props a component wrapped in `withAuth0` receives. */
export interface WithAuth0Props {
  auth0: Auth0ContextInterface;
}
export declare const withAuth0: <P extends WithAuth0Props>(
  Component: React.ComponentType<P>,
  context?: React.Context<Auth0ContextInterface<User>>
) => React.ComponentType<Omit<P, keyof WithAuth0Props>>;

export interface WithAuthenticationRequiredOptions {
  /** Where `onRedirectCallback` brings the user back (default: the current path and query). */
  returnTo?: string | (() => string);
  /** Rendered while redirecting (default: nothing). */
  onRedirecting?: () => React.JSX.Element;
  /** Runs before the redirect login starts. */
  onBeforeAuthentication?: () => Promise<void>;
  /** More `loginWithRedirect` options; `appState` is merged with `returnTo`. */
  loginOptions?: RedirectLoginOptions;
  context?: React.Context<Auth0ContextInterface>;
}
export declare const withAuthenticationRequired: <P extends object>(
  Component: React.ComponentType<P>,
  options?: WithAuthenticationRequiredOptions
) => React.FC<P>;
