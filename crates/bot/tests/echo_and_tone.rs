//! The bot against the project's Kamailio: the echo service, the tone
//! analyser, DTMF both ways of carrying it, and bad input.
//!
//! Run with `make test-bot` (a private network namespace with only loopback).

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use vani_bot::echo::{self, EchoOptions, EchoStatus};
use vani_bot::media::Session;
use vani_bot::tone::{self, Report, Role, ToneOptions};
use vani_bot::{Account, Shutdown, Trigger};
use vani_sip_ws::{CallState, EndReason, Event, MediaKind, Phone, SdpKind};

const WAIT: Duration = Duration::from_secs(15);

/// Starts the echo service; returns its status, its stop trigger and task.
async fn start_echo(
    account: Account,
    options: EchoOptions,
) -> (Arc<EchoStatus>, Trigger, tokio::task::JoinHandle<()>) {
    let status = Arc::new(EchoStatus::default());
    let (trigger, shutdown) = Shutdown::new();
    let watched = status.clone();
    let task = tokio::spawn(async move {
        echo::run(account, options, watched, shutdown)
            .await
            .expect("echo service runs");
    });
    // Registered once it answers; give it a moment to register.
    tokio::time::sleep(Duration::from_millis(500)).await;
    (status, trigger, task)
}

fn echo_options() -> EchoOptions {
    EchoOptions {
        idle_timeout: Duration::from_secs(2),
        ..EchoOptions::default()
    }
}

async fn tone_call(account: Account, target: &str, freq: f64, seconds: Option<f64>) -> Report {
    let options = ToneOptions {
        role: Role::Call(target.into()),
        freq,
        seconds,
        ..ToneOptions::default()
    };
    let (_trigger, shutdown) = Shutdown::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        tone::run(account, options, shutdown),
    )
    .await
    .expect("the tone call finishes")
    .expect("the tone call runs")
}

