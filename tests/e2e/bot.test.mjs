// End to end with the native peer (crates/bot): the app, in Chromium with a
// 440 Hz tone as microphone, calls the echo service and hears itself; sends
// DTMF to the tone analyser in RFC 4733 and in SIP INFO; and is called by the
// analyser, hearing its 1 kHz tone. Needs the release vani-bot binary.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { botBinary, startBot } from './support/bot.mjs';
import { PhonePage, writeToneWav } from './support/phone-page.mjs';
import { assertPrivateNetwork, demoAccounts, launchChromium, serveApp, startKamailio } from './support/services.mjs';

const MIC_HZ = 440;
const BOT_HZ = 1000;
const DIGITS = '159*0#';
// Analyser bins are ~6 Hz wide at 48 kHz / 8192; Opus and resampling move little.
const near = (hz, target) => Math.abs(hz - target) < 25;

let kamailio;
let app;
let browser;
let accounts;
let dir;
const bots = [];

before(async () => {
  assertPrivateNetwork();
  botBinary(); // fails here, with the build command, if the binary is missing
  dir = mkdtempSync(join(tmpdir(), 'vani-e2e-bot-'));
  kamailio = await startKamailio();
  app = await serveApp();
  browser = await launchChromium({ audioFile: writeToneWav(join(dir, 'mic.wav'), { hz: MIC_HZ, seconds: 10 }) });
  accounts = demoAccounts();
});

after(async () => {
  for (const bot of bots) await bot.stop();
  await browser?.close();
  await app?.stop();
  await kamailio?.stop();
});

async function bot(args) {
  const b = await startBot(args, { server: kamailio.wsUrl });
  bots.push(b);
  return b;
}

function account(user) {
  const acc = accounts.find((a) => a.user === user);
  assert.ok(acc, `demo account ${user}`);
  return acc;
}

/** The app in a fresh context, registered as `user`; `dtmfInfo` ticks the INFO option. */
async function phone(user, { dtmfInfo = false } = {}) {
  const acc = account(user);
  const p = await PhonePage.open(browser, app.url);
  await p.byId('account-server').fill(kamailio.wsUrl);
  await p.byId('account-uri').fill(acc.uri);
  await p.byId('account-password').fill(acc.password);
  const info = p.byId('account-dtmf-info');
  if (dtmfInfo) {
    await p.page.locator('details.advanced > summary').click();
    await info.check();
  }
  assert.equal(await info.isChecked(), dtmfInfo, 'DTMF-via-INFO option');
  await p.byId('account-save').click();
  await p.waitForRegistration('registered');
  return p;
}

/** Listens until the remote audio peaks near `hz` (up to `tries` windows); returns the last reading. */
async function hear(p, hz, tries = 6) {
  let heard;
  for (let i = 0; i < tries; i++) {
    heard = await p.listen();
    if (near(heard.hz, hz) && heard.rms > 0.01) break;
  }
  return heard;
}

test('the app calls the echo (600) and hears its own 440 Hz; its hang-up ends the echo call', async () => {
  const echo = await bot(['echo', '--user', 'echo', '--password', 'vaniecho', '--delay-ms', '500']);
  const p = await phone('1000');
  await p.dial('600');
  await p.waitForCallState('connected');
  await echo.waitForLog(/media up/);
  await p.page.waitForTimeout(1_500);
  const heard = await hear(p, MIC_HZ);
  assert.ok(
    near(heard.hz, MIC_HZ) && heard.rms > 0.01,
    `the app hears ${heard.hz.toFixed(0)} Hz (${heard.db.toFixed(0)} dB, rms ${heard.rms.toFixed(3)}), expected ${MIC_HZ}`,
  );
  await p.hangup();
  await p.waitForNoActiveCall(2_000);
  await echo.waitForLog(/call \S+ ended: RemoteHangup/, 5_000);
  await p.close();
});

for (const via of ['rtp', 'info']) {
  test(`the app sends ${DIGITS} with ${via === 'rtp' ? 'RFC 4733' : 'SIP INFO'}; the analyser reports them in order`, async () => {
    const reportPath = join(dir, `dtmf-${via}.json`);
    const analyser = await bot(['tone', '--answer', '--user', '1003', '--password', 'vani1003', '--freq', '700', '--seconds', '30', '--report', reportPath]);
    const p = await phone('1000', { dtmfInfo: via === 'info' });
    await p.dial('1003');
    await p.waitForCallState('connected');
    await p.page.waitForTimeout(1_000);
    for (const key of DIGITS) {
      await p.pressDtmf(key);
      // Faster than a tone lasts (100 ms plus the gap): the keys must queue.
      await p.page.waitForTimeout(50);
    }
    await p.page.waitForTimeout(1_000);
    await p.hangup();
    await p.waitForNoActiveCall(2_000);
    const exit = await analyser.waitForExit(10_000);
    assert.equal(exit.code, 0, `analyser exit ${JSON.stringify(exit)}:\n${analyser.log()}`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    const rtp = report.dtmf_rtp.map((d) => d.digit).join('');
    const info = report.dtmf_info.map((d) => d.digit).join('');
    if (via === 'rtp') {
      assert.equal(report.telephone_event, true, 'telephone-event negotiated');
      assert.deepEqual({ rtp, info }, { rtp: DIGITS, info: '' });
    } else {
      assert.deepEqual({ rtp, info }, { rtp: '', info: DIGITS });
    }
    // The analyser heard the app's microphone too.
    assert.ok(near(report.dominant_frequency_hz ?? 0, MIC_HZ), `analyser heard ${report.dominant_frequency_hz} Hz`);
    await p.close();
  });
}

test('the analyser calls the app with 1 kHz; the app answers and hears 1 kHz', async () => {
  const p = await phone('1001');
  const reportPath = join(dir, 'call-in.json');
  const analyser = await bot([
    'tone', '--call', `sip:1001@localhost`, '--freq', String(BOT_HZ), '--seconds', '30',
    '--user', '1003', '--password', 'vani1003', '--report', reportPath,
  ]);
  await p.incoming().waitFor({ timeout: 10_000 });
  await p.answer();
  await p.waitForCallState('connected');
  await p.page.waitForTimeout(1_000);
  const heard = await hear(p, BOT_HZ);
  assert.ok(
    near(heard.hz, BOT_HZ) && heard.rms > 0.01,
    `the app hears ${heard.hz.toFixed(0)} Hz (${heard.db.toFixed(0)} dB, rms ${heard.rms.toFixed(3)}), expected ${BOT_HZ}`,
  );
  await p.hangup();
  await p.waitForNoActiveCall(2_000);
  const exit = await analyser.waitForExit(10_000);
  assert.equal(exit.code, 0, `analyser exit ${JSON.stringify(exit)}:\n${analyser.log()}`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  assert.ok(near(report.dominant_frequency_hz ?? 0, MIC_HZ), `analyser heard ${report.dominant_frequency_hz} Hz`);
  await p.close();
});
