// node --test js/tests/ : the package entry (js/index.js) against a fake wasm glue that records
// what it receives. Checks the JS side of the contract written at the top of js/index.js: lazy
// one-time loading, option serialisation, navigation, popups opened synchronously, and that every
// failure reaches the app as an Error of the auth0-spa-js classes.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, copyFileSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'auth0-spa-wasm-js-'));
// Every module of js/ (index.js imports some of them); the wasm glue and source are fakes below.
for (const f of readdirSync(join(here, '..'))) if (f.endsWith('.js')) copyFileSync(join(here, '..', f), join(dir, f));
writeFileSync(join(dir, 'wasm-source.js'), "export function wasmSource() { return 'the-wasm-source'; }\n");
// The fake glue of a build: `full` marks the clients the full build made (js/index.js loads the
// lite build's module, './lite.js', unless a client needs the full one, './full.js').
const fakeGlue = (full) => `const w = () => globalThis.__fakeWasm;
export default async function init(arg) {
  w().inits.push(arg);
  if (w().initError !== undefined) { const e = w().initError; w().initError = undefined; throw e; }
}
export class WasmClient {
  constructor(json, cache, now) {
    if (w().ctorError !== undefined) throw w().ctorError;
    if (!${full} && w().liteCtorError !== undefined) throw w().liteCtorError;
    this.rec = { json: JSON.parse(json), cache, now, calls: [], full: ${full} };
    w().clients.push(this.rec);
  }
}
// Synchronous calls (the getTokenSilently fast path, the move to the full build): recorded,
// answered by a handler or undefined.
for (const name of ['hitMemo', 'cacheGeneration', 'memoryEntries']) {
  WasmClient.prototype[name] = function (...args) {
    this.rec.calls.push([name, ...args]);
    const h = w().handlers[name];
    return h ? h(...args) : undefined;
  };
}
for (const name of ['loginWithRedirect', 'handleRedirectCallback', 'loginWithPopup', 'getTokenSilently',
  'getTokenWithPopup', 'getUser', 'getIdTokenClaims', 'isAuthenticated', 'checkSession', 'logout', 'revokeRefreshToken', 'connect', 'mfa',
  'customTokenExchange', 'loginWithCustomTokenExchange', 'dpop']) {
  WasmClient.prototype[name] = async function (...args) {
    this.rec.calls.push([name, ...args]);
    const h = w().handlers[name];
    return h ? h(...args) : undefined;
  };
}
`;
writeFileSync(join(dir, 'auth0_spa_wasm.js'), fakeGlue(false));
writeFileSync(join(dir, 'full-glue.js'), fakeGlue(true));
// './full.js' as scripts/build.sh stages it: js/lite.js beside the full build's glue, FULL set.
const fullModule = readFileSync(join(here, '..', 'lite.js'), 'utf8')
  .replace("from './auth0_spa_wasm.js'", "from './full-glue.js'")
  .replace('export const FULL = false;', 'export const FULL = true;');
assert.match(fullModule, /export const FULL = true;/);
writeFileSync(join(dir, 'full.js'), fullModule);
// The `auth0-spa-wasm/full` entry as scripts/build.sh stages it: the same modules, with the full
// build's module as './lite.js' and './full.js' re-exporting it.
const fullEntryDir = mkdtempSync(join(tmpdir(), 'auth0-spa-wasm-js-full-'));
for (const f of readdirSync(dir)) if (f.endsWith('.js')) copyFileSync(join(dir, f), join(fullEntryDir, f));
writeFileSync(join(fullEntryDir, 'lite.js'), fullModule);
writeFileSync(join(fullEntryDir, 'full.js'), "export { WasmClient, load } from './lite.js';\n");

// The page's globals are captured once per page (per process here), when the package is first
// imported (js/platform.js capturedGlobals): this `fetch`, installed before that, stands for the
// page's own, and a test points it where it needs.
const realFetch = globalThis.fetch;
let capturedFetchTarget = realFetch;
globalThis.fetch = (...args) => capturedFetchTarget(...args);

let n = 0;
// A fresh instance of index.js (its load memo starts empty); errors.js and the glue are shared.
const fresh = () => import(pathToFileURL(join(dir, 'index.js')).href + '?n=' + ++n);
const shared = await fresh();
const errors = await import(pathToFileURL(join(dir, 'errors.js')).href);

let win;
beforeEach(() => {
  globalThis.__fakeWasm = { inits: [], clients: [], handlers: {} };
  win = {
    crypto: { subtle: {} },
    screenX: 10,
    screenY: 20,
    innerWidth: 1000,
    innerHeight: 800,
    opened: [],
    assigned: [],
    popup: { closed: false, closedByUs: false, close() { this.closedByUs = true; } },
    open(...args) {
      this.opened.push(args);
      return this.popup;
    },
    location: { href: 'https://app.example.com/cb?code=c&state=s', assign: (u) => win.assigned.push(u) }
  };
  globalThis.window = win;
});

const fake = () => globalThis.__fakeWasm;
// Long enough for what the constructor starts in the background (the wasm module is import()ed).
const backgroundWork = () => new Promise((r) => setTimeout(r, 50));
const base = { domain: 'tenant.auth0.com', clientId: 'abc' };
const lastCall = (i = 0) => {
  const calls = fake().clients[i].calls;
  return calls[calls.length - 1];
};

test('the constructor is synchronous; in a page it starts the load and the wasm client in the background', async () => {
  const { Auth0Client } = await fresh();
  const c = new Auth0Client(base);
  assert.equal(fake().inits.length, 0, 'nothing synchronous');
  assert.equal(fake().clients.length, 0);
  await backgroundWork();
  assert.equal(fake().inits.length, 1, 'loaded before the first call');
  assert.equal(fake().clients.length, 1);
  await c.isAuthenticated();
  assert.equal(fake().inits.length, 1, 'the first call reuses them');
  assert.equal(fake().clients.length, 1);
});

test('without a window (server-side rendering) the constructor loads nothing', async () => {
  const { Auth0Client } = await fresh();
  delete globalThis.window;
  new Auth0Client(base);
  await backgroundWork();
  assert.equal(fake().inits.length + fake().clients.length, 0);
});

test('a failed background load is reported by the first call, which loads again', async () => {
  const { Auth0Client } = await fresh();
  fake().initError = new TypeError('Failed to fetch');
  const c = new Auth0Client(base);
  await backgroundWork();
  assert.equal(fake().inits.length, 1);
  fake().initError = new TypeError('Failed to fetch again');
  await assert.rejects(c.getUser(), (e) => e instanceof errors.GenericError && /could not be loaded: Failed to fetch again/.test(e.message));
  assert.equal(fake().inits.length, 2);
});

test('the module initialises once for all clients and concurrent calls, with the wasm source', async () => {
  const { Auth0Client } = await fresh();
  const a = new Auth0Client(base);
  const b = new Auth0Client(base);
  await Promise.all([a.getUser(), a.getUser(), b.isAuthenticated(), a.getTokenSilently()]);
  assert.equal(fake().inits.length, 1);
  assert.deepEqual(fake().inits[0], { module_or_path: 'the-wasm-source' });
  assert.equal(fake().clients.length, 2, 'one wasm client per Auth0Client');
});

test('a failed load rejects with GenericError internal_error and is retried on the next call', async () => {
  const { Auth0Client } = await fresh();
  fake().initError = new TypeError('Failed to fetch');
  const c = new Auth0Client(base);
  await assert.rejects(c.getUser(), (e) => {
    assert.ok(e instanceof errors.GenericError);
    assert.equal(e.error, 'internal_error');
    assert.match(e.message, /could not be loaded: Failed to fetch/);
    return true;
  });
  fake().handlers.getUser = () => '{"sub":"u1"}';
  assert.deepEqual(await c.getUser(), { sub: 'u1' });
  assert.equal(fake().inits.length, 2);
});

