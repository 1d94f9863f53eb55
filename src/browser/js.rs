//! Small JS helpers shared by the adapters: global-object access that works in window and worker
//! scopes, JS exception → [`Error`] conversion that never panics on non-`Error` values, and two
//! tiny async primitives (a one-shot [`Slot`] and a timeout race) so no futures crate ships.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::Error;

/// `globalThis` (a `Window` in pages, a `WorkerGlobalScope` in workers).
pub(crate) fn global() -> Object {
    js_sys::global()
}

/// `obj[key]`, or `undefined` when the getter throws or `obj` is not an object.
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` as a string, if it is one.
pub(crate) fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// The text of a thrown JS value: `message` of an `Error`/`DOMException`, the value itself if it
/// is a string, else a fixed text. Never panics, whatever was thrown.
pub(crate) fn message_of(thrown: &JsValue) -> String {
    if let Some(s) = thrown.as_string() {
        return s;
    }
    match get_str(thrown, "message") {
        Some(m) if !m.is_empty() => m,
        _ => get_str(thrown, "name").unwrap_or_else(|| String::from("Unknown error")),
    }
}

/// A plain `Error` with code `code` whose message is the thrown value's message.
pub(crate) fn plain(code: &str, thrown: &JsValue) -> Error {
    Error::plain(code, &message_of(thrown))
}

// ---- the JS side of the adapters ------------------------------------------------------------
//
// Every DOM, fetch, lock, channel and custom-cache call sequence runs in these small JS functions
// and the wasm only awaits their (never rejecting) promises: far fewer bindings and far less wasm
// than web-sys calls one by one (performance-anchors.md). One module for all of them, so a page
// or test runner that loads the glue unbundled fetches one snippet file, not five.

#[wasm_bindgen(inline_js = r#"
export function send(url, method, headers, body, ms) {
  let c = null;
  try { c = new AbortController(); } catch (e) {}
  const init = { method, headers: JSON.parse(headers) };
  if (body) init.body = body;
  if (c) init.signal = c.signal;
  return new Promise(done => {
    const t = setTimeout(() => { if (c) c.abort(); done([2]); }, ms);
    const end = v => { clearTimeout(t); done(v); };
    const fail = e => end([1, e]);
    let p;
    try { p = globalThis.fetch(url, init); } catch (e) { fail(e); return; }
    Promise.resolve(p).then(r => typeof Response === 'function' && r instanceof Response
      ? r.text().then(text => end([0, r.status, text]))
      : end([3])).catch(fail);
  });
}
export function authFlow(popup, url, origin, state, ms, closePopup) {
  const w = globalThis;
  let frame = null, source = popup, timer = 0, poll = 0, listening = false, settle = null;
  const p = new Promise(r => { settle = r; });
  const cleanup = () => {
    clearTimeout(timer);
    clearInterval(poll);
    if (listening) { listening = false; w.removeEventListener('message', onMessage); }
    if (frame) { frame.remove(); frame = null; }
  };
  const done = v => { if (settle) { const s = settle; settle = null; cleanup(); s(v); } };
  const handle = { p, drop() { if (settle) { settle = null; cleanup(); } } };
  const closed = () => { try { return popup.closed; } catch (e) { return true; } };
  const close = () => { try { popup.close(); } catch (e) {} };
  try { const o = new URL(origin).origin; if (o !== 'null') origin = o; } catch (e) {}
  const isObject = v => !!v && (typeof v === 'object' || typeof v === 'function');
  const onMessage = e => {
    try {
      if (e.origin !== origin || source == null || e.source !== source) return;
      const d = e.data;
      if (!isObject(d) || d.type !== 'authorization_response') return;
      const r = d.response;
      if (!isObject(r) || r.state !== state) return;
      const text = JSON.stringify(r);
      if (typeof text !== 'string' || text[0] !== '{') return;
      if (popup && closePopup) close();
      done([0, text]);
    } catch (err) {}
  };
  if (typeof Window !== 'function' || !(w instanceof Window)) { done([5, 'No window: iframe and popup flows need a page']); return handle; }
  if (!popup) {
    const doc = w.document;
    if (!doc) { done([5, 'No document']); return handle; }
    const body = doc.body;
    if (!body) { done([5, 'No document.body']); return handle; }
    let f;
    try { f = doc.createElement('iframe'); } catch (e) { done([4, e]); return handle; }
    for (const [k, v] of [['width', '0'], ['height', '0'], ['style', 'display:none']]) { try { f.setAttribute(k, v); } catch (e) {} }
    try { body.appendChild(f); } catch (e) { done([4, e]); return handle; }
    frame = f;
    source = f.contentWindow;
  }
  try { w.addEventListener('message', onMessage); listening = true; } catch (e) { done([4, e]); return handle; }
  timer = setTimeout(() => { if (popup) close(); done([popup ? 2 : 1]); }, ms);
  if (popup) {
    poll = setInterval(() => { if (closed()) done([3]); }, 1000);
    try { popup.location.href = url; } catch (e) { done(closed() ? [3] : [4, e]); }
  } else {
    try { frame.src = url; } catch (e) {}
  }
  return handle;
}
const held = new Map();
function localLock(name, ms) {
  let t = 0, granted = false, done = false, grant = null;
  const unqueue = () => { const q = held.get(name), i = q ? q.indexOf(grant) : -1; if (i >= 0) q.splice(i, 1); };
  const p = new Promise((ok, fail) => {
    grant = () => { clearTimeout(t); granted = true; ok(); };
    const q = held.get(name);
    if (!q) { held.set(name, []); grant(); return; }
    q.push(grant);
    t = setTimeout(() => { unqueue(); fail('timeout'); }, ms);
  });
  return { p, drop() {
    if (done) return;
    done = true;
    if (granted) { const q = held.get(name), next = q && q.shift(); if (next) next(); else held.delete(name); }
    else { clearTimeout(t); unqueue(); }
  } };
}
export function lockRequest(name, ms) {
  const n = globalThis.navigator, locks = n && n.locks;
  if (!locks || typeof locks.request !== 'function' || typeof AbortController !== 'function') return localLock(name, ms);
  const c = new AbortController();
  let fired = false, release = null, dropped = false, fallback = null;
  const t = setTimeout(() => { fired = true; c.abort(); }, ms);
  const p = new Promise((ok, fail) => {
    const useLocal = () => { fallback = localLock(name, ms); if (dropped) fallback.drop(); fallback.p.then(ok, fail); };
    let r;
    try {
      r = locks.request(name, { mode: 'exclusive', signal: c.signal }, () => {
        clearTimeout(t);
        if (dropped) return;
        return new Promise(res => { release = res; ok(); });
      });
    } catch (e) { clearTimeout(t); useLocal(); return; }
    r.catch(() => { clearTimeout(t); if (dropped) return; if (fired) fail('timeout'); else useLocal(); });
  });
  return { p, drop() { dropped = true; clearTimeout(t); if (fallback) fallback.drop(); else if (release) release(); else c.abort(); } };
}
const marks = new Map();
export function markSpent(name, ms) {
  const n = globalThis.navigator, locks = n && n.locks;
  if (!locks || typeof locks.request !== 'function') return Promise.resolve();
  return new Promise(ok => {
    locks.request(name, { mode: 'shared' }, () => {
      ok();
      return new Promise(r => {
        const end = () => { clearTimeout(t); if (marks.get(name) === end) marks.delete(name); r(); };
        const t = setTimeout(end, ms);
        marks.set(name, end);
      });
    }).catch(() => ok());
  });
}
export function unmarkSpent(name) {
  const end = marks.get(name);
  if (end) end();
}
export function isSpent(name) {
  const n = globalThis.navigator, locks = n && n.locks;
  if (!locks || typeof locks.query !== 'function') return Promise.resolve(false);
  return locks.query().then(s => (s.held || []).some(l => l.name === name), () => false);
}
export function logoutChannel(name, prefix, id) {
  let ch = null;
  let heard = false;
  const own = prefix + id;
  try {
    ch = new BroadcastChannel(name);
    ch.onmessage = e => { if (e.data === own) heard = true; };
  } catch (e) { ch = null; }
  return {
    post() { if (ch) { try { ch.postMessage(own); } catch (e) {} } },
    has() { return heard; },
    take() { const h = heard; heard = false; return h; },
    close() { if (ch) { ch.onmessage = null; ch.close(); ch = null; } },
  };
}
export function customOp(cache, op, key, value, prefix) {
  const method = ['get', 'set', 'remove', 'allKeys'][op];
  let f;
  try { f = cache[method]; } catch (e) {}
  return new Promise(done => {
    let arg;
    if (op === 1) {
      try { arg = JSON.parse(value); } catch (e) { done([e]); return; }
      if (typeof f !== 'function') { done(['The custom cache has no set method']); return; }
    } else if (typeof f !== 'function') { done(undefined); return; }
    let r;
    try { r = op === 3 ? f.call(cache) : op === 1 ? f.call(cache, key, arg) : f.call(cache, key); }
    catch (e) { done(op === 1 ? [e] : undefined); return; }
    Promise.resolve(r).then(v => {
      if (op === 0) {
        if (v === null || v === undefined) return done(undefined);
        let t;
        try { t = JSON.stringify(v); } catch (e) {}
        done(typeof t === 'string' ? t : undefined);
      } else if (op === 3) {
        done(Array.isArray(v) ? v.filter(k => typeof k === 'string' && k.startsWith(prefix)) : undefined);
      } else done(null);
    }, e => done(op === 1 ? [e] : undefined));
  });
}
"#)]
extern "C" {
    /// Sends once; always resolves: `[0, status, text]`, `[1, thrown]` (network failure or a
    /// throwing `fetch`), `[2]` (timed out, request aborted) or `[3]` (not a `Response`).
    #[wasm_bindgen(js_name = send)]
    pub(crate) fn send_js(url: &str, method: &str, headers_json: &str, body: &str, ms: u32) -> js_sys::Promise;
    /// A running iframe or popup flow.
    pub(crate) type Flow;
    /// Starts the flow: for `popup` null, a hidden iframe loading `url`; else `popup` pointed at
    /// `url`. Its promise always resolves: `[0, responseJson]`, `[1]` iframe timeout, `[2]` popup
    /// timeout (popup closed), `[3]` popup closed by the user, `[4, thrown]` a DOM call failed,
    /// `[5, message]` no window/document/body.
    #[wasm_bindgen(js_name = authFlow)]
    pub(crate) fn auth_flow(popup: &JsValue, url: &str, origin: &str, state: &str, ms: u32, close_popup: bool) -> Flow;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn p(this: &Flow) -> js_sys::Promise;
    /// Removes iframe, listener and timers of an unfinished flow (the popup stays open).
    #[wasm_bindgen(method)]
    pub(crate) fn drop(this: &Flow);
    /// A pending or granted lock request (Web Locks, or the in-tab fallback).
    pub(crate) type LockRequest;
    /// Starts a request for the exclusive lock `name`, giving up after `ms`.
    #[wasm_bindgen(js_name = lockRequest)]
    pub(crate) fn lock_request(name: &str, ms: u32) -> LockRequest;
    /// Resolves when granted; rejects with `'timeout'`.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn p(this: &LockRequest) -> js_sys::Promise;
    /// Releases a granted lock or abandons a pending request.
    #[wasm_bindgen(method, js_name = drop)]
    pub(crate) fn release(this: &LockRequest);
    /// Holds a shared Web Lock `name` for `ms`; resolves once it is granted (at once when
    /// Web Locks are missing).
    #[wasm_bindgen(js_name = markSpent)]
    pub(crate) fn mark_spent_js(name: &str, ms: u32) -> js_sys::Promise;
    /// Releases this tab's mark `name` now (see `markSpent`); nothing when it holds none.
    #[wasm_bindgen(js_name = unmarkSpent)]
    pub(crate) fn unmark_spent_js(name: &str);
    /// Whether any tab holds the Web Lock `name`.
    #[wasm_bindgen(js_name = isSpent)]
    pub(crate) fn is_spent_js(name: &str) -> js_sys::Promise;
    /// The cross-tab logout channel of one client (security case I7): a `BroadcastChannel` and
    /// whether a logout of that client was announced on it and not yet taken. Without
    /// BroadcastChannel it does nothing.
    pub(crate) type LogoutChannel;
    #[wasm_bindgen(js_name = logoutChannel)]
    pub(crate) fn logout_channel(name: &str, prefix: &str, client_id: &str) -> LogoutChannel;
    /// Announces a logout of the channel's client to the other tabs.
    #[wasm_bindgen(method)]
    pub(crate) fn post(this: &LogoutChannel);
    /// Whether a logout of the channel's client was announced since the last call; consumes it.
    #[wasm_bindgen(method)]
    pub(crate) fn take(this: &LogoutChannel) -> bool;
    /// Whether a logout of the channel's client was announced and not yet taken.
    #[wasm_bindgen(method)]
    pub(crate) fn has(this: &LogoutChannel) -> bool;
    /// Stops listening and closes the channel.
    #[wasm_bindgen(method)]
    pub(crate) fn close(this: &LogoutChannel);
    /// One `ICache` call, sync or async, that never throws or rejects: `get` → JSON text or
    /// `undefined` (miss); `set` → `null` or `[thrown]`; `remove` → anything; `allKeys` → the SDK
    /// keys or `undefined` (no or failing `allKeys`).
    #[wasm_bindgen(js_name = customOp)]
    pub(crate) fn custom_op(cache: &Object, op: u32, key: &str, value: &str, prefix: &str) -> js_sys::Promise;
}

/// Awaits `value` if it is a promise (or thenable), else returns it: `ICache` methods and
/// `nowProvider` may be sync or async (behaviour doc §3.7).
pub(crate) async fn resolve(value: JsValue) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&value)).await
}

struct SlotInner<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// A one-shot cell an event listener or timer fills and one task awaits; the first value wins,
/// later ones are dropped (a message arriving after the timeout is ignored, security case G6).
pub(crate) struct Slot<T>(Rc<RefCell<SlotInner<T>>>);

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Slot(Rc::clone(&self.0))
    }
}

impl<T> Slot<T> {
    /// An empty slot.
    pub(crate) fn new() -> Slot<T> {
        Slot(Rc::new(RefCell::new(SlotInner { value: None, waker: None })))
    }

    /// Stores `value` if the slot is still empty and wakes the waiter.
    pub(crate) fn set(&self, value: T) {
        let waker = match self.0.try_borrow_mut() {
            Ok(mut s) if s.value.is_none() => {
                s.value = Some(value);
                s.waker.take()
            }
            _ => None,
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Takes the value if it is there, else registers the task to be woken when it comes.
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<T> {
        match self.0.try_borrow_mut() {
            Ok(mut s) => match s.value.take() {
                Some(v) => Poll::Ready(v),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            },
            Err(_) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// `globalThis.setTimeout` (window and worker scopes); `catch` so that an odd environment
    /// cannot throw through wasm.
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A JS timeout calling `f` once after `ms`, cancelled when dropped. Written here instead of
/// gloo-timers, whose future brings a futures-channel oneshot along.
pub(crate) struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Starts the timer; the delay is clamped as [`clamp_ms`] says.
    pub(crate) fn new(ms: u32, f: impl FnMut() + 'static) -> Timer {
        let callback: Closure<dyn FnMut()> = Closure::new(f);
        let id = set_timeout(callback.as_ref().unchecked_ref(), clamp_ms(ms) as i32);
        Timer { id: id.unwrap_or(JsValue::UNDEFINED), _callback: callback }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // Cleared before the closure is freed, so JS can never call a dropped closure.
        clear_timeout(&self.id);
    }
}

/// Browsers treat a `setTimeout` delay above 2^31-1 ms as 0 (it fires at once): clamp, so a
/// huge `timeoutInSeconds` means "about 24 days", not "immediately".
pub(crate) fn clamp_ms(ms: u32) -> u32 {
    ms.min(i32::MAX as u32)
}

/// Runs `fut` for at most `ms` milliseconds: `None` when the timer fired first (the future is
/// then dropped, which is how every adapter cancels and cleans up).
pub(crate) async fn within<F: Future>(ms: u32, fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let fired = Slot::new();
    let on_fire = fired.clone();
    let _timer = Timer::new(ms, move || on_fire.set(()));
    poll_fn(move |cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        fired.poll_take(cx).map(|()| None)
    })
    .await
}

/// Appends the decimal digits of `n` (no `format!` machinery in shipping code).
pub(crate) fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut v = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    for d in digits.iter().skip(i) {
        out.push(char::from(*d));
    }
}
