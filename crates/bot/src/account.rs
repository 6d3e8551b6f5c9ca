//! SIP accounts of the bot: user agent configuration for a user on a server.

use std::time::Duration;

use vani_sip_ws::{Config, Transport};

/// Who the bot is on the SIP server.
#[derive(Clone, Debug)]
pub struct Account {
    /// The WebSocket URL of the server (`ws://127.0.0.1:8088`).
    pub server: String,
    /// The SIP domain (`localhost` for the demo).
    pub domain: String,
    /// The user (`echo`, `1001`, `load0042`).
    pub user: String,
    /// The digest password. Never logged.
    pub password: String,
}

impl Account {
    /// The address of record, `sip:user@domain`.
    pub fn aor(&self) -> String {
        format!("sip:{}@{}", self.user, self.domain)
    }

    /// A SIP URI for `target`: kept if it already is one, else `sip:target@domain`.
    pub fn uri_for(&self, target: &str) -> String {
        if target.starts_with("sip:") || target.starts_with("sips:") {
            target.to_owned()
        } else {
            format!("sip:{target}@{}", self.domain)
        }
    }

    /// The user agent configuration: WS or WSS from the URL, no RFC 5626
    /// keep-alive pings (the demo Kamailio does not answer them on WebSocket
    /// flows), a `User-Agent` naming the bot.
    pub fn config(&self) -> Config {
        let mut config = Config::new(self.aor(), self.user.clone(), self.password.clone());
        config.transport = if self.server.starts_with("wss:") {
            Transport::Wss
        } else {
            Transport::Ws
        };
        config.keepalive_interval = None;
        config.user_agent = Some(concat!("vani-bot/", env!("CARGO_PKG_VERSION")).to_owned());
        config
    }
}

/// The password of load-test user `user` (`load0000`..`load9999`), as
/// deploy/kamailio/accounts.cfg derives it: `vani` followed by the user name.
pub fn load_password(user: &str) -> String {
    format!("vani{user}")
}

/// The name of load-test user number `index` (`load0000`..`load9999`).
pub fn load_user(index: usize) -> String {
    format!("load{index:04}")
}

/// How long to wait for a registration to be accepted.
pub const REGISTER_TIMEOUT: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_load_users() {
        let account = Account {
            server: "ws://127.0.0.1:8088".into(),
            domain: "localhost".into(),
            user: "echo".into(),
            password: "vaniecho".into(),
        };
        assert_eq!(account.aor(), "sip:echo@localhost");
        assert_eq!(account.uri_for("600"), "sip:600@localhost");
        assert_eq!(
            account.uri_for("sip:1000@example.com"),
            "sip:1000@example.com"
        );
        assert_eq!(account.config().transport, Transport::Ws);
        assert_eq!(load_user(7), "load0007");
        assert_eq!(load_password("load0007"), "vaniload0007");
    }
}
