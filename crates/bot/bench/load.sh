#!/usr/bin/env bash
# The load benchmark: the project's Kamailio and `vani-bot load` in a private
# network namespace with only loopback (nothing leaves the machine).
#   crates/bot/bench/load.sh [USERS] [RATE] [DURATION]    (2000 100 30)
# Prints the generator's figures. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
users=${1:-2000}
rate=${2:-100}
duration=${3:-30}
cargo build --release -p vani-bot
bot="${CARGO_TARGET_DIR:-$PWD/target}/release/vani-bot"
exec unshare --net --fork -- bash -c '
  set -euo pipefail
  ip link set lo up
  ulimit -n 20000
  # As scripts/kamailio.sh, with 512 MB of shared memory instead of 64: each
  # WebSocket connection and each registration takes some, and 2000 users
  # exhaust 64 MB (connections reset, 500 on REGISTER).
  rundir=$(mktemp -d)
  kamailio -f deploy/kamailio/kamailio.cfg -DD -E -A WS_PORT=28088 -A SIP_PORT=28060 \
    -Y "$rundir" -m 512 -M 16 2>/tmp/vani-bench-kamailio.log &
  kamailio=$!
  trap "kill -TERM $kamailio 2>/dev/null; wait $kamailio 2>/dev/null || true; rm -rf $rundir" EXIT
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/28088) 2>/dev/null && break; sleep 0.1; done
  VANI_BOT_LOG=warn "$0" load --target ws://127.0.0.1:28088 --users "$1" --rate "$2" --duration "$3"
' "$bot" "$users" "$rate" "$duration"
