#!/usr/bin/env bash
# Release build of the npm package into dist/:
#   1. wasm-pack (web target), twice (docs/module-split.md): the lite build (no Cargo feature
#      `parity`) -> pkg/auth0_spa_wasm.js (glue) + pkg/auth0_spa_wasm_bg.wasm, and the full
#      build -> pkg/full/
#   2. wasm-opt (scripts/wasm-opt.sh) from the npm package `binaryen` (wasm-pack's own download fails here and
#      Debian's binaryen 108 corrupts current wasm-bindgen output; see docs/toolchain.md)
#   3. two variants of the package entry, each js/index.js + js/errors.js + glue + snippets + a
#      wasm loader bundled and minified by esbuild into one ES module:
#      dist/index.js (`auth0-spa-wasm`, the default), which holds the lite build and import()s
#        dist/full.js when a client needs the full one, each a build's glue with its .wasm inlined
#        (deflated + base64), so
#        the package works unconfigured in every bundler (esbuild and Vite's dev pre-bundling do
#        not copy files referenced by `new URL('…', import.meta.url)`), in a plain
#        <script type="module"> and in Node;
#      dist/file/index.js + dist/file/auth0_spa_wasm_bg.wasm (`auth0-spa-wasm/file`; the full
#        build: dist/file/full.js + dist/file/auth0_spa_wasm_full_bg.wasm): the .wasm
#        loaded from `new URL('./auth0_spa_wasm_bg.wasm', import.meta.url)` (js/wasm-source.js):
#        fewer bytes (the server compresses the .wasm, brotli included), streamed compilation,
#        a smaller JS heap, and Chromium may cache its compiled code across visits (not measured
#        here); it needs a bundler that emits such assets (Vite build, webpack 5, Rollup,
#        Parcel) or a page that serves the package folder as is. dist/index.d.ts (= js/index.d.ts) types both.
#      Each also has mfa-api.js (the part of client.mfa import()ed on its first use),
#      my-account-api.js (client.myAccount's requests), passkey-api.js (client.passkey's requests
#      and WebAuthn) and anonymous-api.js (client.anonymous's requests), each import()ed on first
#      use, beside its index.js.
#      dist/index-full.js (`auth0-spa-wasm/full`): dist/index.js with the full build in place of
#        the lite one, for apps whose options need it from the start (one build downloaded, not two)
#   3b. the framework entries dist/react/ and dist/vue/ (auth0-spa-wasm/react, auth0-spa-wasm/vue)
#   4. raw / gzip -9 / brotli sizes of what a browser downloads, per variant
# BUNDLE=0 (or no esbuild installed) ships the modules unbundled and readable instead of step 3's
# bundles: same behaviour, more requests and bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[build] %s\n' "$*"; }

# One build at a time in this tree: two runs would delete each other's pkg/ and dist/.
if command -v flock >/dev/null; then
  mkdir -p target
  exec 9>target/.build-sh.lock
  if ! flock -n 9; then
    log "another scripts/build.sh is running in this tree; waiting for it"
    flock 9
  fi
fi

wasm_opt=node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  echo "build: $wasm_opt is missing; run scripts/setup.sh (npm package binaryen)" >&2
  exit 1
fi

# 1. wasm-pack. Cargo.toml sets wasm-opt = false for wasm-pack (and --no-opt says it again): the
#    npm binaryen runs below.
# The release toolchain and flags (pinned nightly rebuilding std, stack size, source paths):
# scripts/release-rustflags.sh.
# shellcheck source=scripts/release-rustflags.sh
source scripts/release-rustflags.sh
# Two builds of the crate (docs/module-split.md): the lite one (no Cargo feature `parity`) into
# pkg/, which the entries load, and the full one into pkg/full/, which a client loads only when it
# needs one of the features the lite one leaves out.
log "wasm-pack build --target web --release, lite and full (stack $stack_kib KiB)"
rm -rf pkg
wasm-pack build --target web --release --no-pack --no-opt --out-dir pkg --out-name auth0_spa_wasm -- --no-default-features
wasm-pack build --target web --release --no-pack --no-opt --out-dir pkg/full --out-name auth0_spa_wasm
# js/index.js is type-checked (tsc -p js) against js/auth0_spa_wasm.d.ts, written by hand because
# the glue exists only now: the two must declare the same WasmClient methods, compatibly, in both
# builds.
log "checking js/auth0_spa_wasm.d.ts against the generated glues (scripts/glue-types.ts)"
node_modules/.bin/tsc --noEmit --strict --target es2020 --module esnext --moduleResolution bundler --lib es2020,dom --types node scripts/glue-types.ts

