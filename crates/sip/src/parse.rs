//! The message parser (RFC 3261 §7, §25) and its resource limits.
//!
//! One input is one message: a WebSocket frame (RFC 7118 §5) or a datagram.
//! The body is framed by `Content-Length` (RFC 3261 §18.3); octets after it
//! are ignored (RFC 4475 §3.1.1.8), and without `Content-Length` the body is
//! the rest of the input. Several `Content-Length` fields that disagree leave
//! the framing to the input's end, so that a UA can still answer 400 (RFC 4475
//! §3.3.9; see [`crate::validate`]).
//!
//! The parser checks the start line and the header-field framing only;
//! header values are checked when read (see [`crate::headers`]) and request
//! semantics by [`crate::validate`], so each defect is reported by the layer
//! RFC 4475 assigns it to. Lines may end in CRLF or, leniently, a bare LF
//! (the RFC 5118 archive uses LF).

use crate::headers::{Entry, FirstFields, HeaderName, Headers, Span, known_id};
use crate::message::{MessageRef, Method, RequestRef, ResponseRef, SipVersion, StatusCode};
use crate::uri::{UriError, UriRef};

/// Resource caps applied while parsing, so that no input costs unbounded
/// memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, start line to end of body, in bytes.
    pub max_message_size: usize,
    /// Most header fields (lines, counting each folded field once).
    pub max_headers: usize,
    /// Longest physical line, in bytes.
    pub max_line_length: usize,
}

impl Default for Limits {
    /// 64 KiB messages (RFC 3261 §18.1.1's UDP ceiling), 256 header fields,
    /// 8 KiB lines.
    fn default() -> Self {
        Self {
            max_message_size: 65_535,
            max_headers: 256,
            max_line_length: 8_192,
        }
    }
}

/// Why an input is not a SIP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input exceeds [`Limits::max_message_size`].
    #[error("message of {size} bytes exceeds the {limit}-byte size limit")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// More header fields than [`Limits::max_headers`].
    #[error("more than {limit} header fields (header count limit)")]
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// A line longer than [`Limits::max_line_length`].
    #[error("line {line} is longer than the {limit}-byte line length limit")]
    LineTooLong {
        /// 1-based line number.
        line: usize,
        /// The limit.
        limit: usize,
    },
    /// The input is empty (or only blank lines).
    #[error("empty message")]
    Empty,
    /// The start line or headers are not UTF-8.
    #[error("start line or header fields are not valid UTF-8")]
    NotUtf8,
    /// The start line is malformed.
    #[error("malformed start line: {0}")]
    StartLine(&'static str),
    /// The Request-URI is malformed.
    #[error("malformed Request-URI: {0}")]
    RequestUri(#[source] UriError),
    /// A header line is malformed.
    #[error("malformed header field on line {line}: {reason}")]
    HeaderLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// `Content-Length` is not a non-negative decimal number.
    #[error("Content-Length is not a non-negative number")]
    InvalidContentLength,
    /// `Content-Length` announces more bytes than the input holds.
    #[error("Content-Length says {declared} bytes but only {available} follow the headers")]
    BodyTruncated {
        /// Announced length.
        declared: usize,
        /// Bytes present.
        available: usize,
    },
}

/// Parses one message in place.
pub(crate) fn parse_message<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<MessageRef<'a>, ParseError> {
    // Offsets into the head are kept as u32.
    let max_size = limits.max_message_size.min(u32::MAX as usize);
    if input.len() > max_size {
        return Err(ParseError::TooLarge {
            size: input.len(),
            limit: max_size,
        });
    }
    // RFC 3261 §7.5: ignore CRLFs before the start line.
    let start = input
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .ok_or(ParseError::Empty)?;
    let input = input.get(start..).unwrap_or_default();
    let head = scan_head(input, limits)?;
    let text = simdutf8::basic::from_utf8(input.get(..head.headers_end).unwrap_or_default())
        .map_err(|_| ParseError::NotUtf8)?;
    let start_line = text.get(..head.start_line_end).unwrap_or("");
    let header_text = text.get(head.headers_start..).unwrap_or("");
    let headers = Headers::from_parts(header_text, head.entries, head.first, head.folded);
    let rest = input.get(head.body_start..).unwrap_or_default();
    let body = frame_body(&headers, rest)?;
    parse_start_line(start_line, headers, body)
}

