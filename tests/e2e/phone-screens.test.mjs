// The main screens at phone width, light and dark: nothing overflows
// sideways. With VANI_SCREENSHOTS=<dir> the screens are saved as PNG files
// (the README's pictures come from here).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PhonePage } from './support/phone-page.mjs';
import { assertPrivateNetwork, demoAccounts, launchChromium, serveApp, startKamailio } from './support/services.mjs';

const SHOTS = process.env.VANI_SCREENSHOTS;
let kamailio;
let app;
let browser;

before(async () => {
  assertPrivateNetwork();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  kamailio = await startKamailio({ wsPort: 8097, sipPort: 5097 });
  app = await serveApp();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await kamailio?.stop();
});

async function open(colorScheme) {
  const context = await browser.newContext({
    viewport: { width: 400, height: 860 },
    deviceScaleFactor: 1,
    colorScheme,
    permissions: ['microphone', 'camera'],
  });
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByTestId('app-title').waitFor();
  return new PhonePage(page);
}

async function check(p, name) {
  const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name}: content is ${overflow}px wider than the screen`);
  if (SHOTS) await p.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

for (const scheme of ['light', 'dark']) {
  test(`main screens fit a phone screen (${scheme})`, async () => {
    const [a, b] = demoAccounts();
    const caller = await open(scheme);
    const callee = await open(scheme);
    await check(caller, `account-${scheme}`);
    await caller.signIn({ server: kamailio.wsUrl, uri: a.uri, password: a.password, name: 'Asha Rao' });
    await callee.signIn({ server: kamailio.wsUrl, uri: b.uri, password: b.password, name: 'Ben Ito' });
    await caller.waitForRegistration('registered');
    await callee.waitForRegistration('registered');
    await caller.byId('dial-input').fill(b.user);
    await check(caller, `dial-pad-${scheme}`);
    await caller.dial(b.user, { video: true });
    await callee.incoming().waitFor({ timeout: 10_000 });
    await check(callee, `incoming-${scheme}`);
    await callee.answer({ video: true });
    await caller.waitForCallState('connected');
    await caller.page.waitForFunction(
      () => (document.querySelector('video[data-testid="remote-video"]')?.videoWidth ?? 0) > 0,
      null,
      { timeout: 10_000 },
    );
    await caller.page.waitForTimeout(1_200);
    await check(caller, `in-call-video-${scheme}`);
    await caller.hangup();
    await caller.waitForNoActiveCall();
    await caller.page.context().close();
    await callee.page.context().close();
  });
}
