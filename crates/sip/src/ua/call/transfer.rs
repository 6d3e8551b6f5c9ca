//! Call transfer: REFER with its implicit subscription and `message/sipfrag`
//! NOTIFYs (RFC 3515, RFC 5589), and Replaces (RFC 3891).

use super::super::build::{add, set_body, text};
use super::Phase;
use crate::headers::HeaderName;
use crate::message::{Method, Request};
use crate::time::Instant;
use crate::transaction::HeadersExt;
use crate::ua::{CallHandle, CallState, EndReason, Event, MediaKind, Owner, UaError, UserAgent};

/// A REFER we accepted (RFC 3515 §2.4.4): the referrer hears of the new
/// call in NOTIFYs until a final status.
#[derive(Clone, Debug)]
pub(in crate::ua) struct ReferIn {
    /// The Refer-To URI without its headers.
    pub(in crate::ua) target: String,
    /// The `Replaces` header the new INVITE must carry (attended transfer).
    pub(in crate::ua) replaces: Option<String>,
}

/// `;`, `=`, `@`, `%`, `?`, `&` and space escaped for a URI header value.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 16);
    for c in value.chars() {
        match c {
            ';' => out.push_str("%3B"),
            '=' => out.push_str("%3D"),
            '@' => out.push_str("%40"),
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '&' => out.push_str("%26"),
            ' ' => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out
}

/// Splits a Refer-To value (`<uri?Replaces=...>`) into the URI and the
/// decoded Replaces header it embeds (RFC 3515 §2.1, RFC 3891 §7).
fn split_refer_to(value: &str) -> (String, Option<String>) {
    let inner = match (value.find('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => value.get(open + 1..close).unwrap_or(value),
        _ => value.split(';').next().unwrap_or(value),
    };
    let Some((uri, headers)) = inner.split_once('?') else {
        return (inner.trim().to_owned(), None);
    };
    let replaces = headers
        .split('&')
        .filter_map(|h| h.split_once('='))
        .find(|(n, _)| n.eq_ignore_ascii_case("Replaces"))
        .map(|(_, v)| String::from_utf8_lossy(&crate::syntax::unescape(v)).into_owned());
    (uri.trim().to_owned(), replaces)
}

/// `call-id;to-tag=..;from-tag=..` of a Replaces value.
fn parse_replaces(value: &str) -> Option<(String, String, String, bool)> {
    let mut parts = value.split(';');
    let call_id = parts.next()?.trim().to_owned();
    let (mut to_tag, mut from_tag, mut early_only) = (None, None, false);
    for p in parts {
        match p.split_once('=') {
            Some((n, v)) if n.trim().eq_ignore_ascii_case("to-tag") => {
                to_tag = Some(v.trim().to_owned())
            }
            Some((n, v)) if n.trim().eq_ignore_ascii_case("from-tag") => {
                from_tag = Some(v.trim().to_owned())
            }
            None if p.trim().eq_ignore_ascii_case("early-only") => early_only = true,
            _ => {}
        }
    }
    Some((call_id, to_tag?, from_tag?, early_only))
}

/// The status line a sipfrag body starts with (RFC 3420).
fn sipfrag_status(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    let line = text.lines().next()?;
    let mut parts = line.split_whitespace();
    if !parts.next()?.eq_ignore_ascii_case("SIP/2.0") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// The status a transferee reports for a call that ended this way.
fn status_of(reason: &EndReason) -> (u16, &'static str) {
    match reason {
        EndReason::Busy => (486, "Busy Here"),
        EndReason::Declined => (603, "Declined"),
        EndReason::NotFound => (404, "Not Found"),
        EndReason::Unavailable => (480, "Temporarily Unavailable"),
        EndReason::NoAnswer | EndReason::LocalHangup => (487, "Request Terminated"),
        EndReason::Timeout => (408, "Request Timeout"),
        EndReason::MediaFailed => (488, "Not Acceptable Here"),
        EndReason::AuthenticationFailed => (407, "Proxy Authentication Required"),
        EndReason::Failed { status, .. } if (300..700).contains(status) => (*status, "Failed"),
        _ => (500, "Server Internal Error"),
    }
}

impl UserAgent {
    /// `refer` / `refer_replacing`: REFER in the dialog of `handle`
    /// (RFC 3515 §2.4.1) naming `refer_to`.
    pub(in crate::ua) fn send_refer(
        &mut self,
        now: Instant,
        handle: CallHandle,
        refer_to: &str,
    ) -> Result<(), UaError> {
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        if !matches!(call.phase, Phase::Confirmed) {
            return Err(UaError::InvalidState("REFER needs a connected call"));
        }
        if call.ext.refer_out {
            return Err(UaError::InvalidState("a transfer is already in progress"));
        }
        let mut dialog = self.call_dialog(handle).ok_or(UaError::NoSuchCall)?;
        let mut refer = self
            .dialog_request(&mut dialog, Method::Refer, None)
            .ok_or(UaError::InvalidState("dialog has no usable target"))?;
        add(&mut refer.headers, HeaderName::REFER_TO, refer_to);
        let referred_by = format!("<{}>", self.config.aor);
        add(&mut refer.headers, HeaderName::REFERRED_BY, &referred_by);
        self.send_request(now, refer, Owner::Call(handle));
        self.store_dialog(handle, dialog);
        if let Some(call) = self.calls.get_mut(&handle) {
            call.ext.refer_out = true;
        }
        Ok(())
    }

    /// RFC 5589 §7: the Refer-To of an attended transfer: the peer of
    /// `other` with a Replaces naming `other`'s dialog, tags seen from that
    /// peer (its tag is the to-tag).
    pub(in crate::ua) fn replacing_target(&self, other: CallHandle) -> Result<String, UaError> {
        let call = self.calls.get(&other).ok_or(UaError::NoSuchCall)?;
        let dialog = call
            .dialog
            .as_ref()
            .ok_or(UaError::InvalidState("the other call is not connected"))?;
        let remote_uri = crate::name_addr::uri_text(&dialog.remote).ok_or(
            UaError::InvalidState("the other call has no usable peer URI"),
        )?;
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            dialog.id.call_id, dialog.id.remote_tag, dialog.id.local_tag
        );
        Ok(format!("<{remote_uri}?Replaces={}>", escape(&replaces)))
    }

    /// The final response to our REFER: a failure ends the transfer.
    pub(in crate::ua) fn refer_response(&mut self, handle: CallHandle, status: u16) {
        if status < 300 {
            return;
        }
        if let Some(call) = self.calls.get_mut(&handle) {
            call.ext.refer_out = false;
        }
        self.emit(Event::TransferProgress {
            call: handle,
            status,
            done: true,
        });
    }

    /// An in-dialog NOTIFY: the progress of a transfer we asked for
    /// (RFC 3515 §2.4.5), answered 200; anything else 481 (RFC 6665
    /// §4.1.3).
    pub(in crate::ua) fn incoming_call_notify(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
    ) {
        let event = text(&request.headers, HeaderName::EVENT);
        let is_refer = event
            .split(';')
            .next()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("refer"));
        let refer_out = self.calls.get(&handle).is_some_and(|c| c.ext.refer_out);
        if !is_refer || !refer_out {
            self.reply(now, request, 481);
            return;
        }
        let done = text(&request.headers, HeaderName::SUBSCRIPTION_STATE)
            .to_ascii_lowercase()
            .starts_with("terminated");
        self.reply(now, request, 200);
        if done {
            if let Some(call) = self.calls.get_mut(&handle) {
                call.ext.refer_out = false;
            }
        }
        if let Some(status) = sipfrag_status(&request.body) {
            self.emit(Event::TransferProgress {
                call: handle,
                status,
                done,
            });
        }
    }

    /// An in-dialog REFER (RFC 3515 §2.4.2): 202, the initial NOTIFY with
    /// `100 Trying`, and [`Event::TransferRequested`] for the application.
    pub(in crate::ua) fn incoming_refer(
        &mut self,
        now: Instant,
        handle: CallHandle,
        request: &Request,
    ) {
        let Some(refer_to) = request.headers.field(HeaderName::REFER_TO) else {
            // RFC 3515 §2.4.1: exactly one Refer-To, else 400.
            self.reply(now, request, 400);
            return;
        };
        let (target, replaces) = split_refer_to(refer_to);
        let busy = self
            .calls
            .get(&handle)
            .is_none_or(|c| c.ext.refer_in.is_some() || !matches!(c.phase, Phase::Confirmed));
        if busy {
            self.reply(now, request, 491);
            return;
        }
        self.reply(now, request, 202);
        if let Some(call) = self.calls.get_mut(&handle) {
            call.ext.refer_in = Some(ReferIn {
                target: target.clone(),
                replaces: replaces.clone(),
            });
        }
        self.send_sipfrag(now, handle, 100, "Trying", false);
        self.emit(Event::TransferRequested {
            call: handle,
            target,
            replaces,
        });
    }

    /// A NOTIFY of the implicit REFER subscription carrying `status` as
    /// sipfrag (RFC 3515 §2.4.5); `done` terminates the subscription.
    pub(in crate::ua) fn send_sipfrag(
        &mut self,
        now: Instant,
        handle: CallHandle,
        status: u16,
        reason: &str,
        done: bool,
    ) {
        let Some(mut dialog) = self.call_dialog(handle) else {
            return;
        };
        let Some(mut notify) = self.dialog_request(&mut dialog, Method::Notify, None) else {
            return;
        };
        add(&mut notify.headers, HeaderName::EVENT, "refer");
        let state = if done {
            "terminated;reason=noresource".to_owned()
        } else {
            "active;expires=60".to_owned()
        };
        add(&mut notify.headers, HeaderName::SUBSCRIPTION_STATE, &state);
        let body = format!("SIP/2.0 {status} {reason}\r\n");
        set_body(
            &mut notify.headers,
            &mut notify.body,
            "message/sipfrag;version=2.0",
            &body,
        );
        self.send_request(now, notify, Owner::Nobody);
        self.store_dialog(handle, dialog);
        if done {
            if let Some(call) = self.calls.get_mut(&handle) {
                call.ext.refer_in = None;
            }
        }
    }

    /// `accept_transfer`: places the call the REFER asked for; its progress
    /// goes to the referrer.
    pub(in crate::ua) fn start_transfer(
        &mut self,
        now: Instant,
        handle: CallHandle,
    ) -> Result<CallHandle, UaError> {
        let refer = self
            .calls
            .get(&handle)
            .ok_or(UaError::NoSuchCall)?
            .ext
            .refer_in
            .clone()
            .ok_or(UaError::InvalidState("no transfer was requested"))?;
        let new_call =
            self.start_call(now, &refer.target, MediaKind::Audio, true, refer.replaces)?;
        if let Some(call) = self.calls.get_mut(&new_call) {
            call.ext.transfer_of = Some(handle);
        }
        Ok(new_call)
    }

    /// `reject_transfer`: the final NOTIFY says 603.
    pub(in crate::ua) fn refuse_transfer(
        &mut self,
        now: Instant,
        handle: CallHandle,
    ) -> Result<(), UaError> {
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        if call.ext.refer_in.is_none() {
            return Err(UaError::InvalidState("no transfer was requested"));
        }
        self.send_sipfrag(now, handle, 603, "Declined", true);
        Ok(())
    }

    /// Reports the progress of a call placed for a REFER to the referrer:
    /// provisional statuses keep the subscription, a final one ends it.
    pub(in crate::ua) fn report_transfer(
        &mut self,
        now: Instant,
        new_call: CallHandle,
        status: u16,
        reason: &str,
    ) {
        let Some(original) = self.calls.get(&new_call).and_then(|c| c.ext.transfer_of) else {
            return;
        };
        let referred = self
            .calls
            .get(&original)
            .is_some_and(|c| c.ext.refer_in.is_some());
        if !referred {
            return;
        }
        let done = status >= 200;
        self.send_sipfrag(now, original, status, reason, done);
        if done {
            if let Some(call) = self.calls.get_mut(&new_call) {
                call.ext.transfer_of = None;
            }
        }
    }

    /// The same, for a call that ended before a final response.
    pub(in crate::ua) fn report_transfer_end(
        &mut self,
        now: Instant,
        new_call: CallHandle,
        reason: &EndReason,
    ) {
        let (status, phrase) = status_of(reason);
        self.report_transfer(now, new_call, status, phrase);
    }

    /// RFC 3891 §3: the call an incoming INVITE's Replaces names: Call-ID,
    /// our tag as to-tag, the peer's as from-tag; `early-only` refuses a
    /// confirmed dialog. `Err` when the header names no dialog we have.
    pub(in crate::ua) fn replaced_call(&self, request: &Request) -> Result<Option<CallHandle>, ()> {
        let Some(value) = request.headers.field(HeaderName::REPLACES) else {
            return Ok(None);
        };
        let (call_id, to_tag, from_tag, early_only) = parse_replaces(value).ok_or(())?;
        self.calls
            .iter()
            .find(|(_, c)| {
                c.call_id == call_id
                    && c.local_tag == to_tag
                    && c.remote_tag.as_deref() == Some(from_tag.as_str())
                    && !(early_only && matches!(c.phase, Phase::Confirmed))
                    && !matches!(c.public, CallState::Ended(_))
            })
            .map(|(h, _)| Some(*h))
            .ok_or(())
    }

    /// The new call that replaces another is answered: the old one ends with
    /// BYE (RFC 3891 §3).
    pub(in crate::ua) fn finish_replacement(&mut self, now: Instant, new_call: CallHandle) {
        let Some(old) = self
            .calls
            .get_mut(&new_call)
            .and_then(|c| c.ext.replaces.take())
        else {
            return;
        };
        let confirmed = self
            .calls
            .get(&old)
            .is_some_and(|c| matches!(c.phase, Phase::Confirmed | Phase::WaitingAck { .. }));
        if confirmed {
            self.send_bye(now, old);
        } else {
            let _ = self.hangup_call(now, old);
        }
        self.end_call(old, EndReason::Replaced);
    }

    /// Whether `handle` has a live REFER subscription in either role.
    pub(in crate::ua) fn refer_subscriptions(&self) -> usize {
        self.calls
            .values()
            .map(|c| usize::from(c.ext.refer_out) + usize::from(c.ext.refer_in.is_some()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refer_to_with_replaces_round_trips() {
        let value = format!(
            "<sip:carol@example.com?Replaces={}>",
            escape("c9@h;to-tag=t1;from-tag=f1")
        );
        assert_eq!(
            value,
            "<sip:carol@example.com?Replaces=c9%40h%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>"
        );
        let (uri, replaces) = split_refer_to(&value);
        assert_eq!(uri, "sip:carol@example.com");
        assert_eq!(replaces.as_deref(), Some("c9@h;to-tag=t1;from-tag=f1"));
        assert_eq!(
            parse_replaces("c9@h;to-tag=t1;from-tag=f1;early-only"),
            Some(("c9@h".into(), "t1".into(), "f1".into(), true))
        );
        assert_eq!(split_refer_to("<sip:b@x>").1, None);
    }

    #[test]
    fn sipfrag_status_line() {
        assert_eq!(sipfrag_status(b"SIP/2.0 180 Ringing\r\n"), Some(180));
        assert_eq!(sipfrag_status(b"garbage"), None);
    }
}
