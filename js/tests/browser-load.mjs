// Loads the built package (from scripts/build.sh) in headless Chromium through a plain
// <script type="module"> and checks that the wasm module instantiates, for both entries:
// dist/index.js (the .wasm inlined, through DecompressionStream) and dist/file/index.js (fetching
// dist/file/auth0_spa_wasm_bg.wasm).
// Usage: node js/tests/browser-load.mjs   (needs /usr/bin/chromium and playwright-core)
// Prints one JSON line per entry and exits 0 when both loaded.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const page = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
  const t0 = performance.now();
  const m = await import(new URLSearchParams(location.search).get('entry'));
  const client = new m.Auth0Client({ domain: 'tenant.example', clientId: 'abc' });
  let outcome;
  try {
    outcome = { resolved: await client.isAuthenticated() };
  } catch (e) {
    outcome = { rejected: e.constructor.name, error: e.error, message: e.message };
  }
  outcome.ms = Math.round(performance.now() - t0);
  window.__outcome = outcome;
</script>`;

const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    return;
  }
  const file = normalize(join(root, path));
  if (!file.startsWith(root)) return res.writeHead(403).end();
  try {
    const body = await readFile(file);
    const ext = file.slice(file.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': types[ext] || 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// launch() gives the browser a fresh temporary profile of its own.
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync']
});
let failures = 0;
try {
  for (const entry of ['/index.js', '/file/index.js']) {
    const tab = await browser.newPage();
    const logs = [];
    tab.on('console', (m) => logs.push(m.text()));
    tab.on('pageerror', (e) => logs.push(String(e)));
    await tab.goto(origin + '/?entry=' + encodeURIComponent(entry));
    await tab.waitForFunction(() => window.__outcome, null, { timeout: 15000 });
    const outcome = await tab.evaluate(() => window.__outcome);
    // Loaded = resolved, or rejected for any reason other than a failed load.
    const loaded = 'resolved' in outcome || !/could not be loaded/.test(outcome.message || '');
    console.log(JSON.stringify({ entry, loaded, outcome, logs }));
    if (!loaded) failures++;
    await tab.close();
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failures ? 1 : 0);
