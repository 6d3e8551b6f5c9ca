//! Media for one call: microphone and camera (getUserMedia), one
//! `RTCPeerConnection`, the remote audio element and the video tiles.
//!
//! The stack asks for SDP with `LocalDescriptionNeeded` and hands the peer's
//! SDP over with `RemoteDescription`; each becomes a [`Job`], run in order
//! per call (the peer connection's offer/answer steps must not interleave).
//! ICE gathering is not waited for forever: the SDP goes out when gathering
//! completes, or `MediaSession::cutoff_ms` after the first usable candidate.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use leptos::prelude::Set;
use vani_sip::ua::{CallHandle, SdpKind};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AnalyserNode, HtmlAudioElement, HtmlMediaElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints, MediaStreamTrack, RtcConfiguration, RtcIceGatheringState,
    RtcPeerConnection, RtcPeerConnectionIceEvent, RtcRtpSender, RtcRtpTransceiver,
    RtcRtpTransceiverDirection, RtcSdpType, RtcSessionDescriptionInit, RtcSignalingState,
    RtcTrackEvent,
};

use super::clock::now_ms;
use crate::phone::VideoSlot;
use crate::state::PhoneState;

/// Longest wait for ICE candidates even if none arrives.
const ICE_HARD_LIMIT_MS: f64 = 3_000.0;

/// One step of the offer/answer exchange.
#[derive(Debug)]
pub enum Job {
    /// Make an offer.
    Offer,
    /// Make an answer, applying the remote offer first if it is new.
    Answer { remote_offer: Option<String> },
    /// Apply the peer's offer or answer.
    Remote { kind: SdpKind, sdp: String },
}

/// What went wrong with media, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// The person or the browser refused the microphone.
    MicrophoneDenied,
    /// No microphone found.
    NoMicrophone,
    /// The browser's WebRTC refused something.
    Failed(String),
}

impl MediaError {
    /// Plain words for the error banner.
    pub fn words(&self) -> String {
        match self {
            MediaError::MicrophoneDenied => {
                "Vani may not use your microphone. Allow it in the browser's address bar, then call again.".into()
            }
            MediaError::NoMicrophone => "No microphone found. Plug one in and call again.".into(),
            MediaError::Failed(what) => format!("The browser could not set up the call's audio: {what}"),
        }
    }
}

fn js_error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| format!("{}: {}", String::from(e.name()), String::from(e.message())))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

