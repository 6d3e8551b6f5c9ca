//! Public value types of the user agent: configuration, handles, events.

use crate::time::{Duration, Instant};

/// Which WebSocket flavour carries SIP (RFC 7118 §5): it names the Via
/// transport (`SIP/2.0/WS` or `SIP/2.0/WSS`). The Contact always carries
/// `transport=ws` (RFC 7118 §5.2, for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Transport {
    /// Plain WebSocket (`ws://`).
    Ws,
    /// WebSocket over TLS (`wss://`).
    #[default]
    Wss,
}

impl Transport {
    /// The Via transport token (RFC 7118 §5.1).
    pub fn via_token(self) -> &'static str {
        match self {
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
        }
    }
}

/// How the user agent is set up. Build with [`Config::new`] and adjust the
/// public fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Address of record, e.g. `sip:alice@example.com` (RFC 3261 §10.2: To and
    /// From of REGISTER).
    pub aor: String,
    /// Display name put in From of requests this UA originates.
    pub display_name: Option<String>,
    /// User name for digest authentication (RFC 3261 §22).
    pub auth_username: String,
    /// Password for digest authentication. Never logged or printed.
    pub password: String,
    /// Request-URI of REGISTER; default: `sip:` + the domain of [`Config::aor`].
    pub registrar: Option<String>,
    /// Outbound proxy URI put as a loose Route (with `;lr`) on every
    /// out-of-dialog request when no Service-Route was learnt.
    pub outbound_proxy: Option<String>,
    /// WS or WSS (Via transport token).
    pub transport: Transport,
    /// A stable per-device UUID (`xxxxxxxx-xxxx-...`) for RFC 5626
    /// `+sip.instance`; with it REGISTER carries `reg-id` and the Contact `;ob`.
    pub instance_id: Option<String>,
    /// RFC 5626 `reg-id` (§4.2).
    pub reg_id: u32,
    /// Requested registration lifetime in seconds (Expires of REGISTER).
    pub register_expires: u32,
    /// RFC 3261 T1: round-trip estimate, 500 ms by default (Table 4).
    pub t1: Duration,
    /// RFC 5626 §4.4.1: send a CRLFCRLF ping this often while registered.
    /// `None` disables keep-alives.
    pub keepalive_interval: Option<Duration>,
    /// RFC 5626 §4.4.1: a ping unanswered by a CRLF pong within this time means
    /// the flow failed (`Event::FlowFailed`). RFC 5626 suggests 10 s.
    pub keepalive_timeout: Duration,
    /// RFC 4028: Session-Expires we ask for on calls (seconds); `None` turns
    /// session timers off for calls we place.
    pub session_expires: Option<u32>,
    /// RFC 4028 Min-SE we accept (seconds, at least 90).
    pub min_se: u32,
    /// Give up on an unanswered outgoing call after this long (CANCEL sent;
    /// ends with [`EndReason::NoAnswer`]). `None`: only Timer C/B limits.
    pub no_answer_timeout: Option<Duration>,
    /// Send 180 Ringing automatically when an INVITE arrives.
    pub auto_ringing: bool,
    /// Offer `100rel` (RFC 3262) in Supported and send reliable provisional
    /// responses when the caller requires or supports it.
    pub reliable_provisional: bool,
    /// Value of the User-Agent header, if any.
    pub user_agent: Option<String>,
}

impl Config {
    /// A configuration with the RFC defaults: WSS, T1 = 500 ms, 600 s
    /// registrations, keep-alive every 30 s with a 10 s pong timeout, session
    /// timers of 1800 s with Min-SE 90 s, 100rel supported.
    pub fn new(
        aor: impl Into<String>,
        auth_username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Config {
            aor: aor.into(),
            display_name: None,
            auth_username: auth_username.into(),
            password: password.into(),
            registrar: None,
            outbound_proxy: None,
            transport: Transport::Wss,
            instance_id: None,
            reg_id: 1,
            register_expires: 600,
            t1: Duration::from_millis(500),
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_timeout: Duration::from_secs(10),
            session_expires: Some(1800),
            min_se: 90,
            no_answer_timeout: Some(Duration::from_secs(60)),
            auto_ringing: true,
            reliable_provisional: true,
            user_agent: None,
        }
    }
}

