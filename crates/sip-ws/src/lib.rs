//! A native driver for Vani's sans-IO SIP stack: one
//! [`vani_sip::ua::UserAgent`] over one WebSocket (RFC 7118), on tokio.
//!
//! [`Phone::connect`] opens `ws://…` with the `sip` subprotocol (RFC 7118
//! §4.1), creates the user agent with a seed from the operating system's
//! random source, and spawns the driver task. The [`Phone`] handle gives the
//! user agent its commands (`register`, `call`, `answer`, `hold`, …) and
//! yields its events with [`Phone::next_event`].
//!
//! The driver owns the I/O the stack leaves out (STYLE.md §1):
//!
//! - each WebSocket frame, text or binary, is one SIP message (RFC 7118 §5);
//!   CRLF keep-alives go to the user agent like any other frame;
//! - time is the driver's tokio clock, counted in milliseconds from its start
//!   ([`clock::Clock`]);
//! - after every input or command the driver drains the user agent's output
//!   in one place (the `driver` module): it sends every transmit, forwards every event
//!   and re-arms its single timer at the last deadline.
//!
//! The driver runs one connection. When the WebSocket closes, it tells the user
//! agent, forwards the resulting events and ends; the event stream then ends
//! too. Reconnection is left to the caller (connect a new `Phone`).
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod clock;
mod driver;
mod error;
mod phone;
pub mod transport;

pub use error::{DriverError, PhoneError};
pub use phone::Phone;
pub use vani_sip::ua::{
    CallHandle, CallState, Config, DtmfFormat, EndReason, Event, MediaKind, MessageHandle,
    RegistrationFailure, RegistrationState, SdpKind, Transport,
};
