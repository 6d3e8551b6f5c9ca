//! Media types (`Content-Type`, `Accept`; RFC 3261 §20.15, §20.1), events
//! (`Event`, `Subscription-State`; RFC 6665 §8.2), `Reason` (RFC 3326),
//! `Warning` (RFC 3261 §20.43), `Call-Info` (§20.9) and `Replaces`
//! (RFC 3891 §6.1).

use std::borrow::Cow;
use std::fmt;

use smol_str::SmolStr;

use super::{CallId, header_params};
use crate::headers::{HeaderError, HeaderName, TypedHeader, split_list};
use crate::params::Params;
use crate::syntax::{is_token_byte, take_quoted, write_quoted};
use crate::text::Text;
use crate::uri::Uri;

/// Splits a leading token off `value`, returning it and the rest.
fn leading_token(value: &str) -> (&str, &str) {
    let len = value.bytes().take_while(|&b| is_token_byte(b)).count();
    value.split_at_checked(len).unwrap_or((value, ""))
}

/// A media type with parameters: `type/subtype;param=value`. Owned, the
/// type and subtype are held inline, without an allocation, up to 23 bytes
/// each; `S` holds the text (see [`crate::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType<S: AsRef<str> = SmolStr> {
    /// Top-level type (`application`), or `*` in `Accept`.
    pub kind: S,
    /// Subtype (`sdp`), or `*` in `Accept`.
    pub subtype: S,
    /// Parameters (`boundary`, `charset`, `q`).
    pub params: Params<S>,
}

impl MediaType {
    /// `type/subtype` without parameters.
    pub fn new(kind: &str, subtype: &str) -> Self {
        Self {
            kind: SmolStr::new(kind),
            subtype: SmolStr::new(subtype),
            params: Params::new(),
        }
    }

    /// `application/sdp`.
    pub fn sdp() -> Self {
        Self::new("application", "sdp")
    }
}

impl<S: AsRef<str>> MediaType<S> {
    /// Whether this is `kind/subtype` (case-insensitive, ignoring parameters).
    pub fn is(&self, kind: &str, subtype: &str) -> bool {
        self.kind.as_ref().eq_ignore_ascii_case(kind)
            && self.subtype.as_ref().eq_ignore_ascii_case(subtype)
    }

    /// Whether this range (possibly with `*`) covers `kind/subtype`.
    pub fn covers(&self, kind: &str, subtype: &str) -> bool {
        let (k, s) = (self.kind.as_ref(), self.subtype.as_ref());
        (k == "*" || k.eq_ignore_ascii_case(kind)) && (s == "*" || s.eq_ignore_ascii_case(subtype))
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> MediaType {
        MediaType {
            kind: SmolStr::new(self.kind.as_ref()),
            subtype: SmolStr::new(self.subtype.as_ref()),
            params: self.params.into_owned(),
        }
    }

    /// The `boundary` parameter of a multipart type, unquoted.
    pub fn boundary(&self) -> Option<&str> {
        let b = self.params.get("boundary")??;
        Some(
            b.strip_prefix('"')
                .and_then(|b| b.strip_suffix('"'))
                .unwrap_or(b),
        )
    }
}

impl<'a, S: Text<'a>> MediaType<S> {
    /// Parses `type/subtype;params` into either form.
    fn parse(header: HeaderName, value: &'a str) -> Result<Self, HeaderError> {
        let (kind, rest) = leading_token(value);
        let rest = rest
            .trim_ascii_start()
            .strip_prefix('/')
            .ok_or(HeaderError::malformed(header, "expected type/subtype"))?;
        let (subtype, params) = leading_token(rest.trim_ascii_start());
        if kind.is_empty() || subtype.is_empty() {
            return Err(HeaderError::malformed(header, "expected type/subtype"));
        }
        Ok(Self {
            kind: S::found(kind),
            subtype: S::found(subtype),
            params: header_params(header, params)?,
        })
    }
}

impl<S: AsRef<str>> fmt::Display for MediaType<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}{}",
            self.kind.as_ref(),
            self.subtype.as_ref(),
            self.params
        )
    }
}

