// The flows that matter, in the engine WD_ENGINE names (chromium, firefox or webkit), driven over
// WebDriver against the local tenant: redirect login and callback, refresh-token renewal with
// rotation, hidden-iframe renewal, popup login, tabs sharing localStorage renewing at once (one
// request, no reuse), logout reaching another tab, and a page under a strict
// Content-Security-Policy. One source for every engine: `npm test` runs it once per engine, and
// every test name starts with the engine. The Chromium-only depth (fault injection, stack depth,
// 10-round tab races, security cases) stays in tests/e2e (Playwright).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const E = h.ENGINE;
const T = { timeout: 120_000 };
let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** A new browser session of `env` (quit when `t` ends) with the test page open. */
async function openApp(t, options, base = env.pages.url) {
  const b = await env.session(t);
  await b.openApp(base, options, env.tenant);
  return b;
}

/**
 * Tests that renew set the tenant's access-token lifetime to 1 s and wait this long before each
 * renewal, so the cached token has really expired (the SDK serves a short-lived token for half its
 * life, and renews 60 s before the end of a long one).
 */
const PAST_TTL_MS = 1_100;

/**
 * `n` renewals by refresh token in a row, counted from a reset of the tenant's stats: each gives a
 * new access token with exactly one more refresh request, and no refresh token is reused.
 * `check(i)` adds checks after renewal `i`. Returns the access tokens.
 */
async function renewInARow(b, n, check = async () => {}) {
  env.tenant.resetStats();
  const tokens = [];
  for (let i = 1; i <= n; i += 1) {
    await h.sleep(PAST_TTL_MS);
    const r = await b.getToken();
    assert.equal(r.ok, true, `renewal ${i}: ${JSON.stringify(r)}`);
    assert.ok(!tokens.includes(r.value), `renewal ${i} gave a new access token`);
    tokens.push(r.value);
    const s = h.tokenStats(env.tenant);
    assert.equal(s.refresh, i, `renewal ${i}: exactly one refresh request per renewal`);
    assert.equal(s.reuse, 0, `renewal ${i}: no refresh token reused`);
    await check(i);
  }
  return tokens;
}

test(`[${E}] redirect login: the callback is handled, the URL cleaned, the user and the cache entries are there`, T, async (t) => {
  env.resetTenant();
  const b = await openApp(t, { cacheLocation: 'localstorage' });
  await b.loginWithRedirect(env.pages.url);
  assert.equal(await b.url(), `${env.pages.url}/`);
  const r = await b.run(async () => ({
    authenticated: await window.__client.isAuthenticated(),
    user: await window.__client.getUser(),
    claims: await window.__client.getIdTokenClaims(),
  }));
  assert.equal(r.authenticated, true);
  assert.equal(r.user.sub, 'auth0|alice');
  assert.equal(r.user.email, 'alice@example.com');
  assert.equal(r.claims.iss, env.tenant.issuer);
  assert.equal(typeof r.claims.__raw, 'string');
  const s = h.tokenStats(env.tenant);
  assert.equal(s.code, 1, 'one code exchange');
  assert.equal(env.tenant.stats().logins, 1);
  const keys = (await b.readCache()).map((e) => e.key);
  assert.ok(keys.includes(`@@auth0spajs@@::${env.tenant.clientId}::@@user@@`), `ID token entry in ${keys}`);
  assert.ok(keys.includes(`@@auth0spajs@@::${env.tenant.clientId}::default::openid profile email`), `access token entry in ${keys}`);
  // A second hit comes from the cache, without a request.
  env.tenant.resetStats();
  const hit = await b.getToken();
  assert.equal(hit.ok, true, JSON.stringify(hit));
  assert.equal(h.tokenStats(env.tenant).total, 0, 'a fresh token is served from the cache');
});

test(`[${E}] refresh-token renewal: every renewal rotates the refresh token, one request each, never a reuse`, T, async (t) => {
  env.resetTenant({ accessTokenTtl: 1 }); // < 60 s: every cached token counts as expired
  const b = await openApp(t, { cacheLocation: 'localstorage', useRefreshTokens: true });
  await b.loginWithRedirect(env.pages.url);
  const seen = await b.refreshTokensInStorage();
  assert.equal(seen.length, 1, 'one refresh token after login');
  await renewInARow(b, 3, async (i) => {
    const rts = await b.refreshTokensInStorage();
    assert.equal(rts.length, 1, 'the cache holds one refresh token');
    assert.ok(!seen.includes(rts[0]), `renewal ${i}: the refresh token rotated`);
    seen.push(rts[0]);
  });
  assert.deepEqual(env.tenant.stats().token.byStatus, { 200: 3 });
});

