//! SIP requests and responses (RFC 3261 §7): start lines, headers, body,
//! builders and serialization.
//!
//! A parsed message serializes back to its input (header lines as received,
//! each ended by CRLF), except that `Content-Length` always states the body's
//! real length. A built message serializes canonically: CRLF line ends, one
//! header per line, `Content-Length` last unless set earlier.
//!
//! A received message is read in place as a [`MessageRef`], whose start
//! line, header index and body point into the input, and copied into a
//! [`Message`] ([`MessageRef::into_owned`], or [`Message::parse`] at once)
//! to be kept or changed.

use std::fmt;
use std::str::FromStr;

use crate::header::{CSeq, CallId, ContentLength, ContentType, From, To, Via};
use crate::headers::{HeaderName, Headers, TypedHeader};
use crate::parse::{Limits, ParseError};
use crate::uri::{Uri, UriRef};

/// A request method (RFC 3261 §7.1, §27.4). Methods are case-sensitive;
/// an unknown one is kept verbatim in [`Method::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// RFC 3261
    Invite,
    /// RFC 3261
    Ack,
    /// RFC 3261
    Bye,
    /// RFC 3261
    Cancel,
    /// RFC 3261
    Register,
    /// RFC 3261
    Options,
    /// RFC 6086
    Info,
    /// RFC 3311
    Update,
    /// RFC 3262
    Prack,
    /// RFC 6665
    Subscribe,
    /// RFC 6665
    Notify,
    /// RFC 3515
    Refer,
    /// RFC 3428
    Message,
    /// RFC 3903
    Publish,
    /// Any other token.
    Other(String),
}

/// A method name that is not a `token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("method is not a token")]
pub struct InvalidMethod;

impl Method {
    #[cfg(test)]
    const KNOWN: [(Method, &'static str); 14] = [
        (Method::Invite, "INVITE"),
        (Method::Ack, "ACK"),
        (Method::Bye, "BYE"),
        (Method::Cancel, "CANCEL"),
        (Method::Register, "REGISTER"),
        (Method::Options, "OPTIONS"),
        (Method::Info, "INFO"),
        (Method::Update, "UPDATE"),
        (Method::Prack, "PRACK"),
        (Method::Subscribe, "SUBSCRIBE"),
        (Method::Notify, "NOTIFY"),
        (Method::Refer, "REFER"),
        (Method::Message, "MESSAGE"),
        (Method::Publish, "PUBLISH"),
    ];

    /// The method as written on the wire.
    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Prack => "PRACK",
            Method::Subscribe => "SUBSCRIBE",
            Method::Notify => "NOTIFY",
            Method::Refer => "REFER",
            Method::Message => "MESSAGE",
            Method::Publish => "PUBLISH",
            Method::Other(name) => name,
        }
    }

    /// The known method spelled `s` (case-sensitive).
    fn known(s: &str) -> Option<Method> {
        Some(match s {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "PRACK" => Method::Prack,
            "SUBSCRIBE" => Method::Subscribe,
            "NOTIFY" => Method::Notify,
            "REFER" => Method::Refer,
            "MESSAGE" => Method::Message,
            "PUBLISH" => Method::Publish,
            _ => return None,
        })
    }
}

