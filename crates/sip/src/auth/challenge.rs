//! `WWW-Authenticate` / `Proxy-Authenticate` values (RFC 3261 §20.44, §20.27,
//! §25.1 `challenge`; RFC 7616 §3.3; RFC 8760 §2.4).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::params::{AuthParam, Quoted, read_params, split_digest};
use super::{Algorithm, AuthError, QopOptions};
use crate::text::Text;

/// A Digest challenge. `S` holds the text (see [`crate::text`]): a
/// `Challenge` owns it, a [`ChallengeRef`] borrows it from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge<S: AsRef<str> = String> {
    /// `realm`: the protection space, shown to users (RFC 7616 §3.3).
    pub realm: S,
    /// `nonce`: server-chosen, used once per `nc` sequence.
    pub nonce: S,
    /// `opaque`: returned unchanged in credentials.
    pub opaque: Option<S>,
    /// `algorithm`; `None` when absent, which means MD5 (RFC 7616 §3.3).
    pub algorithm: Option<Algorithm>,
    /// The `qop` options offered; empty when absent (RFC 2069 compatibility).
    /// Unknown options are dropped.
    pub qop: QopOptions,
    /// `stale=true`: the nonce expired but the previous digest was right.
    pub stale: bool,
    /// `domain`: space-separated URIs of the protection space.
    pub domain: Option<S>,
    /// `userhash=true`: send `H(username:realm)` as the username (RFC 7616 §3.4.4).
    pub userhash: bool,
    /// Parameters this stack does not interpret (e.g. `charset`), kept in order.
    pub extra: Vec<AuthParam>,
}

impl Challenge {
    /// A challenge with only `realm` and `nonce`, as a server builds one.
    pub fn new(realm: impl Into<String>, nonce: impl Into<String>) -> Self {
        Self {
            realm: realm.into(),
            nonce: nonce.into(),
            opaque: None,
            algorithm: None,
            qop: QopOptions::new(),
            stale: false,
            domain: None,
            userhash: false,
            extra: Vec::new(),
        }
    }

    /// Parses one header value (`Digest realm="...", nonce="..."...`).
    ///
    /// Fails for another scheme, a missing `realm` or `nonce`, or an
    /// `algorithm` this stack cannot compute.
    pub fn parse(value: &str) -> Result<Self, AuthError> {
        Self::parse_as(value)
    }
}

/// A [`Challenge`] read in place, borrowing the message's text.
pub type ChallengeRef<'a> = Challenge<Cow<'a, str>>;

impl<'a> ChallengeRef<'a> {
    /// [`Challenge::parse`] in place, borrowing `value`.
    pub fn view(value: &'a str) -> Result<Self, AuthError> {
        Self::parse_as(value)
    }
}

impl<S: AsRef<str>> Challenge<S> {
    /// The algorithm to compute with: the one named, or MD5.
    pub fn effective_algorithm(&self) -> Algorithm {
        self.algorithm.unwrap_or(Algorithm::Md5)
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> Challenge {
        let owned = |s: S| s.as_ref().to_owned();
        Challenge {
            realm: owned(self.realm),
            nonce: owned(self.nonce),
            opaque: self.opaque.map(owned),
            algorithm: self.algorithm,
            qop: self.qop,
            stale: self.stale,
            domain: self.domain.map(owned),
            userhash: self.userhash,
            extra: self.extra,
        }
    }
}

impl<'a, S: Text<'a>> Challenge<S> {
    /// Parses one header value into either form.
    pub(crate) fn parse_as(value: &'a str) -> Result<Self, AuthError> {
        let mut realm = None;
        let mut nonce = None;
        let mut opaque = None;
        let mut algorithm = None;
        let mut qop = QopOptions::new();
        let mut stale = false;
        let mut domain = None;
        let mut userhash = false;
        let mut extra = Vec::new();
        read_params(split_digest(value)?, |param| {
            let is = |known: &str| param.name.eq_ignore_ascii_case(known);
            if is("realm") {
                realm = Some(S::found_or_built(param.value));
            } else if is("nonce") {
                nonce = Some(S::found_or_built(param.value));
            } else if is("opaque") {
                opaque = Some(S::found_or_built(param.value));
            } else if is("algorithm") {
                algorithm = Some(param.value.parse()?);
            } else if is("qop") {
                qop = QopOptions::parse(&param.value);
            } else if is("stale") {
                stale = param.value.eq_ignore_ascii_case("true");
            } else if is("domain") {
                domain = Some(S::found_or_built(param.value));
            } else if is("userhash") {
                userhash = param.value.eq_ignore_ascii_case("true");
            } else {
                extra.push(param.into_owned());
            }
            Ok(())
        })?;
        Ok(Challenge {
            realm: realm.ok_or(AuthError::MissingParam("realm"))?,
            nonce: nonce.ok_or(AuthError::MissingParam("nonce"))?,
            opaque,
            algorithm,
            qop,
            stale,
            domain,
            userhash,
            extra,
        })
    }
}

impl FromStr for Challenge {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<S: AsRef<str>> fmt::Display for Challenge<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest realm={}, nonce={}",
            Quoted(self.realm.as_ref()),
            Quoted(self.nonce.as_ref())
        )?;
        if let Some(opaque) = &self.opaque {
            write!(f, ", opaque={}", Quoted(opaque.as_ref()))?;
        }
        if let Some(algorithm) = self.algorithm {
            write!(f, ", algorithm={algorithm}")?;
        }
        if !self.qop.is_empty() {
            write!(f, ", qop=\"{}\"", self.qop)?;
        }
        if self.stale {
            f.write_str(", stale=true")?;
        }
        if let Some(domain) = &self.domain {
            write!(f, ", domain={}", Quoted(domain.as_ref()))?;
        }
        if self.userhash {
            f.write_str(", userhash=true")?;
        }
        for param in &self.extra {
            write!(f, ", {param}")?;
        }
        Ok(())
    }
}

