// A small single-page app written the way an @auth0/auth0-spa-js v2 user writes it. It is
// type-checked twice: against auth0-spa-wasm's declarations (tsconfig.json) and against the real
// @auth0/auth0-spa-js typings (tsconfig.auth0.json). Both must pass: the first proves our types
// accept an auth0-spa-js app unchanged, the second proves the sample is a genuine one.
// Nothing here runs; `tsc --noEmit` only.
import {
  Auth0Client,
  AuthenticationError,
  CacheKey,
  MfaApiClient,
  RefreshTokenMode,
  createAuth0Client,
  GenericError,
  InMemoryCache,
  LocalStorageCache,
  MfaRequiredError,
  MfaVerifyError,
  MissingRefreshTokenError,
  PasskeyApiClient,
  PasskeyChallengeError,
  PasskeyError,
  PasskeyRegisterError,
  PopupCancelledError,
  PopupOpenError,
  PopupTimeoutError,
  TimeoutError,
  User
} from 'auth0-spa-wasm';
import type {
  Auth0ClientOptions,
  AuthorizationParams,
  CacheLocation,
  Cacheable,
  GetTokenSilentlyOptions,
  GetTokenSilentlyVerboseResponse,
  GetTokenWithPopupOptions,
  ICache,
  IdToken,
  LogoutOptions,
  LogoutUrlOptions,
  PopupConfigOptions,
  PopupLoginOptions,
  RedirectLoginOptions,
  TokenEndpointResponse
} from 'auth0-spa-wasm';

interface MyUser extends User {
  name: string;
  email: string;
  'https://example.com/roles'?: string[];
}

interface AppState {
  returnTo: string;
  cart?: { items: number };
}

const cacheLocation: CacheLocation = 'localstorage';

const authorizationParams: AuthorizationParams = {
  redirect_uri: window.location.origin,
  audience: 'https://api.example.com',
  scope: 'openid profile email read:orders',
  ui_locales: 'fr-CA',
  custom_param: 'forwarded verbatim'
};

const options = {
  domain: 'tenant.eu.auth0.com',
  clientId: 'abc123',
  cacheLocation,
  useRefreshTokens: true,
  useRefreshTokensFallback: false,
  authorizeTimeoutInSeconds: 30,
  leeway: 30,
  authorizationParams
} satisfies Auth0ClientOptions;

// A custom cache, as in auth0-spa-js's docs: sync and async methods are both allowed.
class SessionStorageCache implements ICache {
  set<T = Cacheable>(key: string, entry: T): void {
    sessionStorage.setItem(key, JSON.stringify(entry));
  }
  async get<T = Cacheable>(key: string): Promise<T | undefined> {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  }
  remove(key: string): void {
    sessionStorage.removeItem(key);
  }
  allKeys(): string[] {
    return Object.keys(sessionStorage);
  }
}

// The MFA API client: list, enroll, challenge and verify after an mfa_required renewal.
async function completeMfa(auth0: Auth0Client, mfaToken: string): Promise<void> {
  const factors = await auth0.mfa.getEnrollmentFactors(mfaToken);
  const authenticators = await auth0.mfa.getAuthenticators(mfaToken);
  if (authenticators.length === 0 && factors.some((f) => f.type === 'phone')) {
    const enrolled = await auth0.mfa.enroll({ mfaToken, factorType: 'sms', phoneNumber: '+15550100' });
    if (enrolled.authenticatorType === 'oob') {
      const tokens: TokenEndpointResponse = await auth0.mfa.verify({ mfaToken, oobCode: enrolled.oobCode, bindingCode: '123456' });
      console.log(tokens.access_token, enrolled.oobChannel);
    }
    return;
  }
  const otp = authenticators.find((a) => a.authenticatorType === 'otp' && a.active);
  const challenge = await auth0.mfa.challenge({ mfaToken, challengeType: 'otp', authenticatorId: otp?.id });
  try {
    const tokens = await auth0.mfa.verify({ mfaToken, otp: '123456' });
    console.log(challenge.challengeType, challenge.oobCode, tokens.id_token, tokens.expires_in);
  } catch (err) {
    if (err instanceof MfaVerifyError) console.log(err.error, err.error_description);
    await auth0.mfa.verify({ mfaToken, recoveryCode: 'ABCD-EFGH' });
  }
  auth0.mfa.setMFAAuthDetails(mfaToken, 'openid profile', 'https://api.example.com');
}

