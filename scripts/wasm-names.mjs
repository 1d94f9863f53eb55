// @ts-check
// Short import and export names for the release .wasm, and the same names in wasm-bindgen's glue.
//
// wasm-bindgen names each import after the JS it calls plus a 16-hex-digit hash
// (`__wbg_call_40b008ba32f73991` in module `./auth0_spa_wasm_bg.js`), and the glue spells every
// name again as an object key: 89 imports and 34 exports took 5.8 KB of the .wasm and as much of
// the JS, and the hashes do not compress. scripts/build.sh runs binaryen's
// `--minify-imports-and-exports-and-modules` in its one wasm-opt call (scripts/wasm-opt.sh), which
// renames them to one or two letters (all imports into one module) and prints the old -> new table
// as JSON; this script applies that table to the glue, so the module and its glue agree again.
//
// Usage: node scripts/wasm-names.mjs <final .wasm> <names.json from wasm-opt> <glue .js>
// The glue is rewritten in place. Every rename is checked: a glue whose shape is not the one this
// script knows (wasm-bindgen changed) fails the build instead of shipping a module that cannot
// instantiate.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ imports: [string, string, string][], exports: [string, string][] }} NameTable
 *   wasm-opt's table: imports as [module, old name, new name], exports as [old name, new name].
 * @typedef {{ module: string, name: string }} WasmImport
 */

/** The wasm-bindgen module every generated import comes from; snippet modules are the others. */
const GLUE_MODULE = './auth0_spa_wasm_bg.js';

/** @param {string} s */
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rewrites the glue for the renamed module. `finalImports` are the imports of the .wasm as it
 * ships (after every pass), all in one module whose name the glue's import object now uses.
 * @param {string} glue
 * @param {NameTable} table
 * @param {WasmImport[]} finalImports
 * @returns {string}
 */
export function minifyGlueNames(glue, table, finalImports) {
  const modules = new Set(finalImports.map((i) => i.module));
  if (modules.size !== 1) throw new Error(`expected the .wasm's imports in one module, found ${[...modules].join(', ') || 'none'}`);
  const [newModule] = modules;
  const exportNames = new Map(table.exports);

  // 1. Exports: every `wasm.<name>` the glue calls. A name spelled any other way (a string, an
  //    `exports.` access) would silently keep the old name, so it stops the build.
  let out = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
    const short = exportNames.get(name);
    if (short === undefined) throw new Error(`the glue uses wasm.${name}, which the .wasm does not export`);
    return `wasm.${short}`;
  });
  for (const [name] of table.exports) {
    if (new RegExp(`['"\`]${escapeRe(name)}['"\`]|exports\\.${escapeRe(name)}\\b`).test(out)) {
      throw new Error(`the glue names the export ${name} other than as wasm.${name}`);
    }
  }

  // 2. The glue's own imports: keys of its import object (`        <name>: function(`).
  /** @type {Map<string, string>} snippet module -> its `import * as importN` binding */
  const namespaces = new Map();
  for (const m of glue.matchAll(/^import \* as (import\d+) from "([^"]+)"/gm)) namespaces.set(m[2], m[1]);
  /** @type {string[]} */
  const snippetEntries = [];
  for (const [module, name, short] of table.imports) {
    if (module === GLUE_MODULE) {
      const key = new RegExp(`^(\\s+)${escapeRe(name)}: function\\(`, 'gm');
      const found = out.match(key);
      if (!found || found.length !== 1) throw new Error(`the glue's import object has ${found ? found.length : 0} keys ${name}, expected 1`);
      out = out.replace(key, `$1${short}: function(`);
    } else {
      // 3. Snippet modules are passed whole (`import * as import1 from "..."`): their functions
      //    join the one import object under the new names.
      const binding = namespaces.get(module);
      if (!binding) throw new Error(`the glue does not import the snippet module ${module} as a namespace`);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`snippet import ${name} is not an identifier`);
      snippetEntries.push(`${short}: ${binding}.${name}`);
    }
  }

  // 4. The object the glue hands to WebAssembly.instantiate: one module, the new name.
  const ret = /return \{\n\s+__proto__: null,\n\s+"\.\/auth0_spa_wasm_bg\.js": (import\d+),\n(?:\s+"[^"]+": import\d+,\n)*\s+\};/;
  const m = ret.exec(out);
  if (!m) throw new Error("the glue's import object (return { __proto__: null, \"./auth0_spa_wasm_bg.js\": ... }) was not found");
  const merged = snippetEntries.length ? `Object.assign(${m[1]}, { ${snippetEntries.join(', ')} })` : m[1];
  out = out.replace(ret, `return { __proto__: null, ${JSON.stringify(newModule)}: ${merged} };`);

  // 5. Every import the .wasm still has is provided under its new name.
  const provided = new Set([
    ...[...out.matchAll(/^\s+([A-Za-z_$][\w$]*): function\(/gm)].map((k) => k[1]),
    ...snippetEntries.map((e) => e.slice(0, e.indexOf(':')))
  ]);
  for (const i of finalImports) {
    if (!provided.has(i.name)) throw new Error(`the .wasm imports ${i.module}.${i.name}, which the rewritten glue does not provide`);
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [wasmPath, tablePath, gluePath] = process.argv.slice(2);
  if (!wasmPath || !tablePath || !gluePath) {
    console.error('usage: node scripts/wasm-names.mjs <final .wasm> <names.json> <glue .js>');
    process.exit(2);
  }
  const finalImports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath)));
  const table = /** @type {NameTable} */ (JSON.parse(readFileSync(tablePath, 'utf8')));
  const before = readFileSync(gluePath, 'utf8');
  const after = minifyGlueNames(before, table, finalImports);
  writeFileSync(gluePath, after);
  console.log(`wasm-names: ${table.imports.length} imports and ${table.exports.length} exports renamed; glue ${before.length} -> ${after.length} bytes`);
}
