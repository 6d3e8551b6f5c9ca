//! URIs: `sip:` and `sips:` (RFC 3261 §19.1), `tel:` (RFC 3966) and any other
//! absolute URI kept opaque (RFC 3261 §25.1 `absoluteURI`).
//!
//! A [`Uri`] keeps its text as written, with the positions of its parts, so
//! `Display` reproduces the input and reading a part costs no allocation.
//! Escapes stay escaped in the accessors; [`Uri::equivalent`] applies the
//! comparison rules of RFC 3261 §19.1.4, which compare unescaped text.
//! IPv6 references follow RFC 5118 (the text inside `[]` must be a valid
//! IPv6 address, and a port after it is only ever outside the brackets).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::headers::Span;
use crate::params::iter_params;
use crate::syntax::{self, all_escaped_or, is_token_byte, unescape};

/// The scheme of a [`Uri`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `sip:` (RFC 3261 §19.1.1).
    Sip,
    /// `sips:` (RFC 3261 §19.1.1).
    Sips,
    /// `tel:` (RFC 3966).
    Tel,
    /// Any other scheme; its name is [`Uri::scheme_name`].
    Other,
}

/// Why a URI could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// No `scheme:` prefix, or the scheme has characters a scheme cannot have.
    #[error("missing or invalid URI scheme")]
    Scheme,
    /// The user or password part has characters that must be escaped.
    #[error("invalid user part")]
    User,
    /// The host is missing or is not a name, IPv4 address or IPv6 reference.
    #[error("invalid host")]
    Host,
    /// The port is not a number from 0 to 65535.
    #[error("invalid port")]
    Port,
    /// A `;name=value` parameter has characters that must be escaped.
    #[error("invalid URI parameter")]
    Param,
    /// A `?name=value` header has characters that must be escaped.
    #[error("invalid URI header")]
    Header,
    /// The URI contains whitespace or characters no URI may hold.
    #[error("invalid character in URI")]
    Character,
    /// A `tel:` number is empty or has characters a number cannot have.
    #[error("invalid telephone number")]
    Telephone,
}

/// A URI as written, with the positions of its parts.
#[derive(Clone)]
pub struct Uri {
    text: String,
    scheme: Scheme,
    /// `sip`/`sips`: user; `tel`: the number.
    user: Option<Span>,
    password: Option<Span>,
    host: Span,
    port: Option<u16>,
    /// `;a=b;c`, with the leading `;`.
    params: Span,
    /// `a=b&c=d`, without the leading `?`.
    headers: Span,
}

/// The host of a `sip:` or `sips:` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host<'a> {
    /// A domain name, as written.
    Name(&'a str),
    /// A dotted IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 reference (written in brackets).
    Ipv6(Ipv6Addr),
}

impl Uri {
    /// Parses a URI. Whitespace anywhere is an error.
    pub fn parse(text: &str) -> Result<Uri, UriError> {
        let colon = text
            .bytes()
            .position(|b| b == b':')
            .ok_or(UriError::Scheme)?;
        let (scheme_name, rest) = text
            .split_at_checked(colon)
            .map(|(s, r)| (s, r.get(1..).unwrap_or("")))
            .ok_or(UriError::Scheme)?;
        let scheme_ok = scheme_name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !scheme_ok {
            return Err(UriError::Scheme);
        }
        let start = scheme_name.len() + 1;
        let mut uri = Uri {
            text: text.to_owned(),
            scheme: Scheme::Other,
            user: None,
            password: None,
            host: Span::new(start, start),
            port: None,
            params: Span::new(text.len(), text.len()),
            headers: Span::new(text.len(), text.len()),
        };
        if scheme_name.eq_ignore_ascii_case("sip") {
            uri.scheme = Scheme::Sip;
            uri.parse_sip(rest, start)?;
        } else if scheme_name.eq_ignore_ascii_case("sips") {
            uri.scheme = Scheme::Sips;
            uri.parse_sip(rest, start)?;
        } else if scheme_name.eq_ignore_ascii_case("tel") {
            uri.scheme = Scheme::Tel;
            uri.parse_tel(rest, start)?;
        } else if rest.is_empty() || !rest.bytes().all(is_opaque_byte) {
            return Err(UriError::Character);
        }
        Ok(uri)
    }

