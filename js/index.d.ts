// Type declarations of auth0-spa-wasm. The names and shapes follow @auth0/auth0-spa-js v2
// (docs/behaviour.md §1, §3.7, §6), so that an application written against auth0-spa-js type-checks
// unchanged after switching the import. Written for this package; see tests/types/ for the proof.

// ----------------------------------------------------------------------------------------------
// Options and parameters

/** Where tokens are cached: a per-client in-memory map, or `localStorage` (doc §3.4). */
export type CacheLocation = 'memory' | 'localstorage';

/** What `getTokenSilently` does on an interactive (MFA) error: open a login popup. */
export type InteractiveErrorHandler = 'popup';

/** Refresh-token flavour (2.23+): rotating offline tokens, or session-bound online tokens. */
export declare const RefreshTokenMode: {
  readonly Offline: 'offline';
  readonly Online: 'online';
};
export type RefreshTokenMode = (typeof RefreshTokenMode)[keyof typeof RefreshTokenMode];

/** Parameters sent to `/authorize`; unknown keys are forwarded as query parameters. */
export interface AuthorizationParams {
  display?: 'page' | 'popup' | 'touch' | 'wap';
  prompt?: 'none' | 'login' | 'consent' | 'select_account';
  max_age?: string | number;
  ui_locales?: string;
  id_token_hint?: string;
  screen_hint?: 'signup' | 'login' | string;
  login_hint?: string;
  acr_values?: string;
  scope?: string;
  audience?: string;
  connection?: string;
  organization?: string;
  invitation?: string;
  redirect_uri?: string;
  session_transfer_token?: string;
  experiment_id?: string;
  variation_id?: string;
  segment_id?: string;
  [key: string]: any;
}

/** Client-level defaults for `/authorize`; `scope` may also map audiences to scopes (2.8+). */
export interface ClientAuthorizationParams extends Omit<AuthorizationParams, 'scope'> {
  scope?: string | Record<string, string>;
}

/** Options of `new Auth0Client()` / `createAuth0Client()` (doc §1.3). */
export interface Auth0ClientOptions {
  /** Tenant domain, e.g. `tenant.eu.auth0.com`; `https://` is added unless a scheme is given. */
  domain: string;
  /** Expected `iss` of ID tokens; defaults to `https://{domain}/`. */
  issuer?: string;
  clientId: string;
  /** Clock skew in seconds for ID-token time claims (default 60). */
  leeway?: number;
  cacheLocation?: CacheLocation;
  /** A custom cache; takes precedence over `cacheLocation`. */
  cache?: ICache;
  useRefreshTokens?: boolean;
  useRefreshTokensFallback?: boolean;
  authorizeTimeoutInSeconds?: number;
  httpTimeoutInSeconds?: number;
  auth0Client?: {
    name: string;
    version: string;
    env?: { [key: string]: string };
  };
  legacySameSiteCookie?: boolean;
  useCookiesForTransactions?: boolean;
  sessionCheckExpiryDays?: number;
  cookieDomain?: string;
  useFormData?: boolean;
  /** Current time in milliseconds (default `Date.now`). */
  nowProvider?: () => Promise<number> | number;
  workerUrl?: string;
  useMrrt?: boolean;
  useDpop?: boolean;
  refreshTokenMode?: RefreshTokenMode;
  interactiveErrorHandler?: InteractiveErrorHandler;
  authorizationParams?: ClientAuthorizationParams;
  /**
   * Where `client.anonymous` keeps its session: `'localStorage'` (default; survives a reload) or
   * `'memory'` (ends with the page). Any other value is an `InvalidConfigurationError`.
   */
  anonymousSessionsCacheMode?: 'localStorage' | 'memory';
  /**
   * `checkSession()` (so `createAuth0Client`) starts an anonymous session, without metadata, when
   * the user is logged out: no `is.authenticated` cookie, or `login_required` that is not the MFA
   * step-up. A failure there is only logged (`console.debug`). Default `false`.
   */
  createAnonymousSessionOnFailedSilentAuth?: boolean;
  sessionTransferTokenQueryParamName?: string;
  enterpriseConnect?: boolean;
}

