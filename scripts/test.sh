#!/usr/bin/env bash
# The whole test suite: native core tests, browser tests of the wasm build in Chromium, Firefox and
# WebKit, the local tenant's tests, the JS unit tests, ESLint, type tests, and the end-to-end
# tests (the Chromium suite over Playwright, and the cross-engine flows over WebDriver in all
# three engines), and React, Vue and Angular apps on the package beside the official wrappers.
# A failure anywhere fails the run; stages that run in one engine carry its name (browser-webkit,
# webdriver-firefox).
# Each stage's pass/fail counts are summed into one closing line, and each stage's duration is
# printed at the end (and kept in test-output/stage-times.txt).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export GECKODRIVER="${GECKODRIVER:-$(command -v geckodriver || echo "$HOME/.cargo/bin/geckodriver")}"
OUT=test-output
mkdir -p "$OUT"

passed=0; failed=0; failed_stages=(); stage_times=()

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

# ESLint over every hand-written JavaScript file (eslint.config.js) counts as one test.
count_lint() {
  local p
  p=$(grep -c '^lint: ok$' "$1")
  passed=$((passed + p)); failed=$((failed + 1 - p))
}
# The type check counts as four tests: our declarations, auth0-spa-js's for the same app, the
# package's own JS modules (every js/*.js but the framework wrappers' four: JSDoc-typed, tsc
# --checkJs, js/tsconfig.json) and the build scripts.
count_types() {
  local p
  p=$(grep -c '^types: .* ok$' "$1")
  passed=$((passed + p)); failed=$((failed + 4 - p))
}
# The framework type checks: the wrapper modules, and the React, Vue and Angular sample apps
# against this package and against the official wrappers (tests/frameworks/README.md).
count_types_frameworks() {
  local p
  p=$(grep -c '^types: .* ok$' "$1")
  passed=$((passed + p)); failed=$((failed + 7 - p))
}
count_none() { :; }
# The browser stage may have run twice: count only its last run.
count_browser() {
  local tmp
  tmp=$(mktemp)
  awk '/^=== browser-[a-z]+: the run above failed/ {n=NR} {line[NR]=$0} END {for (i=n+1; i<=NR; i++) print line[i]}' "$1" > "$tmp"
  count_cargo "$tmp"
  rm -f "$tmp"
}

stage() {
  local name=$1 counter=$2; shift 2
  local log="$OUT/$name.log"
  local started=$SECONDS
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  "$counter" "$log"
  stage_times+=("$name $((SECONDS - started))s")
  if [ "$rc" -ne 0 ]; then failed_stages+=("$name"); echo "=== $name FAILED (exit $rc)"; fi
}

stage native count_cargo cargo test --all-targets
# The same tests on the lite build (no Cargo feature `parity`; docs/module-split.md), whose flows
# read the full build's options as off: the tests of those features are ignored there.
stage native-lite count_cargo cargo test --all-targets --no-default-features
# The wasm-bindgen browser tests in one engine, each through its own WebDriver:
#   chromium  chromedriver (Debian)
#   firefox   geckodriver (crates.io, built by scripts/setup.sh), Firefox ESR headless
#   webkit    scripts/webkit-webdriver.mjs, which wasm-pack and the runner know as "safaridriver":
#             it runs WebKitWebDriver with MiniBrowser under Xvfb (tests/webdriver/README.md)
# wasm-bindgen-test-runner's page now and then never gets past "Loading scripts..." under load
# (chromedriver: "Timed out receiving message from renderer"; seen in 2 of ~8 full runs, never in
# a rerun). Fail such a hang after 120 s instead of 300, and rerun the stage once, saying so.
browser_tests() {
  local engine=$1 args
  case $engine in
    chromium) args=(--chrome --chromedriver "$CHROMEDRIVER") ;;
    firefox) args=(--firefox --geckodriver "$GECKODRIVER") ;;
    webkit) args=(--safari --safaridriver "$PWD/scripts/webkit-webdriver.mjs") ;;
  esac
  export WASM_BINDGEN_TEST_TIMEOUT=120
  if wasm-pack test --headless "${args[@]}"; then return 0; fi
  echo "=== browser-$engine: the run above failed; rerunning once (a page that never finishes loading is a known runner flake, seen in Chromium)"
  wasm-pack test --headless "${args[@]}"
}
for engine in chromium firefox webkit; do
  stage "browser-$engine" count_browser browser_tests "$engine"
done
# The tenant's tests take 10-20 s. Once (a helper's run, 2026-12-04, not reproduced in 18 runs
# since) tenant/anonymous.test.mjs sat idle for 15 minutes: bound the stage, so that such a hang
# fails here within minutes, by name, instead of taking the whole run's time.
if [ -d tenant ] && ls tenant/*.test.mjs >/dev/null 2>&1; then
  stage tenant count_node timeout 300 node --test --test-reporter=tap tenant/
fi
stage js count_node node --test --test-reporter=tap js/tests/
stage lint count_lint bash -c 'eslint . && echo "lint: ok"'
stage types count_types bash -c 'tsc -p tests/types && echo "types: ours ok" && tsc -p tests/types/tsconfig.auth0.json && echo "types: auth0-spa-js ok" && tsc -p js && echo "types: js modules ok" && tsc -p scripts && echo "types: build scripts ok"'
stage types-frameworks count_types_frameworks bash -c 'tsc -p js/tsconfig.wrappers.json && echo "types: wrapper modules ok" && tsc -p tests/types/tsconfig.react.json && echo "types: react app on auth0-spa-wasm/react ok" && tsc -p tests/types/tsconfig.react.official.json && echo "types: react app on auth0-react ok" && tsc -p tests/types/tsconfig.vue.json && echo "types: vue app on auth0-spa-wasm/vue ok" && tsc -p tests/types/tsconfig.vue.official.json && echo "types: vue app on auth0-vue ok" && tsc -p tests/types/tsconfig.angular.json && echo "types: auth0-angular on auth0-spa-wasm ok" && tsc -p tests/types/tsconfig.angular.official.json && echo "types: auth0-angular on auth0-spa-js ok"'
stage build count_none bash scripts/build.sh
stage e2e count_node node --test --test-concurrency=1 --test-reporter=tap tests/e2e/
# The cross-engine flows (tests/webdriver/README.md): one source, once per engine.
for engine in chromium firefox webkit; do
  stage "webdriver-$engine" count_node env WD_ENGINE="$engine" node --test --test-concurrency=1 --test-reporter=tap tests/webdriver/
done
if ls tests/bundlers/*.test.mjs >/dev/null 2>&1; then
  stage bundlers count_node node --test --test-concurrency=1 --test-reporter=tap tests/bundlers/
fi
# React, Vue and Angular apps built with their usual tooling, on this package and on the official
# wrappers, through login, renewal and logout (tests/frameworks/README.md).
if ls tests/frameworks/*.test.mjs >/dev/null 2>&1; then
  stage frameworks count_node node --test --test-concurrency=1 --test-reporter=tap tests/frameworks/
fi
if ls bench/*.test.mjs >/dev/null 2>&1; then
  stage bench-smoke count_node node --test --test-reporter=tap bench/
fi

echo
printf '%s\n' "${stage_times[@]}" > "$OUT/stage-times.txt"
echo "stage times: $(IFS=,; echo "${stage_times[*]}" | sed 's/,/, /g'); total ${SECONDS}s"
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "failed stages: ${failed_stages[*]}"
  [ "$failed" -eq 0 ] && failed=1
fi
echo "$passed passed, $failed failed"
[ ${#failed_stages[@]} -eq 0 ] && [ "$failed" -eq 0 ]