async fn stop_echo(status: &EchoStatus, trigger: Trigger, task: tokio::task::JoinHandle<()>) {
    support::eventually(WAIT, "the echo's calls to end", || {
        status.active.load(Ordering::Relaxed) == 0
    })
    .await;
    trigger.fire();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-bot`"]
async fn echo_plays_the_tone_back_half_a_second_later() {
    let kamailio = support::kamailio();
    let (status, trigger, task) =
        start_echo(support::account(&kamailio, "echo"), echo_options()).await;
    let report = tone_call(support::account(&kamailio, "1000"), "600", 440.0, Some(3.0)).await;

    assert_eq!(report.codec.as_deref(), Some("opus/48000/2"));
    let heard = report.dominant_frequency_hz.expect("something was heard");
    assert!(
        (heard - 440.0).abs() < 15.0,
        "heard {heard} Hz: {report:#?}"
    );
    let delay = report.first_audio_ms.expect("audio came back");
    assert!((450..=900).contains(&delay), "echo delay {delay} ms");
    assert!(report.packets.audio_in > 50, "{:?}", report.packets);
    assert_eq!(report.call_end.as_deref(), Some("LocalHangup"));
    // Our hang-up ended the echo's side too.
    support::eventually(WAIT, "the echo to see the end", || {
        status.ended.load(Ordering::Relaxed) == 1
    })
    .await;
    assert_eq!(status.answered.load(Ordering::Relaxed), 1);
    stop_echo(&status, trigger, task).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-bot`"]
async fn echo_hanging_up_ends_the_callers_call() {
    let kamailio = support::kamailio();
    let options = EchoOptions {
        max_call: Some(Duration::from_secs(2)),
        ..echo_options()
    };
    let (status, trigger, task) = start_echo(support::account(&kamailio, "echo"), options).await;
    // The caller stays until the other side hangs up.
    let report = tone_call(support::account(&kamailio, "1000"), "echo", 700.0, None).await;
    assert_eq!(report.call_end.as_deref(), Some("RemoteHangup"));
    let heard = report.dominant_frequency_hz.expect("something was heard");
    assert!((heard - 700.0).abs() < 15.0, "heard {heard} Hz");
    stop_echo(&status, trigger, task).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-bot`"]
async fn analyser_reports_rfc4733_and_info_digits_in_order() {
    let kamailio = support::kamailio();
    let answerer = support::account(&kamailio, "1001");
    let (_answer_trigger, answer_shutdown) = Shutdown::new();
    let analyser = tokio::spawn(tone::run(
        answerer,
        ToneOptions {
            role: Role::Answer,
            freq: 500.0,
            seconds: None,
            ..ToneOptions::default()
        },
        answer_shutdown,
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sender = ToneOptions {
        role: Role::Call("1001".into()),
        freq: 1000.0,
        seconds: Some(4.0),
        dtmf_rtp: "159*0#".into(),
        dtmf_info: "159*0#".into(),
        ..ToneOptions::default()
    };
    let (_trigger, shutdown) = Shutdown::new();
    let sent = tone::run(support::account(&kamailio, "1000"), sender, shutdown)
        .await
        .unwrap();
    assert_eq!(sent.packets.dtmf_rtp_out, 6);
    assert_eq!(sent.packets.dtmf_info_out, 6);

    let report = tokio::time::timeout(WAIT, analyser)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let rtp: String = report.dtmf_rtp.iter().map(|d| d.digit).collect();
    let info: String = report.dtmf_info.iter().map(|d| d.digit).collect();
    assert_eq!(rtp, "159*0#", "{:?}", report.dtmf_rtp);
    assert_eq!(info, "159*0#", "{:?}", report.dtmf_info);
    assert!(
        report
            .dtmf_rtp
            .iter()
            .all(|d| (150..=170).contains(&d.duration_ms)),
        "{:?}",
        report.dtmf_rtp
    );
    assert!(
        report.dtmf_info.iter().all(|d| d.duration_ms == 160),
        "{:?}",
        report.dtmf_info
    );
    assert!(report.telephone_event);
    let heard = report
        .dominant_frequency_hz
        .expect("the caller's tone was heard");
    assert!((heard - 1000.0).abs() < 15.0, "heard {heard} Hz");
    assert_eq!(report.call_end.as_deref(), Some("RemoteHangup"));
}

/// Places a call from `phone` to `target` with `sdp` as the offer; returns
/// how it ended.
async fn call_with_offer(phone: &mut Phone, target: &str, sdp: &str) -> EndReason {
    let call = phone.call(target, MediaKind::Audio).await.unwrap();
    let sdp = sdp.to_owned();
    tokio::time::timeout(WAIT, async {
        loop {
            match phone.next_event().await.expect("driver running") {
                Event::LocalDescriptionNeeded {
                    call: c,
                    kind: SdpKind::Offer,
                    ..
                } if c == call => {
                    phone
                        .set_local_description(call, sdp.clone())
                        .await
                        .unwrap();
                }
                Event::CallState {
                    call: c,
                    state: CallState::Ended(reason),
                } if c == call => return reason,
                Event::CallState {
                    call: c,
                    state: CallState::Connected,
                } if c == call => {
                    panic!("a call with a bad offer was answered")
                }
                _ => {}
            }
        }
    })
    .await
    .expect("the call ends")
}

async fn registered_phone(account: &Account) -> Phone {
    let mut phone = Phone::connect(&account.server, account.config())
        .await
        .unwrap();
    phone.register().await.unwrap();
    tokio::time::timeout(
        WAIT,
        phone.wait_for(|e| {
            matches!(
                e,
                Event::Registration(vani_sip_ws::RegistrationState::Registered { .. })
            )
            .then_some(())
        }),
    )
    .await
    .unwrap()
    .unwrap();
    phone
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-bot`"]
async fn echo_refuses_bad_offers_with_488_and_keeps_working() {
    let kamailio = support::kamailio();
    let (status, trigger, task) =
        start_echo(support::account(&kamailio, "echo"), echo_options()).await;
    // A fresh user agent per call: the stack takes a second 407 carrying the
    // nonce it already answered as a credentials failure, and Kamailio reuses
    // nonces within a second.
    let malformed = "v=0\r\nthis is not an SDP body\r\n";
    let mut phone = registered_phone(&support::account(&kamailio, "1002")).await;
    assert_eq!(
        call_with_offer(&mut phone, "600", malformed).await,
        EndReason::MediaFailed
    );
    phone.shutdown().await.unwrap();
    let pcmu_only = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    let mut phone = registered_phone(&support::account(&kamailio, "1003")).await;
    assert_eq!(
        call_with_offer(&mut phone, "600", pcmu_only).await,
        EndReason::MediaFailed
    );
    phone.shutdown().await.unwrap();
    assert_eq!(status.rejected.load(Ordering::Relaxed), 2);

    // Still answering.
    let report = tone_call(support::account(&kamailio, "1000"), "600", 440.0, Some(2.0)).await;
    assert!(
        report
            .dominant_frequency_hz
            .is_some_and(|f| (f - 440.0).abs() < 15.0),
        "{report:#?}"
    );
    stop_echo(&status, trigger, task).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-bot`"]
async fn a_peer_that_vanishes_mid_call_times_out_and_is_cleaned_up() {
    let kamailio = support::kamailio();
    let (status, trigger, task) =
        start_echo(support::account(&kamailio, "echo"), echo_options()).await;
    let mut phone = registered_phone(&support::account(&kamailio, "1003")).await;

    // Connect a real media session, then vanish: no BYE, no more packets.
    let mut session = Session::new(false).await.unwrap();
    let call = phone
        .call("sip:600@localhost", MediaKind::Audio)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let mut media = None;
    tokio::time::timeout(WAIT, async {
        let mut session = Some(&mut session);
        loop {
            match phone.next_event().await.unwrap() {
                Event::LocalDescriptionNeeded {
                    kind: SdpKind::Offer,
                    ..
                } => {
                    let offer = session.as_mut().unwrap().create_offer(false).unwrap();
                    phone.set_local_description(call, offer).await.unwrap();
                }
                Event::RemoteDescription {
                    kind: SdpKind::Answer,
                    sdp,
                    ..
                } => {
                    session.as_mut().unwrap().accept_answer(&sdp).unwrap();
                }
                Event::CallState {
                    state: CallState::Connected,
                    ..
                } => break,
                _ => {}
            }
        }
    })
    .await
    .unwrap();
    let silent = tokio::spawn(async move {
        let mut handler = echo::Echo::new(Duration::from_secs(3600));
        session
            .run(&mut handler, stopped, Duration::from_secs(60))
            .await
    });
    media.replace(silent);
    support::eventually(WAIT, "the echo to answer", || {
        status.answered.load(Ordering::Relaxed) == 1
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.send(()).unwrap();
    media.take().unwrap().await.unwrap().unwrap();
    phone.shutdown().await.ok();

    // The echo notices the silence (idle 2 s), hangs up and forgets the call.
    support::eventually(WAIT, "the echo to end the call", || {
        status.ended.load(Ordering::Relaxed) == 1
    })
    .await;
    support::eventually(WAIT, "the echo to clean up", || {
        status.active.load(Ordering::Relaxed) == 0
    })
    .await;
    stop_echo(&status, trigger, task).await;
}
