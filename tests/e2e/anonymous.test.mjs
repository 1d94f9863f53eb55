// End-to-end: anonymous sessions (`client.anonymous`, auth0-spa-js 2.27/2.28) in Chromium against
// the local tenant's /anonymous/* endpoints (tenant/anonymous.mjs): a session and its tokens
// (cached, per audience and scope, renewed near expiry), where it is kept (localStorage across a
// reload, or memory), logout at the tenant and here, checkSession with
// createAnonymousSessionOnFailedSilentAuth, anon_transfer_token on a login, the tenant's errors,
// and garbage in the storage keys. auth0-spa-js itself sends these requests to https://{domain}
// whatever the domain's scheme, so they cannot reach the local tenant: this file is wasm-only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const T = { timeout: 60_000, skip: h.SDK !== 'wasm' && 'auth0-spa-js sends anonymous-session requests to https://{domain}' };
let env;

before(async () => { if (!T.skip) env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** A fresh test page with these client options; the tenant's anonymous sessions reset. */
async function fresh(t, options = {}) {
  env.resetTenant();
  env.tenant.anonymous.reset();
  return h.freshPage(env, t, options);
}

/** `client.anonymous[method](...args)` in the page as `{ ok, value | error }`. */
const anon = (page, method, ...args) => page.evaluate(([m, a]) => window.__try(() => window.__client.anonymous[m](...a)), [method, args]);

/** The page's anonymous-session storage: { key suffix after `::anonymous::`: raw text }. */
const stored = (page) => page.evaluate(() => Object.fromEntries(Object.keys(localStorage)
  .filter((k) => k.includes('::anonymous::')).map((k) => [k.slice(k.indexOf('::anonymous::') + 13), localStorage.getItem(k)])));

const events = (type) => env.tenant.anonymous.events().filter((e) => !type || e.type === type);
const subOf = (accessToken) => env.tenant.anonymous.verify(accessToken).sub;

test(`[${h.SDK}] createSession, then tokens: cached, one slot per audience and scope, renewed within 60 s of expiry, one identity`, T, async (t) => {
  const { page } = await fresh(t);
  const created = await anon(page, 'createSession', { audience: 'https://api.a' });
  assert.equal(created.ok, true, JSON.stringify(created));
  const s = created.value;
  assert.deepEqual(Object.keys(s).filter((k) => s[k] !== undefined).sort(), ['accessToken', 'expiresAt', 'sessionToken', 'sessionTokenExpiresAt']);
  const sub = subOf(s.accessToken);
  assert.match(sub, /^anon@/);
  const keys = await stored(page);
  assert.deepEqual(Object.keys(keys).sort(), ['["https://api.a",""]', 'session']);
  assert.deepEqual(JSON.parse(keys.session), { sessionToken: s.sessionToken, sessionTokenExpiresAt: s.sessionTokenExpiresAt });

  const cached = await anon(page, 'getTokenSilently', { audience: 'https://api.a' });
  assert.deepEqual(cached.value, { accessToken: s.accessToken, expiresAt: s.expiresAt });
  assert.equal(events('renew').length, 0, 'served from storage');

  const other = await anon(page, 'getTokenSilently', { audience: 'https://api.b', scope: 'read:b' });
  assert.equal(other.value.scope, 'read:b');
  assert.equal(subOf(other.value.accessToken), sub);
  assert.deepEqual(events('renew').map((e) => [e.audience, e.scope]), [['https://api.b', 'read:b']]);

  // Within the 60 s leeway: renewed with the session token, same identity, new slot.
  await page.evaluate(() => {
    const k = Object.keys(localStorage).find((x) => x.endsWith('::anonymous::["https://api.a",""]'));
    localStorage.setItem(k, JSON.stringify({ ...JSON.parse(localStorage.getItem(k)), expiresAt: Math.floor(Date.now() / 1000) + 59 }));
  });
  const renewed = await anon(page, 'getTokenSilently', { audience: 'https://api.a' });
  assert.notEqual(renewed.value.accessToken, s.accessToken);
  assert.equal(subOf(renewed.value.accessToken), sub);
  assert.equal(events('renew').length, 2);
  assert.equal(events('create').length, 1);

  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), true);
  assert.equal(await page.evaluate(() => window.__client.anonymous.getClaims()), null);
  assert.equal(await page.evaluate(() => window.__client.anonymous instanceof window.__sdk.AnonymousSessionApiClient), true);
  // localStorage mode: the session survives a reload.
  await h.openTestPage(page, env.pages.url);
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), true);
  const after = await anon(page, 'getTokenSilently', { audience: 'https://api.a' });
  assert.equal(after.value.accessToken, renewed.value.accessToken);
});

