// Scenarios for vue-behaviour.test.mjs, on the wrapper under test ('WRAPPER': auth0-spa-wasm/vue,
// or @auth0/auth0-vue's sources) with a recording fake Auth0Client (fake-spa.js stands in for
// 'auth0-spa-wasm' and '@auth0/auth0-spa-js'). Each scenario installs the plugin in a fresh Vue
// app, drives it, and returns what it saw; the test compares the two wrappers' results.
import { createApp, defineComponent, h, nextTick } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import { GenericError } from 'auth0-spa-wasm';
import { createAuth0, useAuth0, authGuard, createAuthGuard } from 'WRAPPER';

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

function picture(v) {
  if (v instanceof Error) {
    const out = { cls: v instanceof GenericError ? 'GenericError' : 'Error', message: v.message };
    if ('error' in v) out.error = v.error;
    return out;
  }
  if (typeof v === 'function') return '<function>';
  if (Array.isArray(v)) return v.map(picture);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x !== 'function').map(([k, x]) => [k, picture(x)]));
  return v === undefined ? '<undefined>' : v;
}

const OPTIONS = { domain: 'tenant.example.com', clientId: 'cid', authorizationParams: { redirect_uri: 'http://app.example/' } };

/** A fresh app with the plugin (and a router when `routes` is given), mounted; `url` set first. */
async function install({ url = '/', script = {}, user, pluginOptions, routes, options = OPTIONS, root } = {}) {
  history.replaceState({}, '', url);
  globalThis.__fake = { script, calls: [], user };
  const seen = { injected: null };
  const Root = root || defineComponent({
    setup() {
      seen.injected = useAuth0();
      return () => h('div', routes ? [h('p', 'app'), h(RouterViewProxy)] : 'app');
    },
  });
  const app = createApp(Root);
  let router;
  if (routes) {
    router = createRouter({ history: createWebHistory(), routes });
    app.use(router);
  }
  const plugin = createAuth0(options, pluginOptions);
  app.use(plugin);
  const div = document.createElement('div');
  document.body.append(div);
  app.mount(div);
  await until('loading to end', () => !plugin.isLoading.value);
  await tick(20);
  return {
    app, plugin, router, seen, fake: globalThis.__fake,
    unmount: () => { app.unmount(); div.remove(); history.replaceState({}, '', '/'); },
  };
}
const RouterViewProxy = defineComponent({ render: () => null });
const Page = defineComponent({ render: () => h('p', 'page') });
const routesWith = (guard) => [
  { path: '/', component: Page },
  { path: '/profile', component: Page, ...(guard ? { beforeEnter: guard } : {}) },
  { path: '/oops', component: Page },
];

const state = (p) => picture({
  isLoading: p.isLoading.value,
  isAuthenticated: p.isAuthenticated.value,
  user: p.user.value,
  idTokenClaims: p.idTokenClaims.value,
  error: p.error.value,
});
const names = (calls) => calls.map((c) => c[0]);
const where = () => location.pathname + location.search;
async function outcome(promise) {
  try {
    return { ok: picture(await promise) };
  } catch (e) {
    return { failed: picture(e) };
  }
}
const alice = () => ({ sub: 'alice', name: 'Alice' });

