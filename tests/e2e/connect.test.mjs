// End-to-end: connected accounts (`connectAccountWithRedirect` and its callback) and
// `client.myAccount`, in Chromium against the local tenant's My Account API
// (tenant/my-account.mjs). The app logs in, connects an account through the redirect, and the
// callback returns the connected account; errors on the way back; the authentication-method calls.
// SDK under test: E2E_SDK (default 'wasm'; `E2E_SDK=auth0-spa-js` runs the same against the original).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const T = { timeout: 60_000 };
let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** A logged-in test page (fresh context, closed with the test). */
async function loggedIn(t, options = {}) {
  env.resetTenant();
  env.tenant.myAccount.reset();
  const { context, page } = await h.freshPage(env, t, options);
  await h.loginWithRedirect(page, env.pages.url);
  return { context, page };
}

/** Starts a connection with `openUrl` capturing the ticket URL; resolves to it (the page stays). */
function connectUrl(page, options) {
  return page.evaluate(async (o) => {
    let opened;
    await window.__client.connectAccountWithRedirect({ ...o, openUrl: (url) => { opened = url; } });
    return opened;
  }, options);
}

/** Where the connection's consent step sends the browser back to (the tenant answers at once). */
async function callbackOf(ticketUrl) {
  const res = await fetch(ticketUrl, { redirect: 'manual' });
  assert.equal(res.status, 302, `the connect page answers with a redirect (${res.status})`);
  return res.headers.get('location');
}

const myAccountCalls = () => env.tenant.myAccount.requests().map((r) => `${r.method} ${r.path} ${r.status}`);

test(`[${h.SDK}] connectAccountWithRedirect: to the connection and back, the callback returns the connected account with appState`, T, async (t) => {
  const { page } = await loggedIn(t);
  const state = await h.navigateAndWait(page, env.pages.url, () => page.evaluate(() => {
    window.__client.connectAccountWithRedirect({ connection: 'github', scopes: ['repo', 'read:user'], appState: { returnTo: '/settings' } });
  }));
  assert.equal(state.callback.ok, true, JSON.stringify(state.callback));
  const account = state.callback.result;
  assert.equal(account.connection, 'github');
  assert.equal(account.access_type, 'offline');
  assert.deepEqual(account.scopes, ['repo', 'read:user']);
  assert.match(account.id, /^cac_/);
  assert.deepEqual(account.appState, { returnTo: '/settings' });
  assert.equal(account.response_type, 'connect_code');
  assert.deepEqual(myAccountCalls(), ['POST /me/v1/connected-accounts/connect 201', 'POST /me/v1/connected-accounts/complete 201']);
  // The access tokens for the API (audience {domain}/me/) came through silent authorizations: the
  // tenant accepted them for both calls.
  assert.ok(env.tenant.stats().authorize.byPrompt.none >= 2);
  const leftover = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('a0.spajs.txs')));
  assert.deepEqual(leftover, [], 'the transaction is consumed');
  // The session of the login is untouched.
  assert.equal((await page.evaluate(() => window.__client.getUser())).sub, 'auth0|alice');
  const again = await page.evaluate(() => window.__try(() => window.__client.handleRedirectCallback(`${location.origin}/?connect_code=x&state=y`)));
  assert.equal(again.error.error, 'missing_transaction', 'no second completion');
});

test(`[${h.SDK}] the stored transaction and the request to the API are auth0-spa-js's`, T, async (t) => {
  const { page } = await loggedIn(t);
  const url = await connectUrl(page, { connection: 'google-oauth2', appState: 7 });
  assert.match(url, new RegExp(`^${env.tenant.url}/connected-accounts/connect\\?ticket=`));
  const tx = await page.evaluate(() => JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage).find((k) => k.startsWith('a0.spajs.txs')))));
  assert.deepEqual(Object.keys(tx), ['state', 'code_verifier', 'auth_session', 'redirect_uri', 'appState', 'connection', 'response_type']);
  assert.deepEqual([tx.redirect_uri, tx.appState, tx.connection, tx.response_type], [`${env.pages.url}/`, 7, 'google-oauth2', 'connect_code']);
  // Back with the right state: completes (the tenant checks the verifier against the challenge).
  const back = await callbackOf(url);
  const state = await h.navigateAndWait(page, env.pages.url, () => page.goto(back));
  assert.equal(state.callback.ok, true, JSON.stringify(state.callback));
  assert.deepEqual([state.callback.result.connection, state.callback.result.appState, state.callback.result.response_type], ['google-oauth2', 7, 'connect_code']);
});

test(`[${h.SDK}] a refused connection is a ConnectError with its connection, state and appState`, T, async (t) => {
  const { page } = await loggedIn(t);
  const state = await h.navigateAndWait(page, env.pages.url, () => page.evaluate(() => {
    window.__client.connectAccountWithRedirect({ connection: 'refusing-idp', appState: { returnTo: '/x' } });
  }));
  const e = state.callback.error;
  assert.equal(state.callback.ok, false);
  assert.ok(e.classes.includes('ConnectError') && e.classes.includes('GenericError'), JSON.stringify(e));
  assert.equal(e.error, 'access_denied');
  assert.equal(e.error_description, 'The user did not connect the account');
  assert.equal(e.connection, 'refusing-idp');
  assert.deepEqual(e.appState, { returnTo: '/x' });
  assert.equal(typeof e.state, 'string');
  assert.deepEqual(myAccountCalls(), ['POST /me/v1/connected-accounts/connect 201'], 'nothing completed');
});

