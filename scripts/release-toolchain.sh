# shellcheck shell=bash
# The release .wasm's toolchain, named once: sourced by scripts/release-rustflags.sh (which builds
# with it) and scripts/setup.sh (which installs it). A pinned nightly with rust-src (for
# -Zbuild-std) and the wasm32 target (wasm-pack looks for it); docs/performance.md, "The release
# toolchain".
release_toolchain=nightly-2026-05-20

# Whether the release toolchain is installed with what the build needs.
release_toolchain_ready() {
  local sysroot
  sysroot=$(rustup run "$release_toolchain" rustc --print sysroot 2>/dev/null) || return 1
  [ -d "$sysroot/lib/rustlib/src/rust/library" ] && [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ]
}
