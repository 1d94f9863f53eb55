// The newer features whose browser parts differ from engine to engine, in the engine WD_ENGINE
// names, over WebDriver against the local tenant:
//
// - DPoP: the key pair is made by WebCrypto (ECDSA P-256, not extractable) and kept in IndexedDB;
//   each proof is signed in the page. The tenant requires server nonces and refuses a key-bound
//   refresh token without a proof of that key; the resource server of tenant/resource.mjs checks
//   every proof it gets (key, htm, htu, ath, nonce). No request is intercepted here: what the
//   servers accept is the proof.
// - Anonymous sessions: their tokens in localStorage, the cross-tab lock and write marks of the
//   lock manager (two tabs asking at the same millisecond get one session), and the tenant's
//   cookie.
//
// tests/e2e/dpop.test.mjs and tests/e2e/anonymous.test.mjs go deeper in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const E = h.ENGINE;
const T = { timeout: 120_000 };
let env;

before(async () => { env = await h.startEnv({ tenant: { dpop: 'nonce' }, api: true }); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** A new browser session (quit when `t` ends) with the test page open under these SDK options. */
async function openApp(t, options) {
  const b = await env.session(t);
  await b.openApp(env.pages.url, options, env.tenant);
  return b;
}

/** What IndexedDB holds for DPoP (auth0-spa-js's database): the key pairs' extractable flags, and the nonce count. */
const dpopStorage = (b) => b.run(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('auth0-spa-js', 1);
  open.onupgradeneeded = () => { for (const s of ['nonce', 'keypair']) open.result.createObjectStore(s); };
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction(['nonce', 'keypair'], 'readonly');
    const pairs = tx.objectStore('keypair').getAll();
    const nonces = tx.objectStore('nonce').count();
    tx.oncomplete = () => {
      resolve({ extractable: pairs.result.map((p) => p.privateKey.extractable), nonces: nonces.result });
      open.result.close();
    };
  };
}));

test(`[${E}] useDpop: the tenant's nonce answered once, key-bound tokens that renew, the API accepts createFetcher's proof after its own nonce, and logout removes the key`, T, async (t) => {
  env.resetTenant();
  env.api.reset();
  const b = await openApp(t, { useDpop: true, useRefreshTokens: true, cacheLocation: 'localstorage' });
  await b.loginWithRedirect(env.pages.url);
  // The code exchange: use_dpop_nonce first (no nonce known yet), then once more with it.
  const login = env.tenant.stats().token;
  assert.deepEqual([login.byGrantType, login.byStatus], [{ authorization_code: 2 }, { 200: 1, 400: 1 }]);

  const cached = await b.getToken({ detailedResponse: true, cacheMode: 'cache-only' });
  assert.equal(cached.ok, true, JSON.stringify(cached));
  assert.equal(cached.value.token_type, 'DPoP');
  // The refresh token is bound to the key: the tenant takes it only with a proof of that key.
  env.tenant.resetStats();
  const renewed = await b.getToken({ detailedResponse: true, cacheMode: 'off' });
  assert.equal(renewed.ok, true, JSON.stringify(renewed));
  assert.equal(renewed.value.token_type, 'DPoP');
  assert.notEqual(renewed.value.access_token, cached.value.access_token);
  const refresh = env.tenant.stats().token;
  assert.deepEqual([refresh.byGrantType, refresh.byStatus], [{ refresh_token: 1 }, { 200: 1 }], 'the stored nonce is used: no retry');

  env.api.challengeNextWithNonce('rs-nonce-1');
  const fetched = await b.run((base) => window.__try(async () => {
    const c = window.__client;
    const res = await c.createFetcher({ baseUrl: base, dpopNonceId: 'my-api' }).fetchWithAuth('/api/whoami');
    return { status: res.status, body: await res.json(), nonce: await c.getDpopNonce('my-api') };
  }), env.api.url);
  assert.equal(fetched.ok, true, JSON.stringify(fetched));
  assert.deepEqual([fetched.value.status, fetched.value.body.scheme, fetched.value.nonce], [200, 'DPoP', 'rs-nonce-1']);
  const seen = env.api.requests().filter((q) => q.path === '/api/whoami');
  assert.deepEqual(seen.map((q) => [q.scheme, q.status, q.proof]), [['DPoP', 401, undefined], ['DPoP', 200, 'ok']],
    'the challenge, then one retry whose proof the API accepts');

  const stored = await dpopStorage(b);
  assert.deepEqual(stored.extractable, [false], 'one key pair, its private key not extractable');
  assert.ok(stored.nonces >= 2, 'the tenant\'s and the API\'s nonces');
  const out = await b.run(() => window.__try(() => window.__client.logout({ openUrl: false })));
  assert.equal(out.ok, true, JSON.stringify(out));
  assert.deepEqual(await dpopStorage(b), { extractable: [], nonces: 0 });
});

