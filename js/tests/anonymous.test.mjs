// node --test js/tests/ : anonymous sessions (js/anonymous-store.js, js/anonymous-api.js,
// js/anonymous.js): the storage keys and what counts as a stored session or token (tables), the
// expiry rule with its 60 s leeway, the token endpoint's answers read as auth0-auth-js reads them,
// and the flows over a scripted fetch and the memory store: caching per audience and scope,
// renewal with the session token, the expiry mark, the transfer token, logout.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { anonymousKeys, anonymousStore, storedSession, storedSlot, cacheModeOf } from '../anonymous-store.js';
import * as api from '../anonymous-api.js';
import { withAnonTransferToken, lowLevelCall, lowLevelClient, startAnonymousSession } from '../anonymous.js';
import { AnonymousSessionError } from '../extras.js';
import { TimeoutError } from '../errors.js';

test('storage keys are auth0-spa-js 2.28.3\'s', () => {
  const k = anonymousKeys('cid');
  assert.equal(k.session, '@@auth0spajs@@::cid::anonymous::session');
  assert.equal(k.expired, '@@auth0spajs@@::cid::anonymous::session_expired');
  assert.equal(k.slot('https://api', 'read:x'), '@@auth0spajs@@::cid::anonymous::["https://api","read:x"]');
  assert.equal(k.slot(), '@@auth0spajs@@::cid::anonymous::["",""]');
  assert.ok(k.slot().startsWith(k.prefix) && k.session.startsWith(k.prefix));
  assert.deepEqual([cacheModeOf('memory'), cacheModeOf(undefined), cacheModeOf('localStorage')], ['memory', 'localStorage', 'localStorage']);
});

test('what counts as a stored session and a stored token (garbage is none)', () => {
  const sessions = [
    ['{"sessionToken":"st"}', { sessionToken: 'st' }],
    ['{"sessionToken":"st","sessionTokenExpiresAt":5}', { sessionToken: 'st', sessionTokenExpiresAt: 5 }],
    ['{"sessionToken":"st","sessionTokenExpiresAt":"5"}', { sessionToken: 'st' }],
    ['{"sessionToken":""}', null], ['{"sessionToken":["x"]}', null], ['"st"', null], ['[1]', null], ['{not json', null], ['', null], [null, null],
  ];
  for (const [text, want] of sessions) assert.deepEqual(storedSession(text), want, String(text));
  const slots = [
    ['{"accessToken":"at","expiresAt":10}', { accessToken: 'at', expiresAt: 10 }],
    ['{"accessToken":"at","expiresAt":10,"scope":"s"}', { accessToken: 'at', expiresAt: 10, scope: 's' }],
    ['{"accessToken":"at"}', null], ['{"accessToken":7,"expiresAt":10}', null], ['{"accessToken":"at","expiresAt":null}', null], ['x', null],
  ];
  for (const [text, want] of slots) assert.deepEqual(storedSlot(text), want, text);
});

test('a cached token is used until 60 s before it expires', () => {
  const now = 1_000_000_000_000;
  const at = (secondsLeft) => ({ accessToken: 'a', expiresAt: now / 1000 + secondsLeft });
  for (const [left, fresh] of [[3600, true], [61, true], [60, false], [59, false], [0, false], [-5, false]]) {
    assert.equal(api.isFresh(at(left), now), fresh, `${left} s left`);
  }
  assert.equal(api.isFresh(null, now), false);
});

test('token answers as auth0-auth-js reads them', () => {
  const now = 2_000_000_000_500;
  const ok = api.tokensFrom({ access_token: 'at', expires_in: 60, scope: 's', session_token: 'st', session_expires_in: 100 }, now, AnonymousSessionError);
  assert.deepEqual(ok, { accessToken: 'at', expiresAt: 2_000_000_060, scope: 's', sessionToken: 'st', sessionTokenExpiresAt: 2_000_000_100 });
  for (const [body, message] of [
    [{ expires_in: 60 }, 'access_token missing or invalid in anonymous token response'],
    [{ access_token: '', expires_in: 60 }, 'access_token missing or invalid in anonymous token response'],
    [{ access_token: 'at', expires_in: '60' }, 'expires_in missing or invalid in anonymous token response'],
    [null, 'access_token missing or invalid in anonymous token response'],
  ]) {
    assert.throws(() => api.tokensFrom(body, now, AnonymousSessionError), (e) => e instanceof AnonymousSessionError && e.code === 'server_error' && e.message === message);
  }
});

test('anon_transfer_token: a minted token wins over the call\'s, none leaves the parameters as they are', () => {
  const params = { audience: 'a', anon_transfer_token: 'app' };
  assert.deepEqual(withAnonTransferToken(params, 'minted'), { audience: 'a', anon_transfer_token: 'minted' });
  assert.equal(withAnonTransferToken(params, null), params);
  assert.deepEqual(withAnonTransferToken({}, 'm'), { anon_transfer_token: 'm' });
});

