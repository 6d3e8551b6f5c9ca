//! Fixtures of the bot's tests: the project's Kamailio (the same fixture as
//! the driver's wire tests), accounts and waits.
#![allow(dead_code)]

#[path = "../../sip-ws/tests/support/kamailio.rs"]
pub mod kamailio;
#[path = "../../sip-ws/tests/support/logger.rs"]
pub mod logger;

use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use vani_bot::Account;

/// A Kamailio on its own block of ports (one per test).
pub fn kamailio() -> kamailio::Kamailio {
    logger::init();
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 23000 + NEXT.fetch_add(10, Ordering::Relaxed);
    kamailio::Kamailio::start(base, base + 1)
}

/// Demo account `user` on `kamailio` (password `vani` + user).
pub fn account(kamailio: &kamailio::Kamailio, user: &str) -> Account {
    Account {
        server: kamailio.ws_url(),
        domain: "localhost".into(),
        user: user.into(),
        password: format!("vani{user}"),
    }
}

/// Polls `check` every 50 ms until it holds, for at most `limit`.
pub async fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
