// node --test tenant/ : the tenant's emulation of Auth0's MFA API (tenant/mfa.mjs) over HTTP: the
// mfa_required answer of the refresh grant, /mfa/authenticators, /mfa/associate, /mfa/challenge,
// and the three MFA grants issuing real, signed tokens; plus TOTP against RFC 6238's vectors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTenant } from './server.mjs';
import { totp, base32Encode, base32Decode, MFA_GRANTS } from './mfa.mjs';

let t;
before(async () => { t = await startTenant({ port: 0 }); });
after(async () => { await t.stop(); });

const form = (params) => new URLSearchParams({ client_id: t.clientId, ...params }).toString();
async function token(params) {
  const r = await fetch(`${t.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(params) });
  return { status: r.status, body: await r.json() };
}
async function mfaApi(path, { method = 'GET', bearer, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const r = await fetch(`${t.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}
/** A fresh mfa_token, obtained the way an SDK gets one: a refresh grant answered mfa_required. */
async function mfaToken(options = {}) {
  const { mfa_token } = t.requireMfa(options);
  const r = await token({ grant_type: 'refresh_token', refresh_token: 'any' });
  assert.equal(r.status, 403);
  assert.equal(r.body.error, 'mfa_required');
  assert.equal(r.body.mfa_token, mfa_token);
  return r.body;
}
function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

test('TOTP matches RFC 6238 (SHA-1 vectors, 6 digits) and base32 round-trips', () => {
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  assert.equal(secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  for (const [seconds, code] of [[59, '287082'], [1111111109, '081804'], [1234567890, '005924'], [2000000000, '279037']]) {
    assert.equal(totp(secret, seconds * 1000), code, String(seconds));
  }
  const bytes = crypto.randomBytes(20);
  assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
});

test('the refresh grant answers mfa_required with the token and requirements, once, without processing the request', async () => {
  const requirements = { challenge: [{ type: 'otp' }], enroll: [{ type: 'phone' }] };
  const answer = await mfaToken({ requirements });
  assert.deepEqual(answer.mfa_requirements, requirements);
  assert.equal(answer.error_description, 'Multifactor authentication required');
  const next = await token({ grant_type: 'refresh_token', refresh_token: 'any' });
  assert.equal(next.body.error, 'invalid_grant', 'the fault was used up');
});

test('list, challenge and verify with an OTP: real tokens for the mfa_token’s scope; the token is single-use', async () => {
  const { mfa_token } = await mfaToken();
  const list = await mfaApi('/mfa/authenticators', { bearer: mfa_token });
  assert.equal(list.status, 200);
  assert.ok(list.body.some((a) => a.authenticator_type === 'otp' && a.type === 'otp' && a.active));
  assert.deepEqual((await mfaApi('/mfa/challenge', { method: 'POST', body: { mfa_token, client_id: t.clientId, challenge_type: 'otp' } })).body, { challenge_type: 'otp' });
  const wrong = await token({ grant_type: MFA_GRANTS.otp, mfa_token, otp: '000000' === totp(t.mfaState().otpSecret) ? '111111' : '000000' });
  assert.deepEqual([wrong.status, wrong.body], [403, { error: 'invalid_grant', error_description: 'Invalid otp_code.' }]);
  const ok = await token({ grant_type: MFA_GRANTS.otp, mfa_token, otp: totp(t.mfaState().otpSecret) });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.token_type, 'Bearer');
  assert.ok(ok.body.access_token && ok.body.refresh_token);
  const id = claims(ok.body.id_token);
  assert.equal(id.iss, t.issuer);
  assert.equal(id.sub, t.user.sub);
  assert.equal(id.aud, t.clientId);
  const key = crypto.createPublicKey({ key: t.publicJwk, format: 'jwk' });
  const [h, p, s] = ok.body.id_token.split('.');
  assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')), 'signed by the tenant');
  const refreshed = await token({ grant_type: 'refresh_token', refresh_token: ok.body.refresh_token });
  assert.equal(refreshed.status, 200, 'the issued refresh token works');
  const again = await token({ grant_type: MFA_GRANTS.otp, mfa_token, otp: totp(t.mfaState().otpSecret) });
  assert.deepEqual(again.body, { error: 'invalid_grant', error_description: 'Malformed mfa_token' });
});

test('unknown and expired mfa_tokens are refused by the grants and the MFA API', async () => {
  const unknown = await token({ grant_type: MFA_GRANTS.otp, mfa_token: 'mfa_nope', otp: '123456' });
  assert.deepEqual([unknown.status, unknown.body.error], [403, 'invalid_grant']);
  assert.deepEqual(await mfaApi('/mfa/authenticators', { bearer: 'mfa_nope' }), { status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
  const { mfa_token } = await mfaToken({ ttlMs: 1 });
  await new Promise((r) => setTimeout(r, 10));
  const expired = await token({ grant_type: MFA_GRANTS.otp, mfa_token, otp: totp(t.mfaState().otpSecret) });
  assert.deepEqual(expired.body, { error: 'expired_token', error_description: 'mfa_token is expired' });
  const challenge = await mfaApi('/mfa/challenge', { method: 'POST', body: { mfa_token, client_id: t.clientId, challenge_type: 'otp' } });
  assert.equal(challenge.body.error, 'expired_token');
});

test('enroll SMS, verify with its oob_code and the binding code sent; a recovery code is replaced when used', async () => {
  const { mfa_token } = await mfaToken();
  const enrolled = await mfaApi('/mfa/associate', { method: 'POST', bearer: mfa_token, body: { authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: '+15550100' } });
  assert.equal(enrolled.body.authenticator_type, 'oob');
  assert.equal(enrolled.body.binding_method, 'prompt');
  const sent = t.mfaState().sent.at(-1).bindingCode;
  const bad = await token({ grant_type: MFA_GRANTS.oob, mfa_token, oob_code: enrolled.body.oob_code, binding_code: sent === '000000' ? '000001' : '000000' });
  assert.deepEqual(bad.body, { error: 'invalid_grant', error_description: 'Invalid binding_code.' });
  const ok = await token({ grant_type: MFA_GRANTS.oob, mfa_token, oob_code: enrolled.body.oob_code, binding_code: sent });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.ok(t.mfaState().authenticators.some((a) => a.name === '+15550100' && a.active && a.type === 'phone'));

  const second = (await mfaToken()).mfa_token;
  const code = t.mfaState().recoveryCode;
  const recovered = await token({ grant_type: MFA_GRANTS.recoveryCode, mfa_token: second, recovery_code: code });
  assert.equal(recovered.status, 200);
  assert.ok(recovered.body.recovery_code && recovered.body.recovery_code !== code, 'a new recovery code');
  const otp = await mfaApi('/mfa/associate', { method: 'POST', bearer: (await mfaToken()).mfa_token, body: { authenticator_types: ['otp'] } });
  assert.match(otp.body.barcode_uri, /^otpauth:\/\/totp\//);
  assert.equal(otp.body.secret.length, 32);
});

test('the MFA API answers CORS preflights from the SPA with the headers auth0-spa-js sends', async () => {
  const r = await fetch(`${t.url}/mfa/authenticators`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-headers': 'authorization,content-type,auth0-client' } });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), 'http://127.0.0.1:3000');
  assert.match(r.headers.get('access-control-allow-headers'), /authorization/);
});
