// End-to-end test of the demo app in www/ (served from a temp copy with its config.json), driven
// like a person would: the tenant's login form, the buttons, the renewal log. Saves a screenshot
// to test-output/demo.png. SDK under test: E2E_SDK (default 'wasm').
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let env;

before(async () => { env = await h.startEnv({ demo: true }); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** Waits until the demo at env.demo.url is initialised and (optionally) in the given login state. */
function demoReady(page, authenticated) {
  return h.pollPage(page, ([origin, auth]) => location.origin === origin && document.body
    && !window.__stale && document.body.dataset.ready === 'true'
    && (auth === undefined || document.body.dataset.authenticated === String(auth)), [env.demo.url, authenticated]);
}

function logRows(page) {
  return page.evaluate(() => [...document.querySelectorAll('#log tr')].map((tr) => ({
    path: tr.dataset.path, cells: [...tr.cells].map((c) => c.textContent),
  })));
}

/** Clicks "Get token" and returns the new (newest) log row. */
async function getToken(page) {
  const n = (await logRows(page)).length;
  await page.click('#get-token');
  await h.pollPage(page, (count) => document.querySelectorAll('#log tr').length > count
    && !document.getElementById('get-token').disabled, n);
  return (await logRows(page))[0];
}

// A token with expires_in 2 is renewed 1 s before it expires (half its lifetime, at least 1 s;
// docs/behaviour.md §3.5), so within 2 s of its receipt.
const EXPIRE_WAIT_MS = 2_100;

test(`[${h.SDK}] demo: login form, profile, get token from cache and by refresh with rotation, logout`, { timeout: 90_000 }, async (t) => {
  env.resetTenant({ autoLogin: false, accessTokenTtl: 2 });
  const context = await h.testContext(env, t);
  const page = await context.newPage();
  await page.goto(`${env.demo.url}/`);
  await demoReady(page, false);
  assert.match(await page.textContent('#status'), new RegExp(`SDK: ${h.SDK}`));
  assert.equal(await page.inputValue('#cache-location'), 'localstorage');
  assert.equal(await page.isChecked('#use-refresh-tokens'), true);
  assert.match(page.url(), /\?cache=localstorage&rt=1$/, 'settings are in the URL');

  // Log in with redirect through the tenant's login form (prefilled test user).
  await page.click('#login-redirect');
  await page.waitForURL((u) => u.href.startsWith(env.tenant.url), { timeout: h.ACTION_TIMEOUT });
  await page.click('#login');
  await demoReady(page, true);
  assert.equal(page.url(), `${env.demo.url}/?cache=localstorage&rt=1`, 'callback parameters removed from the URL');
  assert.equal(await page.textContent('#user-name'), 'Alice Example');
  assert.equal(await page.textContent('#user-email'), 'alice@example.com');
  assert.match(await page.getAttribute('#user-picture', 'src'), /^data:image\/svg\+xml;base64,/);
  const rt0 = await page.textContent('#rt-current');
  assert.match(rt0, /^[0-9a-f]{8}$/, 'refresh-token fingerprint shown');

  // Renewals after expiry: served by the refresh token, which rotates each time.
  env.tenant.resetStats();
  await h.sleep(EXPIRE_WAIT_MS);
  const r1 = await getToken(page);
  assert.equal(r1.path, 'refresh token', JSON.stringify(r1));
  assert.match(r1.cells[4], new RegExp(`^${rt0} → [0-9a-f]{8} rotated$`), `rotation visible: ${r1.cells[4]}`);
  await h.sleep(EXPIRE_WAIT_MS);
  const r2 = await getToken(page);
  assert.equal(r2.path, 'refresh token', JSON.stringify(r2));
  assert.match(r2.cells[4], /rotated$/);
  // A long-lived token is then served from the cache.
  env.tenant.configure({ accessTokenTtl: 3600 });
  await h.sleep(EXPIRE_WAIT_MS);
  const r3 = await getToken(page);
  assert.equal(r3.path, 'refresh token', JSON.stringify(r3));
  assert.equal(r3.cells[5], '3600 s');
  const r4 = await getToken(page);
  assert.equal(r4.path, 'cache', JSON.stringify(r4));
  assert.doesNotMatch(r4.cells[3], /→/, 'same access token');
  const s = h.tokenStats(env.tenant);
  assert.equal(s.refresh, 3, 'one refresh per renewal, none for the cache hit');
  assert.equal(s.reuse, 0);

  await page.screenshot({ path: await h.outputPath('demo.png'), fullPage: true });

  // Log out: back on the demo, logged out, cache empty.
  await page.evaluate(() => { window.__stale = true; }); // demoReady must see the page we come back to
  await page.click('#logout');
  await demoReady(page, false);
  assert.equal(env.tenant.stats().logout, 1);
  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@')));
  assert.deepEqual(left, []);
  assert.equal(await page.textContent('#rt-current'), 'none');
});

test(`[${h.SDK}] demo: popup login with the memory cache renews through the iframe; a second tab signs in silently`, { timeout: 60_000 }, async (t) => {
  env.resetTenant({ autoLogin: true, staleAccessTokens: true });
  const context = await h.testContext(env, t);
  const page = await context.newPage();
  await page.goto(`${env.demo.url}/?cache=memory&rt=0`);
  await demoReady(page, false);
  assert.equal(await page.inputValue('#cache-location'), 'memory');
  assert.equal(await page.isChecked('#use-refresh-tokens'), false);

  await page.click('#login-popup');
  await demoReady(page, true);
  assert.equal(await page.textContent('#user-name'), 'Alice Example');
  assert.equal(await page.textContent('#rt-current'), 'hidden (memory)');
  env.tenant.resetStats();
  const row = await getToken(page);
  assert.equal(row.path, 'hidden iframe', JSON.stringify(row));
  assert.equal(env.tenant.stats().authorize.byPrompt.none, 1);

  // Switching a setting re-creates the client (memory: the new client starts empty and signs in
  // silently through the iframe during createAuth0Client).
  await page.selectOption('#cache-location', 'localstorage');
  await h.pollPage(page, () => /cache=localstorage&rt=0/.test(location.search) && document.querySelector('#log tr[data-path="info"]'));
  await demoReady(page, true);

  const opened = context.waitForEvent('page', { timeout: h.ACTION_TIMEOUT });
  await page.click('#open-tab');
  const tab = await opened;
  await demoReady(tab, true);
  assert.equal(await tab.inputValue('#cache-location'), 'localstorage');
  assert.equal(await tab.textContent('#user-name'), 'Alice Example');
});
