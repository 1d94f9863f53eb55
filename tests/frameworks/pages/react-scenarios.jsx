// Scenarios for react-behaviour.test.mjs: each mounts a React tree on the wrapper under test
// ('WRAPPER': auth0-spa-wasm/react or @auth0/auth0-react, chosen when the page is bundled) with a
// scripted fake client passed as <Auth0Provider client={…}>, drives it, and returns a trace: the
// distinct states the components saw, the client calls, and what the app got back. The test runs
// every scenario on both wrappers and compares the traces.
import * as W from 'WRAPPER';
import { Auth0Client as PackageClient } from 'auth0-spa-wasm';
import { Component, Suspense, createContext, useEffect, useRef } from 'react';
import { createRoot } from 'react-dom/client';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(5);
  }
}

/** A JSON-safe picture of a value (errors by class and fields; functions dropped). */
function picture(v) {
  if (v instanceof Error) {
    const cls = v instanceof W.OAuthError ? 'OAuthError' : v instanceof W.GenericError ? 'GenericError' : v.constructor === Error ? 'Error' : 'other Error';
    const out = { cls, message: v.message };
    for (const k of ['error', 'error_description']) if (k in v) out[k] = v[k];
    return out;
  }
  if (typeof v === 'function') return '<function>';
  if (Array.isArray(v)) return v.map(picture);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x !== 'function').map(([k, x]) => [k, picture(x)]));
  return v === undefined ? '<undefined>' : v;
}

/** A fake Auth0Client: every method records its call and runs its scripted implementation. */
function fakeClient(script) {
  const calls = [];
  const client = { calls };
  const defaults = {
    checkSession: async () => {},
    getUser: async () => undefined,
    getIdTokenClaims: async () => ({ __raw: 'raw', sub: 'u1' }),
    getConfiguration: () => ({ domain: 'tenant.example.com', clientId: 'cid' }),
    loginWithRedirect: async () => {},
  };
  for (const [name, impl] of Object.entries({ ...defaults, ...script })) {
    client[name] = (...args) => {
      calls.push([name, ...args.map(picture)]);
      return impl(...args);
    };
  }
  return client;
}

/** Records each distinct state the component sees. */
function Probe({ log, context, expose }) {
  const ctx = W.useAuth0(context);
  if (expose) expose.current = ctx;
  const snap = JSON.stringify({
    isLoading: ctx.isLoading,
    isAuthenticated: ctx.isAuthenticated,
    user: ctx.user ? ctx.user.sub : null,
    error: ctx.error ? picture(ctx.error) : null,
  });
  if (log[log.length - 1] !== snap) log.push(snap);
  return null;
}

async function mount(element) {
  const div = document.createElement('div');
  document.body.append(div);
  const root = createRoot(div);
  root.render(element);
  await tick();
  return { div, unmount: () => { root.unmount(); div.remove(); } };
}

/** Mounts a provider with a probe; resolves when loading ended; returns helpers. */
async function start(client, props = {}) {
  const log = [];
  const ctx = { current: null };
  const m = await mount(
    <W.Auth0Provider client={client} {...props}>
      <Probe log={log} expose={ctx} />
    </W.Auth0Provider>
  );
  await until('loading to end', () => ctx.current && !ctx.current.isLoading);
  await tick(10);
  return { log, ctx, m };
}

async function outcome(promise) {
  try {
    return { ok: picture(await promise) };
  } catch (e) {
    return { failed: picture(e) };
  }
}

function withUrl(search, fn) {
  return async () => {
    const before = location.pathname + location.search;
    history.replaceState({}, '', `/page${search}`);
    try {
      return await fn();
    } finally {
      history.replaceState({}, '', before);
    }
  };
}

const user = (sub) => ({ sub, name: `name of ${sub}` });

