//! The tone analyser's media: sends a sine tone in Opus (and RFC 4733 digits
//! when asked), decodes what it receives and measures it every 100 ms.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use str0m::format::{Codec, CodecExtra};
use str0m::media::{Frequency, MediaData, MediaTime, Mid, TelephoneEvent};

use crate::dsp::{Sine, dominant_frequency, level_dbfs};
use crate::media::dtmf::{self, Digit};
use crate::media::{Frame, MediaHandler, Negotiated, Payload};
use crate::opus::{Decoder, Encoder};

/// Opus runs at 48 kHz; 20 ms frames.
const SEND_RATE: u32 = 48_000;
const SEND_FRAME: usize = 960;
/// Received audio is decoded at 16 kHz: enough for tones and DTMF below 4 kHz,
/// and a third of the work for the frequency search.
const ANALYSIS_RATE: u32 = 16_000;
/// Analysis windows of 100 ms.
const WINDOW: usize = 1600;
/// RFC 4733 digits: 160 ms tones, one every 300 ms (str0m needs 50 ms between
/// events).
const DIGIT_TONE: Duration = Duration::from_millis(160);
const DIGIT_EVERY: Duration = Duration::from_millis(300);
/// The first digit leaves this long after media is up.
const DIGITS_AFTER: Duration = Duration::from_millis(500);

/// One analysis window.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Level {
    /// When the window's last packet arrived, in ms since media was up.
    pub t_ms: u64,
    /// Its dominant frequency (Hz).
    pub freq_hz: f64,
    /// Its RMS level (dBFS).
    pub level_dbfs: f64,
}

/// What the analyser has measured so far.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The negotiated audio codec.
    pub codec: Option<String>,
    /// Whether RFC 4733 was negotiated.
    pub telephone_event: bool,
    /// When media came up.
    pub connected_at: Option<Instant>,
    /// When the first audio frame arrived, ms after media was up.
    pub first_audio_ms: Option<u64>,
    /// Levels and frequencies over time.
    pub levels: Vec<Level>,
    /// Digits received in RFC 4733 events.
    pub rtp_digits: Vec<Digit>,
    /// Audio frames received.
    pub audio_frames_in: u64,
    /// RFC 4733 reports received.
    pub telephone_reports_in: u64,
    /// Audio frames sent.
    pub audio_frames_out: u64,
    /// Received frames that did not decode.
    pub decode_errors: u64,
    /// Digits sent in RFC 4733 events.
    pub rtp_digits_sent: u64,
}

/// Shared access to the analysis of a running call.
pub type SharedAnalysis = Arc<Mutex<Analysis>>;

/// Locks the analysis, whatever a panicking holder left.
pub fn lock(shared: &SharedAnalysis) -> std::sync::MutexGuard<'_, Analysis> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The media handler of the analyser.
pub struct ToneMedia {
    shared: SharedAnalysis,
    sine: Sine,
    encoder: Option<Encoder>,
    decoder: Option<Decoder>,
    audio: Option<Mid>,
    rtp_time: u64,
    window: Vec<i16>,
    digits: Vec<u8>,
    next_digit_at: Option<Instant>,
    received_digits: dtmf::Receiver,
    media_up: Option<tokio::sync::oneshot::Sender<()>>,
}

impl ToneMedia {
    /// Sends `freq` Hz at `amplitude` (of full scale), then `digits` as RFC
    /// 4733 events; results go to `shared`.
    /// `media_up` is told when media connects.
    pub fn new(
        freq: f64,
        amplitude: f64,
        digits: &str,
        shared: SharedAnalysis,
        media_up: tokio::sync::oneshot::Sender<()>,
    ) -> Self {
        let encoder = Encoder::new(SEND_RATE)
            .map_err(|e| log::warn!(target: "vani_bot::tone", "no Opus encoder: {e}"))
            .ok();
        let decoder = Decoder::new(ANALYSIS_RATE)
            .map_err(|e| log::warn!(target: "vani_bot::tone", "no Opus decoder: {e}"))
            .ok();
        Self {
            shared,
            sine: Sine::new(freq, SEND_RATE, amplitude),
            encoder,
            decoder,
            audio: None,
            rtp_time: 0,
            window: Vec::with_capacity(WINDOW),
            digits: digits.chars().filter_map(dtmf::event_code).collect(),
            next_digit_at: None,
            received_digits: dtmf::Receiver::default(),
            media_up: Some(media_up),
        }
    }

