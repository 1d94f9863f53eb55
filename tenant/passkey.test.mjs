// node --test tenant/ : the tenant's emulation of Auth0's passkeys (tenant/passkey.mjs) over HTTP,
// with a software authenticator written here (P-256 keys, CBOR attestation objects, signed
// assertions as WebAuthn §6 lays them out): sign-up and login through /passkey/register,
// /passkey/challenge and the webauthn grant (a JSON body, as auth0-spa-js sends it), and every
// check the grant makes refusing a credential that fails it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTenant } from './server.mjs';
import { PASSKEY_GRANT } from './passkey.mjs';
import { cborDecode } from './webauthn.mjs';

let t;
let origin;
before(async () => { t = await startTenant({ port: 0, spa: 'http://localhost:3999' }); origin = 'http://localhost:3999'; });
after(async () => { await t.stop(); });

const b64 = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/** Minimal CBOR encoder (unsigned and negative ints, bytes, text, maps) for attestation objects. */
function cbor(value) {
  const head = (major, n) => (n < 24 ? Buffer.from([(major << 5) | n]) : n < 256 ? Buffer.from([(major << 5) | 24, n]) : Buffer.from([(major << 5) | 25, n >> 8, n & 255]));
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

/** A software authenticator: one resident P-256 credential per `create`, signing assertions. */
function authenticator() {
  const creds = [];
  const authData = (rpId, flags, count, attested = Buffer.alloc(0)) => {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(count);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), c, attested]);
  };
  return {
    creds,
    create(options, { type = 'webauthn.create', from = origin, flags = 0x45, challenge = options.challenge } = {}) {
      const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const id = crypto.randomBytes(16);
      const cose = new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]);
      const len = Buffer.from([0, id.length]);
      const data = authData(options.rp.id, flags, 0, Buffer.concat([Buffer.alloc(16), len, id, cbor(cose)]));
      creds.push({ id, privateKey, userHandle: options.user.id, count: 0 });
      return {
        id: b64(id), rawId: b64(id), type: 'public-key', authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64(JSON.stringify({ type, challenge, origin: from })), attestationObject: b64(cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', data]]))) },
        clientExtensionResults: {},
      };
    },
    get(options, { cred = creds[0], type = 'webauthn.get', from = origin, flags = 0x05, challenge = options.challenge, count = cred.count + 1, tamper = false } = {}) {
      cred.count = count;
      const data = authData(options.rpId, flags, count);
      const clientDataJSON = Buffer.from(JSON.stringify({ type, challenge, origin: from }));
      let signature = crypto.sign('sha256', Buffer.concat([data, sha256(clientDataJSON)]), cred.privateKey);
      if (tamper) signature = crypto.sign('sha256', Buffer.from('something else'), cred.privateKey);
      return {
        id: b64(cred.id), rawId: b64(cred.id), type: 'public-key', authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64(clientDataJSON), authenticatorData: b64(data), signature: b64(signature), userHandle: cred.userHandle },
        clientExtensionResults: {},
      };
    },
  };
}

async function post(path, body, headers = { origin }) {
  const r = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ client_id: t.clientId, ...body }) });
  return { status: r.status, body: await r.json() };
}
const grant = (authSession, credential, extra = {}) => post('/oauth/token', { grant_type: PASSKEY_GRANT, auth_session: authSession, authn_response: credential, scope: 'openid profile email offline_access', ...extra });
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

test('sign-up then login: a real credential is registered, then its signature logs the same user in', async () => {
  const device = authenticator();
  const reg = await post('/passkey/register', { user_profile: { email: 'new@example.com', name: 'New' }, realm: 'Username-Password-Authentication' });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  const key = reg.body.authn_params_public_key;
  assert.deepEqual([key.rp.id, key.user.name, key.user.displayName, key.authenticatorSelection.userVerification], ['localhost', 'new@example.com', 'New', 'required']);
  const signedUp = await grant(reg.body.auth_session, device.create(key));
  assert.equal(signedUp.status, 200, JSON.stringify(signedUp.body));
  const user = claims(signedUp.body.id_token);
  assert.match(user.sub, /^auth0\|passkey_/);
  assert.deepEqual([user.email, user.name, user.aud], ['new@example.com', 'New', t.clientId]);
  assert.ok(signedUp.body.refresh_token, 'offline_access gives a refresh token');

  const ch = await post('/passkey/challenge', {});
  assert.equal(ch.status, 200);
  assert.deepEqual(Object.keys(ch.body.authn_params_public_key).sort(), ['challenge', 'rpId', 'timeout', 'userVerification']);
  const loggedIn = await grant(ch.body.auth_session, device.get(ch.body.authn_params_public_key), { organization: 'org_1' });
  assert.equal(loggedIn.status, 200, JSON.stringify(loggedIn.body));
  assert.equal(claims(loggedIn.body.id_token).sub, user.sub);
  // The refresh token of a passkey user renews (oidc-provider finds the account).
  const renewed = await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: loggedIn.body.refresh_token });
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  // The same identifier cannot sign up twice; nor can the test user's.
  for (const email of ['new@example.com', t.user.email]) {
    const again = await post('/passkey/register', { user_profile: { email } });
    assert.deepEqual([again.status, again.body.error], [400, 'invalid_request']);
  }
  assert.ok(t.passkeys.state().events.some((e) => e.route === 'POST /passkey/register'));
});

