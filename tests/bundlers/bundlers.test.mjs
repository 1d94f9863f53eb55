// The package as a user gets it, in the four ways a web app loads an npm module: built by Vite,
// by webpack 5, by esbuild, and unbundled in a plain <script type="module"> page with an import
// map. Each app logs in by redirect against the local tenant in headless Chromium and shows the
// user's email.
//
// Why: a package that works from our own test pages can still break in a user's build: a bundler
// that cannot resolve the package's entry, rewrites or drops a wasm URL, chokes on top-level await,
// or mangles the inlined wasm. So the package is packed with `npm pack` (what the registry would
// serve: package.json's `files`/`exports` as they are), installed with `npm install <tarball>` into
// a fresh app folder, and each app is built with the bundler's own production defaults: no plugin,
// loader or option for wasm.
//
// Needs: dist/ (bash scripts/build.sh), /usr/bin/chromium (or $CHROMIUM), and the bundlers vite,
// webpack and esbuild resolvable from this folder (root devDependencies). Everything listens on
// 127.0.0.1; the temp folder, servers and browser are removed in `after`. See README.md here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as h from '../e2e/harness.mjs';
import { startStatic } from '../support/static-server.mjs';

const run = promisify(execFile);
const PKG = 'auth0-spa-wasm';
const EMAIL = 'alice@example.com';
/** One bundler: build + redirect login. */
const T = { timeout: 60_000 };
const BUNDLERS = ['vite', 'webpack', 'esbuild', 'plain'];
/**
 * Every app built: each bundler with the default entry (`auth0-spa-wasm`, the .wasm inlined), and
 * those that emit `new URL('…', import.meta.url)` assets with `auth0-spa-wasm/file` (the .wasm
 * beside the JS). esbuild does not copy such assets (tests/bundlers/README.md), so it has no `file`.
 * `auth0-spa-wasm/full` (the full build inline) is bundled like the default entry, so a Vite build
 * and the plain page stand for it.
 */
const CASES = [
  ...BUNDLERS.map((bundler) => ({ bundler, entry: '.', key: bundler })),
  ...['vite', 'webpack', 'plain'].map((bundler) => ({ bundler, entry: './file', key: `${bundler}-file` })),
  ...['vite', 'plain'].map((bundler) => ({ bundler, entry: './full', key: `${bundler}-full` })),
];
/** The import specifier of a package entry ('.', './file' or './full'). */
const specifier = (entry) => (entry === '.' ? PKG : `${PKG}/${entry.slice(2)}`);
/** The built package folder to pack as dist/ (BUNDLERS_DIST: try another build, e.g. WASM=file). */
const DIST = path.resolve(process.env.BUNDLERS_DIST || path.join(h.REPO, 'dist'));

let work; // temp folder: the packed tarball and the app
let app; // app folder: package.json, node_modules/auth0-spa-wasm, src/, plain/, out/<bundler>/
const entryPaths = {}; // '.' / './file' / './full' -> the browser ESM module, relative to the package folder
const servers = {}; // case key -> static server of its output
let env; // tenant + browser (tests/e2e/harness.mjs)

// ---------------------------------------------------------------------------------------------
// The app: the same source for every bundler.

const mainJs = (from) => `// A minimal single-page app, as in the auth0-spa-js quick start.
import { createAuth0Client } from '${from}';
import { domain, clientId } from './config.js';

const status = document.getElementById('status');
const show = (state, text) => { status.dataset.state = state; status.textContent = text; };

async function main() {
  const auth0 = await createAuth0Client({
    domain,
    clientId,
    authorizationParams: { redirect_uri: location.origin + '/' },
  });
  document.getElementById('login').addEventListener('click', () => {
    auth0.loginWithRedirect().catch((err) => show('failed', String(err && err.stack || err)));
  });
  const params = new URLSearchParams(location.search);
  if (params.has('code') && params.has('state')) {
    await auth0.handleRedirectCallback();
    history.replaceState(null, '', location.pathname);
  }
  const user = await auth0.getUser();
  document.getElementById('user').textContent = user ? user.email : '';
  show('ready', user ? 'signed in' : 'signed out');
}

main().catch((err) => show('failed', String(err && err.stack || err)));
`;

/** The page around the app; `head` adds the script tags (and the plain page's import map). */
function html(title, head) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
${head}
</head>
<body>
<h1>${title}</h1>
<button id="login" type="button">Log in</button>
<p id="status" data-state="loading">loading</p>
<p id="user"></p>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Packing and installing the package.