/// A call, as the application names it (STYLE.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub u32);

/// An out-of-dialog MESSAGE this UA sent (RFC 3428).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageHandle(pub u32);

/// A subscription, in either role (RFC 6665).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionHandle(pub u32);

/// The media a call starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// Audio only.
    Audio,
    /// Audio and video.
    AudioVideo,
}

/// Offer or answer (RFC 3264).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SdpKind {
    /// An SDP offer.
    Offer,
    /// An SDP answer.
    Answer,
}

/// How DTMF is carried in INFO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtmfFormat {
    /// `application/dtmf-relay`: `Signal=5\r\nDuration=160\r\n`.
    Relay,
    /// `application/dtmf`: the bare digit.
    Dtmf,
}

/// A GRUU the registrar assigned (RFC 5627 §4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gruu {
    /// The public GRUU (`pub-gruu`).
    pub public: Option<String>,
    /// The temporary GRUU (`temp-gruu`).
    pub temporary: Option<String>,
}

/// Where the registration stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    /// Not registered, and not trying.
    Unregistered,
    /// A REGISTER is in flight.
    Registering,
    /// The registrar accepted the binding.
    Registered {
        /// Seconds the registrar granted.
        expires: u32,
        /// GRUUs, when the registrar offered them.
        gruu: Option<Gruu>,
    },
    /// A REGISTER is removing the binding.
    Unregistering,
    /// Registration failed; the UA stops trying until `register` is called.
    Failed(RegistrationFailure),
}

/// Why registration failed, in words a person understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationFailure {
    /// The registrar rejected our credentials (second challenge for the same
    /// nonce, or a challenge we cannot answer).
    WrongCredentials,
    /// The registrar did not answer in time (Timer F, RFC 3261 §17.1.2.2).
    Timeout,
    /// The transport closed.
    TransportClosed,
    /// A final response we cannot recover from.
    Rejected {
        /// Status code.
        status: u16,
        /// Reason phrase from the registrar.
        reason: String,
    },
}

/// State of one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallState {
    /// Outgoing: INVITE sent (or waiting for the local offer).
    Calling,
    /// Incoming call waiting for `answer` or `reject`.
    Incoming,
    /// Outgoing: 180 received; incoming: 180 sent.
    Ringing,
    /// Early media: a provisional response with SDP (183).
    Early,
    /// 2xx exchanged; media flows.
    Connected,
    /// We put the call on hold (our SDP is sendonly or inactive).
    Held,
    /// The remote side put us on hold (its SDP is sendonly or inactive).
    RemoteHeld,
    /// The call is over.
    Ended(EndReason),
}

/// Why a call ended, mapped from SIP status codes (RFC 3261 §21).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// We hung up, cancelled or rejected.
    LocalHangup,
    /// The remote side hung up (BYE) or cancelled.
    RemoteHangup,
    /// 486 Busy Here / 600 Busy Everywhere.
    Busy,
    /// 603 Decline.
    Declined,
    /// 404 Not Found / 604 Does Not Exist Anywhere.
    NotFound,
    /// 480 Temporarily Unavailable / 503 Service Unavailable.
    Unavailable,
    /// 408 Request Timeout or 487 after our no-answer timeout.
    NoAnswer,
    /// No response at all (Timer B, RFC 3261 §17.1.1.2).
    Timeout,
    /// 401/407 we could not satisfy.
    AuthenticationFailed,
    /// The session timer ran out (RFC 4028 §10).
    SessionExpired,
    /// Replaced by another dialog (RFC 3891).
    Replaced,
    /// The call was transferred away (RFC 3515).
    Transferred,
    /// The transport closed while the call was up.
    TransportClosed,
    /// Media negotiation failed (488/606, or no usable answer).
    MediaFailed,
    /// Any other final response.
    Failed {
        /// Status code.
        status: u16,
        /// Reason phrase.
        reason: String,
    },
}

