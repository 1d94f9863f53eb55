#!/usr/bin/env node
// Side-by-side benchmark: this SDK (dist/, built by `npm run build`) against @auth0/auth0-spa-js,
// in the same run, on identical work, in headless Chromium against the local tenant.
//
// Why: absolute times on the project's machines move from run to run (2 shared cores), so a
// figure only means something next to auth0-spa-js measured in the same process, browser and
// minute. Every figure is reported for both SDKs with the ratio (this SDK ÷ auth0-spa-js).
// The figures follow docs/performance.md (ids a–h).
//
//   node bench/run.mjs                 full run (a few minutes) -> bench/results/latest.{json,md}
//   node bench/run.mjs --quick         smoke test: figure (b) only, 2 runs -> bench/results/quick.{json,md}
//   node bench/run.mjs --only c,d --runs 3 --sdk auth0-spa-js
//   node bench/run.mjs --help
//
// Everything listens on 127.0.0.1 and is stopped before exit (also on a timeout or Ctrl-C).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startStatic } from '../tests/support/static-server.mjs';
import { startTenant } from '../tenant/server.mjs';
// The bench page's measurements (window.B, bench/pages/app.js), named in the functions page.evaluate runs there.
/* global B */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const rel = (p) => path.relative(REPO, p) || '.';

// ---------------------------------------------------------------------------------------------
// Options

const FIGURES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

const USAGE = `usage: node bench/run.mjs [options]
  --quick               smoke test: figure b only, 2 runs, results to <out>/quick.{json,md}
  --only a,b,...        figures to measure (default all: ${FIGURES.join(',')}); h is collected from the logins
  --sdk a,b             SDKs: auth0-spa-js,wasm (default both; wasm is skipped when dist/index.js is missing)
  --runs N              runs per figure, overriding every default below (a --runs-X beats it)
  --runs-b N (10)  --runs-c N (5)  --runs-d N (3)  --runs-e N (3)  --runs-e-load N (10)  --runs-f N (5)  --runs-g N (5)
  --calls N (2000)      c: timed getTokenSilently() calls per run      --warmup N (50) c: untimed calls first
  --pairs N (40)        d: (SDK refresh, raw fetch) pairs per run
  --concurrency N (50)  e: concurrent calls per page                   --tabs N (4) e: tabs
  --token-delay N (50)  e: ms the token endpoint waits in the concurrent-call cases (widens the race)
  --silent N (10)       g: iframe calls per run
  --out DIR (bench/results)   --name NAME (latest, or quick with --quick)
  --timeout S           give up (partial results, exit 1) after S seconds (default 600, quick 120)
  --chromium PATH       browser binary (default $CHROMIUM or /usr/bin/chromium)
  --dist DIR            this SDK's build to measure (default dist/), e.g. dist/file (the auth0-spa-wasm/file entry)`;

