//! Requests a UA must refuse or answer by itself (RFC 3261 §8.2, §12.2.2,
//! RFC 4475 §3.3), sent by a scripted peer.

mod support;

use support::*;
use vani_sip::ua::{DropReason, Event};

fn request(method: &str, extra: &str) -> String {
    format!(
        "{method} sip:alice@a.invalid;transport=ws SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bKsrv{method}\r\nMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: srv-{method}\r\nCSeq: 1 {method}\r\nContact: <sip:carol@p.example>\r\n{extra}Content-Length: 0\r\n\r\n"
    )
}

fn answer(text: &str) -> (Vec<u16>, Vec<vani_sip::message::Response>) {
    let mut ua = connected("alice", 1);
    ua.handle_message(T0, text.as_bytes());
    let out = drain(&mut ua);
    (out.statuses(), out.responses())
}

#[test]
fn options_answered_with_allow_accept_supported() {
    let (statuses, responses) = answer(&request("OPTIONS", ""));
    assert_eq!(statuses, vec![200]);
    let allow = header(&responses[0].headers, "Allow");
    assert!(
        allow.contains("INVITE") && allow.contains("MESSAGE"),
        "{allow}"
    );
    assert!(header(&responses[0].headers, "Accept").contains("application/sdp"));
    assert!(!header(&responses[0].headers, "Supported").is_empty());
    assert!(header(&responses[0].headers, "To").contains("tag="));
}

#[test]
fn unknown_method_gets_501() {
    assert_eq!(answer(&request("FOO", "")).0, vec![501]);
}

#[test]
fn known_unsupported_method_gets_405_with_allow() {
    let (statuses, responses) = answer(&request("PUBLISH", ""));
    assert_eq!(statuses, vec![405]);
    assert!(header(&responses[0].headers, "Allow").contains("INVITE"));
}

#[test]
fn unsupported_require_gets_420() {
    let (statuses, responses) = answer(&request("INVITE", "Require: foo, outbound\r\n"));
    assert_eq!(statuses, vec![420]);
    assert_eq!(header(&responses[0].headers, "Unsupported"), "foo");
}

#[test]
fn bye_for_unknown_dialog_gets_481() {
    let text = request("BYE", "").replace(
        "To: <sip:alice@example.com>",
        "To: <sip:alice@example.com>;tag=nope",
    );
    assert_eq!(answer(&text).0, vec![481]);
}

#[test]
fn cancel_for_unknown_transaction_gets_481() {
    assert_eq!(answer(&request("CANCEL", "")).0, vec![481]);
}

#[test]
fn merged_request_gets_482() {
    let mut ua = connected("alice", 1);
    let first = request("INVITE", "");
    ua.handle_message(T0, first.as_bytes());
    assert_eq!(drain(&mut ua).statuses(), vec![100, 180]);
    // The same request forked back to us along another path (§8.2.2.2).
    let second = first.replace("branch=z9hG4bKsrvINVITE", "branch=z9hG4bKother");
    ua.handle_message(T0, second.as_bytes());
    assert_eq!(drain(&mut ua).statuses(), vec![482]);
}

#[test]
fn retransmitted_invite_gets_last_provisional_again() {
    let mut ua = connected("alice", 1);
    let invite = request("INVITE", "");
    ua.handle_message(T0, invite.as_bytes());
    let _ = drain(&mut ua);
    ua.handle_message(T0, invite.as_bytes());
    let out = drain(&mut ua);
    assert_eq!(out.statuses(), vec![180]);
    assert!(
        out.events
            .contains(&Event::Dropped(DropReason::Retransmission))
    );
}

#[test]
fn cseq_method_mismatch_gets_400() {
    let text = request("OPTIONS", "").replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
    let (statuses, responses) = answer(&text);
    assert_eq!(statuses, vec![400]);
    assert!(!responses[0].reason.is_empty());
}

#[test]
fn missing_call_id_gets_400() {
    let text = request("OPTIONS", "").replace("Call-ID: srv-OPTIONS\r\n", "");
    assert_eq!(answer(&text).0, vec![400]);
}

#[test]
fn unknown_uri_scheme_gets_416() {
    let text = request("OPTIONS", "").replace(
        "OPTIONS sip:alice@a.invalid;transport=ws",
        "OPTIONS nope:alice",
    );
    assert_eq!(answer(&text).0, vec![416]);
}

#[test]
fn stray_response_and_ack_are_dropped() {
    let mut ua = connected("alice", 1);
    let stray = "SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bKnone\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    ua.handle_message(T0, stray.as_bytes());
    let ack = request("ACK", "").replace(
        "To: <sip:alice@example.com>",
        "To: <sip:alice@example.com>;tag=zz",
    );
    ua.handle_message(T0, ack.as_bytes());
    ua.handle_message(T0, b"\x00\x01garbage");
    let out = drain(&mut ua);
    assert!(out.sent.is_empty());
    assert!(
        out.events
            .contains(&Event::Dropped(DropReason::StrayResponse))
    );
    assert!(out.events.contains(&Event::Dropped(DropReason::StrayAck)));
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::Dropped(DropReason::Unparsable(_))))
    );
    assert_eq!(ua.resources().transactions, 0);
}

