//! Splitting `multipart/*` bodies into their parts (RFC 2046 §5.1, as used
//! by SIP in RFC 3261 §7.4 and RFC 5621).

use crate::header::ContentType;
use crate::headers::HeaderName;
use crate::message::{Message, MessageRef};
use crate::parse::{Limits, ParseError};

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The part's header lines (`Content-Type`, `Content-ID`, ...), parsed
    /// like message headers.
    pub headers: crate::headers::Headers,
    /// The part's content.
    pub body: &'a [u8],
}

/// Why a multipart body could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultipartError {
    /// The message's `Content-Type` is not multipart or has no boundary.
    #[error("Content-Type is not multipart with a boundary")]
    NotMultipart,
    /// The boundary is empty or longer than 70 characters (RFC 2046 §5.1.1).
    #[error("invalid multipart boundary")]
    InvalidBoundary,
    /// No closing `--boundary--` delimiter.
    #[error("multipart body has no closing delimiter")]
    Unterminated,
    /// A part's headers are malformed.
    #[error("malformed part headers: {0}")]
    PartHeaders(ParseError),
}

/// The parts of `message`'s body, using the boundary of its `Content-Type`.
pub fn parts(message: &Message) -> Result<Vec<Part<'_>>, MultipartError> {
    let content_type = match message.headers().get::<ContentType>() {
        Some(Ok(ct)) if ct.0.kind.eq_ignore_ascii_case("multipart") => ct,
        _ => return Err(MultipartError::NotMultipart),
    };
    let boundary = content_type
        .0
        .boundary()
        .ok_or(MultipartError::NotMultipart)?;
    split(message.body(), boundary)
}

/// Splits `body` at `--boundary` delimiter lines. The preamble and epilogue
/// are dropped; each part's CRLF before the next delimiter belongs to the
/// delimiter (RFC 2046 §5.1.1).
pub fn split<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, MultipartError> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(MultipartError::InvalidBoundary);
    }
    let delimiter = format!("--{boundary}");
    let mut positions = memchr::memmem::find_iter(body, delimiter.as_bytes())
        .filter(|&i| i == 0 || body.get(i.saturating_sub(1)) == Some(&b'\n'));
    let mut start = positions.next().ok_or(MultipartError::Unterminated)? + delimiter.len();
    let mut parts = Vec::new();
    for next in positions {
        let after = body.get(start..).unwrap_or_default();
        let content_start = start + line_end(after);
        let content_end = trim_line_end(body, content_start, next);
        parts.push(part(
            body.get(content_start..content_end).unwrap_or_default(),
        )?);
        start = next + delimiter.len();
        if body.get(start..start + 2) == Some(b"--") {
            return Ok(parts);
        }
    }
    Err(MultipartError::Unterminated)
}

/// Length of the rest of the delimiter line, its CRLF included.
fn line_end(after: &[u8]) -> usize {
    crate::syntax::find_byte(b'\n', after).map_or(after.len(), |i| i + 1)
}

/// `end` moved back over the CRLF (or LF) that precedes a delimiter.
fn trim_line_end(body: &[u8], start: usize, end: usize) -> usize {
    let mut end = end;
    if end > start && body.get(end - 1) == Some(&b'\n') {
        end -= 1;
    }
    if end > start && body.get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    end
}

/// A part: header lines, a blank line, content. A part without headers
/// starts with the blank line.
fn part(bytes: &[u8]) -> Result<Part<'_>, MultipartError> {
    let (head_len, body_start) = match memchr::memmem::find(bytes, b"\r\n\r\n") {
        _ if bytes.starts_with(b"\r\n") => (0, 2),
        Some(i) => (i, i + 4),
        None => (bytes.len(), bytes.len()),
    };
    let mut framed = Vec::with_capacity(head_len + 24);
    framed.extend_from_slice(b"OPTIONS sip:part SIP/2.0\r\n");
    framed.extend_from_slice(bytes.get(..head_len).unwrap_or_default());
    framed.extend_from_slice(b"\r\n\r\n");
    let headers = match crate::parse::parse_message(&framed, &Limits::default()) {
        Ok(message) => {
            let headers = match message {
                MessageRef::Request(r) => r.headers,
                MessageRef::Response(r) => r.headers,
            };
            let mut headers = headers.into_owned();
            headers.remove(HeaderName::CONTENT_LENGTH);
            headers
        }
        Err(e) => return Err(MultipartError::PartHeaders(e)),
    };
    Ok(Part {
        headers,
        body: bytes.get(body_start..).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts_with_headers() {
        let body = b"preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1\r\n\r\nno headers\r\n--b1--\r\n";
        let parts = split(body, "b1").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].headers.get_raw("content-type"), Some("text/plain"));
        assert_eq!(parts[0].body, b"hello");
        assert!(parts[1].headers.is_empty());
        assert_eq!(parts[1].body, b"no headers");
    }

    #[test]
    fn rejects_unterminated_and_bad_boundaries() {
        assert_eq!(
            split(b"--b1\r\n\r\nx\r\n", "b1"),
            Err(MultipartError::Unterminated)
        );
        assert_eq!(split(b"", ""), Err(MultipartError::InvalidBoundary));
    }

    proptest::proptest! {
        /// Bodies made of delimiter lines, line ends, header lines and
        /// noise, split at a boundary that may or may not be theirs: no
        /// panic, and every part's content lies within the body.
        #[test]
        fn any_body_splits_or_is_refused(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"--b1"[..], b"--b1--", b"--b", b"\r\n", b"\n", b"\r\n\r\n",
                    b"Content-Type: application/sdp", b"Content-Length: 99",
                    b"X: \xff\xfe", b": no name", b"v=0", b" ", b"-", b"\x00",
                ]),
                0..40,
            ),
            boundary in proptest::sample::select(vec!["b1", "b", "-", "x".repeat(70).leak(), "x".repeat(71).leak()]),
        ) {
            let body = pieces.concat();
            if let Ok(parts) = split(&body, boundary) {
                let range = body.as_ptr_range();
                for part in parts {
                    let inner = part.body.as_ptr_range();
                    proptest::prop_assert!(part.body.is_empty() || (range.start <= inner.start && inner.end <= range.end));
                }
            }
        }
    }
}
