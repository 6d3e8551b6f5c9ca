//! Everything the stack or the browser can say, told in plain words.
//! One place, so the wording stays consistent and can be translated.

use vani_sip::ua::{EndReason, RegistrationFailure, UaError};

/// A call's length as `m:ss`, or `h:mm:ss` from an hour on.
pub fn format_duration(ms: u64) -> String {
    let total = ms / 1000;
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Why registration failed.
pub fn registration_failure(failure: &RegistrationFailure) -> String {
    match failure {
        RegistrationFailure::WrongCredentials => {
            "Wrong user name or password: the server refused them.".to_owned()
        }
        RegistrationFailure::Timeout => "The server did not answer in time.".to_owned(),
        RegistrationFailure::TransportClosed => "The connection to the server was lost.".to_owned(),
        RegistrationFailure::Rejected { status, reason } => match status {
            403 => "The server refused this account (403 Forbidden).".to_owned(),
            404 => "The server does not know this address (404 Not Found).".to_owned(),
            423 => "The server wants a longer registration time (423).".to_owned(),
            _ => format!(
                "The server refused to register us: {status} {}",
                printable(reason)
            ),
        },
    }
}

/// Why a call ended, or `None` when nothing needs saying (a normal hang-up).
pub fn end_reason(reason: &EndReason) -> Option<String> {
    let words = match reason {
        EndReason::LocalHangup | EndReason::RemoteHangup | EndReason::Replaced => return None,
        EndReason::Transferred => "The call was transferred.",
        EndReason::Busy => "Busy: the person you called cannot take the call now.",
        EndReason::Declined => "The call was declined.",
        EndReason::NotFound => "Not found: nobody has that number or address.",
        EndReason::Unavailable => "The person you called is not available right now.",
        EndReason::NoAnswer => "No answer.",
        EndReason::Timeout => "The server did not answer: check your connection.",
        EndReason::AuthenticationFailed => "The server refused the call: check your password.",
        EndReason::SessionExpired => "The call was lost (the session timer ran out).",
        EndReason::TransportClosed => "The call was cut off: the connection to the server dropped.",
        EndReason::MediaFailed => "The call could not agree on audio or video with the other side.",
        EndReason::Failed { status, reason } => {
            return Some(format!("The call failed: {status} {}", printable(reason)));
        }
    };
    Some(words.to_owned())
}

/// A short label for the in-call state line.
pub fn end_reason_short(reason: &EndReason) -> &'static str {
    match reason {
        EndReason::LocalHangup => "Ended",
        EndReason::RemoteHangup => "Ended by the other side",
        EndReason::Busy => "Busy",
        EndReason::Declined => "Declined",
        EndReason::NotFound => "Not found",
        EndReason::Unavailable => "Unavailable",
        EndReason::NoAnswer => "No answer",
        _ => "Ended",
    }
}

/// A command the stack refused.
pub fn ua_error(error: &UaError) -> String {
    match error {
        UaError::NotConnected => "Not connected to the server yet.".to_owned(),
        UaError::InvalidTarget(_) => "That is not a number or a SIP address.".to_owned(),
        UaError::NoSuchCall => "That call has already ended.".to_owned(),
        UaError::NegotiationInProgress => {
            "Please wait a moment: the call is being updated.".to_owned()
        }
        UaError::InvalidState(_) => "That is not possible in this call right now.".to_owned(),
        UaError::InvalidConfig(what) => format!("The account settings are not usable: {what}."),
        _ => "The phone could not do that.".to_owned(),
    }
}

/// Text from the network, stripped of control characters and cut short so it
/// cannot flood or garble the page (it is always rendered as text).
pub fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(format_duration(0), "0:00");
        assert_eq!(format_duration(5_999), "0:05");
        assert_eq!(format_duration(62_000), "1:02");
        assert_eq!(format_duration(3_723_000), "1:02:03");
    }

    #[test]
    fn registration_reasons_are_words() {
        assert!(registration_failure(&RegistrationFailure::WrongCredentials).contains("password"));
        let r = registration_failure(&RegistrationFailure::Rejected {
            status: 500,
            reason: "Server\r\nError".into(),
        });
        assert_eq!(r, "The server refused to register us: 500 ServerError");
    }

    #[test]
    fn call_end_reasons() {
        assert_eq!(end_reason(&EndReason::LocalHangup), None);
        assert!(end_reason(&EndReason::Busy).unwrap().starts_with("Busy"));
        assert!(
            end_reason(&EndReason::NotFound)
                .unwrap()
                .starts_with("Not found")
        );
        assert_eq!(
            end_reason(&EndReason::Failed {
                status: 502,
                reason: "Bad Gateway".into()
            })
            .unwrap(),
            "The call failed: 502 Bad Gateway"
        );
        assert_eq!(end_reason_short(&EndReason::Declined), "Declined");
    }

    #[test]
    fn printable_drops_controls_and_limits_length() {
        assert_eq!(printable("a\u{0}b\u{1b}[31mc"), "ab[31mc");
        assert_eq!(printable(&"x".repeat(500)).len(), 120);
    }
}
