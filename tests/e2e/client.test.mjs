// End-to-end tests of the client on a minimal page (tests/e2e/pages/) against the local tenant:
// redirect and popup login, cache, refresh-token rotation, non-rotating servers, iframe renewal,
// logout, and bad callbacks. SDK under test: E2E_SDK (default 'wasm').
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const T = { timeout: 60_000 };
let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** A fresh context with one initialised test page; closed when the test ends. */
const freshPage = (t, options) => h.freshPage(env, t, options);

const { getToken, sdkCookies } = h;

/**
 * `n` renewals by refresh token in a row, counted from a reset of the tenant's stats: each succeeds
 * with a new access token and exactly one more refresh request, and no refresh token is ever
 * reused. `after(i)` adds checks after renewal `i`. Returns the access tokens.
 */
async function renewInARow(page, n, after = async () => {}) {
  env.tenant.resetStats();
  const tokens = [];
  for (let i = 1; i <= n; i += 1) {
    const r = await getToken(page);
    assert.equal(r.ok, true, `renewal ${i}: ${JSON.stringify(r)}`);
    assert.ok(!tokens.includes(r.value), `renewal ${i} gave a new access token`);
    tokens.push(r.value);
    const s = h.tokenStats(env.tenant);
    assert.equal(s.refresh, i, `renewal ${i}: exactly one refresh request per renewal`);
    assert.equal(s.reuse, 0, `renewal ${i}: no refresh token reused`);
    await after(i);
  }
  return tokens;
}

test(`[${h.SDK}] redirect login completes, the URL is cleaned and the user profile is available`, T, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, { cacheLocation: 'localstorage' });
  const state = await h.loginWithRedirect(page, env.pages.url);
  assert.equal(state.callback.ok, true);
  assert.equal(page.url(), `${env.pages.url}/`);
  const r = await page.evaluate(async () => ({
    authenticated: await window.__client.isAuthenticated(),
    user: await window.__client.getUser(),
    claims: await window.__client.getIdTokenClaims(),
  }));
  assert.equal(r.authenticated, true);
  assert.equal(r.user.sub, 'auth0|alice');
  assert.equal(r.user.email, 'alice@example.com');
  assert.match(r.user.picture, /^data:image\/svg\+xml;base64,/);
  assert.equal(r.claims.iss, env.tenant.issuer);
  assert.equal(typeof r.claims.__raw, 'string');
  const stats = h.tokenStats(env.tenant);
  assert.equal(stats.code, 1, 'one code exchange');
  assert.equal(env.tenant.stats().logins, 1);
  const keys = (await h.readCache(page)).map((e) => e.key);
  assert.ok(keys.includes(`@@auth0spajs@@::${env.tenant.clientId}::@@user@@`), `ID token entry in ${keys}`);
  assert.ok(keys.includes(`@@auth0spajs@@::${env.tenant.clientId}::default::openid profile email`), `access token entry in ${keys}`);
});

test(`[${h.SDK}] popup login completes from a click handler and the popup closes`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await freshPage(t, {});
  const popupOpened = context.waitForEvent('page', { timeout: h.ACTION_TIMEOUT });
  await page.click('#popup-login');
  const popup = await popupOpened;
  const result = await h.pollPage(page, () => window.__state.popup);
  assert.deepEqual(result, { ok: true });
  await h.pollPage(page, () => true); // page still alive
  const deadline = Date.now() + 5_000;
  while (!popup.isClosed() && Date.now() < deadline) await h.sleep(50);
  assert.equal(popup.isClosed(), true, 'the popup was closed');
  const user = await page.evaluate(() => window.__client.getUser());
  assert.equal(user.sub, 'auth0|alice');
  const stats = env.tenant.stats();
  assert.equal(stats.authorize.byResponseMode.web_message, 1);
  assert.equal(stats.token.byGrantType.authorization_code, 1);
});

test(`[${h.SDK}] getTokenSilently answers from the cache without a request while the token is fresh`, T, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, {});
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  const a = await getToken(page, { detailedResponse: true });
  const b = await getToken(page);
  assert.equal(a.ok, true, JSON.stringify(a));
  assert.equal(b.ok, true, JSON.stringify(b));
  assert.equal(typeof a.value.access_token, 'string');
  assert.equal(typeof a.value.id_token, 'string');
  assert.equal(a.value.token_type, 'Bearer');
  assert.equal(a.value.refresh_token, undefined, 'the detailed response never carries the refresh token');
  assert.equal(b.value, a.value.access_token);
  assert.equal(h.tokenStats(env.tenant).total, 0, 'no token request');
  assert.equal(env.tenant.stats().authorize.total, 0, 'no authorize request');
});

