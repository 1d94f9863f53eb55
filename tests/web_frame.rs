//! Browser tests of the hidden-iframe flow (`BrowserPlatform::run_iframe`, docs/behaviour.md §2.7)
//! and the popup flow (`run_popup`, §2.8): only the message from the exact origin, from our own
//! window, of type `authorization_response` and with our state is accepted, the same with another state fails at once (security cases G1,
//! G2, G6, G12, G15, H2, H3, H4); the iframe, listener and timers are gone on every path (I4).
//!
//! Isolation (tests/web_support): every test starts from a page without iframes or popups that
//! an earlier, failed test left, and every flow is awaited within a bound, so a failure stays in
//! its own test and never hangs the run (a leftover popup stand-in iframe used to be taken for
//! the SDK's iframe by a later test, whose `u32::MAX` wait then never ended).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap (project rules)

use std::future::Future;
use std::task::{Context, Waker};

use auth0_spa_wasm::browser::{open_popup, BrowserConfig, BrowserPlatform, CROSS_ORIGIN_ISOLATED_MESSAGE};
use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::ErrorClass;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;
use web_support::{clean_up, on_cleanup, try_within, within};

mod web_support;

wasm_bindgen_test_configure!(run_in_browser);


const STATE: &str = "st4te";
const TENANT: &str = "https://tenant.example";

fn eval(code: &str) -> JsValue {
    js_sys::eval(code).unwrap()
}

fn platform() -> BrowserPlatform {
    BrowserPlatform::new(BrowserConfig::new("cid"))
}

/// Longest a flow of these tests may take before its test fails (the flows' own timeouts are
/// at most 10 s; `u32::MAX` ones are answered within a second).
const BOUND_MS: u32 = 15_000;

/// Starts every test: undoes what an earlier test left (its registered clean-ups, then any
/// iframe still in the page: a flow aborted by a failed assertion never removed its own), counts
/// live `message` listeners on window and, on first use, makes the page report
/// `crossOriginIsolated = false` (wasm-bindgen-test-runner serves it with COOP+COEP).
fn setup() {
    clean_up();
    eval("document.querySelectorAll('iframe').forEach(f => f.remove());");
    eval(
        "if (!window.__setup) { window.__setup = true; window.__ml = 0;
           const add = window.addEventListener, rem = window.removeEventListener;
           window.addEventListener = function (t, f, o) { if (t === 'message') window.__ml++; return add.call(this, t, f, o); };
           window.removeEventListener = function (t, f, o) { if (t === 'message') window.__ml--; return rem.call(this, t, f, o); };
           window.__coi = Object.getOwnPropertyDescriptor(window, 'crossOriginIsolated');
           Object.defineProperty(window, 'crossOriginIsolated', { configurable: true, value: false }); }",
    );
}

fn message_listeners() -> f64 {
    eval("window.__ml").as_f64().unwrap()
}

fn iframes() -> f64 {
    eval("document.querySelectorAll('iframe').length").as_f64().unwrap()
}

fn page_origin() -> String {
    eval("location.origin").as_string().unwrap()
}

/// A same-origin page (blob: URL) running `script`.
fn blob_page(script: &str) -> String {
    let code = format!("URL.createObjectURL(new Blob([`<!doctype html><script>{script}<\\/script>`], {{type: 'text/html'}}))");
    eval(&code).as_string().unwrap()
}

/// A page that posts an `authorization_response` with `response` (JS object literal) to its
/// opener or parent.
fn answering_page(response: &str) -> String {
    blob_page(&format!(
        "(window.opener || window.parent).postMessage({{ type: 'authorization_response', response: {response} }}, '*');"
    ))
}

/// Dispatches a synthetic `message` event on window (origin and source can be set freely).
fn dispatch(source_js: &str, origin: &str, data_js: &str) {
    eval(&format!(
        "window.dispatchEvent(new MessageEvent('message', {{ origin: '{origin}', source: {source_js}, data: {data_js} }}));"
    ));
}

fn code_of(j: &Json) -> Option<&str> {
    j.str_field("code")
}

/// The SDK's hidden iframe (never a popup's stand-in).
fn frame_window() -> &'static str {
    "document.querySelector('iframe:not(#__popup)').contentWindow"
}

fn good_data(code: &str, state: &str) -> String {
    format!("{{ type: 'authorization_response', response: {{ code: '{code}', state: '{state}' }} }}")
}

