//! Browser tests of `BrowserPlatform::http` (behaviour doc §2.5): the request is sent as given,
//! any status is a response, network failures and timeouts are plain errors, the timed-out
//! request is aborted, and no request is ever retried.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap (project rules)

use auth0_spa_wasm::browser::{BrowserConfig, BrowserPlatform, TIMEOUT_MESSAGE};
use auth0_spa_wasm::core::http::HttpRequest;
use auth0_spa_wasm::core::ErrorClass;
use auth0_spa_wasm::platform::Platform;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_support::within;

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

/// Replaces `globalThis.fetch` with `body` (a JS function expression) that also records calls.
fn stub_fetch(body: &str) {
    eval(&format!(
        "window.__realFetch = window.__realFetch || window.fetch; window.__calls = [];
         window.fetch = function(url, init) {{ window.__calls.push({{url, init}}); return ({body})(url, init); }};"
    ));
}

fn unstub_fetch() {
    eval("if (window.__realFetch) window.fetch = window.__realFetch;");
}

#[wasm_bindgen_test]
async fn a_data_url_is_fetched_with_status_and_body() {
    let r = platform().http(&get("data:application/json,%7B%22ok%22%3Atrue%7D"), 5000).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "{\"ok\":true}");
}

#[wasm_bindgen_test]
async fn a_blob_url_is_fetched_through_the_global_fetch() {
    let url = eval("URL.createObjectURL(new Blob(['hello'], {type: 'text/plain'}))").as_string().unwrap();
    let r = platform().http(&get(&url), 5000).await.unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, "hello"));
}

#[wasm_bindgen_test]
async fn method_headers_body_and_an_abort_signal_are_passed_and_error_statuses_are_responses() {
    stub_fetch("() => Promise.resolve(new Response('{\"error\":\"invalid_grant\"}', {status: 403}))");
    let req = HttpRequest {
        url: "https://tenant.example/oauth/token".to_owned(),
        method: "POST",
        headers: vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()), ("Auth0-Client".to_owned(), "abc".to_owned())],
        body: "grant_type=refresh_token&refresh_token=rt".to_owned(),
    };
    let r = platform().http(&req, 5000).await;
    let seen = eval(
        "(() => { const c = window.__calls; const i = c[0].init; return JSON.stringify([c.length, c[0].url, i.method,
           i.headers['Content-Type'], i.headers['Auth0-Client'], i.body, i.signal instanceof AbortSignal]); })()",
    )
    .as_string()
    .unwrap();
    unstub_fetch();
    let r = r.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.body, "{\"error\":\"invalid_grant\"}");
    assert!(!r.is_success());
    assert_eq!(
        seen,
        "[1,\"https://tenant.example/oauth/token\",\"POST\",\"application/x-www-form-urlencoded\",\"abc\",\"grant_type=refresh_token&refresh_token=rt\",true]"
    );
}

#[wasm_bindgen_test]
async fn a_get_request_carries_no_body() {
    stub_fetch("() => Promise.resolve(new Response('x'))");
    let r = platform().http(&get("https://tenant.example/.well-known/jwks.json"), 5000).await;
    let has_body = eval("'body' in window.__calls[0].init").as_bool();
    unstub_fetch();
    assert_eq!(r.unwrap().body, "x");
    assert_eq!(has_body, Some(false));
}

#[wasm_bindgen_test]
async fn a_network_failure_is_a_plain_error_and_is_not_retried() {
    stub_fetch("() => Promise.reject(new TypeError('Failed to fetch'))");
    let r = platform().http(&get("https://tenant.example/oauth/token"), 5000).await;
    let calls = eval("window.__calls.length").as_f64();
    unstub_fetch();
    let e = r.unwrap_err();
    assert_eq!(e.class, ErrorClass::Plain);
    assert_eq!(e.error, "request_error");
    assert_eq!(e.description, "Failed to fetch");
    assert_eq!(calls, Some(1.0));
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_plain_error() {
    // Port 1 on the loopback interface: refused at once, no outside traffic.
    let e = platform().http(&get("http://127.0.0.1:1/"), 5000).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Plain);
    assert_eq!(e.error, "request_error");
}

#[wasm_bindgen_test]
async fn a_synchronously_throwing_fetch_is_an_error_not_an_exception() {
    stub_fetch("() => { throw 'weird'; }");
    let r = platform().http(&get("https://tenant.example/"), 5000).await;
    unstub_fetch();
    assert_eq!(r.unwrap_err().description, "weird");
}

#[wasm_bindgen_test]
async fn a_request_that_never_answers_times_out_with_auth0s_message_and_is_aborted() {
    stub_fetch("() => new Promise(() => {})");
    let started = js_sys::Date::now();
    let r = platform().http(&get("https://tenant.example/oauth/token"), 200).await;
    let elapsed = js_sys::Date::now() - started;
    let aborted = eval("window.__calls[0].init.signal.aborted").as_bool();
    let calls = eval("window.__calls.length").as_f64();
    unstub_fetch();
    let e = r.unwrap_err();
    assert_eq!(e.class, ErrorClass::Plain);
    assert_eq!(e.error, "timeout");
    assert_eq!(e.description, TIMEOUT_MESSAGE);
    assert_eq!(TIMEOUT_MESSAGE, "Timeout when executing 'fetch'");
    assert_eq!(aborted, Some(true));
    assert_eq!(calls, Some(1.0));
    assert!((150.0..3000.0).contains(&elapsed), "{elapsed}");
}

#[wasm_bindgen_test]
async fn a_body_that_never_finishes_also_times_out() {
    stub_fetch("() => Promise.resolve(new Response(new ReadableStream({ start() {} })))");
    let r = platform().http(&get("https://tenant.example/oauth/token"), 200).await;
    unstub_fetch();
    assert_eq!(r.unwrap_err().description, TIMEOUT_MESSAGE);
}

#[wasm_bindgen_test]
async fn a_huge_timeout_does_not_fire_at_once() {
    stub_fetch("() => new Promise(ok => setTimeout(() => ok(new Response('late')), 150))");
    // Answered after 150 ms; the bound only keeps a failure from waiting for u32::MAX ms.
    let r = within(15_000, "http with a u32::MAX timeout", platform().http(&get("https://tenant.example/"), u32::MAX)).await;
    unstub_fetch();
    assert_eq!(r.unwrap().body, "late");
}
