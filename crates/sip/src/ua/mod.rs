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

mod build;
mod call;
mod register;
mod server;
mod subscription;
mod types;

pub use types::{
    CallHandle, CallState, Config, DropReason, DtmfFormat, EndReason, Event, Gruu, MediaKind,
    MessageHandle, Output, RegistrationFailure, RegistrationState, Resources, SdpKind,
    SubscriptionHandle, SubscriptionState, Transport, UaError,
};

use std::collections::{BTreeMap, VecDeque};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

use crate::auth::cnonce_from_random;
use crate::message::Message;
use crate::time::{Duration, Instant};
use crate::transaction::{TimerConfig, TransactionTable};

use call::Call;
use register::{KeepAlive, Registration};

/// Who a client transaction reports to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Owner {
    /// The registration.
    Register,
    /// A call's INVITE, re-INVITE, BYE, INFO...
    Call(CallHandle),
    /// An out-of-dialog MESSAGE.
    Message(MessageHandle),
    /// A SUBSCRIBE of a subscription we created.
    Subscription(SubscriptionHandle),
    /// Nobody waits for the result (BYE of a forked leg, CANCEL).
    Nobody,
}

/// A MESSAGE in flight, kept to answer a challenge once.
#[derive(Clone, Debug)]
struct PendingMessage {
    target: crate::uri::Uri,
    content_type: String,
    body: String,
    call_id: String,
    from_tag: String,
    cseq: u32,
    authenticated: bool,
}

/// A SIP user agent over one WebSocket flow (RFC 7118).
pub struct UserAgent {
    config: Config,
    timers: TimerConfig,
    rng: ChaCha20Rng,
    out: VecDeque<Output>,
    transactions: TransactionTable<Owner>,
    connected: bool,
    /// RFC 7118 §5: the random `.invalid` host of our Via and Contact.
    host: String,
    /// The user part of our Contact.
    contact_user: String,
    registration: Registration,
    keepalive: KeepAlive,
    /// Boxed: a call is large, and the map moves its values around.
    calls: BTreeMap<CallHandle, Box<Call>>,
    messages: BTreeMap<MessageHandle, PendingMessage>,
    subscriptions: BTreeMap<SubscriptionHandle, subscription::Subscription>,
    next_handle: u32,
    digest: crate::auth::DigestClient,
    /// The challenges met by requests retried with credentials, by the
    /// client transaction of the retry (RFC 3261 §22.2: once per challenge
    /// and request).
    auth_attempts:
        std::collections::HashMap<crate::transaction::TransactionKey, crate::auth::AuthAttempt>,
    /// The attempt of a retry decided on but not sent yet.
    pending_attempt: Option<crate::auth::AuthAttempt>,
    /// What [`crate::validate::validate_request`] checks incoming requests
    /// against.
    capabilities: crate::validate::Capabilities,
    /// The deadline was handed out since the last input or command.
    timeout_reported: bool,
    /// Header values of earlier requests found well-formed.
    checked_values: crate::validate::CheckedValues,
    /// The last request that started a server transaction, with its key.
    served: Option<(
        std::sync::Arc<crate::message::Request>,
        std::sync::Arc<crate::transaction::TransactionKey>,
    )>,
}

impl UserAgent {
    /// A user agent with `config`, its RNG seeded with `seed` (draw it from a
    /// cryptographic source in production; fix it in tests).
    pub fn new(config: Config, seed: [u8; 32], now: Instant) -> Self {
        let _ = now;
        let mut rng = ChaCha20Rng::from_seed(seed);
        let host = format!("{}.invalid", random_token(&mut rng, 12));
        let contact_user = random_token(&mut rng, 8);
        let timers = TimerConfig { t1: config.t1 };
        let digest =
            crate::auth::DigestClient::new(config.auth_username.clone(), config.password.clone());
        let registration = Registration::new(&mut rng, config.register_expires);
        let capabilities = Self::capabilities_of(&config);
        UserAgent {
            config,
            timers,
            rng,
            out: VecDeque::new(),
            transactions: TransactionTable::new(timers),
            connected: false,
            host,
            contact_user,
            registration,
            keepalive: KeepAlive::default(),
            calls: BTreeMap::new(),
            messages: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            next_handle: 1,
            digest,
            auth_attempts: std::collections::HashMap::new(),
            pending_attempt: None,
            capabilities,
            timeout_reported: false,
            served: None,
            checked_values: crate::validate::CheckedValues::new(),
        }
    }

    // ---- inputs ----

