// @ts-check
// Where the .wasm comes from, for the glue's init(). This variant loads the file next to this
// module: bundlers that understand `new URL('…', import.meta.url)` (Vite build, webpack 5, Rollup,
// Parcel) emit it as an asset, and a plain <script type="module"> fetches it from the same folder.
// scripts/build.sh can replace this module with one that inlines the bytes (works everywhere,
// including esbuild and Vite's dev pre-bundling, which do not rewrite such URLs).
export function wasmSource() {
  return new URL('./auth0_spa_wasm_bg.wasm', import.meta.url);
}
