//! The four authentication headers as [`TypedHeader`]s (RFC 3261 §20.7,
//! §20.27, §20.28, §20.44). Each wraps the [`Challenge`] or [`Credentials`]
//! it carries; none is a comma list, since a Digest value contains commas.

use std::borrow::Cow;
use std::fmt;

use super::{AuthError, Challenge, Credentials};
use crate::headers::{HeaderError, HeaderName, TypedHeader};
use crate::text::Text;

macro_rules! auth_header {
    ($(#[$doc:meta])* $ty:ident($inner:ty) = $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty(pub $inner);

        impl TypedHeader<'_> for $ty {
            const NAME: HeaderName = HeaderName::$name;

            fn parse(value: &str) -> Result<Self, HeaderError> {
                <$inner>::parse(value).map(Self).map_err(|e| header_error(Self::NAME, &e))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

/// A challenge header `$ty` (owning its text) and `$view`, the same read in
/// place (see [`crate::text`]).
macro_rules! challenge_header {
    ($(#[$doc:meta])* $ty:ident, $view:ident = $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty<S: AsRef<str> = String>(pub Challenge<S>);

        #[doc = concat!("A [`", stringify!($ty), "`] read in place, borrowing the message's text.")]
        pub type $view<'a> = $ty<Cow<'a, str>>;

        impl<S: AsRef<str>> $ty<S> {
            /// The owned form, the text copied.
            pub fn into_owned(self) -> $ty {
                $ty(self.0.into_owned())
            }
        }

        impl<'a, S: Text<'a>> TypedHeader<'a> for $ty<S> {
            const NAME: HeaderName = HeaderName::$name;

            fn parse(value: &'a str) -> Result<Self, HeaderError> {
                Challenge::parse_as(value)
                    .map(Self)
                    .map_err(|e| header_error(Self::NAME, &e))
            }
        }

        impl<S: AsRef<str>> fmt::Display for $ty<S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

challenge_header! {
    /// `WWW-Authenticate`: a challenge in a 401.
    WwwAuthenticate, WwwAuthenticateRef = WWW_AUTHENTICATE
}
challenge_header! {
    /// `Proxy-Authenticate`: a challenge in a 407.
    ProxyAuthenticate, ProxyAuthenticateRef = PROXY_AUTHENTICATE
}
auth_header! {
    /// `Authorization`: credentials for a user agent server or registrar.
    Authorization(Credentials) = AUTHORIZATION
}
auth_header! {
    /// `Proxy-Authorization`: credentials for a proxy.
    ProxyAuthorization(Credentials) = PROXY_AUTHORIZATION
}

fn header_error(name: HeaderName, error: &AuthError) -> HeaderError {
    HeaderError::malformed(name, error.reason())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_errors() {
        assert_eq!(<WwwAuthenticate>::NAME.as_str(), "WWW-Authenticate");
        assert_eq!(ProxyAuthorization::NAME.as_str(), "Proxy-Authorization");
        assert_eq!(
            Authorization::parse("Basic abc"),
            Err(HeaderError::Malformed {
                header: "Authorization",
                reason: "scheme is not Digest"
            })
        );
    }
}
