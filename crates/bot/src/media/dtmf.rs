//! RFC 4733 DTMF: digits as event codes (§3.2), and the digits of a received
//! telephone-event stream, each counted once however often its reports are
//! repeated (§2.5.1.3, §2.5.1.4).

use std::collections::BTreeSet;
use std::time::Duration;

use str0m::media::TelephoneEvent;

/// The RFC 4733 §3.2 event code of a DTMF digit (`0-9`, `*`, `#`, `A-D`).
pub fn event_code(digit: char) -> Option<u8> {
    match digit.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        d @ 'A'..='D' => Some(d as u8 - b'A' + 12),
        _ => None,
    }
}

/// The digit of an RFC 4733 §3.2 event code.
pub fn digit(code: u8) -> Option<char> {
    match code {
        0..=9 => Some(char::from(b'0' + code)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + code - 12)),
        _ => None,
    }
}

/// A digit heard, with how long it lasted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Digit {
    /// `0-9`, `*`, `#`, `A-D`.
    pub digit: char,
    /// Milliseconds.
    pub duration_ms: u64,
}

/// Collects the digits of a telephone-event stream. An event is identified
/// by its RTP timestamp (§2.5.1.1); it is complete at its first report with
/// the E bit, whose duration is the event's (§2.5.1.4).
#[derive(Debug, Default)]
pub struct Receiver {
    ended: BTreeSet<u64>,
    digits: Vec<Digit>,
}

impl Receiver {
    /// Takes one report, sent at RTP time `timestamp`.
    pub fn report(&mut self, timestamp: u64, event: &TelephoneEvent) {
        if !event.end || !self.ended.insert(timestamp) {
            return;
        }
        if let Some(digit) = digit(event.event) {
            self.digits.push(Digit {
                digit,
                duration_ms: duration_ms(event.duration),
            });
        }
    }

    /// The digits completed so far, in order.
    pub fn digits(&self) -> &[Digit] {
        &self.digits
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(event: u8, end: bool, ms: u64) -> TelephoneEvent {
        TelephoneEvent {
            event,
            end,
            volume: 10,
            duration: Duration::from_millis(ms),
        }
    }

    #[test]
    fn codes_and_digits_round_trip() {
        for d in "0123456789*#ABCD".chars() {
            assert_eq!(digit(event_code(d).unwrap()), Some(d));
        }
        assert_eq!(event_code('a'), Some(12));
        assert_eq!(event_code('x'), None);
        assert_eq!(digit(16), None);
    }

    #[test]
    fn each_event_counts_once_at_its_end() {
        let mut rx = Receiver::default();
        rx.report(1000, &report(1, false, 20));
        rx.report(1000, &report(1, false, 40));
        assert!(rx.digits().is_empty(), "not ended yet");
        for _ in 0..3 {
            rx.report(1000, &report(1, true, 160));
        }
        rx.report(9000, &report(11, true, 100));
        rx.report(9000, &report(11, true, 100));
        assert_eq!(
            rx.digits(),
            [
                Digit {
                    digit: '1',
                    duration_ms: 160
                },
                Digit {
                    digit: '#',
                    duration_ms: 100
                }
            ]
        );
    }
}
