//! Sounds made with WebAudio, synthesised rather than shipped as files:
//! ringtone, ringback, busy/error tones, DTMF key feedback, and the
//! microphone level meter.
//!
//! Cadences and frequencies: ITU-T E.180 / North American precise tone plan
//! (ringback 440+480 Hz 2 s on 4 s off; busy 480+620 Hz 0.5 s on/off) and the
//! DTMF frequency pairs of ITU-T Q.23.

use wasm_bindgen::JsValue;
use web_sys::{
    AnalyserNode, AudioContext, AudioContextState, GainNode, MediaStream, OscillatorNode,
};

/// Which tone is playing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// An incoming call rings.
    Ringtone,
    /// The callee's phone rings (180 without early media).
    Ringback,
    /// Busy, declined, not found, or any failure.
    Busy,
}

struct Playing {
    tone: Tone,
    oscillators: Vec<OscillatorNode>,
    gain: GainNode,
}

/// The page's one `AudioContext` and the tone playing on it.
#[derive(Default)]
pub struct Tones {
    ctx: Option<AudioContext>,
    playing: Option<Playing>,
}

/// DTMF frequency pair of a key (ITU-T Q.23).
pub fn dtmf_pair(key: char) -> Option<(f32, f32)> {
    let (row, col) = match key {
        '1' => (697.0, 1209.0),
        '2' => (697.0, 1336.0),
        '3' => (697.0, 1477.0),
        '4' => (770.0, 1209.0),
        '5' => (770.0, 1336.0),
        '6' => (770.0, 1477.0),
        '7' => (852.0, 1209.0),
        '8' => (852.0, 1336.0),
        '9' => (852.0, 1477.0),
        '*' => (941.0, 1209.0),
        '0' => (941.0, 1336.0),
        '#' => (941.0, 1477.0),
        _ => return None,
    };
    Some((row, col))
}

impl Tones {
    /// The context, made on first use.
    pub fn context(&mut self) -> Option<&AudioContext> {
        if self.ctx.is_none() {
            self.ctx = AudioContext::new().ok();
        }
        self.ctx.as_ref()
    }

    /// Whether the browser keeps the context suspended (autoplay policy).
    pub fn is_blocked(&mut self) -> bool {
        self.context()
            .is_some_and(|c| c.state() != AudioContextState::Running)
    }

    /// Tries to start sound; only works during a user gesture.
    pub fn resume(&mut self) {
        if let Some(ctx) = self.context() {
            let _ = ctx.resume();
        }
    }

    /// Starts `tone` (replacing any other), or does nothing if it already plays.
    pub fn play(&mut self, tone: Tone) {
        if self.playing.as_ref().is_some_and(|p| p.tone == tone) {
            return;
        }
        self.stop();
        let Some(ctx) = self.context().cloned() else {
            return;
        };
        let (freqs, on, off, repeats): (&[f32], f64, f64, u32) = match tone {
            Tone::Ringtone => (&[440.0, 480.0], 1.0, 2.0, 40),
            Tone::Ringback => (&[440.0, 480.0], 2.0, 4.0, 20),
            Tone::Busy => (&[480.0, 620.0], 0.5, 0.5, 4),
        };
        if let Ok(playing) = schedule(&ctx, freqs, on, off, repeats, 0.08) {
            self.playing = Some(Playing {
                tone,
                oscillators: playing.0,
                gain: playing.1,
            });
        }
    }

    /// Stops `tone` if it is the one playing.
    pub fn stop_tone(&mut self, tone: Tone) {
        if self.playing.as_ref().is_some_and(|p| p.tone == tone) {
            self.stop();
        }
    }

    /// Stops whatever plays.
    pub fn stop(&mut self) {
        if let Some(p) = self.playing.take() {
            for osc in p.oscillators {
                let _ = osc.stop();
                let _ = osc.disconnect();
            }
            let _ = p.gain.disconnect();
        }
    }

    /// A short DTMF beep as feedback for a key press.
    pub fn key_feedback(&mut self, key: char) {
        let Some((low, high)) = dtmf_pair(key) else {
            return;
        };
        let Some(ctx) = self.context().cloned() else {
            return;
        };
        let _ = schedule(&ctx, &[low, high], 0.12, 0.0, 1, 0.05);
    }

    /// A level meter on `stream` (the microphone).
    pub fn meter(&mut self, stream: &MediaStream) -> Option<AnalyserNode> {
        let ctx = self.context()?.clone();
        let source = ctx.create_media_stream_source(stream).ok()?;
        let analyser = ctx.create_analyser().ok()?;
        analyser.set_fft_size(512);
        source.connect_with_audio_node(&analyser).ok()?;
        Some(analyser)
    }
}

/// The RMS level (0..1, scaled for display) of what `analyser` hears.
pub fn level(analyser: &AnalyserNode) -> f32 {
    let mut buf = vec![0f32; analyser.fft_size() as usize];
    analyser.get_float_time_domain_data(&mut buf);
    let rms = (buf.iter().map(|s| s * s).sum::<f32>() / buf.len().max(1) as f32).sqrt();
    (rms * 4.0).min(1.0)
}

/// Oscillators at `freqs` into one gain that is switched `on` seconds on,
/// `off` seconds off, `repeats` times, at volume `volume`.
fn schedule(
    ctx: &AudioContext,
    freqs: &[f32],
    on: f64,
    off: f64,
    repeats: u32,
    volume: f32,
) -> Result<(Vec<OscillatorNode>, GainNode), JsValue> {
    let gain = ctx.create_gain()?;
    let g = gain.gain();
    let t0 = ctx.current_time() + 0.02;
    g.set_value_at_time(0.0, t0 - 0.01)?;
    for i in 0..repeats {
        let start = t0 + f64::from(i) * (on + off);
        // 10 ms ramps avoid clicks.
        g.set_value_at_time(0.0, start)?;
        g.linear_ramp_to_value_at_time(volume, start + 0.01)?;
        g.set_value_at_time(volume, start + on - 0.01)?;
        g.linear_ramp_to_value_at_time(0.0, start + on)?;
    }
    gain.connect_with_audio_node(&ctx.destination())?;
    let end = t0 + f64::from(repeats) * (on + off);
    let mut oscillators = Vec::new();
    for &f in freqs {
        let osc = ctx.create_oscillator()?;
        osc.frequency().set_value(f);
        osc.connect_with_audio_node(&gain)?;
        osc.start_with_when(t0)?;
        osc.stop_with_when(end)?;
        oscillators.push(osc);
    }
    Ok((oscillators, gain))
}
