// @ts-check
// `client.myAccount`'s class, auth0-spa-js 2.28.3's `MyAccountApiClient` (docs/behaviour.md §1.4
// "Sub-clients"): what every app downloads is this small class; its methods load the requests
// themselves (js/my-account-api.js) on first use and hand them the fetcher, the API's base URL and
// the error class.

import { MyAccountApiError } from './extras.js';
import { lazyImport } from './lazy.js';

/** The methods of auth0-spa-js's `MyAccountApiClient`, all `async`. */
export const MY_ACCOUNT_METHODS = Object.freeze([
  'connectAccount',
  'completeAccount',
  'getFactors',
  'getAuthenticationMethods',
  'getAuthenticationMethod',
  'deleteAuthenticationMethod',
  'updateAuthenticationMethod',
  'enrollmentChallenge',
  'enrollmentVerify'
]);

/**
 * The methods of an instance: those js/my-account-api.js makes, each loading that module first.
 * @typedef {ReturnType<typeof import('./my-account-api.js').myAccountApi>} MyAccountApi
 */

/** js/my-account-api.js, imported once; a failed import is tried again by the next call. */
const load = () => lazyImport('My Account', () => import('./my-account-api.js'));

const STATE = Symbol('myAccount');

/**
 * The class, made by a function so that bundlers can drop it from apps that never reach it.
 * `new MyAccountApiClient(myAccountFetcher, apiBase)` takes auth0-spa-js's arguments: a fetcher
 * (`client.createFetcher(...)`) whose tokens are for the API, and the API's base URL ending in
 * `/me/`; inside this package `apiBase` may also be a function resolving to it (the client's own
 * instance asks its options for it only when first used).
 * @returns {new (myAccountFetcher: import('./my-account-api.js').TokenFetcher, apiBase: string | (() => Promise<string>)) => MyAccountApi}
 */
function makeClass() {
  const MyAccountApiClient = class {
    /**
     * @param {import('./my-account-api.js').TokenFetcher} myAccountFetcher
     * @param {string | (() => Promise<string>)} apiBase
     */
    constructor(myAccountFetcher, apiBase) {
      Object.defineProperty(this, STATE, { value: { fetcher: myAccountFetcher, base: apiBase, api: undefined } });
    }
  };
  for (const name of MY_ACCOUNT_METHODS) {
    Object.defineProperty(MyAccountApiClient.prototype, name, {
      writable: true,
      configurable: true,
      /** @this {any} @param {...any} args */
      value: async function (...args) {
        const s = this[STATE];
        if (!s.api) {
          const [module, base] = await Promise.all([load(), typeof s.base === 'function' ? s.base() : s.base]);
          s.api = s.api || module.myAccountApi(s.fetcher, String(base), MyAccountApiError);
        }
        return s.api[name](...args);
      }
    });
  }
  // Its methods are the loop's, which tsc does not see.
  return /** @type {any} */ (MyAccountApiClient);
}

/** auth0-spa-js's `MyAccountApiClient`: the class of `client.myAccount`. */
export const MyAccountApiClient = /* @__PURE__ */ makeClass();
