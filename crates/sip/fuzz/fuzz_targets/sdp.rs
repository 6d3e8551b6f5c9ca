//! Fuzzes the SDP helpers: no input may panic, a description that parses
//! must print back byte for byte, and every read and edit a user agent
//! makes must work on it, the edited description reading back as it was
//! (see `tests/support/sdp_exercise.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../../tests/support/sdp_exercise.rs");

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        exercise_sdp(text);
    }
});
