//! Browser tests of the storage side of `BrowserPlatform`: localStorage cache, custom ICache,
//! transactions, cookies, clock and randomness (docs/behaviour.md §3.4, §3.7–3.9; security cases
//! I1, I2, I5, I6; C9). Run in headless Chromium with wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap (project rules)

use auth0_spa_wasm::browser::{
    cookie_header, BrowserConfig, BrowserPlatform, CacheKind, CRYPTO_REQUIRED_MESSAGE, LEGACY_PREFIX, MAX_COOKIE_BYTES,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn eval(code: &str) -> JsValue {
    js_sys::eval(code).unwrap()
}

fn eval_str(code: &str) -> Option<String> {
    eval(code).as_string()
}

fn platform(cache: CacheKind) -> BrowserPlatform {
    let mut c = BrowserConfig::new("cid");
    c.cache = cache;
    BrowserPlatform::new(c)
}

const KEY: &str = "@@auth0spajs@@::cid::default::openid";

/// Makes `window[name]` throw a SecurityError until `restore(name)`.
fn break_global(name: &str) {
    eval(&format!(
        "window.__saved_{name} = Object.getOwnPropertyDescriptor(window, '{name}');
         Object.defineProperty(window, '{name}', {{ configurable: true, get() {{ throw new DOMException('denied', 'SecurityError'); }} }});"
    ));
}

fn restore(name: &str) {
    eval(&format!("Object.defineProperty(window, '{name}', window.__saved_{name});"));
}

#[wasm_bindgen_test]
async fn local_storage_entries_round_trip_and_only_sdk_keys_are_listed() {
    eval("localStorage.clear(); localStorage.setItem('unrelated', '1');");
    let p = platform(CacheKind::LocalStorage);
    assert!(p.uses_local_storage());
    p.cache_set(KEY, "{\"body\":{\"access_token\":\"at\"},\"expiresAt\":5}").await.unwrap();
    assert_eq!(p.cache_get(KEY).await.as_deref(), Some("{\"body\":{\"access_token\":\"at\"},\"expiresAt\":5}"));
    assert_eq!(eval_str(&format!("localStorage.getItem('{KEY}')")).as_deref(), Some("{\"body\":{\"access_token\":\"at\"},\"expiresAt\":5}"));
    assert_eq!(p.cache_keys().await, Some(vec![KEY.to_owned()]));
    p.cache_remove(KEY).await;
    assert_eq!(p.cache_get(KEY).await, None);
    assert!(eval(&format!("localStorage.getItem('{KEY}')")).is_null());
    eval("localStorage.clear();");
}

#[wasm_bindgen_test]
async fn a_local_storage_entry_is_handed_over_as_stored_for_the_client_to_judge() {
    // The client parses every cache entry strictly and removes garbage (tests/client_flows.rs
    // `garbage_in_storage_is_a_cleaned_up_miss_not_an_exception`); the adapter does not parse.
    eval(&format!("localStorage.setItem('{KEY}', '{{not json');"));
    let p = platform(CacheKind::LocalStorage);
    assert_eq!(p.cache_get(KEY).await.as_deref(), Some("{not json"));
    p.cache_remove(KEY).await;
    assert!(eval(&format!("localStorage.getItem('{KEY}')")).is_null());
}

#[wasm_bindgen_test]
async fn a_throwing_local_storage_getter_reads_as_a_miss_and_writes_fail_without_exception() {
    let p = platform(CacheKind::LocalStorage);
    assert!(p.uses_local_storage());
    break_global("localStorage");
    let got = p.cache_get(KEY).await;
    let set = p.cache_set(KEY, "{}").await;
    let keys = p.cache_keys().await;
    p.cache_remove(KEY).await;
    restore("localStorage");
    assert_eq!(got, None);
    assert_eq!(set.unwrap_err().error, "storage_error");
    assert_eq!(keys, None);
}

#[wasm_bindgen_test]
async fn unusable_local_storage_at_start_falls_back_to_memory() {
    eval("localStorage.clear();");
    break_global("localStorage");
    let p = platform(CacheKind::LocalStorage);
    let used = p.uses_local_storage();
    p.cache_set(KEY, "{\"a\":1}").await.unwrap();
    let got = p.cache_get(KEY).await;
    restore("localStorage");
    assert!(!used);
    assert_eq!(got.as_deref(), Some("{\"a\":1}"));
    assert!(eval(&format!("localStorage.getItem('{KEY}')")).is_null());
}

#[wasm_bindgen_test]
async fn quota_exceeded_is_an_error_and_leaves_the_previous_entry_intact() {
    eval("localStorage.clear();");
    let p = platform(CacheKind::LocalStorage);
    p.cache_set(KEY, "{\"old\":true}").await.unwrap();
    // Chromium allows ~5 M UTF-16 units per origin: this real write must fail.
    let huge = eval("'\"' + 'x'.repeat(12000000) + '\"'").as_string().unwrap();
    let err = p.cache_set(KEY, &huge).await.unwrap_err();
    assert_eq!(err.error, "storage_error");
    assert_eq!(p.cache_get(KEY).await.as_deref(), Some("{\"old\":true}"));
    eval("localStorage.clear();");
}

#[wasm_bindgen_test]
async fn memory_cache_keeps_nothing_in_web_storage() {
    eval("localStorage.clear(); sessionStorage.clear();");
    let p = platform(CacheKind::Memory);
    p.cache_set(KEY, "{\"body\":{}}").await.unwrap();
    assert_eq!(p.cache_get(KEY).await.as_deref(), Some("{\"body\":{}}"));
    assert_eq!(p.cache_keys().await, Some(vec![KEY.to_owned()]));
    assert_eq!(eval("localStorage.length + sessionStorage.length").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn a_sync_custom_cache_gets_objects_and_lists_its_keys() {
    let cache: js_sys::Object = eval(
        "(() => { const m = new Map(); window.__custom = m; return {
            get: k => m.get(k), set: (k, v) => { m.set(k, v); }, remove: k => { m.delete(k); },
            allKeys: () => [...m.keys(), 'not-sdk'] }; })()",
    )
    .into();
    let p = platform(CacheKind::Custom(cache));
    p.cache_set(KEY, "{\"body\":{\"n\":1}}").await.unwrap();
    // The custom cache receives an object, not the JSON text.
    assert_eq!(eval(&format!("typeof window.__custom.get('{KEY}')")).as_string().as_deref(), Some("object"));
    assert_eq!(p.cache_get(KEY).await.as_deref(), Some("{\"body\":{\"n\":1}}"));
    assert_eq!(p.cache_keys().await, Some(vec![KEY.to_owned()]));
    p.cache_remove(KEY).await;
    assert_eq!(p.cache_get(KEY).await, None);
}