function parseArgs(argv) {
  const o = {
    quick: false, only: null, sdks: ['auth0-spa-js', 'wasm'], runs: null,
    runsOf: { b: 10, c: 5, d: 3, e: 3, eLoad: 10, f: 5, g: 5 },
    calls: 2000, warmup: 50, pairs: 40, concurrency: 50, tabs: 4, tokenDelay: 50, silent: 10,
    out: path.join(HERE, 'results'), name: null, timeout: null, dist: path.join(REPO, 'dist'),
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  };
  const explicit = {};
  const num = (name, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, not ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq === -1 ? undefined : eq) : null;
    const val = () => {
      if (eq !== -1) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
      return argv[++i];
    };
    switch (name) {
      case 'quick': o.quick = true; break;
      case 'only': o.only = val().split(',').map((s) => s.trim()).filter(Boolean); break;
      case 'sdk': o.sdks = val().split(',').map((s) => s.trim()).filter(Boolean); break;
      case 'runs': o.runs = num(name, val()); break;
      case 'runs-b': explicit.b = num(name, val()); break;
      case 'runs-c': explicit.c = num(name, val()); break;
      case 'runs-d': explicit.d = num(name, val()); break;
      case 'runs-e': explicit.e = num(name, val()); break;
      case 'runs-e-load': explicit.eLoad = num(name, val()); break;
      case 'runs-f': explicit.f = num(name, val()); break;
      case 'runs-g': explicit.g = num(name, val()); break;
      case 'calls': o.calls = num(name, val()); break;
      case 'warmup': o.warmup = num(name, val()); break;
      case 'pairs': o.pairs = num(name, val()); break;
      case 'concurrency': o.concurrency = num(name, val()); break;
      case 'tabs': o.tabs = num(name, val()); break;
      case 'token-delay': o.tokenDelay = num(name, val()); break;
      case 'silent': o.silent = num(name, val()); break;
      case 'out': o.out = path.resolve(val()); break;
      case 'name': o.name = val(); break;
      case 'timeout': o.timeout = num(name, val()); break;
      case 'chromium': o.chromium = val(); break;
      case 'dist': o.dist = path.resolve(val()); break;
      case 'help': o.help = true; break;
      default: throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (o.quick) {
    o.only ??= ['b'];
    o.runsOf.b = 2;
  }
  if (o.runs !== null) for (const k of Object.keys(o.runsOf)) o.runsOf[k] = o.runs;
  Object.assign(o.runsOf, explicit); // --runs-X beats --runs
  for (const [k, v] of Object.entries(o.runsOf)) if (v < 1) throw new Error(`runs of ${k} must be at least 1`);
  o.only ??= FIGURES;
  for (const f of o.only) if (!FIGURES.includes(f)) throw new Error(`--only: unknown figure ${f} (known: ${FIGURES.join(',')})`);
  for (const s of o.sdks) if (!['auth0-spa-js', 'wasm'].includes(s)) throw new Error(`--sdk: unknown SDK ${s}`);
  o.name ??= o.quick ? 'quick' : 'latest';
  o.timeout ??= o.quick ? 120 : 600;
  for (const k of ['calls', 'pairs', 'concurrency', 'tabs', 'silent']) if (o[k] < 1) throw new Error(`--${k} must be at least 1`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

const sorted = (xs) => [...xs].sort((a, b) => a - b);
function median(xs) {
  if (!xs.length) return null;
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** { median, min, max, n } of a sample list. */
function summary(xs) {
  if (!xs.length) return null;
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}
function fmtNum(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toFixed(d);
}

// ---------------------------------------------------------------------------------------------
// Main

const opts = (() => {
  try { return parseArgs(process.argv.slice(2)); } catch (e) { console.error(e.message); process.exit(2); }
})();
if (opts.help) { console.log(USAGE); process.exit(0); }

const started = Date.now();
const log = (...a) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`, ...a);

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const spaPkgPath = path.join(REPO, 'node_modules/@auth0/auth0-spa-js/package.json');
const spaVersion = fs.existsSync(spaPkgPath) ? JSON.parse(fs.readFileSync(spaPkgPath, 'utf8')).version : null;

/** The SDKs under test. `status` becomes 'not built' / 'not installed' when its files are missing. */
const SDKS = [
  { id: 'auth0-spa-js', label: `auth0-spa-js ${spaVersion ?? '?'}`, serve: 'auth0-spa-js', entry: path.join(REPO, 'node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.esm.js') },
  { id: 'wasm', label: `${pkg.name} ${pkg.version} (this SDK)`, serve: 'wasm', entry: path.join(opts.dist, 'index.js'), mounts: { '/sdk/': opts.dist } },
].filter((s) => opts.sdks.includes(s.id));
for (const s of SDKS) {
  s.status = 'measured';
  if (!fs.existsSync(s.entry)) {
    s.status = s.id === 'wasm' ? 'not built' : 'not installed';
    s.reason = s.id === 'wasm'
      ? `${rel(s.entry)} is missing: run \`npm run build\` (scripts/build.sh) first`
      : `${rel(s.entry)} is missing: run \`npm install\``;
  }
}
const live = SDKS.filter((s) => s.status === 'measured');
const REF = SDKS.find((s) => s.id === 'auth0-spa-js');
const OURS = SDKS.find((s) => s.id === 'wasm');

/** results[key][sdkId] = { samples: [...], ... } or { error } */
const results = {};
const notes = [];
const record = (key, sdkId, patch) => { results[key] ??= {}; results[key][sdkId] = { ...(results[key][sdkId] ?? {}), ...patch }; };
const push = (key, sdkId, field, value) => {
  results[key] ??= {};
  results[key][sdkId] ??= {};
  (results[key][sdkId][field] ??= []).push(value);
};
const failed = (key, sdkId) => Boolean(results[key]?.[sdkId]?.error);
const errors = [];

let browser;
let tenant;
const servers = {};
let finished = false;

async function cleanup() {
  const closers = [];
  if (browser) closers.push(browser.close().catch(() => {}));
  if (tenant) closers.push(tenant.stop().catch(() => {}));
  for (const s of Object.values(servers)) closers.push(s.stop().catch(() => {}));
  await Promise.race([Promise.all(closers), new Promise((r) => setTimeout(r, 5000))]);
  browser = undefined; tenant = undefined;
  for (const k of Object.keys(servers)) delete servers[k];
}

const watchdog = setTimeout(async () => {
  if (finished) return;
  finished = true;
  console.error(`[bench] timed out after ${opts.timeout}s: writing partial results and stopping`);
  notes.push(`INCOMPLETE: the run hit its ${opts.timeout}s time limit.`);
  await cleanup();
  writeResults(true);
  process.exit(1);
}, opts.timeout * 1000);
watchdog.unref();
// Last resort, on its own thread: if the main thread is ever blocked (so neither the watchdog
// above nor a SIGTERM handler can run), the process is killed 20 s after the deadline. Chromium
// exits by itself when its control pipe closes; the servers live in this process.
{
  const hard = new Worker(`const { workerData } = require('node:worker_threads');
    setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms);`, { eval: true, workerData: { pid: process.pid, ms: opts.timeout * 1000 + 20000 } });
  hard.unref();
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (finished) return;
    finished = true;
    console.error(`[bench] ${sig}: stopping`);
    await cleanup();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Environment: one static server per SDK (two origins), the stub server, the tenant, the browser

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function setUp() {
  log('starting the static servers, the tenant and Chromium');
  for (const s of live) {
    servers[s.id] = await startStatic({ root: 'bench/pages', port: 0, sdk: s.serve, mounts: s.mounts ?? {} });
    s.url = servers[s.id].url;
  }
  if (opts.only.includes('b') && live.length) {
    servers.stub = await startStatic({ root: 'bench/pages', port: 0, sdk: 'wasm', mounts: { '/sdk/': 'bench/stub' } });
  }
  tenant = await startTenant({ port: 0, spa: Object.values(servers).map((s) => s.url), autoLogin: true, accessTokenTtl: 3600 });
  log(`tenant up at ${tenant.url}; launching ${opts.chromium}`);
  browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS });
  log(`tenant ${tenant.url}; ${live.map((s) => `${s.id} ${s.url}`).join('; ')}; chromium ${browser.version()}`);
}

/** Client options for a page of `sdk`. The same object goes to both SDKs. */
function cfgFor(sdk, { cache = 'localstorage', refresh = true } = {}) {
  return {
    domain: tenant.url,
    clientId: tenant.clientId,
    cacheLocation: cache,
    useRefreshTokens: refresh,
    authorizationParams: { redirect_uri: `${sdk.url}/callback` },
  };
}
const CFG_LS = { cache: 'localstorage', refresh: true };
const CFG_MEM = { cache: 'memory', refresh: true };

async function newContext(storageState) {
  const ctx = await browser.newContext(storageState ? { storageState } : {});
  ctx.setDefaultTimeout(20000);
  return ctx;
}

async function withContext(storageState, fn) {
  const ctx = await newContext(storageState);
  try { return await fn(ctx); } finally { await ctx.close().catch(() => {}); }
}

async function openApp(ctx, sdk) {
  const page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e && e.message)));
  page.pageErrors = pageErrors;
  await page.goto(`${sdk.url}/`);
  await waitFor(page, () => window.B, 'the bench page (window.B)');
  return page;
}

