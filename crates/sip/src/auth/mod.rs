//! Digest access authentication for SIP.
//!
//! - RFC 3261 §22 (SIP's use of HTTP authentication: 401/407, `WWW-Authenticate`,
//!   `Proxy-Authenticate`, `Authorization`, `Proxy-Authorization`);
//! - RFC 2617 §3 (MD5, MD5-sess, `qop=auth`/`auth-int`, `nc`, `cnonce`);
//! - RFC 7616 §3 (SHA-256, SHA-512-256, `-sess` variants, `userhash`);
//! - RFC 8760 §2 (the same algorithms in SIP; several challenges, strongest wins).
//!
//! [`Challenge`] and [`Credentials`] parse from and print to header values;
//! [`WwwAuthenticate`], [`ProxyAuthenticate`], [`Authorization`] and
//! [`ProxyAuthorization`] wrap them as typed headers.
//! [`DigestClient`] is the state a user agent keeps per registration or call;
//! [`DigestVerifier`] checks credentials on the server side. Randomness (the
//! client nonce) is an input: this module never draws random numbers. No type
//! here prints a password, and nothing here logs.

mod algorithm;
mod challenge;
mod client;
mod credentials;
mod headers;
mod params;
mod verifier;

pub use algorithm::{Algorithm, Qop, QopOptions, to_hex};
pub use challenge::{Challenge, ChallengeRef, select_challenges};
pub use client::{Answer, AuthAttempt, ChallengeKind, Decision, DigestClient, StopReason};
pub use credentials::{Credentials, DigestRequest, Password};
pub use headers::{
    Authorization, ProxyAuthenticate, ProxyAuthenticateRef, ProxyAuthorization, WwwAuthenticate,
    WwwAuthenticateRef,
};
pub use params::AuthParam;
pub use verifier::{DigestVerifier, VerifyError};

/// Errors reading an authentication header or computing credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The header uses another scheme (e.g. `Basic`, `Bearer`).
    #[error("authentication scheme {0:?} is not Digest")]
    NotDigest(String),
    /// The value does not follow the `auth-param` grammar.
    #[error("malformed authentication header: {0}")]
    Malformed(&'static str),
    /// A required parameter is absent.
    #[error("missing {0:?} parameter")]
    MissingParam(&'static str),
    /// The algorithm is not one this stack computes.
    #[error("unsupported digest algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The caller gave an empty client nonce.
    #[error("the client nonce is empty")]
    EmptyCnonce,
    /// The nonce was used 2^32 - 1 times.
    #[error("nonce count exhausted")]
    NonceCountExhausted,
}

impl AuthError {
    /// A short fixed description, for errors that carry only static text.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotDigest(_) => "scheme is not Digest",
            Self::Malformed(reason) => reason,
            Self::MissingParam("realm") => "missing realm",
            Self::MissingParam("nonce") => "missing nonce",
            Self::MissingParam("username") => "missing username",
            Self::MissingParam("uri") => "missing uri",
            Self::MissingParam("response") => "missing response",
            Self::MissingParam(_) => "missing parameter",
            Self::UnsupportedAlgorithm(_) => "unsupported algorithm",
            Self::EmptyCnonce => "empty cnonce",
            Self::NonceCountExhausted => "nonce count exhausted",
        }
    }
}

/// A `cnonce` from caller-supplied random bytes: their lower-case hex.
/// 16 bytes (128 bits) is plenty (RFC 7616 §5.12).
pub fn cnonce_from_random(random: &[u8]) -> String {
    to_hex(random)
}