/** deps over the memory store and a scripted fetch: `answers` in order; `sent` the requests. */
function harness(answers) {
  const memory = new Map();
  const sent = [];
  const deps = {
    baseUrl: 'https://tenant', clientId: 'cid', timeoutMs: 1000, keys: anonymousKeys('cid'), store: anonymousStore('memory', memory),
    errors: { session: AnonymousSessionError, timeout: TimeoutError },
    fetch: async (url, init) => {
      sent.push({ url, body: JSON.parse(init.body), credentials: init.credentials, redirect: init.redirect, telemetry: init.headers['Auth0-Client'] });
      const [status, body] = answers.shift();
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
    },
  };
  return { deps, memory, sent };
}

test('getTokenSilently: a session when there is none, then the cache per audience and scope, then the session token', async () => {
  const { deps, sent, memory } = harness([
    [200, { access_token: 'at1', expires_in: 3600, session_token: 'st', session_expires_in: 900 }],
    [200, { access_token: 'at2', expires_in: 3600, scope: 'read' }],
  ]);
  const first = await api.getTokenSilently(deps);
  assert.equal(first.accessToken, 'at1');
  assert.deepEqual(await api.getTokenSilently(deps), first, 'cached');
  assert.deepEqual(sent.map((r) => r.body), [{ client_id: 'cid' }]);
  assert.deepEqual([sent[0].url, sent[0].credentials, sent[0].redirect, typeof sent[0].telemetry], ['https://tenant/anonymous/token', 'include', 'error', 'string']);
  assert.equal(storedSession(memory.get(deps.keys.session)).sessionToken, 'st');
  const other = await api.getTokenSilently(deps, { audience: 'https://b', scope: 'read' });
  assert.deepEqual([other.accessToken, other.scope], ['at2', 'read']);
  assert.deepEqual(sent[1].body, { client_id: 'cid', session_token: 'st', audience: 'https://b', scope: 'read' });
  assert.equal(storedSession(memory.get(deps.keys.session)).sessionToken, 'st', 'the session token is kept');
});

test('a session the server ended is removed and marked: session_expired without a request until createSession', async () => {
  const { deps, sent, memory } = harness([
    [400, { error: 'invalid_session_token', error_description: 'gone' }],
    [200, { access_token: 'at', expires_in: 60, session_token: 'st2' }],
  ]);
  memory.set(deps.keys.session, '{"sessionToken":"st"}');
  memory.set(deps.keys.slot('x'), '{"accessToken":"old","expiresAt":1}');
  await assert.rejects(api.getTokenSilently(deps), (e) => e instanceof AnonymousSessionError && e.code === 'invalid_session_token' && e.message === 'gone');
  assert.deepEqual([...memory.keys()], [deps.keys.expired]);
  await assert.rejects(api.getTokenSilently(deps), (e) => e.code === 'session_expired' && e.message === api.SESSION_EXPIRED_MESSAGE);
  assert.equal(sent.length, 1);
  const s = await api.createSession(deps, { metadata: { a: '1' } });
  assert.equal(s.sessionToken, 'st2');
  assert.deepEqual(sent[1].body, { client_id: 'cid', metadata: { a: '1' } });
  assert.equal(memory.has(deps.keys.expired), false);
});

test('refusals: the body\'s error and description, else server_error with the status; a 200 without session_token on create', async () => {
  const { deps } = harness([[502, '<html>'], [403, { error: 'feature_not_enabled' }], [200, { access_token: 'a', expires_in: 1 }]]);
  await assert.rejects(api.createSession(deps), (e) => e.code === 'server_error' && e.message === 'Request failed with status 502' && e.cause.error === 'server_error');
  await assert.rejects(api.createSession(deps), (e) => e.code === 'feature_not_enabled' && e.message === 'Request failed with status 403');
  await assert.rejects(api.createSession(deps), (e) => e.code === 'server_error' && e.message === 'session_token missing from create session response');
});

test('mintTransferToken: null without a session or on any failure; the transfer audience, no cookie', async () => {
  const { deps, sent, memory } = harness([[200, { anon_transfer_token: 'tt' }], [500, {}], [200, 'x']]);
  assert.equal(await api.mintTransferToken(deps), null);
  assert.equal(sent.length, 0);
  memory.set(deps.keys.session, '{"sessionToken":"st"}');
  assert.equal(await api.mintTransferToken(deps), 'tt');
  assert.deepEqual([sent[0].body, sent[0].credentials], [{ client_id: 'cid', session_token: 'st', audience: 'urn:auth0:anon_transfer' }, undefined]);
  assert.equal(await api.mintTransferToken(deps), null);
  assert.equal(await api.mintTransferToken(deps), null);
});

