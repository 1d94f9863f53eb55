// Builds the framework test apps (tests/frameworks/apps/) the way their users build them, each in
// two flavours:
//   ours      the app on this package: React and Vue import 'auth0-spa-wasm/react' / '/vue';
//             Angular keeps importing @auth0/auth0-angular, and its package.json aliases
//             @auth0/auth0-spa-js to this package with an npm override (README, "Using Angular").
//   official  the same app on the official wrapper: the React and Vue sources with their import
//             lines changed to '@auth0/auth0-react' / '@auth0/auth0-vue'; Angular as it is, on
//             @auth0/auth0-spa-js.
// React and Vue: `vite build` with @vitejs/plugin-react / @vitejs/plugin-vue (Node API, no config
// file). Angular: `ng build` (the Angular CLI, @angular/build:application).
//
// This package is packed with `npm pack` (package.json's `files` and `exports` as they are) and
// installed from the tarball, as a user gets it. The apps live under test-output/ inside this
// repository, so that React, Vue, Angular and the official wrappers resolve from its
// node_modules (root devDependencies) without a second install.
//
// Used by frameworks.test.mjs (build + login in Chromium) and sizes.mjs (bundle sizes).

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const FRAMEWORKS = ['react', 'vue', 'angular'];
export const FLAVOURS = ['ours', 'official'];
const PKG = 'auth0-spa-wasm';

/** The import lines that differ between the flavours of the React and Vue apps. */
const SWITCH = {
  react: { from: "'auth0-spa-wasm/react'", to: "'@auth0/auth0-react'" },
  vue: { from: "'auth0-spa-wasm/vue'", to: "'@auth0/auth0-vue'" },
};

/** The version of an installed package (from the repository's node_modules). */
export function installedVersion(name) {
  return JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')).version;
}

const npmOpts = { timeout: 120_000, maxBuffer: 16 << 20, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } };

/**
 * `npm pack` of this package as published (package.json without scripts, with what `files`
 * names) into `work`; returns the tarball's path.
 */
export async function packPackage(work) {
  const stage = path.join(work, 'stage');
  await fs.mkdir(stage, { recursive: true });
  const pkg = JSON.parse(await fs.readFile(path.join(REPO, 'package.json'), 'utf8'));
  delete pkg.scripts;
  await fs.writeFile(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const entry of new Set(['README.md', ...(pkg.files || [])])) {
    const clean = entry.replace(/^\.\//, '').replace(/\/+$/, '');
    const from = path.join(REPO, clean);
    if (clean && existsSync(from)) await fs.cp(from, path.join(stage, clean), { recursive: true });
  }
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { ...npmOpts, cwd: stage });
  const info = JSON.parse(packed.stdout)[0];
  await fs.rm(stage, { recursive: true, force: true });
  return path.join(work, info.filename);
}

/** Where an app of a framework and flavour is laid out and built. */
export function appDir(work, framework, flavour) {
  return path.join(work, flavour, framework);
}

/**
 * Lays out the six apps under `work`: copies of tests/frameworks/apps/<framework>, the official
 * React and Vue sources with their import lines switched, this package installed from `tarball`
 * (for React and Vue once in work/ours/node_modules; for Angular through the npm override), and
 * each app's config (tenant URL and client id). Returns notes for the test's diagnostics.
 */
