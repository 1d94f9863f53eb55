//! Web Storage, cookies and the custom `ICache`, each access fallible and contained.
//!
//! Reading `window.localStorage` can throw `SecurityError` (storage disabled, sandboxed iframe,
//! some private modes), `setItem` can throw `QuotaExceededError`, and a page script can leave
//! garbage in an entry. None of that may escape as an exception (security cases I1, I5, I6):
//! reads turn into misses, writes into `Err`.

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::js::{self, custom_op};
use crate::core::encoding::encode_uri_component;
use crate::core::json::Json;
use crate::core::{Error, Result};

/// Which Web Storage area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Area {
    Local,
    Session,
}

/// The storage object, or `None` when the getter throws or it is missing (workers).
fn area(which: Area) -> Option<web_sys::Storage> {
    let name = match which {
        Area::Local => "localStorage",
        Area::Session => "sessionStorage",
    };
    let v = js::get(&js::global(), name);
    if v.is_object() {
        Some(v.unchecked_into())
    } else {
        None
    }
}

/// Whether the area can be used right now (its getter works).
pub(crate) fn available(which: Area) -> bool {
    area(which).is_some()
}

/// The raw text of `key`, `None` on any failure.
pub(crate) fn get_raw(which: Area, key: &str) -> Option<String> {
    area(which)?.get_item(key).ok().flatten()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A `Storage` seen through a binding that leaves values as JS values.
    type RawStorage;
    /// `Storage.getItem` without converting the value into a Rust string.
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item_value(this: &RawStorage, key: &str) -> std::result::Result<JsValue, JsValue>;
}

/// Whether `key` holds exactly `expected`, compared in JS (`===`): only `expected` crosses into
/// JS (a native UTF-8 decode), the stored text never has to be copied into wasm memory.
pub(crate) fn equals(which: Area, key: &str, expected: &str) -> bool {
    let Some(s) = area(which) else { return false };
    match s.unchecked_ref::<RawStorage>().get_item_value(key) {
        Ok(v) => v == JsValue::from_str(expected),
        Err(_) => false,
    }
}

/// The entry as JSON text; an entry that is not valid JSON is removed and reads as a miss
/// (auth0-spa-js `LocalStorageCache.get` catches `JSON.parse`; I1, I2).
pub(crate) fn get_json(which: Area, key: &str) -> Option<String> {
    let text = get_raw(which, key)?;
    if Json::parse(&text).is_ok() {
        Some(text)
    } else {
        remove(which, key);
        None
    }
}

/// Writes `key`; `setItem` either stores the whole value or throws, so a failure leaves the
/// previous entry (or none) in place: nothing half-written (I5).
pub(crate) fn set(which: Area, key: &str, value: &str) -> Result<()> {
    let s = area(which).ok_or_else(|| Error::plain("storage_error", "Web Storage is not available"))?;
    s.set_item(key, value).map_err(|e| js::plain("storage_error", &e))
}

/// Removes `key`, ignoring failures.
pub(crate) fn remove(which: Area, key: &str) {
    if let Some(s) = area(which) {
        let _ = s.remove_item(key);
    }
}

/// Keys of the area starting with `prefix` (`LocalStorageCache.allKeys`, §3.4).
pub(crate) fn keys_with_prefix(which: Area, prefix: &str) -> Option<Vec<String>> {
    let s = area(which)?;
    let n = s.length().ok()?;
    let mut out = Vec::new();
    for i in 0..n {
        if let Ok(Some(k)) = s.key(i) {
            if k.starts_with(prefix) {
                out.push(k);
            }
        }
    }
    Some(out)
}

// ---- custom ICache (§3.7) -------------------------------------------------------------------

async fn custom(cache: &Object, op: u32, key: &str, value: &str, prefix: &str) -> JsValue {
    wasm_bindgen_futures::JsFuture::from(custom_op(cache, op, key, value, prefix)).await.unwrap_or(JsValue::UNDEFINED)
}

/// `cache.get(key)` (sync or async) as JSON text; a throw, a rejection, `null`/`undefined` or a
/// value JSON cannot express is a miss.
pub(crate) async fn custom_get(cache: &Object, key: &str) -> Option<String> {
    let text = custom(cache, 0, key, "", "").await.as_string();
    #[cfg(feature = "test-hooks")]
    trap_on_request(text.as_deref());
    text
}

/// The `test-hooks` build's deliberate trap, for the end-to-end test of trap containment
/// (tests/e2e/hardening.test.mjs): a custom cache entry `{"auth0SpaWasmTrap":true}` panics inside
/// the async method that read it, which on wasm32 aborts with an `unreachable` trap. Never in a
/// release package (scripts/build.sh builds without the feature).
#[cfg(feature = "test-hooks")]
#[allow(clippy::panic)]
fn trap_on_request(text: Option<&str>) {
    if text == Some(r#"{"auth0SpaWasmTrap":true}"#) {
        panic!("test hook: deliberate trap");
    }
}

/// `cache.set(key, JSON.parse(value))`, awaiting it; errors when the method is missing, throws
/// or rejects.
pub(crate) async fn custom_set(cache: &Object, key: &str, value: &str) -> Result<()> {
    let outcome = custom(cache, 1, key, value, "").await;
    if outcome.is_null() {
        Ok(())
    } else {
        Err(js::plain("storage_error", &js::get(&outcome, "0")))
    }
}

/// `cache.remove(key)`, failures ignored.
pub(crate) async fn custom_remove(cache: &Object, key: &str) {
    custom(cache, 2, key, "", "").await;
}

