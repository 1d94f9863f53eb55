// @ts-check
// One build of the wasm with its wasm-bindgen glue and wasm source, as a module of its own that
// js/index.js import()s (docs/module-split.md): './lite.js', the build without the Cargo feature
// `parity`, which clients load unless they need one of the features it leaves out (DPoP, MRRT,
// the interactive error handler, token exchange, revocation, the MFA and passkey grants), and
// './full.js', the build with every feature. scripts/build.sh stages this same file as both,
// each beside its build's glue (auth0_spa_wasm.js) and its wasm source (inline or by URL), and
// bundles each into one self-contained module.
import init, { WasmClient } from './auth0_spa_wasm.js';
import { wasmSource } from './wasm-source.js';

export { WasmClient };

/** Instantiates this build's wasm (once: js/index.js memoises the promise). */
export function load() {
  return init({ module_or_path: wasmSource() });
}