    /// The WebSocket is open. Re-registers if a registration was wanted
    /// (RFC 5626 §4.4.1 flow recovery) and starts keep-alives.
    pub fn handle_transport_connected(&mut self, now: Instant) {
        self.connected = true;
        if self.registration.wanted {
            self.send_register(now);
        }
    }

    /// One WebSocket frame arrived: a SIP request or response, or a CRLF
    /// keep-alive pong (RFC 5626 §3.5.1).
    pub fn handle_message(&mut self, now: Instant, bytes: &[u8]) {
        if !bytes.is_empty() && bytes.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            self.handle_keepalive(now, bytes);
            return;
        }
        log::trace!("received {}", first_line(bytes));
        match Message::parse(bytes) {
            Ok(Message::Request(request)) => self.handle_request(now, request),
            Ok(Message::Response(response)) => self.handle_response(now, response),
            Err(error) => self.handle_unparsable(now, bytes, &error.to_string()),
        }
        self.fire_timers(now);
    }

    /// A deadline given by [`Output::Timeout`] passed (early or late calls are
    /// fine: only expired timers fire).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.timeout_reported = false;
        self.fire_timers(now);
    }

    /// The WebSocket closed. Pending transactions fail; calls that were not
    /// yet answered end, registration waits for the next connection.
    pub fn handle_transport_closed(&mut self, now: Instant) {
        self.connected = false;
        self.keepalive = KeepAlive::default();
        for failure in self.transactions.handle_transport_closed() {
            self.client_failed(now, failure.owner, &failure.request, failure.error);
        }
        let handles: Vec<CallHandle> = self.calls.keys().copied().collect();
        for handle in handles {
            self.end_call(handle, EndReason::TransportClosed);
        }
        self.drop_subscriptions();
        if self.registration.wanted {
            self.registration.phase = register::Phase::Idle;
            self.set_registration(RegistrationState::Registering);
        }
    }

    // ---- commands: registration ----

    /// Starts (or restarts) registration (RFC 3261 §10.2, RFC 5626 §4.2).
    pub fn register(&mut self, now: Instant) {
        self.registration.wanted = true;
        self.registration.expires = self.config.register_expires;
        self.registration.min_expires_retried = false;
        self.digest.handle_success();
        self.send_register(now);
    }

    /// Removes our binding (Expires: 0, RFC 3261 §10.2.2).
    pub fn unregister(&mut self, now: Instant) {
        self.registration.wanted = false;
        self.send_unregister(now);
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
        self.start_call(now, target, media, true, None)
    }

    /// Places a call with an INVITE without SDP (RFC 3261 §13.2.1): the offer
    /// comes in the 2xx and our answer goes in the ACK.
    pub fn call_without_offer(
        &mut self,
        now: Instant,
        target: &str,
    ) -> Result<CallHandle, UaError> {
        self.start_call(now, target, MediaKind::Audio, false, None)
    }

    /// Hands the stack the SDP it asked for with
    /// [`Event::LocalDescriptionNeeded`].
    pub fn set_local_description(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: String,
    ) -> Result<(), UaError> {
        let result = self.local_description(now, call, sdp);
        self.fire_timers(now);
        result
    }

    /// Sends 180 Ringing for an incoming call (automatic when
    /// [`Config::auto_ringing`] is set).
    pub fn ring(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        self.send_ringing(now, call)
    }

    /// Early media on an unanswered incoming call: the stack asks for the
    /// answer to the caller's offer with [`Event::LocalDescriptionNeeded`]
    /// and sends it in a 183 Session Progress (reliably, RFC 3262, when the
    /// caller supports 100rel). A later [`UserAgent::answer`] reuses that
    /// answer without asking again.
    pub fn early_media(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        self.start_early_media(now, call)
    }

    /// Accepts an incoming call. The 200 leaves once the answer (or, for an
    /// INVITE without SDP, the offer) is set.
    pub fn answer(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        self.accept_call(now, call)
    }

    /// Rejects an incoming call with a 4xx-6xx `status` (486 busy, 603
    /// decline...).
    pub fn reject(&mut self, now: Instant, call: CallHandle, status: u16) -> Result<(), UaError> {
        let result = self.reject_call(now, call, status);
        self.fire_timers(now);
        result
    }

    /// Ends a call whatever its state: CANCEL before the answer, BYE after,
    /// 603 for an unanswered incoming call.
    pub fn hangup(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let result = self.hangup_call(now, call);
        self.fire_timers(now);
        result
    }

    /// Puts a connected call on hold: re-INVITE with our last SDP turned
    /// `sendonly` (or `inactive` if the peer holds us too; RFC 3264 §8.4).
    pub fn hold(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        self.change_hold(now, call, true)
    }

    /// Takes a call off hold: re-INVITE with our SDP back to `sendrecv`.
    pub fn resume(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        self.change_hold(now, call, false)
    }

    /// Starts a new offer/answer exchange on a connected call (ICE restart,
    /// adding or removing video): the stack asks for an offer with
    /// [`Event::LocalDescriptionNeeded`] and sends it in a re-INVITE.
    pub fn renegotiate(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        self.start_renegotiation(now, call)
    }

    /// Starts an offer/answer exchange by UPDATE (RFC 3311), also in an
    /// early dialog once the first offer/answer is done: the stack asks for
    /// an offer with [`Event::LocalDescriptionNeeded`].
    pub fn update(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let _ = now;
        self.start_update(call)
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
        self.send_info_dtmf(now, call, digit, duration_ms, format)
    }

    /// Sends a MESSAGE (RFC 3428) outside any dialog.
    pub fn send_message(
        &mut self,
        now: Instant,
        target: &str,
        content_type: &str,
        body: &str,
    ) -> Result<MessageHandle, UaError> {
        self.send_page(now, target, content_type, body)
    }

    /// Blind transfer: REFER the peer of `call` to `target` (RFC 3515, RFC 5589
    /// §6). Progress comes as [`Event::TransferProgress`].
    pub fn refer(&mut self, now: Instant, call: CallHandle, target: &str) -> Result<(), UaError> {
        let uri = self.target(target)?;
        let result = self.send_refer(now, call, &format!("<{uri}>"));
        self.fire_timers(now);
        result
    }

    /// Attended transfer: REFER the peer of `call` to the peer of `other`, with
    /// a Replaces naming `other`'s dialog (RFC 5589 §7, RFC 3891).
    pub fn refer_replacing(
        &mut self,
        now: Instant,
        call: CallHandle,
        other: CallHandle,
    ) -> Result<(), UaError> {
        let refer_to = self.replacing_target(other)?;
        let result = self.send_refer(now, call, &refer_to);
        self.fire_timers(now);
        result
    }

    /// Acts on a [`Event::TransferRequested`]: places the new call and reports
    /// its progress to the referrer in sipfrag NOTIFYs. The stack asks for
    /// the new call's offer as for [`UserAgent::call`].
    pub fn accept_transfer(
        &mut self,
        now: Instant,
        call: CallHandle,
    ) -> Result<CallHandle, UaError> {
        let result = self.start_transfer(now, call);
        self.fire_timers(now);
        result
    }

    /// Refuses a [`Event::TransferRequested`]: a final NOTIFY with 603.
    pub fn reject_transfer(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let result = self.refuse_transfer(now, call);
        self.fire_timers(now);
        result
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
        let result = self.start_subscription(now, target, event, expires);
        self.fire_timers(now);
        result
    }

    /// Ends a subscription we created (SUBSCRIBE with Expires: 0).
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        subscription: SubscriptionHandle,
    ) -> Result<(), UaError> {
        let result = self.stop_subscription(now, subscription);
        self.fire_timers(now);
        result
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
        let result = self.notify_subscriber(now, subscription, content_type, body, terminate);
        self.fire_timers(now);
        result
    }

    // ---- getters ----

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where the registration stands.
    pub fn registration_state(&self) -> RegistrationState {
        self.registration.public.clone()
    }

    /// The state of `call`, if the stack still knows it.
    pub fn call_state(&self, call: CallHandle) -> Option<CallState> {
        self.calls.get(&call).map(|c| c.public.clone())
    }

    /// Live transactions, dialogs, timers, calls and subscriptions.
    pub fn resources(&self) -> Resources {
        let call_timers: usize = self.calls.values().map(|c| c.timer_count()).sum();
        let dialogs: usize = self.calls.values().map(|c| c.dialog_count()).sum::<usize>()
            + self
                .subscriptions
                .values()
                .map(subscription::Subscription::dialog_count)
                .sum::<usize>();
        let subscription_timers = self
            .subscriptions
            .values()
            .filter(|s| s.deadline().is_some())
            .count();
        Resources {
            transactions: self.transactions.len(),
            dialogs,
            timers: self.transactions.timer_count()
                + call_timers
                + self.registration.timer_count()
                + self.keepalive.timer_count()
                + subscription_timers,
            calls: self.calls.len(),
            subscriptions: self.refer_subscriptions() + self.subscriptions.len(),
        }
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

    /// The next thing the driver must do, or `None` when drained. The
    /// earliest deadline comes last, once per drain.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        if let Some(output) = self.out.pop_front() {
            return Some(output);
        }
        if self.timeout_reported {
            return None;
        }
        self.timeout_reported = true;
        self.next_timeout().map(Output::Timeout)
    }

    /// The earliest armed deadline.
    pub fn next_timeout(&self) -> Option<Instant> {
        let call = self.calls.values().filter_map(|c| c.deadline()).min();
        let subscription = self
            .subscriptions
            .values()
            .filter_map(subscription::Subscription::deadline)
            .min();
        [
            subscription,
            self.transactions.next_deadline(),
            call,
            self.registration.deadline(),
            self.keepalive.deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    // ---- internals shared by the submodules ----

    /// Whether some armed deadline is at or before `now`: whether
    /// [`UserAgent::next_timeout`] is, stopping at the first one due.
    fn timer_due(&self, now: Instant) -> bool {
        let due = |deadline: Option<Instant>| deadline.is_some_and(|t| t <= now);
        due(self.transactions.next_deadline())
            || due(self.registration.deadline())
            || due(self.keepalive.deadline())
            || self.calls.values().any(|c| due(c.deadline()))
            || self
                .subscriptions
                .values()
                .any(|s| due(subscription::Subscription::deadline(s)))
    }

    fn emit(&mut self, event: Event) {
        if let Event::Dropped(reason) = &event {
            log::debug!("dropped a message: {reason:?}");
        }
        self.timeout_reported = false;
        self.out.push_back(Output::Event(event));
    }

    fn transmit(&mut self, bytes: Vec<u8>) {
        log::trace!("sending {}", first_line(&bytes));
        self.timeout_reported = false;
        self.out.push_back(Output::Transmit(bytes));
    }

    /// Fires every expired timer until none is due, then queues the next
    /// deadline as the last output.
    fn fire_timers(&mut self, now: Instant) {
        // Zero-length timers (D, I, J, K) expire in the same step; loop until
        // nothing is due. Each round removes or re-arms what fired.
        for _ in 0..64 {
            if !self.timer_due(now) {
                break;
            }
            let (clients, servers) = self.transactions.handle_timeout(now);
            for failure in clients {
                self.client_failed(now, failure.owner, &failure.request, failure.error);
            }
            for failure in servers {
                self.server_failed(now, &failure.request);
            }
            self.registration_timers(now);
            self.keepalive_timers(now);
            self.call_timers(now);
            self.subscription_timers(now);
        }
        self.timeout_reported = false;
    }

    fn next_handle(&mut self) -> u32 {
        let handle = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(1).max(1);
        handle
    }

    fn random_hex(&mut self, bytes: usize) -> String {
        random_token(&mut self.rng, bytes)
    }

    /// A uniformly drawn number below 2^31.
    fn random_u31(&mut self) -> u32 {
        self.rng.next_u32() >> 1
    }

    /// A uniformly drawn duration in `[low, high)` milliseconds.
    fn random_millis(&mut self, low: u64, high: u64) -> Duration {
        let span = high.saturating_sub(low).max(1);
        Duration::from_millis(low + self.rng.next_u64() % span)
    }

    fn cnonce(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        cnonce_from_random(&bytes)
    }
}

/// `bytes` random bytes as lower-case hex.
fn random_token(rng: &mut ChaCha20Rng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes * 2);
    push_random_hex(rng, bytes, &mut out);
    out
}

/// Appends `bytes` random bytes as lower-case hex to `out`.
fn push_random_hex(rng: &mut ChaCha20Rng, bytes: usize, out: &mut String) {
    let mut buf = [0u8; 32];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(buf.len());
        let chunk = buf.get_mut(..n).unwrap_or_default();
        rng.fill_bytes(chunk);
        push_hex(chunk, out);
        left -= n;
    }
}

/// Appends `bytes` as lower-case hex to `out`.
fn push_hex(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            out.push(char::from(
                HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
}

/// The start line of a message for a log line: the method and Request-URI or
/// the status, never a header (so never credentials), at most 160 bytes.
fn first_line(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let end = crate::syntax::find_byte2(b'\r', b'\n', bytes)
        .unwrap_or(bytes.len())
        .min(160);
    String::from_utf8_lossy(bytes.get(..end).unwrap_or_default())
}
