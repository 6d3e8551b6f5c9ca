//! Vani's native peer: the same SIP stack as the browser app (through the
//! native WebSocket driver `vani-sip-ws`), WebRTC media through str0m and Opus
//! through libopus.
//!
//! Three modes, each a module with a `run` function:
//!
//! - [`echo`]: a service that answers every call and plays back what it hears
//!   half a second later (the demo's `echo` / `600`);
//! - [`tone`]: answers or places one call, sends a tone and DTMF, and reports
//!   what it received as JSON;
//! - [`load`]: a SIP-over-WebSocket load generator (registrations and calls
//!   between many users), bounded and loopback-only unless told otherwise.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod account;
pub mod agent;
pub mod cli;
pub mod dsp;
pub mod echo;
pub mod load;
pub mod media;
pub mod opus;
mod shutdown;
pub mod tone;

pub use account::Account;
pub use shutdown::{Shutdown, Trigger};

/// Why a mode could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BotError {
    /// The WebSocket connection or the driver failed (boxed: the driver's
    /// error is large and this one travels in every `Result`).
    #[error(transparent)]
    Driver(Box<vani_sip_ws::DriverError>),
    /// A command to the user agent failed.
    #[error(transparent)]
    Phone(#[from] vani_sip_ws::PhoneError),
    /// Registration did not succeed.
    #[error("registration failed: {0}")]
    Registration(String),
    /// The server closed the connection.
    #[error("the connection to the SIP server closed")]
    Disconnected,
    /// The call did not come up.
    #[error("no call: {0}")]
    NoCall(String),
    /// The load generator's target is not loopback.
    #[error(
        "refusing target {0}: not loopback (127.0.0.0/8, ::1, localhost); pass --allow-remote to load a server you run"
    )]
    RemoteTarget(String),
    /// Options out of range.
    #[error("{0}")]
    Usage(String),
}

impl From<vani_sip_ws::DriverError> for BotError {
    fn from(error: vani_sip_ws::DriverError) -> Self {
        BotError::Driver(Box::new(error))
    }
}
