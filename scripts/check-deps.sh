#!/usr/bin/env bash
# The SIP stack stays sans-IO and browser-free: fails if vani-sip depends, even
# indirectly, on a browser binding, an async runtime or a UI framework.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(web-sys|js-sys|wasm-bindgen|leptos|tokio|getrandom) '
tree=$(cargo tree -p vani-sip -e normal,build --prefix none --locked --target all)
if bad=$(grep -E "$forbidden" <<<"$tree" | sort -u) && [ -n "$bad" ]; then
  echo "check-deps: vani-sip must not depend on:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-deps: vani-sip depends on none of web-sys, js-sys, wasm-bindgen, leptos, tokio, getrandom"