test(`[${h.SDK}] a tampered state is state_mismatch and completes nothing; the untampered callback then finds no transaction`, T, async (t) => {
  const { page } = await loggedIn(t);
  const back = new URL(await callbackOf(await connectUrl(page, { connection: 'github' })));
  const good = back.href;
  back.searchParams.set('state', `${back.searchParams.get('state')}x`);
  const state = await h.navigateAndWait(page, env.pages.url, () => page.goto(back.href));
  assert.equal(state.callback.ok, false);
  assert.equal(state.callback.error.error, 'state_mismatch');
  const replay = await h.navigateAndWait(page, env.pages.url, () => page.goto(good));
  assert.equal(replay.callback.error.error, 'missing_transaction');
  assert.deepEqual(myAccountCalls(), ['POST /me/v1/connected-accounts/connect 201'], 'no complete request');
});

test(`[${h.SDK}] a connect callback without a transaction is missing_transaction; without a connect code, missing_connect_code`, T, async (t) => {
  const { page } = await loggedIn(t);
  const none = await h.navigateAndWait(page, env.pages.url, () => page.goto(`${env.pages.url}/?connect_code=abc&state=xyz`));
  assert.equal(none.callback.error.error, 'missing_transaction');
  const back = new URL(await callbackOf(await connectUrl(page, { connection: 'github' })));
  const r = await page.evaluate((u) => window.__try(() => window.__client.handleRedirectCallback(u)), `${env.pages.url}/?state=${encodeURIComponent(back.searchParams.get('state'))}`);
  assert.deepEqual([r.error.error, r.error.error_description], ['missing_connect_code', 'Missing connect code']);
});

test(`[${h.SDK}] connectAccountWithRedirect without a connection throws "connection is required" before any request`, T, async (t) => {
  const { page } = await loggedIn(t);
  const r = await page.evaluate(() => window.__try(() => window.__client.connectAccountWithRedirect({})));
  assert.deepEqual([r.ok, r.error.message, r.error.classes], [false, 'connection is required', []]);
  assert.deepEqual(myAccountCalls(), []);
});

for (const useDpop of [false, true]) {
  test(`[${h.SDK}] client.myAccount lists, gets and deletes authentication methods; a 404 is a MyAccountApiError${useDpop ? ' (DPoP)' : ''}`, T, async (t) => {
    const { page } = await loggedIn(t, { useDpop });
    const chunks = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('my-account')));
    if (h.SDK === 'wasm') assert.deepEqual(await chunks(), [], 'the My Account requests module is not loaded at start-up');
    const r = await page.evaluate(async () => {
      const api = window.__client.myAccount;
      const problem = (e) => ({ mine: e instanceof window.__sdk.MyAccountApiError, name: e.name, type: e.type, status: e.status, title: e.title, detail: e.detail, message: e.message });
      const out = { isClient: api instanceof window.__sdk.MyAccountApiClient };
      out.all = (await api.getAuthenticationMethods()).map((m) => m.id);
      out.phones = (await api.getAuthenticationMethods('phone')).map((m) => m.id);
      out.one = await api.getAuthenticationMethod('passkey|dev_pk1');
      out.deleted = await api.deleteAuthenticationMethod('totp|dev_totp1');
      out.after = (await api.getAuthenticationMethods()).map((m) => m.id);
      out.factors = (await api.getFactors()).map((f) => f.type);
      try { await api.getAuthenticationMethod('totp|dev_totp1'); } catch (e) { out.missing = problem(e); }
      try { await api.deleteAuthenticationMethod('totp|dev_totp1'); } catch (e) { out.missingDelete = problem(e); }
      return out;
    });
    assert.equal(r.isClient, true);
    assert.deepEqual(r.all, ['phone|dev_phone1', 'totp|dev_totp1', 'passkey|dev_pk1']);
    assert.deepEqual(r.phones, ['phone|dev_phone1']);
    assert.deepEqual([r.one.id, r.one.type, r.one.name], ['passkey|dev_pk1', 'passkey', 'Laptop']);
    assert.equal(r.deleted, undefined);
    assert.deepEqual(r.after, ['phone|dev_phone1', 'passkey|dev_pk1']);
    assert.deepEqual(r.factors, ['phone', 'totp', 'passkey']);
    const notFound = { mine: true, name: 'MyAccountApiError', type: 'about:blank', status: 404, title: 'Not Found', detail: 'authentication method not found', message: 'authentication method not found' };
    assert.deepEqual(r.missing, notFound);
    assert.deepEqual(r.missingDelete, notFound);
    const calls = myAccountCalls();
    assert.ok(calls.every((c) => !/ 40[13]$/.test(c)), `every call authorised: ${calls}`);
    assert.equal(calls.length, 8);
    if (h.SDK === 'wasm') assert.deepEqual((await chunks()).map((n) => new URL(n).pathname), ['/sdk/my-account-api.js'], 'loaded once, on first use');
    const schemes = [...new Set(env.tenant.myAccount.requests().map((c) => c.scheme))];
    assert.deepEqual(schemes, [useDpop ? 'DPoP' : 'Bearer'], 'DPoP-bound tokens with proofs the tenant verified');
  });
}
