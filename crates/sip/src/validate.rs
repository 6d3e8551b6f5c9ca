//! Checks beyond syntax that a UA applies to a parsed message before acting
//! on it (RFC 3261 §8.2, §8.1.3.3, §18.1.2; the expectations of RFC 4475 §3).
//!
//! The parser ([`crate::parse`]) rejects what cannot be framed; this module
//! decides what a well-framed request is answered with when it cannot be
//! processed, in the order RFC 3261 §8.2 gives: version (505), required and
//! single-valued headers and their syntax (400), Request-URI scheme (416),
//! `Require` (420), body type (415) and `Accept` (406). A response that
//! fails the same header checks is discarded (RFC 3261 §18.1.2).

use crate::header::{
    Accept, CSeq, CallIdRef, ContactRef, ContentLength, ContentType, ContentTypeRef, Date, Expires,
    FromRef, MaxForwards, MinExpires, RAck, RSeq, RecordRouteRef, Require, RetryAfter, RouteRef,
    ToRef, ViaRef, Warning,
};
use crate::headers::{HeaderError, HeaderName, Headers, KnownId, TypedHeader, split_list};
use crate::message::{Method, Request, Response, SipVersion, StatusCode};
use crate::uri::Scheme;

/// What a UA supports, for the checks that depend on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Option tags the UA supports (for `Require`, RFC 3261 §8.2.2.3).
    pub extensions: Vec<String>,
    /// Body types the UA understands (RFC 3261 §8.2.3). MESSAGE and NOTIFY
    /// bodies are accepted whatever their type (see `check_body_type`).
    pub content_types: Vec<(String, String)>,
}

impl Default for Capabilities {
    /// The option tags of a WebSocket softphone (RFC 5626 `outbound`, RFC 3327
    /// `path`, RFC 3891 `replaces`, RFC 4028 `timer`) and `application/sdp`
    /// plus `multipart/mixed`.
    fn default() -> Self {
        Self {
            extensions: ["outbound", "path", "replaces", "timer"]
                .map(String::from)
                .to_vec(),
            content_types: vec![
                ("application".into(), "sdp".into()),
                ("multipart".into(), "mixed".into()),
            ],
        }
    }
}

/// A request the UA must answer with an error instead of processing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {}", status, reason)]
pub struct Rejection {
    /// The status code to answer with.
    pub status: StatusCode,
    /// A reason phrase saying what is wrong.
    pub reason: String,
    /// For 420: the option tags to list in `Unsupported`.
    pub unsupported: Vec<String>,
}

impl Rejection {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
            unsupported: Vec::new(),
        }
    }

    fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    /// The response answering `request` with this rejection: the copied
    /// headers of RFC 3261 §8.2.6, `Unsupported` for 420 (§8.2.2.3) and
    /// `Accept` for 415 (§8.2.3) from `caps`.
    pub fn to_response(&self, request: &Request, caps: &Capabilities, to_tag: &str) -> Response {
        let mut builder = Response::from_request(request, self.status)
            .reason(self.reason.clone())
            .to_tag(to_tag);
        if self.status == StatusCode::BAD_EXTENSION {
            builder = builder.header(&crate::header::Unsupported(self.unsupported.clone()));
        }
        if self.status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            let types = caps
                .content_types
                .iter()
                .map(|(k, s)| crate::header::MediaType::new(k, s))
                .collect();
            builder = builder.header(&Accept(types));
        }
        builder.build()
    }
}

/// Headers every request and response must carry (RFC 3261 §8.1.1).
const REQUIRED: [HeaderName; 5] = [
    HeaderName::VIA,
    HeaderName::FROM,
    HeaderName::TO,
    HeaderName::CALL_ID,
    HeaderName::CSEQ,
];

/// Headers that may appear at most once (RFC 3261 §7.3.1, §20).
const SINGLE: [HeaderName; 9] = [
    HeaderName::FROM,
    HeaderName::TO,
    HeaderName::CALL_ID,
    HeaderName::CSEQ,
    HeaderName::MAX_FORWARDS,
    HeaderName::CONTENT_LENGTH,
    HeaderName::CONTENT_TYPE,
    HeaderName::EXPIRES,
    HeaderName::DATE,
];

/// Checks a request as a UA must before processing it (RFC 3261 §8.2).
pub fn validate_request(request: &Request, caps: &Capabilities) -> Result<(), Rejection> {
    check_request(request, caps, None)
}

