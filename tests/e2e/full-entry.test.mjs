// End-to-end test of the `auth0-spa-wasm/full` entry (dist/index-full.js; docs/module-split.md):
// the package entry with the full build inline, for apps whose options need it from the start.
// Served as /sdk/index.js from a copy of dist/ without full.js, so any attempt to load a second
// build fails the page. A DPoP client (the tenant requires server nonces) logs in, renews and
// revokes its refresh token on that one build, and a client without parity options runs on it too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as h from './harness.mjs';

const T = { timeout: 90_000, skip: h.SDK === 'wasm' ? false : "this package's own entry" };
let env;
let dir;

before(async () => {
  if (h.SDK !== 'wasm') return;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'e2e-full-entry-'));
  await fs.cp(path.join(h.REPO, 'dist'), dir, { recursive: true });
  await fs.rename(path.join(dir, 'index-full.js'), path.join(dir, 'index.js'));
  await fs.rm(path.join(dir, 'full.js'));
  env = await h.startEnv({ sdkDir: dir, tenant: { dpop: 'nonce' } });
}, { timeout: 90_000 });
after(async () => {
  if (env) await env.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}, { timeout: 60_000 });

/** The SDK files the page fetched, and every request that failed. */
function watch(context) {
  const seen = { sdk: [], failed: [] };
  context.on('request', (r) => { const p = new URL(r.url()).pathname; if (p.startsWith('/sdk/')) seen.sdk.push(p); });
  context.on('response', (r) => { if (r.status() >= 400 && !r.url().includes('/oauth/token')) seen.failed.push(`${r.status()} ${r.url()}`); });
  context.on('requestfailed', (r) => seen.failed.push(`${r.failure()?.errorText} ${r.url()}`));
  return seen;
}

test(`[${h.SDK}] the full entry runs a DPoP client on its one build: login, renewal, revocation`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await h.freshPage(env, t, { useDpop: true, useRefreshTokens: true, cacheLocation: 'localstorage' });
  const seen = watch(context);
  await h.loginWithRedirect(page, env.pages.url);
  const cached = await h.getToken(page, { detailedResponse: true, cacheMode: 'cache-only' });
  assert.ok(cached.ok, JSON.stringify(cached));
  assert.equal(cached.value.token_type, 'DPoP');
  const renewed = await h.getToken(page, { detailedResponse: true, cacheMode: 'off' });
  assert.ok(renewed.ok, JSON.stringify(renewed));
  assert.equal(renewed.value.token_type, 'DPoP');
  assert.notEqual(renewed.value.access_token, cached.value.access_token);
  const revoked = await page.evaluate(() => window.__try(() => window.__client.revokeRefreshToken()));
  assert.deepEqual(revoked, { ok: true, value: undefined });
  assert.equal(env.tenant.stats().revocation, 1);
  assert.deepEqual(await h.refreshTokensInStorage(page), []);
  assert.deepEqual([...new Set(seen.sdk)], ['/sdk/index.js'], 'one module: the entry with the full build');
  assert.deepEqual(seen.failed, []);
});

test(`[${h.SDK}] the full entry runs a client without parity options too`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await h.freshPage(env, t, { useRefreshTokens: true, cacheLocation: 'memory' });
  const seen = watch(context);
  await h.loginWithRedirect(page, env.pages.url);
  const renewed = await h.getToken(page, { detailedResponse: true, cacheMode: 'off' });
  assert.ok(renewed.ok, JSON.stringify(renewed));
  assert.equal(renewed.value.token_type, 'Bearer');
  await page.evaluate(() => window.__client.logout({ openUrl: false, revokeRefreshTokens: true }));
  assert.equal(env.tenant.stats().revocation, 1, 'revoked on the same build, with no move');
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), false);
  assert.deepEqual([...new Set(seen.sdk)], ['/sdk/index.js']);
  assert.deepEqual(seen.failed, []);
});