impl FromStr for Method {
    type Err = InvalidMethod;
    fn from_str(s: &str) -> Result<Self, InvalidMethod> {
        if let Some(m) = Self::known(s) {
            return Ok(m);
        }
        if crate::syntax::is_token(s) {
            Ok(Method::Other(s.to_owned()))
        } else {
            Err(InvalidMethod)
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response status code, 100 to 699 (RFC 3261 §7.2, §21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(u16);

impl StatusCode {
    /// 100 Trying
    pub const TRYING: StatusCode = StatusCode(100);
    /// 180 Ringing
    pub const RINGING: StatusCode = StatusCode(180);
    /// 183 Session Progress
    pub const SESSION_PROGRESS: StatusCode = StatusCode(183);
    /// 200 OK
    pub const OK: StatusCode = StatusCode(200);
    /// 202 Accepted
    pub const ACCEPTED: StatusCode = StatusCode(202);
    /// 400 Bad Request
    pub const BAD_REQUEST: StatusCode = StatusCode(400);
    /// 401 Unauthorized
    pub const UNAUTHORIZED: StatusCode = StatusCode(401);
    /// 403 Forbidden
    pub const FORBIDDEN: StatusCode = StatusCode(403);
    /// 404 Not Found
    pub const NOT_FOUND: StatusCode = StatusCode(404);
    /// 405 Method Not Allowed
    pub const METHOD_NOT_ALLOWED: StatusCode = StatusCode(405);
    /// 406 Not Acceptable
    pub const NOT_ACCEPTABLE: StatusCode = StatusCode(406);
    /// 407 Proxy Authentication Required
    pub const PROXY_AUTHENTICATION_REQUIRED: StatusCode = StatusCode(407);
    /// 408 Request Timeout
    pub const REQUEST_TIMEOUT: StatusCode = StatusCode(408);
    /// 413 Request Entity Too Large
    pub const REQUEST_ENTITY_TOO_LARGE: StatusCode = StatusCode(413);
    /// 415 Unsupported Media Type
    pub const UNSUPPORTED_MEDIA_TYPE: StatusCode = StatusCode(415);
    /// 416 Unsupported URI Scheme
    pub const UNSUPPORTED_URI_SCHEME: StatusCode = StatusCode(416);
    /// 420 Bad Extension
    pub const BAD_EXTENSION: StatusCode = StatusCode(420);
    /// 422 Session Interval Too Small
    pub const SESSION_INTERVAL_TOO_SMALL: StatusCode = StatusCode(422);
    /// 423 Interval Too Brief
    pub const INTERVAL_TOO_BRIEF: StatusCode = StatusCode(423);
    /// 480 Temporarily Unavailable
    pub const TEMPORARILY_UNAVAILABLE: StatusCode = StatusCode(480);
    /// 481 Call/Transaction Does Not Exist
    pub const CALL_DOES_NOT_EXIST: StatusCode = StatusCode(481);
    /// 483 Too Many Hops
    pub const TOO_MANY_HOPS: StatusCode = StatusCode(483);
    /// 486 Busy Here
    pub const BUSY_HERE: StatusCode = StatusCode(486);
    /// 487 Request Terminated
    pub const REQUEST_TERMINATED: StatusCode = StatusCode(487);
    /// 488 Not Acceptable Here
    pub const NOT_ACCEPTABLE_HERE: StatusCode = StatusCode(488);
    /// 491 Request Pending
    pub const REQUEST_PENDING: StatusCode = StatusCode(491);
    /// 500 Server Internal Error
    pub const SERVER_INTERNAL_ERROR: StatusCode = StatusCode(500);
    /// 501 Not Implemented
    pub const NOT_IMPLEMENTED: StatusCode = StatusCode(501);
    /// 503 Service Unavailable
    pub const SERVICE_UNAVAILABLE: StatusCode = StatusCode(503);
    /// 505 Version Not Supported
    pub const VERSION_NOT_SUPPORTED: StatusCode = StatusCode(505);
    /// 603 Decline
    pub const DECLINE: StatusCode = StatusCode(603);

    /// A status code, if `code` is within 100..=699.
    pub fn new(code: u16) -> Option<StatusCode> {
        (100..=699).contains(&code).then_some(StatusCode(code))
    }

    /// The number.
    pub fn as_u16(self) -> u16 {
        self.0
    }

    /// 1xx.
    pub fn is_provisional(self) -> bool {
        self.0 < 200
    }

    /// 2xx.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// 2xx to 6xx.
    pub fn is_final(self) -> bool {
        self.0 >= 200
    }

    /// The reason phrase RFC 3261 §21 suggests, or `""` for unknown codes.
    pub fn canonical_reason(self) -> &'static str {
        match self.0 {
            100 => "Trying",
            180 => "Ringing",
            181 => "Call Is Being Forwarded",
            182 => "Queued",
            183 => "Session Progress",
            200 => "OK",
            202 => "Accepted",
            300 => "Multiple Choices",
            301 => "Moved Permanently",
            302 => "Moved Temporarily",
            305 => "Use Proxy",
            380 => "Alternative Service",
            400 => "Bad Request",
            401 => "Unauthorized",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            407 => "Proxy Authentication Required",
            408 => "Request Timeout",
            410 => "Gone",
            413 => "Request Entity Too Large",
            414 => "Request-URI Too Long",
            415 => "Unsupported Media Type",
            416 => "Unsupported URI Scheme",
            420 => "Bad Extension",
            421 => "Extension Required",
            422 => "Session Interval Too Small",
            423 => "Interval Too Brief",
            480 => "Temporarily Unavailable",
            481 => "Call/Transaction Does Not Exist",
            482 => "Loop Detected",
            483 => "Too Many Hops",
            484 => "Address Incomplete",
            485 => "Ambiguous",
            486 => "Busy Here",
            487 => "Request Terminated",
            488 => "Not Acceptable Here",
            489 => "Bad Event",
            491 => "Request Pending",
            493 => "Undecipherable",
            500 => "Server Internal Error",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Server Time-out",
            505 => "Version Not Supported",
            513 => "Message Too Large",
            600 => "Busy Everywhere",
            603 => "Decline",
            604 => "Does Not Exist Anywhere",
            606 => "Not Acceptable",
            _ => "",
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The protocol version of a start line (`SIP/2.0`, RFC 3261 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SipVersion {
    /// Major number.
    pub major: u8,
    /// Minor number.
    pub minor: u8,
}

impl SipVersion {
    /// SIP/2.0, the only version this stack speaks.
    pub const V2_0: SipVersion = SipVersion { major: 2, minor: 0 };

    fn write_to(self, out: &mut Vec<u8>) {
        if self == Self::V2_0 {
            out.extend_from_slice(b"SIP/2.0");
        } else {
            out.extend_from_slice(self.to_string().as_bytes());
        }
    }
}

impl Default for SipVersion {
    fn default() -> Self {
        Self::V2_0
    }
}

impl fmt::Display for SipVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/{}.{}", self.major, self.minor)
    }
}

/// A SIP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The Request-URI.
    pub uri: Uri,
    /// The version of the request line.
    pub version: SipVersion,
    /// The header fields, in order.
    pub headers: Headers,
    /// The body (possibly empty).
    pub body: Vec<u8>,
}

/// A SIP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The version of the status line.
    pub version: SipVersion,
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase (UTF-8, possibly empty).
    pub reason: String,
    /// The header fields, in order.
    pub headers: Headers,
    /// The body (possibly empty).
    pub body: Vec<u8>,
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

/// A request read in place: [`Request`] with its text borrowed from the
/// received bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRef<'a> {
    /// The method.
    pub method: Method,
    /// The Request-URI.
    pub uri: UriRef<'a>,
    /// The version of the request line.
    pub version: SipVersion,
    /// The header fields, in order.
    pub headers: Headers<&'a str>,
    /// The body (possibly empty).
    pub body: &'a [u8],
}

/// A response read in place: [`Response`] with its text borrowed from the
/// received bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRef<'a> {
    /// The version of the status line.
    pub version: SipVersion,
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase (UTF-8, possibly empty).
    pub reason: &'a str,
    /// The header fields, in order.
    pub headers: Headers<&'a str>,
    /// The body (possibly empty).
    pub body: &'a [u8],
}

/// A message read in place: the start line, the header index and the body
/// point into the bytes it was parsed from, so that parsing copies and
/// allocates nothing but the index. Every header read works on it as on a
/// [`Message`]; [`MessageRef::into_owned`] copies it into one to keep or
/// change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRef<'a> {
    /// A request.
    Request(RequestRef<'a>),
    /// A response.
    Response(ResponseRef<'a>),
}

impl<'a> MessageRef<'a> {
    /// Parses one message (one WebSocket frame, one datagram) in place, with
    /// the default [`Limits`]. Accepts and rejects exactly what
    /// [`Message::parse`] does.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        crate::parse::parse_message(bytes, &Limits::default())
    }

    /// Parses one message in place with the given limits.
    pub fn parse_with_limits(bytes: &'a [u8], limits: &Limits) -> Result<Self, ParseError> {
        crate::parse::parse_message(bytes, limits)
    }

    /// The header fields.
    pub fn headers(&self) -> &Headers<&'a str> {
        match self {
            MessageRef::Request(r) => &r.headers,
            MessageRef::Response(r) => &r.headers,
        }
    }

    /// The body.
    pub fn body(&self) -> &'a [u8] {
        match self {
            MessageRef::Request(r) => r.body,
            MessageRef::Response(r) => r.body,
        }
    }

