// Security cases that only a real browser can show (docs/security-cases.md; map in tests/SECURITY-CASES.md):
// messages from other origins and windows (G1, H4), silent-auth and token-endpoint timeouts
// (G6, G7/L3, E15), popups blocked or closed (H1, H2, H3), storage that throws (I6), the memory cache
// leaving no token anywhere (I11), logout reaching other tabs (K6), a tab closed while it holds the
// refresh lock (F7), a grant revoked under another tab (F8), redirect_uri never taken from the page URL (L1)
// and an insecure context refused (C9).
// Runs against the local tenant with its fault hooks. SDK under test: E2E_SDK (default 'wasm').
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const T = { timeout: 60_000 };
let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** A fresh context with one initialised test page; closed when the test ends. */
const freshPage = (t, options, query) => h.freshPage(env, t, options, query);

/** A fresh context (closed when the test ends) with an extra init script run before the page's. */
const contextWith = (t, options, initScript) => h.testContext(env, t, options, initScript);

/** Records every /authorize URL requested from any page or frame of `context`. */
function recordAuthorize(context) {
  const urls = [];
  context.on('request', (r) => { if (r.url().startsWith(`${env.tenant.url}/authorize`)) urls.push(r.url()); });
  return urls;
}

/** Waits for the next /authorize request of `context` and returns its URL. */
async function nextAuthorize(context) {
  const req = await context.waitForEvent('request', { predicate: (r) => r.url().startsWith(`${env.tenant.url}/authorize`), timeout: h.ACTION_TIMEOUT });
  return new URL(req.url());
}

/** The test-page origin under another host name: same server, different origin (and site). */
function otherOrigin() {
  return env.pages.url.replace('127.0.0.1', 'localhost');
}

/**
 * Adds a cross-origin iframe (the attacker's page) to `page` and returns its Playwright frame.
 * From there, `parent.postMessage(...)` reaches the SDK's window with `event.origin` = the other origin.
 */
async function attackerFrame(page) {
  const src = `${otherOrigin()}/blank.html`;
  await page.evaluate((u) => new Promise((resolve, reject) => {
    const f = document.createElement('iframe');
    f.id = 'attacker';
    f.onload = () => resolve();
    f.onerror = () => reject(new Error('attacker frame failed to load'));
    f.src = u;
    document.body.appendChild(f);
  }), src);
  const deadline = Date.now() + h.ACTION_TIMEOUT;
  for (;;) {
    const frame = page.frames().find((f) => f.url().startsWith(otherOrigin()));
    if (frame) return frame;
    if (Date.now() > deadline) throw new Error('attacker frame not found');
    await h.sleep(50);
  }
}

/** Number of iframes the SDK has in the page (the attacker's is not counted). */
function sdkIframes(page) {
  return page.evaluate(() => [...document.querySelectorAll('iframe')].filter((f) => f.id !== 'attacker').length);
}

function getToken(page, opts = {}) {
  return page.evaluate((o) => window.__try(() => window.__client.getTokenSilently(o)), opts);
}

// ---- G. Silent authentication ------------------------------------------------------------------

test(`[${h.SDK}] G1: an authorization_response posted from another origin is ignored and the real answer is used`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await freshPage(t, {});
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  // The tenant answers the silent request only after 2.5 s; meanwhile the attacker posts.
  env.tenant.addFault({ target: 'authorize', prompt: 'none', count: 1, delayMs: 2_500 });
  const authorize = nextAuthorize(context);
  await page.evaluate(() => { window.__p = window.__try(() => window.__client.getTokenSilently({ cacheMode: 'off' })); });
  const state = (await authorize).searchParams.get('state');
  assert.ok(state);
  const attacker = await attackerFrame(page);
  await attacker.evaluate((s) => {
    // Worst case: the attacker knows the pending state.
    parent.postMessage({ type: 'authorization_response', response: { code: 'attacker-code', state: s } }, '*');
    parent.postMessage({ type: 'authorization_response', response: { error: 'login_required', error_description: 'forged', state: s } }, '*');
  }, state);
  await h.sleep(200);
  assert.equal(await sdkIframes(page), 1, 'the forged messages arrived while the SDK was waiting, and did not end the wait');
  assert.equal(h.tokenStats(env.tenant).total, 0, 'nothing was exchanged on the forged code');
  const r = await h.withTimeout(page.evaluate(() => window.__p), 20_000, 'getTokenSilently');
  assert.equal(r.ok, true, `the forged messages were ignored and the real answer used: ${JSON.stringify(r)}`);
  const s = env.tenant.stats();
  assert.equal(s.token.byGrantType.authorization_code, 1, 'one code exchange');
  assert.deepEqual(s.token.byStatus, { 200: 1 }, 'the attacker code was never presented');
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), true, 'the forged login_required did not end the session');
});

