//! SIP over WebSocket (RFC 7118): one socket, subprotocol `sip`, binary
//! frames as `ArrayBuffer` and text frames as strings, one SIP message per
//! frame.
//!
//! The event handler closures live in [`WsTransport`] and are dropped with
//! it (after detaching them from the socket), so nothing leaks.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

/// What the socket reports.
#[derive(Debug)]
pub enum TransportEvent {
    /// Open, and the server agreed to speak `sip`.
    Open,
    /// One frame: one SIP message (or a keep-alive CRLF).
    Message(Vec<u8>),
    /// Closed (or never opened); `reason` in plain words.
    Closed { reason: String },
}

/// Why a socket could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The browser refused the URL (bad syntax, blocked port, CSP).
    Refused(String),
    /// The socket is not open.
    NotOpen,
}

/// One WebSocket connection.
pub struct WsTransport {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl WsTransport {
    /// Opens a socket to `url`; `sink` hears what happens. The first
    /// `Closed` is the last event `sink` gets.
    pub fn open(
        url: &str,
        sink: impl FnMut(TransportEvent) + 'static,
    ) -> Result<Self, TransportError> {
        let ws = WebSocket::new_with_str(url, "sip").map_err(|e| {
            TransportError::Refused(
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "the browser refused the address".to_owned()),
            )
        })?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let sink = Rc::new(RefCell::new(Some(sink)));
        // Delivers an event unless the socket already reported its end.
        let deliver = {
            let sink = sink.clone();
            move |event: TransportEvent| {
                let last = matches!(event, TransportEvent::Closed { .. });
                let mut slot = sink.borrow_mut();
                if let Some(f) = slot.as_mut() {
                    f(event);
                }
                if last {
                    *slot = None;
                }
            }
        };
        let deliver = Rc::new(deliver);

        let on_open = {
            let deliver = deliver.clone();
            let ws = ws.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                // RFC 7118 §4.1: the server must accept the "sip" subprotocol.
                if ws.protocol() == "sip" {
                    deliver(TransportEvent::Open);
                } else {
                    let _ = ws.close_with_code(1002);
                    deliver(TransportEvent::Closed {
                        reason:
                            "The server does not speak SIP over WebSocket (no \"sip\" subprotocol)."
                                .into(),
                    });
                }
            })
        };
        let on_message = {
            let deliver = deliver.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                    deliver(TransportEvent::Message(
                        js_sys::Uint8Array::new(buf).to_vec(),
                    ));
                } else if let Some(text) = vani_js_text::utf8_bytes(&data) {
                    // A text frame, as most servers send.
                    deliver(TransportEvent::Message(text));
                }
            })
        };
        let on_close = {
            let deliver = deliver.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                let reason = match e.code() {
                    1000 | 1001 => "The server closed the connection.".to_owned(),
                    1006 => "Cannot reach the server.".to_owned(),
                    code => format!("The connection closed (code {code})."),
                };
                deliver(TransportEvent::Closed { reason });
            })
        };
        // An error is always followed by a close event, which carries the news.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {});

        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WsTransport {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        })
    }

    /// Sends one SIP message as one frame: a text frame when it is UTF-8
    /// (every SIP message we build is), binary otherwise.
    pub fn send(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if self.ws.ready_state() != WebSocket::OPEN {
            return Err(TransportError::NotOpen);
        }
        let sent = match std::str::from_utf8(bytes) {
            Ok(text) => self.ws.send_with_str(text),
            Err(_) => self.ws.send_with_u8_array(bytes),
        };
        sent.map_err(|_| TransportError::NotOpen)
    }

    /// The server URL.
    pub fn url(&self) -> String {
        self.ws.url()
    }
}

impl Drop for WsTransport {
    /// Detaches the handlers before their closures are freed, then closes.
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close_with_code(1000);
    }
}
