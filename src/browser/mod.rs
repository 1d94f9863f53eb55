//! The browser implementation of [`Platform`]: web-sys/js-sys adapters for storage, cookies,
//! `fetch`, Web Locks, the silent-auth iframe, popups, cross-tab logout, clock and randomness.
//!
//! Rules kept throughout: no JS exception escapes (every call that can throw goes through a
//! `catch` binding or `Reflect`), no panic on odd values, and `JsValue` never crosses the port:
//! everything comes back as Rust strings, [`Json`] or [`Error`].
#![cfg(target_arch = "wasm32")]

pub(crate) mod driver;
pub(crate) mod dpop;
mod frame;
mod js;
mod lock;
mod memory;
mod net;
mod storage;

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;

use crate::core::cache::CACHE_KEY_PREFIX;
use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::json::Json;
use crate::core::{Error, Result, UnixMillis};
use memory::MemoryCache;
use js::{logout_channel, LogoutChannel};
use storage::{Area, Cookies};

pub use frame::{open_popup, CROSS_ORIGIN_ISOLATED_MESSAGE};
pub use lock::BrowserLockGuard;
pub use storage::{cookie_header, LEGACY_PREFIX, MAX_COOKIE_BYTES};

/// Name of the BroadcastChannel on which tabs of one origin announce logouts (security case I7).
pub const LOGOUT_CHANNEL: &str = "auth0-spa-wasm";

/// auth0-spa-js's message when `crypto.getRandomValues` is missing (a plain `Error`).
pub const CRYPTO_REQUIRED_MESSAGE: &str = "For security reasons, `window.crypto` is required to run `auth0-spa-js`.";

const LOGOUT_MESSAGE_PREFIX: &str = "logout:";

/// Where the token cache lives (`cacheLocation` / `cache` options, docs/behaviour.md §3.4, §3.7).
#[derive(Clone, Debug)]
pub enum CacheKind {
    /// `cacheLocation: 'memory'` (auth0-spa-js's default): entries die with the page.
    Memory,
    /// `cacheLocation: 'localstorage'`: shared by the origin's tabs; falls back to memory when
    /// `localStorage` is unusable (I6).
    LocalStorage,
    /// A user `ICache` object: `get`/`set`/`remove` and optional `allKeys`, each sync or
    /// returning a Promise; values are objects (converted with `JSON.stringify`/`JSON.parse`).
    Custom(Object),
}

/// The options of auth0-spa-js that concern the browser layer.
#[derive(Clone, Debug)]
pub struct BrowserConfig {
    /// `clientId`, kept for diagnostics and [`BrowserPlatform::client_id`].
    pub client_id: String,
    /// Where tokens are cached.
    pub cache: CacheKind,
    /// `useCookiesForTransactions`: keep the login transaction in a cookie instead of
    /// sessionStorage (§3.8).
    pub use_cookies_for_transactions: bool,
    /// `cookieDomain` for every cookie written (§3.9).
    pub cookie_domain: Option<String>,
    /// `legacySameSiteCookie` (default true): also write the `_legacy_` twin cookie (§3.9).
    pub legacy_same_site_cookie: bool,
    /// `nowProvider`: returns ms since the epoch, or a Promise of them (awaited).
    pub now_provider: Option<Function>,
}

impl BrowserConfig {
    /// auth0-spa-js's defaults: memory cache, sessionStorage transactions, legacy cookies on.
    pub fn new(client_id: &str) -> BrowserConfig {
        BrowserConfig {
            client_id: client_id.to_owned(),
            cache: CacheKind::Memory,
            use_cookies_for_transactions: false,
            cookie_domain: None,
            legacy_same_site_cookie: true,
            now_provider: None,
        }
    }
}

enum Cache {
    Memory(MemoryCache),
    Local,
    Custom(Object),
}

/// The browser's [`Platform`]: what `Client<BrowserPlatform>` runs on in a page.
pub struct BrowserPlatform {
    client_id: String,
    cache: Cache,
    cookies: Cookies,
    cookie_transactions: bool,
    now_provider: Option<Function>,
    channel: LogoutChannel,
}

