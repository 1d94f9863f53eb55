// End-to-end harness: the local tenant (in-process), static servers for the test pages and the
// demo, and headless Chromium driven by playwright-core.
//
// Why: the SDK is only proven where it runs, in a real browser against a real OpenID Connect
// server, across redirects, popups, iframes and tabs. The same pages load either this package
// (`E2E_SDK=wasm`, the default: dist/, built by scripts/build.sh) or @auth0/auth0-spa-js
// (`E2E_SDK=auth0-spa-js`), so every test doubles as a compatibility check against the original.
//
// Everything listens on 127.0.0.1 on free ports; every wait is bounded; `stop()` tears down the
// browser (its process by PID if closing hangs), the servers and temp folders, and is safe to call
// twice or after a failed start.
//
//   const env = await startEnv();                  // tenant + pages server + browser
//   const { context, page } = await env.newPage({ cacheLocation: 'localstorage' });
//   ...
//   await env.stop();

import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startTenant } from '../../tenant/server.mjs';
import { startResourceServer } from '../../tenant/resource.mjs';
import { startStatic } from '../support/static-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Repository root. */
export const REPO = path.resolve(HERE, '..', '..');

/** The SDK under test: 'wasm' (this package, dist/) or 'auth0-spa-js'. */
export const SDK = process.env.E2E_SDK || 'wasm';

/**
 * A host name that resolves to 127.0.0.1 in the tests' browser (CHROMIUM_ARGS): plain http to it is
 * an insecure context, unlike http://127.0.0.1 and http://localhost (security case C9).
 */
export const INSECURE_HOST = 'insecure.test';

/** Chromium flags that work on these machines (see docs/toolchain.md): no GPU, no outside traffic. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
];

/** Default per-action timeout inside pages (ms). */
export const ACTION_TIMEOUT = 15_000;

/** Rejects after `ms` with a message naming what timed out. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/** Fails early, with the command to run, when the wasm package has not been built. */
export function assertSdkBuilt() {
  if (SDK === 'wasm' && !existsSync(path.join(REPO, 'dist', 'index.js'))) {
    throw new Error('dist/index.js is missing: build the package first (bash scripts/build.sh), '
      + 'or run against the original with E2E_SDK=auth0-spa-js');
  }
  if (SDK === 'auth0-spa-js' && !existsSync(path.join(REPO, 'node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.esm.js'))) {
    throw new Error('node_modules/@auth0/auth0-spa-js is missing: run bash scripts/setup.sh');
  }
}

/** Name of the cookie whose value the test pages send back as their Content-Security-Policy. */
export const CSP_COOKIE = 'e2e-csp';

/** Response headers of the test pages: the CSP a test put in the `e2e-csp` cookie, if any. */
function cspFromCookie(req) {
  const m = new RegExp(`(?:^|;\\s*)${CSP_COOKIE}=([^;]*)`).exec(req.headers.cookie || '');
  return m ? { 'content-security-policy': decodeURIComponent(m[1]) } : {};
}

/**
 * Starts the environment.
 * @param {object} [o]
 * @param {object} [o.tenant]   extra startTenant options (default: autoLogin, accessTokenTtl 3600)
 * @param {boolean} [o.demo]    also serve a copy of www/ with a config.json pointing at the tenant
 * @param {boolean} [o.browser=true]
 * @param {string} [o.sdkDir]   serve this folder as the SDK under test (/sdk/) instead of dist/
 * @param {object} [o.mounts]   more URL prefixes of the pages server mapped to folders (e.g. a second SDK)
 * @param {boolean} [o.api]     also start the resource server of tenant/resource.mjs, as env.api
 */
