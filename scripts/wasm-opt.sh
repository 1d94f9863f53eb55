#!/usr/bin/env bash
# The one wasm-opt recipe for the release .wasm, used by scripts/build.sh (what ships) and
# scripts/wasm-top.sh (the same build with names, for twiggy). wasm-opt comes from the npm package
# `binaryen` (docs/toolchain.md).
#   -Oz with the features wasm-bindgen output relies on.
#   -ocimfs=25 (--one-caller-inline-max-function-size): binaryen otherwise inlines every function
#     that has one caller, whatever its size, which merged whole sub-flows into their parents
#     (getTokenSilently's machine was one 14 KB function holding the refresh and iframe renewals).
#     A browser compiles a wasm function on its first call, so a page starting with a cache hit
#     compiled the renewals too. Limiting it to 25 made the release .wasm 3.3 % smaller after
#     gzip (-3.1 KB) and 2.3 % after brotli, though 1.2 % larger raw; 20-30 measured best
#     (docs/performance.md, "Start-up").
# Usage: scripts/wasm-opt.sh <in.wasm> <out.wasm> [more wasm-opt flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: scripts/wasm-opt.sh <in.wasm> <out.wasm> [flags...]" >&2
  exit 2
fi
in=$1 out=$2
shift 2
wasm_opt=node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  echo "wasm-opt.sh: $wasm_opt is missing; run scripts/setup.sh (npm package binaryen)" >&2
  exit 1
fi
exec "$wasm_opt" -Oz -ocimfs=25 --enable-reference-types --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals \
  "$@" "$in" -o "$out"
