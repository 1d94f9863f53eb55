// @ts-check
// Where `client.anonymous` keeps an anonymous session (auth0-spa-js 2.27/2.28, docs/behaviour.md
// §1.7): the storage keys and entry shapes of auth0-spa-js's `AnonymousSessionCacheManager`, so
// that a session started by auth0-spa-js is found here and the other way round, in localStorage
// (`anonymousSessionsCacheMode: 'localStorage'`, the default) or in the page's memory ('memory').
//
// Imported by both js/anonymous.js (the main entry: `hasSession()` is synchronous and must not wait
// for the lazily loaded requests) and js/anonymous-api.js (which esbuild bundles with its own copy),
// so it imports nothing and keeps no state of its own.

/** The prefix of every auth0-spa-js storage key. */
const PREFIX = '@@auth0spajs@@';

/**
 * The storage keys of one client's anonymous session (auth0-spa-js §3.11): the session token
 * `…::anonymous::session`, the mark of a session the server declared expired
 * `…::anonymous::session_expired` (2.28), and one access-token slot per audience and scope
 * `…::anonymous::["{audience}","{scope}"]` (absent parts as '').
 * @param {string} clientId
 */
export function anonymousKeys(clientId) {
  const base = `${PREFIX}::${clientId}::anonymous`;
  return {
    /** What every key of the session starts with (`removeAll` clears them all). */
    prefix: `${base}::`,
    session: `${base}::session`,
    expired: `${base}::session_expired`,
    /** @param {string} [audience] @param {string} [scope] */
    slot: (audience, scope) => `${base}::${JSON.stringify([audience || '', scope || ''])}`
  };
}

/**
 * @typedef {{ sessionToken: string, sessionTokenExpiresAt?: number }} StoredSession
 * @typedef {{ accessToken: string, expiresAt: number, scope?: string }} TokenSlot
 */

/**
 * A stored session, or null for anything else: no entry, text that is not JSON, or JSON without a
 * non-empty string `sessionToken` (garbage is no session; it is then overwritten, never sent).
 * @param {string | null | undefined} text @returns {StoredSession | null}
 */
export function storedSession(text) {
  const v = parse(text);
  if (!v || typeof v.sessionToken !== 'string' || !v.sessionToken) return null;
  /** @type {StoredSession} */
  const s = { sessionToken: v.sessionToken };
  if (finite(v.sessionTokenExpiresAt)) s.sessionTokenExpiresAt = v.sessionTokenExpiresAt;
  return s;
}

/**
 * A stored access-token slot, or null when it is missing or not one (a non-empty `accessToken`
 * and a finite `expiresAt`, seconds): a cache miss, which the next renewal overwrites.
 * @param {string | null | undefined} text @returns {TokenSlot | null}
 */
export function storedSlot(text) {
  const v = parse(text);
  if (!v || typeof v.accessToken !== 'string' || !v.accessToken || !finite(v.expiresAt)) return null;
  /** @type {TokenSlot} */
  const slot = { accessToken: v.accessToken, expiresAt: v.expiresAt };
  if (typeof v.scope === 'string') slot.scope = v.scope;
  return slot;
}

/** @param {string | null | undefined} text @returns {any} */
function parse(text) {
  if (typeof text !== 'string' || !text) return null;
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** @param {unknown} n @returns {n is number} */
const finite = (n) => typeof n === 'number' && Number.isFinite(n);

/**
 * @typedef {{
 *   shared: boolean,
 *   get(key: string): string | null,
 *   set(key: string, text: string): void,
 *   remove(key: string): void,
 *   keys(prefix: string): string[]
 * }} AnonymousStore
 *   Text by key, in localStorage (`shared`: the other tabs of the origin read and write it too) or
 *   in memory. Never throws: storage that cannot be read is empty, a write it refuses is lost (as
 *   in auth0-spa-js).
 */

/**
 * The text stored under `key`: in localStorage for 'localStorage' when the page has one (null when
 * it cannot be read), otherwise in `memory` (the client's own map, so that a session in memory
 * lives as long as the client). What `hasSession()` reads without loading anything more.
 * @param {'localStorage' | 'memory'} mode @param {Map<string, string>} memory @param {string} key
 * @returns {string | null}
 */
export function readStored(mode, memory, key) {
  const ls = storageOf(mode);
  if (!ls) return memory.has(key) ? /** @type {string} */ (memory.get(key)) : null;
  return quietly(() => ls.getItem(key), null);
}

/** localStorage for 'localStorage' when the page has one. @param {'localStorage' | 'memory'} mode */
function storageOf(mode) {
  return quietly(() => (mode === 'localStorage' && typeof localStorage !== 'undefined' ? localStorage : undefined), undefined);
}

/**
 * The store of `mode` (see {@link readStored}).
 * @param {'localStorage' | 'memory'} mode @param {Map<string, string>} memory @returns {AnonymousStore}
 */
export function anonymousStore(mode, memory) {
  const ls = storageOf(mode);
  const get = (/** @type {string} */ key) => readStored(mode, memory, key);
  if (!ls) {
    return {
      shared: false,
      get,
      set: (key, text) => void memory.set(key, text),
      remove: (key) => void memory.delete(key),
      keys: (prefix) => [...memory.keys()].filter((k) => k.startsWith(prefix))
    };
  }
  const storage = ls;
  return {
    shared: true,
    get,
    set: (key, text) => quietly(() => storage.setItem(key, text), undefined),
    remove: (key) => quietly(() => storage.removeItem(key), undefined),
    keys: (prefix) =>
      quietly(() => {
        /** @type {string[]} */
        const out = [];
        for (let i = 0; i < storage.length; i++) {
          const k = storage.key(i);
          if (k && k.startsWith(prefix)) out.push(k);
        }
        return out;
      }, /** @type {string[]} */ ([]))
  };
}

/**
 * `f()`, or `fallback` when it throws (storage disabled, quota exceeded).
 * @template T @param {() => T} f @param {T} fallback @returns {T}
 */
function quietly(f, fallback) {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** `anonymousSessionsCacheMode` as auth0-spa-js reads it: 'memory', or else localStorage. @param {unknown} option */
export const cacheModeOf = (option) => (option === 'memory' ? 'memory' : 'localStorage');
