//! Fuzzes the message parser: no input may panic, and whatever parses must
//! serialize to bytes that parse to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vani_sip::message::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::parse(data) {
        let bytes = message.to_bytes();
        let again = Message::parse(&bytes).expect("serialized message parses");
        assert_eq!(again.to_bytes(), bytes);
    }
});