/// `Content-Type` / `c` (RFC 3261 §20.15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType<S: AsRef<str> = SmolStr>(pub MediaType<S>);

/// A [`ContentType`] read in place, borrowing the message's text.
pub type ContentTypeRef<'a> = ContentType<Cow<'a, str>>;

impl ContentType {
    /// `application/sdp`.
    pub fn sdp() -> Self {
        Self(MediaType::sdp())
    }
}

impl<S: AsRef<str>> ContentType<S> {
    /// The owned form, the text copied.
    pub fn into_owned(self) -> ContentType {
        ContentType(self.0.into_owned())
    }
}

impl<'a, S: Text<'a>> TypedHeader<'a> for ContentType<S> {
    const NAME: HeaderName = HeaderName::CONTENT_TYPE;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        MediaType::parse(Self::NAME, value).map(Self)
    }
}

impl<S: AsRef<str>> fmt::Display for ContentType<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// `Accept` (RFC 3261 §20.1): acceptable media ranges, possibly none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Accept(pub Vec<MediaType>);

impl Accept {
    /// Whether any range covers `kind/subtype`.
    pub fn accepts(&self, kind: &str, subtype: &str) -> bool {
        self.0.iter().any(|m| m.covers(kind, subtype))
    }
}

impl TypedHeader<'_> for Accept {
    const NAME: HeaderName = HeaderName::ACCEPT;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        if value.is_empty() {
            return Ok(Self::default());
        }
        split_list(value)
            .map(|m| MediaType::parse(Self::NAME, m))
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl fmt::Display for Accept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

/// `token *(;param)`: the shape of `Event` and `Subscription-State`.
fn token_and_params<'a, S: Text<'a>>(
    header: HeaderName,
    value: &'a str,
) -> Result<(&'a str, Params<S>), HeaderError> {
    let (token, params) = leading_token(value);
    if token.is_empty() {
        return Err(HeaderError::malformed(header, "missing token"));
    }
    Ok((token, header_params(header, params)?))
}

/// `Event` / `o` (RFC 6665 §8.2.1): event package and `id`. `S` holds the
/// text (see [`crate::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<S: AsRef<str> = SmolStr> {
    /// Package name, with template (`presence`, `refer`, `dialog`).
    pub package: S,
    /// Parameters, among them `id`.
    pub params: Params<S>,
}

/// An [`Event`] read in place, borrowing the message's text.
pub type EventRef<'a> = Event<Cow<'a, str>>;

impl Event {
    /// An event package without parameters.
    pub fn new(package: &str) -> Self {
        Self {
            package: SmolStr::new(package),
            params: Params::new(),
        }
    }
}

impl<S: AsRef<str>> Event<S> {
    /// The `id` parameter.
    pub fn id(&self) -> Option<&str> {
        self.params.get("id").flatten()
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> Event {
        Event {
            package: SmolStr::new(self.package.as_ref()),
            params: self.params.into_owned(),
        }
    }
}

impl<'a, S: Text<'a>> TypedHeader<'a> for Event<S> {
    const NAME: HeaderName = HeaderName::EVENT;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        token_and_params(Self::NAME, value).map(|(package, params)| Event {
            package: S::found(package),
            params,
        })
    }
}

impl<S: AsRef<str>> fmt::Display for Event<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.package.as_ref(), self.params)
    }
}

/// `Subscription-State` (RFC 6665 §8.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionState {
    /// `active`, `pending`, `terminated` or an extension.
    pub state: String,
    /// Parameters (`expires`, `reason`, `retry-after`).
    pub params: Params,
}

impl SubscriptionState {
    /// The `expires` parameter.
    pub fn expires(&self) -> Option<u32> {
        self.params.get("expires")?.and_then(|e| e.parse().ok())
    }

    /// The `reason` parameter.
    pub fn reason(&self) -> Option<&str> {
        self.params.get("reason").flatten()
    }

