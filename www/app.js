// Demo single-page app. It imports the SDK exactly as an application would; `/sdk/index.js` is
// served by scripts/start.sh (tests/support/static-server.mjs) as either this package (dist/) or
// @auth0/auth0-spa-js, which share one API. The tenant URL and client id come from /config.json.
import { createAuth0Client } from '/sdk/index.js';

const $ = (id) => document.getElementById(id);
const SETTINGS_KEY = 'demo.settings';
const DEFAULTS = Object.freeze({ cacheLocation: 'localstorage', useRefreshTokens: true });
const AUTO_RENEW_MS = 5000;

let config;
let settings;
let client;
let lastAccessToken; // what this page last saw (the memory cache cannot be read from outside)
let autoTimer;
let busy = false;

// ---------- settings: URL first, then this tab's sessionStorage, then defaults ----------

function readSettings() {
  const q = new URLSearchParams(location.search);
  let stored;
  try { stored = JSON.parse(sessionStorage.getItem(SETTINGS_KEY) || '{}') || {}; } catch { stored = {}; }
  const cache = q.get('cache') || stored.cacheLocation;
  const rt = q.get('rt') ?? (stored.useRefreshTokens === undefined ? undefined : (stored.useRefreshTokens ? '1' : '0'));
  return {
    cacheLocation: cache === 'memory' || cache === 'localstorage' ? cache : DEFAULTS.cacheLocation,
    useRefreshTokens: rt === undefined || rt === null ? DEFAULTS.useRefreshTokens : rt === '1' || rt === 'true',
  };
}

function settingsQuery(s) {
  return `?cache=${s.cacheLocation}&rt=${s.useRefreshTokens ? 1 : 0}`;
}

function saveSettings(s) {
  sessionStorage.setItem(SETTINGS_KEY, JSON.stringify(s));
  // Keep the settings visible (and shareable) in the URL, without adding history entries.
  history.replaceState(null, '', `${location.pathname}${settingsQuery(s)}`);
}

// ---------- fingerprints ----------

async function fingerprint(token) {
  if (!token) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].slice(0, 4).map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** This client's access-token entries in localStorage: [{key, body, expiresAt}]. */
function storedEntries() {
  const prefix = `@@auth0spajs@@::${config.clientId}::`;
  const out = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(prefix) || key.endsWith('::@@user@@')) continue;
    try {
      const value = JSON.parse(localStorage.getItem(key));
      if (value && value.body) out.push({ key, body: value.body, expiresAt: value.expiresAt });
    } catch { /* not ours to fix */ }
  }
  return out;
}

/** The refresh token's fingerprint, or why there is none to show. */
async function refreshTokenFingerprint() {
  if (settings.cacheLocation !== 'localstorage') return 'hidden (memory)';
  const rt = storedEntries().map((e) => e.body.refresh_token).find(Boolean);
  return rt ? fingerprint(rt) : 'none';
}

/** The access token currently cached, as far as this page can know. */
function currentAccessToken() {
  if (settings.cacheLocation === 'localstorage') {
    const at = storedEntries().map((e) => e.body.access_token).find(Boolean);
    if (at) return at;
  }
  return lastAccessToken;
}

// ---------- rendering ----------

function setMessage(text, isError = false) {
  const el = $('message');
  el.textContent = text || '';
  el.classList.toggle('error', isError);
}

function describeError(e) {
  if (!e) return 'unknown error';
  const code = e.error ? `${e.error}: ` : '';
  return `${code}${e.error_description || e.message || String(e)}`;
}

