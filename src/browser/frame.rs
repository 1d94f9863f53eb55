//! Hidden-iframe silent authentication and popup login via `response_mode=web_message`
//! (behaviour doc §2.7, §2.8).
//!
//! A `message` event is accepted only when ALL of these hold, otherwise it is ignored and the
//! wait goes on (security cases G1, G2, H4, and RFC 9700 §4.18.2's exact origin match):
//! * `event.origin` equals the authorization server's origin exactly;
//! * `event.source` is the very window we opened (`iframe.contentWindow` / the popup);
//! * `event.data.type === 'authorization_response'`;
//! * `event.data.response.state` equals the state we sent.
//!
//! The accepted `data.response` object is returned as [`Json`], error payloads included
//! (`{error, error_description, state}`): the caller turns `error` into a typed error, so the
//! mapping lives in one place for both flows.
//!
//! Iframe, listener, timers are owned by a guard whose `Drop` removes them, so they go away on
//! every path: success, error, timeout, and the caller dropping the future (I4).

use wasm_bindgen::prelude::*;
use web_sys::{HtmlIFrameElement, MessageEvent, Window};

use super::js::{self, Slot};
use crate::core::json::Json;
use crate::core::{Error, Result};

/// auth0-spa-js's message when silent auth cannot work because the page is cross-origin
/// isolated (§2.7, G15).
pub const CROSS_ORIGIN_ISOLATED_MESSAGE: &str = "The application is running in a Cross-Origin Isolated context, silently retrieving a token without refresh token is not possible.";

/// How often a popup is checked for having been closed by the user (§2.8).
const POPUP_POLL_MS: u32 = 1000;

type Listener = Closure<dyn FnMut(MessageEvent)>;

/// Owns everything a flow put into the page; dropping it removes all of it.
struct FlowGuard {
    window: Window,
    listener: Option<Listener>,
    iframe: Option<HtmlIFrameElement>,
    _timeout: Option<js::Timer>,
    _poll: Option<js::Timer>,
}

impl Drop for FlowGuard {
    fn drop(&mut self) {
        if let Some(l) = &self.listener {
            let _ = self.window.remove_event_listener_with_callback("message", l.as_ref().unchecked_ref());
        }
        if let Some(f) = &self.iframe {
            f.remove();
        }
        // Timers are cleared by their own Drop (js::Timer).
    }
}

/// `new URL(x).origin`, so `https://tenant/` and `https://tenant` both match `event.origin`.
fn normalize_origin(origin: &str) -> String {
    match web_sys::Url::new(origin) {
        Ok(u) => {
            let o = u.origin();
            if o == "null" {
                origin.to_owned()
            } else {
                o
            }
        }
        Err(_) => origin.to_owned(),
    }
}

/// The `response` object of an acceptable message (see the module docs), else `None`.
fn accept(e: &MessageEvent, origin: &str, source: &JsValue, state: &str) -> Option<Json> {
    if e.origin() != origin {
        return None;
    }
    let from: JsValue = e.source()?.into();
    if source.is_undefined() || from != *source {
        return None;
    }
    let data = e.data();
    if js::get_str(&data, "type").as_deref() != Some("authorization_response") {
        return None;
    }
    let response = js::get(&data, "response");
    if js::get_str(&response, "state").as_deref() != Some(state) {
        return None;
    }
    match Json::parse(&js::stringify(&response)?) {
        Ok(j @ Json::Object(_)) => Some(j),
        _ => None,
    }
}

/// Adds the `message` listener that fills `slot` with the first acceptable response.
fn listen(window: &Window, origin: &str, source: JsValue, state: &str, slot: &Slot<Result<Json>>) -> Result<Listener> {
    let origin = normalize_origin(origin);
    let state = state.to_owned();
    let slot = slot.clone();
    let l: Listener = Closure::new(move |e: MessageEvent| {
        if let Some(r) = accept(&e, &origin, &source, &state) {
            slot.set(Ok(r));
        }
    });
    window
        .add_event_listener_with_callback("message", l.as_ref().unchecked_ref())
        .map_err(|e| js::plain("frame_error", &e))?;
    Ok(l)
}

fn window() -> Result<Window> {
    web_sys::window().ok_or_else(|| Error::plain("frame_error", "No window: iframe and popup flows need a page"))
}

/// §2.7: loads `url` in a hidden 0×0 iframe and waits for its `authorization_response`.
pub(crate) async fn run_iframe(url: &str, origin: &str, state: &str, timeout_ms: u32) -> Result<Json> {
    if cross_origin_isolated() {
        return Err(Error::login_required(CROSS_ORIGIN_ISOLATED_MESSAGE));
    }
    let window = window()?;
    let document = window.document().ok_or_else(|| Error::plain("frame_error", "No document"))?;
    let body = document.body().ok_or_else(|| Error::plain("frame_error", "No document.body"))?;
    let iframe: HtmlIFrameElement = document
        .create_element("iframe")
        .map_err(|e| js::plain("frame_error", &e))?
        .unchecked_into();
    let _ = iframe.set_attribute("width", "0");
    let _ = iframe.set_attribute("height", "0");
    let _ = iframe.set_attribute("style", "display:none");
    let mut guard = FlowGuard { window, listener: None, iframe: None, _timeout: None, _poll: None };
    body.append_child(&iframe).map_err(|e| js::plain("frame_error", &e))?;
    let source: JsValue = iframe.content_window().map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
    guard.iframe = Some(iframe.clone());

    let slot = Slot::new();
    guard.listener = Some(listen(&guard.window, origin, source, state, &slot)?);
    let on_timeout = slot.clone();
    guard._timeout = Some(js::Timer::new(timeout_ms, false, move || on_timeout.set(Err(Error::timeout()))));
    iframe.set_src(url);
    let result = slot.wait().await;
    drop(guard);
    result
}

/// §2.8: points `popup` at `url` and waits for its `authorization_response`; the user closing
/// it is `PopupCancelledError` (checked every second), the timeout `PopupTimeoutError`.
///
/// The popup is closed when a response arrives (unless `close_popup` is false) and on timeout
/// (auth0-spa-js leaves it open there; a stale login window would only confuse the user, since
/// its answer can no longer be accepted — the policy security case H3 asks to define).
pub(crate) async fn run_popup(popup: Window, url: &str, origin: &str, state: &str, timeout_ms: u32, close_popup: bool) -> Result<Json> {
    let window = window()?;
    let slot = Slot::new();
    let mut guard = FlowGuard { window, listener: None, iframe: None, _timeout: None, _poll: None };
    guard.listener = Some(listen(&guard.window, origin, popup.clone().into(), state, &slot)?);
    let on_timeout = slot.clone();
    guard._timeout = Some(js::Timer::new(timeout_ms, false, move || on_timeout.set(Err(Error::popup_timeout()))));
    let on_poll = slot.clone();
    let watched = popup.clone();
    guard._poll = Some(js::Timer::new(POPUP_POLL_MS, true, move || {
        if watched.closed().unwrap_or(true) {
            on_poll.set(Err(Error::popup_cancelled()));
        }
    }));
    if let Err(e) = popup.location().set_href(url) {
        if popup.closed().unwrap_or(true) {
            return Err(Error::popup_cancelled());
        }
        return Err(js::plain("frame_error", &e));
    }
    let result = slot.wait().await;
    drop(guard);
    match &result {
        Ok(_) if close_popup => {
            let _ = popup.close();
        }
        Err(e) if e.class == crate::core::ErrorClass::PopupTimeout => {
            let _ = popup.close();
        }
        _ => {}
    }
    result
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
