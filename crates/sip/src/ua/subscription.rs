//! SUBSCRIBE/NOTIFY (RFC 6665) outside calls, in both roles: creation,
//! refresh before expiry, termination by either side or by expiry.

use super::build::{add, set_body, text};
use super::{Event, Owner, SubscriptionHandle, SubscriptionState, UaError, UserAgent};
use crate::dialog::Dialog;
use crate::headers::HeaderName;
use crate::message::{Method, Request, Response};
use crate::time::{Duration, Instant};
use crate::transaction::{HeadersExt, tag_of};

/// Longest subscription we grant as notifier (seconds).
const MAX_EXPIRES: u32 = 3600;

/// Which side of a subscription we are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// We sent the SUBSCRIBE.
    Subscriber,
    /// We received it.
    Notifier,
}

/// One subscription (RFC 6665 §4).
#[derive(Clone, Debug)]
pub(super) struct Subscription {
    role: Role,
    event: String,
    call_id: String,
    local_tag: String,
    /// Created by the first NOTIFY or 2xx (subscriber, §4.1.2.4) or by our
    /// 2xx (notifier).
    pub(super) dialog: Option<Dialog>,
    /// Subscriber: where the initial SUBSCRIBE goes.
    target: Option<crate::uri::Uri>,
    /// Subscriber: CSeq of the last SUBSCRIBE sent before a dialog existed.
    seq: u32,
    /// Seconds asked (subscriber) or granted (notifier).
    expires: u32,
    /// Subscriber: when to refresh (or, once unsubscribing, to give up
    /// waiting for the final NOTIFY); notifier: when the subscription lapses.
    at: Option<Instant>,
    /// Subscriber: `unsubscribe` was called.
    terminating: bool,
}

impl Subscription {
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.at
    }

    pub(super) fn dialog_count(&self) -> usize {
        usize::from(self.dialog.is_some())
    }

    fn matches(&self, call_id: &str, local_tag: &str, remote_tag: &str) -> bool {
        self.call_id == call_id
            && self.local_tag == local_tag
            && self
                .dialog
                .as_ref()
                .is_none_or(|d| d.id.remote_tag == remote_tag)
    }
}

