// Tests for the local tenant (tenant/server.mjs), pure Node: fetch with redirect: 'manual' and a
// tiny cookie jar. Loopback only; every test has a timeout. Run: node --test tenant/
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startTenant } from './server.mjs';

const SPA = 'http://127.0.0.1:3000';
const REDIRECT = `${SPA}/callback`;
const T = { timeout: 15000 };
const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------- helpers ----------

/** Minimal cookie jar: name/value/path, honours deletion; enough for oidc-provider's cookies. */
class Jar {
  constructor() { this.cookies = new Map(); }

  store(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cpath = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v] = a.split('=');
        if (k.toLowerCase() === 'path') cpath = v;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${name};${cpath}`;
      if (expired) this.cookies.delete(key); else this.cookies.set(key, { name, value, path: cpath });
    }
  }

  header(url) {
    const p = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => p === c.path || p.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

async function get(url, jar, headers = {}) {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: { ...(jar ? { cookie: jar.header(url) } : {}), ...headers },
    signal: AbortSignal.timeout(5000),
  });
  jar?.store(res);
  return res;
}

/** Follows redirects while they stay on the tenant; returns the first response that leaves it (or is not a redirect). */
async function follow(url, jar, tenantUrl) {
  let current = url;
  for (let i = 0; i < 10; i += 1) {
    const res = await get(current, jar);
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) return { res, url: current };
    const next = new URL(loc, current).href;
    if (!next.startsWith(tenantUrl)) return { res, url: current, location: next };
    current = next;
  }
  throw new Error('too many redirects');
}

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(t, { scope = 'openid profile email offline_access', state = crypto.randomBytes(8).toString('hex'), nonce = 'n-0S6', challenge, extra = {}, clientId = t.clientId, redirectUri = REDIRECT } = {}) {
  const u = new URL('/authorize', t.url);
  const params = {
    client_id: clientId, redirect_uri: redirectUri, response_type: 'code', response_mode: 'query',
    scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.href;
}

async function tokenRequest(t, params, { json = false, origin } = {}) {
  const body = json ? JSON.stringify(params) : new URLSearchParams(params).toString();
  const res = await fetch(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      ...(origin ? { origin } : {}),
    },
    body,
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, text, json: parsed, headers: res.headers };
}

/** Full browser-like login: authorize -> (auto)login -> callback; returns code, state, jar, verifier. */
async function login(t, opts = {}) {
  const jar = opts.jar ?? new Jar();
  const { verifier, challenge } = pkce();
  const state = crypto.randomBytes(8).toString('hex');
  const { location } = await follow(authorizeUrl(t, { ...opts, state, challenge }), jar, t.url);
  assert.ok(location, 'expected a redirect back to the SPA');
  const cb = new URL(location);
  assert.equal(cb.origin + cb.pathname, opts.redirectUri ?? REDIRECT);
  assert.equal(cb.searchParams.get('state'), state);
  assert.equal(cb.searchParams.get('iss'), t.issuer);
  return { code: cb.searchParams.get('code'), state, jar, verifier };
}

async function exchange(t, { code, verifier }, extra = {}) {
  return tokenRequest(t, {
    grant_type: 'authorization_code', client_id: t.clientId, code, code_verifier: verifier, redirect_uri: REDIRECT, ...extra,
  });
}

function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  };
}

function verifyJwt(jwt, jwk) {
  const [h, p, s] = jwt.split('.');
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  return crypto.verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
}

function webMessageData(html) {
  const m = /var data = (\{.*?\});\n/s.exec(html);
  assert.ok(m, 'web_message page carries a data object');
  return JSON.parse(m[1]);
}

async function silentAuth(t, jar, extra = {}) {
  const { challenge, verifier } = pkce();
  const state = crypto.randomBytes(8).toString('hex');
  const res = await get(authorizeUrl(t, {
    challenge, state, redirectUri: SPA, extra: { prompt: 'none', response_mode: 'web_message', ...extra },
  }), jar);
  const html = await res.text();
  return { res, html, state, verifier };
}

// ---------- tests ----------

describe('tenant with autoLogin', () => {
  let t;
  before(async () => { t = await startTenant({ port: 0, spa: SPA, autoLogin: true, accessTokenTtl: 30 }); });
  after(async () => { await t?.stop(); });

  test('discovery advertises the Auth0 routes and an issuer with a trailing slash', T, async () => {
    const res = await get(`${t.url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const d = await res.json();
    assert.equal(d.issuer, `${t.url}/`);
    assert.equal(d.authorization_endpoint, `${t.url}/authorize`);
    assert.equal(d.token_endpoint, `${t.url}/oauth/token`);
    assert.equal(d.jwks_uri, `${t.url}/.well-known/jwks.json`);
    assert.equal(d.userinfo_endpoint, `${t.url}/userinfo`);
    assert.equal(d.revocation_endpoint, `${t.url}/oauth/revoke`);
    assert.ok(d.response_modes_supported.includes('web_message'));
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    const jwks = await (await get(d.jwks_uri)).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, 'RSA');
    assert.equal(jwks.keys[0].d, undefined, 'JWKS exposes no private part');
  });

  test('the tenant listens on the loopback interface only', T, async () => {
    assert.match(t.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(t.provider.issuer, t.issuer);
  });

  test('authorization code + PKCE login returns tokens including a refresh token when offline_access is requested', T, async () => {
    const l = await login(t);
    const r = await exchange(t, l);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.token_type, 'Bearer');
    assert.equal(r.json.expires_in, 30);
    assert.equal(typeof r.json.access_token, 'string');
    assert.equal(typeof r.json.refresh_token, 'string');
    assert.ok(r.json.scope.split(' ').includes('offline_access'), r.json.scope);
    const { header, payload } = decodeJwt(r.json.id_token);
    assert.equal(header.alg, 'RS256');
    assert.ok(verifyJwt(r.json.id_token, t.publicJwk));
    assert.equal(payload.iss, t.issuer);
    assert.equal(payload.aud, t.clientId);
    assert.equal(payload.sub, 'auth0|alice');
    assert.equal(payload.nonce, 'n-0S6');
    assert.equal(payload.email, 'alice@example.com');
    assert.equal(payload.email_verified, true);
    assert.equal(payload.name, 'Alice Example');
    assert.match(payload.picture, /^data:image\/svg\+xml;base64,/);
    // userinfo with the access token
    const ui = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${r.json.access_token}` }, signal: AbortSignal.timeout(5000) });
    assert.equal(ui.status, 200);
    assert.equal((await ui.json()).sub, 'auth0|alice');
  });

  test('no refresh token is issued without offline_access', T, async () => {
    const l = await login(t, { scope: 'openid profile email' });
    const r = await exchange(t, l);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.refresh_token, undefined);
  });

  test('an authorization request without PKCE is refused with invalid_request', T, async () => {
    const jar = new Jar();
    const { location } = await follow(authorizeUrl(t, { challenge: undefined, extra: { code_challenge_method: undefined } }), jar, t.url);
    const cb = new URL(location);
    assert.equal(cb.searchParams.get('error'), 'invalid_request');
    assert.equal(cb.searchParams.get('code'), null);
  });

  test('a wrong code_verifier is answered invalid_grant', T, async () => {
    const l = await login(t);
    const r = await exchange(t, { code: l.code, verifier: pkce().verifier });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
  });

  test('token endpoint accepts a JSON body by default (like Auth0) and rejects it with jsonBody:false', T, async () => {
    const l = await login(t);
    const r = await tokenRequest(t, {
      grant_type: 'authorization_code', client_id: t.clientId, code: l.code, code_verifier: l.verifier, redirect_uri: REDIRECT,
    }, { json: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.access_token, 'string');
    t.configure({ jsonBody: false });
    try {
      const l2 = await login(t);
      const r2 = await tokenRequest(t, {
        grant_type: 'authorization_code', client_id: t.clientId, code: l2.code, code_verifier: l2.verifier, redirect_uri: REDIRECT,
      }, { json: true });
      assert.equal(r2.status, 400);
      assert.equal(r2.json.error, 'invalid_request');
      assert.match(r2.json.error_description, /x-www-form-urlencoded/);
    } finally {
      t.configure({ jsonBody: true });
    }
    assert.ok(t.stats().token.byContentType.json >= 2);
  });

  test('online_access gets an Online Refresh Token: issued like an offline one, never rotated, reusable', T, async () => {
    const r = await exchange(t, await login(t, { scope: 'openid profile online_access' }));
    const ort = r.json.refresh_token;
    assert.equal(typeof ort, 'string', r.text);
    for (let i = 0; i < 2; i += 1) {
      const again = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: ort });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.refresh_token, undefined, 'no new token: the same one stays valid');
    }
  });

  test('refresh rotates; reusing the old refresh token is invalid_grant, counted as reuse, and kills the new one', T, async () => {
    t.resetStats();
    const r = await exchange(t, await login(t));
    const rt1 = r.json.refresh_token;
    const r2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: rt1 });
    assert.equal(r2.status, 200, r2.text);
    const rt2 = r2.json.refresh_token;
    assert.equal(typeof rt2, 'string');
    assert.notEqual(rt2, rt1);
    assert.equal(decodeJwt(r2.json.id_token).payload.sub, 'auth0|alice');

    const reuse = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: rt1 });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.json.error, 'invalid_grant');
    const dead = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: rt2 });
    assert.equal(dead.status, 400);
    assert.equal(dead.json.error, 'invalid_grant');

    const s = t.stats();
    assert.equal(s.refreshTokenReuse, 1);
    assert.equal(s.token.byGrantType.refresh_token, 3);
    assert.equal(s.token.byGrantType.authorization_code, 1);
    assert.equal(s.token.byStatus['400'], 2);
    assert.equal(s.grantErrors['refresh token already used'], 1);
    // the access token of the revoked grant is dead as well
    const ui = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${r2.json.access_token}` }, signal: AbortSignal.timeout(5000) });
    assert.equal(ui.status, 401);
  });

  test('two parallel refreshes with one token: one 200, one invalid_grant, and the family is revoked (no overlap window)', T, async () => {
    const r = await exchange(t, await login(t));
    const results = await Promise.all([1, 2].map(() => tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token })));
    assert.deepEqual(results.map((x) => x.status).sort(), [200, 400]);
    const winner = results.find((x) => x.status === 200);
    const next = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: winner.json.refresh_token });
    assert.equal(next.status, 400);
  });

  test('a refresh request with scope including offline_access is accepted (scope kept as granted)', T, async () => {
    const r = await exchange(t, await login(t));
    const r2 = await tokenRequest(t, {
      grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token, scope: 'openid profile email offline_access',
    });
    assert.equal(r2.status, 200, r2.text);
  });

  test('CORS: the SPA origin may call the token endpoint, a foreign origin gets no ACAO', T, async () => {
    const ok = await fetch(`${t.url}/oauth/token`, {
      method: 'OPTIONS',
      headers: { origin: SPA, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(ok.headers.get('access-control-allow-origin'), SPA);
    const r = await exchange(t, await login(t));
    const r2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token }, { origin: SPA });
    assert.equal(r2.headers.get('access-control-allow-origin'), SPA);
    const r3 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r2.json.refresh_token }, { origin: 'http://evil.test' });
    assert.equal(r3.headers.get('access-control-allow-origin'), null);
    assert.equal(r3.status, 400, 'a foreign origin is refused server-side');
    assert.match(r3.json.error_description, /origin http:\/\/evil\.test not allowed/);
    const hooks = await get(`${t.url}/__tenant/stats`, undefined, { origin: SPA });
    assert.equal(hooks.headers.get('access-control-allow-origin'), SPA);
  });

  test('prompt=none with response_mode=web_message posts a code with a session and login_required without', T, async () => {
    t.resetStats();
    const l = await login(t);
    const ok = await silentAuth(t, l.jar);
    assert.equal(ok.res.status, 200);
    assert.equal(ok.res.headers.get('x-frame-options'), null);
    assert.match(ok.html, /authorization_response/);
    const data = webMessageData(ok.html);
    assert.equal(data.redirect_uri, SPA);
    assert.equal(data.response.state, ok.state);
    assert.equal(typeof data.response.code, 'string');
    assert.equal(data.response.iss, t.issuer);
    const tok = await tokenRequest(t, {
      grant_type: 'authorization_code', client_id: t.clientId, code: data.response.code, code_verifier: ok.verifier, redirect_uri: SPA,
    });
    assert.equal(tok.status, 200, tok.text);
    assert.equal(typeof tok.json.refresh_token, 'string', 'prompt=none with offline_access also yields a refresh token');

    const none = await silentAuth(t, new Jar());
    assert.equal(none.res.status, 400);
    const d2 = webMessageData(none.html);
    assert.equal(d2.response.error, 'login_required');
    assert.equal(d2.response.state, none.state);
    assert.equal(d2.response.code, undefined);

    const s = t.stats();
    assert.equal(s.authorize.byPrompt.none, 2);
    assert.equal(s.authorize.byResponseMode.web_message, 2);
  });

  test('silent auth still works after reuse detection revoked the grant (Auth0 keeps the session)', T, async () => {
    const l = await login(t);
    const r = await exchange(t, l);
    const r2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token });
    assert.equal(r2.status, 200);
    await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token });
    const again = await silentAuth(t, l.jar);
    assert.equal(again.res.status, 200, again.html);
    assert.equal(typeof webMessageData(again.html).response.code, 'string');
  });

  test('/v2/logout ends the session and redirects to a registered returnTo', T, async () => {
    const l = await login(t);
    const res = await get(`${t.url}/v2/logout?client_id=${t.clientId}&returnTo=${encodeURIComponent(SPA)}`, l.jar);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), SPA);
    const after1 = await silentAuth(t, l.jar);
    assert.equal(webMessageData(after1.html).response.error, 'login_required');
    assert.equal(t.stats().logout >= 1, true);
  });

  test('/v2/logout refuses an unregistered returnTo without redirecting', T, async () => {
    const l = await login(t);
    const res = await get(`${t.url}/v2/logout?client_id=${t.clientId}&returnTo=${encodeURIComponent('https://evil.test/')}`, l.jar);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    const body = await res.text();
    assert.doesNotMatch(body, /<script/);
    const still = await silentAuth(t, l.jar);
    assert.equal(still.res.status, 200, 'session survives a refused logout');
  });

  test('/v2/logout keeps refresh tokens working (Auth0 semantics) unless revokeOnLogout', T, async () => {
    const l = await login(t);
    const r = await exchange(t, l);
    await get(`${t.url}/v2/logout?client_id=${t.clientId}&returnTo=${encodeURIComponent(SPA)}`, l.jar);
    const r2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token });
    assert.equal(r2.status, 200, r2.text);
    t.configure({ revokeOnLogout: true });
    try {
      const l2 = await login(t);
      const x = await exchange(t, l2);
      await get(`${t.url}/v2/logout?client_id=${t.clientId}&returnTo=${encodeURIComponent(SPA)}`, l2.jar);
      const x2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: x.json.refresh_token });
      assert.equal(x2.status, 400);
    } finally {
      t.configure({ revokeOnLogout: false });
    }
  });

  test('OIDC end_session (/oidc/logout) signs out without a confirmation page', T, async () => {
    const l = await login(t);
    const res = await get(`${t.url}/oidc/logout?client_id=${t.clientId}&post_logout_redirect_uri=${encodeURIComponent(SPA)}`, l.jar);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /name="logout" value="yes"/);
    assert.match(html, /document\.forms\[0\]\.submit\(\)/);
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/, 'no external URLs');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)[1];
    const confirm = await fetch(`${t.url}/oidc/logout/confirm`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: l.jar.header(`${t.url}/oidc/logout/confirm`) },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(confirm.status, 303);
    assert.equal(new URL(confirm.headers.get('location')).href, new URL(SPA).href);
    assert.equal((await silentAuth(t, l.jar)).res.status, 400, 'session ended');
  });

  test('revocation endpoint accepts a public client and kills the refresh token', T, async () => {
    const r = await exchange(t, await login(t));
    const rev = await fetch(`${t.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SPA },
      body: JSON.stringify({ client_id: t.clientId, token: r.json.refresh_token, token_type_hint: 'refresh_token' }),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(rev.status, 200);
    assert.equal(rev.headers.get('access-control-allow-origin'), SPA);
    const r2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token });
    assert.equal(r2.status, 400);
  });

  test('fault: the next token response is 200 with a malformed body, then service is normal again', T, async () => {
    const r = await exchange(t, await login(t));
    await fetch(`${t.url}/__tenant/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'token', count: 1, status: 200, body: '{"' }),
      signal: AbortSignal.timeout(5000),
    });
    const bad = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token }, { origin: SPA });
    assert.equal(bad.status, 200);
    assert.equal(bad.text, '{"');
    assert.equal(bad.headers.get('access-control-allow-origin'), SPA, 'CORS kept so the browser can read the bad body');
    const good = await exchange(t, await login(t));
    assert.equal(good.status, 200);
    assert.equal(t.faults().length, 0);
  });

  test('fault: ID token claim overrides are re-signed with the tenant key', T, async () => {
    t.addFault({ target: 'token', grantType: 'authorization_code', count: 1, idTokenClaims: { iss: 'http://evil.test/', nonce: 'other', exp: { $now: -600 }, sid: null } });
    const r = await exchange(t, await login(t));
    assert.equal(r.status, 200);
    const { payload } = decodeJwt(r.json.id_token);
    assert.equal(payload.iss, 'http://evil.test/');
    assert.equal(payload.nonce, 'other');
    assert.ok(payload.exp < Date.now() / 1000 - 500);
    assert.equal(payload.sid, undefined);
    assert.ok(verifyJwt(r.json.id_token, t.publicJwk), 'signature valid, only claims are wrong');
    t.addFault({ target: 'token', count: 1, idTokenSignature: 'invalid' });
    const r2 = await exchange(t, await login(t));
    assert.equal(verifyJwt(r2.json.id_token, t.publicJwk), false);
  });

  test('fault: drop the refresh token from the response, and filter faults by grant type', T, async () => {
    t.setFaults([{ target: 'token', grantType: 'refresh_token', count: 1, dropRefreshToken: true }]);
    const r = await exchange(t, await login(t));
    assert.equal(typeof r.json.refresh_token, 'string', 'authorization_code not affected');
    const r2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: r.json.refresh_token });
    assert.equal(r2.status, 200);
    assert.equal(r2.json.refresh_token, undefined);
    assert.equal(typeof r2.json.access_token, 'string');
  });

  test('fault: delay and never-answer on the token endpoint are bounded by the client timeout', T, async () => {
    t.setFaults([{ target: 'token', count: 1, delayMs: 300, process: false, status: 503, body: '' }]);
    const t0 = Date.now();
    const slow = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: 'x' });
    assert.equal(slow.status, 503);
    assert.ok(Date.now() - t0 >= 280);
    t.setFaults([{ target: 'token', count: 1, hang: true, process: false }]);
    await assert.rejects(fetch(`${t.url}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token',
      signal: AbortSignal.timeout(300),
    }), (err) => err.name === 'TimeoutError');
  });

  test('fault: authorize swallow returns a page that never posts an authorization_response', T, async () => {
    const l = await login(t);
    await fetch(`${t.url}/__tenant/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'authorize', prompt: 'none', count: 1, swallow: true }),
      signal: AbortSignal.timeout(5000),
    });
    const s = await silentAuth(t, l.jar);
    assert.equal(s.res.status, 200);
    assert.doesNotMatch(s.html, /authorization_response|<script/);
    const s2 = await silentAuth(t, l.jar);
    assert.match(s2.html, /authorization_response/);
  });

  test('hooks: stats, reset, faults and config over HTTP', T, async () => {
    const post = (p, body) => fetch(`${t.url}/__tenant/${p}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}), signal: AbortSignal.timeout(5000),
    });
    assert.equal((await post('reset-stats')).status, 200);
    const s = await (await get(`${t.url}/__tenant/stats`)).json();
    assert.equal(s.token.total, 0);
    assert.equal((await post('faults', { target: 'nope' })).status, 400);
    assert.equal((await post('faults', { faults: [{ target: 'userinfo', status: 500 }], replace: true })).status, 200);
    assert.equal((await (await get(`${t.url}/__tenant/faults`)).json()).faults.length, 1);
    const ui = await get(`${t.url}/userinfo`);
    assert.equal(ui.status, 500);
    assert.equal((await fetch(`${t.url}/__tenant/faults`, { method: 'DELETE', signal: AbortSignal.timeout(5000) })).status, 200);
    assert.equal(t.faults().length, 0);
    const cfg = await (await post('config', { accessTokenTtl: 5 })).json();
    assert.equal(cfg.accessTokenTtl, 5);
    const r = await exchange(t, await login(t));
    assert.equal(r.json.expires_in, 5);
    assert.equal((await post('config', { accessTokenTtl: -1 })).status, 400);
    await post('config', { accessTokenTtl: 30 });
    const opts = await fetch(`${t.url}/__tenant/faults`, {
      method: 'OPTIONS', headers: { origin: SPA, 'access-control-request-method': 'POST' }, signal: AbortSignal.timeout(5000),
    });
    assert.equal(opts.status, 204);
    assert.equal(opts.headers.get('access-control-allow-origin'), SPA);
  });
});

describe('tenant without autoLogin', () => {
  let t;
  before(async () => { t = await startTenant({ port: 0, spa: SPA }); });
  after(async () => { await t?.stop(); });

  test('shows a self-contained login form prefilled with the test user and logs in on submit', T, async () => {
    const jar = new Jar();
    const { challenge, verifier } = pkce();
    const first = await get(authorizeUrl(t, { challenge, state: 'st' }), jar);
    assert.equal(first.status, 303);
    const interactionUrl = new URL(first.headers.get('location'), t.url).href;
    const form = await get(interactionUrl, jar);
    assert.equal(form.status, 200);
    const html = await form.text();
    assert.match(html, /value="alice@example\.com"/);
    assert.match(html, /value="password"/);
    assert.doesNotMatch(html, /https?:\/\//, 'no external assets');

    const wrong = await fetch(`${interactionUrl}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(`${interactionUrl}/login`) },
      body: 'email=alice%40example.com&password=nope', signal: AbortSignal.timeout(5000),
    });
    assert.equal(wrong.status, 200);
    assert.match(await wrong.text(), /Wrong email or password/);

    const ok = await fetch(`${interactionUrl}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(`${interactionUrl}/login`) },
      body: 'email=alice%40example.com&password=password', signal: AbortSignal.timeout(5000),
    });
    assert.equal(ok.status, 303);
    const { location } = await follow(new URL(ok.headers.get('location'), t.url).href, jar, t.url);
    const cb = new URL(location);
    assert.equal(cb.searchParams.get('state'), 'st');
    const r = await exchange(t, { code: cb.searchParams.get('code'), verifier });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.refresh_token, 'string', 'offline_access survives the interactive login');
    assert.equal(t.stats().logins, 1);
  });

  test('cancel on the login page returns access_denied to the SPA', T, async () => {
    const jar = new Jar();
    const first = await get(authorizeUrl(t, { challenge: pkce().challenge, state: 'cx' }), jar);
    const interactionUrl = new URL(first.headers.get('location'), t.url).href;
    await get(interactionUrl, jar);
    const abort = await fetch(`${interactionUrl}/abort`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: jar.header(`${interactionUrl}/abort`) }, signal: AbortSignal.timeout(5000),
    });
    assert.equal(abort.status, 303);
    const { location } = await follow(new URL(abort.headers.get('location'), t.url).href, jar, t.url);
    const cb = new URL(location);
    assert.equal(cb.searchParams.get('error'), 'access_denied');
    assert.equal(cb.searchParams.get('state'), 'cx');
  });
});

describe('tenant with rotation:false', () => {
  let t;
  before(async () => { t = await startTenant({ port: 0, spa: SPA, autoLogin: true, rotation: false }); });
  after(async () => { await t?.stop(); });

  test('the same refresh token keeps working (reusable, like Auth0 non-rotating)', T, async () => {
    const r = await exchange(t, await login(t));
    const rt = r.json.refresh_token;
    for (let i = 0; i < 3; i += 1) {
      const r2 = await tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: rt });
      assert.equal(r2.status, 200, r2.text);
      assert.equal(r2.json.refresh_token, rt);
    }
    assert.equal(t.stats().refreshTokenReuse, 0);
  });
});

describe('tenant with reuseInterval (Auth0 rotation overlap period)', () => {
  let t;
  before(async () => { t = await startTenant({ port: 0, spa: SPA, autoLogin: true, reuseInterval: 30, auth0ErrorText: true }); });
  after(async () => { await t?.stop(); });

  const refresh = (rt) => tokenRequest(t, { grant_type: 'refresh_token', client_id: t.clientId, refresh_token: rt });

  test('the previous refresh token may be exchanged again inside the window, an older one trips reuse detection', T, async () => {
    const r = await exchange(t, await login(t));
    const rt1 = r.json.refresh_token;
    const a = await refresh(rt1);
    assert.equal(a.status, 200);
    const again = await refresh(rt1);
    assert.equal(again.status, 200, again.text);
    assert.notEqual(again.json.refresh_token, a.json.refresh_token);
    const b = await refresh(again.json.refresh_token);
    assert.equal(b.status, 200);
    // rt1 is now two generations old
    const old = await refresh(rt1);
    assert.equal(old.status, 400);
    assert.deepEqual(old.json, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
    assert.equal((await refresh(b.json.refresh_token)).status, 400, 'family revoked');
    const s = t.stats();
    assert.equal(s.reuseWithinInterval, 1);
    assert.equal(s.refreshTokenReuse, 1);
  });

  test('parallel refreshes with one token all succeed inside the window', T, async () => {
    const r = await exchange(t, await login(t));
    const results = await Promise.all([1, 2, 3].map(() => refresh(r.json.refresh_token)));
    assert.deepEqual(results.map((x) => x.status), [200, 200, 200]);
  });
});

describe('tenant with dpop:nonce', () => {
  let t;
  before(async () => { t = await startTenant({ port: 0, spa: SPA, autoLogin: true, dpop: 'nonce' }); });
  after(async () => { await t?.stop(); });

  function proof(keys, htu, nonce) {
    const jwk = keys.publicKey.export({ format: 'jwk' });
    const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } };
    const payload = { jti: crypto.randomUUID(), htm: 'POST', htu, iat: Math.floor(Date.now() / 1000), ...(nonce ? { nonce } : {}) };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const sig = crypto.sign('sha256', Buffer.from(input), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  }

  test('a DPoP token request first gets use_dpop_nonce with a CORS-exposed DPoP-Nonce, then a DPoP-bound token', T, async () => {
    const keys = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const l = await login(t);
    const htu = `${t.url}/oauth/token`;
    const body = new URLSearchParams({
      grant_type: 'authorization_code', client_id: t.clientId, code: l.code, code_verifier: l.verifier, redirect_uri: REDIRECT,
    }).toString();
    const send = (nonce) => fetch(htu, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SPA, dpop: proof(keys, htu, nonce) },
      body,
      signal: AbortSignal.timeout(5000),
    });
    const first = await send();
    assert.equal(first.status, 400);
    assert.equal((await first.json()).error, 'use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    assert.ok(nonce);
    assert.match(first.headers.get('access-control-expose-headers') || '', /DPoP-Nonce/i);
    const second = await send(nonce);
    const json = await second.json();
    assert.equal(second.status, 200, JSON.stringify(json));
    assert.equal(json.token_type, 'DPoP');
  });
});

describe('lifecycle', () => {
  test('stop() closes the server, also with a request hanging', T, async () => {
    const t = await startTenant({ port: 0 });
    t.addFault({ target: 'userinfo', hang: true, process: false });
    const hung = fetch(`${t.url}/userinfo`, { signal: AbortSignal.timeout(5000) }).catch((e) => e);
    await new Promise((r) => { setTimeout(r, 100); });
    const t0 = Date.now();
    await t.stop();
    assert.ok(Date.now() - t0 < 2000);
    const outcome = await hung;
    assert.ok(outcome instanceof Error || outcome.status >= 200);
    await assert.rejects(fetch(`${t.url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2000) }));
  });

  test('startTenant refuses a non-positive accessTokenTtl', T, async () => {
    await assert.rejects(startTenant({ port: 0, accessTokenTtl: 0 }), TypeError);
  });

  test('startTenant fails fast on invalid client metadata and frees its port', T, async () => {
    const probe = await startTenant({ port: 0 });
    const { port } = probe;
    await probe.stop();
    await assert.rejects(startTenant({ port, redirectUris: ['not a url'] }), /invalid_redirect_uri/);
    const again = await startTenant({ port });
    assert.equal(again.port, port);
    await again.stop();
  });

  test('the CLI prints one ready line on stdout and exits cleanly on SIGTERM', T, async () => {
    const child = spawn(process.execPath, [path.join(HERE, 'server.mjs'), '--port', '0', '--spa', SPA, '--auto-login'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error('no ready line')), 10000);
        child.stdout.on('data', (d) => {
          buf += d;
          const nl = buf.indexOf('\n');
          if (nl !== -1) { clearTimeout(timer); resolve(buf.slice(0, nl)); }
        });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}`)); });
      });
      const ready = JSON.parse(line);
      assert.equal(ready.ready, true);
      assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(ready.issuer, `${ready.url}/`);
      const d = await (await fetch(`${ready.url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) })).json();
      assert.equal(d.issuer, ready.issuer);
      const exited = new Promise((resolve) => { child.once('exit', (code, signal) => resolve({ code, signal })); });
      child.kill('SIGTERM');
      const { code } = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
