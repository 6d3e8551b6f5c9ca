//! Registration (RFC 3261 §10, RFC 5626 outbound, RFC 5627 GRUU, RFC 3327
//! Path, RFC 3608 Service-Route) and the RFC 5626 §4.4.1 CRLF keep-alive.

use crate::headers::HeaderName;
use crate::transaction::HeadersExt;
use rand_chacha::ChaCha20Rng;

use super::build::{add, text};
use super::{Event, Gruu, Owner, RegistrationFailure, RegistrationState, UserAgent};
use crate::auth::{Decision, StopReason};
use crate::headers::split_list;
use crate::message::{Method, Request, Response};
use crate::name_addr::NameAddrRef;
use crate::time::{Duration, Instant};
use crate::transaction::TransactionKey;

/// Where the registration machine stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Nothing in flight, nothing scheduled.
    Idle,
    /// A REGISTER (or un-REGISTER) is in flight.
    InFlight {
        /// Its transaction.
        key: TransactionKey,
        /// Expires: 0.
        removing: bool,
    },
    /// Bound; refresh before expiry (RFC 3261 §10.2.4).
    Bound {
        /// When to send the refreshing REGISTER.
        refresh_at: Instant,
    },
}

/// The registration's state.
#[derive(Clone, Debug)]
pub(super) struct Registration {
    pub(super) phase: Phase,
    pub(super) public: RegistrationState,
    pub(super) wanted: bool,
    /// Requested lifetime; raised by 423 Min-Expires.
    pub(super) expires: u32,
    pub(super) min_expires_retried: bool,
    call_id: String,
    from_tag: String,
    cseq: u32,
    pub(super) gruu: Option<Gruu>,
    pub(super) service_route: Vec<String>,
}

fn hex(rng: &mut ChaCha20Rng, n: usize) -> String {
    super::random_token(rng, n)
}

impl Registration {
    pub(super) fn new(rng: &mut ChaCha20Rng, expires: u32) -> Self {
        Registration {
            phase: Phase::Idle,
            public: RegistrationState::Unregistered,
            wanted: false,
            expires,
            min_expires_retried: false,
            call_id: hex(rng, 12),
            from_tag: hex(rng, 6),
            cseq: 0,
            gruu: None,
            service_route: Vec::new(),
        }
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Bound { refresh_at } => Some(refresh_at),
            _ => None,
        }
    }

    pub(super) fn timer_count(&self) -> usize {
        usize::from(self.deadline().is_some())
    }
}

/// RFC 5626 §4.4.1 keep-alive state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) enum KeepAlive {
    /// No keep-alive runs.
    #[default]
    Off,
    /// Waiting to send the next ping.
    Idle {
        /// When to ping.
        ping_at: Instant,
    },
    /// A ping is out; a pong must come before `deadline`.
    AwaitingPong {
        /// Pong timeout.
        deadline: Instant,
        /// When the next ping is due after the pong.
        next_ping: Instant,
    },
}

impl KeepAlive {
    pub(super) fn deadline(&self) -> Option<Instant> {
        match *self {
            KeepAlive::Off => None,
            KeepAlive::Idle { ping_at } => Some(ping_at),
            KeepAlive::AwaitingPong { deadline, .. } => Some(deadline),
        }
    }

    pub(super) fn timer_count(&self) -> usize {
        usize::from(self.deadline().is_some())
    }
}

/// Seconds before expiry at which a binding is refreshed: half the lifetime,
/// at most 60 s early... whichever leaves the refresh closer to expiry.
fn refresh_after(expires: u32) -> Duration {
    let early = (expires / 2).min(60);
    Duration::from_secs(u64::from(expires.saturating_sub(early).max(1)))
}

impl UserAgent {
    pub(super) fn set_registration(&mut self, state: RegistrationState) {
        if self.registration.public != state {
            self.registration.public = state.clone();
            self.emit(Event::Registration(state));
        }
    }

