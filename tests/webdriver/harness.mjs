// Cross-engine end-to-end harness: the same flows in Chromium, Firefox and WebKit, driven over
// W3C WebDriver (selenium-webdriver's protocol client) against the local tenant.
//
// Why WebDriver and not Playwright: playwright-core drives only its own patched Firefox and WebKit
// builds, which cannot be downloaded here; stock Firefox ESR and WebKitGTK from Debian speak
// WebDriver through their own drivers. The engine is chosen with WD_ENGINE:
//
//   chromium  /usr/bin/chromedriver driving /usr/bin/chromium (headless)
//   firefox   geckodriver (crates.io, built by scripts/setup.sh) driving Firefox ESR (headless)
//   webkit    scripts/webkit-webdriver.mjs: WebKitWebDriver driving MiniBrowser under Xvfb
//
// Every test gets a new browser session (a fresh profile: nothing carries over from an earlier
// test, passed or failed), quit when the test ends. Everything listens on 127.0.0.1 on free ports;
// every wait is bounded; `stop()` ends the sessions, the driver (its process group, by pid), the
// tenant and the page servers, and is safe after a failed start.
//
//   const env = await startEnv();
//   const b = await env.session(t);                  // a browser, quit when test t ends
//   await b.openApp(env.pages.url, { useRefreshTokens: true });
//   await b.loginWithRedirect(env.pages.url);
//   await env.stop();

import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebDriver, By } from 'selenium-webdriver';
import { Executor, HttpClient } from 'selenium-webdriver/http/index.js';
import { startTenant } from '../../tenant/server.mjs';
import { startResourceServer } from '../../tenant/resource.mjs';
import { startStatic } from '../support/static-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Repository root. */
export const REPO = path.resolve(HERE, '..', '..');

export const ENGINES = ['chromium', 'firefox', 'webkit'];
/** The engine under test (WD_ENGINE). */
export const ENGINE = process.env.WD_ENGINE || 'chromium';
if (!ENGINES.includes(ENGINE)) throw new Error(`WD_ENGINE must be one of ${ENGINES.join(', ')} (got ${ENGINE})`);

/** The policy of the CSP test page: the SDK needs only 'wasm-unsafe-eval' beyond 'self'. */
export const STRICT_CSP = "script-src 'self' 'wasm-unsafe-eval'";

/** Default bound for one wait inside a page (ms). */
export const WAIT = 20_000;

