//! The `sipcheck` example: one JSON line per file.

use std::process::Command;

/// The example binary `cargo test` builds beside this test's executable
/// (`target/<profile>/examples/sipcheck`).
fn sipcheck_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = profile_dir
        .join("examples")
        .join(format!("sipcheck{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: `cargo test -p vani-sip` builds it (a filtered `--test sipcheck` run does not)",
        binary.display()
    );
    binary
}

fn sipcheck(files: &[&str]) -> Vec<serde_json::Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rfc4475/");
    let output = Command::new(sipcheck_binary())
        .args(files.iter().map(|f| format!("{dir}{f}")))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn reports_valid_invalid_and_unparseable_messages() {
    let lines = sipcheck(&["wsinv.dat", "badvers.dat", "bigcode.dat", "noreason.dat"]);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["kind"], "request");
    assert_eq!(lines[0]["method"], "INVITE");
    assert_eq!(lines[0]["call_id"], "wsinv.ndaksdj@192.0.2.1");
    assert_eq!(lines[0]["error"], serde_json::Value::Null);
    assert_eq!(lines[1]["ok"], false);
    assert_eq!(lines[1]["error"], "505 SIP/7.0 Not Supported");
    assert_eq!(lines[2]["ok"], false);
    assert!(lines[2]["error"].as_str().unwrap().contains("status code"));
    assert_eq!(lines[3]["kind"], "response");
    assert_eq!(lines[3]["status"], 100);
    assert!(lines[3]["file"].as_str().unwrap().ends_with("noreason.dat"));
}

#[test]
fn a_voicemail_notify_is_accepted() {
    // An MWI NOTIFY (RFC 3842): its event package names the body type.
    let notify = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/messages/5-notify.sip");
    let output = Command::new(sipcheck_binary())
        .arg(notify)
        .output()
        .unwrap();
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8(output.stdout).unwrap().trim()).unwrap();
    assert_eq!(line["method"], "NOTIFY");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(line["error"], serde_json::Value::Null);
}

#[test]
fn requests_are_checked_against_what_the_user_agent_understands() {
    // The user agent supports reliable provisional responses (RFC 3262) and
    // GRUU (RFC 5627); an option tag it does not know is refused with 420.
    let invite = |require: &str| {
        format!(
            "INVITE sip:bob@example.com SIP/2.0\r\n\
             Via: SIP/2.0/WSS h.invalid;branch=z9hG4bK-sipcheck\r\n\
             Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\n\
             From: <sip:alice@example.com>;tag=1\r\nCall-ID: sipcheck-require\r\n\
             CSeq: 1 INVITE\r\nContact: <sip:alice@h.invalid;transport=ws>\r\n\
             Require: {require}\r\nContent-Length: 0\r\n\r\n"
        )
    };
    let dir = std::env::temp_dir().join(format!("vani-sipcheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let known = dir.join("require-100rel.sip");
    let unknown = dir.join("require-foo.sip");
    std::fs::write(&known, invite("100rel, gruu")).unwrap();
    std::fs::write(&unknown, invite("foo")).unwrap();
    let output = Command::new(sipcheck_binary())
        .args([&known, &unknown])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["ok"], true, "{}", lines[0]);
    assert_eq!(lines[1]["ok"], false);
    assert_eq!(lines[1]["error"], "420 Bad Extension foo");
}
