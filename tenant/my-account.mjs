// Auth0's My Account API, emulated for the local tenant (tenant/server.mjs), for the tests of
// auth0-spa-js's `connectAccountWithRedirect` and `client.myAccount`. It follows Auth0's
// documentation of the API (https://auth0.com/docs/manage-users/my-account-api and the connected
// accounts guide, https://auth0.com/docs/secure/call-apis-on-users-behalf/token-vault/connected-accounts-for-token-vault):
//
//   the audience `{url}/me/` (a resource server of the provider: tenant/provider.mjs), a scope per
//   endpoint; every request carries an access token for that audience (Bearer, or DPoP with a
//   proof when the token is bound to a key, RFC 9449 §7.1);
//   POST /me/v1/connected-accounts/connect   {connection, redirect_uri, state, code_challenge,
//        code_challenge_method: 'S256', scopes?, authorization_params?}
//        -> 201 {auth_session, connect_uri, connect_params: {ticket}, expires_in}
//   GET  {connect_uri}?ticket=…   the connection's consent, which here answers at once: 302 to
//        redirect_uri with `connect_code` and `state` (the connection `refusing-idp` answers
//        error=access_denied instead)
//   POST /me/v1/connected-accounts/complete  {auth_session, connect_code, redirect_uri, code_verifier}
//        -> 201 the connected account {id, connection, access_type, scopes, created_at}; the code is
//        single-use, and the verifier must hash to the challenge (RFC 7636 §4.6, S256)
//   GET  /me/v1/connected-accounts, /me/v1/factors
//   GET|POST /me/v1/authentication-methods, GET|PATCH|DELETE /me/v1/authentication-methods/{id},
//   POST /me/v1/authentication-methods/{id}/verify   (a small in-memory list per user)
//
// Failures are RFC 7807 problem details `{type, status, title, detail, validation_errors?}`.
import crypto from 'node:crypto';
import { checkProof } from './resource.mjs';
import { answerPreflight, htmlEscape, page, readRawBody } from './util.mjs';

/** The scopes of the API (each endpoint needs one). */
export const MY_ACCOUNT_SCOPES = Object.freeze([
  'create:me:connected_accounts',
  'read:me:connected_accounts',
  'read:me:factors',
  'read:me:authentication_methods',
  'create:me:authentication_methods',
  'update:me:authentication_methods',
  'delete:me:authentication_methods',
]);

/** The connections that can be connected; `refusing-idp` always answers access_denied. */
export const CONNECTIONS = Object.freeze(['google-oauth2', 'github', 'refusing-idp']);

/** The path of the connection's consent step (`connect_uri`). */
const CONNECT_PAGE = '/connected-accounts/connect';

const STATUS_TITLES = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' };

const random = () => crypto.randomBytes(24).toString('base64url');
const s256 = (verifier) => crypto.createHash('sha256').update(verifier).digest('base64url');

/** An RFC 7807 problem: `{status, body}`. */
export function problem(status, detail, validationErrors) {
  const body = { type: 'about:blank', status, title: STATUS_TITLES[status] || 'Error', detail };
  if (validationErrors) body.validation_errors = validationErrors;
  return { status, body };
}

/** The authentication methods every user starts with. */
function seedMethods() {
  const created_at = '2026-01-01T00:00:00.000Z';
  return [
    { id: 'phone|dev_phone1', type: 'phone', phone_number: '+15555550100', preferred_authentication_method: 'sms', usage: ['secondary'], created_at },
    { id: 'totp|dev_totp1', type: 'totp', usage: ['secondary'], created_at },
    { id: 'passkey|dev_pk1', type: 'passkey', name: 'Laptop', usage: ['primary'], created_at },
  ];
}

/**
 * What the connect request asks for that is wrong, as validation errors (empty when none).
 * @param {any} body @param {string[]} redirectUris
 */
