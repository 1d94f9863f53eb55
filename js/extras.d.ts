// Declarations of the parts of @auth0/auth0-spa-js 2.28.3's API that the framework wrappers
// (@auth0/auth0-react, @auth0/auth0-vue, @auth0/auth0-angular) name and that js/index.d.ts does
// not: the MFA, passkey, My Account and anonymous-session error classes and types, the fetcher,
// connected accounts, custom token exchange and isFederatedDomain. Written for this package from
// auth0-spa-js's published API (names and shapes must match for apps and wrappers to type-check);
// re-exported by index.d.ts.
//
// The sub-clients are classes here as in auth0-spa-js. MfaApiClient (`client.mfa`, js/mfa.js),
// PasskeyApiClient (`client.passkey`, js/passkey.js), MyAccountApiClient (`client.myAccount`,
// js/my-account.js), AnonymousSessionApiClient (`client.anonymous`) and AnonymousSessionClient
// (js/anonymous.js) are all implemented; Fetcher is a type, as auth0-spa-js exports it.

import type { AuthorizationParams, GetTokenSilentlyVerboseResponse, TokenEndpointResponse, ResponseType } from './index.js';
import { GenericError } from './index.js';

// ----------------------------------------------------------------------------------------------
// MFA

export declare class MfaError extends GenericError {
  constructor(error: string, error_description: string);
  static fromPayload({ error, error_description }: { error: string; error_description: string }): MfaError;
}
export declare class MfaListAuthenticatorsError extends MfaError {
  constructor(error: string, error_description: string);
}
export declare class MfaEnrollmentError extends MfaError {
  constructor(error: string, error_description: string);
}
export declare class MfaChallengeError extends MfaError {
  constructor(error: string, error_description: string);
}
export declare class MfaVerifyError extends MfaError {
  constructor(error: string, error_description: string);
}
export declare class MfaEnrollmentFactorsError extends MfaError {
  constructor(error: string, error_description: string);
}

/** An enrolled MFA authenticator. */
export interface Authenticator {
  id: string;
  authenticatorType: AuthenticatorType;
  active: boolean;
  name?: string;
  createdAt?: string;
  lastAuth?: string;
  type?: string;
}
export type AuthenticatorType = 'otp' | 'oob' | 'recovery-code';
export type ChallengeType = 'otp' | 'phone' | 'recovery-code' | 'email' | 'push-notification' | 'totp';
export type OobChannel = 'sms' | 'voice' | 'auth0' | 'email';
export type MfaFactorType = 'otp' | 'sms' | 'email' | 'push' | 'voice';

export interface EnrollBaseParams {
  mfaToken: string;
}
export interface EnrollOtpParams extends EnrollBaseParams {
  factorType: 'otp';
}
export interface EnrollSmsParams extends EnrollBaseParams {
  factorType: 'sms';
  phoneNumber: string;
}
export interface EnrollVoiceParams extends EnrollBaseParams {
  factorType: 'voice';
  phoneNumber: string;
}
export interface EnrollEmailParams extends EnrollBaseParams {
  factorType: 'email';
  email?: string;
}
export interface EnrollPushParams extends EnrollBaseParams {
  factorType: 'push';
}
export type EnrollParams = EnrollOtpParams | EnrollSmsParams | EnrollVoiceParams | EnrollEmailParams | EnrollPushParams;

export interface OtpEnrollmentResponse {
  authenticatorType: 'otp';
  secret: string;
  barcodeUri: string;
  recoveryCodes?: string[];
  id?: string;
}
export interface OobEnrollmentResponse {
  authenticatorType: 'oob';
  oobChannel: OobChannel;
  oobCode?: string;
  bindingMethod?: string;
  recoveryCodes?: string[];
  id?: string;
  barcodeUri?: string;
}
export type EnrollmentResponse = OtpEnrollmentResponse | OobEnrollmentResponse;