test('options reach the wasm side as JSON without cache and nowProvider, which are passed apart', async () => {
  const cache = { get() {}, set() {}, remove() {} };
  const now = () => 42;
  const c = new shared.Auth0Client({
    ...base,
    cache,
    nowProvider: now,
    leeway: NaN,
    httpTimeoutInSeconds: Infinity,
    authorizeTimeoutInSeconds: -Infinity,
    sessionCheckExpiryDays: 10n,
    authorizationParams: { audience: 'https://api', max_age: NaN, fn: () => 1 }
  });
  await c.isAuthenticated();
  const rec = fake().clients[0];
  assert.equal(rec.cache, cache);
  assert.equal(rec.now, now);
  assert.deepEqual(rec.json, {
    domain: 'tenant.auth0.com',
    clientId: 'abc',
    leeway: 'NaN',
    httpTimeoutInSeconds: 'Infinity',
    authorizeTimeoutInSeconds: '-Infinity',
    sessionCheckExpiryDays: '10',
    authorizationParams: { audience: 'https://api', max_age: 'NaN' }
  });
});

test('cache wins over cacheLocation with auth0-spa-js warning, and LocalStorageCache maps to localstorage', async () => {
  const warned = [];
  const warn = console.warn;
  console.warn = (m) => warned.push(m);
  try {
    const custom = { get() {}, set() {}, remove() {} };
    await new shared.Auth0Client({ ...base, cache: custom, cacheLocation: 'localstorage' }).isAuthenticated();
    assert.equal(fake().clients[0].cache, custom);
    assert.equal('cacheLocation' in fake().clients[0].json, false);
    assert.match(warned[0], /ignoring `cacheLocation` and using `cache`/);

    await new shared.Auth0Client({ ...base, cache: new shared.LocalStorageCache() }).isAuthenticated();
    assert.equal(fake().clients[1].cache, undefined);
    assert.equal(fake().clients[1].json.cacheLocation, 'localstorage');

    class Mine extends shared.LocalStorageCache {}
    const mine = new Mine();
    await new shared.Auth0Client({ ...base, cache: mine }).isAuthenticated();
    assert.equal(fake().clients[2].cache, mine, 'a subclass may override methods: kept as a custom cache');
  } finally {
    console.warn = warn;
  }
});

test('the constructor throws synchronously what auth0-spa-js throws synchronously', () => {
  assert.throws(() => new shared.Auth0Client({ ...base, cacheLocation: 'session' }), (e) => {
    assert.equal(Object.getPrototypeOf(e), Error.prototype);
    assert.equal(e.message, 'Invalid cache location "session"');
    return true;
  });
  assert.throws(() => new shared.Auth0Client({ ...base, refreshTokenMode: 'online', useDpop: true }), (e) => {
    assert.ok(e instanceof errors.InvalidConfigurationError);
    assert.equal(e.suggestion, 'Set `useRefreshTokens: true`.');
    return true;
  });
  assert.throws(() => new shared.Auth0Client({ ...base, refreshTokenMode: 'online', useRefreshTokens: true }), (e) => {
    assert.ok(e instanceof errors.InvalidConfigurationError);
    assert.match(e.message, /requires DPoP/);
    return true;
  });
  win.crypto = {}; // an insecure context: browsers withhold crypto.subtle there (C9)
  assert.throws(() => new shared.Auth0Client(base), (e) => {
    assert.equal(Object.getPrototypeOf(e), Error.prototype);
    assert.equal(e.message.trim(), 'auth0-spa-js must run on a secure origin. See https://github.com/auth0/auth0-spa-js/blob/main/FAQ.md#why-do-i-get-auth0-spa-js-must-run-on-a-secure-origin for more information.');
    return true;
  });
  delete win.crypto;
  assert.throws(() => new shared.Auth0Client(base), /`window.crypto` is required/);
});

test('getConfiguration answers synchronously with a frozen copy', () => {
  const conf = new shared.Auth0Client({ ...base, leeway: 5 }).getConfiguration();
  assert.deepEqual(conf, { domain: 'tenant.auth0.com', clientId: 'abc' });
  assert.ok(Object.isFrozen(conf));
  assert.equal(fake().inits.length + fake().clients.length, 0);
});

test('a wasm constructor error object rejects the calls as the named class', async () => {
  const { Auth0Client, createAuth0Client } = await fresh();
  fake().ctorError = { class: 'InvalidConfiguration', error: 'invalid_configuration', description: 'leeway must be a finite number' };
  await assert.rejects(new Auth0Client(base).getTokenSilently(), (e) => {
    assert.ok(e instanceof errors.InvalidConfigurationError);
    assert.equal(e.message, 'leeway must be a finite number');
    return true;
  });
  await assert.rejects(createAuth0Client(base), errors.InvalidConfigurationError, 'createAuth0Client does not swallow option errors');
});

test('createAuth0Client runs checkSession and resolves to the client', async () => {
  const c = await shared.createAuth0Client(base);
  assert.ok(c instanceof shared.Auth0Client);
  assert.deepEqual(lastCall(), ['checkSession', '{}']);
});

test('loginWithRedirect hands the URL to openUrl with the fragment, keeping functions out of the JSON', async () => {
  fake().handlers.loginWithRedirect = () => 'https://tenant.auth0.com/authorize?x=1';
  const opened = [];
  const c = new shared.Auth0Client(base);
  await c.loginWithRedirect({
    appState: { to: '/orders', bad: NaN, when: new Date(0) },
    fragment: 'frag',
    authorizationParams: { screen_hint: 'signup' },
    openUrl: async (u) => opened.push(u)
  });
  assert.deepEqual(opened, ['https://tenant.auth0.com/authorize?x=1#frag']);
  assert.deepEqual(win.assigned, []);
  assert.deepEqual(JSON.parse(lastCall()[1]), {
    appState: { to: '/orders', bad: null, when: '1970-01-01T00:00:00.000Z' },
    authorizationParams: { screen_hint: 'signup' }
  });
});

test('loginWithRedirect falls back to onRedirect, then to location.assign', async () => {
  fake().handlers.loginWithRedirect = () => 'https://u';
  const c = new shared.Auth0Client(base);
  const seen = [];
  await c.loginWithRedirect({ onRedirect: async (u) => seen.push(u) });
  assert.deepEqual(seen, ['https://u']);
  await c.loginWithRedirect();
  assert.deepEqual(win.assigned, ['https://u']);
});

test('logout navigates with openUrl, with location.assign, or not at all for openUrl: false', async () => {
  fake().handlers.logout = () => 'https://tenant.auth0.com/v2/logout?client_id=abc';
  const c = new shared.Auth0Client(base);
  await c.logout({ openUrl: false });
  assert.deepEqual(win.assigned, []);
  assert.deepEqual(JSON.parse(lastCall()[1]), {});
  await c.logout({ logoutParams: { returnTo: 'https://app' }, clientId: null });
  assert.deepEqual(win.assigned, ['https://tenant.auth0.com/v2/logout?client_id=abc']);
  assert.deepEqual(JSON.parse(lastCall()[1]), { logoutParams: { returnTo: 'https://app' }, clientId: null });
  const seen = [];
  await c.logout({ openUrl: (u) => seen.push(u), onRedirect: () => seen.push('wrong') });
  assert.deepEqual(seen, ['https://tenant.auth0.com/v2/logout?client_id=abc']);
  fake().handlers.logout = () => '';
  await c.logout();
  assert.equal(win.assigned.length, 1, 'an empty URL means no navigation');
});

test('loginWithPopup opens the popup synchronously, before the call yields', async () => {
  const c = new shared.Auth0Client(base);
  const p = c.loginWithPopup({ authorizationParams: { connection: 'github' } }, { timeoutInSeconds: 5 });
  assert.equal(win.opened.length, 1, 'window.open ran inside the click handler');
  assert.deepEqual(win.opened[0], [
    '',
    'auth0:authorize:popup',
    'left=310,top=120,width=400,height=600,resizable,scrollbars=yes,status=1'
  ]);
  await p;
  const [name, optionsJson, popup, configJson] = lastCall();
  assert.equal(name, 'loginWithPopup');
  assert.deepEqual(JSON.parse(optionsJson), { authorizationParams: { connection: 'github' } });
  assert.equal(popup, win.popup);
  assert.deepEqual(JSON.parse(configJson), { timeoutInSeconds: 5 });
});

test('getTokenWithPopup also opens synchronously and resolves to the token', async () => {
  fake().handlers.getTokenWithPopup = () => 'at-1';
  const c = new shared.Auth0Client(base);
  const p = c.getTokenWithPopup({ authorizationParams: { audience: 'https://api' } });
  assert.equal(win.opened.length, 1);
  assert.equal(await p, 'at-1');
  assert.deepEqual(JSON.parse(lastCall()[3]), {});
});