// ---- iframe ------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_iframe_accepts_only_the_exact_origin_source_type_and_state() {
    setup();
    let before = message_listeners();
    spawn_local(async {
        TimeoutFuture::new(100).await;
        let fw = frame_window();
        dispatch(fw, "https://evil.example", &good_data("EVIL_ORIGIN", STATE)); // G1
        dispatch(fw, "https://tenant.example.evil.com", &good_data("LOOKALIKE", STATE));
        dispatch("window", TENANT, &good_data("WRONG_SOURCE", STATE)); // G2
        dispatch(fw, TENANT, &format!("{{ type: 'other', response: {{ code: 'WRONG_TYPE', state: '{STATE}' }} }}"));
        dispatch(fw, TENANT, "'garbage'");
        dispatch(fw, TENANT, "{ type: 'authorization_response' }");
        dispatch(fw, TENANT, "null");
        dispatch(fw, TENANT, &good_data("GOOD", STATE));
    });
    let url = blob_page("");
    let r = within(BOUND_MS, "run_iframe", platform().run_iframe(&url, TENANT, STATE, 3000)).await.unwrap();
    assert_eq!(code_of(&r), Some("GOOD"));
    assert_eq!(r.str_field("state"), Some(STATE));
    assert_eq!(iframes(), 0.0);
    assert_eq!(message_listeners(), before);
}

#[wasm_bindgen_test]
async fn the_iframe_is_hidden_zero_sized_in_the_body_and_loads_the_url() {
    setup();
    let url = blob_page("");
    let check = url.clone();
    let seen = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let out = seen.clone();
    spawn_local(async move {
        TimeoutFuture::new(50).await;
        let desc = eval(
            "(() => { const f = document.querySelector('iframe'); return [f.parentNode === document.body, f.style.display,
               f.getAttribute('width'), f.getAttribute('height'), f.src].join('|'); })()",
        );
        *out.borrow_mut() = desc.as_string().unwrap();
        dispatch(frame_window(), TENANT, &good_data("C", STATE));
    });
    within(BOUND_MS, "run_iframe", platform().run_iframe(&url, TENANT, STATE, 3000)).await.unwrap();
    assert_eq!(*seen.borrow(), format!("true|none|0|0|{check}"));
}

#[wasm_bindgen_test]
async fn a_real_same_origin_iframe_response_is_accepted() {
    setup();
    let url = answering_page(&format!("{{ code: 'REAL', state: '{STATE}' }}"));
    let r = within(BOUND_MS, "run_iframe", platform().run_iframe(&url, &page_origin(), STATE, 5000)).await.unwrap();
    assert_eq!(code_of(&r), Some("REAL"));
    assert_eq!(iframes(), 0.0);
}

#[wasm_bindgen_test]
async fn the_expected_origin_is_compared_as_a_url_origin() {
    setup();
    let url = answering_page(&format!("{{ code: 'SLASH', state: '{STATE}' }}"));
    let mut origin = page_origin();
    origin.push('/');
    let r = within(BOUND_MS, "run_iframe", platform().run_iframe(&url, &origin, STATE, 5000)).await.unwrap();
    assert_eq!(code_of(&r), Some("SLASH"));
}

#[wasm_bindgen_test]
async fn an_error_payload_is_returned_for_the_caller_to_type() {
    setup();
    let url = answering_page(&format!("{{ error: 'login_required', error_description: 'Login required', state: '{STATE}' }}"));
    let r = within(BOUND_MS, "run_iframe", platform().run_iframe(&url, &page_origin(), STATE, 5000)).await.unwrap();
    assert_eq!(r.str_field("error"), Some("login_required"));
    assert_eq!(r.str_field("error_description"), Some("Login required"));
}

#[wasm_bindgen_test]
async fn a_real_response_with_another_state_fails_at_once_with_state_mismatch() {
    // G12: our iframe, the tenant's exact origin, another state: a definite, invalid answer.
    setup();
    let before = message_listeners();
    let url = answering_page("{ code: 'X', state: 'not-ours' }");
    let started = js_sys::Date::now();
    let e = within(BOUND_MS, "run_iframe", platform().run_iframe(&url, &page_origin(), STATE, 20_000)).await.unwrap_err();
    let elapsed = js_sys::Date::now() - started;
    clean_up();
    assert_eq!((e.class, e.error.as_str(), e.description.as_str()), (ErrorClass::Generic, "state_mismatch", "Invalid state"));
    assert!(elapsed < 5_000.0, "failed at once, not after the timeout: {elapsed} ms");
    assert_eq!(iframes(), 0.0);
    assert_eq!(message_listeners(), before);
}

#[wasm_bindgen_test]
async fn another_state_from_another_window_or_origin_is_still_ignored() {
    setup();
    spawn_local(async {
        TimeoutFuture::new(100).await;
        dispatch("window", TENANT, &good_data("WRONG_SOURCE", "other"));
        dispatch(frame_window(), "https://evil.example", &good_data("EVIL_ORIGIN", "other"));
        dispatch(frame_window(), TENANT, &good_data("GOOD", STATE));
    });
    let r = within(BOUND_MS, "run_iframe", platform().run_iframe("about:blank", TENANT, STATE, 3000)).await.unwrap();
    assert_eq!(code_of(&r), Some("GOOD"));
}