    /// Whether the state is `terminated`.
    pub fn is_terminated(&self) -> bool {
        self.state.eq_ignore_ascii_case("terminated")
    }
}

impl TypedHeader<'_> for SubscriptionState {
    const NAME: HeaderName = HeaderName::SUBSCRIPTION_STATE;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        token_and_params(Self::NAME, value).map(|(state, params)| Self {
            state: state.to_owned(),
            params,
        })
    }
}

impl fmt::Display for SubscriptionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.state, self.params)
    }
}

/// One `Reason` value (RFC 3326 §2): `SIP;cause=200;text="Call completed elsewhere"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// `SIP`, `Q.850` or another protocol token.
    pub protocol: String,
    /// Parameters (`cause`, `text`).
    pub params: Params,
}

impl Reason {
    /// The `cause` parameter.
    pub fn cause(&self) -> Option<u16> {
        self.params.get("cause")?.and_then(|c| c.parse().ok())
    }

    /// The `text` parameter, unquoted.
    pub fn text(&self) -> Option<String> {
        let raw = self.params.get("text")??;
        take_quoted(raw)
            .map(|(t, _)| t.into_owned())
            .or_else(|| Some(raw.to_owned()))
    }
}

impl TypedHeader<'_> for Reason {
    const NAME: HeaderName = HeaderName::REASON;
    const LIST: bool = true;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        token_and_params(Self::NAME, value).map(|(protocol, params)| Self {
            protocol: protocol.to_owned(),
            params,
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.protocol, self.params)
    }
}

/// One `Warning` value (RFC 3261 §20.43): `code agent "text"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Three-digit warning code.
    pub code: u16,
    /// The warning agent (`host[:port]` or pseudonym).
    pub agent: String,
    /// The warning text, unquoted.
    pub text: String,
}

impl TypedHeader<'_> for Warning {
    const NAME: HeaderName = HeaderName::WARNING;
    const LIST: bool = true;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let bad = |reason| HeaderError::malformed(Self::NAME, reason);
        let (code, rest) = value
            .split_once(' ')
            .ok_or(bad("expected code, agent and text"))?;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("code is not three digits"));
        }
        let (agent, text) = rest
            .trim_start()
            .split_once(' ')
            .ok_or(bad("expected code, agent and text"))?;
        let (text, tail) =
            take_quoted(text.trim_start()).ok_or(bad("text is not a quoted string"))?;
        if agent.is_empty() || !tail.trim().is_empty() {
            return Err(bad("expected code, agent and text"));
        }
        Ok(Self {
            code: code.parse().map_err(|_| bad("code is not three digits"))?,
            agent: agent.to_owned(),
            text: text.into_owned(),
        })
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03} {} ", self.code, self.agent)?;
        write_quoted(f, &self.text)
    }
}

/// One `Call-Info` value (RFC 3261 §20.9): `<uri>;purpose=icon`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    /// The information's URI.
    pub uri: Uri,
    /// Parameters, among them `purpose`.
    pub params: Params,
}

impl CallInfo {
    /// The `purpose` parameter.
    pub fn purpose(&self) -> Option<&str> {
        self.params.get("purpose").flatten()
    }
}

impl TypedHeader<'_> for CallInfo {
    const NAME: HeaderName = HeaderName::CALL_INFO;
    const LIST: bool = true;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let bad = |reason| HeaderError::malformed(Self::NAME, reason);
        let inner = value
            .strip_prefix('<')
            .ok_or(bad("URI must be enclosed in <>"))?;
        let (uri, params) = inner
            .split_once('>')
            .ok_or(bad("URI must be enclosed in <>"))?;
        let uri = Uri::parse(uri).map_err(|_| bad("invalid URI"))?;
        Ok(Self {
            uri,
            params: header_params(Self::NAME, params)?,
        })
    }
}

impl fmt::Display for CallInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

/// `Replaces` (RFC 3891 §6.1): `call-id;to-tag=..;from-tag=..[;early-only]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaces {
    /// The Call-ID of the dialog to replace.
    pub call_id: CallId,
    /// Parameters (`to-tag`, `from-tag`, `early-only`).
    pub params: Params,
}