async function waitFor(page, fn, what) {
  try {
    await page.waitForFunction(fn, null, { timeout: 20000 });
  } catch (e) {
    const extra = page.pageErrors?.length ? `; page errors: ${page.pageErrors.join(' | ')}` : '';
    throw new Error(`timed out waiting for ${what}${extra}`, { cause: e });
  }
}

/** Runs a redirect login in `page` (autoLogin tenant) and handleRedirectCallback(); returns its ms (figure h). */
async function loginInPage(page, sdk, cfgKind) {
  const cfg = cfgFor(sdk, cfgKind);
  if (!page.url().startsWith(sdk.url)) {
    await page.goto(`${sdk.url}/`);
    await waitFor(page, () => window.B, 'the bench page (window.B)');
  }
  await page.evaluate((c) => B.init(c), cfg);
  const back = page.waitForURL((u) => u.origin === sdk.url && u.pathname === '/callback' && u.searchParams.has('code'), { timeout: 20000 });
  back.catch(() => {});
  // The evaluation dies with the page when the SDK navigates; an SDK error comes back at once.
  const r = await page.evaluate(() => B.login().then(() => 'ok', (e) => `ERR ${(e && (e.stack || e.message)) || e}`)).catch(() => 'navigated');
  if (r.startsWith('ERR ')) throw new Error(`loginWithRedirect() failed: ${r.slice(4)}`);
  try {
    await back;
  } catch {
    throw new Error(`the login did not come back to /callback?code=... (now at ${page.url().slice(0, 120)})`);
  }
  await waitFor(page, () => window.B, 'the callback page (window.B)');
  await page.evaluate((c) => B.init(c), cfg);
  const ms = await page.evaluate(() => B.callback());
  push(cfgKind.cache === 'memory' ? 'h_memory' : 'h', sdk.id, 'samples', ms);
  return ms;
}

/** A fresh login in its own browser context; the storage state (localStorage cache + cookies of both origins). */
async function freshSession(sdk, stale = false) {
  // stale: the tenant answers expires_in 0, so neither SDK serves the session's access token from
  // its cache and the next getTokenSilently() refreshes.
  tenant.configure({ accessTokenTtl: 3600, staleAccessTokens: stale });
  return withContext(null, async (ctx) => {
    const page = await openApp(ctx, sdk);
    await loginInPage(page, sdk, CFG_LS);
    return ctx.storageState();
  });
}

const tenantRequests = () => { const s = tenant.stats(); return s.token.total + s.authorize.total; };

