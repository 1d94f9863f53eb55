// End-to-end `client.mfa` (auth0-spa-js 2.28.3's MfaApiClient; docs/behaviour.md §1.5) in Chromium
// against the local tenant's emulation of Auth0's MFA API (tenant/mfa.mjs): a renewal answered
// `mfa_required`, the authenticators listed, an OTP challenge, a wrong and then a right one-time
// password (a real RFC 6238 TOTP of the tenant's secret), the tokens stored like a login and
// served from the cache; unknown and expired mfa_tokens; the DPoP proof on the MFA grant; an SMS
// enrolment verified out of band and a recovery code; and js/mfa-api.js fetched only when the app
// first lists, enrolls or challenges.
// auth0-spa-js itself is not run here: its MFA client (@auth0/auth0-auth-js) always prefixes
// `https://` to the domain, so it cannot reach this http:// tenant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as h from './harness.mjs';
import { totp } from '../../tenant/mfa.mjs';

const T = { timeout: 90_000, skip: h.SDK !== 'wasm' && 'auth0-spa-js cannot reach an http:// tenant with client.mfa' };
let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

const OPTIONS = { useRefreshTokens: true, cacheLocation: 'localstorage' };
const REQUIREMENTS = { challenge: [{ type: 'otp' }], enroll: [{ type: 'phone' }] };

/** Runs `getTokenSilently(opts)` in the page: the token, or the error's classes and MFA fields. */
function renew(page, opts = { cacheMode: 'off' }) {
  return page.evaluate(async (o) => {
    try {
      return { ok: true, token: await window.__client.getTokenSilently(o) };
    } catch (e) {
      return { ok: false, error: window.__describeError(e), mfa_token: e.mfa_token, mfa_requirements: e.mfa_requirements };
    }
  }, opts);
}

/** `client.mfa[method](arg)` in the page, as `{ ok, value | error }`. */
function mfa(page, method, arg) {
  return page.evaluate(([m, a]) => window.__try(() => window.__client.mfa[m](a)), [method, arg]);
}

/** A logged-in page whose next renewal the tenant answers `mfa_required`; returns its mfa_token. */
async function steppedUp(t, options = OPTIONS, requireOptions = {}) {
  env.resetTenant();
  const { context, page } = await h.freshPage(env, t, options);
  const sdkRequests = [];
  context.on('request', (r) => { if (r.url().startsWith(`${env.pages.url}/sdk/`)) sdkRequests.push(new URL(r.url()).pathname); });
  await h.loginWithRedirect(page, env.pages.url);
  const { mfa_token } = env.tenant.requireMfa({ requirements: REQUIREMENTS, ...requireOptions });
  const r = await renew(page);
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.ok(r.error.classes.includes('MfaRequiredError'), JSON.stringify(r.error));
  assert.equal(r.mfa_token, mfa_token);
  assert.deepEqual(r.mfa_requirements, REQUIREMENTS);
  return { context, page, mfaToken: mfa_token, sdkRequests };
}

const otp = () => totp(env.tenant.mfaState().otpSecret);