    /// The message owning its text: the header lines, the body and the
    /// Request-URI or reason phrase are copied.
    pub fn into_owned(self) -> Message {
        match self {
            MessageRef::Request(r) => Message::Request(Request {
                method: r.method,
                uri: r.uri.into_owned(),
                version: r.version,
                headers: r.headers.into_owned(),
                body: r.body.to_vec(),
            }),
            MessageRef::Response(r) => Message::Response(Response {
                version: r.version,
                status: r.status,
                reason: r.reason.to_owned(),
                headers: r.headers.into_owned(),
                body: r.body.to_vec(),
            }),
        }
    }
}

impl Message {
    /// Parses one message (one WebSocket frame, one datagram) with the
    /// default [`Limits`].
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        MessageRef::parse(bytes).map(MessageRef::into_owned)
    }

    /// Parses one message with the given limits.
    pub fn parse_with_limits(bytes: &[u8], limits: &Limits) -> Result<Message, ParseError> {
        MessageRef::parse_with_limits(bytes, limits).map(MessageRef::into_owned)
    }

    /// The header fields.
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    /// The header fields, mutably.
    pub fn headers_mut(&mut self) -> &mut Headers {
        match self {
            Message::Request(r) => &mut r.headers,
            Message::Response(r) => &mut r.headers,
        }
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    /// The message on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

impl Request {
    /// A request with no header and no body.
    pub fn new(method: Method, uri: Uri) -> Self {
        Self {
            method,
            uri,
            version: SipVersion::V2_0,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// A builder for a request.
    pub fn builder(method: Method, uri: Uri) -> RequestBuilder {
        RequestBuilder(Self::new(method, uri))
    }

    /// Replaces the body, setting `Content-Type` (or removing it for an empty
    /// body) and `Content-Length`.
    pub fn set_body(&mut self, content_type: &ContentType, body: Vec<u8>) {
        set_body(&mut self.headers, &mut self.body, content_type, body);
    }

    /// The request on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(wire_len(&self.headers, &self.body) + self.uri.as_str().len());
        for part in [self.method.as_str(), " ", self.uri.as_str(), " "] {
            out.extend_from_slice(part.as_bytes());
        }
        self.version.write_to(&mut out);
        out.extend_from_slice(b"\r\n");
        finish(&mut out, &self.headers, &self.body);
        out
    }
}

impl Response {
    /// A response with the canonical reason phrase, no header and no body.
    pub fn new(status: StatusCode) -> Self {
        Self {
            version: SipVersion::V2_0,
            status,
            reason: status.canonical_reason().to_owned(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// A builder for a response.
    pub fn builder(status: StatusCode) -> ResponseBuilder {
        ResponseBuilder(Self::new(status))
    }

    /// A response to `request` carrying its `Via`, `From`, `To`, `Call-ID`
    /// and `CSeq` (RFC 3261 §8.2.6.2); the caller adds a `To` tag when the
    /// response creates a dialog or is final (and `request`'s `To` has none).
    pub fn from_request(request: &Request, status: StatusCode) -> ResponseBuilder {
        let mut response = Self::new(status);
        for name in [
            HeaderName::VIA,
            HeaderName::FROM,
            HeaderName::TO,
            HeaderName::CALL_ID,
            HeaderName::CSEQ,
        ] {
            response.headers.copy_from(&request.headers, name);
        }
        ResponseBuilder(response)
    }

    /// Replaces the body, setting `Content-Type` (or removing it for an empty
    /// body) and `Content-Length`.
    pub fn set_body(&mut self, content_type: &ContentType, body: Vec<u8>) {
        set_body(&mut self.headers, &mut self.body, content_type, body);
    }

    /// The response on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(wire_len(&self.headers, &self.body) + self.reason.len());
        self.version.write_to(&mut out);
        let code = self.status.as_u16();
        let digits =
            [code / 100, code / 10 % 10, code % 10].map(|d| b'0' + u8::try_from(d).unwrap_or(0));
        out.push(b' ');
        out.extend_from_slice(&digits);
        out.push(b' ');
        out.extend_from_slice(self.reason.as_bytes());
        out.extend_from_slice(b"\r\n");
        finish(&mut out, &self.headers, &self.body);
        out
    }
}

fn set_body(headers: &mut Headers, slot: &mut Vec<u8>, content_type: &ContentType, body: Vec<u8>) {
    if body.is_empty() {
        headers.remove(HeaderName::CONTENT_TYPE);
    } else {
        headers.set(content_type);
    }
    headers.set(&ContentLength(body.len()));
    *slot = body;
}

/// Room for a message with `headers` and `body`, start line and
/// `Content-Length` included (the start line's URI or reason apart).
fn wire_len(headers: &Headers, body: &[u8]) -> usize {
    64 + headers.text_len() + 2 * headers.len() + body.len()
}

fn finish(out: &mut Vec<u8>, headers: &Headers, body: &[u8]) {
    headers.write_to(out, body.len());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

macro_rules! display_via_bytes {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            /// The message on the wire; a body that is not UTF-8 is shown lossily.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
            }
        }
    )*};
}

display_via_bytes!(Request, Response, Message);

/// The methods [`RequestBuilder`] and [`ResponseBuilder`] share; `$built`
/// is what `build` returns, `$what` names it in the docs.
macro_rules! builder_methods {
    ($built:ty, $what:literal) => {
        /// Appends a typed header.
        pub fn header<'a, T: TypedHeader<'a>>(mut self, header: &T) -> Self {
            self.0.headers.push(header);
            self
        }

        /// Appends a raw header (name a token, value without CR/LF).
        pub fn raw_header(
            mut self,
            name: &str,
            value: &str,
        ) -> Result<Self, crate::headers::HeaderError> {
            self.0.headers.push_raw(name, value)?;
            Ok(self)
        }

        /// Sets the body and its `Content-Type`.
        pub fn body(mut self, content_type: &ContentType, body: Vec<u8>) -> Self {
            if !body.is_empty() {
                self.0.headers.set(content_type);
            }
            self.0.body = body;
            self
        }

        #[doc = concat!("The ", $what, ", with `Content-Length` set.")]
        pub fn build(mut self) -> $built {
            self.0.headers.set(&ContentLength(self.0.body.len()));
            self.0
        }
    };
}

/// Builds a [`Request`]: headers in the order given, `Content-Length` last.
#[derive(Debug, Clone)]
#[must_use]
pub struct RequestBuilder(Request);

impl RequestBuilder {
    builder_methods!(Request, "request");
}

/// Builds a [`Response`]: headers in the order given, `Content-Length` last.
#[derive(Debug, Clone)]
#[must_use]
pub struct ResponseBuilder(Response);

impl ResponseBuilder {
    /// Replaces the reason phrase.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.0.reason = reason.into();
        self
    }

    /// Adds `;tag=` to the `To` header if it has none (RFC 3261 §8.2.6.2).
    pub fn to_tag(mut self, tag: &str) -> Self {
        if let Some(Ok(mut to)) = self.0.headers.get::<To>() {
            if to.tag().is_none() {
                to.0.params.push("tag", Some(tag));
                self.0.headers.set(&to);
            }
        }
        self
    }

    builder_methods!(Response, "response");
}

