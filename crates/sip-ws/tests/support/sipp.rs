//! SIPp (Debian `sip-tester`) as a third-party SIP peer over UDP.
//!
//! Scenarios live in `tests/sipp/`. SIPp's exit code is the verdict: 0 when
//! every call of the scenario succeeded (SIPp's documented convention).

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::process::{Child, Command};

/// The loopback address SIPp binds.
pub const SIPP_IP: &str = "127.0.0.2";

/// The directory holding the XML scenarios.
pub fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sipp")
}

/// One SIPp run: a scenario file, the server to talk to and SIPp's own port.
pub struct Sipp {
    command: Command,
    name: String,
    workdir: PathBuf,
}

impl Sipp {
    /// Prepares `sipp -sf tests/sipp/{scenario} 127.0.0.1:{server_port}` on
    /// local UDP port `local_port`, one call, failing after `timeout`.
    pub fn new(scenario: &str, server_port: u16, local_port: u16, timeout: Duration) -> Self {
        let workdir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sipp-{local_port}"));
        std::fs::create_dir_all(&workdir).expect("create the SIPp work directory");
        let mut command = Command::new("sipp");
        command
            .arg(format!("127.0.0.1:{server_port}"))
            .arg("-sf")
            .arg(scenario_dir().join(scenario))
            // SIPp binds 127.0.0.2: Kamailio's port-less alias "127.0.0.1"
            // would take a Contact on 127.0.0.1 for itself and loop requests
            // meant for SIPp back to its own listener.
            .args(["-i", SIPP_IP, "-t", "u1", "-m", "1", "-l", "1", "-nostdin"])
            .args(["-p", &local_port.to_string()])
            .args([
                "-timeout",
                &format!("{}s", timeout.as_secs().max(1)),
                "-timeout_error",
            ])
            .arg("-trace_err")
            .arg("-trace_msg")
            .current_dir(&workdir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        Self {
            command,
            name: scenario.to_owned(),
            workdir,
        }
    }

    /// Adds arguments (`-s USER`, `-au`, `-ap`, `-key NAME VALUE`, ...).
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Starts SIPp in the background.
    pub fn spawn(mut self) -> Running {
        let child = self
            .command
            .spawn()
            .expect("start sipp (is sip-tester installed?)");
        Running {
            child: Some(child),
            name: self.name,
            workdir: self.workdir,
        }
    }

    /// Runs SIPp to the end and returns its verdict.
    pub async fn run(self) -> Verdict {
        self.spawn().finish().await
    }
}

/// A SIPp process still running.
pub struct Running {
    child: Option<Child>,
    name: String,
    workdir: PathBuf,
}

impl Running {
    /// Waits for SIPp to exit and collects its output.
    pub async fn finish(mut self) -> Verdict {
        let child = self.child.take().expect("finish is called once");
        let output = child.wait_with_output().await.expect("wait for sipp");
        Verdict {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            logs: read_logs(&self.workdir),
            name: self.name.clone(),
        }
    }
}

/// SIPp's exit status and what it printed.
pub struct Verdict {
    /// SIPp's exit status (0: every call succeeded).
    pub status: ExitStatus,
    name: String,
    stdout: String,
    stderr: String,
    logs: String,
}

impl Verdict {
    /// Panics with SIPp's output unless it exited with 0.
    pub fn assert_success(&self) {
        assert_eq!(
            self.status.code(),
            Some(0),
            "SIPp scenario {} failed ({}).\n--- stderr ---\n{}\n--- logs ---\n{}\n--- screen (tail) ---\n{}",
            self.name,
            self.status,
            self.stderr,
            self.logs,
            tail(&self.stdout, 60)
        );
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn read_logs(dir: &Path) -> String {
    let mut out = String::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "log") {
                out.push_str(&format!("== {} ==\n", path.display()));
                out.push_str(&tail(
                    &std::fs::read_to_string(&path).unwrap_or_default(),
                    80,
                ));
                out.push('\n');
            }
        }
    }
    out
}
