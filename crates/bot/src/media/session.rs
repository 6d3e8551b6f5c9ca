//! One WebRTC peer connection: a str0m [`Rtc`] driven over a tokio UDP socket
//! on loopback, with a host candidate only (no STUN, no TURN).
//!
//! The driving loop keeps str0m's rule: every mutation (an input, a write) is
//! followed by a full drain of `poll_output` up to its `Timeout`. The
//! application sees the connection through a [`MediaHandler`]: it is told what
//! arrives and asked every 20 ms what to send.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::{Codec, FormatParams};
use str0m::media::{
    Direction, Frequency, KeyframeRequestKind, MediaData, MediaKind, MediaTime, Mid, Pt,
    TelephoneEvent,
};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use super::MediaError;

/// How often the handler is asked for frames: one Opus frame.
pub const FRAME: Duration = Duration::from_millis(20);

/// RFC 4733 payload types, as browsers number them.
const TELEPHONE_EVENT_48K: u8 = 110;
const TELEPHONE_EVENT_8K: u8 = 126;

/// The payload type a [`Frame`] is sent with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// The Opus payload type negotiated on the frame's media.
    Opus,
    /// This payload type (e.g. one taken from received media).
    Pt(Pt),
}

/// One unit of media to send.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The media (m-line) to send on.
    pub mid: Mid,
    /// Its payload type.
    pub payload: Payload,
    /// RTP time of the frame (48 kHz for audio, 90 kHz for video).
    pub rtp_time: MediaTime,
    /// The encoded frame; empty with `tone` to send only the RFC 4733 event.
    pub data: Arc<[u8]>,
    /// An RFC 4733 event starting with this frame.
    pub tone: Option<TelephoneEvent>,
}

/// What was agreed once the connection is up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Negotiated {
    /// The audio media.
    pub audio: Option<Mid>,
    /// The video media, when there is one.
    pub video: Option<Mid>,
    /// The audio codec, e.g. `opus/48000/2`.
    pub audio_codec: Option<String>,
    /// Whether an RFC 4733 telephone-event format was agreed.
    pub telephone_event: bool,
}

/// The application's side of a media session.
pub trait MediaHandler: Send {
    /// ICE and DTLS are up: media can flow.
    fn connected(&mut self, now: Instant, negotiated: &Negotiated);
    /// Media arrived from the peer: audio, video, or an RFC 4733 report.
    fn received(&mut self, now: Instant, data: &MediaData);
    /// Appends the frames to send now; called every 20 ms once connected.
    fn due(&mut self, now: Instant, out: &mut Vec<Frame>);
    /// The peer asks for a video keyframe on `mid` (it receives what we send
    /// there). Returns the media whose sender to ask in turn, if any: an echo
    /// forwards the request to the peer's own sender.
    fn keyframe_wanted(&mut self, mid: Mid) -> Option<Mid> {
        let _ = mid;
        None
    }
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// The owner asked it to stop (hang-up).
    Stopped,
    /// Nothing arrived from the peer for the idle timeout (or it never
    /// connected within it).
    PeerSilent,
    /// ICE lost the peer.
    Disconnected,
}

/// Packet counts of a session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// UDP datagrams received.
    pub datagrams_in: u64,
    /// UDP datagrams sent.
    pub datagrams_out: u64,
    /// Media frames written.
    pub frames_out: u64,
    /// Media frames received (audio, video and RFC 4733 reports).
    pub frames_in: u64,
}

/// A peer connection before and while it runs.
pub struct Session {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    pending: Option<SdpPendingOffer>,
    negotiated: Negotiated,
    counts: Counts,
}

impl Session {
    /// Binds a UDP socket on 127.0.0.1 and creates the engine with Opus and
    /// RFC 4733 (48 and 8 kHz), and VP8 and H.264 when `video` is wanted.
    pub async fn new(video: bool) -> Result<Self, MediaError> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(MediaError::Io)?;
        let local = socket.local_addr().map_err(MediaError::Io)?;
        let mut config = RtcConfig::new().clear_codecs().enable_opus(true, false);
        if video {
            config = config.enable_vp8(true).enable_h264(true);
        }
        let codecs = config.codec_config();
        for (pt, rate) in [
            (TELEPHONE_EVENT_48K, Frequency::FORTY_EIGHT_KHZ),
            (TELEPHONE_EVENT_8K, Frequency::EIGHT_KHZ),
        ] {
            codecs.add_config(
                pt.into(),
                None,
                Codec::Tele,
                rate,
                None,
                FormatParams::parse_line("0-16"),
            );
        }
        let mut rtc = config.build(Instant::now());
        let candidate =
            Candidate::host(local, "udp").map_err(|e| MediaError::Engine(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        Ok(Self {
            rtc,
            socket,
            local,
            pending: None,
            negotiated: Negotiated::default(),
            counts: Counts::default(),
        })
    }

    /// The local UDP address media uses.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Answers a remote offer (RFC 3264 §6).
    pub fn accept_offer(&mut self, offer: &str) -> Result<String, MediaError> {
        let offer = SdpOffer::from_sdp_string(offer).map_err(|e| MediaError::Sdp(e.to_string()))?;
        let answer = self
            .rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| MediaError::Sdp(e.to_string()))?;
        self.drain_setup();
        let answer = answer.to_sdp_string();
        self.negotiated.telephone_event = offers_telephone_event(&answer);
        Ok(answer)
    }

