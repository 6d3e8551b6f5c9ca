//! Fixtures shared by the wire tests: Kamailio, SIPp and port allocation.
//!
//! The tests that use them are `#[ignore]`d: they start servers and must run
//! in a private network namespace (`make test-wire`).
#![allow(dead_code)]

pub mod kamailio;
pub mod logger;
pub mod peer;
pub mod sipp;

use std::sync::atomic::{AtomicU16, Ordering};

/// The next free block of ports for one test: each test gets its own, so a
/// socket lingering from the previous test never collides.
pub fn ports(base: u16) -> Ports {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let block = base + NEXT.fetch_add(10, Ordering::Relaxed);
    Ports {
        ws: block,
        sip: block + 1,
        sipp: block + 2,
        sipp_uas: block + 3,
    }
}

/// The loopback ports of one test.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    /// Kamailio's WebSocket listener.
    pub ws: u16,
    /// Kamailio's UDP/TCP SIP listener.
    pub sip: u16,
    /// SIPp's own UDP port.
    pub sipp: u16,
    /// A second SIPp's UDP port (a UAS registered by the first).
    pub sipp_uas: u16,
}
