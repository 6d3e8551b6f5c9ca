//! SIP transactions (RFC 3261 §17, RFC 6026) over a reliable transport.
//!
//! Four machines, each its own state enum carrying the data of its state
//! (STYLE.md §2): [`InviteClient`] (§17.1.1), [`NonInviteClient`]
//! (§17.1.2), [`InviteServer`] (§17.2.1) and [`NonInviteServer`] (§17.2.2),
//! with the RFC 6026 `Accepted` state on both INVITE machines.
//!
//! Over WebSocket the transport is reliable, so per RFC 3261 Table 4 the
//! retransmission timers A, E and G never fire and the wait timers D, I, J
//! and K are zero; the timeouts B, F and H (64*T1) and RFC 6026's L and M
//! (64*T1) still apply. [`TimerConfig`] carries T1 and computes them.
//!
//! A machine holds no message parser: the user agent extracts the key
//! ([`TransactionKey`], §17.1.3 / §17.2.3) and hands the machine status codes
//! and serialized responses. Deadlines are plain [`Instant`]s in the states;
//! [`TransactionTable::next_deadline`] gives the earliest and
//! [`TransactionTable::handle_timeout`] fires the expired ones.

mod fields;

pub(crate) use fields::{HeadersExt, cseq_of, tag_in, tag_of, transaction_key};

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::message::{Method, Request};
use crate::time::{Duration, Instant};

/// The magic cookie every RFC 3261 branch starts with (§8.1.1.7).
pub const BRANCH_COOKIE: &str = "z9hG4bK";

/// RFC 3261 Table 4 for a reliable transport, from T1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerConfig {
    /// Round-trip estimate, 500 ms by default.
    pub t1: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
        }
    }
}

impl TimerConfig {
    fn t1_times_64(self) -> Duration {
        self.t1.saturating_mul(64)
    }
    /// Timer B, INVITE transaction timeout: 64*T1.
    pub fn b(self) -> Duration {
        self.t1_times_64()
    }
    /// Timer D, wait for response retransmits: 0 on a reliable transport.
    pub fn d(self) -> Duration {
        Duration::ZERO
    }
    /// Timer F, non-INVITE transaction timeout: 64*T1.
    pub fn f(self) -> Duration {
        self.t1_times_64()
    }
    /// Timer H, wait for ACK receipt: 64*T1.
    pub fn h(self) -> Duration {
        self.t1_times_64()
    }
    /// Timer I, wait for ACK retransmits: 0 on a reliable transport.
    pub fn i(self) -> Duration {
        Duration::ZERO
    }
    /// Timer J, wait for non-INVITE request retransmits: 0 reliable.
    pub fn j(self) -> Duration {
        Duration::ZERO
    }
    /// Timer K, wait for response retransmits: 0 on a reliable transport.
    pub fn k(self) -> Duration {
        Duration::ZERO
    }
    /// Timer L (RFC 6026 §8.7), wait for INVITE retransmits after a 2xx: 64*T1.
    pub fn l(self) -> Duration {
        self.t1_times_64()
    }
    /// Timer M (RFC 6026 §8.4), wait for 2xx retransmits: 64*T1.
    pub fn m(self) -> Duration {
        self.t1_times_64()
    }
    /// T2, the cap of the 2xx retransmission interval (§13.3.1.4): 4 s.
    pub fn t2(self) -> Duration {
        Duration::from_secs(4)
    }
}

/// Which side of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// We sent the request.
    Client,
    /// We received the request.
    Server,
}

/// What identifies a transaction (RFC 3261 §17.1.3 and §17.2.3): the branch
/// of the top Via, its sent-by, and the method (CSeq method for responses;
/// ACK is keyed as INVITE, since it matches the INVITE's server transaction).
///
/// Keys are read from every message, several times per message, so the
/// branch and sent-by sit in a buffer inside the key when they fit (they do
/// for the branches and hosts this stack makes) and building one allocates
/// nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransactionKey {
    /// Client or server side.
    pub role: Role,
    /// The method; ACK is folded into INVITE.
    pub method: Method,
    /// The branch followed by the sent-by (lower-cased).
    text: KeyText,
    /// Where the branch ends in `text`.
    branch_len: usize,
}

impl TransactionKey {
    /// A key, folding ACK into INVITE (§17.2.3).
    pub fn new(role: Role, branch: &str, sent_by: &str, method: &Method) -> Self {
        let method = if *method == Method::Ack {
            Method::Invite
        } else {
            method.clone()
        };
        TransactionKey {
            role,
            method,
            text: KeyText::new(branch, sent_by),
            branch_len: branch.len(),
        }
    }

    /// The `branch` parameter of the top Via.
    pub fn branch(&self) -> &str {
        self.text.as_str().get(..self.branch_len).unwrap_or("")
    }

    /// `host[:port]` of the top Via (lower-cased).
    pub fn sent_by(&self) -> &str {
        self.text.as_str().get(self.branch_len..).unwrap_or("")
    }
}

/// Bytes of branch and sent-by kept inside a [`TransactionKey`].
const KEY_INLINE: usize = 78;

/// The branch and the lower-cased sent-by of a key, one after the other:
/// inline when they fit, else on the heap.
#[derive(Clone)]
enum KeyText {
    Inline { len: u8, bytes: [u8; KEY_INLINE] },
    Heap(Box<str>),
}

