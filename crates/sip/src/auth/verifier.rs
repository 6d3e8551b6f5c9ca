//! The server side: checks credentials against the challenge that was sent
//! (RFC 7616 §3.5). Used by tests and by the native test peer.

use super::credentials::DigestInput;
use super::{Algorithm, Challenge, Credentials, DigestRequest, Password};

/// Why credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// `realm` differs from the challenge's.
    #[error("realm does not match the challenge")]
    Realm,
    /// `nonce` differs: answer with a new challenge and `stale=true` if the
    /// digest is otherwise right.
    #[error("nonce does not match the challenge")]
    Nonce,
    /// `opaque` was not returned unchanged.
    #[error("opaque does not match the challenge")]
    Opaque,
    /// `algorithm` differs from the challenge's.
    #[error("algorithm does not match the challenge")]
    Algorithm,
    /// `qop` was not one offered, or was missing though offered.
    #[error("qop was not offered")]
    Qop,
    /// `nc` did not increase: a replay (RFC 7616 §3.4).
    #[error("nonce count did not increase")]
    Replay,
    /// `username` is not the expected one.
    #[error("unknown user name")]
    Username,
    /// The `uri` parameter is not the Request-URI (RFC 7616 §3.4.6).
    #[error("uri does not match the Request-URI")]
    Uri,
    /// The digest is wrong: wrong password.
    #[error("wrong response digest")]
    Response,
}

/// Verifies credentials answering one challenge, tracking `nc`.
#[derive(Debug, Clone)]
pub struct DigestVerifier {
    challenge: Challenge,
    last_nc: u32,
}

impl DigestVerifier {
    /// A verifier for credentials answering `challenge`.
    pub fn new(challenge: Challenge) -> Self {
        Self {
            challenge,
            last_nc: 0,
        }
    }

    /// The challenge being answered.
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// Checks `credentials` for the account `username`/`password` on `request`.
    pub fn verify(
        &mut self,
        credentials: &Credentials,
        username: &str,
        password: &Password,
        request: &DigestRequest<'_>,
    ) -> Result<(), VerifyError> {
        self.check_echoed_fields(credentials, request)?;
        let nc = self.check_qop_and_nc(credentials)?;
        let input = DigestInput {
            algorithm: self.challenge.effective_algorithm(),
            username,
            realm: &self.challenge.realm,
            password,
            nonce: &self.challenge.nonce,
            cnonce: credentials.cnonce.as_deref().unwrap_or_default(),
            nc,
            qop: credentials.qop,
            request: *request,
        };
        if !constant_time_eq(
            &input.username_field(credentials.userhash),
            &credentials.username,
        ) {
            return Err(VerifyError::Username);
        }
        if !constant_time_eq(
            &input.response(),
            &credentials.response.to_ascii_lowercase(),
        ) {
            return Err(VerifyError::Response);
        }
        if credentials.qop.is_some() {
            self.last_nc = nc;
        }
        Ok(())
    }

    fn check_echoed_fields(
        &self,
        c: &Credentials,
        request: &DigestRequest<'_>,
    ) -> Result<(), VerifyError> {
        let ch = &self.challenge;
        if c.realm != ch.realm {
            return Err(VerifyError::Realm);
        }
        if c.nonce != ch.nonce {
            return Err(VerifyError::Nonce);
        }
        if c.opaque != ch.opaque {
            return Err(VerifyError::Opaque);
        }
        if c.algorithm.unwrap_or(Algorithm::Md5) != ch.effective_algorithm() {
            return Err(VerifyError::Algorithm);
        }
        if c.uri != request.uri {
            return Err(VerifyError::Uri);
        }
        Ok(())
    }

    fn check_qop_and_nc(&self, c: &Credentials) -> Result<u32, VerifyError> {
        match c.qop {
            None if self.challenge.qop.is_empty() => Ok(0),
            None => Err(VerifyError::Qop),
            Some(qop) if !self.challenge.qop.contains(qop) => Err(VerifyError::Qop),
            Some(_) => match (c.nc, c.cnonce.as_deref()) {
                (Some(nc), Some(cnonce)) if !cnonce.is_empty() && nc > self.last_nc => Ok(nc),
                (Some(_), Some(cnonce)) if !cnonce.is_empty() => Err(VerifyError::Replay),
                _ => Err(VerifyError::Qop),
            },
        }
    }
}

/// Compares two strings without an early exit on the first difference.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