# 2. wasm-opt (the recipe is scripts/wasm-opt.sh's); drop the custom sections no browser needs
#    (names/DWARF, producers, target_features: wasm-bindgen has already read it).
log "wasm-opt (scripts/wasm-opt.sh)"
#    --minify-imports-and-exports-and-modules renames every import and export to one or two letters
#    and prints the old -> new table, which scripts/wasm-names.mjs applies to the glue (-5.1 KB of
#    the .wasm and -4.4 KB of the glue, mostly incompressible hashes; docs/performance.md).
for d in pkg pkg/full; do
  bash scripts/wasm-opt.sh $d/auth0_spa_wasm_bg.wasm $d/auth0_spa_wasm_bg.opt.wasm \
    --strip-debug --strip-producers --strip-target-features \
    --minify-imports-and-exports-and-modules > $d/wasm-names.json
  mv $d/auth0_spa_wasm_bg.opt.wasm $d/auth0_spa_wasm_bg.wasm
  node scripts/wasm-names.mjs $d/auth0_spa_wasm_bg.wasm $d/wasm-names.json $d/auth0_spa_wasm.js
done

# 3. Stage our modules beside the glue in pkg/ (inline variant) and pkg/file/, then bundle.
log "assembling dist/ (inline) and dist/file/"
# The glue's fallback `new URL('auth0_spa_wasm_bg.wasm', import.meta.url)` is never used (index.js
# always passes wasmSource()), but bundlers would still try to resolve it: webpack 5 fails the
# app's build when the file is absent (inline variant). Replace it, and insist it is gone.
glue_default="module_or_path = new URL('auth0_spa_wasm_bg.wasm', import.meta.url);"
for glue in pkg/auth0_spa_wasm.js pkg/full/auth0_spa_wasm.js; do
  if ! grep -qF "$glue_default" $glue; then
    echo "build: the wasm-bindgen glue changed: its default wasm URL line was not found ($glue)" >&2
    exit 1
  fi
  sed -i "s|module_or_path = new URL('auth0_spa_wasm_bg.wasm', import.meta.url);|throw new Error('auth0-spa-wasm: no wasm source');|" $glue
  if grep -q 'import\.meta' $glue; then
    echo "build: the wasm-bindgen glue still refers to import.meta ($glue)" >&2
    exit 1
  fi
done
# The package entry's own modules (index.js and what it imports), beside the wasm-bindgen glue.
# The modules index.js import()s on first use (LAZY_MODULES): each is bundled on its own and left
# external to index.js, so apps that never use it never fetch it.
LAZY_MODULES="mfa-api.js my-account-api.js passkey-api.js anonymous-api.js"
ENTRY_MODULES="index.js lite.js errors.js extras.js fetcher.js caches.js lazy.js mfa.js my-account.js passkey.js anonymous.js anonymous-store.js platform.js $LAZY_MODULES"
stage_entry_modules() { mkdir -p "$1" && for m in $ENTRY_MODULES; do cp "js/$m" "$1/"; done; } # <folder>
stage_entry_modules pkg
stage_entry_modules pkg/file
# A build's wasm-bindgen glue with its snippets: <build folder> <folder>.
stage_glue() { cp "$1/auth0_spa_wasm.js" "$2/" && if [ -d "$1/snippets" ]; then cp -R "$1/snippets" "$2/"; fi; }
stage_glue pkg pkg/file
cp js/wasm-source.js pkg/file/
# The inline variant's wasm source: js/wasm-inline.js (staged as wasm-source.js) and the .wasm,
# deflate-raw compressed (Zopfli, scripts/inline-wasm.mjs) and base64-encoded, as the default
# export of wasm-bytes.js. Compressing before base64 matters: base64 of the raw .wasm gzips ~30%
# worse than the .wasm itself, while base64 of the Zopfli stream gzips about 5% smaller than the
# gzipped .wasm file (gzip -9 cannot match Zopfli) and is ~38% smaller than the raw .wasm when
# served uncompressed. Against a brotli-served .wasm file (dist/file/) it costs ~10% of the wasm's
# brotli size.
cp js/wasm-inline.js pkg/wasm-source.js
node scripts/inline-wasm.mjs pkg/auth0_spa_wasm_bg.wasm pkg/wasm-bytes.js
# The full build's module, ./full.js of each entry: js/lite.js staged as full.js beside the full
# build's glue and snippets, with the inline wasm source in pkg/full/ and the URL-loading one in
# pkg/file/full/, whose .wasm is dist/file/auth0_spa_wasm_full_bg.wasm (js/full.js only serves
# the type check).
sed 's/^export const FULL = false;$/export const FULL = true;/' js/lite.js > pkg/full/full.js
grep -qx 'export const FULL = true;' pkg/full/full.js || { echo "build: js/lite.js no longer declares 'export const FULL = false;'" >&2; exit 1; }
cp js/wasm-inline.js pkg/full/wasm-source.js
node scripts/inline-wasm.mjs pkg/full/auth0_spa_wasm_bg.wasm pkg/full/wasm-bytes.js
mkdir -p pkg/file/full
stage_glue pkg/full pkg/file/full
cp pkg/full/full.js pkg/file/full/
sed "s|'./auth0_spa_wasm_bg.wasm'|'./auth0_spa_wasm_full_bg.wasm'|" js/wasm-source.js > pkg/file/full/wasm-source.js
grep -qF "'./auth0_spa_wasm_full_bg.wasm'" pkg/file/full/wasm-source.js || { echo "build: js/wasm-source.js no longer names './auth0_spa_wasm_bg.wasm'" >&2; exit 1; }
# The `auth0-spa-wasm/full` entry's modules: the entry's own with the full build's module as its
# './lite.js' (FULL = true: every client is made on it), and './full.js' the same module.
stage_entry_modules pkg/full-entry
cp pkg/full/full.js pkg/full-entry/lite.js
stage_glue pkg/full pkg/full-entry
cp pkg/full/wasm-source.js pkg/full/wasm-bytes.js pkg/full-entry/
echo "export { WasmClient, load } from './lite.js';" > pkg/full-entry/full.js
rm -rf dist
mkdir -p dist/file
cp js/index.d.ts dist/
cp js/extras.d.ts dist/ # named by index.d.ts
cp pkg/auth0_spa_wasm_bg.wasm dist/file/
cp pkg/full/auth0_spa_wasm_bg.wasm dist/file/auth0_spa_wasm_full_bg.wasm

