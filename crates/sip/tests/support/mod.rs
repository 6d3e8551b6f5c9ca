//! Test harness for the user agent: a fake clock, a drain that collects
//! outputs, a scripted peer that answers with text templates, and an
//! in-memory wire between two user agents (in the manner of str0m's
//! `tests/common.rs::progress()`).
#![allow(dead_code)]

use vani_sip::message::{Message, Request, Response};
use vani_sip::time::{Duration, Instant};
use vani_sip::ua::{CallHandle, Config, Event, Output, SdpKind, Transport, UserAgent};

/// Everything one drain produced.
#[derive(Debug, Default)]
pub struct Drained {
    pub sent: Vec<Vec<u8>>,
    pub events: Vec<Event>,
    pub timeout: Option<Instant>,
}

impl Drained {
    pub fn requests(&self) -> Vec<Request> {
        self.sent
            .iter()
            .filter_map(|b| match Message::parse(b) {
                Ok(Message::Request(r)) => Some(r),
                _ => None,
            })
            .collect()
    }
    pub fn responses(&self) -> Vec<Response> {
        self.sent
            .iter()
            .filter_map(|b| match Message::parse(b) {
                Ok(Message::Response(r)) => Some(r),
                _ => None,
            })
            .collect()
    }
    pub fn request(&self, method: &str) -> Request {
        self.requests()
            .into_iter()
            .find(|r| r.method.as_str() == method)
            .unwrap_or_else(|| panic!("no {method} in {:?}", self.texts()))
    }
    pub fn statuses(&self) -> Vec<u16> {
        self.responses().iter().map(|r| r.status.as_u16()).collect()
    }
    pub fn methods(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.method.as_str().to_owned())
            .collect()
    }
    pub fn texts(&self) -> Vec<String> {
        self.sent
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }
}

/// Drains `ua` per the I/O contract; asserts Timeout comes last.
pub fn drain(ua: &mut UserAgent) -> Drained {
    let mut d = Drained::default();
    while let Some(out) = ua.poll_output() {
        assert!(d.timeout.is_none(), "Timeout must be the last output");
        match out {
            Output::Transmit(bytes) => d.sent.push(bytes),
            Output::Event(e) => d.events.push(e),
            Output::Timeout(t) => d.timeout = Some(t),
        }
    }
    d
}

pub fn config(user: &str) -> Config {
    let mut c = Config::new(format!("sip:{user}@example.com"), user, "secret");
    c.transport = Transport::Wss;
    c.instance_id = Some("f81d4fae-7dec-11d0-a765-00a0c91e6bf6".into());
    c
}

pub fn seed(n: u8) -> [u8; 32] {
    [n; 32]
}

pub const T0: Instant = Instant::from_millis(1_000);

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A minimal SDP offer/answer for tests.
pub fn sdp(tag: &str) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=ice-ufrag:{tag}\r\na=ice-pwd:{tag}{tag}{tag}{tag}{tag}{tag}\r\na=sendrecv\r\n"
    )
}

/// The value of header `name` in a message.
pub fn header(headers: &vani_sip::headers::Headers, name: &str) -> String {
    headers
        .get_raw(name)
        .map(|v| v.to_owned())
        .unwrap_or_default()
}

