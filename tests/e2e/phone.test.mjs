// End to end: two Chromium processes, each with its own tone as microphone
// (A 440 Hz, B 880 Hz), register two demo accounts with the project's
// Kamailio and call each other through the Vani UI, with real WebRTC media.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PhonePage, writeToneWav } from './support/phone-page.mjs';
import { assertPrivateNetwork, demoAccounts, launchChromium, serveApp, startKamailio } from './support/services.mjs';

const A_HZ = 440;
const B_HZ = 880;
// Analyser bins are ~6 Hz wide at 48 kHz / 8192; Opus and resampling move little.
const near = (hz, target) => Math.abs(hz - target) < 25;

let kamailio;
let app;
let browserA;
let browserB;
let accounts;

before(async () => {
  assertPrivateNetwork();
  const dir = mkdtempSync(join(tmpdir(), 'vani-e2e-'));
  kamailio = await startKamailio();
  app = await serveApp();
  browserA = await launchChromium({ audioFile: writeToneWav(join(dir, 'a.wav'), { hz: A_HZ }) });
  browserB = await launchChromium({ audioFile: writeToneWav(join(dir, 'b.wav'), { hz: B_HZ }) });
  accounts = demoAccounts();
  assert.ok(accounts.length >= 3, 'three demo accounts');
});

after(async () => {
  await browserA?.close();
  await browserB?.close();
  await app?.stop();
  await kamailio?.stop();
});

/** Opens A and B, both registered, as accounts `ia` and `ib`. */
async function pair(ia = 0, ib = 1, { nameA = 'Alice A', nameB = 'Bob B' } = {}) {
  const a = await PhonePage.open(browserA, app.url);
  const b = await PhonePage.open(browserB, app.url);
  const accA = accounts[ia];
  const accB = accounts[ib];
  await a.signIn({ server: kamailio.wsUrl, uri: accA.uri, password: accA.password, name: nameA });
  await b.signIn({ server: kamailio.wsUrl, uri: accB.uri, password: accB.password, name: nameB });
  await a.waitForRegistration('registered');
  await b.waitForRegistration('registered');
  return { a, b, accA, accB };
}

test('first run shows the account form with every field', async () => {
  const p = await PhonePage.open(browserA, app.url);
  for (const id of ['account-server', 'account-uri', 'account-user', 'account-password', 'account-name', 'account-save']) {
    assert.equal(await p.byId(id).count(), 1, id);
  }
  // The password is never written to localStorage.
  await p.signIn({ server: kamailio.wsUrl, uri: accounts[0].uri, password: 'not-the-password-123', name: 'X' });
  const stored = await p.page.evaluate(() => JSON.stringify(localStorage));
  assert.ok(!stored.includes('not-the-password-123'), 'password not in localStorage');
  assert.ok(stored.includes(accounts[0].uri), 'account saved');
  await p.close();
});

test('wrong password: registration fails with the reason in words', async () => {
  const p = await PhonePage.open(browserA, app.url);
  await p.signIn({ server: kamailio.wsUrl, uri: accounts[2].uri, password: 'wrong-password' });
  await p.waitForRegistration('failed');
  assert.match(await p.registration().textContent(), /password/i);
  await p.close();
});

test('trace logging: the console shows the signalling, never the password', async () => {
  const p = await PhonePage.open(browserA, app.url);
  const lines = [];
  p.page.on('console', (msg) => lines.push(msg.text()));
  await p.page.evaluate(() => localStorage.setItem('vani.log', 'trace'));
  await p.page.reload();
  await p.byId('app-title').waitFor();
  const account = accounts[1];
  await p.signIn({ server: kamailio.wsUrl, uri: account.uri, password: account.password });
  await p.waitForRegistration('registered');
  await p.close();
  assert.ok(lines.some((l) => l.startsWith('[vani') && /registration: Registered/.test(l)), 'driver trace');
  assert.ok(lines.some((l) => l.startsWith('[vani_sip') && /REGISTER/.test(l)), 'stack trace of REGISTER');
  const leaks = lines.filter((l) => l.includes(account.password));
  assert.deepEqual(leaks, [], 'no console line holds the password');
});