    /// A `sip:` URI for `user@host` (or just `host`); `user` is escaped as
    /// needed and `host` must be a name, an IPv4 address or an IPv6 reference.
    pub fn sip(user: Option<&str>, host: &str) -> Result<Uri, UriError> {
        let mut text = String::from("sip:");
        if let Some(user) = user {
            escape_into(&mut text, user, is_user_byte);
            text.push('@');
        }
        text.push_str(host);
        Uri::parse(&text)
    }

    /// This URI with `;name[=value]` appended to its parameters (before any
    /// `?headers`), for `sip:`, `sips:` and `tel:` URIs.
    pub fn with_param(&self, name: &str, value: Option<&str>) -> Result<Uri, UriError> {
        let split = self.params.end as usize;
        let (head, tail) = self.text.split_at_checked(split).ok_or(UriError::Param)?;
        let mut text = String::with_capacity(self.text.len() + name.len() + 8);
        text.push_str(head);
        text.push(';');
        text.push_str(name);
        if let Some(v) = value {
            text.push('=');
            text.push_str(v);
        }
        text.push_str(tail);
        Uri::parse(&text)
    }

    fn parse_sip(&mut self, rest: &str, start: usize) -> Result<(), UriError> {
        // No whitespace or control character anywhere (ASCII whitespace and
        // controls are the bytes up to SP, and DEL). A branch-free fold that
        // the compiler vectorises; then memchr finds the first '@' and the
        // first ';' or '?'.
        let bad = rest
            .bytes()
            .fold(false, |bad, b| bad | (b <= b' ') | (b == 0x7f));
        if bad {
            return Err(UriError::Character);
        }
        let at = memchr::memchr(b'@', rest.as_bytes());
        let params_at = memchr::memchr2(b';', b'?', rest.as_bytes());
        // userinfo never holds an unescaped '@', and nothing after it may.
        let host_start = match at {
            Some(at) => {
                let userinfo = rest.get(..at).unwrap_or("");
                // A byte scan: userinfo is short, too short for `memchr`.
                let (user, password) = match userinfo.bytes().position(|b| b == b':') {
                    Some(colon) => (
                        userinfo.get(..colon).unwrap_or(""),
                        userinfo.get(colon + 1..),
                    ),
                    None => (userinfo, None),
                };
                if user.is_empty() || !all_escaped_or(user, is_user_byte) {
                    return Err(UriError::User);
                }
                self.user = Some(Span::new(start, start + user.len()));
                if let Some(p) = password {
                    if !all_escaped_or(p, is_password_byte) {
                        return Err(UriError::User);
                    }
                    let p_start = start + user.len() + 1;
                    self.password = Some(Span::new(p_start, p_start + p.len()));
                }
                at + 1
            }
            None => 0,
        };
        let hostport = rest.get(host_start..).unwrap_or("");
        // A ';' or '?' before the '@' belongs to the user part.
        let hp_len = match params_at {
            Some(p) if p >= host_start => p - host_start,
            _ => hostport
                .bytes()
                .position(|b| b == b';' || b == b'?')
                .unwrap_or(hostport.len()),
        };
        let abs = start + host_start;
        self.parse_hostport(hostport.get(..hp_len).unwrap_or(""), abs)?;
        self.parse_params_and_headers(hostport.get(hp_len..).unwrap_or(""), abs + hp_len)
    }

