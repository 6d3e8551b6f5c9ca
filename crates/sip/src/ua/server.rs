//! Dispatch of incoming messages and the server side of a UA (RFC 3261
//! §8.2, §17.1.3, §17.2.3): 100 Trying, OPTIONS, 405/501, 420, 481, 482,
//! 400/416; MESSAGE (RFC 3428) in and out.

use super::build::{
    ACCEPT, ALLOW, KNOWN_UNSUPPORTED, UNDERSTOOD, add, header_tag, set_body, tag_ref, text,
    text_ref,
};
use super::{DropReason, Event, MessageHandle, Owner, PendingMessage, UaError, UserAgent};
use crate::auth::Decision;
use crate::headers::HeaderName;
use crate::message::{Method, Request, Response};
use crate::time::Instant;
use crate::transaction::HeadersExt;
use crate::transaction::{
    ClientVerdict, Role, TransactionError, TransactionKey, cseq_of, tag_in, transaction_key,
};
use crate::validate::{Capabilities, validate_request_with};
use std::sync::Arc;

impl UserAgent {
    /// Bytes that do not parse: answer 400 when the request's core headers
    /// can still be read (RFC 3261 §8.2.2 / RFC 4475 §3.1), else drop.
    pub(super) fn handle_unparsable(&mut self, _now: Instant, bytes: &[u8], error: &str) {
        self.emit(Event::Dropped(DropReason::Unparsable(
            error.chars().take(120).collect(),
        )));
        let _ = bytes;
    }

    pub(super) fn handle_request(&mut self, now: Instant, request: Request) {
        // §8.1.1 / §17.2.3: without a Via we cannot answer at all.
        let Some(key) = transaction_key(Role::Server, &request.headers, &request.method) else {
            self.emit(Event::Dropped(DropReason::Unparsable(
                "request without a usable Via".into(),
            )));
            return;
        };
        if request.method == Method::Ack {
            self.handle_ack(now, &key, request);
            return;
        }
        // §17.2.3: a retransmission of a request with a live server
        // transaction goes to it.
        if let Some(resend) = self.transactions.server_retransmission(&key) {
            if let Some(bytes) = resend {
                self.transmit(bytes);
            }
            self.emit(Event::Dropped(DropReason::Retransmission));
            return;
        }
        // The transaction and the handlers below share the request; its
        // responses find the transaction by the key read here.
        let request = Arc::new(request);
        let key = Arc::new(key);
        self.transactions
            .start_server(Arc::clone(&key), Arc::clone(&request));
        self.served = Some((Arc::clone(&request), Arc::clone(&key)));
        // §8.2: version (505), malformed or missing headers (400, naming
        // the header), CSeq method (400), URI scheme (416), Require (420),
        // body type (415), Accept (406).
        let mut seen = std::mem::take(&mut self.checked_values);
        let checked = validate_request_with(&request, &self.capabilities, &mut seen);
        self.checked_values = seen;
        if let Err(rejection) = checked {
            let tag = self.new_tag();
            let response = rejection.to_response(&request, &self.capabilities, &tag);
            self.send_response(now, &request, response);
            return;
        }
        if request.method == Method::Cancel {
            self.handle_cancel(now, &key, &request);
            return;
        }
        let in_dialog = request
            .headers
            .field(HeaderName::TO)
            .is_some_and(|to| tag_in(to).is_some());
        if in_dialog {
            if matches!(request.method, Method::Subscribe | Method::Notify)
                && self.subscription_request(now, &request)
            {
                return;
            }
            self.in_dialog_request(now, request);
            return;
        }
        // §8.2.2.2: same From tag, Call-ID and CSeq as a request with a
        // live transaction, but another branch: a merged request, 482.
        if self.is_merged(&key, &request) {
            self.reply(now, &request, 482);
            return;
        }
        match &request.method {
            Method::Invite => self.incoming_invite(now, key, request),
            Method::Options => {
                let tag = self.new_tag();
                let mut response = Self::response_to(&request, 200, Some(&tag));
                add(&mut response.headers, HeaderName::ALLOW, ALLOW);
                add(&mut response.headers, HeaderName::ACCEPT, ACCEPT);
                add(
                    &mut response.headers,
                    HeaderName::SUPPORTED,
                    self.supported(),
                );
                self.send_response(now, &request, response);
            }
            Method::Message => self.incoming_message(now, &request),
            Method::Subscribe => self.incoming_subscribe(now, &request),
            // RFC 3515 §2.4.2 allows REFER outside a dialog; this UA only
            // transfers calls it is in.
            Method::Refer => self.reply(now, &request, 403),
            Method::Bye | Method::Info | Method::Prack | Method::Update | Method::Notify => {
                // §12.2.2 / §15.1.2: mid-dialog methods without a dialog.
                self.reply(now, &request, 481)
            }
            Method::Other(_) => self.reply(now, &request, 501),
            other if KNOWN_UNSUPPORTED.contains(&other.as_str()) => {
                self.method_not_allowed(now, &request)
            }
            _ => self.method_not_allowed(now, &request),
        }
    }