export async function startEnv(o = {}) {
  assertSdkBuilt();
  const cleanups = [];
  const env = {
    sdk: SDK, tenant: undefined, pages: undefined, demo: undefined, browser: undefined, browserPid: undefined,
    stop: async () => {
      // Reverse order; every step bounded and independent of the others' failures.
      while (cleanups.length) {
        const [what, fn] = cleanups.pop();
        try { await withTimeout(Promise.resolve().then(fn), 10_000, `stopping ${what}`); } catch (err) {
          console.error(`[e2e] ${err.message}`);
        }
      }
    },
  };
  try {
    const pagesServer = { root: path.join(HERE, 'pages'), port: 0, sdk: SDK, headers: cspFromCookie };
    pagesServer.mounts = { ...(o.mounts || {}) };
    if (o.sdkDir) pagesServer.mounts['/sdk/'] = o.sdkDir;
    env.pages = await withTimeout(startStatic(pagesServer), 10_000, 'pages server start');
    cleanups.push(['pages server', () => env.pages.stop()]);
    const spa = [env.pages.url];
    let demoDir;
    if (o.demo) {
      demoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'e2e-www-'));
      cleanups.push(['demo folder', () => fs.rm(demoDir, { recursive: true, force: true })]);
      await fs.cp(path.join(REPO, 'www'), demoDir, { recursive: true });
      env.demo = await withTimeout(startStatic({ root: demoDir, port: 0, sdk: SDK }), 10_000, 'demo server start');
      cleanups.push(['demo server', () => env.demo.stop()]);
      spa.push(env.demo.url);
    }
    env.tenant = await withTimeout(startTenant({ port: 0, spa, autoLogin: true, accessTokenTtl: 3600, ...(o.tenant || {}) }), 20_000, 'tenant start');
    cleanups.push(['tenant', () => env.tenant.stop()]);
    env.tenantDefaults = env.tenant.config();
    if (o.api) {
      env.api = await withTimeout(startResourceServer({ tenant: env.tenant }), 10_000, 'resource server start');
      cleanups.push(['resource server', () => env.api.stop()]);
    }
    if (demoDir) {
      await fs.writeFile(path.join(demoDir, 'config.json'), JSON.stringify({
        domain: env.tenant.url, clientId: env.tenant.clientId, sdk: SDK,
      }));
    }
    if (o.browser !== false) {
      const server = await chromium.launchServer({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000,
      });
      const proc = server.process();
      env.browserPid = proc.pid;
      cleanups.push(['browser process', async () => {
        try { await withTimeout(server.close(), 5_000, 'browser server close'); } catch {
          // Closing hung: kill the process group we started, by PID.
          try { process.kill(-proc.pid, 'SIGKILL'); } catch { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ } }
        }
      }]);
      env.browser = await chromium.connect(server.wsEndpoint(), { timeout: 15_000 });
      cleanups.push(['browser connection', () => env.browser.close()]);
    }
  } catch (err) {
    await env.stop();
    throw err;
  }

  /** Resets the tenant between tests: settings back to the start values, stats and faults cleared. */
  env.resetTenant = (patch = {}) => {
    env.tenant.configure({ ...env.tenantDefaults, ...patch });
    env.tenant.clearFaults();
    env.tenant.resetStats();
  };

  /**
   * A fresh browser context (own cookies and storage) whose pages see `window.__E2E_CFG`
   * (tenant URL, client id, SDK options) before any script runs.
   */
  env.newContext = async (options = {}) => {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
    context.setDefaultTimeout(ACTION_TIMEOUT);
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT);
    const cfg = { domain: env.tenant.url, clientId: env.tenant.clientId, sdk: SDK, options };
    await context.addInitScript((c) => { window.__E2E_CFG = c; }, cfg);
    const errors = [];
    context.on('weberror', (e) => errors.push(String(e.error()?.stack || e.error())));
    context.errors = errors;
    return context;
  };

  /** A fresh context and one test page loaded and initialised. */
  env.newPage = async (options = {}, query = '') => {
    const context = await env.newContext(options);
    const page = await context.newPage();
    await openTestPage(page, env.pages.url, query);
    return { context, page };
  };

  return env;
}

/**
 * Loads the test page and waits until its client exists (and a redirect callback, if any, is handled).
 * Returns the page's `__state` object.
 */
export async function openTestPage(page, baseUrl, query = '') {
  await page.goto(`${baseUrl}/${query}`, { waitUntil: 'load' });
  return waitForApp(page, baseUrl);
}

/**
 * Waits until the test page at `baseUrl` reports it is initialised. Survives navigations
 * (redirect login, logout) by re-polling whenever the execution context goes away.
 */
export async function waitForApp(page, baseUrl, timeout = ACTION_TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      if (page.url().startsWith(baseUrl)) {
        const state = await page.evaluate(() => (window.__state && window.__state.phase !== 'init' ? window.__state : null));
        if (state) {
          if (state.phase === 'failed') throw Object.assign(new Error(`test page failed to start: ${JSON.stringify(state.initError)}`), { fatal: true });
          return state;
        }
      }
    } catch (err) {
      if (err.fatal) throw err;
      last = err; // navigation in progress: the context was destroyed; try again
    }
    await sleep(50);
  }
  throw new Error(`test page at ${baseUrl} did not become ready within ${timeout} ms (at ${page.url()})${last ? `: ${last.message}` : ''}`);
}

/** Polls `fn` in the page until it returns a truthy value (bounded). */
export async function pollPage(page, fn, arg, timeout = ACTION_TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await page.evaluate(fn, arg);
      if (v) return v;
    } catch (err) { last = err; }
    await sleep(50);
  }
  throw new Error(`condition not met within ${timeout} ms${last ? `: ${last.message}` : ''}`);
}

/**
 * Runs `action` (which makes the page navigate away, e.g. a redirect login or logout) and waits
 * until a NEW document of the test page at `baseUrl` is initialised. The old document is marked
 * first, so its state is never mistaken for the new one.
 */