test('a given popup is used as is and never reaches the JSON', async () => {
  const mine = { closed: false, close() {} };
  const c = new shared.Auth0Client(base);
  await c.loginWithPopup({}, { popup: mine, closePopup: false });
  assert.equal(win.opened.length, 0);
  assert.equal(lastCall()[2], mine);
  assert.deepEqual(JSON.parse(lastCall()[3]), { closePopup: false });
});

test('a blocked popup rejects with PopupOpenError without touching the wasm client', async () => {
  win.open = () => null;
  const c = new shared.Auth0Client(base);
  await assert.rejects(c.loginWithPopup(), (e) => e instanceof errors.PopupOpenError && e.error === 'popup_open');
  await assert.rejects(c.getTokenWithPopup(), errors.PopupOpenError);
  assert.deepEqual(fake().clients.map((w) => w.calls), [[]], 'made in the background, never called');
});

test('popup errors from the wasm side carry the popup window', async () => {
  fake().handlers.loginWithPopup = async () => {
    throw { class: 'PopupCancelled', error: 'cancelled', description: 'Popup closed' };
  };
  fake().handlers.getTokenWithPopup = async () => {
    throw { class: 'PopupTimeout', error: 'timeout', description: 'Timeout' };
  };
  const c = new shared.Auth0Client(base);
  await assert.rejects(c.loginWithPopup(), (e) => e instanceof errors.PopupCancelledError && e.popup === win.popup);
  await assert.rejects(
    c.getTokenWithPopup(),
    (e) => e instanceof errors.PopupTimeoutError && e instanceof errors.TimeoutError && e.popup === win.popup
  );
});

test('a popup opened by the SDK is closed when loading fails before the wasm side takes it', async () => {
  const { Auth0Client } = await fresh();
  fake().initError = new Error('CompileError');
  await assert.rejects(new Auth0Client(base).loginWithPopup(), errors.GenericError);
  assert.equal(win.popup.closedByUs, true);
});

test('getTokenSilently resolves to the token, the parsed verbose response, or undefined', async () => {
  const c = new shared.Auth0Client(base);
  fake().handlers.getTokenSilently = () => 'at';
  assert.equal(await c.getTokenSilently(), 'at');
  assert.deepEqual(JSON.parse(lastCall()[1]), {});
  fake().handlers.getTokenSilently = () => '{"access_token":"at","id_token":"it","token_type":"Bearer","expires_in":86400}';
  assert.deepEqual(await c.getTokenSilently({ detailedResponse: true, cacheMode: 'off' }), {
    access_token: 'at',
    id_token: 'it',
    token_type: 'Bearer',
    expires_in: 86400
  });
  assert.deepEqual(JSON.parse(lastCall()[1]), { detailedResponse: true, cacheMode: 'off' });
  fake().handlers.getTokenSilently = () => undefined;
  assert.equal(await c.getTokenSilently({ cacheMode: 'cache-only' }), undefined);
});

// The memo a wasm client hands out after a cache hit (see WasmClient.hitMemo in src/wasm).
function memo(over = {}) {
  const m = {
    g: 3,
    k: '@@auth0spajs@@::abc::default::openid',
    u: '@@auth0spajs@@::abc::@@user@@',
    e: 'entry-text',
    t: 'user-text',
    l: false,
    n: Date.now() - 1000,
    f: Date.now() + 60000,
    r: { id_token: 'it', token_type: 'Bearer', access_token: 'at-memo', expires_in: 86400 },
    ...over
  };
  return JSON.stringify(m);
}
const tokenCalls = () => fake().clients[0].calls.filter((c) => c[0] === 'getTokenSilently').length;

test('a repeated cache hit is answered from the memo while the cache generation is unchanged', async () => {
  const { Auth0Client } = await fresh();
  const c = new Auth0Client(base);
  let generation = 3;
  fake().handlers.getTokenSilently = () => 'at-wasm';
  fake().handlers.hitMemo = () => memo();
  fake().handlers.cacheGeneration = () => generation;
  assert.equal(await c.getTokenSilently(), 'at-wasm');
  assert.equal(await c.getTokenSilently(), 'at-memo');
  assert.equal(await c.getTokenSilently(), 'at-memo');
  assert.equal(tokenCalls(), 1);
  fake().handlers.getTokenSilently = () => '{"access_token":"at-wasm"}';
  const detailed = await c.getTokenSilently({ detailedResponse: true });
  assert.equal(tokenCalls(), 2, 'other options text: its own memo');
  assert.deepEqual(detailed, { access_token: 'at-wasm' });
  fake().handlers.getTokenSilently = () => 'at-wasm';
  const again = await c.getTokenSilently({ detailedResponse: true });
  assert.deepEqual(again, JSON.parse(memo()).r);
  again.access_token = 'changed by the app';
  assert.equal((await c.getTokenSilently({ detailedResponse: true })).access_token, 'at-memo', 'a copy each time');
  generation = 4; // this client wrote to its cache
  assert.equal(await c.getTokenSilently(), 'at-wasm');
  generation = -1; // another tab's logout waits
  fake().handlers.hitMemo = () => memo({ g: -1 });
  await c.getTokenSilently();
  await c.getTokenSilently();
  assert.equal(tokenCalls(), 5, 'never served while a remote logout waits');
});

test('the memo is not used once the token is within its early expiry, nor without one', async () => {
  const { Auth0Client } = await fresh();
  const c = new Auth0Client(base);
  fake().handlers.getTokenSilently = () => 'at-wasm';
  fake().handlers.hitMemo = () => memo({ f: Date.now() - 1 });
  fake().handlers.cacheGeneration = () => 3;
  await c.getTokenSilently();
  assert.equal(await c.getTokenSilently(), 'at-wasm');
  fake().handlers.hitMemo = () => undefined;
  await c.getTokenSilently();
  assert.equal(await c.getTokenSilently(), 'at-wasm');
  assert.equal(tokenCalls(), 4);
});

test('with localStorage the memo is used only while both stored texts are unchanged', async () => {
  const { Auth0Client } = await fresh();
  const stored = { '@@auth0spajs@@::abc::default::openid': 'entry-text', '@@auth0spajs@@::abc::@@user@@': 'user-text' };
  globalThis.localStorage = { getItem: (k) => (k in stored ? stored[k] : null) };
  try {
    const c = new Auth0Client(base);
    fake().handlers.getTokenSilently = () => 'at-wasm';
    fake().handlers.hitMemo = () => memo({ l: true });
    fake().handlers.cacheGeneration = () => 3;
    await c.getTokenSilently();
    assert.equal(await c.getTokenSilently(), 'at-memo');
    stored['@@auth0spajs@@::abc::default::openid'] = 'written by another tab';
    assert.equal(await c.getTokenSilently(), 'at-wasm');
    fake().handlers.hitMemo = () => memo({ l: true, e: 'written by another tab' });
    await c.getTokenSilently();
    assert.equal(await c.getTokenSilently(), 'at-memo');
    delete stored['@@auth0spajs@@::abc::@@user@@'];
    assert.equal(await c.getTokenSilently(), 'at-wasm');
    globalThis.localStorage = { getItem() { throw new Error('SecurityError'); } };
    assert.equal(await c.getTokenSilently(), 'at-wasm', 'unreadable storage: the client decides');
  } finally {
    delete globalThis.localStorage;
  }
});

test('getUser returns the same object while the claims are unchanged', async () => {
  const c = new shared.Auth0Client(base);
  fake().handlers.getUser = () => '{"sub":"u1","name":"A"}';
  const first = await c.getUser();
  assert.deepEqual(first, { sub: 'u1', name: 'A' });
  assert.equal(await c.getUser(), first);
  fake().handlers.getUser = () => '{"sub":"u1","name":"B"}';
  const second = await c.getUser();
  assert.notEqual(second, first);
  assert.equal(second.name, 'B');
  fake().handlers.getUser = () => undefined;
  assert.equal(await c.getUser(), undefined);
  fake().handlers.getIdTokenClaims = () => '{"sub":"u1","__raw":"x.y.z"}';
  const claims = await c.getIdTokenClaims();
  assert.equal(claims.__raw, 'x.y.z');
  assert.equal(await c.getIdTokenClaims(), claims);
});

