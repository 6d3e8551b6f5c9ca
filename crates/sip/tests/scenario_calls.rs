//! RFC 3665 §3 basic call flows, RFC 5359 hold, glare, rollback, forking and
//! the CANCEL race, between two user agents or against a scripted peer.

mod support;

use support::*;
use vani_sip::header::{CSeq, ContentType, MediaType};
use vani_sip::message::Method;
use vani_sip::ua::{CallState, DtmfFormat, EndReason, Event, MediaKind, SdpKind, UserAgent};

fn ended(events: &[Event], call: vani_sip::ua::CallHandle) -> Option<EndReason> {
    call_states(events, call).into_iter().find_map(|s| match s {
        CallState::Ended(r) => Some(r),
        _ => None,
    })
}

/// Alice calls Bob; Bob answers. Returns (alice's call, bob's call).
fn connect(p: &mut Pair) -> (vani_sip::ua::CallHandle, vani_sip::ua::CallHandle) {
    let a_call =
        p.a.call(p.now, "sip:bob@example.com", MediaKind::Audio)
            .unwrap();
    p.progress();
    let b_call = p.b_incoming();
    p.b.answer(p.now, b_call).unwrap();
    p.progress();
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Connected));
    (a_call, b_call)
}

#[test]
fn successful_call_and_no_state_left_behind() {
    let mut p = Pair::new();
    let (a_call, b_call) = connect(&mut p);
    assert_eq!(
        call_states(&p.a_events, a_call),
        vec![CallState::Calling, CallState::Ringing, CallState::Connected]
    );
    assert_eq!(
        call_states(&p.b_events, b_call),
        vec![CallState::Ringing, CallState::Connected]
    );
    // Bob saw the offer, Alice the answer.
    assert!(p.b_events.iter().any(
        |e| matches!(e, Event::IncomingCall { remote_sdp: Some(s), .. } if s.contains("aoffer"))
    ));
    assert!(p.a_events.iter().any(
        |e| matches!(e, Event::RemoteDescription { kind: SdpKind::Answer, sdp, .. } if sdp.contains("banswr"))
    ));
    // Bob sent 100, 180, 200 for the INVITE.
    let b_statuses: Vec<u16> = p
        .b_sent
        .iter()
        .filter_map(|m| {
            String::from_utf8_lossy(m)
                .strip_prefix("SIP/2.0 ")
                .map(|s| s[..3].parse().unwrap())
        })
        .collect();
    assert_eq!(&b_statuses[..3], &[100, 180, 200]);
    p.a.hangup(p.now, a_call).unwrap();
    p.progress();
    assert_eq!(ended(&p.a_events, a_call), Some(EndReason::LocalHangup));
    assert_eq!(ended(&p.b_events, b_call), Some(EndReason::RemoteHangup));
    assert_eq!(p.a.dialog_count() + p.b.dialog_count(), 0);
    // INVITE transactions linger in Accepted for Timer L/M = 64*T1 = 32 s.
    assert!(p.a.transaction_count() > 0);
    p.advance(secs(32));
    for ua in [&p.a, &p.b] {
        let r = ua.resources();
        assert_eq!(
            (r.transactions, r.dialogs, r.timers, r.calls),
            (0, 0, 0, 0),
            "{r:?}"
        );
    }
}