/** What `getConfiguration()` returns. */
export interface ClientConfiguration {
  domain: string;
  clientId: string;
}

/** Kind of transaction a redirect callback completes. */
export declare enum ResponseType {
  Code = 'code',
  ConnectCode = 'connect_code'
}

interface BaseLoginOptions {
  authorizationParams?: AuthorizationParams;
}

/** Options of `loginWithRedirect`. */
export interface RedirectLoginOptions<TAppState = any> extends BaseLoginOptions {
  /** Stored with the transaction and returned by `handleRedirectCallback` (as JSON). */
  appState?: TAppState;
  /** Appended to the authorize URL as `#fragment`. */
  fragment?: string;
  /** @deprecated use `openUrl`. */
  onRedirect?: (url: string) => Promise<void>;
  /** Navigates to the authorize URL instead of `window.location.assign`. */
  openUrl?: (url: string) => Promise<void> | void;
}

/** Result of `handleRedirectCallback`. */
export interface RedirectLoginResult<TAppState = any> {
  appState?: TAppState;
  response_type: ResponseType.Code;
}

/** Options of `loginWithPopup`. */
export interface PopupLoginOptions extends BaseLoginOptions {}

/** Popup behaviour of `loginWithPopup` / `getTokenWithPopup`. */
export interface PopupConfigOptions {
  /** Seconds to wait for the popup to answer (default 60). */
  timeoutInSeconds?: number;
  /** A window opened by the app (e.g. inside its click handler) to use as the popup. */
  popup?: any;
  /** Close the popup when done (default true). */
  closePopup?: boolean;
}

/** Options of `getTokenSilently`. */
export interface GetTokenSilentlyOptions {
  cacheMode?: 'on' | 'off' | 'cache-only';
  authorizationParams?: {
    redirect_uri?: string;
    scope?: string;
    audience?: string;
    [key: string]: any;
  };
  timeoutInSeconds?: number;
  /** Resolve to the whole token response instead of the access token. */
  detailedResponse?: boolean;
}

/** Options of `getTokenWithPopup`. */
export interface GetTokenWithPopupOptions extends PopupLoginOptions {
  cacheMode?: 'on' | 'off' | 'cache-only';
}

/** The logout URL's parameters. */
export interface LogoutUrlOptions {
  /** `null` clears every client's cache and omits `client_id` from the URL. */
  clientId?: string | null;
  logoutParams?: {
    federated?: boolean;
    returnTo?: string;
    [key: string]: any;
  };
}

/** Options of `logout`. */
export interface LogoutOptions extends LogoutUrlOptions {
  /** @deprecated use `openUrl`. */
  onRedirect?: (url: string) => Promise<void>;
  /** Navigates to the logout URL instead of `window.location.assign`; `false`: no navigation. */
  openUrl?: false | ((url: string) => Promise<void> | void);
  /**
   * auth0-spa-wasm only: first revoke the client's refresh tokens at `/oauth/revoke` (RFC 7009),
   * so they stop working at the server, not only in this browser. A failure is a
   * `console.warn`; the local session ends anyway.
   */
  revokeRefreshTokens?: boolean;
}

/** Options of the custom token exchange (RFC 8693), as auth0-spa-js types them. */
export type CustomTokenExchangeOptions = {
  subject_token_type: string;
  subject_token: string;
  audience?: string;
  scope?: string;
  organization?: string;
  actor_token?: string;
  actor_token_type?: string;
  [key: string]: unknown;
};

/** Options of `revokeRefreshToken`. */
export interface RevokeRefreshTokenOptions {
  /** The audience whose refresh tokens are revoked (default: the client's, else `default`). */
  audience?: string;
}

/** A token endpoint response (RFC 6749 §5.1). */
export type TokenEndpointResponse = {
  id_token: string;
  token_type: string;
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope?: string;
};

