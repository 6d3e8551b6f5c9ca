#!/usr/bin/env bash
# Runs the project's Kamailio (deploy/kamailio) in the foreground, on loopback.
#   scripts/kamailio.sh [WS_PORT] [SIP_PORT]
# WebSocket clients connect to ws://127.0.0.1:WS_PORT; plain SIP (UDP/TCP)
# peers such as SIPp use 127.0.0.1:SIP_PORT. Stop it with SIGTERM or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ws_port=${1:-8088}
sip_port=${2:-5060}
rundir=$(mktemp -d "${TMPDIR:-/tmp}/vani-kamailio.XXXXXX")
trap 'rm -rf "$rundir"' EXIT
# -DD: stay in the foreground; -E: log to stderr.
kamailio -f deploy/kamailio/kamailio.cfg -DD -E \
  -A "WS_PORT=$ws_port" -A "SIP_PORT=$sip_port" \
  -Y "$rundir" -m 64 -M 8 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; rm -rf "$rundir"' EXIT INT TERM
wait "$pid"
