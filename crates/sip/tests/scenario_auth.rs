//! Digest authentication across requests (RFC 3261 §22, RFC 7616 §3.3), as
//! a Kamailio-like proxy asks for it: 401 to REGISTER, 407 to every INVITE
//! and to in-dialog requests. Each request answers a challenge once; a
//! second challenge to its retry means wrong credentials.

mod support;

use support::*;
use vani_sip::message::Request;
use vani_sip::time::Instant;
use vani_sip::ua::{
    CallHandle, CallState, EndReason, Event, MediaKind, RegistrationState, UserAgent,
};

fn www(nonce: &str) -> String {
    format!("WWW-Authenticate: Digest realm=\"example.com\", nonce=\"{nonce}\", qop=\"auth\"")
}

fn proxy(nonce: &str) -> String {
    format!("Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"{nonce}\", qop=\"auth\"")
}

fn ended(events: &[Event], call: CallHandle) -> Option<EndReason> {
    call_states(events, call).into_iter().find_map(|s| match s {
        CallState::Ended(r) => Some(r),
        _ => None,
    })
}

fn registration_events(events: &[Event]) -> Vec<RegistrationState> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Registration(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Registers `ua` through a 401 with `nonce`; returns the authenticated
/// REGISTER.
fn register_with_challenge(ua: &mut UserAgent, now: Instant, nonce: &str) -> Request {
    ua.register(now);
    let first = drain(ua).request("REGISTER");
    ua.handle_message(
        now,
        &respond(&first, 401, "Unauthorized", Some("r"), &[&www(nonce)], None),
    );
    let second = drain(ua).request("REGISTER");
    assert!(header(&second.headers, "Authorization").contains(nonce));
    ua.handle_message(
        now,
        &respond(&second, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    let out = drain(ua);
    assert!(
        registration_events(&out.events)
            .iter()
            .any(|s| matches!(s, RegistrationState::Registered { .. })),
        "{:?}",
        out.events
    );
    second
}

/// Starts a call and returns its first INVITE.
fn invite(ua: &mut UserAgent, now: Instant) -> (CallHandle, Request) {
    let call = ua
        .call(now, "sip:bob@example.com", MediaKind::Audio)
        .unwrap();
    let _ = drain(ua);
    ua.set_local_description(now, call, sdp("a")).unwrap();
    (call, drain(ua).request("INVITE"))
}

/// Answers `invite` with a 407 with `nonce`; returns what the UA sent.
fn challenge_invite(ua: &mut UserAgent, now: Instant, invite: &Request, nonce: &str) -> Drained {
    ua.handle_message(
        now,
        &respond(
            invite,
            407,
            "Proxy Authentication Required",
            Some("p"),
            &[&proxy(nonce)],
            None,
        ),
    );
    drain(ua)
}

/// A call through one 407 challenge to Connected; returns the call.
fn challenged_call(ua: &mut UserAgent, now: Instant, nonce: &str) -> CallHandle {
    let (call, first) = invite(ua, now);
    let out = challenge_invite(ua, now, &first, nonce);
    assert_eq!(out.methods(), vec!["ACK", "INVITE"], "{:?}", out.events);
    let retry = out.request("INVITE");
    assert!(header(&retry.headers, "Proxy-Authorization").contains(nonce));
    ua.handle_message(
        now,
        &respond(
            &retry,
            200,
            "OK",
            Some("b"),
            &["Contact: <sip:bob@b.invalid>"],
            Some(&sdp("b")),
        ),
    );
    let _ = drain(ua);
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
    call
}

/// Hangs up `call` and answers the BYE with 200.
fn hang_up(ua: &mut UserAgent, now: Instant, call: CallHandle) {
    ua.hangup(now, call).unwrap();
    let bye = drain(ua).request("BYE");
    ua.handle_message(now, &respond(&bye, 200, "OK", None, &[], None));
    let _ = drain(ua);
}

#[test]
fn register_then_two_challenged_invites_both_succeed() {
    let mut ua = connected("alice", 1);
    register_with_challenge(&mut ua, T0, "r1");
    let first = challenged_call(&mut ua, T0, "i1");
    hang_up(&mut ua, T0, first);
    // The proxy challenges the next INVITE too, with a fresh nonce.
    let second = challenged_call(&mut ua, T0, "i2");
    hang_up(&mut ua, T0, second);
    // And once more with the nonce it used before.
    let third = challenged_call(&mut ua, T0, "i2");
    hang_up(&mut ua, T0, third);
    // RFC 6026 Timer M (64*T1) ends the accepted INVITE transactions.
    ua.handle_timeout(T0 + secs(33));
    let _ = drain(&mut ua);
    assert_eq!(ua.resources().calls, 0);
    assert_eq!(ua.resources().transactions, 0);
}

#[test]
fn wrong_password_on_invite_fails_once_without_loop() {
    let mut ua = connected("alice", 1);
    register_with_challenge(&mut ua, T0, "r1");
    let (call, first) = invite(&mut ua, T0);
    let mut invites = 1;
    let mut out = challenge_invite(&mut ua, T0, &first, "i1");
    let mut events = out.events.clone();
    while let Some(retry) = out
        .requests()
        .into_iter()
        .find(|r| r.method.as_str() == "INVITE")
    {
        invites += 1;
        assert!(invites <= 5, "INVITE loop");
        out = challenge_invite(&mut ua, T0, &retry, "i1");
        events.extend(out.events.clone());
    }
    assert_eq!(invites, 2, "one retry per challenge, then stop");
    assert!(out.methods().contains(&"ACK".to_string()));
    assert_eq!(ended(&events, call), Some(EndReason::AuthenticationFailed));
    let r = ua.resources();
    assert_eq!((r.calls, r.transactions, r.dialogs), (0, 0, 0), "{r:?}");
}

#[test]
fn reregister_after_failed_call_succeeds() {
    let mut ua = connected("alice", 1);
    register_with_challenge(&mut ua, T0, "r1");
    // A call that fails authentication.
    let (call, first) = invite(&mut ua, T0);
    let out = challenge_invite(&mut ua, T0, &first, "i1");
    let retry = out.request("INVITE");
    let out = challenge_invite(&mut ua, T0, &retry, "i1");
    assert_eq!(
        ended(&out.events, call),
        Some(EndReason::AuthenticationFailed)
    );
    // The refresh 60 s before expiry carries the old credentials; the
    // registrar wants a new nonce and gets it answered.
    let later = T0 + secs(540);
    ua.handle_timeout(later);
    let refresh = drain(&mut ua).request("REGISTER");
    assert!(header(&refresh.headers, "Authorization").contains("r1"));
    ua.handle_message(
        later,
        &respond(
            &refresh,
            401,
            "Unauthorized",
            Some("r"),
            &[&www("r2")],
            None,
        ),
    );
    let out = drain(&mut ua);
    let answered = out.request("REGISTER");
    assert!(header(&answered.headers, "Authorization").contains("r2"));
    ua.handle_message(
        later,
        &respond(&answered, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    let states = registration_events(&drain(&mut ua).events);
    assert!(
        !states
            .iter()
            .any(|s| matches!(s, RegistrationState::Failed(_))),
        "{states:?}"
    );
    assert_eq!(
        ua.registration_state(),
        RegistrationState::Registered {
            expires: 600,
            gruu: None
        }
    );
    // A fresh register() after the failure works too.
    ua.register(later);
    let again = drain(&mut ua).request("REGISTER");
    ua.handle_message(
        later,
        &respond(&again, 401, "Unauthorized", Some("r"), &[&www("r3")], None),
    );
    let answered = drain(&mut ua).request("REGISTER");
    ua.handle_message(
        later,
        &respond(&answered, 200, "OK", Some("r"), &["Expires: 600"], None),
    );
    let _ = drain(&mut ua);
    assert!(matches!(
        ua.registration_state(),
        RegistrationState::Registered { .. }
    ));
}

/// A call answered without any challenge.
fn connected_call(ua: &mut UserAgent, now: Instant) -> CallHandle {
    let (call, first) = invite(ua, now);
    ua.handle_message(
        now,
        &respond(
            &first,
            200,
            "OK",
            Some("b"),
            &["Contact: <sip:bob@b.invalid>"],
            Some(&sdp("b")),
        ),
    );
    let _ = drain(ua);
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
    call
}

fn cseq_number(req: &Request) -> u32 {
    header(&req.headers, "CSeq")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap()
}

/// Answers the in-dialog `req` with a 407 and checks the retry: same
/// method, dialog and body, CSeq one higher, a new branch, credentials.
fn challenge_in_dialog(ua: &mut UserAgent, now: Instant, req: &Request, nonce: &str) -> Request {
    let out = challenge_invite(ua, now, req, nonce);
    let method = req.method.as_str();
    assert_eq!(out.methods(), vec![method], "{:?}", out.texts());
    let retry = out.request(method);
    assert_eq!(cseq_number(&retry), cseq_number(req) + 1);
    assert!(header(&retry.headers, "CSeq").ends_with(method));
    assert_ne!(header(&retry.headers, "Via"), header(&req.headers, "Via"));
    for name in ["Call-ID", "From", "To"] {
        assert_eq!(header(&retry.headers, name), header(&req.headers, name));
    }
    assert_eq!(retry.body, req.body);
    let auth = header(&retry.headers, "Proxy-Authorization");
    assert!(auth.contains(&format!("nonce=\"{nonce}\"")), "{auth}");
    assert_eq!(retry.headers.raw_values("Proxy-Authorization").count(), 1);
    retry
}

#[test]
fn bye_challenged_in_dialog_is_retried_with_credentials() {
    let mut ua = connected("alice", 1);
    let call = connected_call(&mut ua, T0);
    ua.hangup(T0, call).unwrap();
    let bye = drain(&mut ua).request("BYE");
    let retry = challenge_in_dialog(&mut ua, T0, &bye, "b1");
    ua.handle_message(T0, &respond(&retry, 200, "OK", None, &[], None));
    let _ = drain(&mut ua);
    ua.handle_timeout(T0 + secs(33));
    let _ = drain(&mut ua);
    let r = ua.resources();
    assert_eq!((r.calls, r.transactions, r.dialogs), (0, 0, 0), "{r:?}");
}

#[test]
fn info_challenged_in_dialog_is_retried_and_the_dialog_cseq_moves_on() {
    let mut ua = connected("alice", 1);
    let call = connected_call(&mut ua, T0);
    ua.send_dtmf_info(T0, call, '5', 160, vani_sip::ua::DtmfFormat::Relay)
        .unwrap();
    let info = drain(&mut ua).request("INFO");
    let retry = challenge_in_dialog(&mut ua, T0, &info, "d1");
    ua.handle_message(T0, &respond(&retry, 200, "OK", None, &[], None));
    let out = drain(&mut ua);
    assert!(
        out.events
            .contains(&Event::InfoResult { call, status: 200 })
    );
    // The next request of the dialog follows the retry's CSeq.
    ua.send_dtmf_info(T0, call, '6', 160, vani_sip::ua::DtmfFormat::Relay)
        .unwrap();
    let next = drain(&mut ua).request("INFO");
    assert_eq!(cseq_number(&next), cseq_number(&retry) + 1);
}

#[test]
fn info_with_wrong_credentials_fails_once_without_loop() {
    let mut ua = connected("alice", 1);
    let call = connected_call(&mut ua, T0);
    ua.send_dtmf_info(T0, call, '1', 160, vani_sip::ua::DtmfFormat::Relay)
        .unwrap();
    let info = drain(&mut ua).request("INFO");
    let retry = challenge_in_dialog(&mut ua, T0, &info, "d1");
    let out = challenge_invite(&mut ua, T0, &retry, "d1");
    assert!(out.methods().is_empty(), "{:?}", out.texts());
    assert!(
        out.events
            .contains(&Event::InfoResult { call, status: 407 })
    );
    assert_eq!(ua.call_state(call), Some(CallState::Connected));
}

#[test]
fn refer_challenged_in_dialog_is_retried_with_credentials() {
    let mut ua = connected("alice", 1);
    let call = connected_call(&mut ua, T0);
    ua.refer(T0, call, "sip:carol@example.com").unwrap();
    let refer = drain(&mut ua).request("REFER");
    let retry = challenge_in_dialog(&mut ua, T0, &refer, "f1");
    assert_eq!(
        header(&retry.headers, "Refer-To"),
        header(&refer.headers, "Refer-To")
    );
    ua.handle_message(T0, &respond(&retry, 202, "Accepted", None, &[], None));
    let out = drain(&mut ua);
    assert!(
        !out.events
            .iter()
            .any(|e| matches!(e, Event::TransferProgress { done: true, .. })),
        "{:?}",
        out.events
    );
}

#[test]
fn update_challenged_in_dialog_is_retried_with_credentials() {
    let mut ua = connected("alice", 1);
    let call = connected_call(&mut ua, T0);
    ua.update(T0, call).unwrap();
    let _ = drain(&mut ua);
    ua.set_local_description(T0, call, sdp("a2")).unwrap();
    let update = drain(&mut ua).request("UPDATE");
    let retry = challenge_in_dialog(&mut ua, T0, &update, "u1");
    ua.handle_message(T0, &respond(&retry, 200, "OK", None, &[], Some(&sdp("b2"))));
    let out = drain(&mut ua);
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::RemoteDescription { call: c, .. } if *c == call)),
        "{:?}",
        out.events
    );
}

#[test]
fn subscribe_refresh_challenged_in_dialog_is_retried_with_credentials() {
    let mut ua = connected("alice", 1);
    let sub = ua
        .subscribe(T0, "sip:bob@example.com", "presence", 600)
        .unwrap();
    let first = drain(&mut ua).request("SUBSCRIBE");
    ua.handle_message(
        T0,
        &respond(
            &first,
            200,
            "OK",
            Some("n"),
            &["Expires: 600", "Contact: <sip:bob@b.invalid>"],
            None,
        ),
    );
    let _ = drain(&mut ua);
    // Refreshed at half the granted time, within the dialog.
    ua.handle_timeout(T0 + secs(300));
    let refresh = drain(&mut ua).request("SUBSCRIBE");
    assert!(header(&refresh.headers, "To").contains("tag=n"));
    let retry = challenge_in_dialog(&mut ua, T0 + secs(300), &refresh, "s1");
    ua.handle_message(
        T0 + secs(300),
        &respond(&retry, 200, "OK", None, &["Expires: 600"], None),
    );
    let out = drain(&mut ua);
    assert!(
        out.events.iter().any(|e| matches!(
            e,
            Event::Subscription { subscription, state: vani_sip::ua::SubscriptionState::Active { .. } }
                if *subscription == sub
        )),
        "{:?}",
        out.events
    );
}

#[test]
fn message_challenged_is_retried_once() {
    let mut ua = connected("alice", 1);
    let handle = ua
        .send_message(T0, "sip:bob@example.com", "text/plain", "hi")
        .unwrap();
    let message = drain(&mut ua).request("MESSAGE");
    let out = challenge_invite(&mut ua, T0, &message, "m1");
    let retry = out.request("MESSAGE");
    assert_eq!(cseq_number(&retry), cseq_number(&message) + 1);
    assert!(header(&retry.headers, "Proxy-Authorization").contains("m1"));
    let out = challenge_invite(&mut ua, T0, &retry, "m1");
    assert!(out.methods().is_empty());
    assert!(out.events.contains(&Event::MessageResult {
        message: handle,
        status: 407
    }));
}
