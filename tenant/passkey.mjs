// Auth0's native passkeys, emulated for the local tenant (tenant/server.mjs), as auth0-spa-js
// 2.28.3 uses them through @auth0/auth0-auth-js (docs/behaviour.md §1.6):
//   - `POST /passkey/register` `{ client_id, user_profile, realm?, organization?, user_metadata? }`
//     → `{ auth_session, authn_params_public_key }`: WebAuthn creation options for a new user;
//   - `POST /passkey/challenge` `{ client_id, realm?, organization? }` → the same with request
//     options (discoverable credentials: no allowCredentials);
//   - the grant `urn:okta:params:oauth:grant-type:webauthn` at `/oauth/token` (`auth_session`,
//     `authn_response`, `realm?`, `organization?`, `scope`, `audience?`), whose credential is
//     verified for real (tenant/webauthn.mjs): the session's challenge, `clientDataJSON`'s type
//     and origin, the RP ID hash, user presence and verification; at sign-up the new key is kept
//     for a new user; at login the signature must verify with the key registered at sign-up.
// The RP ID is the host of the page's origin (an allowed SPA origin), as Auth0's is the custom
// domain the app shares. Every auth_session is single-use and lives 5 minutes. `failNext` makes
// the next register or challenge request answer an error, for tests.
import crypto from 'node:crypto';
import { answerPreflight } from './util.mjs';
import { verifyRegistration, verifyAssertion } from './webauthn.mjs';
import { issueTokens } from './tokens.mjs';

/** The grant type of Auth0's passkey token exchange. */
export const PASSKEY_GRANT = 'urn:okta:params:oauth:grant-type:webauthn';

/** How long an auth_session lives. */
export const AUTH_SESSION_TTL_MS = 5 * 60 * 1000;

const random = (n = 16) => crypto.randomBytes(n).toString('base64url');

/**
 * The passkey API of one tenant for `clientIds` and the SPA `allowedOrigins`; `existing` is the
 * test user (whose identifiers a sign-up may not take); `setCors` and `sendJson` are the server's
 * helpers, `now` its clock (ms). Every call is logged in `state().events` (no secrets).
 */
