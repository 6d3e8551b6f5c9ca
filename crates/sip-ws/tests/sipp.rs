//! SIPp, a third-party SIP implementation, against the project's Kamailio
//! and the stack's user agents over UDP. SIPp's exit code is the verdict.
//!
//! Run with `make test-wire` (a private network namespace with only loopback).

mod support;

use std::time::Duration;

use support::kamailio::Kamailio;
use support::peer::Peer;
use support::sipp::Sipp;
use vani_sip_ws::{CallState, EndReason};

const BASE_PORT: u16 = 21000;
const SIPP_TIMEOUT: Duration = Duration::from_secs(20);

/// Kamailio answers an OPTIONS addressed to itself over UDP.
#[tokio::test]
#[ignore = "starts Kamailio and SIPp; run in a private network namespace with `make test-wire`"]
async fn sipp_options_answered_by_kamailio() {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    Sipp::new("options.xml", kamailio.sip_port, ports.sipp, SIPP_TIMEOUT)
        .run()
        .await
        .assert_success();
}

/// SIPp registers a demo account with digest authentication (401, then 200).
#[tokio::test]
#[ignore = "starts Kamailio and SIPp; run in a private network namespace with `make test-wire`"]
async fn sipp_registers_with_digest_auth() {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    Sipp::new("register.xml", kamailio.sip_port, ports.sipp, SIPP_TIMEOUT)
        .args(["-s", "1003", "-au", "1003", "-ap", "vani1003"])
        .args(["-key", "contact_port", &ports.sipp_uas.to_string()])
        .run()
        .await
        .assert_success();
}

/// A wrong password is challenged again: SIPp's registration must fail.
#[tokio::test]
#[ignore = "starts Kamailio and SIPp; run in a private network namespace with `make test-wire`"]
async fn sipp_register_with_wrong_password_fails() {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    let verdict = Sipp::new(
        "register.xml",
        kamailio.sip_port,
        ports.sipp,
        Duration::from_secs(5),
    )
    .args(["-s", "1003", "-au", "1003", "-ap", "wrong"])
    .args(["-key", "contact_port", &ports.sipp_uas.to_string()])
    .run()
    .await;
    assert_eq!(
        verdict.status.code(),
        Some(1),
        "SIPp must count the call as failed"
    );
}

/// SIPp (UDP, a foreign domain) calls a user agent of the stack registered
/// over WebSocket; the stack answers, SIPp checks the SDP answer, ACKs and
/// hangs up.
#[tokio::test]
#[ignore = "starts Kamailio and SIPp; run in a private network namespace with `make test-wire`"]
async fn sipp_calls_a_stack_user_agent() {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    let mut callee = Peer::registered(&kamailio.ws_url(), "1001").await;
    let sipp = Sipp::new("uac_call.xml", kamailio.sip_port, ports.sipp, SIPP_TIMEOUT)
        .args(["-s", "1001"])
        .spawn();
    let (call, from) = callee.incoming().await;
    assert!(from.contains("sipp"), "From {from}");
    callee.answer(call).await;
    callee.expect_state(call, CallState::Connected).await;
    assert_eq!(callee.ended(call).await, EndReason::RemoteHangup);
    sipp.finish().await.assert_success();
}

/// A user agent of the stack calls a SIPp UAS that registered as 1003 over
/// UDP; SIPp rings, answers with SDP and checks the ACK and the BYE.
#[tokio::test]
#[ignore = "starts Kamailio and SIPp; run in a private network namespace with `make test-wire`"]
async fn stack_user_agent_calls_sipp() {
    let ports = support::ports(BASE_PORT);
    let kamailio = Kamailio::start(ports.ws, ports.sip);
    Sipp::new("register.xml", kamailio.sip_port, ports.sipp, SIPP_TIMEOUT)
        .args(["-s", "1003", "-au", "1003", "-ap", "vani1003"])
        .args(["-key", "contact_port", &ports.sipp_uas.to_string()])
        .run()
        .await
        .assert_success();
    let uas = Sipp::new(
        "uas_answer.xml",
        kamailio.sip_port,
        ports.sipp_uas,
        SIPP_TIMEOUT,
    )
    .spawn();
    let mut caller = Peer::registered(&kamailio.ws_url(), "1000").await;
    let call = caller.call("sip:1003@localhost").await;
    caller.expect_state(call, CallState::Ringing).await;
    caller.expect_state(call, CallState::Connected).await;
    caller.phone.hangup(call).await.unwrap();
    assert_eq!(caller.ended(call).await, EndReason::LocalHangup);
    uas.finish().await.assert_success();
}