impl EndReason {
    /// The reason a failure response to an INVITE gives.
    pub fn from_status(status: u16, reason: &str) -> EndReason {
        match status {
            486 | 600 => EndReason::Busy,
            603 => EndReason::Declined,
            404 | 604 => EndReason::NotFound,
            480 | 503 => EndReason::Unavailable,
            408 | 487 => EndReason::NoAnswer,
            401 | 407 => EndReason::AuthenticationFailed,
            488 | 606 => EndReason::MediaFailed,
            _ => EndReason::Failed {
                status,
                reason: reason.to_owned(),
            },
        }
    }
}

/// State of a subscription (RFC 6665 §4.1.2, §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionState {
    /// SUBSCRIBE sent, nothing accepted yet.
    Pending,
    /// Active until the given instant.
    Active {
        /// When the subscription lapses unless refreshed.
        expires_at: Instant,
    },
    /// Over, with the reason from Subscription-State or the failure.
    Terminated {
        /// The `reason` parameter or a status text.
        reason: String,
    },
}

/// Why a message was dropped without a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Bytes that do not parse as SIP (RFC 3261 §18.3; responses and garbage
    /// cannot be answered).
    Unparsable(String),
    /// A response that matches no client transaction (RFC 3261 §17.1.3).
    StrayResponse,
    /// An ACK that matches no transaction or dialog (RFC 3261 §17.2.3).
    StrayAck,
    /// A retransmission absorbed by its transaction.
    Retransmission,
}

/// Something the application should know.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The registration changed state.
    Registration(RegistrationState),
    /// RFC 5626 §4.4.1: a keep-alive ping got no pong in time. The driver
    /// should reconnect; the stack re-registers on `handle_transport_connected`.
    FlowFailed,
    /// A new incoming call. `replaces` names the call an RFC 3891 Replaces
    /// header targets; the application normally answers and the replaced call
    /// ends with [`EndReason::Replaced`].
    IncomingCall {
        /// The new call.
        call: CallHandle,
        /// The caller's URI (From).
        from: String,
        /// The caller's display name.
        display_name: Option<String>,
        /// The offer in the INVITE, if any.
        remote_sdp: Option<String>,
        /// The existing call this INVITE replaces.
        replaces: Option<CallHandle>,
    },
    /// The stack needs an SDP offer or answer: reply with
    /// `set_local_description`.
    LocalDescriptionNeeded {
        /// Which call.
        call: CallHandle,
        /// Offer or answer.
        kind: SdpKind,
        /// The remote offer when an answer is needed.
        remote_sdp: Option<String>,
    },
    /// The remote side sent an offer or answer for the media layer to apply.
    RemoteDescription {
        /// Which call.
        call: CallHandle,
        /// Offer or answer.
        kind: SdpKind,
        /// The SDP.
        sdp: String,
    },
    /// An offer we made was refused or timed out (488, 491 given up, 408):
    /// the media layer returns to the last agreed local and remote SDP.
    RolledBack {
        /// Which call.
        call: CallHandle,
        /// Last agreed local SDP.
        local_sdp: Option<String>,
        /// Last agreed remote SDP.
        remote_sdp: Option<String>,
    },
    /// A call changed state.
    CallState {
        /// Which call.
        call: CallHandle,
        /// The new state.
        state: CallState,
    },
    /// A DTMF digit arrived in INFO.
    Dtmf {
        /// Which call.
        call: CallHandle,
        /// `0-9`, `*`, `#`, `A-D`.
        digit: char,
        /// Milliseconds.
        duration: u32,
    },
    /// An INFO we sent got its final response.
    InfoResult {
        /// Which call.
        call: CallHandle,
        /// Final status code.
        status: u16,
    },
    /// A MESSAGE arrived (RFC 3428), in or out of a dialog.
    Message {
        /// Sender URI.
        from: String,
        /// Content-Type.
        content_type: String,
        /// Body.
        body: String,
    },
    /// A MESSAGE we sent got its final response (or timed out: 408).
    MessageResult {
        /// Which message.
        message: MessageHandle,
        /// Final status code.
        status: u16,
    },
    /// The remote side asks us to transfer a call (REFER, RFC 3515). The
    /// application calls `accept_transfer` or `reject_transfer`.
    TransferRequested {
        /// The call the REFER arrived in.
        call: CallHandle,
        /// The Refer-To URI (without the Replaces header parameter).
        target: String,
        /// For attended transfer: the Replaces value to put in the new INVITE.
        replaces: Option<String>,
    },
    /// Progress of a transfer we asked for: the sipfrag status in a NOTIFY.
    TransferProgress {
        /// The call we sent REFER in.
        call: CallHandle,
        /// Status of the transferee's new call (100, 180, 200, 486...).
        status: u16,
        /// The subscription ended with this NOTIFY.
        done: bool,
    },
    /// A subscription changed state: one we created (pending, active,
    /// terminated), or one made to us when it ends.
    Subscription {
        /// Which subscription.
        subscription: SubscriptionHandle,
        /// Its state.
        state: SubscriptionState,
    },
    /// A NOTIFY arrived for a subscription we created.
    Notify {
        /// Which subscription.
        subscription: SubscriptionHandle,
        /// Event package.
        event: String,
        /// Content-Type, if there is a body.
        content_type: Option<String>,
        /// Body.
        body: String,
    },
    /// Someone subscribed to us (RFC 6665 §4.2.1). Answer with `notify`.
    IncomingSubscription {
        /// Which subscription.
        subscription: SubscriptionHandle,
        /// Event package.
        event: String,
        /// Subscriber URI.
        from: String,
    },
    /// RFC 3261 §17.2.1 Timer H: no ACK came within 64*T1 for a failure
    /// response we sent to an INVITE (the peer or a proxy lost it).
    AckTimeout {
        /// The Call-ID of that INVITE.
        call_id: String,
    },
    /// A message was dropped without a response.
    Dropped(DropReason),
}

