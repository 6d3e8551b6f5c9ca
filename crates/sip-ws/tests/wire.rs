//! Two user agents of the stack, each over its own WebSocket through the
//! native driver, against the project's Kamailio (registrar, digest auth,
//! proxy): registration, calls and the in-dialog frameworks on the wire.
//!
//! Run with `make test-wire` (a private network namespace with only loopback).

mod support;

use std::time::Duration;

use support::kamailio::Kamailio;
use support::peer::Peer;
use vani_sip_ws::{
    CallHandle, CallState, DtmfFormat, EndReason, Event, RegistrationFailure, RegistrationState,
};

const BASE_PORT: u16 = 20000;

/// A Kamailio and two registered peers, 1000 (`a`) and 1001 (`b`).
async fn two_peers() -> (Kamailio, Peer, Peer) {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    let a = Peer::registered(&kamailio.ws_url(), "1000").await;
    let b = Peer::registered(&kamailio.ws_url(), "1001").await;
    (kamailio, a, b)
}

/// `a` calls `b`, `b` rings and answers: both calls connected.
async fn connected_call(a: &mut Peer, b: &mut Peer) -> (CallHandle, CallHandle) {
    let call_a = a.call(&b.uri()).await;
    let (call_b, from) = b.incoming().await;
    assert!(
        from.contains(&a.user),
        "From {from} names the caller {}",
        a.user
    );
    a.expect_state(call_a, CallState::Ringing).await;
    b.answer(call_b).await;
    b.expect_state(call_b, CallState::Connected).await;
    a.expect_state(call_a, CallState::Connected).await;
    (call_a, call_b)
}