/** Runs `fn(sdk, run)` for every run, interleaving the SDKs; the first error of an SDK stops its runs. */
async function interleave(key, runs, fn, sdks = live) {
  for (let run = 0; run < runs; run++) {
    for (const sdk of sdks) {
      if (failed(key, sdk.id)) continue;
      try {
        await fn(sdk, run);
      } catch (e) {
        const msg = String((e && e.message) || e).split('\n')[0];
        record(key, sdk.id, { error: msg });
        errors.push(`${key} ${sdk.id}: ${msg}`);
        log(`  ${key} ${sdk.id}: ERROR ${msg}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Figures

/** (a) Bytes the browser fetches for the SDK: every response under /sdk/ (JS and wasm), raw / gzip -9 / brotli q11. */
async function figureA() {
  log('a: download size (network responses under /sdk/)');
  const compress = (buf) => [
    buf.length,
    zlib.gzipSync(buf, { level: 9 }).length,
    zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
  ];
  await interleave('a', 1, async (sdk) => {
    const state = await freshSession(sdk);
    await withContext(state, async (ctx) => {
      const page = await ctx.newPage();
      const bodies = [];
      page.on('response', (r) => {
        const u = new URL(r.url());
        if (u.origin === sdk.url && u.pathname.startsWith('/sdk/')) bodies.push(r.body().then((b) => ({ path: u.pathname, b }), () => null));
      });
      await page.goto(`${sdk.url}/cold.html?c=${encodeURIComponent(JSON.stringify(cfgFor(sdk, CFG_LS)))}`);
      await waitFor(page, () => window.__done, 'createAuth0Client()');
      const done = await page.evaluate(() => window.__done);
      if (done.error) throw new Error(done.error);
      // Exercise the refresh path too, so lazily loaded parts (workers, chunks) are counted.
      const r = await page.evaluate(() => window.__client.getTokenSilently({ cacheMode: 'off' }).then(() => 'ok', (e) => String(e && e.message)));
      if (r !== 'ok') throw new Error(`refresh after init failed: ${r}`);
      await page.waitForLoadState('networkidle').catch(() => {});
      const files = (await Promise.all(bodies)).filter(Boolean);
      if (!files.length) throw new Error('no response under /sdk/ was seen');
      const seen = new Map();
      for (const f of files) if (!seen.has(f.path)) seen.set(f.path, f.b);
      const total = [0, 0, 0];
      const list = [];
      for (const [p, b] of seen) {
        const s = compress(b);
        s.forEach((v, i) => { total[i] += v; });
        list.push({ path: p, raw: s[0], gzip: s[1], brotli: s[2] });
      }
      record('a_raw', sdk.id, { value: total[0] / 1024, files: list });
      record('a_gzip', sdk.id, { value: total[1] / 1024 });
      record('a_brotli', sdk.id, { value: total[2] / 1024 });
      log(`  ${sdk.id}: ${list.length} file(s), ${(total[0] / 1024).toFixed(1)} KiB raw, ${(total[1] / 1024).toFixed(1)} KiB gzip, ${(total[2] / 1024).toFixed(1)} KiB brotli`);
    });
  });
  for (const k of ['a_raw', 'a_gzip', 'a_brotli']) for (const s of live) if (failed('a', s.id)) record(k, s.id, { error: results.a[s.id].error });
}

/** Seeds with a valid access token (ttl 3600), shared by b, c (localStorage), f and g: they never refresh. */
const warmSeeds = {};
async function warmSeed(sdk) {
  warmSeeds[sdk.id] ??= await freshSession(sdk);
  return warmSeeds[sdk.id];
}

/** (b) Cold start: first inline script -> createAuth0Client() resolved, valid session in localStorage. */
async function figureB() {
  log(`b: cold start, ${opts.runsOf.b} run(s) + 1 warm-up per SDK`);
  const stub = servers.stub ? { id: 'stub', url: servers.stub.url } : null;
  const targets = stub ? [...live, stub] : live;
  const once = async (sdk, keep) => {
    const state = sdk.id === 'stub' ? null : await warmSeed(sdk);
    await withContext(state, async (ctx) => {
      const page = await ctx.newPage();
      const before = tenantRequests();
      await page.goto(`${sdk.url}/cold.html?c=${encodeURIComponent(JSON.stringify(sdk.id === 'stub' ? {} : cfgFor(sdk, CFG_LS)))}`);
      await waitFor(page, () => window.__done, 'createAuth0Client()');
      const done = await page.evaluate(() => window.__done);
      if (done.error) throw new Error(done.error);
      if (sdk.id !== 'stub') {
        const hit = await page.evaluate(() => window.__client.getTokenSilently({ cacheMode: 'cache-only' }));
        if (!hit) throw new Error('the seeded session was not picked up (cache-only getTokenSilently gave nothing)');
      }
      const net = tenantRequests() - before;
      if (keep) {
        push('b', sdk.id, 'samples', done.ms);
        if (net) push('b', sdk.id, 'networkRuns', net);
      }
    });
  };
  await interleave('b', 1, (sdk) => once(sdk, false), targets);
  await interleave('b', opts.runsOf.b, (sdk) => once(sdk, true), targets);
  for (const s of live) {
    const r = results.b?.[s.id];
    if (r?.networkRuns) notes.push(`b: ${s.id} made tenant requests during createAuth0Client() in ${r.networkRuns.length} run(s) (expected none).`);
  }
}

/** (c) getTokenSilently() cache hit: mean µs per call, memory and localStorage caches. */
async function figureC() {
  log(`c: cache hit, ${opts.runsOf.c} run(s) × ${opts.calls} calls (after ${opts.warmup}) per cache`);
  await interleave('c_memory', opts.runsOf.c, async (sdk) => {
    await withContext(null, async (ctx) => {
      tenant.configure({ accessTokenTtl: 3600 });
      const page = await openApp(ctx, sdk);
      await loginInPage(page, sdk, CFG_MEM);
      const before = tenantRequests();
      const us = await page.evaluate(([w, n]) => B.cacheLoop(w, n), [opts.warmup, opts.calls]);
      if (tenantRequests() !== before) throw new Error('the memory cache loop made tenant requests');
      push('c_memory', sdk.id, 'samples', us);
    });
  });
  await interleave('c_localstorage', opts.runsOf.c, async (sdk) => {
    await withContext(await warmSeed(sdk), async (ctx) => {
      const page = await openApp(ctx, sdk);
      await page.evaluate((c) => B.create(c), cfgFor(sdk, CFG_LS));
      const before = tenantRequests();
      const us = await page.evaluate(([w, n]) => B.cacheLoop(w, n), [opts.warmup, opts.calls]);
      if (tenantRequests() !== before) throw new Error('the localStorage cache loop made tenant requests');
      push('c_localstorage', sdk.id, 'samples', us);
    });
  });
}

/** Finds a refresh token in a storage state's localStorage values (for the raw-fetch chain of d). */
function findRefreshToken(state) {
  const walk = (v) => {
    if (!v || typeof v !== 'object') return undefined;
    if (typeof v.refresh_token === 'string') return v.refresh_token;
    for (const x of Object.values(v)) { const r = walk(x); if (r) return r; }
    return undefined;
  };
  for (const o of state.origins ?? []) {
    for (const { value } of o.localStorage ?? []) {
      let j;
      try { j = JSON.parse(value); } catch { continue; }
      const r = walk(j);
      if (r) return r;
    }
  }
  return undefined;
}

const BROWSER_HEADERS = /^(host|origin|referer|user-agent|accept|accept-language|accept-encoding|connection|content-length|cookie|sec-.*|priority)$/i;

/** (d) Refresh path: SDK getTokenSilently() with an expired token minus a raw fetch() of the same request, paired. */
async function figureD() {
  log(`d: refresh overhead, ${opts.runsOf.d} run(s) × ${opts.pairs} pairs per cache`);
  // The raw fetch() runs its own refresh-token chain (rotated every call), started from a login
  // of its own, so it never touches the SDK's tokens (no reuse detection).
  let rawRt;
  for (const mode of [CFG_MEM, CFG_LS]) {
    const key = `d_${mode.cache}`;
    await interleave(key, opts.runsOf.d, async (sdk) => {
      if (!rawRt) {
        rawRt = findRefreshToken(await freshSession(sdk, true));
        if (!rawRt) throw new Error('no refresh token found in a fresh localStorage session');
      }
      // Every token response says expires_in 0: each SDK call refreshes.
      const state = mode.cache === 'localstorage' ? await freshSession(sdk, true) : null;
      tenant.configure({ staleAccessTokens: true });
      await withContext(state, async (ctx) => {
        const page = await openApp(ctx, sdk);
        if (mode.cache === 'memory') await loginInPage(page, sdk, mode);
        else await page.evaluate((c) => B.init(c), cfgFor(sdk, mode));
        // One untimed SDK refresh, captured to learn the exact request the SDK sends.
        const captured = [];
        const onReq = (r) => { if (r.method() === 'POST' && r.url().startsWith(`${tenant.url}/oauth/token`)) captured.push(r); };
        page.on('request', onReq);
        const first = await page.evaluate(() => B.token());
        page.off('request', onReq);
        if (first.error || !first.token) throw new Error(`first refresh failed: ${first.error}`);
        const req = captured.at(-1);
        if (!req) throw new Error('the SDK refresh request was not seen');
        const headers = {};
        for (const [k, v] of Object.entries(await req.allHeaders())) if (!BROWSER_HEADERS.test(k) && !k.startsWith(':')) headers[k] = v;
        const body = req.postData() ?? '';
        const kind = /json/i.test(headers['content-type'] ?? '') ? 'json' : 'form';
        const grant = kind === 'json' ? JSON.parse(body).grant_type : new URLSearchParams(body).get('grant_type');
        if (grant !== 'refresh_token') throw new Error(`the SDK sent grant_type=${grant}, not refresh_token`);
        const before = tenant.stats().token.byGrantType.refresh_token ?? 0;
        const out = await page.evaluate(([n, raw]) => B.refreshPairs(n, raw), [opts.pairs, { url: req.url(), headers, body, kind, rt: rawRt }]);
        rawRt = out.rt;
        const made = (tenant.stats().token.byGrantType.refresh_token ?? 0) - before;
        if (made !== 2 * opts.pairs) throw new Error(`expected ${2 * opts.pairs} refresh requests (one per call), the tenant saw ${made}`);
        const diffs = out.sdk.map((v, i) => v - out.raw[i]);
        push(key, sdk.id, 'samples', median(diffs));
        push(key, sdk.id, 'sdkMs', median(out.sdk));
        push(key, sdk.id, 'rawMs', median(out.raw));
        push(key, sdk.id, 'pairs', diffs);
        record(key, sdk.id, { request: { kind, headers: Object.keys(headers) } });
      });
    });
  }
  tenant.configure({ accessTokenTtl: 3600, staleAccessTokens: false });
}

/** (e) Token requests and refresh-token reuse when many callers / tabs find an expired token at once. */
async function figureE() {
  const { concurrency: n, tabs } = opts;
  log(`e: ${n} concurrent calls in one page (${opts.runsOf.e} runs), ${tabs} tabs × ${n} (${opts.runsOf.e} runs), ${tabs} tabs loading (${opts.runsOf.eLoad} runs)`);
  const cfgOf = (sdk) => cfgFor(sdk, CFG_LS);
  const prepare = async (sdk, delay) => {
    const state = await freshSession(sdk, true); // the session's access token is stale at once
    tenant.configure({ staleAccessTokens: false }); // the refreshed token is valid: later callers must reuse it
    tenant.setFaults(delay ? [{ target: 'token', grantType: 'refresh_token', delayMs: delay }] : []);
    tenant.resetStats();
    return state;
  };
  const counts = () => { const s = tenant.stats(); return { requests: s.token.byGrantType.refresh_token ?? 0, reuse: s.refreshTokenReuse }; };
  const keep = (key, sdk, c, extra = {}) => {
    push(key, sdk.id, 'samples', c.requests);
    push(key, sdk.id, 'reuse', c.reuse);
    for (const [k, v] of Object.entries(extra)) push(key, sdk.id, k, v);
  };
  try {
    // e: one page, n concurrent getTokenSilently() on an expired token.
    await interleave('e_page', opts.runsOf.e, async (sdk) => {
      const state = await prepare(sdk, opts.tokenDelay);
      await withContext(state, async (ctx) => {
        const page = await openApp(ctx, sdk);
        await page.evaluate((c) => B.init(c), cfgOf(sdk));
        const r = await page.evaluate((k) => B.concurrent(k), n);
        keep('e_page', sdk, counts(), { failedCalls: n - r.ok });
        if (r.errors.length) record('e_page', sdk.id, { callErrors: r.errors });
      });
    });
    // e': tabs × n concurrent calls at the same instant, shared localStorage.
    await interleave('e_tabs', opts.runsOf.e, async (sdk) => {
      const state = await prepare(sdk, opts.tokenDelay);
      await withContext(state, async (ctx) => {
        const pages = [];
        for (let i = 0; i < tabs; i++) pages.push(await openApp(ctx, sdk));
        await Promise.all(pages.map((p) => p.evaluate((c) => B.init(c), cfgOf(sdk))));
        const at = Date.now() + 300;
        const rs = await Promise.all(pages.map((p) => p.evaluate(([k, t]) => B.concurrent(k, t), [n, at])));
        keep('e_tabs', sdk, counts(), { failedCalls: rs.reduce((a, r) => a + n - r.ok, 0) });
        const errs = [...new Set(rs.flatMap((r) => r.errors))];
        if (errs.length) record('e_tabs', sdk.id, { callErrors: errs });
      });
    });
    // e'': tabs loading the app at once; the refresh happens inside createAuth0Client().
    await interleave('e_load', opts.runsOf.eLoad, async (sdk) => {
      const state = await prepare(sdk, 0);
      await withContext(state, async (ctx) => {
        const pages = [];
        for (let i = 0; i < tabs; i++) {
          const p = await ctx.newPage();
          p.pageErrors = [];
          p.on('pageerror', (e) => p.pageErrors.push(String(e && e.message)));
          pages.push(p);
        }
        const url = `${sdk.url}/cold.html?c=${encodeURIComponent(JSON.stringify(cfgOf(sdk)))}`;
        await Promise.all(pages.map((p) => p.goto(url)));
        await Promise.all(pages.map((p) => waitFor(p, () => window.__done, 'createAuth0Client()')));
        const dones = await Promise.all(pages.map((p) => p.evaluate(() => window.__done)));
        const initErrors = dones.filter((d) => d.error).length;
        const duringLoad = counts();
        // Whatever the tabs left in localStorage must still refresh: a stale (already used)
        // refresh token there makes the server revoke the family, i.e. every tab is logged out.
        await new Promise((r) => setTimeout(r, 200));
        const check = await pages[0].evaluate(() => window.__client
          ? window.__client.getTokenSilently({ cacheMode: 'off' }).then(() => 'ok', (e) => String((e && (e.error_description || e.message)) || e))
          : 'no client');
        const after = counts();
        keep('e_load', sdk, duringLoad, { loggedOut: check === 'ok' ? 0 : 1, reuseAfter: after.reuse, initErrors });
      });
    });
  } finally {
    tenant.clearFaults();
    tenant.configure({ accessTokenTtl: 3600, staleAccessTokens: false });
  }
}

/** (f) JS heap after init (forced GC, Performance.getMetrics JSHeapUsedSize) minus an empty page; plus wasm memories. */
async function figureF() {
  log(`f: heap after init, ${opts.runsOf.f} run(s)`);
  const heapOf = async (ctx, url, what) => {
    const page = await ctx.newPage();
    await page.goto(url);
    await waitFor(page, () => window.__done, what);
    const done = await page.evaluate(() => window.__done);
    if (done.error) throw new Error(done.error);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
    if (typeof heap !== 'number') throw new Error('no JSHeapUsedSize metric');
    const wasm = await page.evaluate(() => {
      let bytes = 0;
      for (const inst of window.__wasmInstances ?? []) {
        for (const v of Object.values((inst && inst.exports) || {})) if (v instanceof WebAssembly.Memory) bytes += v.buffer.byteLength;
      }
      return bytes;
    });
    await cdp.detach().catch(() => {});
    return { heap, wasm };
  };
  await interleave('f', opts.runsOf.f, async (sdk) => {
    const empty = await withContext(null, (ctx) => heapOf(ctx, `${sdk.url}/empty.html`, 'the empty page'));
    const full = await withContext(await warmSeed(sdk), (ctx) => heapOf(ctx, `${sdk.url}/cold.html?wasmmem=1&c=${encodeURIComponent(JSON.stringify(cfgFor(sdk, CFG_LS)))}`, 'createAuth0Client()'));
    const jsKiB = (full.heap - empty.heap) / 1024;
    push('f', sdk.id, 'samples', jsKiB + full.wasm / 1024);
    push('f', sdk.id, 'jsHeap', jsKiB);
    push('f', sdk.id, 'wasmMemory', full.wasm / 1024);
  });
}

/** (g) Silent auth through the hidden iframe: useRefreshTokens false, cacheMode 'off'; ms per call. */
async function figureG() {
  log(`g: iframe silent auth, ${opts.runsOf.g} run(s) × ${opts.silent} calls`);
  await interleave('g', opts.runsOf.g, async (sdk) => {
    await withContext(await warmSeed(sdk), async (ctx) => {
      const page = await openApp(ctx, sdk);
      await page.evaluate((c) => B.init(c), cfgFor(sdk, { cache: 'memory', refresh: false }));
      await page.evaluate(() => B.silentLoop(1)); // warm-up
      const ms = await page.evaluate((n) => B.silentLoop(n), opts.silent);
      push('g', sdk.id, 'samples', median(ms));
      push('g', sdk.id, 'calls', ms);
    });
  });
}

/** (h) handleRedirectCallback(): collected from every login above; if no other figure logged in, a few logins. */
async function figureH() {
  const have = (s) => results.h?.[s.id]?.samples?.length ?? 0;
  const want = Math.max(3, opts.runsOf.c);
  log('h: handleRedirectCallback() (timed inside every login)');
  await interleave('h', want, async (sdk) => { if (have(sdk) < want) await freshSession(sdk); });
}

// ---------------------------------------------------------------------------------------------
// Report

/** Rows of the table: figure key, id, text, unit, kind ('time' | 'size' | 'count'). */
const ROWS = [
  ['a_raw', 'a', 'download size, raw', 'KiB', 'size'],
  ['a_gzip', 'a', 'download size, gzip -9', 'KiB', 'size'],
  ['a_brotli', 'a', 'download size, brotli q11', 'KiB', 'size'],
  ['b', 'b', 'cold start: first script → createAuth0Client() resolved (warm localStorage session)', 'ms', 'time'],
  ['c_memory', 'c', 'getTokenSilently() cache hit, memory cache', 'µs/call', 'time'],
  ['c_localstorage', 'c\'', 'getTokenSilently() cache hit, localStorage cache', 'µs/call', 'time'],
  ['d_memory', 'd', 'refresh: SDK minus raw fetch() of the same request, memory cache', 'ms', 'time'],
  ['d_localstorage', 'd\'', 'refresh: SDK minus raw fetch() of the same request, localStorage cache', 'ms', 'time'],
  ['e_page', 'e', `${opts.concurrency} concurrent getTokenSilently(), expired token, one page`, 'token requests', 'count'],
  ['e_tabs', 'e\'', `${opts.tabs} tabs × ${opts.concurrency} concurrent calls at once, shared localStorage`, 'token requests', 'count'],
  ['e_load', 'e\'\'', `${opts.tabs} tabs loading the app at once, expired tokens (refresh inside createAuth0Client())`, 'token requests', 'count'],
  ['f', 'f', 'JS heap after init minus an empty page, plus wasm memory', 'KiB', 'size'],
  ['g', 'g', 'silent auth through the hidden iframe, per call', 'ms', 'time'],
  ['h', 'h', 'handleRedirectCallback() (code exchange, ID-token checks, cache write)', 'ms', 'time'],
];

function figureValue(r) {
  if (!r || r.error) return null;
  if (typeof r.value === 'number') return { median: r.value, min: r.value, max: r.value, n: 1 };
  return r.samples?.length ? summary(r.samples) : null;
}

function cell(key, r, unit) {
  if (!r) return '–';
  if (r.error) return `error: ${r.error.replace(/\|/g, '\\|').slice(0, 120)}`;
  const v = figureValue(r);
  if (!v) return '–';
  if (key.startsWith('e_')) {
    const runs = r.samples.length;
    const reuseRuns = r.reuse.filter((x) => x > 0).length;
    let s = `${fmtNum(v.median, 0)} (${fmtNum(v.min, 0)}–${fmtNum(v.max, 0)}); reuse in ${reuseRuns}/${runs} runs`;
    if (r.loggedOut) s += `; logged out in ${r.loggedOut.filter(Boolean).length}/${runs}`;
    const failedCalls = (r.failedCalls ?? []).reduce((a, b) => a + b, 0);
    if (failedCalls) s += `; ${failedCalls} calls failed`;
    return s;
  }
  if (v.n === 1) return `${fmtNum(v.median, 1)} ${unit}`;
  let s = `${fmtNum(v.median)} ${unit} (${fmtNum(v.min)}–${fmtNum(v.max)})`;
  if (key === 'f') s += `; JS ${fmtNum(median(r.jsHeap))} + wasm ${fmtNum(median(r.wasmMemory))}`;
  if (key.startsWith('d_')) s += `; SDK ${fmtNum(median(r.sdkMs))} vs raw ${fmtNum(median(r.rawMs))}`;
  return s;
}

function ratioOf(key) {
  if (key.startsWith('e_')) return null;
  const a = figureValue(results[key]?.['auth0-spa-js']);
  const b = figureValue(results[key]?.wasm);
  if (!a || !b || !a.median) return null;
  return b.median / a.median;
}

/**
 * The largest items of the release wasm (scripts/wasm-top.sh, twiggy), when figure a was measured
 * for this SDK: where the bytes are, for whoever works on the size next. Null when twiggy is missing.
 */
function wasmTopTable() {
  if (!opts.only.includes('a') || OURS?.status !== 'measured') return null;
  try {
    return execFileSync('bash', [path.join(REPO, 'scripts/wasm-top.sh')], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 }).trim();
  } catch (e) {
    notes.push(`no wasm size breakdown: ${String(e.stderr || e.message).trim().split('\n').pop()}`);
    return null;
  }
}

let wasmTop = null;

function writeResults(incomplete = false) {
  fs.mkdirSync(opts.out, { recursive: true });
  const date = new Date().toISOString();
  const command = ['node', rel(fileURLToPath(import.meta.url)), ...process.argv.slice(2)].join(' ');
  const machine = {
    node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    chromium: browserVersion,
  };
  let commit = null;
  try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { /* not a checkout */ }
  const built = OURS?.status === 'measured' ? fs.statSync(OURS.entry).mtime.toISOString() : null;
  const figures = {};
  for (const [key, id, what, unit] of ROWS) {
    if (!results[key]) continue;
    figures[key] = { id, what, unit, results: {}, ratio: ratioOf(key) };
    for (const [sid, r] of Object.entries(results[key])) figures[key].results[sid] = { ...r, summary: figureValue(r) };
  }
  const json = {
    date, command, commit, distBuilt: built, incomplete, durationS: Number(((Date.now() - started) / 1000).toFixed(1)), figureDurationsS: durations, machine,
    sdks: SDKS.map(({ id, label, status, reason, url }) => ({ id, label, status, reason, url })),
    settings: { figures: opts.only, runs: opts.runsOf, calls: opts.calls, warmup: opts.warmup, pairs: opts.pairs, concurrency: opts.concurrency, tabs: opts.tabs, tokenDelayMs: opts.tokenDelay, silentCalls: opts.silent },
    figures,
    baselines: results.b?.stub ? { b_stub: { what: 'cold start of a no-op stub SDK (same page)', summary: figureValue(results.b.stub) } } : {},
    h_memory: results.h_memory ? Object.fromEntries(Object.entries(results.h_memory).map(([k, v]) => [k, figureValue(v)])) : undefined,
    notes, errors,
  };
  json.wasmTop = wasmTop;
  fs.writeFileSync(path.join(opts.out, `${opts.name}.json`), `${JSON.stringify(json, null, 2)}\n`);

  const refLabel = REF ? REF.label : 'auth0-spa-js';
  const ourLabel = OURS ? OURS.label : 'this SDK';
  const lines = [];
  lines.push(`# Benchmark: ${ourLabel} vs ${refLabel}${incomplete ? ' (INCOMPLETE)' : ''}`, '');
  lines.push(`- date: ${date}`);
  lines.push(`- command: \`${command}\` (${json.durationS} s)`);
  lines.push(`- checkout: ${commit ?? '?'}${built ? `; dist/ built ${built}` : ''}`);
  lines.push(`- machine: ${machine.cpus} CPUs (${machine.cpuModel ?? '?'}), load ${machine.loadavg.join(' ')}, Node ${machine.node}, Chromium ${machine.chromium ?? '?'} headless`);
  lines.push(`- settings: runs ${Object.entries(opts.runsOf).map(([k, v]) => `${k}=${v}`).join(' ')}; c ${opts.calls} calls after ${opts.warmup}; d ${opts.pairs} pairs/run; e ${opts.concurrency} calls, ${opts.tabs} tabs, token endpoint +${opts.tokenDelay} ms in e/e'`);
  if (opts.quick) lines.push('- **--quick: a smoke test (one figure, 2 runs); not a measurement to quote**');
  for (const s of SDKS) if (s.status !== 'measured') lines.push(`- **${s.label}: ${s.status}** — ${s.reason}; skipped`);
  lines.push('', 'Figures: median (min–max) over runs, each run in a fresh browser context. Ratio = this SDK ÷ auth0-spa-js (lower is better).', '');
  lines.push(`| id | what | ${refLabel} | ${ourLabel} | ratio |`, '| --- | --- | --- | --- | --- |');
  for (const [key, id, what, unit] of ROWS) {
    if (!results[key]) continue;
    const r = ratioOf(key);
    lines.push(`| ${id} | ${what} | ${cell(key, results[key]['auth0-spa-js'], unit)} | ${OURS?.status === 'measured' ? cell(key, results[key].wasm, unit) : OURS ? OURS.status : '–'} | ${r === null ? '–' : `${r.toFixed(2)}×`} |`);
  }
  if (results.b?.stub) lines.push('', `Baseline for b: a no-op stub SDK on the same page: ${cell('b', results.b.stub, 'ms')}.`);
  if (results.h_memory) lines.push('', `h with the memory cache (logins of c/d): ${Object.entries(results.h_memory).map(([k, v]) => `${k} ${cell('h', v, 'ms')}`).join('; ')}.`);
  if (results.a_raw) {
    lines.push('', 'Files fetched under /sdk/ (a):');
    for (const [sid, r] of Object.entries(results.a_raw)) for (const f of r.files ?? []) lines.push(`- ${sid}: \`${f.path}\` ${(f.raw / 1024).toFixed(1)} KiB raw, ${(f.gzip / 1024).toFixed(1)} KiB gzip, ${(f.brotli / 1024).toFixed(1)} KiB brotli`);
  }
  lines.push('', 'How each figure is measured:',
    '- a: sum of the response bodies of every request under /sdk/ during init and one refresh, as seen by the browser; gzip -9 and brotli q11 per file, summed.',
    '- b: `performance.now()` in the first inline script to the resolution of `await createAuth0Client()` in the following module script; valid session seeded in localStorage (and the is.authenticated cookie); no network.',
    '- c: mean of N sequential awaited `getTokenSilently()` after the warm-up; the memory cache is filled by a redirect login in the same page.',
    '- d: pairs of (SDK `getTokenSilently()` with an expired access token, raw `fetch()` with the headers and body the SDK itself sent, own refresh-token chain), alternating order; per run the median of the differences.',
    '- e: refresh_token grant requests counted by the tenant; "reuse" = runs where the tenant detected a refresh-token reuse; "logged out" = a refresh from the state the tabs left failed.',
    '- f: CDP `HeapProfiler.collectGarbage` then `Performance.getMetrics` JSHeapUsedSize, SDK page minus an empty page (separate contexts), plus the byte length of every exported WebAssembly.Memory.',
    '- g: `getTokenSilently({cacheMode: \'off\'})` with `useRefreshTokens: false` (hidden iframe, web_message, code exchange); per run the median call.',
    '- h: `handleRedirectCallback()` timed in the page on /callback in every login of the run.');
  if (wasmTop) lines.push('', 'The 20 largest items of the release wasm (`bash scripts/wasm-top.sh`: twiggy, raw bytes, before compression):', '', wasmTop);
  if (notes.length) lines.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  if (errors.length) lines.push('', 'Errors:', ...errors.map((e) => `- ${e}`));
  fs.writeFileSync(path.join(opts.out, `${opts.name}.md`), `${lines.join('\n')}\n`);
  log(`results: ${rel(path.join(opts.out, `${opts.name}.json`))}, ${rel(path.join(opts.out, `${opts.name}.md`))}`);
  return lines;
}

let browserVersion = null;
let exitCode = 0;
const durations = {};
try {
  for (const s of SDKS) if (s.status !== 'measured') log(`${s.label}: ${s.status} (${s.reason}); skipped`);
  if (!live.length) throw new Error('no SDK to measure');
  await setUp();
  browserVersion = browser.version();
  const steps = { a: figureA, b: figureB, c: figureC, d: figureD, e: figureE, f: figureF, g: figureG, h: figureH };
  for (const f of FIGURES) {
    if (!opts.only.includes(f) || finished) continue;
    const t = Date.now();
    await steps[f]();
    durations[f] = Number(((Date.now() - t) / 1000).toFixed(1));
  }
  if (!opts.only.includes('h')) { delete results.h; delete results.h_memory; }
} catch (e) {
  if (!finished) {
    errors.push(`fatal: ${(e && e.stack) || e}`);
    console.error('[bench] fatal:', e);
  }
  exitCode = 1;
}
if (!finished) {
  finished = true;
  clearTimeout(watchdog);
  await cleanup();
  delete results.a; // per-SDK errors of a are copied onto a_raw/a_gzip/a_brotli
  wasmTop = wasmTopTable();
  const lines = writeResults(false);
  console.log(lines.join('\n'));
  if (errors.length) exitCode = 1;
  process.exit(exitCode);
}
