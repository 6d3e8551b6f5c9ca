//! The application's state as plain data: what the account is, where the
//! registration stands, and the calls, each named by its [`CallHandle`]
//! (STYLE.md §6). No stack objects and no browser objects live here.

use serde::{Deserialize, Serialize};
use vani_sip::ua::{CallHandle, CallState};

use crate::dial;
use crate::reconnect::{ServerList, is_websocket_url};
use crate::words;

/// How DTMF digits travel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DtmfMode {
    /// RFC 4733 telephone-events in the media stream.
    #[default]
    Rfc4733,
    /// SIP INFO requests (`application/dtmf-relay`).
    Info,
}

/// The account as stored in `localStorage`. The password is deliberately not
/// a field: it never reaches `localStorage` (see `glue::storage`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// WebSocket servers, tried in order (comma, space or line separated).
    pub servers: String,
    /// Address of record, e.g. `sip:1001@example.com`.
    pub uri: String,
    /// Authorisation user; empty means the user part of `uri`.
    #[serde(default)]
    pub auth_user: String,
    /// Name shown to the people we call.
    #[serde(default)]
    pub display_name: String,
    /// How DTMF digits are sent.
    #[serde(default)]
    pub dtmf: DtmfMode,
    /// STUN/TURN URLs, one per line (none by default).
    #[serde(default)]
    pub ice_servers: String,
    /// Milliseconds to wait for more ICE candidates after the first usable
    /// one before the SDP goes out.
    #[serde(default = "default_ice_cutoff_ms")]
    pub ice_cutoff_ms: u32,
}

fn default_ice_cutoff_ms() -> u32 {
    500
}

impl Account {
    /// The address of record with its `sip:` scheme.
    pub fn aor(&self) -> String {
        let uri = self.uri.trim();
        let lower = uri.to_ascii_lowercase();
        if lower.starts_with("sip:") || lower.starts_with("sips:") {
            uri.to_owned()
        } else {
            format!("sip:{uri}")
        }
    }

    /// The user name for digest authentication.
    pub fn auth_user(&self) -> String {
        let explicit = self.auth_user.trim();
        if explicit.is_empty() {
            dial::user_of(&self.aor()).unwrap_or_default().to_owned()
        } else {
            explicit.to_owned()
        }
    }

    /// The domain bare numbers are dialled in.
    pub fn domain(&self) -> String {
        let aor = self.aor();
        dial::domain_of(&aor).unwrap_or_default().to_owned()
    }

    /// STUN/TURN server URLs.
    pub fn ice_server_urls(&self) -> Vec<String> {
        self.ice_servers
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// What is wrong with the form, in words, or `Ok`.
    pub fn validate(&self, password: &str) -> Result<(), String> {
        let servers = ServerList::parse(&self.servers);
        if servers.urls().is_empty() {
            return Err("Enter the WebSocket address of your SIP server (wss://…).".into());
        }
        if let Some(bad) = servers.urls().iter().find(|u| !is_websocket_url(u)) {
            return Err(format!(
                "“{}” is not a WebSocket address: it should start with wss:// or ws://.",
                words::printable(bad)
            ));
        }
        let aor = self.aor();
        if dial::user_of(&aor).is_none() || dial::domain_of(&aor).is_none() {
            return Err("Enter your SIP address as user@domain.".into());
        }
        if dial::normalize_dial(&aor, "invalid").is_err() {
            return Err("Your SIP address has characters a SIP address cannot hold.".into());
        }
        if password.is_empty() {
            return Err("Enter your password.".into());
        }
        Ok(())
    }
}

/// Where the connection and the registration stand, as the status bar tells it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Registration {
    /// No account, or we unregistered.
    #[default]
    Unregistered,
    /// Opening the WebSocket to `server`.
    Connecting {
        /// The server being tried.
        server: String,
    },
    /// Every server failed; the next attempt is at `retry_at_ms` (page clock).
    Retrying {
        /// Page clock (ms) of the next attempt.
        retry_at_ms: f64,
        /// Why the last attempt failed.
        reason: String,
    },
    /// Connected; REGISTER in flight.
    Registering,
    /// The registrar accepted us.
    Registered,
    /// Registration failed and will not be retried by itself.
    Failed(String),
}

impl Registration {
    /// The `data-state` the automation contract names.
    pub fn data_state(&self) -> &'static str {
        match self {
            Registration::Unregistered => "unregistered",
            Registration::Connecting { .. }
            | Registration::Retrying { .. }
            | Registration::Registering => "registering",
            Registration::Registered => "registered",
            Registration::Failed(_) => "failed",
        }
    }

    /// The status line, at page time `now_ms` (for the retry countdown).
    pub fn describe(&self, now_ms: f64) -> String {
        match self {
            Registration::Unregistered => "Not registered".into(),
            Registration::Connecting { .. } => "Connecting to the server…".into(),
            Registration::Retrying {
                retry_at_ms,
                reason,
            } => {
                let secs = ((retry_at_ms - now_ms) / 1000.0).ceil().max(0.0);
                format!("{reason} Retrying in {secs:.0} s.")
            }
            Registration::Registering => "Signing in…".into(),
            Registration::Registered => "Ready for calls".into(),
            Registration::Failed(reason) => format!("Not registered: {reason}"),
        }
    }
}

