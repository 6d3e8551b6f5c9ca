//! Character classes and small grammar pieces shared by the parsers
//! (RFC 3261 §25.1).

use std::borrow::Cow;

/// The first `needle` in `haystack`. Header lines and values are short
/// (tens of bytes): on x86-64 the 16-byte SSE2 search, always present, is
/// called directly rather than through `memchr`'s run-time choice of the
/// widest one; on wasm32 with SIMD a 16-byte search inlined where it is
/// used (module `simd` below).
#[inline]
pub(crate) fn find_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::One::new(needle) {
        return searcher.find(haystack);
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::find(haystack, [needle]);
    #[allow(unreachable_code)]
    memchr::memchr(needle, haystack)
}

/// The first of `a` or `b` in `haystack`.
#[inline]
pub(crate) fn find_byte2(a: u8, b: u8, haystack: &[u8]) -> Option<usize> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::find(haystack, [a, b]);
    #[allow(unreachable_code)]
    memchr::memchr2(a, b, haystack)
}

/// The first of `a`, `b` or `c` in `haystack`.
#[inline]
pub(crate) fn find_byte3(a: u8, b: u8, c: u8, haystack: &[u8]) -> Option<usize> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::find(haystack, [a, b, c]);
    #[allow(unreachable_code)]
    memchr::memchr3(a, b, c, haystack)
}

/// Byte searches for wasm32 with SIMD, inlined where they are used:
/// `memchr`'s searches are calls whose setup (alignment, a 64-byte loop
/// for long haystacks) costs more than the search itself in the short
/// lines and values of a SIP message. Sixteen bytes are compared at a
/// time; the tail of a haystack of 16 bytes or more is the last 16 bytes,
/// leaving out those already compared.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{u8x16, u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_or};

    /// The 16 bytes of `chunk` as a vector (one unaligned load).
    #[inline(always)]
    #[rustfmt::skip]
    fn load(chunk: &[u8; 16]) -> v128 {
        let [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15] = *chunk;
        u8x16(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15)
    }

    /// A bit for each byte of `chunk` equal to one of `needles`.
    #[inline(always)]
    fn matches<const N: usize>(chunk: &[u8; 16], needles: [u8; N]) -> u32 {
        let bytes = load(chunk);
        let mut hits = u8x16_splat(0);
        for needle in needles {
            hits = v128_or(hits, u8x16_eq(bytes, u8x16_splat(needle)));
        }
        u32::from(u8x16_bitmask(hits))
    }

    /// The first byte of `haystack` that is one of `needles`.
    #[inline(always)]
    pub(super) fn find<const N: usize>(haystack: &[u8], needles: [u8; N]) -> Option<usize> {
        let mut at = 0;
        while let Some(chunk) = haystack.get(at..).and_then(|rest| rest.first_chunk::<16>()) {
            let found = matches(chunk, needles);
            if found != 0 {
                return Some(at + found.trailing_zeros() as usize);
            }
            at += 16;
        }
        if at == haystack.len() {
            return None;
        }
        match haystack.last_chunk::<16>() {
            Some(last) => {
                let done = at - (haystack.len() - 16);
                let found = matches(last, needles) >> done;
                (found != 0).then(|| at + found.trailing_zeros() as usize)
            }
            // Fewer than 16 bytes in all.
            None => haystack.iter().position(|b| needles.contains(b)),
        }
    }
}

/// Character classes as bits of [`CLASS`], one lookup per byte.
pub(crate) const TOKEN: u8 = 1;
/// `word` (Call-ID).
pub(crate) const WORD: u8 = 2;
/// `unreserved`.
pub(crate) const UNRESERVED: u8 = 4;
/// URI `user` besides escapes.
pub(crate) const USER: u8 = 8;
/// URI `password` besides escapes.
pub(crate) const PASSWORD: u8 = 16;
/// URI `paramchar` besides escapes.
pub(crate) const PARAM: u8 = 32;
/// URI `hname`/`hvalue` besides escapes.
pub(crate) const URI_HEADER: u8 = 64;
/// Host name characters: alphanumerics, `-` and `.`.
pub(crate) const HOST: u8 = 128;