impl BrowserPlatform {
    /// Builds the platform from `config`; never fails (unusable features degrade as documented
    /// on each method).
    pub fn new(config: BrowserConfig) -> BrowserPlatform {
        let cache = match config.cache {
            CacheKind::Memory => Cache::Memory(MemoryCache::new()),
            CacheKind::LocalStorage if storage::available(Area::Local) => Cache::Local,
            CacheKind::LocalStorage => Cache::Memory(MemoryCache::new()),
            CacheKind::Custom(o) => Cache::Custom(o),
        };
        let channel = logout_channel(LOGOUT_CHANNEL, LOGOUT_MESSAGE_PREFIX, &config.client_id);
        BrowserPlatform {
            client_id: config.client_id,
            cache,
            cookies: Cookies { domain: config.cookie_domain, legacy: config.legacy_same_site_cookie },
            cookie_transactions: config.use_cookies_for_transactions,
            now_provider: config.now_provider,
            channel,
        }
    }

    /// The `clientId` this platform was built for.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether tokens are actually kept in `localStorage` (false after the I6 fallback).
    pub fn uses_local_storage(&self) -> bool {
        matches!(self.cache, Cache::Local)
    }

    /// Whether the tokens live in this platform's own memory (`cacheLocation: 'memory'`, or
    /// localStorage unavailable when the client was made), where no other tab or client sees them.
    pub fn cache_is_own_memory(&self) -> bool {
        matches!(self.cache, Cache::Memory(_))
    }

    /// Whether a memoised cache hit may be re-checked outside the client (the JS fast path):
    /// `Some(true)` when entries live in `localStorage` (compare their texts there),
    /// `Some(false)` for the in-memory cache (only this client writes it), `None` with a custom
    /// cache or a `nowProvider`, which only the client may call.
    pub(crate) fn outside_hit_check(&self) -> Option<bool> {
        if self.now_provider.is_some() {
            return None;
        }
        match self.cache {
            Cache::Local => Some(true),
            Cache::Memory(_) => Some(false),
            Cache::Custom(_) => None,
        }
    }
}

/// Moving a client's in-memory session to another module's client (js/index.js `fullClient`: a
/// client on the lite module moves to the full one before its first call of a feature only that
/// one carries; docs/module-split.md).
impl BrowserPlatform {
    /// The in-memory cache's entries as JSON text `[[key, value], ...]`; `[]` when the tokens
    /// live elsewhere (localStorage and custom caches are shared, nothing to move).
    pub fn memory_entries(&self) -> String {
        let Cache::Memory(m) = &self.cache else { return "[]".to_owned() };
        let pairs = m.entries().into_iter().map(|(k, v)| Json::Array(vec![Json::String(k), Json::String(v)])).collect();
        Json::Array(pairs).to_json_string()
    }

    /// Stores `entries` (as [`BrowserPlatform::memory_entries`] wrote them) in the in-memory
    /// cache; anything else is ignored.
    pub fn load_memory_entries(&self, entries: &Json) {
        let (Cache::Memory(m), Some(pairs)) = (&self.cache, entries.as_array()) else { return };
        for pair in pairs {
            if let Some([Json::String(k), Json::String(v)]) = pair.as_array() {
                m.set(k, v);
            }
        }
    }
}

impl Drop for BrowserPlatform {
    fn drop(&mut self) {
        self.channel.close();
    }
}

fn date_now() -> UnixMillis {
    js_sys::Date::now() as UnixMillis
}

fn as_millis(v: &JsValue) -> Option<UnixMillis> {
    v.as_f64().filter(|n| n.is_finite() && *n >= 0.0).map(|n| n as UnixMillis)
}

/// The platform operations the driver (`driver.rs`) performs for the flows; the browser tests
/// exercise them one by one.
impl BrowserPlatform {
    /// `nowProvider`'s time, awaited when it returns a Promise (auth0-spa-js awaits it);
    /// `Date.now()` without a provider or when it fails or yields no finite number.
    pub async fn now_ms(&self) -> UnixMillis {
        if let Some(f) = &self.now_provider {
            if let Ok(v) = f.call0(&JsValue::UNDEFINED) {
                let v = if v.as_f64().is_some() { Ok(v) } else { js::resolve(v).await };
                if let Some(ms) = v.ok().as_ref().and_then(as_millis) {
                    return ms;
                }
            }
        }
        date_now()
    }

    /// Cryptographically secure random bytes (`crypto.getRandomValues`).
    pub fn fill_random(&self, buf: &mut [u8]) -> Result<()> {
        if js::fill_random(buf) {
            Ok(())
        } else {
            Err(Error::plain("crypto_unavailable", CRYPTO_REQUIRED_MESSAGE))
        }
    }