#[test]
fn many_flows_leave_nothing_behind() {
    let mut p = Pair::new();
    for i in 0..20 {
        let (a_call, b_call) = connect(&mut p);
        if i % 3 == 0 {
            p.b.hangup(p.now, b_call).unwrap();
        } else {
            p.a.send_dtmf_info(p.now, a_call, '5', 160, DtmfFormat::Relay)
                .unwrap();
            p.progress();
            p.a.hangup(p.now, a_call).unwrap();
        }
        p.progress();
        // A rejected call and a cancelled one too.
        let c =
            p.a.call(p.now, "sip:bob@example.com", MediaKind::Audio)
                .unwrap();
        p.progress();
        let bc = p.b_incoming();
        if i % 2 == 0 {
            p.b.reject(p.now, bc, 486).unwrap();
        } else {
            p.a.hangup(p.now, c).unwrap();
        }
        p.progress();
        // A subscription, notified, refreshed once and ended.
        let s =
            p.a.subscribe(p.now, "sip:bob@example.com", "presence", 120)
                .unwrap();
        p.progress();
        let incoming = p
            .b_events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::IncomingSubscription { subscription, .. } => Some(*subscription),
                _ => None,
            })
            .unwrap();
        p.b.notify(p.now, incoming, "text/plain", "open", false)
            .unwrap();
        p.progress();
        if i % 2 == 0 {
            p.advance(secs(61));
        }
        p.a.unsubscribe(p.now, s).unwrap();
        p.progress();
        p.advance(secs(1));
    }
    p.advance(secs(40));
    for ua in [&p.a, &p.b] {
        let r = ua.resources();
        assert_eq!(
            (
                r.transactions,
                r.dialogs,
                r.timers,
                r.calls,
                r.subscriptions
            ),
            (0, 0, 0, 0, 0),
            "{r:?}"
        );
    }
}

#[test]
fn busy_486_ends_with_busy() {
    let mut p = Pair::new();
    let a_call = p.a.call(p.now, "bob", MediaKind::Audio).unwrap();
    p.progress();
    let b_call = p.b_incoming();
    p.b.reject(p.now, b_call, 486).unwrap();
    p.progress();
    assert_eq!(ended(&p.a_events, a_call), Some(EndReason::Busy));
    // The ACK for the 486 reached Bob's transaction: nothing waits for Timer H.
    assert_eq!(p.b.transaction_count(), 0);
}

