//! Building requests and responses (RFC 3261 §8.1.1, §8.2.6, §12.2.1.1,
//! §17.1.1.3) with RFC 7118 Via and Contact.

use super::{Owner, UaError, UserAgent};
use crate::auth::{ChallengeKind, Decision};
use crate::dialog::Dialog;
use crate::headers::HeaderName;
use crate::headers::{Headers, split_list};
use crate::message::{Method, Request, Response, StatusCode};
use crate::time::Instant;
use crate::transaction::HeadersExt;
use crate::transaction::{
    BRANCH_COOKIE, Role, TransactionKey, cseq_of, tag_in, tag_of, transaction_key,
};
use crate::uri::Uri;
use rand_core::RngCore;
use std::sync::Arc;

/// Methods this UA handles (Allow, RFC 3261 §20.5).
pub(super) const ALLOW: &str =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, PRACK, UPDATE, SUBSCRIBE, NOTIFY, REFER";
/// Methods a UA may know but this one does not handle: answered 405.
pub(super) const KNOWN_UNSUPPORTED: &[&str] = &["REGISTER", "PUBLISH"];
/// Extensions we support (Supported, RFC 3261 §20.37): RFC 3262 `100rel`,
/// RFC 4028 `timer`, RFC 3891 `replaces`, RFC 5626 `outbound`, RFC 3327
/// `path`, RFC 5627 `gruu`.
pub(super) const SUPPORTED: &str = "100rel, timer, replaces, outbound, path, gruu";
/// [`SUPPORTED`] without `100rel`, when reliable provisionals are off.
pub(super) const SUPPORTED_NO_100REL: &str = "timer, replaces, outbound, path, gruu";
/// Option tags a Require may name that we accept (`100rel` only when
/// reliable provisionals are on).
pub(super) const UNDERSTOOD: &[&str] = &["timer", "replaces", "outbound", "path", "gruu"];

/// Whether a list header (`Supported`, `Require`, `Allow`) names `token`.
pub(super) fn lists(headers: &Headers, name: HeaderName, token: &str) -> bool {
    headers
        .fields(name)
        .any(|line| split_list(line).any(|t| trim_unicode(t).eq_ignore_ascii_case(token)))
}

/// `text.trim()` for text `split_list` already trimmed of ASCII whitespace:
/// only a non-ASCII or vertical-tab byte at either end can still be
/// whitespace, so most elements are returned as they are.
fn trim_unicode(text: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii() && *b != 0x0b);
    if plain(text.as_bytes().first()) && plain(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// RFC 4028 §4: `Session-Expires: delta-seconds [;refresher=uac|uas]`.
pub(super) fn session_expires(headers: &Headers) -> Option<(u32, Option<Refresher>)> {
    let value = headers.field(HeaderName::SESSION_EXPIRES)?;
    let mut parts = value.split(';');
    let delta = parts.next()?.trim().parse().ok()?;
    let refresher = parts
        .filter_map(|p| p.split_once('='))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("refresher"))
        .and_then(|(_, v)| match v.trim().to_ascii_lowercase().as_str() {
            "uac" => Some(Refresher::Uac),
            "uas" => Some(Refresher::Uas),
            _ => None,
        });
    Some((delta, refresher))
}

/// RFC 4028 §5: `Min-SE: delta-seconds`.
pub(super) fn min_se(headers: &Headers) -> Option<u32> {
    headers
        .field(HeaderName::MIN_SE)?
        .split(';')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Who refreshes a session (RFC 4028 §4), named by its role in the
/// transaction that carried `Session-Expires`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refresher {
    /// The side that sent the request.
    Uac,
    /// The side that answered it.
    Uas,
}

impl Refresher {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Refresher::Uac => "uac",
            Refresher::Uas => "uas",
        }
    }
}
/// Body types we accept (Accept, RFC 3261 §20.1).
pub(super) const ACCEPT: &str =
    "application/sdp, application/dtmf-relay, application/dtmf, text/plain";

