// Real-browser check that the local tenant is usable by the reference SDK (@auth0/auth0-spa-js)
// exactly as by an Auth0 tenant: redirect login, refresh-token renewal, hidden-iframe silent auth
// (web_message, same-site cookie), popup login, and /v2/logout. Skipped when Chromium or
// playwright-core is not installed. Loopback only; any other request is aborted and fails the test.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { startTenant } from './server.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function tryResolve(id) {
  try { return require.resolve(id); } catch { return undefined; }
}

const playwrightPath = tryResolve('playwright-core');
const spaJsPath = tryResolve('@auth0/auth0-spa-js/dist/auth0-spa-js.production.js');
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}`
  : (!playwrightPath ? 'playwright-core not installed' : (!spaJsPath ? '@auth0/auth0-spa-js not installed' : false));

const T = { timeout: 30000 };

function spaServer(getConfig) {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/auth0-spa-js.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(readFileSync(spaJsPath));
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.setHeader('content-type', 'text/html');
      res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>SPA</title>
<script src="/auth0-spa-js.js"></script>
<script>
  window.CONFIG = ${JSON.stringify(getConfig())};
  window.makeClient = (extra) => auth0.createAuth0Client({
    domain: CONFIG.domain, clientId: CONFIG.clientId,
    authorizationParams: { redirect_uri: location.origin },
    ...extra,
  });
  window.ready = makeClient({ useRefreshTokens: true, cacheLocation: 'localstorage' }).then((c) => { window.client = c; return c; });
</script></head><body>SPA</body></html>`);
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('auth0-spa-js in Chromium against the tenant', { skip }, () => {
  let tenant;
  let spa;
  let spaOrigin;
  let browser;
  let page;
  const offMachine = [];

  before(async () => {
    spa = await spaServer(() => ({ domain: tenant.url, clientId: tenant.clientId }));
    spaOrigin = `http://127.0.0.1:${spa.address().port}`;
    tenant = await startTenant({ port: 0, spa: spaOrigin, autoLogin: true, accessTokenTtl: 60 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext();
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.protocol === 'data:') return route.continue();
      offMachine.push(u.href);
      return route.abort();
    });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
  });

  after(async () => {
    await browser?.close();
    await tenant?.stop();
    await new Promise((r) => { if (spa) { spa.closeAllConnections(); spa.close(() => r()); } else r(); });
  });

  test('redirect login, refresh renewal, silent iframe, popup and /v2/logout all work', T, async () => {
    await page.goto(`${spaOrigin}/`);
    await page.evaluate(() => window.ready);
    await Promise.all([
      page.waitForURL(/[?&]code=/),
      page.evaluate(() => window.client.loginWithRedirect()),
    ]);
    const user = await page.evaluate(async () => {
      const c = await window.ready;
      await c.handleRedirectCallback();
      return c.getUser();
    });
    assert.equal(user.sub, 'auth0|alice');
    assert.equal(user.email, 'alice@example.com');
    assert.equal(tenant.stats().token.byGrantType.authorization_code, 1);

    // refresh-token renewal (rotation) through the SDK
    const rt = await page.evaluate(async () => {
      const c = await window.ready;
      const a = await c.getTokenSilently({ cacheMode: 'off', detailedResponse: true });
      const b = await c.getTokenSilently({ cacheMode: 'off', detailedResponse: true });
      return { a: a.access_token, b: b.access_token };
    });
    assert.notEqual(rt.a, rt.b);
    let s = tenant.stats();
    assert.equal(s.token.byGrantType.refresh_token, 2);
    assert.equal(s.refreshTokenReuse, 0);
    assert.equal(s.token.byContentType.form, 3, 'auth0-spa-js sends form bodies by default');

    // hidden-iframe silent authentication (prompt=none, response_mode=web_message)
    const silent = await page.evaluate(async () => {
      const c = await window.makeClient({});
      const token = await c.getTokenSilently({ cacheMode: 'off' });
      return { token: typeof token, user: (await c.getUser())?.sub };
    });
    assert.deepEqual(silent, { token: 'string', user: 'auth0|alice' });
    s = tenant.stats();
    assert.ok(s.authorize.byResponseMode.web_message >= 1);
    assert.ok(s.authorize.byPrompt.none >= 1);

    // popup login (web_message to window.opener)
    const popupUser = await page.evaluate(async () => {
      const c = await window.makeClient({});
      await c.loginWithPopup();
      return (await c.getUser())?.sub;
    });
    assert.equal(popupUser, 'auth0|alice');

    // /v2/logout with returnTo, then silent auth must fail with login_required
    await Promise.all([
      page.waitForURL(`${spaOrigin}/`),
      page.evaluate(() => window.client.logout({ logoutParams: { returnTo: location.origin } })),
    ]);
    assert.ok(tenant.stats().logout >= 1);
    const afterLogout = await page.evaluate(async () => {
      const c = await window.makeClient({ authorizeTimeoutInSeconds: 5 });
      try {
        await c.getTokenSilently({ cacheMode: 'off' });
        return 'no error';
      } catch (e) {
        return e.error;
      }
    });
    assert.equal(afterLogout, 'login_required');
    assert.deepEqual(offMachine, [], 'no request left the machine');
  });

  test('reuse detection reaches the SDK as invalid_grant', T, async () => {
    await page.goto(`${spaOrigin}/`);
    await page.evaluate(() => window.ready);
    await Promise.all([page.waitForURL(/[?&]code=/), page.evaluate(() => window.client.loginWithRedirect())]);
    await page.evaluate(async () => { await (await window.ready).handleRedirectCallback(); });
    tenant.resetStats();
    // Refresh once (rotation), then replay the first refresh token from outside the browser.
    const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@')).map((k) => localStorage.getItem(k)));
    const firstRt = stored.map((v) => JSON.parse(v)).find((v) => v.body?.refresh_token)?.body.refresh_token;
    assert.equal(typeof firstRt, 'string');
    await page.evaluate(async () => (await window.ready).getTokenSilently({ cacheMode: 'off' }));
    const replay = await fetch(`${tenant.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: tenant.clientId, refresh_token: firstRt }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(replay.status, 400);
    const err = await page.evaluate(async () => {
      try {
        await (await window.ready).getTokenSilently({ cacheMode: 'off' });
        return 'no error';
      } catch (e) {
        return e.error;
      }
    });
    assert.equal(err, 'invalid_grant');
    assert.equal(tenant.stats().refreshTokenReuse, 1);
  });
});
