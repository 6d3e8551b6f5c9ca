//! URIs: `sip:` and `sips:` (RFC 3261 §19.1), `tel:` (RFC 3966) and any other
//! absolute URI kept opaque (RFC 3261 §25.1 `absoluteURI`).
//!
//! A [`Uri`] keeps its text as written, with the positions of its parts, so
//! `Display` reproduces the input and reading a part costs no allocation.
//! Escapes stay escaped in the accessors; [`Uri::equivalent`] applies the
//! comparison rules of RFC 3261 §19.1.4, which compare unescaped text.
//! IPv6 references follow RFC 5118 (the text inside `[]` must be a valid
//! IPv6 address, and a port after it is only ever outside the brackets).

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use smol_str::SmolStr;

use crate::params::iter_params;
use crate::syntax::{self, all_escaped_or, is_token_byte, unescape};
use crate::text::Text;

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
    /// The URI is longer than 65535 bytes.
    #[error("URI longer than 65535 bytes")]
    TooLong,
    /// A `tel:` number is empty or has characters a number cannot have.
    #[error("invalid telephone number")]
    Telephone,
}

/// A URI as written, with the positions of its parts.
///
/// Positions are 16-bit, which keeps a `Uri` within 64 bytes (56): URIs
/// move often (into an address, out of a `Result`), and a value this size
/// moves as a few words rather than through `memcpy`.
///
/// `S` holds the text (see [`crate::text`]): a `Uri` owns it, a
/// [`UriRef`] borrows it from the message it was read from.
#[derive(Clone)]
pub struct Uri<S = SmolStr> {
    /// Owned: held inline, without an allocation, up to 23 bytes on every
    /// target (wasm32 included).
    text: S,
    scheme: Scheme,
    parts: Parts,
}

/// A [`Uri`] read in place: its text borrowed from the input.
pub type UriRef<'a> = Uri<Cow<'a, str>>;

/// Where the parts of a URI are in its text.
#[derive(Debug, Clone, Copy)]
struct Parts {
    /// `sip`/`sips`: user; `tel`: the number.
    user: Option<Part>,
    password: Option<Part>,
    host: Part,
    port: Option<u16>,
    /// `;a=b;c`, with the leading `;`.
    params: Part,
    /// `a=b&c=d`, without the leading `?`.
    headers: Part,
}

/// A byte range of a URI's text, which [`Uri::parse`] caps at 65535 bytes.
#[derive(Debug, Clone, Copy)]
struct Part {
    start: u16,
    end: u16,
}

impl Part {
    fn new(start: usize, end: usize) -> Self {
        let at = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        Self {
            start: at(start),
            end: at(end),
        }
    }

    fn of(self, text: &str) -> &str {
        text.get(usize::from(self.start)..usize::from(self.end))
            .unwrap_or("")
    }
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
        Self::parse_as(text)
    }
}

impl<'a> UriRef<'a> {
    /// Parses a URI in place, as [`Uri::parse`] does, borrowing `text`.
    pub fn view(text: &'a str) -> Result<Self, UriError> {
        Self::parse_as(text)
    }
}

impl<'a, S: Text<'a>> Uri<S> {
    /// Parses `text` into either form.
    pub(crate) fn parse_as(text: &'a str) -> Result<Self, UriError> {
        if text.len() > usize::from(u16::MAX) {
            return Err(UriError::TooLong);
        }
        let (scheme, start) = scheme_of(text.as_bytes()).ok_or(UriError::Scheme)?;
        let rest = text.get(start..).unwrap_or("");
        let mut parts = Parts {
            user: None,
            password: None,
            host: Part::new(start, start),
            port: None,
            params: Part::new(text.len(), text.len()),
            headers: Part::new(text.len(), text.len()),
        };
        match scheme {
            Scheme::Sip | Scheme::Sips => parts.parse_sip(rest.as_bytes(), start)?,
            Scheme::Tel => parts.parse_tel(rest, start)?,
            Scheme::Other => {
                if rest.is_empty() || !rest.bytes().all(is_opaque_byte) {
                    return Err(UriError::Character);
                }
            }
        }
        // The text is kept (an owned URI copies it) once the URI is known
        // to be valid, straight into the result.
        Ok(Uri {
            text: S::found(text),
            scheme,
            parts,
        })
    }
}