#[wasm_bindgen_test]
async fn an_async_custom_cache_without_all_keys_works_and_reports_no_key_list() {
    let cache: js_sys::Object = eval(
        "(() => { const m = new Map(); return {
            get: async k => m.get(k), set: async (k, v) => { m.set(k, v); }, remove: async k => { m.delete(k); } }; })()",
    )
    .into();
    let p = platform(CacheKind::Custom(cache));
    p.cache_set(KEY, "{\"x\":[1,2]}").await.unwrap();
    assert_eq!(p.cache_get(KEY).await.as_deref(), Some("{\"x\":[1,2]}"));
    assert_eq!(p.cache_keys().await, None);
}

#[wasm_bindgen_test]
async fn a_failing_custom_cache_is_a_miss_on_read_and_an_error_on_write() {
    let cache: js_sys::Object = eval(
        "({ get() { throw new Error('boom'); }, set: () => Promise.reject('nope'), remove() { throw 42; } })",
    )
    .into();
    let p = platform(CacheKind::Custom(cache));
    assert_eq!(p.cache_get(KEY).await, None);
    let e = p.cache_set(KEY, "{}").await.unwrap_err();
    assert_eq!(e.description, "nope");
    p.cache_remove(KEY).await;
}

#[wasm_bindgen_test]
fn transactions_live_in_session_storage_by_default() {
    eval("sessionStorage.clear();");
    let p = platform(CacheKind::Memory);
    let key = "a0.spajs.txs.cid";
    p.transaction_set(key, "{\"state\":\"s\",\"nonce\":\"n\"}").unwrap();
    assert_eq!(eval_str(&format!("sessionStorage.getItem('{key}')")).as_deref(), Some("{\"state\":\"s\",\"nonce\":\"n\"}"));
    assert_eq!(p.transaction_get(key).as_deref(), Some("{\"state\":\"s\",\"nonce\":\"n\"}"));
    assert!(!eval_str("document.cookie").unwrap_or_default().contains("a0.spajs.txs"));
    p.transaction_remove(key);
    assert_eq!(p.transaction_get(key), None);
    assert!(eval(&format!("sessionStorage.getItem('{key}')")).is_null());
}