export function sleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/** Rejects after `ms` with a message naming what timed out (and the engine). */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`[${ENGINE}] timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function geckodriverPath() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  const cargoBin = path.join(process.env.CARGO_HOME || path.join(process.env.HOME || '/root', '.cargo'), 'bin', 'geckodriver');
  return existsSync(cargoBin) ? cargoBin : 'geckodriver';
}

/** The driver command line for ENGINE, listening on 127.0.0.1:port. */
function driverCommand(port) {
  switch (ENGINE) {
    case 'chromium': return [process.env.CHROMEDRIVER || '/usr/bin/chromedriver', [`--port=${port}`, '--allowed-ips=127.0.0.1']];
    case 'firefox': return [geckodriverPath(), ['--host', '127.0.0.1', '--port', String(port)]];
    default: return [process.execPath, [path.join(REPO, 'scripts', 'webkit-webdriver.mjs'), `--port=${port}`]];
  }
}

/** New-session capabilities for ENGINE: headless where the engine has it, no outside traffic. */
function capabilities() {
  switch (ENGINE) {
    case 'chromium': return {
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: process.env.CHROMIUM || '/usr/bin/chromium',
        // As tests/e2e (toolchain.md): no GPU, no outside traffic.
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          '--disable-dev-shm-usage', '--window-size=1100,900'],
      },
    };
    case 'firefox': return {
      browserName: 'firefox',
      'moz:firefoxOptions': {
        ...(process.env.FIREFOX ? { binary: process.env.FIREFOX } : {}),
        args: ['-headless'],
        // Nothing leaves the machine: no update, telemetry, captive-portal, remote-settings checks.
        prefs: {
          'app.update.disabledForTesting': true,
          'network.captive-portal-service.enabled': false,
          'network.connectivity-service.enabled': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'toolkit.telemetry.reportingpolicy.firstRun': false,
          'browser.safebrowsing.update.enabled': false,
          'services.settings.server': 'http://127.0.0.1:9/v1',
          'extensions.update.enabled': false,
        },
      },
    };
    // MiniBrowser's options (--automation, popups without a gesture) are added by the shim.
    default: return { browserName: 'MiniBrowser' };
  }
}

/** Starts the driver process (own process group) and waits until it answers /status. */
async function startDriver() {
  const port = await freePort();
  const [cmd, args] = driverCommand(port);
  const output = [];
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d) => { output.push(String(d)); if (output.length > 200) output.shift(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.once('exit', (code, sig) => { exited = code ?? sig; });
  child.once('error', (e) => { exited = e.message; });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited !== null) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    for (let i = 0; i < 40 && exited === null; i += 1) await sleep(50);
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited !== null) throw new Error(`[${ENGINE}] driver ${cmd} exited (${exited}): ${output.join('').slice(-2000)}`);
    try {
      const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { await stop(); throw new Error(`[${ENGINE}] driver ${cmd} did not answer within 20 s: ${output.join('').slice(-2000)}`); }
    await sleep(100);
  }
  return { url, pid: child.pid, stop, output };
}

/**
 * Starts the tenant, the test-page server, the same pages under a strict CSP (another origin),
 * and the driver for ENGINE.
 * @param {{ tenant?: object, api?: boolean }} [o] `tenant`: startTenant() options over the
 *   defaults; `api`: also the resource server of tenant/resource.mjs, as env.api
 */
export async function startEnv(o = {}) {
  if (!existsSync(path.join(REPO, 'dist', 'index.js'))) {
    throw new Error('dist/index.js is missing: build the package first (bash scripts/build.sh)');
  }
  const cleanups = [];
  const env = {
    engine: ENGINE,
    stop: async () => {
      while (cleanups.length) {
        const [what, fn] = cleanups.pop();
        try { await withTimeout(Promise.resolve().then(fn), 15_000, `stopping ${what}`); } catch (err) {
          console.error(`[webdriver] ${err.message}`);
        }
      }
    },
  };
  try {
    const root = path.join(HERE, 'pages');
    env.pages = await withTimeout(startStatic({ root, port: 0, sdk: 'wasm' }), 10_000, 'pages server start');
    cleanups.push(['pages server', () => env.pages.stop()]);
    env.cspPages = await withTimeout(startStatic({ root, port: 0, sdk: 'wasm', headers: { 'content-security-policy': STRICT_CSP } }), 10_000, 'CSP pages server start');
    cleanups.push(['CSP pages server', () => env.cspPages.stop()]);
    env.tenant = await withTimeout(startTenant({ port: 0, spa: [env.pages.url, env.cspPages.url], autoLogin: true, accessTokenTtl: 3600, ...(o.tenant || {}) }), 20_000, 'tenant start');
    cleanups.push(['tenant', () => env.tenant.stop()]);
    env.tenantDefaults = env.tenant.config();
    if (o.api) {
      env.api = await withTimeout(startResourceServer({ tenant: env.tenant }), 10_000, 'resource server start');
      cleanups.push(['resource server', () => env.api.stop()]);
    }
    env.driver = await startDriver();
    cleanups.push(['driver', () => env.driver.stop()]);
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
   * A new browser session (fresh profile), quit when test `t` ends. Should quitting hang, the
   * driver (and with it every browser it started) is stopped by pid and started again, so that
   * the next test gets a working one.
   */
  env.session = async (t) => {
    const wd = WebDriver.createSession(new Executor(new HttpClient(env.driver.url)), capabilities());
    const b = new Browser(wd);
    t.after(async () => {
      try { await withTimeout(wd.quit(), 15_000, 'quitting the browser session'); } catch (err) {
        console.error(`[webdriver] ${err.message}: restarting the driver`);
        await env.driver.stop();
        env.driver = await startDriver();
      }
    });
    try {
      await withTimeout(wd.getSession(), 60_000, 'new browser session');
    } catch (err) {
      throw new Error(`[${ENGINE}] cannot start a browser session: ${err.message}\n${env.driver.output.join('').slice(-2000)}`, { cause: err });
    }
    await withTimeout(wd.manage().setTimeouts({ script: 30_000, pageLoad: 30_000, implicit: 0 }), 10_000, 'session timeouts');
    return b;
  };
  return env;
}

/** One browser session: page helpers over WebDriver, every call bounded. */
export class Browser {
  constructor(wd) { this.wd = wd; }

  /** Runs `fn(...args)` in the current page; a returned promise is awaited (W3C Execute Script). */
  run(fn, ...args) {
    return withTimeout(this.wd.executeScript(fn, ...args), 35_000, `script in the page: ${String(fn).slice(0, 80)}`);
  }

  get(url) { return withTimeout(this.wd.get(url), 35_000, `loading ${url}`); }

  url() { return withTimeout(this.wd.getCurrentUrl(), 10_000, 'current URL'); }

  /** Polls `fn(arg)` in the page until it returns a truthy value (bounded; errors during a navigation are retried). */
  async waitFor(fn, arg, timeout = WAIT, what = 'condition') {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
      try {
        const v = await this.run(fn, arg);
        if (v) return v;
      } catch (err) { last = err; }
      await sleep(100);
    }
    throw new Error(`[${ENGINE}] ${what} not met within ${timeout} ms${last ? `: ${last.message}` : ''}`);
  }

  /**
   * Waits until a new document of the test page at `base` (not one marked stale) has started its
   * client and handled any redirect callback. Returns its `__state`.
   */
  async waitForApp(base, timeout = WAIT) {
    const state = await this.waitFor((b) => (location.origin === b && window.__state && !window.__stale
      && window.__state.phase !== 'init' ? window.__state : null), base, timeout, `test page at ${base} ready`);
    if (state.phase === 'failed') throw new Error(`[${ENGINE}] test page failed to start: ${JSON.stringify(state.initError)}`);
    return state;
  }

  /** Opens the test page at `base` with these SDK options (stored for every tab of the origin). */
  async openApp(base, options = {}, tenant) {
    await this.get(`${base}/blank.html`);
    await this.run((cfg) => { localStorage.setItem('__wd_cfg', cfg); }, JSON.stringify({ domain: tenant.url, clientId: tenant.clientId, options }));
    await this.get(`${base}/`);
    return this.waitForApp(base);
  }

  /** Runs `action` (which navigates away and back) and waits for the new document of `base`. */
  async navigateAndWait(base, action, timeout = WAIT) {
    await this.run(() => { window.__stale = true; });
    await action();
    return this.waitForApp(base, timeout);
  }

  /** Redirect login: starts it, the tenant logs in at once, waits for the handled callback. */
  async loginWithRedirect(base) {
    const state = await this.navigateAndWait(base, () => this.run(() => { window.__client.loginWithRedirect(); }));
    if (!state.callback) throw new Error(`[${ENGINE}] no redirect callback was handled (at ${await this.url()})`);
    if (!state.callback.ok) throw new Error(`[${ENGINE}] redirect callback failed: ${JSON.stringify(state.callback.error)}`);
    return state;
  }

  /** `getTokenSilently(opts)` in the page, as `{ ok, value | error }`. */
  getToken(opts = {}) {
    return this.run((o) => window.__try(() => window.__client.getTokenSilently(o)), opts);
  }

  /** The SDK's localStorage entries of the page's origin, parsed: [{ key, value }]. */
  readCache() {
    return this.run(() => Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@')).map((key) => {
      let value;
      try { value = JSON.parse(localStorage.getItem(key)); } catch { value = localStorage.getItem(key); }
      return { key, value };
    }));
  }

  /** Refresh tokens in the page's localStorage cache. */
  async refreshTokensInStorage() {
    return (await this.readCache()).map((e) => e.value && e.value.body && e.value.body.refresh_token).filter(Boolean);
  }

  /** Makes every cached access token of the origin look expired; returns how many. */
  expireCachedTokens() {
    return this.run(() => {
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

  /** A real click (a user gesture in every engine) on the element matching `css`. */
  async click(css) {
    const el = await withTimeout(this.wd.findElement(By.css(css)), 10_000, `finding ${css}`);
    await withTimeout(el.click(), 10_000, `clicking ${css}`);
  }

  windows() { return withTimeout(this.wd.getAllWindowHandles(), 10_000, 'window handles'); }

  window() { return withTimeout(this.wd.getWindowHandle(), 10_000, 'window handle'); }

  switchTo(handle) { return withTimeout(this.wd.switchTo().window(handle), 10_000, 'switching windows'); }

  /** Opens a new tab of this session, switches to it and loads `url`; returns its handle. */
  async newTab(url) {
    await withTimeout(this.wd.switchTo().newWindow('tab'), 15_000, 'new tab');
    await this.get(url);
    return this.window();
  }

  /** Closes the current tab and switches to `next`. */
  async closeTab(next) {
    await withTimeout(this.wd.close(), 10_000, 'closing a tab');
    await this.switchTo(next);
  }
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
    webMessage: s.authorize.byResponseMode.web_message || 0,
    grantErrors: s.grantErrors,
  };
}