impl Uri {
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
        let split = usize::from(self.parts.params.end);
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
}

impl<S: AsRef<str>> Uri<S> {
    /// The text.
    #[inline]
    fn text(&self) -> &str {
        self.text.as_ref()
    }

    /// The same URI over a plain `&str`.
    fn as_parts(&self) -> Uri<&str> {
        Uri {
            text: self.text(),
            scheme: self.scheme,
            parts: self.parts,
        }
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> Uri {
        Uri {
            text: SmolStr::new(self.text()),
            scheme: self.scheme,
            parts: self.parts,
        }
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The scheme as written (`sip`, `tel`, `soap.beep`).
    pub fn scheme_name(&self) -> &str {
        self.text().split_once(':').map_or("", |(s, _)| s)
    }

    /// Whether this is a `sip:` or `sips:` URI.
    pub fn is_sip(&self) -> bool {
        matches!(self.scheme, Scheme::Sip | Scheme::Sips)
    }

    /// The user part, still escaped (for `tel:`, the number).
    pub fn user(&self) -> Option<&str> {
        self.parts.user.map(|s| s.of(self.text()))
    }

    /// The password, still escaped.
    pub fn password(&self) -> Option<&str> {
        self.parts.password.map(|s| s.of(self.text()))
    }

    /// The host as written (an IPv6 reference with its brackets); empty for
    /// `tel:` and opaque URIs.
    pub fn host(&self) -> &str {
        self.parts.host.of(self.text())
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
        self.parts.port
    }

    /// URI parameters as `(name, value)`, in order.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        iter_params(self.parts.params.of(self.text()))
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
        let raw = self.parts.headers.of(self.text());
        raw.split('&')
            .filter(|h| !h.is_empty())
            .map(|h| h.split_once('=').unwrap_or((h, "")))
    }

    /// Whether the URI has `?headers` (forbidden in a Request-URI, RFC 3261
    /// §19.1.1 table 1).
    pub fn has_headers(&self) -> bool {
        self.parts.headers.start < self.parts.headers.end
    }

    /// The URI as written.
    pub fn as_str(&self) -> &str {
        self.text()
    }

    /// Whether `self` and `other` denote the same resource under the
    /// comparison rules of RFC 3261 §19.1.4 (for `tel:`, RFC 3966 §4:
    /// numbers compared without visual separators).
    pub fn equivalent<T: AsRef<str>>(&self, other: &Uri<T>) -> bool {
        if self.scheme != other.scheme {
            return false;
        }
        match self.scheme {
            Scheme::Sip | Scheme::Sips => self.sip_equivalent(other),
            Scheme::Tel => {
                tel_digits(self.user()).eq(tel_digits(other.user()))
                    && params_equivalent(self, other, |_| true)
            }
            Scheme::Other => self.text().eq_ignore_ascii_case(other.text()),
        }
    }

    fn sip_equivalent<T: AsRef<str>>(&self, other: &Uri<T>) -> bool {
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
            && self.parts.port == other.parts.port
            && params_equivalent(self, other, |name| {
                ["user", "ttl", "method", "maddr", "transport"]
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(name))
            })
            && headers_equivalent(self, other)
    }
}

