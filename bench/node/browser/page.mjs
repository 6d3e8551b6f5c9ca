// The Node benchmark's measurement (../harness.mjs) run in a browser page:
// Vani's parser built for the web (`wasm-bindgen --target web`), JsSIP
// 3.13.8 and SIP.js 0.21.2 bundled for the browser, the same messages.
// ../browser.mjs builds, serves and runs it in headless Chromium; each
// report line goes to the console and into the page.

import { Parser as SipJsParser } from 'sip.js/lib/core/messages/parser.js';
import JsSipParser from 'jssip/lib/Parser';

import init, * as vani from '../pkg/web/sip_wasm_bench.js';
import { message, parsers, run } from '../harness.mjs';

const report = document.getElementById('report');

function print(line) {
  console.log(line);
  report.textContent += `${line}\n`;
}

async function main() {
  await init({ module_or_path: 'sip_wasm_bench_bg.wasm' });
  const files = await (await fetch('messages.json')).json();
  // Yields once so that the page is up before the busy loops start.
  await new Promise((resolve) => setTimeout(resolve, 0));
  run({
    engine: navigator.userAgent,
    source: files.source,
    parsers: parsers(vani, JsSipParser, SipJsParser),
    messages: files.messages.map((m) => message(m.name, m.text)),
    print,
  });
}

main().then(
  () => print('done'),
  (error) => print(`failed: ${error}`),
);
