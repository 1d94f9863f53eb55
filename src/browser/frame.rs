//! Hidden-iframe silent authentication and popup login via `response_mode=web_message`
//! (docs/behaviour.md §2.7, §2.8).
//!
//! A `message` event counts only when ALL of these hold, otherwise it is ignored and the wait goes
//! on (security cases G1, G2, H4, and RFC 9700 §4.18.2's exact origin match):
//! * `event.origin` equals the authorization server's origin exactly;
//! * `event.source` is the very window we opened (`iframe.contentWindow` / the popup);
//! * `event.data.type === 'authorization_response'` with a `response` object.
//!
//! Such a message is the server's answer. With our `state` its `response` object is returned as
//! [`Json`], error payloads included (`{error, error_description, state}`): the caller turns
//! `error` into a typed error, so the mapping lives in one place for both flows. With another
//! state it is a definite, invalid answer: the flow ends at once with auth0-spa-js's
//! `state_mismatch` ("Invalid state"), the iframe removed or the popup closed, and no token
//! request follows (G12), instead of waiting for the timeout.
//!
//! Both flows run in one small JS function (`authFlow` in js/platform.js): iframe, listener and
//! timers live and die there, which costs far less wasm than web-sys bindings for each DOM call
//! (docs/performance.md). Iframe, listener, timers are removed on every path: success, error,
//! timeout, and the caller dropping the future (its handle's `Drop` cancels the flow, I4).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Window;

use super::js::{self, auth_flow, Flow};
use crate::core::json::Json;
use crate::core::{Error, Result};

/// auth0-spa-js's message when silent auth cannot work because the page is cross-origin
/// isolated (§2.7, G15).
pub const CROSS_ORIGIN_ISOLATED_MESSAGE: &str = "The application is running in a Cross-Origin Isolated context, silently retrieving a token without refresh token is not possible.";

/// Cancels the flow when the waiting future is dropped.
#[must_use = "dropping the guard cancels the flow and removes its iframe and listener"]
struct FlowGuard(Flow);

impl Drop for FlowGuard {
    fn drop(&mut self) {
        self.0.drop();
    }
}

async fn run(popup: &JsValue, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json> {
    let flow = FlowGuard(auth_flow(popup, url, origin, state, js::clamp_ms(timeout_ms), close_popup));
    let outcome: Array = JsFuture::from(flow.0.p()).await.unwrap_or_default().unchecked_into();
    let detail = outcome.get(1);
    match outcome.get(0).as_f64() {
        Some(0.0) => match detail.as_string().map(|text| Json::parse(&text)) {
            Some(Ok(response)) => Ok(response),
            _ => Err(Error::plain("frame_error", "The authorization response is not JSON")),
        },
        Some(1.0) => Err(Error::timeout()),
        Some(2.0) => Err(Error::popup_timeout()),
        Some(3.0) => Err(Error::popup_cancelled()),
        // Our window, the tenant's origin, another state: a definite, invalid answer (G12).
        Some(6.0) => Err(Error::state_mismatch()),
        Some(4.0) => Err(js::plain("frame_error", &detail)),
        _ => Err(Error::plain("frame_error", &detail.as_string().unwrap_or_default())),
    }
}

/// Loads `url` in a hidden iframe and waits for the accepted `authorization_response`.
/// `TimeoutError` after `timeout_ms` (§2.7); login_required with auth0-spa-js's message when the
/// page is cross-origin isolated (G15).
pub(crate) async fn run_iframe(url: &str, origin: &str, state: &str, timeout_ms: u32) -> Result<Json> {
    if cross_origin_isolated() {
        return Err(Error::login_required(CROSS_ORIGIN_ISOLATED_MESSAGE));
    }
    run(&JsValue::NULL, url, origin, state, timeout_ms, false).await
}

/// Points the already-open `popup` at `url` and waits for the accepted response (§2.8):
/// `PopupCancelledError` when the user closes it (checked every second), `PopupTimeoutError`
/// after `timeout_ms` (the popup is then closed); on success the popup is closed when
/// `close_popup` is set.
pub(crate) async fn run_popup(popup: Window, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json> {
    run(&popup, url, origin, state, timeout_ms, close_popup).await
}

/// Opens the login popup as auth0-spa-js's `openPopup` does (blank, named
/// `auth0:authorize:popup`, 400×600 centred on this window). Call it synchronously inside the
/// click handler, where popup blockers allow it; `PopupOpenError` when `window.open` returns
/// `null` (H1).
pub fn open_popup() -> Result<Window> {
    let w = web_sys::window().ok_or_else(Error::popup_open)?;
    let num = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let left = num(w.screen_x()) + (num(w.inner_width()) - 400.0) / 2.0;
    let top = num(w.screen_y()) + (num(w.inner_height()) - 600.0) / 2.0;
    let mut features = String::from("left=");
    js::push_int(&mut features, left as i64);
    features.push_str(",top=");
    js::push_int(&mut features, top as i64);
    features.push_str(",width=400,height=600,resizable,scrollbars=yes,status=1");
    match w.open_with_url_and_target_and_features("", "auth0:authorize:popup", &features) {
        Ok(Some(p)) => Ok(p),
        _ => Err(Error::popup_open()),
    }
}

/// `globalThis.crossOriginIsolated` (COOP+COEP): third-party iframes cannot load there.
pub(crate) fn cross_origin_isolated() -> bool {
    js::get(&js::global(), "crossOriginIsolated").as_bool().unwrap_or(false)
}