export interface ChallengeAuthenticatorParams {
  mfaToken: string;
  challengeType: 'otp' | 'oob';
  authenticatorId?: string;
}
export interface ChallengeResponse {
  challengeType: 'otp' | 'oob';
  oobCode?: string;
  bindingMethod?: string;
}
/** The three MFA grant types of `/oauth/token`. */
export type MfaGrantType =
  | 'http://auth0.com/oauth/grant-type/mfa-otp'
  | 'http://auth0.com/oauth/grant-type/mfa-oob'
  | 'http://auth0.com/oauth/grant-type/mfa-recovery-code';
export interface VerifyParams {
  mfaToken: string;
  otp?: string;
  oobCode?: string;
  bindingCode?: string;
  recoveryCode?: string;
}
export interface EnrollmentFactor {
  type: string;
}

/**
 * The MFA API client of auth0-spa-js (`client.mfa`; docs/behaviour.md §1.5). The context of each
 * `mfa_token` (scope, audience, `mfa_requirements`) is kept for 10 minutes when a renewal answers
 * `mfa_required`.
 */
export declare class MfaApiClient {
  private constructor();
  /** Remembers a context for `mfaToken` (the client does this itself on `mfa_required`). */
  setMFAAuthDetails(mfaToken: string, scope?: string, audience?: string, mfaRequirements?: import('./index.js').MfaRequirements): void;
  /** The enrolled authenticators of the context's challenge types; `MfaListAuthenticatorsError`. */
  getAuthenticators(mfaToken: string): Promise<Authenticator[]>;
  /** Enrolls an authenticator (`POST /mfa/associate`); `MfaEnrollmentError`. */
  enroll(params: EnrollParams): Promise<EnrollmentResponse>;
  /** Starts a challenge (`POST /mfa/challenge`); `MfaChallengeError`. */
  challenge(params: ChallengeAuthenticatorParams): Promise<ChallengeResponse>;
  /** The context's `mfa_requirements.enroll` (`[]` when none); `MfaEnrollmentFactorsError`. */
  getEnrollmentFactors(mfaToken: string): Promise<EnrollmentFactor[]>;
  /** The MFA grant for the context, stored as a login; `MfaVerifyError`. */
  verify(params: VerifyParams): Promise<TokenEndpointResponse>;
}

// ----------------------------------------------------------------------------------------------
// Passkeys

export interface PasskeyErrorResponse {
  error: string;
  error_description: string;
  message?: string;
}
export declare class PasskeyError extends Error {
  readonly code: string;
  readonly cause?: PasskeyErrorResponse;
  constructor(code: string, message: string, cause?: PasskeyErrorResponse);
}
/** What the three passkey request errors have in common (their base is not exported). */
declare class PasskeyRequestError extends Error {
  code: string;
  cause?: { error?: string; error_description?: string; message?: string; [key: string]: unknown };
  statusCode?: number;
  headers?: Headers;
  body?: string;
  constructor(code: string, message: string, cause?: unknown);
}
export declare class PasskeyRegisterError extends PasskeyRequestError {
  constructor(message: string, cause?: unknown);
}
export declare class PasskeyChallengeError extends PasskeyRequestError {
  constructor(message: string, cause?: unknown);
}
export declare class PasskeyGetTokenError extends PasskeyRequestError {
  constructor(message: string, cause?: unknown);
}

