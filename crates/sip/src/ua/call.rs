//! Calls (RFC 3261 §13-15, RFC 3264 offer/answer, RFC 6026): INVITE in both
//! directions, CANCEL, BYE, re-INVITE for hold/resume/renegotiation with the
//! §14.1 glare back-off and rollback, INFO DTMF.

mod extensions;
mod transfer;

use super::build::{
    ALLOW, Refresher, WireResponse, add, cseq_number, header_tag, lists, sdp_body, set_body,
    tag_ref, text, text_ref,
};
use super::{
    CallHandle, CallState, DropReason, DtmfFormat, EndReason, Event, MediaKind, Owner, SdpKind,
    UaError, UserAgent,
};
use crate::auth::Decision;
use crate::dialog::Dialog;
use crate::headers::HeaderName;
use crate::message::{Method, Request, Response};
use crate::sdp::{Direction, SessionDescription};
use crate::time::{Duration, Instant};
use crate::transaction::HeadersExt;
use crate::transaction::{Role, TransactionError, TransactionKey, tag_in, transaction_key};
use std::sync::Arc;

/// Where the INVITE that set the call up stands.
#[derive(Clone, Debug)]
pub(super) enum Phase {
    /// Outgoing: waiting for the media layer's offer.
    AwaitingOffer,
    /// Outgoing: INVITE in flight.
    Inviting {
        /// Our INVITE's transaction.
        key: TransactionKey,
        /// A provisional response arrived, so CANCEL may be sent (§9.1).
        provisional: bool,
        /// Why we cancel, once we decided to.
        cancel: Option<EndReason>,
        /// When to give up on an unanswered call.
        no_answer_at: Option<Instant>,
    },
    /// Outgoing, INVITE without offer: the 2xx carried the offer; the ACK
    /// leaves with our answer (§13.2.2.4).
    AwaitingAckAnswer {
        /// CSeq number of the INVITE.
        seq: u32,
    },
    /// Incoming: no final response sent yet.
    Incoming {
        /// The application called `answer`.
        answering: bool,
    },
    /// Incoming: 2xx sent, waiting for the ACK (§13.3.1.4), resending the 2xx
    /// at T1, 2*T1, ... up to T2 until 64*T1.
    WaitingAck {
        /// The 2xx on the wire.
        response: Vec<u8>,
        /// Next retransmission.
        resend_at: Instant,
        /// Current interval.
        interval: Duration,
        /// 64*T1 after the 2xx: give up and BYE.
        give_up_at: Instant,
    },
    /// Established.
    Confirmed,
}

/// An in-dialog offer/answer exchange or session refresh by re-INVITE
/// (RFC 3261 §14) or UPDATE (RFC 3311).
#[derive(Clone, Debug)]
pub(super) enum Reinvite {
    /// None.
    Idle,
    /// `renegotiate` or `update`: waiting for the media layer's offer.
    AwaitingOffer {
        /// INVITE or UPDATE.
        method: Method,
    },
    /// Our re-INVITE or UPDATE is in flight.
    Sent {
        /// Its transaction.
        key: TransactionKey,
        /// INVITE or UPDATE.
        method: Method,
        /// The offer it carries (none for an UPDATE that only refreshes
        /// the session, RFC 4028 §7.4).
        offer: Option<String>,
        /// Hold (true) / resume (false) / plain renegotiation (None).
        hold: Option<bool>,
        /// It already carried credentials.
        authenticated: bool,
    },
    /// §14.1: 491 received; retry at `retry_at`.
    GlareWait {
        /// When to resend.
        retry_at: Instant,
        /// INVITE or UPDATE.
        method: Method,
        /// The offer to resend.
        offer: Option<String>,
        /// As in `Sent`.
        hold: Option<bool>,
    },
    /// The peer's re-INVITE waits for our answer (or offer).
    Received {
        /// The re-INVITE.
        request: Request,
        /// Its offer, if it had one.
        offer: Option<String>,
    },
    /// We answered the peer's offerless re-INVITE with an offer; its answer
    /// comes in the ACK.
    AwaitingAck {
        /// Our offer.
        offer: String,
    },
}

/// One call.
#[derive(Clone, Debug)]
pub(super) struct Call {
    pub(super) public: CallState,
    outgoing: bool,
    pub(super) call_id: String,
    local_tag: String,
    pub(super) remote_tag: Option<String>,
    /// CSeq of the incoming INVITE, for merged-request detection.
    pub(super) invite_cseq_text: String,
    /// The incoming INVITE's server transaction.
    pub(super) server_key: Option<Arc<TransactionKey>>,
    /// The INVITE (ours, or the peer's).
    invite: Option<Arc<Request>>,
    target: Option<crate::uri::Uri>,
    offer_in_invite: bool,
    pub(super) dialog: Option<Dialog>,
    /// Other early dialogs of a forked INVITE (§12.1.2, §13.2.2.4).
    pub(super) early: Vec<Dialog>,
    phase: Phase,
    reinvite: Reinvite,
    /// Last agreed SDPs (RFC 3264), for rollback.
    local_sdp: Option<String>,
    remote_sdp: Option<String>,
    /// Offer we sent and is not answered yet.
    pending_local: Option<String>,
    /// The last ACK, resent on a retransmitted 2xx.
    ack: Option<Vec<u8>>,
    authenticated: bool,
    held: bool,
    remote_held: bool,
    /// A §14.1 retry put aside while answering the peer's re-INVITE.
    deferred_retry: Option<Reinvite>,
    /// RFC 3262 and RFC 4028 state.
    pub(super) ext: Extensions,
}

/// The state of the RFC 3262 (100rel), RFC 3311 (UPDATE) and RFC 4028
/// (session timer) extensions on one call.
#[derive(Clone, Debug, Default)]
pub(super) struct Extensions {
    /// UAS: the caller supports or requires 100rel and we send our
    /// provisionals reliably (RFC 3262 §3).
    pub(super) reliable: bool,
    /// UAS: RSeq of the last reliable provisional sent.
    pub(super) rseq: u32,
    /// UAS: a reliable provisional waits for its PRACK.
    pub(super) unacked_rseq: Option<u32>,
    /// UAC: RSeq of the last reliable provisional received (RFC 3262 §4).
    pub(super) rseq_seen: Option<u32>,
    /// UAC: the reliable provisional with this RSeq carried an offer; its
    /// PRACK leaves with our answer (RFC 3262 §5).
    pub(super) prack_answer: Option<(u32, String)>,
    /// The peer listed UPDATE in Allow (RFC 3311 §5.1).
    pub(super) peer_allows_update: bool,
    /// UAC: the Session-Expires our INVITE asks for (RFC 4028 §7.1); raised
    /// by a 422 (§7.3).
    pub(super) asked_expires: Option<u32>,
    /// UAC: the Min-SE our INVITE carries.
    pub(super) asked_min_se: u32,
    /// UAS: the Session-Expires of the INVITE, its refresher and whether the
    /// caller supports `timer` (RFC 4028 §9).
    pub(super) offered_session: Option<(u32, Option<super::build::Refresher>, bool)>,
    /// The running session timer (RFC 4028 §10).
    pub(super) session: Option<SessionTimer>,
    /// We sent a REFER; its implicit subscription runs (RFC 3515 §2.4.4).
    pub(super) refer_out: bool,
    /// We accepted a REFER and report to the referrer.
    pub(super) refer_in: Option<transfer::ReferIn>,
    /// This call was placed for a REFER received on that call.
    pub(super) transfer_of: Option<CallHandle>,
    /// UAC: the Replaces header our INVITE carries (RFC 3891).
    pub(super) replaces_header: Option<String>,
    /// UAS: the call this incoming INVITE replaces (RFC 3891 §3).
    pub(super) replaces: Option<CallHandle>,
    /// UAS: early media, the answer sent in a 183 before the 2xx.
    pub(super) early_answer: Option<EarlyAnswer>,
}

/// UAS early media (RFC 3261 §13.3.1.1): the answer to the INVITE's offer
/// leaves in a 183 before the call is answered.
#[derive(Clone, Debug)]
pub(super) enum EarlyAnswer {
    /// The media layer was asked for the answer.
    Asked,
    /// The 183 carried `sdp`; `reliable` when it was sent with 100rel, so
    /// the offer/answer exchange is complete and the 2xx carries no SDP
    /// (RFC 3262 §5, RFC 6337 §3.1); otherwise the 2xx repeats it.
    Sent { sdp: String, reliable: bool },
}

/// A running session timer (RFC 4028 §10).
#[derive(Clone, Copy, Debug)]
pub(super) struct SessionTimer {
    /// The session interval in seconds.
    pub(super) interval: u32,
    /// We send the refreshes (else the peer does and we watch for expiry).
    pub(super) we_refresh: bool,
    /// When to refresh (at half the interval, §10) or, for the other side,
    /// when to give up: "the interval minus the minimum of 32 seconds and one
    /// third of the interval" (§10).
    pub(super) at: Instant,
}

