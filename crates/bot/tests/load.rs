//! The load generator: a small run against the project's Kamailio, and its
//! refusal of a remote target.

mod support;

use std::process::Command;
use std::time::Duration;

use vani_bot::Shutdown;
use vani_bot::load::{self, LoadOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts Kamailio; run in a private network namespace with `make test-bot`"]
async fn fifty_users_ten_calls_a_second_without_failures() {
    let kamailio = support::kamailio();
    let options = LoadOptions {
        target: kamailio.ws_url(),
        users: 50,
        rate: 10.0,
        duration: Duration::from_secs(3),
        hold: Duration::from_millis(500),
        ..LoadOptions::default()
    };
    let (_trigger, shutdown) = Shutdown::new();
    let report = tokio::time::timeout(Duration::from_secs(60), load::run(options, shutdown))
        .await
        .expect("the run stops by itself")
        .expect("the run starts");
    println!("{report}");
    assert_eq!(report.failures.total(), 0, "{report}");
    assert_eq!(report.registered, 50);
    assert!(report.registrations_per_second > 0.0);
    // 3 s at 10/s: about 30 calls, never more than the rate allows.
    assert!((25..=31).contains(&report.calls_placed), "{report}");
    assert_eq!(report.calls_connected, report.calls_placed);
    assert!(
        report
            .setup_p99_ms
            .is_some_and(|p99| p99 > 0.0 && p99 < 1000.0),
        "{report}"
    );
    assert!(report.cpu_seconds > 0.0);
}

#[test]
fn refuses_a_remote_target_without_allow_remote() {
    let output = Command::new(env!("CARGO_BIN_EXE_vani-bot"))
        .args([
            "load",
            "--users",
            "2",
            "--rate",
            "1",
            "--duration",
            "1",
            "--target",
            "ws://192.0.2.1:8088",
        ])
        .output()
        .expect("run vani-bot");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not loopback"), "{stderr}");
}

#[test]
fn refuses_bounds_it_cannot_keep() {
    for args in [["--users", "1"], ["--users", "10001"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_vani-bot"))
            .args(["load", "--rate", "1", "--duration", "1"])
            .args(args)
            .output()
            .expect("run vani-bot");
        assert!(!output.status.success(), "{args:?}");
    }
}
