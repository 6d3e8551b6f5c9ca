//! When and where to reconnect: a list of WebSocket servers tried in order,
//! with jittered exponential back-off once every server has failed.

/// Back-off after failed connection attempts: `base * 2^n`, capped, with
/// "equal jitter" (half fixed, half random) so that many tabs losing the same
/// server do not come back in lock-step.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    base_ms: u64,
    max_ms: u64,
    failures: u32,
}

impl Backoff {
    /// Back-off starting at `base_ms` and never longer than `max_ms`.
    pub fn new(base_ms: u64, max_ms: u64) -> Self {
        Backoff {
            base_ms,
            max_ms,
            failures: 0,
        }
    }

    /// The delay before the next attempt after another failure; `random` is
    /// uniform in `[0, 1)`.
    pub fn next_delay(&mut self, random: f64) -> u64 {
        let exp = self.failures.min(20);
        self.failures = self.failures.saturating_add(1);
        let ceiling = self.base_ms.saturating_mul(1u64 << exp).min(self.max_ms);
        let half = ceiling / 2;
        let jitter = (half as f64 * random.clamp(0.0, 1.0)) as u64;
        half + jitter.min(half)
    }

    /// A connection worked: start small again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failed attempts since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// WebSocket servers in the order the account lists them.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerList {
    urls: Vec<String>,
    current: usize,
    failed_in_round: usize,
}

/// What to do after a connection failed.
#[derive(Clone, Debug, PartialEq)]
pub enum NextAttempt {
    /// Try the next server straight away.
    Now(String),
    /// Every server failed in this round: wait, then start again at the first.
    After { delay_ms: u64, url: String },
}

impl ServerList {
    /// Parses a list separated by commas, spaces or new lines.
    pub fn parse(text: &str) -> Self {
        let urls = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        ServerList {
            urls,
            current: 0,
            failed_in_round: 0,
        }
    }

    /// The server to use now.
    pub fn current(&self) -> Option<&str> {
        self.urls.get(self.current).map(String::as_str)
    }

    /// All servers.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// The current server works.
    pub fn connected(&mut self) {
        self.failed_in_round = 0;
    }

    /// The current server failed: move on, backing off after a full round.
    pub fn failed(&mut self, backoff: &mut Backoff, random: f64) -> Option<NextAttempt> {
        if self.urls.is_empty() {
            return None;
        }
        self.failed_in_round += 1;
        self.current = (self.current + 1) % self.urls.len();
        let url = self.urls.get(self.current)?.clone();
        if self.failed_in_round >= self.urls.len() {
            self.failed_in_round = 0;
            Some(NextAttempt::After {
                delay_ms: backoff.next_delay(random),
                url,
            })
        } else {
            Some(NextAttempt::Now(url))
        }
    }
}

/// Whether a URL is a WebSocket URL (`ws://` or `wss://`) with a host.
pub fn is_websocket_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("wss://")
        .or_else(|| lower.strip_prefix("ws://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_resets() {
        let mut b = Backoff::new(1_000, 30_000);
        assert_eq!(b.next_delay(0.0), 500);
        assert_eq!(b.next_delay(0.0), 1_000);
        assert_eq!(b.next_delay(0.999_999), 3_999);
        for _ in 0..30 {
            b.next_delay(0.5);
        }
        let d = b.next_delay(1.0);
        assert_eq!(d, 30_000);
        assert!(b.failures() > 30);
        b.reset();
        assert_eq!(b.next_delay(1.0), 1_000);
    }

    #[test]
    fn jitter_stays_between_half_and_full() {
        let mut b = Backoff::new(4_000, 60_000);
        for r in [0.0, 0.25, 0.5, 0.75, 0.99] {
            let mut fresh = b.clone();
            let d = fresh.next_delay(r);
            assert!((2_000..=4_000).contains(&d), "{d}");
        }
        b.next_delay(0.3);
    }

    #[test]
    fn servers_are_tried_in_order_then_back_off() {
        let mut list = ServerList::parse("wss://a.example/ws, wss://b.example/ws\nwss://c.example");
        let mut b = Backoff::new(1_000, 30_000);
        assert_eq!(list.current(), Some("wss://a.example/ws"));
        assert_eq!(
            list.failed(&mut b, 0.0),
            Some(NextAttempt::Now("wss://b.example/ws".into()))
        );
        assert_eq!(
            list.failed(&mut b, 0.0),
            Some(NextAttempt::Now("wss://c.example".into()))
        );
        assert_eq!(
            list.failed(&mut b, 0.0),
            Some(NextAttempt::After {
                delay_ms: 500,
                url: "wss://a.example/ws".into()
            })
        );
        list.connected();
        assert_eq!(
            list.failed(&mut b, 0.0),
            Some(NextAttempt::Now("wss://b.example/ws".into()))
        );
    }

    #[test]
    fn a_single_server_backs_off_every_time() {
        let mut list = ServerList::parse("ws://127.0.0.1:8088");
        let mut b = Backoff::new(1_000, 30_000);
        assert!(matches!(
            list.failed(&mut b, 0.0),
            Some(NextAttempt::After { delay_ms: 500, .. })
        ));
        assert!(matches!(
            list.failed(&mut b, 0.0),
            Some(NextAttempt::After {
                delay_ms: 1_000,
                ..
            })
        ));
        assert_eq!(ServerList::parse("  ").failed(&mut b, 0.0), None);
    }

    #[test]
    fn websocket_urls() {
        assert!(is_websocket_url("ws://127.0.0.1:8088"));
        assert!(is_websocket_url("WSS://sip.example.com/ws"));
        assert!(!is_websocket_url("https://sip.example.com"));
        assert!(!is_websocket_url("wss://"));
    }
}