/** WebAuthn creation options as the server sends them (base64url strings). */
export interface PasskeyCreationOptions {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: Array<{ type: string; alg: number }>;
  authenticatorSelection?: { residentKey?: string; userVerification?: string };
  timeout?: number;
}
/** WebAuthn request options as the server sends them. */
export interface PasskeyRequestOptions {
  challenge: string;
  rpId: string;
  timeout?: number;
  userVerification?: string;
}
/** A WebAuthn credential serialised for the server. */
export interface PasskeyCredentialResponse {
  id: string;
  rawId: string;
  type: string;
  authenticatorAttachment?: string;
  response: {
    clientDataJSON: string;
    attestationObject?: string;
    authenticatorData?: string;
    signature?: string;
    userHandle?: string;
  };
  clientExtensionResults?: Record<string, unknown>;
}
interface PasskeySignupChallengeBaseOptions {
  name?: string;
  givenName?: string;
  familyName?: string;
  nickname?: string;
  picture?: string;
  userMetadata?: Record<string, string>;
  realm?: string;
  organization?: string;
}
/** At least one of `email`, `phoneNumber`, `username`. */
export type PasskeySignupChallengeOptions = PasskeySignupChallengeBaseOptions &
  (
    | { email: string; phoneNumber?: string; username?: string }
    | { phoneNumber: string; email?: string; username?: string }
    | { username: string; email?: string; phoneNumber?: string }
  );
export interface PasskeySignupChallengeResponse {
  authSession: string;
  authnParamsPublicKey: PasskeyCreationOptions;
}
export interface PasskeyLoginChallengeOptions {
  realm?: string;
  organization?: string;
}
export interface PasskeyLoginChallengeResponse {
  authSession: string;
  authnParamsPublicKey: PasskeyRequestOptions;
}
export type PasskeySignupOptions = PasskeySignupChallengeOptions & { scope?: string; audience?: string };
export type PasskeyLoginOptions = PasskeyLoginChallengeOptions & { scope?: string; audience?: string };
export type PasskeySignupChallenge = { authSession: string; publicKey: PublicKeyCredentialCreationOptions };
export type PasskeyLoginChallenge = { authSession: string; publicKey: PublicKeyCredentialRequestOptions };
export type PasskeyGetTokenOptions = {
  authSession: string;
  credential: PublicKeyCredential;
  realm?: string;
  organization?: string;
  scope?: string;
  audience?: string;
};

/**
 * The `passkey` sub-client of auth0-spa-js (`client.passkey`): `signup` and `login` run the whole
 * flow (challenge, WebAuthn ceremony, token grant stored as a login); the granular methods split it.
 * Rejects with `PasskeyError` (`passkey_not_supported`, `passkey_cancelled`,
 * `passkey_invalid_credential`), `PasskeyRegisterError`, `PasskeyChallengeError`, and for the grant
 * `GenericError` or `MfaRequiredError`, as auth0-spa-js.
 */
export declare class PasskeyApiClient {
  private constructor();
  signup(options: PasskeySignupOptions): Promise<TokenEndpointResponse>;
  login(options?: PasskeyLoginOptions): Promise<TokenEndpointResponse>;
  getSignupChallenge(options: PasskeySignupChallengeOptions): Promise<PasskeySignupChallenge>;
  getLoginChallenge(options?: PasskeyLoginChallengeOptions): Promise<PasskeyLoginChallenge>;
  getTokenWithPasskey(options: PasskeyGetTokenOptions): Promise<TokenEndpointResponse>;
}

// ----------------------------------------------------------------------------------------------
// My Account API and connected accounts

export interface ConnectRequest {
  connection: string;
  scopes?: string[];
  redirect_uri: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: 'S256';
  authorization_params?: AuthorizationParams;
}
export interface ConnectResponse {
  connect_uri: string;
  auth_session: string;
  connect_params: { ticket: string };
  expires_in: number;
}
export interface CompleteRequest {
  auth_session: string;
  connect_code: string;
  redirect_uri: string;
  code_verifier?: string;
}
export interface CompleteResponse {
  id: string;
  connection: string;
  access_type: 'offline';
  scopes?: string[];
  created_at: string;
  expires_at?: string;
}
/** A problem-details answer (RFC 9457) of the My Account API. */
export interface ErrorResponse {
  type: string;
  status: number;
  title: string;
  detail: string;
  validation_errors?: { detail: string; field?: string; pointer?: string; source?: string }[];
}
export declare class MyAccountApiError extends Error {
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly validation_errors?: ErrorResponse['validation_errors'];
  constructor({ type, status, title, detail, validation_errors }: ErrorResponse);
}

