// @ts-check
/*
 * The JS half of the browser adapters (src/browser/): the few call sequences that cost far less
 * as one small JS function than as a web-sys binding per DOM call. The wasm awaits their promises,
 * which never reject: every outcome is a value (the codes are documented on the Rust side, in
 * src/browser/js.rs, where each function is bound).
 *
 * The globals the SDK depends on for its secrets (`fetch` and `Response.prototype.text`, which
 * carry refresh tokens, `crypto.getRandomValues`, which makes PKCE verifiers and states, timers,
 * `AbortController` and `navigator.locks`) are captured once, when the package is imported
 * (capturedGlobals below). A script that runs later and wraps one of them sees none of
 * the SDK's requests or random values. A script that ran before the import could have wrapped
 * them first; see the README's "Isolation" section for what this does and does not give.
 */

const G = globalThis;

/**
 * `obj[name]` bound to `obj`, read now; undefined when missing or when reading it throws.
 * @param {any} obj
 * @param {string} name
 * @returns {Function | undefined}
 */
function capture(obj, name) {
  try {
    const f = obj && obj[name];
    return typeof f === 'function' ? f.bind(obj) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A method of a prototype as a plain function taking `this` first, read now (bound through
 * `Function.prototype.call` now, so a later change to `call` or `apply` is not consulted).
 * @param {any} proto
 * @param {string} name
 * @returns {((self: any, ...args: any[]) => any) | undefined}
 */
function captureMethod(proto, name) {
  try {
    const f = proto && proto[name];
    return typeof f === 'function' ? Function.prototype.call.bind(f) : undefined;
  } catch {
    return undefined;
  }
}

/** Where the page's captured globals are kept (see capturedGlobals). */
const CAPTURED = Symbol.for('auth0-spa-wasm/captured-globals');

/**
 * The globals above, captured once per page: when the package is imported (this module is part of
 * the entry, with the lite wasm build's glue), and then read by every copy of this module. The
 * full wasm build bundles a copy with its own glue and is import()ed later (docs/module-split.md),
 * when a script may have wrapped `fetch` meanwhile. So the first capture is kept on `globalThis`
 * under a registered symbol, as a frozen object in a property that cannot be replaced or removed.
 * (A script that ran before the import could have wrapped the globals themselves, or put its own
 * object there: the threat the README's "Isolation" section already describes.) `crypto.subtle`
 * and `indexedDB` are js/dpop.js's.
 */
export function capturedGlobals() {
  const found = /** @type {any} */ (G)[CAPTURED];
  if (found) return found;
  const nav = /** @type {any} */ (G).navigator;
  const locks = nav && nav.locks;
  const Response = typeof G.Response === 'function' ? G.Response : undefined;
  const Headers = typeof G.Headers === 'function' ? G.Headers : undefined;
  const captured = Object.freeze({
    fetch: capture(G, 'fetch'),
    Response,
    responseText: captureMethod(Response && Response.prototype, 'text'),
    headerGet: captureMethod(Headers && Headers.prototype, 'get'),
    AbortController: typeof G.AbortController === 'function' ? G.AbortController : undefined,
    setTimeout: capture(G, 'setTimeout'),
    clearTimeout: capture(G, 'clearTimeout'),
    getRandomValues: capture(G.crypto, 'getRandomValues'),
    lockRequest: capture(locks, 'request'),
    lockQuery: capture(locks, 'query'),
    subtle: G.crypto && G.crypto.subtle,
    indexedDB: /** @type {any} */ (G).indexedDB
  });
  try {
    Object.defineProperty(G, CAPTURED, { value: captured });
  } catch {
    /* a frozen globalThis: each copy keeps its own capture */
  }
  return captured;
}

const C = capturedGlobals();
const fetchNow = C.fetch;
const ResponseClass = C.Response;
const responseText = C.responseText;
const headerGet = C.headerGet;
const AbortControllerClass = C.AbortController;
const later = C.setTimeout;
const cancelLater = C.clearTimeout;
const getRandomValues = C.getRandomValues;
const lockRequestNow = C.lockRequest;
const lockQueryNow = C.lockQuery;

/**
 * setTimeout as captured; a no-op timer when the environment has none.
 * @param {() => void} f
 * @param {number} ms
 * @returns {any}
 */
export function startTimer(f, ms) {
  try {
    return later ? later(f, ms) : undefined;
  } catch {
    return undefined;
  }
}

/** @param {any} id */
export function stopTimer(id) {
  try {
    if (cancelLater) cancelLater(id);
  } catch {
    /* nothing to cancel */
  }
}

/**
 * Fills `bytes` from the captured `crypto.getRandomValues` (at most 65536 bytes a call);
 * false when there is none or it throws.
 * @param {Uint8Array} bytes
 * @returns {boolean}
 */
export function fillRandom(bytes) {
  if (!getRandomValues) return false;
  try {
    for (let i = 0; i < bytes.length; i += 65536) getRandomValues(bytes.subarray(i, i + 65536));
    return true;
  } catch {
    return false;
  }
}

/**
 * `outcome` with the `DPoP-Nonce` response header (RFC 9449 §8) appended, when the response has
 * one that CORS exposes.
 * @param {any[]} outcome
 * @param {any} r
 * @returns {any[]}
 */
function withNonce(outcome, r) {
  try {
    const v = headerGet ? headerGet(r.headers, 'dpop-nonce') : null;
    if (typeof v === 'string') outcome.push(v);
  } catch {
    /* no readable header */
  }
  return outcome;
}

/**
 * One request with a timeout. Resolves `[0, status, text, dpopNonce?]`, `[1, thrown]` (network failure or a
 * throwing fetch), `[2]` (timed out; the request is aborted) or `[3]` (not a Response).
 * @param {string} url
 * @param {string} method
 * @param {string} headers JSON object text
 * @param {string} body
 * @param {number} ms
 * @returns {Promise<any[]>}
 */
export function send(url, method, headers, body, ms) {
  let controller = null;
  try {
    if (AbortControllerClass) controller = new AbortControllerClass();
  } catch {
    controller = null;
  }
  /** @type {any} */
  const init = { method, headers: JSON.parse(headers) };
  if (body) init.body = body;
  if (controller) init.signal = controller.signal;
  return new Promise((done) => {
    const timer = startTimer(() => {
      if (controller) controller.abort();
      done([2]);
    }, ms);
    /** @param {any[]} v */
    const end = (v) => {
      stopTimer(timer);
      done(v);
    };
    /** @param {any} e */
    const fail = (e) => end([1, e]);
    if (!fetchNow) {
      fail(new Error('fetch is not available'));
      return;
    }
    let p;
    try {
      p = fetchNow(url, init);
    } catch (e) {
      fail(e);
      return;
    }
    Promise.resolve(p)
      .then((r) =>
        ResponseClass && responseText && r instanceof ResponseClass
          ? Promise.resolve(responseText(r)).then((text) => end(withNonce([0, r.status, text], r)))
          : end([3])
      )
      .catch(fail);
  });
}

/** @type {Map<string, Array<() => void>>} */
const held = new Map();

/**
 * The in-tab FIFO lock used when Web Locks are missing or refuse.
 * @param {string} name
 * @param {number} ms
 */
function localLock(name, ms) {
  /** @type {any} */
  let t;
  let granted = false;
  let dropped = false;
  /** @type {() => void} */
  let grant = () => {};
  const unqueue = () => {
    const q = held.get(name);
    const i = q ? q.indexOf(grant) : -1;
    if (q && i >= 0) q.splice(i, 1);
  };
  const p = new Promise((ok, fail) => {
    grant = () => {
      stopTimer(t);
      granted = true;
      ok(undefined);
    };
    const q = held.get(name);
    if (!q) {
      held.set(name, []);
      grant();
      return;
    }
    q.push(grant);
    t = startTimer(() => {
      unqueue();
      fail('timeout');
    }, ms);
  });
  return {
    p,
    // No lock manager to ask: see lockRequest.
    spentAtGrant: () => undefined,
    drop() {
      if (dropped) return;
      dropped = true;
      if (granted) {
        const q = held.get(name);
        const next = q && q.shift();
        if (next) next();
        else held.delete(name);
      } else {
        stopTimer(t);
        unqueue();
      }
    }
  };
}

/**
 * The names of the Web Locks held when the lock `name` was granted to us, from the lock manager's
 * `state` as `navigator.locks.query()` reported it right after our `request()`; null when that
 * state cannot tell.
 *
 * The Web Locks API runs the steps of `request()` and `query()` in the order they were called on
 * one lock task queue (https://w3c.github.io/web-locks/, "lock task queue"), so that state was
 * taken after our request had been queued: it is then either held by us or pending. If the state
 * shows `name` held and no request for it pending, the holder is us, every earlier holder had
 * released it, and any spent mark such a holder made while holding it (docs/behaviour.md §5.2) is
 * among the names. If a request for `name` is pending, ours may be that one: nothing is known.
 * @param {any} state
 * @param {string} name
 * @returns {Set<string> | null}
 */
export function heldAtGrant(state, name) {
  /** @type {any[]} */
  const held = (state && state.held) || [];
  /** @type {any[]} */
  const pending = (state && state.pending) || [];
  if (!held.some((l) => l.name === name) || pending.some((l) => l.name === name)) return null;
  return new Set(held.map((l) => l.name));
}

/** How long a granted lock waits for the lock manager's state before going on without it. */
const STATE_WAIT_MS = 1000;

/**
 * {@link heldAtGrant} of the lock manager's state now; null without Web Locks or when it fails.
 * @param {string} name
 * @returns {Promise<Set<string> | null>}
 */
function lockStateFor(name) {
  try {
    if (lockQueryNow) return Promise.resolve(lockQueryNow()).then((s) => heldAtGrant(s, name), () => null);
  } catch {
    // a lock manager that refuses the query (e.g. an opaque origin): nothing is known
  }
  return Promise.resolve(null);
}

/**
 * Requests the exclusive lock `name`, giving up after `ms`: `p` resolves when granted and
 * rejects with 'timeout'; `drop()` releases it or abandons the request.
 *
 * `withState` is for a holder that checks a spent mark right after the grant (the refresh path
 * over a shared cache); other locks make no query and do not wait for one. With it, right after
 * the request it asks the lock manager for its state, and `p` resolves once both the grant and
 * that state are in (the state was asked first, so this seldom waits; a state that has not come
 * a second after the grant counts as unknown, so a lock manager that never answers cannot hold a
 * renewal forever). The first `spentAtGrant(mark)` then answers from it whether the spent mark
 * `mark` was held at the grant ({@link heldAtGrant}), which saves the refresh path a second round
 * trip to the lock manager (docs/performance.md); it answers undefined without `withState`, when
 * the state cannot tell, when there are no Web Locks, and after its first answer (later checks
 * ask afresh).
 * @param {string} name
 * @param {number} ms
 * @param {boolean} [withState]
 */
export function lockRequest(name, ms, withState) {
  if (!lockRequestNow || !AbortControllerClass) return localLock(name, ms);
  const request = lockRequestNow;
  const c = new AbortControllerClass();
  let fired = false;
  /** @type {((v?: any) => void) | null} */
  let release = null;
  let dropped = false;
  /** @type {{ p: Promise<any>, spentAtGrant(mark: string): boolean | undefined, drop(): void } | null} */
  let fallback = null;
  /** @type {Promise<Set<string> | null>} */
  let state = Promise.resolve(null);
  /** @type {Set<string> | null} */
  let atGrant = null;
  const t = startTimer(() => {
    fired = true;
    c.abort();
  }, ms);
  const p = new Promise((ok, fail) => {
    const useLocal = () => {
      const local = localLock(name, ms);
      fallback = local;
      if (dropped) local.drop();
      local.p.then(ok, fail);
    };
    let r;
    try {
      r = request(name, { mode: 'exclusive', signal: c.signal }, () => {
        stopTimer(t);
        if (dropped) return undefined;
        return new Promise((res) => {
          release = res;
          if (!withState) return ok(undefined);
          // The state was asked for first, so it is normally in already or just after. A lock
          // manager that never answers still grants: after STATE_WAIT_MS the state is unknown.
          let settled = false;
          const grant = (/** @type {Set<string> | null} */ names) => {
            if (settled) return;
            settled = true;
            stopTimer(late);
            atGrant = names;
            ok(undefined);
          };
          const late = startTimer(() => grant(null), STATE_WAIT_MS);
          state.then(grant);
        });
      });
    } catch {
      stopTimer(t);
      useLocal();
      return;
    }
    if (withState) state = lockStateFor(name);
    Promise.resolve(r).catch(() => {
      stopTimer(t);
      if (dropped) return;
      if (fired) fail('timeout');
      else useLocal();
    });
  });
  return {
    p,
    /** @param {string} mark */
    spentAtGrant(mark) {
      const names = atGrant;
      atGrant = null;
      return names ? names.has(mark) : undefined;
    },
    drop() {
      dropped = true;
      stopTimer(t);
      if (fallback) fallback.drop();
      else if (release) release();
      else c.abort();
    }
  };
}

/** @type {Map<string, () => void>} */
const marks = new Map();

/**
 * Holds a shared Web Lock `name` for `ms`; resolves once it is granted (at once without Web Locks).
 * @param {string} name
 * @param {number} ms
 * @returns {Promise<void>}
 */
export function markSpent(name, ms) {
  if (!lockRequestNow) return Promise.resolve();
  const request = lockRequestNow;
  return new Promise((ok) => {
    Promise.resolve(
      request(name, { mode: 'shared' }, () => {
        ok();
        return new Promise((r) => {
          const end = () => {
            stopTimer(t);
            if (marks.get(name) === end) marks.delete(name);
            r(undefined);
          };
          const t = startTimer(end, ms);
          marks.set(name, end);
        });
      })
    ).catch(() => ok());
  });
}

/**
 * Releases this tab's mark `name` now; nothing when it holds none.
 * @param {string} name
 */
export function unmarkSpent(name) {
  const end = marks.get(name);
  if (end) end();
}

/**
 * Whether any tab holds the Web Lock `name`.
 * @param {string} name
 * @returns {Promise<boolean>}
 */
export function isSpent(name) {
  if (!lockQueryNow) return Promise.resolve(false);
  return Promise.resolve(lockQueryNow()).then(
    (s) => (s.held || []).some((/** @type {any} */ l) => l.name === name),
    () => false
  );
}

/**
 * The names of the Web Locks any tab holds now that start with `prefix`; [] without Web Locks or
 * when the lock manager refuses the query. js/anonymous-api.js reads its write marks with it.
 * @param {string} prefix
 * @returns {Promise<string[]>}
 */
export function heldNames(prefix) {
  if (!lockQueryNow) return Promise.resolve([]);
  try {
    return Promise.resolve(lockQueryNow()).then(
      (s) => ((s && s.held) || []).map((/** @type {any} */ l) => String(l.name)).filter((/** @type {string} */ n) => n.startsWith(prefix)),
      () => []
    );
  } catch {
    return Promise.resolve([]);
  }
}

/**
 * The cross-tab logout channel of one client; does nothing without BroadcastChannel.
 * @param {string} name
 * @param {string} prefix
 * @param {string} id
 */
export function logoutChannel(name, prefix, id) {
  /** @type {any} */
  let ch = null;
  let heard = false;
  const own = prefix + id;
  try {
    ch = new (/** @type {any} */ (G).BroadcastChannel)(name);
    ch.onmessage = (/** @type {any} */ e) => {
      if (e.data === own) heard = true;
    };
  } catch {
    ch = null;
  }
  return {
    post() {
      if (ch) {
        try {
          ch.postMessage(own);
        } catch {
          /* closed */
        }
      }
    },
    has() {
      return heard;
    },
    take() {
      const h = heard;
      heard = false;
      return h;
    },
    close() {
      if (ch) {
        ch.onmessage = null;
        ch.close();
        ch = null;
      }
    }
  };
}

/**
 * One custom `ICache` call (op 0 get, 1 set, 2 remove, 3 allKeys), sync or async, never
 * rejecting: get → JSON text or undefined; set → null or [thrown]; remove → anything;
 * allKeys → the keys starting with `prefix`, or undefined.
 * @param {any} cache
 * @param {number} op
 * @param {string} key
 * @param {string} value
 * @param {string} prefix
 * @returns {Promise<any>}
 */
export function customOp(cache, op, key, value, prefix) {
  const method = ['get', 'set', 'remove', 'allKeys'][op];
  let f;
  try {
    f = cache[method];
  } catch {
    f = undefined;
  }
  return new Promise((done) => {
    let arg;
    if (op === 1) {
      try {
        arg = JSON.parse(value);
      } catch (e) {
        done([e]);
        return;
      }
      if (typeof f !== 'function') {
        done(['The custom cache has no set method']);
        return;
      }
    } else if (typeof f !== 'function') {
      done(undefined);
      return;
    }
    let r;
    try {
      r = op === 3 ? f.call(cache) : op === 1 ? f.call(cache, key, arg) : f.call(cache, key);
    } catch (e) {
      done(op === 1 ? [e] : undefined);
      return;
    }
    Promise.resolve(r).then(
      (v) => {
        if (op === 0) {
          if (v === null || v === undefined) return done(undefined);
          let t;
          try {
            t = JSON.stringify(v);
          } catch {
            t = undefined;
          }
          done(typeof t === 'string' ? t : undefined);
        } else if (op === 3) {
          done(Array.isArray(v) ? v.filter((k) => typeof k === 'string' && k.startsWith(prefix)) : undefined);
        } else done(null);
      },
      (e) => done(op === 1 ? [e] : undefined)
    );
  });
}
