#!/usr/bin/env bash
# The demo: builds the app, starts the project's Kamailio on loopback with the
# demo accounts, serves the app, and prints what to open. Ctrl-C stops all of it.
#   VANI_HTTP_PORT (8080), VANI_WS_PORT (8088), VANI_SIP_PORT (5060)
set -euo pipefail
cd "$(dirname "$0")/.."
http_port=${VANI_HTTP_PORT:-8080}
ws_port=${VANI_WS_PORT:-8088}
sip_port=${VANI_SIP_PORT:-5060}

scripts/setup.sh
# shellcheck source=scripts/env.sh
. scripts/env.sh
wasm_env trunk build --release
# The echo service (crates/bot), native.
cargo build --release -p vani-bot

for port in "$http_port" "$ws_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run: port $port is in use; set VANI_HTTP_PORT / VANI_WS_PORT / VANI_SIP_PORT to free ones" >&2
    exit 1
  fi
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
# Ctrl-C is how the demo is meant to end: stop everything and exit cleanly.
trap 'exit 0' INT TERM

mkdir -p .run
scripts/kamailio.sh "$ws_port" "$sip_port" 2>.run/kamailio.log &
pids+=($!)
node scripts/serve.mjs dist "$http_port" >.run/serve.log 2>&1 &
pids+=($!)

for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$ws_port") 2>/dev/null && break
  sleep 0.1
done

# The echo service registers as `echo` (dial echo or 600) once Kamailio listens.
"${CARGO_TARGET_DIR:-target}/release/vani-bot" echo --server "ws://127.0.0.1:$ws_port" >.run/echo.log 2>&1 &
pids+=($!)

cat <<INFO

  Vani is running.

  Open        http://localhost:$http_port/   (in two tabs or two browsers to call yourself)
  SIP server  ws://127.0.0.1:$ws_port        (Kamailio; plain SIP on 127.0.0.1:$sip_port)
  Accounts    SIP address              password
INFO
sed -n 's/.*case "\([0-9]*\)": \$var(password) = "\([^"]*\)".*/              sip:\1@localhost       \2/p' deploy/kamailio/accounts.cfg
echo
echo "  echo / 600: call it to hear yourself"
cat <<INFO

  Logs in .run/. Press Ctrl-C to stop.
INFO
wait -n "${pids[@]}"
