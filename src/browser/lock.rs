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
//! origin) the lock is a per-name mutex shared by every client in this tab. Cross-tab exclusion
//! is then NOT guaranteed; the double-checked cache read of the caller still limits duplicates.

use std::cell::RefCell;
use std::future::poll_fn;
use std::task::{Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::core::{Error, Result};

#[wasm_bindgen(inline_js = r#"
export function lockRequest(name, ms) {
  const n = globalThis.navigator, locks = n && n.locks;
  if (!locks || typeof locks.request !== 'function' || typeof AbortController !== 'function') return null;
  const c = new AbortController();
  let fired = false, release = null, dropped = false;
  const t = setTimeout(() => { fired = true; c.abort(); }, ms);
  const p = new Promise((ok, fail) => {
    locks.request(name, { mode: 'exclusive', signal: c.signal }, () => {
      clearTimeout(t);
      if (dropped) return;
      return new Promise(r => { release = r; ok(); });
    }).catch(e => { clearTimeout(t); fail(fired ? 'timeout' : e); });
  });
  return { p, drop() { dropped = true; clearTimeout(t); if (release) release(); else c.abort(); } };
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
    /// A pending or granted Web Lock request.
    type LockRequest;
    /// Starts a request; `None` when Web Locks are unavailable.
    #[wasm_bindgen(js_name = lockRequest)]
    fn lock_request(name: &str, ms: u32) -> Option<LockRequest>;
    /// Resolves when granted; rejects with `'timeout'` or the browser's error.
    #[wasm_bindgen(method, getter)]
    fn p(this: &LockRequest) -> js_sys::Promise;
    /// Releases a granted lock or aborts a pending request.
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

thread_local! {
    /// Names held through the in-tab fallback, and tasks waiting for any of them.
    static HELD: RefCell<(Vec<String>, Vec<Waker>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// A held lock; dropping it releases the lock, on every path (success, error, cancellation).
pub struct BrowserLockGuard {
    inner: Held,
}

enum Held {
    Web(LockRequest),
    Local(String),
}

impl Drop for BrowserLockGuard {
    fn drop(&mut self) {
        match &self.inner {
            Held::Web(req) => req.release(),
            Held::Local(name) => {
                let waiters = HELD.with(|h| {
                    let mut h = match h.try_borrow_mut() {
                        Ok(h) => h,
                        Err(_) => return Vec::new(),
                    };
                    h.0.retain(|n| n != name);
                    std::mem::take(&mut h.1)
                });
                for w in waiters {
                    w.wake();
                }
            }
        }
    }
}

/// Takes the lock `name`, waiting at most `timeout_ms` (then `TimeoutError`).
pub(crate) async fn acquire(name: &str, timeout_ms: u32) -> Result<BrowserLockGuard> {
    if let Some(req) = lock_request(name, js::clamp_ms(timeout_ms)) {
        let promise = req.p();
        // Guard first: if this future is dropped while waiting, Drop aborts the request.
        let guard = BrowserLockGuard { inner: Held::Web(req) };
        match JsFuture::from(promise).await {
            Ok(_) => return Ok(guard),
            Err(e) if e.as_string().as_deref() == Some("timeout") => return Err(Error::timeout()),
            Err(_) => {} // e.g. SecurityError in an opaque origin: use the in-tab lock below.
        }
    }
    acquire_local(name, timeout_ms).await
}

/// The in-tab fallback lock (see the module docs for its limits). Public within the crate so
/// tests can exercise it even where Web Locks exist.
pub(crate) async fn acquire_local(name: &str, timeout_ms: u32) -> Result<BrowserLockGuard> {
    let take = poll_fn(|cx| {
        HELD.with(|h| match h.try_borrow_mut() {
            Ok(mut h) if !h.0.iter().any(|n| n == name) => {
                h.0.push(name.to_owned());
                Poll::Ready(())
            }
            Ok(mut h) => {
                h.1.push(cx.waker().clone());
                Poll::Pending
            }
            Err(_) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
    });
    match js::within(timeout_ms, take).await {
        Some(()) => Ok(BrowserLockGuard { inner: Held::Local(name.to_owned()) }),
        None => Err(Error::timeout()),
    }
}
