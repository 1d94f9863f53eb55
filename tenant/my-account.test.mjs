// Tests for the My Account API emulation (tenant/my-account.mjs): its rules as tables, then the
// API on a real tenant with access tokens obtained by a real login for the audience `{url}/me/`
// (the tenant's resource indicator). Pure Node, loopback only. Run: node --test tenant/
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { CONNECTIONS, MY_ACCOUNT_SCOPES, completeRefusal, connectRequestErrors, problem } from './my-account.mjs';
import { startTenant } from './server.mjs';

const SPA = 'http://127.0.0.1:3000';
const REDIRECT = `${SPA}/callback`;
const T = { timeout: 15000 };
const b64url = (buf) => Buffer.from(buf).toString('base64url');
const s256 = (v) => b64url(crypto.createHash('sha256').update(v).digest());

test('problem details are RFC 7807 objects', () => {
  assert.deepEqual(problem(404, 'gone'), { status: 404, body: { type: 'about:blank', status: 404, title: 'Not Found', detail: 'gone' } });
  assert.deepEqual(problem(400, 'bad', [{ field: 'x', detail: 'y' }]).body.validation_errors, [{ field: 'x', detail: 'y' }]);
});

test('connect requests: what is checked (a table)', () => {
  const good = { connection: 'google-oauth2', redirect_uri: REDIRECT, state: 's', code_challenge: 'c', code_challenge_method: 'S256' };
  const rows = [
    [{}, []],
    [{ scopes: ['openid', 'email'] }, []],
    [{ connection: 'unknown' }, ['connection']],
    [{ connection: undefined }, ['connection']],
    [{ redirect_uri: 'https://evil.example/cb' }, ['redirect_uri']],
    [{ state: '' }, ['state']],
    [{ code_challenge: undefined }, ['code_challenge']],
    [{ code_challenge_method: 'plain' }, ['code_challenge_method']],
    [{ scopes: 'openid' }, ['scopes']],
  ];
  for (const [patch, fields] of rows) {
    assert.deepEqual(connectRequestErrors({ ...good, ...patch }, [REDIRECT]).map((e) => e.field), fields, JSON.stringify(patch));
  }
  assert.ok(CONNECTIONS.includes('refusing-idp'));
});

test('complete requests: the user, the single-use code, the redirect URI and the S256 verifier (a table)', () => {
  const session = { sub: 'u', connectCode: 'cc', redirectUri: REDIRECT, codeChallenge: s256('verifier') };
  const good = { connect_code: 'cc', redirect_uri: REDIRECT, code_verifier: 'verifier' };
  const rows = [
    [session, good, 'u', ''],
    [undefined, good, 'u', 'unknown auth_session'],
    [session, good, 'someone-else', 'unknown auth_session'],
    [{ ...session, connectCode: undefined }, good, 'u', 'invalid connect_code'],
    [session, { ...good, connect_code: 'other' }, 'u', 'invalid connect_code'],
    [session, { ...good, redirect_uri: `${SPA}/` }, 'u', 'redirect_uri does not match'],
    [session, { ...good, code_verifier: 'wrong' }, 'u', 'invalid code_verifier'],
    [session, { ...good, code_verifier: undefined }, 'u', 'invalid code_verifier'],
  ];
  for (const [s, body, sub, why] of rows) assert.equal(completeRefusal(s, body, sub), why, JSON.stringify(body));
});

// ---------- against a real tenant ----------

/** Cookies of one browser, just enough for the login's redirects. */
function jar() {
  const cookies = new Map();
  return {
    store(res) {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        if (pair.slice(eq + 1) === '') cookies.delete(pair.slice(0, eq)); else cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    },
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

/** A login with autoLogin for `extra` authorize parameters; resolves to the token response. */
async function tokensFor(t, extra) {
  const cookies = jar();
  const verifier = b64url(crypto.randomBytes(32));
  const u = new URL('/authorize', t.url);
  const params = { client_id: t.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile', state: 'st', nonce: 'n', code_challenge: s256(verifier), code_challenge_method: 'S256', ...extra };
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  let url = u.href;
  for (let i = 0; i < 10 && url.startsWith(t.url); i += 1) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookies.header() } });
    cookies.store(res);
    url = new URL(res.headers.get('location'), url).href;
  }
  const code = new URL(url).searchParams.get('code');
  assert.ok(code, `no code in ${url}`);
  const res = await fetch(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: t.clientId, code, code_verifier: verifier, redirect_uri: REDIRECT }),
  });
  assert.equal(res.status, 200);
  return res.json();
}

