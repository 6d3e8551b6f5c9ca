//! The project's Kamailio (deploy/kamailio) as a test fixture.
//!
//! [`Kamailio::start`] runs `scripts/kamailio.sh WS_PORT SIP_PORT` in its own
//! process group, waits until both listeners accept connections, and stops the
//! whole group when dropped, so a failing test leaves nothing running. Its log
//! goes to a file under the target's temporary directory and is printed when
//! the test fails.

use std::fs::File;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long Kamailio gets to open its listeners.
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long Kamailio gets to exit after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// The repository root (this crate lives in `crates/sip-ws`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running Kamailio, stopped on drop.
pub struct Kamailio {
    child: Child,
    log: PathBuf,
    /// The WebSocket listener's port (`ws://127.0.0.1:{ws_port}`).
    pub ws_port: u16,
    /// The plain SIP port, UDP and TCP (`127.0.0.1:{sip_port}`).
    pub sip_port: u16,
}

impl Kamailio {
    /// Starts Kamailio on the given loopback ports and waits until it listens.
    pub fn start(ws_port: u16, sip_port: u16) -> Self {
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kamailio-{ws_port}.log"));
        let log_file = File::create(&log).expect("create the Kamailio log file");
        let child = Command::new(repo_root().join("scripts/kamailio.sh"))
            .arg(ws_port.to_string())
            .arg(sip_port.to_string())
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log file handle"))
            .stderr(log_file)
            // Its own group: Drop signals the script, Kamailio and its children at once.
            .process_group(0)
            .spawn()
            .expect("start scripts/kamailio.sh (is kamailio installed?)");
        let mut kamailio = Self {
            child,
            log,
            ws_port,
            sip_port,
        };
        kamailio.wait_listening();
        kamailio
    }

    /// The WebSocket URL clients connect to.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.ws_port)
    }

    /// The last lines of Kamailio's log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        for port in [self.ws_port, self.sip_port] {
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            loop {
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    break;
                }
                if let Ok(Some(status)) = self.child.try_wait() {
                    panic!(
                        "Kamailio exited ({status}) before listening:\n{}",
                        self.log_tail(40)
                    );
                }
                assert!(
                    Instant::now() < deadline,
                    "Kamailio did not listen on port {port} within {START_TIMEOUT:?}:\n{}",
                    self.log_tail(40)
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    fn signal_group(&self, signal: &str) {
        // `kill -SIG -- -PGID` reaches every process of the group; std has no
        // safe API for killpg.
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- Kamailio log ({}) ---\n{}",
                self.log.display(),
                self.log_tail(80)
            );
        }
        self.signal_group("-TERM");
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // The script has gone; make sure no Kamailio child outlives it.
                self.signal_group("-KILL");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.signal_group("-KILL");
        let _ = self.child.wait();
    }
}