test(`[${h.SDK}] memory mode: nothing in localStorage, and the session ends with the page`, T, async (t) => {
  const { page } = await fresh(t, { anonymousSessionsCacheMode: 'memory' });
  assert.equal((await anon(page, 'getTokenSilently')).ok, true, 'no session yet: getTokenSilently starts one');
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), true);
  assert.deepEqual(await stored(page), {});
  assert.equal(events('create').length, 1);
  await h.openTestPage(page, env.pages.url);
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), false);
});

test(`[${h.SDK}] logout ends the session at the tenant (its cookie) and removes every key; a wrong cache mode is named`, T, async (t) => {
  const { page, context } = await fresh(t);
  const s = (await anon(page, 'createSession')).value;
  await anon(page, 'getTokenSilently', { audience: 'https://api.b' });
  assert.ok((await context.cookies()).some((c) => c.name === 'auth0_anon'));
  assert.equal(env.tenant.anonymous.liveSessions(), 1);
  const out = await anon(page, 'logout');
  assert.equal(out.ok, true, JSON.stringify(out));
  assert.deepEqual(await stored(page), {});
  assert.equal(env.tenant.anonymous.liveSessions(), 0, 'the tenant found the session by its cookie');
  assert.deepEqual(events('logout').map((e) => e.sub), [subOf(s.accessToken)]);
  assert.ok(!(await context.cookies()).some((c) => c.name === 'auth0_anon' && c.value));
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), false);

  const bad = await page.evaluate(async () => {
    const c = new window.__sdk.Auth0Client({ ...window.__clientOptions(), anonymousSessionsCacheMode: 'localstorage' });
    return window.__try(() => c.anonymous.createSession());
  });
  assert.deepEqual([bad.error.classes.includes('InvalidConfigurationError'), /anonymousSessionsCacheMode/.test(bad.error.error_description)], [true, true]);
});

test(`[${h.SDK}] checkSession with createAnonymousSessionOnFailedSilentAuth: a session when logged out (no cookie, or login_required), none when the option is off, one only`, T, async (t) => {
  const { page } = await fresh(t, { createAnonymousSessionOnFailedSilentAuth: true });
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), true, 'createAuth0Client ran checkSession');
  assert.deepEqual(events().map((e) => [e.type, e.audience]), [['create', undefined]]);
  await h.openTestPage(page, env.pages.url);
  assert.equal(events('create').length, 1, 'a stored session is kept');

  // The hint cookie without a session at the tenant: the iframe answers login_required.
  const second = await fresh(t, { createAnonymousSessionOnFailedSilentAuth: true, cacheLocation: 'localstorage' });
  await second.context.addCookies([{ name: `auth0.${env.tenant.clientId}.is.authenticated`, value: 'true', url: env.pages.url }]);
  await second.page.evaluate(() => localStorage.clear());
  env.tenant.anonymous.reset();
  await second.page.evaluate(() => window.__client.checkSession());
  assert.ok(env.tenant.stats().authorize.byPrompt.none >= 1, 'the silent authorization ran');
  assert.equal(events('create').length, 1);

  const off = await fresh(t, {});
  assert.equal(await off.page.evaluate(() => window.__client.anonymous.hasSession()), false);
  assert.deepEqual(events(), []);
  // A real session: checkSession renews it and starts no anonymous one.
  const real = await fresh(t, { createAnonymousSessionOnFailedSilentAuth: true });
  await h.loginWithRedirect(real.page, env.pages.url);
  // (the callback page's own checkSession, before the login was handled, started one: drop it)
  await real.page.evaluate(() => { for (const k of Object.keys(localStorage)) if (k.includes('::anonymous::')) localStorage.removeItem(k); });
  env.tenant.anonymous.reset();
  await real.page.evaluate(() => window.__client.checkSession({ cacheMode: 'off' }));
  assert.deepEqual(events(), []);
});

