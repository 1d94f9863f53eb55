// Auth0's anonymous sessions ("Early Access"), emulated for the local tenant (tenant/server.mjs),
// as @auth0/auth0-auth-js's AnonymousSessionClient uses them (docs/behaviour.md §1.7):
//
//   POST /anonymous/token  JSON {client_id, audience?, scope?, metadata?}   a new session: 200
//        {access_token, token_type, expires_in, scope?, session_token, session_expires_in} and the
//        cookie `auth0_anon` (HttpOnly), which later requests carry (credentials: 'include')
//   POST /anonymous/token  JSON {client_id, session_token, audience?, scope?}   a new access token
//        of that session (the cookie's, while live, when the body names none); the session token is
//        not reissued and `session_expires_in` counts down
//   POST /anonymous/token  JSON {client_id, session_token, audience: 'urn:auth0:anon_transfer'}
//        -> {anon_transfer_token}: single use, 30 s, which a login carries to /authorize
//   POST /anonymous/logout JSON {client_id}   ends the cookie's session and clears the cookie
//
// Errors are `{error, error_description}`: 400 `session_expired` (past its lifetime),
// `invalid_session_token` (unknown or ended), `invalid_request` (metadata with an existing
// session, metadata over 1 KB), 401 `invalid_client`. The access tokens are RS256 JWTs of the
// tenant's key (`sub` is the session's `anon@…` identity), so tests can check what they carry.
import crypto from 'node:crypto';
import { answerPreflight, b64urlJson, readRawBody } from './util.mjs';

/** The `audience` that asks for a transfer token. */
export const TRANSFER_AUDIENCE = 'urn:auth0:anon_transfer';

/** How long a transfer token may be used (Auth0: 30 s). */
export const TRANSFER_TTL_MS = 30_000;

/** The cookie that names the browser's anonymous session. */
export const SESSION_COOKIE = 'auth0_anon';

/** Largest metadata accepted, JSON-serialised (Auth0: about 1 KB). */
const METADATA_LIMIT = 1024;

const random = () => crypto.randomBytes(24).toString('base64url');

/**
 * The anonymous sessions of one tenant: `issuer` and `privateKey`/`kid` sign the access tokens;
 * `clientIds` may use them; `allowedOrigins` may call with credentials; `now` is the clock (ms).
 */