/// The state of a call as the automation contract names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Outgoing, INVITE on its way.
    Calling,
    /// The callee's phone rings.
    Ringing,
    /// Early media.
    Early,
    /// Talking.
    Connected,
    /// We put the call on hold.
    Held,
    /// The other side put us on hold.
    RemoteHeld,
    /// Over.
    Ended,
}

impl Phase {
    /// The `data-state` value.
    pub fn data_state(self) -> &'static str {
        match self {
            Phase::Calling => "calling",
            Phase::Ringing => "ringing",
            Phase::Early => "early",
            Phase::Connected => "connected",
            Phase::Held => "held",
            Phase::RemoteHeld => "remote-held",
            Phase::Ended => "ended",
        }
    }

    /// The words under the caller's name.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Calling => "Calling…",
            Phase::Ringing => "Ringing…",
            Phase::Early => "Ringing…",
            Phase::Connected => "Connected",
            Phase::Held => "On hold",
            Phase::RemoteHeld => "Held by the other side",
            Phase::Ended => "Ended",
        }
    }

    /// Whether media can flow and in-call controls apply.
    pub fn is_established(self) -> bool {
        matches!(self, Phase::Connected | Phase::Held | Phase::RemoteHeld)
    }
}

/// One call on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct CallView {
    /// The stack's name for the call.
    pub handle: CallHandle,
    /// The other side's SIP URI.
    pub peer_uri: String,
    /// The other side's display name, if given.
    pub peer_name: Option<String>,
    /// We placed it.
    pub outgoing: bool,
    /// Where it stands.
    pub phase: Phase,
    /// Page clock (ms) when it connected.
    pub connected_at_ms: Option<f64>,
    /// Our microphone is muted.
    pub muted: bool,
    /// The call carries video.
    pub video: bool,
    /// Our camera is sending.
    pub camera_on: bool,
    /// Why it ended, in words, when that needs saying.
    pub end_reason: Option<String>,
    /// Short end label ("Busy", "Declined").
    pub end_label: Option<&'static str>,
    /// Microphone level 0..1 for the meter.
    pub mic_level: f32,
}

impl CallView {
    /// A call we are placing.
    pub fn outgoing(handle: CallHandle, peer_uri: String, video: bool) -> Self {
        CallView {
            handle,
            peer_uri,
            peer_name: None,
            outgoing: true,
            phase: Phase::Calling,
            connected_at_ms: None,
            muted: false,
            video,
            camera_on: video,
            end_reason: None,
            end_label: None,
            mic_level: 0.0,
        }
    }

    /// A call we answered.
    pub fn answered(incoming: &Incoming, video: bool) -> Self {
        CallView {
            peer_name: incoming.display_name.clone(),
            outgoing: false,
            phase: Phase::Connected,
            ..CallView::outgoing(incoming.handle, incoming.from.clone(), video)
        }
    }

    /// Who the call is with, for people: the display name, else the user
    /// part of the address (the number), else the whole address.
    pub fn peer_label(&self) -> String {
        match &self.peer_name {
            Some(name) if !name.trim().is_empty() => words::printable(name),
            _ => words::printable(dial::user_of(&self.peer_uri).unwrap_or(&self.peer_uri)),
        }
    }

    /// Applies a state the stack reported at page time `now_ms`.
    pub fn apply(&mut self, state: &CallState, now_ms: f64) {
        let phase = match state {
            CallState::Calling => Phase::Calling,
            CallState::Incoming => return,
            CallState::Ringing => Phase::Ringing,
            CallState::Early => Phase::Early,
            CallState::Connected => Phase::Connected,
            CallState::Held => Phase::Held,
            CallState::RemoteHeld => Phase::RemoteHeld,
            CallState::Ended(reason) => {
                self.end_reason = words::end_reason(reason);
                self.end_label = Some(words::end_reason_short(reason));
                Phase::Ended
            }
        };
        if phase.is_established() && self.connected_at_ms.is_none() {
            self.connected_at_ms = Some(now_ms);
        }
        self.phase = phase;
    }

    /// Time since the call connected, as `m:ss`.
    pub fn duration(&self, now_ms: f64) -> Option<String> {
        let since = self.connected_at_ms?;
        Some(words::format_duration((now_ms - since).max(0.0) as u64))
    }
}

/// A call ringing for us.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    /// The stack's name for the call.
    pub handle: CallHandle,
    /// The caller's SIP URI.
    pub from: String,
    /// The caller's display name.
    pub display_name: Option<String>,
    /// The offer includes video.
    pub video_offered: bool,
}

