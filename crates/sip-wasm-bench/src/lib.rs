//! Vani's SIP parser exported to JavaScript for `bench/node`.
//!
//! [`parse`] does the work JsSIP's `Parser.parseMessage` does eagerly on
//! every incoming message: the start line, an index of all header fields,
//! and typed values (views read in place where the header has one) of the
//! topmost `Via`, `From`, `To`, `Call-ID`, `CSeq`,
//! every `Contact`, `Content-Length`, plus `Content-Type`, `Max-Forwards`,
//! `Record-Route`, `Event`, `Session-Expires`, `WWW-Authenticate`,
//! `Proxy-Authenticate`, `Refer-To` and `Replaces` when present (the rest
//! of the headers JsSIP 3.13.8's `Parser.parseHeader` parses). The typed
//! values stay in wasm memory; only a count crosses back to JavaScript.
//!
//! [`parse`] reads the message in place ([`MessageRef`]: nothing copied
//! but the header index); [`parse_owned`] does the same reads on a
//! [`Message`], which copies the head and the body into buffers of its own
//! first, as the user agent does with a message it keeps.
#![forbid(unsafe_code)]

use vani_sip::auth::{ProxyAuthenticateRef, WwwAuthenticateRef};
use vani_sip::header::{
    CSeq, CallIdRef, ContactRef, ContentLength, ContentTypeRef, EventRef, FromRef, MaxForwards,
    RecordRouteRef, ReferToRef, Replaces, SessionExpiresRef, ToRef, ViaRef,
};
use vani_sip::headers::{Headers, TypedHeader};
use vani_sip::message::{Message, MessageRef};
use wasm_bindgen::prelude::{JsValue, wasm_bindgen};

/// Parses one message from bytes (a binary WebSocket frame). Returns how
/// many typed header values were read, or 0 when the message or one of the
/// required headers is malformed.
#[wasm_bindgen]
pub fn parse(bytes: &[u8]) -> u32 {
    parse_eagerly(bytes).unwrap_or(0)
}

/// [`parse`] into an owned [`Message`].
#[wasm_bindgen]
pub fn parse_owned(bytes: &[u8]) -> u32 {
    Message::parse(bytes)
        .ok()
        .and_then(|message| read_eagerly(message.headers()))
        .unwrap_or(0)
}

/// [`parse`] from a JavaScript string (a text WebSocket frame), brought into
/// wasm memory as the app does it ([`vani_js_text::utf8_bytes`]), which is
/// counted.
#[wasm_bindgen]
pub fn parse_str(text: &JsValue) -> u32 {
    vani_js_text::utf8_bytes(text)
        .and_then(|bytes| parse_eagerly(&bytes))
        .unwrap_or(0)
}

/// The Call-ID of a message, or `undefined`: one string handed back to
/// JavaScript, to show what crossing the boundary costs.
#[wasm_bindgen]
pub fn parse_call_id(bytes: &[u8]) -> Option<String> {
    let message = Message::parse(bytes).ok()?;
    let call_id = message.headers().get::<CallIdRef>()?.ok()?;
    Some(call_id.to_string())
}

/// Parses the message and its eagerly read headers; `None` on any error.
pub fn parse_eagerly(bytes: &[u8]) -> Option<u32> {
    // Read where the parse left it: moving the message out of its `Result`
    // is a `memory.copy` in wasm, work that is not the parser's.
    match &MessageRef::parse(bytes) {
        Ok(message) => read_eagerly(message.headers()),
        Err(_) => None,
    }
}

/// Reads the headers JsSIP parses on sight; `None` when one is malformed.
fn read_eagerly<B: AsRef<str>>(headers: &Headers<B>) -> Option<u32> {
    let mut count = required::<ViaRef, _>(headers)?;
    count += required::<FromRef, _>(headers)?;
    count += required::<ToRef, _>(headers)?;
    count += required::<CallIdRef, _>(headers)?;
    count += required::<CSeq, _>(headers)?;
    count += all::<ContactRef, _>(headers)?;
    count += all::<RecordRouteRef, _>(headers)?;
    count += optional::<ContentLength, _>(headers)?;
    count += optional::<ContentTypeRef, _>(headers)?;
    count += optional::<MaxForwards, _>(headers)?;
    count += optional::<EventRef, _>(headers)?;
    count += optional::<SessionExpiresRef, _>(headers)?;
    count += optional::<WwwAuthenticateRef, _>(headers)?;
    count += optional::<ProxyAuthenticateRef, _>(headers)?;
    count += optional::<ReferToRef, _>(headers)?;
    count += optional::<Replaces, _>(headers)?;
    Some(count)
}

