// node --test js/tests/ : js/platform.js's Web Locks path (lockRequest, heldAtGrant) over a
// scripted lock manager that follows the Web Locks API's one lock task queue: request() and
// query() steps run in the order they were called. Node has no navigator.locks, so this one is
// installed before a fresh copy of the module is evaluated (it captures navigator.locks then).
// The same behaviour in real browsers: tests/web_locks.rs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

/** A lock manager with exclusive and shared locks and one FIFO task queue. */
function scriptedLockManager() {
  /** While true, query() never answers (a lock manager that misbehaves). */
  let silent = false;
  let queries = 0;
  /** @type {{ name: string, mode: string }[]} */
  const held = [];
  /** @type {{ name: string, mode: string, grant: () => void }[]} */
  const pending = [];
  let queue = Promise.resolve();
  const enqueue = (/** @type {() => void} */ step) => {
    queue = queue.then(step);
  };
  const free = (/** @type {string} */ name, /** @type {string} */ mode) =>
    !held.some((l) => l.name === name && (mode === 'exclusive' || l.mode === 'exclusive'));
  const process = () => {
    for (let i = 0; i < pending.length; i++) {
      const r = pending[i];
      if (pending.slice(0, i).some((o) => o.name === r.name) || !free(r.name, r.mode)) continue;
      pending.splice(i, 1);
      i -= 1;
      r.grant();
    }
  };
  return {
    /** @param {string} name @param {{ mode: string }} options @param {() => any} callback */
    request(name, options, callback) {
      return new Promise((resolve) => {
        enqueue(() => {
          const entry = { name, mode: options.mode };
          const grant = () => {
            held.push(entry);
            // The callback runs in a later task, as in a browser.
            setTimeout(() => {
              Promise.resolve(callback()).then((v) => {
                held.splice(held.indexOf(entry), 1);
                enqueue(process);
                resolve(v);
              });
            }, 0);
          };
          pending.push({ ...entry, grant });
          process();
        });
      });
    },
    query() {
      queries += 1;
      if (silent) return new Promise(() => {});
      return new Promise((resolve) => enqueue(() => resolve({ held: held.map((l) => ({ ...l })), pending: pending.map(({ name, mode }) => ({ name, mode })) })));
    },
    /** How many times query() was called. */
    get queries() {
      return queries;
    },
    /** @param {boolean} on */
    silence(on) {
      silent = on;
    }
  };
}

Object.defineProperty(globalThis, 'navigator', { value: { locks: scriptedLockManager() }, configurable: true });
const platform = await import('../platform.js?web-locks');

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

test('heldAtGrant: the held names only when the state shows the lock held and nobody waiting for it', () => {
  const l = (/** @type {string} */ name) => ({ name, mode: 'exclusive' });
  const table = [
    { why: 'held, none pending', state: { held: [l('a'), l('m1')], pending: [] }, want: ['a', 'm1'] },
    { why: 'held, another name pending', state: { held: [l('a')], pending: [l('b')] }, want: ['a'] },
    { why: 'held and a request for it pending (ours may be the one waiting)', state: { held: [l('a'), l('m1')], pending: [l('a')] }, want: null },
    { why: 'not held (ours is pending or gone)', state: { held: [l('m1')], pending: [] }, want: null },
    { why: 'an empty state', state: {}, want: null },
    { why: 'no state', state: undefined, want: null }
  ];
  for (const row of table) {
    const got = platform.heldAtGrant(row.state, 'a');
    assert.deepEqual(got && [...got].sort(), row.want, row.why);
  }
});

test('a lock granted at once answers the first spent check from the state at its grant, then leaves it to the lock manager', async () => {
  const mark = navigator.locks.request('mark-1', { mode: 'shared' }, () => sleep(200));
  await sleep(10);
  const lock = platform.lockRequest('free', 1000, true);
  await lock.p;
  assert.equal(lock.spentAtGrant('mark-1'), true);
  assert.equal(lock.spentAtGrant('mark-1'), undefined, 'once');
  lock.drop();
  await sleep(10);
  const again = platform.lockRequest('free', 1000, true);
  await again.p;
  assert.equal(again.spentAtGrant('mark-2'), false);
  again.drop();
  await mark;
});

test('a lock granted after waiting knows nothing at its grant: the mark its previous holder left is asked for afresh', async () => {
  let release = () => {};
  const first = platform.lockRequest('busy', 1000, true);
  await first.p;
  const second = platform.lockRequest('busy', 1000, true);
  // The holder marks a token while it holds the lock, then hands the lock over.
  const mark = navigator.locks.request('mark-3', { mode: 'shared' }, () => new Promise((r) => (release = r)));
  await sleep(10);
  first.drop();
  await second.p;
  assert.equal(second.spentAtGrant('mark-3'), undefined);
  assert.equal(await platform.isSpent('mark-3'), true);
  second.drop();
  release();
  await mark;
});

test('a lock manager whose state never comes still grants the lock, a second later, knowing nothing', async () => {
  navigator.locks.silence(true);
  try {
    const started = Date.now();
    const lock = platform.lockRequest('quiet', 5000, true);
    await lock.p;
    const waited = Date.now() - started;
    assert.ok(waited >= 900 && waited < 4000, String(waited));
    assert.equal(lock.spentAtGrant('any'), undefined);
    lock.drop();
  } finally {
    navigator.locks.silence(false);
  }
});

test('a lock whose holder checks no spent mark asks the lock manager nothing and knows nothing', async () => {
  const before = navigator.locks.queries;
  navigator.locks.silence(true); // were it asked, the grant would wait a second
  try {
    const started = Date.now();
    const lock = platform.lockRequest('plain', 1000);
    await lock.p;
    assert.ok(Date.now() - started < 500);
    assert.equal(lock.spentAtGrant('any'), undefined);
    assert.equal(navigator.locks.queries, before);
    lock.drop();
  } finally {
    navigator.locks.silence(false);
  }
});