export type AuthenticationMethodType =
  | 'passkey'
  | 'password'
  | 'phone'
  | 'totp'
  | 'email'
  | 'push-notification'
  | 'recovery-code'
  | 'webauthn-platform'
  | 'webauthn-roaming';
export interface Factor {
  type: AuthenticationMethodType;
  usage?: ('primary' | 'secondary')[];
}
interface AuthenticationMethodBase {
  id: string;
  created_at: string;
  usage: ('primary' | 'secondary')[];
}
interface AuthenticationMethodWithMetadata extends AuthenticationMethodBase {
  confirmed: boolean;
  name?: string;
  last_auth_at?: string;
}
interface WebAuthnAuthenticationMethodBase extends AuthenticationMethodWithMetadata {
  key_id?: string;
  public_key?: string;
}
export interface PasskeyAuthenticationMethod extends AuthenticationMethodBase {
  type: 'passkey';
  key_id: string;
  public_key: string;
  credential_device_type: 'single_device' | 'multi_device';
  credential_backed_up: boolean;
  identity_user_id: string;
  user_handle: string;
  transports?: string[];
  user_agent?: string;
  aaguid?: string;
  relying_party_id?: string;
  last_auth_at?: string;
}
export interface WebAuthnPlatformAuthenticationMethod extends WebAuthnAuthenticationMethodBase {
  type: 'webauthn-platform';
}
export interface WebAuthnRoamingAuthenticationMethod extends WebAuthnAuthenticationMethodBase {
  type: 'webauthn-roaming';
}
export interface PhoneAuthenticationMethod extends AuthenticationMethodWithMetadata {
  type: 'phone';
  phone_number: string;
  preferred_authentication_method: 'sms' | 'voice';
}
export interface EmailAuthenticationMethod extends AuthenticationMethodWithMetadata {
  type: 'email';
  email: string;
}
export interface PasswordAuthenticationMethod extends AuthenticationMethodBase {
  type: 'password';
  identity_user_id: string;
  last_password_reset?: string;
}
export interface TotpAuthenticationMethod extends AuthenticationMethodWithMetadata {
  type: 'totp';
}
export interface PushNotificationAuthenticationMethod extends AuthenticationMethodWithMetadata {
  type: 'push-notification';
}
export interface RecoveryCodeAuthenticationMethod extends Omit<AuthenticationMethodWithMetadata, 'name'> {
  type: 'recovery-code';
}
export type AuthenticationMethod =
  | PasskeyAuthenticationMethod
  | WebAuthnPlatformAuthenticationMethod
  | WebAuthnRoamingAuthenticationMethod
  | PhoneAuthenticationMethod
  | EmailAuthenticationMethod
  | PasswordAuthenticationMethod
  | TotpAuthenticationMethod
  | PushNotificationAuthenticationMethod
  | RecoveryCodeAuthenticationMethod;
export interface UpdateAuthenticationMethodRequest {
  name?: string;
  preferred_authentication_method?: 'sms' | 'voice';
}

export interface PasskeyEnrollmentChallengeOptions {
  type: 'passkey';
  connection?: string;
  identity_user_id?: string;
}
export interface PhoneEnrollmentChallengeOptions {
  type: 'phone';
  phone_number: string;
  preferred_authentication_method?: 'sms' | 'voice';
}
export interface EmailEnrollmentChallengeOptions {
  type: 'email';
  email: string;
}
export interface TotpEnrollmentChallengeOptions {
  type: 'totp';
}
export interface PushNotificationEnrollmentChallengeOptions {
  type: 'push-notification';
}
export interface RecoveryCodeEnrollmentChallengeOptions {
  type: 'recovery-code';
}
export interface PasswordEnrollmentChallengeOptions {
  type: 'password';
  connection?: string;
  identity_user_id?: string;
}
export type EnrollmentChallengeOptions =
  | PasskeyEnrollmentChallengeOptions
  | PhoneEnrollmentChallengeOptions
  | EmailEnrollmentChallengeOptions
  | TotpEnrollmentChallengeOptions
  | PushNotificationEnrollmentChallengeOptions
  | RecoveryCodeEnrollmentChallengeOptions
  | PasswordEnrollmentChallengeOptions;

