//! auth0-spa-wasm: a drop-in replacement for `@auth0/auth0-spa-js` v2.
//!
//! Comments cite the repository's own references: `§x.y` is a section of docs/behaviour.md (what
//! auth0-spa-js does and what this SDK does instead), a case id such as `F6` or `I5` is a case of
//! docs/security-cases.md, and docs/README.md explains the conventions.
pub mod client;
pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The wasm build's allocator: lol_alloc's free list, a few hundred bytes of code where std's
/// dlmalloc costs about 7.6 KiB (measured). SAFETY: the wasm module runs on one thread only (no
/// `atomics` target feature), which is what `AssumeSingleThreaded` requires.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
#[allow(unsafe_code)]
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> = unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
