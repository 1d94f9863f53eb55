#!/usr/bin/env bash
# Idempotent set-up: installs only what is missing, so a second run takes seconds.
# Everything comes from the package registries (crates.io, npm, Debian); nothing else is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 1b. The release toolchain (scripts/release-toolchain.sh): a pinned nightly with rust-src, which
#     rebuilds std for the release .wasm. From Rust's own distribution server, like the target
#     above; about 10 s and 150 MB. Should it fail, the build falls back to stable and says so.
# shellcheck source=scripts/release-toolchain.sh
source scripts/release-toolchain.sh
if ! release_toolchain_ready; then
  log "installing the release toolchain $release_toolchain (rust-src, wasm32-unknown-unknown)"
  rustup toolchain install "$release_toolchain" --profile minimal --component rust-src --target wasm32-unknown-unknown \
    || log "warning: $release_toolchain could not be installed; release builds use stable Rust"
fi

# 2. wasm-bindgen-cli at exactly the version Cargo.lock pins (the CLI and the library must match).
want_bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have_bindgen=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_bindgen" != "$want_bindgen" ]; then
  log "installing wasm-bindgen-cli $want_bindgen (was: ${have_bindgen:-none})"
  # No --locked: its lock names a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$want_bindgen" --force
fi

# 3. wasm-pack from crates.io (the npm package downloads a binary from elsewhere and fails here).
if ! wasm-pack --version 2>/dev/null | grep -q '0.15.1'; then
  log "installing wasm-pack 0.15.1"
  cargo install wasm-pack --version 0.15.1 --force
fi

# 4. The three test engines and their drivers, from Debian (browser downloads by test tools fail
#    here): Chromium and chromedriver; Firefox ESR; WebKitGTK's WebDriver, which brings MiniBrowser
#    (libwebkit2gtk-4.1-0); Xvfb, the X server MiniBrowser needs (it has no headless mode).
#    One `apt-get update` for whatever is missing. The new packages without Recommends (GStreamer
#    plugins, portals, Mesa drivers): the tests need none of them.
missing=()
command -v chromium >/dev/null && command -v chromedriver >/dev/null || missing+=(chromium chromium-driver)
extra=()
command -v firefox-esr >/dev/null || extra+=(firefox-esr)
command -v WebKitWebDriver >/dev/null || extra+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || extra+=(xvfb)
if [ ${#missing[@]} -gt 0 ] || [ ${#extra[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ${#extra[@]} -gt 0 ]; then
    log "installing ${extra[*]}"
    apt-get install -y -qq --no-install-recommends "${extra[@]}" >/dev/null
  fi
fi

# 5. geckodriver (Firefox's WebDriver) from crates.io, pinned; built once into ~/.cargo/bin.
#    (wasm-pack would download it from GitHub, which is not reachable here.) 0.37.1 is the version
#    wasm-pack 0.15.1 expects, and drives Firefox ESR 153.
want_gecko=0.37.1
if ! geckodriver --version 2>/dev/null | head -n1 | grep -qx "geckodriver $want_gecko"; then
  log "building geckodriver $want_gecko from crates.io (a few minutes, once)"
  cargo install geckodriver --version "$want_gecko" --locked --force \
    || cargo install geckodriver --version "$want_gecko" --force
fi

# 6. npm dependencies (binaryen for wasm-opt, oidc-provider, playwright-core, selenium-webdriver, ...).
# (An interrupted install leaves a fresh lock file over a partial tree: check a binary too.)
if [ ! -d node_modules ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  # npm ci installs exactly the lockfile; should the registry refuse it (a yanked optional
  # dependency), npm install still gets a working tree.
  if [ ! -f package-lock.json ] || ! npm ci --no-audit --no-fund; then npm install --no-audit --no-fund; fi
fi
# 7. Only for `npm run bench` (`setup.sh bench`): twiggy, for the wasm size breakdown in the results.
if [ "${1:-}" = bench ] && ! twiggy --version 2>/dev/null | grep -q '0.8.0'; then
  log "installing twiggy 0.8.0"
  cargo install twiggy --version 0.8.0 --locked || cargo install twiggy --version 0.8.0
fi
log "ready"
