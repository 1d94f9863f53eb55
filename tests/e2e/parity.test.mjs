// End-to-end tests of the newer auth0-spa-js features against the local tenant:
// refresh-token revocation at /oauth/revoke (RFC 7009; docs/behaviour.md §2.11) with
// revokeRefreshToken({ audience }) and this package's logout({ revokeRefreshTokens: true }) (a
// revoked token is dead at the server: presenting it gets invalid_grant), and native-to-web
// session transfer (sessionTransferTokenQueryParamName, §1.3), and the custom token exchange
// (RFC 8693) with the tenant's test subject tokens `external:{sub}`, Multi-Resource Refresh
// Tokens (useMrrt), and createFetcher() against a small resource server (tenant/resource.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { EXTERNAL_TOKEN_TYPE } from '../../tenant/server.mjs';

const T = { timeout: 60_000 };
let env;

let api;

before(async () => {
  env = await h.startEnv({ api: true });
  api = env.api;
}, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

const RT_OPTIONS = { cacheLocation: 'localstorage', useRefreshTokens: true };

/**
 * `getTokenSilently({ cacheMode: 'off' })` from a click, as an app calls it while the user acts
 * (popup blockers allow a popup then); resolves to `{ ok, value | error }`.
 */
async function renewFromClick(page) {
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'renew';
    b.addEventListener('click', () => {
      window.__state.renew = undefined;
      window.__try(() => window.__client.getTokenSilently({ cacheMode: 'off' })).then((r) => { window.__state.renew = r; });
    });
    document.body.appendChild(b);
  });
  await page.click('#renew');
  return h.pollPage(page, () => window.__state.renew, undefined, 20_000);
}

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

test(`[${h.SDK}] with the memory cache, a lite client moves to the full build for revokeRefreshToken and keeps its session`, { ...T, skip: h.SDK === 'wasm' ? false : "this package's two builds (docs/module-split.md)" }, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, { useRefreshTokens: true, cacheLocation: 'memory' });
  await h.loginWithRedirect(page, env.pages.url);
  const sdkFiles = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/sdk/')));
  const atStart = await sdkFiles();
  assert.ok(atStart.includes('/sdk/index.js') && !atStart.includes('/sdk/full.js'), `the entry with the lite build only: ${atStart}`);
  const user = await page.evaluate(() => window.__client.getUser());
  assert.ok(user && user.sub);
  const r = await page.evaluate(() => window.__try(() => window.__client.revokeRefreshToken()));
  assert.deepEqual(r, { ok: true, value: undefined });
  assert.ok((await sdkFiles()).includes('/sdk/full.js'), 'the full build loaded for this call');
  assert.equal(env.tenant.stats().revocation, 1, 'the refresh token kept in the lite client\'s memory was found and revoked');
  assert.deepEqual(await page.evaluate(() => window.__client.getUser()), user, 'the session moved with the client');
  assert.ok(await page.evaluate(() => window.__client.getTokenSilently({ cacheMode: 'cache-only' })), 'and its access token');
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

test(`[${h.SDK}] sessionTransferTokenQueryParamName sends the URL's token on /authorize and removes it from the URL`, T, async (t) => {
  env.resetTenant();
  const context = await h.testContext(env, t, { sessionTransferTokenQueryParamName: 'stt' });
  const authorize = [];
  context.on('request', (r) => { if (r.url().startsWith(`${env.tenant.url}/authorize`)) authorize.push(new URL(r.url())); });
  const page = await context.newPage();
  await h.openTestPage(page, env.pages.url, '?stt=transfer-123&keep=1');
  await h.loginWithRedirect(page, env.pages.url);
  assert.equal(authorize[0].searchParams.get('session_transfer_token'), 'transfer-123');
  // The token was taken from the address bar before the redirect, so a second login sends none.
  authorize.length = 0;
  await h.loginWithRedirect(page, env.pages.url);
  assert.equal(authorize[0].searchParams.get('session_transfer_token'), null);
});