    fn method_not_allowed(&mut self, now: Instant, request: &Request) {
        // §8.2.1: 405 "MUST include an Allow header field".
        let tag = self.new_tag();
        let mut response = Self::response_to(request, 405, Some(&tag));
        add(&mut response.headers, HeaderName::ALLOW, ALLOW);
        self.send_response(now, request, response);
    }

    /// The option tags and body types a user agent with `config`
    /// understands: what it checks each incoming request against.
    pub fn capabilities_of(config: &super::Config) -> Capabilities {
        let mut extensions: Vec<String> = UNDERSTOOD.iter().map(|t| (*t).to_owned()).collect();
        if config.reliable_provisional {
            extensions.push("100rel".to_owned());
        }
        let content_types: Vec<(String, String)> = ACCEPT
            .split(',')
            .chain(["multipart/mixed", "message/sipfrag"])
            .filter_map(|t| t.trim().split_once('/'))
            .map(|(k, s)| (k.to_owned(), s.to_owned()))
            .collect();
        Capabilities {
            extensions,
            content_types,
        }
    }

    fn is_merged(&self, key: &TransactionKey, request: &Request) -> bool {
        let call_id = text_ref(&request.headers, HeaderName::CALL_ID);
        let from_tag = tag_ref(&request.headers, HeaderName::FROM);
        let cseq = text_ref(&request.headers, HeaderName::CSEQ);
        self.calls.values().any(|call| {
            call.server_key.as_deref().is_some_and(|k| k != key)
                && call.call_id == call_id
                && call.remote_tag.as_deref() == from_tag
                && call.invite_cseq_text == *cseq
        })
    }

    /// A MESSAGE (RFC 3428), in a dialog or outside one: accepted and
    /// handed to the application.
    pub(super) fn incoming_message(&mut self, now: Instant, request: &Request) {
        let from = text_ref(&request.headers, HeaderName::FROM);
        let from = crate::name_addr::uri_text(from).unwrap_or_else(|| from.to_owned());
        let content_type = text(&request.headers, HeaderName::CONTENT_TYPE);
        let body = String::from_utf8_lossy(&request.body).into_owned();
        self.reply(now, request, 200);
        self.emit(Event::Message {
            from,
            content_type,
            body,
        });
    }

    pub(super) fn handle_response(&mut self, now: Instant, response: Response) {
        let cseq = response.headers.field(HeaderName::CSEQ);
        let Some((_, method)) = cseq.and_then(cseq_of) else {
            self.emit(Event::Dropped(DropReason::StrayResponse));
            return;
        };
        let method: Method = method
            .parse()
            .unwrap_or_else(|_| Method::Other(method.to_owned()));
        let Some(key) = transaction_key(Role::Client, &response.headers, &method) else {
            self.emit(Event::Dropped(DropReason::StrayResponse));
            return;
        };
        let status = response.status.as_u16();
        let Some((owner, verdict, request)) = self.transactions.client_response(now, &key, status)
        else {
            // §17.1.3: no transaction matches. A 2xx to INVITE may still be a
            // retransmission for the dialog (§13.2.2.4) once the
            // transaction is gone.
            if method == Method::Invite
                && (200..300).contains(&status)
                && self.stray_invite_2xx(now, &response)
            {
                return;
            }
            self.emit(Event::Dropped(DropReason::StrayResponse));
            return;
        };
        match verdict {
            ClientVerdict::Absorb => {
                self.emit(Event::Dropped(DropReason::Retransmission));
                return;
            }
            ClientVerdict::AckOnly(invite) => {
                let ack = Self::ack_for_failure(&invite, &response);
                self.transmit(ack.to_bytes());
                self.emit(Event::Dropped(DropReason::Retransmission));
                return;
            }
            ClientVerdict::DeliverAndAck(invite) => {
                let ack = Self::ack_for_failure(&invite, &response);
                self.transmit(ack.to_bytes());
            }
            ClientVerdict::Deliver => {}
        }
        if matches!(status, 401 | 407)
            && Self::resent_as_it_was(&request, &owner)
            && self.retry_with_credentials(now, &key, owner.clone(), &request, &response)
        {
            self.auth_attempts.remove(&key);
            return;
        }
        match owner {
            Owner::Register => self.register_response(now, &key, &response),
            Owner::Call(handle) => self.call_response(now, handle, &key, &request, &response),
            Owner::Message(handle) => self.message_response(now, handle, &key, &response),
            Owner::Subscription(handle) => {
                self.subscribe_response(now, handle, &request, &response)
            }
            Owner::Nobody => {}
        }
        // The retry (if any) took the attempt over; the request is done.
        self.pending_attempt = None;
        if status >= 200 && !self.auth_attempts.is_empty() {
            self.auth_attempts.remove(&key);
        }
    }

