// node --test js/tests/ : js/passkey-api.js, the lazily loaded part of `client.passkey`, against a
// scripted fetch, a fake `navigator.credentials` and a fake host (the wasm client): the challenge
// requests it sends (URL, headers, body), the WebAuthn options it decodes, the credential it
// serialises, the grant arguments it hands to the core, and auth0-spa-js's errors (not supported,
// cancelled, refused challenges, invalid credentials), each before anything further is sent.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../passkey-api.js';
import { PasskeyError, PasskeyRegisterError, PasskeyChallengeError } from '../extras.js';

const ERRORS = { PasskeyError, register: PasskeyRegisterError, challenge: PasskeyChallengeError };
const TELEMETRY = Buffer.from(JSON.stringify({ name: '@auth0/auth0-auth-js', version: '1.16.1' })).toString('base64');
const b64 = (text) => Buffer.from(text).toString('base64url');
const text = (buffer) => Buffer.from(buffer).toString();

class FakeAttestation { constructor(o) { Object.assign(this, o); } }
class FakeAssertion { constructor(o) { Object.assign(this, o); } }
const bytes = (s) => new TextEncoder().encode(s).buffer;

/** A credential as the browser would make it. */
function credential(assertion, userHandle = bytes('user-1')) {
  const response = assertion
    ? new FakeAssertion({ clientDataJSON: bytes('{"type":"webauthn.get"}'), authenticatorData: bytes('ad'), signature: bytes('sig'), userHandle })
    : new FakeAttestation({ clientDataJSON: bytes('{"type":"webauthn.create"}'), attestationObject: bytes('ao') });
  return { id: b64('cred-1'), rawId: bytes('cred-1'), type: 'public-key', authenticatorAttachment: 'platform', response, getClientExtensionResults: () => ({ credProps: { rk: true } }) };
}

let world;
const saved = {};

beforeEach(() => {
  world = { sent: [], runs: [], answer: () => new Response('{}'), ceremony: [], create: () => credential(false), get: () => credential(true) };
  for (const k of ['fetch', 'navigator', 'PublicKeyCredential', 'AuthenticatorAttestationResponse', 'AuthenticatorAssertionResponse']) saved[k] = Object.getOwnPropertyDescriptor(globalThis, k);
  globalThis.fetch = async (url, init) => {
    world.sent.push({ url, method: init.method, headers: init.headers, body: JSON.parse(init.body) });
    return world.answer(url);
  };
  const credentials = {
    create: async (o) => (world.ceremony.push(['create', o]), world.create()),
    get: async (o) => (world.ceremony.push(['get', o]), world.get())
  };
  Object.defineProperty(globalThis, 'navigator', { value: { credentials }, configurable: true, writable: true });
  globalThis.PublicKeyCredential = function PublicKeyCredential() {};
  globalThis.AuthenticatorAttestationResponse = FakeAttestation;
  globalThis.AuthenticatorAssertionResponse = FakeAssertion;
});

afterEach(() => {
  for (const [k, d] of Object.entries(saved)) {
    if (d) Object.defineProperty(globalThis, k, d);
    else delete globalThis[k];
  }
});

/** The host a client lends: its settings, the page's fetch, the grant's answer for op 2 (recorded). */
const host = {
  errors: ERRORS,
  failed: (m) => new Error(m),
  settings: async () => ({ baseUrl: 'https://tenant.example.com', clientId: 'spa-client', timeoutMs: 1000 }),
  fetch: (...a) => globalThis.fetch(...a),
  run: async (op, args) => {
    world.runs.push([op, JSON.parse(JSON.stringify(args))]);
    return { access_token: 'at', token_type: 'Bearer', expires_in: 60 };
  }
};

const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const SIGNUP_KEY = { challenge: b64('signup-challenge'), rp: { id: 'localhost', name: 'T' }, user: { id: b64('user-1'), name: 'a@example.com', displayName: 'A' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], excludeCredentials: [{ type: 'public-key', id: b64('old') }] };
const LOGIN_KEY = { challenge: b64('login-challenge'), rpId: 'localhost', userVerification: 'required' };

