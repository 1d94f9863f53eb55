//! `fetch` with a timeout (auth0-spa-js `fetchWithTimeout`, behaviour doc §2.5).
//!
//! The request, its abort signal, the timer and the body read run in one small JS function, so
//! the wasm holds a single import and a few lines instead of the web-sys bindings for
//! `RequestInit`, `AbortController`, `Response` and two promise futures (wasm size,
//! performance-anchors.md). The global `fetch` is looked up at call time, so the same code runs in
//! a page and in a worker. Exactly one attempt is made: retries are the caller's decision.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::json::Json;
use crate::core::{Error, Result};

#[wasm_bindgen(inline_js = r#"
export function send(url, method, headers, body, ms) {
  let c = null;
  try { c = new AbortController(); } catch (e) {}
  const init = { method, headers: JSON.parse(headers) };
  if (body) init.body = body;
  if (c) init.signal = c.signal;
  return new Promise(done => {
    const t = setTimeout(() => { if (c) c.abort(); done([2]); }, ms);
    const end = v => { clearTimeout(t); done(v); };
    const fail = e => end([1, e]);
    let p;
    try { p = globalThis.fetch(url, init); } catch (e) { fail(e); return; }
    Promise.resolve(p).then(r => typeof Response === 'function' && r instanceof Response
      ? r.text().then(text => end([0, r.status, text]))
      : end([3])).catch(fail);
  });
}
"#)]
extern "C" {
    /// Sends once; always resolves: `[0, status, text]`, `[1, thrown]` (network failure or a
    /// throwing `fetch`), `[2]` (timed out, request aborted) or `[3]` (not a `Response`).
    #[wasm_bindgen(js_name = send)]
    fn send_js(url: &str, method: &str, headers_json: &str, body: &str, ms: u32) -> js_sys::Promise;
}

/// auth0-spa-js's message for a request that outlived its timeout (a plain `Error`).
pub const TIMEOUT_MESSAGE: &str = "Timeout when executing 'fetch'";

/// Sends `req` once. Any HTTP status is a response; a network failure is a plain `Error`
/// (code `request_error`, the browser's message, e.g. "Failed to fetch"); after `timeout_ms` the
/// request is aborted and a plain `Error` (code `timeout`, [`TIMEOUT_MESSAGE`]) returned.
pub(crate) async fn send(req: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse> {
    let headers = Json::Object(req.headers.iter().map(|(k, v)| (k.clone(), Json::str(v))).collect());
    let promise = send_js(&req.url, req.method, &headers.to_json_string(), &req.body, js::clamp_ms(timeout_ms));
    let outcome: Array = JsFuture::from(promise).await.unwrap_or_default().unchecked_into();
    match outcome.get(0).as_f64() {
        Some(0.0) => Ok(HttpResponse { status: outcome.get(1).as_f64().unwrap_or(0.0) as u16, body: outcome.get(2).as_string().unwrap_or_default() }),
        Some(1.0) => Err(js::plain("request_error", &outcome.get(1))),
        Some(3.0) => Err(Error::plain("request_error", "fetch did not return a Response")),
        _ => Err(Error::plain("timeout", TIMEOUT_MESSAGE)),
    }
}