/// A response written straight into the bytes that go on the wire, with no
/// [`Response`] in between, for the replies a UA sends most. The bytes are
/// those of [`UserAgent::response_to`] with the same headers added and
/// [`Response::to_bytes`]: the request's Via, From, To (tagged), Call-ID and
/// CSeq lines copied as received, Record-Route for a dialog-creating
/// response, the added headers, then Content-Type, Content-Length and body.
pub(super) struct WireResponse {
    out: Vec<u8>,
    status: u16,
}

impl WireResponse {
    /// The status line and the headers copied from `request` (§8.2.6.2).
    pub(super) fn to(request: &Request, status: u16, to_tag: Option<&str>) -> Self {
        // As in `response_to`, the To tag and Record-Route follow the status
        // asked for, the status line the code actually sent.
        let code = StatusCode::new(status).unwrap_or(StatusCode::SERVER_INTERNAL_ERROR);
        let sent = code.as_u16();
        let mut out = Vec::with_capacity(request.headers.text_len() + 256);
        out.extend_from_slice(b"SIP/2.0 ");
        for d in [sent / 100, sent / 10 % 10, sent % 10] {
            out.push(b'0' + u8::try_from(d).unwrap_or(0));
        }
        out.push(b' ');
        out.extend_from_slice(code.canonical_reason().as_bytes());
        out.extend_from_slice(b"\r\n");
        let mut response = WireResponse { out, status: sent };
        let headers = &request.headers;
        response.copy(headers, HeaderName::VIA);
        response.copy(headers, HeaderName::FROM);
        let to = headers.field(HeaderName::TO);
        let to = to.map_or("", str::trim);
        match to_tag {
            Some(tag) if tag_in(to).is_none() && status > 100 => {
                response.header_parts(HeaderName::TO, &[to, ";tag=", tag]);
            }
            _ => response.header(HeaderName::TO, to),
        }
        response.copy(headers, HeaderName::CALL_ID);
        response.copy(headers, HeaderName::CSEQ);
        // RFC 3261 §12.1.1: see `response_to`.
        if (101..300).contains(&status) {
            response.copy(headers, HeaderName::RECORD_ROUTE);
        }
        response
    }

    #[inline]
    fn copy(&mut self, headers: &Headers, name: HeaderName) {
        for line in headers.lines(name) {
            self.out.extend_from_slice(line.as_bytes());
            self.out.extend_from_slice(b"\r\n");
        }
    }

    /// Adds `name: value`; left out, as by [`Headers::push_str`], when the
    /// value holds CR or LF.
    pub(super) fn header(&mut self, name: HeaderName, value: &str) {
        self.header_parts(name, &[value]);
    }

    /// Adds a header whose value is `parts` joined.
    pub(super) fn header_parts(&mut self, name: HeaderName, parts: &[&str]) {
        if parts
            .iter()
            .any(|p| crate::syntax::find_byte2(b'\r', b'\n', p.as_bytes()).is_some())
        {
            return;
        }
        self.out.extend_from_slice(name.as_str().as_bytes());
        self.out.extend_from_slice(b": ");
        for part in parts {
            self.out.extend_from_slice(part.as_bytes());
        }
        self.out.extend_from_slice(b"\r\n");
    }

    /// The status code.
    pub(super) fn status(&self) -> u16 {
        self.status
    }

    /// The response with `body` of `content_type` (Content-Type left out for
    /// an empty body) and its Content-Length.
    pub(super) fn finish(mut self, content_type: &str, body: &[u8]) -> Vec<u8> {
        if !body.is_empty() {
            self.header(HeaderName::CONTENT_TYPE, content_type);
        }
        let mut digits = String::with_capacity(8);
        push_u32(&mut digits, u32::try_from(body.len()).unwrap_or(u32::MAX));
        self.header(HeaderName::CONTENT_LENGTH, &digits);
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(body);
        self.out
    }
}