// Passkeys: sign up, log in, and the granular flow with the app's own WebAuthn call.
async function passkeys(auth0: Auth0Client): Promise<void> {
  try {
    const signedUp: TokenEndpointResponse = await auth0.passkey.signup({ email: 'jane@example.com', name: 'Jane', realm: 'Username-Password-Authentication', scope: 'read:orders', audience: 'https://api.example.com' });
    console.log(signedUp.access_token, (await auth0.getUser())?.email);
    const loggedIn = await auth0.passkey.login({ organization: 'org_123' });
    console.log(loggedIn.id_token, await auth0.passkey.login());
  } catch (err) {
    if (err instanceof PasskeyError) console.log(err.code, err.cause?.error);
    if (err instanceof PasskeyRegisterError || err instanceof PasskeyChallengeError) console.log(err.code, err.message);
  }
  const { authSession, publicKey } = await auth0.passkey.getLoginChallenge({ realm: 'Username-Password-Authentication' });
  const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
  const tokens = await auth0.passkey.getTokenWithPasskey({ authSession, credential, audience: 'https://api.example.com' });
  const signup = await auth0.passkey.getSignupChallenge({ username: 'jane' });
  console.log(tokens.expires_in, signup.publicKey.challenge, auth0.passkey instanceof PasskeyApiClient);
}