/// The first token of an Event value (the package, RFC 6665 §8.2.1).
fn package(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `expires` of a header value or parameter, in seconds.
fn seconds(value: &str) -> Option<u32> {
    value.trim().parse().ok()
}

/// The duration we grant a SUBSCRIBE as notifier: what it asks (its
/// `Expires`, or our longest when it has none) up to our longest.
fn granted_expires(request: &Request) -> u32 {
    request
        .headers
        .field(HeaderName::EXPIRES)
        .and_then(seconds)
        .unwrap_or(MAX_EXPIRES)
        .min(MAX_EXPIRES)
}

impl UserAgent {
    /// `subscribe`: an initial SUBSCRIBE (RFC 6665 §4.1.2.1).
    pub(super) fn start_subscription(
        &mut self,
        now: Instant,
        target: &str,
        event: &str,
        expires: u32,
    ) -> Result<SubscriptionHandle, UaError> {
        let uri = self.new_request_target(target)?;
        let handle = SubscriptionHandle(self.next_handle());
        let subscription = Subscription {
            role: Role::Subscriber,
            event: event.to_owned(),
            call_id: self.new_call_id(),
            local_tag: self.new_tag(),
            dialog: None,
            target: Some(uri),
            seq: 0,
            expires,
            at: None,
            terminating: false,
        };
        self.subscriptions.insert(handle, subscription);
        self.emit(Event::Subscription {
            subscription: handle,
            state: SubscriptionState::Pending,
        });
        self.send_subscribe(now, handle, expires);
        Ok(handle)
    }

    /// SUBSCRIBE in the dialog, or outside it while none exists yet.
    fn send_subscribe(&mut self, now: Instant, handle: SubscriptionHandle, expires: u32) {
        let Some(sub) = self.subscriptions.get_mut(&handle) else {
            return;
        };
        let event = sub.event.clone();
        let request = match sub.dialog.clone() {
            Some(mut dialog) => {
                let request = self.dialog_request(&mut dialog, Method::Subscribe, None);
                if let Some(sub) = self.subscriptions.get_mut(&handle) {
                    sub.dialog = Some(dialog);
                }
                request
            }
            None => {
                sub.seq += 1;
                let (Some(uri), call_id, tag, seq) = (
                    sub.target.clone(),
                    sub.call_id.clone(),
                    sub.local_tag.clone(),
                    sub.seq,
                ) else {
                    return;
                };
                let to = format!("<{uri}>");
                Some(self.ood_request(Method::Subscribe, uri, &to, &tag, &call_id, seq, true))
            }
        };
        let Some(mut request) = request else {
            return;
        };
        add(&mut request.headers, HeaderName::EVENT, &event);
        add(
            &mut request.headers,
            HeaderName::EXPIRES,
            &expires.to_string(),
        );
        self.send_request(now, request, Owner::Subscription(handle));
    }

    /// A response to our SUBSCRIBE (RFC 6665 §4.1.2.1, §4.1.2.2).
    pub(super) fn subscribe_response(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
        request: &Request,
        response: &Response,
    ) {
        let status = response.status.as_u16();
        if status < 200 {
            return;
        }
        let Some(sub) = self.subscriptions.get_mut(&handle) else {
            return;
        };
        if status >= 300 {
            self.end_subscription(handle, format!("{status} {}", response.reason));
            return;
        }
        if sub.dialog.is_none() {
            sub.dialog = Dialog::uac(request, response);
        }
        if sub.terminating {
            // Wait for the final NOTIFY, but not forever (64*T1).
            sub.at = Some(now + self.timers.f());
            return;
        }
        let granted = response
            .headers
            .field(HeaderName::EXPIRES)
            .and_then(seconds)
            .unwrap_or(sub.expires)
            .min(sub.expires.max(1));
        self.activate(now, handle, granted);
    }

    /// The subscription runs for `granted` seconds: refresh at half of it.
    fn activate(&mut self, now: Instant, handle: SubscriptionHandle, granted: u32) {
        let Some(sub) = self.subscriptions.get_mut(&handle) else {
            return;
        };
        let expires_at = now + Duration::from_secs(u64::from(granted));
        sub.at = Some(now + Duration::from_millis(u64::from(granted.max(2)) * 500));
        self.emit(Event::Subscription {
            subscription: handle,
            state: SubscriptionState::Active { expires_at },
        });
    }

    fn end_subscription(&mut self, handle: SubscriptionHandle, reason: String) {
        if self.subscriptions.remove(&handle).is_some() {
            self.emit(Event::Subscription {
                subscription: handle,
                state: SubscriptionState::Terminated { reason },
            });
        }
    }

    /// `unsubscribe`: SUBSCRIBE with Expires: 0 (RFC 6665 §4.1.2.3).
    pub(super) fn stop_subscription(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
    ) -> Result<(), UaError> {
        let sub = self
            .subscriptions
            .get_mut(&handle)
            .filter(|s| s.role == Role::Subscriber)
            .ok_or(UaError::NoSuchSubscription)?;
        sub.terminating = true;
        sub.at = None;
        self.send_subscribe(now, handle, 0);
        Ok(())
    }

    /// A SUBSCRIBE outside any dialog: we become the notifier (RFC 6665
    /// §4.2.1). Without an Event header: 489 (§8.2.1).
    pub(super) fn incoming_subscribe(&mut self, now: Instant, request: &Request) {
        let event = text(&request.headers, HeaderName::EVENT);
        if event.is_empty() {
            self.reply(now, request, 489);
            return;
        }
        let granted = granted_expires(request);
        let tag = self.new_tag();
        let Some(dialog) = Dialog::uas(request, &tag, false) else {
            self.reply(now, request, 400);
            return;
        };
        let mut response = Self::response_to(request, 200, Some(&tag));
        add(&mut response.headers, HeaderName::CONTACT, &self.contact());
        add(
            &mut response.headers,
            HeaderName::EXPIRES,
            &granted.to_string(),
        );
        self.send_response(now, request, response);
        let handle = SubscriptionHandle(self.next_handle());
        let from =
            crate::name_addr::uri_text(&dialog.remote).unwrap_or_else(|| dialog.remote.clone());
        self.subscriptions.insert(
            handle,
            Subscription {
                role: Role::Notifier,
                event: event.clone(),
                call_id: dialog.id.call_id.clone(),
                local_tag: tag,
                dialog: Some(dialog),
                target: None,
                seq: 0,
                expires: granted,
                at: Some(now + Duration::from_secs(u64::from(granted))),
                terminating: false,
            },
        );
        self.emit(Event::IncomingSubscription {
            subscription: handle,
            event: package(&event),
            from,
        });
        if granted == 0 {
            // A fetch (§4.4.3): one final NOTIFY.
            self.send_notify(now, handle, None, true, "timeout");
        }
    }

    /// An in-dialog SUBSCRIBE or a NOTIFY for one of our subscriptions.
    /// False when it belongs to no subscription (the calls look at it).
    pub(super) fn subscription_request(&mut self, now: Instant, request: &Request) -> bool {
        let call_id = text(&request.headers, HeaderName::CALL_ID);
        let to_tag = tag_of(&text(&request.headers, HeaderName::TO)).unwrap_or_default();
        let from_tag = tag_of(&text(&request.headers, HeaderName::FROM)).unwrap_or_default();
        let Some(handle) = self
            .subscriptions
            .iter()
            .find(|(_, s)| s.matches(&call_id, &to_tag, &from_tag))
            .map(|(h, _)| *h)
        else {
            return false;
        };
        match request.method {
            Method::Notify => self.incoming_notify(now, handle, request),
            Method::Subscribe => self.incoming_refresh(now, handle, request),
            _ => return false,
        }
        true
    }

    /// RFC 6665 §4.1.3: a NOTIFY for a subscription we created.
    fn incoming_notify(&mut self, now: Instant, handle: SubscriptionHandle, request: &Request) {
        let Some(sub) = self.subscriptions.get_mut(&handle) else {
            return;
        };
        if sub.role != Role::Subscriber
            || package(&text(&request.headers, HeaderName::EVENT)) != package(&sub.event)
        {
            self.reply(now, request, 489);
            return;
        }
        match sub.dialog.as_mut() {
            Some(dialog) => {
                if dialog.accept_remote_cseq(request).is_err() {
                    self.reply(now, request, 500);
                    return;
                }
                dialog.refresh_target(&request.headers);
            }
            None => {
                // §4.1.2.4: the first NOTIFY creates the dialog.
                let mut dialog = Dialog::uas(request, &sub.local_tag, false);
                if let Some(d) = dialog.as_mut() {
                    d.local_seq = sub.seq;
                }
                sub.dialog = dialog;
            }
        }
        let state = text(&request.headers, HeaderName::SUBSCRIPTION_STATE);
        let lower = state.to_ascii_lowercase();
        let param = |name: &str| {
            lower
                .split(';')
                .skip(1)
                .filter_map(|p| p.split_once('='))
                .find(|(n, _)| n.trim() == name)
                .map(|(_, v)| v.trim().to_owned())
        };
        let terminated = lower.starts_with("terminated");
        let expires = param("expires").and_then(|v| seconds(&v));
        let reason = param("reason").unwrap_or_else(|| "terminated".into());
        let event = sub.event.clone();
        let terminating = sub.terminating;
        self.reply(now, request, 200);
        let content_type = request
            .headers
            .field(HeaderName::CONTENT_TYPE)
            .map(|v| v.trim().to_owned());
        self.emit(Event::Notify {
            subscription: handle,
            event,
            content_type,
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
        if terminated {
            self.end_subscription(handle, reason);
        } else if let (Some(expires), false) = (expires, terminating) {
            self.activate(now, handle, expires);
        }
    }

    /// RFC 6665 §4.2.1.2: a refresh (or Expires: 0, an unsubscribe) of a
    /// subscription made to us.
    fn incoming_refresh(&mut self, now: Instant, handle: SubscriptionHandle, request: &Request) {
        let Some(sub) = self.subscriptions.get_mut(&handle) else {
            return;
        };
        let cseq_ok = sub
            .dialog
            .as_mut()
            .is_some_and(|d| d.accept_remote_cseq(request).is_ok());
        if sub.role != Role::Notifier || !cseq_ok {
            self.reply(now, request, if cseq_ok { 489 } else { 500 });
            return;
        }
        let granted = granted_expires(request);
        sub.expires = granted;
        sub.at = Some(now + Duration::from_secs(u64::from(granted)));
        let mut response = Self::response_to(request, 200, None);
        add(&mut response.headers, HeaderName::CONTACT, &self.contact());
        add(
            &mut response.headers,
            HeaderName::EXPIRES,
            &granted.to_string(),
        );
        self.send_response(now, request, response);
        if granted == 0 {
            self.send_notify(now, handle, None, true, "timeout");
        }
    }

    /// `notify`: a NOTIFY on a subscription made to us (RFC 6665 §4.2.2).
    pub(super) fn notify_subscriber(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
        content_type: &str,
        body: &str,
        terminate: bool,
    ) -> Result<(), UaError> {
        self.subscriptions
            .get(&handle)
            .filter(|s| s.role == Role::Notifier)
            .ok_or(UaError::NoSuchSubscription)?;
        self.send_notify(
            now,
            handle,
            Some((content_type, body)),
            terminate,
            "noresource",
        );
        Ok(())
    }

    fn send_notify(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
        body: Option<(&str, &str)>,
        terminate: bool,
        reason: &str,
    ) {
        let Some(sub) = self.subscriptions.get(&handle) else {
            return;
        };
        let (Some(mut dialog), event) = (sub.dialog.clone(), sub.event.clone()) else {
            return;
        };
        let remaining = sub
            .at
            .map(|at| at.saturating_duration_since(now).as_secs())
            .unwrap_or(0);
        let Some(mut notify) = self.dialog_request(&mut dialog, Method::Notify, None) else {
            return;
        };
        add(&mut notify.headers, HeaderName::EVENT, &event);
        let state = if terminate {
            format!("terminated;reason={reason}")
        } else {
            format!("active;expires={remaining}")
        };
        add(&mut notify.headers, HeaderName::SUBSCRIPTION_STATE, &state);
        if let Some((content_type, body)) = body {
            set_body(&mut notify.headers, &mut notify.body, content_type, body);
        }
        self.send_request(now, notify, Owner::Nobody);
        if terminate {
            self.end_subscription(handle, reason.to_owned());
        } else if let Some(sub) = self.subscriptions.get_mut(&handle) {
            sub.dialog = Some(dialog);
        }
    }

    /// A SUBSCRIBE of ours timed out (Timer F) or the transport failed.
    pub(super) fn subscribe_failed(&mut self, handle: SubscriptionHandle) {
        self.end_subscription(handle, "timeout".into());
    }

    /// Refreshes due subscriptions; ends lapsed ones.
    pub(super) fn subscription_timers(&mut self, now: Instant) {
        let due: Vec<SubscriptionHandle> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| s.at.is_some_and(|at| at <= now))
            .map(|(h, _)| *h)
            .collect();
        for handle in due {
            let Some(sub) = self.subscriptions.get_mut(&handle) else {
                continue;
            };
            sub.at = None;
            match (sub.role, sub.terminating) {
                (Role::Subscriber, false) => {
                    let expires = sub.expires;
                    self.send_subscribe(now, handle, expires);
                }
                (Role::Subscriber, true) => self.end_subscription(handle, "unsubscribed".into()),
                (Role::Notifier, _) => self.send_notify(now, handle, None, true, "timeout"),
            }
        }
    }

    /// Ends every subscription (the transport closed).
    pub(super) fn drop_subscriptions(&mut self) {
        let handles: Vec<SubscriptionHandle> = self.subscriptions.keys().copied().collect();
        for handle in handles {
            self.end_subscription(handle, "transport closed".into());
        }
    }
}
