//! Address headers: `From`, `To` (RFC 3261 §20.20, §20.39), `Contact`
//! (§20.10, RFC 5626 `+sip.instance`/`reg-id`/`ob`), `Route`,
//! `Record-Route` (§20.34, §20.30), `Path` (RFC 3327), `Service-Route`
//! (RFC 3608), `P-Asserted-Identity` (RFC 3325), `Refer-To` (RFC 3515) and
//! `Referred-By` (RFC 3892).

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};

use smol_str::SmolStr;

use super::Tag;
use crate::headers::{HeaderError, HeaderName, TypedHeader};
use crate::name_addr::NameAddr;
use crate::syntax::parse_decimal;
use crate::text::Text;

fn parse_addr<'a, S: Text<'a>>(
    header: HeaderName,
    value: &'a str,
) -> Result<NameAddr<S>, HeaderError> {
    NameAddr::parse_as(value).map_err(|e| HeaderError::malformed(header, e.reason()))
}

/// An address header `$name` (owning its text) and `$view`, the same read
/// in place (see [`crate::text`]).
macro_rules! address_header {
    ($(#[$doc:meta])* $name:ident, $view:ident, $hname:expr, list = $list:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name<S: AsRef<str> = SmolStr>(pub NameAddr<S>);

        #[doc = concat!("A [`", stringify!($name), "`] read in place, borrowing the message's text.")]
        pub type $view<'a> = $name<Cow<'a, str>>;

        impl<'a, S: Text<'a>> TypedHeader<'a> for $name<S> {
            const NAME: HeaderName = $hname;
            const LIST: bool = $list;
            // An address with a comma outside quotes and `<>` is refused.
            const REFUSES_COMMAS: bool = $list;
            fn parse(value: &'a str) -> Result<Self, HeaderError> {
                parse_addr(Self::NAME, value).map(Self)
            }
        }

        impl<S: AsRef<str>> $name<S> {
            /// The owned form, the text copied.
            pub fn into_owned(self) -> $name {
                $name(self.0.into_owned())
            }
        }

        impl<S: AsRef<str>> Deref for $name<S> {
            type Target = NameAddr<S>;
            fn deref(&self) -> &NameAddr<S> {
                &self.0
            }
        }

        impl<S: AsRef<str>> DerefMut for $name<S> {
            fn deref_mut(&mut self) -> &mut NameAddr<S> {
                &mut self.0
            }
        }

        impl<S: AsRef<str>> fmt::Display for $name<S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

address_header!(
    /// `From` / `f`: the request's originator, with its tag.
    From, FromRef, HeaderName::FROM, list = false
);
address_header!(
    /// `To` / `t`: the request's logical recipient, with the dialog's remote tag.
    To, ToRef, HeaderName::TO, list = false
);
address_header!(
    /// One `Route` value.
    Route, RouteRef, HeaderName::ROUTE, list = true
);
address_header!(
    /// One `Record-Route` value.
    RecordRoute, RecordRouteRef, HeaderName::RECORD_ROUTE, list = true
);
address_header!(
    /// One `Path` value (RFC 3327).
    Path, PathRef, HeaderName::PATH, list = true
);
address_header!(
    /// One `Service-Route` value (RFC 3608).
    ServiceRoute, ServiceRouteRef, HeaderName::SERVICE_ROUTE, list = true
);
address_header!(
    /// One `P-Asserted-Identity` value (RFC 3325).
    PAssertedIdentity, PAssertedIdentityRef, HeaderName::P_ASSERTED_IDENTITY, list = true
);
address_header!(
    /// `Refer-To` / `r` (RFC 3515 §2.1).
    ReferTo, ReferToRef, HeaderName::REFER_TO, list = false
);
address_header!(
    /// `Referred-By` / `b` (RFC 3892 §3).
    ReferredBy, ReferredByRef, HeaderName::REFERRED_BY, list = false
);

impl From {
    /// A `From` with a tag (RFC 3261 §8.1.1.3).
    pub fn new(mut addr: NameAddr, tag: &Tag) -> Self {
        addr.params.set("tag", Some(tag.as_str()));
        Self(addr)
    }
}

impl To {
    /// A `To` without a tag (a request outside a dialog).
    pub fn new(addr: NameAddr) -> Self {
        Self(addr)
    }

    /// Sets the tag (RFC 3261 §8.2.6.2).
    pub fn set_tag(&mut self, tag: &Tag) {
        self.0.params.set("tag", Some(tag.as_str()));
    }
}

/// One `Contact` / `m` value: `*` or an address (RFC 3261 §20.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact<S: AsRef<str> = SmolStr> {
    /// `*`, for removing every binding in a REGISTER (RFC 3261 §10.2.2).
    Wildcard,
    /// An address with its parameters.
    Address(NameAddr<S>),
}

/// A [`Contact`] read in place, borrowing the message's text.
pub type ContactRef<'a> = Contact<Cow<'a, str>>;

impl<S: AsRef<str>> Contact<S> {
    /// The owned form, the text copied.
    pub fn into_owned(self) -> Contact {
        match self {
            Contact::Wildcard => Contact::Wildcard,
            Contact::Address(a) => Contact::Address(a.into_owned()),
        }
    }

    /// The address, unless this is `*`.
    pub fn address(&self) -> Option<&NameAddr<S>> {
        match self {
            Contact::Wildcard => None,
            Contact::Address(a) => Some(a),
        }
    }

    /// The `expires` parameter in seconds.
    pub fn expires(&self) -> Option<u32> {
        let value = self.address()?.params.get("expires")??;
        parse_decimal(value, u64::from(u32::MAX)).and_then(|n| u32::try_from(n).ok())
    }

    /// The `q` parameter, 0.0 to 1.0.
    pub fn q(&self) -> Option<f32> {
        self.address()?
            .params
            .get("q")?
            .and_then(|q| q.parse().ok())
    }

    /// The `+sip.instance` parameter without its quotes and angle brackets
    /// (RFC 5626 §4.1), e.g. `urn:uuid:...`.
    pub fn instance(&self) -> Option<&str> {
        let raw = self.address()?.params.get("+sip.instance")??;
        let unquoted = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        Some(
            unquoted
                .strip_prefix('<')
                .and_then(|r| r.strip_suffix('>'))
                .unwrap_or(unquoted),
        )
    }

    /// The `reg-id` parameter (RFC 5626 §4.2).
    pub fn reg_id(&self) -> Option<u32> {
        self.address()?
            .params
            .get("reg-id")?
            .and_then(|r| r.parse().ok())
    }

    /// Whether the URI carries `ob` (RFC 5626 §5.4: outbound flow).
    pub fn is_outbound(&self) -> bool {
        self.address().is_some_and(|a| a.uri.param("ob").is_some())
    }

    /// The URI's `transport` parameter.
    pub fn transport(&self) -> Option<&str> {
        self.address()?.uri.transport()
    }
}

/// `qvalue` (RFC 3261 §25.1): `0[.ddd]` or `1[.000]`.
fn is_qvalue(q: &str) -> bool {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    let frac_ok = frac.len() <= 3 && frac.bytes().all(|b| b.is_ascii_digit());
    match int {
        "0" => frac_ok,
        "1" => frac_ok && frac.bytes().all(|b| b == b'0'),
        _ => false,
    }
}

impl<'a, S: Text<'a>> TypedHeader<'a> for Contact<S> {
    const NAME: HeaderName = HeaderName::CONTACT;
    const LIST: bool = true;
    // `*` and addresses: a comma outside quotes and `<>` is refused.
    const REFUSES_COMMAS: bool = true;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        if value == "*" {
            return Ok(Contact::Wildcard);
        }
        // The first `expires` and the first `q` count, as `Params::get`
        // reads them; they are noted while the parameters are parsed.
        let mut expires = None;
        let mut q = None;
        let addr = NameAddr::parse_visiting(value, |name, value| {
            if expires.is_none() && name.eq_ignore_ascii_case("expires") {
                expires = Some(value);
            } else if q.is_none() && name.eq_ignore_ascii_case("q") {
                q = Some(value);
            }
        })
        .map_err(|e| HeaderError::malformed(Self::NAME, e.reason()))?;
        if let Some(expires) = expires {
            let ok = expires.is_some_and(|e| parse_decimal(e, u64::from(u32::MAX)).is_some());
            if !ok {
                return Err(HeaderError::out_of_range(Self::NAME, "expires"));
            }
        }
        if let Some(q) = q {
            if !q.is_some_and(is_qvalue) {
                return Err(HeaderError::malformed(Self::NAME, "q is not a qvalue"));
            }
        }
        Ok(Contact::Address(addr))
    }
}