/** What `getTokenSilently({ detailedResponse: true })` resolves to (never the refresh token). */
export type GetTokenSilentlyVerboseResponse = Omit<TokenEndpointResponse, 'refresh_token'>;

// ----------------------------------------------------------------------------------------------
// Identity

/** The `act` (actor) claim of a delegated token (RFC 8693 §4.1). */
export interface ActClaim {
  sub?: string;
  [key: string]: any;
}

/** All claims of the ID token plus `__raw`, the compact JWT. */
export interface IdToken {
  __raw: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  picture?: string;
  website?: string;
  email?: string;
  email_verified?: boolean;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
  address?: string;
  updated_at?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  azp?: string;
  nonce?: string;
  auth_time?: string;
  at_hash?: string;
  c_hash?: string;
  acr?: string;
  amr?: string[];
  sub_jwk?: string;
  cnf?: string;
  sid?: string;
  org_id?: string;
  org_name?: string;
  session_expiry?: number;
  act?: ActClaim;
  [key: string]: any;
}

/** The signed-in user: ID-token claims without the protocol claims. */
export declare class User {
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  picture?: string;
  website?: string;
  email?: string;
  email_verified?: boolean;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
  address?: string;
  updated_at?: string;
  sub?: string;
  act?: ActClaim;
  [key: string]: any;
}

// ----------------------------------------------------------------------------------------------
// Cache (doc §3)

export type MaybePromise<T> = Promise<T> | T;

/** Decoded ID token as stored in the `@@user@@` entry. */
export interface DecodedToken {
  claims: IdToken;
  user: User;
}

/** Body of an access-token cache entry (doc §3.2). */
export type CacheEntry = {
  id_token?: string;
  token_type?: string;
  access_token: string;
  expires_in: number;
  decodedToken?: DecodedToken;
  audience: string;
  scope: string;
  client_id: string;
  refresh_token?: string;
  oauthTokenScope?: string;
};

/** A cache value: `{ body, expiresAt }` with `expiresAt` in seconds. */
export type WrappedCacheEntry = {
  body: Partial<CacheEntry>;
  expiresAt: number;
};

/** The key list kept for caches without `allKeys()`. */
export type KeyManifestEntry = {
  keys: string[];
};

/** Anything the SDK stores in a cache. */
export type Cacheable = WrappedCacheEntry | KeyManifestEntry;

/** A custom cache (doc §3.7); every method may be synchronous or return a Promise. */
export interface ICache {
  set<T = Cacheable>(key: string, entry: T): MaybePromise<void>;
  get<T = Cacheable>(key: string): MaybePromise<T | undefined>;
  remove(key: string): MaybePromise<void>;
  allKeys?(): MaybePromise<string[]>;
}

/** The `localstorage` cache as an object. */
export declare class LocalStorageCache implements ICache {
  set<T = Cacheable>(key: string, entry: T): void;
  get<T = Cacheable>(key: string): MaybePromise<T | undefined>;
  remove(key: string): void;
  allKeys(): string[];
}

/** The `memory` cache as an object; pass `enclosedCache` as `cache`. */
export declare class InMemoryCache {
  enclosedCache: ICache;
}

// ----------------------------------------------------------------------------------------------
// Errors (doc §6). `message` equals `error_description`.

/** What an `mfa_required` response asks for. */
export interface MfaRequirements {
  enroll?: Array<{ type: string }>;
  challenge?: Array<{ type: string }>;
}

export declare class GenericError extends Error {
  error: string;
  error_description: string;
  constructor(error: string, error_description: string);
  static fromPayload({ error, error_description }: { error: string; error_description: string }): GenericError;
}

export declare class InvalidConfigurationError extends GenericError {
  suggestion: string;
  constructor(message: string, suggestion: string);
}

export declare class AuthenticationError extends GenericError {
  state: string;
  appState: any;
  constructor(error: string, error_description: string, state: string, appState?: any);
}

