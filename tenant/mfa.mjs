// Auth0's MFA API, emulated for the local tenant (tenant/server.mjs), as Auth0 documents it
// ("Multi-factor Authentication API", "Authenticate With Resource Owner Password Grant and MFA",
// "Manage Authenticator Factors using Auth0 MFA API"):
//   - an `mfa_token` (10 minutes) that a test makes the refresh grant answer with, as Auth0 does
//     when a rule or action asks for a second factor: 403 `mfa_required` with `mfa_token` and
//     `mfa_requirements` (the hook `POST /__tenant/mfa/require` issues one and adds the fault);
//   - `GET /mfa/authenticators`, `POST /mfa/associate` (Bearer mfa_token) and `POST /mfa/challenge`
//     (mfa_token in the body);
//   - the grants `http://auth0.com/oauth/grant-type/mfa-otp` (a real RFC 6238 TOTP of the enrolled
//     secret), `mfa-oob` (`oob_code` + `binding_code` of a challenge) and `mfa-recovery-code`
//     (which also answers a new `recovery_code`) at `/oauth/token`, issuing real tokens.
// The test user starts with one OTP authenticator and one recovery code; GET /__tenant/mfa shows
// the secret, the recovery code and the binding codes "sent" out of band, for tests.
import crypto from 'node:crypto';
import { answerPreflight } from './util.mjs';
import { issueTokens } from './tokens.mjs';

/** The MFA grant types (Auth0). */
export const MFA_GRANTS = {
  otp: 'http://auth0.com/oauth/grant-type/mfa-otp',
  oob: 'http://auth0.com/oauth/grant-type/mfa-oob',
  recoveryCode: 'http://auth0.com/oauth/grant-type/mfa-recovery-code',
};