test('signup: POST /passkey/register with the profile, then navigator.credentials.create with the decoded options, then the grant with the attestation', async () => {
  world.answer = () => json(200, { auth_session: 'as-1', authn_params_public_key: SIGNUP_KEY });
  const options = { email: 'a@example.com', name: 'A', phoneNumber: '+1', username: '', givenName: 'G', realm: 'Username-Password-Authentication', organization: 'org_1', userMetadata: { plan: 'x' }, scope: 'read:x', audience: 'https://api/' };
  assert.deepEqual(await api.signup(host, options), { access_token: 'at', token_type: 'Bearer', expires_in: 60 });
  assert.equal(world.sent.length, 1);
  const [sent] = world.sent;
  assert.equal(sent.url, 'https://tenant.example.com/passkey/register');
  assert.deepEqual(sent.headers, { 'Content-Type': 'application/json', 'Auth0-Client': TELEMETRY });
  assert.deepEqual(sent.body, {
    client_id: 'spa-client',
    user_profile: { email: 'a@example.com', name: 'A', phone_number: '+1', given_name: 'G' },
    realm: 'Username-Password-Authentication',
    organization: 'org_1',
    user_metadata: { plan: 'x' }
  });
  const [[kind, { publicKey }]] = world.ceremony;
  assert.equal(kind, 'create');
  assert.equal(text(publicKey.challenge), 'signup-challenge');
  assert.equal(text(publicKey.user.id), 'user-1');
  assert.deepEqual([publicKey.user.name, publicKey.rp.id, publicKey.pubKeyCredParams[0].alg], ['a@example.com', 'localhost', -7]);
  assert.equal(text(publicKey.excludeCredentials[0].id), 'old', 'credential ids decoded too');
  assert.deepEqual(world.runs, [[2, {
    authSession: 'as-1',
    credential: { id: b64('cred-1'), rawId: b64('cred-1'), type: 'public-key', authenticatorAttachment: 'platform', response: { clientDataJSON: b64('{"type":"webauthn.create"}'), attestationObject: b64('ao') }, clientExtensionResults: { credProps: { rk: true } } },
    realm: 'Username-Password-Authentication',
    organization: 'org_1',
    scope: 'read:x',
    audience: 'https://api/'
  }]]);
});

test('login: POST /passkey/challenge with realm and organization only, navigator.credentials.get, then the grant with the assertion', async () => {
  world.answer = () => json(200, { auth_session: 'as-2', authn_params_public_key: LOGIN_KEY });
  await api.login(host, { realm: 'r', scope: 's', audience: 'https://api/' });
  assert.deepEqual(world.sent[0].body, { client_id: 'spa-client', realm: 'r' });
  assert.equal(world.sent[0].url, 'https://tenant.example.com/passkey/challenge');
  const [[kind, { publicKey }]] = world.ceremony;
  assert.deepEqual([kind, text(publicKey.challenge), publicKey.rpId, publicKey.userVerification], ['get', 'login-challenge', 'localhost', 'required']);
  const [[op, args]] = world.runs;
  assert.equal(op, 2);
  assert.deepEqual(args.credential.response, { clientDataJSON: b64('{"type":"webauthn.get"}'), authenticatorData: b64('ad'), signature: b64('sig'), userHandle: b64('user-1') });
  assert.deepEqual([args.authSession, args.realm, args.scope, args.audience], ['as-2', 'r', 's', 'https://api/']);
  // No options at all: an empty challenge body; no user handle: none sent.
  world.get = () => credential(true, null);
  await api.login(host);
  assert.deepEqual(world.sent[1].body, { client_id: 'spa-client' });
  assert.equal('userHandle' in world.runs[1][1].credential.response, false);
});

test('without WebAuthn every method is PasskeyError(passkey_not_supported) before any request', async () => {
  for (const missing of ['PublicKeyCredential', 'navigator']) {
    const d = Object.getOwnPropertyDescriptor(globalThis, missing);
    delete globalThis[missing];
    try {
      for (const m of ['signup', 'login', 'getSignupChallenge', 'getLoginChallenge', 'getTokenWithPasskey']) {
        await assert.rejects(api[m](host, { email: 'a@example.com' }), (e) => e instanceof PasskeyError && e.code === 'passkey_not_supported' && e.message === api.NOT_SUPPORTED, `${m} without ${missing}`);
      }
    } finally {
      Object.defineProperty(globalThis, missing, d);
    }
  }
  assert.deepEqual([world.sent, world.runs], [[], []]);
});

test('a ceremony that gives nothing is passkey_cancelled; one that throws (NotAllowedError) passes through as auth0-spa-js lets it; no grant either way', async () => {
  world.answer = (url) => json(200, { auth_session: 'as', authn_params_public_key: url.endsWith('/register') ? SIGNUP_KEY : LOGIN_KEY });
  world.create = () => null;
  world.get = () => null;
  await assert.rejects(api.signup(host, { email: 'a@example.com' }), (e) => e instanceof PasskeyError && e.code === 'passkey_cancelled' && e.message === 'Passkey creation was cancelled or no credential was returned.');
  await assert.rejects(api.login(host), (e) => e instanceof PasskeyError && e.code === 'passkey_cancelled' && e.message === 'Passkey authentication was cancelled or no credential was returned.');
  const refused = new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError');
  world.get = () => { throw refused; };
  await assert.rejects(api.login(host), (e) => e === refused);
  assert.deepEqual(world.runs, []);
});