fn js_error_name(e: &JsValue) -> String {
    Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

/// Media of one call.
pub struct MediaSession {
    /// The call this media belongs to.
    pub call: CallHandle,
    pc: RtcPeerConnection,
    /// The call should send our camera.
    pub video: Cell<bool>,
    local: RefCell<Option<MediaStream>>,
    remote: MediaStream,
    audio: HtmlAudioElement,
    /// Video elements on screen and whether they show their stream yet.
    tiles: Rc<RefCell<Vec<(VideoSlot, HtmlVideoElement, bool)>>>,
    first_candidate_ms: Rc<Cell<Option<f64>>>,
    cutoff_ms: u32,
    held: Cell<bool>,
    muted: Cell<bool>,
    camera_off: Cell<bool>,
    /// The microphone level meter.
    pub meter: RefCell<Option<AnalyserNode>>,
    /// Pending offer/answer steps.
    pub jobs: RefCell<VecDeque<Job>>,
    /// A task is working through `jobs`.
    pub running: Cell<bool>,
    closed: Cell<bool>,
    _on_track: Closure<dyn FnMut(RtcTrackEvent)>,
    _on_candidate: Closure<dyn FnMut(RtcPeerConnectionIceEvent)>,
}

impl MediaSession {
    /// A peer connection for `call` using `ice_servers` (none by default).
    pub fn new(
        call: CallHandle,
        ice_servers: &[String],
        cutoff_ms: u32,
        video: bool,
        state: PhoneState,
    ) -> Result<Self, MediaError> {
        let config = RtcConfiguration::new();
        let servers = Array::new();
        for url in ice_servers {
            let server = Object::new();
            let _ = Reflect::set(&server, &"urls".into(), &url.into());
            servers.push(&server);
        }
        config.set_ice_servers(&servers);
        let pc = RtcPeerConnection::new_with_configuration(&config)
            .map_err(|e| MediaError::Failed(js_error_text(&e)))?;
        let remote = MediaStream::new().map_err(|e| MediaError::Failed(js_error_text(&e)))?;
        let audio = HtmlAudioElement::new().map_err(|e| MediaError::Failed(js_error_text(&e)))?;
        audio.set_autoplay(true);
        let _ = audio.set_attribute("data-testid", "remote-audio");
        let _ = audio.set_attribute("data-call", &call.0.to_string());
        audio.set_class_name("remote-audio");
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.append_child(&audio);
        }

        let tiles: Rc<RefCell<Vec<(VideoSlot, HtmlVideoElement, bool)>>> = Rc::default();
        let on_track = {
            let remote = remote.clone();
            let audio = audio.clone();
            let tiles = tiles.clone();
            Closure::<dyn FnMut(RtcTrackEvent)>::new(move |e: RtcTrackEvent| {
                remote.add_track(&e.track());
                if e.track().kind() == "audio" {
                    if audio.src_object().is_none() {
                        audio.set_src_object(Some(&remote));
                    }
                    play(&audio, state);
                } else {
                    // A new video track: give the remote tile the stream afresh.
                    for (slot, el, shown) in tiles.borrow_mut().iter_mut() {
                        if *slot == VideoSlot::Remote {
                            el.set_src_object(None);
                            el.set_src_object(Some(&remote));
                            play_quietly(el);
                            *shown = true;
                        }
                    }
                }
            })
        };
        let first_candidate_ms = Rc::new(Cell::new(None));
        let on_candidate = {
            let first = first_candidate_ms.clone();
            Closure::<dyn FnMut(RtcPeerConnectionIceEvent)>::new(
                move |e: RtcPeerConnectionIceEvent| {
                    if let Some(c) = e.candidate() {
                        if first.get().is_none() && usable_candidate(&c.candidate()) {
                            first.set(Some(now_ms()));
                        }
                    }
                },
            )
        };
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        pc.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
        Ok(MediaSession {
            call,
            pc,
            video: Cell::new(video),
            local: RefCell::new(None),
            remote,
            audio,
            tiles,
            first_candidate_ms,
            cutoff_ms,
            held: Cell::new(false),
            muted: Cell::new(false),
            camera_off: Cell::new(false),
            meter: RefCell::new(None),
            jobs: RefCell::new(VecDeque::new()),
            running: Cell::new(false),
            closed: Cell::new(false),
            _on_track: on_track,
            _on_candidate: on_candidate,
        })
    }

    /// Whether [`MediaSession::close`] ran.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// The local stream, once acquired.
    pub fn local_stream(&self) -> Option<MediaStream> {
        self.local.borrow().clone()
    }

    /// Microphone (and camera when `video`), added to the peer connection.
    /// Returns a note when the camera failed and the call goes on with audio.
    pub async fn acquire(&self) -> Result<Option<String>, MediaError> {
        if self.local.borrow().is_some() {
            return Ok(None);
        }
        let mut note = None;
        let stream = match get_user_media(self.video.get()).await {
            Ok(s) => s,
            Err(e) if self.video.get() => {
                // A denied or missing camera: audio only, said in plain words.
                note = Some(
                    match js_error_name(&e).as_str() {
                        "NotAllowedError" | "SecurityError" => {
                            "Camera access was refused, so this call is audio only."
                        }
                        _ => "No camera could be opened, so this call is audio only.",
                    }
                    .to_owned(),
                );
                self.video.set(false);
                get_user_media(false).await.map_err(classify)?
            }
            Err(e) => return Err(classify(e)),
        };
        if self.closed.get() {
            stop_tracks(&stream);
            return Ok(None);
        }
        for track in stream.get_tracks().iter() {
            let track: MediaStreamTrack = track.unchecked_into();
            self.pc.add_track_0(&track, &stream);
        }
        *self.local.borrow_mut() = Some(stream);
        self.refresh_tracks();
        self.show_tiles();
        Ok(note)
    }

    /// Runs one offer/answer step; returns the local SDP when one was made.
    pub async fn run(&self, job: Job) -> Result<Option<String>, MediaError> {
        let fail = |e: JsValue| MediaError::Failed(js_error_text(&e));
        match job {
            Job::Offer => {
                self.set_directions();
                let offer = JsFuture::from(self.pc.create_offer()).await.map_err(fail)?;
                self.set_local(offer).await?;
                Ok(Some(self.gathered_sdp().await))
            }
            Job::Answer { remote_offer } => {
                if let Some(sdp) = remote_offer {
                    if self.pc.signaling_state() == RtcSignalingState::Stable {
                        self.set_remote(RtcSdpType::Offer, &sdp).await?;
                    }
                }
                if self.pc.signaling_state() != RtcSignalingState::HaveRemoteOffer {
                    return Err(MediaError::Failed("no offer to answer".into()));
                }
                self.set_directions();
                let answer = JsFuture::from(self.pc.create_answer())
                    .await
                    .map_err(fail)?;
                self.set_local(answer).await?;
                Ok(Some(self.gathered_sdp().await))
            }
            Job::Remote {
                kind: SdpKind::Offer,
                sdp,
            } => {
                if self.pc.signaling_state() == RtcSignalingState::HaveLocalOffer {
                    let rollback = RtcSessionDescriptionInit::new(RtcSdpType::Rollback);
                    JsFuture::from(self.pc.set_local_description(&rollback))
                        .await
                        .map_err(fail)?;
                }
                self.set_remote(RtcSdpType::Offer, &sdp).await?;
                Ok(None)
            }
            Job::Remote {
                kind: SdpKind::Answer,
                sdp,
            } => {
                if self.pc.signaling_state() == RtcSignalingState::HaveLocalOffer {
                    self.set_remote(RtcSdpType::Answer, &sdp).await?;
                }
                Ok(None)
            }
        }
    }

    async fn set_local(&self, description: JsValue) -> Result<(), MediaError> {
        let init: RtcSessionDescriptionInit = description.unchecked_into();
        JsFuture::from(self.pc.set_local_description(&init))
            .await
            .map(|_| ())
            .map_err(|e| MediaError::Failed(js_error_text(&e)))
    }

    async fn set_remote(&self, kind: RtcSdpType, sdp: &str) -> Result<(), MediaError> {
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(sdp);
        JsFuture::from(self.pc.set_remote_description(&init))
            .await
            .map(|_| ())
            .map_err(|e| MediaError::Failed(js_error_text(&e)))
    }

    /// The local SDP once ICE gathering completed, or `cutoff_ms` after the
    /// first usable candidate, or after a hard limit.
    async fn gathered_sdp(&self) -> String {
        let started = now_ms();
        loop {
            if self.pc.ice_gathering_state() == RtcIceGatheringState::Complete {
                break;
            }
            let now = now_ms();
            if let Some(first) = self.first_candidate_ms.get() {
                if now - first >= f64::from(self.cutoff_ms) {
                    break;
                }
            }
            if now - started >= ICE_HARD_LIMIT_MS || self.closed.get() {
                break;
            }
            super::clock::sleep(20).await;
        }
        self.pc
            .local_description()
            .map(|d| d.sdp())
            .unwrap_or_default()
    }

    /// Transceiver directions for hold and for video we do not send.
    fn set_directions(&self) {
        let held = self.held.get();
        for t in self.pc.get_transceivers().iter() {
            let t: RtcRtpTransceiver = t.unchecked_into();
            if t.stopped() {
                continue;
            }
            let sends = t.sender().track().is_some();
            // Video we do not send we do not take either (answered with audio).
            let receives = t.receiver().track().kind() != "video" || self.video.get();
            let direction = match (sends, receives, held) {
                (true, _, true) => RtcRtpTransceiverDirection::Sendonly,
                (false, _, true) => RtcRtpTransceiverDirection::Inactive,
                (true, true, false) => RtcRtpTransceiverDirection::Sendrecv,
                (true, false, false) => RtcRtpTransceiverDirection::Sendonly,
                (false, true, false) => RtcRtpTransceiverDirection::Recvonly,
                (false, false, false) => RtcRtpTransceiverDirection::Inactive,
            };
            t.set_direction(direction);
        }
    }

    /// Track `enabled` flags from mute, hold and camera state.
    fn refresh_tracks(&self) {
        if let Some(stream) = self.local.borrow().as_ref() {
            for t in stream.get_audio_tracks().iter() {
                let t: MediaStreamTrack = t.unchecked_into();
                t.set_enabled(!self.muted.get() && !self.held.get());
            }
            for t in stream.get_video_tracks().iter() {
                let t: MediaStreamTrack = t.unchecked_into();
                t.set_enabled(!self.camera_off.get() && !self.held.get());
            }
        }
        self.audio.set_muted(self.held.get());
    }

    /// Mutes or unmutes the microphone.
    pub fn set_muted(&self, muted: bool) {
        self.muted.set(muted);
        self.refresh_tracks();
    }

    /// Our side holds the call: nothing is sent or played until resumed.
    pub fn set_held(&self, held: bool) {
        self.held.set(held);
        self.refresh_tracks();
    }

    /// Turns the camera off (black frames) or on.
    pub fn set_camera_off(&self, off: bool) {
        self.camera_off.set(off);
        self.refresh_tracks();
    }

    /// Sends a DTMF digit as an RFC 4733 telephone-event. False if the
    /// connection has no DTMF sender (no audio sender or no telephone-event).
    pub fn send_dtmf(&self, digit: char) -> bool {
        for s in self.pc.get_senders().iter() {
            let s: RtcRtpSender = s.unchecked_into();
            if s.track().is_some_and(|t| t.kind() == "audio") {
                if let Some(dtmf) = s.dtmf() {
                    // insertDTMF replaces the tones still queued: append to
                    // them, so keys pressed faster than a tone lasts all play.
                    let tones = format!("{}{digit}", dtmf.tone_buffer());
                    dtmf.insert_dtmf_with_duration(&tones, 100);
                    return true;
                }
            }
        }
        false
    }

    /// A video element appeared on screen for `slot`.
    pub fn bind_tile(&self, slot: VideoSlot, element: HtmlVideoElement) {
        let mut tiles = self.tiles.borrow_mut();
        if tiles.iter().any(|(s, e, _)| *s == slot && *e == element) {
            return;
        }
        tiles.retain(|(s, _, _)| *s != slot);
        tiles.push((slot, element, false));
        drop(tiles);
        self.show_tiles();
    }

    fn show_tiles(&self) {
        for (slot, el, shown) in self.tiles.borrow_mut().iter_mut() {
            if *shown {
                continue;
            }
            let stream = match slot {
                VideoSlot::Remote => Some(self.remote.clone()),
                VideoSlot::Local => self.local.borrow().clone(),
            };
            if let Some(stream) = stream {
                let media: &HtmlMediaElement = el;
                // Sound comes from the audio element; tiles are silent.
                media.set_muted(true);
                media.set_src_object(Some(&stream));
                play_quietly(media);
                *shown = true;
            }
        }
    }

    /// Tries to play remote audio again (after "enable sound").
    pub fn replay(&self, state: PhoneState) {
        if self.audio.src_object().is_some() {
            play(&self.audio, state);
        }
    }

    /// Stops our tracks, closes the connection, removes the audio element.
    pub fn close(&self) {
        if self.closed.replace(true) {
            return;
        }
        if let Some(stream) = self.local.borrow_mut().take() {
            stop_tracks(&stream);
        }
        for t in self.remote.get_tracks().iter() {
            let t: MediaStreamTrack = t.unchecked_into();
            t.stop();
        }
        self.pc.set_ontrack(None);
        self.pc.set_onicecandidate(None);
        self.pc.close();
        self.audio.set_src_object(None);
        self.audio.remove();
        for (_, el, _) in self.tiles.borrow_mut().drain(..) {
            el.set_src_object(None);
        }
        if let Some(meter) = self.meter.borrow_mut().take() {
            let _ = meter.disconnect();
        }
    }
}