test(`[${h.SDK}] G1: the SDK's own iframe navigated to another origin cannot answer for the tenant`, T, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, {});
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  // The silent /authorize page sends the iframe to the attacker's origin, keeping the state in the hash.
  const hop = `<!doctype html><script>location.replace(${JSON.stringify(`${otherOrigin()}/blank.html#`)} + new URLSearchParams(location.search).get('state'))</script>`;
  env.tenant.addFault({ target: 'authorize', prompt: 'none', count: 1, status: 200, contentType: 'text/html', body: hop });
  const started = Date.now();
  await page.evaluate(() => { window.__p = window.__try(() => window.__client.getTokenSilently({ cacheMode: 'off', timeoutInSeconds: 3 })); });
  let frame;
  const deadline = Date.now() + h.ACTION_TIMEOUT;
  while (!(frame = page.frames().find((f) => f.url().startsWith(otherOrigin())))) {
    if (Date.now() > deadline) throw new Error('the iframe never reached the other origin');
    await h.sleep(50);
  }
  // Same window the SDK opened, right state, wrong origin.
  await frame.evaluate(() => {
    parent.postMessage({ type: 'authorization_response', response: { code: 'attacker-code', state: location.hash.slice(1) } }, '*');
  });
  const r = await h.withTimeout(page.evaluate(() => window.__p), 20_000, 'getTokenSilently');
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.error.error, 'timeout', JSON.stringify(r));
  assert.ok(r.error.classes.includes('TimeoutError'), JSON.stringify(r.error));
  assert.ok(Date.now() - started >= 2_500, 'it waited for the timeout instead of taking the message');
  assert.equal(h.tokenStats(env.tenant).total, 0, 'no token request');
  await h.pollPage(page, () => document.querySelectorAll('iframe').length === 0, undefined, 3_000);
});

test(`[${h.SDK}] G6: a silent authentication that never answers is a TimeoutError and the iframe is removed`, T, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, {});
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  env.tenant.addFault({ target: 'authorize', prompt: 'none', count: 1, swallow: true });
  const started = Date.now();
  const r = await getToken(page, { cacheMode: 'off', timeoutInSeconds: 2 });
  const elapsed = Date.now() - started;
  assert.equal(r.ok, false);
  assert.equal(r.error.error, 'timeout', JSON.stringify(r));
  assert.ok(r.error.classes.includes('TimeoutError'), JSON.stringify(r.error));
  assert.ok(elapsed >= 1_800 && elapsed < 8_000, `timed out after ${elapsed} ms`);
  assert.equal(await sdkIframes(page), 0, 'iframe removed at once (I4)');
  assert.equal(h.tokenStats(env.tenant).total, 0, 'no token request (I2)');
  // Lock released and session intact: the next silent call works.
  const again = await getToken(page, { cacheMode: 'off' });
  assert.equal(again.ok, true, JSON.stringify(again));
});

test(`[${h.SDK}] G7/L3: an unregistered redirect_uri gets the tenant's error page, which the iframe turns into a bounded TimeoutError`, T, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, {});
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  const started = Date.now();
  const r = await page.evaluate(() => window.__try(() => window.__client.getTokenSilently({
    cacheMode: 'off', timeoutInSeconds: 2, authorizationParams: { redirect_uri: `${location.origin}/not-registered` },
  })));
  const elapsed = Date.now() - started;
  assert.equal(r.ok, false);
  assert.equal(r.error.error, 'timeout', JSON.stringify(r));
  assert.ok(elapsed < 8_000, `${elapsed} ms`);
  assert.equal(h.tokenStats(env.tenant).total, 0);
  assert.equal(await sdkIframes(page), 0);
});