fn scripted_call(status: u16, reason: &str) -> (UserAgent, Option<EndReason>) {
    let mut ua = connected("alice", 1);
    let call = ua
        .call(T0, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a")).unwrap();
    let invite = drain(&mut ua).request("INVITE");
    ua.handle_message(T0, &respond(&invite, 100, "Trying", None, &[], None));
    ua.handle_message(T0, &respond(&invite, status, reason, Some("x"), &[], None));
    let out = drain(&mut ua);
    let ack = out.request("ACK");
    assert_eq!(
        header(&ack.headers, "Via"),
        header(&invite.headers, "Via"),
        "§17.1.1.3: same branch"
    );
    assert!(header(&ack.headers, "To").contains("tag=x"));
    assert_eq!(header(&ack.headers, "CSeq"), "1 ACK");
    (ua, ended(&out.events, call))
}

#[test]
fn failures_map_to_reasons() {
    assert_eq!(scripted_call(486, "Busy Here").1, Some(EndReason::Busy));
    assert_eq!(
        scripted_call(600, "Busy Everywhere").1,
        Some(EndReason::Busy)
    );
    assert_eq!(scripted_call(603, "Decline").1, Some(EndReason::Declined));
    assert_eq!(scripted_call(404, "Not Found").1, Some(EndReason::NotFound));
    assert_eq!(
        scripted_call(480, "Temporarily Unavailable").1,
        Some(EndReason::Unavailable)
    );
    assert_eq!(
        scripted_call(503, "Service Unavailable").1,
        Some(EndReason::Unavailable)
    );
    assert_eq!(
        scripted_call(408, "Request Timeout").1,
        Some(EndReason::NoAnswer)
    );
    let (ua, reason) = scripted_call(500, "Oops");
    assert_eq!(
        reason,
        Some(EndReason::Failed {
            status: 500,
            reason: "Oops".into()
        })
    );
    assert_eq!(ua.transaction_count(), 0);
}

#[test]
fn no_response_times_out_with_timer_b() {
    let mut ua = connected("alice", 1);
    let call = ua
        .call(T0, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a")).unwrap();
    let _ = drain(&mut ua);
    ua.handle_timeout(T0 + secs(31));
    assert_eq!(ua.call_state(call), Some(CallState::Calling));
    // Timer B = 64*T1 = 32 s (RFC 3261 Table 4).
    ua.handle_timeout(T0 + secs(32));
    assert_eq!(
        ended(&drain(&mut ua).events, call),
        Some(EndReason::Timeout)
    );
    assert_eq!(ua.resources().calls, 0);
}

#[test]
fn no_answer_cancels_after_timeout() {
    let mut ua = connected("alice", 1);
    let call = ua
        .call(T0, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a")).unwrap();
    let invite = drain(&mut ua).request("INVITE");
    ua.handle_message(
        T0,
        &respond(
            &invite,
            180,
            "Ringing",
            Some("b"),
            &["Contact: <sip:bob@b.invalid>"],
            None,
        ),
    );
    let _ = drain(&mut ua);
    ua.handle_timeout(T0 + secs(60));
    let cancel = drain(&mut ua).request("CANCEL");
    assert_eq!(
        header(&cancel.headers, "Via"),
        header(&invite.headers, "Via")
    );
    ua.handle_message(
        T0 + secs(60),
        &respond(&cancel, 200, "OK", Some("b"), &[], None),
    );
    ua.handle_message(
        T0 + secs(60),
        &respond(&invite, 487, "Request Terminated", Some("b"), &[], None),
    );
    let out = drain(&mut ua);
    assert!(out.methods().contains(&"ACK".to_string()));
    assert_eq!(ended(&out.events, call), Some(EndReason::NoAnswer));
}

#[test]
fn multiple_proxy_auth_on_invite() {
    let mut ua = connected("alice", 1);
    let call = ua
        .call(T0, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a")).unwrap();
    let invite = drain(&mut ua).request("INVITE");
    let challenge = "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"";
    ua.handle_message(
        T0,
        &respond(
            &invite,
            407,
            "Proxy Authentication Required",
            Some("p"),
            &[challenge],
            None,
        ),
    );
    let out = drain(&mut ua);
    assert_eq!(out.methods(), vec!["ACK", "INVITE"]);
    let retry = out.request("INVITE");
    assert_eq!(header(&retry.headers, "CSeq"), "2 INVITE");
    assert_eq!(
        header(&retry.headers, "Call-ID"),
        header(&invite.headers, "Call-ID")
    );
    assert!(header(&retry.headers, "Proxy-Authorization").contains("realm=\"example.com\""));
    assert_ne!(
        header(&retry.headers, "Via"),
        header(&invite.headers, "Via"),
        "a new transaction"
    );
    assert!(retry.body.len() > 10, "the offer is sent again");
    ua.handle_message(
        T0,
        &respond(
            &retry,
            200,
            "OK",
            Some("b"),
            &["Contact: <sip:bob@b.invalid>"],
            Some(&sdp("b")),
        ),
    );
    let out = drain(&mut ua);
    assert_eq!(header(&out.request("ACK").headers, "CSeq"), "2 ACK");
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
}

#[test]
fn cancel_race_200_after_cancel_is_acked_then_byed() {
    let mut ua = connected("alice", 1);
    let call = ua
        .call(T0, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a")).unwrap();
    let invite = drain(&mut ua).request("INVITE");
    ua.handle_message(
        T0,
        &respond(
            &invite,
            180,
            "Ringing",
            Some("b"),
            &["Contact: <sip:bob@b.invalid>"],
            None,
        ),
    );
    let _ = drain(&mut ua);
    ua.hangup(T0, call).unwrap();
    let cancel = drain(&mut ua).request("CANCEL");
    // The 200 to the INVITE crossed the CANCEL.
    ua.handle_message(
        T0,
        &respond(
            &invite,
            200,
            "OK",
            Some("b"),
            &["Contact: <sip:bob@b.invalid>"],
            Some(&sdp("b")),
        ),
    );
    let out = drain(&mut ua);
    assert_eq!(out.methods(), vec!["ACK", "BYE"]);
    assert_eq!(ended(&out.events, call), Some(EndReason::LocalHangup));
    ua.handle_message(
        T0,
        &respond(
            &cancel,
            481,
            "Call/Transaction Does Not Exist",
            Some("b"),
            &[],
            None,
        ),
    );
    let bye = out.request("BYE");
    ua.handle_message(T0, &respond(&bye, 200, "OK", None, &[], None));
    let _ = drain(&mut ua);
    ua.handle_timeout(T0 + secs(32));
    assert_eq!(ua.resources().transactions, 0);
}

#[test]
fn inbound_call_cancelled() {
    let mut p = Pair::new();
    let a_call = p.a.call(p.now, "bob", MediaKind::Audio).unwrap();
    p.progress();
    let b_call = p.b_incoming();
    p.a.hangup(p.now, a_call).unwrap();
    p.progress();
    assert_eq!(ended(&p.b_events, b_call), Some(EndReason::RemoteHangup));
    assert_eq!(ended(&p.a_events, a_call), Some(EndReason::LocalHangup));
    assert!(p.b_sent.iter().any(|m| m.starts_with(b"SIP/2.0 487")));
}

#[test]
fn forked_invite_extra_2xx_is_acked_and_byed() {
    let mut ua = connected("alice", 1);
    let call = ua
        .call(T0, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a")).unwrap();
    let invite = drain(&mut ua).request("INVITE");
    ua.handle_message(
        T0,
        &respond(
            &invite,
            180,
            "Ringing",
            Some("f1"),
            &["Contact: <sip:b1@b.invalid>"],
            None,
        ),
    );
    ua.handle_message(
        T0,
        &respond(
            &invite,
            180,
            "Ringing",
            Some("f2"),
            &["Contact: <sip:b2@b.invalid>"],
            None,
        ),
    );
    let _ = drain(&mut ua);
    assert_eq!(ua.dialog_count(), 2, "two early dialogs");
    ua.handle_message(
        T0,
        &respond(
            &invite,
            200,
            "OK",
            Some("f1"),
            &["Contact: <sip:b1@b.invalid>"],
            Some(&sdp("b")),
        ),
    );
    let first = drain(&mut ua);
    assert_eq!(first.methods(), vec!["ACK"]);
    assert_eq!(ua.dialog_count(), 1);
    ua.handle_message(
        T0,
        &respond(
            &invite,
            200,
            "OK",
            Some("f2"),
            &["Contact: <sip:b2@b.invalid>"],
            Some(&sdp("c")),
        ),
    );
    let second = drain(&mut ua);
    assert_eq!(second.methods(), vec!["ACK", "BYE"]);
    assert_eq!(second.request("BYE").uri.as_str(), "sip:b2@b.invalid");
    assert!(header(&second.request("BYE").headers, "To").contains("tag=f2"));
    // A retransmission of the first 2xx is ACKed again, nothing else.
    ua.handle_message(
        T0,
        &respond(
            &invite,
            200,
            "OK",
            Some("f1"),
            &["Contact: <sip:b1@b.invalid>"],
            Some(&sdp("b")),
        ),
    );
    assert_eq!(drain(&mut ua).methods(), vec!["ACK"]);
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
}

#[test]
fn call_without_offer_answer_in_ack() {
    let mut p = Pair::new();
    let a_call = p.a.call_without_offer(p.now, "bob").unwrap();
    p.progress();
    let b_call = p.b_incoming();
    p.b.answer(p.now, b_call).unwrap();
    p.progress();
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Connected));
    assert!(p.b_events.iter().any(
        |e| matches!(e, Event::RemoteDescription { kind: SdpKind::Answer, sdp, .. } if sdp.contains("aanswr"))
    ));
    let ack = p.a_sent.iter().find(|m| m.starts_with(b"ACK ")).unwrap();
    assert!(String::from_utf8_lossy(ack).contains("a=ice-ufrag:aanswr"));
}

#[test]
fn hold_and_resume_rfc5359() {
    let mut p = Pair::new();
    let (a_call, b_call) = connect(&mut p);
    p.a.hold(p.now, a_call).unwrap();
    p.progress();
    assert_eq!(p.a.call_state(a_call), Some(CallState::Held));
    assert_eq!(p.b.call_state(b_call), Some(CallState::RemoteHeld));
    let reinvite = p
        .a_sent
        .iter()
        .rev()
        .find(|m| m.starts_with(b"INVITE "))
        .unwrap();
    let text = String::from_utf8_lossy(reinvite);
    // CSeq 1 was the INVITE, 2 the PRACK of Bob's reliable 180.
    assert!(
        text.contains("a=sendonly") && text.contains("CSeq: 3 INVITE"),
        "{text}"
    );
    assert!(text.contains("o=- 1 2 IN IP4"), "version bumped: {text}");
    p.a.resume(p.now, a_call).unwrap();
    p.progress();
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Connected));
}

#[test]
fn glare_491_backs_off_and_retries() {
    let mut p = Pair::new();
    let (a_call, b_call) = connect(&mut p);
    // Both send a re-INVITE before seeing the other's.
    p.a.hold(p.now, a_call).unwrap();
    p.b.hold(p.now, b_call).unwrap();
    p.progress();
    let count_491 = |sent: &[Vec<u8>]| {
        sent.iter()
            .filter(|m| m.starts_with(b"SIP/2.0 491"))
            .count()
    };
    assert_eq!(count_491(&p.a_sent), 1);
    assert_eq!(count_491(&p.b_sent), 1);
    // §14.1: Alice owns the Call-ID: 2.1-4 s; Bob: 0-2 s.
    let a_deadline = p.a_timeout.unwrap();
    let b_deadline = p.b_timeout.unwrap();
    assert!(
        a_deadline >= p.now + vani_sip::time::Duration::from_millis(2100)
            && a_deadline <= p.now + secs(4),
        "{a_deadline}"
    );
    assert!(b_deadline <= p.now + secs(2), "{b_deadline}");
    p.advance_to(b_deadline);
    assert_eq!(p.b.call_state(b_call), Some(CallState::Held));
    p.advance_to(a_deadline.max(p.now));
    p.advance(secs(1));
    // Alice's retry carries `inactive`: Bob holds her by now (RFC 3264 §8.4).
    let retry = p
        .a_sent
        .iter()
        .rev()
        .find(|m| m.starts_with(b"INVITE "))
        .unwrap();
    assert!(String::from_utf8_lossy(retry).contains("a=inactive"));
    assert_eq!(p.a.call_state(a_call), Some(CallState::Held));
}

#[test]
fn reinvite_488_rolls_back() {
    let mut ua = connected("alice", 1);
    let call = ua
        .call(T0, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a")).unwrap();
    let invite = drain(&mut ua).request("INVITE");
    ua.handle_message(
        T0,
        &respond(
            &invite,
            200,
            "OK",
            Some("b"),
            &["Contact: <sip:bob@b.invalid>"],
            Some(&sdp("b")),
        ),
    );
    let _ = drain(&mut ua);
    ua.renegotiate(T0, call).unwrap();
    let out = drain(&mut ua);
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::LocalDescriptionNeeded {
            kind: SdpKind::Offer,
            ..
        }
    )));
    ua.set_local_description(T0, call, sdp("video")).unwrap();
    let reinvite = drain(&mut ua).request("INVITE");
    ua.handle_message(
        T0,
        &respond(&reinvite, 488, "Not Acceptable Here", None, &[], None),
    );
    let out = drain(&mut ua);
    assert!(out.events.iter().any(|e| matches!(e,
        Event::RolledBack { local_sdp: Some(l), remote_sdp: Some(r), .. } if l.contains("ice-ufrag:a\r") && r.contains("ice-ufrag:b\r"))));
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
    // A new exchange may start again.
    ua.renegotiate(T0, call).unwrap();
}

