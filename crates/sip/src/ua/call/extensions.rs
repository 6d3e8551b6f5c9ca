//! Extensions of a call: reliable provisional responses and PRACK
//! (RFC 3262), UPDATE (RFC 3311) and session timers (RFC 4028).

use super::super::build::{Refresher, add, lists, min_se, sdp_body, session_expires, text};
use super::{Phase, Reinvite, SessionTimer};
use crate::dialog::Dialog;
use crate::headers::{HeaderName, Headers};
use crate::message::{Method, Request};
use crate::time::{Duration, Instant};
use crate::transaction::HeadersExt;
use crate::ua::{CallHandle, EndReason, Event, Owner, SdpKind, UaError, UserAgent};

impl UserAgent {
    /// The dialog in-dialog requests of `handle` use: the confirmed one, else
    /// the latest early one (RFC 3262 PRACK and RFC 3311 UPDATE travel in
    /// early dialogs).
    pub(in crate::ua) fn call_dialog(&self, handle: CallHandle) -> Option<Dialog> {
        let call = self.calls.get(&handle)?;
        call.dialog.clone().or_else(|| call.early.last().cloned())
    }

    /// Lends `use_dialog` the dialog [`UserAgent::call_dialog`] would copy,
    /// taken out of the call and put back in its place afterwards.
    /// `use_dialog` must leave the call's dialogs alone.
    pub(in crate::ua) fn with_call_dialog<R>(
        &mut self,
        handle: CallHandle,
        use_dialog: impl FnOnce(&mut Self, &mut Dialog) -> R,
    ) -> Option<R> {
        let call = self.calls.get_mut(&handle)?;
        let (mut dialog, early) = match call.dialog.take() {
            Some(dialog) => (dialog, false),
            None => (call.early.pop()?, true),
        };
        let result = use_dialog(self, &mut dialog);
        if let Some(call) = self.calls.get_mut(&handle) {
            if early {
                call.early.push(dialog);
            } else {
                call.dialog = Some(dialog);
            }
        }
        Some(result)
    }

    /// Puts back a dialog taken with [`UserAgent::call_dialog`] (its CSeq
    /// moved on).
    pub(in crate::ua) fn store_dialog(&mut self, handle: CallHandle, dialog: Dialog) {
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if let Some(d) = call.dialog.as_mut().filter(|d| d.id == dialog.id) {
            *d = dialog;
        } else if let Some(d) = call.early.iter_mut().find(|d| d.id == dialog.id) {
            *d = dialog;
        }
    }

    /// RFC 3262 §4: the RSeq of a provisional that requires 100rel, when we
    /// offered 100rel.
    pub(in crate::ua) fn reliable_rseq(&self, headers: &Headers) -> Option<u32> {
        if !self.config.reliable_provisional || !lists(headers, HeaderName::REQUIRE, "100rel") {
            return None;
        }
        headers.field(HeaderName::RSEQ)?.trim().parse().ok()
    }

    /// RFC 3262 §7.2: a PRACK in the early dialog the provisional created,
    /// with `RAck: rseq cseq INVITE`, and the answer when the provisional
    /// carried an offer.
    pub(in crate::ua) fn send_prack(
        &mut self,
        now: Instant,
        handle: CallHandle,
        remote_tag: Option<&str>,
        rack: &str,
        answer: Option<&str>,
    ) {
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some(at) = call
            .early
            .iter()
            .rposition(|d| Some(d.id.remote_tag.as_str()) == remote_tag || remote_tag.is_none())
        else {
            return;
        };
        let confirmed = |d: &Dialog| call.dialog.as_ref().is_some_and(|c| c.id == d.id);
        if call.early.get(at).is_some_and(confirmed) {
            // The early dialog was confirmed meanwhile: the PRACK's CSeq
            // goes on from a copy, into the confirmed dialog.
            let Some(mut dialog) = call.early.get(at).cloned() else {
                return;
            };
            let Some(prack) = self.dialog_request(&mut dialog, Method::Prack, None) else {
                return;
            };
            self.finish_prack(now, handle, prack, rack, answer);
            self.store_dialog(handle, dialog);
            return;
        }
        // The early dialog is lent to the request builder and put back.
        if at >= call.early.len() {
            return;
        }
        let mut dialog = call.early.remove(at);
        let prack = self.dialog_request(&mut dialog, Method::Prack, None);
        if let Some(call) = self.calls.get_mut(&handle) {
            let at = at.min(call.early.len());
            call.early.insert(at, dialog);
        }
        if let Some(prack) = prack {
            self.finish_prack(now, handle, prack, rack, answer);
        }
    }