test('isAuthenticated resolves to a boolean', async () => {
  const c = new shared.Auth0Client(base);
  fake().handlers.isAuthenticated = () => 1;
  assert.equal(await c.isAuthenticated(), true);
  fake().handlers.isAuthenticated = () => undefined;
  assert.equal(await c.isAuthenticated(), false);
});

test('handleRedirectCallback defaults to the current URL and returns appState with response_type', async () => {
  const c = new shared.Auth0Client(base);
  fake().handlers.handleRedirectCallback = () => '{"appState":{"to":"/x"}}';
  assert.deepEqual(await c.handleRedirectCallback(), { appState: { to: '/x' }, response_type: 'code' });
  assert.deepEqual(lastCall(), ['handleRedirectCallback', 'https://app.example.com/cb?code=c&state=s']);
  fake().handlers.handleRedirectCallback = () => '{}';
  assert.deepEqual(await c.handleRedirectCallback('https://app/cb?code=1&state=2'), { appState: undefined, response_type: 'code' });
  assert.equal(lastCall()[1], 'https://app/cb?code=1&state=2');
});

test('error objects from wasm become the named classes', async () => {
  const c = new shared.Auth0Client(base);
  fake().handlers.handleRedirectCallback = async () => {
    throw { class: 'Authentication', error: 'access_denied', description: 'User did not authorize', state: 'st', appState: '{"to":"/"}' };
  };
  await assert.rejects(c.handleRedirectCallback(), (e) => {
    assert.ok(e instanceof errors.AuthenticationError);
    assert.deepEqual([e.error, e.message, e.state, e.appState], ['access_denied', 'User did not authorize', 'st', { to: '/' }]);
    return true;
  });
  fake().handlers.getTokenSilently = async () => {
    throw { class: 'Generic', error: 'login_required', description: 'Login required' };
  };
  await assert.rejects(c.getTokenSilently(), (e) => e instanceof errors.GenericError && e.error === 'login_required');
});

test('sessionTransferTokenQueryParamName: the URL parameter goes to /authorize once and leaves the address bar', async () => {
  const replaced = [];
  win.location.href = 'https://app.example.com/start?stt=the-token&x=1';
  win.history = { replaceState: (_s, _t, url) => replaced.push(url) };
  fake().handlers.loginWithRedirect = () => 'https://tenant/authorize';
  const c = new shared.Auth0Client({ ...base, sessionTransferTokenQueryParamName: 'stt' });
  await c.loginWithRedirect({ authorizationParams: { audience: 'a' } });
  const sent = JSON.parse(lastCall()[1]);
  assert.deepEqual(sent.authorizationParams, { audience: 'a', session_transfer_token: 'the-token' });
  assert.deepEqual(replaced, ['https://app.example.com/start?x=1']);
  assert.equal(fake().clients[0].json.sessionTransferTokenQueryParamName, undefined, 'the option stays in JS');
  // A call that brings its own token keeps it; without the parameter nothing is added.
  await c.loginWithRedirect({ authorizationParams: { session_transfer_token: 'own' } });
  assert.equal(JSON.parse(lastCall()[1]).authorizationParams.session_transfer_token, 'own');
  win.location.href = 'https://app.example.com/start';
  await c.loginWithRedirect();
  assert.equal(JSON.parse(lastCall()[1]).authorizationParams, undefined);
});

test('revokeRefreshToken passes its options as JSON and resolves to undefined, on the full build', async () => {
  const c = new shared.Auth0Client(base);
  fake().handlers.revokeRefreshToken = () => undefined;
  assert.equal(await c.revokeRefreshToken({ audience: 'https://api' }), undefined);
  assert.deepEqual(lastCall(1), ['revokeRefreshToken', '{"audience":"https://api"}']);
  assert.equal(fake().clients[1].full, true);
});

test('options that turn on a feature only the full build carries load the full build from the start, and only it', async () => {
  for (const options of [{ useDpop: true }, { useMrrt: true }, { interactiveErrorHandler: 'popup' }, { useDpop: true, useRefreshTokens: true, refreshTokenMode: 'online' }]) {
    globalThis.__fakeWasm = { inits: [], clients: [], handlers: {} };
    const { Auth0Client } = await fresh();
    const c = new Auth0Client({ ...base, ...options });
    await c.getUser();
    assert.deepEqual(fake().clients.map((r) => r.full), [true], JSON.stringify(options));
    assert.equal(fake().inits.length, 1, 'one build loaded');
  }
  for (const options of [{}, { useDpop: false }, { useMrrt: false }, { interactiveErrorHandler: 'none' }, { useRefreshTokens: true }]) {
    globalThis.__fakeWasm = { inits: [], clients: [], handlers: {} };
    const { Auth0Client } = await fresh();
    await new Auth0Client({ ...base, ...options }).getUser();
    assert.deepEqual(fake().clients.map((r) => r.full), [false], JSON.stringify(options));
  }
});

test('the full entry makes every client on its own full build: no second build, no move', async () => {
  const { Auth0Client } = await import(pathToFileURL(join(fullEntryDir, 'index.js')).href);
  fake().handlers.revokeRefreshToken = () => undefined;
  for (const options of [base, { ...base, useDpop: true }]) {
    globalThis.__fakeWasm.clients = [];
    const c = new Auth0Client(options);
    await c.getUser();
    await c.revokeRefreshToken();
    await c.logout({ openUrl: false, revokeRefreshTokens: true });
    assert.deepEqual(fake().clients.map((r) => r.full), [true], JSON.stringify(options));
    assert.deepEqual(fake().clients[0].calls.map((x) => x[0]), ['getUser', 'revokeRefreshToken', 'logout']);
  }
  assert.equal(fake().inits.length, 1, 'one build loaded, once');
});

test('options the lite build refuses as needing the full build make the client on the full build (the wasm parser owns the rule; needsFull is a hint)', async () => {
  const { Auth0Client } = await fresh();
  fake().liteCtorError = { class: 'Generic', error: 'full_build_needed', description: 'auth0-spa-wasm: the lite build does not carry the features these options turn on' };
  fake().handlers.getUser = () => '{"sub":"u"}';
  const c = new Auth0Client(base);
  assert.deepEqual(await c.getUser(), { sub: 'u' });
  assert.deepEqual(fake().clients.map((r) => r.full), [true], 'one client, on the full build');
  await c.revokeRefreshToken();
  assert.equal(fake().clients.length, 1, 'no move needed');
  fake().liteCtorError = { class: 'InvalidConfiguration', error: 'invalid_configuration', description: 'bad' };
  const bad = new (await fresh()).Auth0Client(base);
  await assert.rejects(bad.getUser(), (e) => e instanceof errors.InvalidConfigurationError);
});

test('a client moves to the full build on its first call that needs it: running calls settle first, later calls wait, the in-memory entries move', async () => {
  const c = new shared.Auth0Client(base);
  /** @type {(v: string) => void} */
  let finishToken = () => {};
  fake().handlers.getTokenSilently = () => new Promise((r) => (finishToken = r));
  fake().handlers.memoryEntries = (load) => (load === undefined ? '[["k","v"]]' : undefined);
  fake().handlers.customTokenExchange = () => '{"access_token":"x"}';
  const running = c.getTokenSilently();
  await backgroundWork();
  const exchanged = c.customTokenExchange({ subject_token: 's', subject_token_type: 'urn:t' });
  await backgroundWork();
  const user = c.getUser();
  await backgroundWork();
  assert.equal(fake().clients.length, 1, 'the move waits for the running call');
  finishToken('token');
  assert.equal(await running, 'token');
  assert.deepEqual(await exchanged, { access_token: 'x' });
  await user;
  const [lite, full] = fake().clients;
  assert.deepEqual([lite.full, full.full], [false, true]);
  assert.deepEqual(full.json, lite.json, 'same options');
  assert.deepEqual(lite.calls.map((x) => x[0]).filter((m) => m !== 'hitMemo'), ['getTokenSilently', 'memoryEntries']);
  assert.deepEqual(full.calls.map((x) => x[0]), ['memoryEntries', 'customTokenExchange', 'getUser'], 'the call made during the move ran on the full client');
  assert.deepEqual(full.calls[0], ['memoryEntries', '[["k","v"]]']);
  await c.isAuthenticated();
  assert.equal(fake().clients.length, 2, 'moved once');
  assert.equal(full.calls.at(-1)[0], 'isAuthenticated');
});