test(`[${h.SDK}] mfa_required on renewal → list authenticators → OTP challenge → verify: the new tokens are cached and served`, T, async (t) => {
  const { page, mfaToken, sdkRequests } = await steppedUp(t);
  assert.ok(!sdkRequests.includes('/sdk/mfa-api.js'), 'the MFA module is not loaded at start-up');
  const oldRefreshTokens = await h.refreshTokensInStorage(page);

  const factors = await mfa(page, 'getEnrollmentFactors', mfaToken);
  assert.deepEqual(factors, { ok: true, value: [{ type: 'phone' }] });
  const list = await mfa(page, 'getAuthenticators', mfaToken);
  assert.ok(list.ok, JSON.stringify(list));
  assert.deepEqual(list.value.map((a) => [a.authenticatorType, a.type, a.active]), [['otp', 'otp', true]], 'only the challenge types of the requirements');
  assert.ok(sdkRequests.includes('/sdk/mfa-api.js'), 'loaded on first use');
  const challenge = await mfa(page, 'challenge', { mfaToken, challengeType: 'otp', authenticatorId: list.value[0].id });
  assert.deepEqual(challenge, { ok: true, value: { challengeType: 'otp' } });
  const telemetry = env.tenant.mfaState().events.filter((e) => e.route.startsWith('GET') || e.route.startsWith('POST')).map((e) => JSON.parse(Buffer.from(e.telemetry, 'base64').toString()));
  assert.ok(telemetry.every((x) => x.name === '@auth0/auth0-auth-js'), 'the auth-js telemetry auth0-spa-js sends there');

  // A wrong code: MfaVerifyError with the tenant's error; nothing stored; the context stays.
  const before = await h.readCache(page);
  const code = otp();
  const wrong = await mfa(page, 'verify', { mfaToken, otp: code === '000000' ? '111111' : '000000' });
  assert.equal(wrong.ok, false);
  assert.ok(wrong.error.classes.includes('MfaVerifyError') && wrong.error.classes.includes('GenericError'), JSON.stringify(wrong.error));
  assert.deepEqual([wrong.error.error, wrong.error.error_description], ['invalid_grant', 'Invalid otp_code.']);
  assert.deepEqual(await h.readCache(page), before, 'a failed verify stores nothing');

  const tokenRequests = h.tokenStats(env.tenant).total;
  const verified = await mfa(page, 'verify', { mfaToken, otp: otp() });
  assert.ok(verified.ok, JSON.stringify(verified));
  assert.ok(verified.value.access_token && verified.value.id_token);
  assert.equal(verified.value.refresh_token, undefined, 'the refresh token stays in the cache');
  assert.equal(h.tokenStats(env.tenant).total, tokenRequests + 1, 'one MFA grant');

  // The next call is a cache hit with the MFA tokens; the MFA grant's refresh token replaced the old one.
  const hit = await renew(page, {});
  assert.deepEqual(hit, { ok: true, token: verified.value.access_token });
  assert.equal(h.tokenStats(env.tenant).total, tokenRequests + 1, 'served from the cache');
  const refreshTokens = await h.refreshTokensInStorage(page);
  assert.equal(refreshTokens.length, 1);
  assert.ok(!oldRefreshTokens.includes(refreshTokens[0]), 'the new refresh token is stored');
  const renewed = await renew(page);
  assert.ok(renewed.ok && renewed.token !== verified.value.access_token, 'and renews');
  const user = await page.evaluate(() => window.__client.getUser());
  assert.equal(user.sub, env.tenant.user.sub);

  // Verified: the context is gone.
  const again = await mfa(page, 'verify', { mfaToken, otp: otp() });
  assert.deepEqual([again.error.classes.includes('MfaVerifyError'), again.error.error], [true, 'mfa_context_not_found']);
});

test(`[${h.SDK}] unknown and expired mfa_tokens: auth0-spa-js's MFA errors, no token stored`, T, async (t) => {
  const { page } = await steppedUp(t);
  const stored = await h.readCache(page);
  const unknown = await mfa(page, 'verify', { mfaToken: 'mfa_unknown', otp: otp() });
  assert.deepEqual([unknown.error.classes.includes('MfaVerifyError'), unknown.error.error], [true, 'mfa_context_not_found']);
  const list = await mfa(page, 'getAuthenticators', 'mfa_unknown');
  assert.deepEqual([list.error.classes.includes('MfaListAuthenticatorsError'), list.error.error, list.error.error_description], [true, 'invalid_request', 'MFA context not found for this MFA token']);
  const factors = await mfa(page, 'getEnrollmentFactors', 'mfa_unknown');
  assert.deepEqual([factors.error.classes.includes('MfaEnrollmentFactorsError'), factors.error.error], [true, 'mfa_context_not_found']);
  const noCode = await mfa(page, 'verify', { mfaToken: 'mfa_unknown' });
  assert.equal(noCode.error.error, 'mfa_context_not_found', 'the context is looked up first, as auth0-spa-js does');

  // The tenant's mfa_token expired (its context here is still young): the tenant's error, as MfaVerifyError.
  const { mfa_token: shortLived } = env.tenant.requireMfa({ ttlMs: 200 });
  const r = await renew(page);
  assert.equal(r.mfa_token, shortLived);
  await h.sleep(300);
  const before = await h.readCache(page);
  const expired = await mfa(page, 'verify', { mfaToken: shortLived, otp: otp() });
  assert.deepEqual([expired.error.classes.includes('MfaVerifyError'), expired.error.error, expired.error.error_description], [true, 'expired_token', 'mfa_token is expired']);
  const listExpired = await mfa(page, 'getAuthenticators', shortLived);
  assert.deepEqual([listExpired.error.classes.includes('MfaListAuthenticatorsError'), listExpired.error.error], [true, 'access_denied']);
  assert.deepEqual(await h.readCache(page), before);
  assert.ok(stored.length > 0);
});