for (const cacheLocation of ['memory', 'localstorage']) {
  test(`[${h.SDK}] repeated cache hits follow a renewal, another tab's write and a logout at once (${cacheLocation})`, T, async (t) => {
    env.resetTenant();
    const { context, page } = await freshPage(t, { cacheLocation, useRefreshTokens: true });
    await h.loginWithRedirect(page, env.pages.url);
    const hits = () => page.evaluate(async () => {
      const c = window.__client;
      const r = [];
      for (let i = 0; i < 3; i++) r.push(await c.getTokenSilently());
      r.push((await c.getTokenSilently({ detailedResponse: true })).access_token);
      return [...new Set(r)];
    });
    const first = await hits();
    assert.equal(first.length, 1, 'every hit serves the same token');
    if (cacheLocation === 'memory') {
      // The JS fast path keeps a memo on the client object; the in-memory cache's refresh token
      // must not be reachable from there (it never leaves wasm memory).
      const held = await page.evaluate(() => {
        const c = window.__client;
        return JSON.stringify(Object.getOwnPropertySymbols(c).map((k) => c[k]), (key, v) => (v instanceof Map ? [...v] : v));
      });
      assert.ok(held.includes(first[0]), 'the memo (with the access token) is there');
      assert.ok(!held.includes('refresh_token'), `the client object holds no refresh token: ${held.slice(0, 300)}`);
    }
    // A renewal in this tab: the next hits serve the new token.
    const renewed = await getToken(page, { cacheMode: 'off' });
    assert.equal(renewed.ok, true, JSON.stringify(renewed));
    assert.notEqual(renewed.value, first[0]);
    assert.deepEqual(await hits(), [renewed.value]);
    if (cacheLocation === 'localstorage') {
      // Another tab renews: this tab's next hit serves what that tab stored.
      const other = await context.newPage();
      await h.openTestPage(other, env.pages.url);
      const fromOther = await getToken(other, { cacheMode: 'off' });
      assert.equal(fromOther.ok, true, JSON.stringify(fromOther));
      assert.deepEqual(await hits(), [fromOther.value]);
      await other.close();
    }
    await page.evaluate(() => window.__client.logout({ openUrl: false }));
    const after = await getToken(page, { cacheMode: 'cache-only' });
    assert.deepEqual(after, { ok: true, value: undefined }, 'nothing served after logout');
    assert.equal(h.tokenStats(env.tenant).reuse, 0);
  });
}

test(`[${h.SDK}] refresh tokens rotate over several renewals: one refresh each, never a reuse (localstorage)`, T, async (t) => {
  env.resetTenant({ staleAccessTokens: true }); // expires_in 0: no cached token is ever served
  const { page } = await freshPage(t, { cacheLocation: 'localstorage', useRefreshTokens: true });
  await h.loginWithRedirect(page, env.pages.url);
  const seenRt = await h.refreshTokensInStorage(page);
  assert.equal(seenRt.length, 1, 'one refresh token after login');
  await renewInARow(page, 4, async (i) => {
    const rts = await h.refreshTokensInStorage(page);
    assert.equal(rts.length, 1, 'the cache holds one refresh token');
    assert.ok(!seenRt.includes(rts[0]), `renewal ${i}: the refresh token rotated`);
    seenRt.push(rts[0]);
  });
  assert.equal(h.tokenStats(env.tenant).total, 4);
  assert.deepEqual(env.tenant.stats().token.byStatus, { 200: 4 });
});

test(`[${h.SDK}] refresh tokens rotate with the in-memory cache, and no token reaches web storage or cookies`, T, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const { context, page } = await freshPage(t, { useRefreshTokens: true });
  await h.loginWithRedirect(page, env.pages.url);
  const tokens = new Set(await renewInARow(page, 3));
  assert.equal(tokens.size, 3);
  const dump = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
  assert.ok(!dump.includes('refresh_token') && !dump.includes('access_token'), `web storage holds no tokens: ${dump}`);
  for (const tok of tokens) assert.ok(!dump.includes(tok));
  const cookies = await context.cookies(env.pages.url);
  assert.ok(cookies.every((c) => !tokens.has(decodeURIComponent(c.value))));
});

test(`[${h.SDK}] a server that does not rotate refresh tokens keeps working`, T, async (t) => {
  env.resetTenant({ staleAccessTokens: true, rotation: false });
  const { page } = await freshPage(t, { cacheLocation: 'localstorage', useRefreshTokens: true });
  await h.loginWithRedirect(page, env.pages.url);
  const [rt0] = await h.refreshTokensInStorage(page);
  assert.ok(rt0);
  const tokens = await renewInARow(page, 3, async () => {
    assert.deepEqual(await h.refreshTokensInStorage(page), [rt0], 'the same refresh token is kept');
  });
  assert.equal(new Set(tokens).size, 3);
  assert.equal(h.tokenStats(env.tenant).reuse, 0);
});

