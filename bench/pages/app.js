// Page-side half of the benchmark. Every function measures inside the page (performance.now),
// so the driver's round trips are never part of a figure. The same code runs against either
// SDK: /sdk/index.js is auth0-spa-js or this package, depending on which server served the page.
import * as sdk from '/sdk/index.js';

let client;
const now = () => performance.now();
const errText = (e) => String((e && (e.error ? `${e.error}: ${e.error_description || e.message}` : e.message)) || e);

const B = {
  /** A client without createAuth0Client's checkSession (so nothing runs before the measured calls). */
  init(cfg) {
    client = new sdk.Auth0Client(cfg);
    window.__client = client;
    return true;
  },

  /** createAuth0Client(); ms. */
  async create(cfg) {
    const t = now();
    client = await sdk.createAuth0Client(cfg);
    window.__client = client;
    return now() - t;
  },

  /** Starts a redirect login (navigates away). */
  async login() {
    await client.loginWithRedirect();
    return true;
  },

  /** Figure (h): handleRedirectCallback() on the /callback?code=... page; ms. */
  async callback() {
    const t = now();
    await client.handleRedirectCallback();
    const ms = now() - t;
    history.replaceState(null, '', '/');
    return ms;
  },

  /** One getTokenSilently(); the token (or an error text). */
  async token(opts) {
    try { return { token: await client.getTokenSilently(opts) }; } catch (e) { return { error: errText(e) }; }
  },

  /** Figure (c): mean µs per awaited getTokenSilently() over `n` calls after `warm` calls. */
  async cacheLoop(warm, n) {
    const first = await client.getTokenSilently();
    if (typeof first !== 'string' || !first) throw new Error('no token before the cache loop');
    for (let i = 0; i < warm; i++) await client.getTokenSilently();
    const t = now();
    let same = 0;
    for (let i = 0; i < n; i++) if ((await client.getTokenSilently()) === first) same++;
    const us = ((now() - t) * 1000) / n;
    if (same !== n) throw new Error(`cache loop: ${n - same} of ${n} calls returned another token (not a cache hit)`);
    return us;
  },

  /**
   * Figure (d): `pairs` pairs of (SDK getTokenSilently() that refreshes, raw fetch() of the same
   * request). `raw` = { url, headers, body, kind: 'form'|'json', rt }: the captured request of
   * the SDK with its refresh token replaced by `rt`, a token chain of its own (rotated each call).
   * The order inside a pair alternates. Returns { sdk: ms[], raw: ms[], rt } (rt = last token).
   */
  async refreshPairs(pairs, raw) {
    let rt = raw.rt;
    const rawOnce = async () => {
      let body;
      if (raw.kind === 'json') { const o = JSON.parse(raw.body); o.refresh_token = rt; body = JSON.stringify(o); }
      else { const p = new URLSearchParams(raw.body); p.set('refresh_token', rt); body = p.toString(); }
      const t = now();
      const res = await fetch(raw.url, { method: 'POST', headers: raw.headers, body });
      const json = await res.json();
      const ms = now() - t;
      if (!res.ok || !json.access_token) throw new Error(`raw refresh failed: ${res.status} ${JSON.stringify(json)}`);
      if (json.refresh_token) rt = json.refresh_token;
      return ms;
    };
    const sdkOnce = async () => {
      const t = now();
      const tok = await client.getTokenSilently();
      const ms = now() - t;
      if (typeof tok !== 'string' || !tok) throw new Error('SDK refresh returned no token');
      return ms;
    };
    const out = { sdk: [], raw: [] };
    for (let i = 0; i < pairs; i++) {
      if (i % 2 === 0) { out.sdk.push(await sdkOnce()); out.raw.push(await rawOnce()); }
      else { out.raw.push(await rawOnce()); out.sdk.push(await sdkOnce()); }
    }
    out.rt = rt;
    return out;
  },

  /** Figure (e): `n` concurrent getTokenSilently(), optionally starting at wall-clock time `at`. */
  async concurrent(n, at) {
    if (at) while (Date.now() < at) await new Promise((r) => setTimeout(r, 1));
    const res = await Promise.all(Array.from({ length: n }, () => client.getTokenSilently().then((t) => ({ t }), (e) => ({ e: errText(e) }))));
    const errors = res.filter((r) => r.e).map((r) => r.e);
    return { ok: res.length - errors.length, errors: [...new Set(errors)], distinct: new Set(res.map((r) => r.t).filter(Boolean)).size };
  },

  /** Figure (g): `n` getTokenSilently({ cacheMode: 'off' }) through the hidden iframe; ms each. */
  async silentLoop(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const t = now();
      const tok = await client.getTokenSilently({ cacheMode: 'off' });
      out.push(now() - t);
      if (typeof tok !== 'string' || !tok) throw new Error('silent auth returned no token');
    }
    return out;
  },
};

window.B = B;
