// Build-time check (scripts/build.sh, right after wasm-bindgen writes pkg/): the hand-written
// js/auth0_spa_wasm.d.ts, which `tsc -p js` checks js/index.js against before any build exists,
// still describes the glue wasm-bindgen generates from src/wasm/. Every method it declares must
// exist in the generated WasmClient with a signature the declared one accepts; a method renamed
// or removed in Rust, or one that now takes more arguments, fails the build here instead of
// leaving js/index.js checked against a stale contract.
import type { WasmClient as Generated } from '../pkg/auth0_spa_wasm.js';
import type { WasmClient as Declared } from '../js/auth0_spa_wasm.js';

declare const generated: Generated;
/** The generated client, used where js/index.js's declared one is expected. */
export const asDeclared: Declared = generated;
