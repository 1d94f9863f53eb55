// End-to-end DPoP (RFC 9449; docs/behaviour.md §2.10) against the local tenant with server nonces
// required (oidc-provider `features.dPoP` with a nonce secret): a redirect login with
// `useDpop: true` and refresh tokens sends `dpop_jkt` and a proof signed by the same ES256 key on
// every token request, retries once on `use_dpop_nonce` with the `DPoP-Nonce` the tenant gave,
// caches `token_type: DPoP`, renews with the key-bound refresh token, and logout leaves no key pair
// or nonce of the client in IndexedDB. Every proof is verified here with Node's crypto.
// SDK under test: E2E_SDK (default 'wasm'); the same assertions hold for @auth0/auth0-spa-js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as h from './harness.mjs';
import { sdkDir } from '../support/static-server.mjs';

const T = { timeout: 90_000 };
let env;

// auth0-spa-js is also served at /spajs/ on the same origin, for the migration test.
let api;
before(async () => {
  env = await h.startEnv({ tenant: { dpop: 'nonce' }, mounts: { '/spajs/': sdkDir('auth0-spa-js') }, api: true });
  api = env.api;
}, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** RFC 7638 thumbprint of a public EC JWK. */
const thumbprint = (jwk) => crypto.createHash('sha256')
  .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');

/** Checks a proof's structure and ES256 signature; returns its header and claims. */
function verifyProof(proof, url) {
  assert.equal(typeof proof, 'string', 'a DPoP header');
  const [h64, c64, s64] = proof.split('.');
  const header = b64json(h64);
  const claims = b64json(c64);
  assert.equal(header.typ, 'dpop+jwt');
  assert.equal(header.alg, 'ES256');
  assert.deepEqual(Object.keys(header.jwk).sort(), ['crv', 'kty', 'x', 'y'], 'a public JWK only');
  assert.equal(header.jwk.crv, 'P-256');
  const key = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
  const ok = crypto.verify('sha256', Buffer.from(`${h64}.${c64}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s64, 'base64url'));
  assert.ok(ok, 'the ES256 signature verifies with the proof\'s jwk');
  assert.equal(claims.htm, 'POST');
  assert.equal(claims.htu, url);
  assert.equal(typeof claims.jti, 'string');
  assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 60, 'iat is now');
  return { header, claims, jkt: thumbprint(header.jwk) };
}

/** Records /authorize URLs and every /oauth/token exchange (request proof, status, nonce header, body). */
function record(context) {
  const log = { authorize: [], token: [] };
  context.on('request', (r) => {
    if (r.url().startsWith(`${env.tenant.url}/authorize`)) log.authorize.push(new URL(r.url()));
  });
  context.on('response', async (r) => {
    const req = r.request();
    if (!r.url().startsWith(`${env.tenant.url}/oauth/token`) || req.method() !== 'POST') return;
    const entry = { grant: new URLSearchParams(req.postData() || '').get('grant_type'), proof: (await req.allHeaders()).dpop, status: r.status(), nonce: (await r.allHeaders())['dpop-nonce'] };
    try { entry.body = await r.json(); } catch { entry.body = undefined; }
    log.token.push(entry);
  });
  return log;
}

/** The IndexedDB keys (`nonce` and `keypair` stores of auth0-spa-js's database) of this client. */
function dpopStorage(page) {
  return page.evaluate((clientId) => new Promise((resolve, reject) => {
    const open = indexedDB.open('auth0-spa-js', 1);
    open.onupgradeneeded = () => { for (const s of ['nonce', 'keypair']) open.result.createObjectStore(s); };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['nonce', 'keypair'], 'readonly');
      const out = {};
      let left = 2;
      for (const s of ['nonce', 'keypair']) {
        const req = tx.objectStore(s).getAllKeys();
        req.onsuccess = () => {
          out[s] = req.result.filter((k) => String(k).startsWith(`${clientId}::`));
          if (--left === 0) { db.close(); resolve(out); }
        };
      }
    };
  }), env.tenant.clientId);
}

const waitFor = async (fn, what) => {
  const end = Date.now() + 10_000;
  while (Date.now() < end) { if (fn()) return; await h.sleep(50); }
  assert.fail(`timed out waiting for ${what}`);
};

test(`[${h.SDK}] useDpop: dpop_jkt, proofs from one key on every token request, one nonce retry, DPoP-bound tokens that refresh, and logout clears the key`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await h.freshPage(env, t, { useDpop: true, useRefreshTokens: true, cacheLocation: 'localstorage' });
  const log = record(context);
  const state = await h.loginWithRedirect(page, env.pages.url);
  assert.equal(state.callback && state.callback.ok, true, `the login succeeds: ${JSON.stringify(state.callback)}`);
  const tokenUrl = `${env.tenant.url}/oauth/token`;

  // /authorize names the key (RFC 9449 §10).
  const jkt = log.authorize.find((u) => u.searchParams.has('code_challenge')).searchParams.get('dpop_jkt');
  assert.ok(jkt, 'dpop_jkt on /authorize');

  // The code exchange: use_dpop_nonce with a DPoP-Nonce, then once more with that nonce (§8).
  await waitFor(() => log.token.length >= 2, 'two token responses');
  const [first, second] = log.token;
  assert.equal(first.grant, 'authorization_code');
  assert.equal(first.status, 400);
  assert.equal(first.body.error, 'use_dpop_nonce');
  assert.ok(first.nonce, 'the tenant sent a DPoP-Nonce, exposed through CORS');
  const p1 = verifyProof(first.proof, tokenUrl);
  assert.equal(p1.claims.nonce, undefined, 'no nonce known before the first answer');
  assert.equal(second.grant, 'authorization_code');
  assert.equal(second.status, 200);
  const p2 = verifyProof(second.proof, tokenUrl);
  assert.equal(p2.claims.nonce, first.nonce, 'the retry carries the server nonce');
  assert.notEqual(p2.claims.jti, p1.claims.jti);
  assert.equal(p1.jkt, jkt, 'the proof is signed by the key named by dpop_jkt');
  assert.equal(p2.jkt, jkt);
  assert.equal(second.body.token_type, 'DPoP');

  // token_type DPoP is cached and returned.
  const cached = await h.getToken(page, { detailedResponse: true, cacheMode: 'cache-only' });
  assert.ok(cached.ok, JSON.stringify(cached));
  assert.equal(cached.value.token_type, 'DPoP');

  // A refresh: the refresh token is bound to the key (the tenant refuses another key), the proof
  // carries the latest nonce, and no retry is needed.
  const before = log.token.length;
  const renewed = await h.getToken(page, { detailedResponse: true, cacheMode: 'off' });
  assert.ok(renewed.ok, JSON.stringify(renewed));
  assert.equal(renewed.value.token_type, 'DPoP');
  assert.notEqual(renewed.value.access_token, cached.value.access_token);
  await waitFor(() => log.token.length > before, 'the refresh response');
  const refreshes = log.token.slice(before);
  assert.deepEqual(refreshes.map((r) => [r.grant, r.status]), [['refresh_token', 200]]);
  const p3 = verifyProof(refreshes[0].proof, tokenUrl);
  assert.equal(p3.jkt, jkt, 'the same key');
  assert.ok(p3.claims.nonce, 'the stored nonce is used');

  // The public helpers.
  const helpers = await page.evaluate(() => window.__try(async () => {
    const c = window.__client;
    await c.setDpopNonce('api-nonce', 'my-api');
    return {
      api: await c.getDpopNonce('my-api'),
      auth0: await c.getDpopNonce(),
      proof: await c.generateDpopProof({ url: 'https://api.example.com/items?x=1#f', method: 'GET', nonce: 'rs', accessToken: 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU' }),
    };
  }));
  assert.ok(helpers.ok, JSON.stringify(helpers));
  assert.equal(helpers.value.api, 'api-nonce');
  assert.ok(helpers.value.auth0, 'Auth0\'s nonce is stored');
  const [, c64] = helpers.value.proof.split('.');
  const rs = b64json(c64);
  assert.equal(rs.htu, 'https://api.example.com/items');
  assert.equal(rs.htm, 'GET');
  assert.equal(rs.nonce, 'rs');
  assert.equal(rs.ath, 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');

  // The private key never leaves WebCrypto.
  const extractable = await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('auth0-spa-js', 1);
    open.onsuccess = () => {
      const req = open.result.transaction('keypair', 'readonly').objectStore('keypair').getAll();
      req.onsuccess = () => { resolve(req.result.map((p) => p.privateKey.extractable)); open.result.close(); };
    };
  }));
  assert.deepEqual(extractable, [false]);

  // Logout clears the key pair and the nonces.
  const stored = await dpopStorage(page);
  assert.equal(stored.keypair.length, 1);
  assert.ok(stored.nonce.length >= 2);
  const out = await page.evaluate(() => window.__try(() => window.__client.logout({ openUrl: false })));
  assert.ok(out.ok, JSON.stringify(out));
  assert.deepEqual(await dpopStorage(page), { nonce: [], keypair: [] });
});

test(`[${h.SDK}] without useDpop the DPoP helpers throw and no key is made`, T, async (t) => {
  env.resetTenant();
  const { page } = await h.freshPage(env, t, { useRefreshTokens: true });
  const r = await page.evaluate(() => {
    try { window.__client.getDpopNonce(); return 'no throw'; } catch (e) { return e.message; }
  });
  assert.equal(r, '`useDpop` option must be enabled before using DPoP.');
  assert.deepEqual(await dpopStorage(page), { nonce: [], keypair: [] });
});

test(`[${h.SDK}] an app moving from auth0-spa-js keeps its DPoP key: a session made by auth0-spa-js renews through this SDK with the same key`, { ...T, skip: h.SDK === 'auth0-spa-js' ? 'migration from auth0-spa-js to this SDK: nothing to migrate when both are auth0-spa-js' : undefined }, async (t) => {
  env.resetTenant();
  const options = { useDpop: true, useRefreshTokens: true, cacheLocation: 'localstorage' };
  const { context, page } = await h.freshPage(env, t, options);
  const log = record(context);
  const origin = env.pages.url;
  const spaOptions = (o, redirect) => ({ domain: window.__E2E_CFG.domain, clientId: window.__E2E_CFG.clientId, ...o, authorizationParams: { redirect_uri: redirect } });
  // auth0-spa-js logs in. The page stays put: the /authorize round trip (the tenant logs the user
  // in at once) is followed by the browser context's request client, whose final URL is the
  // callback, so this SDK's test page never sees the code.
  await page.goto(`${origin}/blank.html`);
  const authorizeUrl = await page.evaluate(async ([o, redirect, make]) => {
    const spa = await import('/spajs/auth0-spa-js.production.esm.js');
    const client = new spa.Auth0Client(new Function(`return (${make})`)()(o, redirect));
    let url;
    await client.loginWithRedirect({ openUrl: (u) => { url = u; } });
    return url;
  }, [options, `${origin}/callback`, spaOptions.toString()]);
  assert.ok(new URL(authorizeUrl).searchParams.get('dpop_jkt'), 'auth0-spa-js sends dpop_jkt');
  const callbackUrl = (await context.request.get(authorizeUrl)).url();
  assert.ok(callbackUrl.startsWith(`${origin}/callback?code=`), callbackUrl);
  const spaToken = await page.evaluate(async ([o, redirect, make, url]) => {
    const spa = await import('/spajs/auth0-spa-js.production.esm.js');
    const client = new spa.Auth0Client(new Function(`return (${make})`)()(o, redirect));
    await client.handleRedirectCallback(url);
    return client.getTokenSilently({ detailedResponse: true, cacheMode: 'cache-only' });
  }, [options, `${origin}/callback`, spaOptions.toString(), callbackUrl]);
  assert.equal(spaToken.token_type, 'DPoP');
  await waitFor(() => log.token.some((e) => e.status === 200), 'the code exchange');
  const spaProofs = log.token.filter((e) => e.status === 200).map((e) => verifyProof(e.proof, `${env.tenant.url}/oauth/token`).jkt);
  assert.equal(spaProofs.length, 1, 'auth0-spa-js exchanged the code');

  // The same origin now loads this SDK: the session, the key and the nonce carry over.
  await h.openTestPage(page, origin);
  const before = log.token.length;
  const renewed = await h.getToken(page, { detailedResponse: true, cacheMode: 'off' });
  assert.ok(renewed.ok, `the refresh token bound to auth0-spa-js's key is accepted from this SDK: ${JSON.stringify(renewed)}`);
  assert.equal(renewed.value.token_type, 'DPoP');
  await waitFor(() => log.token.length > before, 'the refresh response');
  const refresh = log.token.slice(before);
  assert.deepEqual(refresh.map((r) => [r.grant, r.status]), [['refresh_token', 200]], 'no nonce retry: the stored nonce was reused');
  assert.equal(verifyProof(refresh[0].proof, `${env.tenant.url}/oauth/token`).jkt, spaProofs[0], 'the key auth0-spa-js made');
});

test(`[${h.SDK}] createFetcher() with DPoP: the API gets a proof bound to the token, and its nonce challenge is answered once with its nonce`, T, async (t) => {
  env.resetTenant();
  api.reset();
  const { page } = await h.freshPage(env, t, { useDpop: true, useRefreshTokens: true, cacheLocation: 'localstorage' });
  await h.loginWithRedirect(page, env.pages.url);
  api.challengeNextWithNonce('rs-nonce-1');
  const r = await page.evaluate(async (base) => window.__try(async () => {
    const fetcher = window.__client.createFetcher({ baseUrl: base, dpopNonceId: 'my-api' });
    const res = await fetcher.fetchWithAuth('/api/whoami');
    return { status: res.status, body: await res.json(), nonce: await window.__client.getDpopNonce('my-api') };
  }), api.url);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.status, 200, JSON.stringify(r.value));
  assert.equal(r.value.body.scheme, 'DPoP');
  assert.equal(r.value.nonce, 'rs-nonce-1', 'the API\'s nonce is kept under the fetcher\'s id');
  const seen = api.requests().filter((q) => q.path === '/api/whoami' && q.method === 'GET');
  assert.deepEqual(seen.map((q) => [q.scheme, q.hasProof, q.status, q.proof]), [['DPoP', true, 401, undefined], ['DPoP', true, 200, 'ok']],
    'the challenge, then one retry whose proof the API accepts (bound key, htm, htu, ath, its nonce)');
});

test(`[${h.SDK}] refreshTokenMode 'online': online_access is asked for, the non-rotating token renews twice, and revoking it ends the local session`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await h.freshPage(env, t, { useDpop: true, useRefreshTokens: true, refreshTokenMode: 'online', cacheLocation: 'localstorage' });
  const log = record(context);
  await h.loginWithRedirect(page, env.pages.url);
  const authorize = log.authorize.find((u) => u.searchParams.has('code_challenge'));
  assert.deepEqual(authorize.searchParams.get('scope').split(' ').filter((x) => x.endsWith('_access')), ['online_access']);
  const [ort] = await h.refreshTokensInStorage(page);
  assert.ok(ort, 'an online refresh token is cached');
  for (let i = 0; i < 2; i += 1) {
    const renewed = await h.getToken(page, { cacheMode: 'off' });
    assert.ok(renewed.ok, JSON.stringify(renewed));
  }
  assert.deepEqual(await h.refreshTokensInStorage(page), [ort], 'the same token, kept though the answers carried none');
  assert.equal(h.tokenStats(env.tenant).reuse, 0);
  const revoked = await page.evaluate(() => window.__try(() => window.__client.revokeRefreshToken()));
  assert.ok(revoked.ok, JSON.stringify(revoked));
  assert.equal(await page.evaluate(() => window.__client.isAuthenticated()), false, 'the local session ended with the server session');
});