test(`[${h.SDK}] a login carries anon_transfer_token while a session exists; the tenant takes it once; no session, no parameter and no module loaded`, T, async (t) => {
  const { page } = await fresh(t);
  const chunks = [];
  page.on('request', (r) => { if (r.url().includes('anonymous-api')) chunks.push(r.url()); });
  const plain = await page.evaluate(async () => { let u; await window.__client.loginWithRedirect({ openUrl: (x) => { u = x; } }); return u; });
  assert.equal(new URL(plain).searchParams.has('anon_transfer_token'), false);
  assert.deepEqual(chunks, [], 'no anonymous-session module without a session');
  const s = (await anon(page, 'createSession')).value;
  const state = await h.loginWithRedirect(page, env.pages.url, { authorizationParams: { anon_transfer_token: 'the-app-s' } });
  assert.equal(state.callback.ok, true);
  const authorize = env.tenant.stats().requests.filter((r) => r.path === '/authorize' && r.anonTransfer !== undefined);
  assert.deepEqual(authorize.map((r) => r.anonTransfer), [true], 'a live transfer token, minted for this login');
  assert.deepEqual(events().filter((e) => e.type === 'transfer' || e.type === 'authorize').map((e) => [e.type, e.sub]), [['transfer', subOf(s.accessToken)], ['authorize', subOf(s.accessToken)]]);
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), true, 'the session stays until the app ends it');
  assert.ok(chunks.length >= 1);
});

test(`[${h.SDK}] two tabs at once: one session for their first calls, one request for an expired token (the lock anonymous::{clientId} and the write marks), the same token in both`, T, async (t) => {
  const { page, context } = await fresh(t);
  const other = await context.newPage();
  await h.openTestPage(other, env.pages.url);
  const first = (p) => p.evaluate(() => window.__client.anonymous.getTokenSilently({ audience: 'https://api.a' }));
  const [x, y] = await Promise.all([first(page), first(other)]);
  assert.equal(x.accessToken, y.accessToken);
  assert.deepEqual([events('create').length, events('renew').length], [1, 0], 'one identity');
  const nearExpiry = await page.evaluate(() => {
    const k = Object.keys(localStorage).find((x) => x.endsWith('::anonymous::["https://api.a",""]'));
    const text = JSON.stringify({ ...JSON.parse(localStorage.getItem(k)), expiresAt: Math.floor(Date.now() / 1000) + 10 });
    localStorage.setItem(k, text);
    return [k, text];
  });
  // The other tab sees that write a moment later (Chromium runs tabs in separate processes);
  // until then it would answer from the still-fresh entry, without a renewal to share.
  await h.pollPage(other, ([k, text]) => localStorage.getItem(k) === text, nearExpiry);
  const call = (p) => p.evaluate(() => window.__client.anonymous.getTokenSilently({ audience: 'https://api.a' }));
  const [a, b] = await Promise.all([call(page), call(other)]);
  assert.equal(a.accessToken, b.accessToken);
  assert.notEqual(a.accessToken, x.accessToken);
  assert.equal(events('renew').length, 1);
});

test(`[${h.SDK}] a popup login opened from a click carries anon_transfer_token too`, T, async (t) => {
  const { page } = await fresh(t);
  await anon(page, 'createSession');
  await page.click('#popup-login');
  const result = await h.pollPage(page, () => window.__state.popup);
  assert.deepEqual(result, { ok: true });
  assert.equal((await page.evaluate(() => window.__client.getUser())).sub, 'auth0|alice');
  const authorize = env.tenant.stats().requests.filter((r) => r.path === '/authorize' && r.responseMode === 'web_message');
  assert.deepEqual(authorize.map((r) => r.anonTransfer), [true]);
});

