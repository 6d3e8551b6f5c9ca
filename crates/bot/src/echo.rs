//! The echo service: answers every call and plays back what it hears about
//! half a second later, audio and video, like a PBX echo test.
//!
//! Media is not decoded: each received frame (an Opus packet, or a
//! depacketised video frame) is written back on the same media after the
//! delay, with its payload type and RTP time. Keyframe requests from the peer
//! (which receives its own video back) are passed on to the peer's sender.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use str0m::format::CodecExtra;
use str0m::media::{MediaData, Mid};
use vani_sip_ws::{CallHandle, CallState, Event};

use crate::agent::{Agent, AgentOptions, Happening, MediaFactory};
use crate::media::{Frame, MediaHandler, Negotiated, Payload};
use crate::{Account, BotError, Shutdown};

/// The default playback delay.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(500);

/// Frames held at most per call (500 ms of 20 ms audio plus 30 fps video,
/// with ample room): a bound on memory whatever the peer sends.
const MAX_HELD: usize = 1024;

/// How the echo service runs.
#[derive(Clone, Debug)]
pub struct EchoOptions {
    /// Playback delay.
    pub delay: Duration,
    /// Hang up calls after this long.
    pub max_call: Option<Duration>,
    /// End a call whose peer sends nothing for this long.
    pub idle_timeout: Duration,
    /// Echo video too.
    pub video: bool,
}

impl Default for EchoOptions {
    fn default() -> Self {
        Self {
            delay: DEFAULT_DELAY,
            max_call: Some(Duration::from_secs(600)),
            idle_timeout: Duration::from_secs(10),
            video: true,
        }
    }
}

/// Live figures of the service, shared with whoever watches it.
#[derive(Debug, Default)]
pub struct EchoStatus {
    /// Calls with media set up or running.
    pub active: AtomicUsize,
    /// Calls answered.
    pub answered: AtomicU64,
    /// Calls refused (bad or unsupported offer).
    pub rejected: AtomicU64,
    /// Calls that ended.
    pub ended: AtomicU64,
}

/// Runs the echo service as `account` until `shutdown`, then hangs up,
/// unregisters and returns.
pub async fn run(
    account: Account,
    options: EchoOptions,
    status: Arc<EchoStatus>,
    mut shutdown: Shutdown,
) -> Result<(), BotError> {
    let agent_options = AgentOptions {
        answer: true,
        video: options.video,
        idle_timeout: options.idle_timeout,
        max_call: options.max_call,
    };
    let mut agent = Agent::register(account, agent_options).await?;
    let mut factory = Echoes {
        delay: options.delay,
    };
    loop {
        let happening = tokio::select! {
            () = shutdown.wait() => break,
            happening = agent.next(&mut factory) => happening,
        };
        let Some(happening) = happening else {
            return Err(BotError::Disconnected);
        };
        if let Happening::Sip(Event::CallState { state, .. }) = &happening {
            match state {
                CallState::Connected => {
                    status.answered.fetch_add(1, Ordering::Relaxed);
                }
                CallState::Ended(_) => {
                    status.ended.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
        status.active.store(agent.active_calls(), Ordering::Relaxed);
        status
            .rejected
            .store(agent.rejected_calls(), Ordering::Relaxed);
    }
    agent.close().await?;
    status.active.store(0, Ordering::Relaxed);
    Ok(())
}

struct Echoes {
    delay: Duration,
}

impl MediaFactory for Echoes {
    fn handler(&mut self, _call: CallHandle) -> Box<dyn MediaHandler> {
        Box::new(Echo::new(self.delay))
    }
}

/// One call's delay line.
pub struct Echo {
    delay: Duration,
    held: VecDeque<(Instant, Frame)>,
}

impl Echo {
    /// A delay line of `delay`.
    pub fn new(delay: Duration) -> Self {
        Self {
            delay,
            held: VecDeque::new(),
        }
    }
}

impl MediaHandler for Echo {
    fn connected(&mut self, _now: Instant, negotiated: &Negotiated) {
        log::info!(target: "vani_bot::echo", "media up: {negotiated:?}");
    }

    fn received(&mut self, now: Instant, data: &MediaData) {
        // DTMF is not echoed: it would come back as digits.
        if matches!(data.codec_extra, CodecExtra::Tele(_)) || self.held.len() >= MAX_HELD {
            return;
        }
        let frame = Frame {
            mid: data.mid,
            payload: Payload::Pt(data.pt),
            rtp_time: data.time,
            data: data.data.clone(),
            tone: None,
        };
        self.held.push_back((now + self.delay, frame));
    }

    fn due(&mut self, now: Instant, out: &mut Vec<Frame>) {
        while self.held.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, frame)) = self.held.pop_front() {
                out.push(frame);
            }
        }
    }

    fn keyframe_wanted(&mut self, mid: Mid) -> Option<Mid> {
        Some(mid)
    }
}