export function connectRequestErrors(body, redirectUris) {
  const errors = [];
  const text = (v) => typeof v === 'string' && v.length > 0;
  if (!text(body.connection) || !CONNECTIONS.includes(body.connection)) errors.push({ field: 'connection', detail: 'unknown connection' });
  if (!text(body.redirect_uri) || !redirectUris.includes(body.redirect_uri)) errors.push({ field: 'redirect_uri', detail: 'not an allowed callback URL' });
  if (!text(body.state)) errors.push({ field: 'state', detail: 'required' });
  if (!text(body.code_challenge)) errors.push({ field: 'code_challenge', detail: 'required' });
  if (body.code_challenge_method !== 'S256') errors.push({ field: 'code_challenge_method', detail: 'must be S256' });
  if (body.scopes !== undefined && !(Array.isArray(body.scopes) && body.scopes.every(text))) errors.push({ field: 'scopes', detail: 'must be a list of texts' });
  return errors;
}

/**
 * Why a `complete` request does not complete `session`, or '' when it does: the user, the
 * single-use connect code, the redirect URI and the PKCE verifier (S256).
 * @param {any} session @param {any} body @param {string} sub
 */
export function completeRefusal(session, body, sub) {
  if (!session || session.sub !== sub) return 'unknown auth_session';
  if (!session.connectCode || body.connect_code !== session.connectCode) return 'invalid connect_code';
  if (body.redirect_uri !== session.redirectUri) return 'redirect_uri does not match';
  if (typeof body.code_verifier !== 'string' || s256(body.code_verifier) !== session.codeChallenge) return 'invalid code_verifier';
  return '';
}

/**
 * The API for one tenant.
 * @param {{ provider: any, url: string, redirectUris: string[], allowedOrigins: Set<string> }} options
 */