/**
 * The module a browser loads for `import '<pkg>'` (or `'<pkg>/file'` for `entry` './file'), from
 * the package's own package.json: the `exports[entry]` target under the browser/import/module/
 * default conditions, else (for '.') `module`, else `main`. Undefined when the package names none.
 */
function browserEntry(pkg, entry = '.') {
  const pick = (target) => {
    if (typeof target === 'string') return target;
    if (Array.isArray(target)) {
      for (const t of target) { const r = pick(t); if (r) return r; }
      return undefined;
    }
    if (target && typeof target === 'object') {
      for (const cond of ['browser', 'import', 'module', 'default']) {
        if (cond in target) { const r = pick(target[cond]); if (r) return r; }
      }
    }
    return undefined;
  };
  let exp = pkg.exports;
  if (exp && typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'))) exp = exp[entry];
  else if (entry !== '.') exp = undefined;
  const found = exp !== undefined ? pick(exp) : undefined;
  return entry === '.' ? found || pkg.module || pkg.main : found;
}

/**
 * `npm pack` of the repository's package (package.json as it is, with what its `files` names,
 * default dist/), then `npm install <tarball>` into a fresh app. Returns diagnostics.
 */
async function packAndInstall() {
  const notes = [];
  const stage = path.join(work, 'stage');
  await fs.mkdir(stage);
  const pkg = JSON.parse(await fs.readFile(path.join(h.REPO, 'package.json'), 'utf8'));
  assert.equal(pkg.name, PKG, 'the root package.json is the published package');
  if (!browserEntry(pkg)) {
    // Stop-gap while the root package.json names no entry: without one `import 'auth0-spa-wasm'`
    // resolves to a missing index.js in every bundler. Said loudly, so it is not mistaken for a pass.
    notes.push('package.json names no entry (exports/module/main): the test added '
      + '`exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } }` to the packed copy');
    pkg.exports = { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' };
    pkg.types = './dist/index.d.ts';
    pkg.files = pkg.files || ['dist'];
  }
  delete pkg.scripts; // nothing runs at pack time (npm pack --ignore-scripts says it too)
  await fs.writeFile(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2));
  const include = new Set(['dist', 'README.md', 'LICENSE', 'LICENSE.md', ...(pkg.files || [])]);
  if (DIST !== path.join(h.REPO, 'dist')) {
    notes.push(`dist/ taken from ${DIST}`);
    await fs.cp(DIST, path.join(stage, 'dist'), { recursive: true });
    include.delete('dist');
    include.delete('dist/');
  }
  for (const entry of include) {
    const clean = entry.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!clean || /[*?]/.test(clean) || clean.startsWith('..')) continue;
    const from = path.join(h.REPO, clean);
    if (existsSync(from)) await fs.cp(from, path.join(stage, clean), { recursive: true });
  }
  const npmOpts = { timeout: 60_000, maxBuffer: 16 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } };
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { ...npmOpts, cwd: stage });
  const info = JSON.parse(packed.stdout)[0];
  const tarball = path.join(work, info.filename);
  const files = info.files.map((f) => f.path);
  notes.push(`packed ${info.filename}: ${files.join(', ')} (${info.size} bytes)`);

  await fs.mkdir(app);
  await fs.writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'bundler-test-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], { ...npmOpts, cwd: app });
  const installed = JSON.parse(await fs.readFile(path.join(app, 'node_modules', PKG, 'package.json'), 'utf8'));
  for (const entry of new Set(CASES.map((c) => c.entry))) {
    entryPaths[entry] = browserEntry(installed, entry);
    assert.ok(entryPaths[entry], `the installed package names its entry ${entry}`);
    assert.ok(existsSync(path.join(app, 'node_modules', PKG, entryPaths[entry])), `the installed package has its entry ${entryPaths[entry]}`);
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Builds. Each bundler gets its production defaults and nothing about wasm. Errors fail the test;
// warnings are returned and reported as diagnostics.

async function buildVite(src, out) {
  const { build } = await import('vite');
  const warnings = [];
  const logger = {
    hasWarned: false,
    info() {},
    warn(msg) { warnings.push(msg); this.hasWarned = true; },
    warnOnce(msg) { warnings.push(msg); this.hasWarned = true; },
    error(msg) { warnings.push(`error: ${msg}`); },
    clearScreen() {},
    hasErrorLogged() { return false; },
  };
  await build({
    root: src, configFile: false, envDir: false, customLogger: logger, logLevel: 'warn',
    build: { outDir: out, emptyOutDir: true },
  });
  return warnings;
}

async function buildWebpack(src, out) {
  const { default: webpack } = await import('webpack');
  const compiler = webpack({
    mode: 'production', context: src, entry: './main.js', devtool: false,
    output: { path: out, filename: 'main.js', clean: true },
    infrastructureLogging: { level: 'error' },
  });
  try {
    const stats = await new Promise((resolve, reject) => {
      compiler.run((err, s) => (err ? reject(err) : resolve(s)));
    });
    const json = stats.toJson({ all: false, errors: true, warnings: true });
    if (stats.hasErrors()) throw new Error(`webpack build failed:\n${json.errors.map((e) => e.message).join('\n')}`);
    return json.warnings.map((w) => w.message);
  } finally {
    await new Promise((resolve) => { compiler.close(() => resolve()); });
  }
}

async function buildEsbuild(src, out) {
  const esbuild = await import('esbuild');
  // = esbuild main.js --bundle --format=esm --splitting --minify --outdir=out: with splitting, the
  // package's wasm builds stay chunks of their own, of which a page fetches one (README, Quick start).
  const result = await esbuild.build({
    absWorkingDir: src, entryPoints: ['main.js'], bundle: true, format: 'esm', splitting: true, minify: true,
    outdir: out, logLevel: 'silent',
  });
  return result.warnings.map((w) => w.text);
}

/** The app's source folder for a package entry. */
const srcOf = (entry) => path.join(app, entry === '.' ? 'src' : `src-${entry.slice(2)}`);

/** Builds (or, for 'plain', lays out) the app of one case into out/<key>/ and returns warnings. */
async function buildApp({ bundler, entry, key }) {
  const src = srcOf(entry);
  const out = path.join(app, 'out', key);
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(out, { recursive: true });
  const title = `${specifier(entry)} from ${bundler}`;
  switch (bundler) {
    case 'vite':
      await fs.writeFile(path.join(src, 'index.html'), html(title, '<script type="module" src="./main.js"></script>'));
      return buildVite(src, out);
    case 'webpack': {
      const warnings = await buildWebpack(src, out);
      await fs.writeFile(path.join(out, 'index.html'), html(title, '<script defer src="/main.js"></script>'));
      return warnings;
    }
    case 'esbuild': {
      const warnings = await buildEsbuild(src, out);
      await fs.writeFile(path.join(out, 'index.html'), html(title, '<script type="module" src="/main.js"></script>'));
      return warnings;
    }
    case 'plain': {
      // No build: the browser resolves the bare specifier through an import map to the package's
      // exported entry, served from /node_modules/ as installed.
      const target = `/node_modules/${PKG}/${entryPaths[entry].replace(/^\.\//, '')}`;
      const importMap = JSON.stringify({ imports: { [specifier(entry)]: target } });
      await fs.writeFile(path.join(out, 'index.html'), html(title,
        `<script type="importmap">${importMap}</script>\n<script type="module" src="/src/main.js"></script>`));
      return [];
    }
    default:
      throw new Error(`unknown bundler ${bundler}`);
  }
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  if (!existsSync(path.join(DIST, 'index.js'))) {
    throw new Error('dist/index.js is missing: build the package first (bash scripts/build.sh)');
  }
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'bundlers-'));
  app = path.join(work, 'app');
  const notes = await packAndInstall();
  for (const n of notes) console.log(`[bundlers] ${n}`);
  for (const entry of new Set(CASES.map((c) => c.entry))) {
    await fs.mkdir(srcOf(entry));
    await fs.writeFile(path.join(srcOf(entry), 'main.js'), mainJs(specifier(entry)));
  }
  // One static server per app, started first: the tenant must know their origins (CORS, redirect URIs).
  for (const { bundler, entry, key } of CASES) {
    const out = path.join(app, 'out', key);
    await fs.mkdir(out, { recursive: true });
    const mounts = bundler === 'plain'
      ? { '/node_modules/': path.join(app, 'node_modules'), '/src/': srcOf(entry) }
      : {};
    servers[key] = await startStatic({ root: out, port: 0, mounts });
  }
  env = await h.startEnv({ tenant: { spa: CASES.map((c) => servers[c.key].url) } });
  for (const entry of new Set(CASES.map((c) => c.entry))) {
    await fs.writeFile(path.join(srcOf(entry), 'config.js'),
      `export const domain = ${JSON.stringify(env.tenant.url)};\nexport const clientId = ${JSON.stringify(env.tenant.clientId)};\n`);
  }
}, { timeout: 90_000 });

