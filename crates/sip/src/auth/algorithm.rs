//! Digest algorithms and quality-of-protection values
//! (RFC 7616 §3.3 `algorithm`/`qop`, §3.4.2-3.4.3; RFC 8760 §2.2-2.3 for SIP).

use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

use super::AuthError;

/// A digest algorithm of the RFC 7616 §6.1 registry that this stack computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5` (RFC 2617 §3.2.1); the default when a challenge names none.
    Md5,
    /// `MD5-sess` (RFC 2617 §3.2.2.2).
    Md5Sess,
    /// `SHA-256` (RFC 7616 §3.2, RFC 8760 §2.2).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256`: SHA-512/256 of FIPS 180-4 (RFC 7616 §3.2).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

impl Algorithm {
    /// Every algorithm this stack computes, weakest first.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Md5,
        Algorithm::Md5Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
    ];

    /// The token written in `algorithm=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
            Self::Sha512_256 => "SHA-512-256",
            Self::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Whether A1 is the session variant `H(user:realm:pass):nonce:cnonce`
    /// (RFC 7616 §3.4.2).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Self::Md5Sess | Self::Sha256Sess | Self::Sha512_256Sess
        )
    }

    /// Rank used to pick the strongest of several challenges (RFC 8760 §2.4):
    /// SHA-512-256 over SHA-256 over MD5; a session variant ranks with its hash.
    pub fn strength(self) -> u8 {
        match self {
            Self::Md5 | Self::Md5Sess => 1,
            Self::Sha256 | Self::Sha256Sess => 2,
            Self::Sha512_256 | Self::Sha512_256Sess => 3,
        }
    }

    /// Lower-case hex of the hash of `parts` joined by `:`, the `H(a:b:...)`
    /// of RFC 7616 §3.4.
    pub fn hash_hex(self, parts: &[&[u8]]) -> String {
        match self {
            Self::Md5 | Self::Md5Sess => hex_digest::<Md5>(parts),
            Self::Sha256 | Self::Sha256Sess => hex_digest::<Sha256>(parts),
            Self::Sha512_256 | Self::Sha512_256Sess => hex_digest::<Sha512_256>(parts),
        }
    }
}

fn hex_digest<D: Digest>(parts: &[&[u8]]) -> String {
    let mut hasher = D::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part);
    }
    to_hex(&hasher.finalize())
}

/// Lower-case hex encoding (RFC 7616 §3.4: "the representation ... is lowercase hex").
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = AuthError;

    /// Algorithm tokens compare case-insensitively (RFC 7616 §3.3).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| AuthError::UnsupportedAlgorithm(s.to_owned()))
    }
}

/// Quality of protection (RFC 7616 §3.3 `qop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// `auth`: authentication of method and request-URI.
    Auth,
    /// `auth-int`: also the message body (A2 includes `H(entity-body)`).
    AuthInt,
}

impl Qop {
    /// The token written in `qop=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }

    /// Parses one qop token; unknown tokens (e.g. `auth-conf`) give `None`.
    pub fn from_token(token: &str) -> Option<Self> {
        if token.eq_ignore_ascii_case("auth") {
            Some(Self::Auth)
        } else if token.eq_ignore_ascii_case("auth-int") {
            Some(Self::AuthInt)
        } else {
            None
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `qop` options a challenge offers (RFC 7616 §3.3 `qop-options`):
/// each known option once, in the order offered. Held inline, so a
/// challenge read from a message allocates nothing for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct QopOptions {
    offered: [Option<Qop>; 2],
}

impl QopOptions {
    /// No options (an RFC 2069 challenge).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `qop` after the options already offered, unless it is one.
    pub fn push(&mut self, qop: Qop) {
        if let Some(slot) = self
            .offered
            .iter_mut()
            .find(|slot| slot.is_none_or(|offered| offered == qop))
        {
            *slot = Some(qop);
        }
    }

    /// The options in the order offered.
    pub fn iter(&self) -> impl Iterator<Item = Qop> + '_ {
        self.offered.iter().flatten().copied()
    }

    /// The option offered first.
    pub fn first(&self) -> Option<Qop> {
        self.iter().next()
    }

    /// Whether `qop` is offered.
    pub fn contains(&self, qop: Qop) -> bool {
        self.offered.contains(&Some(qop))
    }

    /// True when no option is offered.
    pub fn is_empty(&self) -> bool {
        self.offered == [None, None]
    }

    /// Reads a `qop-options` value (`auth,auth-int`, unquoted); unknown
    /// options are left out.
    pub fn parse(value: &str) -> Self {
        value
            .split(',')
            .filter_map(|token| Qop::from_token(token.trim()))
            .collect()
    }
}

impl FromIterator<Qop> for QopOptions {
    fn from_iter<I: IntoIterator<Item = Qop>>(options: I) -> Self {
        let mut set = Self::new();
        for qop in options {
            set.push(qop);
        }
        set
    }
}

impl<const N: usize> From<[Qop; N]> for QopOptions {
    fn from(options: [Qop; N]) -> Self {
        options.into_iter().collect()
    }
}

impl fmt::Display for QopOptions {
    /// The options as written in `qop-options`, comma-separated (unquoted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, qop) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(qop.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qop_options_keep_each_known_option_once_in_order() {
        let offered = QopOptions::parse("auth-int, auth-conf,AUTH , auth-int");
        assert_eq!(
            offered.iter().collect::<Vec<_>>(),
            [Qop::AuthInt, Qop::Auth]
        );
        assert_eq!(offered.first(), Some(Qop::AuthInt));
        assert!(offered.contains(Qop::Auth) && !offered.is_empty());
        assert_eq!(offered.to_string(), "auth-int,auth");
        let none = QopOptions::parse("auth-conf");
        assert!(none.is_empty() && none.first().is_none() && !none.contains(Qop::Auth));
        assert_eq!(none, QopOptions::new());
        assert_eq!(QopOptions::from([Qop::Auth, Qop::Auth]).to_string(), "auth");
    }

    #[test]
    fn names_round_trip_case_insensitively() {
        for a in Algorithm::ALL {
            assert_eq!(a.as_str().parse::<Algorithm>().unwrap(), a);
            assert_eq!(
                a.as_str()
                    .to_ascii_lowercase()
                    .parse::<Algorithm>()
                    .unwrap(),
                a
            );
        }
        assert!("SHA-1".parse::<Algorithm>().is_err());
    }

    #[test]
    fn hashes_match_known_digests() {
        // Empty-string digests from FIPS 180-4 / RFC 1321 test suites.
        assert_eq!(
            Algorithm::Md5.hash_hex(&[b""]),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            Algorithm::Sha256.hash_hex(&[b""]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            Algorithm::Sha512_256.hash_hex(&[b"abc"]),
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
        );
        assert_eq!(
            Algorithm::Md5.hash_hex(&[b"a", b"b"]),
            Algorithm::Md5.hash_hex(&[b"a:b"])
        );
    }

    #[test]
    fn qop_tokens() {
        assert_eq!(Qop::from_token("AUTH-INT"), Some(Qop::AuthInt));
        assert_eq!(Qop::from_token("auth-conf"), None);
    }
}
