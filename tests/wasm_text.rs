//! Text frames into bytes (`vani_js_text::utf8_bytes`), in headless
//! Chromium: the ASCII path the engine's encoder writes into wasm memory,
//! and every other string the general way, with the same bytes.
#![cfg(target_arch = "wasm32")]

use vani_js_text::utf8_bytes;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const INVITE: &str = include_str!("../crates/sip/benches/messages/3-invite.sip");

#[wasm_bindgen_test]
fn ascii_text_comes_through_byte_for_byte() {
    for text in ["", "\r\n\r\n", "OPTIONS sip:a@b SIP/2.0\r\n\r\n", INVITE] {
        assert_eq!(
            utf8_bytes(&JsValue::from_str(text)).as_deref(),
            Some(text.as_bytes())
        );
    }
}

#[wasm_bindgen_test]
fn other_text_is_encoded_as_utf8() {
    let names = [
        "From: \"J\u{fc}rgen\" <sip:j@example.com>",
        "From: \"\u{935}\u{93e}\u{923}\u{940}\" <sip:v@example.com>",
        "Subject: \u{1f4de} at the end \u{1f4de}",
        "\u{e9}",
    ];
    for text in names {
        assert_eq!(
            utf8_bytes(&JsValue::from_str(text)).as_deref(),
            Some(text.as_bytes()),
            "{text}"
        );
    }
    // An INVITE with a display name outside ASCII parses the same either way.
    let invite = INVITE.replacen("\"Alice\"", "\"\u{100}lice \u{1f600}\"", 1);
    let bytes = utf8_bytes(&JsValue::from_str(&invite)).expect("a string");
    assert_eq!(bytes, invite.as_bytes());
    assert!(vani_sip::message::Message::parse(&bytes).is_ok());
}

#[wasm_bindgen_test]
fn a_lone_surrogate_becomes_the_replacement_character() {
    let text: JsValue = js_sys::JsString::from_char_code(&[0x61, 0xd800, 0x62]).into();
    assert_eq!(utf8_bytes(&text), Some("a\u{fffd}b".as_bytes().to_vec()));
}

#[wasm_bindgen_test]
fn values_that_are_not_strings_give_none() {
    assert_eq!(utf8_bytes(&JsValue::from_f64(42.0)), None);
    assert_eq!(utf8_bytes(&JsValue::NULL), None);
    assert_eq!(
        utf8_bytes(&js_sys::Uint8Array::new_with_length(4).into()),
        None
    );
}