test('calls made together with a move run on the lite client before its entries are copied, or on the full client: never on the left one', async () => {
  // Both builds loaded already, so a move takes only a few promise turns. The first calls of a
  // new client (made at once, or after its construction settled), one plain and one that moves,
  // in either order and some promise turns apart.
  await new shared.Auth0Client(base).revokeRefreshToken();
  fake().handlers.getUser = () => '{"sub":"u"}';
  for (const settled of [false, true]) {
    for (const plainFirst of [true, false]) {
      for (const turns of [0, 1, 2, 3, 4, 6]) {
        const which = JSON.stringify({ settled, plainFirst, turns });
        fake().clients.length = 0;
        const c = new shared.Auth0Client(base);
        if (settled) await backgroundWork();
        const first = plainFirst ? c.getUser() : c.revokeRefreshToken();
        for (let i = 0; i < turns; i++) await null;
        const second = plainFirst ? c.revokeRefreshToken() : c.getUser();
        await Promise.all([first, second]);
        const [lite, full] = fake().clients.map((r) => r.calls.map((x) => x[0]));
        assert.equal(lite.at(-1), 'memoryEntries', which + ': nothing ran on the lite client after its entries were copied: ' + lite);
        assert.deepEqual([...lite.slice(0, -1), ...full.slice(1)].sort(), ['getUser', 'revokeRefreshToken'], which);
        assert.equal(full[0], 'memoryEntries', which);
      }
    }
  }
});

test('logout moves to the full build only to revoke refresh tokens', async () => {
  const c = new shared.Auth0Client(base);
  fake().handlers.logout = () => '';
  await c.logout({ openUrl: false });
  assert.equal(fake().clients.length, 1);
  await c.logout({ openUrl: false, revokeRefreshTokens: true });
  assert.deepEqual(fake().clients.map((r) => r.full), [false, true]);
  assert.equal(lastCall(1)[0], 'logout');
});

test('a string or a bare value never reaches the app as such', async () => {
  const c = new shared.Auth0Client(base);
  const thrown = ['boom', 42, null, { weird: true }];
  for (const t of thrown) {
    fake().handlers.getUser = () => {
      throw t;
    };
    await assert.rejects(c.getUser(), (e) => {
      assert.ok(e instanceof errors.GenericError, String(t));
      assert.equal(e.error, 'internal_error');
      return true;
    });
  }
  fake().handlers.getUser = () => {
    throw { error: 'server_error', error_description: 'oops' };
  };
  await assert.rejects(c.getUser(), (e) => e instanceof errors.GenericError && e.error === 'server_error' && e.message === 'oops');
});

test('a trap thrown at a call rejects it, and every later call of every client, with internal_error', async () => {
  const { Auth0Client } = await fresh();
  const a = new Auth0Client(base);
  const b = new Auth0Client(base);
  fake().handlers.getTokenSilently = () => new Promise(() => {}); // a call still waiting on wasm
  const waiting = b.getTokenSilently();
  await new Promise((r) => setTimeout(r, 10));
  fake().handlers.getUser = () => {
    throw new WebAssembly.RuntimeError('unreachable');
  };
  const isStop = (e) => e instanceof errors.GenericError && e.error === 'internal_error' && /stopped after an internal error \(unreachable\)/.test(e.message);
  await assert.rejects(a.getUser(), isStop);
  await assert.rejects(waiting, isStop, 'the waiting call settles');
  fake().handlers.isAuthenticated = () => true;
  await assert.rejects(b.isAuthenticated(), isStop, 'no further call runs on the broken module');
  await assert.rejects(new Auth0Client(base).getTokenSilently(), isStop);
  await assert.rejects(a.loginWithPopup(), isStop);
  assert.equal(win.popup.closedByUs, true, 'a popup opened for a refused call is closed');
});

test('a trap reported to the page by the task that ran it settles every waiting call', async () => {
  // In a browser the wasm task queue runs in a microtask: a trap there is an uncaught error
  // (an `error` event) or, from a promise callback, an `unhandledrejection`.
  const target = new EventTarget();
  globalThis.addEventListener = target.addEventListener.bind(target);
  try {
    for (const [type, field] of [['error', 'error'], ['unhandledrejection', 'reason']]) {
      const { Auth0Client } = await fresh();
      fake().handlers.getTokenSilently = () => new Promise(() => {});
      const pending = new Auth0Client(base).getTokenSilently();
      await new Promise((r) => setTimeout(r, 10));
      const ev = new Event(type);
      ev[field] = new WebAssembly.RuntimeError('unreachable');
      target.dispatchEvent(ev);
      await assert.rejects(pending, (e) => e instanceof errors.GenericError && e.error === 'internal_error', type);
      const other = new Event(type);
      other[field] = new Error('not a trap');
      target.dispatchEvent(other);
    }
  } finally {
    delete globalThis.addEventListener;
  }
});

test('JS errors raised through wasm (a page callback, fetch) pass through unchanged', async () => {
  const c = new shared.Auth0Client(base);
  const original = new TypeError('Failed to fetch');
  fake().handlers.getTokenSilently = () => {
    throw original;
  };
  await assert.rejects(c.getTokenSilently(), (e) => e === original);
  const fromOpenUrl = new Error('navigation refused');
  fake().handlers.loginWithRedirect = () => 'https://u';
  await assert.rejects(c.loginWithRedirect({ openUrl: () => { throw fromOpenUrl; } }), (e) => e === fromOpenUrl);
});

test('InMemoryCache.enclosedCache and LocalStorageCache behave like auth0-spa-js caches', () => {
  const mem = new shared.InMemoryCache().enclosedCache;
  mem.set('@@auth0spajs@@::abc::default::openid', { body: {}, expiresAt: 1 });
  assert.deepEqual(mem.get('@@auth0spajs@@::abc::default::openid'), { body: {}, expiresAt: 1 });
  assert.equal(mem.get('missing'), undefined);
  assert.deepEqual(mem.allKeys(), ['@@auth0spajs@@::abc::default::openid']);
  mem.remove('@@auth0spajs@@::abc::default::openid');
  assert.deepEqual(mem.allKeys(), []);
  assert.notEqual(new shared.InMemoryCache().enclosedCache, mem);

  const store = new Map();
  const ls = {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k)
  };
  // Object.keys(localStorage) lists the stored keys in browsers.
  const proxy = new Proxy(ls, { ownKeys: () => [...store.keys()], getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }) });
  globalThis.localStorage = proxy;
  win.localStorage = proxy;
  try {
    const c = new shared.LocalStorageCache();
    c.set('@@auth0spajs@@::abc::@@user@@', { id_token: 't' });
    store.set('other', 'x');
    store.set('@@auth0spajs@@::broken', '{not json');
    assert.equal(store.get('@@auth0spajs@@::abc::@@user@@'), '{"id_token":"t"}');
    assert.deepEqual(c.get('@@auth0spajs@@::abc::@@user@@'), { id_token: 't' });
    assert.equal(c.get('@@auth0spajs@@::broken'), undefined);
    assert.equal(c.get('nothing'), undefined);
    assert.deepEqual(c.allKeys().sort(), ['@@auth0spajs@@::abc::@@user@@', '@@auth0spajs@@::broken']);
    c.remove('@@auth0spajs@@::abc::@@user@@');
    assert.equal(store.has('@@auth0spajs@@::abc::@@user@@'), false);
  } finally {
    delete globalThis.localStorage;
  }
});

test('the package exports the auth0-spa-js names', () => {
  for (const name of [
    'createAuth0Client', 'Auth0Client', 'InMemoryCache', 'LocalStorageCache', 'User', 'GenericError',
    'InvalidConfigurationError', 'AuthenticationError', 'ConnectError', 'TimeoutError', 'PopupTimeoutError',
    'PopupCancelledError', 'PopupOpenError', 'MfaRequiredError', 'MissingRefreshTokenError',
    'MissingScopesError', 'UseDpopNonceError', 'ResponseType', 'RefreshTokenMode'
  ]) {
    assert.ok(shared[name] !== undefined, name);
  }
  assert.equal(shared.GenericError, errors.GenericError);
  assert.equal(shared.RefreshTokenMode.Online, 'online');
  assert.equal(shared.ResponseType.Code, 'code');
  assert.equal('toJsError' in shared, false, 'internal');
  assert.equal('asksForPopup' in shared, false, 'internal');
});

