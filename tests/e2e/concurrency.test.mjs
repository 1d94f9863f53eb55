// Concurrency end-to-end tests: many renewals at once in one page, and several tabs renewing a
// shared (localStorage) cache at the same time. With a rotating server that revokes the whole
// grant on reuse (the local tenant, like Auth0 without a reuse interval), a second request with
// the same refresh token logs the user out; so the rule is: exactly one token request.
// (docs/security-cases.md F5, F6.) SDK under test: E2E_SDK (default 'wasm').
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let env;

before(async () => { env = await h.startEnv(); }, { timeout: 90_000 });
after(async () => { if (env) await env.stop(); }, { timeout: 60_000 });

const CONCURRENT = 50;
const VARIANTS = [
  { name: 'refresh token, localstorage cache', options: { cacheLocation: 'localstorage', useRefreshTokens: true }, grant: 'refresh_token' },
  { name: 'refresh token, memory cache', options: { useRefreshTokens: true }, grant: 'refresh_token' },
  { name: 'hidden iframe, memory cache', options: {}, grant: 'authorization_code' },
];

for (const variant of VARIANTS) {
  test(`[${h.SDK}] ${CONCURRENT} concurrent getTokenSilently() with an expired token make exactly one token request (${variant.name})`, { timeout: 60_000 }, async (t) => {
    env.resetTenant({ staleAccessTokens: true }); // the login's token is expired at once (60 s early expiry)
    const { page } = await h.freshPage(env, t, variant.options);
    await h.loginWithRedirect(page, env.pages.url);
    env.tenant.configure({ staleAccessTokens: false }); // the renewed token is fresh: later callers must use it
    env.tenant.resetStats();
    const results = await page.evaluate((n) => Promise.all(Array.from({ length: n },
      () => window.__try(() => window.__client.getTokenSilently()))), CONCURRENT);
    const failures = results.filter((r) => !r.ok);
    assert.deepEqual(failures, [], 'every call succeeds');
    const distinct = new Set(results.map((r) => r.value));
    assert.equal(distinct.size, 1, 'every caller gets the same access token');
    const s = env.tenant.stats();
    assert.equal(s.token.total, 1, `exactly one token request (got ${JSON.stringify(s.token.byGrantType)})`);
    assert.equal(s.token.byGrantType[variant.grant], 1);
    assert.equal(s.refreshTokenReuse, 0, 'no refresh token reused');
  });
}

const TABS = 4;
const ROUNDS = Number(process.env.E2E_TAB_ROUNDS) || 10;

test(`[${h.SDK}] ${TABS} tabs sharing localStorage load at once with an expired token: one token request and no reuse, ${ROUNDS} times`, { timeout: 150_000 }, async (t) => {
  env.resetTenant();
  const context = await h.testContext(env, t, { cacheLocation: 'localstorage', useRefreshTokens: true });
  const control = await context.newPage();
  const login = async () => {
    const page = await context.newPage();
    await h.openTestPage(page, env.pages.url);
    await h.loginWithRedirect(page, env.pages.url);
    await page.close();
  };
  await login();
  await control.goto(`${env.pages.url}/blank.html`);

  const rounds = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const expired = await h.expireCachedTokens(control);
    env.tenant.resetStats();
    const pages = await Promise.all(Array.from({ length: TABS }, () => context.newPage()));
    let errors = [];
    let tokens = [];
    let sent = [];
    try {
      // All tabs load together: each creates its client (checkSession renews), then asks for a token.
      await Promise.all(pages.map((p) => h.openTestPage(p, env.pages.url)));
      const results = await Promise.all(pages.map((p) => p.evaluate(() => window.__try(() => window.__client.getTokenSilently()))));
      errors = results.filter((r) => !r.ok).map((r) => r.error.error);
      tokens = results.filter((r) => r.ok).map((r) => r.value);
      sent = await Promise.all(pages.map((p) => p.evaluate(() => [window.__tokenRequests, window.__storageLog])));
    } catch (err) {
      errors.push(String(err.message));
    } finally {
      await Promise.all(pages.map((p) => p.close().catch(() => {})));
    }
    const s = h.tokenStats(env.tenant);
    const ok = expired >= 1 && errors.length === 0 && s.total === 1 && s.refresh === 1 && s.reuse === 0 && new Set(tokens).size === 1;
    const entry = { round, ok, tokenRequests: s.total, reuse: s.reuse, errors, distinctTokens: new Set(tokens).size };
    if (!ok) {
      // What the tenant saw, for diagnosis: token requests in order, with the grant error details.
      entry.tenant = env.tenant.stats().requests.filter((r) => r.path === '/oauth/token')
        .map((r) => `${r.t.slice(17)} ${r.grantType} ${r.status}`);
      entry.grantErrors = s.grantErrors;
      entry.byTab = sent.map(([list, log], i) => `tab ${i + 1}: ${list.map((r) => `${r.t} POST ${r.grant} sent=${r.sent} stored=${r.stored}`).concat(log).sort().join('; ')}`);
    }
    rounds.push(entry);
    if (!ok) {
      // A reuse revokes the whole grant: log in again so later rounds measure the same thing.
      await login();
    }
  }
  const failed = rounds.filter((r) => !r.ok);
  t.diagnostic(`rounds failed: ${failed.length}/${ROUNDS}`);
  assert.deepEqual(failed, [], `every round: exactly one token request, no reuse, one shared token.\n${JSON.stringify(rounds, null, 1)}`);
});
