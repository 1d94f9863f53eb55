// node --test js/tests/ : js/fetcher.js, the `createFetcher()` fetch wrapper. Its rules as tables
// (URL resolution, the token's scheme, the nonce challenge), then whole `fetchWithAuth` calls
// against a recording fake `fetch` and fake client hooks. The end-to-end test against a real
// resource server is tests/e2e/parity.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fetcher, resolveUrl, tokenAndScheme, isNonceChallenge, headerOf } from '../fetcher.js';
import { GenericError, UseDpopNonceError } from '../errors.js';

test('resolveUrl: absolute URLs win, relative ones go below baseUrl with one slash, neither is a TypeError', () => {
  const rows = [
    [undefined, 'https://api.example/x', 'https://api.example/x'],
    ['https://base/', 'http://other/y', 'http://other/y'],
    ['https://base/', '//cdn.example/z', '//cdn.example/z'],
    ['https://base', 'items', 'https://base/items'],
    ['https://base/', '/items', 'https://base/items'],
    ['https://base//', '/items', 'https://base/items'],
    ['https://base/', '///items', '///items'], // starts with // : protocol-relative, as auth0-spa-js reads it
    ['https://base/v1/', 'items?q=1', 'https://base/v1/items?q=1']
  ];
  for (const [base, url, want] of rows) assert.equal(resolveUrl(base, url), want, `${base} + ${url}`);
  for (const [base, url] of [[undefined, 'items'], ['', 'items'], ['https://base/', '']]) {
    assert.throws(() => resolveUrl(base, url), { name: 'TypeError', message: '`url` must be absolute or `baseUrl` non-empty.' });
  }
});

test('tokenAndScheme: a detailed response names its scheme, a bare string is DPoP only with a nonce slot, nothing is missing_access_token', () => {
  assert.deepEqual(tokenAndScheme('t', false), { scheme: 'Bearer', token: 't' });
  assert.deepEqual(tokenAndScheme('t', true), { scheme: 'DPoP', token: 't' });
  assert.deepEqual(tokenAndScheme({ access_token: 't', token_type: 'DPoP' }, false), { scheme: 'DPoP', token: 't' });
  assert.deepEqual(tokenAndScheme({ access_token: 't', token_type: 'Bearer' }, true), { scheme: 'Bearer', token: 't' });
  assert.throws(() => tokenAndScheme(undefined, false), (e) => e instanceof GenericError && e.error === 'missing_access_token' && e.error_description === 'No access token available');
});

test('isNonceChallenge: only a 401 naming use_dpop_nonce or invalid_dpop_nonce, whatever shape the headers have', () => {
  const rows = [
    [401, new Headers({ 'www-authenticate': 'DPoP error="use_dpop_nonce"' }), true],
    [401, { 'www-authenticate': 'DPoP error="invalid_dpop_nonce"' }, true],
    [401, { 'www-authenticate': 'dpop error="use_dpop_nonce"' }, true],
    [401, [['WWW-Authenticate', 'DPoP error="use_dpop_nonce"']], true],
    [401, new Headers({ 'www-authenticate': 'Bearer error="invalid_token"' }), false],
    [400, new Headers({ 'www-authenticate': 'DPoP error="use_dpop_nonce"' }), false],
    [401, undefined, false]
  ];
  for (const [status, headers, want] of rows) assert.equal(isNonceChallenge({ status, headers }), want, JSON.stringify([status, headers]));
  assert.equal(headerOf({ get: () => null }, 'x'), '');
});

/** A fetcher over a recording fake fetch that answers with `responses` in turn. */
function rig(config, responses, token = { access_token: 'AT', token_type: 'Bearer' }) {
  const seen = { requests: [], tokenCalls: [], nonces: [], proofs: [] };
  let nonce;
  const fetcher = new Fetcher(
    {
      ...config,
      fetch: async (req) => {
        seen.requests.push({ url: req.url, method: req.method, authorization: req.headers.get('authorization'), dpop: req.headers.get('dpop'), custom: req.headers.get('x-app') });
        return responses.shift() || { status: 200, headers: {} };
      }
    },
    {
      getAccessToken: async (authParams) => (seen.tokenCalls.push(authParams), token),
      getDpopNonce: async () => nonce,
      setDpopNonce: async (n) => {
        nonce = n;
        seen.nonces.push(n);
      },
      generateDpopProof: async (p) => (seen.proofs.push(p), `proof(${p.nonce ?? '-'})`)
    }
  );
  return { fetcher, seen };
}

