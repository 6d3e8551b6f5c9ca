//! The stack's log lines: each message received and sent is traced by its
//! start line, each dropped message gets a debug line saying why, and no
//! line ever holds the password, even through a digest exchange.

mod support;

use std::sync::Mutex;

use log::{LevelFilter, Log, Metadata, Record};
use support::*;

/// Collects every log line of this test binary.
struct Lines(Mutex<Vec<String>>);

impl Log for Lines {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(format!(
                "{} {}: {}",
                record.level(),
                record.target(),
                record.args()
            ));
        }
    }
    fn flush(&self) {}
}

static LINES: Lines = Lines(Mutex::new(Vec::new()));

#[test]
fn traces_messages_logs_drops_and_never_the_password() {
    log::set_logger(&LINES).expect("the only logger of this binary");
    log::set_max_level(LevelFilter::Trace);

    let mut ua = connected("alice", 1);
    ua.register(T0);
    let first = drain(&mut ua).request("REGISTER");
    let challenge = "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"";
    ua.handle_message(
        T0,
        &respond(&first, 401, "Unauthorized", Some("r"), &[challenge], None),
    );
    let second = drain(&mut ua).request("REGISTER");
    assert!(header(&second.headers, "Authorization").contains("n1"));
    ua.handle_message(
        T0,
        &respond(&second, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    let _ = drain(&mut ua);
    // A response no transaction sent, and bytes that are no SIP message.
    ua.handle_message(
        T0,
        &respond(&first, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    ua.handle_message(T0, b"HELLO\r\n\r\n");
    let _ = drain(&mut ua);

    let lines = LINES.0.lock().expect("lines").clone();
    let has = |level: &str, text: &str| {
        lines
            .iter()
            .any(|l| l.starts_with(level) && l.contains("vani_sip") && l.contains(text))
    };
    assert!(
        has("TRACE", "sending REGISTER sip:example.com SIP/2.0"),
        "{lines:#?}"
    );
    assert!(
        has("TRACE", "received SIP/2.0 401 Unauthorized"),
        "{lines:#?}"
    );
    assert!(has("TRACE", "received SIP/2.0 200 OK"), "{lines:#?}");
    assert!(
        has("DEBUG", "dropped a message: StrayResponse"),
        "{lines:#?}"
    );
    assert!(has("DEBUG", "dropped a message: Unparsable"), "{lines:#?}");
    let password = config("alice").password;
    assert!(
        lines.iter().all(|l| !l.contains(&password)),
        "a log line holds the password: {lines:#?}"
    );
}