impl SessionTimer {
    pub(super) fn start(now: Instant, interval: u32, we_refresh: bool) -> Self {
        let secs = u64::from(interval);
        let at = if we_refresh {
            now + Duration::from_millis(secs * 500)
        } else {
            now + Duration::from_secs(secs.saturating_sub(secs.min(32 * 3) / 3).max(1))
        };
        SessionTimer {
            interval,
            we_refresh,
            at,
        }
    }
}

impl Call {
    fn new(outgoing: bool, call_id: String, local_tag: String) -> Self {
        Call {
            public: if outgoing {
                CallState::Calling
            } else {
                CallState::Incoming
            },
            outgoing,
            call_id,
            local_tag,
            remote_tag: None,
            invite_cseq_text: String::new(),
            server_key: None,
            invite: None,
            target: None,
            offer_in_invite: true,
            dialog: None,
            early: Vec::new(),
            phase: Phase::AwaitingOffer,
            reinvite: Reinvite::Idle,
            local_sdp: None,
            remote_sdp: None,
            pending_local: None,
            ack: None,
            authenticated: false,
            held: false,
            remote_held: false,
            deferred_retry: None,
            ext: Extensions::default(),
        }
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        let phase = match &self.phase {
            Phase::Inviting { no_answer_at, .. } => *no_answer_at,
            Phase::WaitingAck {
                resend_at,
                give_up_at,
                ..
            } => Some((*resend_at).min(*give_up_at)),
            _ => None,
        };
        let reinvite = match (&self.reinvite, &self.deferred_retry) {
            (Reinvite::GlareWait { retry_at, .. }, _)
            | (_, Some(Reinvite::GlareWait { retry_at, .. })) => Some(*retry_at),
            _ => None,
        };
        let session = self.ext.session.map(|s| s.at);
        phase.into_iter().chain(reinvite).chain(session).min()
    }

    pub(super) fn timer_count(&self) -> usize {
        let phase = match &self.phase {
            Phase::Inviting { no_answer_at, .. } => usize::from(no_answer_at.is_some()),
            Phase::WaitingAck { .. } => 2,
            _ => 0,
        };
        phase
            + usize::from(
                matches!(self.reinvite, Reinvite::GlareWait { .. })
                    || matches!(self.deferred_retry, Some(Reinvite::GlareWait { .. })),
            )
            + usize::from(self.ext.session.is_some())
    }

    pub(super) fn dialog_count(&self) -> usize {
        usize::from(self.dialog.is_some()) + self.early.len()
    }

    fn matches(&self, call_id: &str, local_tag: &str, remote_tag: &str) -> bool {
        self.call_id == call_id
            && self.local_tag == local_tag
            && (self.remote_tag.as_deref() == Some(remote_tag)
                || self.early.iter().any(|d| d.id.remote_tag == remote_tag)
                || self
                    .dialog
                    .as_ref()
                    .is_some_and(|d| d.id.remote_tag == remote_tag))
    }
}

/// The SDP with every media section set to `direction` and its version
/// bumped (RFC 3264 §8, §8.4).
fn with_direction(sdp: &str, direction: Direction) -> Option<String> {
    let mut description = SessionDescription::parse(sdp).ok()?;
    description.set_direction(None);
    for media in description.media_mut() {
        media.set_direction(Some(direction));
    }
    description.bump_version();
    Some(description.to_string())
}

/// Whether an SDP puts us on hold: sendonly or inactive (RFC 3264 §8.4).
fn is_hold(sdp: &str) -> bool {
    let Ok(description) = SessionDescription::parse(sdp) else {
        return false;
    };
    let session = description.direction();
    let mut any = false;
    let all_hold = description
        .media()
        .iter()
        .filter(|m| !m.is_rejected())
        .all(|m| {
            any = true;
            matches!(
                m.direction().or(session),
                Some(Direction::SendOnly | Direction::Inactive)
            )
        });
    any && all_hold
}

/// DTMF from an INFO body: `application/dtmf-relay` (`Signal=5`,
/// `Duration=160`) or `application/dtmf` (the digit).
fn parse_dtmf(content_type: &str, body: &str) -> Option<(char, u32)> {
    let ct = content_type.trim().to_ascii_lowercase();
    if ct.starts_with("application/dtmf-relay") {
        let mut digit = None;
        let mut duration = 160;
        for line in body.lines() {
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "signal" => digit = value.trim().chars().next(),
                "duration" => duration = value.trim().parse().unwrap_or(160),
                _ => {}
            }
        }
        digit
            .filter(valid_digit)
            .map(|d| (d.to_ascii_uppercase(), duration))
    } else if ct.starts_with("application/dtmf") {
        body.trim()
            .chars()
            .next()
            .filter(valid_digit)
            .map(|d| (d.to_ascii_uppercase(), 160))
    } else {
        None
    }
}

fn valid_digit(d: &char) -> bool {
    d.is_ascii_digit() || matches!(d.to_ascii_uppercase(), '*' | '#' | 'A' | 'B' | 'C' | 'D')
}

impl UserAgent {
    fn set_call_state(&mut self, handle: CallHandle, state: CallState) {
        if let Some(call) = self.calls.get_mut(&handle) {
            if call.public != state {
                call.public = state.clone();
                self.emit(Event::CallState {
                    call: handle,
                    state,
                });
            }
        }
    }

    /// Removes the call and reports why it ended.
    pub(super) fn end_call(&mut self, handle: CallHandle, reason: EndReason) {
        if self.calls.remove(&handle).is_some() {
            self.emit(Event::CallState {
                call: handle,
                state: CallState::Ended(reason),
            });
        }
    }

    pub(super) fn start_call(
        &mut self,
        now: Instant,
        target: &str,
        _media: MediaKind,
        with_offer: bool,
        replaces: Option<String>,
    ) -> Result<CallHandle, UaError> {
        let uri = self.new_request_target(target)?;
        let handle = CallHandle(self.next_handle());
        let call_id = self.new_call_id();
        let tag = self.new_tag();
        let mut call = Call::new(true, call_id, tag);
        call.target = Some(uri);
        call.ext.replaces_header = replaces;
        call.ext.asked_min_se = self.config.min_se.max(90);
        call.ext.asked_expires = self
            .config
            .session_expires
            .map(|se| se.max(call.ext.asked_min_se));
        call.offer_in_invite = with_offer;
        self.calls.insert(handle, Box::new(call));
        self.emit(Event::CallState {
            call: handle,
            state: CallState::Calling,
        });
        if with_offer {
            self.emit(Event::LocalDescriptionNeeded {
                call: handle,
                kind: SdpKind::Offer,
                remote_sdp: None,
            });
        } else {
            self.send_invite(now, handle, None, 1);
        }
        Ok(handle)
    }

    /// Sends the initial INVITE (or its authenticated retry, §22.2).
    fn send_invite(&mut self, now: Instant, handle: CallHandle, sdp: Option<String>, seq: u32) {
        let Some(call) = self.calls.get(&handle) else {
            return;
        };
        let (Some(uri), call_id, tag, authenticated) = (
            call.target.clone(),
            call.call_id.clone(),
            call.local_tag.clone(),
            call.authenticated,
        ) else {
            return;
        };
        let (asked_expires, asked_min_se) = (call.ext.asked_expires, call.ext.asked_min_se);
        let replaces = call.ext.replaces_header.clone();
        let mut to = String::with_capacity(uri.as_str().len() + 2);
        to.push('<');
        to.push_str(uri.as_str());
        to.push('>');
        let mut request = self.ood_request(Method::Invite, uri, &to, &tag, &call_id, seq, true);
        add(&mut request.headers, HeaderName::ALLOW, ALLOW);
        add(
            &mut request.headers,
            HeaderName::SUPPORTED,
            self.supported(),
        );
        // RFC 4028 §7.1: the UAC asks for a session interval; it leaves the
        // refresher to the UAS.
        if let Some(expires) = asked_expires {
            add(
                &mut request.headers,
                HeaderName::SESSION_EXPIRES,
                &expires.to_string(),
            );
            add(
                &mut request.headers,
                HeaderName::MIN_SE,
                &asked_min_se.to_string(),
            );
        }
        if let Some(replaces) = &replaces {
            add(&mut request.headers, HeaderName::REPLACES, replaces);
        }
        if let Some(sdp) = &sdp {
            set_body(
                &mut request.headers,
                &mut request.body,
                "application/sdp",
                sdp,
            );
        }
        if authenticated {
            self.authorize(&mut request);
        }
        let no_answer_at = self.config.no_answer_timeout.map(|d| now + d);
        let request = Arc::new(request);
        let Some(key) = self.send_request_keyed(now, Arc::clone(&request), Owner::Call(handle))
        else {
            return;
        };
        if let Some(call) = self.calls.get_mut(&handle) {
            call.invite = Some(request);
            call.pending_local = sdp;
            call.phase = Phase::Inviting {
                key,
                provisional: false,
                cancel: None,
                no_answer_at,
            };
        }
    }