impl Replaces {
    /// The `to-tag` parameter.
    pub fn to_tag(&self) -> Option<&str> {
        self.params.get("to-tag").flatten()
    }

    /// The `from-tag` parameter.
    pub fn from_tag(&self) -> Option<&str> {
        self.params.get("from-tag").flatten()
    }

    /// Whether `early-only` is present.
    pub fn early_only(&self) -> bool {
        self.params.contains("early-only")
    }
}

impl TypedHeader<'_> for Replaces {
    const NAME: HeaderName = HeaderName::REPLACES;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let len = value.find([';', ' ', '\t']).unwrap_or(value.len());
        let (call_id, params) = value.split_at_checked(len).unwrap_or((value, ""));
        let call_id = CallId::parse(call_id)
            .map_err(|_| HeaderError::malformed(Self::NAME, "invalid Call-ID"))?;
        let params = header_params(Self::NAME, params)?;
        if params.get("to-tag").flatten().is_none() || params.get("from-tag").flatten().is_none() {
            return Err(HeaderError::malformed(
                Self::NAME,
                "to-tag and from-tag are required",
            ));
        }
        Ok(Self { call_id, params })
    }
}

impl fmt::Display for Replaces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.call_id.as_str(), self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn media_types() {
        let c: ContentType = assert_round_trip(
            "multipart/mixed;boundary=\"unique-boundary-1\"",
            "multipart/mixed;boundary=\"unique-boundary-1\"",
        );
        assert_eq!(c.0.boundary(), Some("unique-boundary-1"));
        assert!(
            <ContentType>::parse("application/sdp")
                .unwrap()
                .0
                .is("APPLICATION", "SDP")
        );
        assert!(<ContentType>::parse("application").is_err());
        let a: Accept = assert_round_trip(
            "application/sdp;q=0.9, text/*",
            "application/sdp;q=0.9, text/*",
        );
        assert!(a.accepts("text", "plain"));
        assert!(!a.accepts("application", "pidf+xml"));
        assert_eq!(assert_round_trip::<Accept>("", ""), Accept(vec![]));
    }

    #[test]
    fn events() {
        let e: Event = assert_round_trip("refer;id=93809824", "refer;id=93809824");
        assert_eq!(e.id(), Some("93809824"));
        let s: SubscriptionState = assert_round_trip(
            "terminated;reason=noresource",
            "terminated;reason=noresource",
        );
        assert!(s.is_terminated());
        assert_eq!(s.reason(), Some("noresource"));
        let s: SubscriptionState = assert_round_trip("active;expires=3600", "active;expires=3600");
        assert_eq!(s.expires(), Some(3600));
    }

    #[test]
    fn reason_warning_call_info_replaces() {
        let r: Reason = assert_round_trip(
            "SIP ;cause=200 ;text=\"Call completed elsewhere\"",
            "SIP;cause=200;text=\"Call completed elsewhere\"",
        );
        assert_eq!(r.cause(), Some(200));
        assert_eq!(r.text().as_deref(), Some("Call completed elsewhere"));
        let w: Warning = assert_round_trip(
            "307 isi.edu \"Session parameter 'foo' not understood\"",
            "307 isi.edu \"Session parameter 'foo' not understood\"",
        );
        assert_eq!(w.code, 307);
        assert!(Warning::parse("1812 overture \"In Progress\"").is_err());
        let c: CallInfo = assert_round_trip(
            "<http://wwww.example.com/alice/photo.jpg> ;purpose=icon",
            "<http://wwww.example.com/alice/photo.jpg>;purpose=icon",
        );
        assert_eq!(c.purpose(), Some("icon"));
        let r: Replaces = assert_round_trip(
            "425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only",
            "425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only",
        );
        assert_eq!(
            (r.to_tag(), r.from_tag(), r.early_only()),
            (Some("7743"), Some("6472"), true)
        );
        assert!(Replaces::parse("425928@bobster.example.org;to-tag=7743").is_err());
    }
}
