//! `fetch` with a timeout (auth0-spa-js `fetchWithTimeout`, behaviour doc §2.5).
//!
//! The global `fetch` is called through a binding that looks it up at call time, so the same
//! code runs in a page and in a worker. Exactly one attempt is made: retries are the caller's
//! decision.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::{Error, Result};

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch(url, init)`; `catch` because a bad request throws synchronously.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &web_sys::RequestInit) -> Result<Promise, JsValue>;
}

/// auth0-spa-js's message for a request that outlived its timeout (a plain `Error`).
pub const TIMEOUT_MESSAGE: &str = "Timeout when executing 'fetch'";

/// Sends `req` once. Any HTTP status is a response; a network failure is a plain `Error`
/// (code `request_error`, the browser's message, e.g. "Failed to fetch"); after `timeout_ms` the
/// request is aborted and a plain `Error` (code `timeout`, [`TIMEOUT_MESSAGE`]) returned.
pub(crate) async fn send(req: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse> {
    let controller = web_sys::AbortController::new().ok();
    let init = web_sys::RequestInit::new();
    init.set_method(req.method);
    let headers = Object::new();
    for (k, v) in &req.headers {
        let _ = Reflect::set(&headers, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    init.set_headers(&headers);
    if !req.body.is_empty() {
        init.set_body(&JsValue::from_str(&req.body));
    }
    if let Some(c) = &controller {
        init.set_signal(Some(&c.signal()));
    }
    let exchange = async {
        let promise = global_fetch(&req.url, &init).map_err(|e| js::plain("request_error", &e))?;
        let resp = JsFuture::from(promise).await.map_err(|e| js::plain("request_error", &e))?;
        let resp: web_sys::Response = resp
            .dyn_into()
            .map_err(|_| Error::plain("request_error", "fetch did not return a Response"))?;
        let status = resp.status();
        let text = resp.text().map_err(|e| js::plain("request_error", &e))?;
        let body = JsFuture::from(text).await.map_err(|e| js::plain("request_error", &e))?;
        Ok(HttpResponse { status, body: body.as_string().unwrap_or_default() })
    };
    match js::within(timeout_ms, exchange).await {
        Some(result) => result,
        None => {
            if let Some(c) = controller {
                c.abort();
            }
            Err(Error::plain("timeout", TIMEOUT_MESSAGE))
        }
    }
}