    pub(super) fn local_description(
        &mut self,
        now: Instant,
        handle: CallHandle,
        sdp: String,
    ) -> Result<(), UaError> {
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        match (&call.phase, &call.reinvite) {
            (_, Reinvite::Received { request, offer }) if request.method == Method::Update => {
                let (request, offer) = (request.clone(), offer.clone());
                self.answer_reinvite(now, handle, &request, offer, sdp);
                Ok(())
            }
            (Phase::Inviting { .. }, _) if call.ext.prack_answer.is_some() => {
                self.send_prack_answer(now, handle, sdp);
                Ok(())
            }
            (_, Reinvite::AwaitingOffer { method }) => {
                let method = method.clone();
                self.send_reinvite(now, handle, method, Some(sdp), None, false);
                Ok(())
            }
            (Phase::AwaitingOffer, _) => {
                self.send_invite(now, handle, Some(sdp), 1);
                Ok(())
            }
            (Phase::Incoming { answering: true }, _) => {
                self.send_invite_2xx(now, handle, sdp);
                Ok(())
            }
            (Phase::Incoming { answering: false }, _)
                if matches!(call.ext.early_answer, Some(EarlyAnswer::Asked)) =>
            {
                self.send_session_progress(now, handle, sdp);
                Ok(())
            }
            (Phase::AwaitingAckAnswer { seq }, _) => {
                let seq = *seq;
                self.send_ack(handle, seq, Some(&sdp));
                if let Some(call) = self.calls.get_mut(&handle) {
                    call.local_sdp = Some(sdp);
                    call.phase = Phase::Confirmed;
                }
                self.set_call_state(handle, CallState::Connected);
                Ok(())
            }
            (
                Phase::Confirmed | Phase::WaitingAck { .. },
                Reinvite::Received { request, offer },
            ) => {
                let (request, offer) = (request.clone(), offer.clone());
                self.answer_reinvite(now, handle, &request, offer, sdp);
                Ok(())
            }
            _ => Err(UaError::InvalidState("no description was asked for")),
        }
    }

    // ---- UAC: responses to our INVITE ----

    pub(super) fn call_response(
        &mut self,
        now: Instant,
        handle: CallHandle,
        key: &TransactionKey,
        request: &Request,
        response: &Response,
    ) {
        let status = response.status.as_u16();
        let Some(call) = self.calls.get(&handle) else {
            if request.method == Method::Invite && (200..300).contains(&status) {
                self.ack_and_bye(now, request, response);
            }
            return;
        };
        match request.method {
            Method::Invite => {
                let initial = matches!(&call.phase, Phase::Inviting { key: k, .. } if k == key)
                    || (call.dialog.is_some()
                        && !matches!(&call.reinvite, Reinvite::Sent { key: k, .. } if k == key));
                if initial {
                    self.invite_response(now, handle, request, response);
                } else {
                    self.reinvite_response(now, handle, request, response);
                }
            }
            Method::Update => self.reinvite_response(now, handle, request, response),
            Method::Refer => self.refer_response(handle, status),
            Method::Info if status >= 200 => self.emit(Event::InfoResult {
                call: handle,
                status,
            }),
            Method::Bye | Method::Cancel | Method::Info | Method::Prack => {}
            _ => {}
        }
    }

    fn invite_response(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
        response: &Response,
    ) {
        let status = response.status.as_u16();
        let sdp = sdp_body(&response.headers, &response.body);
        match status {
            100 => {}
            101..=199 => self.invite_provisional(now, handle, request, response, sdp),
            200..=299 => self.invite_success(now, handle, request, response, sdp),
            401 | 407 => {
                let cancelled = matches!(
                    self.calls.get(&handle).map(|c| &c.phase),
                    Some(Phase::Inviting {
                        cancel: Some(_),
                        ..
                    })
                );
                if cancelled {
                    self.end_call(handle, EndReason::LocalHangup);
                    return;
                }
                let decision = match Self::client_key(request) {
                    Some(key) => self.answer_challenge(&key, response),
                    None => Decision::Stop(crate::auth::StopReason::NoSupportedChallenge),
                };
                match decision {
                    Decision::Retry => {
                        // §22.2: resend with credentials and CSeq + 1; the ACK
                        // for the 401/407 was sent by the transaction.
                        let seq = cseq_number(&request.headers).unwrap_or(1);
                        let sdp = self
                            .calls
                            .get(&handle)
                            .and_then(|c| c.pending_local.clone());
                        if let Some(call) = self.calls.get_mut(&handle) {
                            call.authenticated = true;
                        }
                        self.send_invite(now, handle, sdp, seq.saturating_add(1));
                    }
                    Decision::Stop(_) => {
                        self.report_transfer(now, handle, status, &response.reason);
                        self.end_call(handle, EndReason::AuthenticationFailed)
                    }
                }
            }
            // RFC 4028 §7.3: "If the UAC receives a 422 [...] it SHOULD
            // retry the request [...] with a Session-Expires whose value is
            // the value of the Min-SE header field in the 422", also putting
            // that value in its own Min-SE.
            422 if self.raise_session_expires(handle, &response.headers) => {
                let seq = cseq_number(&request.headers).unwrap_or(1);
                let sdp = self
                    .calls
                    .get(&handle)
                    .and_then(|c| c.pending_local.clone());
                self.send_invite(now, handle, sdp, seq.saturating_add(1));
            }
            _ => {
                let cancel = match self.calls.get(&handle).map(|c| &c.phase) {
                    Some(Phase::Inviting { cancel, .. }) => cancel.clone(),
                    _ => None,
                };
                let reason = match cancel {
                    Some(reason) if status == 487 => reason,
                    Some(reason) => reason,
                    None => EndReason::from_status(status, &response.reason),
                };
                self.report_transfer(now, handle, status, &response.reason);
                self.end_call(handle, reason);
            }
        }
    }

    fn invite_provisional(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
        response: &Response,
        sdp: Option<String>,
    ) {
        let dialog = Dialog::uac(request, response);
        let mut send_cancel = false;
        let rseq = self.reliable_rseq(&response.headers);
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        // RFC 3262 §4: a reliable provisional with an RSeq not higher than
        // the last one is a retransmission: it is not processed again.
        if let (Some(rseq), Some(seen)) = (rseq, call.ext.rseq_seen) {
            if rseq <= seen {
                self.emit(Event::Dropped(DropReason::Retransmission));
                return;
            }
        }
        if lists(&response.headers, HeaderName::ALLOW, "UPDATE") {
            call.ext.peer_allows_update = true;
        }
        if let Phase::Inviting {
            provisional,
            cancel,
            ..
        } = &mut call.phase
        {
            send_cancel = !*provisional && cancel.is_some();
            *provisional = true;
        }
        if let Some(dialog) = dialog {
            // §12.1.2: each provisional with a new To tag is an early dialog.
            if !call.early.iter().any(|d| d.id == dialog.id) {
                call.early.push(dialog);
            }
        }
        let mut new_remote = None;
        let mut early_offer = None;
        if let Some(sdp) = sdp {
            if call.offer_in_invite && call.remote_sdp.is_none() {
                call.remote_sdp = Some(sdp.clone());
                call.local_sdp = call.pending_local.clone();
                new_remote = Some(sdp);
            } else if !call.offer_in_invite && call.remote_sdp.is_none() && rseq.is_some() {
                // RFC 3262 §5: the offer of an offerless INVITE may come in
                // a reliable provisional; the answer goes in the PRACK.
                call.remote_sdp = Some(sdp.clone());
                early_offer = Some(sdp);
            }
        }
        if send_cancel {
            self.send_cancel(now, handle);
        }
        if let Some(rseq) = rseq {
            let remote_tag = tag_ref(&response.headers, HeaderName::TO);
            if let Some(call) = self.calls.get_mut(&handle) {
                call.ext.rseq_seen = Some(rseq);
            }
            let cseq = cseq_number(&request.headers).unwrap_or(1);
            let mut rack = String::with_capacity(32);
            super::build::push_u32(&mut rack, rseq);
            rack.push(' ');
            super::build::push_u32(&mut rack, cseq);
            rack.push_str(" INVITE");
            match &early_offer {
                Some(offer) => {
                    if let Some(call) = self.calls.get_mut(&handle) {
                        call.ext.prack_answer = Some((rseq, rack));
                    }
                    self.ask_answer(handle, offer.clone());
                }
                None => self.send_prack(now, handle, remote_tag, &rack, None),
            }
        }

        let early_media =
            new_remote.is_some() || early_offer.is_some() || response.status.as_u16() == 183;
        if response.status.as_u16() == 180 {
            self.report_transfer(now, handle, 180, "Ringing");
        }
        if let Some(sdp) = new_remote {
            self.emit(Event::RemoteDescription {
                call: handle,
                kind: SdpKind::Answer,
                sdp,
            });
        }
        let state = if early_media {
            CallState::Early
        } else {
            CallState::Ringing
        };
        if self
            .calls
            .get(&handle)
            .is_some_and(|c| c.public != CallState::Early)
        {
            self.set_call_state(handle, state);
        }
    }