/// A response to `req` as a scripted peer writes it: Via, From, To (with
/// `to_tag`), Call-ID, CSeq copied; `extra` lines added; optional SDP.
pub fn respond(
    req: &Request,
    status: u16,
    reason: &str,
    to_tag: Option<&str>,
    extra: &[&str],
    body: Option<&str>,
) -> Vec<u8> {
    let mut s = format!("SIP/2.0 {status} {reason}\r\n");
    for v in req.headers.raw_values("Via") {
        s.push_str(&format!("Via: {v}\r\n"));
    }
    s.push_str(&format!("From: {}\r\n", header(&req.headers, "From")));
    let to = header(&req.headers, "To");
    match to_tag {
        Some(tag) if !to.contains("tag=") => s.push_str(&format!("To: {to};tag={tag}\r\n")),
        _ => s.push_str(&format!("To: {to}\r\n")),
    }
    s.push_str(&format!("Call-ID: {}\r\n", header(&req.headers, "Call-ID")));
    s.push_str(&format!("CSeq: {}\r\n", header(&req.headers, "CSeq")));
    for line in extra {
        s.push_str(line);
        s.push_str("\r\n");
    }
    match body {
        Some(b) => s.push_str(&format!(
            "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        )),
        None => s.push_str("Content-Length: 0\r\n\r\n"),
    }
    s.into_bytes()
}

/// A UA connected at T0, drained.
pub fn connected(user: &str, n: u8) -> UserAgent {
    let mut ua = UserAgent::new(config(user), seed(n), T0);
    ua.handle_transport_connected(T0);
    let _ = drain(&mut ua);
    ua
}

/// Two user agents joined by an in-memory wire, on one fake clock. Each
/// side's media layer is played by the harness: it answers every
/// `LocalDescriptionNeeded` with a fixed SDP unless `manual_sdp` is set.
pub struct Pair {
    pub a: UserAgent,
    pub b: UserAgent,
    pub now: Instant,
    pub a_events: Vec<Event>,
    pub b_events: Vec<Event>,
    pub a_sent: Vec<Vec<u8>>,
    pub b_sent: Vec<Vec<u8>>,
    pub a_timeout: Option<Instant>,
    pub b_timeout: Option<Instant>,
    pub auto_sdp: bool,
}

impl Pair {
    pub fn new() -> Self {
        Self::with(config("alice"), config("bob"))
    }

    pub fn with(a: Config, b: Config) -> Self {
        let mut a = UserAgent::new(a, seed(1), T0);
        let mut b = UserAgent::new(b, seed(2), T0);
        a.handle_transport_connected(T0);
        b.handle_transport_connected(T0);
        Pair {
            a,
            b,
            now: T0,
            a_events: Vec::new(),
            b_events: Vec::new(),
            a_sent: Vec::new(),
            b_sent: Vec::new(),
            a_timeout: None,
            b_timeout: None,
            auto_sdp: true,
        }
    }

    /// Delivers everything in flight, both ways, until both sides are quiet.
    pub fn progress(&mut self) {
        for _ in 0..100 {
            let da = drain(&mut self.a);
            let db = drain(&mut self.b);
            self.a_timeout = da.timeout.or(self.a_timeout.filter(|_| false));
            self.b_timeout = db.timeout;
            let quiet = da.sent.is_empty()
                && db.sent.is_empty()
                && da.events.is_empty()
                && db.events.is_empty();
            if da.timeout.is_some() {
                self.a_timeout = da.timeout;
            }
            for e in &da.events {
                if let (true, Event::LocalDescriptionNeeded { call, kind, .. }) = (self.auto_sdp, e)
                {
                    let body = sdp(if *kind == SdpKind::Offer {
                        "aoffer"
                    } else {
                        "aanswr"
                    });
                    self.a.set_local_description(self.now, *call, body).unwrap();
                }
            }
            for e in &db.events {
                if let (true, Event::LocalDescriptionNeeded { call, kind, .. }) = (self.auto_sdp, e)
                {
                    let body = sdp(if *kind == SdpKind::Offer {
                        "boffer"
                    } else {
                        "banswr"
                    });
                    self.b.set_local_description(self.now, *call, body).unwrap();
                }
            }
            self.a_events.extend(da.events);
            self.b_events.extend(db.events);
            for m in &da.sent {
                self.b.handle_message(self.now, m);
            }
            for m in &db.sent {
                self.a.handle_message(self.now, m);
            }
            self.a_sent.extend(da.sent);
            self.b_sent.extend(db.sent);
            if quiet {
                return;
            }
        }
        panic!("the two user agents never went quiet");
    }

    /// Moves the clock to `t`, firing both sides' timers, and progresses.
    pub fn advance_to(&mut self, t: Instant) {
        self.now = t;
        self.a.handle_timeout(t);
        self.b.handle_timeout(t);
        self.progress();
    }

    pub fn advance(&mut self, d: Duration) {
        let t = self.now + d;
        self.advance_to(t);
    }

    /// The last call handle in an IncomingCall event on b.
    pub fn b_incoming(&self) -> CallHandle {
        self.b_events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::IncomingCall { call, .. } => Some(*call),
                _ => None,
            })
            .expect("b saw no incoming call")
    }

    pub fn a_incoming(&self) -> CallHandle {
        self.a_events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::IncomingCall { call, .. } => Some(*call),
                _ => None,
            })
            .expect("a saw no incoming call")
    }
}

/// Call states reported for `call` in `events`, in order.
pub fn call_states(events: &[Event], call: CallHandle) -> Vec<vani_sip::ua::CallState> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::CallState { call: c, state } if *c == call => Some(state.clone()),
            _ => None,
        })
        .collect()
}

