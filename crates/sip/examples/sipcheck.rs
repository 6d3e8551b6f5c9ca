//! Checks SIP messages in files: one JSON line per file saying whether a UA
//! must reject the message and why.
//!
//! ```text
//! cargo run -p vani-sip --example sipcheck -- FILE...
//! {"file":"invite.sip","ok":true,"kind":"request","method":"INVITE","call_id":"a84b4c76e66710","error":null}
//! ```
//!
//! `ok` is false when the message fails to parse or fails the checks of
//! `vani_sip::validate`; requests are checked against what Vani's user agent
//! understands in its default configuration, as it checks them itself.

use std::process::ExitCode;

use serde_json::{Value, json};
use vani_sip::message::Message;
use vani_sip::ua::{Config, UserAgent};
use vani_sip::validate::{Capabilities, validate_request, validate_response};

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: sipcheck FILE...");
        return ExitCode::from(2);
    }
    // The capabilities depend on the configuration's options, not on the
    // account: any address will do.
    let caps = UserAgent::capabilities_of(&Config::new("sip:sipcheck@example.invalid", "", ""));
    for file in &files {
        println!("{}", check(file, &caps));
    }
    ExitCode::SUCCESS
}

fn check(file: &str, caps: &Capabilities) -> Value {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return report(file, None, Some(format!("cannot read file: {e}"))),
    };
    match Message::parse(&bytes) {
        Err(e) => report(file, None, Some(e.to_string())),
        Ok(message) => {
            let verdict = match &message {
                Message::Request(r) => validate_request(r, caps).map_err(|rej| rej.to_string()),
                Message::Response(r) => validate_response(r),
            };
            report(file, Some(&message), verdict.err())
        }
    }
}

fn report(file: &str, message: Option<&Message>, error: Option<String>) -> Value {
    let mut line = json!({
        "file": file,
        "ok": error.is_none(),
        "kind": null,
        "call_id": message.and_then(|m| m.headers().get_raw("Call-ID").map(str::to_owned)),
        "error": error,
    });
    match message {
        Some(Message::Request(r)) => {
            line["kind"] = json!("request");
            line["method"] = json!(r.method.as_str());
        }
        Some(Message::Response(r)) => {
            line["kind"] = json!("response");
            line["status"] = json!(r.status.as_u16());
        }
        None => {}
    }
    line
}
