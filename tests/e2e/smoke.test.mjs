// Smoke test: the built app renders in Chromium under its own
// Content-Security-Policy, and the project's Kamailio accepts a SIP
// WebSocket connection (RFC 7118) and challenges an unauthenticated REGISTER.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertPrivateNetwork,
  demoAccounts,
  launchChromium,
  serveApp,
  startKamailio,
  watchErrors,
} from './support/services.mjs';

let kamailio;
let app;
let browser;

before(async () => {
  assertPrivateNetwork();
  kamailio = await startKamailio();
  app = await serveApp();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await kamailio?.stop();
});

test('the app shell renders with its title and favicon, without errors', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const response = await page.goto(app.url);
  assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  await page.getByTestId('app-title').waitFor();
  assert.equal(await page.getByTestId('app-title').textContent(), 'Vani');
  assert.equal(await page.title(), 'Vani');
  assert.equal(await page.locator('link[rel=icon]').count(), 1);
  assert.deepEqual(errors, [], 'no console errors or CSP violations');
  await page.close();
});

test('Kamailio accepts a WebSocket with the sip subprotocol and challenges REGISTER', async () => {
  const page = await browser.newPage();
  await page.goto(app.url);
  const [account] = demoAccounts();
  const result = await page.evaluate(
    ({ url, uri, user }) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, 'sip');
        ws.binaryType = 'arraybuffer';
        const timer = setTimeout(() => reject(new Error('no answer in 5 s')), 5000);
        ws.onerror = () => reject(new Error('WebSocket error'));
        ws.onopen = () => {
          const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
          ws.send(
            [
              `REGISTER sip:localhost SIP/2.0`,
              `Via: SIP/2.0/WS smoke.invalid;branch=${branch}`,
              `Max-Forwards: 70`,
              `From: <${uri}>;tag=smoke`,
              `To: <${uri}>`,
              `Call-ID: smoke-${branch}`,
              `CSeq: 1 REGISTER`,
              `Contact: <sip:${user}@smoke.invalid;transport=ws>`,
              `Expires: 60`,
              `Content-Length: 0`,
              ``,
              ``,
            ].join('\r\n'),
          );
        };
        ws.onmessage = (ev) => {
          clearTimeout(timer);
          const text = typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data);
          resolve({ protocol: ws.protocol, statusLine: text.split('\r\n')[0], challenge: /WWW-Authenticate: Digest/i.test(text) });
          ws.close();
        };
      }),
    { url: kamailio.wsUrl, uri: account.uri, user: account.user },
  );
  assert.equal(result.protocol, 'sip');
  assert.equal(result.statusLine, 'SIP/2.0 401 Unauthorized');
  assert.ok(result.challenge, 'the 401 carries a Digest challenge');
  await page.close();
});