/// Appends `CSeq: <seq> <method>`.
pub(super) fn push_cseq(headers: &mut Headers, seq: u32, method: &Method) {
    headers.push_with(HeaderName::CSEQ, |buf| {
        push_u32(buf, seq);
        buf.push(' ');
        buf.push_str(method.as_str());
    });
}

/// Appends the decimal digits of `n`.
pub(super) fn push_u32(buf: &mut String, n: u32) {
    let mut digits = [0u8; 20];
    for d in crate::syntax::decimal(u64::from(n), &mut digits) {
        buf.push(char::from(*d));
    }
}

/// Adds a header; one whose value holds CR or LF is left out.
pub(super) fn add(headers: &mut Headers, name: HeaderName, value: &str) {
    headers.push_str(name, value);
}

/// Sets a body with its Content-Type (Content-Length is written on output).
pub(super) fn set_body(
    headers: &mut Headers,
    body_slot: &mut Vec<u8>,
    content_type: &str,
    body: &str,
) {
    headers.remove(crate::headers::HeaderName::CONTENT_TYPE);
    if !body.is_empty() {
        add(headers, HeaderName::CONTENT_TYPE, content_type);
    }
    *body_slot = body.as_bytes().to_vec();
}

/// The body as text when its Content-Type is `application/sdp`.
pub(super) fn sdp_body(headers: &Headers, body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let ct = headers.field(HeaderName::CONTENT_TYPE)?;
    if !ct
        .trim()
        .to_ascii_lowercase()
        .starts_with("application/sdp")
    {
        return None;
    }
    String::from_utf8(body.to_vec()).ok()
}