/// The first value of a header that must be present and valid. (Each value
/// is checked where it lies: moving a large value out of its `Result` costs
/// a `memory.copy` in wasm, work that is not the parser's.)
fn required<'a, T: TypedHeader<'a>, B: AsRef<str>>(headers: &'a Headers<B>) -> Option<u32> {
    matches!(headers.get::<T>(), Some(Ok(_))).then_some(1)
}

/// The first value of a header that may be absent but must be valid.
fn optional<'a, T: TypedHeader<'a>, B: AsRef<str>>(headers: &'a Headers<B>) -> Option<u32> {
    match headers.get::<T>() {
        None => Some(0),
        Some(Ok(_)) => Some(1),
        Some(Err(_)) => None,
    }
}

/// Every value of a list header; all must be valid.
fn all<'a, T: TypedHeader<'a> + 'a, B: AsRef<str>>(headers: &'a Headers<B>) -> Option<u32> {
    let mut count = 0;
    for value in headers.get_all::<T>() {
        if value.is_err() {
            return None;
        }
        count += 1;
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &[u8] = include_bytes!("../../../bench/node/messages/3-invite.sip");
    const REGISTER: &[u8] = include_bytes!("../../../bench/node/messages/1-register.sip");
    const CHALLENGE: &[u8] = include_bytes!("../../../bench/node/messages/2-401.sip");

    #[test]
    fn reads_the_eager_headers_of_the_benchmark_messages() {
        // 1 Via, From, To, Call-ID, CSeq, 1 Contact, 2 Record-Route,
        // Content-Length, Content-Type, Max-Forwards, Session-Expires.
        assert_eq!(parse(INVITE), 12);
        // Via, From, To, Call-ID, CSeq, Contact, Content-Length, Max-Forwards.
        assert_eq!(parse(REGISTER), 8);
        // Via, From, To, Call-ID, CSeq, Content-Length, WWW-Authenticate.
        assert_eq!(parse(CHALLENGE), 7);
        for message in [INVITE, REGISTER, CHALLENGE] {
            assert_eq!(parse_owned(message), parse(message));
        }
        assert_eq!(
            parse_call_id(INVITE).as_deref(),
            Some("9x2c7v4b1n8m3k6j5h0g")
        );
    }

    #[test]
    fn reads_refer_to_replaces_and_proxy_authenticate_when_present() {
        let refer = b"REFER sip:bob@example.com SIP/2.0\r\n\
            Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n\
            From: <sip:alice@example.com>;tag=1\r\n\
            To: <sip:bob@example.com>;tag=2\r\n\
            Call-ID: c1\r\n\
            CSeq: 3 REFER\r\n\
            Refer-To: <sip:carol@example.com?Replaces=c2%3Bto-tag%3D3%3Bfrom-tag%3D4>\r\n\
            Replaces: c2;to-tag=3;from-tag=4\r\n\
            Content-Length: 0\r\n\r\n";
        // Via, From, To, Call-ID, CSeq, Content-Length, Refer-To, Replaces.
        assert_eq!(parse(refer), 8);
        let challenge = b"SIP/2.0 407 Proxy Authentication Required\r\n\
            Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n\
            From: <sip:alice@example.com>;tag=1\r\n\
            To: <sip:bob@example.com>;tag=2\r\n\
            Call-ID: c1\r\n\
            CSeq: 1 INVITE\r\n\
            Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"abc\"\r\n\
            Content-Length: 0\r\n\r\n";
        assert_eq!(parse(challenge), 7);
        // A malformed one of them fails the parse, as for the others.
        let broken = String::from_utf8_lossy(refer).replace("Replaces: c2;", "Replaces: ;");
        assert_eq!(parse(broken.as_bytes()), 0);
    }

    #[test]
    fn malformed_input_gives_zero() {
        assert_eq!(parse(b"INVITE\r\n\r\n"), 0);
        assert_eq!(parse(b""), 0);
        assert_eq!(parse_owned(b"INVITE\r\n\r\n"), 0);
        assert_eq!(parse_call_id(b"garbage"), None);
    }
}