/// [`validate_request`] for a UA that checks request after request:
/// header values found well-formed before (kept in `seen`) are not parsed
/// again. The From, To and Call-ID of a dialog, our peer's Contact and most
/// CSeq, Max-Forwards and Content-Type values repeat from request to
/// request; whether a value is well-formed depends on its text alone.
pub fn validate_request_with(
    request: &Request,
    caps: &Capabilities,
    seen: &mut CheckedValues,
) -> Result<(), Rejection> {
    check_request(request, caps, Some(seen))
}

fn check_request(
    request: &Request,
    caps: &Capabilities,
    seen: Option<&mut CheckedValues>,
) -> Result<(), Rejection> {
    if request.version != SipVersion::V2_0 {
        return Err(Rejection::new(
            StatusCode::VERSION_NOT_SUPPORTED,
            format!("{} Not Supported", request.version),
        ));
    }
    check_headers(&request.headers, seen).map_err(Rejection::bad_request)?;
    check_cseq_method(request)?;
    check_request_uri(request)?;
    check_require(request, caps)?;
    check_body_type(request, caps)?;
    check_accept(request, caps)
}

/// Checks a received response; one that fails is discarded (RFC 3261
/// §18.1.2, RFC 4475 §3.1.2.5). The error says what is wrong.
pub fn validate_response(response: &Response) -> Result<(), String> {
    if response.version != SipVersion::V2_0 {
        return Err(format!("{} is not supported", response.version));
    }
    check_headers(&response.headers, None)
}

/// Whether a request may be forwarded (RFC 3261 §16.3 step 2): a proxy
/// answers 483 when `Max-Forwards` is 0, except to OPTIONS, which it may
/// answer itself. A UA processes such a request normally (RFC 4475 §3.3.11).
pub fn check_max_forwards(request: &Request) -> Result<(), Rejection> {
    match request.headers.get::<MaxForwards>() {
        Some(Ok(MaxForwards(0))) if request.method != Method::Options => {
            Err(Rejection::new(StatusCode::TOO_MANY_HOPS, "Too Many Hops"))
        }
        _ => Ok(()),
    }
}

/// Header values a UA found well-formed in the last requests it checked
/// (see [`validate_request_with`]), the last few of each checked
/// header.
#[derive(Debug, Clone, Default)]
pub struct CheckedValues {
    /// Per slot of [`CHECKED`]: values, overwritten oldest first, and the
    /// one to overwrite next.
    slots: Vec<(Vec<String>, usize)>,
}

impl CheckedValues {
    /// How many values of one header are kept.
    const KEPT: usize = 4;

    /// Nothing checked yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn contains(&self, slot: usize, value: &str) -> bool {
        self.slots
            .get(slot)
            .is_some_and(|(values, _)| values.iter().any(|v| v == value))
    }

    fn remember(&mut self, slot: usize, value: &str) {
        // A Via carries a branch unique to its transaction (RFC 3261
        // §8.1.1.7): it never comes again.
        if CHECKED
            .get(slot)
            .is_none_or(|(name, _)| name.id() == KnownId::VIA)
        {
            return;
        }
        if self.slots.len() <= slot {
            self.slots.resize_with(CHECKED.len(), Default::default);
        }
        let Some((values, next)) = self.slots.get_mut(slot) else {
            return;
        };
        if values.len() < Self::KEPT {
            values.push(value.to_owned());
            return;
        }
        if let Some(v) = values.get_mut(*next) {
            v.clear();
            v.push_str(value);
        }
        *next = (*next + 1) % Self::KEPT;
    }
}

/// Checks one field value of header `T`, element by element for a list.
fn check_value<'a, T: TypedHeader<'a>>(value: &'a str) -> Result<(), HeaderError> {
    if T::LIST {
        split_list(value).try_for_each(|v| T::parse(v).map(drop))
    } else {
        T::parse(value).map(drop)
    }
}

/// Checks one field value.
type Check = fn(&str) -> Result<(), HeaderError>;

/// A row of [`CHECKED`]: the header's name and the check of one of its
/// values, read through the header's view where it has one.
macro_rules! check {
    ($t:ty) => {
        (<$t>::NAME, |v| check_value::<$t>(v))
    };
}