/// Where the parts of the head are.
struct Head {
    start_line_end: usize,
    headers_start: usize,
    /// End of the last header line (before its line end).
    headers_end: usize,
    body_start: usize,
    /// Spans relative to `headers_start`.
    entries: Vec<Entry>,
    /// Where the first field of each known name is.
    first: FirstFields,
    /// Whether any field spans several lines.
    folded: bool,
}

/// Finds the start line and header lines, unfolding continuation lines.
///
/// One loop over the lines: each is found with one search for its LF,
/// then read in place (name, colon, value) with no slice built in between.
/// Offsets fit in `u32`: [`parse_message`] caps the input size below that.
fn scan_head(input: &[u8], limits: &Limits) -> Result<Head, ParseError> {
    let (first_end, mut pos) = next_line(input, 0, 1, limits)?;
    let headers_start = pos;
    let mut entries: Vec<Entry> = Vec::with_capacity(32);
    let mut headers_end = headers_start;
    let mut folded = false;
    let mut first_fields = FirstFields::empty();
    let mut line_no = 1;
    while let Some(&first) = input.get(pos) {
        line_no += 1;
        let (end, next) = next_line(input, pos, line_no, limits)?;
        if end == pos {
            // The blank line ending the head (CR LF or a bare LF).
            if first == b'\n' || input.get(pos + 1) == Some(&b'\n') {
                pos = next;
                break;
            }
        }
        let line = input.get(pos..end).unwrap_or_default();
        if first == b' ' || first == b'\t' {
            let last = entries.last_mut().ok_or(ParseError::HeaderLine {
                line: line_no,
                reason: "continuation line before any header",
            })?;
            if line.iter().any(|b| !b.is_ascii_whitespace()) {
                last.value.end = (trimmed_end(input, pos, end) - headers_start) as u32;
                last.folded = true;
                folded = true;
            }
        } else {
            if entries.len() >= limits.max_headers {
                return Err(ParseError::TooManyHeaders {
                    limit: limits.max_headers,
                });
            }
            let entry = header_line(line, line_no)?;
            first_fields.note(entries.len(), entry.id);
            let base = (pos - headers_start) as u32;
            entries.push(Entry {
                line_start: base,
                name: Span {
                    start: base,
                    end: base + entry.name_end,
                },
                value: Span {
                    start: base + entry.value_start,
                    end: base + entry.value_end,
                },
                folded: false,
                id: entry.id,
            });
        }
        headers_end = end;
        pos = next;
    }
    Ok(Head {
        start_line_end: first_end,
        headers_start,
        headers_end,
        body_start: pos.min(input.len()),
        entries,
        first: first_fields,
        folded,
    })
}

/// Where the name and value of one header line are, relative to the line.
struct Field {
    name_end: u32,
    value_start: u32,
    value_end: u32,
    id: crate::headers::KnownId,
}

