//! Complete call flows (INVITE, 100, 180, 200, ACK, BYE, 200) between two
//! user agents over an in-memory wire, on one core. Prints flows per second.
//!
//! Run: `cargo bench -p vani-sip --bench call_flow`.

use std::time::Instant as WallClock;

use vani_sip::time::{Duration, Instant};
use vani_sip::ua::{Config, Event, MediaKind, Output, Transport, UserAgent};

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n";

fn config(user: &str) -> Config {
    let mut c = Config::new(format!("sip:{user}@example.com"), user, "secret");
    c.transport = Transport::Wss;
    c
}

/// Delivers what `from` has to say to `to`, answering SDP requests and
/// incoming calls at once. Returns (frames, whether anything happened).
fn pump(now: Instant, from: &mut UserAgent, to: &mut UserAgent) -> (usize, bool) {
    let mut frames = 0;
    let mut moved = false;
    while let Some(o) = from.poll_output() {
        match o {
            Output::Transmit(bytes) => {
                frames += 1;
                moved = true;
                to.handle_message(now, &bytes);
            }
            Output::Event(Event::LocalDescriptionNeeded { call, .. }) => {
                let _ = from.set_local_description(now, call, SDP.to_owned());
                moved = true;
            }
            Output::Event(Event::IncomingCall { call, .. }) => {
                let _ = from.answer(now, call);
                moved = true;
            }
            Output::Event(_) | Output::Timeout(_) => {}
        }
    }
    (frames, moved)
}

/// Moves frames both ways until both agents are quiet.
fn progress(now: Instant, a: &mut UserAgent, b: &mut UserAgent) -> usize {
    let mut frames = 0;
    loop {
        let (fa, ma) = pump(now, a, b);
        let (fb, mb) = pump(now, b, a);
        frames += fa + fb;
        if !ma && !mb {
            return frames;
        }
    }
}

fn main() {
    let mut now = Instant::from_millis(1_000);
    let mut a = UserAgent::new(config("alice"), [1; 32], now);
    let mut b = UserAgent::new(config("bob"), [2; 32], now);
    a.handle_transport_connected(now);
    b.handle_transport_connected(now);
    // CALL_FLOWS sets a fixed count, e.g. for a run under callgrind.
    let flows: u32 = std::env::var("CALL_FLOWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // Ten rounds, each timed: a shared machine slows some of them down, so
    // the median and the best round are printed besides the whole run.
    const ROUNDS: u32 = 10;
    let per_round = flows.div_ceil(ROUNDS);
    let mut frames = 0usize;
    let mut rates = Vec::new();
    let started = WallClock::now();
    let mut done = 0;
    while done < flows {
        let round = per_round.min(flows - done);
        let round_started = WallClock::now();
        for _ in 0..round {
            let call = a
                .call(now, "sip:bob@example.com", MediaKind::Audio)
                .expect("call");
            frames += progress(now, &mut a, &mut b);
            a.hangup(now, call).expect("hangup");
            frames += progress(now, &mut a, &mut b);
            now += Duration::from_millis(1);
            done += 1;
            // Let Timers L and M (64*T1) retire finished INVITE transactions.
            if done % 1_000 == 0 {
                now += Duration::from_secs(33);
                a.handle_timeout(now);
                b.handle_timeout(now);
                frames += progress(now, &mut a, &mut b);
            }
        }
        rates.push(f64::from(round) / round_started.elapsed().as_secs_f64());
    }
    let elapsed = started.elapsed();
    let per_second = f64::from(flows) / elapsed.as_secs_f64();
    rates.sort_by(f64::total_cmp);
    let median = rates.get(rates.len() / 2).copied().unwrap_or(per_second);
    let best = rates.last().copied().unwrap_or(per_second);
    println!(
        "call_flow: {flows} complete flows (INVITE/100/180/200/ACK/BYE/200) in {:.2} s: {:.0} flows/s on one core, {:.1} frames per flow",
        elapsed.as_secs_f64(),
        per_second,
        frames as f64 / f64::from(flows)
    );
    println!("rounds of {per_round} flows: median {median:.0} flows/s, best {best:.0} flows/s");
    let (ra, rb) = (a.resources(), b.resources());
    println!("left behind: alice {ra:?}, bob {rb:?}");
}
