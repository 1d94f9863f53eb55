// React, Vue and Angular apps on this package, built with each framework's usual tooling and run
// in headless Chromium against the local tenant, beside the same apps on the official wrappers.
//
// Why: most Auth0 single-page apps use @auth0/auth0-react, @auth0/auth0-vue or
// @auth0/auth0-angular, not auth0-spa-js itself. The promise is that such an app switches by
// changing its import lines (React, Vue) or by aliasing @auth0/auth0-spa-js (Angular) and keeps
// working. So each app in apps/ is written for the official wrapper, built twice (apps.mjs: Vite
// with the React or Vue plugin, the Angular CLI's application builder), and both builds must pass
// the same flow:
//   1. the app starts signed out;
//   2. a redirect login: React through withAuthenticationRequired on /profile, Vue through
//      authGuard on /profile, Angular through AuthService.loginWithRedirect(); the tenant logs in
//      and the wrapper handles the callback (the query leaves the address bar, the user lands
//      where the app asked);
//   3. the page shows the user (email and name; React also through withAuth0, Vue through $auth0);
//   4. two renewals through the wrapper's getAccessTokenSilently, each a refresh-token grant
//      (the tenant answers expires_in 0, so no token is served from the cache): two new access
//      tokens, two refresh grants, no refresh-token reuse;
//   5. logout: /v2/logout, back on the app signed out, no SDK entry left in localStorage;
//   and nothing failed on the way (no 4xx/5xx, no uncaught page error).
// The builds on this package must carry this package and not auth0-spa-js; each test reports the
// app's shipped bytes (gzip), and sizes.mjs prints them side by side.
//
// Needs: dist/ (bash scripts/build.sh), /usr/bin/chromium (or $CHROMIUM), and the root
// devDependencies (Vite and its React/Vue plugins, the Angular CLI, the frameworks, the official
// wrappers). See README.md here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as h from '../e2e/harness.mjs';
import { startStatic } from '../support/static-server.mjs';
import {
  REPO, FRAMEWORKS, FLAVOURS, packPackage, prepareApps, buildApp, outDir, bundleSizes, sdkMarks,
} from './apps.mjs';

const EMAIL = 'alice@example.com';
const NAME = 'Alice Example';
/** One app: its build (Angular: 10–40 s on 2 shared cores) and the flow. */
const T = { timeout: 240_000 };

const WORK = path.join(REPO, 'test-output', `frameworks-${process.pid}`);
const servers = {}; // `${framework}-${flavour}` -> static server of the built app
let env;

const CASES = FRAMEWORKS.flatMap((framework) => FLAVOURS.map((flavour) => ({ framework, flavour, key: `${framework}-${flavour}` })));

before(async () => {
  if (!existsSync(path.join(REPO, 'dist', 'react', 'index.js'))) {
    throw new Error('dist/react/index.js is missing: build the package first (bash scripts/build.sh)');
  }
  await fs.rm(WORK, { recursive: true, force: true });
  await fs.mkdir(WORK, { recursive: true });
  // Servers first: the tenant must know their origins (CORS, redirect and logout URLs).
  for (const c of CASES) servers[c.key] = await startStatic({ root: outDir(WORK, c.framework, c.flavour), port: 0 });
  env = await h.startEnv({ tenant: { spa: CASES.map((c) => servers[c.key].url) } });
  const tarball = await packPackage(WORK);
  const notes = await prepareApps(WORK, tarball, { domain: env.tenant.url, clientId: env.tenant.clientId });
  for (const n of notes) console.log(`[frameworks] ${n}`);
}, { timeout: 180_000 });

after(async () => {
  if (env) await env.stop();
  for (const s of Object.values(servers)) {
    await h.withTimeout(s.stop(), 5_000, 'static server stop').catch((err) => console.error(`[frameworks] ${err.message}`));
  }
  if (!process.env.KEEP_FRAMEWORK_APPS) await fs.rm(WORK, { recursive: true, force: true });
}, { timeout: 60_000 });

