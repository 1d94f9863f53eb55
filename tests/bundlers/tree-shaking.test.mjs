// An app that imports a few names of the package carries only what they need: the default entry
// (dist/index.js) is one module with `sideEffects: false`, so nothing at its top level may keep
// the client (and the inlined WebAssembly, ~120 KiB) alive on its own. Bundled here with esbuild,
// production settings, from the built dist/ (bash scripts/build.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The minified bundle of an app importing `names` from the default entry. */
async function bundleOf(names) {
  const esbuild = await import('esbuild');
  const entry = `import { ${names.join(', ')} } from ${JSON.stringify(path.join(REPO, 'dist/index.js'))};\nconsole.log(${names.join(', ')});\n`;
  const out = await esbuild.build({ stdin: { contents: entry, resolveDir: REPO }, bundle: true, format: 'esm', minify: true, write: false, logLevel: 'silent' });
  return out.outputFiles[0].text;
}

test('importing only error classes or helpers leaves the client and its WebAssembly out; importing the client brings them', { timeout: 60_000 }, async () => {
  const client = await bundleOf(['createAuth0Client']);
  assert.ok(client.length > 100_000, `the client bundle holds the inlined module (${client.length} bytes)`);
  for (const names of [['GenericError', 'MfaRequiredError'], ['CacheKey', 'RefreshTokenMode'], ['isFederatedDomain'], ['MfaApiClient']]) {
    const small = await bundleOf(names);
    assert.ok(small.length < 25_000, `${names.join(', ')}: ${small.length} bytes, no client`);
  }
});