/** How long an mfa_token, and an out-of-band challenge, live (Auth0: 10 minutes). */
export const MFA_TOKEN_TTL_MS = 10 * 60 * 1000;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding) of `bytes`. */
export function base32Encode(bytes) {
  let bits = 0, value = 0, out = '';
  for (const b of bytes) {
    value = (value << 8) | b; bits += 8;
    while (bits >= 5) { out += BASE32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The bytes of RFC 4648 base32 text (padding and case ignored). */
export function base32Decode(text) {
  let bits = 0, value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/=+$/, '')) {
    const i = BASE32.indexOf(ch);
    if (i < 0) throw new TypeError('not base32');
    value = (value << 5) | i; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/** The RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) of a base32 `secret` at `timeMs`. */
export function totp(secret, timeMs = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 30_000)));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

const random = (n = 16) => crypto.randomBytes(n).toString('base64url');

/**
 * The MFA API of one tenant, for the test `user` of `clientIds`; `setCors` and `sendJson` are the
 * server's helpers, `now` its clock (ms). Every call is logged in `state().events` (no secrets).
 */
export function createMfa({ user, clientIds, setCors, sendJson, now = () => Date.now() }) {
  const tokens = new Map();
  const challenges = new Map();
  const state = {
    otpSecret: base32Encode(crypto.randomBytes(20)),
    recoveryCode: random(12).toUpperCase(),
    authenticators: [
      { id: 'totp|dev_otp1', authenticator_type: 'otp', active: true, type: 'otp' },
      { id: 'recovery-code|dev_rc1', authenticator_type: 'recovery-code', active: true, type: 'recovery-code' },
    ],
    /** The binding code of each out-of-band challenge, as the SMS would carry it. */
    sent: [],
    events: [],
  };

  /** A new mfa_token for the test user and `clientId`, remembering what was asked for. */
  function issue({ clientId = clientIds[0], scope = 'openid profile email offline_access', audience, requirements = { challenge: [{ type: 'otp' }] }, ttlMs = MFA_TOKEN_TTL_MS } = {}) {
    const token = `mfa_${random(24)}`;
    tokens.set(token, { sub: user.sub, clientId, scope, audience, requirements, exp: now() + ttlMs });
    return token;
  }

  /** The record of a usable mfa_token, or the Auth0 error to answer with. */
  function check(token, clientId) {
    const rec = typeof token === 'string' ? tokens.get(token) : undefined;
    if (!rec || (clientId !== undefined && rec.clientId !== clientId)) return { error: { error: 'invalid_grant', error_description: 'Malformed mfa_token' } };
    if (now() > rec.exp) return { error: { error: 'expired_token', error_description: 'mfa_token is expired' } };
    return { rec };
  }

  /** The `mfa_required` answer of a token request, for a fault rule. */
  function requiredAnswer(token) {
    const rec = tokens.get(token);
    return { error: 'mfa_required', error_description: 'Multifactor authentication required', mfa_token: token, mfa_requirements: rec.requirements };
  }

  /** `/mfa/*`: the MFA API. Returns true when it answered. */
  async function handle(ctx, readJson) {
    if (!ctx.path.startsWith('/mfa/')) return false;
    setCors(ctx);
    if (ctx.method === 'OPTIONS') {
      answerPreflight(ctx, 'GET, POST', 'authorization, content-type, auth0-client');
      return true;
    }
    const bearer = /^Bearer (.+)$/.exec(ctx.get('authorization') || '')?.[1];
    const route = `${ctx.method} ${ctx.path}`;
    state.events.push({ route, telemetry: ctx.get('auth0-client') || undefined });
    if (route === 'GET /mfa/authenticators' || route === 'POST /mfa/associate') {
      const { error } = check(bearer);
      if (error) { sendJson(ctx, 401, { error: 'access_denied', error_description: 'Unauthorized' }); return true; }
      if (route === 'GET /mfa/authenticators') { sendJson(ctx, 200, state.authenticators); return true; }
      const body = await readJson(ctx);
      const types = Array.isArray(body?.authenticator_types) ? body.authenticator_types : [];
      if (types[0] === 'otp') {
        const secret = base32Encode(crypto.randomBytes(20));
        state.pendingOtpSecret = secret;
        sendJson(ctx, 200, { authenticator_type: 'otp', secret, barcode_uri: `otpauth://totp/tenant:${encodeURIComponent(user.email || user.sub)}?secret=${secret}`, recovery_codes: [state.recoveryCode] });
        return true;
      }
      if (types[0] === 'oob' && Array.isArray(body.oob_channels) && ['sms', 'voice'].includes(body.oob_channels[0]) && typeof body.phone_number === 'string') {
        const id = `${body.oob_channels[0]}|dev_${random(6)}`;
        state.authenticators.push({ id, authenticator_type: 'oob', active: false, oob_channel: body.oob_channels[0], name: body.phone_number, type: 'phone' });
        const oobCode = newOob(bearer, id);
        sendJson(ctx, 200, { authenticator_type: 'oob', oob_channel: body.oob_channels[0], oob_code: oobCode, binding_method: 'prompt', recovery_codes: [state.recoveryCode] });
        return true;
      }
      sendJson(ctx, 400, { error: 'invalid_request', error_description: 'Unsupported authenticator_types or missing phone_number' });
      return true;
    }
    if (route === 'POST /mfa/challenge') {
      const body = await readJson(ctx);
      const { error } = check(body?.mfa_token, body?.client_id);
      if (error) { sendJson(ctx, 403, error); return true; }
      if (body.challenge_type === 'otp') { sendJson(ctx, 200, { challenge_type: 'otp' }); return true; }
      const authenticator = state.authenticators.find((a) => a.id === body.authenticator_id && a.authenticator_type === 'oob');
      if (body.challenge_type === 'oob' && authenticator) {
        sendJson(ctx, 200, { challenge_type: 'oob', oob_code: newOob(body.mfa_token, authenticator.id), binding_method: 'prompt' });
        return true;
      }
      sendJson(ctx, 400, { error: 'unsupported_challenge_type', error_description: 'The user has no authenticator for this challenge' });
      return true;
    }
    sendJson(ctx, 404, { error: 'not_found', error_description: 'Not found' });
    return true;
  }

  /** An out-of-band challenge of `authenticatorId` for `mfaToken`; its binding code is "sent". */
  function newOob(mfaToken, authenticatorId) {
    const oobCode = `oob_${random(12)}`;
    const bindingCode = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    challenges.set(oobCode, { mfaToken, authenticatorId, bindingCode, exp: now() + MFA_TOKEN_TTL_MS });
    state.sent.push({ authenticatorId, bindingCode });
    return oobCode;
  }

  /**
   * Decides an MFA grant: `{ rec }` (the mfa_token's record, then spent) with the extra answer
   * members, or `{ status, error }`. `params` are the grant's, `clientId` the caller's.
   */
  function grant(grantType, params, clientId, dpop) {
    state.events.push({ route: `grant ${grantType}`, dpop: !!dpop });
    const { rec, error } = check(params.mfa_token, clientId);
    if (error) return { status: 403, error };
    const refuse = (description) => ({ status: 403, error: { error: 'invalid_grant', error_description: description } });
    const extra = {};
    if (grantType === MFA_GRANTS.otp) {
      const secrets = [state.otpSecret, state.pendingOtpSecret].filter(Boolean);
      const t = now();
      const ok = typeof params.otp === 'string' && secrets.some((s) => [t - 30_000, t, t + 30_000].some((at) => totp(s, at) === params.otp));
      if (!ok) return refuse('Invalid otp_code.');
      if (state.pendingOtpSecret && totp(state.pendingOtpSecret, t) === params.otp) {
        state.authenticators.push({ id: `totp|dev_${random(6)}`, authenticator_type: 'otp', active: true, type: 'otp' });
        state.pendingOtpSecret = undefined;
      }
    } else if (grantType === MFA_GRANTS.oob) {
      const challenge = challenges.get(params.oob_code);
      if (!challenge || challenge.mfaToken !== params.mfa_token || now() > challenge.exp) return refuse('Invalid oob_code.');
      if (params.binding_code !== challenge.bindingCode) return refuse('Invalid binding_code.');
      challenges.delete(params.oob_code);
      const a = state.authenticators.find((x) => x.id === challenge.authenticatorId);
      if (a) a.active = true;
    } else {
      if (params.recovery_code !== state.recoveryCode) return refuse('Invalid recovery_code.');
      state.recoveryCode = random(12).toUpperCase();
      extra.recovery_code = state.recoveryCode;
    }
    tokens.delete(params.mfa_token);
    return { rec, extra };
  }

  return {
    issue,
    check,
    requiredAnswer,
    handle,
    grant,
    /** What tests may read: the OTP secret, the recovery code, the authenticators, the codes sent, the events. */
    state() { return JSON.parse(JSON.stringify({ ...state, mfaTokens: tokens.size })); },
  };
}

/**
 * Registers the three MFA grants with oidc-provider: `mfa.grant` decides, and an accepted grant is
 * answered with an access token, an ID token and (with offline_access) a refresh token for the
 * mfa_token's user and scope.
 */
export function registerMfaGrants(provider, { mfa, user }) {
  for (const grantType of Object.values(MFA_GRANTS)) {
    provider.registerGrantType(grantType, async (ctx) => {
      const client = ctx.oidc.client;
      const decided = mfa.grant(grantType, ctx.oidc.params, client.clientId, ctx.get('dpop'));
      if (decided.error) {
        ctx.status = decided.status;
        ctx.body = decided.error;
        return;
      }
      const { rec, extra } = decided;
      const tokens = await issueTokens(provider, ctx, { sub: rec.sub, claims: { ...user, amr: ['mfa'] }, scope: rec.scope, gty: 'mfa' });
      ctx.body = { ...tokens, ...extra };
    }, ['mfa_token', 'otp', 'oob_code', 'binding_code', 'recovery_code']);
  }
}