impl KeyText {
    fn new(branch: &str, sent_by: &str) -> Self {
        let len = branch.len() + sent_by.len();
        let mut bytes = [0u8; KEY_INLINE];
        match (bytes.get_mut(..len), u8::try_from(len)) {
            (Some(text), Ok(len)) => {
                let (b, s) = text.split_at_mut(branch.len());
                b.copy_from_slice(branch.as_bytes());
                s.copy_from_slice(sent_by.as_bytes());
                s.make_ascii_lowercase();
                KeyText::Inline { len, bytes }
            }
            _ => {
                let mut text = String::with_capacity(len);
                text.push_str(branch);
                text.push_str(sent_by);
                if let Some(s) = text.get_mut(branch.len()..) {
                    s.make_ascii_lowercase();
                }
                KeyText::Heap(text.into_boxed_str())
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            KeyText::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            KeyText::Heap(text) => text.as_bytes(),
        }
    }

    fn as_str(&self) -> &str {
        // Both parts came in as `&str` and lower-casing ASCII keeps UTF-8.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

impl PartialEq for KeyText {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for KeyText {}

impl std::hash::Hash for KeyText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl std::fmt::Debug for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// Errors of the transaction layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// No final response within Timer B/F (§17.1.1.2, §17.1.2.2).
    #[error("transaction timed out")]
    Timeout,
    /// No ACK for a final non-2xx response within Timer H (§17.2.1).
    #[error("no ACK received")]
    NoAck,
    /// The transport failed (§17.1.4).
    #[error("transport error")]
    Transport,
}

/// What the transaction user must do with a response a client transaction
/// received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientVerdict {
    /// Pass the response to the transaction user.
    Deliver,
    /// Pass it up and send this ACK (non-2xx final to INVITE, §17.1.1.3).
    DeliverAndAck(Request),
    /// A retransmitted final response: resend the ACK, do not pass it up
    /// (§17.1.1.2 Completed state).
    AckOnly(Request),
    /// A retransmission the machine absorbs.
    Absorb,
}

/// RFC 3261 §17.1.1 with RFC 6026 §7.2 (Figure 5): INVITE client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteClient {
    /// INVITE sent; Timer B runs (A does not fire on a reliable transport).
    Calling {
        /// Timer B deadline.
        timer_b: Instant,
    },
    /// A provisional response arrived.
    Proceeding,
    /// A 300-699 arrived and was ACKed; absorbs retransmissions until Timer D.
    Completed {
        /// Timer D deadline (now, on a reliable transport).
        timer_d: Instant,
    },
    /// RFC 6026: a 2xx arrived; further 2xx go to the TU until Timer M.
    Accepted {
        /// Timer M deadline.
        timer_m: Instant,
    },
    /// Done; the table removes it.
    Terminated,
}

/// RFC 3261 §17.1.2 (Figure 6): non-INVITE client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NonInviteClient {
    /// Request sent; Timer F runs (E does not fire on a reliable transport).
    Trying {
        /// Timer F deadline.
        timer_f: Instant,
    },
    /// A provisional response arrived; Timer F still runs.
    Proceeding {
        /// Timer F deadline.
        timer_f: Instant,
    },
    /// A final response arrived; absorbs retransmissions until Timer K.
    Completed {
        /// Timer K deadline (now, on a reliable transport).
        timer_k: Instant,
    },
    /// Done.
    Terminated,
}

/// RFC 3261 §17.2.1 with RFC 6026 §7.1 (Figure 7): INVITE server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteServer {
    /// Request received; `last` is the last provisional sent, resent on a
    /// retransmitted INVITE.
    Proceeding {
        /// Last provisional response on the wire.
        last: Option<Vec<u8>>,
    },
    /// A 300-699 was sent; waiting for the ACK until Timer H.
    Completed {
        /// Timer H deadline.
        timer_h: Instant,
        /// The final response, resent on a retransmitted INVITE.
        response: Vec<u8>,
    },
    /// RFC 6026: a 2xx was sent; retransmitted INVITEs are absorbed until
    /// Timer L. The ACK for a 2xx is a separate transaction (goes to the TU).
    Accepted {
        /// Timer L deadline.
        timer_l: Instant,
    },
    /// The ACK arrived; absorbs ACK retransmissions until Timer I.
    Confirmed {
        /// Timer I deadline (now, on a reliable transport).
        timer_i: Instant,
    },
    /// Done.
    Terminated,
}

/// RFC 3261 §17.2.2 (Figure 8): non-INVITE server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NonInviteServer {
    /// Request received, nothing sent.
    Trying,
    /// A provisional response was sent.
    Proceeding {
        /// The provisional, resent on a retransmitted request.
        last: Vec<u8>,
    },
    /// The final response was sent; absorbs retransmissions until Timer J.
    Completed {
        /// Timer J deadline (now, on a reliable transport).
        timer_j: Instant,
        /// The final response.
        response: Vec<u8>,
    },
    /// Done.
    Terminated,
}

impl InviteClient {
    /// §17.1.1.2: "the client transaction MUST start timer B" when the INVITE
    /// is passed to the transport.
    pub fn start(now: Instant, timers: TimerConfig) -> Self {
        InviteClient::Calling {
            timer_b: now + timers.b(),
        }
    }