/// After a flow, no call, dialog or transaction is left in the user agent.
/// Finished INVITE transactions live 64*T1 more (RFC 6026 Timers L and M).
async fn assert_idle(peer: &Peer) {
    let deadline = tokio::time::Instant::now() + support::peer::T1 * 64 + Duration::from_secs(2);
    loop {
        let resources = peer.phone.resources().await.unwrap();
        if resources.calls == 0 && resources.dialogs == 0 && resources.transactions == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}: state left behind: {resources:?}",
            peer.user
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn register_then_unregister() {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    let mut a = Peer::registered(&kamailio.ws_url(), "1000").await;
    let state = a.phone.registration_state().await.unwrap();
    let RegistrationState::Registered { expires, .. } = state else {
        panic!("not registered: {state:?}");
    };
    assert!(
        (60..=3600).contains(&expires),
        "Kamailio grants 60-3600 s, got {expires}"
    );
    a.phone.unregister().await.unwrap();
    a.expect("unregistered", |e| {
        matches!(e, Event::Registration(RegistrationState::Unregistered)).then_some(())
    })
    .await;
    a.phone.shutdown().await.unwrap();
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn wrong_password_fails_with_a_reason() {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    let mut a = Peer::connect(&kamailio.ws_url(), "1000", "not-the-password").await;
    a.phone.register().await.unwrap();
    let failure = a
        .expect("registration failure", |e| match e {
            Event::Registration(RegistrationState::Failed(f)) => Some(f.clone()),
            Event::Registration(RegistrationState::Registered { .. }) => {
                panic!("registered with a wrong password")
            }
            _ => None,
        })
        .await;
    assert_eq!(failure, RegistrationFailure::WrongCredentials);
    // No retry loop: the user agent stays failed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let state = a.phone.registration_state().await.unwrap();
    assert_eq!(
        state,
        RegistrationState::Failed(RegistrationFailure::WrongCredentials)
    );
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn call_ring_answer_and_bye() {
    let (_kamailio, mut a, mut b) = two_peers().await;
    let (call_a, call_b) = connected_call(&mut a, &mut b).await;
    b.phone.hangup(call_b).await.unwrap();
    assert_eq!(b.ended(call_b).await, EndReason::LocalHangup);
    assert_eq!(a.ended(call_a).await, EndReason::RemoteHangup);
    assert_idle(&a).await;
    assert_idle(&b).await;
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn caller_gets_the_answer_sdp() {
    let (_kamailio, mut a, mut b) = two_peers().await;
    let call_a = a.call(&b.uri()).await;
    let (call_b, _) = b.incoming().await;
    b.answer(call_b).await;
    let answer = a
        .expect("the remote answer", |e| match e {
            Event::RemoteDescription {
                call,
                kind: vani_sip_ws::SdpKind::Answer,
                sdp,
            } if *call == call_a => Some(sdp.clone()),
            _ => None,
        })
        .await;
    assert!(answer.contains("m=audio 40000 RTP/AVP"), "answer: {answer}");
    a.phone.hangup(call_a).await.unwrap();
    assert_eq!(b.ended(call_b).await, EndReason::RemoteHangup);
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn hold_and_resume() {
    let (_kamailio, mut a, mut b) = two_peers().await;
    let (call_a, call_b) = connected_call(&mut a, &mut b).await;
    a.phone.hold(call_a).await.unwrap();
    b.expect_state(call_b, CallState::RemoteHeld).await;
    a.expect_state(call_a, CallState::Held).await;
    a.phone.resume(call_a).await.unwrap();
    b.expect_state(call_b, CallState::Connected).await;
    a.expect_state(call_a, CallState::Connected).await;
    a.phone.hangup(call_a).await.unwrap();
    assert_eq!(b.ended(call_b).await, EndReason::RemoteHangup);
    assert_idle(&a).await;
    assert_idle(&b).await;
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn dtmf_in_info() {
    let (_kamailio, mut a, mut b) = two_peers().await;
    let (call_a, call_b) = connected_call(&mut a, &mut b).await;
    for (digit, format) in [('5', DtmfFormat::Relay), ('#', DtmfFormat::Dtmf)] {
        a.phone
            .send_dtmf_info(call_a, digit, 160, format)
            .await
            .unwrap();
        let got = b
            .expect("a DTMF digit", |e| match e {
                Event::Dtmf { call, digit, .. } if *call == call_b => Some(*digit),
                _ => None,
            })
            .await;
        assert_eq!(got, digit);
        let status = a
            .expect("the INFO result", |e| match e {
                Event::InfoResult { call, status } if *call == call_a => Some(*status),
                _ => None,
            })
            .await;
        assert_eq!(status, 200);
    }
    a.phone.hangup(call_a).await.unwrap();
    assert_eq!(b.ended(call_b).await, EndReason::RemoteHangup);
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn message_between_users() {
    let (_kamailio, mut a, mut b) = two_peers().await;
    let sent = a
        .phone
        .send_message(&b.uri(), "text/plain", "hello from 1000")
        .await
        .unwrap();
    let (from, content_type, body) = b
        .expect("a MESSAGE", |e| match e {
            Event::Message {
                from,
                content_type,
                body,
            } => Some((from.clone(), content_type.clone(), body.clone())),
            _ => None,
        })
        .await;
    assert!(from.contains("1000"), "from {from}");
    assert_eq!(content_type, "text/plain");
    assert_eq!(body, "hello from 1000");
    let status = a
        .expect("the MESSAGE result", |e| match e {
            Event::MessageResult { message, status } if *message == sent => Some(*status),
            _ => None,
        })
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn caller_cancels_before_the_answer() {
    let (_kamailio, mut a, mut b) = two_peers().await;
    let call_a = a.call(&b.uri()).await;
    let (call_b, _) = b.incoming().await;
    a.expect_state(call_a, CallState::Ringing).await;
    a.phone.hangup(call_a).await.unwrap();
    assert_eq!(b.ended(call_b).await, EndReason::RemoteHangup);
    assert_eq!(a.ended(call_a).await, EndReason::LocalHangup);
    assert_idle(&a).await;
    assert_idle(&b).await;
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn callee_is_busy() {
    let (_kamailio, mut a, mut b) = two_peers().await;
    let call_a = a.call(&b.uri()).await;
    let (call_b, _) = b.incoming().await;
    b.phone.reject(call_b, 486).await.unwrap();
    assert_eq!(a.ended(call_a).await, EndReason::Busy);
    assert_idle(&a).await;
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn calling_an_unregistered_user_is_not_found() {
    let (_kamailio, mut a, _b) = two_peers().await;
    let call_a = a.call("sip:1003@localhost").await;
    assert_eq!(a.ended(call_a).await, EndReason::NotFound);
}

#[tokio::test]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-wire`"]
async fn outbound_keepalive_pings_are_answered() {
    // RFC 5626 §4.4.1 over WebSocket: the UA pings with CRLFCRLF and Kamailio
    // answers CRLF; an unanswered ping would fail the flow (FlowFailed).
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    let mut config = support::peer::account("1002", "vani1002");
    config.instance_id = Some("0b4c1e7a-9f1d-4e55-8a51-6a7b1c2d3e4f".into());
    config.keepalive_interval = Some(Duration::from_millis(500));
    config.keepalive_timeout = Duration::from_millis(400);
    let mut phone = vani_sip_ws::Phone::connect(&kamailio.ws_url(), config)
        .await
        .unwrap();
    phone.register().await.unwrap();
    let mut registered = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, phone.next_event()).await {
        match event {
            Event::Registration(RegistrationState::Registered { .. }) => registered = true,
            Event::FlowFailed => panic!("a keep-alive ping went unanswered"),
            _ => {}
        }
    }
    assert!(
        registered,
        "registered with outbound (+sip.instance, reg-id)"
    );
    // Six or more pings were sent and answered in those four seconds.
    assert!(matches!(
        phone.registration_state().await.unwrap(),
        RegistrationState::Registered { .. }
    ));
    phone.shutdown().await.unwrap();
}
