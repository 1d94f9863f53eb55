#!/usr/bin/env bash
# The whole test suite: native core tests, browser tests of the wasm build in headless Chromium,
# the local tenant's tests, type tests, and the end-to-end tests. A failure anywhere fails the run.
# Each stage's pass/fail counts are summed into one closing line.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
OUT=test-output
mkdir -p "$OUT"

passed=0; failed=0; failed_stages=()

# Adds the counts from cargo-style "test result: ok. N passed; M failed" lines in a log.
count_cargo() {
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}
# Adds the counts from node:test's "# pass N" / "# fail N" summary lines.
count_node() {
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}

# The type check counts as three tests: our declarations, auth0-spa-js's for the same app, and
# the package's own JS modules (JSDoc-typed, tsc --checkJs).
count_types() {
  local p
  p=$(grep -c '^types: .* ok$' "$1")
  passed=$((passed + p)); failed=$((failed + 3 - p))
}
count_none() { :; }
# The browser stage may have run twice: count only its last run.
count_browser() {
  local tmp
  tmp=$(mktemp)
  awk '/^=== browser: the run above failed/ {n=NR} {line[NR]=$0} END {for (i=n+1; i<=NR; i++) print line[i]}' "$1" > "$tmp"
  count_cargo "$tmp"
  rm -f "$tmp"
}

stage() {
  local name=$1 counter=$2; shift 2
  local log="$OUT/$name.log"
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  "$counter" "$log"
  if [ "$rc" -ne 0 ]; then failed_stages+=("$name"); echo "=== $name FAILED (exit $rc)"; fi
}

stage native count_cargo cargo test --all-targets
# wasm-bindgen-test-runner's page now and then never gets past "Loading scripts..." under load
# (chromedriver: "Timed out receiving message from renderer"; seen in 2 of ~8 full runs, never in
# a rerun). Fail such a hang after 120 s instead of 300, and rerun the stage once, saying so.
browser_tests() {
  export WASM_BINDGEN_TEST_TIMEOUT=120
  if wasm-pack test --headless --chrome; then return 0; fi
  echo "=== browser: the run above failed; rerunning once (a renderer hang is a known runner flake)"
  wasm-pack test --headless --chrome
}
stage browser count_browser browser_tests
if [ -d tenant ] && ls tenant/*.test.mjs >/dev/null 2>&1; then
  stage tenant count_node node --test --test-reporter=tap tenant/
fi
stage js count_node node --test --test-reporter=tap js/tests/
stage types count_types bash -c 'tsc -p tests/types && echo "types: ours ok" && tsc -p tests/types/tsconfig.auth0.json && echo "types: auth0-spa-js ok" && tsc -p js && echo "types: js modules ok"'
stage build count_none bash scripts/build.sh
stage e2e count_node node --test --test-concurrency=1 --test-reporter=tap tests/e2e/
if ls tests/bundlers/*.test.mjs >/dev/null 2>&1; then
  stage bundlers count_node node --test --test-concurrency=1 --test-reporter=tap tests/bundlers/
fi
if ls bench/*.test.mjs >/dev/null 2>&1; then
  stage bench-smoke count_node node --test --test-reporter=tap bench/
fi

echo
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "failed stages: ${failed_stages[*]}"
  [ "$failed" -eq 0 ] && failed=1
fi
echo "$passed passed, $failed failed"
[ ${#failed_stages[@]} -eq 0 ] && [ "$failed" -eq 0 ]
