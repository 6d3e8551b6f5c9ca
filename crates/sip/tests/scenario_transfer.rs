//! RFC 5359 §2.4 and §2.5 transfer flows (REFER, RFC 3515; Replaces,
//! RFC 3891) between three user agents.

mod support;

use support::*;
use vani_sip::ua::{CallHandle, CallState, EndReason, Event, MediaKind};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

/// `from` calls `to`'s AOR and `to` answers: (caller's call, callee's call).
fn connect(net: &mut Net, from: usize, to: usize) -> (CallHandle, CallHandle) {
    let target = format!("sip:{}@example.com", net.names[to]);
    let caller = net.uas[from]
        .call(net.now, &target, MediaKind::Audio)
        .unwrap();
    net.progress();
    let callee = net.incoming(to);
    net.uas[to].answer(net.now, callee).unwrap();
    net.progress();
    assert_eq!(net.uas[from].call_state(caller), Some(CallState::Connected));
    assert_eq!(net.uas[to].call_state(callee), Some(CallState::Connected));
    (caller, callee)
}

fn progress_of(events: &[Event], call: CallHandle) -> Vec<(u16, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::TransferProgress {
                call: c,
                status,
                done,
            } if *c == call => Some((*status, *done)),
            _ => None,
        })
        .collect()
}

fn ended(events: &[Event], call: CallHandle) -> Option<EndReason> {
    call_states(events, call).into_iter().find_map(|s| match s {
        CallState::Ended(r) => Some(r),
        _ => None,
    })
}

fn assert_all_released(net: &mut Net) {
    net.advance(secs(40));
    for (i, ua) in net.uas.iter().enumerate() {
        let r = ua.resources();
        assert_eq!(
            (r.transactions, r.dialogs, r.timers, r.subscriptions),
            (0, 0, 0, 0),
            "{}: {r:?}",
            net.names[i]
        );
    }
}

