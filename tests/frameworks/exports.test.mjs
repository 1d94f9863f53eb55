// Every name the official wrappers export exists in ours, at run time and in the declarations:
//   - auth0-spa-wasm/react exports every runtime name of @auth0/auth0-react, and its declarations
//     every name (values and types) of auth0-react's;
//   - the same for auth0-spa-wasm/vue and @auth0/auth0-vue;
//   - auth0-spa-wasm (the default entry) exports every name @auth0/auth0-angular's build imports
//     or re-exports from '@auth0/auth0-spa-js', so the aliased Angular build links;
//   - the classes the wrappers re-export are the package's own (one SDK: `instanceof` works across
//     `auth0-spa-wasm` and `auth0-spa-wasm/react` / `/vue`).
// Runs on the built package (dist/): node resolves the wrappers' import of 'auth0-spa-wasm' to
// dist/index.js by the package's own name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO } from './apps.mjs';

const require = createRequire(import.meta.url);
const nm = (p) => path.join(REPO, 'node_modules', p);

/** Names exported by a module's declarations (values and types), through the TypeScript checker. */
function declaredExports(file, paths = {}) {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2020,
    baseUrl: REPO, paths, noEmit: true, skipLibCheck: true, types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = checker.getSymbolAtLocation(source);
  return new Set(checker.getExportsOfModule(symbol).map((s) => s.getName()));
}

const missing = (want, have) => [...want].filter((n) => !have.has(n)).sort();

test('auth0-spa-wasm/react exports every runtime name of @auth0/auth0-react 2.27.0, and its classes are the package\'s own', async () => {
  const ours = await import(path.join(REPO, 'dist/react/index.js'));
  const main = await import(path.join(REPO, 'dist/index.js'));
  const theirs = require('@auth0/auth0-react');
  assert.deepEqual(missing(Object.keys(theirs), new Set(Object.keys(ours))), []);
  for (const name of ['GenericError', 'TimeoutError', 'MfaRequiredError', 'InMemoryCache', 'User', 'MfaError', 'PasskeyError', 'AnonymousSessionError']) {
    assert.equal(ours[name], main[name], `${name} is the default entry's`);
  }
});

test('auth0-spa-wasm/vue exports every runtime name of @auth0/auth0-vue 2.10.0, and its classes are the package\'s own', async () => {
  const ours = await import(path.join(REPO, 'dist/vue/index.js'));
  const main = await import(path.join(REPO, 'dist/index.js'));
  const theirs = await import('@auth0/auth0-vue');
  assert.deepEqual(missing(Object.keys(theirs), new Set(Object.keys(ours))), []);
  for (const name of ['InvalidConfigurationError', 'MfaRequiredError', 'User', 'isFederatedDomain', 'RefreshTokenMode']) {
    assert.equal(ours[name], main[name], `${name} is the default entry's`);
  }
});

test('auth0-spa-wasm exports every name @auth0/auth0-angular 2.12.0 imports or re-exports from @auth0/auth0-spa-js', async () => {
  const main = await import(path.join(REPO, 'dist/index.js'));
  const fesm = readFileSync(nm('@auth0/auth0-angular/fesm2022/auth0-auth0-angular.mjs'), 'utf8');
  const wanted = new Set();
  for (const m of fesm.matchAll(/(?:import|export)\s*\{([^}]*)\}\s*from\s*'@auth0\/auth0-spa-js'/g)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().split(/\s+as\s+/)[0].trim();
      if (name) wanted.add(name);
    }
  }
  // `import * as i4 from '@auth0/auth0-spa-js'`, used as i4.Name
  const ns = /import \* as (\w+) from '@auth0\/auth0-spa-js'/.exec(fesm);
  if (ns) for (const m of fesm.matchAll(new RegExp(`\\b${ns[1]}\\.(\\w+)`, 'g'))) wanted.add(m[1]);
  assert.ok(wanted.size >= 30, `found the names (${wanted.size})`);
  assert.deepEqual(missing(wanted, new Set(Object.keys(main))), []);
});

test('the declarations of auth0-spa-wasm/react and /vue export every name (value or type) of the official wrappers\' declarations', () => {
  const react = declaredExports(path.join(REPO, 'js/react.d.ts'), { 'auth0-spa-wasm': ['js/index.d.ts'] });
  const reactTheirs = declaredExports(nm('@auth0/auth0-react/dist/index.d.ts'));
  assert.ok(reactTheirs.size > 80, `auth0-react's names were read (${reactTheirs.size})`);
  assert.deepEqual(missing(reactTheirs, react), []);
  const vue = declaredExports(path.join(REPO, 'js/vue.d.ts'), { 'auth0-spa-wasm': ['js/index.d.ts'] });
  const vueTheirs = declaredExports(nm('@auth0/auth0-vue/dist/typings/index.d.ts'));
  assert.ok(vueTheirs.size > 60, `auth0-vue's names were read (${vueTheirs.size})`);
  assert.deepEqual(missing(vueTheirs, vue), []);
});

test('the default entry\'s declarations export every name the three wrappers\' declarations import from @auth0/auth0-spa-js', () => {
  const ours = declaredExports(path.join(REPO, 'js/index.d.ts'));
  const wanted = new Set();
  const scan = (file) => {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'@auth0\/auth0-spa-js'/g)) {
      for (const part of m[1].split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0].trim();
        if (name) wanted.add(name);
      }
    }
    for (const m of text.matchAll(/import\("@auth0\/auth0-spa-js"\)\.(\w+)/g)) wanted.add(m[1]);
    for (const m of text.matchAll(/_auth0_auth0_spa_js\.(\w+)/g)) wanted.add(m[1]);
  };
  for (const dir of ['@auth0/auth0-react/dist', '@auth0/auth0-vue/dist/typings', '@auth0/auth0-vue/dist/typings/interfaces']) {
    for (const f of require('node:fs').readdirSync(nm(dir))) if (f.endsWith('.d.ts')) scan(path.join(nm(dir), f));
  }
  scan(nm('@auth0/auth0-angular/index.d.ts'));
  assert.ok(wanted.size > 100, `the wrappers' names were read (${wanted.size})`);
  assert.deepEqual(missing(wanted, ours), []);
});
