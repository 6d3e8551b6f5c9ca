//! Seeded fuzzing of the SDP helpers: the Chromium fixtures with lines
//! dropped, repeated, swapped and rewritten, and bytes changed, each parsed
//! and, when it parses, read and edited as a user agent does
//! (`support/sdp_exercise.rs`). No input may panic; whatever parses prints
//! back byte for byte; whatever is edited reads back as it was.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

include!("support/sdp_exercise.rs");

const FIXTURES: &[&str] = &[
    include_str!("fixtures/sdp/chromium-offer.sdp"),
    include_str!("fixtures/sdp/chromium-answer.sdp"),
    include_str!("fixtures/sdp/chromium-offer-candidates.sdp"),
];

/// Lines a hostile or broken peer might send, well formed or not.
const LINES: &[&str] = &[
    "m=audio 0 RTP/AVP 0",
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "m=audio 70000 RTP/AVP 0",
    "m=audio 9 RTP/AVP",
    "m=",
    "a=rtpmap:96 opus/48000/2",
    "a=rtpmap:300 x/1",
    "a=rtpmap:97 rtx/90000",
    "a=fmtp:97 apt=96",
    "a=fmtp:97 apt=999",
    "a=rtcp-fb:* nack",
    "a=sendonly",
    "a=inactive",
    "a=mid:0",
    "a=mid:",
    "a=group:BUNDLE 0 1 2",
    "a=ice-ufrag:",
    "a=ice-pwd:x",
    "c=IN IP4",
    "c=IN IP6 ::1",
    "b=AS:",
    "b=AS:18446744073709551616",
    "b=TIAS:64000",
    "o=- 1 18446744073709551615 IN IP4 127.0.0.1",
    "o=- 1 x IN IP4 127.0.0.1",
    "s=",
    "v=1",
    "x",
    "",
];

/// The char boundary at or before `i`.
fn floor_boundary(text: &str, i: usize) -> usize {
    (0..=i.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// The char boundary at or after `i`.
fn ceil_boundary(text: &str, i: usize) -> usize {
    (i..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len())
}

fn mutate(rng: &mut ChaCha8Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let pick = |rng: &mut ChaCha8Rng, n: usize| (rng.next_u32() as usize) % n.max(1);
    for _ in 0..1 + rng.next_u32() % 4 {
        let n = lines.len();
        let at = pick(rng, n);
        match rng.next_u32() % 7 {
            0 if n > 0 => {
                lines.remove(at);
            }
            1 if n > 0 => {
                let line = lines[at].clone();
                lines.insert(pick(rng, n), line);
            }
            2 if n > 1 => lines.swap(at, pick(rng, n)),
            3 => {
                let line = LINES[pick(rng, LINES.len())];
                let eol = ["\r\n", "\n", ""][pick(rng, 3)];
                lines.insert(at.min(n), format!("{line}{eol}"));
            }
            4 if n > 0 => {
                // Cut a line short (its end of line too, at times).
                let line = &mut lines[at];
                let keep = pick(rng, line.len() + 1);
                line.truncate(floor_boundary(line, keep));
            }
            5 if n > 0 => {
                // One byte replaced by a character that means something in SDP.
                let line = &mut lines[at];
                if !line.is_empty() {
                    let i = floor_boundary(line, pick(rng, line.len()));
                    let with =
                        [" ", ":", "/", "=", "\r", "\t", "0", "9", "\u{e9}", "*"][pick(rng, 10)];
                    let end = ceil_boundary(line, i + 1);
                    line.replace_range(i..end, with);
                }
            }
            _ => {
                let n = lines.len();
                lines.truncate(pick(rng, n + 1));
            }
        }
    }
    lines.concat()
}

#[test]
fn mutated_chromium_descriptions_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5d9_2026);
    let (mut parsed, mut refused) = (0u32, 0u32);
    for round in 0..6_000 {
        let base = FIXTURES[round % FIXTURES.len()];
        let text = mutate(&mut rng, base);
        if exercise_sdp(&text) {
            parsed += 1;
        } else {
            refused += 1;
        }
    }
    println!("SDP fuzz: {parsed} parsed, {refused} refused");
    // Both kinds of outcome are exercised, not only one.
    assert!(
        parsed > 1_000 && refused > 1_000,
        "{parsed} parsed, {refused} refused"
    );
}

#[test]
fn the_fixtures_themselves_go_through_every_read_and_edit() {
    for text in FIXTURES {
        assert!(exercise_sdp(text));
        assert!(exercise_sdp(&text.replace("\r\n", "\n")));
    }
}