test('audio call: A calls B, both connected, each hears the other, hold and resume, B hangs up', async () => {
  const { a, b, accA, accB } = await pair(0, 1);
  await a.dial(accB.user);
  await b.incoming().waitFor({ timeout: 10_000 });
  const from = await b.byId('incoming-from').textContent();
  assert.match(from, /Alice A/);
  assert.match(from, new RegExp(accA.user));
  await a.waitForCallState('ringing');
  await b.answer();
  await a.waitForCallState('connected');
  await b.waitForCallState('connected');
  assert.match(await a.call().getByTestId('call-peer').textContent(), new RegExp(accB.user));

  // Each side's remote audio peaks at the other side's tone.
  await a.page.waitForTimeout(1_000);
  const heardByA = await a.listen();
  const heardByB = await b.listen();
  assert.ok(near(heardByA.hz, B_HZ), `A hears ${heardByA.hz.toFixed(0)} Hz (${heardByA.db.toFixed(0)} dB), expected ${B_HZ}`);
  assert.ok(near(heardByB.hz, A_HZ), `B hears ${heardByB.hz.toFixed(0)} Hz (${heardByB.db.toFixed(0)} dB), expected ${A_HZ}`);

  // DTMF keys work in the call (RFC 4733 through the peer connection).
  await a.pressDtmf('5');
  await a.pressDtmf('#');

  // Hold: A's screen says held, B's says remote-held, and B stops sending.
  await a.toggleHold();
  await a.waitForCallState('held');
  await b.waitForCallState('remote-held');
  await a.page.waitForTimeout(600);
  const whileHeld = await a.listen();
  assert.ok(whileHeld.rms < heardByA.rms / 4, `A hears little while holding (rms ${whileHeld.rms} vs ${heardByA.rms})`);

  await a.toggleHold();
  await a.waitForCallState('connected');
  await b.waitForCallState('connected');
  await a.page.waitForTimeout(800);
  const resumed = await a.listen();
  assert.ok(near(resumed.hz, B_HZ) && resumed.rms > whileHeld.rms * 2, `A hears B again (${resumed.hz} Hz, rms ${resumed.rms})`);

  // Mute: B hears (almost) nothing from A until A unmutes.
  await a.toggleMute();
  assert.equal(await a.call().getByTestId('mute').getAttribute('aria-pressed'), 'true');
  await b.page.waitForTimeout(600);
  const mutedAtB = await b.listen();
  assert.ok(mutedAtB.rms < heardByB.rms / 4, `B hears little while A is muted (rms ${mutedAtB.rms} vs ${heardByB.rms})`);
  await a.toggleMute();

  // B hangs up: both ends are done within a second.
  const t0 = Date.now();
  await b.hangup();
  await a.waitForNoActiveCall(1_000);
  await b.waitForNoActiveCall(1_000);
  assert.ok(Date.now() - t0 < 1_500);
  await a.close();
  await b.close();
});

test('video call: the remote video decodes frames on both sides; A hangs up', async () => {
  const { a, b, accB } = await pair(0, 1);
  await a.dial(accB.user, { video: true });
  await b.incoming().waitFor({ timeout: 10_000 });
  await b.answer({ video: true });
  await a.waitForCallState('connected');
  await b.waitForCallState('connected');
  await a.page.waitForFunction(() => {
    const v = document.querySelector('video[data-testid="remote-video"]');
    return v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 5;
  }, null, { timeout: 10_000 });
  await b.page.waitForFunction(() => {
    const v = document.querySelector('video[data-testid="remote-video"]');
    return v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 5;
  }, null, { timeout: 10_000 });
  const va = await a.remoteVideo();
  const vb = await b.remoteVideo();
  assert.ok(va.frames > 5 && va.width > 0, JSON.stringify(va));
  assert.ok(vb.frames > 5 && vb.width > 0, JSON.stringify(vb));
  assert.equal(await a.byId('local-video').count(), 1);
  await a.hangup();
  await a.waitForNoActiveCall(1_000);
  await b.waitForNoActiveCall(1_000);
  await a.close();
  await b.close();
});

test('decline: the caller is told the call was declined', async () => {
  const { a, b, accB } = await pair(0, 1);
  await a.dial(accB.user);
  await b.incoming().waitFor({ timeout: 10_000 });
  await b.decline();
  await a.waitForCallState('ended');
  assert.match(await a.call().textContent(), /declined|busy/i);
  await a.close();
  await b.close();
});

