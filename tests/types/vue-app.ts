// A TypeScript Vue 3 app written the way an @auth0/auth0-vue 2.x user writes it, with its imports
// switched to this package. Type-checked against auth0-spa-wasm/vue's declarations
// (tsconfig.vue.json) and, with the same import lines resolved to the real @auth0/auth0-vue
// (tsconfig.vue.official.json), against theirs. Nothing here runs; `tsc --noEmit` only.
import { createApp, defineComponent, h, watchEffect } from 'vue';
import { createRouter, createWebHistory, type RouteLocation } from 'vue-router';
import {
  AUTH0_INJECTION_KEY,
  Auth0Plugin,
  InMemoryCache,
  InvalidConfigurationError,
  MfaRequiredError,
  authGuard,
  createAuth0,
  createAuthGuard,
  isFederatedDomain,
  useAuth0
} from 'auth0-spa-wasm/vue';
import type {
  AppState,
  Auth0PluginOptions,
  Auth0VueClient,
  Auth0VueClientOptions,
  GetTokenSilentlyOptions,
  IdToken,
  LogoutOptions,
  RedirectLoginOptions
} from 'auth0-spa-wasm/vue';

// Composition API.
const Profile = defineComponent({
  setup() {
    const { user, isAuthenticated, isLoading, idTokenClaims, error, getAccessTokenSilently, loginWithRedirect, logout } =
      useAuth0();
    const options: GetTokenSilentlyOptions = { authorizationParams: { audience: 'https://api.example.com' } };
    const load = async () => {
      try {
        const token: string | undefined = await getAccessTokenSilently(options);
        const detailed = await getAccessTokenSilently({ detailedResponse: true });
        const claims: IdToken | undefined = idTokenClaims.value;
        console.log(token, detailed?.id_token, claims?.__raw);
      } catch (e) {
        if (e instanceof MfaRequiredError) console.log(e.mfa_token);
      }
    };
    const login = () => {
      const o: RedirectLoginOptions<AppState> = { appState: { target: '/profile' }, authorizationParams: { prompt: 'login' } };
      return loginWithRedirect(o);
    };
    const signOut = () => {
      const o: LogoutOptions = { logoutParams: { returnTo: window.location.origin } };
      return logout(o);
    };
    watchEffect(() => {
      if (!isLoading.value && error.value) console.error(error.value);
    });
    return () =>
      h('div', [
        h('p', isAuthenticated.value ? user.value?.name : 'signed out'),
        h('button', { onClick: load }, 'load'),
        h('button', { onClick: login }, 'log in'),
        h('button', { onClick: signOut }, 'log out')
      ]);
  }
});

// Options API: the $auth0 global property.
const Options = defineComponent({
  methods: {
    login() {
      this.$auth0.loginWithRedirect();
    }
  },
  computed: {
    name(): string | undefined {
      return this.$auth0.user.value?.name;
    }
  },
  render() {
    return h('button', { onClick: this.login }, this.name);
  }
});

const guardWithOptions = createAuthGuard({ redirectLoginOptions: { authorizationParams: { screen_hint: 'signup' } } });

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: Options },
    { path: '/profile', component: Profile, beforeEnter: authGuard },
    { path: '/signup', component: Profile, beforeEnter: guardWithOptions }
  ]
});

const clientOptions: Auth0VueClientOptions = {
  domain: 'tenant.eu.auth0.com',
  clientId: 'abc123',
  authorizationParams: { redirect_uri: window.location.origin, audience: 'https://api.example.com' },
  cache: new InMemoryCache().enclosedCache,
  useRefreshTokens: true
};
const pluginOptions: Auth0PluginOptions = { skipRedirectCallback: false, errorPath: '/error' };
const plugin: Auth0Plugin = createAuth0(clientOptions, pluginOptions);

const app = createApp(Options);
app.use(router).use(plugin);
const appGuard: (to: RouteLocation) => Promise<boolean> = createAuthGuard(app);
const injected: Auth0VueClient | undefined = app.runWithContext(() => useAuth0());
app.provide(AUTH0_INJECTION_KEY, plugin);
app.mount('#app');

export async function extras(): Promise<void> {
  const federated: boolean = await isFederatedDomain('tenant.eu.auth0.com', 'corp.example');
  const err = new InvalidConfigurationError('bad', 'fix it');
  console.log(federated, err.suggestion, appGuard, injected);
}
