// vani-bot (crates/bot) as the end-to-end tests run it: the release binary,
// started against the test's Kamailio, with its log collected.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './services.mjs';

/** The release binary: $CARGO_TARGET_DIR/release/vani-bot or target/release/vani-bot. */
export function botBinary() {
  const candidates = [
    process.env.VANI_BOT,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'release', 'vani-bot'),
    join(ROOT, 'target', 'release', 'vani-bot'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `vani-bot not built: looked for ${candidates.join(', ')}; run \`cargo build --release -p vani-bot\` (or set VANI_BOT)`,
    );
  }
  return found;
}

/**
 * Starts `vani-bot <args>` against `server` (a ws:// URL). Resolves once the
 * bot has registered.
 */
export async function startBot(args, { server, registerTimeoutMs = 10_000 } = {}) {
  const proc = spawn(botBinary(), [...args, '--server', server], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VANI_BOT_LOG: 'info' },
  });
  let log = '';
  let stdout = '';
  const waiters = new Set();
  proc.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  proc.stderr.on('data', (chunk) => {
    log = (log + chunk).slice(-100_000);
    for (const w of waiters) w();
  });
  const exited = new Promise((ok) => proc.once('exit', (code, signal) => ok({ code, signal })));
  let done = null;
  exited.then((r) => {
    done = r;
    for (const w of waiters) w();
  });

  /** Resolves with the match once the log matches `pattern`. */
  function waitForLog(pattern, timeoutMs = 10_000) {
    return new Promise((ok, fail) => {
      const check = () => {
        const m = log.match(pattern);
        if (m) {
          cleanup();
          ok(m);
        } else if (done) {
          cleanup();
          fail(new Error(`vani-bot exited (${JSON.stringify(done)}) before logging ${pattern}:\n${log}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        fail(new Error(`vani-bot did not log ${pattern} within ${timeoutMs} ms:\n${log}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  const bot = {
    log: () => log,
    stdout: () => stdout,
    exited,
    waitForLog,
    /** Waits for the bot to exit by itself; rejects after `timeoutMs`. */
    async waitForExit(timeoutMs = 10_000) {
      let timer;
      const timeout = new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error(`vani-bot still running after ${timeoutMs} ms:\n${log}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitForLog(/registered as /, registerTimeoutMs);
  } catch (err) {
    await bot.stop();
    throw err;
  }
  return bot;
}