#[wasm_bindgen_test]
fn a_garbage_transaction_reads_as_missing_and_is_deleted() {
    let key = "a0.spajs.txs.cid";
    eval(&format!("sessionStorage.setItem('{key}', 'garbage{{');"));
    let p = platform(CacheKind::Memory);
    assert_eq!(p.transaction_get(key), None);
    assert!(eval(&format!("sessionStorage.getItem('{key}')")).is_null());
}

#[wasm_bindgen_test]
fn transactions_use_a_cookie_and_its_legacy_twin_when_asked() {
    eval("sessionStorage.clear();");
    let mut c = BrowserConfig::new("cid");
    c.use_cookies_for_transactions = true;
    let p = BrowserPlatform::new(c);
    let key = "a0.spajs.txs.cid";
    p.transaction_set(key, "{\"state\":\"s; x=1\"}").unwrap();
    let jar = eval_str("document.cookie").unwrap();
    assert!(jar.contains("a0.spajs.txs.cid=%7B%22state%22%3A%22s%3B%20x%3D1%22%7D"), "{jar}");
    assert!(jar.contains("_legacy_a0.spajs.txs.cid="), "{jar}");
    assert_eq!(eval("sessionStorage.length").as_f64(), Some(0.0));
    assert_eq!(p.transaction_get(key).as_deref(), Some("{\"state\":\"s; x=1\"}"));
    p.transaction_remove(key);
    assert_eq!(p.transaction_get(key), None);
    assert!(!eval_str("document.cookie").unwrap().contains("a0.spajs.txs"));
}

const TX_KEY: &str = "a0.spajs.txs.cid";

fn cookie_transactions(legacy: bool) -> BrowserPlatform {
    let mut c = BrowserConfig::new("cid");
    c.use_cookies_for_transactions = true;
    c.legacy_same_site_cookie = legacy;
    BrowserPlatform::new(c)
}

/// A transaction whose cookie named `cookie_name` has exactly `total` bytes of name and value as
/// written (URI-encoded), checked with the browser's own `encodeURIComponent`.
fn transaction_with_cookie_bytes(cookie_name: &str, total: usize) -> String {
    // `{"a":"` encodes to 16 bytes and `"}` to 6; the x's stay as they are.
    let value = format!("{{\"a\":\"{}\"}}", "x".repeat(total - cookie_name.len() - 22));
    let encoded = eval(&format!("encodeURIComponent('{value}').length")).as_f64().unwrap() as usize;
    assert_eq!(cookie_name.len() + encoded, total);
    value
}

fn transaction_cookies_in_jar() -> usize {
    eval_str("document.cookie").unwrap_or_default().matches("a0.spajs.txs.cid=").count()
}

/// The common cookie limit (RFC 6265bis: name plus value at most 4096 bytes) decides in every
/// engine: at the limit the transaction cookie and its twin are stored and read back.
#[wasm_bindgen_test]
fn a_transaction_cookie_of_exactly_4096_bytes_is_stored() {
    assert_eq!(MAX_COOKIE_BYTES, 4096);
    let p = cookie_transactions(true);
    let value = transaction_with_cookie_bytes(&format!("{LEGACY_PREFIX}{TX_KEY}"), 4096);
    let set = p.transaction_set(TX_KEY, &value);
    let got = p.transaction_get(TX_KEY);
    let stored = transaction_cookies_in_jar();
    p.transaction_remove(TX_KEY);
    let left = transaction_cookies_in_jar();
    assert!(set.is_ok(), "{set:?}");
    assert_eq!(got.as_deref(), Some(value.as_str()));
    assert_eq!(stored, 2, "the cookie and its _legacy_ twin");
    assert_eq!(left, 0);
}

/// One byte over, and far over: refused before anything is written, in every engine (Chromium and
/// Firefox would drop such a cookie, WebKitGTK would keep it), so the loss is never silent.
#[wasm_bindgen_test]
fn a_transaction_too_big_for_a_cookie_is_an_error_not_a_silent_loss() {
    let p = cookie_transactions(true);
    let twin = format!("{LEGACY_PREFIX}{TX_KEY}");
    for total in [4097, 5000, 20_000] {
        let value = transaction_with_cookie_bytes(&twin, total);
        let r = p.transaction_set(TX_KEY, &value);
        let written = transaction_cookies_in_jar();
        p.transaction_remove(TX_KEY);
        let e = r.unwrap_err();
        assert_eq!(e.error, "storage_error", "{total} bytes");
        assert_eq!(written, 0, "{total} bytes: no cookie written");
    }
}

