//! Single-valued headers: identifiers, numbers, dates and product strings
//! (RFC 3261 §8.1.1, §20; RFC 3262 `RSeq`/`RAck`; RFC 4028 session timers),
//! and the `Tag` and `Branch` newtypes (RFC 3261 §19.3, §8.1.1.7).

use std::borrow::Cow;
use std::fmt;

use smol_str::SmolStr;

use super::{display_inner, header_params};
use crate::headers::{HeaderError, HeaderName, TypedHeader};
use crate::message::Method;
use crate::params::Params;
use crate::syntax::{is_word_byte, parse_decimal};
use crate::text::Text;

/// Largest `CSeq` and `RSeq` number (RFC 3261 §8.1.1.5: below 2**31).
const MAX_SEQ: u64 = (1 << 31) - 1;

/// A dialog tag (RFC 3261 §19.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

/// A transaction branch (RFC 3261 §8.1.1.7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Branch(String);

impl Tag {
    /// A tag from caller-supplied randomness (at least 32 random bits, RFC
    /// 3261 §19.3), as lower-case hex.
    pub fn from_random(random: u64) -> Self {
        Self(format!("{random:016x}"))
    }

    /// The tag text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Branch {
    /// The RFC 3261 §8.1.1.7 magic cookie that starts every branch it issues.
    pub const MAGIC_COOKIE: &'static str = "z9hG4bK";

    /// A branch from caller-supplied randomness: the magic cookie and 32 hex
    /// digits.
    pub fn from_random(random: u128) -> Self {
        Self(format!("{}{random:032x}", Self::MAGIC_COOKIE))
    }

    /// Whether `branch` is the magic cookie followed by an identifier, i.e.
    /// usable for RFC 3261 §17.2.3 matching. A bare cookie falls back to RFC
    /// 2543 matching (RFC 4475 §3.2.1).
    pub fn is_rfc3261(branch: &str) -> bool {
        branch.len() > Self::MAGIC_COOKIE.len() && branch.starts_with(Self::MAGIC_COOKIE)
    }

    /// The branch text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::convert::From<&str> for Tag {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl std::convert::From<&str> for Branch {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

display_inner!(Tag, Branch);

/// `Call-ID` / `i` (RFC 3261 §20.8): `word ["@" word]`.
///
/// `S` holds the text (see [`crate::text`]): a `CallId` owns it (inline up
/// to 23 bytes), a [`CallIdRef`] borrows it from the message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId<S: AsRef<str> = SmolStr>(S);

/// A [`CallId`] read in place, borrowing the message's text.
pub type CallIdRef<'a> = CallId<Cow<'a, str>>;

impl CallId {
    /// A Call-ID from caller-supplied randomness, as hex.
    pub fn from_random(random: u128) -> Self {
        Self(smol_str::format_smolstr!("{random:032x}"))
    }
}

impl<S: AsRef<str>> CallId<S> {
    /// The Call-ID text.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> CallId {
        CallId(SmolStr::new(self.as_str()))
    }
}

impl<S: AsRef<str>> fmt::Display for CallId<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a, S: Text<'a>> TypedHeader<'a> for CallId<S> {
    const NAME: HeaderName = HeaderName::CALL_ID;
    /// `word ["@" word]`, checked in one pass.
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let bytes = value.as_bytes();
        let left = bytes.iter().take_while(|&&b| is_word_byte(b)).count();
        let ok = left > 0
            && match bytes.get(left) {
                None => true,
                Some(b'@') => {
                    let right = bytes.get(left + 1..).unwrap_or_default();
                    !right.is_empty() && right.iter().all(|&b| is_word_byte(b))
                }
                Some(_) => false,
            };
        if ok {
            Ok(CallId(S::found(value)))
        } else {
            Err(HeaderError::malformed(Self::NAME, "not word[@word]"))
        }
    }
}

/// `CSeq` (RFC 3261 §20.16).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CSeq {
    /// Sequence number, below 2**31.
    pub seq: u32,
    /// Method of the request.
    pub method: Method,
}

impl TypedHeader<'_> for CSeq {
    const NAME: HeaderName = HeaderName::CSEQ;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let space =
            value
                .bytes()
                .position(|b| b == b' ' || b == b'\t')
                .ok_or(HeaderError::malformed(
                    Self::NAME,
                    "expected number and method",
                ))?;
        let number = value.get(..space).unwrap_or("");
        let method = value.get(space + 1..).unwrap_or("");
        let seq = parse_seq(Self::NAME, number, "sequence number")?;
        let method = method
            .trim_ascii()
            .parse()
            .map_err(|_| HeaderError::malformed(Self::NAME, "method is not a token"))?;
        Ok(Self { seq, method })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