/// Reads one header line (without its line end): `header-name HCOLON value`
/// (RFC 3261 §7.3.1; whitespace may precede the colon). The value is
/// trimmed of trailing whitespace.
#[inline]
fn header_line(line: &[u8], line_no: usize) -> Result<Field, ParseError> {
    let (name_end, id, colon) = match known_name_before_colon(line) {
        Some((end, id)) => (end, id, end),
        None => name_and_colon(line, line_no)?,
    };
    let mut i = colon + 1;
    while matches!(line.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let value_end = trimmed_end(line, i, line.len());
    Ok(Field {
        name_end: name_end as u32,
        value_start: i as u32,
        value_end: value_end as u32,
        id,
    })
}

/// The end of the name at the start of `line`, its id and where the colon
/// after it is, read byte by byte: any token, with whitespace allowed
/// before the colon.
fn name_and_colon(
    line: &[u8],
    line_no: usize,
) -> Result<(usize, crate::headers::KnownId, usize), ParseError> {
    let end = line
        .iter()
        .position(|&b| !crate::syntax::is_token_byte(b))
        .unwrap_or(line.len());
    if end == 0 {
        return Err(ParseError::HeaderLine {
            line: line_no,
            reason: "header name is not a token",
        });
    }
    let mut i = end;
    while matches!(line.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if line.get(i) != Some(&b':') {
        return Err(ParseError::HeaderLine {
            line: line_no,
            reason: "missing ':' after the header name",
        });
    }
    Ok((end, known_id(line.get(..end).unwrap_or_default()), i))
}

/// The length and id of the name at the start of `line` when it is a known
/// name directly followed by ':', as nearly every header line is written:
/// one search for the colon a word at a time, then one compare, which also
/// shows the name to be a token (known names are). `None` sends the line
/// to the byte-by-byte reading.
#[inline]
fn known_name_before_colon(line: &[u8]) -> Option<(usize, crate::headers::KnownId)> {
    const COLON: u64 = u64::from_ne_bytes([b':'; 8]);
    const LOW: u64 = u64::from_ne_bytes([0x7f; 8]);
    // Known names are at most 19 bytes long: the colon is in the first
    // three words.
    for at in [0, 8, 16] {
        let word = line.get(at..at + 8)?;
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(word).ok()?) ^ COLON;
        // The high bit of each byte of `x` that is zero (each byte is
        // handled apart: no carry crosses a byte).
        let zero = !(((x & LOW) + LOW) | x | LOW);
        if zero != 0 {
            let len = at + (zero.trailing_zeros() / 8) as usize;
            let id = known_id(line.get(..len)?);
            return (id != crate::headers::KnownId::Unknown).then_some((len, id));
        }
    }
    None
}

/// The end of the line starting at `pos` (before CR LF) and the start of the
/// next line.
#[inline]
fn next_line(
    input: &[u8],
    pos: usize,
    line_no: usize,
    limits: &Limits,
) -> Result<(usize, usize), ParseError> {
    let rest = input.get(pos..).unwrap_or_default();
    let (len, next) = match crate::syntax::find_byte(b'\n', rest) {
        Some(nl) => (nl, pos + nl + 1),
        None => (rest.len(), input.len()),
    };
    if len > limits.max_line_length {
        return Err(ParseError::LineTooLong {
            line: line_no,
            limit: limits.max_line_length,
        });
    }
    let end = pos + len;
    let end = if end > pos && input.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    Ok((end, next))
}

/// `end` (within `input`), moved back over trailing whitespace but not
/// before `start`. Most lines end without any: one byte is looked at.
#[inline]
fn trimmed_end(input: &[u8], start: usize, end: usize) -> usize {
    let mut end = end.min(input.len());
    while end > start && input.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        end -= 1;
    }
    end.max(start)
}

/// The body, framed by `Content-Length`.
fn frame_body<'a>(headers: &Headers<&str>, rest: &'a [u8]) -> Result<&'a [u8], ParseError> {
    let mut declared: Option<usize> = None;
    let mut conflicting = false;
    for value in headers.values(HeaderName::CONTENT_LENGTH) {
        let len = crate::syntax::parse_decimal(value.trim_ascii(), u64::MAX)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(ParseError::InvalidContentLength)?;
        conflicting |= declared.is_some_and(|d| d != len);
        declared = Some(len);
    }
    match declared {
        Some(len) if !conflicting => rest.get(..len).ok_or(ParseError::BodyTruncated {
            declared: len,
            available: rest.len(),
        }),
        _ => Ok(rest),
    }
}

