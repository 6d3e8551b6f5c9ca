#!/bin/sh
# Builds Vani's SIP parser for wasm, binds it for Node and runs the benchmark
# against JsSIP and SIP.js on the same messages.
#
#   bench/node/run.sh [messages-dir]
#
# The wasm is built with the workspace release profile (the one the app
# ships, size-tuned) and then, as Trunk does for the app, passed through
# `wasm-opt -Oz` (binaryen 132, from the project's npm packages).
# OPT_LEVEL=3 bench/node/run.sh builds it for speed instead (opt-level 3,
# LLVM's inlining threshold raised from 250 to 4000, `wasm-opt -O3`).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
PATH="$HOME/.cargo/bin:$PATH"

if [ -n "${OPT_LEVEL:-}" ]; then
    export CARGO_PROFILE_RELEASE_OPT_LEVEL="$OPT_LEVEL"
fi
if [ "${OPT_LEVEL:-}" = 3 ]; then
    # Added to the target's flags in .cargo/config.toml (SIMD).
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C llvm-args=-inline-threshold=4000"
fi
cargo build --manifest-path "$root/Cargo.toml" -p sip-wasm-bench --target wasm32-unknown-unknown --release
wasm-bindgen --target nodejs --out-dir "$here/pkg" "$target/wasm32-unknown-unknown/release/sip_wasm_bench.wasm"
wasm_opt="$root/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ]; then
    (cd "$root" && npm ci --no-audit --no-fund)
fi
# The features the app's build enables (index.html, data-wasm-opt-params).
"$wasm_opt" "-O${OPT_LEVEL:-z}" --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue --enable-simd \
    "$here/pkg/sip_wasm_bench_bg.wasm" -o "$here/pkg/sip_wasm_bench_bg.wasm"
# The bindings are CommonJS; bench.mjs sits in an ES module package.
printf '{ "type": "commonjs" }\n' > "$here/pkg/package.json"
if [ ! -d "$here/node_modules/jssip" ] || [ ! -d "$here/node_modules/sip.js" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
fi
cd "$here"
exec node bench.mjs "$@"
