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

/** Fault targets and the request path each one matches. */
const FAULT_TARGETS = {
  authorize: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  revoke: '/oauth/revoke',
  jwks: '/.well-known/jwks.json',
  discovery: '/.well-known/openid-configuration',
  logout: '/v2/logout',
};

const HOOK_PREFIX = '/__tenant/';

/** RFC 8693 token exchange, and the subject-token type of the tenant's test "external IdP". */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const EXTERNAL_TOKEN_TYPE = 'urn:test:external-token';
const BODY_LIMIT = 56 * 1024;

function sleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

function htmlEscape(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title, body, script) {
  // Self-contained pages: no external fonts, styles or scripts (the tenant must make no request off the machine).
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26em;margin:3em auto;padding:0 1em}input{display:block;width:100%;margin:.3em 0 1em;padding:.4em;box-sizing:border-box}button{padding:.5em 1em;margin-right:.5em}.err{color:#b00020}pre{white-space:pre-wrap;word-break:break-word}</style>
</head>
<body>
${body}
${script ? `<script>${script}</script>` : ''}
</body>
</html>`;
}

/** Origins of a URL list, plus the 127.0.0.1 <-> localhost twin of each. */
function withLoopbackTwins(urls) {
  const out = [];
  for (const u of urls) {
    out.push(u);
    if (u.includes('://127.0.0.1')) out.push(u.replace('://127.0.0.1', '://localhost'));
    else if (u.includes('://localhost')) out.push(u.replace('://localhost', '://127.0.0.1'));
  }
  return [...new Set(out)];
}

function toArray(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** Resolves `{"$now": n}` (seconds relative to now) inside a claim patch, so tests can express exp/iat in JSON. */
function resolvePatchValue(value) {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof value.$now === 'number') {
    return nowSeconds() + value.$now;
  }
  return value;
}

function applyPatch(target, patch) {
  for (const [key, value] of Object.entries(patch || {})) {
    if (value === null) delete target[key];
    else target[key] = resolvePatchValue(value);
  }
  return target;
}

function b64urlJson(obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

async function readRawBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Tenant-local in-memory storage for oidc-provider models. Replaces the package's development
 * adapter, whose store is process-global and capped at 1000 entries (a long benchmark could evict a
 * live session or grant). Entries expire by TTL; nothing is evicted by count.
 */
function createStore() {
  const entries = new Map(); // `${model}:${id}` -> { payload, expiresAt }
  const uidIndex = new Map(); // session uid -> id
  const grantIndex = new Map(); // grantId -> Set of keys
  let ops = 0;

  function alive(key) {
    const e = entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) { remove(key); return undefined; }
    return e;
  }

  function remove(key) {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    const { payload } = e;
    if (payload.uid && uidIndex.get(payload.uid) === key) uidIndex.delete(payload.uid);
    if (payload.grantId) grantIndex.get(payload.grantId)?.delete(key);
  }

  function sweep() {
    ops += 1;
    if (ops % 500 !== 0) return;
    const now = Date.now();
    for (const [key, e] of entries) if (e.expiresAt <= now) remove(key);
    for (const [g, set] of grantIndex) if (set.size === 0) grantIndex.delete(g);
  }

  class TenantAdapter {
    constructor(model) { this.model = model; }

    key(id) { return `${this.model}:${id}`; }

    async upsert(id, payload, expiresIn) {
      sweep();
      const key = this.key(id);
      remove(key);
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + (expiresIn + 15) * 1000 : Infinity;
      entries.set(key, { payload, expiresAt });
      if (this.model === 'Session' && payload.uid) uidIndex.set(payload.uid, key);
      if (payload.grantId) {
        if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
        grantIndex.get(payload.grantId).add(key);
      }
    }

    async find(id) { return alive(this.key(id))?.payload; }

    async findByUid(uid) {
      const key = uidIndex.get(uid);
      return key ? alive(key)?.payload : undefined;
    }

    async findByUserCode() { return undefined; }

    async consume(id) {
      const e = alive(this.key(id));
      if (e) e.payload.consumed = nowSeconds();
    }

    /** Not part of the adapter interface: undoes consume() (used by the reuse-interval emulation). */
    unconsume(id) {
      const e = alive(this.key(id));
      if (e) delete e.payload.consumed;
    }

    async destroy(id) { remove(this.key(id)); }

    async revokeByGrantId(grantId) {
      const keys = grantIndex.get(grantId);
      if (!keys) return;
      for (const key of [...keys]) remove(key);
      grantIndex.delete(grantId);
    }
  }

  return { TenantAdapter, size: () => entries.size };
}

function newStats() {
  return {
    startedAt: new Date().toISOString(),
    authorize: { total: 0, byPrompt: {}, byResponseMode: {} },
    token: { total: 0, byGrantType: {}, byStatus: {}, byContentType: {} },
    refreshTokenReuse: 0,
    reuseWithinInterval: 0,
    grantErrors: {},
    grantsRevoked: 0,
    logins: 0,
    logout: 0,
    endSession: 0,
    revocation: 0,
    tokenExchanges: [],
    userinfo: 0,
    jwks: 0,
    discovery: 0,
    faultsApplied: 0,
    requests: [],
  };
}

function bump(map, key) {
  const k = key === undefined || key === null || key === '' ? 'unknown' : String(key);
  map[k] = (map[k] || 0) + 1;
}

function parseArgs(argv) {
  const opts = {};
  const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : undefined;
    if (!name) throw new Error(`unexpected argument ${arg}`);
    const next = () => {
      if (eq !== -1) return arg.slice(eq + 1);
      i += 1;
      if (i >= argv.length) throw new Error(`--${name} needs a value`);
      return argv[i];
    };
    switch (name) {
      case 'port': opts.port = Number(next()); break;
      case 'spa': opts.spa = [...toArray(opts.spa), ...list(next())]; break;
      case 'client-id': opts.clientId = next(); break;
      case 'extra-client-ids': opts.extraClientIds = list(next()); break;
      case 'redirect-uris': opts.redirectUris = list(next()); break;
      case 'post-logout-uris': opts.postLogoutRedirectUris = list(next()); break;
      case 'access-token-ttl': opts.accessTokenTtl = Number(next()); break;
      case 'refresh-token-ttl': opts.refreshTokenTtl = Number(next()); break;
      case 'id-token-ttl': opts.idTokenTtl = Number(next()); break;
      case 'issuer-host': opts.issuerHost = next(); break;
      case 'no-rotation': opts.rotation = false; break;
      case 'reuse-interval': opts.reuseInterval = Number(next()); break;
      case 'rotation': opts.rotation = next() !== 'false'; break;
      case 'auto-login': opts.autoLogin = true; break;
      case 'no-auto-login': opts.autoLogin = false; break;
      case 'revoke-on-logout': opts.revokeOnLogout = true; break;
      case 'no-json-body': opts.jsonBody = false; break;
      case 'auth0-error-text': opts.auth0ErrorText = true; break;
      case 'dpop': opts.dpop = next(); break;
      case 'log': opts.log = true; break;
      case 'help':
        opts.help = true; break;
      default: throw new Error(`unknown option --${name}`);
    }
  }
  return opts;
}

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
  let faults = [];
  const hanging = new Set();
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

  // ---- custom token exchange (RFC 8693, as Auth0's Custom Token Exchange uses it) ----
  // The tenant's "external identity provider": a subject token `external:{sub}` of type
  // EXTERNAL_TOKEN_TYPE vouches for that user; anything else is invalid_grant. The answer is an
  // access token and an ID token for the user (and a refresh token with offline_access). The
  // types of the request are recorded in stats.tokenExchanges (never the tokens).
  function registerTokenExchange() {
  provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
    const p = ctx.oidc.params;
    stats.tokenExchanges.push({ subjectTokenType: p.subject_token_type, actorTokenType: p.actor_token_type, hasActor: !!p.actor_token, audience: p.audience, scope: p.scope, organization: p.organization });
    const sub = typeof p.subject_token === 'string' && p.subject_token.startsWith('external:') ? p.subject_token.slice('external:'.length) : undefined;
    if (p.subject_token_type !== EXTERNAL_TOKEN_TYPE || sub !== user.sub) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: 'the subject token is not valid' };
      return;
    }
    const client = ctx.oidc.client;
    const scope = [...new Set(String(p.scope || 'openid').split(' ').filter((s) => ['openid', 'profile', 'email', 'offline_access'].includes(s)))].join(' ');
    const grant = new provider.Grant({ accountId: sub, clientId: client.clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const at = new provider.AccessToken({ accountId: sub, client, grantId, gty: 'token_exchange', scope });
    if (p.actor_token) at.extra = { act: { sub: String(p.actor_token) } };
    const accessToken = await at.save();
    const idToken = new provider.IdToken({ ...user, sub }, { ctx });
    idToken.scope = scope;
    const body = { access_token: accessToken, token_type: 'Bearer', expires_in: at.expiration, id_token: await idToken.issue({ use: 'idtoken' }), scope };
    if (scope.split(' ').includes('offline_access')) {
      const rt = new provider.RefreshToken({ accountId: sub, client, grantId, gty: 'token_exchange', scope });
      body.refresh_token = await rt.save();
    }
    ctx.body = body;
  }, ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'audience', 'scope', 'organization']);
  }

  let provider;
  try {
    provider = createProvider();
    registerTokenExchange();
    // Client metadata is validated lazily by oidc-provider; fail at start-up instead of at the first request.
    for (const id of clientIds) {
      if (!await provider.Client.find(id)) throw new Error(`client ${id} could not be loaded`);
    }
  } catch (err) {
    server.close();
    throw err;
  }

  function createProvider() {
    return new Provider(issuer, {
    adapter: adapterFor,
    clients: clientIds.map((id) => ({
      client_id: id,
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
      response_types: ['code'],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris,
      id_token_signed_response_alg: 'RS256',
    })),
    jwks: { keys: [signingJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      end_session: '/oidc/logout',
      revocation: '/oauth/revoke',
      jwks: '/.well-known/jwks.json',
      userinfo: '/userinfo',
      introspection: '/oauth/introspect',
      registration: '/oidc/register',
      pushed_authorization_request: '/oauth/par',
      device_authorization: '/oauth/device/code',
      code_verification: '/activate',
      backchannel_authentication: '/bc-authorize',
      challenge: '/oauth/challenge',
      credential: '/oauth/credential',
    },
    scopes: ['openid', 'offline_access', 'online_access', 'profile', 'email'],
    responseTypes: ['code'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'nickname', 'given_name', 'family_name', 'picture', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    conformIdTokenClaims: false, // Auth0 puts profile/email claims in the ID token
    findAccount: async (_ctx, sub) => {
      if (sub !== user.sub) return undefined;
      return { accountId: sub, claims: async () => ({ ...user }) };
    },
    pkce: { required: () => true },
    // Online Refresh Tokens (Auth0's `online_access`): issued like offline ones, never rotated.
    rotateRefreshToken: (ctx) => cfg.rotation && !String(ctx.oidc.entities.RefreshToken?.scope || '').split(' ').includes('online_access'),
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || code.scopes.has('online_access')),
    clientBasedCORS: (_ctx, origin) => allowedOrigins.has(origin),
    // First-party application: consent is implied. The grant gets every requested scope, and a grant
    // revoked by reuse detection is replaced (Auth0 keeps the SSO session usable after a family revocation).
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      restoreOfflineAccess(ctx);
      const accountId = oidc.account?.accountId ?? oidc.session.accountId;
      const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
      let grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== accountId || grant.clientId !== oidc.client.clientId) {
        grant = new provider.Grant({ accountId, clientId: oidc.client.clientId });
      }
      const scopes = [...oidc.requestParamOIDCScopes].join(' ');
      if (scopes) grant.addOIDCScope(scopes);
      const claims = [...oidc.requestParamClaims];
      if (claims.length) grant.addOIDCClaims(claims);
      await grant.save();
      return grant;
    },
    ttl: {
      AccessToken: () => cfg.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: () => cfg.idTokenTtl,
      RefreshToken: (ctx, token, client) => {
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken;
        if (rotated && client.applicationType === 'web' && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) {
          return rotated.remainingTTL;
        }
        return cfg.refreshTokenTtl;
      },
      Session: 86400,
      Grant: () => Math.max(86400, cfg.refreshTokenTtl),
      Interaction: 600,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
    features: {
      devInteractions: { enabled: false },
      webMessageResponseMode: { enabled: true, ack: 'individual-draft-01' },
      revocation: {
        enabled: true,
        // A public client may only revoke its own tokens; others are ignored (RFC 7009 §2.2 answers 200).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // No confirmation UI: the form is submitted at once with logout=yes.
        logoutSource: async (ctx, form) => {
          ctx.body = page('Signing out', form.replace('</form>', '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>'),
            'document.forms[0].submit()');
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1>Signed out</h1>');
        },
      },
      dPoP: dpop ? {
        enabled: true,
        ...(dpop === 'nonce' ? { nonceSecret: crypto.randomBytes(32), requireNonce: () => true } : {}),
      } : { enabled: false },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Error</h1>${Object.entries(out).map(([k, v]) => `<pre><strong>${htmlEscape(k)}</strong>: ${htmlEscape(v)}</pre>`).join('')}`);
    },
    });
  }
  provider.proxy = false;

  // oidc-provider drops offline_access unless prompt=consent (OIDC Core 11). Auth0 keeps it for
  // first-party apps, so it is put back after the provider's own scope check.
  function restoreOfflineAccess(ctx) {
    const want = ctx.state.tenantWantsOfflineAccess;
    const { params } = ctx.oidc;
    if (!want || !params) return;
    const scopes = new Set((params.scope || '').split(' ').filter(Boolean));
    if (!scopes.has('offline_access')) {
      scopes.add('offline_access');
      params.scope = [...scopes].join(' ');
    }
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

  function sendJson(ctx, status, body) {
    ctx.status = status;
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = JSON.stringify(body);
  }

  function errorPage(ctx, status, error, description) {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1><pre><strong>error</strong>: ${htmlEscape(error)}</pre><pre><strong>error_description</strong>: ${htmlEscape(description)}</pre>`);
  }

  function recordRequest(entry) {
    stats.requests.push(entry);
    if (stats.requests.length > 200) stats.requests.splice(0, stats.requests.length - 200);
  }

  function targetOf(path) {
    for (const [target, p] of Object.entries(FAULT_TARGETS)) if (p === path) return target;
    return undefined;
  }

  /** Finds (and consumes one use of) the first fault rule matching this request. */
  function takeFault(target, info) {
    const idx = faults.findIndex((f) => f.target === target
      && (f.grantType === undefined || f.grantType === info.grantType)
      && (f.prompt === undefined || f.prompt === info.prompt)
      && (f.responseMode === undefined || f.responseMode === info.responseMode));
    if (idx === -1) return undefined;
    const fault = faults[idx];
    if (typeof fault.count === 'number') {
      fault.count -= 1;
      if (fault.count <= 0) faults.splice(idx, 1);
    }
    stats.faultsApplied += 1;
    return fault;
  }

  function normalizeFault(input) {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw new TypeError('a fault must be an object');
    const f = { ...input };
    if (!Object.hasOwn(FAULT_TARGETS, f.target)) throw new TypeError(`fault.target must be one of ${Object.keys(FAULT_TARGETS).join(', ')}`);
    if (f.count !== undefined && f.count !== null && !(Number.isInteger(f.count) && f.count > 0)) throw new TypeError('fault.count must be a positive integer (omit for permanent)');
    if (f.count === null) delete f.count;
    if (f.delayMs !== undefined && !(Number.isFinite(f.delayMs) && f.delayMs >= 0)) throw new TypeError('fault.delayMs must be >= 0');
    if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599)) throw new TypeError('fault.status must be an HTTP status');
    if (f.body !== undefined && typeof f.body !== 'string') f.body = JSON.stringify(f.body);
    return f;
  }

  function hang(ctx) {
    return new Promise((resolve) => {
      const done = () => { hanging.delete(done); resolve(); };
      hanging.add(done);
      ctx.req.once('close', done);
    });
  }

  function resignIdToken(jwt, fault) {
    const parts = String(jwt).split('.');
    if (parts.length !== 3) return jwt;
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    applyPatch(header, fault.idTokenHeader);
    applyPatch(payload, fault.idTokenClaims);
    const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
    let sig;
    if (fault.idTokenSignature === 'none' || header.alg === 'none') sig = '';
    else {
      sig = crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url');
      if (fault.idTokenSignature === 'invalid') sig = `${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    }
    return `${input}.${sig}`;
  }

  /** Answers with the fault alone, the request never reaching oidc-provider (`process: false`). */
  async function answerUnprocessed(ctx, fault) {
    setCors(ctx);
    ctx.status = 200;
    ctx.body = {};
    await applyResponseFault(ctx, fault);
  }

  /** Applies a fault's response rewrites to a finished (or skipped) handler. */
  async function applyResponseFault(ctx, fault) {
    if (fault.idTokenClaims || fault.idTokenHeader || fault.idTokenSignature || fault.dropRefreshToken || fault.dropIdToken || fault.bodyPatch) {
      if (ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body) && ctx.status < 300) {
        const body = { ...ctx.body };
        if (body.id_token && (fault.idTokenClaims || fault.idTokenHeader || fault.idTokenSignature)) {
          body.id_token = resignIdToken(body.id_token, fault);
        }
        if (fault.dropRefreshToken) delete body.refresh_token;
        if (fault.dropIdToken) delete body.id_token;
        applyPatch(body, fault.bodyPatch);
        ctx.body = body;
      }
    }
    if (fault.status !== undefined) ctx.status = fault.status;
    if (fault.body !== undefined) {
      ctx.body = fault.body;
      ctx.type = fault.contentType || 'application/json';
    }
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.hang) await hang(ctx);
  }

  // ---- interaction (login) pages ----
  function loginForm(uid, message) {
    return page('Sign in', `<h1>Sign in</h1>
${message ? `<p class="err" id="error">${htmlEscape(message)}</p>` : ''}
<form method="post" action="/interaction/${htmlEscape(uid)}/login" autocomplete="off">
<label>Email<input id="username" name="email" type="email" value="${htmlEscape(user.email)}" autofocus></label>
<label>Password<input id="password" name="password" type="password" value="${htmlEscape(password)}"></label>
<button id="login" type="submit">Continue</button>
</form>
<form method="post" action="/interaction/${htmlEscape(uid)}/abort"><button id="cancel" type="submit">Cancel</button></form>`);
  }

  async function finishLogin(ctx) {
    stats.logins += 1;
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }

  async function interactionRoutes(ctx) {
    const m = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/.exec(ctx.path);
    if (!m) return false;
    const [, uid, action] = m;
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new Error('interaction mismatch');
      if (!action && ctx.method === 'GET') {
        if (details.prompt.name === 'login') {
          if (cfg.autoLogin) await finishLogin(ctx);
          else { ctx.type = 'html'; ctx.set('Cache-Control', 'no-store'); ctx.body = loginForm(uid); }
        } else {
          // Any other prompt (consent): first-party app, accept what was asked.
          const grant = details.grantId ? await provider.Grant.find(details.grantId)
            : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
          const { missingOIDCScope, missingOIDCClaims } = details.prompt.details;
          if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
          if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
          const grantId = await grant.save();
          ctx.respond = false;
          await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        }
        return true;
      }
      if (ctx.method === 'POST' && action === 'login') {
        const form = querystring.parse(await readRawBody(ctx.req));
        if (form.email === user.email && form.password === password) {
          await finishLogin(ctx);
        } else {
          ctx.status = 200;
          ctx.type = 'html';
          ctx.body = loginForm(uid, 'Wrong email or password.');
        }
        return true;
      }
      if (ctx.method === 'POST' && action === 'abort') {
        ctx.respond = false;
        await provider.interactionFinished(ctx.req, ctx.res, {
          error: 'access_denied', error_description: 'End-User aborted interaction',
        }, { mergeWithLastSubmission: false });
        return true;
      }
      errorPage(ctx, 405, 'invalid_request', 'method not allowed');
      return true;
    } catch (err) {
      if (ctx.respond === false) throw err;
      errorPage(ctx, 400, err.error || 'invalid_request', err.error_description || err.message);
      return true;
    }
  }

  // ---- Auth0 "rotation overlap period" (reuse interval) emulation ----
  // oidc-provider has no grace window: any reuse revokes the grant. With reuseInterval > 0 the
  // immediately previous refresh token of a family may be exchanged again within that many seconds
  // of its first use (a new token is issued); any older token, or a later reuse, still trips reuse
  // detection.
  const families = new Map(); // grantId -> { latest, previous } refresh-token ids
  const locks = new Map(); // key -> tail promise
  async function withLock(key, fn) {
    const previous = locks.get(key) ?? Promise.resolve();
    let release;
    const mine = new Promise((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    locks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (locks.get(key) === tail) locks.delete(key);
    }
  }
  async function allowReuseWithinInterval(value) {
    if (typeof value !== 'string' || !value) return;
    let rt;
    try { rt = await provider.RefreshToken.find(value, { ignoreExpiration: true }); } catch { rt = undefined; }
    if (!rt || !rt.consumed) return;
    const family = families.get(rt.grantId);
    if (family && family.previous === rt.jti && nowSeconds() - rt.consumed <= cfg.reuseInterval) {
      adapterFor('RefreshToken').unconsume(rt.jti);
      stats.reuseWithinInterval += 1;
    }
  }

  // ---- Auth0 /v2/logout ----
  async function revokeGrant(grantId) {
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
      provider.Grant.adapter.destroy(grantId),
    ]);
    stats.grantsRevoked += 1;
  }

  async function v2Logout(ctx) {
    stats.logout += 1;
    const clientIdParam = typeof ctx.query.client_id === 'string' ? ctx.query.client_id : undefined;
    const returnTo = typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : undefined;
    let allowed;
    if (clientIdParam !== undefined) {
      const client = await provider.Client.find(clientIdParam);
      if (!client) return errorPage(ctx, 400, 'invalid_request', 'unknown client_id');
      allowed = client.postLogoutRedirectUris || [];
    } else {
      allowed = postLogoutRedirectUris; // tenant-level "Allowed Logout URLs"
    }
    if (returnTo !== undefined && !allowed.includes(returnTo)) {
      return errorPage(ctx, 400, 'invalid_request', `The "returnTo" querystring parameter "${returnTo}" is not defined as a valid URL in "Allowed Logout URLs".`);
    }

    const session = await provider.Session.get(ctx);
    if (cfg.revokeOnLogout && session.authorizations) {
      for (const { grantId } of Object.values(session.authorizations)) {
        if (grantId) await revokeGrant(grantId);
      }
    }
    if (!session.new) await session.destroy();
    const longOpts = { httpOnly: true, sameSite: 'lax', path: '/' };
    ctx.cookies.set(provider.cookieName('session'), null, longOpts);
    ctx.set('Cache-Control', 'no-store');

    const target = returnTo ?? (clientIdParam !== undefined ? allowed[0] : undefined);
    if (target) {
      // Location exactly as registered (Koa's redirect() would normalise 'http://h:p' to 'http://h:p/').
      ctx.status = 302;
      ctx.set('Location', target);
      ctx.type = 'text';
      ctx.body = `Redirecting to ${target}`;
      return undefined;
    }
    ctx.status = 200;
    ctx.type = 'html';
    ctx.body = page('Signed out', '<h1>Signed out</h1>');
    return undefined;
  }

  // ---- test hooks ----
  async function hookRoutes(ctx) {
    setCors(ctx);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, DELETE');
      ctx.set('Access-Control-Allow-Headers', 'content-type');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
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
        case 'GET faults': return sendJson(ctx, 200, { faults });
        case 'POST faults': {
          const list = Array.isArray(body) ? body : (Array.isArray(body.faults) ? body.faults : [body]);
          if (body.replace) api.setFaults(list.filter((f) => f.target)); else list.forEach((f) => api.addFault(f));
          return sendJson(ctx, 200, { ok: true, faults });
        }
        case 'DELETE faults':
        case 'POST faults/clear': api.clearFaults(); return sendJson(ctx, 200, { ok: true });
        case 'POST reset': api.resetStats(); api.clearFaults(); return sendJson(ctx, 200, { ok: true });
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

  // ---- the middleware that makes oidc-provider look like an Auth0 tenant ----
  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith(HOOK_PREFIX)) return hookRoutes(ctx);
    if (ctx.path === '/v2/logout' && ctx.method === 'GET') return v2Logout(ctx);
    if (ctx.path.startsWith('/interaction/')) {
      if (await interactionRoutes(ctx)) return undefined;
    }

    const target = targetOf(ctx.path);
    const started = Date.now();
    const entry = { t: new Date(started).toISOString(), method: ctx.method, path: ctx.path, origin: ctx.get('origin') || undefined };

    if (target === 'authorize' && (ctx.method === 'GET' || ctx.method === 'POST')) {
      const q = ctx.method === 'GET' ? ctx.query : {};
      stats.authorize.total += 1;
      bump(stats.authorize.byPrompt, q.prompt ?? 'default');
      bump(stats.authorize.byResponseMode, q.response_mode ?? 'default');
      entry.prompt = q.prompt; entry.responseMode = q.response_mode;
      const scope = typeof q.scope === 'string' ? q.scope.split(' ') : [];
      const prompts = typeof q.prompt === 'string' ? q.prompt.split(' ') : [];
      ctx.state.tenantWantsOfflineAccess = scope.includes('offline_access') && !prompts.includes('consent')
        && typeof q.response_type === 'string' && q.response_type.includes('code');
      const fault = takeFault('authorize', { prompt: q.prompt, responseMode: q.response_mode });
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
      const fault = takeFault(target, { grantType });
      if (fault) entry.fault = true;
      if (fault && fault.process === false) {
        await answerUnprocessed(ctx, fault);
      } else {
        // With an overlap period, requests presenting the same refresh token are serialised so the
        // second one sees the first one's rotation (otherwise the race itself would trip reuse detection).
        const overlap = target === 'token' && grantType === 'refresh_token' && cfg.reuseInterval > 0 && cfg.rotation
          && typeof parsed.params.refresh_token === 'string';
        const run = async () => {
          if (overlap) await allowReuseWithinInterval(parsed.params.refresh_token);
          await next();
          const issuedRt = ctx.oidc?.entities?.RefreshToken;
          const rotatedRt = ctx.oidc?.entities?.RotatedRefreshToken;
          if (target === 'token' && ctx.status === 200 && issuedRt?.jti && issuedRt.grantId) {
            families.set(issuedRt.grantId, { latest: issuedRt.jti, previous: rotatedRt?.jti });
          }
        };
        if (overlap) await withLock(`rt:${parsed.params.refresh_token}`, run);
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
      const fault = takeFault(target, {});
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
    /** Counters and the last 200 requests (no secrets). */
    stats() { return { ...JSON.parse(JSON.stringify(stats)), storeEntries: store.size() }; },
    resetStats() { stats = newStats(); },
    /** Replaces all fault rules (array or single rule); [] clears. */
    setFaults(list) { faults = toArray(list).map(normalizeFault); return api.faults(); },
    /** Adds one fault rule. */
    addFault(rule) { faults.push(normalizeFault(rule)); return api.faults(); },
    clearFaults() { faults = []; },
    faults() { return JSON.parse(JSON.stringify(faults)); },
    config() { return { ...cfg }; },
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
      for (const release of [...hanging]) release();
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
    console.error('usage: node tenant/server.mjs [--port 3001] [--spa http://127.0.0.1:3000[,..]] [--client-id spa-test] [--extra-client-ids a,b]\n'
      + '  [--redirect-uris u1,u2] [--post-logout-uris u1,u2] [--access-token-ttl 60] [--id-token-ttl 3600] [--refresh-token-ttl 86400]\n'
      + '  [--no-rotation] [--reuse-interval 0] [--auto-login] [--revoke-on-logout] [--no-json-body] [--auth0-error-text] [--dpop true|nonce] [--issuer-host localhost] [--log]');
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