    /// A response with `status` arrived.
    pub fn on_response(
        &mut self,
        now: Instant,
        status: u16,
        timers: TimerConfig,
    ) -> InviteClientStep {
        match (&*self, status) {
            // §17.1.1.2: "If the client transaction receives a provisional
            // response while in the Calling state, it transitions to the
            // Proceeding state"; further provisionals are passed up too.
            (InviteClient::Calling { .. } | InviteClient::Proceeding, 100..=199) => {
                *self = InviteClient::Proceeding;
                InviteClientStep::Deliver
            }
            // RFC 6026 §8.4: "If a 2xx response is received while the client
            // INVITE state machine is in the Calling or Proceeding states, it
            // MUST transition to the Accepted state" and start Timer M.
            (InviteClient::Calling { .. } | InviteClient::Proceeding, 200..=299) => {
                *self = InviteClient::Accepted {
                    timer_m: now + timers.m(),
                };
                InviteClientStep::Deliver
            }
            // §17.1.1.2: "When in either the Calling or Proceeding states,
            // reception of a response with status code from 300-699 MUST
            // cause the client transaction to transition to Completed", pass
            // it up and generate an ACK.
            (InviteClient::Calling { .. } | InviteClient::Proceeding, _) => {
                *self = InviteClient::Completed {
                    timer_d: now + timers.d(),
                };
                InviteClientStep::DeliverAndAck
            }
            // RFC 6026 §8.4: in Accepted, "any 2xx response that matches this
            // client transaction MUST be passed up to the TU".
            (InviteClient::Accepted { .. }, 200..=299) => InviteClientStep::Deliver,
            // §17.1.1.2: "Any retransmissions of the final response that are
            // received while in the Completed state MUST cause the ACK to be
            // re-passed to the transport layer", not passed up.
            (InviteClient::Completed { .. }, 300..=699) => InviteClientStep::Ack,
            _ => InviteClientStep::Absorb,
        }
    }

    /// Fires expired timers: `Some(Timeout)` when Timer B expired in Calling.
    pub fn on_timeout(&mut self, now: Instant) -> Option<TransactionError> {
        match *self {
            // §17.1.1.2: "If the client transaction is still in the Calling
            // state when timer B fires, the client transaction SHOULD inform
            // the TU that a timeout has occurred."
            InviteClient::Calling { timer_b } if now >= timer_b => {
                *self = InviteClient::Terminated;
                Some(TransactionError::Timeout)
            }
            // §17.1.1.2: "If timer D fires while the client transaction is in
            // the Completed state, the client transaction MUST move to the
            // terminated state."
            InviteClient::Completed { timer_d } if now >= timer_d => {
                *self = InviteClient::Terminated;
                None
            }
            // RFC 6026 §8.4: "If Timer M fires while the client transaction
            // is in the Accepted state, the client transaction MUST move to
            // the Terminated state."
            InviteClient::Accepted { timer_m } if now >= timer_m => {
                *self = InviteClient::Terminated;
                None
            }
            _ => None,
        }
    }

    /// The armed deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        match *self {
            InviteClient::Calling { timer_b } => Some(timer_b),
            InviteClient::Completed { timer_d } => Some(timer_d),
            InviteClient::Accepted { timer_m } => Some(timer_m),
            InviteClient::Proceeding | InviteClient::Terminated => None,
        }
    }
}

/// What an INVITE client transaction did with a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteClientStep {
    /// Pass it to the TU.
    Deliver,
    /// Pass it to the TU and send the ACK.
    DeliverAndAck,
    /// Resend the ACK only (retransmitted final response).
    Ack,
    /// Drop it.
    Absorb,
}

impl NonInviteClient {
    /// §17.1.2.2: "the client transaction [...] MUST set timer F to fire in
    /// 64*T1 seconds" when it is created.
    pub fn start(now: Instant, timers: TimerConfig) -> Self {
        NonInviteClient::Trying {
            timer_f: now + timers.f(),
        }
    }

    /// A response with `status` arrived; true if the TU must see it.
    pub fn on_response(&mut self, now: Instant, status: u16, timers: TimerConfig) -> bool {
        match *self {
            // §17.1.2.2: "If a provisional response is received while in the
            // Trying state, the response MUST be passed to the TU, and then
            // the client transaction SHOULD move to the Proceeding state."
            NonInviteClient::Trying { timer_f } | NonInviteClient::Proceeding { timer_f }
                if status < 200 =>
            {
                *self = NonInviteClient::Proceeding { timer_f };
                true
            }
            // §17.1.2.2: "If a final response (status codes 200-699) is
            // received while in the 'Trying' [or 'Proceeding'] state, the
            // response MUST be passed to the TU, and the client transaction
            // MUST transition to the 'Completed' state."
            NonInviteClient::Trying { .. } | NonInviteClient::Proceeding { .. } => {
                *self = NonInviteClient::Completed {
                    timer_k: now + timers.k(),
                };
                true
            }
            NonInviteClient::Completed { .. } | NonInviteClient::Terminated => false,
        }
    }

    /// Fires expired timers: `Some(Timeout)` when Timer F expired.
    pub fn on_timeout(&mut self, now: Instant) -> Option<TransactionError> {
        match *self {
            // §17.1.2.2: "If Timer F fires while in the 'Trying' [or
            // 'Proceeding'] state, the client transaction SHOULD inform the TU
            // about the timeout, and then it SHOULD enter the 'Terminated'
            // state."
            NonInviteClient::Trying { timer_f } | NonInviteClient::Proceeding { timer_f }
                if now >= timer_f =>
            {
                *self = NonInviteClient::Terminated;
                Some(TransactionError::Timeout)
            }
            // §17.1.2.2: "If Timer K fires while in this state, the client
            // transaction MUST transition to the 'Terminated' state."
            NonInviteClient::Completed { timer_k } if now >= timer_k => {
                *self = NonInviteClient::Terminated;
                None
            }
            _ => None,
        }
    }

