//! Tone and analysis mode: answers or places one call, sends a sine tone
//! (and DTMF digits, in RFC 4733 events and in SIP INFO, when asked), and
//! reports as JSON what it received: dominant frequency and level over time,
//! DTMF digits with durations, packet counts, the codec negotiated.

mod analysis;

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use vani_sip_ws::{CallHandle, CallState, DtmfFormat, Event};

pub use analysis::{Analysis, Level};
use analysis::{SharedAnalysis, ToneMedia, lock};

use crate::agent::{Agent, AgentOptions, Happening, MediaFactory};
use crate::media::dtmf::Digit;
use crate::media::{Counts, MediaHandler};
use crate::{Account, BotError, Shutdown};

/// Duration put in each INFO digit (`application/dtmf-relay`).
const INFO_DIGIT_MS: u32 = 160;
/// How long the media may take to stop once the call has ended.
const MEDIA_STOP: Duration = Duration::from_secs(3);
/// How long a placed call may take to be answered.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Answer a call or place one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Wait for a call and answer it.
    Answer,
    /// Call this target (a user such as `600`, or a SIP URI).
    Call(String),
}

/// What the analyser does.
#[derive(Clone, Debug)]
pub struct ToneOptions {
    /// Answer or call.
    pub role: Role,
    /// The tone to send, Hz.
    pub freq: f64,
    /// Its amplitude, as a fraction of full scale.
    pub amplitude: f64,
    /// How long to stay in the call once media is up; then hang up. `None`:
    /// until the peer hangs up.
    pub seconds: Option<f64>,
    /// Digits to send in RFC 4733 events once media is up.
    pub dtmf_rtp: String,
    /// Digits to send in SIP INFO (`application/dtmf-relay`).
    pub dtmf_info: String,
    /// End the call if the peer sends nothing for this long.
    pub idle_timeout: Duration,
}

impl Default for ToneOptions {
    fn default() -> Self {
        Self {
            role: Role::Answer,
            freq: 1000.0,
            amplitude: 0.3,
            seconds: Some(5.0),
            dtmf_rtp: String::new(),
            dtmf_info: String::new(),
            idle_timeout: Duration::from_secs(10),
        }
    }
}

/// What the analyser received in its call.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Report {
    /// `answer` or `call`.
    pub role: String,
    /// The tone sent, Hz.
    pub sent_frequency_hz: f64,
    /// The negotiated audio codec (`opus/48000/2`).
    pub codec: Option<String>,
    /// Whether RFC 4733 telephone-event was negotiated.
    pub telephone_event: bool,
    /// The median dominant frequency of the windows that were not silent.
    pub dominant_frequency_hz: Option<f64>,
    /// When the first audio arrived, in ms after media was up (for an echo,
    /// about the echo delay).
    pub first_audio_ms: Option<u64>,
    /// Frequency and level every 100 ms.
    pub levels: Vec<Level>,
    /// Digits received in RFC 4733 events, in order.
    pub dtmf_rtp: Vec<Digit>,
    /// Digits received in SIP INFO, in order.
    pub dtmf_info: Vec<Digit>,
    /// Packet and frame counts.
    pub packets: Packets,
    /// How the call ended (SIP), e.g. `LocalHangup`.
    pub call_end: Option<String>,
    /// How the media ended, e.g. `Stopped`.
    pub media_end: Option<String>,
}

/// Packet counts of the call.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Packets {
    /// The transport's counts.
    #[serde(flatten)]
    pub transport: Counts,
    /// Opus frames received.
    pub audio_in: u64,
    /// Opus frames sent.
    pub audio_out: u64,
    /// RFC 4733 reports received.
    pub telephone_event_in: u64,
    /// RFC 4733 digits sent.
    pub dtmf_rtp_out: u64,
    /// INFO digits sent.
    pub dtmf_info_out: u64,
    /// Received frames that did not decode.
    pub decode_errors: u64,
}

/// Levels at least this loud count as sound for the dominant frequency.
const SOUND_DBFS: f64 = -45.0;

impl Report {
    fn fill(&mut self, analysis: &Analysis) {
        self.codec.clone_from(&analysis.codec);
        self.telephone_event = analysis.telephone_event;
        self.first_audio_ms = analysis.first_audio_ms;
        self.levels.clone_from(&analysis.levels);
        self.dtmf_rtp.clone_from(&analysis.rtp_digits);
        self.packets.audio_in = analysis.audio_frames_in;
        self.packets.audio_out = analysis.audio_frames_out;
        self.packets.telephone_event_in = analysis.telephone_reports_in;
        self.packets.dtmf_rtp_out = analysis.rtp_digits_sent;
        self.packets.decode_errors = analysis.decode_errors;
        let mut heard: Vec<f64> = analysis
            .levels
            .iter()
            .filter(|l| l.level_dbfs >= SOUND_DBFS)
            .map(|l| l.freq_hz)
            .collect();
        heard.sort_by(f64::total_cmp);
        self.dominant_frequency_hz = heard.get(heard.len() / 2).copied();
    }
}

struct OneCall {
    shared: SharedAnalysis,
    options: ToneOptions,
    media_up: Option<tokio::sync::oneshot::Sender<()>>,
}