    fn parse_hostport(&mut self, hostport: &str, abs: usize) -> Result<(), UriError> {
        let host_len = if hostport.starts_with('[') {
            let close = hostport
                .bytes()
                .position(|b| b == b']')
                .ok_or(UriError::Host)?;
            let inner = hostport.get(1..close).unwrap_or("");
            parse_ipv6(inner).ok_or(UriError::Host)?;
            close + 1
        } else {
            let len = hostport
                .bytes()
                .position(|b| b == b':')
                .unwrap_or(hostport.len());
            let name = hostport.get(..len).unwrap_or("");
            if !is_host_name(name) {
                return Err(UriError::Host);
            }
            len
        };
        self.host = Span::new(abs, abs + host_len);
        match hostport.get(host_len..).unwrap_or("") {
            "" => Ok(()),
            port => {
                let digits = port.strip_prefix(':').ok_or(UriError::Host)?;
                let valid = !digits.is_empty()
                    && digits.len() <= 5
                    && digits.bytes().all(|b| b.is_ascii_digit());
                self.port = Some(
                    digits
                        .parse()
                        .ok()
                        .filter(|_| valid)
                        .ok_or(UriError::Port)?,
                );
                Ok(())
            }
        }
    }

    fn parse_params_and_headers(&mut self, tail: &str, abs: usize) -> Result<(), UriError> {
        let params_len = tail.bytes().position(|b| b == b'?').unwrap_or(tail.len());
        let params = tail.get(..params_len).unwrap_or("");
        if !valid_sip_params(params) {
            return Err(UriError::Param);
        }
        self.params = Span::new(abs, abs + params_len);
        if let Some(headers) = tail.get(params_len..).and_then(|h| h.strip_prefix('?')) {
            let ok = headers.split('&').all(|h| {
                h.split_once('=').is_some_and(|(n, v)| {
                    !n.is_empty()
                        && all_escaped_or(n, is_header_byte)
                        && all_escaped_or(v, is_header_byte)
                })
            });
            if !ok {
                return Err(UriError::Header);
            }
            let h_start = abs + params_len + 1;
            self.headers = Span::new(h_start, h_start + headers.len());
        }
        Ok(())
    }

    fn parse_tel(&mut self, rest: &str, start: usize) -> Result<(), UriError> {
        let number_len = rest.find(';').unwrap_or(rest.len());
        let number = rest.get(..number_len).unwrap_or("");
        let digits = number.strip_prefix('+').unwrap_or(number);
        let ok = !digits.is_empty() && all_escaped_or(digits, is_phone_byte);
        if !ok {
            return Err(UriError::Telephone);
        }
        self.user = Some(Span::new(start, start + number_len));
        let params = rest.get(number_len..).unwrap_or("");
        for (name, value) in iter_params(params) {
            let ok = !name.is_empty()
                && name.bytes().all(is_token_byte)
                && value.is_none_or(|v| all_escaped_or(v, is_param_byte));
            if !ok {
                return Err(UriError::Param);
            }
        }
        self.params = Span::new(start + number_len, start + rest.len());
        Ok(())
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The scheme as written (`sip`, `tel`, `soap.beep`).
    pub fn scheme_name(&self) -> &str {
        self.text.split_once(':').map_or("", |(s, _)| s)
    }

    /// Whether this is a `sip:` or `sips:` URI.
    pub fn is_sip(&self) -> bool {
        matches!(self.scheme, Scheme::Sip | Scheme::Sips)
    }

    /// The user part, still escaped (for `tel:`, the number).
    pub fn user(&self) -> Option<&str> {
        self.user.map(|s| s.of(&self.text))
    }

    /// The password, still escaped.
    pub fn password(&self) -> Option<&str> {
        self.password.map(|s| s.of(&self.text))
    }

    /// The host as written (an IPv6 reference with its brackets); empty for
    /// `tel:` and opaque URIs.
    pub fn host(&self) -> &str {
        self.host.of(&self.text)
    }

    /// The host, typed. `None` for `tel:` and opaque URIs.
    pub fn host_kind(&self) -> Option<Host<'_>> {
        if !self.is_sip() {
            return None;
        }
        let host = self.host();
        if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            return parse_ipv6(v6).map(Host::Ipv6);
        }
        Some(host.parse().map_or(Host::Name(host), Host::Ipv4))
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// URI parameters as `(name, value)`, in order.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        iter_params(self.params.of(&self.text))
    }

    /// The URI parameter `name`: `None` if absent, `Some(None)` if valueless.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The `transport` parameter.
    pub fn transport(&self) -> Option<&str> {
        self.param("transport").flatten()
    }

    /// Whether the `lr` parameter is present (loose routing, RFC 3261 §19.1.1).
    pub fn is_loose_route(&self) -> bool {
        self.param("lr").is_some()
    }

    /// URI headers (`?name=value&...`) as `(name, value)`, still escaped.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        let raw = self.headers.of(&self.text);
        raw.split('&')
            .filter(|h| !h.is_empty())
            .map(|h| h.split_once('=').unwrap_or((h, "")))
    }

    /// Whether the URI has `?headers` (forbidden in a Request-URI, RFC 3261
    /// §19.1.1 table 1).
    pub fn has_headers(&self) -> bool {
        self.headers.start < self.headers.end
    }

    /// The URI as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `self` and `other` denote the same resource under the
    /// comparison rules of RFC 3261 §19.1.4 (for `tel:`, RFC 3966 §4:
    /// numbers compared without visual separators).
    pub fn equivalent(&self, other: &Uri) -> bool {
        if self.scheme != other.scheme {
            return false;
        }
        match self.scheme {
            Scheme::Sip | Scheme::Sips => self.sip_equivalent(other),
            Scheme::Tel => {
                tel_digits(self.user()).eq(tel_digits(other.user()))
                    && params_equivalent(self, other, |_| true)
            }
            Scheme::Other => self.text.eq_ignore_ascii_case(&other.text),
        }
    }

    fn sip_equivalent(&self, other: &Uri) -> bool {
        let escaped_eq = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => unescape(a) == unescape(b),
            (None, None) => true,
            _ => false,
        };
        escaped_eq(self.user(), other.user())
            && escaped_eq(self.password(), other.password())
            && self
                .host_kind()
                .zip(other.host_kind())
                .is_some_and(|(a, b)| hosts_equal(a, b))
            && self.port == other.port
            && params_equivalent(self, other, |name| {
                ["user", "ttl", "method", "maddr", "transport"]
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(name))
            })
            && headers_equivalent(self, other)
    }
}

