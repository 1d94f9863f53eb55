#!/usr/bin/env node
// A WebDriver for WebKitGTK that any W3C client can start as it would start safaridriver:
//
//   webkit-webdriver.mjs --port=4444          (what wasm-bindgen-test-runner runs as SAFARIDRIVER)
//
// Why it exists: WebKitGTK's own driver, WebKitWebDriver (Debian package webkit2gtk-driver), starts
// the browser that the new-session request names in `webkitgtk:browserOptions` (binary and
// arguments), and wasm-bindgen-test-runner sends Safari an empty capabilities object (it reads no
// webdriver.json for Safari). Without those options WebKitWebDriver has no browser to start; and
// MiniBrowser, the WebKitGTK browser Debian ships, must get `--automation` to accept a WebDriver
// session and `--javascript-can-open-windows-automatically=true` to let a script open a popup
// without a user gesture, as Chromium and Firefox under WebDriver do (the popup tests of
// tests/web_frame.rs open one from a test, not from a click).
//
// So this script:
//   1. starts an X server (Xvfb, on a free display number it reports itself) when DISPLAY is
//      not set: MiniBrowser is a GTK program and has no headless mode;
//   2. starts WebKitWebDriver on a free port of 127.0.0.1;
//   3. listens on 127.0.0.1:<--port> and forwards every request to it, adding to each
//      `POST /session` the MiniBrowser options above unless the client set them;
//   4. stops what it started (by process group) when it is told to stop, and a small watchdog
//      process does the same if it is killed outright (the test runner ends its driver with
//      SIGKILL, which no handler sees).
//
// Environment: WEBKIT_BROWSER (default: Debian's MiniBrowser of webkit2gtk-4.1),
// WEBKIT_WEBDRIVER (default: WebKitWebDriver on PATH), DISPLAY (an X server to use instead of
// starting Xvfb), WEBKIT_WEBDRIVER_LOG=1 (log each forwarded request to stderr).
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const log = (msg) => process.stderr.write(`[webkit-webdriver] ${msg}\n`);

/** Debian's MiniBrowser (webkit2gtk-4.1), wherever the multiarch triplet puts it. */
export function findMiniBrowser() {
  if (process.env.WEBKIT_BROWSER) return process.env.WEBKIT_BROWSER;
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']) {
    const p = `${dir}/webkit2gtk-4.1/MiniBrowser`;
    if (fs.existsSync(p)) return p;
  }
  return '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
}

/** MiniBrowser arguments every session gets (see the header). */
export const MINIBROWSER_ARGS = ['--automation', '--javascript-can-open-windows-automatically=true'];

/**
 * The new-session body with `webkitgtk:browserOptions` completed: the binary when none is named,
 * and each of MINIBROWSER_ARGS that the client's arguments do not already set.
 */
