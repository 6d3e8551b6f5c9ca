# Vani's two everyday commands:
#   make run    build the app, start Kamailio with demo accounts, serve the app
#   make test   every test: native, wasm in Chromium, end to end
# Both install what is missing first (scripts/setup.sh).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
ENV := . scripts/env.sh &&

.PHONY: run test setup build test-native test-wasm test-e2e test-wire test-bot

run:
	scripts/run.sh

test: setup test-native test-wasm test-e2e test-wire test-bot

setup:
	scripts/setup.sh

build: setup
	$(ENV) wasm_env trunk build --release

test-native:
	$(ENV) scripts/check-deps.sh
	$(ENV) cargo fmt --all --check
	$(ENV) cargo clippy --workspace --all-targets --locked -- -D warnings
	$(ENV) RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
	$(ENV) cargo test --workspace --locked

test-wasm:
	$(ENV) wasm_env cargo test -p vani --target wasm32-unknown-unknown --locked --tests

test-e2e: build
	$(ENV) cargo build --release -p vani-bot --locked
	tests/e2e/run.sh

# The SIP stack on the wire: its native driver against Kamailio and SIPp, in a
# private network namespace with only loopback (nothing leaves the machine).
test-wire: setup
	$(ENV) cargo test -p vani-sip-ws --no-run --locked
	$(ENV) unshare --net --fork -- bash -c 'ip link set lo up && cargo test -p vani-sip-ws --offline --locked -- --include-ignored --test-threads=1'

# The native peer (crates/bot: echo, tone analyser, load generator) against
# Kamailio, in a private network namespace with only loopback.
test-bot: setup
	$(ENV) cargo test -p vani-bot --no-run --locked
	$(ENV) unshare --net --fork -- bash -c 'ip link set lo up && cargo test -p vani-bot --offline --locked -- --include-ignored --test-threads=1'