/// Whether `params` (empty or starting with `;`) is a list of
/// `;pname[=pvalue]` with non-empty names and values of `paramchar`s and
/// escapes (RFC 3261 §25.1 `uri-parameters`), in one pass.
fn valid_sip_params(params: &str) -> bool {
    let bytes = params.as_bytes();
    if bytes.is_empty() {
        return true;
    }
    // Length of the current name, of the current value, and whether a '='
    // was seen in the current parameter.
    let (mut name_len, mut value_len, mut has_value) = (0usize, 0usize, false);
    let mut i = 0;
    let mut first = true;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if first {
            // The list starts with ';' (the caller split there).
            first = false;
            if b == b';' {
                continue;
            }
            return false;
        }
        let step = match b {
            b';' => {
                if name_len == 0 || (has_value && value_len == 0) {
                    return false;
                }
                (name_len, value_len, has_value) = (0, 0, false);
                continue;
            }
            b'=' if !has_value => {
                has_value = true;
                continue;
            }
            b'%' => {
                let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i) && hex(i + 1)) {
                    return false;
                }
                i += 2;
                3
            }
            _ if is_param_byte(b) => 1,
            _ => return false,
        };
        if has_value {
            value_len += step;
        } else {
            name_len += step;
        }
    }
    name_len != 0 && (!has_value || value_len != 0)
}

/// An IPv6 address as written inside `[]`. Besides RFC 4291 text, accepts
/// the one extra form RFC 3261's ABNF derives, `hexseq ":::" IPv4address`,
/// as RFC 5118 §4.10 asks of a tolerant parser; nothing else is widened.
pub(crate) fn parse_ipv6(text: &str) -> Option<Ipv6Addr> {
    if let Ok(addr) = text.parse() {
        return Some(addr);
    }
    let (head, v4) = text.split_once(":::")?;
    if head.is_empty() || v4.parse::<Ipv4Addr>().is_err() {
        return None;
    }
    format!("{head}::{v4}").parse().ok()
}

