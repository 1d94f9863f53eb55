#!/usr/bin/env node
// Local Auth0-compatible authorization server ("the local tenant").
//
// Why: the demo, the browser end-to-end tests and the benchmark need a real OpenID Connect
// server that speaks Auth0's URL layout (/authorize, /oauth/token, /v2/logout, ...) on the
// loopback interface, with test hooks for statistics and fault injection. It is built on the
// certified npm package `oidc-provider` (9.x), not a hand-rolled mock, so refresh-token
// rotation, reuse detection, PKCE, web_message and CORS behave like a real server.
// See tenant/README.md and docs/security-cases.md §3.
//
// Library:  const t = await startTenant({ port: 0, spa: 'http://127.0.0.1:3000' }); ... await t.stop();
// CLI:      node tenant/server.mjs --port 3001 --spa http://127.0.0.1:3000
//           prints exactly one JSON line on stdout: {"ready":true,"url":...}

import crypto from 'node:crypto';
import { realpathSync } from 'node:fs';
import http from 'node:http';
import querystring from 'node:querystring';
import { fileURLToPath } from 'node:url';
export { EXTERNAL_TOKEN_TYPE, TOKEN_EXCHANGE } from './provider.mjs';
import { parseArgs, USAGE } from './args.mjs';
import { createFaults, createResponseFaults, targetOf } from './faults.mjs';
import { createInteractions } from './interaction.mjs';
import { createLogout } from './logout.mjs';
import { createMfa, registerMfaGrants } from './mfa.mjs';
import { createPasskeys, registerPasskeyGrant } from './passkey.mjs';
import { createReuseInterval } from './reuse.mjs';
import { bump, newStats } from './stats.mjs';
import { createProvider, registerTokenExchange } from './provider.mjs';
import { createMyAccount, MY_ACCOUNT_SCOPES } from './my-account.mjs';
import { createAnonymous } from './anonymous.mjs';
import { createStore } from './store.mjs';
import { answerPreflight, nowSeconds, page, readRawBody, sleep, toArray, withLoopbackTwins } from './util.mjs';

/** Default test user (Auth0-style `sub`). The picture is a data: URL so nothing is fetched. */
export const DEFAULT_USER = Object.freeze({
  sub: 'auth0|alice',
  name: 'Alice Example',
  nickname: 'alice',
  given_name: 'Alice',
  family_name: 'Example',
  email: 'alice@example.com',
  email_verified: true,
  picture: 'data:image/svg+xml;base64,'
    + Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle cx="16" cy="16" r="16" fill="#6a5acd"/></svg>').toString('base64'),
});

/** Default password of the test user on the login form. */
export const DEFAULT_PASSWORD = 'password';

const HOOK_PREFIX = '/__tenant/';



/**
 * Starts the local tenant. Resolves once it listens on 127.0.0.1.
 *
 * @param {object} [options]
 * @param {number} [options.port=0]              0 = any free port
 * @param {string|string[]} [options.spa]        SPA origin(s) allowed for CORS; default http://127.0.0.1:3000
 * @param {string} [options.clientId='spa-test']
 * @param {string[]} [options.extraClientIds]    more public clients with the same URIs (multi-client tests)
 * @param {string[]} [options.redirectUris]      exact redirect URIs (default: each SPA origin, origin + '/', origin + '/callback', both loopback names)
 * @param {string[]} [options.postLogoutRedirectUris] exact post-logout URIs (default: each SPA origin and origin + '/', both loopback names)
 * @param {number} [options.accessTokenTtl=60]   seconds
 * @param {number} [options.idTokenTtl=3600]     seconds
 * @param {number} [options.refreshTokenTtl=86400] seconds (absolute; rotated SPA tokens keep the remaining lifetime)
 * @param {boolean} [options.rotation=true]      false = reusable refresh tokens (Auth0 rotation_type "non-rotating")
 * @param {number} [options.reuseInterval=0]   seconds during which the previous refresh token may be reused (Auth0 overlap period)
 * @param {boolean} [options.autoLogin=false]    log in as the test user without showing the form
 * @param {boolean} [options.revokeOnLogout=false] /v2/logout also revokes the session's grants (Auth0 does not)
 * @param {boolean} [options.jsonBody=true]      accept application/json bodies on /oauth/token and /oauth/revoke (Auth0 does)
 * @param {boolean} [options.auth0ErrorText=false] rewrite refresh invalid_grant description to Auth0's text
 * @param {boolean} [options.staleAccessTokens=false] token responses say `expires_in: 0`, so no SDK serves a
 *   cached access token and every getTokenSilently() renews (the tokens themselves keep accessTokenTtl)
 * @param {boolean|'nonce'} [options.dpop=true] DPoP proofs accepted (oidc-provider default); 'nonce' also requires server nonces; false disables
 * @param {string} [options.issuerHost='127.0.0.1'] host name in the issuer ('localhost' for the cross-site scenario)
 * @param {object} [options.user]                claims overriding the default test user
 * @param {string} [options.password='password']
 * @param {boolean} [options.log=false]          log provider events to stderr
 */
