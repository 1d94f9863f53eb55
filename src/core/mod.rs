//! The pure protocol core: everything the SDK decides, as plain synchronous functions and types.
//!
//! No I/O, no clock, no randomness of its own, no `web-sys`: time comes in as milliseconds since
//! the Unix epoch ([`UnixMillis`]) and randomness through the [`rng::Rng`] trait, so every rule is
//! tested natively with `cargo test`. The behaviour matched is auth0-spa-js 2.27/2.28
//! (docs/behaviour.md), with its known failures fixed
//! (docs/security-cases.md).

pub mod anonymous;
pub mod authorize;
pub mod cache;
pub mod callback;
pub mod connect;
pub mod dpop;
pub mod encoding;
pub mod error;
pub mod http;
pub mod id_token;
pub mod json;
pub mod jwt;
pub mod logout;
pub mod number;
pub mod options;
mod option_values;
pub mod params;
pub mod pkce;
pub mod rng;
pub mod rotation;
pub mod scope;
pub mod sha256;
pub mod token;
pub mod transaction;

pub use error::{Error, ErrorClass, Result};

/// Milliseconds since the Unix epoch, as `Date.now()` returns and auth0-spa-js's `nowProvider`.
pub type UnixMillis = u64;