    /// Adds RAck and the answer, if any, to `prack` and sends it.
    fn finish_prack(
        &mut self,
        now: Instant,
        handle: CallHandle,
        mut prack: Request,
        rack: &str,
        answer: Option<&str>,
    ) {
        add(&mut prack.headers, HeaderName::RACK, rack);
        if let Some(answer) = answer {
            super::super::build::set_body(
                &mut prack.headers,
                &mut prack.body,
                "application/sdp",
                answer,
            );
        }
        self.send_request(now, prack, Owner::Call(handle));
    }

    /// The media layer's answer to an offer in a reliable provisional: it
    /// leaves in the PRACK (RFC 3262 §5).
    pub(in crate::ua) fn send_prack_answer(
        &mut self,
        now: Instant,
        handle: CallHandle,
        answer: String,
    ) {
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some((_, rack)) = call.ext.prack_answer.take() else {
            return;
        };
        call.local_sdp = Some(answer.clone());
        let remote_tag = call.early.last().map(|d| d.id.remote_tag.clone());
        self.send_prack(now, handle, remote_tag.as_deref(), &rack, Some(&answer));
    }

    /// RFC 4028 §7.3: takes the Min-SE of a 422 as our new Session-Expires
    /// and Min-SE, if it is higher than what we asked. False when there is
    /// nothing to raise (the call then fails).
    pub(in crate::ua) fn raise_session_expires(
        &mut self,
        handle: CallHandle,
        headers: &Headers,
    ) -> bool {
        let Some(call) = self.calls.get_mut(&handle) else {
            return false;
        };
        let Some(wanted) = min_se(headers) else {
            return false;
        };
        match call.ext.asked_expires {
            Some(asked) if asked < wanted => {
                call.ext.asked_expires = Some(wanted);
                call.ext.asked_min_se = wanted;
                true
            }
            _ => false,
        }
    }

    /// RFC 3262 §3: a PRACK acknowledges our reliable provisional when its
    /// RAck names its RSeq and the INVITE's CSeq; otherwise 481.
    pub(in crate::ua) fn incoming_prack(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
    ) {
        let rack = text(&request.headers, HeaderName::RACK);
        let mut parts = rack.split_whitespace();
        let rseq = parts.next().and_then(|v| v.parse::<u32>().ok());
        let cseq = parts.next().and_then(|v| v.parse::<u32>().ok());
        let method = parts.next().unwrap_or("");
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let invite_cseq = crate::transaction::cseq_of(&call.invite_cseq_text).map(|(s, _)| s);
        let matches = rseq.is_some()
            && rseq == call.ext.unacked_rseq
            && cseq.is_some()
            && cseq == invite_cseq
            && method.eq_ignore_ascii_case("INVITE");
        if !matches {
            self.reply(now, request, 481);
            return;
        }
        call.ext.unacked_rseq = None;
        self.reply(now, request, 200);
    }

    /// RFC 3311 §5.2: an UPDATE with an offer is answered by the media layer
    /// (the 200 leaves on `set_local_description`); one without a body only
    /// refreshes the session (RFC 4028 §9) and its target.
    pub(in crate::ua) fn incoming_update(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: Request,
    ) {
        let offer = sdp_body(&request.headers, &request.body);
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        if let Some(dialog) = call.dialog.as_mut() {
            dialog.refresh_target(&request.headers);
        }
        if offer.is_some() {
            // "If an UPDATE is received that contains an offer, and the UAS
            // has generated an offer [...] to which it has not yet received
            // an answer, the UAS MUST reject the UPDATE with a 491"; one it
            // has not answered yet gets 500 with Retry-After.
            let our_offer_open = matches!(
                call.reinvite,
                Reinvite::Sent { .. }
                    | Reinvite::AwaitingOffer { .. }
                    | Reinvite::AwaitingAck { .. }
            ) || (call.pending_local.is_some() && call.remote_sdp.is_none())
                || call.ext.prack_answer.is_some();
            let their_offer_open = matches!(call.reinvite, Reinvite::Received { .. })
                || (call.remote_sdp.is_some() && call.local_sdp.is_none());
            if our_offer_open {
                self.reply(now, &request, 491);
                return;
            }
            if their_offer_open {
                let mut response = Self::response_to(&request, 500, None);
                add(&mut response.headers, HeaderName::RETRY_AFTER, "1");
                self.send_response(now, &request, response);
                return;
            }
        }
        match offer {
            Some(offer) => {
                if matches!(call.reinvite, Reinvite::GlareWait { .. }) {
                    call.deferred_retry = Some(call.reinvite.clone());
                }
                call.reinvite = Reinvite::Received {
                    request,
                    offer: Some(offer.clone()),
                };
                self.ask_answer(handle, offer);
            }
            None => {
                let mut response = Self::response_to(&request, 200, None);
                add(&mut response.headers, HeaderName::CONTACT, &self.contact());
                self.answer_refresh(now, handle, &request, &mut response.headers);
                self.send_response(now, &request, response);
            }
        }
    }