/// `cache.allKeys()` filtered to SDK keys; `None` when the cache has no `allKeys` (the caller
/// then keeps a key manifest, §3.7) or it fails.
pub(crate) async fn custom_keys(cache: &Object, prefix: &str) -> Option<Vec<String>> {
    let keys = custom(cache, 3, "", "", prefix).await.dyn_into::<Array>().ok()?;
    Some(keys.iter().filter_map(|k| k.as_string()).collect())
}

// ---- cookies (§3.9) ---------------------------------------------------------------------------

/// The prefix of the twin cookie written without `SameSite` for old browsers (§3.9).
pub const LEGACY_PREFIX: &str = "_legacy_";

fn document() -> Option<web_sys::HtmlDocument> {
    let d = js::get(&js::global(), "document");
    if d.is_object() {
        Some(d.unchecked_into())
    } else {
        None
    }
}

/// `document.cookie`, empty when unavailable (workers, sandboxed documents).
fn cookie_jar() -> String {
    document().and_then(|d| d.cookie().ok()).unwrap_or_default()
}

fn write_cookie(header: &str) {
    if let Some(d) = document() {
        let _ = d.set_cookie(header);
    }
}

/// The `document.cookie` assignment for one cookie, exactly as auth0-spa-js (es-cookie) writes
/// it (§3.9): `encodeURIComponent` value, `Expires`, `Path=/`, `Domain` when set, and on https
/// `Secure` plus `SameSite=None` unless `legacy` (the `_legacy_` twin gets only `Secure`).
/// Public so the attribute rules can be tested without an https page.
pub fn cookie_header(name: &str, value: &str, expires_utc: &str, domain: Option<&str>, https: bool, legacy: bool) -> String {
    let mut s = encode_uri_component(name);
    s.push('=');
    s.push_str(&encode_uri_component(value));
    s.push_str("; expires=");
    s.push_str(expires_utc);
    s.push_str("; path=/");
    if let Some(d) = domain {
        s.push_str("; domain=");
        s.push_str(d);
    }
    if https {
        s.push_str("; secure");
        if !legacy {
            s.push_str("; samesite=none");
        }
    }
    s
}

/// The decoded value of cookie `name` in a `document.cookie` string.
pub(crate) fn find_cookie(jar: &str, name: &str) -> Option<String> {
    let wanted = encode_uri_component(name);
    for part in jar.split(';') {
        let part = part.trim_start();
        let (k, v) = match part.split_once('=') {
            Some(kv) => kv,
            None => continue,
        };
        if k != wanted && k != name {
            continue;
        }
        let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
        return js_sys::decode_uri_component(v).ok()?.as_string();
    }
    None
}

fn is_https() -> bool {
    js::get_str(&js::get(&js::global(), "location"), "protocol").as_deref() == Some("https:")
}

fn expiry(days_from_now: f64) -> String {
    let when = js_sys::Date::now() + days_from_now * 86_400_000.0;
    js_sys::Date::new(&JsValue::from_f64(when)).to_utc_string().into()
}

/// The most bytes a cookie's name and value may have together: the limit of RFC 6265bis §5.7
/// ("name plus value at most 4096 octets"). Chromium and Firefox drop a longer cookie without a
/// word; WebKitGTK keeps it. Cookies the SDK checks (the login transaction) are refused above this
/// limit in every engine, so all engines behave alike.
pub const MAX_COOKIE_BYTES: usize = 4096;

/// Cookie storage with auth0-spa-js's `cookieDomain` and `legacySameSiteCookie` options.
#[derive(Clone, Debug)]
pub(crate) struct Cookies {
    pub(crate) domain: Option<String>,
    pub(crate) legacy: bool,
}

impl Cookies {
    /// The normal cookie's value, else (with legacy twins enabled) the `_legacy_` one.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        let jar = cookie_jar();
        if let Some(v) = find_cookie(&jar, name) {
            return Some(v);
        }
        if !self.legacy {
            return None;
        }
        let mut legacy = String::from(LEGACY_PREFIX);
        legacy.push_str(name);
        find_cookie(&jar, &legacy)
    }

    /// Whether every cookie that `set(name, value, _)` writes (the `_legacy_` twin has the
    /// longer name) stays within [`MAX_COOKIE_BYTES`], counted as written: URI-encoded.
    pub(crate) fn fits(&self, name: &str, value: &str) -> bool {
        let twin = if self.legacy { LEGACY_PREFIX.len() } else { 0 };
        encode_uri_component(name).len() + twin + encode_uri_component(value).len() <= MAX_COOKIE_BYTES
    }

    /// Writes the cookie (and its `_legacy_` twin) for `days` days.
    pub(crate) fn set(&self, name: &str, value: &str, days: u32) {
        let expires = expiry(f64::from(days));
        let https = is_https();
        let domain = self.domain.as_deref();
        if self.legacy {
            let mut legacy = String::from(LEGACY_PREFIX);
            legacy.push_str(name);
            write_cookie(&cookie_header(&legacy, value, &expires, domain, https, true));
        }
        write_cookie(&cookie_header(name, value, &expires, domain, https, false));
    }

    /// Expires the cookie and its `_legacy_` twin (same path and domain, so the browser matches).
    pub(crate) fn remove(&self, name: &str) {
        let expires = expiry(-1.0);
        let https = is_https();
        let domain = self.domain.as_deref();
        let mut legacy = String::from(LEGACY_PREFIX);
        legacy.push_str(name);
        write_cookie(&cookie_header(&legacy, "", &expires, domain, https, true));
        write_cookie(&cookie_header(name, "", &expires, domain, https, false));
    }

    /// A cookie holding JSON: garbage is removed and reads as absent (I2).
    pub(crate) fn get_json(&self, name: &str) -> Option<String> {
        let v = self.get(name)?;
        if Json::parse(&v).is_ok() {
            Some(v)
        } else {
            self.remove(name);
            None
        }
    }
}