impl<S: AsRef<str>> fmt::Display for Contact<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contact::Wildcard => f.write_str("*"),
            Contact::Address(a) => write!(f, "{a}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;
    use crate::headers::Headers;

    #[test]
    fn from_to_tags() {
        let f: From = assert_round_trip(
            "\"Alice\" <sip:alice@atlanta.com>;tag=1928301774",
            "\"Alice\" <sip:alice@atlanta.com>;tag=1928301774",
        );
        assert_eq!(f.tag(), Some("1928301774"));
        let mut t: To = assert_round_trip("sip:bob@biloxi.com", "<sip:bob@biloxi.com>");
        assert_eq!(t.tag(), None);
        t.set_tag(&Tag::from("a6c85cf"));
        assert_eq!(t.to_string(), "<sip:bob@biloxi.com>;tag=a6c85cf");
        assert!(<From>::parse("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").is_err());
    }

    #[test]
    fn contact_params_rfc5626() {
        let c: Contact = assert_round_trip(
            "<sip:u@h.invalid;transport=ws;ob>;expires=600;q=0.7;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1",
            "<sip:u@h.invalid;transport=ws;ob>;expires=600;q=0.7;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1",
        );
        assert_eq!(c.expires(), Some(600));
        assert_eq!(c.q(), Some(0.7));
        assert_eq!(
            c.instance(),
            Some("urn:uuid:00000000-0000-1000-8000-000A95A0E128")
        );
        assert_eq!(c.reg_id(), Some(1));
        assert!(c.is_outbound());
        assert_eq!(c.transport(), Some("ws"));
        assert_eq!(assert_round_trip::<Contact>("*", "*"), Contact::Wildcard);
        assert!(<Contact>::parse("<sip:a@b>;expires=280297596632815").is_err());
        assert!(<Contact>::parse("<sip:a@b>;q=2").is_err());
        // Whitespace around '=' (allowed, RFC 3261 §7.3.1): expires and q
        // are still read, and checked, from the whole parameter.
        for text in [
            "<sip:a@b>;expires =600;q= 0.5",
            "<sip:a@b>;expires\t=600;q=0.5",
            "<sip:a@b> ; expires = 600 ; q = 0.5",
            "<sip:a@b>;x=1;expires=600 ;q=0.5;expires=7",
        ] {
            let c = <Contact>::parse(text).unwrap();
            assert_eq!((c.expires(), c.q()), (Some(600), Some(0.5)), "{text}");
        }
        assert!(<Contact>::parse("<sip:a@b>;expires =x").is_err());
        assert!(<Contact>::parse("<sip:a@b>;q =7").is_err());
    }

    #[test]
    fn contact_list_is_split() {
        let mut h = Headers::new();
        h.push_raw("m", "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n newvalue ;\r\n  secondparam ; q = 0.33, <sip:b@c>").unwrap_err();
        h.push_raw(
            "m",
            "\"Q, \\\"x\" <sip:jdrosen@example.com>;q=0.33, <sip:b@c>",
        )
        .unwrap();
        let all: Vec<_> = h.get_all::<Contact>().collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].q(), Some(0.33));
    }

    #[test]
    fn routes_and_others_round_trip() {
        let r: Route = assert_round_trip("<sip:p1.example.com;lr>", "<sip:p1.example.com;lr>");
        assert!(r.uri.is_loose_route());
        assert_round_trip::<RecordRoute>(
            "<sip:p2.example.com;lr;transport=ws>",
            "<sip:p2.example.com;lr;transport=ws>",
        );
        assert_round_trip::<Path>("<sip:P3.EXAMPLEHOME.COM;lr>", "<sip:P3.EXAMPLEHOME.COM;lr>");
        assert_round_trip::<ServiceRoute>(
            "<sip:orig@scscf.example.com;lr>",
            "<sip:orig@scscf.example.com;lr>",
        );
        assert_round_trip::<PAssertedIdentity>(
            "\"Cullen Jennings\" <sip:fluffy@cisco.com>",
            "\"Cullen Jennings\" <sip:fluffy@cisco.com>",
        );
        let refer: ReferTo = assert_round_trip(
            "<sip:dave@denver.example.org?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>",
            "<sip:dave@denver.example.org?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>",
        );
        assert_eq!(refer.uri.headers().next().map(|(n, _)| n), Some("Replaces"));
        assert_round_trip::<ReferredBy>(
            "<sip:referrer@referrer.example>",
            "<sip:referrer@referrer.example>",
        );
    }
}