    fn invite_success(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
        response: &Response,
        sdp: Option<String>,
    ) {
        let Some(dialog) = Dialog::uac(request, response) else {
            return;
        };
        let seq = dialog.local_seq;
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if let Some(existing) = &call.dialog {
            if existing.id == dialog.id {
                // §13.2.2.4: a retransmitted 2xx gets the same ACK again.
                if let Some(ack) = call.ack.clone() {
                    self.transmit(ack);
                }
                self.emit(Event::Dropped(DropReason::Retransmission));
            } else {
                // §13.2.2.4: a 2xx from another fork: ACK it, then BYE.
                self.ack_and_bye(now, request, response);
            }
            return;
        }
        let cancel = match &call.phase {
            Phase::Inviting { cancel, .. } => cancel.clone(),
            _ => None,
        };
        let mut dialog = dialog;
        dialog.confirm(None);
        // PRACK and UPDATE in the early dialog used CSeq numbers after the
        // INVITE's; the confirmed dialog goes on from there (§12.2.1.1).
        if let Some(early) = call.early.iter_mut().find(|d| d.id == dialog.id) {
            dialog.local_seq = dialog.local_seq.max(early.local_seq);
            dialog.reuse_parsed_target(early);
        }
        call.remote_tag = Some(dialog.id.remote_tag.clone());
        call.early.clear();
        call.dialog = Some(dialog);
        call.ext.prack_answer = None;
        if lists(&response.headers, HeaderName::ALLOW, "UPDATE") {
            call.ext.peer_allows_update = true;
        }
        // RFC 4028 §7.2: the 2xx says whether a session timer runs and who
        // refreshes; no Session-Expires in it means no timer.
        call.ext.session =
            super::build::session_expires(&response.headers).map(|(interval, refresher)| {
                SessionTimer::start(now, interval, refresher != Some(Refresher::Uas))
            });
        if let Some(reason) = cancel {
            // The CANCEL/200 race (§9.1, §15): ACK the 2xx, then BYE.
            self.send_ack(handle, seq, None);
            self.send_bye(now, handle);
            self.end_call(handle, reason);
            return;
        }
        self.report_transfer(now, handle, 200, "OK");
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if !call.offer_in_invite && call.local_sdp.is_some() && call.remote_sdp.is_some() {
            // RFC 3262 §5: offer and answer were exchanged in a reliable
            // provisional and its PRACK.
            call.phase = Phase::Confirmed;
            self.send_ack(handle, seq, None);
            self.set_call_state(handle, CallState::Connected);
        } else if call.offer_in_invite {
            match sdp {
                Some(answer) => {
                    call.local_sdp = call.pending_local.take();
                    let changed = call.remote_sdp.as_deref() != Some(answer.as_str());
                    call.remote_sdp = Some(answer.clone());
                    call.phase = Phase::Confirmed;
                    if changed {
                        self.emit(Event::RemoteDescription {
                            call: handle,
                            kind: SdpKind::Answer,
                            sdp: answer,
                        });
                    }
                }
                None => {
                    call.local_sdp = call.pending_local.take().or(call.local_sdp.take());
                    call.phase = Phase::Confirmed;
                }
            }
            self.send_ack(handle, seq, None);
            self.set_call_state(handle, CallState::Connected);
        } else {
            match sdp {
                Some(offer) => {
                    call.remote_sdp = Some(offer.clone());
                    call.phase = Phase::AwaitingAckAnswer { seq };
                    self.ask_answer(handle, offer);
                }
                None => {
                    // No offer anywhere: a protocol error (RFC 3261 §13.2.1).
                    self.send_ack(handle, seq, None);
                    self.send_bye(now, handle);
                    self.end_call(handle, EndReason::MediaFailed);
                }
            }
        }
    }

    /// ACK for a 2xx (§13.2.2.4): in the dialog, the INVITE's CSeq number.
    fn send_ack(&mut self, handle: CallHandle, seq: u32, sdp: Option<&str>) {
        // The dialog is lent to the request builder, not copied; an ACK
        // takes no new CSeq, so it comes back unchanged.
        let Some(mut dialog) = self.calls.get_mut(&handle).and_then(|c| c.dialog.take()) else {
            return;
        };
        let ack = self.dialog_request(&mut dialog, Method::Ack, Some(seq));
        if let Some(call) = self.calls.get_mut(&handle) {
            call.dialog = Some(dialog);
        }
        let Some(mut ack) = ack else {
            return;
        };
        if let Some(sdp) = sdp {
            set_body(&mut ack.headers, &mut ack.body, "application/sdp", sdp);
        }
        let bytes = ack.to_bytes();
        if let Some(call) = self.calls.get_mut(&handle) {
            call.ack = Some(bytes.clone());
        }
        self.transmit(bytes);
    }

    /// A 2xx for a dialog we do not want (a fork, or a call already gone):
    /// ACK then BYE it (§13.2.2.4, §15).
    fn ack_and_bye(&mut self, now: Instant, request: &Request, response: &Response) {
        let Some(mut dialog) = Dialog::uac(request, response) else {
            return;
        };
        let seq = dialog.local_seq;
        if let Some(ack) = self.dialog_request(&mut dialog, Method::Ack, Some(seq)) {
            self.transmit(ack.to_bytes());
        }
        if let Some(bye) = self.dialog_request(&mut dialog, Method::Bye, None) {
            self.send_request(now, bye, Owner::Nobody);
        }
    }

    fn stray_2xx_call(&self, response: &Response) -> Option<CallHandle> {
        let call_id = text(&response.headers, HeaderName::CALL_ID);
        let local = header_tag(&response.headers, HeaderName::FROM)?;
        let remote = header_tag(&response.headers, HeaderName::TO)?;
        self.calls
            .iter()
            .find(|(_, c)| c.matches(&call_id, &local, &remote))
            .map(|(h, _)| *h)
    }

    /// A 2xx to INVITE after its transaction ended: resend the ACK for our
    /// dialog (§13.2.2.4).
    pub(super) fn stray_invite_2xx(&mut self, _now: Instant, response: &Response) -> bool {
        let Some(handle) = self.stray_2xx_call(response) else {
            return false;
        };
        if let Some(ack) = self.calls.get(&handle).and_then(|c| c.ack.clone()) {
            self.transmit(ack);
            self.emit(Event::Dropped(DropReason::Retransmission));
            return true;
        }
        false
    }

    fn send_cancel(&mut self, now: Instant, handle: CallHandle) {
        // §9.1: CANCEL copies Request-URI, Call-ID, To, From, the CSeq number
        // and the top Via (same branch) of the INVITE, and its Route.
        let Some(invite) = self.calls.get(&handle).and_then(|c| c.invite.clone()) else {
            return;
        };
        let mut cancel = Request::new(Method::Cancel, invite.uri.clone());
        let h = &mut cancel.headers;
        if let Some(via) = invite.headers.field(HeaderName::VIA) {
            add(h, HeaderName::VIA, via.trim());
        }
        add(h, HeaderName::MAX_FORWARDS, "70");
        for route in invite.headers.fields(HeaderName::ROUTE) {
            add(h, HeaderName::ROUTE, route.trim());
        }
        for name in [HeaderName::TO, HeaderName::FROM, HeaderName::CALL_ID] {
            add(h, name, &text(&invite.headers, name));
        }
        let seq = cseq_number(&invite.headers).unwrap_or(1);
        add(h, HeaderName::CSEQ, &format!("{seq} CANCEL"));
        self.send_request(now, cancel, Owner::Call(handle));
    }

    fn send_bye(&mut self, now: Instant, handle: CallHandle) {
        let bye = self
            .with_call_dialog(handle, |ua, dialog| {
                ua.dialog_request(dialog, Method::Bye, None)
            })
            .flatten();
        if let Some(bye) = bye {
            self.send_request(now, bye, Owner::Nobody);
        }
    }

    pub(super) fn call_request_failed(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
        error: TransactionError,
    ) {
        let Some(call) = self.calls.get(&handle) else {
            return;
        };
        match request.method {
            Method::Invite => {
                let key = transaction_key(Role::Client, &request.headers, &Method::Invite);
                let is_reinvite = matches!(&call.reinvite, Reinvite::Sent { key: k, .. } if Some(k) == key.as_ref());
                if is_reinvite {
                    self.rollback(handle);
                } else {
                    let reason = match (&call.phase, error) {
                        (
                            Phase::Inviting {
                                cancel: Some(reason),
                                ..
                            },
                            _,
                        ) => reason.clone(),
                        (_, TransactionError::Transport) => EndReason::TransportClosed,
                        _ => EndReason::Timeout,
                    };
                    // Timer B (§17.1.1.2): no answer at all.
                    self.report_transfer_end(now, handle, &reason);
                    self.end_call(handle, reason);
                }
            }
            Method::Info => self.emit(Event::InfoResult {
                call: handle,
                status: 408,
            }),
            _ => {}
        }
        let _ = now;
    }