impl Parts {
    /// The part of a `sip:`/`sips:` URI after the scheme, in one forward
    /// pass: userinfo (up to the first `@`), host, port, parameters, headers.
    /// `start` is where `rest` begins in the URI's text.
    fn parse_sip(&mut self, rest: &[u8], start: usize) -> Result<(), UriError> {
        // userinfo never holds an unescaped '@', and nothing after it may;
        // a ';' or '?' before the '@' belongs to the user part. Most user
        // parts are plain `user` characters up to the '@': read them in one
        // go; anything else (a password, an escape, no user part) looks for
        // the '@' from where that stopped.
        let plain = rest.iter().take_while(|&&b| is_user_byte(b)).count();
        let mut i = if plain > 0 && rest.get(plain) == Some(&b'@') {
            self.user = Some(Part::new(start, start + plain));
            plain + 1
        } else {
            match crate::syntax::find_byte(b'@', rest.get(plain..).unwrap_or_default()) {
                Some(at) => {
                    self.parse_userinfo(rest.get(..plain + at).unwrap_or_default(), start)?;
                    plain + at + 1
                }
                None => 0,
            }
        };
        let host_start = i;
        if rest.get(i) == Some(&b'[') {
            let close = rest
                .iter()
                .skip(i)
                .position(|&b| b == b']')
                .ok_or(UriError::Host)?
                + i;
            let inner = rest.get(i + 1..close).unwrap_or_default();
            std::str::from_utf8(inner)
                .ok()
                .and_then(parse_ipv6)
                .ok_or_else(|| character_or(inner, UriError::Host))?;
            i = close + 1;
        } else {
            i += host_name_len(rest.get(i..).unwrap_or_default()).ok_or(UriError::Host)?;
        }
        self.host = Part::new(start + host_start, start + i);
        if rest.get(i) == Some(&b':') {
            let (port, len) = parse_port(rest.get(i + 1..).unwrap_or_default())?;
            self.port = Some(port);
            i += 1 + len;
        }
        match rest.get(i) {
            None => return Ok(()),
            Some(b';' | b'?') => {}
            Some(b) if *b <= b' ' || *b == 0x7f => return Err(UriError::Character),
            Some(_) => return Err(UriError::Host),
        }
        let params_len = sip_params_len(rest.get(i..).unwrap_or_default())?;
        self.params = Part::new(start + i, start + i + params_len);
        i += params_len;
        if rest.get(i) == Some(&b'?') {
            let headers = rest.get(i + 1..).unwrap_or_default();
            if !valid_uri_headers(headers) {
                return Err(if headers.iter().any(|&b| b <= b' ' || b == 0x7f) {
                    UriError::Character
                } else {
                    UriError::Header
                });
            }
            self.headers = Part::new(start + i + 1, start + rest.len());
        }
        Ok(())
    }

    /// `user[:password]`, checked against their character classes.
    fn parse_userinfo(&mut self, userinfo: &[u8], start: usize) -> Result<(), UriError> {
        let colon = userinfo.iter().position(|&b| b == b':');
        let user = userinfo
            .get(..colon.unwrap_or(userinfo.len()))
            .unwrap_or_default();
        if user.is_empty() || !all_escaped_or(user, |b| syntax::is(b, syntax::USER)) {
            return Err(character_or(userinfo, UriError::User));
        }
        self.user = Some(Part::new(start, start + user.len()));
        if let Some(colon) = colon {
            let password = userinfo.get(colon + 1..).unwrap_or_default();
            if !all_escaped_or(password, |b| syntax::is(b, syntax::PASSWORD)) {
                return Err(character_or(password, UriError::User));
            }
            let p_start = start + colon + 1;
            self.password = Some(Part::new(p_start, p_start + password.len()));
        }
        Ok(())
    }

    fn parse_tel(&mut self, rest: &str, start: usize) -> Result<(), UriError> {
        let number_len = rest.find(';').unwrap_or(rest.len());
        let number = rest.get(..number_len).unwrap_or("");
        let digits = number.strip_prefix('+').unwrap_or(number);
        let ok = !digits.is_empty() && all_escaped_or(digits.as_bytes(), is_phone_byte);
        if !ok {
            return Err(UriError::Telephone);
        }
        self.user = Some(Part::new(start, start + number_len));
        let params = rest.get(number_len..).unwrap_or("");
        for (name, value) in iter_params(params) {
            let ok = !name.is_empty()
                && name.bytes().all(is_token_byte)
                && value.is_none_or(|v| all_escaped_or(v.as_bytes(), is_param_byte));
            if !ok {
                return Err(UriError::Param);
            }
        }
        self.params = Part::new(start + number_len, start + rest.len());
        Ok(())
    }
}