    /// Makes an offer: one sendrecv audio section, and video if asked.
    pub fn create_offer(&mut self, video: bool) -> Result<String, MediaError> {
        let mut change = self.rtc.sdp_api();
        let audio = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let video = video
            .then(|| change.add_media(MediaKind::Video, Direction::SendRecv, None, None, None));
        let (offer, pending) = change
            .apply()
            .ok_or_else(|| MediaError::Engine("empty offer".into()))?;
        self.negotiated.audio = Some(audio);
        self.negotiated.video = video;
        self.pending = Some(pending);
        self.drain_setup();
        Ok(offer.to_sdp_string())
    }

    /// Applies the answer to our offer.
    pub fn accept_answer(&mut self, answer: &str) -> Result<(), MediaError> {
        self.negotiated.telephone_event = offers_telephone_event(answer);
        let pending = self
            .pending
            .take()
            .ok_or_else(|| MediaError::Sdp("an answer without an offer".into()))?;
        let answer =
            SdpAnswer::from_sdp_string(answer).map_err(|e| MediaError::Sdp(e.to_string()))?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| MediaError::Sdp(e.to_string()))?;
        self.drain_setup();
        Ok(())
    }

    /// Drains what negotiation produced: media sections the peer added.
    /// Nothing is on the wire before the loop runs; transmits are dropped
    /// (ICE retransmits them).
    fn drain_setup(&mut self) {
        while let Ok(output) = self.rtc.poll_output() {
            match output {
                Output::Timeout(_) => break,
                Output::Event(Event::MediaAdded(added)) => self.note_media(added.mid, added.kind),
                Output::Event(_) | Output::Transmit(_) => {}
            }
        }
    }

    fn note_media(&mut self, mid: Mid, kind: MediaKind) {
        match kind {
            MediaKind::Audio => self.negotiated.audio = self.negotiated.audio.or(Some(mid)),
            MediaKind::Video => self.negotiated.video = self.negotiated.video.or(Some(mid)),
        }
    }

    /// Runs the connection until `stop` fires (or its sender is dropped), the
    /// peer is silent for `idle`, or ICE fails. Returns why, with the counts.
    pub async fn run(
        mut self,
        handler: &mut dyn MediaHandler,
        mut stop: oneshot::Receiver<()>,
        idle: Duration,
    ) -> Result<(SessionEnd, Counts), MediaError> {
        let mut buf = vec![0u8; 2000];
        let mut last_heard = Instant::now();
        let mut connected = false;
        let mut frames = Vec::new();
        let mut ticker = tokio::time::interval(FRAME);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let end = loop {
            let deadline = match self.drain(handler, &mut connected)? {
                Drained::Deadline(deadline) => deadline,
                Drained::Disconnected => break SessionEnd::Disconnected,
            };
            let sleep_for = deadline.saturating_duration_since(Instant::now());
            tokio::select! {
                _ = &mut stop => break SessionEnd::Stopped,
                received = self.socket.recv_from(&mut buf) => {
                    let (len, source) = received.map_err(MediaError::Io)?;
                    last_heard = Instant::now();
                    self.counts.datagrams_in += 1;
                    self.receive(buf.get(..len).unwrap_or_default(), source);
                }
                () = tokio::time::sleep(sleep_for) => {
                    self.rtc
                        .handle_input(Input::Timeout(Instant::now()))
                        .map_err(|e| MediaError::Engine(e.to_string()))?;
                }
                _ = ticker.tick() => {
                    if connected {
                        handler.due(Instant::now(), &mut frames);
                        for frame in frames.drain(..) {
                            self.write(&frame)?;
                            if let Drained::Disconnected = self.drain(handler, &mut connected)? {
                                break;
                            }
                        }
                    }
                }
            }
            if last_heard.elapsed() > idle {
                break SessionEnd::PeerSilent;
            }
        };
        self.rtc.disconnect();
        Ok((end, self.counts))
    }

    fn receive(&mut self, datagram: &[u8], source: SocketAddr) {
        let Ok(contents) = datagram.try_into() else {
            // Not STUN, DTLS or (S)RTP: ignore it.
            return;
        };
        let input = Input::Receive(
            Instant::now(),
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.local,
                contents,
            },
        );
        if let Err(error) = self.rtc.handle_input(input) {
            log::debug!(target: "vani_bot::media", "dropped a datagram from {source}: {error}");
        }
    }

    fn write(&mut self, frame: &Frame) -> Result<(), MediaError> {
        let Some(writer) = self.rtc.writer(frame.mid) else {
            return Ok(());
        };
        let pt = match frame.payload {
            Payload::Pt(pt) => pt,
            Payload::Opus => {
                let Some(pt) = writer
                    .payload_params()
                    .find(|p| p.spec().codec == Codec::Opus)
                    .map(|p| p.pt())
                else {
                    return Ok(());
                };
                pt
            }
        };
        let writer = match frame.tone {
            Some(tone) => writer.telephone_event(tone),
            None => writer,
        };
        match writer.write(pt, Instant::now(), frame.rtp_time, frame.data.clone()) {
            Ok(()) => self.counts.frames_out += 1,
            // A frame that does not fit what was negotiated is dropped, not fatal.
            Err(error) => log::debug!(target: "vani_bot::media", "frame not sent: {error}"),
        }
        Ok(())
    }

    /// Drains the engine up to its next deadline: transmits go on the socket,
    /// events to the handler.
    fn drain(
        &mut self,
        handler: &mut dyn MediaHandler,
        connected: &mut bool,
    ) -> Result<Drained, MediaError> {
        let mut keyframes = Vec::new();
        loop {
            let output = self
                .rtc
                .poll_output()
                .map_err(|e| MediaError::Engine(e.to_string()))?;
            match output {
                Output::Timeout(deadline) => {
                    // Forward keyframe requests now that the engine is drained;
                    // each is a mutation followed by its own drain.
                    if keyframes.is_empty() {
                        return Ok(Drained::Deadline(deadline));
                    }
                    for mid in keyframes.drain(..) {
                        if let Some(mut writer) = self.rtc.writer(mid) {
                            let _ = writer.request_keyframe(None, KeyframeRequestKind::Pli);
                        }
                    }
                }
                Output::Transmit(transmit) => {
                    // UDP: a full send buffer drops the datagram, as the network may.
                    if self
                        .socket
                        .try_send_to(&transmit.contents, transmit.destination)
                        .is_ok()
                    {
                        self.counts.datagrams_out += 1;
                    }
                }
                Output::Event(event) => match event {
                    Event::Connected => {
                        *connected = true;
                        self.negotiated.audio_codec = self.audio_codec();
                        handler.connected(Instant::now(), &self.negotiated);
                    }
                    Event::MediaAdded(added) => self.note_media(added.mid, added.kind),
                    Event::MediaData(data) => {
                        self.counts.frames_in += 1;
                        handler.received(Instant::now(), &data);
                    }
                    Event::KeyframeRequest(request) => {
                        keyframes.extend(handler.keyframe_wanted(request.mid));
                    }
                    Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                        return Ok(Drained::Disconnected);
                    }
                    _ => {}
                },
            }
        }
    }

    fn audio_codec(&mut self) -> Option<String> {
        let mid = self.negotiated.audio?;
        let writer = self.rtc.writer(mid)?;
        let params = writer
            .payload_params()
            .find(|p| p.spec().codec == Codec::Opus)?;
        let spec = params.spec();
        Some(format!(
            "opus/{}/{}",
            spec.clock_rate.get(),
            spec.channels.unwrap_or(1)
        ))
    }
}

/// Whether an answer's audio keeps an RFC 4733 format (RFC 3264 §6.1: the
/// answer lists the formats both sides will use).
fn offers_telephone_event(answer: &str) -> bool {
    vani_sip::sdp::SessionDescription::parse(answer).is_ok_and(|sdp| {
        sdp.media()
            .iter()
            .filter(|m| m.media_type() == "audio" && !m.is_rejected())
            .any(|m| m.codecs().iter().any(|c| c.is("telephone-event")))
    })
}

enum Drained {
    Deadline(Instant),
    Disconnected,
}
