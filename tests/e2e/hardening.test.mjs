// End-to-end tests of faults that would lose a user's session or data (issue "Hardening"), in
// Chromium against the local tenant: a rotated refresh token sticks when the new ID token looks
// expired to the device or localStorage refuses the write (each followed by a reload), a full
// localStorage during the callback, a fetch wrapper installed after the client, an async
// nowProvider, the Content-Security-Policy the package needs, and a WebAssembly trap.
// (docs/behaviour.md §2.6, §3.5; docs/security-cases.md F1, I5.) Most of these are faults of
// auth0-spa-js, so they are skipped with E2E_SDK=auth0-spa-js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as h from './harness.mjs';

const T = { timeout: 90_000 };
const ONLY_WASM = h.SDK === 'wasm' ? T : { ...T, skip: 'a behaviour of this package that auth0-spa-js lacks' };
const RT_OPTIONS = { cacheLocation: 'localstorage', useRefreshTokens: true };
let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

const freshPage = (t, options, query) => h.freshPage(env, t, options, query);

/** Collects the page's console.warn texts. */
function warnings(page) {
  const seen = [];
  page.on('console', (m) => { if (m.type() === 'warning') seen.push(m.text()); });
  return seen;
}

/** Reloads the test page (a new document, a new client) and waits until it is ready. */
async function reload(page) {
  await h.navigateAndWait(page, env.pages.url, () => page.reload());
}

/** Makes every SDK write to localStorage throw QuotaExceededError, as a full storage does. */
const FULL_STORAGE = () => {
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function full(key, value) {
    if (String(key).startsWith('@@auth0spajs@@')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return setItem.call(this, key, value);
  };
};

test(`[${h.SDK}] a rotated refresh token sticks when the new ID token looks expired to the device; a reload uses it`, ONLY_WASM, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const { page } = await freshPage(t, RT_OPTIONS);
  await h.loginWithRedirect(page, env.pages.url);
  const [rt1] = await h.refreshTokensInStorage(page);
  env.tenant.addFault({ target: 'token', grantType: 'refresh_token', count: 1, idTokenClaims: { exp: { $now: -600 } } });
  const failed = await h.getToken(page);
  assert.equal(failed.ok, false);
  assert.equal(failed.error.error, 'id_token_expired', JSON.stringify(failed));
  const [rt2] = await h.refreshTokensInStorage(page);
  assert.ok(rt2 && rt2 !== rt1, 'the rotated token replaced RT1 in storage');
  await reload(page); // createAuth0Client renews at once (the access token is stale)
  const renewed = await h.getToken(page, { cacheMode: 'off' });
  assert.equal(renewed.ok, true, JSON.stringify(renewed));
  const stats = h.tokenStats(env.tenant);
  assert.equal(stats.reuse, 0, 'RT1 was never presented again');
  assert.deepEqual(stats.grantErrors, {});
});

