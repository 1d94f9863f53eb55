#!/usr/bin/env bash
# `npm start`: the demo SPA (www/) against the local tenant, on this machine only.
#   1. builds the package (scripts/build.sh -> dist/), unless SDK=auth0-spa-js
#   2. starts the local tenant (tenant/server.mjs): login form with the prefilled test user,
#      access tokens valid for AT_TTL seconds (default 20: the SDK renews a token at the earlier of
#      60 s before expiry and half its lifetime, so a token is served from the cache for ~10 s, then
#      renewed - renewals are watchable)
#   3. writes www/config.json (tenant URL, client id) and serves www/ with /sdk/ mapped to the SDK
#   4. prints the URL; Ctrl-C stops both servers (by PID)
#
# Environment: SDK=wasm|auth0-spa-js (default wasm: this package; auth0-spa-js runs the same demo on
# the original for comparison), PORT (demo, default 3000), TENANT_PORT (default 3001),
# AT_TTL (seconds, default 20), SKIP_BUILD=1 (use the dist/ that is there).
set -euo pipefail
cd "$(dirname "$0")/.."

SDK="${SDK:-wasm}"
PORT="${PORT:-3000}"
TENANT_PORT="${TENANT_PORT:-3001}"
AT_TTL="${AT_TTL:-20}"

say() { printf '[start] %s\n' "$*"; }
die() { printf '[start] error: %s\n' "$*" >&2; exit 1; }

case "$SDK" in wasm|auth0-spa-js) ;; *) die "SDK must be 'wasm' or 'auth0-spa-js', not '$SDK'" ;; esac
for v in PORT TENANT_PORT AT_TTL; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "$v must be a positive integer, not '${!v}'"
done
[ "$PORT" != "$TENANT_PORT" ] || die "PORT and TENANT_PORT must differ"

# 1. The package.
if [ "$SDK" = wasm ]; then
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building the package (scripts/build.sh)"
    bash scripts/build.sh || die "the build failed (output above). To see the demo on the original SDK meanwhile: SDK=auth0-spa-js npm start"
  fi
  [ -f dist/index.js ] || die "dist/index.js is missing after the build: scripts/build.sh did not produce the package. Run 'bash scripts/build.sh' and check its output, or run the demo on auth0-spa-js: SDK=auth0-spa-js npm start"
else
  [ -f node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.esm.js ] \
    || die "node_modules/@auth0/auth0-spa-js is missing: run 'bash scripts/setup.sh'"
fi

tmp=$(mktemp -d)
pids=()
stopped=0
cleanup() {
  [ "$stopped" = 1 ] && return
  stopped=1
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give them 3 s to close, then force.
  for _ in $(seq 1 30); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap 'echo; say "stopping"; cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

# Waits (max 15 s) for a child's {"ready":true,...} line on its stdout file.
wait_ready() {
  local file=$1 pid=$2 name=$3
  for _ in $(seq 1 150); do
    if grep -q '"ready":true' "$file" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      die "$name exited before it was ready (port in use? choose another with $4=...)"
    fi
    sleep 0.1
  done
  die "$name was not ready within 15 s"
}

json_field() { node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find((x)=>x.includes("\"ready\":true"));process.stdout.write(String(JSON.parse(l)[process.argv[2]]))' "$1" "$2"; }

# 2. The tenant (its notices go to stderr, i.e. this terminal).
spa="http://127.0.0.1:$PORT"
node tenant/server.mjs --port "$TENANT_PORT" --spa "$spa" --access-token-ttl "$AT_TTL" >"$tmp/tenant.out" &
pids+=("$!")
wait_ready "$tmp/tenant.out" "${pids[0]}" "the tenant" TENANT_PORT
tenant_url=$(json_field "$tmp/tenant.out" url)
client_id=$(json_field "$tmp/tenant.out" clientId)

# 3. The demo's config and the static server.
node -e 'require("fs").writeFileSync("www/config.json", JSON.stringify({domain:process.argv[1],clientId:process.argv[2],sdk:process.argv[3],accessTokenTtl:Number(process.argv[4])},null,2)+"\n")' \
  "$tenant_url" "$client_id" "$SDK" "$AT_TTL"
node tests/support/static-server.mjs --root www --port "$PORT" --sdk "$SDK" >"$tmp/static.out" &
pids+=("$!")
wait_ready "$tmp/static.out" "${pids[1]}" "the demo server" PORT

cat <<EOF

  Demo ($SDK):   $spa/
  Tenant:        $tenant_url   (test user: $(node -e 'import("./tenant/server.mjs").then((m)=>process.stdout.write(m.DEFAULT_USER.email+" / "+m.DEFAULT_PASSWORD))'))
  Access tokens: ${AT_TTL} s

  Press Ctrl-C to stop.

EOF

# 4. Run until Ctrl-C, or until one server stops on its own (then stop the other).
set +e
wait -n "${pids[@]}"
rc=$?
say "a server stopped (exit $rc); stopping the other"
exit 1
