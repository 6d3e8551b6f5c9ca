//! Deterministic fuzzing of the user agent: mutated valid messages and
//! random bytes from a seeded RNG, with random timeouts and commands.
//! Asserts no panic and bounded state.

mod support;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use support::*;
use vani_sip::time::Duration;
use vani_sip::ua::{CallHandle, DtmfFormat, Event, MediaKind, UserAgent};

const CORPUS: &[&str] = &[
    "INVITE sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bK1\r\nFrom: <sip:c@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: f1\r\nCSeq: 1 INVITE\r\nContact: <sip:c@p.example>\r\nContent-Type: application/sdp\r\nContent-Length: 10\r\n\r\nv=0\r\ns=-\r\n",
    "ACK sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bK2\r\nFrom: <sip:c@example.com>;tag=c1\r\nTo: <sip:alice@example.com>;tag=t\r\nCall-ID: f1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
    "CANCEL sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bK1\r\nFrom: <sip:c@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: f1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
    "BYE sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bK3\r\nFrom: <sip:c@example.com>;tag=c1\r\nTo: <sip:alice@example.com>;tag=t\r\nCall-ID: f1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
    "INFO sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bK4\r\nFrom: <sip:c@example.com>;tag=c1\r\nTo: <sip:alice@example.com>;tag=t\r\nCall-ID: f1\r\nCSeq: 3 INFO\r\nContent-Type: application/dtmf-relay\r\nContent-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n",
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bK5\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContact: <sip:c@d>\r\nContent-Length: 0\r\n\r\n",
    "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bK6\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\nContent-Length: 0\r\n\r\n",
    "OPTIONS sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bK7\r\nFrom: <sip:c@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: f2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
    "\r\n\r\n",
];

fn mutate(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) {
    let edits = 1 + rng.next_u32() % 6;
    for _ in 0..edits {
        if bytes.is_empty() {
            bytes.push(b'x');
        }
        let at = (rng.next_u32() as usize) % bytes.len();
        match rng.next_u32() % 5 {
            0 => bytes[at] = rng.next_u32() as u8,
            1 => {
                bytes.remove(at);
            }
            2 => bytes.insert(
                at,
                b"\r\n;,:<>\"@ 0123456789z"[(rng.next_u32() % 21) as usize],
            ),
            3 => {
                let end = (at + (rng.next_u32() as usize) % 40).min(bytes.len());
                let chunk = bytes[at..end].to_vec();
                bytes.splice(at..at, chunk);
            }
            _ => bytes.truncate(at),
        }
    }
}

/// Messages the UA just sent, answered or replayed by a hostile peer.
fn reply_to_sent(rng: &mut ChaCha8Rng, sent: &[Vec<u8>]) -> Option<Vec<u8>> {
    let m = sent.get((rng.next_u32() as usize) % sent.len().max(1))?;
    let text = String::from_utf8_lossy(m);
    if !text.starts_with("SIP/2.0") && text.len() > 20 {
        let request = match vani_sip::message::Message::parse(m) {
            Ok(vani_sip::message::Message::Request(r)) => r,
            _ => return None,
        };
        let status = [100u16, 180, 183, 200, 401, 407, 486, 491, 488, 500, 603]
            [(rng.next_u32() % 11) as usize];
        let challenge = "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth\"";
        let proxy = "Proxy-Authenticate: Digest realm=\"r\", nonce=\"n\"";
        let body = sdp("fz");
        let sdp_body = if status == 200 || status == 183 {
            Some(body.as_str())
        } else {
            None
        };
        return Some(respond(
            &request,
            status,
            "X",
            Some("fz"),
            &["Contact: <sip:p@q.invalid>", challenge, proxy],
            sdp_body,
        ));
    }
    Some(m.clone())
}

#[test]
fn random_sequences_never_panic_and_state_stays_bounded() {
    for round in 0..40u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(round);
        let mut ua = UserAgent::new(config("alice"), seed(round as u8), T0);
        let mut now = T0;
        ua.handle_transport_connected(now);
        let mut calls: Vec<CallHandle> = Vec::new();
        let mut sent: Vec<Vec<u8>> = Vec::new();
        for _ in 0..400 {
            match rng.next_u32() % 12 {
                0..=3 => {
                    let mut bytes = CORPUS[(rng.next_u32() as usize) % CORPUS.len()]
                        .as_bytes()
                        .to_vec();
                    if rng.next_u32() % 3 != 0 {
                        mutate(&mut rng, &mut bytes);
                    }
                    ua.handle_message(now, &bytes);
                }
                4 => {
                    let len = (rng.next_u32() % 300) as usize;
                    let bytes: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
                    ua.handle_message(now, &bytes);
                }
                5..=6 => {
                    if let Some(reply) = reply_to_sent(&mut rng, &sent) {
                        ua.handle_message(now, &reply);
                    }
                }
                7 => {
                    now += Duration::from_millis(u64::from(rng.next_u32() % 40_000));
                    ua.handle_timeout(now);
                }
                8 => {
                    if let Ok(c) = ua.call(now, "sip:bob@example.com", MediaKind::Audio) {
                        calls.push(c);
                    }
                }
                9 => ua.register(now),
                _ => {
                    if let Some(&c) = calls.get((rng.next_u32() as usize) % calls.len().max(1)) {
                        let _ = match rng.next_u32() % 7 {
                            0 => ua.hangup(now, c),
                            1 => ua.answer(now, c),
                            2 => ua.hold(now, c),
                            3 => ua.resume(now, c),
                            4 => ua.send_dtmf_info(now, c, '7', 100, DtmfFormat::Dtmf),
                            5 => ua.reject(now, c, 486),
                            _ => ua.set_local_description(now, c, sdp("l")),
                        };
                    }
                }
            }
            let out = drain(&mut ua);
            for e in &out.events {
                match e {
                    Event::IncomingCall { call, .. } => calls.push(*call),
                    Event::LocalDescriptionNeeded { call, .. } => {
                        let _ = ua.set_local_description(now, *call, sdp("auto"));
                    }
                    _ => {}
                }
            }
            let _ = drain(&mut ua);
            sent = out.sent;
            if out.timeout.is_some() {
                assert!(ua.pending_timer_count() > 0, "a deadline without a timer");
            }
            let r = ua.resources();
            assert!(
                r.transactions < 500 && r.calls < 500 && r.dialogs < 1000,
                "{r:?}"
            );
        }
        // Quiet for long enough: every call and transaction times out or ends.
        for c in calls {
            let _ = ua.hangup(now, c);
        }
        for _ in 0..5 {
            now += Duration::from_secs(70);
            ua.handle_timeout(now);
            let _ = drain(&mut ua);
        }
        let r = ua.resources();
        assert_eq!(r.transactions, 0, "round {round}: {r:?}");
    }
}