test('logout: every key goes after the tenant\'s answer; a refusal keeps them', async () => {
  const { deps, sent, memory } = harness([[500, { error: 'server_error', error_description: 'down' }], [200, {}]]);
  memory.set(deps.keys.session, '{"sessionToken":"st"}');
  memory.set(deps.keys.slot('a', 'b'), '{}');
  memory.set('@@auth0spajs@@::cid::default::openid', 'the real session');
  await assert.rejects(api.logout(deps), (e) => e.code === 'server_error' && e.message === 'down');
  assert.equal(memory.size, 3);
  await api.logout(deps);
  assert.deepEqual([...memory.keys()], ['@@auth0spajs@@::cid::default::openid']);
  assert.deepEqual([sent[1].url, sent[1].body, sent[1].credentials], ['https://tenant/anonymous/logout', { client_id: 'cid' }, 'include']);
});

test('the low-level AnonymousSessionClient (auth0-auth-js\'s): https://{domain}, the caller keeps the session token', async () => {
  // js/index.js's class, as it delegates.
  class AnonymousSessionClient {
    constructor(options) { lowLevelClient(this, options, { session: AnonymousSessionError, timeout: TimeoutError, failed: (m) => new Error(m) }); }
    createSession(o) { return lowLevelCall(this, 'createSession', o); }
    getAccessToken(o) { return lowLevelCall(this, 'getAccessToken', o); }
    mintTransferToken(t) { return lowLevelCall(this, 'mintTransferToken', t); }
    logout() { return lowLevelCall(this, 'logout'); }
  }
  const sent = [];
  const answers = [
    [200, { access_token: 'a1', expires_in: 60, session_token: 'st' }],
    [200, { access_token: 'a2', expires_in: 60 }],
    [200, { anon_transfer_token: 'tt' }],
    [400, { error: 'session_expired', error_description: 'over' }],
    [200, {}],
  ];
  const customFetch = async (url, init) => {
    sent.push([url, JSON.parse(init.body)]);
    const [status, body] = answers.shift();
    return new Response(JSON.stringify(body), { status });
  };
  const c = new AnonymousSessionClient({ domain: 'tenant.example', clientId: 'cid', customFetch });
  const s = await c.getAccessToken();
  assert.deepEqual([s.sessionToken, s.accessToken], ['st', 'a1']);
  assert.equal((await c.getAccessToken({ sessionToken: 'st', audience: 'https://b' })).accessToken, 'a2');
  assert.equal(await c.mintTransferToken('st'), 'tt');
  await assert.rejects(c.getAccessToken({ sessionToken: 'st' }), (e) => e instanceof AnonymousSessionError && e.code === 'session_expired');
  await c.logout();
  assert.deepEqual(sent.map(([u]) => u), [...Array(4).fill('https://tenant.example/anonymous/token'), 'https://tenant.example/anonymous/logout']);
  assert.deepEqual(sent[1][1], { client_id: 'cid', session_token: 'st', audience: 'https://b' });
});

test('write marks: named after the key and text fingerprints and the time; the latest write of each key wins', () => {
  assert.equal(api.fingerprint(''), (0x811c9dc5).toString(36));
  assert.notEqual(api.fingerprint('a'), api.fingerprint('b'));
  const k = '@@auth0spajs@@::c.id::anonymous::session';
  const m1 = api.writeMark('c.id', k, 'one', 1000);
  const m2 = api.writeMark('c.id', k, 'two', 2000);
  assert.equal(m1, `anonymous.wrote.c.id.${api.fingerprint(k)}.1000.${api.fingerprint('one')}`);
  const rows = [
    [[m1], api.fingerprint('one')],
    [[m1, m2], api.fingerprint('two')],
    [[m2, m1], api.fingerprint('two')],
    [[api.writeMark('other', k, 'x', 3000), m1], api.fingerprint('one')],
    [['anonymous.wrote.c.id.bad', 'auth0.lock.getTokenSilently.c.id.default', m1], api.fingerprint('one')],
    [[], undefined],
  ];
  for (const [names, want] of rows) assert.equal(api.latestWrites(names, 'c.id').get(api.fingerprint(k)), want, names.join(' '));
});

test('checkSession\'s anonymous session: none when one is stored; otherwise getTokenSilently(), whose failure is only logged', async () => {
  const calls = [];
  const fake = (stored, fails) => ({ hasSession: () => stored, getTokenSilently: async (...a) => { calls.push(a); if (fails) throw new Error('down'); } });
  await startAnonymousSession(fake(true, false));
  assert.equal(calls.length, 0);
  await startAnonymousSession(fake(false, false));
  assert.deepEqual(calls, [[]], 'no audience');
  const saved = console.debug;
  const logged = [];
  console.debug = (...a) => logged.push(a);
  try {
    await startAnonymousSession(fake(false, true));
  } finally {
    console.debug = saved;
  }
  assert.equal(logged[0][0], '[auth0-spa-js] Anonymous session creation failed');
});