esbuild=node_modules/.bin/esbuild
bundled() { [ "${BUNDLE:-1}" != 0 ] && [ -x "$esbuild" ]; }
# One ES module, bundled and minified: <entry> <outfile> [more esbuild flags, e.g. externals].
minified() {
  "$esbuild" "$1" --bundle --format=esm --target=es2020 --minify --legal-comments=none \
    --log-level=warning --outfile="$2" "${@:3}"
}
lazy_externals=()
for m in $LAZY_MODULES; do lazy_externals+=("--external:./$m"); done
bundle_entry() { # <staged folder> <output folder>
  if bundled; then
    # One module (one request), minified. ESM output leaves import.meta.url alone, so the file
    # variant's URL resolves next to its index.js. The LAZY_MODULES (most of client.mfa, and
    # client.myAccount's requests) are modules of their own that index.js import()s on first use,
    # so apps that never call them never fetch them: each is bundled on its own and left external
    # to index.js (with esbuild's code splitting, they would share a runtime-helper chunk that
    # every app fetches at start-up). They must import nothing.
    # The full wasm build's module, full.js, is import()ed too (docs/module-split.md), and so
    # kept apart; the lite one is part of index.js.
    minified "$1/index.js" "$2/index.js" --external:./full.js "${lazy_externals[@]}"
    for m in $LAZY_MODULES; do minified "$1/$m" "$2/$m"; done
    minified "$1/full/full.js" "$2/full.js"
    for m in $LAZY_MODULES full.js; do
      if grep -Eq '(^|[;}])import[ {*"]' "$2/$m"; then
        echo "build: $2/$m imports another module; it must stay self-contained" >&2
        exit 1
      fi
    done
  else
    for m in $ENTRY_MODULES wasm-source.js wasm-bytes.js auth0_spa_wasm.js; do if [ -f "$1/$m" ]; then cp "$1/$m" "$2/"; fi; done
    if [ -d "$1/snippets" ]; then cp -R "$1/snippets" "$2/"; fi
    # Unbundled, the full module keeps its own folder (its glue has the lite one's name).
    mkdir -p "$2/full"
    cp -R "$1/full/." "$2/full/"
    rm -f "$2/full/auth0_spa_wasm_bg.wasm" "$2/full/wasm-names.json" "$2/full/"*.d.ts
    echo "export { WasmClient, load } from './full/full.js';" > "$2/full.js"
  fi
}
if ! bundled; then
  log "unbundled (BUNDLE=0 or no esbuild): shipping the modules as they are, unminified"