function cell(text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function arrow(before, after, rotatedLabel) {
  const td = document.createElement('td');
  td.className = 'mono';
  if (before === after || after === undefined) {
    td.textContent = `${after ?? before ?? '–'}`;
  } else {
    td.append(`${before ?? '–'} → ${after}`);
    if (rotatedLabel && before && before !== 'none' && !before.startsWith('hidden')) {
      const s = document.createElement('span');
      s.className = 'rotated';
      s.textContent = ` ${rotatedLabel}`;
      td.append(s);
    }
  }
  return td;
}

/** Adds a row to the renewal log (newest first). */
function logRow({ path, label, ms, atBefore, atAfter, rtBefore, rtAfter, expiresIn, error, note }) {
  const tr = document.createElement('tr');
  tr.dataset.path = path;
  tr.append(cell(new Date().toLocaleTimeString()));
  const badge = document.createElement('span');
  badge.className = `badge ${path === 'refresh token' ? 'refresh' : path === 'hidden iframe' ? 'iframe' : path}`;
  badge.textContent = label || path;
  const tdPath = document.createElement('td');
  tdPath.append(badge);
  tr.append(tdPath);
  tr.append(cell(ms === undefined ? '' : String(Math.round(ms))));
  if (error) {
    const td = cell(error);
    td.colSpan = 3;
    tr.append(td);
  } else if (path === 'info') {
    const td = cell(note || '');
    td.colSpan = 3;
    tr.append(td);
  } else {
    tr.append(arrow(atBefore, atAfter));
    tr.append(arrow(rtBefore, rtAfter, 'rotated'));
    tr.append(cell(expiresIn === undefined ? '' : `${expiresIn} s`));
  }
  $('log').prepend(tr);
  while ($('log').children.length > 50) $('log').lastElementChild.remove();
}

async function renderTokens() {
  const at = currentAccessToken();
  $('at-current').textContent = at ? await fingerprint(at) : '–';
  $('rt-current').textContent = await refreshTokenFingerprint();
}

async function render() {
  $('cache-location').value = settings.cacheLocation;
  $('use-refresh-tokens').checked = settings.useRefreshTokens;
  let user;
  try { user = client ? await client.getUser() : undefined; } catch (e) { setMessage(describeError(e), true); }
  $('profile-card').hidden = !user;
  $('profile-empty').hidden = !!user;
  if (user) {
    if (typeof user.picture === 'string' && user.picture.startsWith('data:')) $('user-picture').src = user.picture;
    else $('user-picture').removeAttribute('src'); // the demo fetches nothing from outside
    $('user-name').textContent = user.name || user.nickname || '';
    $('user-email').textContent = user.email || '';
    $('user-sub').textContent = user.sub || '';
  }
  document.body.dataset.authenticated = user ? 'true' : 'false';
  for (const id of ['get-token', 'logout']) $(id).disabled = !client || !user;
  for (const id of ['login-redirect', 'login-popup']) $(id).disabled = !client;
  await renderTokens();
}

// ---------- the client ----------

async function createClient() {
  client = undefined;
  lastAccessToken = undefined;
  client = await createAuth0Client({
    domain: config.domain,
    clientId: config.clientId,
    cacheLocation: settings.cacheLocation,
    useRefreshTokens: settings.useRefreshTokens,
    authorizationParams: { redirect_uri: `${location.origin}/` },
  });
  // What createAuth0Client's own session check left in the cache (no network: cache-only).
  try { lastAccessToken = await client.getTokenSilently({ cacheMode: 'cache-only' }); } catch { lastAccessToken = undefined; }
}

/** Handles `?code=&state=` / `?error=&state=` from the tenant, then cleans the URL. */
async function handleCallbackIfAny() {
  const q = new URLSearchParams(location.search);
  if (!q.has('state') || !(q.has('code') || q.has('error'))) return;
  let target = `/${settingsQuery(settings)}`;
  try {
    const { appState } = await client.handleRedirectCallback();
    // Only same-app paths: never navigate to a URL smuggled into appState.
    if (appState && typeof appState.returnTo === 'string' && /^\/(?![/\\])/.test(appState.returnTo)) target = appState.returnTo;
    lastAccessToken = await client.getTokenSilently({ cacheMode: 'cache-only' }).catch(() => undefined);
    setMessage('Logged in with redirect.');
  } catch (e) {
    setMessage(`Login failed: ${describeError(e)}`, true);
  }
  history.replaceState(null, '', target);
}

async function getToken() {
  if (busy || !client) return;
  busy = true;
  const atBefore = currentAccessToken();
  const rtBefore = await refreshTokenFingerprint();
  const t0 = performance.now();
  try {
    const res = await client.getTokenSilently({ detailedResponse: true });
    const ms = performance.now() - t0;
    const rtAfter = await refreshTokenFingerprint();
    const atAfter = res.access_token;
    let path;
    if (atBefore && atBefore === atAfter) path = 'cache';
    else if ((rtBefore !== rtAfter && rtBefore !== 'none') || settings.useRefreshTokens) path = 'refresh token';
    else path = 'hidden iframe';
    lastAccessToken = atAfter;
    logRow({
      path, ms, atBefore: await fingerprint(atBefore), atAfter: await fingerprint(atAfter), rtBefore, rtAfter, expiresIn: res.expires_in,
    });
    setMessage(`Token served by ${path}.`);
  } catch (e) {
    logRow({ path: 'error', label: e.error || 'error', ms: performance.now() - t0, error: describeError(e) });
    setMessage(describeError(e), true);
  } finally {
    busy = false;
    await render();
  }
}

function setAutoRenew(on) {
  clearInterval(autoTimer);
  autoTimer = on ? setInterval(() => { getToken(); }, AUTO_RENEW_MS) : undefined;
}

async function applySettings(next) {
  settings = next;
  saveSettings(settings);
  setMessage('Re-creating the client…');
  try {
    await createClient();
    logRow({ path: 'info', label: 'new client', note: `cacheLocation ${settings.cacheLocation}, useRefreshTokens ${settings.useRefreshTokens}` });
    setMessage('Client re-created.');
  } catch (e) {
    setMessage(`createAuth0Client failed: ${describeError(e)}`, true);
  }
  await render();
}

function wire() {
  $('cache-location').addEventListener('change', (ev) => applySettings({ ...settings, cacheLocation: ev.target.value }));
  $('use-refresh-tokens').addEventListener('change', (ev) => applySettings({ ...settings, useRefreshTokens: ev.target.checked }));
  $('login-redirect').addEventListener('click', async () => {
    try {
      await client.loginWithRedirect({ appState: { returnTo: `/${settingsQuery(settings)}` } });
    } catch (e) { setMessage(describeError(e), true); }
  });
  // The popup is opened inside the click handler (popup blockers allow that only).
  $('login-popup').addEventListener('click', async () => {
    setMessage('Waiting for the popup…');
    try {
      await client.loginWithPopup();
      lastAccessToken = await client.getTokenSilently({ cacheMode: 'cache-only' }).catch(() => undefined);
      setMessage('Logged in with popup.');
    } catch (e) { setMessage(`Popup login failed: ${describeError(e)}`, true); }
    await render();
  });
  $('get-token').addEventListener('click', () => { getToken(); });
  $('auto-renew').addEventListener('change', (ev) => setAutoRenew(ev.target.checked));
  $('logout').addEventListener('click', async () => {
    setAutoRenew(false);
    try {
      await client.logout({ logoutParams: { returnTo: location.origin } });
    } catch (e) { setMessage(describeError(e), true); }
  });
  $('open-tab').addEventListener('click', () => {
    window.open(`${location.origin}/${settingsQuery(settings)}`, '_blank');
  });
  // Another tab changed the shared cache (renewal, rotation, logout).
  window.addEventListener('storage', (ev) => {
    if (ev.key === null || (ev.key && ev.key.startsWith('@@auth0spajs@@'))) render();
  });
}

async function main() {
  settings = readSettings();
  wire();
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    config = await res.json();
  } catch (e) {
    $('status').textContent = `No /config.json (${e.message}): start the demo with npm start.`;
    return;
  }
  $('status').textContent = `SDK: ${config.sdk || '?'} · tenant: ${config.domain} · client: ${config.clientId}`;
  const ttl = Number(config.accessTokenTtl);
  if (Number.isInteger(ttl) && ttl > 0) {
    $('ttl-note').textContent = `This tenant issues access tokens for ${ttl} s. The SDK renews a token at the earlier of 60 s before it expires and half-way through its life (auth0-spa-js: always 60 s before), so "Get token" is served from the cache for a while, then renews.`;
  }
  sessionStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  try {
    await createClient();
  } catch (e) {
    setMessage(`createAuth0Client failed: ${describeError(e)}`, true);
    await render();
    return;
  }
  await handleCallbackIfAny();
  const q = new URLSearchParams(location.search);
  if (!q.has('cache') || !q.has('rt')) history.replaceState(null, '', `${location.pathname}${settingsQuery(settings)}`);
  await render();
  document.body.dataset.ready = 'true';
}

main();