test(`[${h.SDK}] loginWithCustomTokenExchange makes the exchanged tokens the session; customTokenExchange stores nothing`, T, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, RT_OPTIONS);
  const r = await page.evaluate((type) => window.__try(async () => {
    const c = window.__client;
    const login = await c.loginWithCustomTokenExchange({ subject_token: 'external:auth0|alice', subject_token_type: type, actor_token: 'agent-7', actor_token_type: 'urn:test:actor' });
    const user = await c.getUser();
    const cached = await c.getTokenSilently({ cacheMode: 'cache-only' });
    const plainCall = await window.__sdk.createAuth0Client(window.__clientOptions()).then((other) => other.customTokenExchange({ subject_token: 'external:auth0|alice', subject_token_type: type }));
    return { login, email: user && user.email, cached, plain: Object.keys(plainCall).sort() };
  }), EXTERNAL_TOKEN_TYPE);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.ok(r.value.login.access_token && r.value.login.id_token);
  assert.equal(r.value.email, 'alice@example.com');
  assert.equal(r.value.cached, r.value.login.access_token, 'served from the cache afterwards');
  assert.ok(r.value.plain.includes('access_token'));
  const exchanges = env.tenant.stats().tokenExchanges;
  assert.equal(exchanges.length, 2);
  assert.deepEqual([exchanges[0].subjectTokenType, exchanges[0].hasActor, exchanges[0].actorTokenType], [EXTERNAL_TOKEN_TYPE, true, 'urn:test:actor']);
  assert.match(exchanges[0].scope, /openid profile email offline_access/);
  assert.equal((await h.refreshTokensInStorage(page)).length, 1, 'the exchanged session renews by refresh token');
  const renewed = await h.getToken(page, { cacheMode: 'off' });
  assert.equal(renewed.ok, true, JSON.stringify(renewed));
});

test(`[${h.SDK}] a refused token exchange is a GenericError with the server's code, and no session`, T, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, RT_OPTIONS);
  const r = await page.evaluate((type) => window.__try(() => window.__client.loginWithCustomTokenExchange({ subject_token: 'external:mallory', subject_token_type: type })), EXTERNAL_TOKEN_TYPE);
  assert.equal(r.ok, false);
  assert.ok(r.error.classes.includes('GenericError'), JSON.stringify(r));
  assert.equal(r.error.error, 'invalid_grant');
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), false);
});

test(`[${h.SDK}] useMrrt: one refresh token renews tokens for several audiences at once, one request each, no reuse`, { ...T, skip: h.SDK === 'wasm' ? false : 'auth0-spa-js 2.28.3 sends parallel MRRT refreshes with the same token and reuses it (its issue #1684)' }, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, { ...RT_OPTIONS, useMrrt: true });
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  const audiences = ['https://api-a.example/', 'https://api-b.example/', 'https://api-c.example/'];
  const results = await page.evaluate((list) => Promise.all(list.map((audience) => window.__try(() => window.__client.getTokenSilently({ authorizationParams: { audience } })))), audiences);
  for (const r of results) assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(new Set(results.map((r) => r.value)).size, 3, 'a token per audience');
  const refreshes = env.tenant.stats().requests.filter((r) => r.grantType === 'refresh_token');
  assert.deepEqual(refreshes.map((r) => r.audience).sort(), audiences, 'one request per audience, naming it');
  assert.equal(h.tokenStats(env.tenant).reuse, 0, 'never a rotated-away token');
  const rts = new Set(await h.refreshTokensInStorage(page));
  assert.equal(rts.size, 1, 'every entry converged on the newest refresh token');
});

