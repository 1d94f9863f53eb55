// Stands in for 'auth0-spa-wasm' when vue-scenarios.js is bundled (vue-behaviour.test.mjs): the
// package's real exports, except Auth0Client, which is a recording fake whose methods run the
// implementations in `globalThis.__fake.script` (set by each scenario before it installs the plugin).
export * from 'REAL';
import { Auth0Client as RealClient } from 'REAL';

// It extends the package's client so that what a scenario does not script falls to the real
// client's own answer (its sub-clients, for instance).
export class Auth0Client extends RealClient {
  constructor(options) {
    super(options);
    const fake = globalThis.__fake;
    fake.options = options;
    fake.client = this;
    const script = fake.script;
    const defaults = {
      checkSession: async () => {},
      isAuthenticated: async () => !!(fake.user && fake.user()),
      getUser: async () => (fake.user ? fake.user() : undefined),
      getIdTokenClaims: async () => (fake.user && fake.user() ? { __raw: 'raw', sub: fake.user().sub } : undefined),
      loginWithRedirect: async () => {},
      logout: async () => {},
    };
    for (const [name, impl] of Object.entries({ ...defaults, ...script })) {
      if (typeof impl !== 'function') {
        // A sub-client object (mfa, passkey, myAccount): an own property over the real getter.
        Object.defineProperty(this, name, { value: impl, writable: true, configurable: true });
        continue;
      }
      this[name] = (...args) => {
        fake.calls.push([name, ...args]);
        return impl(...args);
      };
    }
  }
}
