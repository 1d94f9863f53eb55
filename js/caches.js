// @ts-check
/*
 * auth0-spa-wasm: the cache classes and value types auth0-spa-js exports (docs/behaviour.md §3):
 * `CacheKey`, `LocalStorageCache`, `InMemoryCache`, `User`, `ResponseType`, `RefreshTokenMode`.
 * The client itself keeps its cache in the Rust core; these are for apps that pass a cache object
 * or read keys, and `LocalStorageCache` is recognised by the package entry (js/index.js) as
 * `cacheLocation: 'localstorage'`.
 */

const PREFIX = '@@auth0spajs@@';

/**
 * A cache key as auth0-spa-js builds it (doc §3.1): `prefix::clientId::audience::scope::suffix`,
 * empty parts left out. For custom caches that read or list keys; the client builds its own keys
 * in the Rust core (`src/core/cache.rs`), in the same format.
 */
export class CacheKey {
  /**
   * @param {{ clientId: string, scope?: string, audience?: string }} data
   * @param {string} [prefix] @param {string} [suffix]
   */
  constructor(data, prefix = PREFIX, suffix) {
    this.prefix = prefix;
    this.suffix = suffix;
    this.clientId = data.clientId;
    this.scope = data.scope;
    this.audience = data.audience;
  }

  /** The key's text. */
  toKey() {
    return [this.prefix, this.clientId, this.audience, this.scope, this.suffix].filter(Boolean).join('::');
  }

  /** The key a text names (its first four `::`-separated parts). @param {string} key */
  static fromKey(key) {
    const [prefix, clientId, audience, scope] = key.split('::');
    return new CacheKey({ clientId, scope, audience }, prefix);
  }

  /**
   * The key of a cache entry (`client_id`, `audience`, `scope`).
   * @param {{ client_id: string, audience?: string, scope?: string }} entry
   */
  static fromCacheEntry(entry) {
    return new CacheKey({ scope: entry.scope, audience: entry.audience, clientId: entry.client_id });
  }
}

/** The `cacheLocation: 'localstorage'` cache as an object (doc §3.4): JSON in localStorage. */
export class LocalStorageCache {
  /** @param {string} key @param {unknown} entry */
  set(key, entry) {
    localStorage.setItem(key, JSON.stringify(entry));
  }

  /** @param {string} key @returns {any} */
  get(key) {
    const json = window.localStorage.getItem(key);
    if (!json) return;
    try {
      return JSON.parse(json);
    } catch {
      return;
    }
  }

  /** @param {string} key */
  remove(key) {
    localStorage.removeItem(key);
  }

  allKeys() {
    return Object.keys(window.localStorage).filter((key) => key.startsWith(PREFIX));
  }
}

/** The `cacheLocation: 'memory'` cache as an object; `enclosedCache` is the ICache (doc §3.4). */
export class InMemoryCache {
  constructor() {
    /** @type {Record<string, any>} */
    let cache = {};
    this.enclosedCache = {
      /** @param {string} key @param {unknown} entry */
      set(key, entry) {
        cache[key] = entry;
      },
      /** @param {string} key */
      get(key) {
        const entry = cache[key];
        if (!entry) return;
        return entry;
      },
      /** @param {string} key */
      remove(key) {
        delete cache[key];
      },
      allKeys() {
        return Object.keys(cache);
      }
    };
  }
}

/** Claims of the signed-in user (a class in auth0-spa-js; only its type matters). */
export class User {}

/** auth0-spa-js `ResponseType`. */
export const ResponseType = Object.freeze({ Code: 'code', ConnectCode: 'connect_code' });

/** auth0-spa-js `RefreshTokenMode`. */
export const RefreshTokenMode = Object.freeze({ Offline: 'offline', Online: 'online' });
