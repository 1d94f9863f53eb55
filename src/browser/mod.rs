//! The browser implementation of [`Platform`]: web-sys/js-sys adapters for storage, cookies,
//! `fetch`, Web Locks, the silent-auth iframe, popups, cross-tab logout, clock and randomness.
//!
//! Rules kept throughout: no JS exception escapes (every call that can throw goes through a
//! `catch` binding or `Reflect`), no panic on odd values, and `JsValue` never crosses the port:
//! everything comes back as Rust strings, [`Json`] or [`Error`].
#![cfg(target_arch = "wasm32")]

mod frame;
mod js;
mod lock;
mod net;
mod storage;

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;

use crate::core::cache::CACHE_KEY_PREFIX;
use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::json::Json;
use crate::core::{Error, Result, UnixMillis};
use crate::platform::memory::MemoryCache;
use crate::platform::Platform;
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

impl Platform for BrowserPlatform {
    type LockGuard = BrowserLockGuard;
    type Popup = web_sys::Window;

    /// `nowProvider`'s time, awaited when it returns a Promise (auth0-spa-js awaits it);
    /// `Date.now()` without a provider or when it fails or yields no finite number.
    async fn now_ms(&self) -> UnixMillis {
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

    fn fill_random(&self, buf: &mut [u8]) -> Result<()> {
        if js::fill_random(buf) {
            Ok(())
        } else {
            Err(Error::plain("crypto_unavailable", CRYPTO_REQUIRED_MESSAGE))
        }
    }

    async fn cache_get(&self, key: &str) -> Option<String> {
        match &self.cache {
            Cache::Memory(m) => m.get(key),
            // Raw text: the client parses every entry strictly and removes what does not parse
            // (I1); validating here too would parse each entry twice per cache hit.
            Cache::Local => storage::get_raw(Area::Local, key),
            Cache::Custom(o) => storage::custom_get(o, key).await,
        }
    }

    async fn cache_equals(&self, key: &str, expected: &str) -> bool {
        match &self.cache {
            Cache::Memory(m) => m.equals(key, expected),
            Cache::Local => storage::equals(Area::Local, key, expected),
            Cache::Custom(_) => self.cache_get(key).await.as_deref() == Some(expected),
        }
    }

    async fn cache_set(&self, key: &str, value: &str) -> Result<()> {
        match &self.cache {
            Cache::Memory(m) => {
                m.set(key, value);
                Ok(())
            }
            Cache::Local => storage::set(Area::Local, key, value),
            Cache::Custom(o) => storage::custom_set(o, key, value).await,
        }
    }

    async fn cache_remove(&self, key: &str) {
        match &self.cache {
            Cache::Memory(m) => m.remove(key),
            Cache::Local => storage::remove(Area::Local, key),
            Cache::Custom(o) => storage::custom_remove(o, key).await,
        }
    }

    fn cache_lists_keys(&self) -> bool {
        match &self.cache {
            Cache::Custom(o) => js::get(o, "allKeys").is_function(),
            _ => true,
        }
    }

    async fn cache_keys(&self) -> Option<Vec<String>> {
        match &self.cache {
            Cache::Memory(m) => Some(m.keys_with_prefix(CACHE_KEY_PREFIX)),
            Cache::Local => storage::keys_with_prefix(Area::Local, CACHE_KEY_PREFIX),
            Cache::Custom(o) => storage::custom_keys(o, CACHE_KEY_PREFIX).await,
        }
    }

    fn transaction_get(&self, key: &str) -> Option<String> {
        if self.cookie_transactions {
            self.cookies.get_json(key)
        } else {
            storage::get_json(Area::Session, key)
        }
    }

    fn transaction_set(&self, key: &str, value: &str) -> Result<()> {
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

    fn transaction_remove(&self, key: &str) {
        if self.cookie_transactions {
            self.cookies.remove(key);
        } else {
            storage::remove(Area::Session, key);
        }
    }

    fn cookie_get(&self, name: &str) -> Option<String> {
        self.cookies.get(name)
    }

    fn cookie_set(&self, name: &str, value: &str, days: u32) {
        self.cookies.set(name, value, days);
    }

    fn cookie_remove(&self, name: &str) {
        self.cookies.remove(name);
    }

    async fn http(&self, request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse> {
        net::send(request, timeout_ms).await
    }

    async fn lock(&self, name: &str, timeout_ms: u32) -> Result<Self::LockGuard> {
        lock::acquire(name, timeout_ms).await
    }

    async fn mark_spent(&self, name: &str, hold_ms: u32) {
        lock::mark_spent(name, hold_ms).await;
    }

    fn unmark_spent(&self, name: &str) {
        js::unmark_spent_js(name);
    }

    async fn is_spent(&self, name: &str) -> bool {
        lock::is_spent(name).await
    }

    async fn sleep(&self, ms: u32) {
        let _ = js::within(ms, std::future::pending::<()>()).await;
    }

    async fn run_iframe(&self, url: &str, origin: &str, state: &str, timeout_ms: u32) -> Result<Json> {
        frame::run_iframe(url, origin, state, timeout_ms).await
    }

    async fn run_popup(&self, popup: web_sys::Window, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json> {
        frame::run_popup(popup, url, origin, state, timeout_ms, close_popup).await
    }

    fn page_origin(&self) -> String {
        js::get_str(&js::get(&js::global(), "location"), "origin").unwrap_or_default()
    }

    fn cross_origin_isolated(&self) -> bool {
        frame::cross_origin_isolated()
    }

    fn warn(&self, message: &str) {
        web_sys::console::warn_1(&JsValue::from_str(message));
    }

    fn broadcast_logout(&self) {
        self.channel.post();
    }

    fn take_remote_logout(&self) -> bool {
        self.channel.take()
    }

    fn remote_logout_pending(&self) -> bool {
        self.channel.has()
    }
}