    /// The armed deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        match *self {
            NonInviteClient::Trying { timer_f } | NonInviteClient::Proceeding { timer_f } => {
                Some(timer_f)
            }
            NonInviteClient::Completed { timer_k } => Some(timer_k),
            NonInviteClient::Terminated => None,
        }
    }
}

impl InviteServer {
    /// §17.2.1: "When a server transaction is constructed for a request, it
    /// enters the 'Proceeding' state."
    pub fn start() -> Self {
        InviteServer::Proceeding { last: None }
    }

    /// The TU sends a response (its bytes are `wire`).
    pub fn on_send(&mut self, now: Instant, status: u16, wire: &[u8], timers: TimerConfig) {
        if let InviteServer::Proceeding { last } = self {
            match status {
                // §17.2.1: provisional responses are passed to the transport;
                // the machine stays in Proceeding.
                100..=199 => *last = Some(wire.to_vec()),
                // RFC 6026 §8.5: "If, while in the 'Proceeding' state, the TU
                // passes a 2xx response [...] the server transaction MUST [...]
                // transition to the 'Accepted' state" and start Timer L.
                200..=299 => {
                    *self = InviteServer::Accepted {
                        timer_l: now + timers.l(),
                    }
                }
                // §17.2.1: "If, while in the 'Proceeding' state, the TU passes
                // a response with status code from 300 to 699 [...] the state
                // machine MUST enter the 'Completed' state" with Timer H.
                _ => {
                    *self = InviteServer::Completed {
                        timer_h: now + timers.h(),
                        response: wire.to_vec(),
                    }
                }
            }
        }
    }

    /// A retransmitted INVITE arrived: the bytes to resend, if any
    /// (§17.2.1: "the most recent provisional response [...] MUST be passed
    /// to the transport layer for retransmission"; in Completed the final).
    pub fn on_retransmission(&self) -> Option<Vec<u8>> {
        match self {
            InviteServer::Proceeding { last } => last.clone(),
            InviteServer::Completed { response, .. } => Some(response.clone()),
            _ => None,
        }
    }

    /// An ACK matched this transaction (non-2xx ACK, same branch).
    pub fn on_ack(&mut self, now: Instant, timers: TimerConfig) -> bool {
        match self {
            // §17.2.1: "If an ACK is received while the server transaction is
            // in the 'Completed' state, the server transaction MUST transition
            // to the 'Confirmed' state" and start Timer I.
            InviteServer::Completed { .. } => {
                *self = InviteServer::Confirmed {
                    timer_i: now + timers.i(),
                };
                true
            }
            _ => false,
        }
    }

    /// Fires expired timers: `Some(NoAck)` when Timer H expired.
    pub fn on_timeout(&mut self, now: Instant) -> Option<TransactionError> {
        match *self {
            // §17.2.1: "If timer H fires while in the 'Completed' state, it
            // implies that the ACK was never received. In this case, the
            // server transaction MUST transition to the 'Terminated' state,
            // and MUST indicate to the TU that a transaction failure has
            // occurred."
            InviteServer::Completed { timer_h, .. } if now >= timer_h => {
                *self = InviteServer::Terminated;
                Some(TransactionError::NoAck)
            }
            // §17.2.1: "Once timer I fires, the server MUST transition to the
            // 'Terminated' state."
            InviteServer::Confirmed { timer_i } if now >= timer_i => {
                *self = InviteServer::Terminated;
                None
            }
            // RFC 6026 §8.7: "If Timer L fires while the INVITE server
            // transaction is in the 'Accepted' state, the transaction MUST
            // transition to the 'Terminated' state."
            InviteServer::Accepted { timer_l } if now >= timer_l => {
                *self = InviteServer::Terminated;
                None
            }
            _ => None,
        }
    }

    /// The armed deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        match *self {
            InviteServer::Completed { timer_h, .. } => Some(timer_h),
            InviteServer::Accepted { timer_l } => Some(timer_l),
            InviteServer::Confirmed { timer_i } => Some(timer_i),
            InviteServer::Proceeding { .. } | InviteServer::Terminated => None,
        }
    }
}

impl NonInviteServer {
    /// §17.2.2: "The state machine is initialized in the 'Trying' state."
    pub fn start() -> Self {
        NonInviteServer::Trying
    }

    /// The TU sends a response.
    pub fn on_send(&mut self, now: Instant, status: u16, wire: &[u8], timers: TimerConfig) {
        match self {
            // §17.2.2: "While in the 'Trying' state, if the TU passes a
            // provisional response to the server transaction, the server
            // transaction MUST enter the 'Proceeding' state."
            NonInviteServer::Trying | NonInviteServer::Proceeding { .. } if status < 200 => {
                *self = NonInviteServer::Proceeding {
                    last: wire.to_vec(),
                };
            }
            // §17.2.2: "If the TU passes a final response (status codes
            // 200-699) to the server while in the 'Proceeding' [or 'Trying']
            // state, the transaction MUST enter the 'Completed' state" and
            // set Timer J.
            NonInviteServer::Trying | NonInviteServer::Proceeding { .. } => {
                *self = NonInviteServer::Completed {
                    timer_j: now + timers.j(),
                    response: wire.to_vec(),
                };
            }
            _ => {}
        }
    }

