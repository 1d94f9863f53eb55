//! The exclusive cross-tab lock (docs/behaviour.md §5.2): Web Locks when the browser has them, an
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
//! Both live in small JS functions (`lockRequest` in js/platform.js, over the `navigator.locks`
//! captured at import): the wasm only awaits a promise and releases a handle on drop (wasm size,
//! docs/performance.md).

use wasm_bindgen_futures::JsFuture;

use super::js::{self, is_spent_js, lock_request, mark_spent_js, LockRequest};
use crate::core::{Error, Result};

/// See [`crate::browser::BrowserPlatform::mark_spent`]: the Web Lock manager is consistent across
/// tabs at once, unlike localStorage, so a shared lock named after the spent token is the mark.
pub(crate) async fn mark_spent(name: &str, hold_ms: u32) {
    let _ = JsFuture::from(mark_spent_js(name, js::clamp_ms(hold_ms))).await;
}

/// Whether some tab marked `name` spent.
pub(crate) async fn is_spent(name: &str) -> bool {
    matches!(JsFuture::from(is_spent_js(name)).await, Ok(v) if v.is_truthy())
}

/// A held lock; dropping it releases the lock, on every path (success, error, cancellation).
#[must_use = "dropping the guard releases the lock at once"]
pub struct BrowserLockGuard(LockRequest);

impl BrowserLockGuard {
    /// Whether the spent mark `name` was held when this lock was granted; `None` when the lock
    /// manager's state at the grant is unknown or was already consulted. Answers only the first
    /// check after the grant: later ones (the refresh path's polling) ask afresh.
    pub fn spent_at_grant(&self, name: &str) -> Option<bool> {
        self.0.spent_at_grant(name)
    }
}

impl Drop for BrowserLockGuard {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// Takes the lock `name`, waiting at most `timeout_ms` (then `TimeoutError`).
/// With `with_state`, the lock manager's state at the grant comes too, for
/// [`BrowserLockGuard::spent_at_grant`].
pub(crate) async fn acquire(name: &str, timeout_ms: u32, with_state: bool) -> Result<BrowserLockGuard> {
    // Guard first: if this future is dropped while waiting, Drop abandons the request.
    let guard = BrowserLockGuard(lock_request(name, js::clamp_ms(timeout_ms), with_state));
    match JsFuture::from(guard.0.p()).await {
        Ok(_) => Ok(guard),
        Err(_) => Err(Error::timeout()),
    }
}
