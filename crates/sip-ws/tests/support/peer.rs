//! A user agent of the stack on the wire, as a test drives it: a [`Phone`]
//! with a name, demo-account configuration, canned SDP and event waits that
//! fail with the events seen so far.

use std::time::Duration;

use vani_sip_ws::{
    CallHandle, CallState, Config, Event, MediaKind, Phone, RegistrationState, SdpKind, Transport,
};

/// How long any single expected event may take.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

/// RFC 3261 T1 in the tests' user agents (500 ms by default).
pub const T1: Duration = Duration::from_millis(100);

/// An audio-only SDP offer (RFC 8866), as a media layer would produce it.
pub fn sdp(direction: &str) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na={direction}\r\n"
    )
}

/// The direction of an answer to `offer` (RFC 3264 §6.1).
fn answer_direction(offer: Option<&str>) -> &'static str {
    let offer = offer.unwrap_or_default();
    if offer.contains("a=sendonly") {
        "recvonly"
    } else if offer.contains("a=inactive") {
        "inactive"
    } else if offer.contains("a=recvonly") {
        "sendonly"
    } else {
        "sendrecv"
    }
}

/// The configuration of demo account `user` (deploy/kamailio/accounts.cfg).
pub fn account(user: &str, password: &str) -> Config {
    let mut config = Config::new(format!("sip:{user}@localhost"), user, password);
    config.transport = Transport::Ws;
    config.display_name = Some(format!("User {user}"));
    // No RFC 5626 pings here, so a test sees only the traffic it drives;
    // wire.rs `outbound_keepalive_pings_are_answered` covers them.
    config.keepalive_interval = None;
    // A short T1 keeps the 64*T1 lifetimes of finished transactions (RFC 6026
    // Timers L and M) short enough for the tests to see them end.
    config.t1 = T1;
    config
}

/// A user agent of the stack under test.
pub struct Peer {
    /// The driver handle.
    pub phone: Phone,
    /// The account, e.g. `1000`.
    pub user: String,
    seen: Vec<String>,
}

impl Peer {
    /// Connects demo account `user` with `password` to `ws_url`.
    pub async fn connect(ws_url: &str, user: &str, password: &str) -> Self {
        super::logger::init();
        log::debug!(target: "vani_test", "{user} connects");
        let phone = Phone::connect(ws_url, account(user, password))
            .await
            .unwrap_or_else(|e| panic!("{user}: connect to {ws_url}: {e}"));
        Self {
            phone,
            user: user.to_owned(),
            seen: Vec::new(),
        }
    }

    /// Connects demo account `user` (password `vani{user}`) and registers.
    pub async fn registered(ws_url: &str, user: &str) -> Self {
        let mut peer = Self::connect(ws_url, user, &format!("vani{user}")).await;
        peer.phone.register().await.unwrap();
        let state = peer
            .expect("registration", |e| match e {
                Event::Registration(
                    s @ (RegistrationState::Registered { .. } | RegistrationState::Failed(_)),
                ) => Some(s.clone()),
                _ => None,
            })
            .await;
        assert!(
            matches!(state, RegistrationState::Registered { .. }),
            "{user}: {state:?}"
        );
        peer
    }

    /// The SIP URI of this peer's account.
    pub fn uri(&self) -> String {
        format!("sip:{}@localhost", self.user)
    }

    /// Waits for the event `pick` accepts. Meanwhile every request for a local
    /// description is answered with canned SDP, as a media layer would.
    /// Panics after [`EVENT_TIMEOUT`] with the events seen.
    pub async fn expect<T>(&mut self, what: &str, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + EVENT_TIMEOUT;
        loop {
            let event = match tokio::time::timeout_at(deadline, self.phone.next_event()).await {
                Ok(Some(event)) => event,
                Ok(None) => panic!(
                    "{}: driver stopped while waiting for {what}; seen: {:#?}",
                    self.user, self.seen
                ),
                Err(_) => panic!(
                    "{}: no {what} within {EVENT_TIMEOUT:?}; seen: {:#?}",
                    self.user, self.seen
                ),
            };
            self.seen.push(format!("{event:?}"));
            if let Some(found) = pick(&event) {
                return found;
            }
            if let Event::LocalDescriptionNeeded {
                call,
                kind,
                remote_sdp,
            } = event
            {
                let sdp = match kind {
                    SdpKind::Offer => sdp("sendrecv"),
                    SdpKind::Answer => sdp(answer_direction(remote_sdp.as_deref())),
                };
                self.phone.set_local_description(call, sdp).await.unwrap();
            }
        }
    }

    /// Waits until `call` reaches `state`.
    pub async fn expect_state(&mut self, call: CallHandle, state: CallState) {
        let what = format!("{call:?} {state:?}");
        self.expect(&what, |e| match e {
            Event::CallState { call: c, state: s } if *c == call && *s == state => Some(()),
            _ => None,
        })
        .await;
    }

    /// Places an audio call to `target` and hands the stack its offer, which
    /// sends the INVITE.
    pub async fn call(&mut self, target: &str) -> CallHandle {
        let call = self.phone.call(target, MediaKind::Audio).await.unwrap();
        self.expect("the request for an offer", |e| match e {
            Event::LocalDescriptionNeeded {
                call: c,
                kind: SdpKind::Offer,
                ..
            } if *c == call => Some(()),
            _ => None,
        })
        .await;
        self.phone
            .set_local_description(call, sdp("sendrecv"))
            .await
            .unwrap();
        call
    }

    /// Accepts incoming `call` and hands the stack its SDP answer, which
    /// sends the 200.
    pub async fn answer(&mut self, call: CallHandle) {
        self.phone.answer(call).await.unwrap();
        let offer = self
            .expect("the request for an answer", |e| match e {
                Event::LocalDescriptionNeeded {
                    call: c,
                    kind: SdpKind::Answer,
                    remote_sdp,
                } if *c == call => Some(remote_sdp.clone()),
                _ => None,
            })
            .await;
        let sdp = sdp(answer_direction(offer.as_deref()));
        self.phone.set_local_description(call, sdp).await.unwrap();
    }

    /// Waits for an incoming call and returns it with the caller's URI.
    pub async fn incoming(&mut self) -> (CallHandle, String) {
        self.expect("an incoming call", |e| match e {
            Event::IncomingCall { call, from, .. } => Some((*call, from.clone())),
            _ => None,
        })
        .await
    }

    /// Waits until `call` has ended and returns why.
    pub async fn ended(&mut self, call: CallHandle) -> vani_sip_ws::EndReason {
        self.expect("the end of the call", |e| match e {
            Event::CallState {
                call: c,
                state: CallState::Ended(reason),
            } if *c == call => Some(reason.clone()),
            _ => None,
        })
        .await
    }
}
