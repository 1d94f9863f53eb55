// auth0-spa-wasm/react behaves as @auth0/auth0-react 2.27.0 does, scenario by scenario, in
// Chromium. pages/react-scenarios.jsx is bundled twice by esbuild, once on each wrapper, and every
// scenario drives <Auth0Provider client={fake}> with the same scripted fake client: start-up with
// and without a callback URL, skipRedirectCallback, onRedirectCallback, errors normalised to
// OAuthError / Error, getAccessTokenSilently and the user re-read after it, loginWithPopup's
// loading state, logout with and without openUrl, withAuthenticationRequired, withAuth0, several
// providers, useEnterpriseConnect, useAuth0Suspense, the stubs outside a provider, and the newer
// client methods handed through. The traces (states the components saw, client calls with their
// arguments, results) must be equal. A last scenario, on ours only, checks the typed error for
// client methods this package does not have yet.
//
// The real login against the tenant is frameworks.test.mjs; this file covers the wrapper's logic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as h from '../e2e/harness.mjs';
import { startStatic } from '../support/static-server.mjs';
import { REPO } from './apps.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORK = path.join(REPO, 'test-output', `react-behaviour-${process.pid}`);
const WRAPPERS = {
  ours: path.join(REPO, 'dist/react/index.js'),
  official: path.join(REPO, 'node_modules/@auth0/auth0-react/dist/auth0-react.esm.js'),
};
let env;
let server;
let names;
/** One page per wrapper; every scenario cleans up after itself (unmounts, restores the URL). */
const pages = {};

before(async () => {
  const esbuild = await import('esbuild');
  await fs.rm(WORK, { recursive: true, force: true });
  await fs.mkdir(WORK, { recursive: true });
  for (const [flavour, wrapper] of Object.entries(WRAPPERS)) {
    await esbuild.build({
      entryPoints: [path.join(HERE, 'pages/react-scenarios.jsx')],
      bundle: true, format: 'esm', jsx: 'automatic', logLevel: 'silent', absWorkingDir: REPO,
      alias: { WRAPPER: wrapper, 'auth0-spa-wasm': path.join(REPO, 'dist/index.js') },
      define: { 'process.env.NODE_ENV': '"production"' },
      outfile: path.join(WORK, `${flavour}.js`),
    });
    await fs.writeFile(path.join(WORK, `${flavour}.html`),
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${flavour}</title><script type="module" src="/${flavour}.js"></script></head><body></body></html>`);
  }
  server = await startStatic({ root: WORK, port: 0 });
  env = await h.startEnv({ tenant: { spa: [server.url] } });
  for (const flavour of Object.keys(WRAPPERS)) pages[flavour] = await open(flavour);
  names = await pages.ours.page.evaluate(() => window.__names);
}, { timeout: 120_000 });

after(async () => {
  for (const { context } of Object.values(pages)) await h.withTimeout(context.close(), 10_000, 'context close').catch(() => {});
  if (env) await env.stop();
  if (server) await server.stop();
  await fs.rm(WORK, { recursive: true, force: true });
}, { timeout: 60_000 });

async function open(flavour) {
  const context = await env.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/${flavour}.html`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__ready === true, null, { timeout: h.ACTION_TIMEOUT });
  return { page, context };
}

/** Runs one scenario in the page of the given wrapper. */
async function run(flavour, name) {
  const { page, context } = pages[flavour];
  const result = await h.withTimeout(page.evaluate((n) => window.__run(n), name), 20_000, `${flavour}: ${name}`);
  assert.deepEqual(context.errors, [], `${flavour}: no uncaught page error`);
  return result;
}

test('auth0-spa-wasm/react and @auth0/auth0-react give the same trace in every scenario', { timeout: 300_000 }, async (t) => {
  assert.ok(names.shared.length >= 20, `scenarios found (${names.shared.length})`);
  for (const name of names.shared) {
    await t.test(name, async () => {
      const official = await run('official', name);
      const ours = await run('ours', name);
      assert.deepEqual(ours, official);
    });
  }
});

test('auth0-spa-wasm/react: the package client\'s passkey and anonymous sub-clients reach the app through the context', { timeout: 60_000 }, async () => {
  const [name] = names.oursOnly;
  const got = await run('ours', name);
  const expected = [
    // The package's passkey client, handed through, in a browser without WebAuthn: its PasskeyError.
    { failed: { cls: 'other Error', message: 'WebAuthn is not supported in this browser.' } },
    // client.anonymous is the package client's own, handed on by the context.
    { ok: true },
    { ok: [false, null] },
  ];
  assert.deepEqual(got, expected);
});