test(`[${h.SDK}] localStorage refusing a refresh result keeps it in memory and RT1 leaves storage; a reload presents no spent token`, ONLY_WASM, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const { page } = await freshPage(t, RT_OPTIONS);
  const warned = warnings(page);
  await h.loginWithRedirect(page, env.pages.url);
  assert.equal((await h.refreshTokensInStorage(page)).length, 1);
  await page.evaluate(FULL_STORAGE);
  for (let i = 1; i <= 2; i += 1) {
    const r = await h.getToken(page, { cacheMode: 'off' });
    assert.equal(r.ok, true, `renewal ${i} works from memory: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(await h.refreshTokensInStorage(page), [], 'no refresh token left in storage');
  assert.ok(warned.some((w) => /refused a write/.test(w) && /QuotaExceededError|quota/i.test(w)), warned.join('\n'));
  await reload(page);
  const after = await h.getToken(page, { cacheMode: 'off' });
  assert.equal(after.ok, false, 'after the reload there is no refresh token to present');
  assert.equal(h.tokenStats(env.tenant).reuse, 0, 'no rotated-away token was presented');
  assert.equal(h.tokenStats(env.tenant).refresh, 2);
});

test(`[${h.SDK}] a full localStorage during handleRedirectCallback: the login works from memory, nothing half-written stays`, ONLY_WASM, async (t) => {
  env.resetTenant();
  const context = await h.testContext(env, t, RT_OPTIONS, FULL_STORAGE);
  const page = await context.newPage();
  const warned = warnings(page);
  await h.openTestPage(page, env.pages.url);
  const state = await h.loginWithRedirect(page, env.pages.url);
  assert.equal(state.callback.ok, true);
  const r = await page.evaluate(async () => ({
    authenticated: await window.__client.isAuthenticated(),
    email: (await window.__client.getUser())?.email,
    token: await window.__client.getTokenSilently(),
    stored: Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@')),
  }));
  assert.equal(r.authenticated, true);
  assert.equal(r.email, 'alice@example.com');
  assert.ok(r.token);
  assert.deepEqual(r.stored, [], 'nothing half-written in localStorage');
  assert.ok(warned.some((w) => /refused a write/.test(w)), warned.join('\n'));
});

test(`[${h.SDK}] a fetch wrapper installed after createAuth0Client never sees a refresh token`, ONLY_WASM, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const { page } = await freshPage(t, RT_OPTIONS);
  await h.loginWithRedirect(page, env.pages.url);
  const [rt] = await h.refreshTokensInStorage(page);
  env.tenant.resetStats();
  await page.evaluate(() => {
    window.__seen = [];
    const realFetch = window.fetch;
    window.fetch = function spy(input, init) {
      window.__seen.push(String((init && init.body) || ''));
      return realFetch.apply(this, arguments);
    };
    const realText = Response.prototype.text;
    Response.prototype.text = function spyText() {
      return realText.call(this).then((body) => { window.__seen.push(body); return body; });
    };
  });
  const r = await h.getToken(page);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(h.tokenStats(env.tenant).refresh, 1, 'the renewal used the refresh token');
  const seen = await page.evaluate(() => window.__seen);
  assert.deepEqual(seen, [], 'the late wrappers saw no request and no response');
  assert.ok(!JSON.stringify(seen).includes(rt));
});

test(`[${h.SDK}] an async nowProvider is awaited when the client reads the clock`, ONLY_WASM, async (t) => {
  env.resetTenant();
  const { page } = await freshPage(t, { cacheLocation: 'localstorage' });
  await h.loginWithRedirect(page, env.pages.url);
  const r = await page.evaluate(async () => {
    const read = (nowProvider) => new window.__sdk.Auth0Client({ ...window.__clientOptions(), cacheLocation: 'localstorage', nowProvider })
      .getTokenSilently({ cacheMode: 'cache-only' });
    return {
      now: await read(async () => Date.now()),
      twoDaysLater: await read(() => new Promise((ok) => setTimeout(() => ok(Date.now() + 2 * 86_400_000), 5))),
    };
  });
  assert.ok(r.now, 'the token is fresh by an async clock that says now');
  assert.equal(r.twoDaysLater, undefined, 'and stale by one two days ahead');
});

test(`[${h.SDK}] login and renewals work on a page whose CSP is script-src 'self' 'wasm-unsafe-eval'`, T, async (t) => {
  env.resetTenant({ staleAccessTokens: true });
  const context = await h.testContext(env, t, RT_OPTIONS);
  await context.addCookies([{ name: h.CSP_COOKIE, value: encodeURIComponent("script-src 'self' 'wasm-unsafe-eval'"), url: env.pages.url }]);
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await h.openTestPage(page, env.pages.url);
  await h.loginWithRedirect(page, env.pages.url);
  for (let i = 1; i <= 2; i += 1) {
    const r = await h.getToken(page);
    assert.equal(r.ok, true, `renewal ${i}: ${JSON.stringify(r)}`);
  }
  assert.equal(h.tokenStats(env.tenant).refresh, 2);
  assert.deepEqual(violations, []);
});

test(`[${h.SDK}] a page whose CSP lacks 'wasm-unsafe-eval' gets a GenericError naming the requirement`, ONLY_WASM, async (t) => {
  const context = await h.testContext(env, t, RT_OPTIONS);
  await context.addCookies([{ name: h.CSP_COOKIE, value: encodeURIComponent("script-src 'self'"), url: env.pages.url }]);
  const page = await context.newPage();
  await page.goto(`${env.pages.url}/`);
  const state = await h.pollPage(page, () => window.__state && window.__state.phase === 'failed' && window.__state);
  const e = state.initError;
  assert.ok(e.classes.includes('GenericError'), JSON.stringify(e));
  assert.equal(e.error, 'csp_blocked');
  assert.match(e.message, /Content-Security-Policy.*'wasm-unsafe-eval'.*script-src/);
});

// ---- a WebAssembly trap -----------------------------------------------------------------------

/**
 * Builds the package with the `test-hooks` feature (a custom cache entry {"auth0SpaWasmTrap":true}
 * panics inside the async method that reads it) as the unbundled `file` variant, into a temporary
 * folder served as /sdk/.
 */
async function buildTrappingPackage() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'e2e-trap-'));
  execFileSync('wasm-pack', ['build', '--dev', '--target', 'web', '--no-pack', '--no-opt', '--out-dir', dir,
    '--out-name', 'auth0_spa_wasm', '--', '--features', 'test-hooks'], { cwd: h.REPO, stdio: 'pipe', timeout: 600_000 });
  // The package entry's modules, as scripts/build.sh stages them (every .js of js/; the glue and its snippets come from wasm-pack).
  for (const f of await fs.readdir(path.join(h.REPO, 'js'))) if (f.endsWith('.js')) await fs.copyFile(path.join(h.REPO, 'js', f), path.join(dir, f));
  return dir;
}

test(`[${h.SDK}] a trap inside an async method rejects it and every later call with internal_error`, ONLY_WASM, async (t) => {
  const dir = await buildTrappingPackage();
  const trapEnv = await h.startEnv({ sdkDir: dir });
  t.after(async () => { await trapEnv.stop(); await fs.rm(dir, { recursive: true, force: true }); });
  const { context, page } = await trapEnv.newPage({});
  t.after(() => context.close().catch(() => {}));
  const r = await h.withTimeout(page.evaluate(async () => {
    const trapping = new window.__sdk.Auth0Client({
      ...window.__clientOptions(),
      cache: { get: () => ({ auth0SpaWasmTrap: true }), set() {}, remove() {} },
    });
    const first = await window.__try(() => trapping.getTokenSilently());
    const later = await window.__try(() => window.__client.isAuthenticated());
    const another = await window.__try(() => window.__sdk.createAuth0Client(window.__clientOptions()));
    return { first, later, another };
  }), 30_000, 'the trapped call settles');
  for (const [what, outcome] of Object.entries(r)) {
    assert.equal(outcome.ok, false, `${what}: ${JSON.stringify(outcome)}`);
    assert.ok(outcome.error.classes.includes('GenericError'), `${what}: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.error.error, 'internal_error', what);
    assert.match(outcome.error.message, /stopped after an internal error.*reload the page/, what);
  }
});