    // ---- UAS: incoming INVITE ----

    pub(super) fn incoming_invite(
        &mut self,
        now: Instant,
        server_key: Arc<TransactionKey>,
        request: Arc<Request>,
    ) {
        // §13.3.1: 100 Trying at once (the proxy stops retransmitting).
        let trying = WireResponse::to(&request, 100, None);
        self.send_response_bytes(now, &request, 100, trying.finish("", &[]));
        let tag = self.new_tag();
        // RFC 4028 §8.1: a Session-Expires below our minimum gets 422 with
        // our Min-SE.
        let offered_session = super::build::session_expires(&request.headers);
        let min_se = self.config.min_se.max(90);
        if offered_session.is_some_and(|(interval, _)| interval < min_se) {
            let mut response = Self::response_to(&request, 422, Some(&tag));
            add(
                &mut response.headers,
                HeaderName::MIN_SE,
                &min_se.to_string(),
            );
            self.send_response(now, &request, response);
            return;
        }
        // RFC 3891 §3: a Replaces naming no dialog we have gets 481.
        let Ok(replaces) = self.replaced_call(&request) else {
            let response = Self::response_to(&request, 481, Some(&tag));
            self.send_response(now, &request, response);
            return;
        };
        let Some(dialog) = Dialog::uas(&request, &tag, true) else {
            let mut response = Self::response_to(&request, 400, Some(&tag));
            response.reason = "Missing Contact or From tag".into();
            self.send_response(now, &request, response);
            return;
        };
        let handle = CallHandle(self.next_handle());
        let remote_sdp = sdp_body(&request.headers, &request.body);
        let from_text = text(&request.headers, HeaderName::FROM);
        let (from, display_name) = match crate::name_addr::NameAddrRef::view(&from_text) {
            Ok(addr) => (
                addr.uri.as_str().to_owned(),
                addr.display_name.map(String::from),
            ),
            Err(_) => (from_text.clone(), None),
        };
        let mut call = Call::new(false, dialog.id.call_id.clone(), tag);
        call.remote_tag = Some(dialog.id.remote_tag.clone());
        call.invite_cseq_text = text(&request.headers, HeaderName::CSEQ);
        call.server_key = Some(server_key);
        call.invite = Some(Arc::clone(&request));
        call.offer_in_invite = remote_sdp.is_some();
        call.remote_sdp = remote_sdp.clone();
        call.dialog = Some(dialog);
        call.phase = Phase::Incoming { answering: false };
        call.ext.reliable = self.config.reliable_provisional
            && (lists(&request.headers, HeaderName::REQUIRE, "100rel")
                || lists(&request.headers, HeaderName::SUPPORTED, "100rel"));
        call.ext.peer_allows_update = lists(&request.headers, HeaderName::ALLOW, "UPDATE");
        call.ext.replaces = replaces;
        call.ext.offered_session = offered_session.map(|(interval, refresher)| {
            (
                interval,
                refresher,
                lists(&request.headers, HeaderName::SUPPORTED, "timer"),
            )
        });
        self.calls.insert(handle, Box::new(call));
        self.emit(Event::IncomingCall {
            call: handle,
            from,
            display_name,
            remote_sdp,
            replaces,
        });
        if self.config.auto_ringing {
            let _ = self.send_ringing(now, handle);
        }
    }

    pub(super) fn send_ringing(&mut self, now: Instant, handle: CallHandle) -> Result<(), UaError> {
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        if !matches!(call.phase, Phase::Incoming { .. }) {
            return Err(UaError::InvalidState(
                "ringing is for unanswered incoming calls",
            ));
        }
        if call.ext.reliable && call.ext.unacked_rseq.is_some() {
            // RFC 3262 §3: no second reliable provisional before the first
            // is acknowledged.
            return Err(UaError::InvalidState(
                "the last reliable provisional is not PRACKed yet",
            ));
        }
        let (request, response, _) = self.provisional(handle, 180).ok_or(UaError::NoSuchCall)?;
        let status = response.status();
        self.send_response_bytes(now, &request, status, response.finish("", &[]));
        self.set_call_state(handle, CallState::Ringing);
        Ok(())
    }

    /// A provisional response to the incoming INVITE of `handle`, with our
    /// tag and Contact, sent reliably (RFC 3262 §3: Require: 100rel and the
    /// next RSeq) when the caller supports 100rel and no reliable
    /// provisional waits for its PRACK. Returns the INVITE, the response
    /// and whether it is reliable.
    fn provisional(
        &mut self,
        handle: CallHandle,
        status: u16,
    ) -> Option<(Arc<Request>, WireResponse, bool)> {
        let call = self.calls.get(&handle)?;
        let request = call.invite.clone()?;
        let tag = call.local_tag.clone();
        let reliable = call.ext.reliable && call.ext.unacked_rseq.is_none();
        let mut response = WireResponse::to(&request, status, Some(&tag));
        response.header(HeaderName::CONTACT, &self.contact());
        if reliable {
            let rseq = self.next_rseq(handle);
            response.header(HeaderName::ALLOW, ALLOW);
            response.header(HeaderName::REQUIRE, "100rel");
            response.header(HeaderName::RSEQ, &rseq.to_string());
        }
        Some((request, response, reliable))
    }

    /// Hands the peer's `offer` to the media layer and asks it for our
    /// answer.
    pub(in crate::ua) fn ask_answer(&mut self, handle: CallHandle, offer: String) {
        self.emit(Event::RemoteDescription {
            call: handle,
            kind: SdpKind::Offer,
            sdp: offer.clone(),
        });
        self.emit(Event::LocalDescriptionNeeded {
            call: handle,
            kind: SdpKind::Answer,
            remote_sdp: Some(offer),
        });
    }

