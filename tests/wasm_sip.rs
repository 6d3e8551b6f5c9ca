//! The SIP stack in headless Chromium, where it runs in the app: the
//! parser's byte searches (on wasm32 its own 16-byte SIMD code, not
//! `memchr` as on native targets), the RFC 4475 and RFC 5118 torture
//! messages and the PROTOS c07-sip INVITEs (where a panic would take the
//! page down), every typed header of them read and printed back. The cases are those of `crates/sip/tests/searches.rs`,
//! `rfc4475.rs`, `rfc5118.rs` and `protos.rs`, run natively too.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "../crates/sip/tests/cases/searches.rs"]
mod searches;

#[path = "../crates/sip/tests/cases/rfc4475.rs"]
mod rfc4475;

#[path = "../crates/sip/tests/cases/rfc5118.rs"]
mod rfc5118;

#[path = "../crates/sip/tests/cases/protos.rs"]
mod protos;

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

/// Runs each test of a list, naming it first so that a failure says which.
fn run_all(tests: &[(&str, fn())]) {
    for (name, test) in tests {
        wasm_bindgen_test::console_log!("{name}");
        test();
    }
}

#[wasm_bindgen_test]
fn rfc4475_torture_messages() {
    run_all(rfc4475::ALL);
}

#[wasm_bindgen_test]
fn rfc5118_torture_messages() {
    run_all(rfc5118::ALL);
}

#[wasm_bindgen_test]
fn protos_c07_sip_every_case_is_parsed_or_rejected() {
    protos::every_case_is_parsed_or_rejected(|name, bytes| {
        // Shown only if the case fails: the last name logged is the culprit.
        wasm_bindgen_test::console_log!("{name}");
        protos::check_case(name, bytes)
    });
}

/// The benchmark messages, the rest of the corpus the native test reads.
const BENCHMARK_MESSAGES: [&[u8]; 6] = [
    include_bytes!("../crates/sip/benches/messages/1-register.sip"),
    include_bytes!("../crates/sip/benches/messages/2-401.sip"),
    include_bytes!("../crates/sip/benches/messages/3-invite.sip"),
    include_bytes!("../crates/sip/benches/messages/4-200-invite.sip"),
    include_bytes!("../crates/sip/benches/messages/5-notify.sip"),
    include_bytes!("../crates/sip/benches/messages/6-bye.sip"),
];

#[wasm_bindgen_test]
fn every_typed_header_of_the_corpora_reads_and_prints_back() {
    let corpus: Vec<(String, Vec<u8>)> = rfc4475::FILES
        .iter()
        .chain(rfc5118::FILES)
        .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
        .chain(
            BENCHMARK_MESSAGES
                .iter()
                .enumerate()
                .map(|(i, bytes)| (format!("benchmark message {i}"), bytes.to_vec())),
        )
        .collect();
    let reads = protos::every_typed_header_reads_and_prints_back(&corpus, |name, headers| {
        wasm_bindgen_test::console_log!("{name}");
        protos::read_every_header(headers)
    });
    assert_eq!(reads, protos::READS_WITH_EVERY_CORPUS);
}
