// A tiny static file server for the demo, the end-to-end tests and the benchmark.
//
// Why: pages must come from a real http://127.0.0.1 origin (cookies, storage, postMessage origins
// and CORS all depend on it), and the same page must be able to load either this SDK or
// auth0-spa-js, since they share one API. `/sdk/` is mapped to the SDK under test:
//   sdk: 'wasm'          -> dist/            (this package, built by `npm run build`)
//   sdk: 'auth0-spa-js'  -> node_modules/@auth0/auth0-spa-js/dist/ (index.js re-exports its ESM build)
// Listens on 127.0.0.1 only. Usage: const s = await startStatic({ root: 'www', port: 3000, sdk: 'wasm' }); await s.stop();
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.map': 'application/json', '.ts': 'text/plain; charset=utf-8',
};

/** Where `/sdk/` points for each SDK name. */
export function sdkDir(sdk) {
  return sdk === 'auth0-spa-js' ? path.join(REPO, 'node_modules/@auth0/auth0-spa-js/dist') : path.join(REPO, 'dist');
}

/**
 * Starts the server. `root` is served at `/`; `mounts` maps extra URL prefixes to folders;
 * `headers` adds response headers to every response (e.g. COOP/COEP for cross-origin-isolation
 * tests): an object, or a function of the request returning one.
 * Returns { url, port, stop() }.
 */
export async function startStatic({ root = 'www', port = 0, sdk = 'wasm', mounts = {}, headers = {} } = {}) {
  const table = { '/sdk/': sdkDir(sdk), ...mounts };
  const rootDir = path.resolve(REPO, root);
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let pathname = decodeURIComponent(url.pathname);
      // auth0-spa-js ships its ESM build under another name: expose it as /sdk/index.js too.
      if (sdk === 'auth0-spa-js' && pathname === '/sdk/index.js') pathname = '/sdk/auth0-spa-js.production.esm.js';
      let base = rootDir;
      let rel = pathname;
      for (const [prefix, dir] of Object.entries(table)) {
        if (pathname.startsWith(prefix)) { base = path.resolve(REPO, dir); rel = pathname.slice(prefix.length - 1); break; }
      }
      let file = path.join(base, rel);
      if (!file.startsWith(base)) { res.writeHead(403).end(); return; }
      let stat = await fs.stat(file).catch(() => null);
      if (stat && stat.isDirectory()) { file = path.join(file, 'index.html'); stat = await fs.stat(file).catch(() => null); }
      // Single-page-app fallback: unknown paths without an extension serve the root index.html,
      // so /callback?code=... lands on the app.
      if (!stat && !path.extname(file)) { file = path.join(rootDir, 'index.html'); stat = await fs.stat(file).catch(() => null); }
      if (!stat) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      const body = await fs.readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        ...(typeof headers === 'function' ? headers(req) : headers),
      });
      res.end(body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err && err.message));
    }
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
  const s = await startStatic({ root: arg('root', 'www'), port: Number(arg('port', '3000')), sdk: arg('sdk', 'wasm') });
  console.log(JSON.stringify({ ready: true, url: s.url }));
  const stop = async () => { await s.stop(); process.exit(0); };
  process.on('SIGTERM', stop); process.on('SIGINT', stop);
}
