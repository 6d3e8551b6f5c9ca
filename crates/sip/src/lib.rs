//! Vani's SIP stack: sans-IO, no clock, no sockets, no browser.
//!
//! The caller feeds bytes and time in and drains messages, events and timer
//! deadlines out (see the crate README and STYLE.md §1).
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

pub mod auth;
pub mod dialog;
pub mod header;
pub mod headers;
pub mod message;
pub mod multipart;
pub mod name_addr;
pub mod params;
pub mod parse;
pub mod sdp;
mod syntax;
pub mod text;
pub mod time;
pub mod transaction;
pub mod ua;
pub mod uri;
pub mod validate;

/// The SIP version string this stack speaks (RFC 3261 §7.1).
pub const SIP_VERSION: &str = "SIP/2.0";

#[cfg(test)]
mod tests {
    #[test]
    fn speaks_sip_2_0() {
        assert_eq!(super::SIP_VERSION, "SIP/2.0");
    }
}
