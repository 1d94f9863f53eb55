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
 * `crypto.subtle` and `indexedDB` are the ones captured when the package was imported, with
 * `fetch` (js/platform.js capturedGlobals).
 */
import { capturedGlobals } from './platform.js';

const G = /** @type {any} */ (globalThis);
const { subtle, indexedDB: idb } = capturedGlobals();
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
 * Whether a stored value is a pair this store can sign with: an ES256 private key that may sign
 * and its public key. Anything else under the name (another script's value, a damaged entry)
 * could make no proof that a server accepts, so it is replaced by a new pair rather than failing
 * every token request of the client for good.
 * @param {any} found
 * @returns {found is CryptoKeyPair}
 */
export function isSigningPair(found) {
  const ok = (/** @type {any} */ key, /** @type {string} */ type, /** @type {string} */ usage) =>
    !!key && key.type === type && !!key.algorithm && key.algorithm.name === ES256.name &&
    key.algorithm.namedCurve === ES256.namedCurve && Array.isArray(key.usages) && key.usages.includes(usage);
  return !!found && ok(found.privateKey, 'private', 'sign') && ok(found.publicKey, 'public', 'verify');
}

/**
 * The stored pair under `name`, or a new non-extractable ES256 pair stored there (also in place
 * of a stored value that is not one, {@link isSigningPair}).
 * @param {string} name
 * @returns {Promise<CryptoKeyPair>}
 */
function keyPair(name) {
  return request(KEYPAIRS, 'readonly', (s) => s.get(name)).then((found) => {
    if (isSigningPair(found)) return found;
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
 * Deletes every nonce and key pair whose key starts with `prefix`.
 * @param {string} prefix
 * @returns {Promise<any>}
 */
function clear(prefix) {
  /** @param {string} store */
  const one = (store) =>
    request(store, 'readonly', (s) => s.getAllKeys()).then((keys) =>
      Promise.all(
        /** @type {IDBValidKey[]} */ (keys || [])
          .filter((k) => typeof k === 'string' && k.startsWith(prefix))
          .map((k) => request(store, 'readwrite', (s) => s.delete(k)))
      )
    );
  return Promise.all([one(NONCES), one(KEYPAIRS)]);
}

/**
 * One operation on the key store, as the driver asks for it (src/browser/dpop.rs). Resolves
 * `[0, value]` or `[1, thrown]`, never rejects:
 * - `0` the public JWK text of the pair under `name`, creating the pair when there is none;
 * - `1` the ES256 signature (a `Uint8Array`: WebCrypto gives the 64-byte `r || s` that JWS
 *   wants) of the UTF-8 of `text` by the private key under `name`;
 * - `2` the nonce under the key `name` (or undefined);
 * - `3` stores the nonce `text` under the key `name`;
 * - `4` deletes every nonce and key pair whose key starts with `name`.
 * @param {number} op
 * @param {string} name
 * @param {string} text
 * @returns {Promise<any[]>}
 */
export function dpop(op, name, text) {
  return Promise.resolve()
    .then((/** @returns {Promise<any>} */ () => {
      switch (op) {
        case 0:
          return keyPair(name)
            .then((pair) => subtle.exportKey('jwk', pair.publicKey))
            .then((jwk) => JSON.stringify(jwk));
        case 1:
          return keyPair(name)
            .then((pair) => subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, encoder.encode(text)))
            .then((sig) => new Uint8Array(sig));
        case 2:
          return request(NONCES, 'readonly', (s) => s.get(name)).then((v) => (typeof v === 'string' ? v : undefined));
        case 3:
          return request(NONCES, 'readwrite', (s) => s.put(text, name)).then(() => undefined);
        default:
          return clear(name).then(() => undefined);
      }
    }))
    .then(
      (v) => [0, v],
      (e) => [1, e]
    );
}

/**
 * Copies `src` into the wasm buffer `dst` when it is a `Uint8Array` of the same length.
 * @param {any} src
 * @param {Uint8Array} dst
 * @returns {boolean}
 */
export function copyInto(src, dst) {
  if (!(src instanceof Uint8Array) || src.length !== dst.length) return false;
  dst.set(src);
  return true;
}
