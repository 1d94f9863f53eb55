// End-to-end `client.passkey` (auth0-spa-js 2.28.3's PasskeyApiClient; docs/behaviour.md §1.6) in
// Chromium against the local tenant's emulation of Auth0's passkeys (tenant/passkey.mjs), with
// WebAuthn run for real by Chromium's virtual authenticator (CDP `WebAuthn` domain: CTAP2,
// internal transport, resident keys, user verification): sign-up logs the user in (getUser, a
// cache hit), the same passkey logs in from a fresh browser context, the granular methods, a
// ceremony the user does not complete and refused requests give auth0-spa-js's errors and store
// nothing, a browser without WebAuthn gets `passkey_not_supported`, and js/passkey-api.js is fetched
// only on first use.
// The pages are opened on http://localhost (a WebAuthn RP ID cannot be an IP address).
// auth0-spa-js itself is not run here: its passkey client (@auth0/auth0-auth-js) always prefixes
// `https://` to the domain, so it cannot reach this http:// tenant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { PASSKEY_GRANT } from '../../tenant/passkey.mjs';

const T = { timeout: 90_000, skip: h.SDK !== 'wasm' && 'auth0-spa-js cannot reach an http:// tenant with client.passkey' };
const OPTIONS = { useRefreshTokens: true, cacheLocation: 'localstorage' };
let env;
let base;

