// Listening to a page's remote audio with a WebAudio analyser, shared by the
// page objects (Vani's PhonePage and the JsSIP page).

/**
 * Listens to the `<audio>` element matched by `selector` for `ms`: returns
 * the loudest frequency (Hz), its level (dB) and the RMS of the signal, or
 * `missing: true` when the element has no stream.
 */
export function listen(page, selector, ms = 800) {
  return page.evaluate(
    async ({ selector, ms }) => {
      const el = document.querySelector(selector);
      if (!el || !el.srcObject) return { hz: 0, db: -Infinity, rms: 0, missing: true };
      const ctx = new AudioContext();
      await ctx.resume();
      const source = ctx.createMediaStreamSource(el.srcObject);
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      source.connect(analyser);
      await new Promise((r) => setTimeout(r, ms));
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      let best = 0;
      for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
      const wave = new Float32Array(analyser.fftSize);
      analyser.getFloatTimeDomainData(wave);
      const rms = Math.sqrt(wave.reduce((s, v) => s + v * v, 0) / wave.length);
      const result = { hz: (best * ctx.sampleRate) / analyser.fftSize, db: bins[best], rms };
      await ctx.close();
      return result;
    },
    { selector, ms },
  );
}
