//! RFC 3665 §2 registration flows and RFC 5626 keep-alive, against a
//! scripted registrar on a fake clock.

mod support;

use support::*;
use vani_sip::ua::{Event, RegistrationFailure, RegistrationState, UserAgent};

const CHALLENGE: &str = "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", qop=\"auth\", algorithm=MD5";

fn registered(events: &[Event]) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::Registration(RegistrationState::Registered { .. })))
}

#[test]
fn registration_successful() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let out = drain(&mut ua);
    let reg = out.request("REGISTER");
    assert_eq!(reg.uri.as_str(), "sip:example.com");
    let via = header(&reg.headers, "Via");
    assert!(
        via.starts_with("SIP/2.0/WSS ") && via.contains(".invalid;branch=z9hG4bK"),
        "{via}"
    );
    let contact = header(&reg.headers, "Contact");
    assert!(contact.contains(";transport=ws"), "{contact}");
    assert!(contact.contains(".invalid"), "{contact}");
    assert!(
        contact.contains("+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""),
        "{contact}"
    );
    assert!(contact.contains("reg-id=1"), "{contact}");
    assert!(header(&reg.headers, "Supported").contains("outbound"));
    assert_eq!(header(&reg.headers, "Expires"), "600");
    assert!(
        out.events
            .contains(&Event::Registration(RegistrationState::Registering))
    );

    let ok = respond(
        &reg,
        200,
        "OK",
        Some("reg"),
        &[&format!("Contact: {contact}"), "Expires: 3600"],
        None,
    );
    ua.handle_message(T0, &ok);
    let out = drain(&mut ua);
    assert!(
        out.events
            .contains(&Event::Registration(RegistrationState::Registered {
                expires: 600,
                gruu: None
            }))
    );
    assert_eq!(
        ua.transaction_count(),
        0,
        "K is zero on a reliable transport"
    );
}

#[test]
fn register_401_then_200() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let first = drain(&mut ua).request("REGISTER");
    assert!(first.headers.get_raw("Authorization").is_none());
    ua.handle_message(
        T0,
        &respond(&first, 401, "Unauthorized", Some("r"), &[CHALLENGE], None),
    );
    let out = drain(&mut ua);
    let second = out.request("REGISTER");
    let auth = header(&second.headers, "Authorization");
    assert!(
        auth.starts_with("Digest ") && auth.contains("nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\""),
        "{auth}"
    );
    assert!(auth.contains("nc=00000001"), "{auth}");
    assert_eq!(
        header(&second.headers, "Call-ID"),
        header(&first.headers, "Call-ID")
    );
    assert_eq!(header(&second.headers, "CSeq"), "2 REGISTER");
    ua.handle_message(
        T0,
        &respond(&second, 200, "OK", Some("r"), &["Expires: 300"], None),
    );
    assert!(registered(&drain(&mut ua).events));
}

#[test]
fn register_wrong_password_fails_without_loop() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let mut registers = 0;
    let mut last = drain(&mut ua);
    let mut failed = None;
    for _ in 0..5 {
        let Some(req) = last
            .requests()
            .into_iter()
            .find(|r| r.method.as_str() == "REGISTER")
        else {
            break;
        };
        registers += 1;
        ua.handle_message(
            T0,
            &respond(&req, 401, "Unauthorized", Some("r"), &[CHALLENGE], None),
        );
        last = drain(&mut ua);
        failed = failed.or(last.events.iter().find_map(|e| match e {
            Event::Registration(RegistrationState::Failed(f)) => Some(f.clone()),
            _ => None,
        }));
    }
    assert_eq!(registers, 2, "one retry per nonce, then stop");
    assert_eq!(failed, Some(RegistrationFailure::WrongCredentials));
    assert_eq!(ua.resources().transactions, 0);
    assert_eq!(ua.pending_timer_count(), 0);
}

#[test]
fn register_423_retries_with_min_expires() {
    let mut config = config("alice");
    config.register_expires = 60;
    let mut ua = UserAgent::new(config, seed(1), T0);
    ua.handle_transport_connected(T0);
    ua.register(T0);
    let first = drain(&mut ua).request("REGISTER");
    assert_eq!(header(&first.headers, "Expires"), "60");
    ua.handle_message(
        T0,
        &respond(
            &first,
            423,
            "Interval Too Brief",
            Some("r"),
            &["Min-Expires: 1800"],
            None,
        ),
    );
    let second = drain(&mut ua).request("REGISTER");
    assert_eq!(header(&second.headers, "Expires"), "1800");
    ua.handle_message(
        T0,
        &respond(&second, 200, "OK", Some("r"), &["Expires: 1800"], None),
    );
    assert!(registered(&drain(&mut ua).events));
}