#[test]
fn dtmf_info_and_message_in_call() {
    let mut p = Pair::new();
    let (a_call, b_call) = connect(&mut p);
    p.a.send_dtmf_info(p.now, a_call, '5', 160, DtmfFormat::Relay)
        .unwrap();
    p.a.send_dtmf_info(p.now, a_call, '#', 100, DtmfFormat::Dtmf)
        .unwrap();
    p.progress();
    let digits: Vec<(char, u32)> = p
        .b_events
        .iter()
        .filter_map(|e| match e {
            Event::Dtmf {
                call,
                digit,
                duration,
            } if *call == b_call => Some((*digit, *duration)),
            _ => None,
        })
        .collect();
    assert_eq!(digits, vec![('5', 160), ('#', 160)]);
    let info = p.a_sent.iter().find(|m| m.starts_with(b"INFO ")).unwrap();
    assert!(String::from_utf8_lossy(info).ends_with("Signal=5\r\nDuration=160\r\n"));
    assert_eq!(
        p.a_events
            .iter()
            .filter(|e| matches!(e, Event::InfoResult { status: 200, .. }))
            .count(),
        2
    );
}

#[test]
fn message_out_of_dialog() {
    let mut p = Pair::new();
    let m =
        p.a.send_message(p.now, "sip:bob@example.com", "text/plain", "hello bob")
            .unwrap();
    p.progress();
    assert!(p.b_events.iter().any(|e| matches!(e, Event::Message { body, content_type, .. } if body == "hello bob" && content_type == "text/plain")));
    assert!(p.a_events.contains(&Event::MessageResult {
        message: m,
        status: 200
    }));
}