interface EnrollmentChallengeBaseResponse {
  id: string;
  location: string;
  auth_session: string;
}
export interface PasskeyEnrollmentChallengeResponse extends EnrollmentChallengeBaseResponse {
  type: 'passkey';
  authn_params_public_key: PasskeyCreationOptions;
}
export interface PhoneEnrollmentChallengeResponse extends EnrollmentChallengeBaseResponse {
  type: 'phone';
}
export interface EmailEnrollmentChallengeResponse extends EnrollmentChallengeBaseResponse {
  type: 'email';
}
export interface TotpEnrollmentChallengeResponse extends EnrollmentChallengeBaseResponse {
  type: 'totp';
  barcode_uri: string;
  manual_input_code?: string;
}
export interface PushNotificationEnrollmentChallengeResponse extends EnrollmentChallengeBaseResponse {
  type: 'push-notification';
  barcode_uri: string;
  manual_input_code?: string;
}
export interface RecoveryCodeEnrollmentChallengeResponse extends EnrollmentChallengeBaseResponse {
  type: 'recovery-code';
  recovery_code: string;
}
export interface PasswordPolicy {
  complexity: {
    min_length: number;
    character_types: ('uppercase' | 'lowercase' | 'number' | 'special')[];
    character_type_rule: 'all' | 'three_of_four';
    identical_characters: 'allow' | 'block';
    sequential_characters: 'allow' | 'block';
    max_length_exceeded: 'truncate' | 'error';
  };
  profile_data: { active: boolean; blocked_fields: string[] };
  history: { active: boolean; size: number };
  dictionary: { active: boolean; default: 'en_10k' | 'en_100k' };
}
export interface PasswordEnrollmentChallengeResponse extends EnrollmentChallengeBaseResponse {
  type: 'password';
  policy: PasswordPolicy;
}
export type EnrollmentChallengeResponse =
  | PasskeyEnrollmentChallengeResponse
  | PhoneEnrollmentChallengeResponse
  | EmailEnrollmentChallengeResponse
  | TotpEnrollmentChallengeResponse
  | PushNotificationEnrollmentChallengeResponse
  | RecoveryCodeEnrollmentChallengeResponse
  | PasswordEnrollmentChallengeResponse;

interface EnrollmentVerifyBaseOptions {
  location: string;
  auth_session: string;
}
export interface PasskeyEnrollmentVerifyOptions extends EnrollmentVerifyBaseOptions {
  type: 'passkey';
  authn_response: PasskeyCredentialResponse;
}
export interface PhoneEnrollmentVerifyOptions extends EnrollmentVerifyBaseOptions {
  type: 'phone';
  otp_code: string;
}
export interface EmailEnrollmentVerifyOptions extends EnrollmentVerifyBaseOptions {
  type: 'email';
  otp_code: string;
}
export interface TotpEnrollmentVerifyOptions extends EnrollmentVerifyBaseOptions {
  type: 'totp';
  otp_code: string;
}
export interface PushNotificationEnrollmentVerifyOptions extends EnrollmentVerifyBaseOptions {
  type: 'push-notification';
}
export interface RecoveryCodeEnrollmentVerifyOptions extends EnrollmentVerifyBaseOptions {
  type: 'recovery-code';
}
export interface PasswordEnrollmentVerifyOptions extends EnrollmentVerifyBaseOptions {
  type: 'password';
  new_password: string;
}
export type EnrollmentVerifyOptions =
  | PasskeyEnrollmentVerifyOptions
  | PhoneEnrollmentVerifyOptions
  | EmailEnrollmentVerifyOptions
  | TotpEnrollmentVerifyOptions
  | PushNotificationEnrollmentVerifyOptions
  | RecoveryCodeEnrollmentVerifyOptions
  | PasswordEnrollmentVerifyOptions;

