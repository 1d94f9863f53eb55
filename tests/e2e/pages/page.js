// Test page for tests/e2e: creates the client from window.__E2E_CFG (set by the harness before any
// script runs), handles a redirect callback like an application would, and exposes the SDK.
import * as sdk from '/sdk/index.js';

const cfg = window.__E2E_CFG || {};

// Diagnostics: every token request this page sends, with the refresh token it carried and the
// one this page's localStorage held at that moment (prefixes only). Read by tests on failure.
// Never throws and never touches the `localStorage` global again (a test may make it throw).
window.__tokenRequests = [];
let ls;
try { ls = window.localStorage; } catch { ls = undefined; }
const originalFetch = window.fetch;
function storedRefreshToken() {
  if (!ls) return undefined;
  for (const k of Object.keys(ls)) {
    if (!k.startsWith('@@auth0spajs@@')) continue;
    try { const v = JSON.parse(ls.getItem(k)); if (v && v.body && v.body.refresh_token) return v.body.refresh_token; } catch { /* ignore */ }
  }
  return undefined;
}
const now5 = () => Math.round(performance.timeOrigin + performance.now()) % 100000;
/** Refresh-token changes this page wrote (set) or heard of from other tabs (event). */
window.__storageLog = [];
const rtOf = (text) => { try { const v = JSON.parse(text); return v && v.body && v.body.refresh_token ? v.body.refresh_token.slice(0, 6) : undefined; } catch { return undefined; } };
const originalSetItem = Storage.prototype.setItem;
Storage.prototype.setItem = function setItem(key, value) {
  try {
    if (ls && this === ls && String(key).startsWith('@@auth0spajs@@') && rtOf(value)) window.__storageLog.push(`${now5()} set ${rtOf(value)}`);
  } catch { /* diagnostics only */ }
  return originalSetItem.call(this, key, value);
};
window.addEventListener('storage', (ev) => {
  if (ev.key && ev.key.startsWith('@@auth0spajs@@') && rtOf(ev.newValue) && rtOf(ev.newValue) !== rtOf(ev.oldValue)) {
    window.__storageLog.push(`${now5()} event ${rtOf(ev.oldValue)}->${rtOf(ev.newValue)}`);
  }
});
window.fetch = function fetch(input, init) {
  try {
    const url = typeof input === 'string' ? input : input && input.url;
    if (url && url.endsWith('/oauth/token') && init && typeof init.body === 'string') {
      const body = init.body.trim().startsWith('{') ? JSON.parse(init.body) : Object.fromEntries(new URLSearchParams(init.body));
      window.__tokenRequests.push({
        t: now5(),
        grant: body.grant_type,
        sent: body.refresh_token ? body.refresh_token.slice(0, 6) : undefined,
        stored: (storedRefreshToken() || '').slice(0, 6) || undefined,
      });
    }
  } catch { /* diagnostics only */ }
  return originalFetch.apply(this, arguments);
};
const state = { phase: 'init', callback: undefined, initError: undefined };
window.__state = state;
window.__sdk = sdk;

/** Plain description of an error: class names it is an instance of (from the SDK's exports) and its fields. */
function describeError(e) {
  const classes = Object.keys(sdk).filter((name) => /Error$/.test(name) && typeof sdk[name] === 'function'
    && e instanceof sdk[name]);
  return {
    classes,
    isError: e instanceof Error,
    error: e && e.error,
    error_description: e && e.error_description,
    message: e && e.message,
    state: e && e.state,
  };
}
window.__describeError = describeError;

/** Runs an async function and returns {ok, value} or {ok:false, error} (never rejects). */
window.__try = async (fn) => {
  try { return { ok: true, value: await fn() }; } catch (e) { return { ok: false, error: describeError(e) }; }
};

function clientOptions() {
  const options = { ...(cfg.options || {}) };
  return {
    domain: cfg.domain,
    clientId: cfg.clientId,
    ...options,
    authorizationParams: { redirect_uri: `${location.origin}/`, ...(options.authorizationParams || {}) },
  };
}
window.__clientOptions = clientOptions;

window.__loginRedirect = (opts = {}) => window.__client.loginWithRedirect(opts);

document.getElementById('popup-login').addEventListener('click', () => {
  state.popup = undefined;
  window.__client.loginWithPopup().then(
    () => { state.popup = { ok: true }; },
    (e) => { state.popup = { ok: false, error: describeError(e) }; },
  );
});

async function init() {
  const t0 = performance.now();
  window.__client = await sdk.createAuth0Client(clientOptions());
  state.createMs = performance.now() - t0;
  const q = new URLSearchParams(location.search);
  if (q.has('state') && (q.has('code') || q.has('error'))) {
    try {
      const result = await window.__client.handleRedirectCallback();
      state.callback = { ok: true, result };
    } catch (e) {
      state.callback = { ok: false, error: describeError(e) };
    }
    history.replaceState(null, '', '/');
  }
}

init().then(
  () => { state.phase = 'ready'; },
  (e) => { state.initError = describeError(e); state.phase = 'failed'; },
).finally(() => { document.getElementById('out').textContent = JSON.stringify(state, null, 2); });