/** Loads the built app and runs the flow of the file comment. */
async function flow(t, { framework, key }) {
  env.resetTenant({ staleAccessTokens: true });
  const base = servers[key].url;
  const context = h.closeWithTest(t, await env.newContext());
  const page = await context.newPage();
  const failed = [];
  const consoleErrors = [];
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failed.push(`${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => failed.push(`${r.failure()?.errorText} ${r.url()}`));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  const stateOf = () => page.evaluate(() => {
    const s = document.getElementById('status');
    return { state: s && s.dataset.state, text: s && s.textContent.trim(), url: location.href };
  }).catch((err) => ({ error: err.message }));
  const explain = async (what, err) => new Error(`${key}: ${what} at ${page.url()}: ${JSON.stringify(await stateOf())}; `
    + `failed requests: ${JSON.stringify(failed)}; console errors: ${JSON.stringify(consoleErrors)}; `
    + `page errors: ${JSON.stringify(context.errors)}; ${err.message}`);
  const waitFor = async (selector, what) => {
    try {
      await page.locator(selector).first().waitFor({ timeout: h.ACTION_TIMEOUT });
    } catch (err) {
      throw await explain(what, err);
    }
  };
  const waitSignedOut = async () => {
    await waitFor('#status[data-state="ready"]:text-is("signed out"), #status[data-state="failed"]', 'not signed out');
    assert.deepEqual((await stateOf()).text, 'signed out', `${key}: the app failed: ${JSON.stringify(await stateOf())}`);
  };

  // 1. Signed out.
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await waitSignedOut();
  assert.equal(await page.locator('#profile').count(), 0);

  // 2. Redirect login, and back where the app asked.
  if (framework === 'angular') {
    await page.click('#login');
  } else {
    await page.goto(`${base}/profile`, { waitUntil: 'load' }); // the guard / HOC starts the login
  }
  await waitFor(`#email:text-is("${EMAIL}")`, 'no user after the redirect login');
  await waitFor('#status[data-state="ready"]:text-is("signed in")', 'not signed in');
  assert.equal(page.url(), framework === 'angular' ? `${base}/` : `${base}/profile`, 'the callback query left the address bar, and the app is where it asked to return');
  let stats = h.tokenStats(env.tenant);
  assert.equal(stats.code, 1, 'one authorization-code exchange');
  assert.equal(env.tenant.stats().logins, 1, 'one login at the tenant');

  // 3. The user.
  assert.match(await page.textContent('#name'), new RegExp(`Hello, ${NAME}`));

  // 4. Two renewals with the refresh token.
  const tokens = [];
  for (const n of [1, 2]) {
    await page.click('#renew');
    await waitFor(`#token[data-count="${n}"], #failure:not(:empty)`, `renewal ${n} did not finish`);
    assert.equal(await page.textContent('#failure'), '', `renewal ${n} failed`);
    tokens.push((await page.textContent('#token')).trim());
  }
  assert.ok(tokens[0] && tokens[1], 'two access tokens shown');
  assert.notEqual(tokens[0], tokens[1], 'each renewal brought a new access token');
  stats = h.tokenStats(env.tenant);
  assert.equal(stats.refresh, 2, 'two refresh-token grants');
  assert.equal(stats.reuse, 0, 'no refresh token presented twice');
  assert.equal(stats.code, 1, 'no second code exchange');
  assert.ok((await h.refreshTokensInStorage(page)).length > 0, 'the rotated refresh token is stored (localstorage cache)');

  // 5. Logout.
  await page.evaluate(() => { document.getElementById('status').dataset.state = 'left'; });
  await page.click('#logout');
  await page.waitForURL(`${base}/`, { timeout: h.ACTION_TIMEOUT }).catch(async (err) => { throw await explain('not back after logout', err); });
  await waitSignedOut();
  assert.equal(env.tenant.stats().logout, 1, 'one /v2/logout');
  assert.deepEqual(await h.readCache(page), [], 'no SDK entry left in localStorage');
  assert.equal(await page.locator('#profile').count(), 0);

  assert.deepEqual(failed, [], 'no failed request');
  assert.deepEqual(context.errors, [], 'no uncaught page error');
}

const HOW = {
  react: 'a Vite build (@vitejs/plugin-react)',
  vue: 'a Vite build (@vitejs/plugin-vue, vue-router)',
  angular: 'an Angular CLI build (ng build, @angular/build:application)',
};
const ON = {
  react: { ours: "auth0-spa-wasm/react (its imports switched from '@auth0/auth0-react')", official: '@auth0/auth0-react' },
  vue: { ours: "auth0-spa-wasm/vue (its imports switched from '@auth0/auth0-vue')", official: '@auth0/auth0-vue' },
  angular: { ours: '@auth0/auth0-angular unchanged, @auth0/auth0-spa-js aliased to auth0-spa-wasm by an npm override', official: '@auth0/auth0-angular on @auth0/auth0-spa-js' },
};

for (const c of CASES) {
  test(`[${c.framework}] ${HOW[c.framework]} on ${ON[c.framework][c.flavour]}: redirect login, the user, two refresh-token renewals, logout`, T, async (t) => {
    const { ms, warnings } = await buildApp(WORK, c.framework, c.flavour);
    const out = outDir(WORK, c.framework, c.flavour);
    for (const w of warnings) t.diagnostic(`${c.key} build warning: ${String(w).split('\n')[0]}`);
    const size = await bundleSizes(out);
    t.diagnostic(`${c.key}: built in ${ms} ms; the page loads ${size.files.length} file(s), ${size.raw} bytes, ${size.gzip} gzip -9, ${size.brotli} brotli`);
    const marks = await sdkMarks(out);
    if (c.flavour === 'ours') {
      assert.ok(marks.wasm, 'the bundle carries auth0-spa-wasm');
      assert.ok(!marks.spaJs, 'the bundle does not carry auth0-spa-js: one SDK');
      assert.ok(marks.liteAtStart, 'the lite wasm build is counted in what the page loads at start');
    } else {
      assert.ok(marks.spaJs && !marks.wasm, 'the official build carries auth0-spa-js only');
    }
    await flow(t, c);
  });
}
