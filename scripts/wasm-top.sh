#!/usr/bin/env bash
# The 20 largest items of the release wasm (the lite build), by twiggy, for bench results and size work: the same
# release build as scripts/build.sh (stack size, wasm-bindgen, scripts/wasm-opt.sh) but keeping function
# names (-g), so the items are named. Prints a Markdown table. Needs twiggy (scripts/setup.sh bench).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
command -v twiggy >/dev/null || { echo "wasm-top: twiggy is missing (bash scripts/setup.sh bench)" >&2; exit 1; }
# shellcheck source=scripts/release-rustflags.sh
source scripts/release-rustflags.sh
out=target/wasm-top
# The lite build, which an app without the full build's features downloads (docs/module-split.md);
# FULL=1 for the full one.
features=(--no-default-features)
[ "${FULL:-0}" = 1 ] && features=()
cargo build --quiet --release --target wasm32-unknown-unknown "${features[@]}"
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --keep-debug --out-dir "$out" target/wasm32-unknown-unknown/release/auth0_spa_wasm.wasm
bash scripts/wasm-opt.sh "$out/auth0_spa_wasm_bg.wasm" "$out/named.wasm" -g --strip-dwarf
twiggy top -n 21 -f csv "$out/named.wasm" | node -e '
  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").slice(1)
    .map((l) => { const m = /^(.*),(\d+),([\d.]+),,$/.exec(l); return m && { name: m[1].replace(/^"|"$/g, "").replace(/""/g, "\""), bytes: +m[2] }; })
    .filter((r) => r && !/function names/.test(r.name)).slice(0, 20);
  console.log("| bytes | item |\n| ---: | --- |");
  for (const r of rows) console.log(`| ${r.bytes} | \`${r.name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "").replace(/\|/g, "\\|").slice(0, 110)}\` |`);
'
