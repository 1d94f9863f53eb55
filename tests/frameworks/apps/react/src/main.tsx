// The React test app (tests/frameworks/README.md): written for @auth0/auth0-react. The test builds
// it twice with Vite, as it is (on auth0-spa-wasm/react) and with its import line changed to
// @auth0/auth0-react, and runs the same login, renewal and logout on both. It is also
// type-checked against both packages (tests/types/tsconfig.react*.json).
import { Component, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  Auth0Provider,
  useAuth0,
  withAuth0,
  withAuthenticationRequired,
  type AppState,
  type User,
  type WithAuth0Props
} from 'auth0-spa-wasm/react';
import { domain, clientId } from './config.js';

/** The app's state for the test: data-state is loading, ready or failed. */
function Status() {
  const { isLoading, isAuthenticated, error } = useAuth0();
  const state = error ? 'failed' : isLoading ? 'loading' : 'ready';
  const text = error ? `${error.name}: ${error.message}` : isLoading ? 'loading' : isAuthenticated ? 'signed in' : 'signed out';
  return (
    <p id="status" data-state={state}>
      {text}
    </p>
  );
}

/** A class component reading the user through withAuth0. */
class Greeting extends Component<WithAuth0Props> {
  render() {
    const { user } = this.props.auth0;
    return <p id="name">{user ? `Hello, ${user.name}` : ''}</p>;
  }
}
const GreetingWithAuth0 = withAuth0(Greeting);

interface MyUser extends User {
  email?: string;
}

function Profile() {
  const { user, getAccessTokenSilently, logout } = useAuth0<MyUser>();
  const [token, setToken] = useState('');
  const [count, setCount] = useState(0);
  const [failure, setFailure] = useState('');
  const renew = async () => {
    try {
      const t = await getAccessTokenSilently();
      setToken(t ?? '');
      setCount((n) => n + 1);
    } catch (e) {
      setFailure(String(e));
    }
  };
  return (
    <section id="profile">
      <p id="email">{user?.email}</p>
      <GreetingWithAuth0 />
      <button id="renew" type="button" onClick={renew}>
        Get a token
      </button>
      <p id="token" data-count={count}>
        {token}
      </p>
      <p id="failure">{failure}</p>
      <button id="logout" type="button" onClick={() => logout({ logoutParams: { returnTo: window.location.origin } })}>
        Log out
      </button>
    </section>
  );
}

const ProtectedProfile = withAuthenticationRequired(Profile, {
  onRedirecting: () => <p id="redirecting">Redirecting to the login page</p>
});

function Home() {
  const { loginWithRedirect } = useAuth0();
  return (
    <section id="home">
      <button id="login" type="button" onClick={() => loginWithRedirect({ appState: { returnTo: '/profile' } })}>
        Log in
      </button>
    </section>
  );
}

function App() {
  useAuth0(); // re-render on every auth change: the page is chosen from the path
  return (
    <>
      <Status />
      {window.location.pathname === '/profile' ? <ProtectedProfile /> : <Home />}
    </>
  );
}

const onRedirectCallback = (appState?: AppState) => {
  window.history.replaceState({}, document.title, appState?.returnTo ?? window.location.pathname);
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Auth0Provider
      domain={domain}
      clientId={clientId}
      authorizationParams={{ redirect_uri: window.location.origin }}
      useRefreshTokens={true}
      cacheLocation="localstorage"
      onRedirectCallback={onRedirectCallback}
    >
      <App />
    </Auth0Provider>
  </StrictMode>
);