/// Plays `audio`; a refusal (autoplay policy) shows the "enable sound" prompt.
fn play(audio: &HtmlAudioElement, state: PhoneState) {
    if let Ok(promise) = audio.play() {
        wasm_bindgen_futures::spawn_local(async move {
            // Only the autoplay policy blocks sound; an interrupted play()
            // (a new source) is not a reason to bother anyone.
            if let Err(e) = JsFuture::from(promise).await {
                if js_error_name(&e) == "NotAllowedError" {
                    state.sound_blocked.set(true);
                }
            }
        });
    }
}

/// Starts a video tile; a refusal only means it starts on the next frame or click.
fn play_quietly(media: &HtmlMediaElement) {
    if let Ok(promise) = media.play() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

/// Host, server-reflexive or relay candidates with an address we could use;
/// an empty candidate string marks the end of a generation.
fn usable_candidate(candidate: &str) -> bool {
    !candidate.is_empty() && candidate.contains(" typ ")
}

async fn get_user_media(video: bool) -> Result<MediaStream, JsValue> {
    let devices = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .navigator()
        .media_devices()?;
    let constraints = MediaStreamConstraints::new();
    let audio = Object::new();
    for key in ["echoCancellation", "noiseSuppression", "autoGainControl"] {
        Reflect::set(&audio, &key.into(), &JsValue::TRUE)?;
    }
    constraints.set_audio(&audio);
    if video {
        let v = Object::new();
        let ideal = |n: u32| -> Result<JsValue, JsValue> {
            let o = Object::new();
            Reflect::set(&o, &"ideal".into(), &n.into())?;
            Ok(o.into())
        };
        Reflect::set(&v, &"width".into(), &ideal(1280)?)?;
        Reflect::set(&v, &"height".into(), &ideal(720)?)?;
        constraints.set_video(&v);
    } else {
        constraints.set_video_bool(false);
    }
    let stream = JsFuture::from(devices.get_user_media_with_constraints(&constraints)?).await?;
    Ok(stream.unchecked_into())
}

fn classify(e: JsValue) -> MediaError {
    match js_error_name(&e).as_str() {
        "NotAllowedError" | "SecurityError" => MediaError::MicrophoneDenied,
        "NotFoundError" | "OverconstrainedError" => MediaError::NoMicrophone,
        _ => MediaError::Failed(js_error_text(&e)),
    }
}

fn stop_tracks(stream: &MediaStream) {
    for t in stream.get_tracks().iter() {
        let t: MediaStreamTrack = t.unchecked_into();
        t.stop();
    }
}