test(`[${E}] anonymous sessions: a session and its cached token, kept across a reload, carried into a login as anon_transfer_token, and ended by logout`, T, async (t) => {
  env.resetTenant();
  env.tenant.anonymous.reset();
  const events = (...types) => env.tenant.anonymous.events().filter((e) => types.includes(e.type)).map((e) => [e.type, e.sub]);
  const b = await openApp(t, {});
  const created = await b.run(() => window.__try(() => window.__client.anonymous.createSession({ audience: 'https://api.a' })));
  assert.equal(created.ok, true, JSON.stringify(created));
  const sub = env.tenant.anonymous.verify(created.value.accessToken).sub;
  const token = await b.run(() => window.__try(() => window.__client.anonymous.getTokenSilently({ audience: 'https://api.a' })));
  assert.equal(token.ok, true, JSON.stringify(token));
  assert.equal(token.value.accessToken, created.value.accessToken, 'served from the cache');

  await b.get(`${env.pages.url}/`);
  await b.waitForApp(env.pages.url);
  const again = await b.run(() => window.__try(async () => {
    const a = window.__client.anonymous;
    return { has: a.hasSession(), token: (await a.getTokenSilently({ audience: 'https://api.a' })).accessToken };
  }));
  assert.equal(again.ok, true, JSON.stringify(again));
  assert.deepEqual(again.value, { has: true, token: created.value.accessToken }, 'localStorage kept the session and its token');
  assert.deepEqual(events('create', 'renew'), [['create', sub]], 'one session, no renewal');

  const state = await b.loginWithRedirect(env.pages.url);
  assert.equal(state.callback.ok, true);
  assert.deepEqual(events('transfer', 'authorize'), [['transfer', sub], ['authorize', sub]], 'the login carried a transfer token of this session');

  const out = await b.run(() => window.__try(async () => {
    await window.__client.anonymous.logout();
    return window.__client.anonymous.hasSession();
  }));
  assert.deepEqual(out, { ok: true, value: false });
  assert.deepEqual(events('logout'), [['logout', sub]]);
});

test(`[${E}] two tabs ask for an anonymous-session token at the same moment: one session, one request, the same token in both`, T, async (t) => {
  env.resetTenant();
  env.tenant.anonymous.reset();
  const base = env.pages.url;
  const b = await openApp(t, {});
  const first = await b.window();
  const second = await b.newTab(`${base}/`);
  await b.waitForApp(base);
  // Both tabs start at one moment (a timer in each page; the clock is shared); each keeps its answer.
  const at = Date.now() + 1_500;
  for (const tab of [first, second]) {
    await b.switchTo(tab);
    await b.run((when) => {
      window.__anon = undefined;
      // The timer fires early and the page spins to the moment: a background tab's timer may be
      // late (Firefox), a spin is not.
      setTimeout(() => {
        while (Date.now() < when) { /* spin */ }
        const start = Date.now();
        window.__client.anonymous.getTokenSilently({ audience: 'https://api.a' }).then(
          (r) => { window.__anon = { ok: true, token: r.accessToken, start, end: Date.now() }; },
          (e) => { window.__anon = { ok: false, error: String(e && e.message), start, end: Date.now() }; },
        );
      }, when - Date.now() - 300);
    }, at);
  }
  const answers = [];
  for (const tab of [first, second]) {
    await b.switchTo(tab);
    answers.push(await b.waitFor(() => window.__anon, undefined, h.WAIT, 'the anonymous token'));
  }
  // Whether the two calls ran at once: the later start before the earlier end.
  t.diagnostic(JSON.stringify({ starts: answers.map((a) => a.start - at), ends: answers.map((a) => a.end - at) }));
  assert.deepEqual(answers.map((a) => a.ok), [true, true], JSON.stringify(answers));
  assert.ok(Math.max(...answers.map((a) => a.start)) < Math.min(...answers.map((a) => a.end)), 'the two calls overlapped');
  assert.equal(answers[0].token, answers[1].token, 'the same token in both tabs');
  const made = env.tenant.anonymous.events().filter((e) => e.type === 'create' || e.type === 'renew');
  assert.deepEqual(made.map((e) => e.type), ['create'], 'one session and one token request between the two tabs');
});