    /// Starts early media on an unanswered incoming call: asks the media
    /// layer for the answer to the INVITE's offer, which then leaves in a
    /// 183 Session Progress (reliably when the caller supports 100rel).
    pub(super) fn start_early_media(
        &mut self,
        _now: Instant,
        handle: CallHandle,
    ) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        if !matches!(call.phase, Phase::Incoming { answering: false }) {
            return Err(UaError::InvalidState(
                "early media is for unanswered incoming calls",
            ));
        }
        if call.ext.early_answer.is_some() {
            return Err(UaError::InvalidState("early media has already started"));
        }
        if call.ext.reliable && call.ext.unacked_rseq.is_some() {
            // RFC 3262 §3: no second reliable provisional before the first
            // is acknowledged.
            return Err(UaError::InvalidState(
                "the last reliable provisional is not PRACKed yet",
            ));
        }
        let Some(offer) = call.remote_sdp.clone() else {
            return Err(UaError::InvalidState(
                "early media needs an offer in the INVITE",
            ));
        };
        call.ext.early_answer = Some(EarlyAnswer::Asked);
        self.emit(Event::LocalDescriptionNeeded {
            call: handle,
            kind: SdpKind::Answer,
            remote_sdp: Some(offer),
        });
        Ok(())
    }

    /// The 183 with our answer (RFC 3261 §13.3.1.1; RFC 3262 §3 when the
    /// caller supports 100rel).
    fn send_session_progress(&mut self, now: Instant, handle: CallHandle, sdp: String) {
        let Some((request, response, reliable)) = self.provisional(handle, 183) else {
            return;
        };
        let status = response.status();
        let bytes = response.finish("application/sdp", sdp.as_bytes());
        self.send_response_bytes(now, &request, status, bytes);
        if let Some(call) = self.calls.get_mut(&handle) {
            call.local_sdp = Some(sdp.clone());
            call.ext.early_answer = Some(EarlyAnswer::Sent { sdp, reliable });
        }
        self.set_call_state(handle, CallState::Early);
    }

    /// The RSeq of the next reliable provisional on `handle`, "chosen
    /// uniformly between 1 and 2**31 - 1" for the first and one higher
    /// after (RFC 3262 §3), recorded as waiting for its PRACK.
    fn next_rseq(&mut self, handle: CallHandle) -> u32 {
        let last = self.calls.get(&handle).map_or(0, |c| c.ext.rseq);
        let rseq = match last {
            0 => (self.random_u31() % 0x3fff_ffff).max(1),
            last => last.saturating_add(1),
        };
        if let Some(call) = self.calls.get_mut(&handle) {
            call.ext.rseq = rseq;
            call.ext.unacked_rseq = Some(rseq);
        }
        rseq
    }

    pub(super) fn accept_call(&mut self, now: Instant, handle: CallHandle) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        let Phase::Incoming { answering } = &mut call.phase else {
            return Err(UaError::InvalidState(
                "answer is for unanswered incoming calls",
            ));
        };
        *answering = true;
        if let Some(EarlyAnswer::Sent { sdp, .. }) = &call.ext.early_answer {
            // The answer went out in the 183: the 2xx reuses it.
            let sdp = sdp.clone();
            self.send_invite_2xx(now, handle, sdp);
            return Ok(());
        }
        let (kind, remote_sdp) = match &call.remote_sdp {
            Some(offer) => (SdpKind::Answer, Some(offer.clone())),
            None => (SdpKind::Offer, None),
        };
        self.emit(Event::LocalDescriptionNeeded {
            call: handle,
            kind,
            remote_sdp,
        });
        Ok(())
    }

    fn send_invite_2xx(&mut self, now: Instant, handle: CallHandle, sdp: String) {
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some(request) = call.invite.clone() else {
            return;
        };
        let tag = call.local_tag.clone();
        if call.offer_in_invite {
            call.local_sdp = Some(sdp.clone());
        } else {
            call.pending_local = Some(sdp.clone());
        }
        if let Some(dialog) = &mut call.dialog {
            dialog.confirm(None);
        }
        let offered_session = call.ext.offered_session;
        let mut response = WireResponse::to(&request, 200, Some(&tag));
        response.header(HeaderName::CONTACT, &self.contact());
        response.header(HeaderName::ALLOW, ALLOW);
        response.header(HeaderName::SUPPORTED, self.supported());
        // RFC 4028 §9: the UAS keeps the refresher the UAC chose, or picks
        // the UAC when it supports `timer` (then Require: timer), else
        // itself.
        if let Some((interval, refresher, uac_supports)) = offered_session {
            let refresher = match refresher {
                Some(r) => r,
                None if uac_supports => Refresher::Uac,
                None => Refresher::Uas,
            };
            if refresher == Refresher::Uac {
                response.header(HeaderName::REQUIRE, "timer");
            }
            response.header(
                HeaderName::SESSION_EXPIRES,
                &format!("{interval};refresher={}", refresher.as_str()),
            );
            if let Some(call) = self.calls.get_mut(&handle) {
                call.ext.session = Some(SessionTimer::start(
                    now,
                    interval,
                    refresher == Refresher::Uas,
                ));
            }
        }
        let status = response.status();
        // After an answer in a reliable 183 the offer/answer exchange is
        // complete: the 2xx carries no SDP (RFC 3262 §5, RFC 6337 §3.1).
        let early_reliable = self.calls.get(&handle).is_some_and(|c| {
            matches!(
                c.ext.early_answer,
                Some(EarlyAnswer::Sent { reliable: true, .. })
            )
        });
        let body = if early_reliable { "" } else { sdp.as_str() };
        let bytes = response.finish("application/sdp", body.as_bytes());
        self.send_response_bytes(now, &request, status, bytes.clone());
        let t1 = self.config.t1;
        let give_up_at = now + self.timers.h();
        if let Some(call) = self.calls.get_mut(&handle) {
            call.phase = Phase::WaitingAck {
                response: bytes,
                resend_at: now + t1,
                interval: t1,
                give_up_at,
            };
        }
    }

    pub(super) fn reject_call(
        &mut self,
        now: Instant,
        handle: CallHandle,
        status: u16,
    ) -> Result<(), UaError> {
        if !(300..=699).contains(&status) {
            return Err(UaError::InvalidStatus(status));
        }
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        if !matches!(call.phase, Phase::Incoming { .. }) {
            return Err(UaError::InvalidState(
                "reject is for unanswered incoming calls",
            ));
        }
        let Some(request) = call.invite.clone() else {
            return Err(UaError::NoSuchCall);
        };
        let tag = call.local_tag.clone();
        let response = Self::response_to(&request, status, Some(&tag));
        self.send_response(now, &request, response);
        self.end_call(handle, EndReason::LocalHangup);
        Ok(())
    }

    pub(super) fn hangup_call(&mut self, now: Instant, handle: CallHandle) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        match &mut call.phase {
            Phase::AwaitingOffer => {
                self.end_call(handle, EndReason::LocalHangup);
            }
            Phase::Inviting {
                provisional,
                cancel,
                ..
            } => {
                if cancel.is_none() {
                    *cancel = Some(EndReason::LocalHangup);
                    // §9.1: "a CANCEL [...] SHOULD NOT be sent" before a
                    // provisional response; it leaves when one arrives.
                    if *provisional {
                        self.send_cancel(now, handle);
                    }
                }
            }
            Phase::Incoming { .. } => {
                return self.reject_call(now, handle, 603);
            }
            Phase::AwaitingAckAnswer { seq } => {
                let seq = *seq;
                self.send_ack(handle, seq, None);
                self.send_bye(now, handle);
                self.end_call(handle, EndReason::LocalHangup);
            }
            Phase::WaitingAck { .. } | Phase::Confirmed => {
                self.send_bye(now, handle);
                self.end_call(handle, EndReason::LocalHangup);
            }
        }
        Ok(())
    }

    pub(super) fn handle_cancel(&mut self, now: Instant, key: &TransactionKey, request: &Request) {
        // §9.2: CANCEL matches the INVITE server transaction with the same
        // branch; "If the UAS did not find a matching transaction [...] it
        // SHOULD respond to the CANCEL with a 481".
        let invite_key =
            TransactionKey::new(Role::Server, key.branch(), key.sent_by(), &Method::Invite);
        if self.transactions.server(&invite_key).is_none() {
            self.reply(now, request, 481);
            return;
        }
        let tag = self
            .calls
            .values()
            .find(|c| c.server_key.as_deref() == Some(&invite_key))
            .map(|c| c.local_tag.clone());
        let response = Self::response_to(request, 200, tag.as_deref());
        self.send_response(now, request, response);
        if !self.transactions.server_invite_proceeding(&invite_key) {
            return;
        }
        let handle = self
            .calls
            .iter()
            .find(|(_, c)| c.server_key.as_deref() == Some(&invite_key))
            .map(|(h, _)| *h);
        if let Some(handle) = handle {
            if let Some((invite, tag)) = self
                .calls
                .get(&handle)
                .and_then(|c| c.invite.clone().map(|i| (i, c.local_tag.clone())))
            {
                // §9.2: "the UAS SHOULD then respond to the INVITE with a 487".
                let response = Self::response_to(&invite, 487, Some(&tag));
                self.send_response(now, &invite, response);
            }
            self.end_call(handle, EndReason::RemoteHangup);
        }
    }

    pub(super) fn handle_ack(&mut self, now: Instant, key: &TransactionKey, request: Request) {
        // §17.2.1: an ACK for a non-2xx final goes to its INVITE transaction.
        if self.transactions.server_ack(now, key) {
            return;
        }
        // §13.3.1.4: the ACK for a 2xx belongs to the dialog.
        let call_id = text_ref(&request.headers, HeaderName::CALL_ID);
        let to_tag = tag_ref(&request.headers, HeaderName::TO).unwrap_or_default();
        let from_tag = tag_ref(&request.headers, HeaderName::FROM).unwrap_or_default();
        let Some(handle) = self
            .calls
            .iter()
            .find(|(_, c)| c.matches(call_id, to_tag, from_tag))
            .map(|(h, _)| *h)
        else {
            self.emit(Event::Dropped(DropReason::StrayAck));
            return;
        };
        let sdp = sdp_body(&request.headers, &request.body);
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if let Phase::WaitingAck { .. } = call.phase {
            call.phase = Phase::Confirmed;
            if !call.offer_in_invite {
                match sdp {
                    Some(answer) => {
                        call.local_sdp = call.pending_local.take();
                        call.remote_sdp = Some(answer.clone());
                        self.emit(Event::RemoteDescription {
                            call: handle,
                            kind: SdpKind::Answer,
                            sdp: answer,
                        });
                    }
                    None => {
                        self.send_bye(now, handle);
                        self.end_call(handle, EndReason::MediaFailed);
                        return;
                    }
                }
            }
            self.set_call_state(handle, CallState::Connected);
            self.finish_replacement(now, handle);
        } else if let Reinvite::AwaitingAck { offer } = &call.reinvite {
            let offer = offer.clone();
            call.reinvite = call.deferred_retry.take().unwrap_or(Reinvite::Idle);
            if let Some(answer) = sdp {
                call.local_sdp = Some(offer);
                call.remote_sdp = Some(answer.clone());
                self.emit(Event::RemoteDescription {
                    call: handle,
                    kind: SdpKind::Answer,
                    sdp: answer,
                });
            }
        }
    }

    // ---- in-dialog requests ----

    pub(super) fn in_dialog_request(&mut self, now: Instant, request: Arc<Request>) {
        let (call_id, to, from) = (
            request.headers.field(HeaderName::CALL_ID),
            request.headers.field(HeaderName::TO),
            request.headers.field(HeaderName::FROM),
        );
        let call_id = call_id.map_or("", str::trim);
        let to_tag = to.and_then(tag_in).unwrap_or("");
        let from_tag = from.and_then(tag_in).unwrap_or("");
        let found = self
            .calls
            .iter()
            .find(|(_, c)| {
                (c.dialog.is_some() || !c.early.is_empty()) && c.matches(call_id, to_tag, from_tag)
            })
            .map(|(h, _)| *h);
        let Some(handle) = found else {
            // §12.2.2: "If the UAS wishes to reject the request because it
            // does not wish to recreate the dialog, it MUST respond [...] 481".
            self.reply(now, &request, 481);
            return;
        };
        let cseq_ok = self.calls.get_mut(&handle).and_then(|c| {
            let dialog = match c.dialog.as_mut() {
                Some(d) if d.id.remote_tag == from_tag => Some(d),
                _ => c.early.iter_mut().find(|d| d.id.remote_tag == from_tag),
            };
            dialog.map(|d| d.accept_remote_cseq(&request))
        });
        if let Some(Err(_)) = cseq_ok {
            // §12.2.2: a lower CSeq is out of order: 500.
            self.reply(now, &request, 500);
            return;
        }
        match request.method {
            Method::Bye => {
                self.reply(now, &request, 200);
                self.end_call(handle, EndReason::RemoteHangup);
            }
            Method::Invite => self.incoming_reinvite(now, handle, Request::clone(&request)),
            Method::Prack => self.incoming_prack(now, handle, &request),
            Method::Refer => self.incoming_refer(now, handle, &request),
            Method::Notify => self.incoming_call_notify(now, handle, &request),
            Method::Update => self.incoming_update(now, handle, Request::clone(&request)),
            Method::Info => {
                let ct = text(&request.headers, HeaderName::CONTENT_TYPE);
                let body = String::from_utf8_lossy(&request.body).into_owned();
                match parse_dtmf(&ct, &body) {
                    Some((digit, duration)) => {
                        self.reply(now, &request, 200);
                        self.emit(Event::Dtmf {
                            call: handle,
                            digit,
                            duration,
                        });
                    }
                    None if request.body.is_empty() => self.reply(now, &request, 200),
                    None => self.reply(now, &request, 415),
                }
            }
            Method::Message => self.incoming_message(now, &request),
            Method::Options => {
                let mut response = Self::response_to(&request, 200, None);
                add(&mut response.headers, HeaderName::ALLOW, ALLOW);
                self.send_response(now, &request, response);
            }
            Method::Other(_) => self.reply(now, &request, 501),
            _ => {
                let mut response = Self::response_to(&request, 405, None);
                add(&mut response.headers, HeaderName::ALLOW, ALLOW);
                self.send_response(now, &request, response);
            }
        }
    }

    fn incoming_reinvite(&mut self, now: Instant, handle: CallHandle, request: Request) {
        let Some(call) = self.calls.get(&handle) else {
            return;
        };
        match &call.reinvite {
            // §14.2: "A UAS that receives a second INVITE before it sends the
            // final response to a first INVITE with a lower CSeq [...] MUST
            // return a 500"; one that receives an INVITE while its own is
            // pending "MUST return a 491".
            Reinvite::Sent { .. } | Reinvite::AwaitingOffer { .. } => {
                self.reply(now, &request, 491);
                return;
            }
            Reinvite::Received { .. } | Reinvite::AwaitingAck { .. } => {
                let mut response = Self::response_to(&request, 500, None);
                add(&mut response.headers, HeaderName::RETRY_AFTER, "1");
                self.send_response(now, &request, response);
                return;
            }
            Reinvite::Idle | Reinvite::GlareWait { .. } => {}
        }
        if !matches!(call.phase, Phase::Confirmed) {
            self.reply(now, &request, 491);
            return;
        }
        let offer = sdp_body(&request.headers, &request.body);
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if let Some(dialog) = &mut call.dialog {
            // §12.2.2: a target refresh request updates the remote target.
            dialog.refresh_target(&request.headers);
        }
        if matches!(call.reinvite, Reinvite::GlareWait { .. }) {
            call.deferred_retry = Some(call.reinvite.clone());
        }
        call.reinvite = Reinvite::Received {
            request,
            offer: offer.clone(),
        };
        match offer {
            Some(offer) => {
                self.ask_answer(handle, offer);
            }
            None => self.emit(Event::LocalDescriptionNeeded {
                call: handle,
                kind: SdpKind::Offer,
                remote_sdp: None,
            }),
        }
    }

    fn answer_reinvite(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
        offer: Option<String>,
        sdp: String,
    ) {
        let mut response = Self::response_to(request, 200, None);
        add(&mut response.headers, HeaderName::CONTACT, &self.contact());
        self.answer_refresh(now, handle, request, &mut response.headers);
        set_body(
            &mut response.headers,
            &mut response.body,
            "application/sdp",
            &sdp,
        );
        self.send_response(now, request, response);
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        match offer {
            Some(offer) => {
                call.remote_held = is_hold(&offer);
                call.local_sdp = Some(sdp);
                call.remote_sdp = Some(offer);
                call.reinvite = call.deferred_retry.take().unwrap_or(Reinvite::Idle);
                let state = if call.held {
                    CallState::Held
                } else if call.remote_held {
                    CallState::RemoteHeld
                } else {
                    CallState::Connected
                };
                self.set_call_state(handle, state);
            }
            None => call.reinvite = Reinvite::AwaitingAck { offer: sdp },
        }
    }

    // ---- re-INVITE we send ----

    pub(super) fn change_hold(
        &mut self,
        now: Instant,
        handle: CallHandle,
        hold: bool,
    ) -> Result<(), UaError> {
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        if !matches!(call.phase, Phase::Confirmed) {
            return Err(UaError::InvalidState("hold needs a connected call"));
        }
        if !matches!(call.reinvite, Reinvite::Idle) {
            return Err(UaError::NegotiationInProgress);
        }
        let local = call
            .local_sdp
            .clone()
            .ok_or(UaError::InvalidState("no local description yet"))?;
        let direction = match (hold, call.remote_held) {
            (true, false) => Direction::SendOnly,
            (true, true) => Direction::Inactive,
            (false, false) => Direction::SendRecv,
            (false, true) => Direction::RecvOnly,
        };
        let offer = with_direction(&local, direction)
            .ok_or(UaError::InvalidState("local description unreadable"))?;
        self.send_reinvite(now, handle, Method::Invite, Some(offer), Some(hold), false);
        Ok(())
    }

    pub(super) fn start_renegotiation(
        &mut self,
        _now: Instant,
        handle: CallHandle,
    ) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        if !matches!(call.phase, Phase::Confirmed) {
            return Err(UaError::InvalidState(
                "renegotiation needs a connected call",
            ));
        }
        if !matches!(call.reinvite, Reinvite::Idle) {
            return Err(UaError::NegotiationInProgress);
        }
        call.reinvite = Reinvite::AwaitingOffer {
            method: Method::Invite,
        };
        self.emit(Event::LocalDescriptionNeeded {
            call: handle,
            kind: SdpKind::Offer,
            remote_sdp: None,
        });
        Ok(())
    }

    /// Sends a re-INVITE or UPDATE (RFC 3311) with `offer`, or without a
    /// body for an UPDATE that only refreshes the session (RFC 4028 §7.4).
    pub(super) fn send_reinvite(
        &mut self,
        now: Instant,
        handle: CallHandle,
        method: Method,
        offer: Option<String>,
        hold: Option<bool>,
        authenticated: bool,
    ) {
        let Some(mut dialog) = self.call_dialog(handle) else {
            return;
        };
        let Some(mut request) = self.dialog_request(&mut dialog, method.clone(), None) else {
            return;
        };
        add(&mut request.headers, HeaderName::ALLOW, ALLOW);
        add(
            &mut request.headers,
            HeaderName::SUPPORTED,
            self.supported(),
        );
        // RFC 4028 §7.4: a refresh (any re-INVITE or UPDATE of a session
        // with a timer) names the interval and keeps us the refresher if we
        // were.
        if let Some(timer) = self.calls.get(&handle).and_then(|c| c.ext.session) {
            let refresher = if timer.we_refresh { "uac" } else { "uas" };
            add(
                &mut request.headers,
                HeaderName::SESSION_EXPIRES,
                &format!("{};refresher={refresher}", timer.interval),
            );
            add(
                &mut request.headers,
                HeaderName::MIN_SE,
                &self.config.min_se.max(90).to_string(),
            );
        }
        if let Some(offer) = &offer {
            set_body(
                &mut request.headers,
                &mut request.body,
                "application/sdp",
                offer,
            );
        }
        if authenticated {
            self.authorize(&mut request);
        }
        let key = self.send_request_keyed(now, request, Owner::Call(handle));
        self.store_dialog(handle, dialog);
        if let (Some(call), Some(key)) = (self.calls.get_mut(&handle), key) {
            call.reinvite = Reinvite::Sent {
                key,
                method,
                offer,
                hold,
                authenticated,
            };
        }
    }

    fn reinvite_response(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
        response: &Response,
    ) {
        let status = response.status.as_u16();
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Reinvite::Sent {
            method,
            offer,
            hold,
            authenticated,
            ..
        } = call.reinvite.clone()
        else {
            // A 2xx retransmission for an old re-INVITE: ACK again.
            if (200..300).contains(&status) {
                if let Some(ack) = call.ack.clone() {
                    self.transmit(ack);
                }
            }
            return;
        };
        match status {
            100..=199 => {}
            200..=299 => {
                let seq = cseq_number(&request.headers).unwrap_or(1);
                if let Some(dialog) = &mut call.dialog {
                    dialog.refresh_target(&response.headers);
                }
                let answer = sdp_body(&response.headers, &response.body);
                call.reinvite = Reinvite::Idle;
                let answer = if offer.is_some() { answer } else { None };
                if let Some(offer) = offer {
                    call.local_sdp = Some(offer);
                }
                if let Some(answer) = &answer {
                    call.remote_sdp = Some(answer.clone());
                }
                // RFC 4028 §7.4: the 2xx to a refresh restarts the timer,
                // with the refresher it names (none: the timer stops).
                call.ext.session = super::build::session_expires(&response.headers).map(
                    |(interval, refresher)| {
                        SessionTimer::start(now, interval, refresher != Some(Refresher::Uas))
                    },
                );
                if let Some(hold) = hold {
                    call.held = hold;
                }
                let state = if call.held {
                    CallState::Held
                } else if call.remote_held {
                    CallState::RemoteHeld
                } else {
                    CallState::Connected
                };
                if method == Method::Invite {
                    self.send_ack(handle, seq, None);
                }
                if let Some(answer) = answer {
                    self.emit(Event::RemoteDescription {
                        call: handle,
                        kind: SdpKind::Answer,
                        sdp: answer,
                    });
                }
                self.set_call_state(handle, state);
            }
            // §14.1: "the UAC [...] SHOULD start a timer with a value T
            // chosen as follows: 1. If the UAC is the owner of the Call-ID
            // [...] T has a randomly chosen value between 2.1 and 4 seconds
            // in units of 10 ms. 2. If the UAC is not the owner of the
            // Call-ID, T has a randomly chosen value of between 0 and 2
            // seconds in units of 10 ms."
            491 => {
                let owner = call.outgoing;
                let wait = if owner {
                    self.random_millis(210, 401) * 10
                } else {
                    self.random_millis(0, 201) * 10
                };
                if let Some(call) = self.calls.get_mut(&handle) {
                    call.reinvite = Reinvite::GlareWait {
                        retry_at: now + wait,
                        method,
                        offer,
                        hold,
                    };
                }
            }
            401 | 407 => {
                let decision = match Self::client_key(request) {
                    Some(key) => self.answer_challenge(&key, response),
                    None => Decision::Stop(crate::auth::StopReason::NoSupportedChallenge),
                };
                match decision {
                    Decision::Retry => self.send_reinvite(now, handle, method, offer, hold, true),
                    Decision::Stop(_) => self.rollback(handle),
                }
            }
            // RFC 4028 §7.3 for a refresh: retry with the peer's Min-SE.
            422 => {
                let raised = super::build::min_se(&response.headers)
                    .filter(|m| call.ext.session.is_some_and(|s| s.interval < *m));
                if let (Some(m), Some(timer)) = (raised, call.ext.session.as_mut()) {
                    timer.interval = m;
                }
                if raised.is_some() {
                    self.send_reinvite(now, handle, method, offer, hold, authenticated);
                } else {
                    self.rollback(handle);
                }
            }
            // §14.1: 481 or 408 to a re-INVITE ends the dialog.
            408 | 481 => {
                self.send_bye(now, handle);
                self.end_call(
                    handle,
                    EndReason::Failed {
                        status,
                        reason: response.reason.clone(),
                    },
                );
            }
            // §14.1: "If a UA receives a non-2xx final response to a
            // re-INVITE, the session parameters MUST remain unchanged".
            _ => self.rollback(handle),
        }
    }

    /// Back to the last agreed descriptions (RFC 3264 / §14.1).
    fn rollback(&mut self, handle: CallHandle) {
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        call.reinvite = Reinvite::Idle;
        let (local_sdp, remote_sdp) = (call.local_sdp.clone(), call.remote_sdp.clone());
        self.emit(Event::RolledBack {
            call: handle,
            local_sdp,
            remote_sdp,
        });
    }

    // ---- INFO ----

    pub(super) fn send_info_dtmf(
        &mut self,
        now: Instant,
        handle: CallHandle,
        digit: char,
        duration_ms: u32,
        format: DtmfFormat,
    ) -> Result<(), UaError> {
        if !valid_digit(&digit) {
            return Err(UaError::InvalidState("not a DTMF digit"));
        }
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        if !matches!(call.phase, Phase::Confirmed) {
            return Err(UaError::InvalidState("INFO needs a connected call"));
        }
        let Some(mut dialog) = call.dialog.clone() else {
            return Err(UaError::NoSuchCall);
        };
        let Some(mut info) = self.dialog_request(&mut dialog, Method::Info, None) else {
            return Err(UaError::InvalidState("dialog has no usable target"));
        };
        let (ct, body) = match format {
            DtmfFormat::Relay => (
                "application/dtmf-relay",
                format!("Signal={digit}\r\nDuration={duration_ms}\r\n"),
            ),
            DtmfFormat::Dtmf => ("application/dtmf", digit.to_string()),
        };
        set_body(&mut info.headers, &mut info.body, ct, &body);
        self.send_request(now, info, Owner::Call(handle));
        if let Some(call) = self.calls.get_mut(&handle) {
            call.dialog = Some(dialog);
        }
        Ok(())
    }

    // ---- timers ----

    pub(super) fn call_timers(&mut self, now: Instant) {
        let due: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(_, c)| c.deadline().is_some_and(|d| d <= now))
            .map(|(h, _)| *h)
            .collect();
        for handle in due {
            let Some(call) = self.calls.get_mut(&handle) else {
                continue;
            };
            match &mut call.phase {
                Phase::Inviting {
                    no_answer_at: Some(at),
                    provisional,
                    cancel,
                    ..
                } if *at <= now => {
                    let send = *provisional && cancel.is_none();
                    if cancel.is_none() {
                        *cancel = Some(EndReason::NoAnswer);
                    }
                    let provisional = *provisional;
                    if let Phase::Inviting { no_answer_at, .. } = &mut call.phase {
                        *no_answer_at = None;
                    }
                    if send {
                        self.send_cancel(now, handle);
                    } else if !provisional {
                        // Nothing came back at all; Timer B will end it.
                    }
                }
                Phase::WaitingAck { give_up_at, .. } if *give_up_at <= now => {
                    // §13.3.1.4: no ACK within 64*T1: confirm, then end with BYE.
                    call.phase = Phase::Confirmed;
                    self.send_bye(now, handle);
                    self.end_call(handle, EndReason::Timeout);
                    continue;
                }
                Phase::WaitingAck {
                    response,
                    resend_at,
                    interval,
                    ..
                } if *resend_at <= now => {
                    let bytes = response.clone();
                    *interval = (*interval * 2).min(self.timers.t2());
                    *resend_at = now + *interval;
                    self.transmit(bytes);
                }
                _ => {}
            }
            if self
                .calls
                .get(&handle)
                .and_then(|c| c.ext.session)
                .is_some_and(|s| s.at <= now)
            {
                self.session_timer_fired(now, handle);
            }
            let Some(call) = self.calls.get(&handle) else {
                continue;
            };
            if let Reinvite::GlareWait {
                retry_at,
                method,
                offer,
                hold,
            } = &call.reinvite
            {
                if *retry_at <= now {
                    let (method, mut offer, hold) = (method.clone(), offer.clone(), *hold);
                    // A hold or resume is recomputed: the peer's own
                    // re-INVITE may have changed what we must offer.
                    if let (Some(h), Some(local)) = (hold, call.local_sdp.clone()) {
                        let direction = match (h, call.remote_held) {
                            (true, false) => Direction::SendOnly,
                            (true, true) => Direction::Inactive,
                            (false, false) => Direction::SendRecv,
                            (false, true) => Direction::RecvOnly,
                        };
                        if let Some(o) = with_direction(&local, direction) {
                            offer = Some(o);
                        }
                    }
                    self.send_reinvite(now, handle, method, offer, hold, false);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtmf_bodies() {
        assert_eq!(
            parse_dtmf("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"),
            Some(('5', 160))
        );
        assert_eq!(parse_dtmf("application/dtmf", "#"), Some(('#', 160)));
        assert_eq!(parse_dtmf("text/plain", "5"), None);
        assert_eq!(parse_dtmf("application/dtmf-relay", "Signal=x\r\n"), None);
    }
}
