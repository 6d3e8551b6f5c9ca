// The measuring and reporting shared by the Node benchmark (bench.mjs) and
// its browser run (browser/page.mjs): the same parsers over the same
// messages, timed the same way, whichever engine runs them.
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

const ROUNDS = 15;
const ROUND_MS = 240;
const WARMUP_MS = 300;

/** JsSIP keeps the ua on incoming requests and touches nothing else while parsing. */
const fakeUa = {};
const quietLogger = { log() {}, debug() {}, warn() {}, error() {} };

/**
 * The parsers compared, in the order of the report's columns; the first is
 * the one the ratios are taken against.
 *
 * @param vani the wasm module's exports (`parse`, `parse_owned`, `parse_str`)
 * @param JsSipParser JsSIP 3.13.8's `lib/Parser`
 * @param SipJsParser SIP.js 0.21.2's `Parser`
 */
export function parsers(vani, JsSipParser, SipJsParser) {
  return [
    { name: 'vani (wasm, bytes)', parse: (m) => vani.parse(m.bytes) > 0 },
    { name: 'vani (wasm, owned)', parse: (m) => vani.parse_owned(m.bytes) > 0 },
    { name: 'vani (wasm, string)', parse: (m) => vani.parse_str(m.text) > 0 },
    { name: 'JsSIP 3.13.8', parse: (m) => JsSipParser.parseMessage(m.text, fakeUa) !== undefined },
    { name: 'SIP.js 0.21.2', parse: (m) => SipJsParser.parseMessage(m.text, quietLogger) !== undefined },
  ];
}

/**
 * A message as each parser takes it: `text` (a text WebSocket frame) for
 * the JavaScript parsers, its UTF-8 `bytes` (a binary frame) for Vani.
 */
export function message(name, text) {
  return { name, text, bytes: new TextEncoder().encode(text) };
}

/** Throws unless every parser accepts every message. */
function check(parsers, messages) {
  for (const parser of parsers) {
    for (const message of messages) {
      if (!parser.parse(message)) throw new Error(`${parser.name} failed to parse ${message.name}`);
    }
  }
}

/** Runs `parse` over `message` for about `ms` milliseconds; returns ns per call. */
function measure(parse, message, ms) {
  let iterations = 0;
  let ok = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 64; i += 1) {
      if (parse(message)) ok += 1;
    }
    iterations += 64;
    elapsed = performance.now() - start;
  }
  if (ok !== iterations) throw new Error('a parse failed during timing');
  return (elapsed * 1e6) / iterations;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/// Rounds go over every parser in turn, so a change in machine load
/// during the run weighs on all of them alike; each figure is a median.
function bench(parsers, messages) {
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

function report(parsers, messages, results, print) {
  const width = Math.max(...messages.map((m) => m.name.length), 12);
  const header = ['message'.padEnd(width), 'bytes'.padStart(6), ...parsers.map((p) => p.name.padStart(20))];
  print(header.join('  '));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  messages.forEach((message, i) => {
    const cells = parsers.map((p) => format(results.get(p.name)[i]).padStart(20));
    print([message.name.padEnd(width), String(message.bytes.length).padStart(6), ...cells].join('  '));
  });
  const averages = parsers.map((p) => mean(results.get(p.name)));
  const totalBytes = messages.reduce((sum, m) => sum + m.bytes.length, 0);
  print(
    ['mean'.padEnd(width), String(Math.round(totalBytes / messages.length)).padStart(6), ...averages.map((a) => format(a).padStart(20))].join('  '),
  );
  print('');
  const base = averages[0];
  parsers.forEach((p, i) => {
    if (i === 0) return;
    print(`${p.name} / ${parsers[0].name}: ${(averages[i] / base).toFixed(1)}x (mean ns per message)`);
  });
  const invite = messages.findIndex((m) => m.name.includes('invite') && !m.name.includes('200'));
  if (invite >= 0) {
    const vaniInvite = results.get(parsers[0].name)[invite];
    parsers.forEach((p, i) => {
      if (i === 0) return;
      print(`${p.name} / ${parsers[0].name} on the INVITE: ${(results.get(p.name)[invite] / vaniInvite).toFixed(1)}x`);
    });
  }
}

/**
 * Checks that every parser accepts every message, times them and prints the
 * report line by line through `print`. `engine` names what runs it.
 */
export function run({ engine, source, parsers, messages, print }) {
  print(`${engine}; ${messages.length} messages from ${source}; median of ${ROUNDS} interleaved rounds`);
  print('');
  check(parsers, messages);
  report(parsers, messages, bench(parsers, messages), print);
}