test(`[${h.SDK}] without refresh tokens, renewal goes through the hidden iframe (prompt=none, web_message)`, T, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const { page } = await freshPage(t, { cacheLocation: 'localstorage' });
  await h.loginWithRedirect(page, env.pages.url);
  assert.deepEqual(await h.refreshTokensInStorage(page), [], 'no refresh token without useRefreshTokens');
  env.tenant.resetStats();
  const tokens = new Set();
  for (let i = 1; i <= 2; i += 1) {
    const r = await getToken(page);
    assert.equal(r.ok, true, `renewal ${i}: ${JSON.stringify(r)}`);
    tokens.add(r.value);
    const s = env.tenant.stats();
    assert.equal(s.authorize.byPrompt.none, i, 'one silent authorize per renewal');
    assert.equal(s.authorize.byResponseMode.web_message, i);
    assert.equal(s.token.byGrantType.authorization_code, i, 'one code exchange per renewal');
    assert.equal(s.token.byGrantType.refresh_token, undefined, 'no refresh grant');
  }
  assert.equal(tokens.size, 2);
  // auth0-spa-js removes the iframe 2 s after the answer (Chrome spinner workaround, behaviour §2.7).
  await h.pollPage(page, () => document.querySelectorAll('iframe').length === 0, undefined, 5_000);
});

test(`[${h.SDK}] logout clears the cache and the SDK cookies, ends the tenant session, and returns to the app`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await freshPage(t, { cacheLocation: 'localstorage', useRefreshTokens: true });
  await h.loginWithRedirect(page, env.pages.url);
  assert.ok((await h.readCache(page)).length >= 2);
  assert.ok(sdkCookies(await context.cookies(env.pages.url)).length >= 1, 'is.authenticated cookie set after login');
  env.tenant.resetStats();
  await h.navigateAndWait(page, env.pages.url, () => page.evaluate(() => {
    window.__client.logout({ logoutParams: { returnTo: window.location.origin } });
  }));
  assert.equal(env.tenant.stats().logout, 1, '/v2/logout was called');
  assert.deepEqual(await h.readCache(page), [], 'no cache entries left');
  assert.deepEqual(sdkCookies(await context.cookies(env.pages.url)), [], 'no SDK cookies left');
  const r = await page.evaluate(async () => ({
    authenticated: await window.__client.isAuthenticated(),
    token: await window.__try(() => window.__client.getTokenSilently()),
  }));
  assert.equal(r.authenticated, false);
  assert.equal(r.token.ok, false);
  assert.ok(['missing_refresh_token', 'login_required'].includes(r.token.error.error), JSON.stringify(r.token));
  // The tenant session is gone too: silent authentication now answers login_required.
  const silent = await page.evaluate(() => window.__try(async () => {
    const c = await window.__sdk.createAuth0Client({ ...window.__clientOptions(), useRefreshTokens: false, cacheLocation: 'memory' });
    return c.getTokenSilently();
  }));
  assert.equal(silent.ok, false);
  assert.equal(silent.error.error, 'login_required', JSON.stringify(silent));
});

test(`[${h.SDK}] a callback with a forged state or without a transaction is refused with typed errors and stores nothing`, T, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, { cacheLocation: 'localstorage' });
  // Start a login but do not navigate: the transaction is stored, the authorize URL captured.
  const url = await page.evaluate(async () => {
    let captured;
    await window.__client.loginWithRedirect({ openUrl: (u) => { captured = u; } });
    return captured;
  });
  assert.ok(new URL(url).searchParams.get('state'));
  await page.goto(`${env.pages.url}/?code=forged-code&state=forged-state`);
  let state = await h.waitForApp(page, env.pages.url);
  assert.equal(state.callback.ok, false);
  assert.equal(state.callback.error.error, 'state_mismatch', JSON.stringify(state.callback));
  assert.ok(state.callback.error.classes.includes('GenericError'), JSON.stringify(state.callback.error));
  // The transaction was consumed: replaying the callback now finds none.
  await page.goto(`${env.pages.url}/?code=forged-code&state=forged-state`);
  state = await h.waitForApp(page, env.pages.url);
  assert.equal(state.callback.ok, false);
  assert.equal(state.callback.error.error, 'missing_transaction', JSON.stringify(state.callback));
  assert.ok(state.callback.error.classes.includes('GenericError'));
  assert.equal(h.tokenStats(env.tenant).total, 0, 'no token request');
  assert.deepEqual(await h.readCache(page), []);
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), false);
});

test(`[${h.SDK}] cancelling on the tenant login page gives AuthenticationError access_denied and stores nothing`, T, async (t) => {
  env.resetTenant({ autoLogin: false });
  const { context, page } = await freshPage(t, { cacheLocation: 'localstorage' });
  await page.evaluate(() => { window.__stale = true; window.__loginRedirect({ appState: { target: '/after' } }); });
  await page.waitForURL((u) => u.href.startsWith(env.tenant.url), { timeout: h.ACTION_TIMEOUT });
  const state = await h.navigateAndWait(page, env.pages.url, () => page.click('#cancel'));
  assert.equal(state.callback.ok, false);
  const e = state.callback.error;
  assert.equal(e.error, 'access_denied', JSON.stringify(e));
  assert.equal(e.error_description, 'End-User aborted interaction');
  assert.ok(e.classes.includes('AuthenticationError') && e.classes.includes('GenericError'), JSON.stringify(e));
  assert.equal(typeof e.state, 'string');
  assert.equal(h.tokenStats(env.tenant).total, 0, 'no token request');
  assert.deepEqual(await h.readCache(page), []);
  assert.deepEqual(sdkCookies(await context.cookies(env.pages.url)), []);
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), false);
});
