//! `Authorization` / `Proxy-Authorization` values and the response
//! computation (RFC 3261 §22.4, §25.1 `credentials`; RFC 2617 §3.2.2;
//! RFC 7616 §3.4; RFC 8760 §2.3).

use std::fmt;
use std::str::FromStr;

use super::params::{AuthParam, Quoted, RawParam, read_params, split_digest};
use super::{Algorithm, AuthError, Qop};

/// A password. Its `Debug` never shows the value and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl From<&str> for Password {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Password {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// The request being authorized: what A2 is made of (RFC 7616 §3.4.3).
#[derive(Debug, Clone, Copy)]
pub struct DigestRequest<'a> {
    /// The SIP method, e.g. `REGISTER` (RFC 3261 §22.4: the method, not `ACK`'s).
    pub method: &'a str,
    /// The Request-URI exactly as written in the request line.
    pub uri: &'a str,
    /// The message body, hashed for `qop=auth-int`.
    pub body: &'a [u8],
}

/// Digest credentials: the value of an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `username`: the user name, or `H(username:realm)` when `userhash` is set.
    pub username: String,
    /// `realm`, copied from the challenge.
    pub realm: String,
    /// `nonce`, copied from the challenge.
    pub nonce: String,
    /// `uri`: the Request-URI.
    pub uri: String,
    /// `response`: the hex digest.
    pub response: String,
    /// `algorithm`, copied from the challenge when it named one.
    pub algorithm: Option<Algorithm>,
    /// `cnonce`, present with a qop.
    pub cnonce: Option<String>,
    /// `opaque`, copied from the challenge.
    pub opaque: Option<String>,
    /// `qop`: the option chosen.
    pub qop: Option<Qop>,
    /// `nc`: how many requests used this nonce, this one included.
    pub nc: Option<u32>,
    /// `userhash=true`.
    pub userhash: bool,
    /// Parameters this stack does not interpret, kept in order.
    pub extra: Vec<AuthParam>,
}

/// Everything the response digest depends on (RFC 7616 §3.4.1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DigestInput<'a> {
    pub algorithm: Algorithm,
    pub username: &'a str,
    pub realm: &'a str,
    pub password: &'a Password,
    pub nonce: &'a str,
    pub cnonce: &'a str,
    pub nc: u32,
    pub qop: Option<Qop>,
    pub request: DigestRequest<'a>,
}

impl DigestInput<'_> {
    /// `H(A1)` (RFC 7616 §3.4.2).
    fn ha1(&self) -> String {
        let a = self.algorithm;
        let base = a.hash_hex(&[
            self.username.as_bytes(),
            self.realm.as_bytes(),
            self.password.as_bytes(),
        ]);
        if a.is_session() {
            a.hash_hex(&[
                base.as_bytes(),
                self.nonce.as_bytes(),
                self.cnonce.as_bytes(),
            ])
        } else {
            base
        }
    }

    /// `H(A2)` (RFC 7616 §3.4.3).
    fn ha2(&self) -> String {
        let a = self.algorithm;
        let method = self.request.method.as_bytes();
        let uri = self.request.uri.as_bytes();
        match self.qop {
            Some(Qop::AuthInt) => {
                let body = a.hash_hex(&[self.request.body]);
                a.hash_hex(&[method, uri, body.as_bytes()])
            }
            _ => a.hash_hex(&[method, uri]),
        }
    }

    /// The `response` value (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1 without qop).
    pub(crate) fn response(&self) -> String {
        let a = self.algorithm;
        let (ha1, ha2) = (self.ha1(), self.ha2());
        match self.qop {
            Some(qop) => {
                let nc = format!("{:08x}", self.nc);
                a.hash_hex(&[
                    ha1.as_bytes(),
                    self.nonce.as_bytes(),
                    nc.as_bytes(),
                    self.cnonce.as_bytes(),
                    qop.as_str().as_bytes(),
                    ha2.as_bytes(),
                ])
            }
            None => a.hash_hex(&[ha1.as_bytes(), self.nonce.as_bytes(), ha2.as_bytes()]),
        }
    }

    /// The `username` value: clear, or `H(username:realm)` (RFC 7616 §3.4.4).
    pub(crate) fn username_field(&self, userhash: bool) -> String {
        if userhash {
            self.algorithm
                .hash_hex(&[self.username.as_bytes(), self.realm.as_bytes()])
        } else {
            self.username.to_owned()
        }
    }
}

impl Credentials {
    /// Parses one header value (`Digest username="...", ...`).
    pub fn parse(value: &str) -> Result<Self, AuthError> {
        let mut fields = Fields::default();
        read_params(split_digest(value)?, |param| fields.take(param))?;
        fields.finish()
    }
}

/// The parameters while a credentials value is read.
#[derive(Default)]
struct Fields {
    username: Option<String>,
    realm: Option<String>,
    nonce: Option<String>,
    uri: Option<String>,
    response: Option<String>,
    algorithm: Option<Algorithm>,
    cnonce: Option<String>,
    opaque: Option<String>,
    qop: Option<Qop>,
    nc: Option<u32>,
    userhash: bool,
    extra: Vec<AuthParam>,
}

