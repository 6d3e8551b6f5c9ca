//! RFC 3262 (PRACK, 100rel), RFC 3311 (UPDATE) and RFC 4028 (session
//! timers) flows, between two user agents or against a scripted peer.

mod support;

use support::*;
use vani_sip::message::Request;
use vani_sip::ua::{CallHandle, CallState, EndReason, Event, MediaKind, SdpKind, UserAgent};

fn connect(p: &mut Pair) -> (CallHandle, CallHandle) {
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

fn sent_requests(sent: &[Vec<u8>], method: &str) -> Vec<Request> {
    sent.iter()
        .filter_map(|b| match vani_sip::message::Message::parse(b) {
            Ok(vani_sip::message::Message::Request(r)) if r.method.as_str() == method => Some(r),
            _ => None,
        })
        .collect()
}

fn sent_responses(sent: &[Vec<u8>], status: u16, method: &str) -> Vec<vani_sip::message::Response> {
    sent.iter()
        .filter_map(|b| match vani_sip::message::Message::parse(b) {
            Ok(vani_sip::message::Message::Response(r))
                if r.status.as_u16() == status && header(&r.headers, "CSeq").ends_with(method) =>
            {
                Some(r)
            }
            _ => None,
        })
        .collect()
}

/// A UA that placed a call (with an offer unless `offerless`) and the
/// INVITE it sent.
fn scripted_caller(
    config: vani_sip::ua::Config,
    offerless: bool,
) -> (UserAgent, CallHandle, Request) {
    let mut ua = UserAgent::new(config, seed(1), T0);
    ua.handle_transport_connected(T0);
    let _ = drain(&mut ua);
    let call = if offerless {
        ua.call_without_offer(T0, "bob").unwrap()
    } else {
        let call = ua.call(T0, "bob", MediaKind::Audio).unwrap();
        let _ = drain(&mut ua);
        ua.set_local_description(T0, call, sdp("aoffer")).unwrap();
        call
    };
    let out = drain(&mut ua);
    let invite = out.request("INVITE");
    (ua, call, invite)
}

#[test]
fn reliable_180_is_pracked() {
    let mut p = Pair::new();
    let (a_call, _) = connect(&mut p);
    let invite = &sent_requests(&p.a_sent, "INVITE")[0];
    assert!(header(&invite.headers, "Supported").contains("100rel"));
    let ringing = &sent_responses(&p.b_sent, 180, "INVITE")[0];
    assert_eq!(header(&ringing.headers, "Require"), "100rel");
    let rseq = header(&ringing.headers, "RSeq");
    assert!(rseq.parse::<u32>().is_ok_and(|n| n >= 1), "{rseq}");
    let prack = &sent_requests(&p.a_sent, "PRACK")[0];
    assert_eq!(header(&prack.headers, "RAck"), format!("{rseq} 1 INVITE"));
    assert_eq!(header(&prack.headers, "CSeq"), "2 PRACK");
    assert_eq!(sent_responses(&p.b_sent, 200, "PRACK").len(), 1);
    // The BYE goes on from the PRACK's CSeq.
    p.a.hangup(p.now, a_call).unwrap();
    p.progress();
    assert_eq!(
        header(&sent_requests(&p.a_sent, "BYE")[0].headers, "CSeq"),
        "3 BYE"
    );
}

#[test]
fn provisionals_are_unreliable_without_100rel() {
    let mut b = config("bob");
    b.reliable_provisional = false;
    let mut p = Pair::with(config("alice"), b);
    connect(&mut p);
    let ringing = &sent_responses(&p.b_sent, 180, "INVITE")[0];
    assert_eq!(header(&ringing.headers, "RSeq"), "");
    assert!(sent_requests(&p.a_sent, "PRACK").is_empty());
}

#[test]
fn prack_with_unknown_rack_gets_481() {
    let mut p = Pair::new();
    let _a_call =
        p.a.call(p.now, "sip:bob@example.com", MediaKind::Audio)
            .unwrap();
    p.progress();
    let prack = sent_requests(&p.a_sent, "PRACK").remove(0);
    // The same PRACK again, as a new transaction, after the first acknowledged
    // the 180: nothing is unacknowledged any more.
    let text = String::from_utf8_lossy(&prack.to_bytes())
        .replace("CSeq: 2 PRACK", "CSeq: 3 PRACK")
        .replacen(";branch=z9hG4bK", ";branch=z9hG4bKagain", 1);
    p.b.handle_message(p.now, text.as_bytes());
    let out = drain(&mut p.b);
    assert_eq!(out.statuses(), vec![481]);
}

#[test]
fn prack_offer_in_reliable_183() {
    let (mut ua, call, invite) = scripted_caller(config("alice"), true);
    assert!(invite.body.is_empty());
    let offer = sdp("boffer");
    let reliable = respond(
        &invite,
        183,
        "Session Progress",
        Some("b1"),
        &[
            "Contact: <sip:bob@b.invalid>",
            "Require: 100rel",
            "RSeq: 7",
            "Allow: INVITE, ACK, BYE, PRACK, UPDATE",
        ],
        Some(&offer),
    );
    ua.handle_message(T0, &reliable);
    let out = drain(&mut ua);
    assert!(out.sent.is_empty(), "the PRACK waits for the answer");
    assert!(out.events.iter().any(
        |e| matches!(e, Event::RemoteDescription { kind: SdpKind::Offer, sdp, .. } if sdp.contains("boffer"))
    ));
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::LocalDescriptionNeeded {
            kind: SdpKind::Answer,
            ..
        }
    )));
    assert_eq!(ua.call_state(call), Some(CallState::Early));
    ua.set_local_description(T0, call, sdp("aanswr")).unwrap();
    let out = drain(&mut ua);
    let prack = out.request("PRACK");
    assert_eq!(header(&prack.headers, "RAck"), "7 1 INVITE");
    assert!(String::from_utf8_lossy(&prack.body).contains("aanswr"));
    assert!(header(&prack.headers, "To").contains("tag=b1"));
    ua.handle_message(T0, &respond(&prack, 200, "OK", None, &[], None));
    let _ = drain(&mut ua);
    // A retransmission of the 183 is not PRACKed again.
    ua.handle_message(T0, &reliable);
    assert!(drain(&mut ua).sent.is_empty());
    // The 2xx has no SDP: offer and answer are done.
    ua.handle_message(
        T0,
        &respond(
            &invite,
            200,
            "OK",
            Some("b1"),
            &["Contact: <sip:bob@b.invalid>"],
            None,
        ),
    );
    let out = drain(&mut ua);
    let ack = out.request("ACK");
    assert!(ack.body.is_empty());
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
    // The BYE follows the PRACK's CSeq.
    ua.hangup(T0, call).unwrap();
    assert_eq!(
        header(&drain(&mut ua).request("BYE").headers, "CSeq"),
        "3 BYE"
    );
}

