//! Ports: the one trait through which the client orchestrator does I/O.
//!
//! `client/` is generic over [`Platform`] and never sees web-sys, so whole flows (login, refresh
//! with rotation, iframe fallback, logout) run under plain `cargo test` with a scripted fake,
//! while `browser/` implements the same trait with web-sys for the real thing.
//!
//! The futures carry no `Send` bound on purpose: WebAssembly in the browser is single-threaded
//! and JS promises are not `Send`.
#![allow(async_fn_in_trait)]

use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::json::Json;
use crate::core::{Result, UnixMillis};

/// The in-memory cache of `cacheLocation: 'memory'` (used by the browser platform).
#[cfg(any(target_arch = "wasm32", test))]
pub mod memory;

/// Everything the client needs from its environment.
pub trait Platform {
    /// A held cross-tab lock; dropping it releases the lock.
    type LockGuard;
    /// A popup window opened synchronously in the user's click handler (popup blockers allow
    /// only that), handed to [`Platform::run_popup`] later.
    type Popup;

    /// Current time: `Date.now()`, or the `nowProvider` option, awaited when it returns a
    /// Promise (as auth0-spa-js awaits it).
    async fn now_ms(&self) -> UnixMillis;
    /// Cryptographically secure random bytes (`crypto.getRandomValues`).
    fn fill_random(&self, buf: &mut [u8]) -> Result<()>;

    /// Reads a token-cache entry as JSON text (memory, localStorage or a custom `ICache`).
    /// Unreadable storage is `None`, never an error: a cache miss.
    async fn cache_get(&self, key: &str) -> Option<String>;
    /// Whether the entry `key` holds exactly `expected`: the cache-hit memo's check. Platforms
    /// override it to compare where the text lives (copying kilobytes of JSON into wasm memory
    /// on every hit cost more than the rest of the hit together, measured in Chromium).
    async fn cache_equals(&self, key: &str, expected: &str) -> bool {
        self.cache_get(key).await.as_deref() == Some(expected)
    }
    /// Writes a token-cache entry. Fails (e.g. `QuotaExceededError`) without a partial write.
    async fn cache_set(&self, key: &str, value: &str) -> Result<()>;
    /// Removes a token-cache entry; a failure to remove is ignored.
    async fn cache_remove(&self, key: &str);
    /// Whether [`Platform::cache_keys`] can list keys; when it cannot (a custom cache without
    /// `allKeys`) the client keeps a key manifest. A flag, so that writes need not enumerate
    /// storage to find out.
    fn cache_lists_keys(&self) -> bool {
        true
    }
    /// All cache keys starting with `@@auth0spajs@@`, or `None` when the cache cannot list its
    /// keys (a custom cache without `allKeys`), in which case the caller keeps a key manifest.
    async fn cache_keys(&self) -> Option<Vec<String>>;

    /// Reads the login transaction (sessionStorage, or a cookie with `useCookiesForTransactions`).
    fn transaction_get(&self, key: &str) -> Option<String>;
    /// Stores the login transaction.
    fn transaction_set(&self, key: &str, value: &str) -> Result<()>;
    /// Deletes the login transaction.
    fn transaction_remove(&self, key: &str);

    /// Reads a cookie's decoded value (the `_legacy_` twin as fallback).
    fn cookie_get(&self, name: &str) -> Option<String>;
    /// Writes a cookie (and its `_legacy_` twin unless disabled) for `days` days.
    fn cookie_set(&self, name: &str, value: &str, days: u32);
    /// Deletes a cookie and its `_legacy_` twin.
    fn cookie_remove(&self, name: &str);

    /// Sends a request with `fetch`, aborting it after `timeout_ms`. Network failures and the
    /// timeout are errors; any HTTP status is a response.
    async fn http(&self, request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse>;

    /// Takes the exclusive cross-tab lock `name` (Web Locks API), waiting at most `timeout_ms`
    /// (then `TimeoutError`). The lock is held until the returned guard is dropped.
    #[must_use = "the lock is released when the guard is dropped"]
    async fn lock(&self, name: &str, timeout_ms: u32) -> Result<Self::LockGuard>;

    /// Loads `url` in a hidden iframe and waits for the `authorization_response` web message
    /// that comes from exactly `origin`, from that iframe's window, carrying `state`. Returns the
    /// message's `response` object. Iframe, listener and timer are removed on every path.
    async fn run_iframe(&self, url: &str, origin: &str, state: &str, timeout_ms: u32) -> Result<Json>;

    /// Points `popup` at `url` and waits as [`Platform::run_iframe`] does, failing with
    /// `PopupCancelledError` when the user closes it and `PopupTimeoutError` on timeout.
    async fn run_popup(&self, popup: Self::Popup, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json>;

    /// Marks `name` (a spent refresh token's fingerprint) as held in a store every tab of the
    /// origin sees at once, for `hold_ms`, and returns once the mark is visible. localStorage is
    /// not that store: Chromium delivers its writes to other tabs asynchronously, after a Web
    /// Lock may already have been handed over, so the lock manager itself carries the mark.
    async fn mark_spent(&self, name: &str, hold_ms: u32);
    /// Takes back this tab's mark `name` before its time (the token was not spent after all).
    fn unmark_spent(&self, name: &str);
    /// Whether some tab holds the mark `name` (see [`Platform::mark_spent`]).
    async fn is_spent(&self, name: &str) -> bool;
    /// Waits `ms` milliseconds.
    async fn sleep(&self, ms: u32);

    /// `window.location.origin`, the `redirect_uri` fallback for popup and iframe flows.
    fn page_origin(&self) -> String;
    /// `window.crossOriginIsolated`: iframes cannot do silent auth there.
    fn cross_origin_isolated(&self) -> bool;
    /// Tells the developer about a degraded but working state (`console.warn`), such as a
    /// session kept in memory because storage refused it.
    fn warn(&self, message: &str);
    /// Tells the other tabs of this origin that this client logged out.
    fn broadcast_logout(&self);
    /// Whether another tab announced a logout of this client since it last looked; takes it.
    /// (A platform serves one client, so it knows the client id these concern.)
    fn take_remote_logout(&self) -> bool;
    /// Whether such an announcement is waiting, without taking it. Cheap: the JS cache-hit fast
    /// path asks on every hit.
    fn remote_logout_pending(&self) -> bool;
}
