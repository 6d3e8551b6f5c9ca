// PhonePage: the Vani page as the end-to-end tests use it, through the
// data-testid automation contract only (README: "Automation contract").
import { writeFileSync } from 'node:fs';
import { listen } from './audio.mjs';

/** A mono 16-bit PCM WAV file holding a sine tone (for a fake microphone). */
export function writeToneWav(path, { hz, seconds = 6, rate = 48_000, amplitude = 0.5 }) {
  const samples = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVE', 8);
  buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    const v = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / rate));
    buf.writeInt16LE(v, 44 + i * 2);
  }
  writeFileSync(path, buf);
  return path;
}

export class PhonePage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  /** Opens the app in a fresh context of `browser` (own storage). */
  static async open(browser, url) {
    const context = await browser.newContext({ permissions: ['microphone', 'camera'] });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error:', String(err)));
    await page.goto(url);
    await page.getByTestId('app-title').waitFor();
    return new PhonePage(page);
  }

  /** Closes the tab the way a person does (the page unregisters), then its context. */
  async close() {
    await this.page.close({ runBeforeUnload: true });
    await this.page.waitForEvent('close', { timeout: 2_000 }).catch(() => {});
    await this.page.context().close();
  }

  byId(id) {
    return this.page.getByTestId(id);
  }

  /** Fills the account form and saves it. */
  async signIn({ server, uri, password, user = '', name = '' }) {
    await this.byId('account-server').fill(server);
    await this.byId('account-uri').fill(uri);
    await this.byId('account-user').fill(user);
    await this.byId('account-password').fill(password);
    await this.byId('account-name').fill(name);
    await this.byId('account-save').click();
  }

  registration() {
    return this.byId('registration-status');
  }

  async registrationState() {
    return this.registration().getAttribute('data-state');
  }

  async waitForRegistration(state, timeout = 10_000) {
    await this.page.waitForSelector(`[data-testid="registration-status"][data-state="${state}"]`, { timeout });
  }

  async dial(target, { video = false } = {}) {
    await this.byId('dial-input').fill(target);
    await this.byId(video ? 'dial-video' : 'dial-audio').click();
  }

  incoming() {
    return this.byId('incoming-call');
  }

  async answer({ video = false } = {}) {
    await this.byId(video ? 'answer-video' : 'answer-audio').click();
  }

  async decline() {
    await this.byId('decline').click();
  }

  call() {
    return this.byId('call');
  }

  async callState() {
    return this.call().getAttribute('data-state', { timeout: 2_000 });
  }

  async waitForCallState(state, timeout = 10_000) {
    await this.page.waitForSelector(`[data-testid="call"][data-state="${state}"]`, { timeout });
  }

  /** Waits until no call is on screen or the one there has ended. */
  async waitForNoActiveCall(timeout = 5_000) {
    await this.page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="call"]')].every((c) => c.dataset.state === 'ended'),
      null,
      { timeout },
    );
  }

  async hangup() {
    await this.call().getByTestId('hangup').click();
  }

  async toggleHold() {
    await this.call().getByTestId('hold').click();
  }

  async toggleMute() {
    await this.call().getByTestId('mute').click();
  }

  async pressDtmf(key) {
    const id = key === '*' ? 'dtmf-star' : key === '#' ? 'dtmf-hash' : `dtmf-${key}`;
    await this.call().getByTestId(id).click();
  }

  /**
   * Listens to the remote audio for `ms` with a WebAudio analyser: the
   * loudest frequency (Hz), its level (dB) and the RMS of the signal.
   */
  async listen(ms = 800) {
    return listen(this.page, 'audio[data-testid="remote-audio"]', ms);
  }

  /** Frames decoded by the remote video tile so far, and its size. */
  async remoteVideo() {
    return this.page.evaluate(() => {
      const v = document.querySelector('video[data-testid="remote-video"]');
      if (!v) return { frames: 0, width: 0, height: 0, missing: true };
      const q = v.getVideoPlaybackQuality?.();
      return { frames: q ? q.totalVideoFrames : 0, width: v.videoWidth, height: v.videoHeight };
    });
  }
}