fn parse_start_line<'a>(
    line: &'a str,
    headers: Headers<&'a str>,
    body: &'a [u8],
) -> Result<MessageRef<'a>, ParseError> {
    if line.starts_with("SIP/") {
        let (version, rest) =
            split_at_space(line).ok_or(ParseError::StartLine("missing status code"))?;
        let version = parse_version(version)?;
        let (code, reason) = split_at_space(rest).unwrap_or((rest, ""));
        let valid = code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit());
        let status = code
            .parse()
            .ok()
            .filter(|_| valid)
            .and_then(StatusCode::new)
            .ok_or(ParseError::StartLine(
                "status code is not three digits from 100 to 699",
            ))?;
        if reason.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(ParseError::StartLine("control character in reason phrase"));
        }
        return Ok(MessageRef::Response(ResponseRef {
            version,
            status,
            reason,
            headers,
            body,
        }));
    }
    let parts = split_at_space(line).and_then(|(method, rest)| {
        let (uri, version) = split_at_space(rest)?;
        crate::syntax::find_byte(b' ', version.as_bytes())
            .is_none()
            .then_some((method, uri, version))
    });
    let Some((method, uri, version)) = parts else {
        return Err(ParseError::StartLine(
            "a request line is method, URI and version separated by single spaces",
        ));
    };
    let method: Method = method
        .parse()
        .map_err(|_| ParseError::StartLine("method is not a token"))?;
    if uri.starts_with('<') {
        return Err(ParseError::StartLine(
            "Request-URI must not be enclosed in <>",
        ));
    }
    let uri = UriRef::view(uri).map_err(ParseError::RequestUri)?;
    let version = parse_version(version)?;
    Ok(MessageRef::Request(RequestRef {
        method,
        uri,
        version,
        headers,
        body,
    }))
}

/// The text before and after the first space of `line`.
fn split_at_space(line: &str) -> Option<(&str, &str)> {
    let space = crate::syntax::find_byte(b' ', line.as_bytes())?;
    Some((line.get(..space)?, line.get(space + 1..)?))
}