test('unknown user: the caller is told nobody has that number', async () => {
  const a = await PhonePage.open(browserA, app.url);
  await a.signIn({ server: kamailio.wsUrl, uri: accounts[0].uri, password: accounts[0].password });
  await a.waitForRegistration('registered');
  await a.dial('9999');
  await a.waitForCallState('ended');
  assert.match(await a.call().textContent(), /not found/i);
  await a.close();
});

test('cancel before answer: the callee stops ringing', async () => {
  const { a, b, accB } = await pair(0, 1);
  await a.dial(accB.user);
  await b.incoming().waitFor({ timeout: 10_000 });
  await a.waitForCallState('ringing');
  await a.hangup();
  await b.incoming().waitFor({ state: 'detached', timeout: 2_000 });
  await a.waitForNoActiveCall(2_000);
  await a.close();
  await b.close();
});

test('a hostile caller name is shown as text, nothing injected', async () => {
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const { a, b, accB } = await pair(0, 1, { nameA: hostile });
  const before = await b.page.evaluate(() => document.querySelectorAll('img, script').length);
  await a.dial(accB.user);
  await b.incoming().waitFor({ timeout: 10_000 });
  const from = await b.byId('incoming-from').textContent();
  assert.ok(from.includes('<img src=x'), `shown as text: ${from}`);
  const injected = await b.page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    tags: document.querySelectorAll('img, script').length,
    inPanel: document.querySelector('[data-testid="incoming-call"]').querySelectorAll('img, script, b').length,
  }));
  assert.deepEqual(injected, { pwned: null, tags: before, inPanel: 0 });
  await b.decline();
  await a.close();
  await b.close();
});

test('a caller from another domain with HTML in its name and user part is shown as text', async () => {
  const callee = accounts[1];
  const b = await PhonePage.open(browserB, app.url);
  await b.signIn({ server: kamailio.wsUrl, uri: callee.uri, password: callee.password });
  await b.waitForRegistration('registered');
  const tagsBefore = await b.page.evaluate(() => document.querySelectorAll('img, script').length);

  // A raw SIP client on a WebSocket: an INVITE whose From carries markup in
  // the display name and (escaped, as SIP requires) in the user part.
  const raw = await browserA.newPage();
  await raw.goto(app.url);
  const statuses = raw.evaluate(
    ({ url, target }) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, 'sip');
        const seen = [];
        const timer = setTimeout(() => resolve(seen), 8_000);
        ws.onerror = () => reject(new Error('WebSocket error'));
        ws.onopen = () => {
          ws.send(
            [
              `INVITE ${target} SIP/2.0`,
              `Via: SIP/2.0/WS hostile.invalid;branch=z9hG4bKhostile${Date.now()}`,
              `Max-Forwards: 70`,
              `From: "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>" <sip:%3Cb%3Ebold%3C%2Fb%3E%3Cscript%3Ewindow.__pwned%3D3%3C%2Fscript%3E@evil.example>;tag=hostile`,
              `To: <${target}>`,
              `Call-ID: hostile-${Date.now()}@hostile.invalid`,
              `CSeq: 1 INVITE`,
              `Contact: <sip:hostile@hostile.invalid;transport=ws>`,
              `Content-Length: 0`,
              ``,
              ``,
            ].join('\r\n'),
          );
        };
        ws.onmessage = (ev) => {
          const text = typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data);
          seen.push(text.split('\r\n')[0]);
          if (/^SIP\/2.0 [3-6]\d\d/.test(text)) {
            clearTimeout(timer);
            resolve(seen);
          }
        };
      }),
    { url: kamailio.wsUrl, target: callee.uri },
  );
  await b.incoming().waitFor({ timeout: 10_000 });
  const from = await b.byId('incoming-from').textContent();
  assert.ok(from.includes('<img src=x onerror=window.__pwned=1><script>'), `name shown as text: ${from}`);
  assert.ok(from.includes('evil.example'), `address shown: ${from}`);
  const injected = await b.page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    tags: document.querySelectorAll('img, script').length,
    inPanel: document.querySelector('[data-testid="incoming-call"]').querySelectorAll('*:not(p):not(span):not(div):not(button)').length,
  }));
  assert.deepEqual(injected, { pwned: null, tags: tagsBefore, inPanel: 0 });
  await b.decline();
  const lines = await statuses;
  assert.ok(lines.some((l) => /^SIP\/2.0 603/.test(l)), `the raw caller is declined: ${lines.join(' | ')}`);
  await raw.close();
  await b.close();
});
