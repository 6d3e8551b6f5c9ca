// Parses the same SIP messages with Vani's parser (Rust compiled to wasm),
// JsSIP 3.13.8 and SIP.js 0.21.2 in one Node process and prints ns per
// message for each, and the ratios. What is measured and how: harness.mjs.
//
// Usage: node bench.mjs [messages-dir]   (run.sh builds pkg/ first)

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Parser as SipJsParser } from 'sip.js/lib/core/messages/parser.js';

import { message, parsers, run } from './harness.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const vani = require(path.join(here, 'pkg', 'sip_wasm_bench.js'));
const JsSipParser = require('jssip/lib/Parser');

// The native benchmark's corpus when present, so both time the same files.
const shared = path.join(here, '..', '..', 'crates', 'sip', 'benches', 'messages');
const dir = process.argv[2] ?? (existsSync(shared) ? shared : path.join(here, 'messages'));
const messages = readdirSync(dir)
  .filter((file) => file.endsWith('.sip'))
  .sort()
  .map((file) => message(file, readFileSync(path.join(dir, file), 'latin1')));

run({
  engine: `Node ${process.version} (V8 ${process.versions.v8})`,
  source: path.relative(process.cwd(), dir) || '.',
  parsers: parsers(vani, JsSipParser, SipJsParser),
  messages,
  print: (line) => console.log(line),
});
