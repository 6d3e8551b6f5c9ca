#!/usr/bin/env bash
# Installs what Vani's build, demo and tests need, skipping what is already
# present at the right version. Safe to run any number of times.
#
#   apt:    Kamailio with WebSocket modules, Chromium + chromedriver, SIPp,
#           iproute2/util-linux for private network namespaces
#   rust:   the wasm32-unknown-unknown target (rustup, or Debian's rustc-web
#           with build-std where rustup cannot download it)
#   cargo:  wasm-bindgen-cli at exactly the version in Cargo.lock, trunk 0.21.14
#   npm:    the packages in package-lock.json (Playwright, wasm-opt)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
APT_PACKAGES=(
  kamailio kamailio-websocket-modules kamailio-tls-modules
  chromium chromium-driver
  sip-tester
  iproute2 util-linux iptables
  # the native peer (crates/bot): Opus and OpenSSL for WebRTC media
  pkg-config cmake libopus-dev libssl-dev
)
DEBIAN_WASM_PACKAGES=(rustc-web cargo-web rust-web-src lld-22)

say() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_debs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

apt_install() {
  local missing
  missing=$(missing_debs "$@")
  [ -z "$missing" ] && return 0
  say "installing Debian packages: $(echo $missing)"
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

have_version() { # have_version CMD EXPECTED-SUBSTRING
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

# The wasm32 target: rustup where it can download, otherwise Debian's
# toolchain linked into rustup as "debweb" (scripts/env.sh picks it up).
setup_wasm_target() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    return 0
  fi
  if [ -x "$HOME/.rustup/toolchains/debweb/bin/rustc" ] || rustup toolchain list | grep -q '^debweb'; then
    return 0
  fi
  say "adding the wasm32-unknown-unknown target"
  if timeout 300 rustup target add wasm32-unknown-unknown; then
    return 0
  fi
  say "rustup cannot download the target here: using Debian's rustc-web with build-std"
  apt_install "${DEBIAN_WASM_PACKAGES[@]}"
  rustup toolchain link debweb /usr
}

setup_cargo_tools() {
  export PATH="$HOME/.cargo/bin:$PATH"
  local wb
  wb=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
  if [ -z "$wb" ]; then
    say "cannot read the wasm-bindgen version from Cargo.lock"; exit 1
  fi
  if ! have_version wasm-bindgen "wasm-bindgen $wb" || ! command -v wasm-bindgen-test-runner >/dev/null; then
    say "installing wasm-bindgen-cli $wb (about 10 minutes on 2 cores)"
    cargo install --quiet wasm-bindgen-cli --version "=$wb" --force
  fi
  if ! have_version trunk "trunk $TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (about 15 minutes on 2 cores)"
    cargo install --quiet trunk --version "=$TRUNK_VERSION" --locked --force
  fi
}

setup_node_packages() {
  # package.json pins exact versions, so `npm ls` failing means something
  # is missing or at another version.
  if ! npm ls --depth=0 >/dev/null 2>&1; then
    say "installing Node packages from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

apt_install "${APT_PACKAGES[@]}"
# Node.js may come from Debian or from elsewhere (NodeSource bundles npm and
# conflicts with Debian's npm package): install Debian's only if none is there.
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
setup_wasm_target
setup_cargo_tools
setup_node_packages
say "ready"