const fn class_of(b: u8) -> u8 {
    let alnum = b.is_ascii_alphanumeric();
    let token = alnum
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        );
    let word = token
        || matches!(
            b,
            b'(' | b')'
                | b'<'
                | b'>'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'{'
                | b'}'
        );
    let unreserved = alnum
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        );
    let user = unreserved || matches!(b, b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/');
    let password = unreserved || matches!(b, b'&' | b'=' | b'+' | b'$' | b',');
    let param = unreserved || matches!(b, b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$');
    let header = unreserved || matches!(b, b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$');
    let host = alnum || matches!(b, b'-' | b'.');
    (token as u8 * TOKEN)
        | (word as u8 * WORD)
        | (unreserved as u8 * UNRESERVED)
        | (user as u8 * USER)
        | (password as u8 * PASSWORD)
        | (param as u8 * PARAM)
        | (header as u8 * URI_HEADER)
        | (host as u8 * HOST)
}

/// A table of `$of(b)` for every byte value `b`, built at compile time
/// (`$of` a `const fn(u8) -> $ty`, `$zero` any value of `$ty`).
macro_rules! byte_table {
    ($ty:ty, $zero:expr, $of:expr) => {{
        let mut table: [$ty; 256] = [$zero; 256];
        let mut rest: &mut [$ty] = &mut table;
        let mut b: u8 = 0;
        while let [slot, tail @ ..] = rest {
            *slot = $of(b);
            rest = tail;
            b = b.wrapping_add(1);
        }
        table
    }};
}
pub(crate) use byte_table;

/// The classes of each byte value (RFC 3261 §25.1, §19.1.1).
static CLASS: [u8; 256] = byte_table!(u8, 0, class_of);

/// Whether `b` is in every class of `classes`.
#[inline(always)]
pub(crate) fn is(b: u8, classes: u8) -> bool {
    CLASS
        .get(usize::from(b))
        .is_some_and(|c| c & classes == classes)
}

/// `token` characters: alphanum and `-.!%*_+`'~`.
#[inline]
pub(crate) fn is_token_byte(b: u8) -> bool {
    is(b, TOKEN)
}

/// [`is_token_byte`] for tables built at compile time.
pub(crate) const fn is_token_byte_const(b: u8) -> bool {
    class_of(b) & TOKEN != 0
}

/// Whether `s` is a non-empty `token`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// `word` characters (Call-ID): token characters plus `()<>:\\"/[]?{}`.
#[inline]
pub(crate) fn is_word_byte(b: u8) -> bool {
    is(b, WORD)
}

/// `unreserved` (RFC 3261 §25.1): alphanum and `-_.!~*'()`.
#[cfg(test)]
pub(crate) fn is_unreserved(b: u8) -> bool {
    is(b, UNRESERVED)
}

/// Whether every byte of `bytes` is `allowed` or part of a `%XX` escape.
#[inline]
pub(crate) fn all_escaped_or(bytes: &[u8], allowed: impl Fn(u8) -> bool) -> bool {
    // Most text holds no escape.
    if bytes.iter().all(|&b| allowed(b)) {
        return true;
    }
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if allowed(b) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// Decodes `%XX` escapes (RFC 3261 §19.1.2). Invalid escapes stay as written.
pub(crate) fn unescape(s: &str) -> Cow<'_, [u8]> {
    if !s.contains('%') {
        return Cow::Borrowed(s.as_bytes());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let decoded = (b == b'%')
            .then(|| {
                let hi = hex_value(*bytes.get(i + 1)?)?;
                let lo = hex_value(*bytes.get(i + 2)?)?;
                Some(hi << 4 | lo)
            })
            .flatten();
        match decoded {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Splits a leading `quoted-string` off `s` (which starts with `"`), returning
/// the unescaped content and the rest after the closing quote. CR and LF
/// may not appear, not even escaped (RFC 3261 §25.1: `quoted-pair` excludes
/// them), so no content read here holds a line break.
pub(crate) fn take_quoted(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let body = s.strip_prefix('"')?;
    // Without a backslash the content is borrowed as it is.
    if let Some(close) = body
        .bytes()
        .position(|b| matches!(b, b'"' | b'\\' | b'\r' | b'\n'))
    {
        if body.as_bytes().get(close) == Some(&b'"') {
            return Some((Cow::Borrowed(body.get(..close)?), body.get(close + 1..)?));
        }
    }
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), body.get(i + 1..)?)),
            '\\' => match chars.next()?.1 {
                '\r' | '\n' => return None,
                escaped => out.push(escaped),
            },
            '\r' | '\n' => return None,
            _ => out.push(c),
        }
    }
    None
}

/// Length of the leading `quoted-string` of `bytes` (which starts with
/// `"`), quotes included.
pub(crate) fn quoted_len(bytes: &[u8]) -> Option<usize> {
    let mut from = 1;
    loop {
        let i = from + find_byte2(b'"', b'\\', bytes.get(from..)?)?;
        match bytes.get(i) {
            Some(b'"') => return Some(i + 1),
            // A backslash escapes the byte after it.
            _ => from = i + 2,
        }
    }
}

/// Writes `s` as a `quoted-string`, escaping `"` and `\`. A quoted string
/// cannot hold a line break (see [`take_quoted`]): CR and LF are written as
/// spaces, so that text from elsewhere (a name typed by the user) still
/// makes a header line.
pub(crate) fn write_quoted(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.write_char('\\')?;
                out.write_char(c)?;
            }
            '\r' | '\n' => out.write_char(' ')?,
            _ => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

