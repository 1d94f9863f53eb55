// A TypeScript React app written the way an @auth0/auth0-react 2.x user writes it, with its imports
// switched to this package. It is type-checked twice: against auth0-spa-wasm/react's declarations
// (tsconfig.react.json) and, with the same import lines resolved to the real @auth0/auth0-react
// and @auth0/auth0-spa-js (tsconfig.react.official.json), against theirs. Both must pass: the first
// proves an auth0-react app type-checks after changing only its import lines, the second that the
// sample is a genuine auth0-react app. Nothing here runs; `tsc --noEmit` only.
import { Component, createContext, Suspense, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import {
  Auth0Context,
  Auth0Provider,
  AuthenticationError,
  GenericError,
  InMemoryCache,
  LocalStorageCache,
  MfaRequiredError,
  MissingRefreshTokenError,
  OAuthError,
  PopupCancelledError,
  PopupOpenError,
  PopupTimeoutError,
  TimeoutError,
  initialContext,
  useAuth0,
  useAuth0Suspense,
  useEnterpriseConnect,
  withAuth0,
  withAuthenticationRequired
} from 'auth0-spa-wasm/react';
import type {
  AppState,
  Auth0ContextInterface,
  Auth0ProviderOptions,
  AuthorizationParams,
  CacheLocation,
  GetTokenSilentlyOptions,
  IdToken,
  LogoutOptions,
  RedirectLoginOptions,
  User,
  WithAuth0Props,
  WithAuthenticationRequiredOptions
} from 'auth0-spa-wasm/react';
import { Auth0Client } from 'auth0-spa-wasm';

interface MyUser extends User {
  email?: string;
  'https://example.com/roles'?: string[];
}

const cacheLocation: CacheLocation = 'localstorage';
const authorizationParams: AuthorizationParams = {
  redirect_uri: window.location.origin,
  audience: 'https://api.example.com',
  scope: 'openid profile email read:orders'
};

// ------------------------------------------------------------------------------------------------
// Components

function LoginButton() {
  const { loginWithRedirect, loginWithPopup, isLoading } = useAuth0();
  const options: RedirectLoginOptions<AppState> = {
    appState: { returnTo: '/orders', extra: 1 },
    authorizationParams: { screen_hint: 'signup', ui_locales: 'fr' }
  };
  return (
    <>
      <button disabled={isLoading} onClick={() => loginWithRedirect(options)}>
        Log in
      </button>
      <button onClick={() => loginWithPopup({ authorizationParams: { prompt: 'login' } }, { timeoutInSeconds: 30 })}>Popup</button>
    </>
  );
}

function LogoutButton() {
  const { logout } = useAuth0();
  const options: LogoutOptions = { logoutParams: { returnTo: window.location.origin, federated: false } };
  return <button onClick={() => logout(options)}>Log out</button>;
}

function Orders() {
  const { user, isAuthenticated, error, getAccessTokenSilently, getAccessTokenWithPopup, getIdTokenClaims } =
    useAuth0<MyUser>();
  const [orders, setOrders] = useState<string[]>([]);
  useEffect(() => {
    (async () => {
      const options: GetTokenSilentlyOptions = { authorizationParams: { audience: 'https://api.example.com', scope: 'read:orders' } };
      try {
        const token: string | undefined = await getAccessTokenSilently(options);
        const detailed = await getAccessTokenSilently({ detailedResponse: true, cacheMode: 'off' });
        const expiresIn: number | undefined = detailed?.expires_in;
        const claims: IdToken | undefined = await getIdTokenClaims();
        const res = await fetch('/api/orders', { headers: { Authorization: `Bearer ${token}` } });
        setOrders((await res.json()) as string[]);
        console.log(expiresIn, claims?.__raw, claims?.org_id);
      } catch (e) {
        if (e instanceof MissingRefreshTokenError) console.log(e.audience, e.scope);
        else if (e instanceof MfaRequiredError) console.log(e.mfa_token, e.mfa_requirements?.challenge);
        else if (e instanceof OAuthError) console.log(e.error, e.error_description);
        else if (e instanceof GenericError && e.error === 'login_required') {
          await getAccessTokenWithPopup({ authorizationParams: { audience: 'https://api.example.com' } });
        }
      }
    })();
  }, [getAccessTokenSilently, getAccessTokenWithPopup, getIdTokenClaims]);
  if (error) return <p>{error.message}</p>;
  if (!isAuthenticated || !user) return null;
  const roles: string[] = user['https://example.com/roles'] ?? [];
  return (
    <ul title={`${user.name} ${user.email} ${roles.join(',')}`}>
      {orders.map((o) => (
        <li key={o}>{o}</li>
      ))}
    </ul>
  );
}

const guard: WithAuthenticationRequiredOptions = {
  returnTo: () => window.location.hash.slice(1),
  onRedirecting: () => <p>Redirecting…</p>,
  onBeforeAuthentication: async () => console.log('login'),
  loginOptions: { appState: { cart: 3 } }
};
const ProtectedOrders = withAuthenticationRequired(Orders, guard);

class Profile extends Component<WithAuth0Props & { heading: string }> {
  render(): ReactNode {
    const { user, isAuthenticated } = this.props.auth0;
    return isAuthenticated ? <h2>{`${this.props.heading} ${user?.name}`}</h2> : null;
  }
}
const ProfileWithAuth0 = withAuth0(Profile);

function SuspenseProfile() {
  const { user } = useAuth0Suspense<MyUser>();
  return <p>{user?.email}</p>;
}

function EnterpriseLogin({ email }: { email: string }) {
  const { isFederatedDomain, loginWithSSO } = useEnterpriseConnect();
  return (
    <button
      onClick={async () => {
        if (await isFederatedDomain(email.split('@')[1])) await loginWithSSO(email);
      }}
    >
      SSO
    </button>
  );
}

function Diagnostics() {
  const auth = useAuth0();
  const config = auth.getConfiguration();
  return <p>{`${config.domain} ${config.clientId}`}</p>;
}

// Errors an app may meet, all from the same module.
export function explain(e: unknown): string {
  if (e instanceof PopupTimeoutError) return `timeout ${e.popup.closed}`;
  if (e instanceof PopupCancelledError) return 'cancelled';
  if (e instanceof PopupOpenError) return 'blocked';
  if (e instanceof TimeoutError) return e.error;
  if (e instanceof AuthenticationError) return `${e.state} ${JSON.stringify(e.appState)}`;
  return String(e);
}

// A second provider with its own context.
const OtherContext = createContext<Auth0ContextInterface<User>>(initialContext);
function OtherUser() {
  const { user } = useAuth0(OtherContext);
  return <p>{user?.sub}</p>;
}

// ------------------------------------------------------------------------------------------------
// Providers

const onRedirectCallback = (appState?: AppState, user?: User) => {
  window.history.replaceState({}, document.title, appState?.returnTo ?? window.location.pathname);
  console.log(user?.sub);
};

const providerOptions: Auth0ProviderOptions = {
  domain: 'tenant.eu.auth0.com',
  clientId: 'abc123',
  authorizationParams,
  cacheLocation,
  useRefreshTokens: true,
  cache: new LocalStorageCache(),
  onRedirectCallback,
  skipRedirectCallback: window.location.pathname === '/stripe-oauth-callback'
};

const client = new Auth0Client({ domain: 'tenant.eu.auth0.com', clientId: 'other', cache: new InMemoryCache().enclosedCache });

function Providers({ children }: { children?: ReactNode }) {
  return (
    <Auth0Provider {...providerOptions}>
      <Auth0Provider client={client} context={OtherContext}>
        {children}
      </Auth0Provider>
    </Auth0Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <Providers>
    <Auth0Context.Consumer>{(auth) => <p>{auth.isLoading ? 'loading' : 'ready'}</p>}</Auth0Context.Consumer>
    <LoginButton />
    <LogoutButton />
    <ProtectedOrders />
    <ProfileWithAuth0 heading="Hello" />
    <Suspense fallback={<p>…</p>}>
      <SuspenseProfile />
    </Suspense>
    <EnterpriseLogin email="a@corp.example" />
    <Diagnostics />
    <OtherUser />
  </Providers>
);