#[test]
fn reregister_before_expiry() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let reg = drain(&mut ua).request("REGISTER");
    ua.handle_message(
        T0,
        &respond(&reg, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    let out = drain(&mut ua);
    // Refresh 60 s before the 600 s binding expires.
    assert_eq!(
        out.timeout,
        Some(T0 + secs(30)),
        "first deadline is the keep-alive ping"
    );
    ua.handle_timeout(T0 + secs(539));
    let out = drain(&mut ua);
    assert!(!out.methods().contains(&"REGISTER".to_string()));
    ua.handle_timeout(T0 + secs(540));
    let out = drain(&mut ua);
    let refresh = out.request("REGISTER");
    assert_eq!(
        header(&refresh.headers, "Call-ID"),
        header(&reg.headers, "Call-ID")
    );
    assert_eq!(header(&refresh.headers, "CSeq"), "2 REGISTER");
}

#[test]
fn unregister_sends_expires_zero() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let reg = drain(&mut ua).request("REGISTER");
    ua.handle_message(
        T0,
        &respond(&reg, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    let _ = drain(&mut ua);
    ua.unregister(T0 + secs(5));
    let out = drain(&mut ua);
    let unreg = out.request("REGISTER");
    assert_eq!(header(&unreg.headers, "Expires"), "0");
    assert!(
        out.events
            .contains(&Event::Registration(RegistrationState::Unregistering))
    );
    ua.handle_message(
        T0 + secs(5),
        &respond(&unreg, 200, "OK", Some("r"), &[], None),
    );
    let out = drain(&mut ua);
    assert!(
        out.events
            .contains(&Event::Registration(RegistrationState::Unregistered))
    );
    let r = ua.resources();
    assert_eq!((r.transactions, r.timers), (0, 0), "{r:?}");
}

#[test]
fn gruu_and_service_route_are_learnt() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let reg = drain(&mut ua).request("REGISTER");
    let contact = header(&reg.headers, "Contact");
    let with_gruu = format!(
        "Contact: {contact};pub-gruu=\"sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6\";temp-gruu=\"sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr\""
    );
    let ok = respond(
        &reg,
        200,
        "OK",
        Some("r"),
        &[&with_gruu, "Service-Route: <sip:orig@edge.example.com;lr>"],
        None,
    );
    ua.handle_message(T0, &ok);
    let out = drain(&mut ua);
    let gruu = out.events.iter().find_map(|e| match e {
        Event::Registration(RegistrationState::Registered { gruu, .. }) => gruu.clone(),
        _ => None,
    });
    let gruu = gruu.expect("GRUU reported");
    assert_eq!(
        gruu.public.as_deref(),
        Some("sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6")
    );
    // Out-of-dialog requests now follow the Service-Route.
    ua.send_message(T0, "sip:bob@example.com", "text/plain", "hi")
        .unwrap();
    let msg = drain(&mut ua).request("MESSAGE");
    assert_eq!(
        header(&msg.headers, "Route"),
        "<sip:orig@edge.example.com;lr>"
    );
}

#[test]
fn keepalive_pong_timeout_reports_flow_failure() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let reg = drain(&mut ua).request("REGISTER");
    ua.handle_message(
        T0,
        &respond(&reg, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    let _ = drain(&mut ua);
    // Ping at 30 s; a pong arrives; next ping at 60 s is not answered.
    ua.handle_timeout(T0 + secs(30));
    let out = drain(&mut ua);
    assert_eq!(out.sent, vec![b"\r\n\r\n".to_vec()]);
    assert_eq!(out.timeout, Some(T0 + secs(40)), "pong timeout of 10 s");
    ua.handle_message(T0 + secs(31), b"\r\n");
    let out = drain(&mut ua);
    assert_eq!(out.timeout, Some(T0 + secs(60)));
    ua.handle_timeout(T0 + secs(60));
    assert_eq!(drain(&mut ua).sent, vec![b"\r\n\r\n".to_vec()]);
    ua.handle_timeout(T0 + secs(69));
    assert!(!drain(&mut ua).events.contains(&Event::FlowFailed));
    ua.handle_timeout(T0 + secs(70));
    assert!(drain(&mut ua).events.contains(&Event::FlowFailed));
}

#[test]
fn register_timer_f_timeout() {
    let mut ua = connected("alice", 1);
    ua.register(T0);
    let _ = drain(&mut ua);
    ua.handle_timeout(T0 + secs(31));
    assert!(drain(&mut ua).events.is_empty());
    // Timer F = 64*T1 = 32 s (RFC 3261 Table 4).
    ua.handle_timeout(T0 + secs(32));
    let out = drain(&mut ua);
    assert!(
        out.events
            .contains(&Event::Registration(RegistrationState::Failed(
                RegistrationFailure::Timeout
            )))
    );
}

#[test]
fn a_display_name_with_quotes_and_line_breaks_stays_one_quoted_string() {
    let mut config = config("alice");
    config.display_name = Some("Al\"ice\\\r\nX-Injected: 1".into());
    let mut ua = UserAgent::new(config, seed(1), T0);
    ua.handle_transport_connected(T0);
    ua.register(T0);
    let reg = drain(&mut ua).request("REGISTER");
    assert_eq!(
        header(&reg.headers, "From").split(" <").next(),
        Some("\"Al\\\"ice\\\\  X-Injected: 1\"")
    );
    assert!(reg.headers.get_raw("X-Injected").is_none());
    let from = reg
        .headers
        .get::<vani_sip::header::From>()
        .expect("a From header")
        .expect("it reads");
    assert_eq!(
        from.display_name.as_deref(),
        Some("Al\"ice\\  X-Injected: 1")
    );
}