impl MediaFactory for OneCall {
    fn handler(&mut self, _call: CallHandle) -> Box<dyn MediaHandler> {
        // Only one call is analysed; a later one would get a detached signal.
        let media_up = self
            .media_up
            .take()
            .unwrap_or_else(|| tokio::sync::oneshot::channel().0);
        Box::new(ToneMedia::new(
            self.options.freq,
            self.options.amplitude,
            &self.options.dtmf_rtp,
            self.shared.clone(),
            media_up,
        ))
    }
}

/// Runs one call as `account` and reports on it. Stops early on `shutdown`
/// (hanging up). Fails if no call comes up.
pub async fn run(
    account: Account,
    options: ToneOptions,
    mut shutdown: Shutdown,
) -> Result<Report, BotError> {
    let agent_options = AgentOptions {
        answer: options.role == Role::Answer,
        video: false,
        idle_timeout: options.idle_timeout,
        // The call's length counts from media up, below.
        max_call: None,
    };
    let (media_up, mut media_is_up) = tokio::sync::oneshot::channel();
    let mut hangup_at = None;
    let mut media_seen = false;
    let mut agent = Agent::register(account, agent_options).await?;
    let shared: SharedAnalysis = Arc::new(Mutex::new(Analysis::default()));
    let mut factory = OneCall {
        shared: shared.clone(),
        options: options.clone(),
        media_up: Some(media_up),
    };
    let mut report = Report {
        role: match options.role {
            Role::Answer => "answer".into(),
            Role::Call(_) => "call".into(),
        },
        sent_frequency_hz: options.freq,
        ..Report::default()
    };
    let mut call = match &options.role {
        Role::Call(target) => Some(agent.call(target).await?),
        Role::Answer => None,
    };
    let answer_by = tokio::time::Instant::now() + ANSWER_TIMEOUT;
    let mut info_digits: Vec<char> = options.dtmf_info.chars().collect();
    let mut info_in_flight = false;
    let mut connected = false;
    let mut media_done = false;
    let mut stopping = false;
    let mut media_by = None;
    loop {
        let happening = tokio::select! {
            () = shutdown.wait(), if !stopping => {
                stopping = true;
                match call {
                    Some(c) => { let _ = agent.phone().hangup(c).await; continue; }
                    None => break,
                }
            }
            () = tokio::time::sleep_until(answer_by), if !connected && options.role != Role::Answer => {
                if let Some(c) = call { let _ = agent.phone().hangup(c).await; }
                agent.close().await?;
                return Err(BotError::NoCall("not answered in time".into()));
            }
            () = sleep_until_some(media_by) => break,
            Ok(()) = &mut media_is_up, if !media_seen => {
                media_seen = true;
                hangup_at = options
                    .seconds
                    .map(|s| tokio::time::Instant::now() + Duration::from_secs_f64(s));
                continue;
            }
            () = sleep_until_some(hangup_at), if !stopping => {
                stopping = true;
                if let Some(c) = call {
                    let _ = agent.phone().hangup(c).await;
                }
                continue;
            }
            happening = agent.next(&mut factory) => happening,
        };
        let Some(happening) = happening else {
            return Err(BotError::Disconnected);
        };
        match happening {
            Happening::Sip(Event::IncomingCall { call: incoming, .. }) if call.is_none() => {
                call = Some(incoming)
            }
            Happening::Sip(Event::CallState { call: c, state }) if Some(c) == call => match state {
                CallState::Connected => {
                    connected = true;
                    if let Some(&digit) = info_digits.first() {
                        info_in_flight = send_info(&agent, c, digit).await;
                    }
                }
                CallState::Ended(reason) => {
                    report.call_end = Some(format!("{reason:?}"));
                    if !connected {
                        agent.close().await?;
                        return Err(BotError::NoCall(format!("{reason:?}")));
                    }
                    if media_done {
                        break;
                    }
                    media_by = Some(tokio::time::Instant::now() + MEDIA_STOP);
                }
                _ => {}
            },
            Happening::Sip(Event::InfoResult { call: c, .. })
                if Some(c) == call && info_in_flight =>
            {
                info_digits.remove(0);
                report.packets.dtmf_info_out += 1;
                info_in_flight = false;
                if let Some(&digit) = info_digits.first() {
                    info_in_flight = send_info(&agent, c, digit).await;
                }
            }
            Happening::Sip(Event::Dtmf {
                call: c,
                digit,
                duration,
            }) if Some(c) == call => {
                report.dtmf_info.push(Digit {
                    digit,
                    duration_ms: u64::from(duration),
                });
            }
            Happening::MediaEnded {
                call: c,
                end,
                counts,
            } if Some(c) == call => {
                report.media_end = Some(format!("{end:?}"));
                report.packets.transport = counts;
                media_done = true;
                // A silent peer: the agent has hung up; the call's end follows.
                if report.call_end.is_some() {
                    break;
                }
            }
            _ => {}
        }
    }
    report.fill(&lock(&shared));
    agent.close().await?;
    Ok(report)
}

async fn send_info(agent: &Agent, call: CallHandle, digit: char) -> bool {
    agent
        .phone()
        .send_dtmf_info(call, digit, INFO_DIGIT_MS, DtmfFormat::Relay)
        .await
        .map_err(|e| log::warn!(target: "vani_bot::tone", "INFO {digit} not sent: {e}"))
        .is_ok()
}

async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