// ---- H. Popup -----------------------------------------------------------------------------------

test(`[${h.SDK}] H4: an authorization_response posted to the opener from another origin is ignored`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await freshPage(t, {});
  env.tenant.addFault({ target: 'authorize', responseMode: 'web_message', count: 1, delayMs: 2_500 });
  const authorize = nextAuthorize(context);
  const popupOpened = context.waitForEvent('page', { timeout: h.ACTION_TIMEOUT });
  await page.click('#popup-login');
  const popup = await popupOpened;
  const state = (await authorize).searchParams.get('state');
  const attacker = await attackerFrame(page);
  await attacker.evaluate((s) => {
    parent.postMessage({ type: 'authorization_response', response: { error: 'access_denied', error_description: 'Call +1-555 to unlock', state: s } }, '*');
    parent.postMessage({ type: 'authorization_response', response: { code: 'attacker-code', state: s } }, '*');
  }, state);
  await h.sleep(200);
  assert.equal(await page.evaluate(() => window.__state.popup), undefined, 'the forged messages did not end the popup flow');
  assert.equal(popup.isClosed(), false);
  const result = await h.pollPage(page, () => window.__state.popup, undefined, 20_000);
  assert.deepEqual(result, { ok: true }, 'the popup login used the real answer');
  assert.deepEqual(env.tenant.stats().token.byStatus, { 200: 1 }, 'the attacker code was never presented');
  const deadline = Date.now() + 5_000;
  while (!popup.isClosed() && Date.now() < deadline) await h.sleep(50);
  assert.equal(popup.isClosed(), true);
});

/** Adds a button whose click runs loginWithPopup(options, config) and records the result in __state[key]. */
async function popupButton(page, id, key, options, config) {
  await page.evaluate(([i, k, o, c]) => {
    const b = document.createElement('button');
    b.id = i;
    b.textContent = i;
    b.addEventListener('click', () => {
      window.__state[k] = undefined;
      window.__client.loginWithPopup(o, c).then(
        () => { window.__state[k] = { ok: true }; },
        (e) => { window.__state[k] = { ok: false, error: window.__describeError(e) }; },
      );
    });
    document.body.appendChild(b);
  }, [id, key, options, config]);
}

test(`[${h.SDK}] H4: the popup itself navigated to another origin cannot answer for the tenant`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await freshPage(t, {});
  const hop = `<!doctype html><script>location.replace(${JSON.stringify(`${otherOrigin()}/blank.html#`)} + new URLSearchParams(location.search).get('state'))</script>`;
  env.tenant.addFault({ target: 'authorize', responseMode: 'web_message', count: 1, status: 200, contentType: 'text/html', body: hop });
  await popupButton(page, 'popup-short', 'popupShort', {}, { timeoutInSeconds: 3 });
  const popupOpened = context.waitForEvent('page', { timeout: h.ACTION_TIMEOUT });
  await page.click('#popup-short');
  const popup = await popupOpened;
  await popup.waitForURL((u) => u.href.startsWith(otherOrigin()), { timeout: h.ACTION_TIMEOUT });
  // Same window the SDK opened, right state, wrong origin.
  await popup.evaluate(() => {
    window.opener.postMessage({ type: 'authorization_response', response: { code: 'attacker-code', state: location.hash.slice(1) } }, '*');
  });
  const result = await h.pollPage(page, () => window.__state.popupShort, undefined, 10_000);
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.ok(result.error.classes.includes('PopupTimeoutError'), JSON.stringify(result.error));
  assert.equal(h.tokenStats(env.tenant).total, 0, 'no token request');
  if (!popup.isClosed()) await popup.close();
});