test(`[${h.SDK}] createFetcher(): fetchWithAuth calls the API with the access token, resolving against baseUrl and keeping the app's request`, T, async (t) => {
  env.resetTenant();
  api.reset();
  const { page } = await h.freshPage(env, t, RT_OPTIONS);
  await h.loginWithRedirect(page, env.pages.url);
  const r = await page.evaluate(async (base) => window.__try(async () => {
    const fetcher = window.__client.createFetcher({ baseUrl: base + '/api/' });
    const res = await fetcher.fetchWithAuth('whoami', { method: 'POST', headers: { 'x-app': 'demo' } });
    return { status: res.status, body: await res.json() };
  }), api.url);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.status, 200);
  assert.equal(r.value.body.sub, env.tenant.user.sub);
  assert.equal(r.value.body.scheme, 'Bearer');
  const posts = api.requests().filter((q) => q.method === 'POST');
  assert.deepEqual(posts, [{ method: 'POST', path: '/api/whoami', scheme: 'Bearer', hasProof: false, app: 'demo', status: 200 }]);
  assert.equal(h.tokenStats(env.tenant).total, 1, 'the cached token was used: only the login\'s token request');
});

test(`[${h.SDK}] createFetcher(): without a session fetchWithAuth rejects and sends nothing; a refused token comes back as the API's 401`, T, async (t) => {
  env.resetTenant();
  api.reset();
  const { page } = await h.freshPage(env, t, RT_OPTIONS);
  const r = await page.evaluate(async (base) => window.__try(() => window.__client.createFetcher({ baseUrl: base }).fetchWithAuth('/api/whoami')), api.url);
  assert.equal(r.ok, false);
  assert.equal(r.error.error, 'missing_refresh_token', JSON.stringify(r));
  assert.deepEqual(api.requests(), [], 'no request reached the API');
  const own = await page.evaluate(async (base) => window.__try(async () => {
    const res = await window.__client.createFetcher({ baseUrl: base, getAccessToken: async () => 'not-a-token' }).fetchWithAuth('/api/whoami');
    return { status: res.status, challenge: res.headers.get('www-authenticate') };
  }), api.url);
  assert.deepEqual(own, { ok: true, value: { status: 401, challenge: 'Bearer error="invalid_token"' } });
});

test(`[${h.SDK}] interactiveErrorHandler: 'popup': mfa_required on a refresh is completed in a login popup and its token returned`, T, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, { ...RT_OPTIONS, interactiveErrorHandler: 'popup' });
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  env.tenant.addFault({
    target: 'token', grantType: 'refresh_token', count: 1, process: false, status: 403,
    body: { error: 'mfa_required', error_description: 'Multifactor authentication required', mfa_token: 'mfa-token-1' },
  });
  const r = await renewFromClick(page);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(typeof r.value, 'string');
  const s = h.tokenStats(env.tenant);
  assert.deepEqual([s.refresh, s.code], [1, 1], 'the refused refresh, then the popup login\'s code exchange');
  assert.equal(r.value, await page.evaluate(() => window.__client.getTokenSilently({ cacheMode: 'cache-only' })), 'the popup\'s token is the cached one');
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), true);
});

test(`[${h.SDK}] interactiveErrorHandler: 'popup': the iframe's MFA step-up keeps the session and is completed in a login popup`, T, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, { cacheLocation: 'localstorage', interactiveErrorHandler: 'popup' });
  await h.loginWithRedirect(page, env.pages.url);
  env.tenant.resetStats();
  // The silent /authorize answers as Auth0 does when the session needs a second factor first.
  const stepUp = `<!doctype html><script>parent.postMessage({ type: 'authorization_response', response: { error: 'login_required', error_description: 'Multifactor authentication required', state: new URLSearchParams(location.search).get('state') } }, ${JSON.stringify(env.pages.url)})</script>`;
  env.tenant.addFault({ target: 'authorize', prompt: 'none', count: 1, status: 200, contentType: 'text/html', body: stepUp });
  const r = await renewFromClick(page);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(typeof r.value, 'string');
  assert.equal(h.tokenStats(env.tenant).code, 1, 'one code exchange: the popup login\'s');
  assert.deepEqual(env.tenant.faults(), [], 'the iframe got the step-up answer');
  const { authorize } = env.tenant.stats();
  assert.deepEqual([authorize.total, authorize.byPrompt.none], [2, 1], 'the silent /authorize, then the popup\'s');
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), true, 'the step-up did not end the session');
});
