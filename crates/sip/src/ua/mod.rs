//! The SIP user agent: registration, calls, and the in-dialog frameworks
//! (INFO, MESSAGE, SUBSCRIBE/NOTIFY, REFER), sans-IO.
//!
//! # The I/O contract
//!
//! [`UserAgent`] holds no socket and reads no clock (STYLE.md §1). Its methods
//! come in four kinds, as quinn-proto sorts them:
//!
//! - inputs: [`UserAgent::handle_transport_connected`],
//!   [`UserAgent::handle_message`] (one WebSocket frame),
//!   [`UserAgent::handle_timeout`], [`UserAgent::handle_transport_closed`];
//! - commands: [`UserAgent::register`], [`UserAgent::call`],
//!   [`UserAgent::answer`], [`UserAgent::hold`], [`UserAgent::refer`], ...;
//! - getters: [`UserAgent::registration_state`], [`UserAgent::resources`], ...;
//! - output: [`UserAgent::poll_output`].
//!
//! Drain rule (in the driver, one place): after every input or command, call
//! `poll_output()` until it returns `None`; send every [`Output::Transmit`]
//! on the socket, dispatch every [`Output::Event`], and (re)arm one timer at
//! the last [`Output::Timeout`] seen; when it fires call `handle_timeout(now)`
//! and drain again. `Timeout` is always the last output of a drain.
//!
//! Randomness is an input too: [`UserAgent::new`] takes a 32-byte seed and
//! keeps a ChaCha RNG for tags, branches, Call-IDs, cnonces and the glare
//! back-off (RFC 3261 §14.1).
//!
//! # Media
//!
//! The stack never touches media. It asks for an SDP with
//! [`Event::LocalDescriptionNeeded`] and is handed it with
//! [`UserAgent::set_local_description`]; it passes the peer's SDP up with
//! [`Event::RemoteDescription`].

mod types;

pub use types::{
    CallHandle, CallState, Config, DropReason, DtmfFormat, EndReason, Event, Gruu, MediaKind,
    MessageHandle, Output, RegistrationFailure, RegistrationState, Resources, SdpKind,
    SubscriptionHandle, SubscriptionState, Transport, UaError,
};

use crate::time::Instant;

/// A SIP user agent over one WebSocket flow (RFC 7118).
pub struct UserAgent {
    config: Config,
}

impl UserAgent {
    /// A user agent with `config`, its RNG seeded with `seed` (draw it from a
    /// cryptographic source in production; fix it in tests).
    pub fn new(config: Config, seed: [u8; 32], now: Instant) -> Self {
        let _ = (seed, now);
        UserAgent { config }
    }

    // ---- inputs ----

    /// The WebSocket is open. Re-registers if a registration was wanted
    /// (RFC 5626 §4.4.1 flow recovery) and starts keep-alives.
    pub fn handle_transport_connected(&mut self, now: Instant) {
        let _ = now;
    }

    /// One WebSocket frame arrived: a SIP request or response, or a CRLF
    /// keep-alive pong (RFC 5626 §3.5.1).
    pub fn handle_message(&mut self, now: Instant, bytes: &[u8]) {
        let _ = (now, bytes);
    }

    /// A deadline given by [`Output::Timeout`] passed (early or late calls are
    /// fine: only expired timers fire).
    pub fn handle_timeout(&mut self, now: Instant) {
        let _ = now;
    }

    /// The WebSocket closed. Pending transactions fail; calls stay until their
    /// own timers decide, registration waits for the next connection.
    pub fn handle_transport_closed(&mut self, now: Instant) {
        let _ = now;
    }

    // ---- commands: registration ----

    /// Starts (or restarts) registration (RFC 3261 §10.2, RFC 5626 §4.2).
    pub fn register(&mut self, now: Instant) {
        let _ = now;
    }

    /// Removes our binding (Expires: 0, RFC 3261 §10.2.2).
    pub fn unregister(&mut self, now: Instant) {
        let _ = now;
    }

    // ---- commands: calls ----

    /// Places a call to `target` (a SIP URI or `user@host`). The stack first
    /// asks for an offer with [`Event::LocalDescriptionNeeded`]; the INVITE
    /// leaves on [`UserAgent::set_local_description`].
    pub fn call(
        &mut self,
        now: Instant,
        target: &str,
        media: MediaKind,
    ) -> Result<CallHandle, UaError> {
        let _ = (now, target, media);
        Err(UaError::NotConnected)
    }

    /// Places a call with an INVITE without SDP (RFC 3261 §13.2.1): the offer
    /// comes in the 2xx and our answer goes in the ACK.
    pub fn call_without_offer(
        &mut self,
        now: Instant,
        target: &str,
    ) -> Result<CallHandle, UaError> {
        let _ = (now, target);
        Err(UaError::NotConnected)
    }

    /// Hands the stack the SDP it asked for with
    /// [`Event::LocalDescriptionNeeded`].
    pub fn set_local_description(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: String,
    ) -> Result<(), UaError> {
        let _ = (now, call, sdp);
        Err(UaError::NoSuchCall)
    }

