// scripts/wasm-names.mjs: the glue follows wasm-opt's renaming of the .wasm's imports and exports,
// and a glue of an unknown shape stops the build instead of shipping a module that cannot start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minifyGlueNames } from '../../scripts/wasm-names.mjs';

// The shape of wasm-bindgen 0.2's --target web glue, cut down to what the script touches.
const GLUE = `import { lockRequest } from './snippets/x/js/platform.js';
import * as import1 from "./snippets/x/js/platform.js"

export class WasmClient {
    getUser() {
        const ptr0 = passStringToWasm0(s, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        return wasm.wasmclient_getUser(this.__wbg_ptr, ptr0);
    }
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_call_40b008ba32f73991: function(arg0, arg1) {
            return arg0.call(arg1);
        },
        __wbg_lockRequest_0123456789abcdef: function(arg0) {
            return lockRequest(arg0);
        },
    };
    return {
        __proto__: null,
        "./auth0_spa_wasm_bg.js": import0,
        "./snippets/x/js/platform.js": import1,
    };
}
function wasm_bindgen__convert__closures_____invoke__h1(a) {
    wasm.wasm_bindgen__convert__closures_____invoke__h1(a);
}
`;

const TABLE = {
  imports: [
    ['./auth0_spa_wasm_bg.js', '__wbg_call_40b008ba32f73991', 'a'],
    ['./auth0_spa_wasm_bg.js', '__wbg_lockRequest_0123456789abcdef', 'b'],
    ['./snippets/x/js/platform.js', 'stopTimer', 'c']
  ],
  exports: [
    ['__wbindgen_malloc', 'd'],
    ['__wbindgen_realloc', 'e'],
    ['wasmclient_getUser', 'f'],
    ['wasm_bindgen__convert__closures_____invoke__h1', 'g'],
    ['__instance_terminated', 'h']
  ]
};

const FINAL = [{ module: 'z', name: 'a' }, { module: 'z', name: 'b' }, { module: 'z', name: 'c' }];

test('imports, snippet imports and exports take the new names, in one import module', () => {
  const out = minifyGlueNames(GLUE, /** @type {any} */ (TABLE), FINAL);
  assert.match(out, /passStringToWasm0\(s, wasm\.d, wasm\.e\)/);
  assert.match(out, /return wasm\.f\(this\.__wbg_ptr, ptr0\)/);
  assert.match(out, /^\s+a: function\(arg0, arg1\)/m);
  assert.match(out, /^\s+b: function\(arg0\)/m);
  assert.match(out, /return \{ __proto__: null, "z": Object\.assign\(import0, \{ c: import1\.stopTimer \}\) \};/);
  // The JS function that shares an export's name is the glue's own; only wasm.<name> changes.
  assert.match(out, /function wasm_bindgen__convert__closures_____invoke__h1\(a\) \{\n\s+wasm\.g\(a\);/);
  assert.doesNotMatch(out, /__wbg_call_|auth0_spa_wasm_bg\.js|wasm\.wasmclient/);
});

test('a glue of another shape fails with the reason', () => {
  const cases = [
    { why: 'imports in two modules', glue: GLUE, final: [...FINAL, { module: 'y', name: 'q' }], re: /in one module/ },
    { why: 'an export the table does not know', glue: GLUE.replace('wasm.wasmclient_getUser', 'wasm.wasmclient_other'), final: FINAL, re: /wasm\.wasmclient_other/ },
    { why: 'an export named in a string', glue: GLUE + "const f = instance.exports['wasmclient_getUser'];\n", final: FINAL, re: /names the export wasmclient_getUser/ },
    { why: 'an import key missing', glue: GLUE.replace('__wbg_call_40b008ba32f73991: function', '"__wbg_call_40b008ba32f73991": function'), final: FINAL, re: /has 0 keys __wbg_call_/ },
    { why: 'an import key twice', glue: GLUE.replace('__proto__: null,\n        __wbg_call', '__proto__: null,\n        __wbg_call_40b008ba32f73991: function(x) {},\n        __wbg_call'), final: FINAL, re: /has 2 keys/ },
    { why: 'a snippet not imported as a namespace', glue: GLUE.replace('import * as import1 from "./snippets/x/js/platform.js"', ''), final: FINAL, re: /as a namespace/ },
    { why: 'no import object to return', glue: GLUE.replace('"./auth0_spa_wasm_bg.js": import0,', '"./other.js": import0,'), final: FINAL, re: /was not found/ },
    { why: 'a .wasm import nobody provides', glue: GLUE, final: [...FINAL, { module: 'z', name: 'q' }], re: /imports z\.q/ }
  ];
  for (const c of cases) assert.throws(() => minifyGlueNames(c.glue, /** @type {any} */ (TABLE), c.final), c.re, c.why);
});