impl Incoming {
    /// The caller's name for the big line: the display name or the address.
    pub fn caller_label(&self) -> String {
        match &self.display_name {
            Some(name) if !name.trim().is_empty() => words::printable(name),
            _ => words::printable(&self.from),
        }
    }
}

/// Whether an SDP offers a video stream that is not disabled (port 0).
pub fn sdp_has_video(sdp: &str) -> bool {
    sdp.lines()
        .filter_map(|l| l.strip_prefix("m=video "))
        .any(|rest| !rest.starts_with("0 "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vani_sip::ua::EndReason;

    fn account() -> Account {
        Account {
            servers: "ws://127.0.0.1:8088".into(),
            uri: "1001@localhost".into(),
            ice_cutoff_ms: 500,
            ..Account::default()
        }
    }

    #[test]
    fn account_defaults_and_validation() {
        let a = account();
        assert_eq!(a.aor(), "sip:1001@localhost");
        assert_eq!(a.auth_user(), "1001");
        assert_eq!(a.domain(), "localhost");
        assert_eq!(a.validate("secret"), Ok(()));
        assert!(a.validate("").unwrap_err().contains("password"));
        let bad_server = Account {
            servers: "http://x".into(),
            ..account()
        };
        assert!(bad_server.validate("p").unwrap_err().contains("WebSocket"));
        let bad_uri = Account {
            uri: "localhost".into(),
            ..account()
        };
        assert!(bad_uri.validate("p").unwrap_err().contains("user@domain"));
        let explicit = Account {
            auth_user: " alice ".into(),
            ..account()
        };
        assert_eq!(explicit.auth_user(), "alice");
    }

    #[test]
    fn stored_account_has_no_password_and_fills_defaults() {
        let json = serde_json::to_string(&account()).unwrap();
        assert!(!json.to_lowercase().contains("password"));
        let old: Account = serde_json::from_str(r#"{"servers":"ws://h","uri":"sip:a@b"}"#).unwrap();
        assert_eq!(old.ice_cutoff_ms, 500);
        assert_eq!(old.dtmf, DtmfMode::Rfc4733);
    }

    #[test]
    fn registration_states_and_countdown() {
        let r = Registration::Retrying {
            retry_at_ms: 10_000.0,
            reason: "Cannot reach the server.".into(),
        };
        assert_eq!(r.data_state(), "registering");
        assert_eq!(
            r.describe(7_200.0),
            "Cannot reach the server. Retrying in 3 s."
        );
        assert_eq!(
            r.describe(12_000.0),
            "Cannot reach the server. Retrying in 0 s."
        );
        assert_eq!(Registration::Failed("x".into()).data_state(), "failed");
        assert_eq!(Registration::Registered.data_state(), "registered");
    }

    #[test]
    fn call_view_follows_the_stack() {
        let mut c = CallView::outgoing(CallHandle(1), "sip:1002@localhost".into(), false);
        assert_eq!(c.phase.data_state(), "calling");
        assert_eq!(c.peer_label(), "1002");
        c.apply(&CallState::Ringing, 1_000.0);
        assert_eq!(c.phase, Phase::Ringing);
        assert_eq!(c.duration(2_000.0), None);
        c.apply(&CallState::Connected, 5_000.0);
        c.apply(&CallState::Held, 6_000.0);
        assert_eq!(c.phase.data_state(), "held");
        assert_eq!(c.duration(70_000.0).as_deref(), Some("1:05"));
        c.apply(&CallState::Ended(EndReason::Busy), 71_000.0);
        assert_eq!(c.phase, Phase::Ended);
        assert_eq!(c.end_label, Some("Busy"));
        assert!(c.end_reason.as_deref().unwrap().starts_with("Busy"));
    }

    #[test]
    fn labels_prefer_names_and_strip_controls() {
        let i = Incoming {
            handle: CallHandle(2),
            from: "sip:1001@localhost".into(),
            display_name: Some("<b>Eve</b>\u{7}".into()),
            video_offered: false,
        };
        assert_eq!(i.caller_label(), "<b>Eve</b>");
        let blank = Incoming {
            display_name: Some("  ".into()),
            ..i.clone()
        };
        assert_eq!(blank.caller_label(), "sip:1001@localhost");
        let answered = CallView::answered(&i, true);
        assert!(answered.video && !answered.outgoing);
        assert_eq!(answered.peer_label(), "<b>Eve</b>");
    }

    #[test]
    fn video_in_sdp() {
        assert!(sdp_has_video(
            "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
        ));
        assert!(!sdp_has_video(
            "v=0\r\nm=audio 9 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\n"
        ));
        assert!(!sdp_has_video("v=0\r\nm=audio 9 RTP/AVP 0\r\n"));
    }
}
