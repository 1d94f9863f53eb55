// @ts-check
// `client.passkey`: auth0-spa-js 2.28.3's PasskeyApiClient (docs/behaviour.md §1.6).
//
// Only this class is in the main entry. What its methods do is loaded on first use
// (js/passkey-api.js: the `/passkey/register` and `/passkey/challenge` requests, the browser's
// WebAuthn ceremony and the credential's serialisation), so that apps that never use passkeys do
// not download it. The token grant that ends each flow is the Rust core's (`WasmClient.mfa`, op 2:
// sent, checked and stored like a login).

import { lazyImport } from './lazy.js';

/**
 * @typedef {{
 *   run: (op: number, args: object) => Promise<any>,
 *   settings: () => Promise<{ baseUrl: string, clientId: string, timeoutMs: number }>,
 *   fetch: typeof fetch,
 *   errors: import('./passkey-api.js').PasskeyErrors,
 *   failed: (message: string) => Error
 * }} PasskeyHost
 *   What a client lends its `passkey`: `run(op, args)` calls `WasmClient.mfa` (op 2 the passkey
 *   grant → the token response) and resolves to its JSON answer parsed; `settings()` the client's
 *   `{ baseUrl, clientId, timeoutMs }`, asked of the wasm client once per client; `fetch` the
 *   page's fetch as it was when the package was imported (js/lazy.js `pageFetch`), so a script
 *   that wraps fetch later sees none of these requests; `errors` are the classes js/passkey-api.js throws (from js/extras.js,
 *   through js/index.js, so that the lazily loaded module shares no module with the main entry);
 *   `failed(message)` makes the error of a module that could not be loaded.
 */

/** js/passkey-api.js, imported once (js/lazy.js's loader). */
const api = (/** @type {{ failed: (message: string) => Error }} */ h) => lazyImport('passkey', () => import('./passkey-api.js'), h);

const HOST = Symbol('host');

/**
 * Runs `method` of js/passkey-api.js for the client of `self`.
 * @param {PasskeyApiClient} self @param {'signup' | 'login' | 'getSignupChallenge' | 'getLoginChallenge' | 'getTokenWithPasskey'} method @param {any} options
 */
async function run(self, method, options) {
  const h = /** @type {PasskeyHost} */ (/** @type {any} */ (self)[HOST]);
  return (await api(h))[method](h, options);
}

/** The passkey API of one client: auth0-spa-js's `client.passkey`. */
export class PasskeyApiClient {
  /** @internal Use `client.passkey`. @param {PasskeyHost} host */
  constructor(host) {
    Object.defineProperty(this, HOST, { value: host });
  }

  /** Signs a new user up with a passkey (challenge, WebAuthn creation, token grant). @param {any} options */
  signup(options) {
    return run(this, 'signup', options);
  }

  /** Logs in with an existing passkey (challenge, WebAuthn assertion, token grant). @param {any} [options] */
  login(options) {
    return run(this, 'login', options);
  }

  /** Step 1 of a granular signup: `{ authSession, publicKey }` for `navigator.credentials.create`. @param {any} options */
  getSignupChallenge(options) {
    return run(this, 'getSignupChallenge', options);
  }

  /** Step 1 of a granular login: `{ authSession, publicKey }` for `navigator.credentials.get`. @param {any} [options] */
  getLoginChallenge(options) {
    return run(this, 'getLoginChallenge', options);
  }

  /** Step 2 of either: the ceremony's credential exchanged for tokens, stored as a login. @param {any} options */
  getTokenWithPasskey(options) {
    return run(this, 'getTokenWithPasskey', options);
  }
}