#[wasm_bindgen_test]
async fn a_real_response_expected_from_another_origin_is_ignored() {
    setup();
    let url = answering_page(&format!("{{ code: 'X', state: '{STATE}' }}"));
    let e = within(BOUND_MS, "run_iframe", platform().run_iframe(&url, TENANT, STATE, 400)).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Timeout);
}

#[wasm_bindgen_test]
async fn no_answer_times_out_and_removes_iframe_and_listener() {
    setup();
    let before = message_listeners();
    let started = js_sys::Date::now();
    let e = within(BOUND_MS, "run_iframe", platform().run_iframe("about:blank", TENANT, STATE, 300)).await.unwrap_err();
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(e.class, ErrorClass::Timeout);
    assert_eq!((e.error.as_str(), e.description.as_str()), ("timeout", "Timeout"));
    assert!((250.0..3000.0).contains(&elapsed), "{elapsed}");
    assert_eq!(iframes(), 0.0);
    assert_eq!(message_listeners(), before);
}

#[wasm_bindgen_test]
async fn dropping_the_iframe_future_removes_iframe_and_listener() {
    setup();
    let before = message_listeners();
    let p = platform();
    {
        let mut fut = Box::pin(p.run_iframe("about:blank", TENANT, STATE, 60_000));
        // A waker that does nothing: the future is polled once by hand.
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(iframes(), 1.0);
        assert_eq!(message_listeners(), before + 1.0);
    }
    assert_eq!(iframes(), 0.0);
    assert_eq!(message_listeners(), before);
}

#[wasm_bindgen_test]
async fn a_cross_origin_isolated_page_fails_at_once_with_login_required() {
    setup();
    on_cleanup("Object.defineProperty(window, 'crossOriginIsolated', { configurable: true, value: false });");
    eval("Object.defineProperty(window, 'crossOriginIsolated', { configurable: true, value: true });");
    let p = platform();
    let isolated = p.cross_origin_isolated();
    let started = js_sys::Date::now();
    let r = within(BOUND_MS, "run_iframe", p.run_iframe("about:blank", TENANT, STATE, 60_000)).await;
    let elapsed = js_sys::Date::now() - started;
    let count = iframes();
    clean_up();
    assert!(isolated);
    let e = r.unwrap_err();
    assert_eq!(e.class, ErrorClass::Generic);
    assert_eq!(e.error, "login_required");
    assert_eq!(e.description, CROSS_ORIGIN_ISOLATED_MESSAGE);
    assert!(elapsed < 100.0, "{elapsed}");
    assert_eq!(count, 0.0);
}

// ---- popup -------------------------------------------------------------------------------------

/// A real popup from `open_popup`, or, where the test browser blocks popups, a same-origin
/// iframe's window standing in for it (a `Popup` is any `Window`). Either is closed or removed
/// at the next [`clean_up`], even when the test fails first.
fn popup() -> web_sys::Window {
    let w = match open_popup() {
        Ok(w) => w,
        Err(_) => {
            eval("const f = document.createElement('iframe'); f.id = '__popup'; document.body.appendChild(f);");
            eval("document.getElementById('__popup').contentWindow").unchecked_into()
        }
    };
    js_sys::Reflect::set(&js_sys::global(), &"__wbgPopup".into(), &w).unwrap();
    on_cleanup(
        "try { if (window.__wbgPopup) window.__wbgPopup.close(); } catch (e) {} window.__wbgPopup = null;
         const f = document.getElementById('__popup'); if (f) f.remove();",
    );
    w
}

#[wasm_bindgen_test]
fn open_popup_opens_the_named_auth0_window() {
    setup();
    let w = open_popup().expect("window.open allowed in the test browser");
    let name = w.name().unwrap();
    let closed = w.closed().unwrap();
    let _ = w.close();
    assert_eq!(name, "auth0:authorize:popup");
    assert!(!closed);
}

#[wasm_bindgen_test]
async fn the_popup_accepts_only_the_exact_origin_source_type_and_state_and_is_then_closed() {
    setup();
    let before = message_listeners();
    let w = popup();
    eval("window.__pw = null;");
    let src: JsValue = w.clone().into();
    js_sys::Reflect::set(&js_sys::global(), &"__pw".into(), &src).unwrap();
    spawn_local(async {
        TimeoutFuture::new(100).await;
        dispatch("window.__pw", "https://evil.example", &good_data("EVIL_ORIGIN", STATE)); // H4
        dispatch("window", TENANT, &good_data("WRONG_SOURCE", STATE));
        dispatch("window.__pw", TENANT, &good_data("GOOD", STATE));
    });
    let r = within(BOUND_MS, "run_popup", platform().run_popup(w.clone(), &blob_page(""), TENANT, STATE, 5000, true)).await;
    let listeners = message_listeners();
    TimeoutFuture::new(50).await;
    let closed = w.closed().unwrap_or(true);
    clean_up();
    assert_eq!(code_of(&r.unwrap()), Some("GOOD"));
    assert_eq!(listeners, before);
    assert!(closed, "popup closed after the response");
}