    /// A retransmitted request arrived: the bytes to resend, if any.
    pub fn on_retransmission(&self) -> Option<Vec<u8>> {
        match self {
            NonInviteServer::Proceeding { last } => Some(last.clone()),
            NonInviteServer::Completed { response, .. } => Some(response.clone()),
            _ => None,
        }
    }

    /// Fires expired timers.
    pub fn on_timeout(&mut self, now: Instant) {
        // §17.2.2: "The server transaction remains in this state until Timer
        // J fires, at which point it MUST transition to the 'Terminated'
        // state."
        if let NonInviteServer::Completed { timer_j, .. } = *self {
            if now >= timer_j {
                *self = NonInviteServer::Terminated;
            }
        }
    }

    /// The armed deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        match *self {
            NonInviteServer::Completed { timer_j, .. } => Some(timer_j),
            _ => None,
        }
    }
}

/// One client transaction: its machine and the request it sent (for the
/// ACK of §17.1.1.3 and for CANCEL, §9.1).
#[derive(Debug, Clone)]
pub struct ClientTransaction<O> {
    /// The request as sent.
    pub request: Arc<Request>,
    /// Who the responses go to.
    pub owner: O,
    /// The machine.
    pub machine: ClientMachine,
}

/// The machine of a client transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMachine {
    /// INVITE.
    Invite(InviteClient),
    /// Any other method.
    NonInvite(NonInviteClient),
}

/// One server transaction: its machine and the request it received.
#[derive(Debug, Clone)]
pub struct ServerTransaction {
    /// The request as received.
    pub request: Arc<Request>,
    /// The machine.
    pub machine: ServerMachine,
}

/// The machine of a server transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMachine {
    /// INVITE.
    Invite(InviteServer),
    /// Any other method (ACK never makes a transaction).
    NonInvite(NonInviteServer),
}

impl ClientMachine {
    fn deadline(&self) -> Option<Instant> {
        match self {
            ClientMachine::Invite(m) => m.deadline(),
            ClientMachine::NonInvite(m) => m.deadline(),
        }
    }
    fn is_terminated(&self) -> bool {
        matches!(
            self,
            ClientMachine::Invite(InviteClient::Terminated)
                | ClientMachine::NonInvite(NonInviteClient::Terminated)
        )
    }
}

impl ServerMachine {
    fn deadline(&self) -> Option<Instant> {
        match self {
            ServerMachine::Invite(m) => m.deadline(),
            ServerMachine::NonInvite(m) => m.deadline(),
        }
    }
    fn is_terminated(&self) -> bool {
        matches!(
            self,
            ServerMachine::Invite(InviteServer::Terminated)
                | ServerMachine::NonInvite(NonInviteServer::Terminated)
        )
    }
}

/// A client transaction that failed on a timer, for its owner.
#[derive(Debug, Clone)]
pub struct ClientFailure<O> {
    /// The transaction.
    pub key: TransactionKey,
    /// Its owner.
    pub owner: O,
    /// The request it carried.
    pub request: Arc<Request>,
    /// What happened.
    pub error: TransactionError,
}

/// A server transaction that failed on a timer.
#[derive(Debug, Clone)]
pub struct ServerFailure {
    /// The transaction.
    pub key: TransactionKey,
    /// The request it carried.
    pub request: Arc<Request>,
    /// What happened.
    pub error: TransactionError,
}

/// A multiply-rotate hasher (the scheme of rustc's FxHash) for the
/// transaction maps: their keys are looked up several times per message and
/// SipHash dominated that. The tables hold the few transactions of one
/// WebSocket flow, so collision flooding is not a concern.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(rest) {
                *w = *b;
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A live transaction of either side, in its slot of the table.
#[derive(Debug, Clone)]
enum Slot<O> {
    Client(Arc<TransactionKey>, ClientTransaction<O>),
    Server(Arc<TransactionKey>, ServerTransaction),
}

impl<O> Slot<O> {
    fn key(&self) -> &Arc<TransactionKey> {
        match self {
            Slot::Client(key, _) | Slot::Server(key, _) => key,
        }
    }

    fn deadline(&self) -> Option<Instant> {
        match self {
            Slot::Client(_, tx) => tx.machine.deadline(),
            Slot::Server(_, tx) => tx.machine.deadline(),
        }
    }
}

/// Every live transaction of a user agent, keyed per §17.1.3 / §17.2.3.
/// `O` names who owns a client transaction (registration, call, ...).
///
/// Transactions sit in slots found by key once per call; deadlines are
/// indexed by slot in a sorted set, so finding the next one and the expired
/// ones costs O(log n) however many transactions linger in Accepted (Timers
/// L and M keep INVITE transactions for 64*T1).
#[derive(Debug, Clone)]
pub struct TransactionTable<O> {
    timers: TimerConfig,
    /// Slot of each key; the key itself is shared with the slot.
    index: FastMap<Arc<TransactionKey>, usize>,
    slots: Vec<Option<Slot<O>>>,
    /// Empty slots, reused before the vector grows.
    free: Vec<usize>,
    deadlines: BTreeSet<(Instant, usize)>,
}

impl<O: Clone> TransactionTable<O> {
    /// An empty table.
    pub fn new(timers: TimerConfig) -> Self {
        TransactionTable {
            timers,
            index: FastMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            deadlines: BTreeSet::new(),
        }
    }

