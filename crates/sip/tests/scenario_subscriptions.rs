//! RFC 6665 subscriptions in both roles between two user agents.

mod support;

use support::*;
use vani_sip::ua::{Event, SubscriptionHandle, SubscriptionState};

fn incoming_subscription(events: &[Event]) -> SubscriptionHandle {
    events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::IncomingSubscription { subscription, .. } => Some(*subscription),
            _ => None,
        })
        .expect("no incoming subscription")
}

fn states(events: &[Event], handle: SubscriptionHandle) -> Vec<SubscriptionState> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Subscription {
                subscription,
                state,
            } if *subscription == handle => Some(state.clone()),
            _ => None,
        })
        .collect()
}

fn count(sent: &[Vec<u8>], prefix: &str) -> usize {
    sent.iter()
        .filter(|m| m.starts_with(prefix.as_bytes()))
        .count()
}

#[test]
fn subscription_refresh_and_terminate() {
    let mut p = Pair::new();
    let sub = p.a.subscribe(p.now, "bob", "presence", 600).unwrap();
    p.progress();
    let subscribe = String::from_utf8_lossy(&p.a_sent[0]).into_owned();
    assert!(
        subscribe.starts_with("SUBSCRIBE sip:bob@example.com"),
        "{subscribe}"
    );
    assert!(subscribe.contains("Event: presence") && subscribe.contains("Expires: 600"));
    let (event, from) = p
        .b_events
        .iter()
        .find_map(|e| match e {
            Event::IncomingSubscription { event, from, .. } => Some((event.clone(), from.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (event.as_str(), from.as_str()),
        ("presence", "sip:alice@example.com")
    );
    let theirs = incoming_subscription(&p.b_events);
    p.b.notify(p.now, theirs, "application/pidf+xml", "<open/>", false)
        .unwrap();
    p.progress();
    assert!(p.a_events.iter().any(|e| matches!(
        e,
        Event::Notify { subscription, body, content_type: Some(ct), .. }
            if *subscription == sub && body == "<open/>" && ct == "application/pidf+xml"
    )));
    assert!(matches!(
        states(&p.a_events, sub)[..],
        [
            SubscriptionState::Pending,
            SubscriptionState::Active { .. },
            ..
        ]
    ));
    // Refreshed at half the granted 600 s, in the dialog; the notifier's
    // own expiry moves on, so nothing lapses for an hour.
    p.advance(secs(299));
    assert_eq!(count(&p.a_sent, "SUBSCRIBE "), 1);
    p.advance(secs(1));
    assert_eq!(count(&p.a_sent, "SUBSCRIBE "), 2);
    let refresh = String::from_utf8_lossy(
        p.a_sent
            .iter()
            .rev()
            .find(|m| m.starts_with(b"SUBSCRIBE "))
            .unwrap(),
    )
    .into_owned();
    assert!(
        refresh.contains("CSeq: 2 SUBSCRIBE") && refresh.contains(";tag="),
        "{refresh}"
    );
    for _ in 0..12 {
        p.advance(secs(300));
    }
    assert_eq!(count(&p.a_sent, "SUBSCRIBE "), 14);
    assert_eq!(count(&p.b_sent, "NOTIFY "), 1);
    assert_eq!(p.a.resources().subscriptions, 1);
    assert_eq!(p.b.resources().subscriptions, 1);
    // Unsubscribe: Expires: 0, answered by a terminating NOTIFY.
    p.a.unsubscribe(p.now, sub).unwrap();
    p.progress();
    let last_notify = String::from_utf8_lossy(
        p.b_sent
            .iter()
            .rev()
            .find(|m| m.starts_with(b"NOTIFY "))
            .unwrap(),
    )
    .into_owned();
    assert!(
        last_notify.contains("Subscription-State: terminated;reason=timeout"),
        "{last_notify}"
    );
    assert!(matches!(
        states(&p.a_events, sub).last(),
        Some(SubscriptionState::Terminated { reason }) if reason == "timeout"
    ));
    p.advance(secs(40));
    for ua in [&p.a, &p.b] {
        let r = ua.resources();
        assert_eq!(
            (r.subscriptions, r.dialogs, r.timers, r.transactions),
            (0, 0, 0, 0),
            "{r:?}"
        );
    }
}

#[test]
fn notifier_terminates_subscription() {
    let mut p = Pair::new();
    let sub =
        p.a.subscribe(p.now, "bob", "message-summary", 3600)
            .unwrap();
    p.progress();
    let theirs = incoming_subscription(&p.b_events);
    p.b.notify(p.now, theirs, "text/plain", "Messages-Waiting: no", true)
        .unwrap();
    p.progress();
    assert!(matches!(
        states(&p.a_events, sub).last(),
        Some(SubscriptionState::Terminated { reason }) if reason == "noresource"
    ));
    assert_eq!(
        p.a.resources().subscriptions + p.b.resources().subscriptions,
        0
    );
    assert!(p.b.notify(p.now, theirs, "text/plain", "x", false).is_err());
}

#[test]
fn notifier_ends_lapsed_subscription() {
    let mut p = Pair::new();
    let _sub = p.a.subscribe(p.now, "bob", "presence", 120).unwrap();
    p.progress();
    // Alice's flow dies: she never refreshes.
    p.a.handle_transport_closed(p.now);
    p.progress();
    assert_eq!(p.a.resources().subscriptions, 0);
    p.advance(secs(119));
    assert_eq!(p.b.resources().subscriptions, 1);
    p.advance(secs(1));
    assert_eq!(p.b.resources().subscriptions, 0);
    let last_notify = String::from_utf8_lossy(
        p.b_sent
            .iter()
            .rev()
            .find(|m| m.starts_with(b"NOTIFY "))
            .unwrap(),
    )
    .into_owned();
    assert!(
        last_notify.contains("terminated;reason=timeout"),
        "{last_notify}"
    );
}

#[test]
fn rejected_subscribe_terminates() {
    let mut ua = connected("alice", 1);
    let sub = ua.subscribe(T0, "bob", "presence", 600).unwrap();
    let out = drain(&mut ua);
    let subscribe = out.request("SUBSCRIBE");
    ua.handle_message(
        T0,
        &respond(&subscribe, 489, "Bad Event", Some("x"), &[], None),
    );
    let out = drain(&mut ua);
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::Subscription { subscription, state: SubscriptionState::Terminated { reason } }
            if *subscription == sub && reason.starts_with("489")
    )));
    assert_eq!(ua.resources().subscriptions, 0);
}

