//! The driver: runs the sans-IO user agent in the page.
//!
//! One `Rc<RefCell<Driver>>`. Every input (a socket frame, the timer, a
//! command from the UI, a finished media step) borrows it, hands the input to
//! the [`UserAgent`], and drains `poll_output` in `Driver::drain`, the one
//! place that sends frames, turns events into state and re-arms the one
//! timer. No borrow is held across an `.await`: media steps run in their own
//! tasks and borrow again when they finish.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use vani_sip::time::Instant;
use vani_sip::ua::{
    CallHandle, CallState, Config, DtmfFormat, EndReason, Event, MediaKind, Output,
    RegistrationState, SdpKind, Transport, UaError, UserAgent,
};

use super::audio::{Tone, Tones, level};
use super::clock::{now, now_ms, random_seed, random_unit};
use super::media::{Job, MediaSession};
use super::storage;
use super::ws::{TransportEvent, WsTransport};
use crate::model::{Account, CallView, DtmfMode, Incoming, Phase, Registration, sdp_has_video};
use crate::phone::{Command, VideoSlot};
use crate::reconnect::{Backoff, NextAttempt, ServerList};
use crate::state::PhoneState;
use crate::words;

/// How long an ended call stays on screen with its reason.
const ENDED_LINGER_MS: u32 = 2_500;

/// The page's phone.
pub struct Driver {
    state: PhoneState,
    this: Weak<RefCell<Driver>>,
    account: Option<Account>,
    /// Kept in memory only (and in `sessionStorage`, see `storage`).
    password: String,
    ua: Option<UserAgent>,
    servers: ServerList,
    backoff: Backoff,
    socket: Option<WsTransport>,
    socket_open: bool,
    /// Counts sockets, so events of a replaced socket are ignored.
    generation: u32,
    registered_once: bool,
    reconnect_timer: Option<Timeout>,
    ua_timer: Option<(Instant, Timeout)>,
    ticker: Option<Interval>,
    media: HashMap<CallHandle, Rc<MediaSession>>,
    /// Media each call should carry (from the call or answer button).
    wants_video: HashMap<CallHandle, bool>,
    linger: HashMap<CallHandle, Timeout>,
    tones: Tones,
    /// `pagehide` listener: removes our binding when the tab goes away, so
    /// the server does not keep ringing a tab that no longer exists.
    on_pagehide: Option<wasm_bindgen::closure::Closure<dyn FnMut()>>,
}

/// Runs `f` on the driver if it still exists and is not busy; a busy driver
/// (a re-entrant call) gets the work on the next turn of the event loop.
pub fn with_driver(weak: &Weak<RefCell<Driver>>, f: impl FnOnce(&mut Driver) + 'static) {
    let Some(rc) = weak.upgrade() else { return };
    match rc.try_borrow_mut() {
        Ok(mut d) => f(&mut d),
        Err(_) => {
            let weak = weak.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(rc) = weak.upgrade() {
                    f(&mut rc.borrow_mut());
                }
            });
        }
    }
}

impl Driver {
    /// A driver for `state`; call [`Driver::boot`] next.
    pub fn new(state: PhoneState) -> Rc<RefCell<Driver>> {
        let driver = Rc::new(RefCell::new(Driver {
            state,
            this: Weak::new(),
            account: None,
            password: String::new(),
            ua: None,
            servers: ServerList::parse(""),
            backoff: Backoff::new(1_000, 30_000),
            socket: None,
            socket_open: false,
            generation: 0,
            registered_once: false,
            reconnect_timer: None,
            ua_timer: None,
            ticker: None,
            media: HashMap::new(),
            wants_video: HashMap::new(),
            linger: HashMap::new(),
            tones: Tones::default(),
            on_pagehide: None,
        }));
        driver.borrow_mut().this = Rc::downgrade(&driver);
        driver
    }