    /// Reads a token-cache entry as JSON text (memory, localStorage or a custom `ICache`).
    /// Unreadable storage is `None`, never an error: a cache miss.
    pub async fn cache_get(&self, key: &str) -> Option<String> {
        match &self.cache {
            Cache::Memory(m) => m.get(key),
            // Raw text: the client parses every entry strictly and removes what does not parse
            // (I1); validating here too would parse each entry twice per cache hit.
            Cache::Local => storage::get_raw(Area::Local, key),
            Cache::Custom(o) => storage::custom_get(o, key).await,
        }
    }

    /// Whether the entry `key` holds exactly `expected`: the cache-hit memo's check. Platforms
    /// override it to compare where the text lives (copying kilobytes of JSON into wasm memory
    /// on every hit cost more than the rest of the hit together, measured in Chromium).
    pub async fn cache_equals(&self, key: &str, expected: &str) -> bool {
        match &self.cache {
            Cache::Memory(m) => m.equals(key, expected),
            Cache::Local => storage::equals(Area::Local, key, expected),
            Cache::Custom(_) => self.cache_get(key).await.as_deref() == Some(expected),
        }
    }

    /// Writes a token-cache entry. Fails (e.g. `QuotaExceededError`) without a partial write.
    pub async fn cache_set(&self, key: &str, value: &str) -> Result<()> {
        match &self.cache {
            Cache::Memory(m) => {
                m.set(key, value);
                Ok(())
            }
            Cache::Local => storage::set(Area::Local, key, value),
            Cache::Custom(o) => storage::custom_set(o, key, value).await,
        }
    }

    /// Removes a token-cache entry; a failure to remove is ignored.
    pub async fn cache_remove(&self, key: &str) {
        match &self.cache {
            Cache::Memory(m) => m.remove(key),
            Cache::Local => storage::remove(Area::Local, key),
            Cache::Custom(o) => storage::custom_remove(o, key).await,
        }
    }

    /// Whether [`BrowserPlatform::cache_keys`] can list keys; when it cannot (a custom cache without
    /// `allKeys`) the client keeps a key manifest. A flag, so that writes need not enumerate
    /// storage to find out.
    pub fn cache_lists_keys(&self) -> bool {
        match &self.cache {
            Cache::Custom(o) => js::get(o, "allKeys").is_function(),
            _ => true,
        }
    }

    /// All cache keys starting with `@@auth0spajs@@`, or `None` when the cache cannot list its
    /// keys (a custom cache without `allKeys`), in which case the caller keeps a key manifest.
    pub async fn cache_keys(&self) -> Option<Vec<String>> {
        match &self.cache {
            Cache::Memory(m) => Some(m.keys_with_prefix(CACHE_KEY_PREFIX)),
            Cache::Local => storage::keys_with_prefix(Area::Local, CACHE_KEY_PREFIX),
            Cache::Custom(o) => storage::custom_keys(o, CACHE_KEY_PREFIX).await,
        }
    }

    /// Reads the login transaction (sessionStorage, or a cookie with `useCookiesForTransactions`).
    pub fn transaction_get(&self, key: &str) -> Option<String> {
        if self.cookie_transactions {
            self.cookies.get_json(key)
        } else {
            storage::get_json(Area::Session, key)
        }
    }

    /// Stores the login transaction.
    pub fn transaction_set(&self, key: &str, value: &str) -> Result<()> {
        if self.cookie_transactions {
            // Over the common 4096-byte limit Chromium and Firefox drop the cookie and WebKitGTK
            // keeps it: refuse it here, the same in every engine (storage::MAX_COOKIE_BYTES).
            if !self.cookies.fits(key, value) {
                return Err(Error::plain("storage_error", "The transaction is too big for a cookie (over 4096 bytes)"));
            }
            self.cookies.set(key, value, 1);
            // document.cookie also drops what it cannot store (cookies disabled) without a
            // word; a lost transaction would only surface after the redirect, so check now.
            if self.cookies.get(key).as_deref() == Some(value) {
                Ok(())
            } else {
                Err(Error::plain("storage_error", "The transaction cookie could not be stored"))
            }
        } else {
            storage::set(Area::Session, key, value)
        }
    }

    /// Deletes the login transaction.
    pub fn transaction_remove(&self, key: &str) {
        if self.cookie_transactions {
            self.cookies.remove(key);
        } else {
            storage::remove(Area::Session, key);
        }
    }

    /// Reads a cookie's decoded value (the `_legacy_` twin as fallback).
    pub fn cookie_get(&self, name: &str) -> Option<String> {
        self.cookies.get(name)
    }

    /// Writes a cookie (and its `_legacy_` twin unless disabled) for `days` days.
    pub fn cookie_set(&self, name: &str, value: &str, days: u32) {
        self.cookies.set(name, value, days);
    }