test(`[${h.SDK}] H1: a blocked popup is a PopupOpenError at once and nothing is requested`, T, async (t) => {
  env.resetTenant();
  const context = await contextWith(t, {}, () => { window.open = () => null; });
  const page = await context.newPage();
  await h.openTestPage(page, env.pages.url);
  env.tenant.resetStats();
  await page.click('#popup-login');
  const result = await h.pollPage(page, () => window.__state.popup, undefined, 5_000);
  assert.equal(result.ok, false);
  assert.equal(result.error.error, 'popup_open', JSON.stringify(result));
  assert.ok(result.error.classes.includes('PopupOpenError'), JSON.stringify(result.error));
  assert.equal(env.tenant.stats().authorize.total, 0);
});

test(`[${h.SDK}] H2: closing the popup is a PopupCancelledError within about a second`, T, async (t) => {
  env.resetTenant({ autoLogin: false }); // the popup stays on the login form
  const { context, page } = await freshPage(t, {});
  const popupOpened = context.waitForEvent('page', { timeout: h.ACTION_TIMEOUT });
  await page.click('#popup-login');
  const popup = await popupOpened;
  await popup.waitForURL((u) => u.href.startsWith(env.tenant.url), { timeout: h.ACTION_TIMEOUT });
  const closedAt = Date.now();
  await popup.close();
  const result = await h.pollPage(page, () => window.__state.popup, undefined, 5_000);
  const elapsed = Date.now() - closedAt;
  assert.equal(result.ok, false);
  assert.ok(result.error.classes.includes('PopupCancelledError'), JSON.stringify(result.error));
  assert.equal(result.error.error, 'cancelled');
  assert.ok(elapsed < 2_500, `${elapsed} ms`);
  assert.equal(h.tokenStats(env.tenant).total, 0);
});

test(`[${h.SDK}] H3: a popup that never answers is a PopupTimeoutError`, T, async (t) => {
  env.resetTenant({ autoLogin: false });
  const { context, page } = await freshPage(t, {});
  await popupButton(page, 'popup-timeout', 'popupTimeout', {}, { timeoutInSeconds: 2 });
  const popupOpened = context.waitForEvent('page', { timeout: h.ACTION_TIMEOUT });
  await page.click('#popup-timeout');
  const popup = await popupOpened;
  const result = await h.pollPage(page, () => window.__state.popupTimeout, undefined, 10_000);
  assert.equal(result.ok, false);
  assert.ok(result.error.classes.includes('PopupTimeoutError'), JSON.stringify(result.error));
  assert.equal(result.error.error, 'timeout');
  assert.equal(h.tokenStats(env.tenant).total, 0);
  if (!popup.isClosed()) await popup.close();
});

// ---- C. Randomness and secure context -----------------------------------------------------------

test(`[${h.SDK}] C9: on plain http to a host that is not localhost, the client refuses to start and sends nothing`, T, async (t) => {
  env.resetTenant();
  const context = await contextWith(t, {});
  const requests = [];
  context.on('request', (r) => { if (r.url().startsWith(env.tenant.url)) requests.push(r.url()); });
  const page = await context.newPage();
  const insecure = env.pages.url.replace('127.0.0.1', h.INSECURE_HOST);
  await page.goto(`${insecure}/`);
  const state = await h.pollPage(page, () => (window.__state.phase !== 'init' ? window.__state : null));
  assert.equal(await page.evaluate(() => window.isSecureContext), false, 'the page is an insecure context');
  assert.equal(state.phase, 'failed', JSON.stringify(state));
  assert.equal(state.initError.isError, true);
  assert.match(state.initError.message, /auth0-spa-js must run on a secure origin/);
  await page.evaluate(() => window.__sdk.createAuth0Client(window.__clientOptions()).catch(() => {}));
  assert.deepEqual(requests, [], 'nothing reached the tenant');
});

// ---- E. Token endpoint ---------------------------------------------------------------------------