/// Several user agents on one in-memory "proxy" that routes requests by
/// the Request-URI (the user of an `example.com` AOR, or the `.invalid`
/// host of a Contact) and responses by the top Via. Each side's media layer
/// answers `LocalDescriptionNeeded` at once.
pub struct Net {
    pub uas: Vec<UserAgent>,
    pub names: Vec<String>,
    pub events: Vec<Vec<Event>>,
    pub sent: Vec<Vec<Vec<u8>>>,
    pub now: Instant,
    hosts: Vec<(String, usize)>,
}

/// The host of a SIP URI or Via sent-by: after `@` (or the scheme / the
/// protocol), up to `;`, `:`, `>` or whitespace.
fn host_of(text: &str) -> String {
    let after = match text.find('@') {
        Some(at) => &text[at + 1..],
        None => text
            .split_once(' ')
            .map(|(_, r)| r)
            .unwrap_or(text)
            .trim_start_matches("sip:"),
    };
    after
        .split(|c: char| c == ';' || c == ':' || c == '>' || c.is_whitespace() || c == '?')
        .next()
        .unwrap_or("")
        .to_owned()
}

impl Net {
    pub fn new(names: &[&str]) -> Self {
        let mut uas = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let mut ua = UserAgent::new(config(name), seed(10 + i as u8), T0);
            ua.handle_transport_connected(T0);
            uas.push(ua);
        }
        Net {
            uas,
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            events: names.iter().map(|_| Vec::new()).collect(),
            sent: names.iter().map(|_| Vec::new()).collect(),
            now: T0,
            hosts: Vec::new(),
        }
    }

    fn learn(&mut self, from: usize, bytes: &[u8]) {
        let Ok(message) = Message::parse(bytes) else {
            return;
        };
        let mut hosts = Vec::new();
        if let Message::Request(r) = &message {
            if let Some(via) = r.headers.get_raw("Via") {
                hosts.push(host_of(via));
            }
        }
        if let Some(contact) = message.headers().get_raw("Contact") {
            hosts.push(host_of(contact));
        }
        for host in hosts {
            if host.ends_with(".invalid") && !self.hosts.iter().any(|(h, _)| *h == host) {
                self.hosts.push((host, from));
            }
        }
    }

    fn route(&self, bytes: &[u8]) -> Option<usize> {
        match Message::parse(bytes).ok()? {
            Message::Request(r) => {
                let uri = r.uri.as_str().to_owned();
                let host = host_of(&uri);
                if host.ends_with(".invalid") {
                    return self.hosts.iter().find(|(h, _)| *h == host).map(|(_, i)| *i);
                }
                let user = uri.trim_start_matches("sips:").trim_start_matches("sip:");
                let user = user.split('@').next()?;
                self.names.iter().position(|n| n == user)
            }
            Message::Response(r) => {
                let host = host_of(r.headers.get_raw("Via")?);
                self.hosts.iter().find(|(h, _)| *h == host).map(|(_, i)| *i)
            }
        }
    }

    /// Delivers everything in flight until every agent is quiet.
    pub fn progress(&mut self) {
        for _ in 0..200 {
            let mut quiet = true;
            for i in 0..self.uas.len() {
                let d = drain(&mut self.uas[i]);
                if !d.sent.is_empty() || !d.events.is_empty() {
                    quiet = false;
                }
                for e in &d.events {
                    if let Event::LocalDescriptionNeeded { call, kind, .. } = e {
                        let tag = format!(
                            "{}{}",
                            self.names[i],
                            if *kind == SdpKind::Offer {
                                "off"
                            } else {
                                "ans"
                            }
                        );
                        self.uas[i]
                            .set_local_description(self.now, *call, sdp(&tag))
                            .unwrap();
                    }
                }
                self.events[i].extend(d.events);
                for m in d.sent {
                    self.learn(i, &m);
                    if let Some(to) = self.route(&m) {
                        self.uas[to].handle_message(self.now, &m);
                    }
                    self.sent[i].push(m);
                }
            }
            if quiet {
                return;
            }
        }
        panic!("the user agents never went quiet");
    }

    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        for ua in &mut self.uas {
            ua.handle_timeout(self.now);
        }
        self.progress();
    }

    /// The last call handle in an IncomingCall event of agent `i`.
    pub fn incoming(&self, i: usize) -> CallHandle {
        self.events[i]
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::IncomingCall { call, .. } => Some(*call),
                _ => None,
            })
            .expect("no incoming call")
    }
}