export function withBrowserOptions(body) {
  const out = body && typeof body === 'object' ? { ...body } : {};
  // W3C only: the legacy `desiredCapabilities` member means nothing to WebKitWebDriver.
  delete out.desiredCapabilities;
  const caps = { ...(out.capabilities || {}) };
  const always = { ...(caps.alwaysMatch || {}) };
  const opts = { ...(always['webkitgtk:browserOptions'] || {}) };
  if (!opts.binary) opts.binary = findMiniBrowser();
  const args = Array.isArray(opts.args) ? [...opts.args] : [];
  for (const a of MINIBROWSER_ARGS) {
    const name = a.split('=')[0];
    if (!args.some((x) => x === name || x.startsWith(`${name}=`))) args.push(a);
  }
  opts.args = args;
  always['webkitgtk:browserOptions'] = opts;
  caps.alwaysMatch = always;
  out.capabilities = caps;
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function sleep(ms) { return new Promise((r) => { setTimeout(r, ms); }); }

function canConnect(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Kills a process group we started (SIGTERM, then SIGKILL after `graceMs`), ignoring gone ones. */
async function killGroup(pid, graceMs = 1500) {
  if (!pid) return;
  const alive = () => { try { process.kill(-pid, 0); return true; } catch { return false; } };
  try { process.kill(-pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < graceMs / 50 && alive(); i += 1) await sleep(50);
  try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
}

/** Starts Xvfb on a display number it picks itself; resolves { pid, display }. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    let buf = '';
    const timer = setTimeout(() => { killGroup(child.pid); reject(new Error('Xvfb did not report a display within 15 s')); }, 15_000);
    child.once('error', (e) => { clearTimeout(timer); reject(new Error(`cannot start Xvfb (apt-get install xvfb): ${e.message}`)); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code}) before reporting a display`)); });
    child.stdio[3].on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdio[3].destroy();
        resolve({ pid: child.pid, display: `:${buf.trim()}` });
      }
    });
  });
}

/**
 * The watchdog: polls the driver's pid (bounded: at most 12 hours) and, once it is gone, stops
 * the process groups it started. Runs as `webkit-webdriver.mjs --reap <pid> <pgid>...`.
 */
async function reap(parent, groups) {
  const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  for (let i = 0; i < 12 * 3600 * 4 && alive(parent); i += 1) await sleep(250);
  for (const g of groups) await killGroup(g);
}

async function main(argv) {
  let port;
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a.startsWith('--port=')) port = Number(a.slice(7));
    else if (a === '--port' || a === '-p') port = Number(argv[++i]);
  }
  if (!Number.isInteger(port) || port <= 0) {
    log('usage: webkit-webdriver.mjs --port=<port>');
    process.exit(2);
  }
  const verbose = process.env.WEBKIT_WEBDRIVER_LOG === '1';
  const groups = [];
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    for (const g of [...groups].reverse()) await killGroup(g);
    process.exit(code);
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(130));

  const env = { ...process.env };
  if (!env.DISPLAY) {
    const x = await startXvfb();
    groups.push(x.pid);
    env.DISPLAY = x.display;
  }
  const backend = await freePort();
  const driverBin = process.env.WEBKIT_WEBDRIVER || 'WebKitWebDriver';
  const driver = spawn(driverBin, [`--port=${backend}`], { detached: true, env, stdio: ['ignore', 'inherit', 'inherit'] });
  driver.once('error', (e) => { log(`cannot start ${driverBin} (apt-get install webkit2gtk-driver): ${e.message}`); stop(1); });
  driver.once('exit', (code, sig) => { log(`${driverBin} exited (${code ?? sig})`); stop(1); });
  groups.push(driver.pid);
  // The watchdog outlives a SIGKILL of this process and then stops the driver and Xvfb.
  spawn(process.execPath, [SELF, '--reap', String(process.pid), ...groups.map(String)], { detached: true, stdio: 'ignore' }).unref();

  let up = false;
  for (let i = 0; i < 200 && !up; i += 1) { up = await canConnect(backend); if (!up) await sleep(50); }
  if (!up) { log(`${driverBin} did not listen on 127.0.0.1:${backend} within 10 s`); await stop(1); }

  const browser = findMiniBrowser();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.method === 'POST' && /^\/session\/?$/.test(req.url)) {
        let parsed = {};
        try { parsed = body.length ? JSON.parse(body.toString('utf8')) : {}; } catch { /* forwarded as is below */ }
        body = Buffer.from(JSON.stringify(withBrowserOptions(parsed)));
      }
      if (verbose) log(`${req.method} ${req.url}${body.length ? ` ${body.toString('utf8').slice(0, 300)}` : ''}`);
      const headers = { ...req.headers, host: `127.0.0.1:${backend}`, 'content-length': String(body.length) };
      const fwd = http.request({ host: '127.0.0.1', port: backend, method: req.method, path: req.url, headers }, (up2) => {
        res.writeHead(up2.statusCode, up2.headers);
        up2.pipe(res);
      });
      fwd.on('error', (e) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ value: { error: 'unknown error', message: `webkit-webdriver: ${e.message}`, stacktrace: '' } }));
      });
      fwd.end(body);
    });
  });
  server.listen(port, '127.0.0.1', () => log(`listening on 127.0.0.1:${port}; WebKitWebDriver on ${backend}; browser ${browser}; DISPLAY=${env.DISPLAY}`));
  server.on('error', (e) => { log(`cannot listen on 127.0.0.1:${port}: ${e.message}`); stop(1); });
}

if (process.argv[1] === SELF) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--reap') reap(Number(argv[1]), argv.slice(2).map(Number)).then(() => process.exit(0));
  else main(argv).catch((e) => { log(e.stack || String(e)); process.exit(1); });
}