/// The decimal digits of `n`, written at the end of `buf`.
pub(crate) fn decimal(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut n = n;
    loop {
        at -= 1;
        if let Some(d) = buf.get_mut(at) {
            // n % 10 < 10: the cast keeps the value.
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    buf.get(at..).unwrap_or_default()
}

/// Parses an unsigned decimal of at most `max`, digits only.
#[inline]
pub(crate) fn parse_decimal(s: &str, max: u64) -> Option<u64> {
    let digits = s.as_bytes();
    if digits.is_empty() {
        return None;
    }
    // Up to 19 digits cannot overflow a u64: add them up plainly, in one
    // pass that also checks them (a checked multiply costs a 128-bit
    // multiply call on wasm32). Longer numbers may still fit if they start
    // with zeros.
    let mut n: u64 = 0;
    if digits.len() <= 19 {
        for &b in digits {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            n = n.wrapping_mul(10).wrapping_add(u64::from(digit));
        }
    } else {
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let start = digits
            .iter()
            .position(|&b| b != b'0')
            .unwrap_or(digits.len());
        for &b in digits.get(start..).unwrap_or_default() {
            n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        }
    }
    (n <= max).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_unescape() {
        let (text, rest) = take_quoted(r#""J Rosenberg \\\"" <sip:x>"#).unwrap();
        assert_eq!(text, r#"J Rosenberg \""#);
        assert_eq!(rest, " <sip:x>");
        assert!(take_quoted(r#""unterminated <sip:x>"#).is_none());
        // A quoted-pair may not escape CR or LF (RFC 3261 §25.1); found by
        // fuzzing: the name read, then printed a bare CR into the header.
        assert!(take_quoted("\"Ag \\\r000\" <sip:x>").is_none());
        assert!(take_quoted("\"Ag \\\n000\" <sip:x>").is_none());
        // Escaping anything else is read leniently, UTF-8 included.
        let (text, _) = take_quoted("\"Ag \\\u{6e3}\\\t\"").unwrap();
        assert_eq!(text, "Ag \u{6e3}\t");
        // Written back, a line break becomes a space.
        let mut out = String::new();
        write_quoted(&mut out, "a\r\n\"b\\").unwrap();
        assert_eq!(out, "\"a  \\\"b\\\\\"");
        assert_eq!(quoted_len(br#""a\"b"c"#), Some(6));
    }

    #[test]
    fn class_table_matches_the_grammar() {
        for b in 0..=u8::MAX {
            let unreserved = b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b);
            assert_eq!(is_unreserved(b), unreserved, "{b}");
            assert_eq!(
                is_token_byte(b),
                b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b),
                "{b}"
            );
            assert_eq!(
                is_word_byte(b),
                is_token_byte(b) || b"()<>:\\\"/[]?{}".contains(&b),
                "{b}"
            );
            assert_eq!(is(b, USER), unreserved || b"&=+$,;?/".contains(&b), "{b}");
            assert_eq!(is(b, PASSWORD), unreserved || b"&=+$,".contains(&b), "{b}");
            assert_eq!(is(b, PARAM), unreserved || b"[]/:&+$".contains(&b), "{b}");
            assert_eq!(
                is(b, URI_HEADER),
                unreserved || b"[]/?:+$".contains(&b),
                "{b}"
            );
            assert_eq!(
                is(b, HOST),
                b.is_ascii_alphanumeric() || b"-.".contains(&b),
                "{b}"
            );
        }
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(&*unescape("a%40b%00"), b"a@b\0");
        assert_eq!(&*unescape("50%"), b"50%");
        assert!(all_escaped_or(b"a%2Fb", is_unreserved));
        assert!(!all_escaped_or(b"a%2", is_unreserved));
    }

    #[test]
    fn decimals_are_written() {
        let mut buf = [0u8; 20];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(1810, &mut buf), b"1810");
        assert_eq!(decimal(u64::MAX, &mut buf), b"18446744073709551615");
    }

    #[test]
    fn decimals_are_bounded() {
        assert_eq!(parse_decimal("0068", 255), Some(68));
        assert_eq!(parse_decimal("300", 255), None);
        assert_eq!(
            parse_decimal("36893488147419103232", u64::from(u32::MAX)),
            None
        );
        assert_eq!(parse_decimal("-1", 10), None);
        assert_eq!(parse_decimal("", 10), None);
        assert_eq!(parse_decimal("1a", 10), None);
        assert_eq!(
            parse_decimal("18446744073709551615", u64::MAX),
            Some(u64::MAX)
        );
        assert_eq!(parse_decimal("18446744073709551616", u64::MAX), None);
        assert_eq!(
            parse_decimal("9999999999999999999", u64::MAX),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(parse_decimal("00000000000000000000000012", 20), Some(12));
        assert_eq!(parse_decimal("0000000000000000000000001x", 20), None);
        assert_eq!(parse_decimal("0", 0), Some(0));
    }

    proptest::proptest! {
        /// Agrees with reading the digits as a 128-bit number.
        #[test]
        fn decimals_read_as_wide_numbers_do(text in "[0-9]{0,30}|[0-9+ a]{0,8}", max: u64) {
            let wide = text
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| text.parse::<u128>().ok())
                .flatten()
                .filter(|&n| n <= u128::from(max))
                .and_then(|n| u64::try_from(n).ok());
            proptest::prop_assert_eq!(parse_decimal(&text, max), wide);
        }
    }
}