fn hosts_equal(a: Host<'_>, b: Host<'_>) -> bool {
    match (a, b) {
        (Host::Name(a), Host::Name(b)) => unescape(a).eq_ignore_ascii_case(&unescape(b)),
        _ => a == b,
    }
}

/// RFC 3261 §19.1.4: a parameter in both URIs must match; one of the
/// `must_match` parameters present in only one URI makes them differ.
fn params_equivalent(a: &Uri, b: &Uri, must_match: impl Fn(&str) -> bool) -> bool {
    let one_way = |x: &Uri, y: &Uri| {
        x.params().all(|(name, value)| match y.param(name) {
            Some(other) => value_eq(value, other),
            None => !must_match(name),
        })
    };
    one_way(a, b) && one_way(b, a)
}

fn value_eq(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => unescape(a).eq_ignore_ascii_case(&unescape(b)),
        (None, None) => true,
        _ => false,
    }
}

/// RFC 3261 §19.1.4: every URI header must be present and equal in both.
fn headers_equivalent(a: &Uri, b: &Uri) -> bool {
    let one_way = |x: &Uri, y: &Uri| {
        x.headers().all(|(name, value)| {
            y.headers().any(|(n, v)| {
                unescape(n).eq_ignore_ascii_case(&unescape(name)) && unescape(v) == unescape(value)
            })
        })
    };
    one_way(a, b) && one_way(b, a)
}

fn tel_digits(number: Option<&str>) -> impl Iterator<Item = u8> + '_ {
    number
        .unwrap_or("")
        .bytes()
        .filter(|b| !matches!(b, b'-' | b'.' | b'(' | b')'))
        .map(|b| b.to_ascii_lowercase())
}

impl PartialEq for Uri {
    /// Textual equality; see [`Uri::equivalent`] for RFC 3261 §19.1.4.
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Uri {}

impl std::hash::Hash for Uri {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uri({:?})", self.text)
    }
}

impl FromStr for Uri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uri::parse(s)
    }
}

/// `user` characters besides escapes: unreserved and `&=+$,;?/`.
#[inline]
fn is_user_byte(b: u8) -> bool {
    syntax::is(b, syntax::USER)
}

/// `password` characters besides escapes: unreserved and `&=+$,`.
#[inline]
fn is_password_byte(b: u8) -> bool {
    syntax::is(b, syntax::PASSWORD)
}

/// `paramchar` besides escapes: unreserved and `[]/:&+$`.
#[inline]
fn is_param_byte(b: u8) -> bool {
    syntax::is(b, syntax::PARAM)
}

/// `hname`/`hvalue` characters besides escapes: unreserved and `[]/?:+$`.
#[inline]
fn is_header_byte(b: u8) -> bool {
    syntax::is(b, syntax::URI_HEADER)
}

/// Telephone-number characters (RFC 3966 §3, loosely): digits, hex digits,
/// `*#`, visual separators, `pw` pauses.
fn is_phone_byte(b: u8) -> bool {
    b.is_ascii_hexdigit()
        || matches!(
            b,
            b'*' | b'#' | b'-' | b'.' | b'(' | b')' | b'p' | b'w' | b'P' | b'W'
        )
}

/// Characters of an opaque URI (RFC 2396 `uric` plus `/` and `#`).
fn is_opaque_byte(b: u8) -> bool {
    b.is_ascii_graphic()
        && !matches!(
            b,
            b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'`'
        )
}

/// `hostname` (RFC 3261 §25.1): dot-separated labels of alphanumerics and
/// `-`; also accepts a dotted IPv4 address.
fn is_host_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    // One pass; `prev` is the previous byte, '.' at the start of a label.
    let mut prev = b'.';
    for b in name.bytes() {
        let ok = match b {
            b'.' => prev != b'.' && prev != b'-',
            b'-' => prev != b'.',
            _ => b.is_ascii_alphanumeric(),
        };
        if !ok {
            return false;
        }
        prev = b;
    }
    prev != b'.' && prev != b'-'
}