    /// Deletes a cookie and its `_legacy_` twin.
    pub fn cookie_remove(&self, name: &str) {
        self.cookies.remove(name);
    }

    /// Sends a request with `fetch`, aborting it after `timeout_ms`. Network failures and the
    /// timeout are errors; any HTTP status is a response.
    pub async fn http(&self, request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse> {
        net::send(request, timeout_ms).await
    }

    /// Takes the exclusive cross-tab lock `name` (Web Locks API), waiting at most `timeout_ms`
    /// (then `TimeoutError`). The lock is held until the returned guard is dropped.
    pub async fn lock(&self, name: &str, timeout_ms: u32) -> Result<BrowserLockGuard> {
        self.lock_with_state(name, timeout_ms, false).await
    }

    /// [`BrowserPlatform::lock`] for a holder that checks a spent mark right after the grant:
    /// the lock manager's state at the grant comes too ([`BrowserLockGuard::spent_at_grant`]).
    pub async fn lock_checking_spent(&self, name: &str, timeout_ms: u32) -> Result<BrowserLockGuard> {
        self.lock_with_state(name, timeout_ms, true).await
    }

    /// The one lock request behind both (the driver passes the flag of `Io::Lock`).
    pub(crate) async fn lock_with_state(&self, name: &str, timeout_ms: u32, with_state: bool) -> Result<BrowserLockGuard> {
        lock::acquire(name, timeout_ms, with_state).await
    }

    /// Marks `name` (a spent refresh token's fingerprint) as held in a store every tab of the
    /// origin sees at once, for `hold_ms`, and returns once the mark is visible. localStorage is
    /// not that store: Chromium delivers its writes to other tabs asynchronously, after a Web
    /// Lock may already have been handed over, so the lock manager itself carries the mark.
    pub async fn mark_spent(&self, name: &str, hold_ms: u32) {
        lock::mark_spent(name, hold_ms).await;
    }

    /// Takes back this tab's mark `name` before its time (the token was not spent after all).
    pub fn unmark_spent(&self, name: &str) {
        js::unmark_spent_js(name);
    }

    /// Whether some tab holds the mark `name` (see [`BrowserPlatform::mark_spent`]).
    pub async fn is_spent(&self, name: &str) -> bool {
        lock::is_spent(name).await
    }

    /// Waits `ms` milliseconds.
    pub async fn sleep(&self, ms: u32) {
        let _ = js::within(ms, std::future::pending::<()>()).await;
    }

    /// Loads `url` in a hidden iframe and waits for the `authorization_response` web message
    /// that comes from exactly `origin`, from that iframe's window, carrying `state`. Returns the
    /// message's `response` object. Iframe, listener and timer are removed on every path.
    pub async fn run_iframe(&self, url: &str, origin: &str, state: &str, timeout_ms: u32) -> Result<Json> {
        frame::run_iframe(url, origin, state, timeout_ms).await
    }

    /// Points `popup` at `url` and waits as [`BrowserPlatform::run_iframe`] does, failing with
    /// `PopupCancelledError` when the user closes it and `PopupTimeoutError` on timeout.
    pub async fn run_popup(&self, popup: web_sys::Window, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json> {
        frame::run_popup(popup, url, origin, state, timeout_ms, close_popup).await
    }

    /// `window.location.origin`, the `redirect_uri` fallback for popup and iframe flows.
    pub fn page_origin(&self) -> String {
        js::get_str(&js::get(&js::global(), "location"), "origin").unwrap_or_default()
    }

    /// `window.crossOriginIsolated`: iframes cannot do silent auth there.
    pub fn cross_origin_isolated(&self) -> bool {
        frame::cross_origin_isolated()
    }

    /// Tells the developer about a degraded but working state (`console.warn`), such as a
    /// session kept in memory because storage refused it.
    pub fn warn(&self, message: &str) {
        web_sys::console::warn_1(&JsValue::from_str(message));
    }

    /// Tells the other tabs of this origin that this client logged out.
    pub fn broadcast_logout(&self) {
        self.channel.post();
    }

    /// Whether another tab announced a logout of this client since it last looked; takes it.
    /// (A platform serves one client, so it knows the client id these concern.)
    pub fn take_remote_logout(&self) -> bool {
        self.channel.take()
    }

    /// Whether such an announcement is waiting, without taking it. Cheap: the JS cache-hit fast
    /// path asks on every hit.
    pub fn remote_logout_pending(&self) -> bool {
        self.channel.has()
    }
}
