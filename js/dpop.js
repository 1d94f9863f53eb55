// @ts-check
/*
 * The DPoP key store (RFC 9449; docs/behaviour.md §3.10): WebCrypto and IndexedDB promise chains
 * that the driver (src/browser/dpop.rs) awaits. Every function resolves, never rejects: outcomes
 * are values. What a proof says, the key names and when to retry are decided in Rust
 * (src/core/dpop.rs); this file only keeps the key pair, signs, and keeps nonces.
 *
 * The database, its object stores and the value shapes are auth0-spa-js's (database
 * `auth0-spa-js` version 1, stores `nonce` and `keypair`, the pair stored as `{privateKey,
 * publicKey}` CryptoKeys), so an app that moves from auth0-spa-js keeps its key, and so the
 * tokens and refresh tokens bound to it. The private key is not extractable.
 *
 * `crypto.subtle` and `indexedDB` are captured when the module is evaluated, as js/platform.js
 * does for `fetch`.
 */

const G = /** @type {any} */ (globalThis);
const subtle = G.crypto && G.crypto.subtle;
const idb = G.indexedDB;
const encoder = typeof G.TextEncoder === 'function' ? new G.TextEncoder() : undefined;

const DB_NAME = 'auth0-spa-js';
const DB_VERSION = 1;
const NONCES = 'nonce';
const KEYPAIRS = 'keypair';
const ES256 = { name: 'ECDSA', namedCurve: 'P-256' };

/** @type {Promise<IDBDatabase> | undefined} */
let db;
/** @type {Map<string, Promise<CryptoKeyPair>>} */
const creating = new Map();

/** @returns {Promise<IDBDatabase>} */
function open() {
  if (!db) {
    db = new Promise((ok, fail) => {
      if (!idb) throw new Error('IndexedDB is not available');
      const req = idb.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        for (const store of [NONCES, KEYPAIRS]) {
          if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
        }
      };
      req.onerror = () => fail(req.error);
      req.onsuccess = () => ok(req.result);
    });
    db.catch(() => {
      db = undefined;
    });
  }
  return db;
}

/**
 * One request on one store.
 * @param {string} store
 * @param {IDBTransactionMode} mode
 * @param {(s: IDBObjectStore) => IDBRequest} make
 * @returns {Promise<any>}
 */
function request(store, mode, make) {
  return open().then(
    (d) =>
      new Promise((ok, fail) => {
        const req = make(d.transaction(store, mode).objectStore(store));
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      })
  );
}

/**
 * The stored pair under `name`, or a new non-extractable ES256 pair stored there.
 * @param {string} name
 * @returns {Promise<CryptoKeyPair>}
 */
function keyPair(name) {
  return request(KEYPAIRS, 'readonly', (s) => s.get(name)).then((found) => {
    if (found && found.privateKey && found.publicKey) return found;
    let made = creating.get(name);
    if (!made) {
      if (!subtle) throw new Error('WebCrypto (crypto.subtle) is not available; DPoP needs a secure origin');
      made = subtle
        .generateKey(ES256, false, ['sign', 'verify'])
        .then((/** @type {CryptoKeyPair} */ pair) => request(KEYPAIRS, 'readwrite', (s) => s.put(pair, name)).then(() => pair));
      creating.set(name, /** @type {Promise<CryptoKeyPair>} */ (made));
      const done = () => creating.delete(name);
      /** @type {Promise<CryptoKeyPair>} */ (made).then(done, done);
    }
    return /** @type {Promise<CryptoKeyPair>} */ (made);
  });
}

/**
 * The public JWK text of the pair under `name`, creating the pair when there is none.
 * Resolves `[0, jwkText]` or `[1, thrown]`.
 * @param {string} name
 * @returns {Promise<any[]>}
 */
export function dpopKey(name) {
  return Promise.resolve()
    .then(() => keyPair(name))
    .then((pair) => subtle.exportKey('jwk', pair.publicKey))
    .then(
      (jwk) => [0, JSON.stringify(jwk)],
      (e) => [1, e]
    );
}

/**
 * Signs the UTF-8 of `input` with the private key under `name` (ECDSA P-256 SHA-256, which
 * WebCrypto returns as the 64-byte `r || s` that JWS wants). Resolves `[0, Uint8Array]` or
 * `[1, thrown]`.
 * @param {string} name
 * @param {string} input
 * @returns {Promise<any[]>}
 */
export function dpopSign(name, input) {
  return Promise.resolve()
    .then(() => keyPair(name))
    .then((pair) => subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, encoder.encode(input)))
    .then(
      (sig) => [0, new Uint8Array(sig)],
      (e) => [1, e]
    );
}

/**
 * The nonce under `key`; undefined when there is none or it cannot be read.
 * @param {string} key
 * @returns {Promise<string | undefined>}
 */
export function dpopNonceGet(key) {
  return Promise.resolve()
    .then(() => request(NONCES, 'readonly', (s) => s.get(key)))
    .then(
      (v) => (typeof v === 'string' ? v : undefined),
      () => undefined
    );
}

/**
 * Stores `nonce` under `key`. Resolves `null`, or `[thrown]`.
 * @param {string} key
 * @param {string} nonce
 * @returns {Promise<any>}
 */
export function dpopNonceSet(key, nonce) {
  return Promise.resolve()
    .then(() => request(NONCES, 'readwrite', (s) => s.put(nonce, key)))
    .then(
      () => null,
      (e) => [e]
    );
}

/**
 * Deletes every nonce and key pair whose key starts with `prefix` (best effort).
 * @param {string} prefix
 * @returns {Promise<void>}
 */
export function dpopClear(prefix) {
  /** @param {string} store */
  const clear = (store) =>
    request(store, 'readonly', (s) => s.getAllKeys()).then((keys) =>
      Promise.all(
        /** @type {IDBValidKey[]} */ (keys || [])
          .filter((k) => typeof k === 'string' && k.startsWith(prefix))
          .map((k) => request(store, 'readwrite', (s) => s.delete(k)))
      )
    );
  return Promise.resolve()
    .then(() => Promise.all([clear(NONCES), clear(KEYPAIRS)]))
    .then(
      () => undefined,
      () => undefined
    );
}