test('every runtime export of auth0-spa-js 2.28.3 exists here (its built module, read in node)', async () => {
  // Its ES-module build (the package's `main` is CommonJS, which node would wrap).
  const theirs = await import(new URL('../../node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.esm.js', import.meta.url).href);
  const missing = Object.keys(theirs).filter((name) => !(name in shared));
  assert.deepEqual(missing, []);
  assert.ok(Object.keys(theirs).length >= 38, 'auth0-spa-js 2.28.3 has 38');
});

test('CacheKey builds and reads keys as auth0-spa-js does', () => {
  const rows = [
    [{ clientId: 'abc', audience: 'default', scope: 'openid profile' }, undefined, undefined, '@@auth0spajs@@::abc::default::openid profile'],
    [{ clientId: 'abc' }, undefined, '@@user@@', '@@auth0spajs@@::abc::@@user@@'],
    [{ clientId: 'abc', audience: 'https://api' }, 'custom', undefined, 'custom::abc::https://api']
  ];
  for (const [data, prefix, suffix, key] of rows) assert.equal(new shared.CacheKey(data, prefix, suffix).toKey(), key);
  const k = shared.CacheKey.fromKey('@@auth0spajs@@::abc::https://api::openid email');
  assert.deepEqual([k.prefix, k.clientId, k.audience, k.scope], ['@@auth0spajs@@', 'abc', 'https://api', 'openid email']);
  assert.equal(shared.CacheKey.fromCacheEntry({ client_id: 'abc', audience: 'default', scope: 'openid' }).toKey(), '@@auth0spajs@@::abc::default::openid');
});

test('every sub-client of auth0-spa-js is the package\'s own class, and reaching them makes no wasm call', async () => {
  const client = new shared.Auth0Client({ domain: 'd', clientId: 'c' });
  assert.ok(client.mfa instanceof shared.MfaApiClient && client.passkey instanceof shared.PasskeyApiClient);
  assert.ok(client.myAccount instanceof shared.MyAccountApiClient && client.anonymous instanceof shared.AnonymousSessionApiClient);
  assert.deepEqual(Object.getOwnPropertyNames(shared.AnonymousSessionClient.prototype).sort(), ['constructor', 'createSession', 'getAccessToken', 'logout', 'mintTransferToken']);
  // client.anonymous (js/tests/anonymous.test.mjs): its synchronous methods read the store only.
  assert.deepEqual([client.anonymous.hasSession(), client.anonymous.getClaims()], [false, null]);
  // The DPoP helpers are implemented: without `useDpop` they throw synchronously, as auth0-spa-js.
  for (const [m, args] of [['getDpopNonce', []], ['setDpopNonce', ['n']], ['generateDpopProof', [{ url: 'https://api/', method: 'GET', accessToken: 't' }]]]) {
    assert.throws(() => client[m](...args), (e) => e instanceof Error && e.message === '`useDpop` option must be enabled before using DPoP.', m);
    assert.equal(Object.getOwnPropertyDescriptor(shared.Auth0Client.prototype, m).value.name, m);
  }
  // Implemented methods are the class's own, not replaced by a stand-in.
  assert.equal(typeof shared.Auth0Client.prototype.revokeRefreshToken, 'function');
  assert.equal(Object.getOwnPropertyDescriptor(shared.Auth0Client.prototype, 'revokeRefreshToken').value.name, 'revokeRefreshToken');
  assert.ok(globalThis.__fakeWasm.clients.every((w) => w.calls.length === 0), 'no call reached the wasm client');
});

test('interactiveErrorHandler: an error the wasm side marks interactive completes in a login popup, then the token is read from the cache', async () => {
  const c = new shared.Auth0Client({ ...base, interactiveErrorHandler: 'popup' });
  const mfa = { class: 'MfaRequired', error: 'mfa_required', description: 'Multifactor authentication required', mfa_token: 'mt', interactive: true };
  const silent = [];
  fake().handlers.getTokenSilently = (json) => {
    silent.push(JSON.parse(json));
    if (silent.length === 1) throw mfa;
    return '{"access_token":"at-mfa","id_token":"it","token_type":"Bearer","expires_in":60}';
  };
  const authorizationParams = { audience: 'https://api', scope: 'read:x' };
  assert.equal(await c.getTokenSilently({ authorizationParams }), 'at-mfa');
  const popupCall = fake().clients[0].calls.find(([name]) => name === 'loginWithPopup');
  assert.deepEqual(JSON.parse(popupCall[1]), { authorizationParams });
  assert.equal(win.opened.length, 1, 'one popup');
  assert.deepEqual(silent[1], { authorizationParams, cacheMode: 'cache-only', detailedResponse: true });
  // Not in the cache after the popup: auth0-spa-js's interactive_handler_cache_miss.
  let n = 0;
  fake().handlers.getTokenSilently = () => {
    if (n++ === 0) throw mfa;
    return undefined;
  };
  await assert.rejects(c.getTokenSilently({ detailedResponse: true }), (e) => e instanceof errors.GenericError && e.error === 'interactive_handler_cache_miss');
  // The same error without the mark is rethrown as it is, with no popup.
  const opened = win.opened.length;
  fake().handlers.getTokenSilently = () => {
    throw { ...mfa, interactive: undefined };
  };
  await assert.rejects(c.getTokenSilently(), (e) => e instanceof errors.MfaRequiredError && e.mfa_token === 'mt');
  assert.equal(win.opened.length, opened);
});

// ---------------------------------------------------------------------------------------------
// connectAccountWithRedirect and client.myAccount (docs/behaviour.md §2.12): the wasm client's
// steps (`connect`) around the My Account API calls, made through the client's fetcher with a
// token for `{domainUrl}/me/`.

const STARTED = { state: 'S', code_verifier: 'V', code_challenge: 'C', code_challenge_method: 'S256', redirect_uri: 'https://app.example.com/cb' };
const API = 'https://tenant.auth0.com/me/';

/** Answers `connect` as the wasm client does, tokens for the API, and records the API requests. */
function myAccountWorld(answer) {
  fake().handlers.connect = (op) => (op === 0 ? JSON.stringify(STARTED) : op === 1 ? undefined : API);
  fake().handlers.getTokenSilently = () => JSON.stringify({ access_token: 'AT', token_type: 'Bearer', expires_in: 60 });
  const requests = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (req) => {
    requests.push({ url: req.url, method: req.method, auth: req.headers.get('authorization'), type: req.headers.get('content-type'), body: await req.text() });
    const [status, body] = answer(req);
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  };
  return { requests, restore: () => (globalThis.fetch = realFetch) };
}

test('connectAccountWithRedirect: the client draws, the My Account API answers with a ticket, the client stores, the page goes there', async () => {
  const { Auth0Client } = await fresh();
  const world = myAccountWorld(() => [201, JSON.stringify({ connect_uri: 'https://tenant.auth0.com/connect?lang=en', connect_params: { ticket: 'T/+ 1' }, auth_session: 'AS' })]);
  try {
    const client = new Auth0Client(base);
    await client.connectAccountWithRedirect({ connection: 'google-oauth2', scopes: ['openid'], appState: { to: '/x', n: NaN }, redirectUri: 'https://app.example.com/cb' });
    const calls = fake().clients[0].calls.filter((c) => c[0] !== 'hitMemo');
    assert.deepEqual(calls[0], ['connect', 0, JSON.stringify({ redirectUri: 'https://app.example.com/cb' })]);
    const token = calls.find((c) => c[0] === 'getTokenSilently');
    assert.deepEqual(JSON.parse(token[1]), { authorizationParams: { scope: 'create:me:connected_accounts', audience: API }, detailedResponse: true });
    assert.equal(world.requests.length, 1);
    const [req] = world.requests;
    assert.deepEqual([req.url, req.method, req.auth, req.type], [API + 'v1/connected-accounts/connect', 'POST', 'Bearer AT', 'application/json']);
    assert.deepEqual(JSON.parse(req.body), { connection: 'google-oauth2', scopes: ['openid'], redirect_uri: STARTED.redirect_uri, state: 'S', code_challenge: 'C', code_challenge_method: 'S256' });
    const store = calls.find((c) => c[0] === 'connect' && c[1] === 1);
    assert.deepEqual(JSON.parse(store[2]), {
      started: STARTED,
      answer: { connect_uri: 'https://tenant.auth0.com/connect?lang=en', connect_params: { ticket: 'T/+ 1' }, auth_session: 'AS' },
      appState: { to: '/x', n: null },
      connection: 'google-oauth2'
    });
    // connect_uri with `ticket` set as auth0-spa-js sets it (URLSearchParams).
    assert.deepEqual(win.assigned, ['https://tenant.auth0.com/connect?lang=en&ticket=T%2F%2B+1']);
    const opened = [];
    await client.connectAccountWithRedirect({ connection: 'c', openUrl: async (u) => opened.push(u) });
    assert.deepEqual(opened, ['https://tenant.auth0.com/connect?lang=en&ticket=T%2F%2B+1']);
    assert.equal(win.assigned.length, 1, 'openUrl replaces the navigation');
  } finally {
    world.restore();
  }
});