export declare class ConnectError extends GenericError {
  connection: string;
  state: string;
  appState: any;
  constructor(error: string, error_description: string, connection: string, state: string, appState?: any);
}

export declare class TimeoutError extends GenericError {
  constructor();
}

export declare class PopupTimeoutError extends TimeoutError {
  popup: Window;
  constructor(popup: Window);
}

export declare class PopupCancelledError extends GenericError {
  popup: Window;
  constructor(popup: Window);
}

export declare class PopupOpenError extends GenericError {
  constructor();
}

export declare class MfaRequiredError extends GenericError {
  mfa_token: string;
  mfa_requirements: MfaRequirements;
  constructor(error: string, error_description: string, mfa_token: string, mfa_requirements: MfaRequirements);
}

export declare class MissingRefreshTokenError extends GenericError {
  audience: string;
  scope: string;
  constructor(audience: string, scope: string);
}

export declare class MissingScopesError extends GenericError {
  audience: string;
  scope: string;
  constructor(audience: string, scope: string);
}

export declare class UseDpopNonceError extends GenericError {
  newDpopNonce: string | undefined;
  constructor(newDpopNonce: string | undefined);
}

// ----------------------------------------------------------------------------------------------
// Client

/** What a cache key is made of (auth0-spa-js `CacheKeyData`). */
export type CacheKeyData = { audience?: string; scope?: string; clientId: string };

/** A cache key: `prefix::clientId::audience::scope::suffix`, empty parts left out. */
export declare class CacheKey {
  prefix: string;
  suffix?: string | undefined;
  clientId: string;
  scope?: string;
  audience?: string;
  constructor(data: CacheKeyData, prefix?: string, suffix?: string | undefined);
  toKey(): string;
  static fromKey(key: string): CacheKey;
  static fromCacheEntry(entry: { audience: string; scope: string; client_id: string }): CacheKey;
}