#[test]
fn rejected_invite_waits_for_ack_with_timer_h() {
    let mut ua = connected("alice", 1);
    let invite = request("INVITE", "");
    ua.handle_message(T0, invite.as_bytes());
    let out = drain(&mut ua);
    let call = out
        .events
        .iter()
        .find_map(|e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    ua.reject(T0, call, 603).unwrap();
    assert_eq!(drain(&mut ua).statuses(), vec![603]);
    assert_eq!(ua.transaction_count(), 1);
    ua.handle_timeout(T0 + secs(31));
    assert_eq!(ua.transaction_count(), 1);
    // Timer H = 64*T1 = 32 s (RFC 3261 Table 4).
    ua.handle_timeout(T0 + secs(32));
    assert_eq!(ua.transaction_count(), 0);
}

#[test]
fn dialog_creating_responses_copy_record_route() {
    // RFC 3261 §12.1.1: the UAS copies every Record-Route of the request into
    // the responses that create the dialog, in order; a proxy that
    // record-routes (Kamailio does) otherwise never sees the ACK or BYE.
    let mut ua = connected("alice", 1);
    let invite = request(
        "INVITE",
        "Record-Route: <sip:p2.example;lr>\r\nRecord-Route: <sip:p1.example;lr;ftag=c1>\r\n",
    );
    ua.handle_message(T0, invite.as_bytes());
    let out = drain(&mut ua);
    let mut responses = out.responses();
    let call = out
        .events
        .iter()
        .find_map(|e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    if !responses.iter().any(|r| r.status.as_u16() == 180) {
        ua.ring(T0, call).unwrap();
        responses.extend(drain(&mut ua).responses());
    }
    let routes = |status: u16| -> Vec<String> {
        let r = responses
            .iter()
            .find(|r| r.status.as_u16() == status)
            .unwrap();
        r.headers
            .raw_values("Record-Route")
            .map(|v| v.to_string())
            .collect()
    };
    assert!(routes(100).is_empty(), "100 Trying creates no dialog");
    assert_eq!(
        routes(180),
        ["<sip:p2.example;lr>", "<sip:p1.example;lr;ftag=c1>"]
    );

    ua.reject(T0, call, 486).unwrap();
    let busy = drain(&mut ua).responses();
    assert_eq!(busy[0].status.as_u16(), 486);
    assert_eq!(
        busy[0].headers.raw_values("Record-Route").count(),
        0,
        "a failure creates no dialog"
    );
}

#[test]
fn missing_ack_for_486_reports_timer_h() {
    let mut ua = connected("alice", 1);
    ua.handle_message(T0, request("INVITE", "").as_bytes());
    let out = drain(&mut ua);
    let call = out
        .events
        .iter()
        .find_map(|e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    ua.reject(T0, call, 486).unwrap();
    let _ = drain(&mut ua);
    // Timer H = 64*T1 = 32 s.
    ua.handle_timeout(T0 + secs(31));
    assert!(
        !drain(&mut ua)
            .events
            .iter()
            .any(|e| matches!(e, Event::AckTimeout { .. }))
    );
    ua.handle_timeout(T0 + secs(32));
    let out = drain(&mut ua);
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::AckTimeout { call_id } if call_id == "srv-INVITE"))
    );
    assert_eq!(ua.resources().transactions, 0);
}

#[test]
fn malformed_header_gets_400_naming_it() {
    let text = request("OPTIONS", "").replace("Max-Forwards: 70", "Max-Forwards: seventy");
    let (statuses, responses) = answer(&text);
    assert_eq!(statuses, vec![400]);
    assert!(
        responses[0].reason.contains("Max-Forwards"),
        "{}",
        responses[0].reason
    );
    let text = request("OPTIONS", "").replace("Call-ID: srv-OPTIONS\r\n", "");
    let (_, responses) = answer(&text);
    assert!(
        responses[0].reason.contains("Call-ID"),
        "{}",
        responses[0].reason
    );
}

#[test]
fn other_sip_version_gets_505() {
    let text = request("OPTIONS", "").replace(
        "OPTIONS sip:alice@a.invalid;transport=ws SIP/2.0",
        "OPTIONS sip:alice@a.invalid;transport=ws SIP/7.0",
    );
    let (statuses, responses) = answer(&text);
    assert_eq!(statuses, vec![505]);
    assert!(header(&responses[0].headers, "To").contains("tag="));
}

#[test]
fn unknown_scheme_416_names_the_scheme() {
    let text = request("INVITE", "").replace(
        "INVITE sip:alice@a.invalid;transport=ws",
        "INVITE mailto:alice@example.com",
    );
    let (statuses, responses) = answer(&text);
    assert_eq!(statuses, vec![416]);
    assert!(
        responses[0].reason.contains("mailto"),
        "{}",
        responses[0].reason
    );
}

#[test]
fn unsupported_require_on_message_gets_420_listing_every_unknown_tag() {
    let (statuses, responses) = answer(&request(
        "MESSAGE",
        "Require: timer, x-one\r\nRequire: x-two\r\n",
    ));
    assert_eq!(statuses, vec![420]);
    assert_eq!(header(&responses[0].headers, "Unsupported"), "x-one, x-two");
}

#[test]
fn unknown_body_type_gets_415_with_accept() {
    let text = request("INVITE", "Content-Type: application/x-nope\r\n")
        .replace("Content-Length: 0\r\n\r\n", "Content-Length: 4\r\n\r\nnope");
    let (statuses, responses) = answer(&text);
    assert_eq!(statuses, vec![415]);
    assert!(header(&responses[0].headers, "Accept").contains("application/sdp"));
}

/// RFC 4475 §3.3.11: a UA processes a request with Max-Forwards 0 (only a
/// proxy, which would forward it, answers 483).
#[test]
fn max_forwards_zero_is_processed_by_a_ua() {
    let text = request("OPTIONS", "").replace("Max-Forwards: 70", "Max-Forwards: 0");
    assert_eq!(answer(&text).0, vec![200]);
    let text = request("INVITE", "").replace("Max-Forwards: 70", "Max-Forwards: 0");
    let statuses = answer(&text).0;
    assert!(!statuses.contains(&483), "{statuses:?}");
    assert_eq!(statuses.first(), Some(&100));
}