export const SCENARIOS = {
  async install() {
    const s = await install({ user: alice });
    const r = {
      options: picture(s.fake.options),
      calls: names(s.fake.calls),
      checkSessionArgs: picture(s.fake.calls[0].slice(1)),
      state: state(s.plugin),
      globalProperty: s.app.config.globalProperties.$auth0 === s.plugin,
      injected: s.seen.injected === s.plugin,
    };
    s.unmount();
    return r;
  },

  async callbackWithRouter() {
    const s = await install({
      url: '/?code=c&state=s', user: alice, routes: routesWith(),
      script: { handleRedirectCallback: async () => ({ appState: { target: '/profile' }, response_type: 'code' }) },
    });
    await until('the route', () => s.router.currentRoute.value.path === '/profile');
    const r = { calls: names(s.fake.calls), url: where(), route: s.router.currentRoute.value.fullPath, state: state(s.plugin) };
    s.unmount();
    return r;
  },

  async callbackWithRouterNoTarget() {
    const s = await install({
      url: '/profile?code=c&state=s', user: alice, routes: routesWith(),
      script: { handleRedirectCallback: async () => ({ response_type: 'code' }) },
    });
    await tick(20);
    const r = { url: where(), route: s.router.currentRoute.value.fullPath };
    s.unmount();
    return r;
  },

  async callbackWithoutRouter() {
    const a = await install({ url: '/cb?code=c&state=s', user: alice, script: { handleRedirectCallback: async () => ({ appState: { target: '/there?x=1' } }) } });
    const withTarget = where();
    a.unmount();
    const b = await install({ url: '/cb?code=c&state=s', user: alice, script: { handleRedirectCallback: async () => ({}) } });
    const withoutTarget = where();
    b.unmount();
    return { withTarget, withoutTarget };
  },

  async callbackFails() {
    const s = await install({
      url: '/profile?error=access_denied&state=s', routes: routesWith(), pluginOptions: { errorPath: '/oops' },
      script: { handleRedirectCallback: async () => { throw new GenericError('access_denied', 'denied'); } },
    });
    await until('the error route', () => s.router.currentRoute.value.path === '/oops');
    const r = { url: where(), state: state(s.plugin) };
    s.unmount();
    return r;
  },

  async skipRedirectCallback() {
    const s = await install({ url: '/?code=c&state=s', user: alice, pluginOptions: { skipRedirectCallback: true } });
    const r = { calls: names(s.fake.calls), url: where() };
    s.unmount();
    return r;
  },

  async authGuardSignedOut() {
    const s = await install({ routes: routesWith(authGuard) });
    await s.router.push('/profile?x=1').catch(() => {});
    await tick(20);
    const r = { logins: picture(s.fake.calls.filter((c) => c[0] === 'loginWithRedirect')), route: s.router.currentRoute.value.fullPath };
    s.unmount();
    return r;
  },

  async authGuardSignedIn() {
    const s = await install({ user: alice, routes: routesWith(authGuard) });
    await s.router.push('/profile');
    const r = { logins: s.fake.calls.filter((c) => c[0] === 'loginWithRedirect').length, route: s.router.currentRoute.value.fullPath };
    s.unmount();
    return r;
  },

  async authGuardWaitsForLoading() {
    let finish;
    let signedIn = false;
    history.replaceState({}, '', '/');
    globalThis.__fake = { script: { checkSession: () => new Promise((r) => { finish = r; }) }, calls: [], user: () => (signedIn ? alice() : undefined) };
    const router = createRouter({ history: createWebHistory(), routes: routesWith(authGuard) });
    const app = createApp({ render: () => h('p', 'app') });
    app.use(router);
    const plugin = createAuth0(OPTIONS);
    app.use(plugin);
    const div = document.createElement('div');
    document.body.append(div);
    app.mount(div);
    let settled = false;
    const nav = router.push('/profile').then(() => { settled = true; });
    await tick(50);
    const pendingWhileLoading = !settled && plugin.isLoading.value;
    signedIn = true;
    await until('checkSession', () => finish);
    finish();
    await nav;
    const r = { pendingWhileLoading, route: router.currentRoute.value.fullPath, logins: globalThis.__fake.calls.filter((c) => c[0] === 'loginWithRedirect').length };
    app.unmount();
    div.remove();
    history.replaceState({}, '', '/');
    return r;
  },

  async createAuthGuardWithOptions() {
    const guard = createAuthGuard({ redirectLoginOptions: { authorizationParams: { prompt: 'login' }, appState: { extra: 1, target: '/elsewhere' } } });
    const s = await install({ routes: routesWith(guard) });
    await s.router.push('/profile').catch(() => {});
    await tick(20);
    const r = { logins: picture(s.fake.calls.filter((c) => c[0] === 'loginWithRedirect')) };
    s.unmount();
    return r;
  },

  async createAuthGuardWithApp() {
    const s = await install({ user: alice });
    const guard = createAuthGuard(s.app);
    const r = { allowed: await guard({ fullPath: '/x' }) };
    s.unmount();
    return r;
  },

  async tokens() {
    let n = 0;
    const results = [async () => 'token-1', async () => { throw new GenericError('login_required', 'Login required'); }, async () => 'token-3'];
    const s = await install({ user: alice, script: { getTokenSilently: (o) => results[n++](o) } });
    const got = [];
    const states = [];
    got.push(await outcome(s.plugin.getAccessTokenSilently({ authorizationParams: { audience: 'api' } })));
    states.push(state(s.plugin).error);
    got.push(await outcome(s.plugin.getAccessTokenSilently()));
    states.push(state(s.plugin).error);
    got.push(await outcome(s.plugin.getAccessTokenSilently({ cacheMode: 'off' })));
    states.push(state(s.plugin).error);
    const r = { got, errors: states, calls: picture(s.fake.calls.filter((c) => c[0] === 'getTokenSilently')) };
    s.unmount();
    return r;
  },

  async logout() {
    let signedIn = true;
    const s = await install({ user: () => (signedIn ? alice() : undefined), script: { logout: async () => { signedIn = false; } } });
    s.fake.calls.length = 0;
    await s.plugin.logout({ logoutParams: { returnTo: 'http://app.example' } });
    const navigating = { calls: names(s.fake.calls), isAuthenticated: s.plugin.isAuthenticated.value };
    signedIn = true;
    await s.plugin.checkSession();
    s.fake.calls.length = 0;
    await s.plugin.logout({ openUrl: false });
    const inPlace = { calls: names(s.fake.calls), isAuthenticated: s.plugin.isAuthenticated.value };
    s.unmount();
    return { navigating, inPlace };
  },

  async boundMethods() {
    const s = await install({});
    const { loginWithRedirect } = s.plugin;
    await loginWithRedirect({ appState: { target: '/x' } });
    const r = { logins: picture(s.fake.calls.filter((c) => c[0] === 'loginWithRedirect')) };
    s.unmount();
    return r;
  },

  async deprecatedRedirectUri() {
    const warnings = [];
    const warn = console.warn;
    console.warn = (m) => warnings.push(m);
    try {
      const s = await install({ options: { domain: 'd', clientId: 'c', redirect_uri: 'http://cb' } });
      const r = { options: picture(s.fake.options), warnings: warnings.length };
      s.unmount();
      return r;
    } finally {
      console.warn = warn;
    }
  },

  async handedThrough() {
    const s = await install({
      user: alice,
      script: {
        getDpopNonce: async (id) => `nonce-${id}`,
        createFetcher: (c) => ({ fetcher: c.baseUrl }),
        loginWithCustomTokenExchange: async () => ({ access_token: 'cte' }),
        mfa: { getAuthenticators: async (t) => [{ id: t }] },
        passkey: { signup: async () => ({ access_token: 'pk' }) },
        myAccount: { getFactors: async () => [{ type: 'totp' }] },
      },
    });
    const got = [
      await outcome(s.plugin.getDpopNonce('x')),
      await outcome(Promise.resolve(s.plugin.createFetcher({ baseUrl: 'https://api' }))),
      await outcome(s.plugin.loginWithCustomTokenExchange({ subject_token: 's', subject_token_type: 't' })),
      await outcome(s.plugin.mfa.getAuthenticators('m')),
      await outcome(s.plugin.passkey.signup({ email: 'a@b' })),
      await outcome(s.plugin.myAccount.getFactors()),
    ];
    s.unmount();
    return got;
  },

  async packageClient() {
    // Not scripted: the package's client answers, here its passkey client in a browser without
    // WebAuthn (the wrapper hands only passkey.signup/login on, as auth0-vue does).
    const s = await install({ user: alice });
    const saved = window.PublicKeyCredential;
    delete window.PublicKeyCredential;
    const got = [
      await outcome(s.plugin.passkey.login()).finally(() => { window.PublicKeyCredential = saved; }),
    ];
    const errorRef = picture(s.plugin.error.value);
    s.unmount();
    return { got, errorRef };
  },

  async templateReadsRefs() {
    // `$auth0.user.value` in a template (Options API) re-renders when the user changes.
    let signedIn = false;
    const Root = defineComponent({ render() { return h('p', { id: 'who' }, this.$auth0.user.value ? this.$auth0.user.value.name : 'nobody'); } });
    const s = await install({ user: () => (signedIn ? alice() : undefined), root: Root });
    const before = document.getElementById('who').textContent;
    signedIn = true;
    await s.plugin.checkSession();
    await nextTick();
    const after = document.getElementById('who').textContent;
    s.unmount();
    return { before, after };
  },
};

window.__run = async (name) => picture(await SCENARIOS[name]());
window.__names = Object.keys(SCENARIOS);
window.__ready = true;
