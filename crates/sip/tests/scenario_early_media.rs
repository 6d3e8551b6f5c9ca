//! Early media from the callee (RFC 3261 §13.3.1.1, RFC 3262, RFC 6337
//! §3.1): the answer to the INVITE's offer leaves in a 183 Session Progress
//! before the call is answered, reliably when both sides support 100rel;
//! the 200 then repeats that answer (unreliable 183) or carries no SDP
//! (reliable 183, the offer/answer exchange is already complete). The media
//! layer is asked for the answer once.

mod support;

use support::*;
use vani_sip::message::{Message, Response};
use vani_sip::ua::{CallHandle, CallState, Event, MediaKind, SdpKind};

fn responses(sent: &[Vec<u8>], status: u16) -> Vec<Response> {
    sent.iter()
        .filter_map(|b| match Message::parse(b) {
            Ok(Message::Response(r)) if r.status.as_u16() == status => Some(r),
            _ => None,
        })
        .collect()
}

fn answers_asked(events: &[Event], call: CallHandle) -> usize {
    events
        .iter()
        .filter(|e| {
            matches!(e, Event::LocalDescriptionNeeded { call: c, kind: SdpKind::Answer, .. } if *c == call)
        })
        .count()
}

fn remote_answers(events: &[Event], call: CallHandle) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::RemoteDescription {
                call: c,
                kind: SdpKind::Answer,
                sdp,
            } if *c == call => Some(sdp.clone()),
            _ => None,
        })
        .collect()
}

/// Alice calls Bob; Bob's phone rings. Returns both call handles.
fn ringing(p: &mut Pair) -> (CallHandle, CallHandle) {
    let a_call =
        p.a.call(p.now, "sip:bob@example.com", MediaKind::Audio)
            .unwrap();
    p.progress();
    let b_call = p.b_incoming();
    assert_eq!(p.b.call_state(b_call), Some(CallState::Ringing));
    (a_call, b_call)
}

/// Bob sends early media on `b_call`; returns the one 183 that went out.
fn send_early_media(p: &mut Pair, b_call: CallHandle) -> Response {
    p.b.early_media(p.now, b_call).unwrap();
    p.progress();
    let mut progress = responses(&p.b_sent, 183);
    assert_eq!(progress.len(), 1);
    progress.remove(0)
}

#[test]
fn unreliable_183_carries_the_answer_and_the_200_repeats_it() {
    let mut bob = config("bob");
    bob.reliable_provisional = false;
    let mut p = Pair::with(config("alice"), bob);
    let (a_call, b_call) = ringing(&mut p);

    let progress = &send_early_media(&mut p, b_call);
    assert_eq!(header(&progress.headers, "Content-Type"), "application/sdp");
    assert!(String::from_utf8_lossy(&progress.body).contains("banswr"));
    assert_eq!(header(&progress.headers, "RSeq"), "");
    assert!(header(&progress.headers, "To").contains("tag="));
    assert_eq!(p.a.call_state(a_call), Some(CallState::Early));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Early));
    assert_eq!(remote_answers(&p.a_events, a_call).len(), 1);

    p.b.answer(p.now, b_call).unwrap();
    p.progress();
    let ok = responses(&p.b_sent, 200);
    assert_eq!(ok.len(), 1, "one 2xx");
    assert_eq!(
        ok[0].body, progress.body,
        "the 200 repeats the early answer"
    );
    assert_eq!(
        answers_asked(&p.b_events, b_call),
        1,
        "the answer was made once"
    );
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Connected));
    assert_eq!(remote_answers(&p.a_events, a_call).len(), 1, "applied once");
}

#[test]
fn reliable_183_is_pracked_and_the_200_carries_no_sdp() {
    let mut p = Pair::new();
    let (a_call, b_call) = ringing(&mut p);

    let progress = &send_early_media(&mut p, b_call);
    assert_eq!(header(&progress.headers, "Require"), "100rel");
    let rseq = header(&progress.headers, "RSeq");
    assert!(String::from_utf8_lossy(&progress.body).contains("banswr"));
    let pracks: Vec<String> = p
        .a_sent
        .iter()
        .filter_map(|b| match Message::parse(b) {
            Ok(Message::Request(r)) if r.method.as_str() == "PRACK" => {
                Some(header(&r.headers, "RAck"))
            }
            _ => None,
        })
        .collect();
    assert!(pracks.contains(&format!("{rseq} 1 INVITE")), "{pracks:?}");
    assert_eq!(p.a.call_state(a_call), Some(CallState::Early));

    p.b.answer(p.now, b_call).unwrap();
    p.progress();
    let ok = responses(&p.b_sent, 200)
        .into_iter()
        .filter(|r| header(&r.headers, "CSeq").ends_with("INVITE"))
        .collect::<Vec<_>>();
    assert_eq!(ok.len(), 1);
    assert!(
        ok[0].body.is_empty(),
        "offer and answer are complete after the PRACK"
    );
    assert_eq!(answers_asked(&p.b_events, b_call), 1);
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert_eq!(p.b.call_state(b_call), Some(CallState::Connected));
    assert_eq!(remote_answers(&p.a_events, a_call).len(), 1);
}

#[test]
fn early_media_needs_an_unanswered_incoming_call_with_an_offer() {
    let mut p = Pair::new();
    let a_call =
        p.a.call_without_offer(p.now, "sip:bob@example.com")
            .unwrap();
    p.progress();
    let b_call = p.b_incoming();
    assert!(
        p.b.early_media(p.now, b_call).is_err(),
        "no offer to answer"
    );
    p.b.answer(p.now, b_call).unwrap();
    p.progress();
    assert_eq!(p.a.call_state(a_call), Some(CallState::Connected));
    assert!(p.b.early_media(p.now, b_call).is_err(), "already answered");
    assert!(p.a.early_media(p.now, a_call).is_err(), "an outgoing call");
}