fn parse_seq(header: HeaderName, text: &str, what: &'static str) -> Result<u32, HeaderError> {
    parse_decimal(text, MAX_SEQ)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            if is_number(text) {
                HeaderError::out_of_range(header, what)
            } else {
                HeaderError::malformed(header, "sequence number is not a number")
            }
        })
}

/// Parses `1*DIGIT` up to `max`, naming `header` in errors.
fn number(header: HeaderName, text: &str, max: u64) -> Result<u64, HeaderError> {
    parse_decimal(text, max).ok_or_else(|| {
        if is_number(text) {
            HeaderError::out_of_range(header, "value")
        } else {
            HeaderError::malformed(header, "not a number")
        }
    })
}

/// Whether `text` is one or more digits (of any size): what tells a
/// number too large from text that is no number.
fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

macro_rules! number_header {
    ($(#[$doc:meta])* $name:ident($t:ty), $hname:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $t);

        impl TypedHeader<'_> for $name {
            const NAME: HeaderName = $hname;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                let n = number(Self::NAME, value, <$t>::MAX as u64)?;
                <$t>::try_from(n).map(Self).map_err(|_| HeaderError::out_of_range(Self::NAME, "value"))
            }
        }

        display_inner!($name);
    };
}

number_header!(
    /// `Max-Forwards` (RFC 3261 §20.22): 0 to 255.
    MaxForwards(u8), HeaderName::MAX_FORWARDS
);
number_header!(
    /// `Content-Length` / `l` (RFC 3261 §20.14).
    ContentLength(usize), HeaderName::CONTENT_LENGTH
);
number_header!(
    /// `Expires` (RFC 3261 §20.19): delta-seconds up to 2**32-1.
    Expires(u32), HeaderName::EXPIRES
);
number_header!(
    /// `Min-Expires` (RFC 3261 §20.23).
    MinExpires(u32), HeaderName::MIN_EXPIRES
);

/// `RSeq` (RFC 3262 §7.1): 1 to 2**31-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RSeq(pub u32);

impl TypedHeader<'_> for RSeq {
    const NAME: HeaderName = HeaderName::RSEQ;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        parse_seq(Self::NAME, value, "response number").map(Self)
    }
}

display_inner!(RSeq);

/// `RAck` (RFC 3262 §7.2): `response-num CSeq-num method`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RAck {
    /// The `RSeq` being acknowledged.
    pub rseq: u32,
    /// The `CSeq` number of the acknowledged response.
    pub cseq: u32,
    /// The `CSeq` method of the acknowledged response.
    pub method: Method,
}

impl TypedHeader<'_> for RAck {
    const NAME: HeaderName = HeaderName::RACK;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut parts = value.split_ascii_whitespace();
        let (Some(rseq), Some(cseq), Some(method), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(HeaderError::malformed(
                Self::NAME,
                "expected response number, CSeq number and method",
            ));
        };
        Ok(Self {
            rseq: parse_seq(Self::NAME, rseq, "response number")?,
            cseq: parse_seq(Self::NAME, cseq, "CSeq number")?,
            method: method
                .parse()
                .map_err(|_| HeaderError::malformed(Self::NAME, "method is not a token"))?,
        })
    }
}

impl fmt::Display for RAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.rseq, self.cseq, self.method)
    }
}

/// Splits `delta-seconds *(;param)` for session-timer headers.
fn delta_and_params<'a, S: Text<'a>>(
    header: HeaderName,
    value: &'a str,
) -> Result<(u32, Params<S>), HeaderError> {
    let len = value
        .bytes()
        .position(|b| matches!(b, b';' | b' ' | b'\t'))
        .unwrap_or(value.len());
    let (delta, params) = value.split_at_checked(len).unwrap_or((value, ""));
    let delta = number(header, delta, u64::from(u32::MAX))?;
    let delta = u32::try_from(delta).map_err(|_| HeaderError::out_of_range(header, "value"))?;
    Ok((delta, header_params(header, params)?))
}

/// `Session-Expires` / `x` (RFC 4028 §4): interval and `refresher`.
///
/// `S` holds the parameters' text (see [`crate::text`]): a `SessionExpires`
/// owns it, a [`SessionExpiresRef`] borrows it from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionExpires<S: AsRef<str> = SmolStr> {
    /// Session interval in seconds.
    pub delta: u32,
    /// Parameters, among them `refresher=uac|uas`.
    pub params: Params<S>,
}