test(`[${E}] refresh-token renewal with the in-memory cache: rotation, and no token in web storage`, T, async (t) => {
  env.resetTenant({ accessTokenTtl: 1 });
  const b = await openApp(t, { useRefreshTokens: true });
  await b.loginWithRedirect(env.pages.url);
  const tokens = await renewInARow(b, 2);
  const dump = await b.run(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
  assert.ok(!dump.includes('refresh_token') && !dump.includes('access_token'), `web storage holds no tokens: ${dump}`);
  for (const tok of tokens) assert.ok(!dump.includes(tok));
});

test(`[${E}] hidden-iframe renewal (prompt=none, web_message): one silent authorize and code exchange each, the iframe removed`, T, async (t) => {
  env.resetTenant({ accessTokenTtl: 1 });
  const b = await openApp(t, { cacheLocation: 'localstorage' });
  await b.loginWithRedirect(env.pages.url);
  assert.deepEqual(await b.refreshTokensInStorage(), [], 'no refresh token without useRefreshTokens');
  env.tenant.resetStats();
  const tokens = new Set();
  for (let i = 1; i <= 2; i += 1) {
    await h.sleep(PAST_TTL_MS);
    const r = await b.getToken();
    assert.equal(r.ok, true, `renewal ${i}: ${JSON.stringify(r)}`);
    tokens.add(r.value);
    const s = h.tokenStats(env.tenant);
    assert.equal(s.authorizeNone, i, 'one silent authorize per renewal');
    assert.equal(s.webMessage, i);
    assert.equal(s.code, i, 'one code exchange per renewal');
    assert.equal(s.refresh, 0, 'no refresh grant');
  }
  assert.equal(tokens.size, 2);
  await b.waitFor(() => document.querySelectorAll('iframe').length === 0, undefined, 5_000, 'iframe removed');
});

test(`[${E}] popup login from a click: the user is signed in and the popup closes`, T, async (t) => {
  env.resetTenant();
  const b = await openApp(t, {});
  const main = await b.window();
  await b.click('#popup-login');
  const result = await b.waitFor(() => window.__state.popup, undefined, h.WAIT, 'popup login settled');
  assert.deepEqual(result, { ok: true });
  const deadline = Date.now() + 5_000;
  let handles = await b.windows();
  while (handles.length > 1 && Date.now() < deadline) { await h.sleep(100); handles = await b.windows(); }
  assert.deepEqual(handles, [main], 'the popup was closed');
  const user = await b.run(() => window.__client.getUser());
  assert.equal(user.sub, 'auth0|alice');
  const s = h.tokenStats(env.tenant);
  assert.equal(s.webMessage, 1, 'the popup used web_message');
  assert.equal(s.code, 1);
});

const TABS = 4;
const ROUNDS = Number(process.env.WD_TAB_ROUNDS) || 3;

test(`[${E}] ${TABS} tabs sharing localStorage load at once with an expired token: one token request and no reuse, ${ROUNDS} times`, { timeout: 300_000 }, async (t) => {
  env.resetTenant();
  const base = env.pages.url;
  const b = await openApp(t, { cacheLocation: 'localstorage', useRefreshTokens: true });
  await b.loginWithRedirect(base);
  await b.get(`${base}/blank.html`);
  const control = await b.window();
  const tabs = [];
  for (let i = 0; i < TABS; i += 1) tabs.push(await b.newTab(`${base}/blank.html`));
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    await b.switchTo(control);
    const expired = await b.expireCachedTokens();
    env.tenant.resetStats();
    // Every tab navigates to the app at the same moment (a timer in each page; the clock is shared).
    const at = Date.now() + 1_500;
    for (const tab of tabs) {
      await b.switchTo(tab);
      await b.run((u, when) => { window.__stale = true; setTimeout(() => { location.href = u; }, when - Date.now()); }, `${base}/`, at);
    }
    const results = [];
    const starts = [];
    for (const tab of tabs) {
      await b.switchTo(tab);
      await b.waitForApp(base, 30_000);
      starts.push(await b.run(() => Math.round(performance.timeOrigin)));
      results.push(await b.getToken());
    }
    const s = h.tokenStats(env.tenant);
    const errors = results.filter((r) => !r.ok).map((r) => r.error);
    const tokens = new Set(results.filter((r) => r.ok).map((r) => r.value));
    // How far apart the tabs started loading (ms): they overlap when this is below a page load.
    const spread = Math.max(...starts) - Math.min(...starts);
    const entry = { round, expired, spread, tokenRequests: s.total, refresh: s.refresh, reuse: s.reuse, errors, distinctTokens: tokens.size };
    entry.ok = expired >= 1 && errors.length === 0 && s.total === 1 && s.refresh === 1 && s.reuse === 0 && tokens.size === 1;
    if (!entry.ok) entry.grantErrors = s.grantErrors;
    rounds.push(entry);
    if (!entry.ok) break; // a reuse revoked the grant: later rounds would measure something else
  }
  t.diagnostic(JSON.stringify(rounds));
  assert.deepEqual(rounds.filter((r) => !r.ok), [], `every round: one token request, no reuse, one shared token.\n${JSON.stringify(rounds, null, 1)}`);
});