/** The SDK client (doc §1.4). All methods are asynchronous except `getConfiguration`. */
export declare class Auth0Client {
  constructor(options: Auth0ClientOptions);
  /** `{ domain, clientId }`, frozen. */
  getConfiguration(): Readonly<ClientConfiguration>;
  /** Navigates to `/authorize` (authorization code + PKCE, `response_mode=query`). */
  loginWithRedirect<TAppState = any>(options?: RedirectLoginOptions<TAppState>): Promise<void>;
  /**
   * Completes a redirect login, or an account connection started by `connectAccountWithRedirect`,
   * from the callback URL (default: the current location).
   */
  handleRedirectCallback<TAppState = any>(url?: string): Promise<RedirectLoginResult<TAppState> | ConnectAccountRedirectResult<TAppState>>;
  /** Logs in in a popup (opened synchronously unless `config.popup` is given). */
  loginWithPopup(options?: PopupLoginOptions, config?: PopupConfigOptions): Promise<void>;
  /** Logs in in a popup and resolves to the access token for the requested audience/scope. */
  getTokenWithPopup(options?: GetTokenWithPopupOptions, config?: PopupConfigOptions): Promise<string | undefined>;
  /** An access token from the cache, a refresh token or silent authentication. */
  getTokenSilently(
    options: GetTokenSilentlyOptions & { detailedResponse: true }
  ): Promise<GetTokenSilentlyVerboseResponse | undefined>;
  getTokenSilently(options?: GetTokenSilentlyOptions): Promise<string | undefined>;
  /** Tries to get a token silently if a session may exist; never rejects for "not logged in". */
  checkSession(options?: GetTokenSilentlyOptions): Promise<void>;
  /** The user of the cached ID token, or undefined. */
  getUser<TUser extends User>(): Promise<TUser | undefined>;
  /** All claims of the cached ID token, or undefined. */
  getIdTokenClaims(): Promise<IdToken | undefined>;
  /** Whether an ID token is cached. */
  isAuthenticated(): Promise<boolean>;
  /** Clears the local session and navigates to the logout endpoint. */
  logout(options?: LogoutOptions): Promise<void>;
  /** RFC 8693 exchange whose tokens become the session (cached as a login's; no refresh token returned). */
  loginWithCustomTokenExchange(options: CustomTokenExchangeOptions): Promise<TokenEndpointResponse>;
  /** RFC 8693 exchange with no side effect: nothing is cached. */
  customTokenExchange(options: CustomTokenExchangeOptions): Promise<TokenEndpointResponse>;
  /** @deprecated use `loginWithCustomTokenExchange`. */
  exchangeToken(options: CustomTokenExchangeOptions): Promise<TokenEndpointResponse>;
  /** Revokes the audience's refresh tokens at `/oauth/revoke` and removes them from the cache. */
  revokeRefreshToken(options?: RevokeRefreshTokenOptions): Promise<void>;
  /** The stored DPoP nonce of Auth0 (no `id`) or of the API `id`. Needs `useDpop: true` (throws otherwise). */
  getDpopNonce(id?: string): Promise<string | undefined>;
  /** Stores a DPoP nonce for Auth0 (no `id`) or for the API `id`. Needs `useDpop: true`. */
  setDpopNonce(nonce: string, id?: string): Promise<void>;
  /** A DPoP proof (RFC 9449) for a resource request, with `ath` for `accessToken`. Needs `useDpop: true`. */
  generateDpopProof(params: { url: string; method: string; nonce?: string; accessToken: string }): Promise<string>;
  /**
   * A `fetch` for the app's own API that adds the access token (`authorization: <token_type>
   * <token>`); relative URLs resolve against `baseUrl`.
   */
  createFetcher<TOutput extends CustomFetchMinimalOutput = Response>(config?: FetcherConfig<TOutput>): Fetcher<TOutput>;
  /**
   * Connects an account of `options.connection` through the My Account API and navigates to the
   * connection (or calls `openUrl`); `handleRedirectCallback` completes it. Throws
   * `Error('connection is required')` without a connection.
   */
  connectAccountWithRedirect<TAppState = any>(options: RedirectConnectAccountOptions<TAppState>): Promise<void>;
  /** The MFA API client: completes an `mfa_required` step-up. */
  readonly mfa: MfaApiClient;
  /**
   * The passkey API client: sign-up and login with a passkey (Auth0's `/passkey/register` and
   * `/passkey/challenge`, the browser's WebAuthn, then the webauthn grant, stored as a login).
   */
  readonly passkey: PasskeyApiClient;
  /** The My Account API client: `{domainUrl}/me/v1/…` with tokens for the audience `{domainUrl}/me/`. */
  readonly myAccount: MyAccountApiClient;
  /**
   * The anonymous-session API client (Early Access in auth0-spa-js 2.27/2.28): a session for a
   * visitor who has not logged in, its access tokens, and its link to a later login.
   */
  readonly anonymous: AnonymousSessionApiClient;
}

import type {
  AnonymousSessionApiClient,
  ConnectAccountRedirectResult,
  CustomFetchMinimalOutput,
  Fetcher,
  FetcherConfig,
  MfaApiClient,
  MyAccountApiClient,
  PasskeyApiClient,
  RedirectConnectAccountOptions
} from './extras.js';

/**
 * `new Auth0Client(options)` followed by `checkSession()`. One signature for every option object
 * (auth0-spa-js 2.23+ adds overloads that reject a variable typed `Auth0ClientOptions`, which
 * apps written for earlier 2.x versions pass); online-mode misconfiguration is rejected at run
 * time with `InvalidConfigurationError`, as auth0-spa-js does for untyped callers.
 */
export declare function createAuth0Client(options: Auth0ClientOptions): Promise<Auth0Client>;

// The rest of auth0-spa-js's API that the framework wrappers name: MFA, passkey, My Account and
// anonymous-session errors and types, the fetcher, connected accounts, isFederatedDomain.
export * from './extras.js';
