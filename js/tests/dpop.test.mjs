// node --test js/tests/ : js/dpop.js, the DPoP key store, over Node's WebCrypto and a minimal
// in-memory IndexedDB installed before the module is evaluated (it captures both then). The real
// IndexedDB, and auth0-spa-js reading the same store, are covered by tests/e2e/dpop.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';

/** The smallest IndexedDB the module uses: open (with upgrade), get, put, getAllKeys, delete. */
function fakeIndexedDb() {
  const dbs = new Map();
  const later = (req, f) => setTimeout(() => {
    try { req.result = f(); req.onsuccess && req.onsuccess(); } catch (e) { req.error = e; req.onerror && req.onerror(); }
  });
  return {
    dbs,
    open(name, version) {
      const req = {};
      setTimeout(() => {
        let db = dbs.get(name);
        const fresh = !db;
        if (!db) {
          const stores = new Map();
          db = {
            version,
            stores,
            objectStoreNames: { contains: (s) => stores.has(s) },
            createObjectStore: (s) => stores.set(s, new Map()),
            transaction: (s, mode) => ({
              objectStore: (n) => {
                const m = stores.get(n);
                const op = (f) => { const r = {}; later(r, f); return r; };
                return {
                  get: (k) => op(() => m.get(k)),
                  put: (v, k) => op(() => { if (mode !== 'readwrite') throw new Error('ReadOnlyError'); m.set(k, structuredClone(v)); return k; }),
                  getAllKeys: () => op(() => [...m.keys()]),
                  delete: (k) => op(() => { if (mode !== 'readwrite') throw new Error('ReadOnlyError'); m.delete(k); }),
                };
              },
            }),
          };
          dbs.set(name, db);
        }
        req.result = db;
        if (fresh && req.onupgradeneeded) req.onupgradeneeded();
        req.onsuccess && req.onsuccess();
      });
      return req;
    },
  };
}

const idb = fakeIndexedDb();
globalThis.indexedDB = idb;
if (!globalThis.crypto) globalThis.crypto = webcrypto;
const { dpop, copyInto, isSigningPair } = await import('../dpop.js');

const KEY = 'client-a::auth0';

test('op 0 makes one non-extractable ES256 pair under the key, in auth0-spa-js\'s store, and keeps returning its public JWK', async () => {
  const [first, second] = await Promise.all([dpop(0, KEY, ''), dpop(0, KEY, '')]);
  assert.equal(first[0], 0, String(first[1]));
  assert.equal(first[1], second[1], 'concurrent calls in one tab make one pair');
  const jwk = JSON.parse(first[1]);
  assert.equal(jwk.kty, 'EC');
  assert.equal(jwk.crv, 'P-256');
  assert.equal(jwk.d, undefined, 'public only');
  const db = idb.dbs.get('auth0-spa-js');
  assert.equal(db.version, 1);
  assert.deepEqual([...db.stores.keys()].sort(), ['keypair', 'nonce']);
  const pair = db.stores.get('keypair').get(KEY);
  assert.equal(pair.privateKey.extractable, false);
  assert.equal(pair.privateKey.algorithm.name, 'ECDSA');
  assert.equal((await dpop(0, KEY, ''))[1], first[1], 'read back, not made again');
});

test('op 1 signs with ES256 as 64 raw bytes that the public key verifies', async () => {
  const [code, sig] = await dpop(1, KEY, 'header.claims');
  assert.equal(code, 0, String(sig));
  assert.ok(sig instanceof Uint8Array);
  assert.equal(sig.length, 64);
  const jwk = JSON.parse((await dpop(0, KEY, ''))[1]);
  const pub = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  assert.ok(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub, sig, new TextEncoder().encode('header.claims')));
  const dst = new Uint8Array(64);
  assert.equal(copyInto(sig, dst), true);
  assert.deepEqual(dst, sig);
  assert.equal(copyInto(sig, new Uint8Array(63)), false);
  assert.equal(copyInto('not bytes', dst), false);
});

test('ops 2 and 3 read and write nonces; op 4 clears one client\'s nonces and pairs only', async () => {
  assert.deepEqual(await dpop(2, 'client-a::auth0', ''), [0, undefined]);
  assert.deepEqual(await dpop(3, 'client-a::auth0', 'n-1'), [0, undefined]);
  await dpop(3, 'client-a::_api', 'n-api');
  await dpop(3, 'client-b::auth0', 'n-b');
  await dpop(0, 'client-b::auth0', '');
  assert.deepEqual(await dpop(2, 'client-a::auth0', ''), [0, 'n-1']);
  assert.deepEqual(await dpop(4, 'client-a::', ''), [0, undefined]);
  const db = idb.dbs.get('auth0-spa-js');
  assert.deepEqual([...db.stores.get('nonce').keys()], ['client-b::auth0']);
  assert.deepEqual([...db.stores.get('keypair').keys()], ['client-b::auth0']);
  assert.deepEqual(await dpop(2, 'client-a::auth0', ''), [0, undefined]);
});

test('a stored value that is not an ES256 signing pair is replaced by a new pair, not used', async () => {
  const store = () => idb.dbs.get('auth0-spa-js').stores.get('keypair');
  await dpop(0, 'seed::auth0', ''); // opens the database
  const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']);
  const p256 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const rows = [
    ['strings', { privateKey: 'x', publicKey: 'y' }],
    ['a P-384 pair', p384],
    ['the keys swapped', { privateKey: p256.publicKey, publicKey: p256.privateKey }],
    ['a number', 7],
  ];
  for (const [what, value] of rows) {
    assert.equal(isSigningPair(value), false, what);
    store().set(`bad::${what}`, value);
    const [code, text] = await dpop(0, `bad::${what}`, '');
    assert.equal(code, 0, `${what}: ${text}`);
    assert.equal(JSON.parse(text).crv, 'P-256', what);
    assert.equal(isSigningPair(store().get(`bad::${what}`)), true, `${what}: a new pair is stored in its place`);
    const [signed] = await dpop(1, `bad::${what}`, 'h.c');
    assert.equal(signed, 0, `${what}: it signs`);
  }
  assert.equal(isSigningPair(p256), true);
});
