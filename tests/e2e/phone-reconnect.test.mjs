// End to end: the server is down when the page loads. The app says it is
// retrying, with a countdown, and registers once Kamailio starts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PhonePage } from './support/phone-page.mjs';
import { assertPrivateNetwork, demoAccounts, launchChromium, serveApp, startKamailio } from './support/services.mjs';

const WS_PORT = 8098;
const SIP_PORT = 5098;
let kamailio;
let app;
let browser;

before(async () => {
  assertPrivateNetwork();
  app = await serveApp();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await kamailio?.stop();
});

test('server down at load: retrying with a countdown, then registered when it starts', async () => {
  const [account] = demoAccounts();
  const p = await PhonePage.open(browser, app.url);
  await p.signIn({ server: `ws://127.0.0.1:${WS_PORT}`, uri: account.uri, password: account.password });
  await p.page.waitForFunction(
    () => /Retrying in \d+ s/.test(document.querySelector('[data-testid="registration-status"]')?.textContent ?? ''),
    null,
    { timeout: 5_000 },
  );
  assert.equal(await p.registrationState(), 'registering');
  kamailio = await startKamailio({ wsPort: WS_PORT, sipPort: SIP_PORT });
  // Back-off is capped at 30 s; the second or third retry finds the server.
  await p.waitForRegistration('registered', 35_000);
  await p.close();
});