#[test]
fn update_offer_answer_in_early_dialog() {
    let (mut ua, call, invite) = scripted_caller(config("alice"), false);
    ua.handle_message(
        T0,
        &respond(
            &invite,
            183,
            "Session Progress",
            Some("b1"),
            &["Contact: <sip:bob@b.invalid>", "Require: 100rel", "RSeq: 1"],
            Some(&sdp("banswr")),
        ),
    );
    let out = drain(&mut ua);
    let prack = out.request("PRACK");
    ua.handle_message(T0, &respond(&prack, 200, "OK", None, &[], None));
    let _ = drain(&mut ua);
    ua.update(T0, call).unwrap();
    let out = drain(&mut ua);
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::LocalDescriptionNeeded {
            kind: SdpKind::Offer,
            ..
        }
    )));
    ua.set_local_description(T0, call, sdp("aupdate")).unwrap();
    let update = drain(&mut ua).request("UPDATE");
    assert_eq!(header(&update.headers, "CSeq"), "3 UPDATE");
    assert!(header(&update.headers, "To").contains("tag=b1"));
    assert!(String::from_utf8_lossy(&update.body).contains("aupdate"));
    ua.handle_message(
        T0,
        &respond(&update, 200, "OK", None, &[], Some(&sdp("bupdate"))),
    );
    let out = drain(&mut ua);
    assert!(out.events.iter().any(
        |e| matches!(e, Event::RemoteDescription { kind: SdpKind::Answer, sdp, .. } if sdp.contains("bupdate"))
    ));
    assert!(out.sent.is_empty(), "no ACK for UPDATE");
    // A second UPDATE is allowed now that the first is answered.
    assert!(ua.update(T0, call).is_ok());
}

