// node --test js/tests/ : the exports of js/extras.js (the MFA, passkey, My Account and
// anonymous-session error classes, isFederatedDomain) behave like @auth0/auth0-spa-js 2.28.3's,
// checked side by side against the real package (a devDependency): same fields, messages, names,
// `error`/`code` values and the same answers to every `instanceof` question among the exported
// classes; isFederatedDomain sends the same request and gives the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ours from '../extras.js';
import { GenericError } from '../errors.js';

const spa = await import('@auth0/auth0-spa-js');

/** Own enumerable fields plus the inherited ones that matter, as plain data. */
function shape(e) {
  const out = { message: e.message, name: e.name };
  for (const k of Object.keys(e)) out[k] = e[k];
  for (const k of ['error', 'error_description', 'code', 'cause', 'statusCode', 'headers', 'body']) {
    if (k in e) out[k] = e[k];
  }
  return out;
}

const cause = { error: 'invalid_request', error_description: 'bad', message: 'm', statusCode: 400, body: '{}', mfa_token: 't', mfa_requirements: { challenge: [{ type: 'otp' }] }, extra: 'dropped' };
const CASES = {
  MfaError: ['mfa_error', 'MFA failed'],
  MfaListAuthenticatorsError: ['invalid_request', 'MFA context not found for this MFA token'],
  MfaEnrollmentError: ['enroll_failed', 'x'],
  MfaChallengeError: ['challenge_failed', 'y'],
  MfaVerifyError: ['mfa_context_not_found', 'z'],
  MfaEnrollmentFactorsError: ['mfa_context_not_found', 'w'],
  PasskeyError: ['passkey_not_supported', 'WebAuthn is not supported in this browser.', { error: 'e', error_description: 'd' }],
  PasskeyRegisterError: ['Failed to request signup challenge', cause],
  PasskeyChallengeError: ['Failed to request login challenge', cause],
  PasskeyGetTokenError: ['Failed to exchange passkey credential for tokens.', cause],
  MyAccountApiError: [{ type: 'https://x/problem', status: 422, title: 'Invalid', detail: 'name is too long', validation_errors: [{ detail: 'too long', field: 'name' }] }],
  AnonymousSessionError: ['server_error', 'access_token missing or invalid in anonymous token response', cause],
};

test('js/extras.js exports the twelve names auth0-angular re-exports beyond ours, and AnonymousSessionError', () => {
  for (const name of Object.keys(CASES)) assert.equal(typeof ours[name], 'function', name);
  assert.equal(typeof ours.isFederatedDomain, 'function');
});

for (const [name, args] of Object.entries(CASES)) {
  test(`${name}: the same fields, message and name as auth0-spa-js's`, () => {
    const a = new ours[name](...args);
    const b = new spa[name](...args);
    assert.deepEqual(shape(a), shape(b));
    assert.ok(a instanceof Error);
    assert.ok(a instanceof ours[name]);
    assert.ok(typeof a.stack === 'string');
  });
}

test('every instanceof answer among the exported classes is the same as in auth0-spa-js (PasskeyRegisterError is not a PasskeyError there either)', () => {
  const classes = [...Object.keys(CASES), 'GenericError'];
  const mine = { ...ours, GenericError };
  for (const made of Object.keys(CASES)) {
    const a = new ours[made](...CASES[made]);
    const b = new spa[made](...CASES[made]);
    for (const cls of classes) {
      assert.equal(a instanceof mine[cls], b instanceof spa[cls], `${made} instanceof ${cls}`);
    }
  }
  assert.equal(new ours.PasskeyRegisterError('m') instanceof ours.PasskeyError, false);
  assert.equal(new ours.MfaVerifyError('a', 'b') instanceof GenericError, true);
});

test('MfaError.fromPayload builds an MfaError as auth0-spa-js does', () => {
  const a = ours.MfaError.fromPayload({ error: 'e', error_description: 'd' });
  const b = spa.MfaError.fromPayload({ error: 'e', error_description: 'd' });
  assert.ok(a instanceof ours.MfaError);
  assert.deepEqual(shape(a), shape(b));
});

/** A fetch that records its calls and answers with `status`. */
function recorder(status) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), headers: Object.fromEntries(new Headers(init && init.headers)) });
    return new Response(null, { status });
  };
  return { calls, fetch };
}

let n = 0;
/** A fresh tenant name per check: both SDKs remember answers per tenant and email domain. */
const tenant = () => `https://Tenant${++n}.Example.auth0.com`;

test('isFederatedDomain sends the same WebFinger request as auth0-spa-js, telemetry header included', async () => {
  const t = tenant();
  const a = recorder(200);
  const b = recorder(200);
  assert.equal(await ours.isFederatedDomain(t, 'Corp.Example', { customFetch: a.fetch }), true);
  assert.equal(await spa.isFederatedDomain(t, 'Corp.Example', { customFetch: b.fetch }), true);
  assert.deepEqual(a.calls, b.calls);
  assert.equal(a.calls.length, 1);
  assert.match(a.calls[0].url, /^https:\/\/tenant\d+\.example\.auth0\.com\/\.well-known\/webfinger\?resource=urn%3Aauth0%3Adiscovery%3Adomain%3Acorp\.example&rel=/);
  assert.deepEqual(JSON.parse(atob(a.calls[0].headers['auth0-client'])), { name: 'auth0-spa-js', version: '2.28.3' });
});

test('isFederatedDomain: custom telemetry, or none', async () => {
  for (const telemetry of [{ name: 'my-app', version: '1.2.3' }, { enabled: false }]) {
    const t = tenant();
    const a = recorder(404);
    const b = recorder(404);
    assert.equal(await ours.isFederatedDomain(t, 'x.test', { customFetch: a.fetch, telemetry }), false);
    assert.equal(await spa.isFederatedDomain(t, 'x.test', { customFetch: b.fetch, telemetry }), false);
    assert.deepEqual(a.calls, b.calls);
  }
});

test('isFederatedDomain: a yes and a 404 are remembered, other answers and failures are not, nothing rejects', async () => {
  for (const [status, want, remembered] of [[200, true, true], [204, true, true], [404, false, true], [500, false, false], [429, false, false]]) {
    const t = tenant();
    const a = recorder(status);
    const warn = console.warn;
    console.warn = () => {};
    try {
      assert.equal(await ours.isFederatedDomain(t, 'x.test', { customFetch: a.fetch }), want, `status ${status}`);
      assert.equal(await ours.isFederatedDomain(t, 'X.TEST', { customFetch: a.fetch }), want, `status ${status}, again`);
    } finally {
      console.warn = warn;
    }
    assert.equal(a.calls.length, remembered ? 1 : 2, `status ${status}: requests`);
  }
  const failing = async () => { throw new TypeError('Failed to fetch'); };
  assert.equal(await ours.isFederatedDomain(tenant(), 'x.test', { customFetch: failing }), false);
  assert.equal(await ours.isFederatedDomain(tenant(), 'x.test', { customFetch: () => { throw new Error('sync'); } }), false);
});