for (const cacheLocation of ['memory', 'localstorage']) {
  test(`[${E}] a logout in one tab stops another tab serving cached tokens (${cacheLocation} cache)`, T, async (t) => {
    env.resetTenant();
    const base = env.pages.url;
    const b = await openApp(t, { cacheLocation });
    await b.loginWithRedirect(base);
    const tabA = await b.window();
    // Tab B starts after the login: createAuth0Client's checkSession signs it in silently.
    const tabB = await b.newTab(`${base}/`);
    await b.waitForApp(base);
    const before = await b.getToken({ cacheMode: 'cache-only' });
    assert.equal(before.ok, true);
    assert.equal(typeof before.value, 'string', `tab B holds a token before the logout: ${JSON.stringify(before)}`);
    await b.switchTo(tabA);
    await b.run(() => window.__client.logout({ openUrl: false }));
    await b.switchTo(tabB);
    const after = await b.waitFor(async () => {
      const r = await window.__try(() => window.__client.getTokenSilently({ cacheMode: 'cache-only' }));
      return r.ok && r.value === undefined ? { cleared: true, authenticated: await window.__client.isAuthenticated() } : null;
    }, undefined, 5_000, 'tab B cleared');
    assert.equal(after.cleared, true);
    assert.equal(after.authenticated, false, 'tab B no longer reports a session');
  });
}

test(`[${E}] a page under Content-Security-Policy "${h.STRICT_CSP}" logs in and renews (refresh token and iframe) without a violation`, T, async (t) => {
  env.resetTenant({ accessTokenTtl: 1 });
  const base = env.cspPages.url;
  const b = await openApp(t, { useRefreshTokens: true, useRefreshTokensFallback: true }, base);
  const start = await b.run(() => window.__state);
  assert.equal(start.evalAllowed, false, 'the policy is in force: eval is refused');
  await b.loginWithRedirect(base);
  await renewInARow(b, 2);
  // The hidden iframe under the same policy: a client without refresh tokens.
  const viaIframe = await b.run(() => window.__try(async () => {
    const c = await window.__sdk.createAuth0Client({ ...window.__clientOptions(), useRefreshTokens: false, cacheLocation: 'memory' });
    return c.getTokenSilently({ cacheMode: 'off' });
  }));
  assert.equal(viaIframe.ok, true, JSON.stringify(viaIframe));
  assert.ok(h.tokenStats(env.tenant).webMessage >= 1, 'renewed through the iframe');
  const state = await b.run(() => window.__state);
  // The only violation is the page's own eval probe.
  assert.deepEqual(state.violations.filter((v) => v.blocked !== 'eval'), [], JSON.stringify(state.violations));
});

test(`[${E}] cookie transactions: a login through the cookie works, and a transaction over 4096 bytes is refused before the redirect`, T, async (t) => {
  env.resetTenant();
  const base = env.pages.url;
  const b = await openApp(t, { useCookiesForTransactions: true });
  // Over the common cookie limit (name plus value): WebKitGTK would keep such a cookie, Chromium
  // and Firefox would drop it; the SDK refuses it in every engine, and nothing navigates.
  const refused = await b.run(() => window.__try(() => window.__client.loginWithRedirect({ appState: { pad: 'x'.repeat(5000) } })));
  assert.equal(refused.ok, false, JSON.stringify(refused));
  assert.equal(refused.error.error, 'storage_error', JSON.stringify(refused));
  assert.match(refused.error.message, /too big for a cookie/);
  assert.equal(await b.url(), `${base}/`, 'no redirect');
  assert.ok(!(await b.run(() => document.cookie)).includes('a0.spajs.txs'), 'no transaction cookie left');
  assert.equal(env.tenant.stats().authorize.total, 0);
  // A transaction that fits goes through the cookie and the login completes.
  await b.loginWithRedirect(base);
  assert.equal(await b.run(() => window.__client.isAuthenticated()), true);
  assert.ok(!(await b.run(() => document.cookie)).includes('a0.spajs.txs'), 'the transaction cookie is consumed');
  assert.equal(await b.run(() => sessionStorage.length), 0, 'nothing in sessionStorage');
});