    fn since_connected(&self, now: Instant) -> u64 {
        let connected = lock(&self.shared).connected_at.unwrap_or(now);
        u64::try_from(now.saturating_duration_since(connected).as_millis()).unwrap_or(u64::MAX)
    }

    fn analyse(&mut self, now: Instant, pcm: &[i16]) {
        self.window.extend_from_slice(pcm);
        while self.window.len() >= WINDOW {
            let window: Vec<i16> = self.window.drain(..WINDOW).collect();
            let level = Level {
                t_ms: self.since_connected(now),
                freq_hz: dominant_frequency(&window, ANALYSIS_RATE, 50.0, 4000.0, 10.0),
                level_dbfs: level_dbfs(&window),
            };
            lock(&self.shared).levels.push(level);
        }
    }

    fn next_tone(&mut self, now: Instant) -> Option<TelephoneEvent> {
        let at = self.next_digit_at?;
        if now < at || self.digits.is_empty() {
            return None;
        }
        let event = self.digits.remove(0);
        self.next_digit_at = Some(now + DIGIT_EVERY);
        lock(&self.shared).rtp_digits_sent += 1;
        Some(TelephoneEvent {
            event,
            end: true,
            volume: 10,
            duration: DIGIT_TONE,
        })
    }
}

impl MediaHandler for ToneMedia {
    fn connected(&mut self, now: Instant, negotiated: &Negotiated) {
        self.audio = negotiated.audio;
        self.next_digit_at = Some(now + DIGITS_AFTER);
        let mut analysis = lock(&self.shared);
        analysis.codec.clone_from(&negotiated.audio_codec);
        analysis.telephone_event = negotiated.telephone_event;
        analysis.connected_at = Some(now);
        if let Some(media_up) = self.media_up.take() {
            let _ = media_up.send(());
        }
    }

    fn received(&mut self, now: Instant, data: &MediaData) {
        if let CodecExtra::Tele(event) = &data.codec_extra {
            self.received_digits.report(data.time.numer(), event);
            let mut analysis = lock(&self.shared);
            analysis.telephone_reports_in += 1;
            analysis.rtp_digits = self.received_digits.digits().to_vec();
            return;
        }
        if data.params.spec().codec != Codec::Opus {
            return;
        }
        let since = self.since_connected(now);
        {
            let mut analysis = lock(&self.shared);
            analysis.audio_frames_in += 1;
            analysis.first_audio_ms.get_or_insert(since);
        }
        let decoded = self.decoder.as_mut().map(|d| d.decode(&data.data));
        match decoded {
            Some(Ok(pcm)) => self.analyse(now, &pcm),
            Some(Err(_)) | None => lock(&self.shared).decode_errors += 1,
        }
    }

    fn due(&mut self, now: Instant, out: &mut Vec<Frame>) {
        let (Some(mid), Some(encoder)) = (self.audio, self.encoder.as_mut()) else {
            return;
        };
        let pcm = self.sine.frame(SEND_FRAME);
        let Ok(packet) = encoder.encode(&pcm) else {
            return;
        };
        let rtp_time = MediaTime::new(self.rtp_time, Frequency::FORTY_EIGHT_KHZ);
        self.rtp_time += SEND_FRAME as u64;
        let tone = self.next_tone(now);
        out.push(Frame {
            mid,
            payload: Payload::Opus,
            rtp_time,
            data: packet.into(),
            tone,
        });
        lock(&self.shared).audio_frames_out += 1;
    }
}