export const SCENARIOS = {
  'start without a callback: checkSession, then getUser': async () => {
    const client = fakeClient({ getUser: async () => user('u1') });
    const { log, m } = await start(client);
    m.unmount();
    return { log, calls: client.calls };
  },

  'start with nobody signed in': async () => {
    const client = fakeClient({});
    const { log, m } = await start(client);
    m.unmount();
    return { log, calls: client.calls };
  },

  'start on a callback URL: handleRedirectCallback, getUser, onRedirectCallback(appState + response_type, user)': withUrl('?code=abc&state=xyz', async () => {
    const client = fakeClient({
      handleRedirectCallback: async () => ({ appState: { returnTo: '/orders', n: 1 }, response_type: 'code' }),
      getUser: async () => user('u2'),
    });
    const seen = [];
    const { log, m } = await start(client, { onRedirectCallback: (appState, u) => seen.push(picture([appState, u])) });
    m.unmount();
    return { log, calls: client.calls, onRedirectCallback: seen };
  }),

  'start on a callback without appState: the default onRedirectCallback replaces the URL with the path': withUrl('?code=abc&state=xyz', async () => {
    const client = fakeClient({ handleRedirectCallback: async () => ({ response_type: 'code' }), getUser: async () => user('u2') });
    const { log, m } = await start(client);
    const url = location.pathname + location.search;
    m.unmount();
    return { log, calls: client.calls, url };
  }),

  'start on a callback with appState.returnTo: the default onRedirectCallback goes there': withUrl('?code=abc&state=xyz', async () => {
    const client = fakeClient({ handleRedirectCallback: async () => ({ appState: { returnTo: '/back?x=1' }, response_type: 'code' }), getUser: async () => user('u2') });
    const { m } = await start(client);
    const url = location.pathname + location.search;
    m.unmount();
    return { url };
  }),

  'start on an error callback (error=, state=) that rejects with an OAuth payload: OAuthError': withUrl('?error=access_denied&state=xyz', async () => {
    const client = fakeClient({ handleRedirectCallback: async () => { throw { error: 'access_denied', error_description: 'User did not authorize' }; } });
    const { log, m } = await start(client);
    m.unmount();
    return { log, calls: client.calls };
  }),

  'start on code= without state=: not a callback': withUrl('?code=abc', async () => {
    const client = fakeClient({});
    const { m } = await start(client);
    m.unmount();
    return { calls: client.calls.map((c) => c[0]) };
  }),

  'skipRedirectCallback: checkSession even on a callback URL': withUrl('?code=abc&state=xyz', async () => {
    const client = fakeClient({ getUser: async () => user('u3') });
    const { log, m } = await start(client, { skipRedirectCallback: true });
    m.unmount();
    return { log, calls: client.calls };
  }),

  'start fails: an Error stays that Error, a payload without a description, anything else is "Login failed"': async () => {
    const out = [];
    for (const thrown of [new W.GenericError('login_required', 'Login required'), { error: 'bad' }, 'a string', null]) {
      const client = fakeClient({ checkSession: async () => { throw thrown; } });
      const { log, m } = await start(client);
      m.unmount();
      out.push(log);
    }
    return out;
  },

  'getAccessTokenSilently: the token, the client\'s errors normalised, and the user re-read every time': async () => {
    let n = 0;
    const results = [
      async () => 'token-1',
      async () => { throw new W.GenericError('login_required', 'Login required'); },
      async () => { throw { error: 'consent_required', error_description: 'Consent required' }; },
      async () => { throw 42; },
      async () => ({ access_token: 'at', id_token: 'it', expires_in: 10 }),
    ];
    const users = [user('u1'), user('u1'), user('u4'), undefined, undefined, user('u5')];
    let u = 0;
    const client = fakeClient({ getUser: async () => users[Math.min(u++, users.length - 1)], getTokenSilently: (o) => results[n++](o) });
    const { log, ctx, m } = await start(client);
    const got = [];
    got.push(await outcome(ctx.current.getAccessTokenSilently({ authorizationParams: { audience: 'api' } })));
    for (let i = 1; i < results.length; i++) {
      got.push(await outcome(ctx.current.getAccessTokenSilently(i === 4 ? { detailedResponse: true } : undefined)));
      await tick(10);
    }
    m.unmount();
    return { log, calls: client.calls, got };
  },

  'getAccessTokenWithPopup, getIdTokenClaims, getConfiguration and handleRedirectCallback through the context': async () => {
    const client = fakeClient({
      getUser: async () => user('u1'),
      getTokenWithPopup: async () => 'popup-token',
      handleRedirectCallback: async (url) => ({ appState: { from: url }, response_type: 'code' }),
    });
    const { ctx, m } = await start(client);
    const got = [
      await outcome(ctx.current.getAccessTokenWithPopup({ authorizationParams: { audience: 'a' } }, { timeoutInSeconds: 5 })),
      await outcome(ctx.current.getIdTokenClaims()),
      await outcome(Promise.resolve(ctx.current.getConfiguration())),
      await outcome(ctx.current.handleRedirectCallback('http://x/?code=1&state=2')),
    ];
    m.unmount();
    return { calls: client.calls, got };
  },

  'loginWithPopup: loading while it runs, then the user; a failure lands in error': async () => {
    let release;
    let fail = false;
    let signedIn = false;
    const client = fakeClient({
      getUser: async () => (signedIn ? user('p1') : undefined),
      loginWithPopup: () => new Promise((resolve, reject) => { release = () => (fail ? reject({ error: 'cancelled' }) : (signedIn = true, resolve())); }),
    });
    const { log, ctx, m } = await start(client);
    const first = ctx.current.loginWithPopup({ authorizationParams: { prompt: 'login' } }, { timeoutInSeconds: 9 });
    await until('loading', () => ctx.current.isLoading);
    release();
    const r1 = await outcome(first);
    await tick(10);
    signedIn = false;
    fail = true;
    const second = ctx.current.loginWithPopup();
    await until('loading', () => ctx.current.isLoading);
    release();
    const r2 = await outcome(second);
    await tick(10);
    m.unmount();
    return { log, calls: client.calls, r1, r2 };
  },

  'logout: with openUrl (or openUrl: false) the state says signed out; a navigating logout leaves it': async () => {
    const client = fakeClient({ getUser: async () => user('u1'), logout: async () => {} });
    const { log, ctx, m } = await start(client);
    await ctx.current.logout({ logoutParams: { returnTo: 'http://x' } });
    await tick(10);
    const afterNavigating = ctx.current.isAuthenticated;
    await ctx.current.logout({ openUrl: false });
    await tick(10);
    m.unmount();
    return { log, calls: client.calls, afterNavigating };
  },

  'loginWithRedirect passes its options, moving the deprecated redirectUri': async () => {
    const client = fakeClient({});
    const { ctx, m } = await start(client);
    const warn = console.warn;
    const warnings = [];
    console.warn = (msg) => warnings.push(msg);
    try {
      await ctx.current.loginWithRedirect({ appState: { returnTo: '/a' }, authorizationParams: { screen_hint: 'signup' } });
      await ctx.current.loginWithRedirect({ redirectUri: 'http://cb' });
    } finally {
      console.warn = warn;
    }
    m.unmount();
    return { calls: client.calls.filter((c) => c[0] === 'loginWithRedirect'), warnings };
  },

  'the client\'s newer methods are handed through: createFetcher, DPoP, token exchange, connect, revoke, sub-clients': async () => {
    const client = fakeClient({
      getUser: async () => user('u1'),
      createFetcher: (c) => ({ fetcher: c }),
      getDpopNonce: async (id) => `nonce-${id}`,
      setDpopNonce: async () => {},
      generateDpopProof: async () => 'proof',
      loginWithCustomTokenExchange: async () => ({ access_token: 'cte' }),
      customTokenExchange: async () => ({ access_token: 'plain-cte' }),
      connectAccountWithRedirect: async () => {},
      revokeRefreshToken: async () => {},
    });
    client.mfa = { getAuthenticators: async (t) => [{ id: t }] };
    client.passkey = { signup: async () => ({ access_token: 'pk' }), login: async () => { throw { error: 'passkey_failed' }; } };
    client.myAccount = { getFactors: async () => [] };
    client.anonymous = { hasSession: () => false };
    const { ctx, m } = await start(client);
    const c = ctx.current;
    const got = [
      await outcome(Promise.resolve(c.createFetcher({ baseUrl: 'https://api' }))),
      await outcome(c.getDpopNonce('x')),
      await outcome(c.setDpopNonce('n', 'x')),
      await outcome(c.generateDpopProof({ url: 'u', method: 'GET', accessToken: 'a' })),
      await outcome(c.loginWithCustomTokenExchange({ subject_token: 's', subject_token_type: 't' })),
      await outcome(c.exchangeToken({ subject_token: 's', subject_token_type: 't' })),
      await outcome(c.customTokenExchange({ subject_token: 's', subject_token_type: 't' })),
      await outcome(c.connectAccountWithRedirect({ connection: 'google' })),
      await outcome(c.revokeRefreshToken({ audience: 'a' })),
      await outcome(c.mfa.getAuthenticators('mfa-token')),
      await outcome(c.passkey.signup({ email: 'a@b' })),
      await outcome(c.passkey.login()),
      await outcome(c.myAccount.getFactors()),
      c.anonymous.hasSession(),
    ];
    m.unmount();
    return { calls: client.calls, got };
  },

  'outside a provider every method throws, and the state is the initial one': async () => {
    const ctx = { current: null };
    const log = [];
    const m = await mount(<Probe log={log} expose={ctx} />);
    const thrown = [];
    for (const name of ['loginWithRedirect', 'getAccessTokenSilently', 'logout', 'getIdTokenClaims', 'getConfiguration', 'createFetcher']) {
      try {
        ctx.current[name]();
        thrown.push(`${name}: no throw`);
      } catch (e) {
        thrown.push(`${name}: ${e.message}`);
      }
    }
    try { ctx.current.mfa.getAuthenticators(); } catch (e) { thrown.push(`mfa: ${e.message}`); }
    m.unmount();
    return { log, thrown, keys: Object.keys(W.initialContext).sort() };
  },

  'withAuthenticationRequired: a signed-out visitor sees onRedirecting and is sent to log in, with returnTo and the login options': withUrl('?tab=2', async () => {
    const client = fakeClient({ loginWithRedirect: async () => {} });
    const order = [];
    const Inner = () => <p id="secret">secret</p>;
    const Plain = W.withAuthenticationRequired(Inner);
    const Custom = W.withAuthenticationRequired(Inner, {
      returnTo: () => '/custom',
      onRedirecting: () => <p id="wait">wait</p>,
      onBeforeAuthentication: async () => { order.push('before'); },
      loginOptions: { appState: { keep: 1 }, authorizationParams: { prompt: 'login' } },
    });
    const m1 = await mount(<W.Auth0Provider client={client}><Plain /></W.Auth0Provider>);
    await until('a login', () => client.calls.some((c) => c[0] === 'loginWithRedirect'));
    const html1 = m1.div.innerHTML;
    m1.unmount();
    const m2 = await mount(<W.Auth0Provider client={client}><Custom /></W.Auth0Provider>);
    await until('a second login', () => client.calls.filter((c) => c[0] === 'loginWithRedirect').length === 2);
    const html2 = m2.div.innerHTML;
    m2.unmount();
    return { calls: client.calls.filter((c) => c[0] === 'loginWithRedirect'), html1, html2, order };
  }),

  'withAuthenticationRequired renders the component for a signed-in user, with its props': async () => {
    const client = fakeClient({ getUser: async () => user('u1') });
    const Inner = ({ label }) => <p id="secret">{label}</p>;
    const Guarded = W.withAuthenticationRequired(Inner);
    const m = await mount(<W.Auth0Provider client={client}><Guarded label="hello" /></W.Auth0Provider>);
    await until('the component', () => m.div.querySelector('#secret'));
    const html = m.div.innerHTML;
    m.unmount();
    return { html, logins: client.calls.filter((c) => c[0] === 'loginWithRedirect').length };
  },

  'withAuth0 gives a class component the context as its auth0 prop': async () => {
    const client = fakeClient({ getUser: async () => user('c1') });
    class Hello extends Component {
      render() {
        const { auth0, greeting } = this.props;
        return <p id="hello">{auth0.isLoading ? 'loading' : `${greeting} ${auth0.user ? auth0.user.sub : 'nobody'}`}</p>;
      }
    }
    const Wrapped = W.withAuth0(Hello);
    const m = await mount(<W.Auth0Provider client={client}><Wrapped greeting="hi" /></W.Auth0Provider>);
    await until('the user', () => m.div.textContent === 'hi c1');
    const text = m.div.textContent;
    m.unmount();
    return { text };
  },

  'a second provider with its own context is independent of the default one': async () => {
    const a = fakeClient({ getUser: async () => user('a') });
    const b = fakeClient({ getUser: async () => user('b') });
    const Other = createContext(W.initialContext);
    const logA = [];
    const logB = [];
    const m = await mount(
      <W.Auth0Provider client={a}>
        <W.Auth0Provider client={b} context={Other}>
          <Probe log={logA} />
          <Probe log={logB} context={Other} />
        </W.Auth0Provider>
      </W.Auth0Provider>
    );
    await until('both', () => (logA.at(-1) || '').includes('"a"') && (logB.at(-1) || '').includes('"b"'));
    m.unmount();
    return { a: logA.at(-1), b: logB.at(-1) };
  },

  'useEnterpriseConnect: loginWithSSO logs in with login_hint, keeping the other options': async () => {
    const client = fakeClient({});
    const ref = { current: null };
    function Sso() {
      ref.current = W.useEnterpriseConnect();
      return null;
    }
    const m = await mount(<W.Auth0Provider client={client}><Sso /></W.Auth0Provider>);
    await until('the hook', () => ref.current);
    await ref.current.loginWithSSO('ann@corp.example', { appState: { x: 1 }, authorizationParams: { prompt: 'login' } });
    m.unmount();
    return { calls: client.calls.filter((c) => c[0] === 'loginWithRedirect') };
  },

  'useAuth0Suspense suspends until the provider started, then gives the context without isLoading': async () => {
    let finish;
    const client = fakeClient({ checkSession: () => new Promise((r) => { finish = r; }), getUser: async () => user('s1') });
    const seen = { current: null };
    function Inside() {
      const ctx = W.useAuth0Suspense();
      seen.current = ctx;
      return <p id="in">{ctx.user ? ctx.user.sub : 'none'}</p>;
    }
    const m = await mount(
      <W.Auth0Provider client={client}>
        <Suspense fallback={<p id="fallback">fallback</p>}>
          <Inside />
        </Suspense>
      </W.Auth0Provider>
    );
    await until('the fallback', () => m.div.querySelector('#fallback'));
    const before = m.div.textContent;
    await until('checkSession', () => finish);
    finish();
    await until('the content', () => m.div.querySelector('#in'));
    const after = m.div.textContent;
    const keys = Object.keys(seen.current).filter((k) => k === 'isLoading' || k === '_initPromise' || k === 'user');
    m.unmount();
    return { before, after, keys };
  },

  'the provider makes one start-up call, whatever the re-renders': async () => {
    const client = fakeClient({ getUser: async () => user('u1') });
    function Rerender({ children }) {
      const n = useRef(0);
      useEffect(() => { n.current += 1; });
      return children;
    }
    const m = await mount(<Rerender><W.Auth0Provider client={client}><Rerender /></W.Auth0Provider></Rerender>);
    await tick(50);
    m.unmount();
    return { checkSessions: client.calls.filter((c) => c[0] === 'checkSession').length };
  },
};

// Only this package: what a scenario does not script falls to the package client's own
// sub-clients, handed through by the wrapper: its passkey client, in a browser without WebAuthn,
// and its anonymous-session client, as it is.
export const OURS_ONLY = {
  'the package client\'s passkey and anonymous sub-clients reach the app through the context': async () => {
    const client = Object.setPrototypeOf(fakeClient({ getUser: async () => user('u1') }), PackageClient.prototype);
    const { ctx, m } = await start(client);
    const c = ctx.current;
    const saved = window.PublicKeyCredential;
    delete window.PublicKeyCredential;
    const passkey = await outcome(c.passkey.login()).finally(() => { window.PublicKeyCredential = saved; });
    const got = [
      passkey,
      await outcome((async () => c.anonymous === client.anonymous)()),
      await outcome((async () => [c.anonymous.hasSession(), c.anonymous.getClaims()])()),
    ];
    m.unmount();
    return got;
  },
};

window.__run = async (name) => {
  const fn = SCENARIOS[name] || OURS_ONLY[name];
  return picture(await fn());
};
window.__names = { shared: Object.keys(SCENARIOS), oursOnly: Object.keys(OURS_ONLY) };
window.__ready = true;