/// What the driver must do next (see the drain rule in the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send this as one WebSocket frame (a SIP message, or a CRLFCRLF ping).
    Transmit(Vec<u8>),
    /// Tell the application.
    Event(Event),
    /// Call `handle_timeout` at this instant. Comes last, after every
    /// `Transmit` and `Event` of a drain.
    Timeout(Instant),
}

/// Counts of live state, for leak checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    /// Client and server transactions.
    pub transactions: usize,
    /// Early and confirmed dialogs (calls and subscriptions).
    pub dialogs: usize,
    /// Armed timers.
    pub timers: usize,
    /// Calls not yet ended.
    pub calls: usize,
    /// Subscriptions, both roles.
    pub subscriptions: usize,
}

/// Errors of commands given to the user agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UaError {
    /// No call has this handle (or it ended).
    #[error("no such call")]
    NoSuchCall,
    /// No subscription has this handle.
    #[error("no such subscription")]
    NoSuchSubscription,
    /// The target is not a SIP URI.
    #[error("invalid target URI: {0}")]
    InvalidTarget(String),
    /// The command does not fit the call's state (e.g. `answer` on an
    /// outgoing call, `hold` before it is connected).
    #[error("not possible in the current call state: {0}")]
    InvalidState(&'static str),
    /// An offer/answer exchange is already in progress (RFC 3264 §4,
    /// RFC 3261 §14.1).
    #[error("an offer/answer exchange is in progress")]
    NegotiationInProgress,
    /// A status code outside the range the command accepts.
    #[error("invalid status code {0}")]
    InvalidStatus(u16),
    /// The configuration is not usable (e.g. an AOR that is not a SIP URI).
    #[error("invalid configuration: {0}")]
    InvalidConfig(&'static str),
    /// The transport is not connected.
    #[error("transport not connected")]
    NotConnected,
    /// This stack does not implement the feature yet.
    #[error("{0} is not supported")]
    Unsupported(&'static str),
}
