// Services the end-to-end tests start and stop themselves: the project's
// Kamailio, a static server for the built app, and headless Chromium.
// Everything listens on loopback inside the private network namespace that
// tests/e2e/run.sh creates.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../../../scripts/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DOMAIN = 'localhost';

/** Refuses to run outside a namespace that has nothing but loopback. */
export function assertPrivateNetwork() {
  const names = Object.keys(networkInterfaces()).filter((n) => n !== 'lo');
  if (names.length > 0 && !process.env.VANI_E2E_HOST_NETWORK) {
    throw new Error(
      `end-to-end tests run in a private network namespace (tests/e2e/run.sh); found ${names.join(', ')}`,
    );
  }
}

/** The demo accounts, read from the Kamailio configuration they live in. */
export function demoAccounts() {
  const cfg = readFileSync(join(ROOT, 'deploy/kamailio/accounts.cfg'), 'utf8');
  return [...cfg.matchAll(/case "(\d+)": \$var\(password\) = "([^"]+)"/g)].map(([, user, password]) => ({
    user,
    password,
    uri: `sip:${user}@${DOMAIN}`,
  }));
}

function waitForPort(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((ok, fail) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        ok();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) fail(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Starts Kamailio; resolves once its WebSocket port accepts connections. */
export async function startKamailio({ wsPort = 8088, sipPort = 5060 } = {}) {
  const proc = spawn(join(ROOT, 'scripts/kamailio.sh'), [String(wsPort), String(sipPort)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr.on('data', (chunk) => {
    log = (log + chunk).slice(-20_000);
  });
  const exited = new Promise((ok) => proc.once('exit', ok));
  try {
    await Promise.race([
      waitForPort(wsPort),
      exited.then((code) => {
        throw new Error(`kamailio exited with ${code}:\n${log}`);
      }),
    ]);
  } catch (err) {
    proc.kill('SIGTERM');
    throw err;
  }
  return {
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    sipPort,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Serves dist/ on an ephemeral loopback port. */
export async function serveApp(dir = join(ROOT, 'dist')) {
  const server = await serveStatic(dir, { port: 0 });
  return {
    url: `http://localhost:${server.address().port}/`,
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

/** Headless Chromium with fake media devices; `audioFile` feeds the microphone. */
export async function launchChromium({ audioFile } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (audioFile) args.push(`--use-file-for-fake-audio-capture=${audioFile}`);
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args });
}

/** Collects console errors and uncaught exceptions of a page. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}
