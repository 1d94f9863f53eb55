//! auth0-spa-wasm: a drop-in replacement for `@auth0/auth0-spa-js` v2.
pub mod client;
pub mod core;
pub mod platform;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