#[test]
fn update_offer_answer_in_confirmed_dialog() {
    let mut p = Pair::new();
    let (a_call, b_call) = connect(&mut p);
    let before = p.a_sent.len();
    p.a.update(p.now, a_call).unwrap();
    p.progress();
    let update = &sent_requests(&p.a_sent[before..], "UPDATE")[0];
    assert!(String::from_utf8_lossy(&update.body).contains("aoffer"));
    assert!(sent_requests(&p.a_sent[before..], "ACK").is_empty());
    assert!(p.b_events.iter().any(
        |e| matches!(e, Event::RemoteDescription { call, kind: SdpKind::Offer, .. } if *call == b_call)
    ));
    let answers = p
        .a_events
        .iter()
        .filter(|e| matches!(e, Event::RemoteDescription { kind: SdpKind::Answer, sdp, .. } if sdp.contains("banswr")))
        .count();
    assert_eq!(answers, 2, "the INVITE's answer and the UPDATE's");
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Connected));
}

#[test]
fn session_refresh_by_update() {
    let mut p = Pair::new();
    let (a_call, b_call) = connect(&mut p);
    let invite = &sent_requests(&p.a_sent, "INVITE")[0];
    assert_eq!(header(&invite.headers, "Session-Expires"), "1800");
    assert_eq!(header(&invite.headers, "Min-SE"), "90");
    let ok = &sent_responses(&p.b_sent, 200, "INVITE")[0];
    assert_eq!(header(&ok.headers, "Session-Expires"), "1800;refresher=uac");
    assert!(header(&ok.headers, "Require").contains("timer"));
    // Alice refreshes at half the interval, by UPDATE (Bob allows it), for
    // well past the interval; Bob never ends the session.
    p.advance(secs(899));
    assert!(sent_requests(&p.a_sent, "UPDATE").is_empty());
    p.advance(secs(1));
    let updates = sent_requests(&p.a_sent, "UPDATE");
    assert_eq!(updates.len(), 1);
    assert_eq!(
        header(&updates[0].headers, "Session-Expires"),
        "1800;refresher=uac"
    );
    assert!(updates[0].body.is_empty());
    for _ in 0..8 {
        p.advance(secs(450));
    }
    assert_eq!(sent_requests(&p.a_sent, "UPDATE").len(), 5);
    assert!(sent_requests(&p.a_sent, "BYE").is_empty());
    assert!(sent_requests(&p.b_sent, "BYE").is_empty());
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Connected));
}

/// A connected call against a scripted peer whose 2xx carries `extra`.
fn scripted_connected(config: vani_sip::ua::Config, extra: &[&str]) -> (UserAgent, CallHandle) {
    let (mut ua, call, invite) = scripted_caller(config, false);
    let mut lines = vec!["Contact: <sip:bob@b.invalid>"];
    lines.extend_from_slice(extra);
    ua.handle_message(
        T0,
        &respond(&invite, 200, "OK", Some("b1"), &lines, Some(&sdp("banswr"))),
    );
    let out = drain(&mut ua);
    out.request("ACK");
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
    (ua, call)
}

#[test]
fn session_refresh_by_reinvite_when_update_not_allowed() {
    let (mut ua, call) = scripted_connected(
        config("alice"),
        &[
            "Allow: INVITE, ACK, BYE, CANCEL",
            "Session-Expires: 90;refresher=uac",
        ],
    );
    ua.handle_timeout(T0 + secs(44));
    assert!(drain(&mut ua).sent.is_empty());
    ua.handle_timeout(T0 + secs(45));
    let reinvite = drain(&mut ua).request("INVITE");
    assert_eq!(header(&reinvite.headers, "CSeq"), "2 INVITE");
    assert_eq!(
        header(&reinvite.headers, "Session-Expires"),
        "90;refresher=uac"
    );
    assert!(String::from_utf8_lossy(&reinvite.body).contains("aoffer"));
    ua.handle_message(
        T0 + secs(45),
        &respond(
            &reinvite,
            200,
            "OK",
            None,
            &[
                "Contact: <sip:bob@b.invalid>",
                "Session-Expires: 90;refresher=uac",
            ],
            Some(&sdp("banswr")),
        ),
    );
    assert_eq!(drain(&mut ua).request("ACK").method.as_str(), "ACK");
    // The next refresh comes 45 s after the last one.
    ua.handle_timeout(T0 + secs(89));
    assert!(drain(&mut ua).sent.is_empty());
    ua.handle_timeout(T0 + secs(90));
    assert_eq!(
        header(&drain(&mut ua).request("INVITE").headers, "CSeq"),
        "3 INVITE"
    );
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
}

