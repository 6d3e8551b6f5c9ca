// A page running JsSIP (npm, node_modules/jssip) as a second, independent SIP
// client for interop tests. JsSIP ships CommonJS only, so its modules are
// wrapped here into one browser script with a minimal require(); the page is
// served from its own loopback server (http://localhost is a secure context,
// so getUserMedia works).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { serveStatic } from '../../../scripts/serve.mjs';
import { ROOT } from './services.mjs';
import { listen } from './audio.mjs';

const MODULES = join(ROOT, 'node_modules');

function isFile(path) {
  return existsSync(path) && statSync(path).isFile();
}

function resolveFile(base) {
  const found = [base, `${base}.js`, `${base}.json`, join(base, 'index.js')].find(isFile);
  if (!found) throw new Error(`cannot resolve ${base}`);
  return found;
}

/** A module specifier as the browser needs it: the package's "browser" entry if it names one. */
function resolveSpec(from, spec) {
  if (spec.startsWith('.')) return resolveFile(resolve(dirname(from), spec));
  const dir = join(MODULES, spec);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entry = typeof pkg.browser === 'string' ? pkg.browser : pkg.main ?? 'index.js';
  return resolveFile(resolve(dir, entry));
}

/** JsSIP and its dependencies as one script that sets `window.JsSIP`. */
export function jssipBundle() {
  const entry = join(MODULES, 'jssip', 'lib', 'JsSIP.js');
  if (!isFile(entry)) throw new Error('JsSIP missing: run `npm ci` (package.json lists jssip)');
  const ids = new Map();
  const parts = [];
  const visit = (file) => {
    if (ids.has(file)) return ids.get(file);
    const id = relative(MODULES, file);
    ids.set(file, id);
    const source = readFileSync(file, 'utf8');
    const deps = {};
    if (file.endsWith('.json')) {
      parts.push([id, `module.exports = ${source};`, deps]);
      return id;
    }
    const slot = parts.push(null) - 1;
    for (const [, spec] of source.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      deps[spec] = visit(resolveSpec(file, spec));
    }
    parts[slot] = [id, source, deps];
    return id;
  };
  const root = visit(entry);
  const defs = parts
    .map(([id, source, deps]) => `${JSON.stringify(id)}: [${JSON.stringify(deps)}, function (module, exports, require) {\n${source}\n}]`)
    .join(',\n');
  return `(function () {
const defs = {${defs}};
const cache = {};
function load(id) {
  if (cache[id]) return cache[id].exports;
  const [deps, fn] = defs[id];
  const module = (cache[id] = { exports: {} });
  fn(module, module.exports, (spec) => {
    if (!(spec in deps)) throw new Error('not bundled: ' + spec + ' from ' + id);
    return load(deps[spec]);
  });
  return module.exports;
}
window.JsSIP = load(${JSON.stringify(root)});
})();
`;
}

/** Serves a blank page that loads the JsSIP bundle, on an ephemeral loopback port. */
export async function serveJsSip() {
  const dir = mkdtempSync(join(tmpdir(), 'vani-jssip-'));
  writeFileSync(join(dir, 'jssip.js'), jssipBundle());
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>JsSIP</title><script src="/jssip.js"></script><body></body>\n',
  );
  const server = await serveStatic(dir, { port: 0 });
  return {
    url: `http://localhost:${server.address().port}/`,
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

export class JsSipPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  /** Opens the JsSIP page in a fresh context of `browser`. */
  static async open(browser, url) {
    const context = await browser.newContext({ permissions: ['microphone'] });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('jssip page error:', String(err)));
    await page.goto(url);
    await page.waitForFunction(() => typeof window.JsSIP?.UA === 'function');
    return new JsSipPage(page);
  }

  async close() {
    await this.page.evaluate(() => window.sip?.ua.stop()).catch(() => {});
    await this.page.waitForTimeout(200);
    await this.page.context().close();
  }

  /** Registers `uri` with `password` through `wsUrl`; resolves once registered. */
  async register({ wsUrl, uri, password }) {
    const result = await this.page.evaluate(
      ({ wsUrl, uri, password }) =>
        new Promise((ok) => {
          const JsSIP = window.JsSIP;
          const socket = new JsSIP.WebSocketInterface(wsUrl);
          const ua = new JsSIP.UA({ sockets: [socket], uri, password, register: true, session_timers: false });
          const sip = (window.sip = { ua, session: null, states: [], incoming: 0 });
          ua.on('newRTCSession', ({ session, originator }) => {
            sip.session = session;
            if (originator === 'remote') sip.incoming += 1;
            const attach = (pc) => {
              pc.addEventListener('track', (ev) => {
                if (ev.track.kind !== 'audio') return;
                let el = document.querySelector('audio#remote');
                if (!el) {
                  el = document.createElement('audio');
                  el.id = 'remote';
                  el.autoplay = true;
                  document.body.append(el);
                }
                el.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
                el.play().catch(() => {});
              });
            };
            if (session.connection) attach(session.connection);
            else session.on('peerconnection', ({ peerconnection }) => attach(peerconnection));
            for (const name of ['progress', 'accepted', 'confirmed', 'ended', 'failed']) {
              session.on(name, (e) => sip.states.push(name === 'failed' || name === 'ended' ? `${name}:${e?.cause}` : name));
            }
          });
          ua.on('registered', () => ok('registered'));
          ua.on('registrationFailed', (e) => ok(`registrationFailed: ${e.cause}`));
          ua.start();
        }),
      { wsUrl, uri, password },
    );
    assert.equal(result, 'registered', `JsSIP registration of ${uri}`);
  }

  async call(target) {
    await this.page.evaluate((target) => {
      window.sip.ua.call(target, { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
    }, target);
  }

  async waitForIncoming(timeout = 10_000) {
    await this.page.waitForFunction(() => window.sip.incoming > 0 && window.sip.session?.isInProgress(), null, { timeout });
  }

  async answer() {
    await this.page.evaluate(() =>
      window.sip.session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } }),
    );
  }

  async hangup() {
    await this.page.evaluate(() => window.sip.session.terminate());
  }

  /** Waits until the session's events include `state` (`confirmed`, `ended:...`, ...). */
  async waitForState(pattern, timeout = 10_000) {
    await this.page.waitForFunction(
      (source) => window.sip.states.some((s) => new RegExp(source).test(s)),
      pattern.source,
      { timeout },
    );
  }

  states() {
    return this.page.evaluate(() => [...window.sip.states]);
  }

  /** The remote audio's loudest frequency, level and RMS, measured as PhonePage.listen does. */
  async listen(ms = 800) {
    return listen(this.page, 'audio#remote', ms);
  }
}
