// Test page for tests/webdriver: creates the client from the configuration the harness put in
// localStorage (`__wd_cfg`: tenant URL, client id, SDK options; WebDriver has no portable way to
// run a script before the page's own), handles a redirect callback as an application would, and
// exposes the SDK. Diagnostics: Content-Security-Policy violations, and whether eval is allowed
// (so the CSP test can tell that the policy was in force).
import * as sdk from '/sdk/index.js';

const state = { phase: 'init', callback: undefined, popup: undefined, initError: undefined, violations: [] };
window.__state = state;
window.__sdk = sdk;
document.addEventListener('securitypolicyviolation', (e) => {
  state.violations.push({ directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI });
});
state.evalAllowed = (() => { try { return new Function('return true')(); } catch { return false; } })();

let cfg = {};
try { cfg = JSON.parse(localStorage.getItem('__wd_cfg') || '{}'); } catch { /* no configuration: init fails below */ }

/** Plain description of an error: the SDK error classes it is an instance of, and its fields. */
function describeError(e) {
  const classes = Object.keys(sdk).filter((name) => /Error$/.test(name) && typeof sdk[name] === 'function'
    && e instanceof sdk[name]);
  return { classes, error: e && e.error, error_description: e && e.error_description, message: e && e.message };
}

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

document.getElementById('popup-login').addEventListener('click', () => {
  state.popup = undefined;
  window.__client.loginWithPopup().then(
    () => { state.popup = { ok: true }; },
    (e) => { state.popup = { ok: false, error: describeError(e) }; },
  );
});

async function init() {
  window.__client = await sdk.createAuth0Client(clientOptions());
  const q = new URLSearchParams(location.search);
  if (q.has('state') && (q.has('code') || q.has('error'))) {
    try {
      await window.__client.handleRedirectCallback();
      state.callback = { ok: true };
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