    /// The timer values in use.
    pub fn timers(&self) -> TimerConfig {
        self.timers
    }

    /// Live transactions.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// No live transaction.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Armed timers.
    pub fn timer_count(&self) -> usize {
        self.deadlines.len()
    }

    /// The earliest armed deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    fn slot(&self, key: &TransactionKey) -> Option<&Slot<O>> {
        let at = *self.index.get(key)?;
        self.slots.get(at)?.as_ref()
    }

    /// Runs `change` on the transaction in slot `at` and moves its entry in
    /// the deadline index to wherever its deadline now is.
    fn update<R>(&mut self, at: usize, change: impl FnOnce(&mut Slot<O>) -> R) -> Option<R> {
        let slot = self.slots.get_mut(at)?.as_mut()?;
        let before = slot.deadline();
        let result = change(slot);
        let after = slot.deadline();
        if before != after {
            if let Some(old) = before {
                self.deadlines.remove(&(old, at));
            }
            if let Some(new) = after {
                self.deadlines.insert((new, at));
            }
        }
        Some(result)
    }

    fn insert(&mut self, slot: Slot<O>) {
        let deadline = slot.deadline();
        let key = Arc::clone(slot.key());
        let at = match self.free.pop() {
            Some(at) => {
                if let Some(place) = self.slots.get_mut(at) {
                    *place = Some(slot);
                }
                at
            }
            None => {
                self.slots.push(Some(slot));
                self.slots.len() - 1
            }
        };
        if let Some(deadline) = deadline {
            self.deadlines.insert((deadline, at));
        }
        // A new transaction with the key of a live one replaces it.
        if let Some(replaced) = self.index.insert(key, at) {
            self.free_slot(replaced);
        }
    }

    /// Empties slot `at` (already out of the key index) and its deadline.
    fn free_slot(&mut self, at: usize) -> Option<Slot<O>> {
        let slot = self.slots.get_mut(at)?.take()?;
        if let Some(deadline) = slot.deadline() {
            self.deadlines.remove(&(deadline, at));
        }
        self.free.push(at);
        Some(slot)
    }

    /// Starts a client transaction for `request`, sent now.
    pub fn start_client(
        &mut self,
        now: Instant,
        key: impl Into<Arc<TransactionKey>>,
        request: impl Into<Arc<Request>>,
        owner: O,
    ) {
        let request = request.into();
        let machine = if request.method == Method::Invite {
            ClientMachine::Invite(InviteClient::start(now, self.timers))
        } else {
            ClientMachine::NonInvite(NonInviteClient::start(now, self.timers))
        };
        self.insert(Slot::Client(
            key.into(),
            ClientTransaction {
                request,
                owner,
                machine,
            },
        ));
    }

    /// The client transaction for `key`.
    pub fn client(&self, key: &TransactionKey) -> Option<&ClientTransaction<O>> {
        match self.slot(key)? {
            Slot::Client(_, tx) => Some(tx),
            Slot::Server(..) => None,
        }
    }

    /// Feeds a response to the client transaction `key`. `None`: no such
    /// transaction (a stray response, §17.1.3).
    pub fn client_response(
        &mut self,
        now: Instant,
        key: &TransactionKey,
        status: u16,
    ) -> Option<(O, ClientVerdict, Arc<Request>)> {
        let timers = self.timers;
        let at = *self.index.get(key)?;
        self.update(at, |slot| {
            let Slot::Client(_, tx) = slot else {
                return None;
            };
            let verdict = match &mut tx.machine {
                ClientMachine::Invite(m) => match m.on_response(now, status, timers) {
                    InviteClientStep::Deliver => ClientVerdict::Deliver,
                    InviteClientStep::DeliverAndAck => {
                        ClientVerdict::DeliverAndAck(Request::clone(&tx.request))
                    }
                    InviteClientStep::Ack => ClientVerdict::AckOnly(Request::clone(&tx.request)),
                    InviteClientStep::Absorb => ClientVerdict::Absorb,
                },
                ClientMachine::NonInvite(m) => {
                    if m.on_response(now, status, timers) {
                        ClientVerdict::Deliver
                    } else {
                        ClientVerdict::Absorb
                    }
                }
            };
            Some((tx.owner.clone(), verdict, Arc::clone(&tx.request)))
        })?
    }

    /// Whether `key` is an INVITE client transaction still waiting for a
    /// final response (Calling or Proceeding): CANCEL may be sent (§9.1).
    pub fn invite_pending(&self, key: &TransactionKey) -> bool {
        matches!(
            self.client(key).map(|t| &t.machine),
            Some(ClientMachine::Invite(
                InviteClient::Calling { .. } | InviteClient::Proceeding
            ))
        )
    }

    /// Starts a server transaction for `request`.
    pub fn start_server(
        &mut self,
        key: impl Into<Arc<TransactionKey>>,
        request: impl Into<Arc<Request>>,
    ) {
        let request = request.into();
        let machine = if request.method == Method::Invite {
            ServerMachine::Invite(InviteServer::start())
        } else {
            ServerMachine::NonInvite(NonInviteServer::start())
        };
        self.insert(Slot::Server(
            key.into(),
            ServerTransaction { request, machine },
        ));
    }

    /// The server transaction for `key`.
    pub fn server(&self, key: &TransactionKey) -> Option<&ServerTransaction> {
        match self.slot(key)? {
            Slot::Server(_, tx) => Some(tx),
            Slot::Client(..) => None,
        }
    }

    /// A request matched the live server transaction `key` (a
    /// retransmission): the bytes to resend, `Some(None)` when nothing.
    pub fn server_retransmission(&self, key: &TransactionKey) -> Option<Option<Vec<u8>>> {
        let tx = self.server(key)?;
        Some(match &tx.machine {
            ServerMachine::Invite(m) => m.on_retransmission(),
            ServerMachine::NonInvite(m) => m.on_retransmission(),
        })
    }

    /// Records that the TU sent a response with `status` on `key`.
    pub fn server_sent(&mut self, now: Instant, key: &TransactionKey, status: u16, wire: &[u8]) {
        let timers = self.timers;
        let Some(&at) = self.index.get(key) else {
            return;
        };
        self.update(at, |slot| {
            if let Slot::Server(_, tx) = slot {
                match &mut tx.machine {
                    ServerMachine::Invite(m) => m.on_send(now, status, wire, timers),
                    ServerMachine::NonInvite(m) => m.on_send(now, status, wire, timers),
                }
            }
        });
    }

    /// An ACK with the branch of `key` arrived; true if it matched an INVITE
    /// server transaction in Completed (ACK for a non-2xx final).
    pub fn server_ack(&mut self, now: Instant, key: &TransactionKey) -> bool {
        let timers = self.timers;
        let Some(&at) = self.index.get(key) else {
            return false;
        };
        self.update(at, |slot| match slot {
            Slot::Server(_, tx) => match &mut tx.machine {
                ServerMachine::Invite(m) => m.on_ack(now, timers),
                ServerMachine::NonInvite(_) => false,
            },
            Slot::Client(..) => false,
        })
        .unwrap_or(false)
    }

    /// Whether the INVITE server transaction `key` has not sent a final
    /// response yet (a CANCEL can still stop it, §9.2).
    pub fn server_invite_proceeding(&self, key: &TransactionKey) -> bool {
        matches!(
            self.server(key).map(|t| &t.machine),
            Some(ServerMachine::Invite(InviteServer::Proceeding { .. }))
        )
    }

    /// Fires expired timers and removes terminated transactions; returns the
    /// failures their owners must hear about.
    pub fn handle_timeout(&mut self, now: Instant) -> (Vec<ClientFailure<O>>, Vec<ServerFailure>) {
        let mut client_failures = Vec::new();
        let mut server_failures = Vec::new();
        // Each expired timer moves its machine to another state, which
        // re-indexes or removes it; the count bounds the loop all the same.
        let due = self.deadlines.iter().take_while(|(t, _)| *t <= now).count();
        for _ in 0..due {
            let Some(&(deadline, at)) = self.deadlines.first() else {
                break;
            };
            if deadline > now {
                break;
            }
            let fired = self.update(at, |slot| match slot {
                Slot::Client(key, tx) => {
                    let error = match &mut tx.machine {
                        ClientMachine::Invite(m) => m.on_timeout(now),
                        ClientMachine::NonInvite(m) => m.on_timeout(now),
                    };
                    if let Some(error) = error {
                        client_failures.push(ClientFailure {
                            key: TransactionKey::clone(key),
                            owner: tx.owner.clone(),
                            request: Arc::clone(&tx.request),
                            error,
                        });
                    }
                    tx.machine.is_terminated()
                }
                Slot::Server(key, tx) => {
                    let error = match &mut tx.machine {
                        ServerMachine::Invite(m) => m.on_timeout(now),
                        ServerMachine::NonInvite(m) => {
                            m.on_timeout(now);
                            None
                        }
                    };
                    if let Some(error) = error {
                        server_failures.push(ServerFailure {
                            key: TransactionKey::clone(key),
                            request: Arc::clone(&tx.request),
                            error,
                        });
                    }
                    tx.machine.is_terminated()
                }
            });
            if fired == Some(true) {
                if let Some(slot) = self.free_slot(at) {
                    self.index.remove(slot.key());
                }
            }
        }
        (client_failures, server_failures)
    }

    /// §17.1.4 / §17.2.4: the transport failed; every client transaction
    /// fails and every server transaction ends.
    pub fn handle_transport_closed(&mut self) -> Vec<ClientFailure<O>> {
        self.index.clear();
        let failures = self
            .slots
            .drain(..)
            .flatten()
            .filter_map(|slot| match slot {
                Slot::Client(key, tx) => Some(ClientFailure {
                    key: Arc::unwrap_or_clone(key),
                    owner: tx.owner,
                    request: tx.request,
                    error: TransactionError::Transport,
                }),
                Slot::Server(..) => None,
            })
            .collect();
        self.free.clear();
        self.deadlines.clear();
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: TimerConfig = TimerConfig {
        t1: Duration::from_millis(500),
    };

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn table_4_values_for_a_reliable_transport() {
        assert_eq!(T.b(), Duration::from_secs(32));
        assert_eq!(T.f(), Duration::from_secs(32));
        assert_eq!(T.h(), Duration::from_secs(32));
        assert_eq!(T.l(), Duration::from_secs(32));
        assert_eq!(T.m(), Duration::from_secs(32));
        for zero in [T.d(), T.i(), T.j(), T.k()] {
            assert_eq!(zero, Duration::ZERO);
        }
    }

    #[test]
    fn invite_client_times_out_with_timer_b() {
        let mut m = InviteClient::start(at(0), T);
        assert_eq!(m.on_timeout(at(31_999)), None);
        assert_eq!(m.on_timeout(at(32_000)), Some(TransactionError::Timeout));
        assert_eq!(m, InviteClient::Terminated);
    }

    #[test]
    fn invite_client_provisional_stops_timer_b() {
        let mut m = InviteClient::start(at(0), T);
        assert_eq!(m.on_response(at(10), 180, T), InviteClientStep::Deliver);
        assert_eq!(m.deadline(), None);
        assert_eq!(m.on_timeout(at(40_000)), None);
    }

    #[test]
    fn invite_client_acks_failure_and_absorbs_retransmission() {
        let mut m = InviteClient::start(at(0), T);
        assert_eq!(
            m.on_response(at(10), 486, T),
            InviteClientStep::DeliverAndAck
        );
        assert_eq!(m.on_response(at(10), 486, T), InviteClientStep::Ack);
        assert_eq!(m.on_timeout(at(10)), None);
        assert_eq!(m, InviteClient::Terminated);
    }

    #[test]
    fn invite_client_accepted_passes_2xx_until_timer_m() {
        let mut m = InviteClient::start(at(0), T);
        assert_eq!(m.on_response(at(100), 200, T), InviteClientStep::Deliver);
        assert_eq!(m.on_response(at(200), 200, T), InviteClientStep::Deliver);
        assert_eq!(m.on_response(at(200), 180, T), InviteClientStep::Absorb);
        m.on_timeout(at(32_099));
        assert!(matches!(m, InviteClient::Accepted { .. }));
        m.on_timeout(at(32_100));
        assert_eq!(m, InviteClient::Terminated);
    }

    #[test]
    fn non_invite_client_times_out_with_timer_f_even_after_provisional() {
        let mut m = NonInviteClient::start(at(0), T);
        assert!(m.on_response(at(5), 100, T));
        assert_eq!(m.on_timeout(at(31_999)), None);
        assert_eq!(m.on_timeout(at(32_000)), Some(TransactionError::Timeout));
    }

    #[test]
    fn non_invite_client_final_then_terminates_at_once() {
        let mut m = NonInviteClient::start(at(0), T);
        assert!(m.on_response(at(5), 200, T));
        assert!(!m.on_response(at(5), 200, T));
        assert_eq!(m.on_timeout(at(5)), None);
        assert_eq!(m, NonInviteClient::Terminated);
    }

    #[test]
    fn invite_server_waits_for_ack_with_timer_h() {
        let mut m = InviteServer::start();
        m.on_send(at(0), 100, b"100", T);
        assert_eq!(m.on_retransmission(), Some(b"100".to_vec()));
        m.on_send(at(0), 486, b"486", T);
        assert_eq!(m.on_retransmission(), Some(b"486".to_vec()));
        assert_eq!(m.on_timeout(at(31_999)), None);
        assert_eq!(m.on_timeout(at(32_000)), Some(TransactionError::NoAck));
    }

    #[test]
    fn invite_server_ack_confirms_and_terminates() {
        let mut m = InviteServer::start();
        m.on_send(at(0), 603, b"603", T);
        assert!(m.on_ack(at(10), T));
        assert_eq!(m.on_timeout(at(10)), None);
        assert_eq!(m, InviteServer::Terminated);
    }

    #[test]
    fn invite_server_accepted_absorbs_until_timer_l() {
        let mut m = InviteServer::start();
        m.on_send(at(0), 200, b"200", T);
        assert_eq!(m.on_retransmission(), None);
        assert!(!m.on_ack(at(1), T));
        m.on_timeout(at(32_000));
        assert_eq!(m, InviteServer::Terminated);
    }

    #[test]
    fn non_invite_server_resends_final_then_terminates() {
        let mut m = NonInviteServer::start();
        assert_eq!(m.on_retransmission(), None);
        m.on_send(at(0), 200, b"200", T);
        assert_eq!(m.on_retransmission(), Some(b"200".to_vec()));
        m.on_timeout(at(0));
        assert_eq!(m, NonInviteServer::Terminated);
    }

    #[test]
    fn ack_key_folds_into_invite() {
        let a = TransactionKey::new(Role::Server, "z9hG4bK1", "Host.invalid", &Method::Ack);
        let b = TransactionKey::new(Role::Server, "z9hG4bK1", "host.invalid", &Method::Invite);
        assert_eq!(a, b);
        assert_eq!(a.branch(), "z9hG4bK1");
        assert_eq!(a.sent_by(), "host.invalid");
    }

    #[test]
    fn long_keys_compare_as_short_ones_do() {
        let long_host = "H".repeat(200);
        let a = TransactionKey::new(Role::Client, "z9hG4bKé", &long_host, &Method::Bye);
        let b = TransactionKey::new(
            Role::Client,
            "z9hG4bKé",
            &long_host.to_lowercase(),
            &Method::Bye,
        );
        assert_eq!(a, b);
        assert_eq!(a.branch(), "z9hG4bKé");
        assert_eq!(a.sent_by(), "h".repeat(200));
        let c = TransactionKey::new(Role::Client, "z9hG4bKé", "h", &Method::Bye);
        assert_ne!(a, c);
        assert_eq!(c.sent_by(), "h");
        // Where the branch ends is part of the key.
        let d = TransactionKey::new(Role::Client, "z9hG4bK", "éh", &Method::Bye);
        assert_ne!(c, d);
    }
}