test('the grant refuses a credential that fails any check, and spends the auth_session either way', async () => {
  const device = authenticator();
  const reg = await post('/passkey/register', { user_profile: { username: `u${crypto.randomInt(1e9)}` } });
  const key = reg.body.authn_params_public_key;
  const refusals = [
    [{ type: 'webauthn.get' }, 'type'],
    [{ from: 'http://localhost:4000' }, 'origin'],
    [{ challenge: b64('another') }, 'challenge'],
    [{ flags: 0x41 }, 'user not verified'],
  ];
  for (const [bad, why] of refusals) {
    const r = await post('/passkey/register', { user_profile: { username: `u${crypto.randomInt(1e9)}` } });
    const refused = await grant(r.body.auth_session, device.create(r.body.authn_params_public_key, bad));
    assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant'], why);
  }
  const registered = device.create(key);
  const cred = device.creds.at(-1);
  const ok = await grant(reg.body.auth_session, registered);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const reused = await grant(reg.body.auth_session, registered);
  assert.deepEqual([reused.status, reused.body.error_description], [400, 'Invalid or expired auth_session'], 'single use');

  const login = async (options) => {
    const ch = await post('/passkey/challenge', {});
    return grant(ch.body.auth_session, device.get(ch.body.authn_params_public_key, { cred, ...options }));
  };
  assert.equal((await login({})).status, 200, 'the registered key logs in (sign count 1)');
  const loginRefusals = [
    [{ tamper: true }, 'signature'],
    [{ from: 'http://127.0.0.1:3999' }, 'origin'],
    [{ type: 'webauthn.create' }, 'type'],
    [{ flags: 0x01 }, 'user not verified'],
    [{ count: 1 }, 'sign count'],
    [{ cred: { ...cred, id: crypto.randomBytes(16) } }, 'unknown credential'],
    [{ cred: device.creds[0] }, 'a key that never registered'],
  ];
  for (const [bad, why] of loginRefusals) {
    const refused = await login(bad);
    assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant'], why);
    assert.match(refused.body.error_description, /Invalid authn_response|Unknown passkey/, why);
  }
  assert.equal((await login({ count: 5 })).status, 200);
  const reasons = t.passkeys.state().events.filter((e) => e.reason).map((e) => e.reason);
  for (const r of ['signature', 'origin', 'type', 'verified', 'sign count']) assert.ok(reasons.some((x) => x.includes(r)), `${r}: ${reasons}`);
});

test('the challenge endpoints refuse unknown clients and origins, and failNext answers what a test asks for', async () => {
  assert.equal((await post('/passkey/challenge', { client_id: 'nope' })).status, 401);
  assert.equal((await post('/passkey/challenge', {}, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await post('/passkey/register', { user_profile: {} })).status, 400);
  t.passkeys.failNext({ route: 'challenge', status: 503, body: { error: 'temporarily_unavailable', error_description: 'try later' } });
  assert.deepEqual(await post('/passkey/challenge', {}), { status: 503, body: { error: 'temporarily_unavailable', error_description: 'try later' } });
  assert.equal((await post('/passkey/challenge', {})).status, 200, 'only the next one');
});

test('CBOR: the items a WebAuthn attestation object uses', () => {
  const value = new Map([['fmt', 'none'], [-7, Buffer.from([1, 2])], [3, 300]]);
  assert.deepEqual(cborDecode(cbor(value)).value, value);
  assert.throws(() => cborDecode(Buffer.from([0x5f])), /indefinite/);
  assert.throws(() => cborDecode(Buffer.from([0x42, 1])), /truncated/);
});