export function createAnonymous({ issuer, privateKey, kid, clientIds, allowedOrigins, now = () => Date.now() }) {
  const sessions = new Map(); // session token -> { sub, expiresAt, ended, metadata }
  const transfers = new Map(); // transfer token -> { sub, expiresAt, used }
  const settings = { sessionTtl: 7 * 24 * 3600, accessTokenTtl: 3600 };
  let failures = [];
  let events = [];

  function cors(ctx) {
    const origin = ctx.get('origin');
    if (origin && allowedOrigins.has(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.vary('Origin');
    }
  }

  function answer(ctx, status, body) {
    ctx.status = status;
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = JSON.stringify(body);
  }

  const refuse = (ctx, status, error, description) => answer(ctx, status, { error, error_description: description });

  function sign(claims) {
    const input = `${b64urlJson({ alg: 'RS256', typ: 'at+jwt', kid })}.${b64urlJson(claims)}`;
    return `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  }

  /** The live session of `token`, or the error it gets. */
  function sessionOf(token) {
    const s = sessions.get(token);
    if (!s || s.ended) return { error: 'invalid_session_token', description: 'The session token is invalid' };
    if (now() >= s.expiresAt) return { error: 'session_expired', description: 'The session token has expired' };
    return { session: s };
  }

  function cookieOf(ctx) {
    const header = ctx.get('cookie') || '';
    for (const part of header.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === SESSION_COOKIE) return decodeURIComponent(rest.join('='));
    }
    return undefined;
  }

  async function token(ctx, body) {
    // The cookie stands in for a missing session_token only while its session is live.
    const cookie = cookieOf(ctx);
    const live = cookie && !sessionOf(cookie).error ? cookie : undefined;
    const given = typeof body.session_token === 'string' ? body.session_token : live;
    if (body.audience === TRANSFER_AUDIENCE) {
      const found = sessionOf(typeof body.session_token === 'string' ? body.session_token : '');
      if (found.error) return refuse(ctx, 400, found.error, found.description);
      const t = random();
      transfers.set(t, { sub: found.session.sub, expiresAt: now() + TRANSFER_TTL_MS, used: false });
      events.push({ type: 'transfer', sub: found.session.sub });
      return answer(ctx, 200, { anon_transfer_token: t });
    }
    let sessionToken = given;
    let session;
    if (given) {
      if (body.metadata !== undefined) return refuse(ctx, 400, 'invalid_request', 'metadata cannot be provided when session_token is present');
      const found = sessionOf(given);
      if (found.error) return refuse(ctx, 400, found.error, found.description);
      session = found.session;
    } else {
      if (body.metadata !== undefined && JSON.stringify(body.metadata).length > METADATA_LIMIT) {
        return refuse(ctx, 400, 'invalid_request', 'metadata exceeds the size limit');
      }
      sessionToken = random();
      session = { sub: `anon@${crypto.randomUUID()}`, expiresAt: now() + settings.sessionTtl * 1000, ended: false, metadata: body.metadata };
      sessions.set(sessionToken, session);
      ctx.cookies.set(SESSION_COOKIE, sessionToken, { httpOnly: true, sameSite: 'lax', path: '/anonymous', overwrite: true, signed: false });
    }
    const iat = Math.floor(now() / 1000);
    const claims = { iss: issuer, sub: session.sub, aud: body.audience || issuer, iat, exp: iat + settings.accessTokenTtl, client_id: body.client_id, jti: random() };
    if (body.scope) claims.scope = body.scope;
    events.push({ type: given ? 'renew' : 'create', sub: session.sub, audience: body.audience, scope: body.scope, viaCookie: !body.session_token && !!live });
    const out = { access_token: sign(claims), token_type: 'Bearer', expires_in: settings.accessTokenTtl };
    if (body.scope) out.scope = body.scope;
    if (!given) out.session_token = sessionToken;
    out.session_expires_in = Math.max(0, Math.floor((session.expiresAt - now()) / 1000));
    return answer(ctx, 200, out);
  }

  function logout(ctx) {
    const cookie = cookieOf(ctx);
    const s = cookie && sessions.get(cookie);
    if (s) s.ended = true;
    events.push({ type: 'logout', sub: s ? s.sub : undefined });
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/anonymous', expires: new Date(0), overwrite: true, signed: false });
    return answer(ctx, 200, {});
  }

  return {
    /** Whether `path` is one of the anonymous-session endpoints. */
    handles: (path) => path === '/anonymous/token' || path === '/anonymous/logout',

    /** Answers a request to one of them (koa context of oidc-provider). */
    async handle(ctx) {
      cors(ctx);
      if (ctx.method === 'OPTIONS') return answerPreflight(ctx, 'POST', 'content-type, auth0-client');
      if (ctx.method !== 'POST') return refuse(ctx, 405, 'invalid_request', 'POST only');
      let body;
      try {
        body = JSON.parse(await readRawBody(ctx.req));
      } catch {
        return refuse(ctx, 400, 'invalid_request', 'The body must be JSON');
      }
      if (!body || typeof body !== 'object' || !clientIds.includes(body.client_id)) return refuse(ctx, 401, 'invalid_client', 'Unknown client');
      const failure = failures.shift();
      if (failure) {
        events.push({ type: 'failed', status: failure.status });
        ctx.status = failure.status;
        ctx.type = failure.contentType || 'application/json';
        ctx.body = typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body);
        return undefined;
      }
      return ctx.path === '/anonymous/logout' ? logout(ctx) : token(ctx, body);
    },

    /**
     * The `anon_transfer_token` of an /authorize request: whether it was a live, unused transfer
     * token (it is used up either way), and the anonymous identity it links to the login.
     */
    consumeTransfer(value) {
      const t = transfers.get(value);
      const ok = !!t && !t.used && now() < t.expiresAt;
      if (t) t.used = true;
      events.push({ type: 'authorize', valid: ok, sub: t ? t.sub : undefined });
      return { valid: ok, sub: t ? t.sub : undefined };
    },

    /** The claims of an access token this tenant issued (signature checked), or null. */
    verify(accessToken) {
      const [h, p, sig] = String(accessToken).split('.');
      if (!sig || !crypto.verify('sha256', Buffer.from(`${h}.${p}`), privateKey, Buffer.from(sig, 'base64url'))) return null;
      return JSON.parse(Buffer.from(p, 'base64url').toString());
    },

    /** Test hooks: `sessionTtl` and `accessTokenTtl` (seconds). */
    configure(patch) { Object.assign(settings, patch); return { ...settings }; },
    /** The next requests are answered with these `{status, body, contentType?}`, in order. */
    fail(...answers) { failures.push(...answers); },
    /** Ends every live session as if its lifetime were over (the next renewal gets `session_expired`). */
    expireAll() { for (const s of sessions.values()) s.expiresAt = Math.min(s.expiresAt, now()); },
    /** What happened (no secrets): create / renew / transfer / authorize / logout / failed. */
    events: () => events.map((e) => ({ ...e })),
    /** How many sessions are live. */
    liveSessions: () => [...sessions.values()].filter((s) => !s.ended && now() < s.expiresAt).length,
    reset() { sessions.clear(); transfers.clear(); failures = []; events = []; Object.assign(settings, { sessionTtl: 7 * 24 * 3600, accessTokenTtl: 3600 }); },
  };
}