    /// Starts the clock tick and, if the account and this tab's password are
    /// known, signs in.
    pub fn boot(&mut self, account: Option<Account>, password: Option<String>) {
        let weak = self.this.clone();
        self.ticker = Some(Interval::new(250, move || with_driver(&weak, Driver::tick)));
        let weak = self.this.clone();
        let on_pagehide = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            with_driver(&weak, Driver::leaving);
        });
        if let Some(w) = web_sys::window() {
            use wasm_bindgen::JsCast;
            let _ = w
                .add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
        }
        self.on_pagehide = Some(on_pagehide);
        if let (Some(account), Some(password)) = (account, password) {
            self.start_account(account, password);
        }
    }

    /// The page is going away: hang up and unregister while the socket is open.
    fn leaving(&mut self) {
        let calls: Vec<CallHandle> = self
            .state
            .calls
            .with_untracked(|c| c.iter().map(|c| c.handle).collect());
        for call in calls {
            let _ = self.ua.as_mut().map(|ua| ua.hangup(now(), call));
        }
        if self.socket_open {
            if let Some(ua) = self.ua.as_mut() {
                ua.unregister(now());
            }
        }
        self.drain();
    }

    fn tick(&mut self) {
        self.state.now_ms.set(now_ms());
        let levels: Vec<(CallHandle, f32)> = self
            .media
            .values()
            .filter_map(|m| m.meter.borrow().as_ref().map(|a| (m.call, level(a))))
            .collect();
        for (call, lvl) in levels {
            self.state.update_call(call, |c| {
                if (c.mic_level - lvl).abs() > 0.02 {
                    c.mic_level = lvl;
                }
            });
        }
    }

    // ---- commands from the UI ----

    /// Executes a command from the UI.
    pub fn command(&mut self, command: Command) {
        // Every command follows a click or key press: a chance to unlock audio.
        if !matches!(command, Command::BindVideo { .. }) {
            self.tones.resume();
        }
        match command {
            Command::SaveAccount { account, password } => {
                storage::save_account(&account);
                storage::save_session_password(&password);
                self.state.account.set(Some(account.clone()));
                self.state.editing_account.set(false);
                self.state.error.set(None);
                self.start_account(account, password);
            }
            Command::EditAccount => self.state.editing_account.set(true),
            Command::Call { target, video } => self.place_call(target, video),
            Command::Answer { call, video } => self.answer(call, video),
            Command::Decline { call } => {
                self.tones.stop_tone(Tone::Ringtone);
                self.state.incoming.set(None);
                let result = self.with_ua(|ua, now| ua.reject(now, call, 603));
                self.report(result);
            }
            Command::Hangup { call } => {
                let result = self.with_ua(|ua, now| ua.hangup(now, call));
                if result.is_err() {
                    // The stack forgot it already: end it on screen anyway.
                    self.call_ended(call, &EndReason::LocalHangup);
                }
            }
            Command::ToggleMute { call } => {
                let muted = !self.state.call(call).is_some_and(|c| c.muted);
                if let Some(m) = self.media.get(&call) {
                    m.set_muted(muted);
                }
                self.state.update_call(call, |c| c.muted = muted);
            }
            Command::ToggleHold { call } => {
                let held = self
                    .state
                    .call(call)
                    .is_some_and(|c| c.phase == Phase::Held);
                if let Some(m) = self.media.get(&call) {
                    m.set_held(!held);
                }
                let result = if held {
                    self.with_ua(|ua, now| ua.resume(now, call))
                } else {
                    self.with_ua(|ua, now| ua.hold(now, call))
                };
                if result.is_err() {
                    if let Some(m) = self.media.get(&call) {
                        m.set_held(held);
                    }
                }
                self.report(result);
            }
            Command::ToggleCamera { call } => {
                let on = !self.state.call(call).is_some_and(|c| c.camera_on);
                if let Some(m) = self.media.get(&call) {
                    m.set_camera_off(!on);
                }
                self.state.update_call(call, |c| c.camera_on = on);
            }
            Command::Dtmf { call, digit } => {
                self.tones.key_feedback(digit);
                let info = self
                    .account
                    .as_ref()
                    .is_some_and(|a| a.dtmf == DtmfMode::Info);
                let sent_in_media =
                    !info && self.media.get(&call).is_some_and(|m| m.send_dtmf(digit));
                if !sent_in_media {
                    let result = self.with_ua(|ua, now| {
                        ua.send_dtmf_info(now, call, digit, 160, DtmfFormat::Relay)
                    });
                    self.report(result);
                }
            }
            Command::KeyTone { digit } => self.tones.key_feedback(digit),
            Command::EnableSound => {
                self.tones.resume();
                for m in self.media.values() {
                    m.replay(self.state);
                }
                self.state.sound_blocked.set(false);
            }
            Command::RetryNow => {
                self.reconnect_timer = None;
                self.connect();
            }
            Command::BindVideo { call, slot, node } => {
                if let (Some(m), Some(el)) = (self.media.get(&call), node.get_untracked()) {
                    let el: web_sys::HtmlVideoElement = el;
                    m.bind_tile(slot, el);
                } else if let Some(el) = node.get_untracked() {
                    // Media comes later; keep the element bound by its id.
                    let _ = el.set_attribute(
                        "data-bound",
                        match slot {
                            VideoSlot::Local => "local",
                            VideoSlot::Remote => "remote",
                        },
                    );
                }
            }
        }
    }

    /// A new account (or new settings): a fresh user agent and connection.
    fn start_account(&mut self, account: Account, password: String) {
        for (_, m) in self.media.drain() {
            m.close();
        }
        self.state.calls.set(Vec::new());
        self.state.incoming.set(None);
        self.tones.stop();
        let seed = random_seed();
        let mut config = Config::new(account.aor(), account.auth_user(), password.clone());
        config.display_name = Some(account.display_name.clone()).filter(|n| !n.is_empty());
        config.instance_id = Some(storage::instance_id(&seed));
        config.user_agent = Some(format!("Vani/{}", env!("CARGO_PKG_VERSION")));
        self.servers = ServerList::parse(&account.servers);
        config.transport = match self.servers.current() {
            Some(url) if url.to_ascii_lowercase().starts_with("ws://") => Transport::Ws,
            _ => Transport::Wss,
        };
        self.ua = Some(UserAgent::new(config, seed, now()));
        self.account = Some(account);
        self.password = password;
        self.backoff.reset();
        self.registered_once = false;
        self.connect();
    }

    // ---- the WebSocket ----

    fn connect(&mut self) {
        self.socket = None;
        self.socket_open = false;
        self.generation = self.generation.wrapping_add(1);
        let Some(url) = self.servers.current().map(str::to_owned) else {
            return;
        };
        self.state.registration.set(Registration::Connecting {
            server: url.clone(),
        });
        let weak = self.this.clone();
        let generation = self.generation;
        let opened = WsTransport::open(&url, move |event| {
            with_driver(&weak, move |d| d.on_transport(generation, event));
        });
        match opened {
            Ok(socket) => self.socket = Some(socket),
            Err(super::ws::TransportError::Refused(why)) => {
                self.connection_failed(format!("The browser refused the server address ({why})."));
            }
            Err(_) => self.connection_failed("Cannot reach the server.".into()),
        }
    }

    fn on_transport(&mut self, generation: u32, event: TransportEvent) {
        if generation != self.generation {
            return;
        }
        match event {
            TransportEvent::Open => {
                self.socket_open = true;
                self.servers.connected();
                self.backoff.reset();
                self.state.registration.set(Registration::Registering);
                let first = !self.registered_once;
                self.registered_once = true;
                self.input(|ua, now| {
                    ua.handle_transport_connected(now);
                    if first {
                        ua.register(now);
                    }
                });
            }
            TransportEvent::Message(bytes) => {
                log::trace!("received {} bytes", bytes.len());
                self.input(|ua, now| ua.handle_message(now, &bytes));
            }
            TransportEvent::Closed { reason } => {
                let was_open = self.socket_open;
                self.socket_open = false;
                // Dropped on the next turn: the closure running now belongs to it.
                if let Some(old) = self.socket.take() {
                    wasm_bindgen_futures::spawn_local(async move { drop(old) });
                }
                if was_open {
                    self.input(|ua, now| ua.handle_transport_closed(now));
                }
                self.connection_failed(reason);
            }
        }
    }

    fn connection_failed(&mut self, reason: String) {
        let failed_registration = matches!(
            self.state.registration.get_untracked(),
            Registration::Failed(_)
        );
        match self.servers.failed(&mut self.backoff, random_unit()) {
            Some(NextAttempt::Now(_)) => self.connect(),
            Some(NextAttempt::After { delay_ms, .. }) => {
                if !failed_registration {
                    self.state.registration.set(Registration::Retrying {
                        retry_at_ms: now_ms() + delay_ms as f64,
                        reason,
                    });
                }
                let weak = self.this.clone();
                let delay = u32::try_from(delay_ms).unwrap_or(u32::MAX);
                self.reconnect_timer = Some(Timeout::new(delay, move || {
                    with_driver(&weak, |d| {
                        d.reconnect_timer = None;
                        d.connect();
                    })
                }));
            }
            None => self.state.registration.set(Registration::Failed(reason)),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        match self.socket.as_ref().map(|s| s.send(bytes)) {
            Some(Ok(())) => log::trace!("sent {} bytes", bytes.len()),
            _ => log::debug!("dropped {} bytes: socket not open", bytes.len()),
        }
    }

    // ---- the user agent ----

    /// Gives the user agent an input, then drains it.
    fn input(&mut self, f: impl FnOnce(&mut UserAgent, Instant)) {
        if let Some(ua) = self.ua.as_mut() {
            f(ua, now());
        }
        self.drain();
    }

    /// Gives the user agent a command, then drains it.
    fn with_ua<T>(
        &mut self,
        f: impl FnOnce(&mut UserAgent, Instant) -> Result<T, UaError>,
    ) -> Result<T, UaError> {
        let result = match self.ua.as_mut() {
            Some(ua) => f(ua, now()),
            None => Err(UaError::NotConnected),
        };
        self.drain();
        result
    }

    /// The drain rule: every output until `None`; frames to the socket, events
    /// to the state, the last deadline to the one timer.
    fn drain(&mut self) {
        let mut deadline = None;
        while let Some(output) = self.ua.as_mut().and_then(UserAgent::poll_output) {
            match output {
                Output::Transmit(bytes) => self.send(&bytes),
                Output::Event(event) => self.on_event(event),
                Output::Timeout(at) => deadline = Some(at),
            }
        }
        if let Some(at) = deadline {
            self.arm_timer(at);
        }
    }

    fn arm_timer(&mut self, at: Instant) {
        if self.ua_timer.as_ref().is_some_and(|(t, _)| *t == at) {
            return;
        }
        let delay = at.saturating_duration_since(now()).as_millis();
        let weak = self.this.clone();
        let timer = Timeout::new(u32::try_from(delay).unwrap_or(u32::MAX), move || {
            with_driver(&weak, |d| {
                d.ua_timer = None;
                d.input(|ua, now| ua.handle_timeout(now));
            })
        });
        self.ua_timer = Some((at, timer));
    }

    fn report<T>(&mut self, result: Result<T, UaError>) {
        if let Err(e) = result {
            self.state.show_error(words::ua_error(&e));
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Registration(reg) => {
                log::debug!("registration: {reg:?}");
                let view = match &reg {
                    RegistrationState::Registered { .. } => Registration::Registered,
                    RegistrationState::Registering => Registration::Registering,
                    RegistrationState::Unregistered | RegistrationState::Unregistering => {
                        Registration::Unregistered
                    }
                    RegistrationState::Failed(why) => {
                        Registration::Failed(words::registration_failure(why))
                    }
                };
                self.state.registration.set(view);
            }
            Event::FlowFailed => {
                log::debug!("keep-alive unanswered: reconnecting");
                self.input(|ua, now| ua.handle_transport_closed(now));
                self.connect();
            }
            Event::IncomingCall {
                call,
                from,
                display_name,
                remote_sdp,
                ..
            } => {
                let video_offered = remote_sdp.as_deref().is_some_and(sdp_has_video);
                if self.state.incoming.with_untracked(Option::is_some) || self.busy_in_call() {
                    // One ringing call at a time; a second caller hears busy.
                    let _ = self.ua.as_mut().map(|ua| ua.reject(now(), call, 486));
                    return;
                }
                self.state.incoming.set(Some(Incoming {
                    handle: call,
                    from,
                    display_name,
                    video_offered,
                }));
                if self.tones.is_blocked() {
                    self.state.sound_blocked.set(true);
                }
                self.tones.play(Tone::Ringtone);
            }
            Event::LocalDescriptionNeeded {
                call,
                kind,
                remote_sdp,
            } => {
                let job = match kind {
                    SdpKind::Offer => Job::Offer,
                    SdpKind::Answer => Job::Answer {
                        remote_offer: remote_sdp,
                    },
                };
                self.media_job(call, job);
            }
            Event::RemoteDescription { call, kind, sdp } => {
                if self.media.contains_key(&call) {
                    self.media_job(call, Job::Remote { kind, sdp });
                }
            }
            Event::RolledBack { call, .. } => {
                log::debug!("offer for {call:?} rolled back");
            }
            Event::CallState { call, state } => self.on_call_state(call, state),
            Event::Dtmf { digit, .. } => self.tones.key_feedback(digit),
            other => log::debug!("unhandled event: {other:?}"),
        }
    }

    fn busy_in_call(&self) -> bool {
        self.state
            .calls
            .with_untracked(|calls| calls.iter().any(|c| c.phase != Phase::Ended))
    }

    fn on_call_state(&mut self, call: CallHandle, state: CallState) {
        log::debug!("call {call:?}: {state:?}");
        match &state {
            CallState::Ringing => self.tones.play(Tone::Ringback),
            CallState::Early | CallState::Connected => {
                self.tones.stop_tone(Tone::Ringback);
                self.tones.stop_tone(Tone::Ringtone);
            }
            CallState::Held => {
                if let Some(m) = self.media.get(&call) {
                    m.set_held(true);
                }
            }
            CallState::Ended(reason) => {
                self.call_ended(call, reason);
                return;
            }
            _ => {}
        }
        if state == CallState::Connected {
            if let Some(m) = self.media.get(&call) {
                m.set_held(false);
            }
        }
        let t = now_ms();
        self.state.update_call(call, |c| c.apply(&state, t));
    }

    fn call_ended(&mut self, call: CallHandle, reason: &EndReason) {
        if let Some(m) = self.media.remove(&call) {
            m.close();
        }
        self.wants_video.remove(&call);
        if self
            .state
            .incoming
            .with_untracked(|i| i.as_ref().is_some_and(|i| i.handle == call))
        {
            self.state.incoming.set(None);
            self.tones.stop_tone(Tone::Ringtone);
        }
        self.tones.stop_tone(Tone::Ringback);
        let t = now_ms();
        let on_screen = self.state.call(call).is_some();
        self.state
            .update_call(call, |c| c.apply(&CallState::Ended(reason.clone()), t));
        if on_screen {
            if words::end_reason(reason).is_some() && !matches!(reason, EndReason::Transferred) {
                self.tones.play(Tone::Busy);
            }
            let weak = self.this.clone();
            self.linger.insert(
                call,
                Timeout::new(ENDED_LINGER_MS, move || {
                    with_driver(&weak, move |d| {
                        d.linger.remove(&call);
                        d.state.remove_call(call);
                        d.tones.stop_tone(Tone::Busy);
                    })
                }),
            );
        }
    }

    fn place_call(&mut self, target: String, video: bool) {
        if self.busy_in_call() {
            self.state.show_error("Finish the current call first.");
            return;
        }
        let kind = if video {
            MediaKind::AudioVideo
        } else {
            MediaKind::Audio
        };
        // Register the call before draining: the stack asks for the offer at once.
        let placed = self.ua.as_mut().map(|ua| ua.call(now(), &target, kind));
        match placed {
            Some(Ok(call)) => {
                self.wants_video.insert(call, video);
                self.state
                    .calls
                    .update(|calls| calls.push(CallView::outgoing(call, target, video)));
                self.state.error.set(None);
            }
            Some(Err(e)) => self.state.show_error(words::ua_error(&e)),
            None => self
                .state
                .show_error(words::ua_error(&UaError::NotConnected)),
        }
        self.drain();
    }

    fn answer(&mut self, call: CallHandle, video: bool) {
        self.tones.stop_tone(Tone::Ringtone);
        let Some(incoming) = self
            .state
            .incoming
            .get_untracked()
            .filter(|i| i.handle == call)
        else {
            return;
        };
        self.state.incoming.set(None);
        self.wants_video.insert(call, video);
        let t = now_ms();
        self.state.calls.update(|calls| {
            let mut view = CallView::answered(&incoming, video);
            view.connected_at_ms = Some(t);
            calls.push(view);
        });
        let result = self.with_ua(|ua, now| ua.answer(now, call));
        if let Err(e) = result {
            self.state.show_error(words::ua_error(&e));
            self.call_ended(call, &EndReason::LocalHangup);
        }
    }

    // ---- media ----

    fn media_job(&mut self, call: CallHandle, job: Job) {
        let session = match self.media.get(&call) {
            Some(s) => s.clone(),
            None => {
                let (ice, cutoff) = self.account.as_ref().map_or((Vec::new(), 500), |a| {
                    (a.ice_server_urls(), a.ice_cutoff_ms)
                });
                let video = self.wants_video.get(&call).copied().unwrap_or(false);
                match MediaSession::new(call, &ice, cutoff, video, self.state) {
                    Ok(s) => {
                        let s = Rc::new(s);
                        self.media.insert(call, s.clone());
                        s
                    }
                    Err(e) => {
                        self.state.show_error(e.words());
                        let _ = self.ua.as_mut().map(|ua| ua.hangup(now(), call));
                        return;
                    }
                }
            }
        };
        session.jobs.borrow_mut().push_back(job);
        if !session.running.replace(true) {
            let weak = self.this.clone();
            wasm_bindgen_futures::spawn_local(run_jobs(weak, session));
        }
    }

    fn media_ready(&mut self, session: &Rc<MediaSession>, note: Option<String>) {
        if note.is_some() {
            self.state.notice.set(note);
            self.state.update_call(session.call, |c| {
                c.video = false;
                c.camera_on = false;
            });
        }
        if session.meter.borrow().is_none() {
            if let Some(stream) = session.local_stream() {
                let meter = self.tones.meter(&stream);
                *session.meter.borrow_mut() = meter;
            }
        }
    }

    fn local_description(&mut self, call: CallHandle, sdp: String) {
        if !self.media.contains_key(&call) {
            return;
        }
        let result = self.with_ua(|ua, now| ua.set_local_description(now, call, sdp));
        if let Err(e) = result {
            log::debug!("local description refused: {e}");
        }
    }

    fn media_failed(&mut self, call: CallHandle, words: String) {
        self.state.show_error(words);
        let result = self.with_ua(|ua, now| ua.hangup(now, call));
        if result.is_err() {
            self.call_ended(call, &EndReason::MediaFailed);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let (Some(w), Some(f)) = (web_sys::window(), self.on_pagehide.take()) {
            use wasm_bindgen::JsCast;
            let _ = w.remove_event_listener_with_callback("pagehide", f.as_ref().unchecked_ref());
        }
        for m in self.media.values() {
            m.close();
        }
    }
}

/// Works through a call's media jobs in order. Borrows the driver only
/// between awaits.
async fn run_jobs(weak: Weak<RefCell<Driver>>, session: Rc<MediaSession>) {
    loop {
        let next = session.jobs.borrow_mut().pop_front();
        let Some(job) = next else { break };
        if session.is_closed() {
            continue;
        }
        let call = session.call;
        let needs_media = matches!(job, Job::Offer | Job::Answer { .. });
        if needs_media {
            match session.acquire().await {
                Ok(note) => {
                    let s = session.clone();
                    with_driver(&weak, move |d| d.media_ready(&s, note));
                }
                Err(e) => {
                    let words = e.words();
                    with_driver(&weak, move |d| d.media_failed(call, words));
                    continue;
                }
            }
        }
        match session.run(job).await {
            Ok(Some(sdp)) if !session.is_closed() => {
                with_driver(&weak, move |d| d.local_description(call, sdp));
            }
            Ok(_) => {}
            Err(e) => {
                log::warn!("media step failed for {call:?}: {e:?}");
                if needs_media {
                    let words = e.words();
                    with_driver(&weak, move |d| d.media_failed(call, words));
                }
            }
        }
    }
    session.running.set(false);
}
