//! Errors of the driver and of the commands given through a [`crate::Phone`].

use vani_sip::ua::UaError;

/// Why the driver could not start or had to stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// The operating system's random source failed (no seed for the stack).
    #[error("no random seed from the operating system: {0}")]
    Random(getrandom::Error),
    /// The URL is not a WebSocket URL this driver can open.
    #[error("invalid WebSocket URL {url}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server did not agree to the `sip` subprotocol (RFC 7118 §4.1).
    #[error("the server did not accept the \"sip\" WebSocket subprotocol")]
    Subprotocol,
    /// Opening or using the WebSocket failed.
    #[error("WebSocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    /// The server closed the WebSocket, with its reason if it gave one.
    #[error("the server closed the WebSocket{}", reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    ClosedByPeer {
        /// The reason in the close frame.
        reason: Option<String>,
    },
    /// The driver task ended abnormally.
    #[error("the driver task failed: {0}")]
    Task(String),
}

/// Why a command given through a [`crate::Phone`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// The user agent refused the command.
    #[error(transparent)]
    Ua(#[from] UaError),
    /// The driver has stopped (the WebSocket closed or `shutdown` was called).
    #[error("the driver has stopped")]
    Stopped,
}