before(async () => {
  env = await h.startEnv();
  base = env.pages.url.replace('127.0.0.1', 'localhost');
}, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/**
 * A fresh context and test page on localhost with a virtual authenticator (holding `credentials`,
 * if given); `sdkRequests` lists the SDK files the page fetched.
 */
async function devicePage(t, { credentials = [], options = OPTIONS, initScript } = {}) {
  const context = await h.testContext(env, t, options, initScript);
  const sdkRequests = [];
  context.on('request', (r) => { if (r.url().startsWith(`${base}/sdk/`)) sdkRequests.push(new URL(r.url()).pathname); });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
  await h.openTestPage(page, base);
  return { context, page, cdp, authenticatorId, sdkRequests };
}

/** `client.passkey[method](arg)` in the page: `{ ok, value }` or the error's name, code, classes and message. */
function passkey(page, method, arg) {
  return page.evaluate(async ([m, a]) => {
    try {
      return { ok: true, value: await window.__client.passkey[m](a) };
    } catch (e) {
      return { ok: false, name: e.name, code: e.code, statusCode: e.statusCode, classes: window.__describeError(e).classes, error: e.error, message: e.message, mfa_token: e.mfa_token };
    }
  }, [method, arg]);
}

/** The session as the page sees it: user, isAuthenticated, a cache-only token. */
function session(page) {
  return page.evaluate(async () => ({
    user: await window.__client.getUser(),
    authenticated: await window.__client.isAuthenticated(),
    token: await window.__try(() => window.__client.getTokenSilently({ cacheMode: 'cache-only' })),
  }));
}

const storedKeys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@')));
const passkeyGrants = () => env.tenant.stats().requests.filter((r) => r.path === '/oauth/token' && r.grantType === PASSKEY_GRANT);

/** Signs a new user up in a fresh page; returns the page, its authenticator and the stored credential. */
async function signedUp(t, email) {
  const device = await devicePage(t);
  assert.ok(!device.sdkRequests.includes('/sdk/passkey-api.js'), 'the passkey module is not loaded at start-up');
  // A fetch wrapper installed after the package was imported must see none of its requests.
  await device.page.evaluate(() => {
    const f = window.fetch;
    window.__lateFetch = [];
    window.fetch = (...a) => { window.__lateFetch.push(String((a[0] && a[0].url) || a[0])); return f(...a); };
  });
  const r = await passkey(device.page, 'signup', { email, name: 'Pat Key', realm: 'Username-Password-Authentication' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(await device.page.evaluate(() => window.__lateFetch), [], 'the requests went through the fetch captured at import');
  assert.ok(device.sdkRequests.includes('/sdk/passkey-api.js'), 'loaded on first use');
  const { credentials } = await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId });
  assert.equal(credentials.length, 1, 'one resident credential');
  return { ...device, answer: r.value, credential: credentials[0] };
}

test(`[${h.SDK}] signup: WebAuthn creates a passkey, the grant logs the new user in, tokens served from the cache`, T, async (t) => {
  env.resetTenant();
  const { page, answer, credential } = await signedUp(t, 'pat@example.com');
  assert.equal(answer.token_type, 'Bearer');
  assert.ok(answer.access_token && answer.id_token && !('refresh_token' in answer), 'the refresh token stays in the cache');
  assert.equal(credential.rpId, 'localhost');
  const s = await session(page);
  assert.deepEqual([s.user.email, s.user.name, s.authenticated], ['pat@example.com', 'Pat Key', true]);
  assert.match(s.user.sub, /^auth0\|passkey_/);
  assert.deepEqual(s.token, { ok: true, value: answer.access_token });
  const grants = passkeyGrants();
  assert.equal(grants.length, 1);
  assert.equal(grants[0].contentType, 'json', 'the webauthn grant is always JSON');
  assert.ok((await h.refreshTokensInStorage(page)).length > 0, 'offline_access: a refresh token was stored');
  // A renewal with that refresh token works too (the tenant knows the passkey user).
  const renewed = await h.getToken(page, { cacheMode: 'off' });
  assert.ok(renewed.ok, JSON.stringify(renewed));
  const events = env.tenant.passkeys.state().events;
  assert.deepEqual(events.filter((e) => e.route.startsWith('grant')).map((e) => e.route), ['grant register']);
  const register = events.find((e) => e.route === 'POST /passkey/register');
  assert.deepEqual(register.body.user_profile, { email: 'pat@example.com', name: 'Pat Key' });
  assert.equal(JSON.parse(Buffer.from(register.telemetry, 'base64').toString()).name, '@auth0/auth0-auth-js');
});

test(`[${h.SDK}] login: the passkey made at sign-up logs the same user in from a fresh browser context; the granular methods too`, T, async (t) => {
  env.resetTenant();
  const first = await signedUp(t, 'lee@example.com');
  const sub = (await session(first.page)).user.sub;
  const device = await devicePage(t, { credentials: [first.credential] });
  assert.equal((await session(device.page)).authenticated, false);
  const r = await passkey(device.page, 'login', { scope: 'read:orders' });
  assert.ok(r.ok, JSON.stringify(r));
  const s = await session(device.page);
  assert.deepEqual([s.user.sub, s.user.email, s.authenticated], [sub, 'lee@example.com', true]);
  assert.equal(env.tenant.passkeys.state().events.filter((e) => e.route === 'grant login').length, 1);
  const keys = await storedKeys(device.page);
  assert.ok(keys.some((k) => k.endsWith('::default::openid profile email offline_access read:orders')), `stored under the scope asked for: ${keys}`);

  // Granular: the challenge, the app's own navigator.credentials.get, then getTokenWithPasskey.
  const granular = await device.page.evaluate(async () => {
    const { authSession, publicKey } = await window.__client.passkey.getLoginChallenge();
    const credential = await navigator.credentials.get({ publicKey });
    const tokens = await window.__client.passkey.getTokenWithPasskey({ authSession, credential });
    return { challenge: publicKey.challenge instanceof ArrayBuffer, tokens: Object.keys(tokens).sort(), user: (await window.__client.getUser()).sub };
  });
  assert.deepEqual(granular, { challenge: true, tokens: ['access_token', 'expires_in', 'id_token', 'scope', 'token_type'], user: sub });
});

test(`[${h.SDK}] a ceremony the user does not complete: the browser's NotAllowedError, as auth0-spa-js; no grant, nothing stored`, T, async (t) => {
  env.resetTenant();
  const first = await signedUp(t, 'kim@example.com');
  const device = await devicePage(t, { credentials: [first.credential] });
  await device.cdp.send('WebAuthn.setUserVerified', { authenticatorId: device.authenticatorId, isUserVerified: false });
  const refused = await passkey(device.page, 'login');
  assert.deepEqual([refused.ok, refused.name], [false, 'NotAllowedError'], JSON.stringify(refused));
  // No passkey for this site on the device at all.
  const empty = await devicePage(t);
  const none = await passkey(empty.page, 'login');
  assert.deepEqual([none.ok, none.name], [false, 'NotAllowedError'], JSON.stringify(none));
  for (const page of [device.page, empty.page]) {
    assert.deepEqual(await storedKeys(page), []);
    assert.equal((await session(page)).authenticated, false);
  }
  assert.equal(passkeyGrants().length, 1, 'only the sign-up\'s grant was ever sent');
});

test(`[${h.SDK}] refused requests: PasskeyRegisterError, PasskeyChallengeError, GenericError and MfaRequiredError from the grant; nothing stored`, T, async (t) => {
  env.resetTenant();
  const device = await devicePage(t);
  env.tenant.passkeys.failNext({ route: 'register', status: 400, body: { error: 'invalid_request', error_description: 'The user already exists.' } });
  const register = await passkey(device.page, 'signup', { email: 'x@example.com' });
  assert.deepEqual([register.name, register.code, register.message, register.statusCode], ['PasskeyRegisterError', 'passkey_register_error', 'The user already exists.', 400]);
  assert.ok(register.classes.includes('PasskeyRegisterError') && !register.classes.includes('PasskeyError'), JSON.stringify(register.classes));
  env.tenant.passkeys.failNext({ route: 'challenge', status: 503, body: 'down', contentType: 'text/plain' });
  const challenge = await passkey(device.page, 'login');
  assert.deepEqual([challenge.name, challenge.code, challenge.message], ['PasskeyChallengeError', 'passkey_challenge_error', 'HTTP 503 Service Unavailable']);
  assert.deepEqual((await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId })).credentials, [], 'no ceremony ran');

  env.tenant.addFault({ target: 'token', grantType: PASSKEY_GRANT, count: 1, process: false, status: 400, body: { error: 'invalid_grant', error_description: 'Invalid authn_response' } });
  const grant = await passkey(device.page, 'signup', { email: 'y@example.com' });
  assert.deepEqual([grant.classes.includes('GenericError'), grant.error, grant.message], [true, 'invalid_grant', 'Invalid authn_response'], JSON.stringify(grant));
  const { mfa_token } = env.tenant.requireMfa({ grantType: PASSKEY_GRANT });
  const mfa = await passkey(device.page, 'signup', { email: 'z@example.com' });
  assert.deepEqual([mfa.classes.includes('MfaRequiredError'), mfa.mfa_token], [true, mfa_token], JSON.stringify(mfa));
  assert.deepEqual(await device.page.evaluate((mt) => window.__client.mfa.getEnrollmentFactors(mt).then((f) => f, (e) => e.error), mfa_token), [], 'a context was kept (without one: mfa_context_not_found)');
  assert.deepEqual(await storedKeys(device.page), []);
  assert.equal((await session(device.page)).authenticated, false);
});

test(`[${h.SDK}] a browser without WebAuthn: PasskeyError('passkey_not_supported') before any request`, T, async (t) => {
  env.resetTenant();
  const { page } = await devicePage(t, { initScript: () => { delete window.PublicKeyCredential; } });
  const before = env.tenant.passkeys.state().events.length;
  for (const method of ['signup', 'login', 'getLoginChallenge']) {
    const r = await passkey(page, method, { email: 'n@example.com' });
    assert.deepEqual([r.name, r.code, r.message, r.classes.includes('PasskeyError')], ['PasskeyError', 'passkey_not_supported', 'WebAuthn is not supported in this browser.', true], method);
  }
  assert.equal(env.tenant.passkeys.state().events.length, before, 'no request reached the tenant');
});
