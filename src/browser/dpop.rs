//! The DPoP key store's driver side (RFC 9449; docs/behaviour.md §3.10): awaits the WebCrypto
//! and IndexedDB promise chains of `js/dpop.js`, which never reject, and turns their outcomes
//! into replies. Nothing here decides anything about a proof (see `core::dpop`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::core::Result;

#[wasm_bindgen(module = "/js/dpop.js")]
extern "C" {
    /// `[0, jwkText]` or `[1, thrown]`: the public JWK of the pair under the key, created if none.
    #[wasm_bindgen(js_name = dpopKey)]
    fn dpop_key_js(name: &str) -> js_sys::Promise;
    /// `[0, Uint8Array]` or `[1, thrown]`: the ES256 signature of the text's UTF-8.
    #[wasm_bindgen(js_name = dpopSign)]
    fn dpop_sign_js(name: &str, input: &str) -> js_sys::Promise;
    /// The nonce, or `undefined`.
    #[wasm_bindgen(js_name = dpopNonceGet)]
    fn dpop_nonce_get_js(key: &str) -> js_sys::Promise;
    /// `null`, or `[thrown]`.
    #[wasm_bindgen(js_name = dpopNonceSet)]
    fn dpop_nonce_set_js(key: &str, nonce: &str) -> js_sys::Promise;
    /// Deletes the nonces and pairs whose key starts with the prefix.
    #[wasm_bindgen(js_name = dpopClear)]
    fn dpop_clear_js(prefix: &str) -> js_sys::Promise;
}

async fn outcome(promise: js_sys::Promise) -> Result<JsValue> {
    let pair: Array = JsFuture::from(promise).await.unwrap_or_default().unchecked_into();
    match pair.get(0).as_f64() {
        Some(0.0) => Ok(pair.get(1)),
        _ => Err(js::plain("dpop_key_error", &pair.get(1))),
    }
}

/// The public JWK text of the pair under `name`, creating the pair when there is none.
pub(crate) async fn key(name: &str) -> Result<String> {
    outcome(dpop_key_js(name)).await.map(|v| v.as_string().unwrap_or_default())
}

/// The 64-byte ES256 signature of `input` by the pair under `name`.
pub(crate) async fn sign(name: &str, input: &str) -> Result<Vec<u8>> {
    outcome(dpop_sign_js(name, input)).await.map(|v| v.dyn_into::<Uint8Array>().map(|a| a.to_vec()).unwrap_or_default())
}

/// The nonce under `key`.
pub(crate) async fn nonce_get(key: &str) -> Option<String> {
    JsFuture::from(dpop_nonce_get_js(key)).await.ok().and_then(|v| v.as_string())
}

/// Stores `nonce` under `key`.
pub(crate) async fn nonce_set(key: &str, nonce: &str) -> Result<()> {
    let v = JsFuture::from(dpop_nonce_set_js(key, nonce)).await.unwrap_or(JsValue::NULL);
    if v.is_null() {
        Ok(())
    } else {
        Err(js::plain("dpop_storage_error", &Array::from(&v).get(0)))
    }
}

/// Deletes every nonce and key pair whose key starts with `prefix`.
pub(crate) async fn clear(prefix: &str) {
    let _ = JsFuture::from(dpop_clear_js(prefix)).await;
}
