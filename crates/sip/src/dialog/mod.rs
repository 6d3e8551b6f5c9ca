//! Dialogs (RFC 3261 §12): identity, route set, remote target and CSeq
//! bookkeeping, for the UAC and UAS sides, early and confirmed.

use crate::headers::HeaderName;
use crate::headers::split_list;
use crate::message::{Method, Request};
use crate::name_addr::NameAddr;
use crate::transaction::HeadersExt;
use crate::transaction::{cseq_of, tag_of};
use crate::uri::Uri;
use std::sync::OnceLock;

/// A dialog's identity (§12): Call-ID, local tag, remote tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    /// The Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
}

/// Where a dialog stands (§12.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogState {
    /// Created by a provisional response with a To tag (§12.1).
    Early,
    /// Created or confirmed by a 2xx.
    Confirmed,
}

/// Why an in-dialog request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    /// §12.2.2: "If the remote sequence number [...] is lower than [...] the
    /// UAS MUST reject the request with a 500".
    #[error("CSeq lower than the last one received")]
    CSeqOutOfOrder,
    /// The request lacks a usable CSeq.
    #[error("missing or malformed CSeq")]
    BadCSeq,
}

/// One dialog's state (§12.1.1, §12.1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialog {
    /// Identity.
    pub id: DialogId,
    /// Early or confirmed.
    pub state: DialogState,
    /// Our URI with its tag: the From of requests we send.
    pub local: String,
    /// The peer's URI with its tag: the To of requests we send.
    pub remote: String,
    /// Where requests go: the peer's Contact URI (§12.1.1).
    pub remote_target: String,
    /// Route set, in the order to put in Route headers (§12.1.1, §12.1.2).
    pub route_set: Vec<String>,
    /// Last CSeq we sent.
    pub local_seq: u32,
    /// Last CSeq the peer sent, if any.
    pub remote_seq: Option<u32>,
    /// `remote_target` parsed, kept while it is the URI of that text.
    parsed_target: ParsedTarget,
}

/// The parsed remote target of a dialog, parsed when a request first needs
/// it. It is derived from [`Dialog::remote_target`], so it takes no part in
/// comparisons.
#[derive(Clone, Debug, Default)]
struct ParsedTarget(OnceLock<Option<Uri>>);