#[wasm_bindgen_test]
async fn a_popup_answer_with_another_state_fails_at_once_and_closes_the_popup() {
    setup();
    let before = message_listeners();
    let w = popup();
    let url = answering_page("{ code: 'X', state: 'not-ours' }");
    let started = js_sys::Date::now();
    let r = within(BOUND_MS, "run_popup", platform().run_popup(w.clone(), &url, &page_origin(), STATE, 20_000, false)).await;
    let elapsed = js_sys::Date::now() - started;
    let listeners = message_listeners();
    TimeoutFuture::new(50).await;
    let closed = w.closed().unwrap_or(true);
    clean_up();
    let e = r.unwrap_err();
    assert_eq!((e.error.as_str(), e.description.as_str()), ("state_mismatch", "Invalid state"));
    assert!(elapsed < 5_000.0, "failed at once: {elapsed} ms");
    assert_eq!(listeners, before);
    assert!(closed, "the popup is closed even with closePopup: false");
}

#[wasm_bindgen_test]
async fn a_real_popup_response_is_accepted_and_close_popup_false_leaves_it_open() {
    setup();
    let w = popup();
    let url = answering_page(&format!("{{ code: 'REAL', state: '{STATE}' }}"));
    let r = within(BOUND_MS, "run_popup", platform().run_popup(w.clone(), &url, &page_origin(), STATE, 5000, false)).await;
    TimeoutFuture::new(50).await;
    let closed = w.closed().unwrap();
    clean_up();
    assert_eq!(code_of(&r.unwrap()), Some("REAL"));
    assert!(!closed);
}

#[wasm_bindgen_test]
async fn closing_the_popup_cancels_within_about_a_second() {
    setup();
    let before = message_listeners();
    let w = popup();
    spawn_local(async move {
        TimeoutFuture::new(100).await;
        clean_up(); // closes the popup (or removes its stand-in)
    });
    let started = js_sys::Date::now();
    let r = within(BOUND_MS, "run_popup", platform().run_popup(w, &blob_page(""), TENANT, STATE, 10_000, true)).await;
    let elapsed = js_sys::Date::now() - started;
    clean_up();
    let e = r.unwrap_err();
    assert_eq!(e.class, ErrorClass::PopupCancelled);
    assert_eq!((e.error.as_str(), e.description.as_str()), ("cancelled", "Popup closed"));
    assert!(elapsed < 1600.0, "{elapsed}");
    assert_eq!(message_listeners(), before);
}

#[wasm_bindgen_test]
async fn a_silent_popup_times_out_with_popup_timeout_and_is_closed() {
    setup();
    let before = message_listeners();
    let w = popup();
    let r = within(BOUND_MS, "run_popup", platform().run_popup(w.clone(), &blob_page(""), TENANT, STATE, 300, true)).await;
    let listeners = message_listeners();
    TimeoutFuture::new(50).await;
    let closed = w.closed().unwrap_or(true);
    clean_up();
    let e = r.unwrap_err();
    assert_eq!(e.class, ErrorClass::PopupTimeout);
    assert_eq!(e.error, "timeout");
    assert_eq!(listeners, before);
    assert!(closed, "popup closed after the timeout");
}

#[wasm_bindgen_test]
async fn a_huge_iframe_timeout_does_not_fire_at_once() {
    setup();
    spawn_local(async {
        TimeoutFuture::new(150).await;
        dispatch(frame_window(), TENANT, &good_data("LATE", STATE));
    });
    // The answer comes after 150 ms; the bound only keeps a failure from waiting for u32::MAX ms.
    let r = within(BOUND_MS, "run_iframe with a u32::MAX timeout", platform().run_iframe("about:blank", TENANT, STATE, u32::MAX)).await;
    assert_eq!(code_of(&r.unwrap()), Some("LATE"));
}

#[wasm_bindgen_test]
async fn a_flow_that_would_never_end_is_cut_off_by_the_test_bound_and_cleans_up() {
    // What keeps a failing test from hanging the run: nothing answers this u32::MAX wait.
    setup();
    let before = message_listeners();
    let started = js_sys::Date::now();
    let r = try_within(300, platform().run_iframe("about:blank", TENANT, STATE, u32::MAX)).await;
    let elapsed = js_sys::Date::now() - started;
    assert!(r.is_none(), "no answer, no result");
    assert!((250.0..3000.0).contains(&elapsed), "{elapsed}");
    assert_eq!(iframes(), 0.0, "the dropped flow removed its iframe");
    assert_eq!(message_listeners(), before, "and its listener");
}
