// End-to-end tests of refresh-token revocation against the local tenant's /oauth/revoke
// (RFC 7009; docs/behaviour.md §2.11): revokeRefreshToken({ audience }) and this package's
// logout({ revokeRefreshTokens: true }). A revoked token is dead at the server: presenting it
// gets invalid_grant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const T = { timeout: 60_000 };
let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

const RT_OPTIONS = { cacheLocation: 'localstorage', useRefreshTokens: true };

/** Presents `refreshToken` to the tenant directly; resolves to the OAuth error code, or 'ok'. */
async function present(refreshToken) {
  const r = await fetch(`${env.tenant.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: env.tenant.clientId, refresh_token: refreshToken }),
  });
  return r.ok ? 'ok' : (await r.json()).error;
}

test(`[${h.SDK}] revokeRefreshToken() revokes the token at the server and removes it from the cache`, T, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, RT_OPTIONS);
  await h.loginWithRedirect(page, env.pages.url);
  const [rt] = await h.refreshTokensInStorage(page);
  assert.ok(rt);
  const r = await page.evaluate(() => window.__try(() => window.__client.revokeRefreshToken()));
  assert.deepEqual(r, { ok: true, value: undefined });
  assert.equal(env.tenant.stats().revocation, 1, 'one /oauth/revoke request');
  assert.deepEqual(await h.refreshTokensInStorage(page), [], 'the token left the cache');
  assert.ok(await page.evaluate(() => window.__client.getTokenSilently({ cacheMode: 'cache-only' })), 'the access token stays');
  assert.equal(await present(rt), 'invalid_grant', 'the server no longer accepts it');
});

test(`[${h.SDK}] logout({ revokeRefreshTokens: true }) revokes the refresh token before the local session ends`, { ...T, skip: h.SDK === 'wasm' ? false : 'an option of this package' }, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, RT_OPTIONS);
  await h.loginWithRedirect(page, env.pages.url);
  const [rt] = await h.refreshTokensInStorage(page);
  await page.evaluate(() => window.__client.logout({ openUrl: false, revokeRefreshTokens: true }));
  assert.equal(env.tenant.stats().revocation, 1);
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), false);
  assert.equal(await present(rt), 'invalid_grant');
});
