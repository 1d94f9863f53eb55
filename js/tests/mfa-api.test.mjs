// node --test js/tests/ : js/mfa-api.js, the lazily loaded part of `client.mfa`: against a scripted
// fetch, the requests it sends (URL, method, headers, body), how answers are reshaped, the filter
// by the context's challenge types, and auth0-spa-js's errors for refusals, bad bodies and bad
// input; and, as tables, `verify`'s grant and body and `getEnrollmentFactors`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../mfa-api.js';
import { MfaListAuthenticatorsError, MfaEnrollmentError, MfaChallengeError, MfaEnrollmentFactorsError, MfaVerifyError, MfaError } from '../extras.js';

const ERRORS = { list: MfaListAuthenticatorsError, enroll: MfaEnrollmentError, challenge: MfaChallengeError, factors: MfaEnrollmentFactorsError, verify: MfaVerifyError };

/** deps whose fetch answers from `answer(url, init)` and records every request. */
function deps(answer, timeoutMs = 1000) {
  const sent = [];
  return {
    sent,
    baseUrl: 'https://tenant.example.com',
    clientId: 'spa-client',
    timeoutMs,
    fetch: async (url, init) => {
      sent.push({ url, ...init, body: init.body === undefined ? undefined : JSON.parse(init.body) });
      return answer(url, init);
    },
    errors: ERRORS
  };
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const TELEMETRY = Buffer.from(JSON.stringify({ name: '@auth0/auth0-auth-js', version: '1.16.1' })).toString('base64');

const AUTHENTICATORS = [
  { id: 'totp|dev_1', authenticator_type: 'otp', active: true, type: 'otp' },
  { id: 'sms|dev_2', authenticator_type: 'oob', active: true, oob_channels: 'sms', name: '+1555', type: 'phone' },
  { id: 'recovery-code|dev_3', authenticator_type: 'recovery-code', active: true }
];

test('getAuthenticators: GET /mfa/authenticators with the mfa_token as Bearer; answers in auth0-spa-js shape', async () => {
  const d = deps(() => json(200, AUTHENTICATORS));
  const all = await api.getAuthenticators(d, 'mt-1', {});
  assert.equal(d.sent.length, 1);
  assert.equal(d.sent[0].url, 'https://tenant.example.com/mfa/authenticators');
  assert.equal(d.sent[0].method, 'GET');
  assert.deepEqual(d.sent[0].headers, { Authorization: 'Bearer mt-1', 'Content-Type': 'application/json', 'Auth0-Client': TELEMETRY });
  assert.deepEqual(all[1], { id: 'sms|dev_2', authenticatorType: 'oob', active: true, name: '+1555', oobChannels: 'sms', type: 'phone' });
  assert.equal(all.length, 3);
});

test('getAuthenticators keeps only the types the context challenges with (all of them when it names none)', async () => {
  const rows = [
    [{ mfaRequirements: { challenge: [{ type: 'otp' }] } }, ['totp|dev_1']],
    [{ mfaRequirements: { challenge: [{ type: 'otp' }, { type: 'phone' }] } }, ['totp|dev_1', 'sms|dev_2']],
    [{ mfaRequirements: { challenge: [] } }, ['totp|dev_1', 'sms|dev_2', 'recovery-code|dev_3']],
    [{ mfaRequirements: { enroll: [{ type: 'otp' }] } }, ['totp|dev_1', 'sms|dev_2', 'recovery-code|dev_3']],
    [{}, ['totp|dev_1', 'sms|dev_2', 'recovery-code|dev_3']]
  ];
  for (const [context, ids] of rows) {
    const got = await api.getAuthenticators(deps(() => json(200, AUTHENTICATORS)), 'mt', context);
    assert.deepEqual(got.map((a) => a.id), ids, JSON.stringify(context));
  }
});

test('a refusal becomes the call’s MfaError with the server’s error and description; a body that is not JSON, unknown_error', async () => {
  const rows = [
    ['getAuthenticators', (d) => api.getAuthenticators(d, 'mt', {}), MfaListAuthenticatorsError, 'Failed to list authenticators'],
    ['enroll', (d) => api.enroll(d, { mfaToken: 'mt', factorType: 'otp' }), MfaEnrollmentError, 'Failed to enroll authenticator'],
    ['challenge', (d) => api.challenge(d, { mfaToken: 'mt', challengeType: 'otp' }), MfaChallengeError, 'Failed to challenge authenticator']
  ];
  for (const [name, call, Class, fallback] of rows) {
    await assert.rejects(call(deps(() => json(401, { error: 'invalid_token', error_description: 'The mfa_token is expired' }))), (e) => {
      assert.ok(e instanceof Class && e instanceof MfaError, name);
      assert.equal(e.error, 'invalid_token');
      assert.equal(e.error_description, 'The mfa_token is expired');
      return true;
    });
    await assert.rejects(call(deps(() => json(429, { error: 'too_many_attempts' }))), (e) => e instanceof Class && e.error === 'too_many_attempts' && e.error_description === fallback);
    await assert.rejects(call(deps(() => new Response('<html>bad gateway</html>', { status: 502 }))), (e) => e instanceof Class && e.error === 'unknown_error' && e.message === fallback);
  }
});

test('enroll: POST /mfa/associate with auth0-spa-js’s factor mapping; answers reshaped', async () => {
  const rows = [
    [{ factorType: 'otp' }, { authenticator_types: ['otp'] }],
    [{ factorType: 'sms', phoneNumber: '+15551234' }, { authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: '+15551234' }],
    [{ factorType: 'voice', phoneNumber: '+1555' }, { authenticator_types: ['oob'], oob_channels: ['voice'], phone_number: '+1555' }],
    [{ factorType: 'email', email: 'a@b.c' }, { authenticator_types: ['oob'], oob_channels: ['email'], email: 'a@b.c' }],
    [{ factorType: 'email' }, { authenticator_types: ['oob'], oob_channels: ['email'] }],
    [{ factorType: 'push' }, { authenticator_types: ['oob'], oob_channels: ['auth0'] }]
  ];
  for (const [params, body] of rows) {
    const d = deps(() => json(200, { authenticator_type: 'oob', oob_channel: 'sms', oob_code: 'oob-1', binding_method: 'prompt', recovery_codes: ['R1'] }));
    const r = await api.enroll(d, { mfaToken: 'mt-1', ...params });
    assert.equal(d.sent[0].url, 'https://tenant.example.com/mfa/associate');
    assert.equal(d.sent[0].method, 'POST');
    assert.equal(d.sent[0].headers.Authorization, 'Bearer mt-1');
    assert.deepEqual(d.sent[0].body, body, params.factorType);
    assert.deepEqual(r, { authenticatorType: 'oob', oobChannel: 'sms', oobCode: 'oob-1', bindingMethod: 'prompt', id: undefined, barcodeUri: undefined, recoveryCodes: ['R1'] });
  }
  const otp = await api.enroll(deps(() => json(200, { authenticator_type: 'otp', secret: 'JBSWY3DP', barcode_uri: 'otpauth://totp/x', recovery_codes: ['R'] })), { mfaToken: 'mt', factorType: 'otp' });
  assert.deepEqual(otp, { authenticatorType: 'otp', secret: 'JBSWY3DP', barcodeUri: 'otpauth://totp/x', recoveryCodes: ['R'], id: undefined });
  await assert.rejects(api.enroll(deps(() => json(200, { authenticator_type: 'webauthn' })), { mfaToken: 'mt', factorType: 'otp' }), /Unexpected authenticator type: webauthn/);
});

test('bad input is a typed error before any request', async () => {
  const d = deps(() => assert.fail('no request'));
  await assert.rejects(api.enroll(d, { mfaToken: 'mt', factorType: 'fax' }), (e) => e instanceof MfaEnrollmentError && e.error === 'invalid_request' && /factorType must be one of otp, sms, email, push, voice/.test(e.message));
  await assert.rejects(api.enroll(d, { mfaToken: 'mt', factorType: 'constructor' }), (e) => e instanceof MfaEnrollmentError && e.error === 'invalid_request');
  await assert.rejects(api.enroll(d, { factorType: 'otp' }), (e) => e instanceof MfaEnrollmentError && e.error_description === 'mfaToken is required');
  await assert.rejects(api.enroll(d, undefined), (e) => e instanceof MfaEnrollmentError);
  await assert.rejects(api.challenge(d, { challengeType: 'otp' }), (e) => e instanceof MfaChallengeError && e.error_description === 'mfaToken is required');
  assert.equal(d.sent.length, 0);
});

test('challenge: POST /mfa/challenge with the token and client id in the body (Auth0’s documented shape)', async () => {
  const d = deps(() => json(200, { challenge_type: 'oob', oob_code: 'oob-9', binding_method: 'prompt' }));
  const r = await api.challenge(d, { mfaToken: 'mt-1', challengeType: 'oob', authenticatorId: 'sms|dev_2' });
  assert.equal(d.sent[0].url, 'https://tenant.example.com/mfa/challenge');
  assert.deepEqual(d.sent[0].headers, { 'Content-Type': 'application/json', 'Auth0-Client': TELEMETRY });
  assert.deepEqual(d.sent[0].body, { mfa_token: 'mt-1', client_id: 'spa-client', challenge_type: 'oob', authenticator_id: 'sms|dev_2' });
  assert.deepEqual(r, { challengeType: 'oob', oobCode: 'oob-9', bindingMethod: 'prompt' });
  const otp = await api.challenge(deps(() => json(200, { challenge_type: 'otp' })), { mfaToken: 'mt', challengeType: 'otp' });
  assert.deepEqual(otp, { challengeType: 'otp' });
});

test('a network failure passes through; a request that never answers times out with auth0-spa-js’s message', async () => {
  await assert.rejects(api.challenge(deps(() => { throw new TypeError('Failed to fetch'); }), { mfaToken: 'mt', challengeType: 'otp' }), TypeError);
  let aborted = false;
  const hanging = deps(() => new Promise(() => {}), 30);
  hanging.fetch = (url, init) => {
    init.signal.addEventListener('abort', () => { aborted = true; });
    return new Promise(() => {});
  };
  await assert.rejects(api.getAuthenticators(hanging, 'mt', {}), (e) => e.message === "Timeout when executing 'fetch'" && e.error === 'timeout');
  assert.ok(aborted, 'the request was aborted');
});

test('verify: the grant follows the first code given, and the body carries every code in auth0-spa-js order', () => {
  const ctx = { scope: 'openid', audience: 'https://api/', createdAt: 0 };
  const rows = [
    [{ otp: '123456' }, api.MFA_OTP_GRANT, [['otp', '123456']]],
    [{ otp: 123456 }, api.MFA_OTP_GRANT, [['otp', '123456']]],
    [{ oobCode: 'oob', bindingCode: '1' }, api.MFA_OOB_GRANT, [['oob_code', 'oob'], ['binding_code', '1']]],
    [{ bindingCode: '42', oobCode: 'oob-1' }, api.MFA_OOB_GRANT, [['oob_code', 'oob-1'], ['binding_code', '42']]],
    [{ recoveryCode: 'R' }, api.MFA_RECOVERY_CODE_GRANT, [['recovery_code', 'R']]],
    [{ otp: '1', oobCode: 'o', recoveryCode: 'r' }, api.MFA_OTP_GRANT, [['otp', '1'], ['oob_code', 'o'], ['recovery_code', 'r']]],
    [{ otp: '', oobCode: 'o' }, api.MFA_OOB_GRANT, [['otp', ''], ['oob_code', 'o']]],
    [{ otp: 0, recoveryCode: 'r' }, api.MFA_RECOVERY_CODE_GRANT, [['otp', '0'], ['recovery_code', 'r']]],
    [{ otp: '1', recoveryCode: null }, api.MFA_OTP_GRANT, [['otp', '1']]]
  ];
  for (const [params, grant, codes] of rows) {
    const got = api.verifyGrant(ERRORS, { mfaToken: 'mt', ...params }, ctx);
    assert.deepEqual(got, { body: [['grant_type', grant], ...codes, ['mfa_token', 'mt']], scope: 'openid', audience: 'https://api/' }, JSON.stringify(params));
  }
});

test('verify: no context or no code is an MfaVerifyError before anything is sent', () => {
  const ctx = { createdAt: 0 };
  const rows = [
    [{ mfaToken: 'mt', otp: '1' }, undefined, 'mfa_context_not_found', api.CONTEXT_NOT_FOUND],
    [{ mfaToken: 'mt', otp: null }, ctx, 'invalid_request', api.NO_GRANT_TYPE],
    [{ mfaToken: 'mt', bindingCode: '1' }, ctx, 'invalid_request', api.NO_GRANT_TYPE],
    [undefined, ctx, 'invalid_request', api.NO_GRANT_TYPE]
  ];
  for (const [params, context, code, message] of rows) {
    assert.throws(() => api.verifyGrant(ERRORS, params, context), (e) => e instanceof MfaVerifyError && e.error === code && e.message === message, JSON.stringify(params));
  }
});

test('getEnrollmentFactors: the context\'s enroll list, as auth0-spa-js returns it', () => {
  const rows = [
    [undefined, 'mfa_context_not_found'],
    [{ createdAt: 0 }, 'mfa_context_not_found'],
    [{ mfaRequirements: { challenge: [{ type: 'otp' }] }, createdAt: 0 }, []],
    [{ mfaRequirements: { enroll: [] }, createdAt: 0 }, []],
    [{ mfaRequirements: { enroll: [{ type: 'otp' }, { type: 'phone' }] }, createdAt: 0 }, [{ type: 'otp' }, { type: 'phone' }]]
  ];
  for (const [context, want] of rows) {
    if (typeof want === 'string') {
      assert.throws(() => api.enrollmentFactors(ERRORS, context), (e) => e instanceof MfaEnrollmentFactorsError && e.error === want);
    } else {
      assert.deepEqual(api.enrollmentFactors(ERRORS, context), want);
    }
  }
});