#[test]
fn remote_bye_with_lower_cseq_gets_500() {
    let mut p = Pair::new();
    let (_a_call, b_call) = connect(&mut p);
    // Bob sends two INFOs (CSeq 1 and 2), then a BYE rewritten to CSeq 1.
    p.b.send_dtmf_info(p.now, b_call, '1', 160, DtmfFormat::Relay)
        .unwrap();
    p.b.send_dtmf_info(p.now, b_call, '2', 160, DtmfFormat::Relay)
        .unwrap();
    p.progress();
    let bye = {
        p.b.hangup(p.now, b_call).unwrap();
        let out = drain(&mut p.b);
        out.request("BYE")
    };
    let text = String::from_utf8_lossy(&bye.to_bytes()).replace("CSeq: 3 BYE", "CSeq: 1 BYE");
    assert!(text.contains("CSeq: 1 BYE"));
    p.a.handle_message(p.now, text.as_bytes());
    let out = drain(&mut p.a);
    assert_eq!(out.statuses(), vec![500]);
}

#[test]
fn message_in_dialog_reaches_the_application() {
    let mut p = Pair::new();
    let (a_call, _b_call) = connect(&mut p);
    // Alice's next in-dialog request, turned into a MESSAGE (RFC 3428 §4
    // allows one in a dialog; this UA only sends them outside one).
    p.a.send_dtmf_info(p.now, a_call, '1', 160, DtmfFormat::Relay)
        .unwrap();
    let mut message = drain(&mut p.a).request("INFO");
    let seq = message.headers.get::<CSeq>().unwrap().unwrap().seq;
    message.method = Method::Message;
    message.headers.set(&CSeq {
        seq,
        method: Method::Message,
    });
    message.set_body(
        &ContentType(MediaType::new("text", "plain")),
        b"in the call".to_vec(),
    );
    p.b.handle_message(p.now, &message.to_bytes());
    let out = drain(&mut p.b);
    assert_eq!(out.statuses(), vec![200]);
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::Message { from, content_type, body }
            if from == "sip:alice@example.com" && content_type == "text/plain" && body == "in the call"
    )));
}