test('refused challenges: PasskeyRegisterError / PasskeyChallengeError with auth-js\'s message, cause, status, headers (no Set-Cookie) and body', async () => {
  world.answer = () => json(400, { error: 'invalid_request', error_description: 'user exists' }, { 'set-cookie': 'a=b', 'x-trace': 't' });
  await assert.rejects(api.signup(host, { email: 'a@example.com' }), (e) => {
    assert.ok(e instanceof PasskeyRegisterError && !(e instanceof PasskeyError));
    assert.deepEqual([e.code, e.message, e.statusCode, e.body], ['passkey_register_error', 'user exists', 400, '{"error":"invalid_request","error_description":"user exists"}']);
    assert.deepEqual(e.cause, { error: 'invalid_request', error_description: 'user exists', message: undefined });
    assert.deepEqual([e.headers.get('set-cookie'), e.headers.get('x-trace')], [null, 't']);
    return true;
  });
  world.answer = () => json(403, { error: 'access_denied' });
  await assert.rejects(api.getLoginChallenge(host), (e) => e instanceof PasskeyChallengeError && e.code === 'passkey_challenge_error' && e.message === 'Failed to request login challenge' && e.cause.error === 'access_denied');
  world.answer = () => new Response('<html>oops</html>', { status: 502, statusText: 'Bad Gateway' });
  await assert.rejects(api.getSignupChallenge(host, { email: 'a' }), (e) => e instanceof PasskeyRegisterError && e.message === 'HTTP 502 Bad Gateway' && e.cause.error === 'unknown_error' && e.body === '<html>oops</html>');
  assert.deepEqual([world.ceremony, world.runs], [[], []], 'no ceremony, no grant');
});

test('the granular challenges answer { authSession, publicKey } with the options decoded', async () => {
  world.answer = (url) => json(200, { auth_session: 'as-g', authn_params_public_key: url.endsWith('/register') ? SIGNUP_KEY : { ...LOGIN_KEY, allowCredentials: [{ type: 'public-key', id: b64('c1') }] } });
  const s = await api.getSignupChallenge(host, { email: 'a@example.com' });
  assert.deepEqual([s.authSession, text(s.publicKey.challenge), text(s.publicKey.user.id)], ['as-g', 'signup-challenge', 'user-1']);
  const l = await api.getLoginChallenge(host, { organization: 'org_1' });
  assert.deepEqual([l.authSession, text(l.publicKey.challenge), text(l.publicKey.allowCredentials[0].id)], ['as-g', 'login-challenge', 'c1']);
  assert.deepEqual(world.sent[1].body, { client_id: 'spa-client', organization: 'org_1' });
});

test('getTokenWithPasskey tells an attestation from an assertion; anything else is passkey_invalid_credential before any grant', async () => {
  await api.getTokenWithPasskey(host, { authSession: 'a1', credential: credential(false), audience: 'https://api/' });
  await api.getTokenWithPasskey(host, { authSession: 'a2', credential: credential(true), organization: 'org_1' });
  assert.ok('attestationObject' in world.runs[0][1].credential.response);
  assert.ok('signature' in world.runs[1][1].credential.response);
  assert.deepEqual([world.runs[0][1].authSession, world.runs[0][1].audience, world.runs[1][1].organization], ['a1', 'https://api/', 'org_1']);
  for (const bad of [undefined, {}, { response: {} }, { response: { clientDataJSON: bytes('x') } }]) {
    await assert.rejects(api.getTokenWithPasskey(host, { authSession: 'a', credential: bad }), (e) => e instanceof PasskeyError && e.code === 'passkey_invalid_credential');
  }
  assert.equal(world.runs.length, 2);
});

test('base64url: round trips, no padding, URL-safe alphabet; views are read as their own bytes', () => {
  for (const s of ['', 'f', 'fo', 'foo', 'foob', '\u00ff\u00fe?>']) {
    const encoded = api.toBase64url(bytes(s));
    assert.equal(encoded, b64(s));
    assert.equal(text(api.fromBase64url(encoded)), s);
  }
  assert.equal(api.toBase64url(new Uint8Array([0xfb, 0xff, 0x01, 0x02]).subarray(0, 2)), '-_8');
});
