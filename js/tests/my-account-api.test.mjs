// node --test js/tests/ : js/my-account-api.js, the requests of client.myAccount (auth0-spa-js
// 2.28.3's MyAccountApiClient): each method's URL, method, scope and body as a table, the answers
// read as auth0-spa-js reads them, and every failure a MyAccountApiError with its problem details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { myAccountApi, readAnswer, idOfLocation, SCOPES } from '../my-account-api.js';
import { MyAccountApiError } from '../extras.js';

const BASE = 'https://tenant.example.com/me/';

/** A fetcher that records what it is asked and answers `status` with `body` (and `headers`). */
function fakeFetcher(status, body, headers = {}) {
  const seen = [];
  return {
    seen,
    fetchWithAuth: async (url, init, authParams) => {
      seen.push({ url, method: init.method, contentType: init.headers?.['Content-Type'], body: init.body === undefined ? undefined : JSON.parse(init.body), scope: authParams.scope });
      return new Response(body, { status, headers });
    }
  };
}

test('each method sends its request with its scope (a table)', async () => {
  const M = BASE + 'v1/authentication-methods';
  const rows = [
    ['connectAccount', [{ connection: 'c', redirect_uri: 'r' }], BASE + 'v1/connected-accounts/connect', 'POST', SCOPES.connect, { connection: 'c', redirect_uri: 'r' }],
    ['completeAccount', [{ auth_session: 'a' }], BASE + 'v1/connected-accounts/complete', 'POST', SCOPES.connect, { auth_session: 'a' }],
    ['getFactors', [], BASE + 'v1/factors', 'GET', 'read:me:factors', undefined],
    ['getAuthenticationMethods', [], M, 'GET', 'read:me:authentication_methods', undefined],
    ['getAuthenticationMethods', ['phone'], M + '?type=phone', 'GET', 'read:me:authentication_methods', undefined],
    ['getAuthenticationMethod', ['phone|a/b c'], M + '/phone%7Ca%2Fb%20c', 'GET', 'read:me:authentication_methods', undefined],
    ['deleteAuthenticationMethod', ['x'], M + '/x', 'DELETE', 'delete:me:authentication_methods', undefined],
    ['updateAuthenticationMethod', ['x', { name: 'Work' }], M + '/x', 'PATCH', 'update:me:authentication_methods', { name: 'Work' }],
    ['enrollmentChallenge', [{ type: 'totp' }], M, 'POST', 'create:me:authentication_methods', { type: 'totp' }],
    ['enrollmentVerify', [{ location: M + '/totp%7Cnew', type: 'totp', auth_session: 's', otp_code: '123456' }], M + '/totp%7Cnew/verify', 'POST', 'create:me:authentication_methods', { auth_session: 's', otp_code: '123456' }]
  ];
  for (const [name, args, url, method, scope, body] of rows) {
    const f = fakeFetcher(200, '{}');
    await myAccountApi(f, BASE, MyAccountApiError)[name](...args);
    assert.deepEqual(f.seen, [{ url, method, contentType: body === undefined ? undefined : 'application/json', body, scope: [scope] }], name);
  }
});

test('answers: lists are unwrapped, a deletion reads no body, an enrollment gets the id and location of its Location header', async () => {
  const api = (status, body, headers) => myAccountApi(fakeFetcher(status, body, headers), BASE, MyAccountApiError);
  assert.deepEqual(await api(200, '{"factors":[{"type":"totp"}]}').getFactors(), [{ type: 'totp' }]);
  assert.deepEqual(await api(200, '{"authentication_methods":[{"id":"a"}]}').getAuthenticationMethods(), [{ id: 'a' }]);
  assert.equal(await api(204, null).deleteAuthenticationMethod('a'), undefined);
  const location = BASE + 'v1/authentication-methods/totp%7Cdev_1';
  assert.deepEqual(await api(202, '{"auth_session":"s","barcode_uri":"otpauth://x"}', { location }).enrollmentChallenge({ type: 'totp' }), {
    auth_session: 's',
    barcode_uri: 'otpauth://x',
    id: 'totp|dev_1',
    location
  });
  assert.deepEqual(await api(202, '{"auth_session":"s"}').enrollmentChallenge({ type: 'totp' }), { auth_session: 's', id: '', location: '' });
});

test('failures are MyAccountApiErrors: the problem details of a non-2xx answer, invalid_json for a body that is not JSON', async () => {
  const problem = { type: 'about:blank', status: 404, title: 'Not Found', detail: 'no such method', validation_errors: [{ field: 'id', detail: 'unknown' }] };
  const rows = [
    [404, JSON.stringify(problem), problem],
    [500, 'oops', { type: 'invalid_json', status: 500, title: 'Invalid JSON response', detail: 'oops', validation_errors: undefined }],
    [200, '', { type: 'invalid_json', status: 200, title: 'Invalid JSON response', validation_errors: undefined }]
  ];
  for (const [status, body, want] of rows) {
    await assert.rejects(readAnswer(new Response(body, { status }), MyAccountApiError), (e) => {
      assert.ok(e instanceof MyAccountApiError);
      assert.equal(e.name, 'MyAccountApiError');
      for (const [k, v] of Object.entries(want)) assert.deepEqual(e[k], v, k);
      if (!want.detail) assert.match(e.detail, /JSON/);
      return true;
    });
  }
  const f = fakeFetcher(403, JSON.stringify({ type: 'about:blank', status: 403, title: 'Forbidden', detail: 'insufficient scope' }));
  await assert.rejects(myAccountApi(f, BASE, MyAccountApiError).deleteAuthenticationMethod('a'), (e) => e instanceof MyAccountApiError && e.status === 403);
  assert.deepEqual(await readAnswer(new Response('{"a":1}', { status: 201 }), MyAccountApiError), { a: 1 });
});

test('idOfLocation reads the last segment, decoded', () => {
  for (const [location, id] of [['https://t/me/v1/authentication-methods/phone%7C1', 'phone|1'], ['', ''], ['https://t/x/', '']]) assert.equal(idOfLocation(location), id);
});
