//! The SIP parser's byte searches in headless Chromium: on wasm32 they are
//! the parser's own 16-byte SIMD code, not `memchr` as on native targets.
//! The cases are those of `crates/sip/tests/searches.rs`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "../crates/sip/tests/cases/searches.rs"]
mod searches;

#[wasm_bindgen_test]
fn line_ends_at_every_offset() {
    searches::line_ends_at_every_offset();
}

#[wasm_bindgen_test]
fn list_commas_at_every_offset() {
    searches::list_commas_at_every_offset();
}

#[wasm_bindgen_test]
fn quotes_end_at_every_offset() {
    searches::quotes_end_at_every_offset();
}
