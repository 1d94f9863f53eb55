// The Vue test app (tests/frameworks/README.md): written for @auth0/auth0-vue. The test builds it
// twice with Vite, as it is (on auth0-spa-wasm/vue) and with its import lines changed to
// @auth0/auth0-vue, and runs the same login, renewal and logout on both.
import { createApp } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import { createAuth0, authGuard } from 'auth0-spa-wasm/vue';
import App from './App.vue';
import Home from './Home.vue';
import Profile from './Profile.vue';
import { domain, clientId } from './config.js';

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: Home },
    { path: '/profile', component: Profile, beforeEnter: authGuard }
  ]
});

createApp(App)
  .use(router)
  .use(
    createAuth0({
      domain,
      clientId,
      authorizationParams: { redirect_uri: window.location.origin },
      useRefreshTokens: true,
      cacheLocation: 'localstorage'
    })
  )
  .mount('#app');