#[test]
fn blind_transfer_rfc5359() {
    let mut net = Net::new(&["alice", "bob", "carol"]);
    let (alice_bob, bob_alice) = connect(&mut net, ALICE, BOB);
    // Bob holds Alice, then refers her to Carol.
    net.uas[BOB].hold(net.now, bob_alice).unwrap();
    net.progress();
    net.uas[BOB]
        .refer(net.now, bob_alice, "sip:carol@example.com")
        .unwrap();
    net.progress();
    let refer = net.sent[BOB]
        .iter()
        .find(|m| m.starts_with(b"REFER "))
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .unwrap();
    assert!(
        refer.contains("Refer-To: <sip:carol@example.com>"),
        "{refer}"
    );
    assert!(
        refer.contains("Referred-By: <sip:bob@example.com>"),
        "{refer}"
    );
    let (target, replaces) = net.events[ALICE]
        .iter()
        .find_map(|e| match e {
            Event::TransferRequested {
                call,
                target,
                replaces,
            } if *call == alice_bob => Some((target.clone(), replaces.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!((target.as_str(), replaces), ("sip:carol@example.com", None));
    assert_eq!(net.uas[BOB].resources().subscriptions, 1);
    assert_eq!(progress_of(&net.events[BOB], bob_alice), vec![(100, false)]);
    // Alice calls Carol; Carol rings, then answers.
    let alice_carol = net.uas[ALICE].accept_transfer(net.now, alice_bob).unwrap();
    net.progress();
    let carol_alice = net.incoming(CAROL);
    net.uas[CAROL].answer(net.now, carol_alice).unwrap();
    net.progress();
    assert_eq!(
        progress_of(&net.events[BOB], bob_alice),
        vec![(100, false), (180, false), (200, true)]
    );
    let notify = net.sent[ALICE]
        .iter()
        .rev()
        .find(|m| m.starts_with(b"NOTIFY "))
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .unwrap();
    assert!(notify.contains("Event: refer"), "{notify}");
    assert!(
        notify.contains("Subscription-State: terminated"),
        "{notify}"
    );
    assert!(notify.contains("message/sipfrag"), "{notify}");
    assert!(notify.ends_with("SIP/2.0 200 OK\r\n"), "{notify}");
    // Bob leaves the original call.
    net.uas[BOB].hangup(net.now, bob_alice).unwrap();
    net.progress();
    assert_eq!(
        ended(&net.events[ALICE], alice_bob),
        Some(EndReason::RemoteHangup)
    );
    assert_eq!(
        net.uas[ALICE].call_state(alice_carol),
        Some(CallState::Connected)
    );
    assert_eq!(
        net.uas[CAROL].call_state(carol_alice),
        Some(CallState::Connected)
    );
    net.uas[ALICE].hangup(net.now, alice_carol).unwrap();
    net.progress();
    assert_all_released(&mut net);
}

#[test]
fn attended_transfer_with_replaces() {
    let mut net = Net::new(&["alice", "bob", "carol"]);
    let (alice_bob, bob_alice) = connect(&mut net, ALICE, BOB);
    net.uas[BOB].hold(net.now, bob_alice).unwrap();
    net.progress();
    let (bob_carol, carol_bob) = connect(&mut net, BOB, CAROL);
    net.uas[BOB]
        .refer_replacing(net.now, bob_alice, bob_carol)
        .unwrap();
    net.progress();
    let replaces = net.events[ALICE]
        .iter()
        .find_map(|e| match e {
            Event::TransferRequested { replaces, .. } => replaces.clone(),
            _ => None,
        })
        .unwrap();
    assert!(
        replaces.contains(";to-tag=") && replaces.contains(";from-tag="),
        "{replaces}"
    );
    let alice_carol = net.uas[ALICE].accept_transfer(net.now, alice_bob).unwrap();
    net.progress();
    let invite = net.sent[ALICE]
        .iter()
        .rev()
        .find(|m| m.starts_with(b"INVITE sip:carol"))
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .unwrap();
    assert!(
        invite.contains(&format!("Replaces: {replaces}")),
        "{invite}"
    );
    // Carol is told which call the new one replaces.
    let (carol_alice, replaced) = net.events[CAROL]
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::IncomingCall { call, replaces, .. } => Some((*call, *replaces)),
            _ => None,
        })
        .unwrap();
    assert_eq!(replaced, Some(carol_bob));
    net.uas[CAROL].answer(net.now, carol_alice).unwrap();
    net.progress();
    // Carol's call with Bob ends, replaced; Bob sees a BYE.
    assert_eq!(
        ended(&net.events[CAROL], carol_bob),
        Some(EndReason::Replaced)
    );
    assert_eq!(
        ended(&net.events[BOB], bob_carol),
        Some(EndReason::RemoteHangup)
    );
    assert_eq!(
        progress_of(&net.events[BOB], bob_alice).last(),
        Some(&(200, true))
    );
    net.uas[BOB].hangup(net.now, bob_alice).unwrap();
    net.progress();
    assert_eq!(
        net.uas[ALICE].call_state(alice_carol),
        Some(CallState::Connected)
    );
    assert_eq!(
        net.uas[CAROL].call_state(carol_alice),
        Some(CallState::Connected)
    );
    assert_eq!(net.uas[BOB].resources().calls, 0);
    net.uas[CAROL].hangup(net.now, carol_alice).unwrap();
    net.progress();
    assert_all_released(&mut net);
}

#[test]
fn rejected_transfer_reports_603() {
    let mut net = Net::new(&["alice", "bob"]);
    let (alice_bob, bob_alice) = connect(&mut net, ALICE, BOB);
    net.uas[BOB]
        .refer(net.now, bob_alice, "sip:carol@example.com")
        .unwrap();
    net.progress();
    net.uas[ALICE].reject_transfer(net.now, alice_bob).unwrap();
    net.progress();
    assert_eq!(
        progress_of(&net.events[BOB], bob_alice),
        vec![(100, false), (603, true)]
    );
    assert_eq!(net.uas[BOB].resources().subscriptions, 0);
    assert_eq!(net.uas[ALICE].resources().subscriptions, 0);
    assert!(net.uas[ALICE].accept_transfer(net.now, alice_bob).is_err());
}

#[test]
fn failed_transfer_reports_the_final_status() {
    let mut net = Net::new(&["alice", "bob", "carol"]);
    let (alice_bob, bob_alice) = connect(&mut net, ALICE, BOB);
    net.uas[BOB]
        .refer(net.now, bob_alice, "sip:carol@example.com")
        .unwrap();
    net.progress();
    net.uas[ALICE].accept_transfer(net.now, alice_bob).unwrap();
    net.progress();
    let carol_alice = net.incoming(CAROL);
    net.uas[CAROL].reject(net.now, carol_alice, 486).unwrap();
    net.progress();
    assert_eq!(
        progress_of(&net.events[BOB], bob_alice).last(),
        Some(&(486, true))
    );
}

#[test]
fn replaces_naming_no_dialog_gets_481() {
    let mut ua = connected("alice", 1);
    let invite = "INVITE sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bKrep\r\nMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: rep-1\r\nCSeq: 1 INVITE\r\nContact: <sip:carol@p.example>\r\nReplaces: nosuch;to-tag=a;from-tag=b\r\nContent-Length: 0\r\n\r\n";
    ua.handle_message(T0, invite.as_bytes());
    let out = drain(&mut ua);
    assert_eq!(out.statuses(), vec![100, 481]);
    assert_eq!(ua.resources().calls, 0);
}
