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