test('connectAccountWithRedirect without a connection throws auth0-spa-js\'s Error; an API refusal is a MyAccountApiError and nothing is stored or opened', async () => {
  const { Auth0Client, MyAccountApiError } = await fresh();
  const world = myAccountWorld(() => [400, JSON.stringify({ type: 'about:blank', status: 400, title: 'Bad Request', detail: 'unknown connection', validation_errors: [{ field: 'connection', detail: 'unknown' }] })]);
  try {
    const client = new Auth0Client(base);
    await assert.rejects(client.connectAccountWithRedirect({}), (e) => e instanceof Error && !(e instanceof errors.GenericError) && e.message === 'connection is required');
    await assert.rejects(client.connectAccountWithRedirect({ connection: 'nope' }), (e) => {
      assert.ok(e instanceof MyAccountApiError);
      assert.deepEqual([e.status, e.title, e.detail, e.validation_errors], [400, 'Bad Request', 'unknown connection', [{ field: 'connection', detail: 'unknown' }]]);
      return true;
    });
    assert.ok(!fake().clients[0].calls.some((c) => c[0] === 'connect' && c[1] === 1), 'no transaction stored');
    assert.deepEqual(win.assigned, []);
  } finally {
    world.restore();
  }
});

test('handleRedirectCallback of a connection completes it at the My Account API and returns the account with appState and response_type', async () => {
  const { Auth0Client } = await fresh();
  const account = { id: 'cac_1', connection: 'google-oauth2', access_type: 'offline', scopes: ['openid'], created_at: '2026-12-04T00:00:00.000Z' };
  const world = myAccountWorld(() => [201, JSON.stringify(account)]);
  try {
    const client = new Auth0Client(base);
    const connect = { auth_session: 'AS', connect_code: 'CC', redirect_uri: 'https://app.example.com/cb', code_verifier: 'V' };
    fake().handlers.handleRedirectCallback = () => JSON.stringify({ appState: { to: '/x' }, connect });
    const result = await client.handleRedirectCallback('https://app.example.com/cb?connect_code=CC&state=S');
    assert.deepEqual(result, { ...account, appState: { to: '/x' }, response_type: 'connect_code' });
    assert.equal(world.requests.length, 1);
    assert.deepEqual([world.requests[0].url, world.requests[0].method], [API + 'v1/connected-accounts/complete', 'POST']);
    assert.deepEqual(JSON.parse(world.requests[0].body), connect);
    // A login callback is unchanged.
    fake().handlers.handleRedirectCallback = () => JSON.stringify({ appState: 7 });
    assert.deepEqual(await client.handleRedirectCallback('https://app.example.com/cb?code=c&state=s'), { appState: 7, response_type: 'code' });
    assert.equal(world.requests.length, 1);
  } finally {
    world.restore();
  }
});

test('client.myAccount is one MyAccountApiClient per client whose requests load on first use; with useDpop its fetcher has the My Account nonce slot', async () => {
  const { Auth0Client, MyAccountApiClient } = await fresh();
  const world = myAccountWorld(() => [200, JSON.stringify({ factors: [{ type: 'passkey' }] })]);
  try {
    const client = new Auth0Client(base);
    assert.ok(client.myAccount instanceof MyAccountApiClient);
    assert.equal(client.myAccount, client.myAccount);
    assert.notEqual(new Auth0Client(base).myAccount, client.myAccount);
    assert.deepEqual(await client.myAccount.getFactors(), [{ type: 'passkey' }]);
    assert.deepEqual(world.requests.map((r) => [r.url, r.method, r.auth]), [[API + 'v1/factors', 'GET', 'Bearer AT']]);
    const dpop = new Auth0Client({ ...base, useDpop: true });
    assert.equal(dpop.myAccount[Object.getOwnPropertySymbols(dpop.myAccount)[0]].fetcher.config.dpopNonceId, '__auth0_my_account_api__');
    assert.equal(client.myAccount[Object.getOwnPropertySymbols(client.myAccount)[0]].fetcher.config.dpopNonceId, undefined);
  } finally {
    world.restore();
  }
});

test('client.mfa: one per client; an mfa_required rejection leaves the context verify and the factors use; its errors are auth0-spa-js\'s', async () => {
  const c = new shared.Auth0Client(base);
  assert.equal(c.mfa, c.mfa, 'one instance per client');
  assert.ok(c.mfa instanceof shared.MfaApiClient);
  const calls = [];
  const requirements = { challenge: [{ type: 'otp' }], enroll: [{ type: 'otp' }] };
  // The Rust core names the request's scope and audience in an mfa_required rejection.
  fake().handlers.getTokenSilently = () => {
    throw { class: 'MfaRequired', error: 'mfa_required', description: 'Multifactor authentication required', mfa_token: 'mt', mfa_requirements: JSON.stringify(requirements), scope: 'openid read', audience: 'https://api' };
  };
  await assert.rejects(c.getTokenSilently(), (e) => e instanceof errors.MfaRequiredError && e.mfa_token === 'mt' && !('scope' in e) && !('audience' in e));
  fake().handlers.mfa = (op, json) => {
    calls.push([op, JSON.parse(json)]);
    if (op === 0 && JSON.parse(json).body[1][1] === 'bad') throw { class: 'MfaVerify', error: 'invalid_grant', description: 'Invalid otp_code.' };
    if (op === 0) return '{"access_token":"at","token_type":"Bearer","expires_in":60}';
    return undefined;
  };
  assert.deepEqual(await c.mfa.getEnrollmentFactors('mt'), [{ type: 'otp' }]);
  await assert.rejects(c.mfa.verify({ mfaToken: 'mt', otp: 'bad' }), (e) => e instanceof shared.MfaVerifyError && e instanceof errors.GenericError && e.error === 'invalid_grant' && e.message === 'Invalid otp_code.');
  assert.deepEqual(await c.mfa.verify({ mfaToken: 'mt', otp: '123456' }), { access_token: 'at', token_type: 'Bearer', expires_in: 60 });
  const otp = 'http://auth0.com/oauth/grant-type/mfa-otp';
  assert.deepEqual(calls[1], [0, { body: [['grant_type', otp], ['otp', '123456'], ['mfa_token', 'mt']], scope: 'openid read', audience: 'https://api' }]);
  await assert.rejects(c.mfa.verify({ mfaToken: 'mt', otp: '1' }), (e) => e instanceof shared.MfaVerifyError && e.error === 'mfa_context_not_found', 'a verified context is forgotten');
  await assert.rejects(c.mfa.getAuthenticators('nope'), (e) => e instanceof shared.MfaListAuthenticatorsError && e.error === 'invalid_request');
  await assert.rejects(c.mfa.getEnrollmentFactors('nope'), (e) => e instanceof shared.MfaEnrollmentFactorsError && e.error === 'mfa_context_not_found');
  assert.equal(c.mfa.setMFAAuthDetails('mt2', 'openid', 'https://api2', {}), undefined, 'synchronous');
  await c.mfa.verify({ mfaToken: 'mt2', recoveryCode: 'RC' });
  assert.deepEqual(calls.filter(([op]) => op === 0).pop()[1].audience, 'https://api2');
  assert.equal(calls.filter(([op]) => op === 0).length, 3, 'unknown contexts fail before any grant is sent');
  assert.equal(new shared.Auth0Client(base).mfa.setMFAAuthDetails('x'), undefined);
  await assert.rejects(new shared.Auth0Client(base).mfa.verify({ mfaToken: 'mt2', otp: '1' }), (e) => e.error === 'mfa_context_not_found', 'contexts are per client');
});

