// Test page for tests/e2e: creates the client from window.__E2E_CFG (set by the harness before any
// script runs), handles a redirect callback like an application would, and exposes the SDK.
import * as sdk from '/sdk/index.js';
// Diagnostics (window.__tokenRequests, window.__storageLog) are installed by /diagnostics.js, a
// classic script that runs before the SDK is imported: the SDK captures fetch when it loads.

const cfg = window.__E2E_CFG || {};

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
    connection: e && e.connection,
    appState: e && e.appState,
    code: e && e.code,
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
  if (q.has('state') && (q.has('code') || q.has('error') || q.has('connect_code'))) {
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
