//! The client side of digest authentication as a small state object a user
//! agent owns per registration or per call (RFC 3261 §22.2-22.3, RFC 7616 §3.3-3.4).
//!
//! Flow: on a 401/407 call [`DigestClient::handle_challenge`] with the
//! challenge header values; if it says [`Decision::Retry`], build the new
//! request and call [`DigestClient::authorize`] for the header values to add.
//! Call [`DigestClient::handle_success`] when a request got past the server.

use super::challenge::select_challenges;
use super::credentials::DigestInput;
use super::{Challenge, Credentials, DigestRequest, Password, Qop, QopOptions};
use crate::auth::AuthError;

/// How many `stale=true` challenges in a row are answered before giving up;
/// a server that keeps calling every nonce stale would otherwise loop.
const MAX_STALE_RETRIES: u8 = 3;

/// Which pair of headers a challenge came in (RFC 3261 §22.2, §22.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeKind {
    /// `WWW-Authenticate` in a 401, answered with `Authorization`.
    Www,
    /// `Proxy-Authenticate` in a 407, answered with `Proxy-Authorization`.
    Proxy,
}

impl ChallengeKind {
    /// The header that carries the challenge.
    pub fn challenge_header(self) -> &'static str {
        match self {
            Self::Www => "WWW-Authenticate",
            Self::Proxy => "Proxy-Authenticate",
        }
    }

    /// The header that carries the answer.
    pub fn credentials_header(self) -> &'static str {
        match self {
            Self::Www => "Authorization",
            Self::Proxy => "Proxy-Authorization",
        }
    }
}

/// What the user agent should do after a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Resend the request with [`DigestClient::authorize`]'s headers.
    Retry,
    /// Do not resend; report the reason.
    Stop(StopReason),
}

/// Why a challenge must not be answered again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// Credentials for this realm were sent and rejected without
    /// `stale=true`: the user name or password is wrong (RFC 7616 §3.3).
    WrongCredentials {
        /// The realm that rejected them.
        realm: String,
    },
    /// No challenge uses Digest with an algorithm this stack computes.
    NoSupportedChallenge,
    /// The server kept declaring nonces stale.
    TooManyStaleNonces,
}

/// One credentials header to add to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// `Authorization` or `Proxy-Authorization`.
    pub kind: ChallengeKind,
    /// The header value.
    pub credentials: Credentials,
}

/// The challenge last received for one realm and how far its nonce was used.
#[derive(Debug, Clone)]
struct RealmState {
    kind: ChallengeKind,
    challenge: Challenge,
    /// Requests sent with this nonce (the last `nc` written).
    nc: u32,
    /// Credentials were sent for this realm since the last success or challenge.
    answered: bool,
}

/// What the credentials of one request have been through: the realms that
/// challenged it and how many stale nonces it met. A user agent keeps one per
/// request across its authenticated retries and starts a fresh one for every
/// new request, so that a challenge to a new request is always answered once
/// (RFC 3261 §22.2) while a second challenge to the retry is not (RFC 7616
/// §3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthAttempt {
    /// `(kind, realm)` of every challenge answered for this request.
    answered: Vec<(ChallengeKind, String)>,
    stale: u8,
}

impl AuthAttempt {
    /// Whether the request was challenged at least once.
    pub fn was_challenged(&self) -> bool {
        !self.answered.is_empty()
    }
}

/// Client-side digest state: user name, password, the current challenge per
/// realm and its nonce count. `Debug` never shows the password.
#[derive(Debug, Clone)]
pub struct DigestClient {
    username: String,
    password: Password,
    realms: Vec<RealmState>,
    stale_in_a_row: u8,
    preferred_qop: Qop,
}