/**
 * The `myAccount` sub-client (`client.myAccount`): the My Account API at `apiBase` (`{domainUrl}/me/`)
 * through `myAccountFetcher`. Non-2xx answers reject with `MyAccountApiError`.
 */
export declare class MyAccountApiClient {
  private myAccountFetcher;
  private apiBase;
  constructor(myAccountFetcher: Fetcher<Response>, apiBase: string);
  connectAccount(params: ConnectRequest): Promise<ConnectResponse>;
  completeAccount(params: CompleteRequest): Promise<CompleteResponse>;
  getFactors(): Promise<Factor[]>;
  getAuthenticationMethods(type?: AuthenticationMethodType): Promise<AuthenticationMethod[]>;
  getAuthenticationMethod(id: string): Promise<AuthenticationMethod>;
  deleteAuthenticationMethod(id: string): Promise<void>;
  updateAuthenticationMethod(id: string, data: UpdateAuthenticationMethodRequest): Promise<AuthenticationMethod>;
  enrollmentChallenge(options: EnrollmentChallengeOptions): Promise<EnrollmentChallengeResponse>;
  enrollmentVerify(options: EnrollmentVerifyOptions): Promise<AuthenticationMethod>;
}

/** Options of `connectAccountWithRedirect`. */
export interface RedirectConnectAccountOptions<TAppState = any> {
  connection: string;
  scopes?: string[];
  authorization_params?: AuthorizationParams;
  redirectUri?: string;
  appState?: TAppState;
  openUrl?: (url: string) => Promise<void>;
}
/** What `handleRedirectCallback` returns after a connect-account redirect. */
export type ConnectAccountRedirectResult<TAppState = any> = CompleteResponse & {
  appState?: TAppState;
  response_type: ResponseType.ConnectCode;
};

// ----------------------------------------------------------------------------------------------
// Anonymous sessions

export type AnonymousSessionErrorCode =
  | 'session_expired'
  | 'invalid_session_token'
  | 'unauthorized_client'
  | 'feature_not_enabled'
  | 'invalid_client'
  | 'invalid_target'
  | 'invalid_request'
  | 'invalid_scope'
  | 'server_error'
  | string;
export declare class AnonymousSessionError extends Error {
  code: AnonymousSessionErrorCode;
  cause?: { error?: string; error_description?: string; message?: string };
  constructor(code: AnonymousSessionErrorCode, message: string, cause?: unknown);
}
export interface AnonymousSession {
  sessionToken: string;
  accessToken: string;
  expiresAt: number;
  sessionTokenExpiresAt?: number;
  scope?: string;
}
export interface AnonymousSessionClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  exp: number;
  sid: string;
  metadata?: Record<string, string>;
}
export interface CreateAnonymousSessionOptions {
  audience?: string;
  scope?: string;
  metadata?: Record<string, string>;
}
export interface GetAnonymousAccessTokenOptions {
  sessionToken?: string;
  audience?: string;
  scope?: string;
}
export type AnonymousGetTokenSilentlyOptions = Omit<GetAnonymousAccessTokenOptions, 'sessionToken'>;
export type AnonymousTokenResult = { accessToken: string; expiresAt: number; scope?: string };
/** What the low-level AnonymousSessionClient takes (auth0-auth-js's, less the server-only client authentication). */
export interface AnonymousSessionClientOptions {
  /** The tenant's host: requests go to `https://{domain}`. */
  domain: string;
  clientId: string;
  /** Sends the requests instead of `fetch`. */
  customFetch?: typeof fetch;
}
/**
 * The anonymous-session client auth0-spa-js re-exports from @auth0/auth0-auth-js: the requests
 * alone, the caller keeps the session token. Browser apps use `client.anonymous`.
 */
