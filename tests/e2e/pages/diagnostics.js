// Diagnostics for tests/e2e, installed before the SDK is imported (index.html loads this classic
// script first; the SDK captures fetch when its module is evaluated, so a wrapper installed later
// would see nothing). Never throws and never touches the `localStorage` global again (a test may
// make it throw).
(() => {
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
})();
