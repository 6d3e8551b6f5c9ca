# Sourced by the Makefile's recipes and scripts: puts the project's tools on
# PATH and defines wasm_env, which runs a command with the toolchain settings
# for the wasm32 target.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

wasm_env() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    "$@"
  else
    # Debian's toolchain (scripts/setup.sh): std is rebuilt for wasm32 from rust-web-src.
    RUSTUP_TOOLCHAIN=debweb RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort "$@"
  fi
}
