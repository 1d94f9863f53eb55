// Tests for the anonymous-session emulation (tenant/anonymous.mjs) on a real tenant: sessions,
// renewals (by token and by cookie), expiry, logout, transfer tokens used once at /authorize, and
// the errors. Pure Node, loopback only. Run: node --test tenant/
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { startTenant } from './server.mjs';

const SPA = 'http://127.0.0.1:3000';
const T = { timeout: 15000 };
let tenant;

before(async () => { tenant = await startTenant({ port: 0, spa: SPA }); });
after(async () => { await tenant.stop(); });
beforeEach(() => tenant.anonymous.reset());

async function post(path, body, cookie) {
  const res = await fetch(`${tenant.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: SPA, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const setCookie = res.headers.get('set-cookie') || '';
  return { status: res.status, body: await res.json(), cookie: setCookie.split(';')[0], cors: [res.headers.get('access-control-allow-origin'), res.headers.get('access-control-allow-credentials')] };
}
const token = (body, cookie) => post('/anonymous/token', { client_id: tenant.clientId, ...body }, cookie);

test('a new session: a signed access token for an anon@ identity, a session token, the auth0_anon cookie, credentialed CORS', T, async () => {
  const r = await token({ audience: 'https://api.example', scope: 'read:x', metadata: { from: 'test' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.cors, [SPA, 'true']);
  assert.equal(typeof r.body.session_token, 'string');
  assert.equal(r.body.expires_in, 3600);
  assert.equal(r.body.scope, 'read:x');
  assert.ok(r.body.session_expires_in > 7 * 24 * 3600 - 5);
  assert.match(r.cookie, /^auth0_anon=/);
  const claims = tenant.anonymous.verify(r.body.access_token);
  assert.match(claims.sub, /^anon@/);
  assert.deepEqual([claims.aud, claims.scope], ['https://api.example', 'read:x']);
  assert.equal(tenant.anonymous.verify(`${r.body.access_token}x`), null, 'a tampered token is not ours');
});

test('renewals keep the identity (by session token or by cookie); metadata with a session is invalid_request', T, async () => {
  const first = await token({});
  const sub = tenant.anonymous.verify(first.body.access_token).sub;
  const byToken = await token({ session_token: first.body.session_token, audience: 'https://b' });
  assert.equal(byToken.status, 200);
  assert.equal(byToken.body.session_token, undefined, 'not reissued');
  assert.equal(tenant.anonymous.verify(byToken.body.access_token).sub, sub);
  const byCookie = await token({}, first.cookie);
  assert.equal(tenant.anonymous.verify(byCookie.body.access_token).sub, sub);
  const meta = await token({ metadata: { a: '1' } }, first.cookie);
  assert.deepEqual([meta.status, meta.body.error], [400, 'invalid_request']);
});

test('errors: unknown token, expired session, ended session, unknown client, injected failures', T, async () => {
  assert.equal((await token({ session_token: 'nope' })).body.error, 'invalid_session_token');
  const s = await token({});
  tenant.anonymous.expireAll();
  assert.equal((await token({ session_token: s.body.session_token })).body.error, 'session_expired');
  const live = await token({});
  const out = await post('/anonymous/logout', { client_id: tenant.clientId }, live.cookie);
  assert.equal(out.status, 200);
  assert.match(out.cookie, /^auth0_anon=;?/);
  assert.equal((await token({ session_token: live.body.session_token })).body.error, 'invalid_session_token', 'logout ended it');
  assert.equal((await post('/anonymous/token', { client_id: 'other' })).status, 401);
  tenant.anonymous.fail({ status: 403, body: { error: 'feature_not_enabled', error_description: 'off' } });
  assert.deepEqual([(await token({})).body.error, (await token({})).status], ['feature_not_enabled', 200]);
});

test('a transfer token: for a live session only, valid once at /authorize', T, async () => {
  const s = await token({});
  assert.equal((await token({ session_token: 'nope', audience: 'urn:auth0:anon_transfer' })).body.error, 'invalid_session_token');
  const t = await token({ session_token: s.body.session_token, audience: 'urn:auth0:anon_transfer' });
  assert.equal(typeof t.body.anon_transfer_token, 'string');
  assert.equal(t.body.access_token, undefined);
  const sub = tenant.anonymous.verify(s.body.access_token).sub;
  assert.deepEqual(tenant.anonymous.consumeTransfer(t.body.anon_transfer_token), { valid: true, sub });
  assert.deepEqual(tenant.anonymous.consumeTransfer(t.body.anon_transfer_token), { valid: false, sub }, 'single use');
  const url = `${tenant.url}/authorize?client_id=${tenant.clientId}&response_type=code&redirect_uri=${encodeURIComponent(`${SPA}/`)}&scope=openid&state=s&anon_transfer_token=`;
  const fresh = (await token({ session_token: s.body.session_token, audience: 'urn:auth0:anon_transfer' })).body.anon_transfer_token;
  await fetch(url + encodeURIComponent(fresh), { redirect: 'manual' });
  assert.deepEqual(tenant.anonymous.events().filter((e) => e.type === 'authorize').map((e) => e.valid), [true, false, true]);
});