async function main(): Promise<void> {
  const auth0 = await createAuth0Client(options);

  // Other ways to configure the client.
  const second = new Auth0Client({ domain: 'tenant.eu.auth0.com', clientId: 'abc123', cache: new LocalStorageCache() });
  const third = new Auth0Client({ ...options, cache: new InMemoryCache().enclosedCache, nowProvider: () => Date.now() });
  const fourth = new Auth0Client({ ...options, cache: new SessionStorageCache() });
  const config: Readonly<{ domain: string; clientId: string }> = second.getConfiguration();
  console.log(config.domain, third, fourth);

  // Coming back from /authorize.
  if (location.search.includes('code=') && location.search.includes('state=')) {
    try {
      const { appState } = await auth0.handleRedirectCallback<AppState>();
      const target = appState?.returnTo ?? '/';
      history.replaceState({}, document.title, target);
    } catch (e) {
      if (e instanceof AuthenticationError) {
        console.error(e.error, e.error_description, e.state, e.appState);
      } else if (e instanceof GenericError && e.error === 'state_mismatch') {
        console.error('stale callback', e.message);
      }
    }
  }
  const explicit = await auth0.handleRedirectCallback('https://app.example.com/callback?code=x&state=y');
  console.log(explicit.appState);

  // Login.
  const redirectOptions: RedirectLoginOptions<AppState> = {
    appState: { returnTo: '/orders', cart: { items: 2 } },
    authorizationParams: { screen_hint: 'signup', prompt: 'login' }
  };
  document.getElementById('login')?.addEventListener('click', () => auth0.loginWithRedirect(redirectOptions));
  await auth0.loginWithRedirect({
    fragment: 'section',
    async openUrl(url) {
      window.location.replace(url);
    }
  });

  document.getElementById('popup')?.addEventListener('click', async () => {
    const popupOptions: PopupLoginOptions = { authorizationParams: { connection: 'github' } };
    const popupConfig: PopupConfigOptions = { timeoutInSeconds: 120 };
    try {
      await auth0.loginWithPopup(popupOptions, popupConfig);
    } catch (e) {
      if (e instanceof PopupOpenError) alert('Please allow popups');
      else if (e instanceof PopupCancelledError) console.log('closed', e.popup);
      else if (e instanceof PopupTimeoutError) e.popup.close();
    }
  });

  // Tokens.
  const token = await auth0.getTokenSilently();
  if (token) {
    await fetch('/api/orders', { headers: { Authorization: `Bearer ${token}` } });
  }
  const silentOptions: GetTokenSilentlyOptions = {
    cacheMode: 'off',
    authorizationParams: { audience: 'https://api.example.com', scope: 'read:orders' },
    timeoutInSeconds: 10
  };
  const maybeToken: string | undefined = await auth0.getTokenSilently(silentOptions);
  const cached: string | undefined = await auth0.getTokenSilently({ cacheMode: 'cache-only' });
  const verbose = await auth0.getTokenSilently({ detailedResponse: true });
  if (verbose) {
    const v: GetTokenSilentlyVerboseResponse = verbose;
    console.log(v.access_token, v.id_token, v.expires_in, v.token_type, v.scope, maybeToken, cached);
  }
  // @ts-expect-error the detailed overload does not resolve to a string
  const wrong: string | undefined = await auth0.getTokenSilently({ detailedResponse: true });
  console.log(wrong);

  try {
    await auth0.getTokenSilently({ authorizationParams: { audience: 'https://other.example.com' } });
  } catch (e) {
    if (e instanceof GenericError && e.error === 'login_required') {
      await auth0.loginWithRedirect();
    } else if (e instanceof GenericError && e.error === 'consent_required') {
      const popupToken: string | undefined = await auth0.getTokenWithPopup(
        { authorizationParams: { audience: 'https://other.example.com' } } satisfies GetTokenWithPopupOptions
      );
      console.log(popupToken);
    } else if (e instanceof MissingRefreshTokenError) {
      console.log(e.audience, e.scope);
    } else if (e instanceof MfaRequiredError) {
      console.log(e.mfa_token, e.mfa_requirements.challenge?.map((c) => c.type));
      await completeMfa(auth0, e.mfa_token);
    } else if (e instanceof TimeoutError) {
      console.log('timeout', e.error === 'timeout');
    } else {
      throw e;
    }
  }

  // The user.
  const isAuthenticated: boolean = await auth0.isAuthenticated();
  const user = await auth0.getUser<MyUser>();
  if (isAuthenticated && user) {
    const name: string = user.name;
    const roles = user['https://example.com/roles'] ?? [];
    console.log(name, user.email, roles, user.sub, user.picture);
  }
  const anyUser: User | undefined = await auth0.getUser();
  const claims: IdToken | undefined = await auth0.getIdTokenClaims();
  console.log(anyUser?.email_verified, claims?.__raw, claims?.exp, claims?.org_id);
  await auth0.checkSession();
  await auth0.checkSession({ cacheMode: 'off' });

  // Logout.
  await auth0.logout({ logoutParams: { returnTo: window.location.origin } });
  await auth0.logout({ logoutParams: { returnTo: window.location.origin, federated: true }, clientId: null });
  await auth0.logout({ openUrl: false });
  const exchanged: TokenEndpointResponse = await auth0.loginWithCustomTokenExchange({ subject_token: 't', subject_token_type: 'urn:x', audience: 'https://api' });
  const plain = await auth0.customTokenExchange({ subject_token: 't', subject_token_type: 'urn:x', actor_token: 'a', actor_token_type: 'urn:y', custom: 1 });
  console.log(exchanged.access_token, plain.expires_in, (await auth0.exchangeToken({ subject_token: 't', subject_token_type: 'urn:x' })).token_type);
  await auth0.revokeRefreshToken();
  await auth0.revokeRefreshToken({ audience: 'https://api.example.com' });
  const fetcher = auth0.createFetcher({ baseUrl: 'https://api.example.com/v1/' });
  const orders: Response = await fetcher.fetchWithAuth('orders', { method: 'POST', body: '{}' }, { audience: 'https://api.example.com', scope: ['read:orders'] });
  const custom = auth0.createFetcher<Response>({
    fetch: (req: Request) => fetch(req),
    getAccessToken: async () => (await auth0.getTokenSilently({ detailedResponse: true })) ?? undefined
  });
  console.log(orders.status, (await custom.fetchWithAuth(new URL('https://api.example.com/me'))).ok);
  const mrrt = new Auth0Client({ domain: 'd', clientId: 'c', useRefreshTokens: true, useMrrt: true, interactiveErrorHandler: 'popup', sessionTransferTokenQueryParamName: 'session_transfer_token' });
  const online = new Auth0Client({ domain: 'd', clientId: 'c', useRefreshTokens: true, useDpop: true, refreshTokenMode: RefreshTokenMode.Online });
  const nonce: string | undefined = await online.getDpopNonce();
  await online.setDpopNonce('n', 'my-api');
  const proof: string = await online.generateDpopProof({ url: 'https://api.example.com/x', method: 'GET', nonce, accessToken: 'at' });
  const dpopFetcher = online.createFetcher({ dpopNonceId: 'my-api', baseUrl: 'https://api.example.com' });
  console.log(proof, (await dpopFetcher.fetchWithAuth('/x')).status, new CacheKey({ clientId: 'c', audience: 'default', scope: 'openid' }).toKey());
  console.log(CacheKey.fromKey('@@auth0spajs@@::c::default::openid').scope, online.mfa instanceof MfaApiClient);
  console.log(await mrrt.getTokenSilently({ authorizationParams: { audience: 'https://other.example.com' } }));
  const logoutOptions: LogoutOptions = {
    openUrl: (url) => {
      window.location.replace(url);
    }
  };
  const urlOptions: LogoutUrlOptions = { clientId: 'abc123' };
  await auth0.logout({ ...logoutOptions, ...urlOptions });

  // Errors are constructible and keep auth0-spa-js's fields.
  const generic = GenericError.fromPayload({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
  const missing = new MissingRefreshTokenError('default', 'openid offline_access');
  console.log(generic.error_description, missing.message);
  await passkeys(auth0);
}

main().catch((e: unknown) => console.error(e));