export async function startTenant(options = {}) {
  const { Provider } = await import('oidc-provider');

  const cfg = {
    accessTokenTtl: options.accessTokenTtl ?? 60,
    idTokenTtl: options.idTokenTtl ?? 3600,
    refreshTokenTtl: options.refreshTokenTtl ?? 86400,
    rotation: options.rotation ?? true,
    autoLogin: options.autoLogin ?? false,
    revokeOnLogout: options.revokeOnLogout ?? false,
    jsonBody: options.jsonBody ?? true,
    auth0ErrorText: options.auth0ErrorText ?? false,
    reuseInterval: options.reuseInterval ?? 0,
    staleAccessTokens: options.staleAccessTokens ?? false,
  };
  for (const k of ['accessTokenTtl', 'idTokenTtl', 'refreshTokenTtl']) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0) throw new TypeError(`${k} must be a positive integer (seconds)`);
  }
  if (!Number.isInteger(cfg.reuseInterval) || cfg.reuseInterval < 0) throw new TypeError('reuseInterval must be an integer >= 0 (seconds)');

  const user = { ...DEFAULT_USER, ...(options.user || {}) };
  const password = options.password ?? DEFAULT_PASSWORD;
  const log = options.log ? (...a) => console.error('[tenant]', ...a) : () => {};

  const spaOrigins = withLoopbackTwins(toArray(options.spa ?? 'http://127.0.0.1:3000').map((o) => new URL(o).origin));
  const allowedOrigins = new Set(spaOrigins);
  const redirectUris = options.redirectUris
    ? [...options.redirectUris]
    : withLoopbackTwins(spaOrigins.flatMap((o) => [o, `${o}/`, `${o}/callback`]));
  const postLogoutRedirectUris = options.postLogoutRedirectUris
    ? [...options.postLogoutRedirectUris]
    : withLoopbackTwins(spaOrigins.flatMap((o) => [o, `${o}/`]));
  const clientId = options.clientId ?? 'spa-test';
  const clientIds = [clientId, ...toArray(options.extraClientIds)];

  // One RSA key per run, so ID tokens are RS256 with a stable kid while the process lives.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const kid = crypto.createHash('sha256').update(privateJwk.n).digest('base64url').slice(0, 16);
  const signingJwk = { ...privateJwk, kid, alg: 'RS256', use: 'sig' };

  let stats = newStats();
  const faults = createFaults(() => { stats.faultsApplied += 1; });
  let stopped = false;

  // ---- HTTP server first, so port 0 can be resolved before the issuer is fixed. ----
  let handler;
  const server = http.createServer((req, res) => {
    if (handler) handler(req, res);
    else { res.statusCode = 503; res.end(); }
  });
  server.keepAliveTimeout = 2000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address();
  const issuerHost = options.issuerHost ?? '127.0.0.1';
  const url = `http://${issuerHost}:${port}`;
  const issuer = `${url}/`; // Auth0 issuers end with '/' (auth0-spa-js checks `${domainUrl}/`).

  // DPoP: oidc-provider 9 accepts proofs by default (bound tokens when a proof is sent, plain Bearer otherwise).
  const dpop = options.dpop === 'nonce' ? 'nonce' : !(options.dpop === false || options.dpop === 'false');

  const store = createStore();
  const adapters = new Map();
  const adapterFor = (model) => {
    if (!adapters.has(model)) adapters.set(model, new store.TenantAdapter(model));
    return adapters.get(model);
  };

  // Auth0's MFA API (tenant/mfa.mjs): /mfa/*, the MFA grants, the mfa_required answers.
  const mfa = createMfa({ user, clientIds, setCors, sendJson });
  // Auth0's passkeys (tenant/passkey.mjs): /passkey/register, /passkey/challenge, the webauthn grant.
  const passkeys = createPasskeys({ clientIds, allowedOrigins, existing: user, setCors, sendJson });

  let provider;
  try {
    provider = createProvider(Provider, {
      issuer, adapter: adapterFor, clientIds, redirectUris, postLogoutRedirectUris, signingJwk, user, cfg, allowedOrigins, dpop,
      myAccount: { audience: `${url}/me/`, scopes: MY_ACCOUNT_SCOPES },
      otherUser: (sub) => passkeys.user(sub),
    });
    registerTokenExchange(provider, { user, record: (entry) => stats.tokenExchanges.push(entry) });
    registerMfaGrants(provider, { mfa, user });
    registerPasskeyGrant(provider, { passkeys });
    // Client metadata is validated lazily by oidc-provider; fail at start-up instead of at the first request.
    for (const id of clientIds) {
      if (!await provider.Client.find(id)) throw new Error(`client ${id} could not be loaded`);
    }
  } catch (err) {
    server.close();
    throw err;
  }


  // ---- events -> stats ----
  provider.on('grant.error', (ctx, err) => {
    bump(stats.grantErrors, err.error_detail || err.error || err.message);
    if (err.error_detail === 'refresh token already used') stats.refreshTokenReuse += 1;
    log('grant.error', err.error, err.error_detail);
  });
  provider.on('grant.revoked', (_ctx, grantId) => { stats.grantsRevoked += 1; log('grant.revoked', grantId); });
  provider.on('end_session.success', () => { stats.endSession += 1; });
  provider.on('server_error', (_ctx, err) => { console.error('[tenant] server_error', err); });
  for (const ev of ['authorization.error', 'userinfo.error', 'revocation.error', 'end_session.error', 'end_session_confirm.error']) {
    provider.on(ev, (_ctx, err) => log(ev, err.error, err.error_detail || err.error_description));
  }

  // ---- helpers ----
  function setCors(ctx) {
    const origin = ctx.get('origin');
    if (origin && allowedOrigins.has(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.vary('Origin');
    }
  }

  const responseFaults = createResponseFaults({ privateKey, setCors });
  const { hang, answerUnprocessed, applyResponseFault } = responseFaults;

  function sendJson(ctx, status, body) {
    ctx.status = status;
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = JSON.stringify(body);
  }

  /** A request's JSON body, or undefined when it is not JSON. */
  async function readJson(ctx) {
    try { return JSON.parse(await readRawBody(ctx.req)); } catch { return undefined; }
  }

  function recordRequest(entry) {
    stats.requests.push(entry);
    if (stats.requests.length > 200) stats.requests.splice(0, stats.requests.length - 200);
  }

  const reuse = createReuseInterval({ provider, adapterFor, cfg, onReuse: () => { stats.reuseWithinInterval += 1; } });

  const interactions = createInteractions({ provider, cfg, user, password, onLogin: () => { stats.logins += 1; } });
  const { v2Logout } = createLogout({
    provider, cfg, postLogoutRedirectUris,
    onLogout: () => { stats.logout += 1; },
    onGrantRevoked: () => { stats.grantsRevoked += 1; },
  });

  // ---- test hooks ----
  async function hookRoutes(ctx) {
    setCors(ctx);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'OPTIONS') return answerPreflight(ctx, 'GET, POST, DELETE', 'content-type');
    const route = ctx.path.slice(HOOK_PREFIX.length);
    let body;
    if (ctx.method === 'POST') {
      const raw = await readRawBody(ctx.req);
      try { body = raw ? JSON.parse(raw) : {}; } catch { return sendJson(ctx, 400, { error: 'invalid_json' }); }
    }
    try {
      switch (`${ctx.method} ${route}`) {
        case 'GET health': return sendJson(ctx, 200, { ok: true, issuer });
        case 'GET stats': return sendJson(ctx, 200, api.stats());
        case 'POST reset-stats': api.resetStats(); return sendJson(ctx, 200, { ok: true });
        case 'GET faults': return sendJson(ctx, 200, { faults: faults.list() });
        case 'POST faults': {
          const list = Array.isArray(body) ? body : (Array.isArray(body.faults) ? body.faults : [body]);
          if (body.replace) api.setFaults(list.filter((f) => f.target)); else list.forEach((f) => api.addFault(f));
          return sendJson(ctx, 200, { ok: true, faults: faults.list() });
        }
        case 'DELETE faults':
        case 'POST faults/clear': api.clearFaults(); return sendJson(ctx, 200, { ok: true });
        case 'POST reset': api.resetStats(); api.clearFaults(); return sendJson(ctx, 200, { ok: true });
        case 'POST mfa/require': return sendJson(ctx, 200, api.requireMfa(body));
        case 'GET mfa': return sendJson(ctx, 200, mfa.state());
        case 'GET config': return sendJson(ctx, 200, api.config());
        case 'POST config': return sendJson(ctx, 200, api.configure(body));
        default: return sendJson(ctx, 404, { error: 'not_found' });
      }
    } catch (err) {
      return sendJson(ctx, 400, { error: 'invalid_request', error_description: err.message });
    }
  }

  // ---- pre-processing of token/revocation bodies ----
  // Auth0 accepts JSON bodies at /oauth/token and /oauth/revoke; oidc-provider only accepts forms.
  // The body is read here (also to learn grant_type for stats and fault filters) and handed to the
  // provider as an already-parsed object (oidc-provider warns once about that; harmless).
  async function preparseBody(ctx) {
    const type = ctx.request.type;
    const kind = type === 'application/x-www-form-urlencoded' ? 'form' : (type === 'application/json' ? 'json' : (type || 'none'));
    if (kind !== 'form' && !(kind === 'json' && cfg.jsonBody)) return { kind, params: undefined };
    const raw = await readRawBody(ctx.req);
    let params;
    if (kind === 'form') {
      params = querystring.parse(raw);
    } else {
      let parsed;
      try { parsed = JSON.parse(raw); } catch { parsed = undefined; }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return { kind, params: undefined, invalid: true };
      }
      params = {};
      for (const [k, v] of Object.entries(parsed)) {
        if (v === undefined || v === null) continue;
        params[k] = typeof v === 'string' ? v : (typeof v === 'object' ? JSON.stringify(v) : String(v));
      }
    }
    ctx.req.body = params;
    ctx.request.headers['content-type'] = 'application/x-www-form-urlencoded';
    return { kind, params };
  }

  const myAccount = createMyAccount({ provider, url, redirectUris, allowedOrigins });
  // Auth0's anonymous sessions (tenant/anonymous.mjs): /anonymous/token, /anonymous/logout.
  const anonymous = createAnonymous({ issuer, privateKey, kid, clientIds, allowedOrigins });

  // ---- the middleware that makes oidc-provider look like an Auth0 tenant ----
  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith(HOOK_PREFIX)) return hookRoutes(ctx);
    if (myAccount.handles(ctx.path)) return myAccount.handle(ctx);
    if (anonymous.handles(ctx.path)) return anonymous.handle(ctx);
    if (ctx.path === '/v2/logout' && ctx.method === 'GET') return v2Logout(ctx);
    if (await mfa.handle(ctx, readJson)) return undefined;
    if (await passkeys.handle(ctx, readJson)) return undefined;
    if (ctx.path.startsWith('/interaction/')) {
      if (await interactions.handle(ctx)) return undefined;
    }

    const target = targetOf(ctx.path);
    const started = Date.now();
    const entry = { t: new Date(started).toISOString(), method: ctx.method, path: ctx.path, origin: ctx.get('origin') || undefined };

    if (target === 'authorize' && (ctx.method === 'GET' || ctx.method === 'POST')) {
      const q = ctx.method === 'GET' ? ctx.query : {};
      // Auth0's `audience` of the My Account API is a resource indicator here (tenant/provider.mjs).
      if (q.audience === myAccount.audience && q.resource === undefined) ctx.query = { ...q, resource: q.audience };
      stats.authorize.total += 1;
      bump(stats.authorize.byPrompt, q.prompt ?? 'default');
      bump(stats.authorize.byResponseMode, q.response_mode ?? 'default');
      entry.prompt = q.prompt; entry.responseMode = q.response_mode;
      // A login that links an anonymous session (auth0-spa-js 2.28): the transfer token is used up.
      if (typeof q.anon_transfer_token === 'string') entry.anonTransfer = anonymous.consumeTransfer(q.anon_transfer_token).valid;
      const scope = typeof q.scope === 'string' ? q.scope.split(' ') : [];
      const prompts = typeof q.prompt === 'string' ? q.prompt.split(' ') : [];
      ctx.state.tenantWantsOfflineAccess = scope.includes('offline_access') && !prompts.includes('consent')
        && typeof q.response_type === 'string' && q.response_type.includes('code');
      const fault = faults.take('authorize', { prompt: q.prompt, responseMode: q.response_mode });
      if (fault) {
        entry.fault = true;
        if (fault.delayMs) await sleep(fault.delayMs);
        if (fault.hang) { await hang(ctx); recordRequest(entry); return undefined; }
        if (fault.swallow) {
          // The page loads but never posts an authorization_response (silent auth must time out).
          ctx.status = 200; ctx.type = 'html'; ctx.body = page('Please wait', '<p>...</p>');
          recordRequest({ ...entry, status: 200 });
          return undefined;
        }
        if (fault.status !== undefined || fault.body !== undefined) {
          ctx.status = fault.status ?? 200;
          ctx.type = fault.contentType || 'html';
          ctx.body = fault.body ?? '';
          recordRequest({ ...entry, status: ctx.status });
          return undefined;
        }
      }
      await next();
      // Keep offline_access in a pending interaction's parameters too (it resumes without re-checking scope).
      const interaction = ctx.oidc?.entities?.Interaction;
      if (ctx.state.tenantWantsOfflineAccess && interaction && interaction.params
        && !String(interaction.params.scope || '').split(' ').includes('offline_access')) {
        interaction.params.scope = `${interaction.params.scope || ''} offline_access`.trim();
        await interaction.save(Math.max(1, interaction.exp - nowSeconds()));
      }
      recordRequest({ ...entry, status: ctx.status });
      return undefined;
    }

    if ((target === 'token' || target === 'revoke') && ctx.method === 'POST') {
      let parsed;
      try {
        parsed = await preparseBody(ctx);
      } catch (err) {
        setCors(ctx);
        return sendJson(ctx, 400, { error: 'invalid_request', error_description: err.message });
      }
      const grantType = parsed.params && typeof parsed.params.grant_type === 'string' ? parsed.params.grant_type : undefined;
      if (target === 'token') {
        stats.token.total += 1;
        bump(stats.token.byGrantType, grantType);
        bump(stats.token.byContentType, parsed.kind);
        entry.grantType = grantType;
        // Multi-Resource Refresh Token requests name the audience and scope they want.
        if (parsed.params && typeof parsed.params.audience === 'string') entry.audience = parsed.params.audience;
        if (parsed.params && typeof parsed.params.scope === 'string' && grantType === 'refresh_token') entry.scope = parsed.params.scope;
      } else {
        stats.revocation += 1;
      }
      entry.contentType = parsed.kind;
      if (parsed.invalid) {
        setCors(ctx);
        sendJson(ctx, 400, { error: 'invalid_request', error_description: 'failed to parse the request body' });
        if (target === 'token') bump(stats.token.byStatus, 400);
        recordRequest({ ...entry, status: 400 });
        return undefined;
      }
      const fault = faults.take(target, { grantType });
      if (fault) entry.fault = true;
      if (fault && fault.process === false) {
        await answerUnprocessed(ctx, fault);
      } else {
        // With an overlap period, requests presenting the same refresh token are serialised so the
        // second one sees the first one's rotation (otherwise the race itself would trip reuse detection).
        const overlap = target === 'token' && grantType === 'refresh_token' && cfg.reuseInterval > 0 && cfg.rotation
          && typeof parsed.params.refresh_token === 'string';
        const run = async () => {
          if (overlap) await reuse.allowReuseWithinInterval(parsed.params.refresh_token);
          await next();
          const issuedRt = ctx.oidc?.entities?.RefreshToken;
          const rotatedRt = ctx.oidc?.entities?.RotatedRefreshToken;
          if (target === 'token' && ctx.status === 200 && issuedRt?.jti && issuedRt.grantId) {
            reuse.recordRotation(issuedRt.grantId, issuedRt.jti, rotatedRt?.jti);
          }
        };
        if (overlap) await reuse.withLock(`rt:${parsed.params.refresh_token}`, run);
        else await run();
        if (target === 'token' && cfg.auth0ErrorText && grantType === 'refresh_token' && ctx.status === 400
          && ctx.body && ctx.body.error === 'invalid_grant') {
          ctx.body = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };
        }
        // An Online Refresh Token is not rotated, and Auth0 then sends no refresh_token at all.
        if (target === 'token' && grantType === 'refresh_token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object'
          && !Buffer.isBuffer(ctx.body) && ctx.body.refresh_token === parsed.params.refresh_token
          && String(ctx.body.scope || '').split(' ').includes('online_access')) {
          const { refresh_token: _same, ...rest } = ctx.body;
          ctx.body = rest;
        }
        if (target === 'token' && cfg.staleAccessTokens && ctx.status === 200 && ctx.body && typeof ctx.body === 'object'
          && !Buffer.isBuffer(ctx.body) && 'expires_in' in ctx.body) {
          ctx.body = { ...ctx.body, expires_in: 0 };
        }
        if (fault) await applyResponseFault(ctx, fault);
      }
      if (target === 'token') bump(stats.token.byStatus, ctx.status);
      recordRequest({ ...entry, status: ctx.status });
      return undefined;
    }

    if (target && ctx.method !== 'OPTIONS') {
      if (target === 'userinfo') stats.userinfo += 1;
      if (target === 'jwks') stats.jwks += 1;
      if (target === 'discovery') stats.discovery += 1;
      const fault = faults.take(target, {});
      if (fault && fault.process === false) {
        await answerUnprocessed(ctx, fault);
      } else {
        await next();
        if (fault) await applyResponseFault(ctx, fault);
      }
      recordRequest({ ...entry, status: ctx.status, fault: fault ? true : undefined });
      return undefined;
    }

    return next();
  });

  const callback = provider.callback();
  handler = (req, res) => {
    if (stopped) { res.statusCode = 503; res.end(); return; }
    callback(req, res);
  };

  const api = {
    /** Base URL without trailing slash, e.g. http://127.0.0.1:3001 (the SDK's `domain` is its host:port). */
    url,
    /** Issuer with trailing slash, as in ID tokens and discovery. */
    issuer,
    port,
    /** What an auth0-spa-js `domain` option takes: the full http:// URL (a bare host would become https://). */
    domain: url,
    clientId,
    clientIds,
    redirectUris,
    postLogoutRedirectUris,
    spaOrigins,
    user: { ...user },
    password,
    provider,
    /** The My Account API emulation (tenant/my-account.mjs): `audience`, `requests()`, `reset()`. */
    myAccount,
    /** The anonymous-session emulation (tenant/anonymous.mjs): `events()`, `verify(token)`, `fail(...)`, `configure()`, `reset()`. */
    anonymous,
    /** Counters and the last 200 requests (no secrets). */
    stats() { return { ...JSON.parse(JSON.stringify(stats)), storeEntries: store.size() }; },
    resetStats() { stats = newStats(); },
    /** Replaces all fault rules (array or single rule); [] clears. */
    setFaults(list) { faults.replace(toArray(list)); return api.faults(); },
    /** Adds one fault rule. */
    addFault(rule) { faults.add(rule); return api.faults(); },
    clearFaults() { faults.clear(); },
    faults() { return faults.list(); },
    config() { return { ...cfg }; },
    /**
     * Makes the next `count` (default 1) token requests of `grantType` (default refresh_token)
     * answer 403 `mfa_required` with a fresh mfa_token (tenant/mfa.mjs) for `scope`, `audience`
     * and `requirements`; returns `{ mfa_token }`. The request is not processed (no rotation).
     */
    requireMfa({ count = 1, grantType = 'refresh_token', scope, audience, requirements, ttlMs } = {}) {
      const token = mfa.issue({ scope, audience, requirements, ttlMs });
      faults.add({ target: 'token', grantType, count, process: false, status: 403, body: mfa.requiredAnswer(token) });
      return { mfa_token: token };
    },
    /** The MFA emulation's state: the OTP secret, recovery code, authenticators, codes sent, events. */
    mfaState() { return mfa.state(); },
    /** The passkey emulation (tenant/passkey.mjs): `state()`, `failNext({ route, status, body })`. */
    passkeys,
    /** Changes runtime settings: accessTokenTtl, idTokenTtl, refreshTokenTtl, rotation, autoLogin, revokeOnLogout, jsonBody, auth0ErrorText, staleAccessTokens. */
    configure(patch = {}) {
      for (const [k, v] of Object.entries(patch)) {
        if (!Object.hasOwn(cfg, k)) throw new TypeError(`unknown setting ${k}`);
        if (k === 'reuseInterval' && !(Number.isInteger(v) && v >= 0)) throw new TypeError(`${k} must be an integer >= 0`);
        if (k !== 'reuseInterval' && typeof cfg[k] === 'number' && !(Number.isInteger(v) && v > 0)) throw new TypeError(`${k} must be a positive integer`);
        if (typeof cfg[k] === 'boolean' && typeof v !== 'boolean') throw new TypeError(`${k} must be a boolean`);
        cfg[k] = v;
      }
      return { ...cfg };
    },
    /** Public JWK of the signing key (for tests verifying signatures). */
    publicJwk: { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e, kid, alg: 'RS256', use: 'sig' },
    /** Stops listening, drops open connections and releases hung requests. */
    async stop() {
      if (stopped) return;
      stopped = true;
      responseFaults.releaseHanging();
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return api;
}

// ---- CLI ----
async function main() {
  // oidc-provider prints notices with console.info; stdout is reserved for the ready line.
  console.info = (...a) => console.error(...a);
  console.log = (...a) => console.error(...a);
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(String(err.message || err));
    process.exit(2);
  }
  if (opts.help) {
    console.error(USAGE);
    process.exit(0);
  }
  const tenant = await startTenant(opts);
  process.stdout.write(`${JSON.stringify({
    ready: true, url: tenant.url, issuer: tenant.issuer, port: tenant.port, domain: tenant.domain, clientId: tenant.clientId,
  })}\n`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 3000);
    force.unref();
    await tenant.stop();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

if (isMain()) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

export default startTenant;
