// @ts-check
// The .wasm of the inline entry, deflate-raw compressed and base64-encoded. This checked-in copy
// is empty (it exists so that js/wasm-inline.js type-checks and is testable); scripts/build.sh
// writes the real one into pkg/ when it builds the package.
export default '';
