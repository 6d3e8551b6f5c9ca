// Parses the same SIP messages with Vani's parser (Rust compiled to wasm),
// JsSIP 3.13.8 and SIP.js 0.21.2 in one Node process and prints ns per
// message for each, and the ratios.
//
// "Parse" is the same work for each: start line, header index, and the
// typed headers JsSIP parses eagerly (topmost Via, From, To, Call-ID, CSeq,
// Contact, Content-Length, and Content-Type, Max-Forwards, Record-Route,
// Event, Session-Expires, WWW-Authenticate, Proxy-Authenticate, Refer-To,
// Replaces when present).
//
// Vani reads a message in place (the header index and the typed values
// point into the bytes it was given); "vani (wasm, owned)" also copies the
// head and the body into a message of its own, as the user agent does with
// a message it keeps. JsSIP's and SIP.js's messages keep substrings of the
// text they were given.
//
// Usage: node bench.mjs [messages-dir]   (run.sh builds pkg/ first)

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Parser as SipJsParser } from 'sip.js/lib/core/messages/parser.js';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const vani = require(path.join(here, 'pkg', 'sip_wasm_bench.js'));
const JsSipParser = require('jssip/lib/Parser');

const ROUNDS = 15;
const ROUND_MS = 240;
const WARMUP_MS = 300;

// The native benchmark's corpus when present, so both time the same files.
const shared = path.join(here, '..', '..', 'crates', 'sip', 'benches', 'messages');
const dir = process.argv[2] ?? (existsSync(shared) ? shared : path.join(here, 'messages'));
const encoder = new TextEncoder();
const messages = readdirSync(dir)
  .filter((file) => file.endsWith('.sip'))
  .sort()
  .map((file) => {
    const text = readFileSync(path.join(dir, file), 'latin1');
    return { name: file, text, bytes: encoder.encode(text) };
  });

// JsSIP keeps the ua on incoming requests and touches nothing else while parsing.
const fakeUa = {};
const quietLogger = { log() {}, debug() {}, warn() {}, error() {} };

const parsers = [
  { name: 'vani (wasm, bytes)', parse: (m) => vani.parse(m.bytes) > 0 },
  { name: 'vani (wasm, owned)', parse: (m) => vani.parse_owned(m.bytes) > 0 },
  { name: 'vani (wasm, string)', parse: (m) => vani.parse_str(m.text) > 0 },
  { name: 'JsSIP 3.13.8', parse: (m) => JsSipParser.parseMessage(m.text, fakeUa) !== undefined },
  { name: 'SIP.js 0.21.2', parse: (m) => SipJsParser.parseMessage(m.text, quietLogger) !== undefined },
];

function check() {
  for (const parser of parsers) {
    for (const message of messages) {
      if (!parser.parse(message)) {
        console.error(`${parser.name} failed to parse ${message.name}`);
        process.exit(1);
      }
    }
  }
}

/// Runs `parse` over `message` for about `ms` milliseconds; returns ns per call.
function measure(parse, message, ms) {
  let iterations = 0;
  let ok = 0;
  const budget = BigInt(ms) * 1_000_000n;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 64; i += 1) {
      if (parse(message)) ok += 1;
    }
    iterations += 64;
    elapsed = process.hrtime.bigint() - start;
  }
  if (ok !== iterations) throw new Error('a parse failed during timing');
  return Number(elapsed) / iterations;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/// Rounds go over every parser in turn, so a change in machine load
/// during the run weighs on all of them alike; each figure is a median.
function bench() {
  for (const parser of parsers) {
    for (const message of messages) measure(parser.parse, message, WARMUP_MS / messages.length);
  }
  const samples = new Map(parsers.map((p) => [p.name, messages.map(() => [])]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const parser of parsers) {
      messages.forEach((message, i) => {
        samples.get(parser.name)[i].push(measure(parser.parse, message, ROUND_MS / messages.length));
      });
    }
  }
  return new Map([...samples].map(([name, perMessage]) => [name, perMessage.map(median)]));
}

function format(ns) {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} us` : `${ns.toFixed(0)} ns`;
}

function report(results) {
  const width = Math.max(...messages.map((m) => m.name.length), 12);
  const header = ['message'.padEnd(width), 'bytes'.padStart(6), ...parsers.map((p) => p.name.padStart(20))];
  console.log(header.join('  '));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  messages.forEach((message, i) => {
    const cells = parsers.map((p) => format(results.get(p.name)[i]).padStart(20));
    console.log([message.name.padEnd(width), String(message.bytes.length).padStart(6), ...cells].join('  '));
  });
  const averages = parsers.map((p) => mean(results.get(p.name)));
  const totalBytes = messages.reduce((sum, m) => sum + m.bytes.length, 0);
  console.log(
    ['mean'.padEnd(width), String(Math.round(totalBytes / messages.length)).padStart(6), ...averages.map((a) => format(a).padStart(20))].join('  '),
  );
  console.log('');
  const base = averages[0];
  parsers.forEach((p, i) => {
    if (i === 0) return;
    console.log(`${p.name} / vani (wasm, bytes): ${(averages[i] / base).toFixed(1)}x (mean ns per message)`);
  });
  const invite = messages.findIndex((m) => m.name.includes('invite') && !m.name.includes('200'));
  if (invite >= 0) {
    const vaniInvite = results.get(parsers[0].name)[invite];
    parsers.forEach((p, i) => {
      if (i === 0) return;
      console.log(`${p.name} / vani (wasm, bytes) on the INVITE: ${(results.get(p.name)[invite] / vaniInvite).toFixed(1)}x`);
    });
  }
}

console.log(`Node ${process.version}; ${messages.length} messages from ${path.relative(process.cwd(), dir) || '.'}; median of ${ROUNDS} interleaved rounds\n`);
check();
report(bench());