test(`[${h.SDK}] the tenant's errors are AnonymousSessionErrors with its codes; an expired session is removed, marked, and stays expired until createSession`, T, async (t) => {
  const { page } = await fresh(t);
  env.tenant.anonymous.fail({ status: 403, body: { error: 'feature_not_enabled', error_description: 'Anonymous sessions are off' } });
  const off = await anon(page, 'createSession');
  assert.deepEqual([off.error.classes, off.error.code, off.error.message], [['AnonymousSessionError'], 'feature_not_enabled', 'Anonymous sessions are off']);
  env.tenant.anonymous.fail({ status: 502, body: '<html>bad gateway</html>', contentType: 'html' });
  const gateway = await anon(page, 'createSession');
  assert.deepEqual([gateway.error.code, gateway.error.message], ['server_error', 'Request failed with status 502']);
  assert.deepEqual(await stored(page), {}, 'nothing stored');

  await anon(page, 'createSession', { audience: 'https://api.a' });
  env.tenant.anonymous.expireAll();
  const expired = await anon(page, 'getTokenSilently', { audience: 'https://api.b' });
  assert.deepEqual([expired.error.classes, expired.error.code], [['AnonymousSessionError'], 'session_expired']);
  assert.deepEqual(await stored(page), { session_expired: 'true' });
  const requests = events().length;
  const again = await anon(page, 'getTokenSilently', { audience: 'https://api.b' });
  assert.equal(again.error.code, 'session_expired');
  assert.equal(again.error.message, 'The anonymous session has expired. Call createSession() to start a new one.');
  assert.equal(events().length, requests, 'no request once marked');
  assert.equal((await anon(page, 'createSession')).ok, true);
  assert.equal((await anon(page, 'getTokenSilently', { audience: 'https://api.b' })).ok, true, 'a new session clears the mark');
});

test(`[${h.SDK}] garbage in the anonymous keys: no session (a fresh one is started), a slot renewed; the real session is untouched; one session for concurrent first calls`, T, async (t) => {
  const { page } = await fresh(t, { cacheLocation: 'localstorage' });
  await h.loginWithRedirect(page, env.pages.url);
  const user = await page.evaluate(() => window.__client.getUser());
  const realKeys = (await h.readCache(page)).map((e) => e.key).sort();
  await page.evaluate((id) => {
    localStorage.setItem(`@@auth0spajs@@::${id}::anonymous::session`, '{not json');
    localStorage.setItem(`@@auth0spajs@@::${id}::anonymous::["",""]`, JSON.stringify({ accessToken: 7 }));
  }, env.tenant.clientId);
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), false);
  const token = await anon(page, 'getTokenSilently');
  assert.equal(token.ok, true, JSON.stringify(token));
  assert.equal(events('create').length, 1, 'a fresh session replaced the garbage');
  assert.equal(JSON.parse((await stored(page)).session).sessionToken.length > 10, true);
  await page.evaluate((id) => localStorage.setItem(`@@auth0spajs@@::${id}::anonymous::session`, JSON.stringify({ sessionToken: ['x'] })), env.tenant.clientId);
  assert.equal(await page.evaluate(() => window.__client.anonymous.hasSession()), false);
  // The real session: same keys besides the anonymous ones, same user, tokens still served.
  assert.deepEqual((await h.readCache(page)).map((e) => e.key).filter((k) => !k.includes('::anonymous::')).sort(), realKeys);
  assert.deepEqual(await page.evaluate(() => window.__client.getUser()), user);
  assert.equal((await h.getToken(page)).ok, true);

  // Two first calls at once in a fresh page: the lock makes one session.
  const second = await fresh(t);
  const both = await second.page.evaluate(() => Promise.all([window.__client.anonymous.getTokenSilently(), window.__client.anonymous.getTokenSilently()]));
  assert.equal(both[0].accessToken, both[1].accessToken);
  assert.equal(events('create').length, 1);
});
