// node --test js/tests/ : js/wasm-inline.js, the inline entry's wasm source. The round trip is the
// one scripts/inline-wasm.mjs and the browser make: deflate-raw + base64 at build time, base64
// decode + DecompressionStream at load time, streamed as an application/wasm Response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { fromBase64, inflatedResponse, wasmSource } from '../wasm-inline.js';

// The smallest valid module: magic + version.
const EMPTY_MODULE = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

test('fromBase64 decodes with and without the native decoder', () => {
  const text = Buffer.from([0, 1, 2, 250, 255]).toString('base64');
  assert.deepEqual([...fromBase64(text)], [0, 1, 2, 250, 255]);
  const native = Object.getOwnPropertyDescriptor(Uint8Array, 'fromBase64');
  Object.defineProperty(Uint8Array, 'fromBase64', { value: undefined, configurable: true });
  try {
    assert.deepEqual([...fromBase64(text)], [0, 1, 2, 250, 255]);
  } finally {
    if (native) Object.defineProperty(Uint8Array, 'fromBase64', native);
    else delete Uint8Array.fromBase64;
  }
});

test('inflatedResponse streams the inflated bytes as application/wasm, and they compile', async () => {
  const big = new Uint8Array(300_000).map((_, i) => i % 251); // several stream chunks
  const res = inflatedResponse(new Uint8Array(deflateRawSync(big)));
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), big);
  const mod = await WebAssembly.compileStreaming(inflatedResponse(new Uint8Array(deflateRawSync(EMPTY_MODULE))));
  assert.ok(mod instanceof WebAssembly.Module);
});

test('corrupt deflate data rejects the Response body instead of hanging', async () => {
  const res = inflatedResponse(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
  await assert.rejects(res.arrayBuffer()); // browsers: TypeError; Node: a zlib Error
});

test('wasmSource() over the checked-in placeholder: a Response whose body fails, never hangs', async () => {
  // The real bytes are written into pkg/ by scripts/build.sh; js/wasm-bytes.js is empty here.
  const res = wasmSource();
  assert.ok(res instanceof Response);
  await assert.rejects(res.arrayBuffer());
});