    fn register_request(&mut self, expires: u32) -> Option<Request> {
        let aor = self.config.aor.clone();
        let registrar = match &self.config.registrar {
            Some(r) => r.clone(),
            None => format!(
                "sip:{}",
                aor.split_once('@').map(|(_, d)| d).unwrap_or(&aor)
            ),
        };
        let uri = crate::uri::Uri::parse(&registrar).ok()?;
        self.registration.cseq = self.registration.cseq.saturating_add(1);
        let (call_id, tag, cseq) = (
            self.registration.call_id.clone(),
            self.registration.from_tag.clone(),
            self.registration.cseq,
        );
        // RFC 3608 §6.1: REGISTER itself does not use the Service-Route.
        let saved = std::mem::take(&mut self.registration.service_route);
        let mut request = self.ood_request(
            Method::Register,
            uri,
            &format!("<{aor}>"),
            &tag,
            &call_id,
            cseq,
            false,
        );
        self.registration.service_route = saved;
        let mut contact = format!("<{}>", self.contact_uri());
        if let Some(instance) = &self.config.instance_id {
            // RFC 5626 §4.2: +sip.instance and reg-id.
            contact.push_str(&format!(
                ";+sip.instance=\"<urn:uuid:{instance}>\";reg-id={}",
                self.config.reg_id
            ));
        }
        contact.push_str(&format!(";expires={expires}"));
        add(&mut request.headers, HeaderName::CONTACT, &contact);
        add(
            &mut request.headers,
            HeaderName::EXPIRES,
            &expires.to_string(),
        );
        add(
            &mut request.headers,
            HeaderName::SUPPORTED,
            self.supported(),
        );
        self.authorize(&mut request);
        Some(request)
    }

    pub(super) fn send_register(&mut self, now: Instant) {
        if !self.connected {
            self.set_registration(RegistrationState::Registering);
            return;
        }
        let expires = self.registration.expires;
        let Some(request) = self.register_request(expires) else {
            self.set_registration(RegistrationState::Failed(RegistrationFailure::Rejected {
                status: 0,
                reason: "the registrar URI is not valid".into(),
            }));
            return;
        };
        if let Some(key) = self.send_request_keyed(now, request, Owner::Register) {
            self.registration.phase = Phase::InFlight {
                key,
                removing: false,
            };
        }
        if !matches!(
            self.registration.public,
            RegistrationState::Registered { .. }
        ) {
            self.set_registration(RegistrationState::Registering);
        }
    }

    pub(super) fn send_unregister(&mut self, now: Instant) {
        self.keepalive = super::KeepAlive::Off;
        let bound = matches!(
            self.registration.public,
            RegistrationState::Registered { .. }
        ) || matches!(self.registration.phase, Phase::InFlight { .. });
        if !bound || !self.connected {
            self.registration.phase = Phase::Idle;
            self.set_registration(RegistrationState::Unregistered);
            return;
        }
        if let Some(request) = self.register_request(0) {
            if let Some(key) = self.send_request_keyed(now, request, Owner::Register) {
                self.registration.phase = Phase::InFlight {
                    key,
                    removing: true,
                };
                self.set_registration(RegistrationState::Unregistering);
            }
        }
    }

    /// A final or provisional response to our REGISTER.
    pub(super) fn register_response(
        &mut self,
        now: Instant,
        key: &TransactionKey,
        response: &Response,
    ) {
        let removing = match &self.registration.phase {
            Phase::InFlight { key: k, removing } if k == key => *removing,
            _ => return,
        };
        let status = response.status.as_u16();
        match status {
            100..=199 => {}
            200..=299 => {
                self.digest.handle_success();
                if removing {
                    self.registration.phase = Phase::Idle;
                    self.registration.gruu = None;
                    self.registration.service_route.clear();
                    self.set_registration(RegistrationState::Unregistered);
                    return;
                }
                self.registered(now, response);
            }
            401 | 407 => match self.answer_challenge(key, response) {
                Decision::Retry if removing => self.send_unregister(now),
                Decision::Retry => self.send_register(now),
                Decision::Stop(reason) => {
                    let failure = match reason {
                        StopReason::WrongCredentials { .. } => {
                            RegistrationFailure::WrongCredentials
                        }
                        _ => RegistrationFailure::Rejected {
                            status,
                            reason: response.reason.clone(),
                        },
                    };
                    self.registration_failed(failure);
                }
            },
            // RFC 3261 §10.2.8: "the UA MAY retry the registration with an
            // expiration interval greater than or equal to" Min-Expires.
            423 if !self.registration.min_expires_retried => {
                let min = text(&response.headers, HeaderName::MIN_EXPIRES)
                    .parse::<u32>()
                    .ok();
                match min {
                    Some(min) if min > self.registration.expires => {
                        self.registration.expires = min;
                        self.registration.min_expires_retried = true;
                        self.send_register(now);
                    }
                    _ => self.registration_failed(RegistrationFailure::Rejected {
                        status,
                        reason: response.reason.clone(),
                    }),
                }
            }
            _ => self.registration_failed(RegistrationFailure::Rejected {
                status,
                reason: response.reason.clone(),
            }),
        }
    }