/// The headers whose syntax is checked, in the order their errors are
/// reported: the first malformed one in this list names the 400.
const CHECKED: [(HeaderName, Check); 20] = [
    check!(ViaRef<'_>),
    check!(FromRef<'_>),
    check!(ToRef<'_>),
    check!(CallIdRef<'_>),
    check!(CSeq),
    check!(MaxForwards),
    check!(ContentLength),
    check!(ContentTypeRef<'_>),
    check!(ContactRef<'_>),
    check!(RouteRef<'_>),
    check!(RecordRouteRef<'_>),
    check!(Expires),
    check!(MinExpires),
    check!(Date),
    check!(Require),
    check!(RSeq),
    check!(RAck),
    check!(RetryAfter),
    check!(Warning),
    check!(Accept),
];

/// The position in [`CHECKED`] of the header with `id`.
fn checked_slot(id: KnownId) -> Option<usize> {
    Some(match id {
        KnownId::VIA => 0,
        KnownId::FROM => 1,
        KnownId::TO => 2,
        KnownId::CALL_ID => 3,
        KnownId::CSEQ => 4,
        KnownId::MAX_FORWARDS => 5,
        KnownId::CONTENT_LENGTH => 6,
        KnownId::CONTENT_TYPE => 7,
        KnownId::CONTACT => 8,
        KnownId::ROUTE => 9,
        KnownId::RECORD_ROUTE => 10,
        KnownId::EXPIRES => 11,
        KnownId::MIN_EXPIRES => 12,
        KnownId::DATE => 13,
        KnownId::REQUIRE => 14,
        KnownId::RSEQ => 15,
        KnownId::RACK => 16,
        KnownId::RETRY_AFTER => 17,
        KnownId::WARNING => 18,
        KnownId::ACCEPT => 19,
        _ => return None,
    })
}

/// Required headers present, single ones single, every known one readable.
///
/// One pass over the fields counts the lines of every [`CHECKED`] header
/// (all of [`REQUIRED`] and [`SINGLE`] among them) and keeps the first error
/// of each; the results are then read in the order of the RFC checks.
fn check_headers(headers: &Headers, mut seen: Option<&mut CheckedValues>) -> Result<(), String> {
    let mut lines = [0usize; CHECKED.len()];
    let mut errors: [Option<HeaderError>; CHECKED.len()] = [const { None }; CHECKED.len()];
    for (id, value) in headers.known_fields() {
        let Some(slot) = checked_slot(id) else {
            continue;
        };
        if let (Some(count), Some(error), Some((_, check))) =
            (lines.get_mut(slot), errors.get_mut(slot), CHECKED.get(slot))
        {
            *count += 1;
            if error.is_some() || seen.as_ref().is_some_and(|s| s.contains(slot, value)) {
                continue;
            }
            *error = check(value).err();
            if let (None, Some(seen)) = (&error, seen.as_mut()) {
                seen.remember(slot, value);
            }
        }
    }
    let lines_of = |name: &HeaderName| {
        checked_slot(name.id())
            .and_then(|slot| lines.get(slot).copied())
            .unwrap_or(0)
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|n| lines_of(n) == 0)
        .map(|n| n.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(format!("Missing {}", missing.join(", ")));
    }
    if let Some(name) = SINGLE.iter().find(|n| lines_of(n) > 1) {
        return Err(format!("Multiple {name} header fields"));
    }
    match errors.into_iter().flatten().next() {
        Some(e) => Err(capitalised(&e.to_string())),
        None => Ok(()),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// RFC 3261 §8.1.1.5: the CSeq method matches the request method.
fn check_cseq_method(request: &Request) -> Result<(), Rejection> {
    match request.headers.get::<CSeq>() {
        Some(Ok(cseq)) if cseq.method != request.method => Err(Rejection::bad_request(format!(
            "CSeq method {} does not match request method {}",
            cseq.method, request.method
        ))),
        _ => Ok(()),
    }
}

/// RFC 3261 §8.2.2.1: 416 for schemes the UA does not handle; §19.1.1: no
/// headers in a Request-URI (RFC 4475 §3.1.2.11).
fn check_request_uri(request: &Request) -> Result<(), Rejection> {
    if request.uri.scheme() == Scheme::Other {
        let reason = format!("Unsupported URI Scheme {}", request.uri.scheme_name());
        return Err(Rejection::new(StatusCode::UNSUPPORTED_URI_SCHEME, reason));
    }
    if request.uri.has_headers() {
        return Err(Rejection::bad_request(
            "Request-URI must not contain headers",
        ));
    }
    Ok(())
}

/// RFC 3261 §8.2.2.3: 420 listing unsupported `Require` tags; never for
/// ACK or CANCEL.
fn check_require(request: &Request, caps: &Capabilities) -> Result<(), Rejection> {
    if matches!(request.method, Method::Ack | Method::Cancel) {
        return Ok(());
    }
    let unsupported: Vec<String> = request
        .headers
        .get_all::<Require>()
        .filter_map(Result::ok)
        .flat_map(|r| r.0)
        .filter(|tag| !caps.extensions.iter().any(|e| e.eq_ignore_ascii_case(tag)))
        .collect();
    if unsupported.is_empty() {
        return Ok(());
    }
    let reason = format!("Bad Extension {}", unsupported.join(", "));
    Err(Rejection {
        status: StatusCode::BAD_EXTENSION,
        reason,
        unsupported,
    })
}

/// RFC 3261 §8.2.3: 415 for a body of a type the UA does not understand.
/// MESSAGE and NOTIFY bodies go to the application whatever their type
/// (RFC 3428 §7, and RFC 6665 §4.1.3: an event package names its own body
/// types, such as `application/simple-message-summary` for voicemail
/// notices), so only their `Content-Type` is required.
fn check_body_type(request: &Request, caps: &Capabilities) -> Result<(), Rejection> {
    if request.body.is_empty() {
        return Ok(());
    }
    let Some(Ok(ContentType(media))) = request.headers.get::<ContentTypeRef>() else {
        return Err(Rejection::bad_request("Missing Content-Type for a body"));
    };
    let for_the_application = matches!(request.method, Method::Message | Method::Notify);
    if for_the_application || caps.content_types.iter().any(|(k, s)| media.is(k, s)) {
        Ok(())
    } else {
        Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Unsupported Media Type {}/{}", media.kind, media.subtype),
        ))
    }
}

/// RFC 3261 §21.4.7: an INVITE whose `Accept` excludes every type the answer
/// could carry is answered 406 (RFC 4475 §3.3.15).
fn check_accept(request: &Request, caps: &Capabilities) -> Result<(), Rejection> {
    if request.method != Method::Invite {
        return Ok(());
    }
    match request.headers.get::<Accept>() {
        Some(Ok(accept))
            if !accept.0.is_empty()
                && !caps.content_types.iter().any(|(k, s)| accept.accepts(k, s)) =>
        {
            Err(Rejection::new(
                StatusCode::NOT_ACCEPTABLE,
                "Not Acceptable: no supported body type in Accept",
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{CoreHeaders, Message};

    fn request(text: &str) -> Request {
        match Message::parse(text.as_bytes()) {
            Ok(Message::Request(r)) => r,
            other => panic!("not a request: {other:?}"),
        }
    }

    /// The reason `validate_request` gives for rejecting the request `text`.
    fn rejection_reason(text: &str) -> String {
        validate_request(&request(text), &Capabilities::default())
            .unwrap_err()
            .reason
    }

    const BASE: &str = "Via: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n";

    #[test]
    fn every_checked_header_has_a_known_name() {
        for (name, _) in CHECKED {
            assert_ne!(name.id(), crate::headers::KnownId::Unknown, "{name}");
        }
        for name in REQUIRED.iter().chain(SINGLE.iter()) {
            assert!(CHECKED.iter().any(|(n, _)| n == name), "{name}");
        }
        for (slot, (name, _)) in CHECKED.iter().enumerate() {
            assert_eq!(checked_slot(name.id()), Some(slot), "{name}");
        }
        assert_eq!(checked_slot(KnownId::ALLOW), None);
    }

    #[test]
    fn reports_the_first_malformed_header_in_check_order() {
        let reason = rejection_reason(
            "OPTIONS sip:c@d SIP/2.0\r\nCSeq: x OPTIONS\r\nVia: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nTo: <sip:e@f>\r\nCSeq: 1 OPTIONS\r\n\r\n",
        );
        assert_eq!(reason, "Multiple To header fields");
        let reason = rejection_reason(
            "OPTIONS sip:c@d SIP/2.0\r\nCSeq: x OPTIONS\r\nVia: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nMax-Forwards: y\r\n\r\n",
        );
        assert!(reason.starts_with("Malformed CSeq"), "{reason}");
        let reason = rejection_reason(
            "OPTIONS sip:c@d SIP/2.0\r\nVia: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\nTo: <sip:c@d>\r\n\r\n",
        );
        assert_eq!(reason, "Missing From, Call-ID, CSeq");
    }

    #[test]
    fn remembered_values_give_the_same_verdicts() {
        let caps = Capabilities::default();
        let mut seen = CheckedValues::new();
        let good = request(&format!(
            "OPTIONS sip:c@d SIP/2.0\r\n{BASE}CSeq: 1 OPTIONS\r\nContact: <sip:a@h.invalid>\r\n\r\n"
        ));
        assert_eq!(validate_request_with(&good, &caps, &mut seen), Ok(()));
        assert!(seen.contains(1, "<sip:a@b>;tag=1"));
        assert!(!seen.contains(0, "SIP/2.0/WSS h.invalid;branch=z9hG4bK1"));
        assert_eq!(validate_request_with(&good, &caps, &mut seen), Ok(()));
        let bad = request(&format!(
            "OPTIONS sip:c@d SIP/2.0\r\n{BASE}CSeq: 1 OPTIONS\r\nContact: <sip:a@h.invalid\r\n\r\n"
        ));
        assert_eq!(
            validate_request_with(&bad, &caps, &mut seen),
            validate_request(&bad, &caps)
        );
        assert!(validate_request(&bad, &caps).is_err());
        for n in 0..100 {
            let other = request(&format!(
                "OPTIONS sip:c@d SIP/2.0\r\n{BASE}CSeq: {n} OPTIONS\r\n\r\n"
            ));
            assert_eq!(validate_request_with(&other, &caps, &mut seen), Ok(()));
        }
        let cseqs = seen.slots.get(4).map(|(values, _)| values.len());
        assert_eq!(cseqs, Some(CheckedValues::KEPT));
        assert!(seen.contains(4, "99 OPTIONS"));
        assert!(!seen.contains(4, "1 OPTIONS"));
    }

    #[test]
    fn accepts_a_plain_request() {
        let r = request(&format!(
            "OPTIONS sip:c@d SIP/2.0\r\n{BASE}CSeq: 1 OPTIONS\r\nMax-Forwards: 0\r\n\r\n"
        ));
        assert_eq!(validate_request(&r, &Capabilities::default()), Ok(()));
        assert_eq!(check_max_forwards(&r), Ok(()));
    }

    #[test]
    fn notify_and_message_bodies_are_the_applications() {
        let with_body = |method: &str| {
            request(&format!(
                "{method} sip:c@d SIP/2.0\r\n{BASE}CSeq: 1 {method}\r\nEvent: message-summary\r\n\
                 Content-Type: application/simple-message-summary\r\nContent-Length: 23\r\n\r\n\
                 Messages-Waiting: yes\r\n"
            ))
        };
        let caps = Capabilities::default();
        for method in ["NOTIFY", "MESSAGE"] {
            let r = with_body(method);
            assert_eq!(validate_request(&r, &caps), Ok(()), "{method}");
        }
        // Any other request with that body is refused, saying which type.
        let r = with_body("INFO");
        let rejection = validate_request(&r, &caps).unwrap_err();
        assert_eq!(rejection.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            rejection.reason,
            "Unsupported Media Type application/simple-message-summary"
        );
    }

    #[test]
    fn proxies_answer_483_at_zero_max_forwards() {
        let r = request(&format!(
            "INVITE sip:c@d SIP/2.0\r\n{BASE}CSeq: 1 INVITE\r\nMax-Forwards: 0\r\n\r\n"
        ));
        assert_eq!(
            check_max_forwards(&r).unwrap_err().status,
            StatusCode::TOO_MANY_HOPS
        );
    }

    #[test]
    fn rejection_builds_420_with_unsupported() {
        let r = request(&format!(
            "INVITE sip:c@d SIP/2.0\r\n{BASE}CSeq: 1 INVITE\r\nRequire: foo, timer\r\n\r\n"
        ));
        let caps = Capabilities::default();
        let rejection = validate_request(&r, &caps).unwrap_err();
        assert_eq!(rejection.status, StatusCode::BAD_EXTENSION);
        let response = rejection.to_response(&r, &caps, "t1");
        assert_eq!(response.headers.get_raw("Unsupported"), Some("foo"));
        assert_eq!(
            response
                .header_to()
                .and_then(|t| t.tag().map(String::from))
                .as_deref(),
            Some("t1")
        );
        assert_eq!(response.cseq().map(|c| c.seq), Some(1));
    }
}
