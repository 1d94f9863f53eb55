//! The exclusive cross-tab lock (behaviour doc §5.2): Web Locks when the browser has them, an
//! in-tab async mutex otherwise.
//!
//! Web Locks: `navigator.locks.request(name, {mode:'exclusive', signal}, cb)` where `cb`
//! returns a promise that settles only when our guard is dropped; an `AbortController` aborts the
//! request after `timeout_ms` while waiting (→ `TimeoutError`). The hold itself is not
//! time-limited, as in auth0-spa-js. If the future is dropped while waiting, the request is
//! aborted and a late grant is released immediately, so nothing deadlocks.
//!
//! Fallback: without `navigator.locks` (or when it refuses, e.g. `SecurityError` in an opaque
//! origin) the lock is a per-name FIFO mutex shared by every client in this tab, with the same
//! wait timeout. Cross-tab exclusion is then NOT guaranteed; the double-checked cache read of
//! the caller still limits duplicates.
//!
//! Both live in one small JS module (`inline_js`): the wasm only awaits a promise and releases a
//! handle on drop (wasm size, performance-anchors.md).

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::core::{Error, Result};

#[wasm_bindgen(inline_js = r#"
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
export function markSpent(name, ms) {
  const n = globalThis.navigator, locks = n && n.locks;
  if (!locks || typeof locks.request !== 'function') return Promise.resolve();
  return new Promise(ok => {
    locks.request(name, { mode: 'shared' }, () => { ok(); return new Promise(r => setTimeout(r, ms)); })
      .catch(() => ok());
  });
}
export function isSpent(name) {
  const n = globalThis.navigator, locks = n && n.locks;
  if (!locks || typeof locks.query !== 'function') return Promise.resolve(false);
  return locks.query().then(s => (s.held || []).some(l => l.name === name), () => false);
}
"#)]
extern "C" {
    /// A pending or granted lock request (Web Locks, or the in-tab fallback).
    type LockRequest;
    /// Starts a request for the exclusive lock `name`, giving up after `ms`.
    #[wasm_bindgen(js_name = lockRequest)]
    fn lock_request(name: &str, ms: u32) -> LockRequest;
    /// Resolves when granted; rejects with `'timeout'`.
    #[wasm_bindgen(method, getter)]
    fn p(this: &LockRequest) -> js_sys::Promise;
    /// Releases a granted lock or abandons a pending request.
    #[wasm_bindgen(method, js_name = drop)]
    fn release(this: &LockRequest);
    /// Holds a shared Web Lock `name` for `ms`; resolves once it is granted (at once when
    /// Web Locks are missing).
    #[wasm_bindgen(js_name = markSpent)]
    fn mark_spent_js(name: &str, ms: u32) -> js_sys::Promise;
    /// Whether any tab holds the Web Lock `name`.
    #[wasm_bindgen(js_name = isSpent)]
    fn is_spent_js(name: &str) -> js_sys::Promise;
}

/// See [`crate::platform::Platform::mark_spent`]: the Web Lock manager is consistent across
/// tabs at once, unlike localStorage, so a shared lock named after the spent token is the mark.
pub(crate) async fn mark_spent(name: &str, hold_ms: u32) {
    let _ = JsFuture::from(mark_spent_js(name, js::clamp_ms(hold_ms))).await;
}

/// Whether some tab marked `name` spent.
pub(crate) async fn is_spent(name: &str) -> bool {
    matches!(JsFuture::from(is_spent_js(name)).await, Ok(v) if v.is_truthy())
}

/// A held lock; dropping it releases the lock, on every path (success, error, cancellation).
pub struct BrowserLockGuard(LockRequest);

impl Drop for BrowserLockGuard {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// Takes the lock `name`, waiting at most `timeout_ms` (then `TimeoutError`).
pub(crate) async fn acquire(name: &str, timeout_ms: u32) -> Result<BrowserLockGuard> {
    // Guard first: if this future is dropped while waiting, Drop abandons the request.
    let guard = BrowserLockGuard(lock_request(name, js::clamp_ms(timeout_ms)));
    match JsFuture::from(guard.0.p()).await {
        Ok(_) => Ok(guard),
        Err(_) => Err(Error::timeout()),
    }
}
