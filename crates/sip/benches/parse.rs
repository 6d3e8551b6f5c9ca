//! Native parse and serialize timings over realistic messages (REGISTER,
//! 401 with a challenge, INVITE and 200 OK with Chromium SDP, NOTIFY, BYE),
//! the same files as the Node benchmark (`benches/messages/`).
//!
//! "Parse" is the work JsSIP does eagerly: start line, header index, and
//! the typed Via, From, To, Call-ID, CSeq, Contact and Content-Length, on
//! the message read in place (`MessageRef`). "View" is `MessageRef::parse`
//! alone (start line, Request-URI, header index, body framing), for how the
//! two halves compare; "owned" is `Message::parse`, which also copies the
//! head and the body into the message, as the user agent does with a
//! message it keeps.
//!
//! Run: `cargo bench -p vani-sip --bench parse`
//!
//! With `VANI_BENCH_ITERS=<n>` in the environment the program instead parses
//! (and serializes) each message `n` times without timing, for instruction
//! counting under `valgrind --tool=callgrind`; `VANI_BENCH_ONLY=<text>`
//! keeps only the files whose name contains `<text>`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use vani_sip::header::{CSeq, CallIdRef, ContactRef, ContentLength, FromRef, ToRef, ViaRef};
use vani_sip::message::{Message, MessageRef};

/// Parses `bytes` and reads the headers JsSIP parses on sight.
fn parse_and_read(bytes: &[u8]) -> usize {
    let message = MessageRef::parse(bytes).expect("benchmark messages are valid");
    let h = message.headers();
    let mut read = 0;
    read += usize::from(h.get::<ViaRef>().is_some_and(|v| v.is_ok()));
    read += usize::from(h.get::<FromRef>().is_some_and(|v| v.is_ok()));
    read += usize::from(h.get::<ToRef>().is_some_and(|v| v.is_ok()));
    read += usize::from(h.get::<CallIdRef>().is_some_and(|v| v.is_ok()));
    read += usize::from(h.get::<CSeq>().is_some_and(|v| v.is_ok()));
    read += usize::from(h.get::<ContactRef>().is_some_and(|v| v.is_ok()));
    read += usize::from(h.get::<ContentLength>().is_some_and(|v| v.is_ok()));
    read + message.body().len()
}

/// Parses `bytes` in place and reads nothing.
fn view_only(bytes: &[u8]) -> usize {
    let message = MessageRef::parse(bytes).expect("benchmark messages are valid");
    message.headers().len() + message.body().len()
}

/// Parses `bytes` into an owned message and reads nothing.
fn owned_only(bytes: &[u8]) -> usize {
    let message = Message::parse(bytes).expect("benchmark messages are valid");
    message.headers().len() + message.body().len()
}

/// Nanoseconds per call of `f`: the best and the median of 200 samples of
/// about 2 ms each. On a shared machine other work lands in some samples;
/// the best is the figure least disturbed by it, the median shows the rest.
fn time(mut f: impl FnMut()) -> (f64, f64) {
    let mut iterations = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..iterations {
            f();
        }
        if start.elapsed() > Duration::from_millis(2) {
            break;
        }
        iterations *= 2;
    }
    let mut samples: Vec<f64> = (0..200)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            start.elapsed().as_nanos() as f64 / iterations as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    (samples[0], samples[samples.len() / 2])
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/messages");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("benches/messages")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    if let Ok(only) = std::env::var("VANI_BENCH_ONLY") {
        files.retain(|p| p.to_string_lossy().contains(&only));
    }
    if let Some(n) = std::env::var("VANI_BENCH_ITERS")
        .ok()
        .and_then(|n| n.parse::<u64>().ok())
    {
        for path in &files {
            let bytes = std::fs::read(path).expect("message file");
            let message = Message::parse(&bytes).expect("benchmark messages are valid");
            for _ in 0..n {
                black_box(parse_and_read(black_box(&bytes)));
                black_box(black_box(&message).to_bytes());
            }
        }
        return;
    }
    println!(
        "{:<18} {:>6} {:>21} {:>21} {:>21} {:>21}",
        "message",
        "bytes",
        "parse ns best/median",
        "view ns best/median",
        "owned ns best/median",
        "serialize ns best/median"
    );
    for path in files {
        let bytes = std::fs::read(&path).expect("message file");
        let message = Message::parse(&bytes).expect("benchmark messages are valid");
        let (parse, parse_median) = time(|| {
            black_box(parse_and_read(black_box(&bytes)));
        });
        let (view, view_median) = time(|| {
            black_box(view_only(black_box(&bytes)));
        });
        let (owned, owned_median) = time(|| {
            black_box(owned_only(black_box(&bytes)));
        });
        let (serialize, serialize_median) = time(|| {
            black_box(black_box(&message).to_bytes());
        });
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "{name:<18} {:>6} {:>12.0} / {:<8.0} {:>12.0} / {:<8.0} {:>12.0} / {:<8.0} {:>12.0} / {:<8.0}",
            bytes.len(),
            parse,
            parse_median,
            view,
            view_median,
            owned,
            owned_median,
            serialize,
            serialize_median
        );
    }
}