describe('the My Account API on a real tenant', () => {
  let t;
  let token;
  const api = (path, { method = 'GET', body, auth = token } = {}) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), origin: SPA },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    t = await startTenant({ port: 0, spa: SPA, autoLogin: true });
    const got = await tokensFor(t, { audience: t.myAccount.audience, scope: `openid profile ${MY_ACCOUNT_SCOPES.join(' ')}` });
    token = got.access_token;
    assert.ok(got.id_token, 'an ID token too');
  });
  after(async () => { await t?.stop(); });

  test('the access token is for {url}/me/ with the API scopes; a token for no audience is refused', T, async () => {
    assert.equal(t.myAccount.audience, `${t.url}/me/`);
    const at = await t.provider.AccessToken.find(token);
    assert.equal(at.aud, t.myAccount.audience);
    assert.deepEqual(at.scope.split(' ').sort(), [...MY_ACCOUNT_SCOPES].sort());
    const plain = await tokensFor(t, {});
    const res = await api('/me/v1/factors', { auth: plain.access_token });
    assert.equal(res.status, 401);
    assert.match((await res.json()).detail, /not for/);
    assert.equal((await api('/me/v1/factors', { auth: null })).status, 401);
  });

  test('a token without the endpoint\'s scope is 403', T, async () => {
    const narrow = await tokensFor(t, { audience: t.myAccount.audience, scope: 'openid read:me:factors' });
    assert.equal((await api('/me/v1/factors', { auth: narrow.access_token })).status, 200);
    const res = await api('/me/v1/authentication-methods', { auth: narrow.access_token });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { type: 'about:blank', status: 403, title: 'Forbidden', detail: 'insufficient scope: read:me:authentication_methods is required' });
  });

  test('connect, the connection\'s redirect back with a connect code, complete once', T, async () => {
    const verifier = b64url(crypto.randomBytes(32));
    const res = await api('/me/v1/connected-accounts/connect', {
      method: 'POST',
      body: { connection: 'github', redirect_uri: REDIRECT, state: 'st-1', code_challenge: s256(verifier), code_challenge_method: 'S256', scopes: ['repo'] },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('access-control-allow-origin'), SPA);
    const answer = await res.json();
    assert.equal(answer.connect_uri, `${t.url}/connected-accounts/connect`);
    const back = await fetch(`${answer.connect_uri}?ticket=${encodeURIComponent(answer.connect_params.ticket)}`, { redirect: 'manual' });
    assert.equal(back.status, 302);
    const cb = new URL(back.headers.get('location'));
    assert.equal(cb.origin + cb.pathname, REDIRECT);
    assert.equal(cb.searchParams.get('state'), 'st-1');
    const connect_code = cb.searchParams.get('connect_code');
    assert.ok(connect_code);
    const again = await fetch(`${answer.connect_uri}?ticket=${encodeURIComponent(answer.connect_params.ticket)}`, { redirect: 'manual' });
    assert.equal(again.status, 400, 'a ticket is single-use');

    const complete = (body) => api('/me/v1/connected-accounts/complete', { method: 'POST', body: { auth_session: answer.auth_session, connect_code, redirect_uri: REDIRECT, code_verifier: verifier, ...body } });
    const wrong = await complete({ code_verifier: 'not-the-verifier' });
    assert.equal(wrong.status, 400);
    assert.equal((await wrong.json()).detail, 'invalid code_verifier');
    const done = await complete({});
    assert.equal(done.status, 201);
    const account = await done.json();
    assert.deepEqual([account.connection, account.access_type, account.scopes], ['github', 'offline', ['repo']]);
    assert.match(account.id, /^cac_/);
    assert.equal((await complete({})).status, 400, 'the connect code is single-use');
    const list = await (await api('/me/v1/connected-accounts')).json();
    assert.deepEqual(list.accounts.map((a) => a.id), [account.id]);
  });

  test('a refusing connection redirects back with error=access_denied; a bad connect request is 400 with validation errors', T, async () => {
    const res = await api('/me/v1/connected-accounts/connect', { method: 'POST', body: { connection: 'refusing-idp', redirect_uri: REDIRECT, state: 'st-2', code_challenge: 'c', code_challenge_method: 'S256' } });
    const answer = await res.json();
    const back = await fetch(`${answer.connect_uri}?ticket=${encodeURIComponent(answer.connect_params.ticket)}`, { redirect: 'manual' });
    const cb = new URL(back.headers.get('location'));
    assert.deepEqual([cb.searchParams.get('error'), cb.searchParams.get('state'), cb.searchParams.get('connect_code')], ['access_denied', 'st-2', null]);
    const bad = await api('/me/v1/connected-accounts/connect', { method: 'POST', body: { connection: 'nope', redirect_uri: 'https://evil.example/', state: 's', code_challenge: 'c', code_challenge_method: 'plain' } });
    assert.equal(bad.status, 400);
    assert.deepEqual((await bad.json()).validation_errors.map((e) => e.field), ['connection', 'redirect_uri', 'code_challenge_method']);
  });

  test('authentication methods: list, filter, get, update, delete, enroll and verify; unknown ids are 404', T, async () => {
    const list = async (q = '') => (await (await api(`/me/v1/authentication-methods${q}`)).json()).authentication_methods;
    assert.deepEqual((await list()).map((m) => m.id), ['phone|dev_phone1', 'totp|dev_totp1', 'passkey|dev_pk1']);
    assert.deepEqual((await list('?type=phone')).map((m) => m.id), ['phone|dev_phone1']);
    const one = await api(`/me/v1/authentication-methods/${encodeURIComponent('passkey|dev_pk1')}`);
    assert.deepEqual([one.status, (await one.json()).name], [200, 'Laptop']);
    const renamed = await api(`/me/v1/authentication-methods/${encodeURIComponent('passkey|dev_pk1')}`, { method: 'PATCH', body: { name: 'Work laptop' } });
    assert.deepEqual([renamed.status, (await renamed.json()).name], [200, 'Work laptop']);
    assert.equal((await api(`/me/v1/authentication-methods/${encodeURIComponent('passkey|dev_pk1')}`, { method: 'PATCH', body: { id: 'x' } })).status, 400);
    const gone = await api(`/me/v1/authentication-methods/${encodeURIComponent('totp|dev_totp1')}`, { method: 'DELETE' });
    assert.equal(gone.status, 204);
    const missing = await api(`/me/v1/authentication-methods/${encodeURIComponent('totp|dev_totp1')}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { type: 'about:blank', status: 404, title: 'Not Found', detail: 'authentication method not found' });
    assert.equal((await api(`/me/v1/authentication-methods/${encodeURIComponent('totp|dev_totp1')}`, { method: 'DELETE' })).status, 404);

    const started = await api('/me/v1/authentication-methods', { method: 'POST', body: { type: 'totp' } });
    assert.equal(started.status, 202);
    const location = started.headers.get('location');
    assert.ok(location.startsWith(`${t.myAccount.audience}v1/authentication-methods/totp%7C`));
    const { auth_session } = await started.json();
    const verified = await fetch(`${location}/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ auth_session, otp_code: '123456' }) });
    assert.equal(verified.status, 201);
    assert.equal((await list('?type=totp')).length, 1);
    const factors = await (await api('/me/v1/factors')).json();
    assert.deepEqual(factors.factors.map((f) => f.type), ['phone', 'totp', 'passkey']);
  });

  test('CORS preflight lets the SPA send its headers and read Location', T, async () => {
    const res = await fetch(`${t.url}/me/v1/authentication-methods/x`, { method: 'OPTIONS', headers: { origin: SPA, 'access-control-request-method': 'DELETE' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), SPA);
    assert.match(res.headers.get('access-control-allow-methods'), /DELETE/);
    assert.match(res.headers.get('access-control-allow-headers'), /authorization/);
    assert.match(res.headers.get('access-control-expose-headers'), /location/);
  });
});