/// Shortcuts to the headers every message carries (RFC 3261 §8.1.1).
pub trait CoreHeaders {
    /// The header fields.
    fn header_fields(&self) -> &Headers;

    /// The `Call-ID`, if present and well-formed.
    fn call_id(&self) -> Option<CallId> {
        self.header_fields().get::<CallId>()?.ok()
    }

    /// The `CSeq`, if present and well-formed.
    fn cseq(&self) -> Option<CSeq> {
        self.header_fields().get::<CSeq>()?.ok()
    }

    /// The topmost `Via`, if present and well-formed.
    fn top_via(&self) -> Option<Via> {
        self.header_fields().get::<Via>()?.ok()
    }

    /// The `From`, if present and well-formed.
    fn header_from(&self) -> Option<From> {
        self.header_fields().get::<From>()?.ok()
    }

    /// The `To`, if present and well-formed.
    fn header_to(&self) -> Option<To> {
        self.header_fields().get::<To>()?.ok()
    }
}

impl CoreHeaders for Request {
    fn header_fields(&self) -> &Headers {
        &self.headers
    }
}

impl CoreHeaders for Response {
    fn header_fields(&self) -> &Headers {
        &self.headers
    }
}

impl CoreHeaders for Message {
    fn header_fields(&self) -> &Headers {
        self.headers()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_methods_parse_and_print_alike() {
        for (method, name) in Method::KNOWN {
            assert_eq!(name.parse::<Method>(), Ok(method.clone()));
            assert_eq!(method.as_str(), name);
            let lower = name.to_ascii_lowercase();
            assert_eq!(lower.parse::<Method>(), Ok(Method::Other(lower.clone())));
        }
        assert_eq!("a b".parse::<Method>(), Err(InvalidMethod));
    }

    #[test]
    fn a_message_read_in_place_borrows_the_input() {
        let request: &[u8] = b"\r\nINVITE sip:bob@example.com;transport=ws SIP/2.0\r\n\
            Via: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\n\
            Content-Length: 4\r\n\r\nv=0\nEXTRA";
        let response: &[u8] = b"SIP/2.0 180 Ringing, really\r\nCall-ID: a\r\n\r\nrest";
        let input = |bytes: &[u8], text: &str| bytes.as_ptr_range().contains(&text.as_ptr());
        let Ok(MessageRef::Request(r)) = MessageRef::parse(request) else {
            panic!("not a request")
        };
        assert_eq!(r.uri.as_str(), "sip:bob@example.com;transport=ws");
        assert!(input(request, r.uri.as_str()));
        assert!(input(request, r.headers.get_raw("via").unwrap()));
        assert_eq!(r.body, b"v=0\n");
        assert!(request.as_ptr_range().contains(&r.body.as_ptr()));
        let Ok(MessageRef::Response(r)) = MessageRef::parse(response) else {
            panic!("not a response")
        };
        assert_eq!((r.status.as_u16(), r.reason), (180, "Ringing, really"));
        assert!(input(response, r.reason) && input(response, r.headers.get_raw("i").unwrap()));
        // Without Content-Length the body is the rest of the input.
        assert_eq!(r.body, b"rest");

        // The owned message holds the same, and reads and prints the same.
        for bytes in [request, response] {
            let view = MessageRef::parse(bytes).unwrap();
            let owned = Message::parse(bytes).unwrap();
            assert_eq!(view.headers(), owned.headers());
            assert_eq!(view.body(), owned.body());
            assert_eq!(view.into_owned(), owned);
        }
        for bad in [
            &b"INVITE sip:a@b SIP/2.0\r\nl: 9\r\n\r\nabc"[..],
            b"\r\n",
            b"x",
        ] {
            assert_eq!(MessageRef::parse(bad).err(), Message::parse(bad).err());
            assert!(MessageRef::parse(bad).is_err());
        }
    }
}