    /// Sends 180 Ringing for an incoming call (automatic when
    /// [`Config::auto_ringing`] is set).
    pub fn ring(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Accepts an incoming call. The 200 leaves once the answer (or, for an
    /// INVITE without SDP, the offer) is set.
    pub fn answer(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Rejects an incoming call with a 4xx-6xx `status` (486 busy, 603
    /// decline...).
    pub fn reject(&mut self, now: Instant, call: CallHandle, status: u16) -> Result<(), UaError> {
        let _ = (now, call, status);
        Err(UaError::NoSuchCall)
    }

    /// Ends a call whatever its state: CANCEL before the answer, BYE after,
    /// 603 for an unanswered incoming call.
    pub fn hangup(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Puts a connected call on hold: re-INVITE with our last SDP turned
    /// `sendonly` (or `inactive` if the peer holds us too; RFC 3264 §8.4).
    pub fn hold(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Takes a call off hold: re-INVITE with our SDP back to `sendrecv`.
    pub fn resume(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Starts a new offer/answer exchange on a connected call (ICE restart,
    /// adding or removing video): the stack asks for an offer with
    /// [`Event::LocalDescriptionNeeded`] and sends it in a re-INVITE.
    pub fn renegotiate(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Sends one DTMF digit in an INFO request.
    pub fn send_dtmf_info(
        &mut self,
        now: Instant,
        call: CallHandle,
        digit: char,
        duration_ms: u32,
        format: DtmfFormat,
    ) -> Result<(), UaError> {
        let _ = (now, call, digit, duration_ms, format);
        Err(UaError::NoSuchCall)
    }

    /// Sends a MESSAGE (RFC 3428) outside any dialog.
    pub fn send_message(
        &mut self,
        now: Instant,
        target: &str,
        content_type: &str,
        body: &str,
    ) -> Result<MessageHandle, UaError> {
        let _ = (now, target, content_type, body);
        Err(UaError::NotConnected)
    }

    /// Blind transfer: REFER the peer of `call` to `target` (RFC 3515, RFC 5589
    /// §6). Progress comes as [`Event::TransferProgress`].
    pub fn refer(&mut self, now: Instant, call: CallHandle, target: &str) -> Result<(), UaError> {
        let _ = (now, call, target);
        Err(UaError::NoSuchCall)
    }

    /// Attended transfer: REFER the peer of `call` to the peer of `other`, with
    /// a Replaces naming `other`'s dialog (RFC 5589 §7, RFC 3891).
    pub fn refer_replacing(
        &mut self,
        now: Instant,
        call: CallHandle,
        other: CallHandle,
    ) -> Result<(), UaError> {
        let _ = (now, call, other);
        Err(UaError::NoSuchCall)
    }

    /// Acts on a [`Event::TransferRequested`]: places the new call and reports
    /// its progress to the referrer in sipfrag NOTIFYs. The stack asks for
    /// the new call's offer as for [`UserAgent::call`].
    pub fn accept_transfer(
        &mut self,
        now: Instant,
        call: CallHandle,
    ) -> Result<CallHandle, UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Refuses a [`Event::TransferRequested`]: a final NOTIFY with 603.
    pub fn reject_transfer(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = (now, call);
        Err(UaError::NoSuchCall)
    }

    /// Subscribes to `event` at `target` (RFC 6665 §4.1). Refreshed before
    /// expiry until [`UserAgent::unsubscribe`].
    pub fn subscribe(
        &mut self,
        now: Instant,
        target: &str,
        event: &str,
        expires: u32,
    ) -> Result<SubscriptionHandle, UaError> {
        let _ = (now, target, event, expires);
        Err(UaError::NotConnected)
    }

    /// Ends a subscription we created (SUBSCRIBE with Expires: 0).
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        subscription: SubscriptionHandle,
    ) -> Result<(), UaError> {
        let _ = (now, subscription);
        Err(UaError::NoSuchSubscription)
    }

    /// Sends a NOTIFY on a subscription someone made to us
    /// ([`Event::IncomingSubscription`]); `terminate` ends it.
    pub fn notify(
        &mut self,
        now: Instant,
        subscription: SubscriptionHandle,
        content_type: &str,
        body: &str,
        terminate: bool,
    ) -> Result<(), UaError> {
        let _ = (now, subscription, content_type, body, terminate);
        Err(UaError::NoSuchSubscription)
    }

    // ---- getters ----

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where the registration stands.
    pub fn registration_state(&self) -> RegistrationState {
        RegistrationState::Unregistered
    }

    /// The state of `call`, if the stack still knows it.
    pub fn call_state(&self, call: CallHandle) -> Option<CallState> {
        let _ = call;
        None
    }

    /// Live transactions, dialogs, timers, calls and subscriptions.
    pub fn resources(&self) -> Resources {
        Resources::default()
    }

    /// Live client and server transactions.
    pub fn transaction_count(&self) -> usize {
        self.resources().transactions
    }

    /// Live dialogs.
    pub fn dialog_count(&self) -> usize {
        self.resources().dialogs
    }

    /// Armed timers.
    pub fn pending_timer_count(&self) -> usize {
        self.resources().timers
    }

    // ---- output ----

    /// The next thing the driver must do, or `None` when drained.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        None
    }
}