/// Picks, among header values of one response, the strongest challenge this
/// stack supports for each realm (RFC 8760 §2.4: a server may offer one
/// challenge per algorithm; RFC 3261 §22.3: several realms are answered
/// together). Ties keep the server's order (RFC 7616 §3.7). Values that are
/// not Digest or not supported are skipped.
pub fn select_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    // Read in place; only the chosen ones are copied.
    let mut chosen: Vec<ChallengeRef<'a>> = Vec::new();
    for challenge in values
        .into_iter()
        .filter_map(|v| ChallengeRef::view(v).ok())
    {
        if is_session_without_qop(&challenge) {
            continue;
        }
        match chosen.iter_mut().find(|c| c.realm == challenge.realm) {
            Some(existing) => {
                let stronger = challenge.effective_algorithm().strength()
                    > existing.effective_algorithm().strength();
                if stronger {
                    *existing = challenge;
                }
            }
            None => chosen.push(challenge),
        }
    }
    chosen.into_iter().map(ChallengeRef::into_owned).collect()
}

/// A `-sess` algorithm needs a cnonce, which is only sent with a qop
/// (RFC 2617 §3.2.2); such a challenge cannot be answered.
fn is_session_without_qop<S: AsRef<str>>(challenge: &Challenge<S>) -> bool {
    challenge.effective_algorithm().is_session() && challenge.qop.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Qop;

    #[test]
    fn parses_rfc_7616_challenge() {
        // RFC 7616 §3.9.1.
        let value = r#"Digest
       realm="http-auth@example.org",
       qop="auth, auth-int",
       algorithm=SHA-256,
       nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
       opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
        let c = Challenge::parse(value).unwrap();
        assert_eq!(c.realm, "http-auth@example.org");
        assert_eq!(c.qop.iter().collect::<Vec<_>>(), [Qop::Auth, Qop::AuthInt]);
        assert_eq!(c.algorithm, Some(Algorithm::Sha256));
        assert_eq!(c.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
        assert_eq!(
            c.opaque.as_deref(),
            Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        );
        assert!(!c.stale);
    }

    #[test]
    fn requires_realm_and_nonce() {
        assert!(matches!(
            Challenge::parse(r#"Digest nonce="n""#),
            Err(AuthError::MissingParam("realm"))
        ));
        assert!(matches!(
            Challenge::parse(r#"Digest realm="r""#),
            Err(AuthError::MissingParam("nonce"))
        ));
    }

    #[test]
    fn names_ignore_case_and_unknown_params_are_kept() {
        let c = Challenge::parse(
            r#"Digest REALM="a\"b", Nonce=n1, charset="UTF-8", STALE=TRUE, x-y=z"#,
        )
        .unwrap();
        assert_eq!(c.realm, "a\"b");
        assert_eq!(c.nonce, "n1");
        assert!(c.stale);
        assert_eq!(
            c.extra,
            vec![
                AuthParam::quoted("charset", "UTF-8"),
                AuthParam::token("x-y", "z")
            ]
        );
    }

    #[test]
    fn list_syntax_is_checked_before_values() {
        assert_eq!(
            Challenge::parse(r#"Digest algorithm=MD6, realm="a" nonce="b""#),
            Err(AuthError::Malformed("expected ',' between parameters"))
        );
        assert_eq!(
            Challenge::parse(r#"Digest algorithm=MD6, realm="a", algorithm=MD5, nonce="b""#),
            Err(AuthError::UnsupportedAlgorithm("MD6".to_owned()))
        );
    }

    #[test]
    fn selects_strongest_per_realm() {
        let values = [
            r#"Digest realm="a", nonce="1", algorithm=MD5, qop="auth""#,
            r#"Digest realm="a", nonce="2", algorithm=SHA-512-256, qop="auth""#,
            r#"Digest realm="a", nonce="3", algorithm=SHA-256, qop="auth""#,
            r#"Digest realm="b", nonce="4""#,
            r#"Digest realm="a", nonce="5", algorithm=SHA-3""#,
            r#"Basic realm="a""#,
        ];
        let chosen = select_challenges(values);
        assert_eq!(chosen.len(), 2);
        assert_eq!(chosen[0].nonce, "2");
        assert_eq!(chosen[1].nonce, "4");
    }

    #[test]
    fn skips_session_algorithm_without_qop() {
        assert!(
            select_challenges([r#"Digest realm="a", nonce="1", algorithm=MD5-sess"#]).is_empty()
        );
    }
}
