// @ts-check
// Where the .wasm comes from in the default (inline) entry: its bytes travel inside the bundle,
// deflate-raw compressed and base64-encoded (./wasm-bytes.js, written by scripts/build.sh), so
// the package works unconfigured in every bundler, in a plain <script type="module"> and in Node.
// scripts/build.sh stages this module as wasm-source.js in place of the URL-loading one.
//
// Start-up matters here (bench figures b and h): the bytes reach DecompressionStream through a
// ReadableStream that holds them directly. A Blob's stream() (the earlier way) goes through the
// browser's blob registry first and measured ~4 ms slower in headless Chromium on the bench
// machine (docs/performance.md). The Response carries the wasm MIME type, so
// WebAssembly.instantiateStreaming compiles while the bytes are still being inflated.
// Needs DecompressionStream (Chrome 80, Firefox 113, Safari 16.4, Node 18).
import B64 from './wasm-bytes.js';

/**
 * Decodes base64 text to bytes: the native decoder where there is one (Chrome 140, Firefox 133,
 * Safari 18.2), otherwise atob.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function fromBase64(text) {
  /** @type {{ fromBase64?: (s: string) => Uint8Array }} */
  const native = /** @type {any} */ (Uint8Array);
  if (typeof native.fromBase64 === 'function') return native.fromBase64(text);
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/**
 * A Response streaming the inflated bytes of `deflated`, typed application/wasm.
 * @param {Uint8Array} deflated deflate-raw compressed bytes
 * @returns {Response}
 */
export function inflatedResponse(deflated) {
  const source = new ReadableStream({
    start(controller) {
      controller.enqueue(deflated);
      controller.close();
    }
  });
  const wasm = source.pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(wasm, { headers: { 'Content-Type': 'application/wasm' } });
}

/** The wasm-bindgen glue's init() argument: the module's bytes as a streaming Response. */
export function wasmSource() {
  return inflatedResponse(fromBase64(B64));
}