after(async () => {
  if (env) await env.stop();
  for (const s of Object.values(servers)) {
    await h.withTimeout(s.stop(), 5_000, 'static server stop').catch((err) => console.error(`[bundlers] ${err.message}`));
  }
  if (work) await fs.rm(work, { recursive: true, force: true });
}, { timeout: 60_000 });

/**
 * Bytes of .js/.wasm the app's page loads: the bundle(s), or for 'plain' the app and the files
 * beside the package entry (not the other entry's subfolder).
 */
async function shippedBytes({ bundler, entry, key }) {
  const dirs = bundler === 'plain'
    ? [[srcOf(entry), true], [path.dirname(path.join(app, 'node_modules', PKG, entryPaths[entry])), false]]
    : [[path.join(app, 'out', key), true]];
  let total = 0;
  for (const [dir, recursive] of dirs) {
    for (const e of await fs.readdir(dir, { recursive, withFileTypes: true })) {
      if (e.isFile() && /\.(m?js|wasm)$/.test(e.name)) total += (await fs.stat(path.join(e.parentPath ?? e.path, e.name))).size;
    }
  }
  return total;
}

/** Loads the built app, logs in by redirect, and checks the email is shown. */
async function loginThroughApp(t, { key: bundler }) {
  env.resetTenant();
  const base = servers[bundler].url;
  const context = await env.newContext();
  t.after(() => h.withTimeout(context.close(), 10_000, 'context close').catch(() => {}));
  const page = await context.newPage();
  const failed = [];
  const consoleErrors = [];
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failed.push(`${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => failed.push(`${r.failure()?.errorText} ${r.url()}`));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  const stateOf = () => page.evaluate(() => {
    const s = document.getElementById('status');
    return { state: s && s.dataset.state, text: s && s.textContent };
  });
  const waitState = async (want) => {
    const loc = page.locator(`#status[data-state="${want}"], #status[data-state="failed"]`);
    try {
      await loc.waitFor({ timeout: h.ACTION_TIMEOUT });
    } catch (err) {
      throw new Error(`${bundler}: app not ${want} at ${page.url()}: ${JSON.stringify(await stateOf().catch(() => null))}; `
        + `failed requests: ${JSON.stringify(failed)}; console errors: ${JSON.stringify(consoleErrors)}; page errors: ${JSON.stringify(context.errors)}; ${err.message}`, { cause: err });
    }
    const s = await stateOf();
    assert.equal(s.state, want, `${bundler}: the app failed: ${s.text}; failed requests: ${JSON.stringify(failed)}; console errors: ${JSON.stringify(consoleErrors)}`);
  };

  await page.goto(`${base}/`, { waitUntil: 'load' });
  await waitState('ready');
  assert.equal((await stateOf()).text, 'signed out');
  assert.equal(await page.textContent('#user'), '');

  // Mark the first document, so the "ready" of the returning one is not mistaken for it.
  await page.evaluate(() => { document.getElementById('status').dataset.state = 'left'; });
  await page.click('#login');
  await page.locator('#user', { hasText: EMAIL }).waitFor({ timeout: h.ACTION_TIMEOUT }).catch(async (err) => {
    throw new Error(`${bundler}: no email shown at ${page.url()}: ${JSON.stringify(await stateOf().catch(() => null))}; `
      + `failed requests: ${JSON.stringify(failed)}; console errors: ${JSON.stringify(consoleErrors)}; ${err.message}`);
  });
  await waitState('ready');
  assert.equal(await page.textContent('#user'), EMAIL);
  assert.equal(page.url(), `${base}/`, 'the callback query was removed');
  const stats = h.tokenStats(env.tenant);
  assert.equal(stats.code, 1, 'one authorization-code exchange');
  assert.equal(env.tenant.stats().logins, 1, 'one login at the tenant');
  assert.deepEqual(failed, [], 'no failed request');
  assert.deepEqual(context.errors, [], 'no uncaught page error');
}

for (const c of CASES) {
  const { bundler } = c;
  const how = {
    vite: 'a Vite production build (vite build, no config)',
    webpack: 'a webpack 5 production build (no config beyond entry and output)',
    esbuild: 'an esbuild bundle (--bundle --format=esm --splitting --minify)',
    plain: 'a plain <script type="module"> page with an import map to the installed package',
  }[bundler];
  test(`the package installed from its tarball logs in by redirect from ${how}, importing '${specifier(c.entry)}'`, T, async (t) => {
    const started = Date.now();
    const warnings = await buildApp(c);
    const buildMs = Date.now() - started;
    for (const w of warnings) t.diagnostic(`${c.key} warning: ${String(w).split('\n')[0]}`);
    t.diagnostic(`${c.key}: built in ${buildMs} ms; the browser loads ${await shippedBytes(c)} bytes of JS/wasm`);
    await loginThroughApp(t, c);
  });
}
