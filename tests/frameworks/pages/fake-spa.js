// Stands in for 'auth0-spa-wasm' when vue-scenarios.js is bundled (vue-behaviour.test.mjs): the
// package's real exports, except Auth0Client, which is a recording fake whose methods run the
// implementations in `globalThis.__fake.script` (set by each scenario before it installs the plugin).
export * from 'REAL';

export class Auth0Client {
  constructor(options) {
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
        this[name] = impl; // a sub-client object (mfa, passkey, myAccount)
        continue;
      }
      this[name] = (...args) => {
        fake.calls.push([name, ...args]);
        return impl(...args);
      };
    }
  }
}