test(`[${h.SDK}] a DPoP refresh token whose key was lost (IndexedDB cleared) ends the session once, without a loop of new keys`, T, async (t) => {
  env.resetTenant();
  const { context, page } = await h.freshPage(env, t, { useDpop: true, useRefreshTokens: true, cacheLocation: 'localstorage' });
  const log = record(context);
  await h.loginWithRedirect(page, env.pages.url);
  // The browser evicts IndexedDB (storage pressure) while localStorage stays: the deletion waits
  // for this page's open connection, so it completes as the page reloads.
  await page.evaluate(() => { indexedDB.deleteDatabase('auth0-spa-js'); });
  await h.openTestPage(page, env.pages.url);
  assert.equal((await h.refreshTokensInStorage(page)).length, 1, 'the refresh token is still cached');
  assert.deepEqual(await dpopStorage(page), { nonce: [], keypair: [] }, 'the key is gone');
  const before = log.token.length;
  const r = await h.getToken(page, { cacheMode: 'off' });
  assert.equal(r.ok, false, 'the bound refresh token cannot be used with a new key');
  await waitFor(() => log.token.length > before, 'the refused refresh');
  await h.sleep(300); // the response log trails the call
  const sent = log.token.length - before;
  const refreshes = log.token.slice(before).filter((x) => x.grant === 'refresh_token');
  assert.equal(refreshes.length, sent, 'only refresh requests');
  assert.ok(sent >= 1 && sent <= 2, `one refresh (and at most one nonce retry): ${sent}`);
  assert.ok(refreshes.every((x) => x.status === 400), JSON.stringify(refreshes.map((x) => [x.status, x.body])));
  await h.sleep(500);
  assert.equal(log.token.length - before, sent, 'nothing more is sent');
  // auth0-spa-js keeps the dead token and sends it again on the next call; this SDK forgets it.
  if (h.SDK === 'wasm') assert.deepEqual(await h.refreshTokensInStorage(page), [], 'the dead refresh token left the cache');
});
