// Build-time check (scripts/build.sh, right after wasm-bindgen writes pkg/): the hand-written
// js/auth0_spa_wasm.d.ts, which `tsc -p js` checks js/index.js against before any build exists,
// describes exactly the WasmClient wasm-bindgen generates from src/wasm/. Both ways: every
// declared method must exist in the glue with a signature the declaration accepts (a method
// renamed or removed in Rust, or one that now takes more arguments, fails here instead of leaving
// js/index.js checked against a stale contract), and every method of the glue must be declared
// (a new export is written into the contract with its meaning). `free` and `Symbol.dispose` are
// wasm-bindgen's own.
import type { WasmClient as Generated } from '../pkg/auth0_spa_wasm.js';
import type { WasmClient as Declared } from '../js/auth0_spa_wasm.js';

declare const generated: Generated;
declare const declared: Declared;

/** The generated client, used where js/index.js's declared one is expected. */
export const asDeclared: Declared = generated;
/** The declared client, used where the generated one's methods are expected. */
export const asGenerated: Pick<Generated, Exclude<keyof Generated, 'free' | symbol>> = declared;

// The full build (pkg/full/, docs/module-split.md) exports the same class: js/full.js hands it to
// js/index.js in place of the lite one.
import type { WasmClient as GeneratedFull } from '../pkg/full/auth0_spa_wasm.js';
declare const generatedFull: GeneratedFull;
/** The full build's client, used where the declared one is expected. */
export const fullAsDeclared: Declared = generatedFull;
/** The declared client, used where the full build's methods are expected. */
export const fullAsGenerated: Pick<GeneratedFull, Exclude<keyof GeneratedFull, 'free' | symbol>> = declared;