    /// Whether a challenge to `request` is answered by resending it as it
    /// was, with credentials, a new branch and the next CSeq: in-dialog
    /// requests, and a SUBSCRIBE that creates a subscription (its dialog
    /// comes from the response to the retry). INVITE, UPDATE, REGISTER and
    /// out-of-dialog MESSAGE are rebuilt by their owners.
    fn resent_as_it_was(request: &Request, owner: &Owner) -> bool {
        let in_dialog = header_tag(&request.headers, HeaderName::TO).is_some();
        if !in_dialog {
            return request.method == Method::Subscribe && matches!(owner, Owner::Subscription(_));
        }
        !matches!(owner, Owner::Register | Owner::Message(_))
            && matches!(
                request.method,
                Method::Bye
                    | Method::Info
                    | Method::Message
                    | Method::Refer
                    | Method::Subscribe
                    | Method::Notify
                    | Method::Prack
            )
    }

    pub(super) fn client_failed(
        &mut self,
        now: Instant,
        owner: Owner,
        request: &Request,
        error: TransactionError,
    ) {
        if !self.auth_attempts.is_empty() {
            if let Some(key) = Self::client_key(request) {
                self.auth_attempts.remove(&key);
            }
        }
        match owner {
            Owner::Register => {
                if let Some(key) = transaction_key(Role::Client, &request.headers, &request.method)
                {
                    self.register_failed(&key);
                }
            }
            Owner::Call(handle) => self.call_request_failed(now, handle, request, error),
            Owner::Message(handle) => {
                self.messages.remove(&handle);
                self.emit(Event::MessageResult {
                    message: handle,
                    status: 408,
                });
            }
            Owner::Subscription(handle) => self.subscribe_failed(handle),
            Owner::Nobody => {}
        }
    }

    pub(super) fn server_failed(&mut self, now: Instant, request: &Request) {
        // §17.2.1 Timer H: "If timer H fires while in the 'Completed' state,
        // it implies that the ACK was never received. In this case, the
        // server transaction MUST transition to the 'Terminated' state, and
        // MUST indicate to the TU that a transaction failure has occurred."
        let _ = now;
        if request.method == Method::Invite {
            self.emit(Event::AckTimeout {
                call_id: text(&request.headers, HeaderName::CALL_ID),
            });
        }
    }

    pub(super) fn send_page(
        &mut self,
        now: Instant,
        target: &str,
        content_type: &str,
        body: &str,
    ) -> Result<MessageHandle, UaError> {
        let uri = self.new_request_target(target)?;
        let handle = MessageHandle(self.next_handle());
        let pending = PendingMessage {
            target: uri,
            content_type: content_type.to_owned(),
            body: body.to_owned(),
            call_id: self.new_call_id(),
            from_tag: self.new_tag(),
            cseq: 1,
            authenticated: false,
        };
        self.messages.insert(handle, pending.clone());
        self.send_pending_message(now, handle, &pending);
        Ok(handle)
    }

    fn send_pending_message(&mut self, now: Instant, handle: MessageHandle, p: &PendingMessage) {
        let to = format!("<{}>", p.target);
        let mut request = self.ood_request(
            Method::Message,
            p.target.clone(),
            &to,
            &p.from_tag,
            &p.call_id,
            p.cseq,
            false,
        );
        set_body(
            &mut request.headers,
            &mut request.body,
            &p.content_type,
            &p.body,
        );
        if p.authenticated {
            self.authorize(&mut request);
        }
        self.send_request(now, request, Owner::Message(handle));
    }

    fn message_response(
        &mut self,
        now: Instant,
        handle: MessageHandle,
        key: &TransactionKey,
        response: &Response,
    ) {
        let status = response.status.as_u16();
        if status < 200 {
            return;
        }
        if matches!(status, 401 | 407) {
            if let Some(mut pending) = self.messages.get(&handle).cloned() {
                if self.answer_challenge(key, response) == Decision::Retry {
                    pending.authenticated = true;
                    pending.cseq = pending.cseq.saturating_add(1);
                    self.messages.insert(handle, pending.clone());
                    self.send_pending_message(now, handle, &pending);
                    return;
                }
            }
        }
        self.messages.remove(&handle);
        self.emit(Event::MessageResult {
            message: handle,
            status,
        });
    }
}
