//! Media for calls: WebRTC (ICE, DTLS-SRTP, RTP) through str0m, the checks
//! an offer must pass, and RFC 4733 DTMF.

pub mod dtmf;
pub mod offer;
mod session;

pub use session::{Counts, FRAME, Frame, MediaHandler, Negotiated, Payload, Session, SessionEnd};
pub use str0m::media::MediaData;

/// A media failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The UDP socket failed.
    #[error("media socket: {0}")]
    Io(std::io::Error),
    /// An SDP the engine cannot read or apply.
    #[error("SDP: {0}")]
    Sdp(String),
    /// The WebRTC engine failed.
    #[error("WebRTC: {0}")]
    Engine(String),
}
