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
//! Both flows are driven from Rust through web-sys: the iframe is created, hidden, inserted and
//! removed here, the `message` listener is a Rust closure, and the checks above are made in Rust.
//! Iframe, listener and timer are removed on every path: success, error, timeout, and the caller
//! dropping the future (the [`Listening`] guard's `Drop`, I4).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{HtmlIFrameElement, MessageEvent, Window};

use super::js::{self, Slot, Timer};
use crate::core::json::Json;
use crate::core::{Error, Result};

/// auth0-spa-js's message when silent auth cannot work because the page is cross-origin
/// isolated (§2.7, G15).
pub const CROSS_ORIGIN_ISOLATED_MESSAGE: &str = "The application is running in a Cross-Origin Isolated context, silently retrieving a token without refresh token is not possible.";

/// How often a popup flow looks whether the user closed the popup (auth0-spa-js: every second).
const POPUP_CLOSED_POLL_MS: u32 = 1_000;

/// The message listener and the hidden iframe of a running flow; dropping it removes both.
#[must_use = "dropping the guard removes the listener and the iframe"]
struct Listening {
    window: Window,
    listener: Closure<dyn FnMut(MessageEvent)>,
    frame: Option<HtmlIFrameElement>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.window.remove_event_listener_with_callback("message", self.listener.as_ref().unchecked_ref());
        if let Some(frame) = self.frame.take() {
            frame.remove();
        }
    }
}

/// `obj[key]` if `obj` is an object.
fn field(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(key)).ok()
}

/// What one `message` event means for a flow waiting for `state` from `source` at `origin`:
/// `None` (not an answer: ignored), the answer's `response` object, or `state_mismatch` (our
/// window, the tenant's origin, another state: a definite, invalid answer, G12).
fn answer(event: &MessageEvent, origin: &str, source: &JsValue, state: &str) -> Option<Result<Json>> {
    if event.origin() != origin {
        return None;
    }
    let from: JsValue = event.source().map(JsValue::from).unwrap_or(JsValue::NULL);
    if source.is_null() || !Object::is(&from, source) {
        return None;
    }
    let data = event.data();
    if field(&data, "type")?.as_string().as_deref() != Some("authorization_response") {
        return None;
    }
    let response = field(&data, "response").filter(JsValue::is_object)?;
    if field(&response, "state").and_then(|s| s.as_string()).as_deref() != Some(state) {
        return Some(Err(Error::state_mismatch()));
    }
    let text = js_sys::JSON::stringify(&response).ok().and_then(|t| t.as_string())?;
    Json::parse(&text).ok().map(Ok)
}

/// The exact origin of `url` as the browser writes `event.origin` (`new URL(url).origin`).
fn exact_origin(url: &str) -> String {
    web_sys::Url::new(url).map(|u| u.origin()).ok().filter(|o| o != "null").unwrap_or_else(|| url.to_owned())
}

fn dom_error(e: JsValue) -> Error {
    js::plain("frame_error", &e)
}

/// Starts listening for the answer: a hidden iframe loading nothing yet (no `popup`), or the
/// popup's window.
fn listen(window: &Window, popup: Option<&Window>, origin: String, state: String, slot: Slot<Result<Json>>) -> Result<Listening> {
    let frame = match popup {
        Some(_) => None,
        None => {
            let document = window.document().ok_or_else(|| Error::plain("frame_error", "No document"))?;
            let body = document.body().ok_or_else(|| Error::plain("frame_error", "No document.body"))?;
            let frame: HtmlIFrameElement = document.create_element("iframe").map_err(dom_error)?.unchecked_into();
            for (name, value) in [("width", "0"), ("height", "0"), ("style", "display:none")] {
                let _ = frame.set_attribute(name, value);
            }
            body.append_child(&frame).map_err(dom_error)?;
            Some(frame)
        }
    };
    let source: JsValue = match (popup, &frame) {
        (Some(p), _) => p.clone().into(),
        (None, Some(f)) => f.content_window().map(JsValue::from).unwrap_or(JsValue::NULL),
        (None, None) => JsValue::NULL,
    };
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(outcome) = answer(&event, &origin, &source, &state) {
            slot.set(outcome);
        }
    });
    let listening = Listening { window: window.clone(), listener, frame };
    window.add_event_listener_with_callback("message", listening.listener.as_ref().unchecked_ref()).map_err(dom_error)?;
    Ok(listening)
}

/// Waits for the answer of `url` in a hidden iframe (`popup` none) or in `popup`.
async fn run(popup: Option<&Window>, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json> {
    let window = web_sys::window().ok_or_else(|| Error::plain("frame_error", "No window: iframe and popup flows need a page"))?;
    let slot = Slot::new();
    let listening = listen(&window, popup, exact_origin(origin), state.to_owned(), slot.clone())?;
    let timed_out = slot.clone();
    let expired = if popup.is_some() { Error::popup_timeout } else { Error::timeout };
    let _timer = Timer::new(timeout_ms, move || timed_out.set(Err(expired())));
    let outcome = match (popup, &listening.frame) {
        (Some(p), _) => match p.location().set_href(url) {
            Ok(()) => wait_with_popup(p, &slot).await,
            Err(e) => Err(if p.closed().unwrap_or(true) { Error::popup_cancelled() } else { dom_error(e) }),
        },
        (None, Some(frame)) => {
            frame.set_src(url);
            slot.take().await
        }
        (None, None) => Err(Error::plain("frame_error", "No iframe")),
    };
    drop(listening);
    if let Some(p) = popup {
        // Closed on a timeout or a foreign state, and on success unless the app keeps it open.
        let failed = outcome.is_err();
        if failed || close_popup {
            let _ = p.close();
        }
    }
    outcome
}

/// The popup's answer, or `PopupCancelledError` once the user closed it (looked at every second).
async fn wait_with_popup(popup: &Window, slot: &Slot<Result<Json>>) -> Result<Json> {
    loop {
        if let Some(outcome) = js::within(POPUP_CLOSED_POLL_MS, slot.take()).await {
            return outcome;
        }
        if popup.closed().unwrap_or(true) {
            return Err(Error::popup_cancelled());
        }
    }
}

/// Loads `url` in a hidden iframe and waits for the accepted `authorization_response`.
/// `TimeoutError` after `timeout_ms` (§2.7); login_required with auth0-spa-js's message when the
/// page is cross-origin isolated (G15).
pub(crate) async fn run_iframe(url: &str, origin: &str, state: &str, timeout_ms: u32) -> Result<Json> {
    if cross_origin_isolated() {
        return Err(Error::login_required(CROSS_ORIGIN_ISOLATED_MESSAGE));
    }
    run(None, url, origin, state, js::clamp_ms(timeout_ms), false).await
}

/// Points the already-open `popup` at `url` and waits for the accepted response (§2.8):
/// `PopupCancelledError` when the user closes it (checked every second), `PopupTimeoutError`
/// after `timeout_ms` (the popup is then closed); on success the popup is closed when
/// `close_popup` is set.
pub(crate) async fn run_popup(popup: Window, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json> {
    run(Some(&popup), url, origin, state, js::clamp_ms(timeout_ms), close_popup).await
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