    /// RFC 4028 §9: the 2xx to a re-INVITE or UPDATE names the session
    /// interval and the refresher (kept as it was unless the request names
    /// one), and the timer restarts. A request without Session-Expires
    /// turns the timer off.
    pub(in crate::ua) fn answer_refresh(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
        headers: &mut Headers,
    ) {
        let requested = session_expires(&request.headers);
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some((interval, refresher)) = requested else {
            call.ext.session = None;
            return;
        };
        let refresher = refresher.unwrap_or(match call.ext.session {
            Some(timer) if timer.we_refresh => Refresher::Uas,
            _ => Refresher::Uac,
        });
        call.ext.session = Some(SessionTimer::start(
            now,
            interval,
            refresher == Refresher::Uas,
        ));
        if refresher == Refresher::Uac {
            add(headers, HeaderName::REQUIRE, "timer");
        }
        add(
            headers,
            HeaderName::SESSION_EXPIRES,
            &format!("{interval};refresher={}", refresher.as_str()),
        );
    }

    /// `update`: an offer/answer exchange by UPDATE (RFC 3311), in an early
    /// or confirmed dialog, once the first offer/answer is done (§5.1).
    pub(in crate::ua) fn start_update(&mut self, handle: CallHandle) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        if call.dialog.is_none() && call.early.is_empty() {
            return Err(UaError::InvalidState(
                "UPDATE needs an early or confirmed dialog",
            ));
        }
        if call.local_sdp.is_none() || call.remote_sdp.is_none() {
            return Err(UaError::InvalidState(
                "the first offer/answer is not complete",
            ));
        }
        if !matches!(call.reinvite, Reinvite::Idle) || call.ext.prack_answer.is_some() {
            return Err(UaError::NegotiationInProgress);
        }
        call.reinvite = Reinvite::AwaitingOffer {
            method: Method::Update,
        };
        self.emit(Event::LocalDescriptionNeeded {
            call: handle,
            kind: SdpKind::Offer,
            remote_sdp: None,
        });
        Ok(())
    }

    /// RFC 4028 §10: the session timer of `handle` fired. The refresher
    /// sends a refresh: UPDATE without a body when the peer allows UPDATE,
    /// else a re-INVITE with our current SDP. The other side ends the
    /// session with BYE.
    pub(in crate::ua) fn session_timer_fired(&mut self, now: Instant, handle: CallHandle) {
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some(timer) = call.ext.session.filter(|t| t.at <= now) else {
            return;
        };
        if !timer.we_refresh {
            self.send_bye(now, handle);
            self.end_call(handle, EndReason::SessionExpired);
            return;
        }
        if !matches!(call.phase, Phase::Confirmed) || !matches!(call.reinvite, Reinvite::Idle) {
            // Another exchange is in progress; any 2xx to it refreshes the
            // session too. Look again shortly.
            if let Some(t) = call.ext.session.as_mut() {
                t.at = now + Duration::from_secs(2);
            }
            return;
        }
        if let Some(t) = call.ext.session.as_mut() {
            // Re-armed by the 2xx; without one the peer's own expiry ends it.
            t.at = now + Duration::from_secs(u64::from(t.interval));
        }
        if call.ext.peer_allows_update {
            self.send_reinvite(now, handle, Method::Update, None, None, false);
        } else {
            let offer = call.local_sdp.clone();
            self.send_reinvite(now, handle, Method::Invite, offer, None, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ua::build::ALLOW;

    #[test]
    fn we_allow_prack_and_update() {
        assert!(ALLOW.contains("PRACK") && ALLOW.contains("UPDATE"));
    }

    #[test]
    fn session_timer_deadlines_follow_rfc4028_section_10() {
        let t0 = Instant::from_millis(0);
        assert_eq!(SessionTimer::start(t0, 1800, true).at.as_millis(), 900_000);
        // 1800 - min(32, 600) = 1768 s.
        assert_eq!(
            SessionTimer::start(t0, 1800, false).at.as_millis(),
            1_768_000
        );
        // 90 - min(32, 30) = 60 s.
        assert_eq!(SessionTimer::start(t0, 90, false).at.as_millis(), 60_000);
    }
}
