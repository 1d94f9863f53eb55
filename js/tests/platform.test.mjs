// node --test js/tests/ : js/platform.js, the JS half of the browser adapters, with a scripted
// `fetch` installed BEFORE the module is evaluated (it captures fetch, Response.prototype.text,
// crypto and the timers then), and wrappers installed AFTER it, which must never be called.
// Node has no navigator.locks, so the locks here are the in-tab fallback. The iframe and popup
// flows are Rust (src/browser/frame.rs), tested in the browser (tests/web_frame.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const calls = [];
let answer = () => Promise.resolve(new Response('ok'));
globalThis.fetch = (url, init) => {
  calls.push({ url, init });
  return answer(url, init);
};
const realText = Response.prototype.text;
const platform = await import('../platform.js');

// Installed after the module was evaluated, like a page script that runs later.
let wrapped = 0;
globalThis.fetch = () => {
  wrapped += 1;
  return Promise.reject(new Error('the wrapper was called'));
};
Response.prototype.text = function text() {
  wrapped += 1;
  return realText.call(this);
};
const realGetRandomValues = crypto.getRandomValues;
crypto.getRandomValues = () => {
  wrapped += 1;
  throw new Error('the wrapper was called');
};

const headers = JSON.stringify({ 'Content-Type': 'application/x-www-form-urlencoded', 'Auth0-Client': 'abc' });

test('send passes method, headers, body and an abort signal; any status is a response', async () => {
  calls.length = 0;
  answer = () => Promise.resolve(new Response('{"error":"invalid_grant"}', { status: 403 }));
  const body = 'grant_type=refresh_token&refresh_token=secret-rt';
  const r = await platform.send('https://tenant.example/oauth/token', 'POST', headers, body, 5000);
  assert.deepEqual(r, [0, 403, '{"error":"invalid_grant"}']);
  assert.equal(calls.length, 1);
  const { url, init } = calls[0];
  assert.equal(url, 'https://tenant.example/oauth/token');
  assert.equal(init.method, 'POST');
  assert.deepEqual(init.headers, JSON.parse(headers));
  assert.equal(init.body, body);
  assert.ok(init.signal instanceof AbortSignal);
});

test('wrappers of fetch, Response.prototype.text and crypto installed after the import are never called', async () => {
  answer = () => Promise.resolve(new Response('fine'));
  assert.deepEqual(await platform.send('https://t/oauth/token', 'POST', '{}', 'refresh_token=x', 5000), [0, 200, 'fine']);
  const bytes = new Uint8Array(70000);
  assert.equal(platform.fillRandom(bytes), true);
  assert.ok(bytes.some((b) => b !== 0), 'filled beyond the 65536-byte limit of one call');
  assert.equal(wrapped, 0);
});

test('a DPoP-Nonce response header comes back as the fourth member', async () => {
  answer = () => Promise.resolve(new Response('{"error":"use_dpop_nonce"}', { status: 400, headers: { 'DPoP-Nonce': 'n-1' } }));
  assert.deepEqual(await platform.send('https://t/oauth/token', 'POST', '{}', 'x', 5000), [0, 400, '{"error":"use_dpop_nonce"}', 'n-1']);
});

test('a GET carries no body', async () => {
  calls.length = 0;
  answer = () => Promise.resolve(new Response('x'));
  assert.deepEqual(await platform.send('https://t/', 'GET', '{}', '', 5000), [0, 200, 'x']);
  assert.equal('body' in calls[0].init, false);
});

test('a network failure or a throwing fetch is [1, thrown], sent once', async () => {
  calls.length = 0;
  answer = () => Promise.reject(new TypeError('Failed to fetch'));
  const r = await platform.send('https://t/', 'GET', '{}', '', 5000);
  assert.equal(r[0], 1);
  assert.equal(r[1].message, 'Failed to fetch');
  assert.equal(calls.length, 1);
  answer = () => {
    throw 'weird';
  };
  assert.deepEqual(await platform.send('https://t/', 'GET', '{}', '', 5000), [1, 'weird']);
});

test('something that is not a Response is [3]', async () => {
  answer = () => Promise.resolve({ status: 200 });
  assert.deepEqual(await platform.send('https://t/', 'GET', '{}', '', 5000), [3]);
});

test('a request that never answers times out as [2] and is aborted', async () => {
  calls.length = 0;
  answer = () => new Promise(() => {});
  const started = Date.now();
  assert.deepEqual(await platform.send('https://t/', 'GET', '{}', '', 150), [2]);
  assert.ok(Date.now() - started >= 100);
  assert.equal(calls[0].init.signal.aborted, true);
  assert.equal(calls.length, 1);
});

test('a body that never finishes also times out', async () => {
  answer = () => Promise.resolve(new Response(new ReadableStream({ start() {} })));
  assert.deepEqual(await platform.send('https://t/', 'GET', '{}', '', 150), [2]);
});

test('timers fire once and can be stopped', async () => {
  let fired = 0;
  platform.startTimer(() => { fired += 1; }, 10);
  const stopped = platform.startTimer(() => { fired += 100; }, 10);
  platform.stopTimer(stopped);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(fired, 1);
});

test('without Web Locks the lock is an in-tab FIFO with a wait timeout', async () => {
  const first = platform.lockRequest('n', 1000);
  await first.p;
  const order = [];
  const second = platform.lockRequest('n', 1000);
  const third = platform.lockRequest('n', 50);
  second.p.then(() => order.push('second'));
  await assert.rejects(third.p, (e) => e === 'timeout');
  first.drop();
  await second.p;
  second.drop();
  assert.deepEqual(order, ['second']);
  const again = platform.lockRequest('n', 50);
  await again.p;
  again.drop();
});

test('spent marks are a no-op without Web Locks', async () => {
  await platform.markSpent('m', 1000);
  assert.equal(await platform.isSpent('m'), false);
  platform.unmarkSpent('m');
});

test('a custom ICache call never rejects and converts values', async () => {
  const store = new Map();
  const cache = {
    get: (k) => store.get(k),
    set: async (k, v) => { store.set(k, v); },
    remove: (k) => store.delete(k),
    allKeys: () => [...store.keys(), 7]
  };
  assert.equal(await platform.customOp(cache, 1, '@@auth0spajs@@::a', '{"x":1}', ''), null);
  assert.equal(await platform.customOp(cache, 0, '@@auth0spajs@@::a', '', ''), '{"x":1}');
  assert.deepEqual(await platform.customOp(cache, 3, '', '', '@@auth0spajs@@'), ['@@auth0spajs@@::a']);
  const throwing = { get() { throw new Error('x'); }, set() { throw new Error('full'); } };
  assert.equal(await platform.customOp(throwing, 0, 'k', '', ''), undefined);
  const [e] = await platform.customOp(throwing, 1, 'k', '{}', '');
  assert.equal(e.message, 'full');
  assert.equal(await platform.customOp({}, 3, '', '', ''), undefined);
});

test.after(() => {
  crypto.getRandomValues = realGetRandomValues;
  Response.prototype.text = realText;
});