export function createMyAccount({ provider, url, redirectUris, allowedOrigins }) {
  const audience = `${url}/me/`;
  /** auth_session -> pending connection */
  const sessions = new Map();
  /** ticket -> auth_session */
  const tickets = new Map();
  /** sub -> connected accounts */
  const accounts = new Map();
  /** sub -> authentication methods */
  const methods = new Map();
  /** auth_session -> pending enrollment */
  const enrollments = new Map();
  let requests = [];

  const methodsOf = (sub) => {
    if (!methods.has(sub)) methods.set(sub, seedMethods());
    return methods.get(sub);
  };

  function cors(ctx) {
    const origin = ctx.get('origin');
    if (origin && allowedOrigins.has(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.vary('Origin');
      ctx.set('Access-Control-Expose-Headers', 'location, dpop-nonce, www-authenticate');
    }
  }

  function send(ctx, { status, body }, headers = {}) {
    ctx.status = status;
    for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
    ctx.set('Cache-Control', 'no-store');
    if (body === undefined) {
      ctx.body = null;
      return;
    }
    ctx.type = status >= 400 ? 'application/problem+json' : 'application/json';
    ctx.body = JSON.stringify(body);
  }

  /** The access token's record when it may call with `scope`, else the problem to answer. */
  async function authorize(ctx, scope) {
    const m = /^(Bearer|DPoP) (\S+)$/.exec(ctx.get('authorization') || '');
    const at = m ? await provider.AccessToken.find(m[2]) : undefined;
    if (!at || at.isExpired) return { refused: problem(401, 'invalid or missing access token') };
    const bound = !!at.jkt;
    if (m[1] !== (bound ? 'DPoP' : 'Bearer')) return { refused: problem(401, 'wrong authorization scheme for this token') };
    if (bound) {
      const why = checkProof(ctx.get('dpop'), { method: ctx.method, url: `${url}${ctx.url}`, token: m[2], jkt: at.jkt });
      if (why) return { refused: problem(401, `invalid DPoP proof: ${why}`) };
    }
    const audiences = Array.isArray(at.aud) ? at.aud : [at.aud];
    if (!audiences.includes(audience)) return { refused: problem(401, `the access token is not for ${audience}`) };
    if (!String(at.scope || '').split(' ').includes(scope)) return { refused: problem(403, `insufficient scope: ${scope} is required`) };
    return { sub: at.accountId, scheme: m[1] };
  }

  async function jsonBody(ctx) {
    try {
      const parsed = JSON.parse(await readRawBody(ctx.req));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** The routes: [method, path pattern, scope, handler(ctx, sub, params) -> {status, body} ]. */
  const routes = [
    ['POST', /^\/me\/v1\/connected-accounts\/connect$/, 'create:me:connected_accounts', async (ctx, sub) => {
      const body = await jsonBody(ctx);
      if (!body) return problem(400, 'the body must be a JSON object');
      const errors = connectRequestErrors(body, redirectUris);
      if (errors.length) return problem(400, 'invalid connect request', errors);
      const authSession = random();
      const ticket = random();
      sessions.set(authSession, {
        sub, connection: body.connection, redirectUri: body.redirect_uri, state: body.state,
        codeChallenge: body.code_challenge, scopes: body.scopes || [], connectCode: undefined,
      });
      tickets.set(ticket, authSession);
      return { status: 201, body: { auth_session: authSession, connect_uri: `${url}${CONNECT_PAGE}`, connect_params: { ticket }, expires_in: 300 } };
    }],
    ['POST', /^\/me\/v1\/connected-accounts\/complete$/, 'create:me:connected_accounts', async (ctx, sub) => {
      const body = await jsonBody(ctx);
      if (!body) return problem(400, 'the body must be a JSON object');
      const session = sessions.get(body.auth_session);
      const why = completeRefusal(session, body, sub);
      if (why) return problem(400, why);
      sessions.delete(body.auth_session);
      const account = { id: `cac_${random()}`, connection: session.connection, access_type: 'offline', scopes: session.scopes, created_at: new Date().toISOString() };
      if (!accounts.has(sub)) accounts.set(sub, []);
      accounts.get(sub).push(account);
      return { status: 201, body: account };
    }],
    ['GET', /^\/me\/v1\/connected-accounts$/, 'read:me:connected_accounts', async (_ctx, sub) => ({ status: 200, body: { accounts: accounts.get(sub) || [] } })],
    ['GET', /^\/me\/v1\/factors$/, 'read:me:factors', async () => ({
      status: 200,
      body: { factors: [{ type: 'phone', usage: ['secondary'] }, { type: 'totp', usage: ['secondary'] }, { type: 'passkey', usage: ['primary'] }] },
    })],
    ['GET', /^\/me\/v1\/authentication-methods$/, 'read:me:authentication_methods', async (ctx, sub) => {
      const type = ctx.query.type;
      return { status: 200, body: { authentication_methods: methodsOf(sub).filter((m) => !type || m.type === type) } };
    }],
    ['POST', /^\/me\/v1\/authentication-methods$/, 'create:me:authentication_methods', async (ctx, sub) => {
      const body = await jsonBody(ctx);
      if (!body || body.type !== 'totp') return problem(400, 'invalid enrollment', [{ field: 'type', detail: 'only totp can be enrolled here' }]);
      const id = `totp|dev_${random().slice(0, 8)}`;
      const authSession = random();
      enrollments.set(authSession, { sub, id });
      return { status: 202, body: { auth_session: authSession, barcode_uri: 'otpauth://totp/tenant:alice?secret=JBSWY3DPEHPK3PXP', manual_input_code: 'JBSWY3DPEHPK3PXP' }, headers: { location: `${audience}v1/authentication-methods/${encodeURIComponent(id)}` } };
    }],
    ['POST', /^\/me\/v1\/authentication-methods\/([^/]+)\/verify$/, 'create:me:authentication_methods', async (ctx, sub, id) => {
      const body = await jsonBody(ctx);
      const pending = body && enrollments.get(body.auth_session);
      if (!pending || pending.sub !== sub || pending.id !== id) return problem(400, 'unknown auth_session');
      if (!/^\d{6}$/.test(String(body.otp_code || ''))) return problem(400, 'invalid otp_code', [{ field: 'otp_code', detail: 'six digits' }]);
      enrollments.delete(body.auth_session);
      const method = { id, type: 'totp', usage: ['secondary'], created_at: new Date().toISOString() };
      methodsOf(sub).push(method);
      return { status: 201, body: method };
    }],
    ['GET', /^\/me\/v1\/authentication-methods\/([^/]+)$/, 'read:me:authentication_methods', async (_ctx, sub, id) => {
      const method = methodsOf(sub).find((m) => m.id === id);
      return method ? { status: 200, body: method } : problem(404, 'authentication method not found');
    }],
    ['PATCH', /^\/me\/v1\/authentication-methods\/([^/]+)$/, 'update:me:authentication_methods', async (ctx, sub, id) => {
      const method = methodsOf(sub).find((m) => m.id === id);
      if (!method) return problem(404, 'authentication method not found');
      const body = await jsonBody(ctx);
      const unknown = Object.keys(body || {}).filter((k) => k !== 'name' && k !== 'preferred_authentication_method');
      if (!body || unknown.length) return problem(400, 'invalid update', unknown.map((field) => ({ field, detail: 'cannot be changed' })));
      Object.assign(method, body);
      return { status: 200, body: method };
    }],
    ['DELETE', /^\/me\/v1\/authentication-methods\/([^/]+)$/, 'delete:me:authentication_methods', async (_ctx, sub, id) => {
      const list = methodsOf(sub);
      const i = list.findIndex((m) => m.id === id);
      if (i < 0) return problem(404, 'authentication method not found');
      list.splice(i, 1);
      return { status: 204, body: undefined };
    }],
  ];

  /** The connection's consent step: back to the app at once, with a connect code or an error. */
  function connectPage(ctx) {
    const ticket = String(ctx.query.ticket || '');
    const authSession = tickets.get(ticket);
    tickets.delete(ticket);
    const session = authSession && sessions.get(authSession);
    if (!session) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Error</h1><p>Unknown or used ticket ${htmlEscape(ticket.slice(0, 8))}…</p>`);
      return;
    }
    const back = new URL(session.redirectUri);
    if (session.connection === 'refusing-idp') {
      sessions.delete(authSession);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user did not connect the account');
    } else {
      session.connectCode = random();
      back.searchParams.set('connect_code', session.connectCode);
    }
    back.searchParams.set('state', session.state);
    ctx.status = 302;
    ctx.redirect(back.href);
  }

  return {
    audience,
    /** Whether the request is this API's. */
    handles: (path) => path.startsWith('/me/') || path === CONNECT_PAGE,
    /** What it was asked (method, path, authorization scheme, status), for tests; no tokens. */
    requests: () => requests.map((r) => ({ ...r })),
    /** Forgets the requests and every user's connections, accounts and methods (tests). */
    reset() {
      requests = [];
      for (const m of [sessions, tickets, accounts, methods, enrollments]) m.clear();
    },
    /** Answers a request of this API (Koa context). */
    async handle(ctx) {
      if (ctx.path === CONNECT_PAGE && ctx.method === 'GET') return connectPage(ctx);
      cors(ctx);
      if (ctx.method === 'OPTIONS') return answerPreflight(ctx, 'GET, POST, PATCH, DELETE', 'authorization, content-type, dpop');
      const record = { method: ctx.method, path: ctx.path, scheme: (ctx.get('authorization') || '').split(' ')[0] || undefined };
      requests.push(record);
      let answer = problem(404, 'no such endpoint');
      for (const [method, pattern, scope, handler] of routes) {
        const match = pattern.exec(ctx.path);
        if (!match) continue;
        if (method !== ctx.method) { answer = problem(405, 'method not allowed'); continue; }
        const who = await authorize(ctx, scope);
        answer = who.refused || await handler(ctx, who.sub, match[1] === undefined ? undefined : decodeURIComponent(match[1]));
        break;
      }
      record.status = answer.status;
      const headers = { ...(answer.headers || {}) };
      if (answer.status === 401) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
      send(ctx, answer, headers);
      return undefined;
    },
  };
}