impl Fields {
    /// Stores a known parameter, or keeps an unknown one in `extra`.
    fn take(&mut self, param: RawParam<'_>) -> Result<(), AuthError> {
        let is = |known: &str| param.name.eq_ignore_ascii_case(known);
        if is("username") {
            self.username = Some(param.value.into_owned());
        } else if is("realm") {
            self.realm = Some(param.value.into_owned());
        } else if is("nonce") {
            self.nonce = Some(param.value.into_owned());
        } else if is("uri") {
            self.uri = Some(param.value.into_owned());
        } else if is("response") {
            self.response = Some(param.value.into_owned());
        } else if is("algorithm") {
            self.algorithm = Some(param.value.parse()?);
        } else if is("cnonce") {
            self.cnonce = Some(param.value.into_owned());
        } else if is("opaque") {
            self.opaque = Some(param.value.into_owned());
        } else if is("qop") {
            let qop = Qop::from_token(&param.value).ok_or(AuthError::Malformed("unknown qop"))?;
            self.qop = Some(qop);
        } else if is("nc") {
            self.nc = Some(parse_nc(&param.value)?);
        } else if is("userhash") {
            self.userhash = param.value.eq_ignore_ascii_case("true");
        } else {
            self.extra.push(param.into_owned());
        }
        Ok(())
    }

    fn finish(self) -> Result<Credentials, AuthError> {
        Ok(Credentials {
            username: self.username.ok_or(AuthError::MissingParam("username"))?,
            realm: self.realm.ok_or(AuthError::MissingParam("realm"))?,
            nonce: self.nonce.ok_or(AuthError::MissingParam("nonce"))?,
            uri: self.uri.ok_or(AuthError::MissingParam("uri"))?,
            response: self.response.ok_or(AuthError::MissingParam("response"))?,
            algorithm: self.algorithm,
            cnonce: self.cnonce,
            opaque: self.opaque,
            qop: self.qop,
            nc: self.nc,
            userhash: self.userhash,
            extra: self.extra,
        })
    }
}

/// `nc-value` is exactly 8 hex digits (RFC 7616 §3.4).
fn parse_nc(value: &str) -> Result<u32, AuthError> {
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthError::Malformed("nc is not 8 hex digits"));
    }
    u32::from_str_radix(value, 16).map_err(|_| AuthError::Malformed("nc is not 8 hex digits"))
}

impl FromStr for Credentials {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest username={}, realm={}, nonce={}, uri={}, response={}",
            Quoted(&self.username),
            Quoted(&self.realm),
            Quoted(&self.nonce),
            Quoted(&self.uri),
            Quoted(&self.response)
        )?;
        if let Some(algorithm) = self.algorithm {
            write!(f, ", algorithm={algorithm}")?;
        }
        if let Some(cnonce) = &self.cnonce {
            write!(f, ", cnonce={}", Quoted(cnonce))?;
        }
        if let Some(opaque) = &self.opaque {
            write!(f, ", opaque={}", Quoted(opaque))?;
        }
        if let Some(qop) = self.qop {
            write!(f, ", qop={qop}")?;
        }
        if let Some(nc) = self.nc {
            write!(f, ", nc={nc:08x}")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::new("Circle Of Life");
        assert!(!format!("{p:?}").contains("Circle"));
    }

    #[test]
    fn nc_must_be_eight_hex_digits() {
        assert_eq!(parse_nc("0000000a").unwrap(), 10);
        assert!(parse_nc("1").is_err());
        assert!(parse_nc("+0000001").is_err());
        assert!(parse_nc("0000000g").is_err());
    }

    #[test]
    fn parses_credentials_with_escapes_and_extras() {
        let c = Credentials::parse(
            r#"Digest Username="bob\\x", realm="biloxi.com", nonce="n", uri="sip:a@b",
               response="6629fae49393a05397450978507c4ef1", QOP=auth, nc=0000000a,
               cnonce="0a4f113b", algorithm=md5, note="hi""#,
        )
        .unwrap();
        assert_eq!(c.username, "bob\\x");
        assert_eq!(c.uri, "sip:a@b");
        assert_eq!(c.qop, Some(Qop::Auth));
        assert_eq!(c.nc, Some(10));
        assert_eq!(c.cnonce.as_deref(), Some("0a4f113b"));
        assert_eq!(c.algorithm, Some(Algorithm::Md5));
        assert_eq!(c.extra, vec![AuthParam::quoted("note", "hi")]);
    }

    #[test]
    fn list_syntax_is_checked_before_values() {
        let fields = r#"username="a", realm="b", nonce="c", uri="d", response="e""#;
        assert_eq!(
            Credentials::parse(&format!("Digest nc=1, {fields}, x")),
            Err(AuthError::Malformed("expected '=' after a parameter name"))
        );
        assert_eq!(
            Credentials::parse(&format!("Digest qop=auth-conf, nc=1, {fields}")),
            Err(AuthError::Malformed("unknown qop"))
        );
    }

    #[test]
    fn requires_the_mandatory_fields() {
        let err = Credentials::parse(r#"Digest username="a", realm="b", nonce="c", uri="d""#)
            .unwrap_err();
        assert!(matches!(err, AuthError::MissingParam("response")));
    }
}
