//! `fetch` with a timeout (auth0-spa-js `fetchWithTimeout`, docs/behaviour.md §2.5).
//!
//! The request, its abort signal, the timer and the body read run in one small JS function (`send`
//! in js/platform.js), so the wasm holds a single import and a few lines instead of the web-sys
//! bindings for `RequestInit`, `AbortController`, `Response` and two promise futures (wasm size,
//! docs/performance.md). `fetch` and `Response.prototype.text` are the ones captured when the
//! package was imported: a script that wraps them later never sees a refresh token. Exactly one
//! attempt is made: retries are the caller's decision.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js::{self, send_js};
use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::json::Json;
use crate::core::{Error, Result};

/// auth0-spa-js's message for a request that outlived its timeout (a plain `Error`).
pub(crate) const TIMEOUT_MESSAGE: &str = "Timeout when executing 'fetch'";

/// Sends `req` once. Any HTTP status is a response; a network failure is a plain `Error`
/// (code `request_error`, the browser's message, e.g. "Failed to fetch"); after `timeout_ms` the
/// request is aborted and a plain `Error` (code `timeout`, [`TIMEOUT_MESSAGE`]) returned.
pub(crate) async fn send(req: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse> {
    let headers = Json::Object(req.headers.iter().map(|(k, v)| (k.clone(), Json::str(v))).collect());
    let promise = send_js(&req.url, req.method, &headers.to_json_string(), &req.body, js::clamp_ms(timeout_ms));
    let outcome: Array = JsFuture::from(promise).await.unwrap_or_default().unchecked_into();
    match outcome.get(0).as_f64() {
        Some(0.0) => Ok(HttpResponse {
            status: outcome.get(1).as_f64().unwrap_or(0.0) as u16, body: outcome.get(2).as_string().unwrap_or_default(),
            dpop_nonce: outcome.get(3).as_string(),
        }),
        Some(1.0) => Err(js::plain("request_error", &outcome.get(1))),
        Some(3.0) => Err(Error::plain("request_error", "fetch did not return a Response")),
        _ => Err(Error::plain("timeout", TIMEOUT_MESSAGE)),
    }
}