/// The limit applies to each cookie the SDK writes: without the `_legacy_` twin the normal
/// cookie's shorter name leaves room for 8 more bytes of value.
#[wasm_bindgen_test]
fn without_the_legacy_twin_the_limit_counts_the_normal_cookie_name() {
    let p = cookie_transactions(false);
    let value = transaction_with_cookie_bytes(TX_KEY, 4096);
    let set = p.transaction_set(TX_KEY, &value);
    let got = p.transaction_get(TX_KEY);
    p.transaction_remove(TX_KEY);
    assert!(set.is_ok(), "{set:?}");
    assert_eq!(got.as_deref(), Some(value.as_str()));
    let over = transaction_with_cookie_bytes(TX_KEY, 4097);
    assert_eq!(p.transaction_set(TX_KEY, &over).unwrap_err().error, "storage_error");
    assert_eq!(transaction_cookies_in_jar(), 0);
}

#[wasm_bindgen_test]
fn cookies_are_written_with_a_legacy_twin_and_read_preferring_the_normal_one() {
    let p = platform(CacheKind::Memory);
    let name = "auth0.cid.is.authenticated";
    p.cookie_set(name, "true", 1);
    let jar = eval_str("document.cookie").unwrap();
    assert!(jar.contains("auth0.cid.is.authenticated=true"), "{jar}");
    assert!(jar.contains("_legacy_auth0.cid.is.authenticated=true"), "{jar}");
    assert_eq!(p.cookie_get(name).as_deref(), Some("true"));

    eval("document.cookie = 'auth0.cid.is.authenticated=%22normal%22; path=/'; document.cookie = '_legacy_auth0.cid.is.authenticated=%22legacy%22; path=/';");
    assert_eq!(p.cookie_get(name).as_deref(), Some("\"normal\""));
    eval("document.cookie = 'auth0.cid.is.authenticated=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT';");
    assert_eq!(p.cookie_get(name).as_deref(), Some("\"legacy\""));

    p.cookie_remove(name);
    assert_eq!(p.cookie_get(name), None);
    assert!(!eval_str("document.cookie").unwrap().contains("is.authenticated"));
}

#[wasm_bindgen_test]
fn without_legacy_same_site_cookie_no_twin_is_written() {
    let mut c = BrowserConfig::new("cid");
    c.legacy_same_site_cookie = false;
    let p = BrowserPlatform::new(c);
    p.cookie_set("auth0.cid.organization_hint", "\"org_1\"", 1);
    let jar = eval_str("document.cookie").unwrap();
    assert!(jar.contains("auth0.cid.organization_hint=%22org_1%22"), "{jar}");
    assert!(!jar.contains("_legacy_"), "{jar}");
    assert_eq!(p.cookie_get("auth0.cid.organization_hint").as_deref(), Some("\"org_1\""));
    p.cookie_remove("auth0.cid.organization_hint");
    assert_eq!(p.cookie_get("auth0.cid.organization_hint"), None);
}

#[wasm_bindgen_test]
fn cookie_writes_carry_path_expiry_and_domain_and_no_secure_on_http() {
    // Record what is assigned to document.cookie (a foreign Domain would be refused on 127.0.0.1).
    eval("window.__writes = []; Object.defineProperty(document, 'cookie', { configurable: true, get: () => '', set: v => window.__writes.push(v) });");
    let mut c = BrowserConfig::new("cid");
    c.cookie_domain = Some("example.com".to_owned());
    let p = BrowserPlatform::new(c);
    p.cookie_set("auth0.cid.is.authenticated", "true", 1);
    let writes = eval("window.__writes.join('\\n')").as_string().unwrap();
    eval("delete document.cookie;");
    let lines: Vec<&str> = writes.lines().collect();
    assert_eq!(lines.len(), 2, "{writes}");
    for l in &lines {
        assert!(l.contains("; path=/"), "{l}");
        assert!(l.contains("; expires="), "{l}");
        assert!(l.contains("; domain=example.com"), "{l}");
        assert!(!l.contains("secure"), "{l}");
        assert!(!l.contains("samesite"), "{l}");
    }
    assert!(lines.iter().any(|l| l.starts_with("_legacy_auth0.cid.is.authenticated=true;")));
    assert!(lines.iter().any(|l| l.starts_with("auth0.cid.is.authenticated=true;")));
}

