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

# The type check counts as two tests: our declarations, and auth0-spa-js's for the same app.
count_types() {
  local p
  p=$(grep -c '^types: .* ok$' "$1")
  passed=$((passed + p)); failed=$((failed + 2 - p))
}
count_none() { :; }

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
stage browser count_cargo wasm-pack test --headless --chrome
if [ -d tenant ] && ls tenant/*.test.mjs >/dev/null 2>&1; then
  stage tenant count_node node --test --test-reporter=tap tenant/
fi
stage js count_node node --test --test-reporter=tap js/tests/
stage types count_types bash -c 'tsc -p tests/types && echo "types: ours ok" && tsc -p tests/types/tsconfig.auth0.json && echo "types: auth0-spa-js ok"'
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
