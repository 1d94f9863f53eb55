// @ts-check
// What the sub-clients whose requests load on first use (js/mfa.js, js/passkey.js,
// js/my-account.js, js/anonymous.js) share in the main entry: `fetch` as the page had it when the package was
// imported, and the one-time import of their lazily loaded module.

/**
 * `fetch` captured when the package is imported, as js/platform.js captures the globals the core
 * uses: a script that wraps it later sees none of these requests.
 */
export const pageFetch = typeof fetch === 'function' ? fetch.bind(globalThis) : undefined;

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

/**
 * A lazily loaded module of the package (`importer` must be `() => import('./literal.js')`, so
 * that bundlers see the file), imported once; with `h`, a failed import becomes
 * `h.failed('auth0-spa-wasm: the <what> module could not be loaded: …')`.
 * @template T @param {() => Promise<T>} importer @param {string} what
 * @returns {(h?: { failed: (message: string) => Error }) => Promise<T>}
 */
export function lazyModule(importer, what) {
  const load = once(importer);
  return (h) =>
    h
      ? load().catch((e) => {
          throw h.failed(`auth0-spa-wasm: the ${what} module could not be loaded: ` + String(e && e.message ? e.message : e));
        })
      : load();
}