export async function navigateAndWait(page, baseUrl, action, timeout = ACTION_TIMEOUT) {
  await page.evaluate(() => { window.__stale = true; });
  try { await action(); } catch (err) {
    if (!/context was destroyed|navigat/i.test(String(err && err.message))) throw err;
  }
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      if (page.url().startsWith(baseUrl)) {
        const fresh = await page.evaluate(() => !window.__stale && !!window.__state);
        if (fresh) return waitForApp(page, baseUrl, Math.max(1, deadline - Date.now()));
      }
    } catch (err) {
      if (err.fatal) throw err;
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`no new page at ${baseUrl} within ${timeout} ms (at ${page.url()})${last ? `: ${last.message}` : ''}`);
}

/** Redirect login on a test page: starts it, lets the tenant log in, waits for the handled callback. */
export async function loginWithRedirect(page, baseUrl, options = {}) {
  const state = await navigateAndWait(page, baseUrl, () => page.evaluate((o) => { window.__loginRedirect(o); }, options));
  if (!state.callback) throw new Error(`no redirect callback was handled (at ${page.url()})`);
  if (!state.callback.ok) throw new Error(`redirect callback failed: ${JSON.stringify(state.callback.error)}`);
  return state;
}

/** The SDK's localStorage entries of a page's origin, parsed: [{ key, value }]. */
export function readCache(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@'))
    .map((key) => {
      let value;
      try { value = JSON.parse(localStorage.getItem(key)); } catch { value = localStorage.getItem(key); }
      return { key, value };
    }));
}

/** Refresh tokens currently in the page's localStorage cache. */
export async function refreshTokensInStorage(page) {
  const entries = await readCache(page);
  return entries.map((e) => e.value && e.value.body && e.value.body.refresh_token).filter(Boolean);
}

/** Makes every cached access token of the page's origin look expired (same layout in both SDKs). */
export function expireCachedTokens(page) {
  return page.evaluate(() => {
    let n = 0;
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith('@@auth0spajs@@')) continue;
      let v;
      try { v = JSON.parse(localStorage.getItem(key)); } catch { continue; }
      if (v && v.body && v.body.access_token && typeof v.expiresAt === 'number') {
        v.expiresAt = Math.floor(Date.now() / 1000) - 1;
        localStorage.setItem(key, JSON.stringify(v));
        n += 1;
      }
    }
    return n;
  });
}

/**
 * Waits until `page` sees every cached access token of its origin as expired: another tab's
 * localStorage writes reach a page a little later (Chromium runs tabs in separate processes), so
 * a test that expires the tokens in one tab and renews in another waits for this first.
 */
export async function waitForExpiredView(page, timeout = ACTION_TIMEOUT) {
  await pollPage(page, () => {
    const now = Math.floor(Date.now() / 1000);
    let live = 0;
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith('@@auth0spajs@@')) continue;
      let v;
      try { v = JSON.parse(localStorage.getItem(key)); } catch { continue; }
      if (v && v.body && v.body.access_token && typeof v.expiresAt === 'number' && v.expiresAt > now) live += 1;
    }
    return live === 0;
  }, undefined, timeout);
}

/** Token-endpoint counters of the tenant. */
export function tokenStats(tenant) {
  const s = tenant.stats();
  return {
    total: s.token.total,
    refresh: s.token.byGrantType.refresh_token || 0,
    code: s.token.byGrantType.authorization_code || 0,
    reuse: s.refreshTokenReuse,
    authorizeNone: s.authorize.byPrompt.none || 0,
    grantErrors: s.grantErrors,
  };
}

/** Creates test-output/ and returns the path of a file in it. */
export async function outputPath(name) {
  const dir = path.join(REPO, 'test-output');
  await fs.mkdir(dir, { recursive: true });
  return path.join(dir, name);
}

/** Closes `context` when test `t` ends (bounded; a failure to close is ignored). */
export function closeWithTest(t, context) {
  t.after(() => withTimeout(context.close(), 10_000, 'context close').catch(() => {}));
  return context;
}

/**
 * A fresh context of `env` (see `env.newContext`), closed when test `t` ends, with `initScript`
 * (if any) run in every page before the page's own scripts.
 */
export async function testContext(env, t, options, initScript) {
  const context = closeWithTest(t, await env.newContext(options));
  if (initScript) await context.addInitScript(initScript);
  return context;
}

/** A fresh context with one initialised test page of `env` (at `query`); closed when test `t` ends. */
export async function freshPage(env, t, options, query = '') {
  const { context, page } = await env.newPage(options, query);
  closeWithTest(t, context);
  return { context, page };
}

/** `getTokenSilently(opts)` in the test page, as `{ ok, value | error }` (see pages/page.js `__try`). */
export function getToken(page, opts = {}) {
  return page.evaluate((o) => window.__try(() => window.__client.getTokenSilently(o)), opts);
}

/** Names of the SDK's cookies (`auth0.*` and their `_legacy_` twins). */
export function sdkCookies(cookies) {
  return cookies.filter((c) => /^(_legacy_)?auth0\./.test(c.name)).map((c) => c.name);
}
