//! Token-list headers: `Allow`, `Supported`, `Require`, `Proxy-Require`,
//! `Unsupported` (RFC 3261 §20.5, §20.37, §20.32, §20.29, §20.40) and
//! `Allow-Events` (RFC 6665 §8.2.2). Each line holds a comma-separated list;
//! [`crate::headers::Headers::get_all`] yields one value per line.

use std::fmt;

use crate::headers::{HeaderError, HeaderName, TypedHeader, split_list};
use crate::message::Method;
use crate::syntax::is_token;

/// Parses a comma-separated token list; `allow_empty` for headers whose
/// grammar permits an empty value.
fn tokens(header: HeaderName, value: &str, allow_empty: bool) -> Result<Vec<String>, HeaderError> {
    if value.is_empty() {
        return if allow_empty {
            Ok(Vec::new())
        } else {
            Err(HeaderError::malformed(header, "empty list"))
        };
    }
    split_list(value)
        .map(|t| {
            if is_token(t) {
                Ok(t.to_owned())
            } else {
                Err(HeaderError::malformed(header, "list item is not a token"))
            }
        })
        .collect()
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

macro_rules! token_list {
    ($(#[$doc:meta])* $name:ident, $hname:expr, allow_empty = $empty:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name(pub Vec<String>);

        impl $name {
            /// Whether the list holds `token` (case-insensitive).
            pub fn contains(&self, token: &str) -> bool {
                self.0.iter().any(|t| t.eq_ignore_ascii_case(token))
            }
        }

        impl TypedHeader<'_> for $name {
            const NAME: HeaderName = $hname;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                tokens(Self::NAME, value, $empty).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_list(f, &self.0)
            }
        }
    };
}

token_list!(
    /// `Supported` / `k`: option tags this element supports.
    Supported, HeaderName::SUPPORTED, allow_empty = true
);
token_list!(
    /// `Require`: option tags the recipient must support.
    Require, HeaderName::REQUIRE, allow_empty = false
);
token_list!(
    /// `Proxy-Require`: option tags proxies must support.
    ProxyRequire, HeaderName::PROXY_REQUIRE, allow_empty = false
);
token_list!(
    /// `Unsupported`: option tags the sender does not support.
    Unsupported, HeaderName::UNSUPPORTED, allow_empty = false
);
token_list!(
    /// `Allow-Events` / `u`: event packages the sender accepts.
    AllowEvents, HeaderName::ALLOW_EVENTS, allow_empty = false
);

/// `Allow`: methods the sender supports (possibly none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allow(pub Vec<Method>);

impl Allow {
    /// Whether `method` is allowed.
    pub fn contains(&self, method: &Method) -> bool {
        self.0.contains(method)
    }
}

impl TypedHeader<'_> for Allow {
    const NAME: HeaderName = HeaderName::ALLOW;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let names = tokens(Self::NAME, value, true)?;
        Ok(Self(names.iter().filter_map(|n| n.parse().ok()).collect()))
    }
}

impl fmt::Display for Allow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn token_lists_round_trip() {
        let a: Allow = assert_round_trip(
            "INVITE,ACK, BYE ,CANCEL,OPTIONS",
            "INVITE, ACK, BYE, CANCEL, OPTIONS",
        );
        assert!(a.contains(&Method::Bye));
        let s: Supported = assert_round_trip("path, outbound,gruu", "path, outbound, gruu");
        assert!(s.contains("OUTBOUND"));
        assert_eq!(assert_round_trip::<Supported>("", ""), Supported(vec![]));
        assert_round_trip::<Require>("100rel", "100rel");
        assert_round_trip::<ProxyRequire>("noextension", "noextension");
        assert_round_trip::<Unsupported>("foo, bar", "foo, bar");
        assert_round_trip::<AllowEvents>("talk, hold, refer, dialog", "talk, hold, refer, dialog");
        assert!(Require::parse("").is_err());
        assert!(Supported::parse("a,,b").is_err());
        assert!(Supported::parse("a b").is_err());
    }
}