test('client.passkey: one per client; its grant goes to the wasm client (mfa op 2) and its errors are auth0-spa-js\'s, an mfa_required one leaving a context for client.mfa', async () => {
  const c = new shared.Auth0Client(base);
  assert.equal(c.passkey, c.passkey, 'one instance per client');
  assert.ok(c.passkey instanceof shared.PasskeyApiClient);
  assert.notEqual(new shared.Auth0Client(base).passkey, c.passkey);
  // Node has no WebAuthn: auth0-spa-js's PasskeyError, and no wasm call.
  await assert.rejects(c.passkey.login(), (e) => e instanceof shared.PasskeyError && e.code === 'passkey_not_supported');
  assert.ok(fake().clients.every((w) => w.calls.length === 0));
  class AuthenticatorAssertionResponse {}
  Object.assign(globalThis, { PublicKeyCredential: function () {}, AuthenticatorAssertionResponse });
  Object.defineProperty(globalThis, 'navigator', { value: { credentials: {} }, configurable: true, writable: true });
  try {
    const calls = [];
    const requirements = { challenge: [{ type: 'otp' }], enroll: [{ type: 'otp' }] };
    fake().handlers.mfa = (op, json) => {
      calls.push([op, JSON.parse(json)]);
      if (calls.length === 2) throw { class: 'Generic', error: 'invalid_grant', description: 'Invalid authn_response' };
      if (calls.length === 3) throw { class: 'MfaRequired', error: 'mfa_required', description: 'Multifactor authentication required', mfa_token: 'mt-pk', mfa_requirements: JSON.stringify(requirements), scope: 'openid profile email', audience: 'https://api' };
      return '{"access_token":"at","token_type":"Bearer","expires_in":60}';
    };
    const credential = { id: 'Yw', rawId: new Uint8Array([99]).buffer, type: 'public-key', response: Object.assign(new AuthenticatorAssertionResponse(), { clientDataJSON: new Uint8Array([1]).buffer, authenticatorData: new Uint8Array([2]).buffer, signature: new Uint8Array([3]).buffer, userHandle: null }), getClientExtensionResults: () => ({}) };
    const options = { authSession: 'as', credential, audience: 'https://api' };
    assert.deepEqual(await c.passkey.getTokenWithPasskey(options), { access_token: 'at', token_type: 'Bearer', expires_in: 60 });
    assert.deepEqual(calls[0], [2, { authSession: 'as', credential: { id: 'Yw', rawId: 'Yw', type: 'public-key', response: { clientDataJSON: 'AQ', authenticatorData: 'Ag', signature: 'Aw' }, clientExtensionResults: {} }, audience: 'https://api' }]);
    await assert.rejects(c.passkey.getTokenWithPasskey(options), (e) => e instanceof errors.GenericError && e.error === 'invalid_grant' && e.message === 'Invalid authn_response');
    await assert.rejects(c.passkey.getTokenWithPasskey(options), (e) => e instanceof errors.MfaRequiredError && e.mfa_token === 'mt-pk');
    assert.deepEqual(await c.mfa.getEnrollmentFactors('mt-pk'), [{ type: 'otp' }], 'the context of the passkey grant');
  } finally {
    delete globalThis.PublicKeyCredential;
    delete globalThis.AuthenticatorAssertionResponse;
    delete globalThis.navigator;
  }
});

test('js/mfa.js loads js/mfa-api.js on first use, with the fetch captured at import and the client\'s settings', async (t) => {
  const sent = [];
  const saved = globalThis.fetch;
  capturedFetchTarget = async (url, init) => {
    sent.push([url, init.headers.Authorization]);
    return new Response(JSON.stringify([{ id: 'totp|1', authenticator_type: 'otp', active: true, type: 'otp' }, { id: 'x', authenticator_type: 'oob', active: true, type: 'phone' }]), { status: 200 });
  };
  // A wrapper installed after the import, like a page script that runs later: never called.
  globalThis.fetch = () => assert.fail('the fetch installed after the import was called');
  const mfa = await import(pathToFileURL(join(dir, 'mfa.js')).href);
  t.after(() => {
    globalThis.fetch = saved;
    capturedFetchTarget = realFetch;
  });
  let asked = 0;
  const extras = await import(pathToFileURL(join(dir, 'extras.js')).href);
  const contexts = new Map();
  const client = new mfa.MfaApiClient({
    run: async (op) => {
      throw new Error('unexpected op ' + op);
    },
    settings: async () => (asked++, { baseUrl: 'https://t.example', clientId: 'cid', timeoutMs: 5000 }),
    contexts,
    errors: { list: extras.MfaListAuthenticatorsError, enroll: extras.MfaEnrollmentError, challenge: extras.MfaChallengeError, factors: extras.MfaEnrollmentFactorsError, verify: extras.MfaVerifyError },
    failed: (m) => new errors.GenericError('internal_error', m)
  });
  client.setMFAAuthDetails('mt-1', 'openid', undefined, { challenge: [{ type: 'otp' }] });
  const list = await client.getAuthenticators('mt-1');
  assert.deepEqual(list.map((a) => a.id), ['totp|1'], 'filtered by the context\'s challenge types');
  assert.deepEqual(sent, [['https://t.example/mfa/authenticators', 'Bearer mt-1']]);
  assert.equal(asked, 1, 'the HTTP calls take the tenant\'s URL, client and timeout from the client\'s settings');
});

test('client.mfa, client.passkey and client.anonymous are made once per client and ask its settings once between them', async () => {
  // Port 9 on loopback refuses at once: the passkey and anonymous requests fail without a network.
  fake().handlers.mfa = async (op) => (op === 1 ? JSON.stringify({ baseUrl: 'http://127.0.0.1:9', clientId: 'abc', timeoutMs: 5000 }) : '{}');
  const a = new shared.Auth0Client(base);
  const b = new shared.Auth0Client(base);
  for (const name of ['mfa', 'passkey', 'anonymous', 'myAccount']) {
    assert.equal(a[name], a[name], `${name} is one object per client`);
    assert.notEqual(a[name], b[name], `${name} is not shared between clients`);
  }
  const asked = () => fake().clients.map((w) => w.calls.filter(([name, op]) => name === 'mfa' && op === 1).length);
  // Each of these asks the settings before it fails (no MFA context; nothing listens on port 9).
  await assert.rejects(a.mfa.getAuthenticators('no-context'), (e) => e.error === 'invalid_request');
  await assert.rejects(a.passkey.getLoginChallenge(), (e) => e instanceof Error);
  await assert.rejects(a.anonymous.createSession(), (e) => e instanceof Error);
  assert.deepEqual(asked(), [1, 0], 'client a asked once for its three sub-clients, client b never');
});

test('MFA contexts live ten minutes per token, a newer one replacing the older', async () => {
  const mfa = await import(pathToFileURL(join(dir, 'mfa.js')).href);
  const contexts = new Map();
  const ttl = mfa.MFA_CONTEXT_TTL_MS;
  assert.equal(ttl, 600000);
  mfa.rememberMfaContext(contexts, 'a', 'openid', 'https://api', undefined, 1000);
  mfa.rememberMfaContext(contexts, 'b', undefined, undefined, undefined, 2000);
  assert.equal(mfa.mfaContext(contexts, 'a', 1000 + ttl).audience, 'https://api');
  assert.equal(mfa.mfaContext(contexts, 'a', 1001 + ttl), undefined, 'expired after the TTL, strictly');
  assert.equal(contexts.size, 1, 'an expired context is dropped when looked up');
  mfa.rememberMfaContext(contexts, 'c', 'x', undefined, undefined, 3000 + ttl);
  assert.deepEqual([...contexts.keys()], ['c'], 'remembering drops every expired context');
  mfa.rememberMfaContext(contexts, 'c', 'y', undefined, undefined, 3001 + ttl);
  assert.equal(mfa.mfaContext(contexts, 'c', 3001 + ttl).scope, 'y', 'a newer context replaces the older');
});