test(`[${h.SDK}] with useDpop the MFA grant carries a DPoP proof for /oauth/token`, T, async (t) => {
  const { context, page, mfaToken } = await steppedUp(t, { ...OPTIONS, useDpop: true });
  // Each request's headers are read asynchronously: keep the promises, await them after the call.
  const seen = [];
  context.on('request', (r) => {
    if (r.url() === `${env.tenant.url}/oauth/token` && r.method() === 'POST') {
      seen.push(r.allHeaders().then((headers) => ({ grant: new URLSearchParams(r.postData() || '').get('grant_type'), dpop: headers.dpop })));
    }
  });
  const verified = await mfa(page, 'verify', { mfaToken, otp: otp() });
  assert.ok(verified.ok, JSON.stringify(verified));
  const proofs = await Promise.all(seen);
  const sent = proofs.find((p) => p.grant === 'http://auth0.com/oauth/grant-type/mfa-otp');
  assert.ok(sent && sent.dpop, JSON.stringify(proofs));
  const [h64, c64, s64] = sent.dpop.split('.');
  const header = JSON.parse(Buffer.from(h64, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(c64, 'base64url').toString());
  assert.deepEqual([header.typ, header.alg, claims.htm, claims.htu], ['dpop+jwt', 'ES256', 'POST', `${env.tenant.url}/oauth/token`]);
  const key = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
  assert.ok(crypto.verify('sha256', Buffer.from(`${h64}.${c64}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s64, 'base64url')));
  assert.ok(env.tenant.mfaState().events.some((e) => e.route.startsWith('grant') && e.dpop), 'the tenant saw it');
});

test(`[${h.SDK}] enroll a phone, verify with its oob_code and the binding code sent; then a recovery code`, T, async (t) => {
  const { page, mfaToken } = await steppedUp(t);
  const enrolled = await mfa(page, 'enroll', { mfaToken, factorType: 'sms', phoneNumber: '+15550100' });
  assert.ok(enrolled.ok, JSON.stringify(enrolled));
  assert.deepEqual([enrolled.value.authenticatorType, enrolled.value.oobChannel, enrolled.value.bindingMethod], ['oob', 'sms', 'prompt']);
  assert.ok(enrolled.value.oobCode && enrolled.value.recoveryCodes.length === 1);
  const badFactor = await mfa(page, 'enroll', { mfaToken, factorType: 'fax' });
  assert.deepEqual([badFactor.error.classes.includes('MfaEnrollmentError'), badFactor.error.error], [true, 'invalid_request']);
  const refused = await mfa(page, 'challenge', { mfaToken, challengeType: 'oob', authenticatorId: 'sms|dev_nope' });
  assert.deepEqual([refused.error.classes.includes('MfaChallengeError'), refused.error.error], [true, 'unsupported_challenge_type']);
  const bindingCode = env.tenant.mfaState().sent.at(-1).bindingCode;
  const verified = await mfa(page, 'verify', { mfaToken, oobCode: enrolled.value.oobCode, bindingCode });
  assert.ok(verified.ok, JSON.stringify(verified));
  assert.deepEqual(await renew(page, {}), { ok: true, token: verified.value.access_token });

  // A second step-up, completed with the recovery code the enrolment showed.
  const { mfa_token: second } = env.tenant.requireMfa({ requirements: { challenge: [{ type: 'recovery-code' }] } });
  assert.equal((await renew(page)).mfa_token, second);
  const list = await mfa(page, 'getAuthenticators', second);
  assert.deepEqual(list.value.map((a) => a.type), ['recovery-code']);
  const recovered = await mfa(page, 'verify', { mfaToken: second, recoveryCode: enrolled.value.recoveryCodes[0] });
  assert.ok(recovered.ok, JSON.stringify(recovered));
  assert.ok(recovered.value.recovery_code && recovered.value.recovery_code !== enrolled.value.recoveryCodes[0], 'the new recovery code is handed on');
  assert.deepEqual(await renew(page, {}), { ok: true, token: recovered.value.access_token });
});