#[test]
fn session_expires_unrefreshed_ends_with_bye() {
    let (mut ua, call) =
        scripted_connected(config("alice"), &["Session-Expires: 90;refresher=uas"]);
    // RFC 4028 §10: 90 - min(32, 90/3) = 60 s.
    ua.handle_timeout(T0 + secs(59));
    assert!(drain(&mut ua).sent.is_empty());
    ua.handle_timeout(T0 + secs(60));
    let out = drain(&mut ua);
    out.request("BYE");
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::CallState { call: c, state: CallState::Ended(EndReason::SessionExpired) } if *c == call
    )));
}

#[test]
fn no_session_expires_in_2xx_means_no_timer() {
    let (mut ua, _call) = scripted_connected(config("alice"), &[]);
    ua.handle_timeout(T0 + secs(4000));
    let out = drain(&mut ua);
    assert!(out.sent.is_empty(), "{:?}", out.texts());
}

#[test]
fn invite_422_retries_with_min_se() {
    let mut c = config("alice");
    c.session_expires = Some(90);
    let (mut ua, call, invite) = scripted_caller(c, false);
    assert_eq!(header(&invite.headers, "Session-Expires"), "90");
    ua.handle_message(
        T0,
        &respond(
            &invite,
            422,
            "Session Interval Too Small",
            Some("b1"),
            &["Min-SE: 1800"],
            None,
        ),
    );
    let out = drain(&mut ua);
    out.request("ACK");
    let retry = out.request("INVITE");
    assert_eq!(header(&retry.headers, "CSeq"), "2 INVITE");
    assert_eq!(header(&retry.headers, "Session-Expires"), "1800");
    assert_eq!(header(&retry.headers, "Min-SE"), "1800");
    assert!(String::from_utf8_lossy(&retry.body).contains("aoffer"));
    // A second 422 asking no more than we sent ends the call.
    ua.handle_message(
        T0,
        &respond(
            &retry,
            422,
            "Session Interval Too Small",
            Some("b1"),
            &["Min-SE: 1800"],
            None,
        ),
    );
    let out = drain(&mut ua);
    assert!(out.requests().iter().all(|r| r.method.as_str() == "ACK"));
    assert_eq!(ua.call_state(call), None);
}

#[test]
fn incoming_invite_below_min_se_gets_422() {
    let mut ua = connected("alice", 1);
    let invite = "INVITE sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bKse\r\nMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: se-1\r\nCSeq: 1 INVITE\r\nContact: <sip:carol@p.example>\r\nSupported: timer\r\nSession-Expires: 60\r\nContent-Length: 0\r\n\r\n";
    ua.handle_message(T0, invite.as_bytes());
    let out = drain(&mut ua);
    assert_eq!(out.statuses(), vec![100, 422]);
    assert_eq!(header(&out.responses()[1].headers, "Min-SE"), "90");
    assert_eq!(ua.resources().calls, 0);
}

#[test]
fn callee_refreshes_when_caller_lacks_timer_support() {
    let mut ua = connected("alice", 1);
    let invite = format!(
        "INVITE sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bKse2\r\nMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: se-2\r\nCSeq: 1 INVITE\r\nContact: <sip:carol@p.example>\r\nSession-Expires: 120\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{}",
        sdp("coffer").len(),
        sdp("coffer")
    );
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
    ua.answer(T0, call).unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("aanswr")).unwrap();
    let out = drain(&mut ua);
    let ok = out
        .responses()
        .into_iter()
        .find(|r| r.status.as_u16() == 200)
        .unwrap();
    assert_eq!(header(&ok.headers, "Session-Expires"), "120;refresher=uas");
    assert!(!header(&ok.headers, "Require").contains("timer"));
    let ack = format!(
        "ACK sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bKack\r\nMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\nTo: {}\r\nCall-ID: se-2\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        header(&ok.headers, "To")
    );
    ua.handle_message(T0, ack.as_bytes());
    let _ = drain(&mut ua);
    // We refresh at 60 s; the caller's Allow lacks UPDATE: re-INVITE.
    ua.handle_timeout(T0 + secs(60));
    let reinvite = drain(&mut ua).request("INVITE");
    assert_eq!(
        header(&reinvite.headers, "Session-Expires"),
        "120;refresher=uac"
    );
}
