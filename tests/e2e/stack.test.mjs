// How deep the release build's flows reach into the wasm stack, measured in real Chromium.
//
// rustc links wasm32 with --stack-first: the stack is linear memory [0, size), it starts zeroed
// and grows down from `size`. After the flows, the lowest non-zero byte below `size` marks the
// deepest point any call reached. scripts/release-rustflags.sh chooses the size (STACK_KIB) so that wasm
// memory stays small (bench figure f); this test keeps a 3x margin between that size and the
// deepest use measured here (64-level JSON, the parser's limit: about 13 KiB; the flows
// themselves stay under 6 KiB), so a change that deepens the stack fails here first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as h from './harness.mjs';

const T = { timeout: 90_000 };
const MARGIN = 3;
let env;

before(async () => { if (h.SDK === 'wasm') env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

/** The initial `__stack_pointer` (global 0) of the built module: the stack's size in bytes. */
function stackSize() {
  const b = readFileSync(path.join(h.REPO, 'pkg', 'auth0_spa_wasm_bg.wasm'));
  let i = 8;
  const uleb = () => { let r = 0; let s = 0; let x; do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
  const sleb = () => { let r = 0; let s = 0; let x; do { x = b[i++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return s < 32 && (x & 0x40) ? r | (~0 << s) : r; };
  while (i < b.length) {
    const id = b[i++];
    const len = uleb();
    const end = i + len;
    if (id === 6) {
      uleb(); // count
      i += 2; // value type, mutability
      if (b[i++] !== 0x41) break; // i32.const
      return sleb();
    }
    i = end;
  }
  throw new Error('no __stack_pointer global in pkg/auth0_spa_wasm_bg.wasm');
}

/** Keeps every WebAssembly.Memory the page instantiates in window.__wasmMemories. */
function captureMemories() {
  window.__wasmMemories = [];
  const keep = (r) => {
    const inst = r instanceof WebAssembly.Instance ? r : r && r.instance;
    for (const v of Object.values((inst && inst.exports) || {})) if (v instanceof WebAssembly.Memory) window.__wasmMemories.push(v);
    return r;
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (...a) { return instantiate.apply(this, a).then(keep); };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) WebAssembly.instantiateStreaming = function (...a) { return streaming.apply(this, a).then(keep); };
}

/** Bytes of stack used so far by the page's SDK instance: `size` minus the lowest non-zero byte. */
function stackUsed(page, size) {
  return page.evaluate((s) => {
    const mem = window.__wasmMemories[0];
    const bytes = new Uint8Array(mem.buffer, 0, s);
    let low = 0;
    while (low < s && bytes[low] === 0) low++;
    return s - low;
  }, size);
}

async function pageWith(t, options) {
  const context = await h.testContext(env, t, options, captureMemories);
  const page = await context.newPage();
  await h.openTestPage(page, env.pages.url);
  return { context, page };
}

test('the deepest stack use of every flow stays within a third of the stack', { ...T, skip: h.SDK !== 'wasm' && 'wasm build only' }, async (t) => {
  const size = stackSize();
  const used = {};
  env.resetTenant();

  // Refresh tokens in localStorage: callback, hits, refresh, errors, logout.
  const { page } = await pageWith(t, { cacheLocation: 'localstorage', useRefreshTokens: true });
  await h.loginWithRedirect(page, env.pages.url);
  used.handleRedirectCallback = await stackUsed(page, size);
  await page.evaluate(async () => {
    const c = window.__client;
    await c.getTokenSilently();
    await c.getTokenSilently({ detailedResponse: true });
    await c.getUser();
    await c.getIdTokenClaims();
    await c.isAuthenticated();
  });
  used.cacheHits = await stackUsed(page, size);
  assert.ok(await h.expireCachedTokens(page) >= 1);
  const refreshed = await h.getToken(page);
  assert.equal(refreshed.ok, true, JSON.stringify(refreshed));
  used.refresh = await stackUsed(page, size);
  await page.evaluate(async () => {
    const c = window.__client;
    await window.__try(() => c.getTokenSilently({ cacheMode: 'bogus' }));
    await window.__try(() => c.handleRedirectCallback(location.origin + '/?code=x&state=forged'));
    await window.__try(() => c.getTokenSilently({ authorizationParams: { audience: 'https://unknown.example' } }));
    await c.logout({ openUrl: false });
  });
  used.errorsAndLogout = await stackUsed(page, size);
  // The JSON reader and writer recurse, up to 64 levels (src/core/json.rs MAX_DEPTH).
  await page.evaluate(async () => {
    const c = window.__client;
    const nested = (n) => { let v = 1; for (let i = 0; i < n; i++) v = [v]; return v; };
    for (const n of [63, 64, 65, 1000]) {
      await window.__try(() => c.getTokenSilently({ cacheMode: 'cache-only', authorizationParams: { deep: nested(n) } }));
      await window.__try(() => c.loginWithRedirect({ appState: nested(n), openUrl: () => {} }));
    }
  });
  used.deepJson = await stackUsed(page, size);

  // No refresh tokens: silent authentication through the hidden iframe.
  const iframe = await pageWith(t, {});
  await h.loginWithRedirect(iframe.page, env.pages.url);
  const silent = await h.getToken(iframe.page, { cacheMode: 'off' });
  assert.equal(silent.ok, true, JSON.stringify(silent));
  used.iframe = await stackUsed(iframe.page, size);
  // A custom ICache whose methods return Promises (the manifest path: no allKeys).
  const custom = await iframe.page.evaluate(async () => {
    const store = new Map();
    const cache = {
      get: async (k) => store.get(k),
      set: async (k, v) => { store.set(k, v); },
      remove: async (k) => { store.delete(k); },
    };
    const c = new window.__sdk.Auth0Client({ ...window.__clientOptions(), cache });
    const token = await c.getTokenSilently();
    const again = await c.getTokenSilently();
    await c.logout({ openUrl: false });
    return { same: token === again, stored: store.size };
  });
  assert.equal(custom.same, true, JSON.stringify(custom));
  used.customCache = await stackUsed(iframe.page, size);

  const deepest = Math.max(...Object.values(used));
  t.diagnostic(`stack: ${size} bytes; deepest use ${deepest} bytes; by flow ${JSON.stringify(used)}`);
  assert.ok(deepest > 0, 'the stack was used, so the measurement reads the right memory');
  assert.ok(deepest * MARGIN <= size, `stack of ${size} bytes is less than ${MARGIN}x the deepest use (${deepest} bytes)`);
});