export function createPasskeys({ clientIds, allowedOrigins, existing, setCors, sendJson, now = () => Date.now() }) {
  const sessions = new Map();
  /** Users who signed up with a passkey, by `sub`. */
  const users = new Map();
  /** Registered credentials by base64url id: `{ sub, publicKey, signCount, userHandle }`. */
  const credentials = new Map();
  const events = [];
  const failures = [];

  const taken = (profile) => [existing, ...users.values()].some((u) => (profile.email && u.email === profile.email) || (profile.username && u.username === profile.username));

  /** A new auth_session for a ceremony of `kind` started from `origin`. */
  function open(kind, origin, clientId, extra) {
    const authSession = `ps_${random(24)}`;
    const session = { kind, origin, rpId: new URL(origin).hostname, clientId, challenge: random(32), exp: now() + AUTH_SESSION_TTL_MS, ...extra };
    sessions.set(authSession, session);
    return { authSession, session };
  }

  function register(body, origin) {
    const profile = body.user_profile && typeof body.user_profile === 'object' ? body.user_profile : {};
    if (!profile.email && !profile.phone_number && !profile.username) return [400, { error: 'invalid_request', error_description: 'user_profile must have an email, phone_number or username' }];
    if (taken(profile)) return [400, { error: 'invalid_request', error_description: 'The user already exists.' }];
    const userHandle = random(16);
    const { authSession, session } = open('register', origin, body.client_id, { profile, userHandle });
    const name = profile.email || profile.username || profile.phone_number;
    return [200, {
      auth_session: authSession,
      authn_params_public_key: {
        challenge: session.challenge,
        timeout: 60000,
        rp: { id: session.rpId, name: 'auth0-spa-wasm local tenant' },
        user: { id: userHandle, name, displayName: profile.name || name },
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        attestation: 'none',
      },
    }];
  }

  function challenge(body, origin) {
    const { authSession, session } = open('login', origin, body.client_id);
    return [200, { auth_session: authSession, authn_params_public_key: { challenge: session.challenge, timeout: 60000, rpId: session.rpId, userVerification: 'required' } }];
  }

  /** `/passkey/*`. Returns true when it answered. */
  async function handle(ctx, readJson) {
    if (!ctx.path.startsWith('/passkey/')) return false;
    setCors(ctx);
    if (ctx.method === 'OPTIONS') {
      answerPreflight(ctx, 'POST', 'content-type, auth0-client');
      return true;
    }
    const route = `${ctx.method} ${ctx.path}`;
    const body = (await readJson(ctx)) || {};
    const origin = ctx.get('origin');
    events.push({ route, telemetry: ctx.get('auth0-client') || undefined, body: { ...body, client_id: undefined } });
    const failure = failures.findIndex((f) => `POST /passkey/${f.route}` === route);
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      ctx.status = f.status;
      ctx.type = f.contentType || 'application/json';
      ctx.body = typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
      return true;
    }
    let answer;
    if (!clientIds.includes(body.client_id)) answer = [401, { error: 'access_denied', error_description: 'Unknown client' }];
    else if (!origin || !allowedOrigins.has(origin)) answer = [403, { error: 'access_denied', error_description: 'Origin not allowed' }];
    else if (route === 'POST /passkey/register') answer = register(body, origin);
    else if (route === 'POST /passkey/challenge') answer = challenge(body, origin);
    else answer = [404, { error: 'not_found', error_description: 'Not found' }];
    sendJson(ctx, ...answer);
    return true;
  }

  /**
   * Decides a passkey grant: `{ sub, claims }` of the user it logs in, or `{ status, error }`.
   * The auth_session is spent either way.
   */
  function grant(params, clientId) {
    const refuse = (description) => ({ status: 400, error: { error: 'invalid_grant', error_description: description } });
    const session = sessions.get(params.auth_session);
    sessions.delete(params.auth_session);
    if (!session || session.clientId !== clientId || now() > session.exp) return refuse('Invalid or expired auth_session');
    let authn;
    try { authn = JSON.parse(params.authn_response); } catch { return refuse('authn_response is not a credential'); }
    try {
      if (session.kind === 'register') {
        const { credentialId, publicKey, signCount } = verifyRegistration(authn, session);
        if (credentials.has(credentialId)) return refuse('This passkey is already registered');
        const sub = `auth0|passkey_${random(9)}`;
        const p = session.profile;
        const claims = { sub, email: p.email, email_verified: false, name: p.name || p.email || p.username, nickname: p.nickname, username: p.username };
        users.set(sub, claims);
        credentials.set(credentialId, { sub, publicKey, signCount, userHandle: session.userHandle });
        events.push({ route: 'grant register', sub });
        return { sub, claims };
      }
      const credential = credentials.get(authn && authn.rawId);
      if (!credential) return refuse('Unknown passkey');
      credential.signCount = verifyAssertion(authn, credential, session);
      events.push({ route: 'grant login', sub: credential.sub });
      return { sub: credential.sub, claims: users.get(credential.sub) };
    } catch (e) {
      events.push({ route: `grant ${session.kind} refused`, reason: e.message });
      return refuse(`Invalid authn_response: ${e.message}`);
    }
  }

  return {
    handle,
    grant,
    /** The claims of a user who signed up with a passkey (oidc-provider's findAccount asks). */
    user(sub) { return users.get(sub); },
    /** The next request to `route` ('register' or 'challenge') answers `status` with `body`. */
    failNext({ route, status, body, contentType }) { failures.push({ route, status, body, contentType }); },
    /** What tests may read: the users, how many credentials and open sessions, the events. */
    state() { return JSON.parse(JSON.stringify({ users: [...users.values()], credentials: credentials.size, sessions: sessions.size, events })); },
  };
}

/**
 * Registers the passkey grant with oidc-provider: `passkeys.grant` decides, and an accepted grant
 * is answered with tokens for the user and the requested scope (the tenant has no organizations:
 * an `organization` is accepted and ignored).
 */
export function registerPasskeyGrant(provider, { passkeys }) {
  provider.registerGrantType(PASSKEY_GRANT, async (ctx) => {
    const decided = passkeys.grant(ctx.oidc.params, ctx.oidc.client.clientId);
    if (decided.error) {
      ctx.status = decided.status;
      ctx.body = decided.error;
      return;
    }
    const { sub, claims } = decided;
    ctx.body = await issueTokens(provider, ctx, { sub, claims: { ...claims, amr: ['passkey'] }, scope: ctx.oidc.params.scope, gty: 'passkey' });
  }, ['auth_session', 'authn_response', 'realm', 'organization', 'scope', 'audience']);
}
