// @ts-check
// What the sub-clients whose requests load on first use (js/mfa.js, js/passkey.js,
// js/my-account.js, js/anonymous.js) share in the main entry: `fetch` as the page had it when the package was
// imported, and the one-time import of their lazily loaded module.

import { capturedGlobals } from './platform.js';

/**
 * `fetch` captured when the package was imported, with the globals the core uses
 * (js/platform.js capturedGlobals): a script that wraps it later sees none of these requests. A
 * page that had no `fetch` then (a polyfill installed later) gets the global one at call time,
 * called as a function, never as a method of the object that holds it.
 * @type {typeof fetch}
 */
export const pageFetch = capturedGlobals().fetch || ((input, init) => fetch(input, init));

/**
 * A function that runs `start` once, on its first call: every call gets the same promise, and a
 * failure (offline, a CSP refusal) is tried again by the next call.
 * @template T @param {() => Promise<T>} start @returns {() => Promise<T>}
 */
export function once(start) {
  /** @type {Promise<T> | undefined} */
  let running;
  return () => {
    if (!running) {
      running = start().catch((e) => {
        running = undefined;
        throw e;
      });
    }
    return running;
  };
}

/** The imports of the lazily loaded modules, by name: in flight or done. */
const imports = new Map();

/**
 * The lazily loaded module `what` of the package (`importer` must be `() => import('./literal.js')`,
 * so that bundlers see the file), imported once; a failed import is tried again by the next call
 * and, with `h`, becomes `h.failed('auth0-spa-wasm: the <what> module could not be loaded: …')`.
 * Call it inside the function that needs the module, never at a module's top level: a bundler
 * keeps a top-level call (dist/index.js is minified without pure annotations), and with it the
 * import, which it then inlines into every app (tests/bundlers/tree-shaking.test.mjs).
 * @template T @param {string} what @param {() => Promise<T>} importer
 * @param {{ failed: (message: string) => Error }} [h] @returns {Promise<T>}
 */
export function lazyImport(what, importer, h) {
  let loading = imports.get(what);
  if (!loading) {
    loading = importer().catch((e) => {
      imports.delete(what);
      throw e;
    });
    imports.set(what, loading);
  }
  const loaded = /** @type {Promise<T>} */ (loading);
  if (!h) return loaded;
  const failed = h.failed;
  return loaded.catch((e) => {
    throw failed(`auth0-spa-wasm: the ${what} module could not be loaded: ` + String(e && e.message ? e.message : e));
  });
}