    fn registration_failed(&mut self, failure: RegistrationFailure) {
        self.registration.phase = Phase::Idle;
        self.registration.wanted = false;
        self.keepalive = super::KeepAlive::Off;
        self.set_registration(RegistrationState::Failed(failure));
    }

    /// 2xx to REGISTER: read our binding's lifetime (§10.2.4), GRUUs
    /// (RFC 5627 §5.2), Service-Route (RFC 3608 §6.1); start keep-alives.
    fn registered(&mut self, now: Instant, response: &Response) {
        let ours = self.contact_uri();
        let mut expires = None;
        let mut gruu = None;
        for line in response.headers.fields(HeaderName::CONTACT) {
            for value in split_list(line) {
                let Ok(addr) = NameAddrRef::view(value.trim()) else {
                    continue;
                };
                let same = addr.uri.user() == Some(self.contact_user.as_str())
                    && addr.uri.host().eq_ignore_ascii_case(&self.host);
                if !same && !addr.uri.as_str().eq_ignore_ascii_case(&ours) {
                    continue;
                }
                expires = addr
                    .params
                    .get("expires")
                    .flatten()
                    .and_then(|e| e.parse::<u32>().ok());
                let public = addr
                    .params
                    .get("pub-gruu")
                    .flatten()
                    .map(|g| g.trim_matches('"').to_owned());
                let temporary = addr
                    .params
                    .get("temp-gruu")
                    .flatten()
                    .map(|g| g.trim_matches('"').to_owned());
                if public.is_some() || temporary.is_some() {
                    gruu = Some(Gruu { public, temporary });
                }
            }
        }
        let expires = expires
            .or_else(|| {
                text(&response.headers, HeaderName::EXPIRES)
                    .parse::<u32>()
                    .ok()
            })
            .unwrap_or(self.registration.expires);
        self.registration.service_route = response
            .headers
            .fields(HeaderName::SERVICE_ROUTE)
            .flat_map(|line| {
                split_list(line)
                    .map(|v| v.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .filter(|v| !v.is_empty())
            .collect();
        self.registration.gruu = gruu.clone();
        self.registration.phase = Phase::Bound {
            refresh_at: now + refresh_after(expires),
        };
        if let (Some(interval), true) = (
            self.config.keepalive_interval,
            self.config.instance_id.is_some(),
        ) {
            if self.keepalive == super::KeepAlive::Off {
                self.keepalive = super::KeepAlive::Idle {
                    ping_at: now + interval,
                };
            }
        }
        self.set_registration(RegistrationState::Registered { expires, gruu });
    }

    pub(super) fn registration_timers(&mut self, now: Instant) {
        if let Phase::Bound { refresh_at } = self.registration.phase {
            if now >= refresh_at {
                self.registration.phase = Phase::Idle;
                self.send_register(now);
            }
        }
    }

    /// Timer F or a transport failure on REGISTER.
    pub(super) fn register_failed(&mut self, key: &TransactionKey) {
        if matches!(&self.registration.phase, Phase::InFlight { key: k, .. } if k == key) {
            self.registration_failed(RegistrationFailure::Timeout);
        }
    }

    pub(super) fn keepalive_timers(&mut self, now: Instant) {
        match self.keepalive {
            KeepAlive::Idle { ping_at } if now >= ping_at => {
                // RFC 5626 §4.4.1: the ping is a double CRLF.
                self.transmit(b"\r\n\r\n".to_vec());
                let interval = self
                    .config
                    .keepalive_interval
                    .unwrap_or(Duration::from_secs(30));
                self.keepalive = KeepAlive::AwaitingPong {
                    deadline: now + self.config.keepalive_timeout,
                    next_ping: now + interval,
                };
            }
            KeepAlive::AwaitingPong { deadline, .. } if now >= deadline => {
                // RFC 5626 §4.4.1: no pong in time, the flow has failed.
                self.keepalive = KeepAlive::Off;
                self.emit(Event::FlowFailed);
            }
            _ => {}
        }
    }

    /// A frame of only CR/LF: a pong to our ping, or a ping to answer.
    pub(super) fn handle_keepalive(&mut self, now: Instant, bytes: &[u8]) {
        if bytes == b"\r\n\r\n" && !matches!(self.keepalive, KeepAlive::AwaitingPong { .. }) {
            self.transmit(b"\r\n".to_vec());
        } else if let KeepAlive::AwaitingPong { next_ping, .. } = self.keepalive {
            self.keepalive = KeepAlive::Idle {
                ping_at: next_ping.max(now),
            };
        }
        self.timeout_reported = false;
    }
}
