# shellcheck shell=bash
# Sourced by scripts/build.sh and scripts/wasm-top.sh: the toolchain, rustc flags and cargo flags
# of the release .wasm, set once here so that what ships and what twiggy measures are the same
# build. Exports RUSTUP_TOOLCHAIN, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS and cargo's
# unstable build-std settings (as environment: wasm-pack misreads `-Z` arguments after `--`).
#
# The wasm stack: rustc's default is 1 MiB, all of it in the module's initial memory. The deepest
# use measured by tests/e2e/stack.test.mjs is about 13 KiB (64-level JSON, the parser's limit;
# the flows themselves stay under 6 KiB), and that test keeps a 3x margin, so the release build
# takes STACK_KIB (default 48): stack and data then fit the first 64 KiB page, and wasm memory
# after init is 2 pages instead of 18 (bench figure f). The debug build of the browser tests
# keeps the default.
#
# Source paths: panic locations of dependencies name their files, which rustc writes as absolute
# paths under the builder's cargo home (/root/.cargo/registry/src/index.crates.io-…/js-sys-…/…).
# Remapped to "crates/…", the shipped .wasm no longer carries the build machine's paths and is
# the same from any machine with the same toolchain (its size barely changes: -70 bytes raw).
stack_kib="${STACK_KIB:-48}"
case "$stack_kib" in
  '' | *[!0-9]*) echo "build: STACK_KIB must be a number of KiB, not '$stack_kib'" >&2; exit 2 ;;
esac
release_rustflags="-C link-arg=-zstack-size=$((stack_kib * 1024))"
for registry_src in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  [ -d "$registry_src" ] && release_rustflags="$release_rustflags --remap-path-prefix=$registry_src=crates/"
done

# The toolchain (scripts/release-toolchain.sh): a pinned nightly that rebuilds std for this build
# (-Zbuild-std) with panic = immediate-abort (a panic is a trap at once: no panic hook, message
# formatting or location strings) and std's optimize_for_size; the lite .wasm measured 14 KB raw
# and 5 KB gzip smaller than stable's (docs/performance.md, "The release toolchain").
# scripts/setup.sh installs it. Without it the build uses the default toolchain and says so.
# shellcheck source=scripts/release-toolchain.sh
source "$(dirname "${BASH_SOURCE[0]}")/release-toolchain.sh"
if release_toolchain_ready; then
  export RUSTUP_TOOLCHAIN="$release_toolchain"
  release_rustflags="$release_rustflags -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
else
  echo "[release] warning: $release_toolchain with rust-src and wasm32-unknown-unknown is not installed (bash scripts/setup.sh); building the .wasm with the default toolchain, about 5 KB gzip larger" >&2
fi
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$release_rustflags"