test(`[${h.SDK}] E15: a token endpoint that never answers fails after httpTimeoutInSeconds, keeps the session and releases the lock`, T, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, { cacheLocation: 'localstorage', useRefreshTokens: true, httpTimeoutInSeconds: 2 });
  await h.loginWithRedirect(page, env.pages.url);
  const [rt] = await h.refreshTokensInStorage(page);
  env.tenant.resetStats();
  env.tenant.addFault({ target: 'token', grantType: 'refresh_token', count: 1, hang: true, process: false });
  const started = Date.now();
  const r = await getToken(page, { cacheMode: 'off' });
  const elapsed = Date.now() - started;
  assert.equal(r.ok, false);
  assert.match(String(r.error.message), /timeout/i, JSON.stringify(r));
  assert.ok(elapsed >= 1_800 && elapsed < 8_000, `failed after ${elapsed} ms`);
  assert.deepEqual(await h.refreshTokensInStorage(page), [rt], 'the refresh token is kept (it was never consumed)');
  assert.equal(h.tokenStats(env.tenant).refresh, 1, 'no retry');
  const again = await getToken(page, { cacheMode: 'off' });
  assert.equal(again.ok, true, `lock released, session intact: ${JSON.stringify(again)}`);
  assert.equal(h.tokenStats(env.tenant).reuse, 0);
});

// ---- F. Locks across tabs ------------------------------------------------------------------------

test(`[${h.SDK}] F7: a tab closed while holding the refresh lock does not block another tab beyond the lock wait`, T, async (t) => {
  env.resetTenant();
  const context = await contextWith(t, { cacheLocation: 'localstorage', useRefreshTokens: true, httpTimeoutInSeconds: 30 });
  const tabA = await context.newPage();
  await h.openTestPage(tabA, env.pages.url);
  await h.loginWithRedirect(tabA, env.pages.url);
  const tabB = await context.newPage();
  await h.openTestPage(tabB, env.pages.url);
  assert.ok(await h.expireCachedTokens(tabB) >= 1);
  // Tab B's write reaches tab A's storage a moment later; until then tab A would answer from its
  // still-fresh copy without refreshing (the flake of this test before the wait).
  await h.waitForExpiredView(tabA);
  env.tenant.resetStats();
  // Tab A's refresh hangs at the tenant (not processed, so its refresh token stays valid).
  env.tenant.addFault({ target: 'token', grantType: 'refresh_token', count: 1, hang: true, process: false });
  await tabA.evaluate(() => {
    window.__a = undefined;
    window.__try(() => window.__client.getTokenSilently()).then((r) => { window.__a = r; });
  });
  const deadline = Date.now() + 10_000;
  while (env.tenant.stats().faultsApplied < 1) {
    const early = await tabA.evaluate(() => window.__a);
    if (early || Date.now() > deadline) {
      assert.fail(`tab A's refresh did not reach the tenant: ${JSON.stringify({ early, stats: env.tenant.stats().token, requests: env.tenant.stats().requests.slice(-5) })}`);
    }
    await h.sleep(25);
  }
  // Tab B now waits on the lock tab A holds.
  const started = Date.now();
  await tabB.evaluate(() => { window.__p = window.__try(() => window.__client.getTokenSilently()); });
  await h.sleep(500);
  await tabA.close({ runBeforeUnload: false });
  const r = await h.withTimeout(tabB.evaluate(() => window.__p), 20_000, 'tab B getTokenSilently');
  const elapsed = Date.now() - started;
  assert.equal(r.ok, true, `tab B got the lock after tab A closed: ${JSON.stringify(r)}`);
  assert.ok(elapsed < 5_000, `tab B finished ${elapsed} ms after it started waiting (lock wait is 5000 ms)`);
  assert.equal(h.tokenStats(env.tenant).reuse, 0);
});