fi
bundle_entry pkg dist
bundle_entry pkg/file dist/file
# The full entry: one module with the full build inline (its './full.js' bundled in), beside
# dist/index.js so that it shares the LAZY_MODULES.
if bundled; then
  minified pkg/full-entry/index.js dist/index-full.js "${lazy_externals[@]}"
  if grep -q "auth0_spa_wasm_bg\|from\"./full.js\"\|import(\"./full.js\")" dist/index-full.js; then
    echo "build: dist/index-full.js loads another build" >&2
    exit 1
  fi
else
  mkdir -p dist/full-entry
  cp -R pkg/full-entry/. dist/full-entry/
  echo "export * from './full-entry/index.js';" > dist/index-full.js
fi

# 3b. The framework entries, auth0-spa-wasm/react and auth0-spa-wasm/vue (README, "Using React /
#     Vue / Angular"): one readable ES module each beside its declarations. react, vue and the
#     package itself ('auth0-spa-wasm', so that the app and the wrapper share one copy of the SDK)
#     stay imports. Angular needs no entry: @auth0/auth0-angular runs on the default one.
for fw in react vue; do
  mkdir -p "dist/$fw"
  cp "js/$fw.d.ts" "dist/$fw/index.d.ts"
  if bundled; then
    "$esbuild" "js/$fw.js" --bundle --packages=external --format=esm --target=es2020 \
      --legal-comments=none --log-level=warning --outfile="dist/$fw/index.js"
  else
    cp "js/$fw.js" "dist/$fw/index.js"
  fi
done

# 4. Sizes of everything a browser fetches for the SDK (JS + wasm; not the .d.ts), per variant.
size_table() { # <title> <files or folders...>
  log "$1 (raw / gzip -9 / brotli q11):"
  shift
  node --input-type=module - "$@" <<'JS'
// raw / gzip -9 / brotli (quality 11) of every .js and .wasm under a folder, and their sum: what a
// browser downloads for the SDK (docs/performance.md, measure "a"). --json for machines.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const files = [];
function walk(p) {
  if (!statSync(p).isDirectory()) {
    if (/\.(m?js|wasm)$/.test(p)) files.push(p);
    return;
  }
  for (const name of readdirSync(p).sort()) walk(join(p, name));
}
for (const arg of process.argv.slice(2)) if (arg !== '--json') walk(arg);

const sizes = (buf) => [
  buf.length,
  gzipSync(buf, { level: 9 }).length,
  brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length }
  }).length
];
const kib = (n) => (n / 1024).toFixed(1).padStart(7) + ' KiB';

const rows = files.map((f) => ({ file: f, sizes: sizes(readFileSync(f)) }));
const total = [0, 1, 2].map((i) => rows.reduce((sum, r) => sum + r.sizes[i], 0));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files: rows, total: { raw: total[0], gzip: total[1], brotli: total[2] } }));
} else {
  console.log(`  ${'file'.padEnd(48)} ${'raw'.padStart(11)}  ${'gzip -9'.padStart(11)}  ${'brotli'.padStart(11)}`);
  for (const r of rows) console.log(`  ${r.file.padEnd(48)} ${r.sizes.map(kib).join('  ')}`);
  console.log(`  ${'total'.padEnd(48)} ${total.map(kib).join('  ')}`);
}
JS
}
# The LAZY_MODULES load on first use only: reported on their own, out of what every app downloads.
inline_files=(dist/index.js)
if [ -d dist/snippets ]; then inline_files+=(dist/snippets); fi
lazy() { for m in $LAZY_MODULES full.js auth0_spa_wasm_full_bg.wasm; do [ "$1" = "$2/$m" ] && return 0; done; return 1; }
for f in dist/*.js; do if [ "$f" != dist/index.js ] && [ "$f" != dist/index-full.js ] && ! lazy "$f" dist; then inline_files+=("$f"); fi; done
file_files=()
for f in dist/file/*; do if [ -f "$f" ] && ! lazy "$f" dist/file; then file_files+=("$f"); fi; done
size_table "auth0-spa-wasm (inline wasm)" "${inline_files[@]}"
size_table "auth0-spa-wasm/file (wasm beside the JS)" "${file_files[@]}"
size_table "full.js, loaded by clients that need the full module (docs/module-split.md)" dist/full.js
size_table "auth0-spa-wasm/full (the full build inline, for apps whose options need it from the start)" dist/index-full.js
size_table "auth0-spa-wasm/file's full.js and its .wasm" dist/file/full.js dist/file/auth0_spa_wasm_full_bg.wasm
for m in $LAZY_MODULES; do size_table "$m, loaded on first use (one per entry)" "dist/$m" "dist/file/$m"; done
size_table "auth0-spa-wasm/react and /vue (the wrappers alone; each also loads the default entry)" dist/react dist/vue
log "done: dist/ and dist/file/"