test('fetchWithAuth: adds `authorization: <type> <token>`, keeps the app\'s request, passes authParams to the token source', async () => {
  const { fetcher, seen } = rig({ baseUrl: 'https://api.example/v1/' }, []);
  const res = await fetcher.fetchWithAuth('orders', { method: 'POST', headers: { 'x-app': '1' } }, { audience: 'https://api', scope: ['read:orders'] });
  assert.equal(res.status, 200);
  assert.deepEqual(seen.requests, [{ url: 'https://api.example/v1/orders', method: 'POST', authorization: 'Bearer AT', dpop: null, custom: '1' }]);
  assert.deepEqual(seen.tokenCalls, [{ audience: 'https://api', scope: ['read:orders'] }]);
  assert.deepEqual(seen.proofs, []);
});

test('fetchWithAuth: a config getAccessToken wins over the client, and a 401 that is not a nonce challenge is returned as it is', async () => {
  const calls = [];
  const { fetcher, seen } = rig({ getAccessToken: async (p) => (calls.push(p), 'OWN') }, [{ status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }]);
  const res = await fetcher.fetchWithAuth('https://api.example/x');
  assert.equal(res.status, 401);
  assert.equal(seen.requests[0].authorization, 'Bearer OWN');
  assert.deepEqual(seen.tokenCalls, [], 'the client was not asked');
  assert.equal(calls.length, 1);
});

test('fetchWithAuth with DPoP: a proof with the token, one retry with the nonce the challenge brought, then UseDpopNonceError', async () => {
  const challenge = (n) => ({ status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': n } });
  const dpop = { access_token: 'DAT', token_type: 'DPoP' };
  {
    const { fetcher, seen } = rig({ dpopNonceId: 'api' }, [challenge('n1')], dpop);
    const res = await fetcher.fetchWithAuth('https://api.example/x');
    assert.equal(res.status, 200);
    assert.deepEqual(seen.requests.map((r) => [r.authorization, r.dpop]), [['DPoP DAT', 'proof(-)'], ['DPoP DAT', 'proof(n1)']]);
    assert.deepEqual(seen.proofs[1], { accessToken: 'DAT', method: 'GET', nonce: 'n1', url: 'https://api.example/x' });
    assert.deepEqual(seen.nonces, ['n1']);
  }
  {
    const { fetcher, seen } = rig({ dpopNonceId: 'api' }, [challenge('n1'), challenge('n2')], dpop);
    await assert.rejects(fetcher.fetchWithAuth('https://api.example/x'), (e) => e instanceof UseDpopNonceError && e.newDpopNonce === 'n2');
    assert.equal(seen.requests.length, 2, 'retried once only');
  }
  {
    const { fetcher, seen } = rig({ dpopNonceId: 'api' }, [{ status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"' } }], dpop);
    await assert.rejects(fetcher.fetchWithAuth('https://api.example/x'), (e) => e instanceof UseDpopNonceError && e.newDpopNonce === '');
    assert.equal(seen.requests.length, 1, 'no retry without a new nonce');
  }
  {
    // DPoP token without a nonce slot: the scheme is kept, no proof is made (as in auth0-spa-js).
    const { fetcher, seen } = rig({}, [], dpop);
    await fetcher.fetchWithAuth('https://api.example/x');
    assert.deepEqual([seen.requests[0].authorization, seen.requests[0].dpop], ['DPoP DAT', null]);
  }
});

test('fetchWithAuth: no token is GenericError(missing_access_token) and nothing is sent', async () => {
  const { fetcher, seen } = rig({ getAccessToken: async () => undefined }, []);
  await assert.rejects(fetcher.fetchWithAuth('https://api.example/x'), (e) => e instanceof GenericError && e.error === 'missing_access_token');
  assert.equal(seen.requests.length, 0);
});
