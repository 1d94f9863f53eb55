// @ts-check
// './full.js', the full build's module: scripts/build.sh stages js/lite.js under this name beside
// the full build's glue and wasm source (docs/module-split.md). This copy only lets js/index.js's
// import('./full.js') type-check here, where both builds share js/auth0_spa_wasm.d.ts.
export { WasmClient, load } from './lite.js';
