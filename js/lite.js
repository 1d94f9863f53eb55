// @ts-check
// One build of the wasm with its wasm-bindgen glue and wasm source (docs/module-split.md):
// './lite.js', the build without the Cargo feature `parity` (DPoP, MRRT, the interactive error
// handler, token exchange, revocation, the MFA and passkey grants), which js/index.js imports
// statically, and './full.js', the build with every feature, which it import()s for the clients
// that need it. scripts/build.sh stages this same file as both, each beside its build's glue
// (auth0_spa_wasm.js) and wasm source (inline or by URL); full.js is bundled into a
// self-contained module of its own. The `auth0-spa-wasm/full` entry is js/index.js with the full
// build's copy staged as its './lite.js': FULL tells the entry which build it holds.
import init, { WasmClient } from './auth0_spa_wasm.js';
import { wasmSource } from './wasm-source.js';

export { WasmClient };

/** Whether this is the full build (scripts/build.sh sets it in the full build's copy). */
export const FULL = false;

/** Instantiates this build's wasm (once: js/index.js memoises the promise). */
export function load() {
  return init({ module_or_path: wasmSource() });
}