/// A [`SessionExpires`] read in place, borrowing the message's text.
pub type SessionExpiresRef<'a> = SessionExpires<Cow<'a, str>>;

impl<S: AsRef<str>> SessionExpires<S> {
    /// The `refresher` parameter (`uac` or `uas`).
    pub fn refresher(&self) -> Option<&str> {
        self.params.get("refresher").flatten()
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> SessionExpires {
        SessionExpires {
            delta: self.delta,
            params: self.params.into_owned(),
        }
    }
}

impl<'a, S: Text<'a>> TypedHeader<'a> for SessionExpires<S> {
    const NAME: HeaderName = HeaderName::SESSION_EXPIRES;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (delta, params) = delta_and_params(Self::NAME, value)?;
        Ok(Self { delta, params })
    }
}

impl<S: AsRef<str>> fmt::Display for SessionExpires<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.delta, self.params)
    }
}

/// `Min-SE` (RFC 4028 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinSe {
    /// Minimum session interval in seconds.
    pub delta: u32,
    /// Extension parameters.
    pub params: Params,
}

impl TypedHeader<'_> for MinSe {
    const NAME: HeaderName = HeaderName::MIN_SE;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let (delta, params) = delta_and_params(Self::NAME, value)?;
        Ok(Self { delta, params })
    }
}

impl fmt::Display for MinSe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.delta, self.params)
    }
}

/// `Retry-After` (RFC 3261 §20.33): `delta-seconds [comment] *(;param)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryAfter {
    /// Seconds to wait.
    pub delta: u32,
    /// The comment, without its parentheses.
    pub comment: Option<String>,
    /// Parameters, among them `duration`.
    pub params: Params,
}

impl TypedHeader<'_> for RetryAfter {
    const NAME: HeaderName = HeaderName::RETRY_AFTER;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let len = value.find([';', ' ', '\t', '(']).unwrap_or(value.len());
        let (delta, rest) = value.split_at_checked(len).unwrap_or((value, ""));
        let delta = number(Self::NAME, delta, u64::from(u32::MAX))?;
        let delta =
            u32::try_from(delta).map_err(|_| HeaderError::out_of_range(Self::NAME, "value"))?;
        let rest = rest.trim_start();
        let (comment, params) = match rest.strip_prefix('(') {
            Some(c) => {
                let close = c
                    .rfind(')')
                    .ok_or(HeaderError::malformed(Self::NAME, "unterminated comment"))?;
                (
                    Some(c.get(..close).unwrap_or("").to_owned()),
                    c.get(close + 1..).unwrap_or(""),
                )
            }
            None => (None, rest),
        };
        Ok(Self {
            delta,
            comment,
            params: header_params(Self::NAME, params)?,
        })
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.delta)?;
        if let Some(comment) = &self.comment {
            write!(f, " ({comment})")?;
        }
        write!(f, "{}", self.params)
    }
}

/// `Date` (RFC 3261 §20.17): an RFC 1123 date, always in GMT
/// (`Sat, 13 Nov 2010 23:29:00 GMT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date(String);

impl Date {
    /// The date text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TypedHeader<'_> for Date {
    const NAME: HeaderName = HeaderName::DATE;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        if is_rfc1123_gmt(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(HeaderError::malformed(
                Self::NAME,
                "not an RFC 1123 date in GMT",
            ))
        }
    }
}

display_inner!(Date);

/// `wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"`.
fn is_rfc1123_gmt(value: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut parts = value.split(' ');
    let (Some(day), Some(date), Some(month), Some(year), Some(time), Some(zone), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let time_ok = {
        let mut t = time.split(':');
        matches!((t.next(), t.next(), t.next(), t.next()), (Some(h), Some(m), Some(s), None) if digits(h, 2) && digits(m, 2) && digits(s, 2))
    };
    day.strip_suffix(',').is_some_and(|d| DAYS.contains(&d))
        && digits(date, 2)
        && MONTHS.contains(&month)
        && digits(year, 4)
        && time_ok
        && zone == "GMT"
}

macro_rules! text_header {
    ($(#[$doc:meta])* $name:ident, $hname:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl TypedHeader<'_> for $name {
            const NAME: HeaderName = $hname;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                if value.is_empty() || value.chars().any(char::is_control) {
                    return Err(HeaderError::malformed(Self::NAME, "empty or has control characters"));
                }
                Ok(Self(value.to_owned()))
            }
        }

        display_inner!($name);
    };
}