/// The scheme a URI starts with and where the text after its `:` begins.
/// `sip:`, `sips:` and `tel:` are told apart by their first bytes; any
/// other `scheme` (RFC 3261 §25.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ))
/// is [`Scheme::Other`].
fn scheme_of(text: &[u8]) -> Option<(Scheme, usize)> {
    // The first four bytes as one word; setting bit 5 of a letter lowers
    // its case (and of nothing else that could match a letter).
    if let Some(head) = text.get(..4).and_then(|h| <[u8; 4]>::try_from(h).ok()) {
        let word = u32::from_le_bytes(head);
        let three_lowered = word | u32::from_le_bytes([0x20, 0x20, 0x20, 0]);
        if three_lowered == u32::from_le_bytes(*b"sip:") {
            return Some((Scheme::Sip, 4));
        }
        if three_lowered == u32::from_le_bytes(*b"tel:") {
            return Some((Scheme::Tel, 4));
        }
        if word | 0x2020_2020 == u32::from_le_bytes(*b"sips") && text.get(4) == Some(&b':') {
            return Some((Scheme::Sips, 5));
        }
    }
    let colon = text.iter().position(|&b| b == b':')?;
    let name = text.get(..colon)?;
    let ok = name.first().is_some_and(u8::is_ascii_alphabetic)
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    ok.then_some((Scheme::Other, colon + 1))
}

/// [`UriError::Character`] if `text` holds whitespace or a control
/// character (which no part of a URI may), else `otherwise`.
#[cold]
fn character_or(text: &[u8], otherwise: UriError) -> UriError {
    if text.iter().any(|&b| b <= b' ' || b == 0x7f) {
        UriError::Character
    } else {
        otherwise
    }
}

/// The length of the `hostname` or IPv4 address at the start of `text`
/// (RFC 3261 §25.1: dot-separated labels of alphanumerics and `-`, a label
/// neither starting nor ending with `-`, an optional final `.`), or `None`
/// when it is empty or malformed.
fn host_name_len(text: &[u8]) -> Option<usize> {
    // One pass: alphanumerics pass; only a '.' or '-' (the two host bytes
    // below '0') needs the byte before it checked: no empty label, no
    // label starting with '-' or ending with '-'. The loop keeps nothing
    // but its index.
    let mut len = 0;
    while let Some(&b) = text.get(len) {
        if !syntax::is(b, syntax::HOST) {
            break;
        }
        if b < b'0' {
            let prev = len.checked_sub(1).and_then(|i| text.get(i)).copied();
            let ok = match prev {
                None | Some(b'.') => false,
                Some(b'-') => b == b'-',
                Some(_) => true,
            };
            if !ok {
                return None;
            }
        }
        len += 1;
    }
    // A '.' only ever follows a label, so a final '.' (a fully qualified
    // name) is fine; a final '-' is not.
    let last = len.checked_sub(1).and_then(|i| text.get(i));
    (len > 0 && last != Some(&b'-')).then_some(len)
}

/// The port at the start of `text` (1 to 5 digits, at most 65535) and its
/// length.
pub(crate) fn parse_port(text: &[u8]) -> Result<(u16, usize), UriError> {
    let mut value: u32 = 0;
    let mut len = 0;
    for &b in text.iter().take_while(|b| b.is_ascii_digit()) {
        value = value * 10 + u32::from(b - b'0');
        len += 1;
        if len > 5 {
            return Err(UriError::Port);
        }
    }
    match u16::try_from(value) {
        Ok(port) if len > 0 => Ok((port, len)),
        _ => Err(UriError::Port),
    }
}