/// `SIP/1*DIGIT.1*DIGIT` (RFC 3261 §7.1; other versions are answered 505).
fn parse_version(text: &str) -> Result<SipVersion, ParseError> {
    // Nearly every message says exactly this.
    if text == "SIP/2.0" {
        return Ok(SipVersion::V2_0);
    }
    let bad = ParseError::StartLine("version is not SIP/<major>.<minor>");
    let numbers = text
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("SIP/"))
        .and_then(|_| text.get(4..));
    let (major, minor) = numbers.and_then(|n| n.split_once('.')).ok_or(bad.clone())?;
    let number = |s: &str| crate::syntax::parse_decimal(s, 255).and_then(|n| u8::try_from(n).ok());
    match (number(major), number(minor)) {
        (Some(major), Some(minor)) => Ok(SipVersion { major, minor }),
        _ => Err(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    const OPTIONS: &[u8] = b"OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS h.invalid;branch=z9hG4bK1\r\nCall-ID: a\r\nl: 4\r\n\r\nbodyEXTRA";

    #[test]
    fn frames_body_by_content_length() {
        let Ok(Message::Request(r)) = Message::parse(OPTIONS) else {
            panic!("not a request")
        };
        assert_eq!(r.method, Method::Options);
        assert_eq!(r.body, b"body");
        assert_eq!(r.headers.get_raw("call-id"), Some("a"));
    }

    #[test]
    fn limits_say_which_was_hit() {
        let tight = Limits {
            max_message_size: 10,
            ..Limits::default()
        };
        assert!(matches!(
            Message::parse_with_limits(OPTIONS, &tight),
            Err(ParseError::TooLarge { limit: 10, .. })
        ));
        let tight = Limits {
            max_headers: 2,
            ..Limits::default()
        };
        assert_eq!(
            Message::parse_with_limits(OPTIONS, &tight),
            Err(ParseError::TooManyHeaders { limit: 2 })
        );
        let tight = Limits {
            max_line_length: 20,
            ..Limits::default()
        };
        assert_eq!(
            Message::parse_with_limits(OPTIONS, &tight),
            Err(ParseError::LineTooLong { line: 1, limit: 20 })
        );
    }

    #[test]
    fn rejects_bad_start_lines() {
        for bad in [
            &b"SIP/2.0 4294967301 better not break the receiver\r\n\r\n"[..],
            b"INVITE  sip:a@b SIP/2.0\r\n\r\n",
            b"INVITE sip:a@b SIP/2.0 \r\n\r\n",
            b"INVITE <sip:a@b> SIP/2.0\r\n\r\n",
            b"INVITE sip:a@b SIP/X\r\n\r\n",
            b"\r\n\r\n",
        ] {
            assert!(
                Message::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn content_length_errors() {
        assert_eq!(
            Message::parse(b"BYE sip:a@b SIP/2.0\r\nl: -1\r\n\r\n"),
            Err(ParseError::InvalidContentLength)
        );
        assert_eq!(
            Message::parse(b"BYE sip:a@b SIP/2.0\r\nl: 9\r\n\r\nabc"),
            Err(ParseError::BodyTruncated {
                declared: 9,
                available: 3
            })
        );
    }

    /// Every known name in three cases and its compact form, with the
    /// colon right after it or not, and value bytes of every kind.
    fn known_name_lines(tails: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        for known in crate::headers::KNOWN {
            let spellings = [
                known.as_str().to_owned(),
                known.as_str().to_ascii_uppercase(),
                known.as_str().to_ascii_lowercase(),
            ];
            for name in spellings
                .into_iter()
                .chain(known.compact().map(str::to_owned))
            {
                for tail in tails {
                    let mut line = name.clone().into_bytes();
                    line.extend_from_slice(tail);
                    lines.push(line);
                }
            }
        }
        lines
    }

    #[test]
    fn colon_first_name_read_agrees_with_the_byte_by_byte_read() {
        let tails: [&[u8]; 9] = [
            b": v",
            b":v",
            b": a value longer than three words of eight bytes",
            b" : v",
            b"\t:v",
            b"x: v",
            b"-: v",
            b":",
            b"",
        ];
        let mut fast_reads = 0;
        for line in known_name_lines(&tails) {
            let text = String::from_utf8_lossy(&line).into_owned();
            // Whatever the colon-first read accepts, the byte-by-byte read
            // reads the same way; what it declines goes to that read.
            if let Some((end, id)) = known_name_before_colon(&line) {
                assert_eq!(name_and_colon(&line, 1), Ok((end, id, end)), "{text}");
                fast_reads += 1;
            }
            let field = header_line(&line, 1);
            let slow = name_and_colon(&line, 1);
            assert_eq!(field.is_ok(), slow.is_ok(), "{text}");
            if let (Ok(field), Ok((end, id, _))) = (field, slow) {
                assert_eq!((field.name_end as usize, field.id), (end, id), "{text}");
            }
        }
        // Names long enough for a word and directly followed by ':' take
        // the colon-first read: most of the lines above.
        assert!(fast_reads > 100, "{fast_reads}");
    }

    proptest::proptest! {
        /// A known name with bit 5 flipped in some bytes (the other case
        /// of a letter; CR for a '-'), then any tail.
        #[test]
        fn colon_first_name_read_agrees_on_any_line(
            index in 0..crate::headers::KNOWN.len(),
            flips in proptest::collection::vec(proptest::bool::ANY, 19),
            tail in proptest::collection::vec(
                proptest::sample::select(b": \t\r\x80x-;=a".to_vec()),
                0..30,
            ),
        ) {
            let name = crate::headers::KNOWN[index].as_str().bytes();
            let mut line: Vec<u8> = name
                .zip(flips)
                .map(|(b, flip)| if flip { b ^ 0x20 } else { b })
                .collect();
            line.extend(tail);
            if let Some((end, id)) = known_name_before_colon(&line) {
                proptest::prop_assert_eq!(name_and_colon(&line, 1), Ok((end, id, end)));
            }
            let field = header_line(&line, 1);
            let slow = name_and_colon(&line, 1);
            proptest::prop_assert_eq!(field.is_ok(), slow.is_ok());
            if let (Ok(field), Ok((end, id, _))) = (field, slow) {
                proptest::prop_assert_eq!((field.name_end as usize, field.id), (end, id));
            }
        }
    }
}