#[test]
fn subscribe_without_event_gets_489() {
    let mut ua = connected("alice", 1);
    let text = "SUBSCRIBE sip:alice@a.invalid SIP/2.0\r\nVia: SIP/2.0/WSS p.example;branch=z9hG4bKs1\r\nMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\nTo: <sip:alice@example.com>\r\nCall-ID: s-1\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:carol@p.example>\r\nContent-Length: 0\r\n\r\n";
    ua.handle_message(T0, text.as_bytes());
    assert_eq!(drain(&mut ua).statuses(), vec![489]);
    assert_eq!(ua.resources().subscriptions, 0);
}

/// A proxy's 407 to `request`, with the nonce `s1`.
fn challenge_to(request: &vani_sip::message::Request) -> Vec<u8> {
    let challenge = "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"s1\", qop=\"auth\"";
    respond(
        request,
        407,
        "Proxy Authentication Required",
        Some("p"),
        &[challenge],
        None,
    )
}

#[test]
fn challenged_subscribe_is_retried_once_with_credentials() {
    let mut ua = connected("alice", 1);
    let sub = ua.subscribe(T0, "bob", "presence", 600).unwrap();
    let first = drain(&mut ua).request("SUBSCRIBE");
    ua.handle_message(T0, &challenge_to(&first));
    let retry = drain(&mut ua).request("SUBSCRIBE");
    let credentials = header(&retry.headers, "Proxy-Authorization");
    assert!(credentials.contains("nonce=\"s1\""), "{credentials}");
    assert_eq!(header(&retry.headers, "CSeq"), "2 SUBSCRIBE");
    assert_eq!(
        header(&retry.headers, "Call-ID"),
        header(&first.headers, "Call-ID")
    );
    assert_eq!(
        header(&retry.headers, "From"),
        header(&first.headers, "From")
    );
    assert_ne!(header(&retry.headers, "Via"), header(&first.headers, "Via"));
    ua.handle_message(
        T0,
        &respond(
            &retry,
            200,
            "OK",
            Some("n1"),
            &["Expires: 600", "Contact: <sip:bob@b.invalid>"],
            None,
        ),
    );
    let out = drain(&mut ua);
    assert!(
        out.events.iter().any(|e| matches!(
            e,
            Event::Subscription { subscription, state: SubscriptionState::Active { .. } }
                if *subscription == sub
        )),
        "{:?}",
        out.events
    );

    // Wrong credentials: a second challenge to the retry ends it, no loop.
    let other = ua.subscribe(T0, "carol", "presence", 600).unwrap();
    let first = drain(&mut ua).request("SUBSCRIBE");
    ua.handle_message(T0, &challenge_to(&first));
    let retry = drain(&mut ua).request("SUBSCRIBE");
    ua.handle_message(T0, &challenge_to(&retry));
    let out = drain(&mut ua);
    assert!(out.sent.is_empty(), "no third SUBSCRIBE");
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::Subscription { subscription, state: SubscriptionState::Terminated { .. } }
            if *subscription == other
    )));
}
