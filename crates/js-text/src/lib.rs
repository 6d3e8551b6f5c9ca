//! A JavaScript string into UTF-8 bytes in wasm memory.
//!
//! A text WebSocket frame reaches wasm as a JavaScript string (SIP servers
//! send text frames: Kamailio, Asterisk and JsSIP all do). wasm-bindgen's
//! `JsValue::as_string` copies it into wasm memory one UTF-16 unit at a
//! time in JavaScript, which for a 2.6 KB INVITE takes longer than parsing
//! it (`bench/node`). [`utf8_bytes`] has the engine's `TextEncoder.encodeInto`
//! write the bytes straight into a buffer in wasm memory instead, sized for
//! the common case of ASCII text; any other text goes the general way.
#![forbid(unsafe_code)]

use js_sys::JsString;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    type TextEncoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    /// `dest` is passed as a view of wasm memory: the encoder writes there.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &JsString, dest: &mut [u8]) -> EncodeResult;

    type EncodeResult;

    /// UTF-16 units of the source consumed.
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeResult) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// The UTF-8 encoding of `text`, or `None` when it is not a string.
///
/// A lone surrogate (which a JavaScript string may hold) becomes U+FFFD,
/// as `TextEncoder` and wasm-bindgen both do.
pub fn utf8_bytes(text: &wasm_bindgen::JsValue) -> Option<Vec<u8>> {
    let js = text.dyn_ref::<JsString>()?;
    let units = js.length() as usize;
    // One byte per UTF-16 unit. If the encoder consumed every unit, each
    // took one byte (any other character takes more bytes than units), so
    // the text was ASCII and the buffer holds exactly its bytes.
    let mut bytes = vec![0u8; units];
    let read = ENCODER.with(|encoder| encoder.encode_into(js, &mut bytes).read());
    if read as usize == units {
        return Some(bytes);
    }
    text.as_string().map(String::into_bytes)
}
