// Runs the benchmark (harness.mjs) in headless Chromium: bundles
// browser/page.mjs with JsSIP, SIP.js and Vani's web build (pkg/web/, made
// by `run.sh --chromium`) into pkg/web/, serves that directory on loopback,
// opens it and prints the report as the page writes it.
//
// Usage: node browser.mjs [messages-dir]
// CHROMIUM=<binary> picks the browser (default /usr/bin/chromium).

import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { readMessages } from './messages.mjs';

const TIMEOUT_MS = 10 * 60 * 1000;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
// Playwright and the static server are the end-to-end tests' own.
const { chromium } = createRequire(path.join(root, 'package.json'))('playwright-core');
const { serveStatic } = await import(path.join(root, 'scripts', 'serve.mjs'));

const out = path.join(here, 'pkg', 'web');
if (!existsSync(path.join(out, 'sip_wasm_bench_bg.wasm'))) {
  console.error('browser.mjs: no web build in pkg/web; run bench/node/run.sh --chromium');
  process.exit(1);
}
writeFileSync(path.join(out, 'messages.json'), JSON.stringify(readMessages(process.argv[2])));
copyFileSync(path.join(here, 'browser', 'index.html'), path.join(out, 'index.html'));
await build({
  entryPoints: [path.join(here, 'browser', 'page.mjs')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: path.join(out, 'bundle.js'),
  logLevel: 'warning',
});

const server = await serveStatic(out, { port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = false;
try {
  const page = await browser.newPage();
  const finished = new Promise((resolve) => {
    page.on('console', (msg) => {
      const line = msg.text();
      if (line === 'done') return resolve();
      console.log(line);
      if (line.startsWith('failed:')) {
        failed = true;
        resolve();
      }
    });
    page.on('pageerror', (error) => {
      console.error(`page error: ${error}`);
      failed = true;
      resolve();
    });
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  // A full run takes well under a minute; a page that never finishes fails.
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => {
      console.error(`no report after ${TIMEOUT_MS / 1000} s`);
      failed = true;
      resolve();
    }, TIMEOUT_MS);
  });
  await Promise.race([finished, timeout]);
  clearTimeout(timer);
} finally {
  await browser.close();
  await new Promise((resolve) => server.close(resolve));
}
process.exitCode = failed ? 1 : 0;
