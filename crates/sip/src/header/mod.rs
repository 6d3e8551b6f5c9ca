//! Typed SIP headers (RFC 3261 §20 and the extensions named on each type),
//! parsed on demand from [`crate::headers::Headers`] and written back with
//! `Display`. Each implements [`crate::headers::TypedHeader`].
//!
//! The authentication headers (`WWW-Authenticate`, `Authorization` and their
//! proxy variants) live in [`crate::auth`].

mod address;
mod misc;
mod scalar;
mod tokens;
mod via;

pub use address::{
    Contact, ContactRef, From, FromRef, PAssertedIdentity, PAssertedIdentityRef, Path, PathRef,
    RecordRoute, RecordRouteRef, ReferTo, ReferToRef, ReferredBy, ReferredByRef, Route, RouteRef,
    ServiceRoute, ServiceRouteRef, To, ToRef,
};
pub use misc::{
    Accept, CallInfo, ContentType, ContentTypeRef, Event, EventRef, MediaType, Reason, Replaces,
    SubscriptionState, Warning,
};
pub use scalar::{
    Branch, CSeq, CallId, CallIdRef, ContentLength, Date, Expires, MaxForwards, MinExpires, MinSe,
    RAck, RSeq, RetryAfter, Server, SessionExpires, SessionExpiresRef, Tag, UserAgent,
};
pub use tokens::{Allow, AllowEvents, ProxyRequire, Require, Supported, Unsupported};
pub use via::{Transport, Via, ViaRef};

/// Implements `Display` by writing the named fields of a one-field wrapper.
macro_rules! display_inner {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}
pub(crate) use display_inner;

/// Parses header parameters for `header`, mapping errors to [`crate::headers::HeaderError`].
pub(crate) fn header_params<'a, S: crate::text::Text<'a>>(
    header: crate::headers::HeaderName,
    text: &'a str,
) -> Result<crate::params::Params<S>, crate::headers::HeaderError> {
    crate::params::Params::parse_header(text)
        .map_err(|e| crate::headers::HeaderError::malformed(header, e.reason()))
}

/// Round-trip check shared by the typed-header tests: `text` parses, its
/// `Display` equals `canonical`, and that parses back to the same value.
#[cfg(test)]
pub(crate) fn assert_round_trip<'a, T>(text: &'a str, canonical: &'a str) -> T
where
    T: crate::headers::TypedHeader<'a> + PartialEq + std::fmt::Debug,
{
    let parsed = T::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(parsed.to_string(), canonical);
    assert_eq!(T::parse(canonical).unwrap(), parsed);
    parsed
}