export async function prepareApps(work, tarball, { domain, clientId }) {
  const notes = [];
  for (const flavour of FLAVOURS) {
    for (const framework of FRAMEWORKS) {
      const dir = appDir(work, framework, flavour);
      await fs.rm(dir, { recursive: true, force: true });
      await fs.cp(path.join(HERE, 'apps', framework), dir, { recursive: true });
      if (flavour === 'official' && SWITCH[framework]) {
        let changed = 0;
        for (const f of await fs.readdir(path.join(dir, 'src'))) {
          const file = path.join(dir, 'src', f);
          const text = await fs.readFile(file, 'utf8');
          const lines = text.split('\n');
          const switched = lines.map((l) => l.split(SWITCH[framework].from).join(SWITCH[framework].to));
          const n = switched.filter((l, i) => l !== lines[i]).length;
          for (const [i, l] of lines.entries()) {
            if (l !== switched[i] && !/^\s*(import\b|\} from ')/.test(l)) throw new Error(`${framework}: ${f}:${i + 1} names the package outside an import line`);
          }
          if (n) await fs.writeFile(file, switched.join('\n'));
          changed += n;
        }
        if (!changed) throw new Error(`${framework}: no import of ${SWITCH[framework].from} to switch`);
        notes.push(`${framework} (official): ${changed} import line(s) changed to ${SWITCH[framework].to}, nothing else`);
      }
    }
  }
  // React and Vue on this package: one install for both, in work/ours/node_modules.
  const ours = path.join(work, 'ours');
  await fs.writeFile(path.join(ours, 'package.json'), JSON.stringify({ name: 'framework-apps', version: '1.0.0', private: true }, null, 2));
  await run('npm', ['install', '--prefer-offline', '--legacy-peer-deps', '--ignore-scripts', '--no-package-lock', '--no-save', tarball], { ...npmOpts, cwd: ours });
  // Angular on this package: @auth0/auth0-angular as a dependency and the override that makes
  // its @auth0/auth0-spa-js this package (README, "Using Angular"). Angular itself (a peer
  // dependency) resolves from the repository (--legacy-peer-deps: not installed again here).
  const ng = appDir(work, 'angular', 'ours');
  await fs.writeFile(path.join(ng, 'package.json'), JSON.stringify({
    name: 'angular-test-app', version: '1.0.0', private: true,
    dependencies: { '@auth0/auth0-angular': installedVersion('@auth0/auth0-angular') },
    overrides: { '@auth0/auth0-spa-js': `file:${path.relative(ng, tarball)}` },
  }, null, 2));
  await run('npm', ['install', '--prefer-offline', '--legacy-peer-deps', '--ignore-scripts', '--no-package-lock'], { ...npmOpts, cwd: ng });
  const aliased = JSON.parse(await fs.readFile(path.join(ng, 'node_modules/@auth0/auth0-spa-js/package.json'), 'utf8'));
  if (aliased.name !== PKG) throw new Error(`the npm override did not alias @auth0/auth0-spa-js (found ${aliased.name})`);
  notes.push(`angular (ours): npm override "@auth0/auth0-spa-js": "file:…/${path.basename(tarball)}" installed ${aliased.name} ${aliased.version} as @auth0/auth0-spa-js`);
  await writeConfigs(work, { domain, clientId });
  return notes;
}

/** Writes every app's src/config (the tenant to log in at). */
export async function writeConfigs(work, { domain, clientId }) {
  const body = `export const domain = ${JSON.stringify(domain)};\nexport const clientId = ${JSON.stringify(clientId)};\n`;
  for (const flavour of FLAVOURS) {
    for (const framework of FRAMEWORKS) {
      const file = path.join(appDir(work, framework, flavour), 'src', framework === 'angular' ? 'config.ts' : 'config.js');
      await fs.writeFile(file, body);
    }
  }
}

/** The folder a built app is served from. */
export function outDir(work, framework, flavour) {
  const dir = appDir(work, framework, flavour);
  return framework === 'angular' ? path.join(dir, 'dist', 'browser') : path.join(dir, 'dist');
}

/** Builds one app; returns { ms, warnings }. */
export async function buildApp(work, framework, flavour) {
  const dir = appDir(work, framework, flavour);
  const started = Date.now();
  let warnings = [];
  if (framework === 'angular') {
    const ng = path.join(REPO, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
    const { stdout, stderr } = await run(process.execPath, [ng, 'build'], {
      cwd: dir, timeout: 300_000, maxBuffer: 16 << 20,
      env: { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: '0', FORCE_COLOR: '0', CI: '1' },
    });
    warnings = `${stdout}\n${stderr}`.split('\n').filter((l) => /warning/i.test(l));
  } else {
    const { build } = await import('vite');
    const plugin = framework === 'react'
      ? (await import('@vitejs/plugin-react')).default()
      : (await import('@vitejs/plugin-vue')).default();
    const logger = {
      hasWarned: false,
      info() {},
      warn(msg) { warnings.push(msg); this.hasWarned = true; },
      warnOnce(msg) { warnings.push(msg); this.hasWarned = true; },
      error(msg) { warnings.push(`error: ${msg}`); },
      clearScreen() {},
      hasErrorLogged() { return false; },
    };
    await build({
      root: dir, configFile: false, envDir: false, customLogger: logger, logLevel: 'warn', plugins: [plugin],
      build: { outDir: path.join(dir, 'dist'), emptyOutDir: true },
    });
  }
  return { ms: Date.now() - started, warnings };
}

/**
 * A piece of the lite wasm build's inline bytes (pkg/wasm-bytes.js, written by scripts/build.sh),
 * which bundlers copy unchanged: it marks the file that holds the lite build in a built app, so
 * a test can check that the files counted as loaded at start include it (sdkMarks).
 * `undefined` before a build.
 */
function liteBuildMark() {
  try {
    const text = readFileSync(path.join(REPO, 'pkg', 'wasm-bytes.js'), 'utf8');
    const bytes = /["'`]([A-Za-z0-9+/=]{4096,})["'`]/.exec(text);
    return bytes ? bytes[1].slice(2048, 2048 + 256) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The files of a built app that its page loads at start: index.html's scripts, module preloads and
 * stylesheets, and what those import statically, transitively. A chunk reached only through
 * `import()` (this package's client.mfa and myAccount parts, and its full wasm build) loads on
 * first use and is left out. `null` when the build has no index.html to start from.
 */
async function startFiles(dir) {
  let html;
  try {
    html = await fs.readFile(path.join(dir, 'index.html'), 'utf8');
  } catch {
    return null;
  }
  const found = new Set();
  const queue = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+\.(?:m?js|css))"/g)].map((m) => path.join(dir, m[1].replace(/^\//, '')));
  while (queue.length) {
    const file = queue.pop();
    if (found.has(file)) continue;
    found.add(file);
    if (!/\.m?js$/.test(file)) continue;
    const text = await fs.readFile(file, 'utf8');
    // `import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"`; never `import("./x.js")`.
    for (const m of text.matchAll(/\b(?:import|export)\s*(?:[^'"();]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g)) {
      queue.push(path.join(path.dirname(file), m[1]));
    }
  }
  return found;
}

/**
 * raw / gzip -9 / brotli (q11) bytes of the .js, .mjs, .wasm and .css files a built app's page
 * loads at start (`files`), and of those it ships for later, loaded on first use (`later`).
 */
export async function bundleSizes(dir) {
  const files = [];
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && /\.(m?js|wasm|css)$/.test(e.name)) files.push(path.join(e.parentPath ?? e.path, e.name));
  }
  const start = await startFiles(dir);
  const sizes = async (list) => {
    const total = { raw: 0, gzip: 0, brotli: 0, files: list.map((f) => path.relative(dir, f)).sort() };
    for (const f of list) {
      const buf = await fs.readFile(f);
      total.raw += buf.length;
      total.gzip += gzipSync(buf, { level: 9 }).length;
      total.brotli += brotliCompressSync(buf, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
      }).length;
    }
    return total;
  };
  const now = await sizes(start ? files.filter((f) => start.has(f)) : files);
  return { ...now, later: await sizes(start ? files.filter((f) => !start.has(f)) : []) };
}

/** Which SDK a built bundle carries, judged by marks each leaves in its code. */
export async function sdkMarks(dir) {
  let text = '';
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && /\.m?js$/.test(e.name)) text += await fs.readFile(path.join(e.parentPath ?? e.path, e.name), 'utf8');
  }
  const start = (await startFiles(dir)) ?? new Set();
  const mark = liteBuildMark();
  let liteAtStart = false;
  for (const f of start) if (mark && /\.m?js$/.test(f) && (await fs.readFile(f, 'utf8')).includes(mark)) liteAtStart = true;
  return {
    wasm: text.includes('DecompressionStream'), // our inlined wasm loader
    spaJs: text.includes('browser-tabs-lock'), // a dependency of auth0-spa-js, in every build of it
    liteAtStart, // the chunk of our lite wasm build is among the files counted as loaded at start
  };
}