impl DigestClient {
    /// A client for one account.
    pub fn new(username: impl Into<String>, password: impl Into<Password>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            realms: Vec::new(),
            stale_in_a_row: 0,
            preferred_qop: Qop::Auth,
        }
    }

    /// Chooses the qop used when a challenge offers both (default `auth`,
    /// which every server accepts; `auth-int` also protects the body).
    #[must_use]
    pub fn with_preferred_qop(mut self, qop: Qop) -> Self {
        self.preferred_qop = qop;
        self
    }

    /// The account's user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether a challenge is held, so requests can carry credentials.
    pub fn has_challenge(&self) -> bool {
        !self.realms.is_empty()
    }

    /// The nonce count last used for `realm`, if challenged by it.
    pub fn nonce_count(&self, realm: &str) -> Option<u32> {
        self.realms
            .iter()
            .find(|r| r.challenge.realm == realm)
            .map(|r| r.nc)
    }

    /// Takes the challenge header values of a 401 (`Www`) or 407 (`Proxy`)
    /// and says whether a retry makes sense.
    ///
    /// A non-stale challenge for a realm already answered means the
    /// credentials are wrong: the caller must stop, never loop (RFC 7616 §3.3
    /// `stale`). When several challenges share a realm the strongest
    /// supported algorithm wins (RFC 8760 §2.4).
    #[must_use]
    pub fn handle_challenge<'a>(
        &mut self,
        kind: ChallengeKind,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Decision {
        let chosen = select_challenges(values);
        if chosen.is_empty() {
            return Decision::Stop(StopReason::NoSupportedChallenge);
        }
        if let Some(reason) = self.reason_to_stop(&chosen) {
            return Decision::Stop(reason);
        }
        if chosen.iter().any(|c| c.stale) {
            self.stale_in_a_row = self.stale_in_a_row.saturating_add(1);
        }
        for challenge in chosen {
            self.store(kind, challenge);
        }
        Decision::Retry
    }

    /// Takes the challenge header values of a 401 (`Www`) or 407 (`Proxy`)
    /// to one request whose earlier challenges are in `attempt`, and says
    /// whether to retry it.
    ///
    /// The first challenge of a realm to a request is answered, even when
    /// credentials from a cached challenge were sent pre-emptively; a
    /// second non-stale challenge of the same realm to the same request
    /// means the credentials are wrong (RFC 7616 §3.3). The challenges are
    /// kept for later requests.
    #[must_use]
    pub fn handle_request_challenge<'a>(
        &mut self,
        attempt: &mut AuthAttempt,
        kind: ChallengeKind,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Decision {
        let chosen = select_challenges(values);
        if chosen.is_empty() {
            return Decision::Stop(StopReason::NoSupportedChallenge);
        }
        for challenge in &chosen {
            let seen = attempt
                .answered
                .iter()
                .any(|(k, realm)| *k == kind && *realm == challenge.realm);
            if seen && !challenge.stale {
                return Decision::Stop(StopReason::WrongCredentials {
                    realm: challenge.realm.clone(),
                });
            }
        }
        if chosen.iter().any(|c| c.stale) {
            if attempt.stale >= MAX_STALE_RETRIES {
                return Decision::Stop(StopReason::TooManyStaleNonces);
            }
            attempt.stale = attempt.stale.saturating_add(1);
        }
        for challenge in chosen {
            let entry = (kind, challenge.realm.clone());
            if !attempt.answered.contains(&entry) {
                attempt.answered.push(entry);
            }
            self.store(kind, challenge);
        }
        Decision::Retry
    }

    fn reason_to_stop(&self, chosen: &[Challenge]) -> Option<StopReason> {
        for challenge in chosen {
            let answered = self
                .realms
                .iter()
                .any(|r| r.challenge.realm == challenge.realm && r.answered);
            if answered && !challenge.stale {
                return Some(StopReason::WrongCredentials {
                    realm: challenge.realm.clone(),
                });
            }
        }
        let stale = chosen.iter().any(|c| c.stale);
        (stale && self.stale_in_a_row >= MAX_STALE_RETRIES)
            .then_some(StopReason::TooManyStaleNonces)
    }

    fn store(&mut self, kind: ChallengeKind, challenge: Challenge) {
        match self
            .realms
            .iter_mut()
            .find(|r| r.kind == kind && r.challenge.realm == challenge.realm)
        {
            Some(state) => {
                if state.challenge.nonce != challenge.nonce {
                    state.nc = 0;
                }
                state.challenge = challenge;
                state.answered = false;
            }
            None => self.realms.push(RealmState {
                kind,
                challenge,
                nc: 0,
                answered: false,
            }),
        }
    }

    /// Tells the client a request was accepted (any final response other
    /// than 401/407): later challenges start afresh.
    pub fn handle_success(&mut self) {
        for state in &mut self.realms {
            state.answered = false;
        }
        self.stale_in_a_row = 0;
    }

    /// Forgets all challenges, e.g. after the account's password changed.
    pub fn reset(&mut self) {
        self.realms.clear();
        self.stale_in_a_row = 0;
    }

    /// The credentials headers for `request`, one per challenged realm, each
    /// with the next `nc` of its nonce. `cnonce` is the client nonce the
    /// caller drew from its random source (see [`cnonce_from_random`]).
    ///
    /// [`cnonce_from_random`]: super::cnonce_from_random
    pub fn authorize(
        &mut self,
        request: &DigestRequest<'_>,
        cnonce: &str,
    ) -> Result<Vec<Answer>, AuthError> {
        if cnonce.is_empty() {
            return Err(AuthError::EmptyCnonce);
        }
        let (username, password, preferred) = (&self.username, &self.password, self.preferred_qop);
        let mut answers = Vec::with_capacity(self.realms.len());
        for state in &mut self.realms {
            state.nc = state
                .nc
                .checked_add(1)
                .ok_or(AuthError::NonceCountExhausted)?;
            state.answered = true;
            let credentials = answer(
                &state.challenge,
                username,
                password,
                request,
                cnonce,
                state.nc,
                preferred,
            );
            answers.push(Answer {
                kind: state.kind,
                credentials,
            });
        }
        Ok(answers)
    }
}

fn choose_qop(offered: &QopOptions, preferred: Qop) -> Option<Qop> {
    if offered.contains(preferred) {
        Some(preferred)
    } else {
        offered.first()
    }
}

/// Builds the credentials answering `challenge` (RFC 7616 §3.4).
pub(crate) fn answer(
    challenge: &Challenge,
    username: &str,
    password: &Password,
    request: &DigestRequest<'_>,
    cnonce: &str,
    nc: u32,
    preferred: Qop,
) -> Credentials {
    let qop = choose_qop(&challenge.qop, preferred);
    let input = DigestInput {
        algorithm: challenge.effective_algorithm(),
        username,
        realm: &challenge.realm,
        password,
        nonce: &challenge.nonce,
        cnonce,
        nc,
        qop,
        request: *request,
    };
    Credentials {
        username: input.username_field(challenge.userhash),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: request.uri.to_owned(),
        response: input.response(),
        algorithm: challenge.algorithm,
        cnonce: qop.map(|_| cnonce.to_owned()),
        opaque: challenge.opaque.clone(),
        qop,
        nc: qop.map(|_| nc),
        userhash: challenge.userhash,
        extra: Vec::new(),
    }
}