impl PartialEq for ParsedTarget {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ParsedTarget {}

fn first_contact_uri(request_or_response_headers: &crate::headers::Headers) -> Option<String> {
    let value = request_or_response_headers.field(HeaderName::CONTACT)?;
    let first = split_list(value).next()?.trim();
    // A name-addr's URI is what the angle brackets enclose (§20.10: a URI
    // there cannot hold an unescaped `>`); it is parsed when a request is
    // built from it. Only an addr-spec needs the full parse to find where
    // the URI ends.
    if let Some((_, rest)) = first.split_once('<') {
        let uri = rest.split_once('>')?.0.trim();
        return (!uri.is_empty()).then(|| uri.to_owned());
    }
    crate::name_addr::uri_text(first)
}

fn record_routes(headers: &crate::headers::Headers) -> Vec<String> {
    headers
        .fields(HeaderName::RECORD_ROUTE)
        .flat_map(|line| {
            split_list(line)
                .map(|v| v.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

impl Dialog {
    /// §12.1.2: the UAC side, from our request and a response with a To tag
    /// (101-199 gives an early dialog, 2xx a confirmed one). "The route set
    /// MUST be set to the list of URIs in the Record-Route header field from
    /// the response, taken in reverse order"; "The remote target MUST be set
    /// to the URI from the Contact header field of the response."
    pub fn uac(request: &Request, response: &crate::message::Response) -> Option<Dialog> {
        let status = response.status.as_u16();
        if !(101..=299).contains(&status) {
            return None;
        }
        let call_id = request
            .headers
            .field(HeaderName::CALL_ID)?
            .trim()
            .to_owned();
        let local = request.headers.field(HeaderName::FROM)?.trim().to_owned();
        let remote = response.headers.field(HeaderName::TO)?.trim().to_owned();
        let local_tag = tag_of(&local)?;
        let remote_tag = tag_of(&remote)?;
        let (local_seq, _) = cseq_of(request.headers.field(HeaderName::CSEQ)?)?;
        let mut route_set = record_routes(&response.headers);
        route_set.reverse();
        let remote_target =
            first_contact_uri(&response.headers).unwrap_or_else(|| request.uri.as_str().to_owned());
        Some(Dialog {
            id: DialogId {
                call_id,
                local_tag,
                remote_tag,
            },
            state: if status >= 200 {
                DialogState::Confirmed
            } else {
                DialogState::Early
            },
            local,
            remote,
            route_set,
            local_seq,
            remote_seq: None,
            parsed_target: ParsedTarget::default(),
            remote_target,
        })
    }

    /// §12.1.1: the UAS side, from a request and the tag we put in our
    /// response. "The route set MUST be set to the list of URIs in the
    /// Record-Route header field from the request, taken in order"; the
    /// remote sequence number is the request's CSeq.
    pub fn uas(request: &Request, local_tag: &str, early: bool) -> Option<Dialog> {
        let call_id = request
            .headers
            .field(HeaderName::CALL_ID)?
            .trim()
            .to_owned();
        let remote = request.headers.field(HeaderName::FROM)?.trim().to_owned();
        let remote_tag = tag_of(&remote)?;
        let to = request.headers.field(HeaderName::TO)?.trim().to_owned();
        let local = if tag_of(&to).is_some() {
            to
        } else {
            let mut local = String::with_capacity(to.len() + 5 + local_tag.len());
            local.push_str(&to);
            local.push_str(";tag=");
            local.push_str(local_tag);
            local
        };
        let (remote_seq, _) = cseq_of(request.headers.field(HeaderName::CSEQ)?)?;
        let remote_target = first_contact_uri(&request.headers)?;
        Some(Dialog {
            id: DialogId {
                call_id,
                local_tag: local_tag.to_owned(),
                remote_tag,
            },
            state: if early {
                DialogState::Early
            } else {
                DialogState::Confirmed
            },
            local,
            remote,
            parsed_target: ParsedTarget::default(),
            remote_target,
            route_set: record_routes(&request.headers),
            local_seq: 0,
            remote_seq: Some(remote_seq),
        })
    }

    /// Takes the parsed remote target of `other` (an early dialog this one
    /// confirms) when both have the same remote target text, so that it is
    /// not parsed again.
    pub(crate) fn reuse_parsed_target(&mut self, other: &mut Dialog) {
        if self.remote_target == other.remote_target && self.parsed_target.0.get().is_none() {
            self.parsed_target = std::mem::take(&mut other.parsed_target);
        }
    }

    /// §12.2.2: checks and records the CSeq of an in-dialog request. ACK and
    /// CANCEL carry the INVITE's number and are not checked.
    pub fn accept_remote_cseq(&mut self, request: &Request) -> Result<(), DialogError> {
        let (seq, _) = request
            .headers
            .field(HeaderName::CSEQ)
            .and_then(|v| cseq_of(v).map(|(seq, _)| (seq, ())))
            .ok_or(DialogError::BadCSeq)?;
        if matches!(request.method, Method::Ack | Method::Cancel) {
            return Ok(());
        }
        match self.remote_seq {
            Some(last) if seq < last => Err(DialogError::CSeqOutOfOrder),
            _ => {
                self.remote_seq = Some(seq);
                Ok(())
            }
        }
    }

    /// §12.2.1.2 / §12.2.2: a target refresh request or its 2xx carried a new
    /// Contact: "the remote target URI [...] MUST be replaced".
    pub fn refresh_target(&mut self, headers: &crate::headers::Headers) {
        if let Some(uri) = first_contact_uri(headers) {
            self.parsed_target = ParsedTarget::default();
            self.remote_target = uri;
        }
    }

    /// §12.1.2 / §13.2.2.4: a 2xx confirms an early dialog; its Record-Route
    /// is final, so the route set is recomputed for the UAC.
    pub fn confirm(&mut self, response_headers: Option<&crate::headers::Headers>) {
        if self.state == DialogState::Early {
            if let Some(headers) = response_headers {
                let mut routes = record_routes(headers);
                routes.reverse();
                self.route_set = routes;
                self.refresh_target(headers);
            }
        }
        self.state = DialogState::Confirmed;
    }

    /// The next local CSeq number (§12.2.1.1: "incremented by one").
    pub fn next_seq(&mut self) -> u32 {
        self.local_seq = self.local_seq.saturating_add(1);
        self.local_seq
    }

    /// §12.2.1.1: a request within the dialog without Via (the caller adds
    /// Via, Max-Forwards, Contact and the body). With a loose-routing first
    /// route the Request-URI is the remote target and the route set becomes
    /// Route headers; with a strict router the first route becomes the
    /// Request-URI and the remote target goes last.
    pub fn request_parts(&self) -> Option<(Uri, Vec<String>)> {
        // `remote_target` is public: parse it again if it was changed.
        let parsed = self
            .parsed_target
            .0
            .get_or_init(|| Uri::parse(&self.remote_target).ok());
        let target = match parsed {
            Some(uri) if uri.as_str() == self.remote_target => uri.clone(),
            _ => Uri::parse(&self.remote_target).ok()?,
        };
        let Some(first) = self.route_set.first() else {
            return Some((target, Vec::new()));
        };
        let first_uri = NameAddr::parse(first).ok()?.uri;
        if first_uri.is_loose_route() {
            Some((target, self.route_set.clone()))
        } else {
            let mut routes: Vec<String> = self.route_set.iter().skip(1).cloned().collect();
            routes.push(format!("<{}>", self.remote_target));
            Some((first_uri, routes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn parse_req(text: &str) -> Request {
        match Message::parse(text.as_bytes()).unwrap() {
            Message::Request(r) => r,
            Message::Response(_) => panic!("not a request"),
        }
    }

    fn parse_resp(text: &str) -> crate::message::Response {
        match Message::parse(text.as_bytes()).unwrap() {
            Message::Response(r) => r,
            Message::Request(_) => panic!("not a response"),
        }
    }

    const INVITE: &str = "INVITE sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\nRecord-Route: <sip:p2.example;lr>\r\nRecord-Route: <sip:p1.example;lr>\r\nFrom: <sip:alice@a.example>;tag=a1\r\nTo: <sip:bob@b.example>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\nContact: <sip:alice@a.invalid;transport=ws>\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn uac_reverses_record_route_and_takes_contact() {
        let req = parse_req(INVITE);
        let resp = parse_resp(
            "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\nRecord-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\r\nFrom: <sip:alice@a.example>;tag=a1\r\nTo: <sip:bob@b.example>;tag=b9\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\nContact: <sip:bob@10.0.0.2>\r\nContent-Length: 0\r\n\r\n",
        );
        let d = Dialog::uac(&req, &resp).unwrap();
        assert_eq!(d.state, DialogState::Early);
        assert_eq!(d.id.remote_tag, "b9");
        assert_eq!(
            d.route_set,
            vec!["<sip:p1.example;lr>", "<sip:p2.example;lr>"]
        );
        assert_eq!(d.remote_target, "sip:bob@10.0.0.2");
        assert_eq!(d.local_seq, 7);
    }

    #[test]
    fn confirmed_dialog_takes_the_early_parsed_target_only_for_the_same_text() {
        let req = parse_req(INVITE);
        let resp = parse_resp(
            "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\nFrom: <sip:alice@a.example>;tag=a1\r\nTo: <sip:bob@b.example>;tag=b9\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\nContact: <sip:bob@10.0.0.2>\r\nContent-Length: 0\r\n\r\n",
        );
        let mut early = Dialog::uac(&req, &resp).unwrap();
        let (target, _) = early.request_parts().unwrap();
        let mut confirmed = Dialog::uac(&req, &resp).unwrap();
        confirmed.reuse_parsed_target(&mut early);
        assert!(confirmed.parsed_target.0.get().is_some());
        assert_eq!(confirmed.request_parts().unwrap().0, target);

        let mut other = Dialog::uac(&req, &resp).unwrap();
        other.remote_target = "sip:bob@10.0.0.3".into();
        let mut early = Dialog::uac(&req, &resp).unwrap();
        let _ = early.request_parts();
        other.reuse_parsed_target(&mut early);
        assert!(other.parsed_target.0.get().is_none());
        assert_eq!(
            other.request_parts().unwrap().0.as_str(),
            "sip:bob@10.0.0.3"
        );
    }

    #[test]
    fn uas_keeps_record_route_order_and_checks_cseq() {
        let req = parse_req(INVITE);
        let mut d = Dialog::uas(&req, "b9", false).unwrap();
        assert_eq!(
            d.route_set,
            vec!["<sip:p2.example;lr>", "<sip:p1.example;lr>"]
        );
        assert!(d.local.ends_with(";tag=b9"));
        let lower = parse_req(&INVITE.replace("CSeq: 7 INVITE", "CSeq: 6 BYE"));
        assert_eq!(
            d.accept_remote_cseq(&lower),
            Err(DialogError::CSeqOutOfOrder)
        );
        let higher = parse_req(&INVITE.replace("CSeq: 7 INVITE", "CSeq: 8 BYE"));
        assert_eq!(d.accept_remote_cseq(&higher), Ok(()));
        assert_eq!(d.remote_seq, Some(8));
    }

    #[test]
    fn strict_route_becomes_request_uri() {
        let req = parse_req(&INVITE.replace(";lr>", ">"));
        let d = Dialog::uas(&req, "b9", false).unwrap();
        let (uri, routes) = d.request_parts().unwrap();
        assert_eq!(uri.as_str(), "sip:p2.example");
        assert_eq!(
            routes.last().map(String::as_str),
            Some("<sip:alice@a.invalid;transport=ws>")
        );
    }
}
