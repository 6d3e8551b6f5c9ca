// Parses the same SIP messages with Vani's parser (Rust compiled to wasm),
// JsSIP 3.13.8 and SIP.js 0.21.2 in one Node process and prints ns per
// message for each, and the ratios. What is measured and how: harness.mjs.
//
// Usage: node bench.mjs [messages-dir]   (run.sh builds pkg/ first)

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Parser as SipJsParser } from 'sip.js/lib/core/messages/parser.js';

import { message, parsers, run } from './harness.mjs';
import { readMessages } from './messages.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const vani = require(path.join(here, 'pkg', 'sip_wasm_bench.js'));
const JsSipParser = require('jssip/lib/Parser');

const { source, messages } = readMessages(process.argv[2]);

run({
  engine: `Node ${process.version} (V8 ${process.versions.v8})`,
  source,
  parsers: parsers(vani, JsSipParser, SipJsParser),
  messages: messages.map((m) => message(m.name, m.text)),
  print: (line) => console.log(line),
});
