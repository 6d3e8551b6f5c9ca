//! Messages whose line ends, list commas, angle brackets and quotes fall at
//! every offset of a 16-byte block and of the end of what is searched, so
//! that each way the parser finds a byte (a whole block, the last block of
//! a value, a value shorter than a block) is taken and checked against the
//! text the message was built from.
//!
//! Shared by the native tests (`tests/searches.rs`) and the wasm tests run
//! in Chromium (`tests/wasm_sip.rs` at the workspace root), where the
//! parser's byte searches are its own SIMD code rather than `memchr`.

use vani_sip::header::{ContactRef, ToRef};
use vani_sip::message::MessageRef;

/// `n` bytes of token text, different from one offset to the next.
fn filler(n: usize) -> String {
    (0..n)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36]))
        .collect()
}

/// A request with `extra` header lines added before `Content-Length`.
fn request(extra: &[String], line_end: &str) -> String {
    let mut text = format!("OPTIONS sip:bob@example.com SIP/2.0{line_end}");
    for line in [
        "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1",
        "From: <sip:alice@example.com>;tag=1",
        "To: <sip:bob@example.com>",
        "Call-ID: c1",
        "CSeq: 1 OPTIONS",
    ]
    .iter()
    .map(|l| l.to_string())
    .chain(extra.iter().cloned())
    {
        text.push_str(&line);
        text.push_str(line_end);
    }
    text.push_str("Content-Length: 0");
    text.push_str(line_end);
    text.push_str(line_end);
    text
}

/// Header lines of every length from 1 to 80 bytes of value, in one
/// message, each read back as written (CRLF and bare LF line ends).
pub fn line_ends_at_every_offset() {
    for line_end in ["\r\n", "\n"] {
        let values: Vec<String> = (1..=80).map(filler).collect();
        let lines: Vec<String> = values.iter().map(|v| format!("X-Pad: {v}")).collect();
        let text = request(&lines, line_end);
        let message = MessageRef::parse(text.as_bytes()).expect("the message parses");
        let read: Vec<&str> = message.headers().raw_values("X-Pad").collect();
        assert_eq!(read, values, "line end {line_end:?}");
        assert_eq!(message.headers().get_raw("Content-Length"), Some("0"));
    }
}

/// A `Contact` list split at its top-level commas only, with a comma
/// inside quotes and inside `<>` at every offset of the value.
pub fn list_commas_at_every_offset() {
    for n in 0..40 {
        let pad = filler(n);
        let first = format!("\"{pad}, x\" <sip:a@h{pad}.invalid;p=q>");
        let second = format!("<sip:b@example.com;x=v{pad}>;q=0.5");
        let third = format!("<sip:c,{pad}@example.com>");
        let text = request(&[format!("Contact: {first},{second} , {third}")], "\r\n");
        let message = MessageRef::parse(text.as_bytes()).expect("the message parses");
        let contacts: Vec<String> = message
            .headers()
            .get_all::<ContactRef>()
            .map(|c| c.expect("each contact parses").to_string())
            .collect();
        assert_eq!(contacts.len(), 3, "{n}: {contacts:?}");
        assert!(
            contacts[0].contains(&format!("h{pad}.invalid")),
            "{n}: {contacts:?}"
        );
        assert!(
            contacts[1].contains(&format!("x=v{pad}")),
            "{n}: {contacts:?}"
        );
        assert!(
            contacts[2].contains(&format!("c,{pad}@")),
            "{n}: {contacts:?}"
        );
    }
}

/// Quoted display names and parameter values ending at every offset, with
/// an escaped quote placed before the end: each is read to its closing quote.
pub fn quotes_end_at_every_offset() {
    for n in 0..40 {
        let pad = filler(n);
        let to = format!("\"{pad}\\\"{pad}\" <sip:bob@example.com>;x=\"{pad}\\\\\";tag=9");
        let text = request(&[format!("X-To: {to}")], "\r\n")
            .replace("To: <sip:bob@example.com>", &format!("To: {to}"));
        let message = MessageRef::parse(text.as_bytes()).expect("the message parses");
        let read = message
            .headers()
            .get::<ToRef>()
            .expect("a To header")
            .expect("the To header parses");
        assert_eq!(
            read.display_name.as_deref(),
            Some(format!("{pad}\"{pad}").as_str()),
            "{n}"
        );
        assert_eq!(read.tag(), Some("9"), "{n}");
        // An unterminated quote is refused, wherever it stops.
        let broken = text.replace(&format!(";x=\"{pad}\\\\\""), &format!(";x=\"{pad}"));
        let message = MessageRef::parse(broken.as_bytes()).expect("the framing still parses");
        assert!(
            message
                .headers()
                .get::<ToRef>()
                .is_some_and(|to| to.is_err()),
            "{n}"
        );
    }
}