/// The length of the `;pname[=pvalue]` list at the start of `params`
/// (RFC 3261 §25.1 `uri-parameters`: non-empty names and values of
/// `paramchar`s and escapes), which ends at a `?` or the end of the text.
fn sip_params_len(params: &[u8]) -> Result<usize, UriError> {
    if params.first() != Some(&b';') {
        return match params.first() {
            None | Some(b'?') => Ok(0),
            Some(_) => Err(UriError::Param),
        };
    }
    // Where the current parameter's name and value start (`value` is set
    // at its '=').
    let mut name_start = 1;
    let mut value_start: Option<usize> = None;
    let mut i = 1;
    loop {
        // Most bytes are plain `paramchar`s.
        i += params
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| syntax::is(b, syntax::PARAM))
            .count();
        let end_of_param = |i: usize| match value_start {
            Some(v) => i > v,
            None => i > name_start,
        };
        match params.get(i) {
            Some(b'%') => {
                let hex = |j: usize| params.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return Err(UriError::Param);
                }
                i += 3;
            }
            Some(b'=') if value_start.is_none() && i > name_start => {
                i += 1;
                value_start = Some(i);
            }
            Some(b';') if end_of_param(i) => {
                i += 1;
                name_start = i;
                value_start = None;
            }
            None | Some(b'?') if end_of_param(i) => return Ok(i),
            Some(&b) if b <= b' ' || b == 0x7f => return Err(UriError::Character),
            _ => return Err(UriError::Param),
        }
    }
}

/// Whether `headers` is `hname=hvalue` pairs joined by `&` (RFC 3261 §25.1).
fn valid_uri_headers(headers: &[u8]) -> bool {
    headers.split(|&b| b == b'&').all(|h| {
        let eq = h.iter().position(|&b| b == b'=');
        eq.is_some_and(|eq| {
            let (n, v) = (
                h.get(..eq).unwrap_or_default(),
                h.get(eq + 1..).unwrap_or_default(),
            );
            !n.is_empty()
                && all_escaped_or(n, |b| syntax::is(b, syntax::URI_HEADER))
                && all_escaped_or(v, |b| syntax::is(b, syntax::URI_HEADER))
        })
    })
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
fn params_equivalent<A: AsRef<str>, B: AsRef<str>>(
    a: &Uri<A>,
    b: &Uri<B>,
    must_match: impl Fn(&str) -> bool,
) -> bool {
    let (a, b) = (a.as_parts(), b.as_parts());
    let one_way = |x: &Uri<&str>, y: &Uri<&str>| {
        x.params().all(|(name, value)| match y.param(name) {
            Some(other) => value_eq(value, other),
            None => !must_match(name),
        })
    };
    one_way(&a, &b) && one_way(&b, &a)
}

fn value_eq(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => unescape(a).eq_ignore_ascii_case(&unescape(b)),
        (None, None) => true,
        _ => false,
    }
}

/// RFC 3261 §19.1.4: every URI header must be present and equal in both.
fn headers_equivalent<A: AsRef<str>, B: AsRef<str>>(a: &Uri<A>, b: &Uri<B>) -> bool {
    let (a, b) = (a.as_parts(), b.as_parts());
    let one_way = |x: &Uri<&str>, y: &Uri<&str>| {
        x.headers().all(|(name, value)| {
            y.headers().any(|(n, v)| {
                unescape(n).eq_ignore_ascii_case(&unescape(name)) && unescape(v) == unescape(value)
            })
        })
    };
    one_way(&a, &b) && one_way(&b, &a)
}

fn tel_digits(number: Option<&str>) -> impl Iterator<Item = u8> + '_ {
    number
        .unwrap_or("")
        .bytes()
        .filter(|b| !matches!(b, b'-' | b'.' | b'(' | b')'))
        .map(|b| b.to_ascii_lowercase())
}