#[wasm_bindgen_test]
fn on_https_the_normal_cookie_is_secure_same_site_none_and_the_twin_only_secure() {
    let normal = cookie_header("n", "{\"a\":1}", "Fri, 01 Jan 2100 00:00:00 GMT", None, true, false);
    assert_eq!(normal, "n=%7B%22a%22%3A1%7D; expires=Fri, 01 Jan 2100 00:00:00 GMT; path=/; secure; samesite=none");
    let legacy = cookie_header("_legacy_n", "x", "E", Some("a.b"), true, true);
    assert_eq!(legacy, "_legacy_n=x; expires=E; path=/; domain=a.b; secure");
}

#[wasm_bindgen_test]
async fn now_uses_the_provider_and_awaits_a_promise_as_auth0_spa_js_does() {
    let mut c = BrowserConfig::new("cid");
    c.now_provider = Some(eval("() => 1234").into());
    assert_eq!(BrowserPlatform::new(c).now_ms().await, 1234);

    let mut c = BrowserConfig::new("cid");
    c.now_provider = Some(eval("async () => 5678").into());
    assert_eq!(BrowserPlatform::new(c).now_ms().await, 5678);

    for odd in ["() => { throw new Error('no clock'); }", "async () => { throw 1; }", "() => NaN", "() => 'soon'"] {
        let mut c = BrowserConfig::new("cid");
        c.now_provider = Some(eval(odd).into());
        let now = js_sys::Date::now() as u64;
        let got = BrowserPlatform::new(c).now_ms().await;
        assert!(got >= now && got < now + 60_000, "{odd}: Date.now() is used");
    }

    let now = js_sys::Date::now() as u64;
    let got = platform(CacheKind::Memory).now_ms().await;
    assert!(got >= now && got < now + 60_000);
}

#[wasm_bindgen_test]
fn random_bytes_come_from_the_crypto_captured_at_load() {
    let p = platform(CacheKind::Memory);
    let mut a = [0u8; 32];
    let mut b = vec![0u8; 70_000];
    p.fill_random(&mut a).unwrap();
    p.fill_random(&mut b).unwrap();
    assert!(a.iter().any(|x| *x != 0));
    assert!(b[66_000..].iter().any(|x| *x != 0), "bytes past the 65536 chunk are filled");

    // The crypto captured when the package loaded is used: a script that later removes or
    // replaces window.crypto cannot starve or predict the SDK's randomness.
    eval("window.__saved_crypto = Object.getOwnPropertyDescriptor(window, 'crypto'); Object.defineProperty(window, 'crypto', { configurable: true, value: { getRandomValues: (b) => b.fill(7) } });");
    let mut c = [0u8; 32];
    let r = p.fill_random(&mut c);
    restore("crypto");
    r.unwrap();
    assert!(c.iter().any(|x| *x != 7), "not the replacement's bytes");
    // Without a crypto at load, the error is auth0-spa-js's (plain Error).
    assert!(CRYPTO_REQUIRED_MESSAGE.contains("`window.crypto` is required"));
}

#[wasm_bindgen_test]
fn page_origin_is_location_origin_and_cross_origin_isolation_is_reported_as_the_page_has_it() {
    let p = platform(CacheKind::Memory);
    assert_eq!(Some(p.page_origin()), eval_str("location.origin"));
    // wasm-bindgen-test-runner serves its page with COOP+COEP, so this is usually true here.
    assert_eq!(Some(p.cross_origin_isolated()), eval("self.crossOriginIsolated").as_bool());
}

#[wasm_bindgen_test]
async fn cache_equals_compares_the_stored_text_in_place() {
    for kind in [CacheKind::LocalStorage, CacheKind::Memory] {
        let p = platform(kind);
        p.cache_set(KEY, "{\"a\":1}").await.unwrap();
        assert!(p.cache_equals(KEY, "{\"a\":1}").await);
        assert!(!p.cache_equals(KEY, "{\"a\":2}").await);
        assert!(!p.cache_equals("@@auth0spajs@@::absent", "{\"a\":1}").await);
        p.cache_remove(KEY).await;
        assert!(!p.cache_equals(KEY, "{\"a\":1}").await);
    }
}