text_header!(
    /// `User-Agent` (RFC 3261 §20.41): product tokens and comments, as text.
    UserAgent, HeaderName::USER_AGENT
);
text_header!(
    /// `Server` (RFC 3261 §20.35): product tokens and comments, as text.
    Server, HeaderName::SERVER
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn call_id_cseq_round_trip() {
        assert_round_trip::<CallId>(
            "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com",
            "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com",
        );
        assert!(<CallId>::parse("a b").is_err());
        assert!(<CallId>::parse("a@").is_err());
        assert!(<CallId>::parse("@b").is_err());
        assert!(<CallId>::parse("").is_err());
        assert!(<CallId>::parse("a@b@c").is_err());
        assert!(<CallId>::parse("a,b").is_err());
        // Longer than the inline capacity: held on the heap, read the same.
        let long = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@[2001:db8::1]:5060";
        assert_eq!(
            <CallId>::parse(long).map(|c| c.as_str().to_owned()),
            Ok(long.to_owned())
        );
        assert_eq!(
            <CallId>::parse("<a>:{b}@\"c\"").map(|c| c.to_string()),
            Ok("<a>:{b}@\"c\"".to_owned())
        );
        let c: CSeq = assert_round_trip("0009 INVITE", "9 INVITE");
        assert_eq!(
            c,
            CSeq {
                seq: 9,
                method: Method::Invite
            }
        );
        assert_eq!(
            CSeq::parse("36893488147419103232 INVITE"),
            Err(HeaderError::out_of_range(
                HeaderName::CSEQ,
                "sequence number"
            ))
        );
        assert!(CSeq::parse("2147483648 INVITE").is_err());
        assert!(CSeq::parse("1 IN VITE").is_err());
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(
            assert_round_trip::<MaxForwards>("0068", "68"),
            MaxForwards(68)
        );
        assert!(MaxForwards::parse("300").is_err());
        assert_eq!(assert_round_trip::<Expires>("3600", "3600"), Expires(3600));
        assert!(Expires::parse("10000000000000").is_err());
        assert_round_trip::<MinExpires>("60", "60");
        assert_round_trip::<ContentLength>("150", "150");
        assert!(ContentLength::parse("-1").is_err());
        assert_round_trip::<RSeq>("988789", "988789");
        let r: RAck = assert_round_trip("776656 1 INVITE", "776656 1 INVITE");
        assert_eq!(r.method, Method::Invite);
    }

    #[test]
    fn timers_and_retry_after() {
        let s: SessionExpires = assert_round_trip("1800 ; refresher = uac", "1800;refresher=uac");
        assert_eq!(s.refresher(), Some("uac"));
        // Read in place, the parameters are the value's own text.
        let value = "90;refresher=uas";
        let view = SessionExpiresRef::parse(value).unwrap();
        let text = value.as_bytes().as_ptr_range();
        assert!(text.contains(&view.params.as_str().as_ptr()));
        assert_eq!((view.delta, view.refresher()), (90, Some("uas")));
        assert_eq!(view.into_owned(), SessionExpires::parse(value).unwrap());
        assert_round_trip::<MinSe>("90", "90");
        let r: RetryAfter = assert_round_trip(
            "18000 (in a meeting) ;duration=3600",
            "18000 (in a meeting);duration=3600",
        );
        assert_eq!(r.comment.as_deref(), Some("in a meeting"));
        assert!(RetryAfter::parse("949302838503028349304023988").is_err());
    }

    #[test]
    fn dates_must_be_gmt() {
        assert_round_trip::<Date>(
            "Sat, 13 Nov 2010 23:29:00 GMT",
            "Sat, 13 Nov 2010 23:29:00 GMT",
        );
        assert!(Date::parse("Fri, 01 Jan 2010 16:00:00 EST").is_err());
    }

    #[test]
    fn product_text_and_ids() {
        assert_round_trip::<UserAgent>("Vani/0.1 (browser)", "Vani/0.1 (browser)");
        assert_round_trip::<Server>(
            "Kamailio (5.6.3 (x86_64/linux))",
            "Kamailio (5.6.3 (x86_64/linux))",
        );
        assert_eq!(Tag::from_random(0x1f).as_str(), "000000000000001f");
        assert!(Branch::is_rfc3261(Branch::from_random(7).as_str()));
        assert!(!Branch::is_rfc3261("390skdjuw"));
        assert_eq!(CallId::from_random(1).as_str().len(), 32);
    }
}
