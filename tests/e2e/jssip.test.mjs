// Interop with a SIP client written elsewhere: JsSIP 3.13.8 (npm) in one
// Chromium (440 Hz microphone) and Vani in another (880 Hz), both registered
// to the project's Kamailio. Each calls the other; each side hears the
// other's tone, measured on the remote audio as in phone.test.mjs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { JsSipPage, serveJsSip } from './support/jssip-page.mjs';
import { PhonePage, writeToneWav } from './support/phone-page.mjs';
import { ROOT, assertPrivateNetwork, demoAccounts, launchChromium, serveApp, startKamailio } from './support/services.mjs';

const JSSIP_HZ = 440;
const VANI_HZ = 880;
// Analyser bins are ~6 Hz wide at 48 kHz / 8192; Opus and resampling move little.
const near = (hz, target) => Math.abs(hz - target) < 25;

let kamailio;
let app;
let jssipSite;
let browserJ;
let browserV;
let accounts;

before(async () => {
  assertPrivateNetwork();
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules/jssip/package.json'), 'utf8')).version;
  assert.equal(version, '3.13.8', 'JsSIP version under test');
  const dir = mkdtempSync(join(tmpdir(), 'vani-e2e-jssip-'));
  kamailio = await startKamailio();
  app = await serveApp();
  jssipSite = await serveJsSip();
  browserJ = await launchChromium({ audioFile: writeToneWav(join(dir, 'j.wav'), { hz: JSSIP_HZ }) });
  browserV = await launchChromium({ audioFile: writeToneWav(join(dir, 'v.wav'), { hz: VANI_HZ }) });
  accounts = demoAccounts();
  assert.ok(accounts.length >= 2, 'two demo accounts');
});

after(async () => {
  await browserJ?.close();
  await browserV?.close();
  await jssipSite?.stop();
  await app?.stop();
  await kamailio?.stop();
});

/** JsSIP registered as accounts[0], Vani as accounts[1]. */
async function pair() {
  const [accJ, accV] = accounts;
  const j = await JsSipPage.open(browserJ, jssipSite.url);
  await j.register({ wsUrl: kamailio.wsUrl, uri: accJ.uri, password: accJ.password });
  const v = await PhonePage.open(browserV, app.url);
  await v.signIn({ server: kamailio.wsUrl, uri: accV.uri, password: accV.password, name: 'Vani V' });
  await v.waitForRegistration('registered');
  return { j, v, accJ, accV };
}

/** Listens until the remote audio peaks near `hz` (up to `tries` windows); returns the last reading. */
async function hear(side, hz, tries = 6) {
  let heard;
  for (let i = 0; i < tries; i++) {
    heard = await side.listen();
    if (near(heard.hz, hz) && heard.rms > 0.01) break;
  }
  return heard;
}

async function assertTwoWayAudio(j, v) {
  await v.page.waitForTimeout(1_000);
  const heardByJ = await hear(j, VANI_HZ);
  const heardByV = await hear(v, JSSIP_HZ);
  assert.ok(
    near(heardByJ.hz, VANI_HZ) && heardByJ.rms > 0.01,
    `JsSIP hears ${heardByJ.hz.toFixed(0)} Hz (rms ${heardByJ.rms.toFixed(3)}), expected ${VANI_HZ}`,
  );
  assert.ok(
    near(heardByV.hz, JSSIP_HZ) && heardByV.rms > 0.01,
    `Vani hears ${heardByV.hz.toFixed(0)} Hz (rms ${heardByV.rms.toFixed(3)}), expected ${JSSIP_HZ}`,
  );
}

test('JsSIP calls Vani: Vani answers, two-way audio, JsSIP hangs up and Vani ends', async () => {
  const { j, v, accJ, accV } = await pair();
  await j.call(accV.uri);
  await v.incoming().waitFor({ timeout: 10_000 });
  assert.match(await v.byId('incoming-from').textContent(), new RegExp(accJ.user));
  await v.answer();
  await v.waitForCallState('connected');
  await j.waitForState(/^confirmed$/);
  await assertTwoWayAudio(j, v);
  await j.hangup();
  await v.waitForNoActiveCall(2_000);
  await j.waitForState(/^ended:/);
  await j.close();
  await v.close();
});

test('Vani calls JsSIP: JsSIP answers, two-way audio, Vani hangs up and JsSIP ends', async () => {
  const { j, v, accJ } = await pair();
  await v.dial(accJ.user);
  await j.waitForIncoming();
  await v.waitForCallState('ringing');
  await j.answer();
  await v.waitForCallState('connected');
  await j.waitForState(/^confirmed$/);
  await assertTwoWayAudio(j, v);
  await v.hangup();
  await v.waitForNoActiveCall(2_000);
  await j.waitForState(/^ended:/, 2_000);
  assert.deepEqual(
    (await j.states()).filter((s) => s.startsWith('ended') || s.startsWith('failed')),
    ['ended:Terminated'],
    'JsSIP saw a normal BYE',
  );
  await j.close();
  await v.close();
});