test(`[${h.SDK}] F8/F4: tabs with their own memory caches share one grant; a reuse elsewhere ends tab B's refresh chain cleanly, without a loop`, T, async (t) => {
  env.resetTenant();
  const context = await contextWith(t, { useRefreshTokens: true });
  const tabA = await context.newPage();
  const rtsOfA = [];
  tabA.on('response', async (resp) => {
    if (!resp.url().startsWith(`${env.tenant.url}/oauth/token`) || resp.request().method() !== 'POST') return;
    try { const b = await resp.json(); if (b.refresh_token) rtsOfA.push(b.refresh_token); } catch { /* not JSON */ }
  });
  await h.openTestPage(tabA, env.pages.url);
  await h.loginWithRedirect(tabA, env.pages.url);
  const tabB = await context.newPage();
  await h.openTestPage(tabB, env.pages.url);
  await h.loginWithRedirect(tabB, env.pages.url); // the tenant session signs B in: same grant
  const renewedA = await getToken(tabA, { cacheMode: 'off' });
  assert.equal(renewedA.ok, true, JSON.stringify(renewedA));
  await h.withTimeout((async () => { while (rtsOfA.length < 2) await h.sleep(25); })(), 5_000, 'capturing tab A refresh tokens');
  // Someone presents A's first, already rotated, refresh token: reuse detection revokes the grant.
  const reuse = await fetch(`${env.tenant.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: env.tenant.clientId, refresh_token: rtsOfA[0] }),
  });
  assert.equal(reuse.status, 400);
  assert.equal(env.tenant.stats().refreshTokenReuse, 1, 'the tenant detected the reuse and revoked the grant');
  env.tenant.resetStats();
  const first = await getToken(tabB, { cacheMode: 'off' });
  assert.equal(first.ok, false, JSON.stringify(first));
  assert.equal(first.error.error, 'invalid_grant', JSON.stringify(first));
  assert.equal(h.tokenStats(env.tenant).refresh, 1, 'one refresh attempt');
  const second = await getToken(tabB, { cacheMode: 'off' });
  assert.equal(second.ok, false);
  assert.equal(second.error.error, 'missing_refresh_token', `the dead refresh token is not presented again: ${JSON.stringify(second)}`);
  const s = h.tokenStats(env.tenant);
  assert.equal(s.total, 1, 'no further token request, no retry loop');
  assert.equal(env.tenant.stats().authorize.total, 0, 'no silent re-login attempt without the fallback option');
});

// ---- I. Storage --------------------------------------------------------------------------------

test(`[${h.SDK}] I6: with localStorage throwing SecurityError, login, cache and renewal still work (memory fallback)`, T, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const context = await contextWith(t, { cacheLocation: 'localstorage', useRefreshTokens: true }, () => {
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
    });
  });
  const page = await context.newPage();
  await h.openTestPage(page, env.pages.url);
  const state = await h.loginWithRedirect(page, env.pages.url);
  assert.equal(state.callback.ok, true);
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), true);
  env.tenant.resetStats();
  for (let i = 1; i <= 2; i += 1) {
    const r = await getToken(page);
    assert.equal(r.ok, true, `renewal ${i}: ${JSON.stringify(r)}`);
  }
  const s = h.tokenStats(env.tenant);
  assert.equal(s.refresh, 2);
  assert.equal(s.reuse, 0);
  assert.deepEqual(context.errors, [], 'no uncaught errors');
});

test(`[${h.SDK}] I11: with the memory cache no access, refresh or ID token reaches any browser storage`, T, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const context = await contextWith(t, { useRefreshTokens: true });
  const secrets = new Set();
  context.on('response', async (resp) => {
    if (!resp.url().startsWith(`${env.tenant.url}/oauth/token`) || resp.request().method() !== 'POST') return;
    try {
      const body = await resp.json();
      for (const k of ['access_token', 'refresh_token', 'id_token']) if (typeof body[k] === 'string') secrets.add(body[k]);
    } catch { /* not JSON */ }
  });
  const page = await context.newPage();
  await h.openTestPage(page, env.pages.url);
  await h.loginWithRedirect(page, env.pages.url);
  for (let i = 1; i <= 2; i += 1) {
    const r = await getToken(page);
    assert.equal(r.ok, true, `renewal ${i}: ${JSON.stringify(r)}`);
  }
  await h.pollPage(page, () => true);
  assert.ok(secrets.size >= 6, `captured the issued tokens (${secrets.size})`);
  const dump = await page.evaluate(async () => {
    const out = { local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, idb: [], caches: [] };
    if (indexedDB.databases) {
      for (const info of await indexedDB.databases()) {
        const rows = await new Promise((resolve) => {
          const open = indexedDB.open(info.name);
          open.onerror = () => resolve([]);
          open.onsuccess = () => {
            const db = open.result;
            const names = [...db.objectStoreNames];
            if (!names.length) { db.close(); resolve([]); return; }
            const tx = db.transaction(names, 'readonly');
            const all = [];
            for (const n of names) tx.objectStore(n).getAll().onsuccess = (e) => all.push(e.target.result);
            tx.oncomplete = () => { db.close(); resolve(all); };
            tx.onerror = () => { db.close(); resolve(all); };
          };
        });
        out.idb.push({ name: info.name, rows: JSON.stringify(rows) });
      }
    }
    if (window.caches) out.caches = await caches.keys();
    return JSON.stringify(out);
  });
  const cookies = JSON.stringify(await context.cookies());
  for (const secret of secrets) {
    assert.ok(!dump.includes(secret), 'a token was found in web storage, IndexedDB or Cache Storage');
    assert.ok(!cookies.includes(secret) && !cookies.includes(encodeURIComponent(secret)), 'a token was found in a cookie');
  }
});

// ---- K. Logout across tabs -----------------------------------------------------------------------

for (const variant of [
  { name: 'memory cache', options: {} },
  { name: 'localstorage cache', options: { cacheLocation: 'localstorage' } },
]) {
  test(`[${h.SDK}] K6: a local logout in one tab stops another tab serving cached tokens (${variant.name})`, T, async (t) => {
    env.resetTenant();
    const context = await contextWith(t, variant.options);
    const tabA = await context.newPage();
    await h.openTestPage(tabA, env.pages.url);
    await h.loginWithRedirect(tabA, env.pages.url);
    // Tab B starts after the login: createAuth0Client's checkSession signs it in silently.
    const tabB = await context.newPage();
    await h.openTestPage(tabB, env.pages.url);
    const before = await getToken(tabB, { cacheMode: 'cache-only' });
    assert.equal(before.ok, true);
    assert.equal(typeof before.value, 'string', `tab B holds a token before the logout: ${JSON.stringify(before)}`);
    await tabA.evaluate(() => window.__client.logout({ openUrl: false }));
    const after = await h.pollPage(tabB, async () => {
      const r = await window.__try(() => window.__client.getTokenSilently({ cacheMode: 'cache-only' }));
      return r.ok && r.value === undefined ? { cleared: true, authenticated: await window.__client.isAuthenticated() } : null;
    }, undefined, 3_000);
    assert.equal(after.cleared, true);
    assert.equal(after.authenticated, false, 'tab B no longer reports a session');
  });
}

// ---- L. Redirect URIs ----------------------------------------------------------------------------

test(`[${h.SDK}] L1: redirect_uri is the configured value or the page origin, never taken from the page URL`, T, async (t) => {
  env.resetTenant();
  const evil = encodeURIComponent('https://evil.test/steal');
  const { context, page } = await freshPage(t, {}, `deep/path?next=${evil}&redirect_uri=${evil}&returnTo=${evil}`);
  const urls = recordAuthorize(context);
  const r = await page.evaluate(async () => {
    const captured = [];
    // The configured client (redirect_uri = origin + '/').
    await window.__client.loginWithRedirect({ openUrl: (u) => { captured.push(u); } });
    // A client configured without any redirect_uri.
    const bare = new window.__sdk.Auth0Client({ domain: window.__E2E_CFG.domain, clientId: window.__E2E_CFG.clientId });
    await bare.loginWithRedirect({ openUrl: (u) => { captured.push(u); } });
    // Its silent flow falls back to the page origin (the answer itself does not matter here).
    await window.__try(() => bare.getTokenSilently({ timeoutInSeconds: 3 }));
    return { captured, origin: location.origin, href: location.href };
  });
  assert.match(r.href, /next=/, 'the page URL carried the attacker parameters');
  const [configured, bare] = r.captured.map((u) => new URL(u));
  assert.equal(configured.searchParams.get('redirect_uri'), `${r.origin}/`);
  assert.ok([null, r.origin].includes(bare.searchParams.get('redirect_uri')), bare.href);
  assert.ok(urls.length >= 1, 'the silent flow requested /authorize');
  for (const u of urls) assert.equal(new URL(u).searchParams.get('redirect_uri'), r.origin, u);
  for (const u of [...r.captured, ...urls]) assert.ok(!u.includes('evil.test') && !u.includes('deep%2Fpath') && !u.includes('/deep/path'), u);
});