/// The text of a header, trimmed, or empty.
pub(super) fn text(headers: &Headers, name: HeaderName) -> String {
    headers
        .field(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// The `tag` parameter of a From or To header, read without a full
/// name-addr parse.
pub(super) fn header_tag(headers: &Headers, name: HeaderName) -> Option<String> {
    headers.field(name).and_then(tag_of)
}

/// [`text`], borrowed from `headers`.
pub(super) fn text_ref(headers: &Headers, name: HeaderName) -> &str {
    headers.field(name).map_or("", str::trim)
}

/// The sequence number of the `CSeq` of `headers`, if it is well formed.
pub(super) fn cseq_number(headers: &Headers) -> Option<u32> {
    headers
        .field(HeaderName::CSEQ)
        .and_then(cseq_of)
        .map(|(seq, _)| seq)
}

/// [`header_tag`], borrowed from `headers`.
pub(super) fn tag_ref(headers: &Headers, name: HeaderName) -> Option<&str> {
    tag_in(headers.field(name)?)
}

/// `sip:` + `target` when it has no scheme; `@domain` of the AOR when it
/// has no host.
fn target_uri(target: &str, aor: &str) -> Option<Uri> {
    let target = target.trim();
    let with_scheme = if target.contains(':') {
        target.to_owned()
    } else {
        format!("sip:{target}")
    };
    let with_host = if with_scheme.contains('@') || !with_scheme.starts_with("sip") {
        with_scheme
    } else {
        let domain = aor.split_once('@').map(|(_, d)| d).unwrap_or("");
        format!("{with_scheme}@{domain}")
    };
    Uri::parse(&with_host).ok()
}

impl UserAgent {
    /// The URI `target` (a URI, a user or a number) names, for a request
    /// of its own (INVITE, MESSAGE, SUBSCRIBE), which needs the transport.
    pub(super) fn new_request_target(&self, target: &str) -> Result<Uri, UaError> {
        if !self.connected {
            return Err(UaError::NotConnected);
        }
        self.target(target)
    }

    /// The URI `target` (a URI, a user or a number) names.
    pub(super) fn target(&self, target: &str) -> Result<Uri, UaError> {
        target_uri(target, &self.config.aor)
            .ok_or_else(|| UaError::InvalidTarget(target.to_owned()))
    }

    /// Our Supported value.
    pub(super) fn supported(&self) -> &'static str {
        if self.config.reliable_provisional {
            SUPPORTED
        } else {
            SUPPORTED_NO_100REL
        }
    }

    /// A fresh RFC 3261 branch (§8.1.1.7).
    pub(super) fn new_branch(&mut self) -> String {
        let mut branch = String::with_capacity(BRANCH_COOKIE.len() + 20);
        branch.push_str(BRANCH_COOKIE);
        super::push_random_hex(&mut self.rng, 10, &mut branch);
        branch
    }

    /// Appends our Via with a fresh branch to `headers`.
    pub(super) fn push_via(&mut self, headers: &mut Headers) {
        let mut random = [0u8; 10];
        self.rng.fill_bytes(&mut random);
        headers.push_with(HeaderName::VIA, |buf| {
            self.write_via_sent_by(buf);
            buf.push_str(BRANCH_COOKIE);
            super::push_hex(&random, buf);
        });
    }

    /// `SIP/2.0/WSS <host>;branch=`: our Via up to the branch value.
    fn write_via_sent_by(&self, buf: &mut String) {
        buf.push_str("SIP/2.0/");
        buf.push_str(self.config.transport.via_token());
        buf.push(' ');
        buf.push_str(&self.host);
        buf.push_str(";branch=");
    }

    /// A fresh tag (§19.3).
    pub(super) fn new_tag(&mut self) -> String {
        self.random_hex(6)
    }

    /// A fresh Call-ID (§8.1.1.4).
    pub(super) fn new_call_id(&mut self) -> String {
        self.random_hex(12)
    }

    /// RFC 7118 §5.1: `SIP/2.0/WS` or `WSS` with our `.invalid` host.
    pub(super) fn via(&self, branch: &str) -> String {
        let mut via = String::with_capacity(48);
        self.write_via_sent_by(&mut via);
        via.push_str(branch);
        via
    }

    /// Our Contact for dialogs: the public GRUU when the registrar gave one
    /// (RFC 5627 §4.3), else RFC 7118 §5.2 `transport=ws` with RFC 5626 `ob`.
    pub(super) fn contact(&self) -> String {
        let mut contact = String::with_capacity(64);
        self.write_contact(&mut contact);
        contact
    }

    /// Appends [`UserAgent::contact`] to `buf`.
    pub(super) fn write_contact(&self, buf: &mut String) {
        if let Some(gruu) = self
            .registration
            .gruu
            .as_ref()
            .and_then(|g| g.public.as_ref())
        {
            buf.push('<');
            buf.push_str(gruu);
            buf.push('>');
            return;
        }
        buf.push_str("<sip:");
        buf.push_str(&self.contact_user);
        buf.push('@');
        buf.push_str(&self.host);
        buf.push_str(";transport=ws");
        if self.config.instance_id.is_some() {
            buf.push_str(";ob");
        }
        buf.push('>');
    }

    /// Appends our Contact to `headers`.
    pub(super) fn push_contact(&self, headers: &mut Headers) {
        headers.push_with(HeaderName::CONTACT, |buf| self.write_contact(buf));
    }

    /// The URI of our registration Contact (without GRUU).
    pub(super) fn contact_uri(&self) -> String {
        let ob = if self.config.instance_id.is_some() {
            ";ob"
        } else {
            ""
        };
        format!("sip:{}@{};transport=ws{ob}", self.contact_user, self.host)
    }

    /// Appends the From of requests we originate, with `tag`. The display
    /// name is the user's text, written as one quoted string (quotes and
    /// backslashes escaped, line breaks as spaces).
    fn write_local_from(&self, buf: &mut String, tag: &str) {
        if let Some(name) = &self.config.display_name {
            // Writing to a String cannot fail.
            let _ = crate::syntax::write_quoted(buf, name);
            buf.push(' ');
        }
        buf.push('<');
        buf.push_str(&self.config.aor);
        buf.push_str(">;tag=");
        buf.push_str(tag);
    }

    /// Route headers for out-of-dialog requests: the Service-Route learnt at
    /// registration (RFC 3608 §6.1), else the outbound proxy.
    pub(super) fn outbound_routes(&self) -> Vec<String> {
        if !self.registration.service_route.is_empty() {
            return self.registration.service_route.clone();
        }
        match &self.config.outbound_proxy {
            Some(proxy) if proxy.contains(";lr") => vec![format!("<{proxy}>")],
            Some(proxy) => vec![format!("<{proxy};lr>")],
            None => Vec::new(),
        }
    }

    /// An out-of-dialog request (§8.1.1).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn ood_request(
        &mut self,
        method: Method,
        uri: Uri,
        to: &str,
        from_tag: &str,
        call_id: &str,
        cseq: u32,
        with_contact: bool,
    ) -> Request {
        let mut h = Headers::with_capacity(640, 16);
        self.push_via(&mut h);
        h.push_str(HeaderName::MAX_FORWARDS, "70");
        for route in self.outbound_routes() {
            h.push_str(HeaderName::ROUTE, &route);
        }
        h.push_str(HeaderName::TO, to);
        h.push_with(HeaderName::FROM, |buf| self.write_local_from(buf, from_tag));
        h.push_str(HeaderName::CALL_ID, call_id);
        push_cseq(&mut h, cseq, &method);
        if with_contact {
            self.push_contact(&mut h);
        }
        if let Some(ua) = &self.config.user_agent {
            h.push_str(HeaderName::USER_AGENT, ua);
        }
        let mut request = Request::new(method, uri);
        request.headers = h;
        request
    }

    /// A request within `dialog` (§12.2.1.1) with a fresh CSeq (or `seq`
    /// for ACK and CANCEL).
    pub(super) fn dialog_request(
        &mut self,
        dialog: &mut Dialog,
        method: Method,
        seq: Option<u32>,
    ) -> Option<Request> {
        let (uri, routes) = dialog.request_parts()?;
        let seq = match seq {
            Some(seq) => seq,
            None => dialog.next_seq(),
        };
        let mut h = Headers::with_capacity(640, 16);
        self.push_via(&mut h);
        h.push_str(HeaderName::MAX_FORWARDS, "70");
        for route in routes {
            h.push_str(HeaderName::ROUTE, &route);
        }
        h.push_str(HeaderName::TO, &dialog.remote);
        h.push_str(HeaderName::FROM, &dialog.local);
        h.push_str(HeaderName::CALL_ID, &dialog.id.call_id);
        push_cseq(&mut h, seq, &method);
        if matches!(
            method,
            Method::Invite | Method::Update | Method::Subscribe | Method::Refer | Method::Notify
        ) {
            self.push_contact(&mut h);
        }
        let mut request = Request::new(method, uri);
        request.headers = h;
        Some(request)
    }

    /// Sends `request` in a new client transaction owned by `owner`; ACK is
    /// sent without one (§17.1.1.3, §13.2.2.4).
    pub(super) fn send_request(
        &mut self,
        now: Instant,
        request: impl Into<Arc<Request>>,
        owner: Owner,
    ) {
        self.send_shared(now, request.into(), owner);
    }

    /// [`UserAgent::send_request`], returning the key of the transaction.
    pub(super) fn send_request_keyed(
        &mut self,
        now: Instant,
        request: impl Into<Arc<Request>>,
        owner: Owner,
    ) -> Option<TransactionKey> {
        self.send_shared(now, request.into(), owner)
            .map(|key| TransactionKey::clone(&key))
    }

    fn send_shared(
        &mut self,
        now: Instant,
        request: Arc<Request>,
        owner: Owner,
    ) -> Option<Arc<TransactionKey>> {
        let bytes = request.to_bytes();
        self.transmit(bytes);
        if request.method == Method::Ack {
            return None;
        }
        let key = transaction_key(Role::Client, &request.headers, &request.method)?;
        if let Some(attempt) = self.pending_attempt.take() {
            self.auth_attempts.insert(key.clone(), attempt);
        }
        let key = Arc::new(key);
        self.transactions
            .start_client(now, Arc::clone(&key), request, owner);
        Some(key)
    }

    /// A response to `request` (§8.2.6.2): Via, From, To (with `to_tag` added
    /// when it has none), Call-ID, CSeq copied.
    pub(super) fn response_to(request: &Request, status: u16, to_tag: Option<&str>) -> Response {
        let code = StatusCode::new(status).unwrap_or(StatusCode::SERVER_INTERNAL_ERROR);
        let mut response = Response::new(code);
        let h = &mut response.headers;
        *h = Headers::with_capacity(640, 16);
        h.copy_from(&request.headers, HeaderName::VIA);
        h.copy_from(&request.headers, HeaderName::FROM);
        let to = request.headers.field(HeaderName::TO);
        let to = to.map_or("", str::trim);
        match to_tag {
            Some(tag) if tag_in(to).is_none() && status > 100 => {
                h.push_with(HeaderName::TO, |buf| {
                    buf.push_str(to);
                    buf.push_str(";tag=");
                    buf.push_str(tag);
                });
            }
            _ => {
                h.push_str(HeaderName::TO, to);
            }
        }
        h.copy_from(&request.headers, HeaderName::CALL_ID);
        h.copy_from(&request.headers, HeaderName::CSEQ);
        // RFC 3261 §12.1.1: a response that creates a dialog copies every
        // Record-Route of the request, so the caller's route set (and with it
        // its ACK and BYE) goes through the proxies that asked to stay in.
        if (101..300).contains(&status) {
            h.copy_from(&request.headers, crate::headers::HeaderName::RECORD_ROUTE);
        }
        response
    }

    /// Sends `response` on the server transaction of `request`.
    pub(super) fn send_response(&mut self, now: Instant, request: &Request, response: Response) {
        let status = response.status.as_u16();
        self.send_response_bytes(now, request, status, response.to_bytes());
    }

    /// Sends a response with `status` already serialized as `bytes` on the
    /// server transaction of `request`.
    pub(super) fn send_response_bytes(
        &mut self,
        now: Instant,
        request: &Request,
        status: u16,
        bytes: Vec<u8>,
    ) {
        // The key of the last request received is kept with it: its
        // responses need not read its Via again.
        let served = self.served.take();
        let key = match &served {
            Some((last, key)) if std::ptr::eq(Arc::as_ptr(last), request) => Some(key),
            _ => None,
        };
        let read;
        let key = match key {
            Some(key) => Some(&**key),
            None => {
                read = transaction_key(Role::Server, &request.headers, &request.method);
                read.as_ref()
            }
        };
        if let Some(key) = key {
            self.transactions.server_sent(now, key, status, &bytes);
        }
        self.served = served;
        self.transmit(bytes);
    }

    /// Sends a plain response with no body.
    pub(super) fn reply(&mut self, now: Instant, request: &Request, status: u16) {
        let tag = self.new_tag();
        let response = WireResponse::to(request, status, Some(&tag));
        let status = response.status();
        self.send_response_bytes(now, request, status, response.finish("", &[]));
    }

    /// §17.1.1.3: the ACK for a non-2xx final response, built by the
    /// transaction from the INVITE: same Request-URI, Call-ID, From, top Via
    /// and Route, the response's To, CSeq number with method ACK.
    pub(super) fn ack_for_failure(invite: &Request, response: &Response) -> Request {
        let mut ack = Request::new(Method::Ack, invite.uri.clone());
        let h = &mut ack.headers;
        if let Some(via) = invite.headers.field(HeaderName::VIA) {
            let top = crate::headers::split_list(via)
                .next()
                .unwrap_or("")
                .trim()
                .to_owned();
            add(h, HeaderName::VIA, &top);
        }
        add(h, HeaderName::MAX_FORWARDS, "70");
        for route in invite.headers.fields(HeaderName::ROUTE) {
            add(h, HeaderName::ROUTE, route.trim());
        }
        h.copy_from(&invite.headers, crate::headers::HeaderName::FROM);
        add(h, HeaderName::TO, &text(&response.headers, HeaderName::TO));
        h.copy_from(&invite.headers, crate::headers::HeaderName::CALL_ID);
        let seq = cseq_number(&invite.headers).unwrap_or(1);
        let mut cseq = String::with_capacity(16);
        push_u32(&mut cseq, seq);
        cseq.push_str(" ACK");
        add(h, HeaderName::CSEQ, &cseq);
        ack
    }

    /// Decides on a 401/407 to the request of client transaction `key`:
    /// every request answers a realm's challenge once; a second challenge
    /// to its retry stops (RFC 3261 §22.2, RFC 7616 §3.3). On
    /// [`Decision::Retry`] the next request sent is the retry and inherits
    /// the attempt.
    pub(super) fn answer_challenge(
        &mut self,
        key: &TransactionKey,
        response: &Response,
    ) -> Decision {
        let kind = if response.status.as_u16() == 401 {
            ChallengeKind::Www
        } else {
            ChallengeKind::Proxy
        };
        let mut attempt = self.auth_attempts.remove(key).unwrap_or_default();
        let values: Vec<_> = response
            .headers
            .raw_values(kind.challenge_header())
            .collect();
        let decision = self.digest.handle_request_challenge(
            &mut attempt,
            kind,
            values.iter().map(|v| v.as_ref()),
        );
        if decision == Decision::Retry {
            self.pending_attempt = Some(attempt);
        }
        decision
    }

    /// Answers a 401/407 to an in-dialog request other than a re-INVITE or
    /// UPDATE (BYE, INFO, MESSAGE, REFER, SUBSCRIBE, NOTIFY, PRACK): the
    /// same request in a new transaction with the dialog's next CSeq and
    /// credentials (RFC 3261 §22.2, §12.2.1.1). False when it must not be
    /// retried; the caller then treats the challenge as a final failure.
    pub(super) fn retry_with_credentials(
        &mut self,
        now: Instant,
        key: &TransactionKey,
        owner: Owner,
        request: &Request,
        response: &Response,
    ) -> bool {
        if self.answer_challenge(key, response) != Decision::Retry {
            return false;
        }
        let Some(old_seq) = cseq_number(&request.headers) else {
            self.pending_attempt = None;
            return false;
        };
        let seq = self
            .advance_dialog_seq(request)
            .unwrap_or(old_seq.saturating_add(1));
        let branch = self.new_branch();
        let mut retry = Request::new(request.method.clone(), request.uri.clone());
        retry.version = request.version;
        let mut via_done = false;
        for (name, value) in request.headers.iter() {
            if HeaderName::VIA.matches(name) && !via_done {
                via_done = true;
                add(&mut retry.headers, HeaderName::VIA, &self.via(&branch));
            } else if HeaderName::CSEQ.matches(name) {
                let cseq = format!("{seq} {}", request.method);
                add(&mut retry.headers, HeaderName::CSEQ, &cseq);
            } else if !HeaderName::AUTHORIZATION.matches(name)
                && !HeaderName::PROXY_AUTHORIZATION.matches(name)
            {
                let _ = retry.headers.push_raw(name, value);
            }
        }
        retry.body = request.body.clone();
        self.authorize(&mut retry);
        self.send_request(now, retry, owner);
        true
    }

    /// Moves on the local CSeq of the dialog `request` was sent in and
    /// returns it (§12.2.1.1: one higher for each new request).
    fn advance_dialog_seq(&mut self, request: &Request) -> Option<u32> {
        let call_id = text(&request.headers, HeaderName::CALL_ID);
        let local_tag = header_tag(&request.headers, HeaderName::FROM)?;
        let remote_tag = header_tag(&request.headers, HeaderName::TO)?;
        let same = |d: &Dialog| {
            d.id.call_id == call_id && d.id.local_tag == local_tag && d.id.remote_tag == remote_tag
        };
        let calls = self
            .calls
            .values_mut()
            .flat_map(|c| c.dialog.iter_mut().chain(c.early.iter_mut()));
        let subscriptions = self
            .subscriptions
            .values_mut()
            .filter_map(|s| s.dialog.as_mut());
        calls
            .chain(subscriptions)
            .find(|d| same(d))
            .map(Dialog::next_seq)
    }

    /// The client transaction `request` was sent in.
    pub(super) fn client_key(request: &Request) -> Option<TransactionKey> {
        transaction_key(Role::Client, &request.headers, &request.method)
    }

    /// Adds credentials for every challenge held (RFC 3261 §22.2).
    pub(super) fn authorize(&mut self, request: &mut Request) {
        let cnonce = self.cnonce();
        let uri = request.uri.as_str().to_owned();
        let method = request.method.as_str().to_owned();
        let digest_request = crate::auth::DigestRequest {
            method: &method,
            uri: &uri,
            body: &request.body,
        };
        if let Ok(answers) = self.digest.authorize(&digest_request, &cnonce) {
            for answer in answers {
                let value = answer.credentials.to_string();
                let _ = request
                    .headers
                    .push_raw(answer.kind.credentials_header(), &value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_u32_writes_as_display_does() {
        for n in [0, 7, 10, 4711, 1_000_000, u32::MAX] {
            let mut out = String::from("x");
            push_u32(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn list_elements_trimmed_as_str_trim_does() {
        for text in [
            "",
            "a",
            "timer",
            "\x0btimer",
            "timer\u{a0}",
            "\u{2003}x\u{2003}",
            "é",
            "a b",
        ] {
            assert_eq!(trim_unicode(text), text.trim(), "{text:?}");
        }
        let mut h = Headers::new();
        h.push_raw("Supported", "path, \u{a0}Timer\x0b ,gruu")
            .unwrap();
        assert!(lists(&h, HeaderName::SUPPORTED, "timer"));
        assert!(!lists(&h, HeaderName::SUPPORTED, "100rel"));
    }
    use crate::message::Message;

    fn request(text: &str) -> Request {
        match Message::parse(text.as_bytes()) {
            Ok(Message::Request(r)) => r,
            other => panic!("not a request: {other:?}"),
        }
    }

    /// The bytes the `Response` path gives for the same reply.
    fn via_response(request: &Request, status: u16, tag: Option<&str>, body: &str) -> Vec<u8> {
        let mut response = UserAgent::response_to(request, status, tag);
        add(
            &mut response.headers,
            HeaderName::CONTACT,
            "<sip:b@h.invalid>",
        );
        add(&mut response.headers, HeaderName::ALLOW, "INVITE, BYE");
        set_body(
            &mut response.headers,
            &mut response.body,
            "application/sdp",
            body,
        );
        response.to_bytes()
    }

    fn via_wire(request: &Request, status: u16, tag: Option<&str>, body: &str) -> Vec<u8> {
        let mut response = WireResponse::to(request, status, tag);
        response.header(HeaderName::CONTACT, "<sip:b@h.invalid>");
        response.header(HeaderName::ALLOW, "INVITE, BYE");
        response.finish("application/sdp", body.as_bytes())
    }

    #[test]
    fn wire_responses_match_built_responses() {
        let plain = request(
            "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nTo: <sip:b@h>\r\nFrom: \"A\" <sip:a@h>;tag=9\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        );
        let folded = request(
            "BYE sip:b@h SIP/2.0\r\nv: SIP/2.0/WSS a.invalid;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP p.example;branch=z9hG4bK3\r\nRecord-Route: <sip:p.example;lr>\r\nt: <sip:b@h>;tag=7\r\nf: <sip:a@h>\r\n ;tag=9\r\ni: c2\r\nCSeq: 2 BYE\r\n\r\n",
        );
        for req in [&plain, &folded] {
            for status in [100, 180, 200, 481, 99] {
                for tag in [None, Some("t1")] {
                    for body in ["", "v=0\r\n"] {
                        assert_eq!(
                            String::from_utf8(via_wire(req, status, tag, body)).unwrap(),
                            String::from_utf8(via_response(req, status, tag, body)).unwrap(),
                            "{status} {tag:?} {body:?}"
                        );
                    }
                }
            }
        }
    }
}
