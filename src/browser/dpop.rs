//! The DPoP key store's driver side (RFC 9449; docs/behaviour.md §3.10): performs the DPoP
//! requests of the flows through the one WebCrypto and IndexedDB entry of `js/dpop.js`, whose
//! promise never rejects, and turns its outcome into the reply. Nothing here decides anything
//! about a proof (see `core::dpop`).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::client::{Io, Reply};
use crate::core::Error;

#[wasm_bindgen(module = "/js/dpop.js")]
extern "C" {
    /// One operation (0 key, 1 sign, 2 read nonce, 3 write nonce, 4 clear); resolves
    /// `[0, value]` or `[1, thrown]`.
    #[wasm_bindgen(js_name = dpop)]
    fn dpop_js(op: u32, name: &str, text: &str) -> js_sys::Promise;
    /// Copies a `Uint8Array` of `dst`'s length into `dst`; false otherwise.
    #[wasm_bindgen(js_name = copyInto)]
    fn copy_into(src: &JsValue, dst: &mut [u8]) -> bool;
}

/// Performs one of [`Io::DpopKey`], [`Io::DpopSign`], [`Io::DpopNonceGet`],
/// [`Io::DpopNonceSet`], [`Io::DpopClear`] (anything else replies [`Reply::Unit`]).
pub(crate) async fn perform(io: &Io) -> Reply {
    let (op, name, text) = match io {
        Io::DpopKey(name) => (0, name, ""),
        Io::DpopSign(name, input) => (1, name, input.as_str()),
        Io::DpopNonceGet(key) => (2, key, ""),
        Io::DpopNonceSet(key, nonce) => (3, key, nonce.as_str()),
        Io::DpopClear(prefix) => (4, prefix, ""),
        _ => return Reply::Unit,
    };
    let pair: Array = JsFuture::from(dpop_js(op, name, text)).await.unwrap_or_default().unchecked_into();
    let value = match pair.get(0).as_f64() {
        Some(0.0) => Ok(pair.get(1)),
        _ => Err(js::plain(if op < 2 { "dpop_key_error" } else { "dpop_storage_error" }, &pair.get(1))),
    };
    match op {
        0 => Reply::Text(value.map(|v| v.as_string().unwrap_or_default())),
        1 => Reply::Bytes(value.and_then(|v| {
            let mut signature = vec![0u8; 64];
            if copy_into(&v, &mut signature) {
                Ok(signature)
            } else {
                Err(Error::plain("dpop_key_error", "The DPoP key produced a signature that is not ES256"))
            }
        })),
        2 => Reply::Texts(vec![value.ok().and_then(|v| v.as_string())]),
        3 => Reply::Outcome(value.map(|_| ())),
        _ => Reply::Unit,
    }
}