impl<S: AsRef<str>, T: AsRef<str>> PartialEq<Uri<T>> for Uri<S> {
    /// Textual equality; see [`Uri::equivalent`] for RFC 3261 §19.1.4.
    fn eq(&self, other: &Uri<T>) -> bool {
        self.text() == other.text()
    }
}

impl<S: AsRef<str>> Eq for Uri<S> {}

impl<S: AsRef<str>> std::hash::Hash for Uri<S> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text().hash(state);
    }
}

impl<S: AsRef<str>> fmt::Display for Uri<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl<S: AsRef<str>> fmt::Debug for Uri<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uri({:?})", self.text())
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

/// `paramchar` besides escapes: unreserved and `[]/:&+$`.
#[inline]
fn is_param_byte(b: u8) -> bool {
    syntax::is(b, syntax::PARAM)
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

    #[test]
    fn uris_up_to_23_bytes_are_held_without_an_allocation() {
        // On every target: on wasm32 too, where the browser runs the stack.
        let short = Uri::parse("sip:alice@example.com").unwrap();
        assert!(!short.text.is_heap_allocated());
        let longest = Uri::parse("sip:alice@example.co.uk").unwrap();
        assert_eq!(longest.as_str().len(), 23);
        assert!(!longest.text.is_heap_allocated());
        let long = Uri::parse("sip:alice@example.co.uk;transport=ws").unwrap();
        assert!(long.text.is_heap_allocated());
        assert_eq!(long.host(), "example.co.uk");
    }

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
    fn parts_are_found_up_to_the_length_limit() {
        // The longest URI kept: its parameters end at byte 65535.
        let longest = format!("sip:alice@example.com;x={}", "a".repeat(65535 - 24));
        assert_eq!(longest.len(), 65535);
        let uri = uri(&longest);
        assert_eq!(uri.user(), Some("alice"));
        assert_eq!(uri.param("x").flatten().map(str::len), Some(65535 - 24));
        assert!(!uri.has_headers());
        let longer = format!("{longest}a");
        assert_eq!(Uri::parse(&longer), Err(UriError::TooLong));
        assert_eq!(UriError::TooLong.to_string(), "URI longer than 65535 bytes");
    }

    #[test]
    fn each_part_reports_its_own_error() {
        for (text, error) in [
            ("sip:a@b;x=", UriError::Param),
            ("sip:a@b;x==y", UriError::Param),
            ("sip:a@b;;x", UriError::Param),
            ("sip:a@b;", UriError::Param),
            ("sip:a@b;x%4", UriError::Param),
            ("sip:a@b;x y", UriError::Character),
            ("sip:a@b:", UriError::Port),
            ("sip:a@b:123456", UriError::Port),
            ("sip:a@b:5060x", UriError::Host),
            ("sip:a@b-", UriError::Host),
            ("sip:a@-b", UriError::Host),
            ("sip:a@b..c", UriError::Host),
            ("sip:a@.b", UriError::Host),
            ("sip:a@b c", UriError::Character),
            ("sip:a b@c", UriError::Character),
            ("sip:a\"b@c", UriError::User),
            ("sip:a@[::1", UriError::Host),
            ("sip:a@b?x", UriError::Header),
            ("sip:a@b?x=1&", UriError::Header),
            ("sip:a@b?x=1 2", UriError::Character),
        ] {
            assert_eq!(Uri::parse(text).err(), Some(error), "{text}");
        }
        for good in [
            "sip:a@b.",
            "sip:a@b-c.d",
            "sip:a@b;x;y=1;z=%41",
            "sip:a@b:0",
            "sip:a@b:65535;lr?h=v&i=",
            "sip:a;p=1@b",
            "SIP:a@B",
            "sips:[::1]:5061;transport=tls",
        ] {
            assert!(Uri::parse(good).is_ok(), "{good}");
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
