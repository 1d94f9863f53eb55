// @ts-check
// The parts of auth0-spa-js 2.28.3's client API that this package does not implement yet
// (README, "Not implemented"): the anonymous-session sub-clients, which call
// Auth0-only endpoints. They exist on `Auth0Client`
// (js/index.js) so that code written for auth0-spa-js (and @auth0/auth0-angular, which calls them
// directly) gets a typed error naming the feature instead of `TypeError: … is not a function`.
// Each rejects (a synchronous method throws) with `GenericError('not_supported', '<feature> is not
// supported by auth0-spa-wasm yet')`.

import { GenericError } from './errors.js';

/** The error every unimplemented feature gives; `feature` names the call, e.g. `anonymous.createSession()`. */
export const notSupported = (/** @type {string} */ feature) =>
  new GenericError('not_supported', `${feature} is not supported by auth0-spa-wasm yet`);

/**
 * The methods of each sub-client of auth0-spa-js 2.28.3 not implemented here (its
 * `AnonymousSessionApiClient`): `async` ones reject, `sync` ones throw.
 */
export const SUB_CLIENTS = {
  anonymous: { async: ['createSession', 'getTokenSilently', 'mintTransferToken', 'logout'], sync: ['hasSession', 'getClaims'] },
  anonymousSession: { async: ['createSession'], sync: [] }
};

/**
 * A class standing in for the sub-client `name`: every method rejects (or throws) with
 * `notSupported('<name>.<method>()')`. auth0-spa-js exports these classes, so they are values
 * here too (`client.anonymous instanceof AnonymousSessionApiClient`).
 * @param {keyof typeof SUB_CLIENTS} name
 */
function subClientClass(name) {
  const SubClient = class {};
  for (const m of SUB_CLIENTS[name].async) {
    Object.defineProperty(SubClient.prototype, m, { writable: true, configurable: true, value: () => Promise.reject(notSupported(`${name}.${m}()`)) });
  }
  for (const m of SUB_CLIENTS[name].sync) {
    Object.defineProperty(SubClient.prototype, m, {
      writable: true,
      configurable: true,
      value: () => {
        throw notSupported(`${name}.${m}()`);
      }
    });
  }
  return SubClient;
}

/** auth0-spa-js's `client.anonymous` class (anonymous sessions); not implemented yet. */
export const AnonymousSessionApiClient = /* @__PURE__ */ subClientClass('anonymous');
/** The anonymous-session client auth0-spa-js re-exports from @auth0/auth0-auth-js; not implemented yet. */
export const AnonymousSessionClient = /* @__PURE__ */ subClientClass('anonymousSession');

/** The class of each sub-client property of the client. */
const SUB_CLIENT_CLASSES = { anonymous: AnonymousSessionApiClient };

/** @type {Map<string, object>} */
const stubs = new Map();

/**
 * The client's `anonymous` property: one frozen instance of the
 * stand-in class per name, whose methods give `notSupported`.
 * @param {keyof typeof SUB_CLIENT_CLASSES} name
 */
export function subClient(name) {
  let stub = stubs.get(name);
  if (!stub) {
    stub = Object.freeze(new SUB_CLIENT_CLASSES[name]());
    stubs.set(name, stub);
  }
  return stub;
}