fn escape_into(out: &mut String, text: &str, allowed: impl Fn(u8) -> bool) {
    for b in text.bytes() {
        if allowed(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        Uri::parse(s).unwrap()
    }

    #[test]
    fn parses_sip_parts() {
        let u = uri("sips:alice:secret@Example.COM:5061;transport=tcp;lr?subject=hi&x=y");
        assert_eq!(u.scheme(), Scheme::Sips);
        assert_eq!(u.user(), Some("alice"));
        assert_eq!(u.password(), Some("secret"));
        assert_eq!(u.host(), "Example.COM");
        assert_eq!(u.port(), Some(5061));
        assert_eq!(u.transport(), Some("tcp"));
        assert!(u.is_loose_route());
        assert_eq!(
            u.headers().collect::<Vec<_>>(),
            [("subject", "hi"), ("x", "y")]
        );
        assert_eq!(
            u.to_string(),
            "sips:alice:secret@Example.COM:5061;transport=tcp;lr?subject=hi&x=y"
        );
    }

    #[test]
    fn parses_ipv6_references_rfc5118() {
        let u = uri("sip:[2001:db8::10:5070]");
        assert_eq!(u.port(), None);
        assert_eq!(
            u.host_kind(),
            Some(Host::Ipv6("2001:db8::10:5070".parse().unwrap()))
        );
        let u = uri("sip:user@[2001:db8::10]:5070");
        assert_eq!(u.port(), Some(5070));
        assert!(Uri::parse("sip:[2001:db8::10").is_err());
        assert_eq!(
            uri("sip:[2001:db8:::192.0.2.1]").host_kind(),
            Some(Host::Ipv6("2001:db8::192.0.2.1".parse().unwrap()))
        );
        assert!(Uri::parse("sip:[2001:db8:::1]").is_err());
        assert!(Uri::parse("sip:[:::192.0.2.1]").is_err());
        assert_eq!(uri("sip:[::ffff:192.0.2.10]").host(), "[::ffff:192.0.2.10]");
    }

    #[test]
    fn parses_tel_and_opaque() {
        let t = uri("tel:+1-201-555-0123;phone-context=example.com");
        assert_eq!(t.scheme(), Scheme::Tel);
        assert_eq!(t.user(), Some("+1-201-555-0123"));
        assert_eq!(t.param("phone-context"), Some(Some("example.com")));
        let o = uri("soap.beep://192.0.2.103:3002");
        assert_eq!(o.scheme(), Scheme::Other);
        assert_eq!(o.scheme_name(), "soap.beep");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "sip:",
            "sip:user@",
            "sip:a b",
            "sip:host:99999",
            "sip:host;=x",
            "nocolon",
            "sip:us\"er@h",
            "sip:h?x",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn equivalence_rfc3261_19_1_4() {
        let eq = |a: &str, b: &str| uri(a).equivalent(&uri(b));
        assert!(eq(
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp"
        ));
        assert!(eq(
            "sip:carol@chicago.com",
            "sip:carol@chicago.com;newparam=5"
        ));
        assert!(eq(
            "sip:carol@chicago.com;security=on",
            "sip:carol@chicago.com;newparam=5"
        ));
        assert!(eq(
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"
        ));
        assert!(eq(
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x"
        ));
        assert!(!eq(
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP"
        ));
        assert!(!eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
        assert!(!eq(
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com;transport=udp"
        ));
        assert!(!eq(
            "sip:carol@chicago.com",
            "sip:carol@chicago.com?Subject=next%20meeting"
        ));
        assert!(!eq("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
        assert!(!eq("sip:a@h", "sips:a@h"));
        assert!(eq("tel:+1-201-555-0123", "tel:+12015550123"));
    }

    #[test]
    fn builds_escaped_user() {
        let u = Uri::sip(Some("a b@c"), "example.com").unwrap();
        assert_eq!(u.as_str(), "sip:a%20b%40c@example.com");
        let u = u.with_param("transport", Some("ws")).unwrap();
        assert_eq!(u.as_str(), "sip:a%20b%40c@example.com;transport=ws");
    }
}
