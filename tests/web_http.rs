//! Browser tests of `BrowserPlatform::http` (docs/behaviour.md §2.5) against real URLs: data and
//! blob URLs, a refused connection, and the `fetch` captured at load. The request shape, statuses,
//! timeouts and aborts are tested on `send` itself with a scripted `fetch` in
//! js/tests/platform.test.mjs (the captured `fetch` cannot be replaced from a test here, by design).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap (project rules)

use auth0_spa_wasm::browser::{BrowserConfig, BrowserPlatform};
use auth0_spa_wasm::core::http::HttpRequest;
use auth0_spa_wasm::core::ErrorClass;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_support::{clean_up, on_cleanup};

mod web_support;

wasm_bindgen_test_configure!(run_in_browser);

fn eval(code: &str) -> JsValue {
    js_sys::eval(code).unwrap()
}

fn platform() -> BrowserPlatform {
    BrowserPlatform::new(BrowserConfig::new("cid"))
}

fn get(url: &str) -> HttpRequest {
    HttpRequest { url: url.to_owned(), method: "GET", headers: Vec::new(), body: String::new() }
}

#[wasm_bindgen_test]
async fn a_data_url_is_fetched_with_status_and_body() {
    let r = platform().http(&get("data:application/json,%7B%22ok%22%3Atrue%7D"), 5000).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "{\"ok\":true}");
}

#[wasm_bindgen_test]
async fn a_blob_url_is_fetched_through_fetch() {
    let url = eval("URL.createObjectURL(new Blob(['hello'], {type: 'text/plain'}))").as_string().unwrap();
    let r = platform().http(&get(&url), 5000).await.unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, "hello"));
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_plain_error() {
    // Port 1 on the loopback interface: refused at once, no outside traffic.
    let e = platform().http(&get("http://127.0.0.1:1/"), 5000).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Plain);
    assert_eq!(e.error, "request_error");
}

#[wasm_bindgen_test]
async fn fetch_and_response_text_replaced_after_the_package_loaded_never_see_a_request() {
    // The SDK uses the fetch captured when its module was evaluated (js/platform.js): a script
    // that wraps fetch later cannot read the refresh token from the request body.
    clean_up();
    on_cleanup("window.fetch = window.__realFetch; Response.prototype.text = window.__realText;");
    eval(
        "window.__seen = 0; window.__realFetch = window.fetch; window.__realText = Response.prototype.text;
         window.fetch = function () { window.__seen++; return window.__realFetch.apply(this, arguments); };
         Response.prototype.text = function () { window.__seen++; return window.__realText.call(this); };",
    );
    let req = HttpRequest {
        url: "data:text/plain,ok".to_owned(),
        method: "POST",
        headers: Vec::new(),
        body: "grant_type=refresh_token&refresh_token=secret".to_owned(),
    };
    let r = platform().http(&req, 5000).await;
    let seen = eval("window.__seen").as_f64();
    clean_up();
    assert_eq!(r.unwrap().body, "ok");
    assert_eq!(seen, Some(0.0), "the wrappers installed later were never called");
}