export declare class AnonymousSessionClient {
  constructor(options?: AnonymousSessionClientOptions);
  /** A new session: `POST /anonymous/token` without a session token. */
  createSession(options?: CreateAnonymousSessionOptions): Promise<AnonymousSession>;
  /** A new access token of `sessionToken`'s session, or a new session without one. */
  getAccessToken(options?: GetAnonymousAccessTokenOptions): Promise<AnonymousSession>;
  /** A single-use transfer token (30 s) for a login, or null on any failure. */
  mintTransferToken(sessionToken: string): Promise<string | null>;
  /** Ends the browser's session at the tenant (its `auth0_anon` cookie). */
  logout(): Promise<void>;
}
/** The `anonymous` sub-client of auth0-spa-js (`client.anonymous`). */
export declare class AnonymousSessionApiClient {
  private constructor();
  /** Starts a new anonymous session (optionally with up to 1 KB of `metadata`) and stores it. */
  createSession(options?: CreateAnonymousSessionOptions): Promise<AnonymousSession>;
  /**
   * An access token for `audience` and `scope`: the stored one until 60 s before it expires, then a
   * new one from the session token (a new session when none is stored). `AnonymousSessionError`
   * `session_expired` once the tenant has ended the session, until `createSession()`.
   */
  getTokenSilently(options?: AnonymousGetTokenSilentlyOptions): Promise<AnonymousTokenResult>;
  /** A single-use transfer token for a login; null without a session or on any failure. */
  mintTransferToken(): Promise<string | null>;
  /** Ends the session at the tenant, then removes it here. */
  logout(): Promise<void>;
  /** Whether a session token is stored. */
  hasSession(): boolean;
  /** Always null (the session tokens are opaque), as in auth0-spa-js 2.28.3. */
  getClaims(): null;
}

// ----------------------------------------------------------------------------------------------
// Fetcher

export type ResponseHeaders =
  | Record<string, string | null | undefined>
  | [string, string][]
  | { get(name: string): string | null | undefined };
export type CustomFetchMinimalOutput = { status: number; headers: ResponseHeaders };
export type CustomFetchImpl<TOutput extends CustomFetchMinimalOutput> = (req: Request) => Promise<TOutput>;
export type AuthParams = { scope?: string[]; audience?: string };
export type FetcherConfig<TOutput extends CustomFetchMinimalOutput> = {
  getAccessToken?: (authParams?: AuthParams) => Promise<string | GetTokenSilentlyVerboseResponse | undefined>;
  baseUrl?: string;
  fetch?: CustomFetchImpl<TOutput>;
  dpopNonceId?: string;
};
/** What `createFetcher()` returns: a `fetch` that adds the client's access token. */
export interface Fetcher<TOutput extends CustomFetchMinimalOutput> {
  fetchWithAuth(info: RequestInfo | URL, init?: RequestInit, authParams?: AuthParams): Promise<TOutput>;
}

// ----------------------------------------------------------------------------------------------
// Enterprise Connect

export type TelemetryConfig = { enabled: false } | ({ enabled?: true } & { name: string; version: string });
export interface IsFederatedDomainOptions {
  customFetch?: typeof fetch;
  telemetry?: TelemetryConfig;
}
/**
 * Whether `emailDomain` is set up for enterprise SSO at the tenant (WebFinger discovery). A
 * routing hint: resolves to false on any failure, never rejects.
 */
export declare function isFederatedDomain(
  auth0Domain: string,
  emailDomain: string,
  options?: IsFederatedDomainOptions
): Promise<boolean>;
