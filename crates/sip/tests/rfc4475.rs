//! RFC 4475 torture messages: the tests are in `cases/rfc4475.rs`, shared with
//! the wasm tests run in Chromium (`tests/wasm_sip.rs` at the workspace root).

#[path = "cases/rfc4475.rs"]
mod rfc4475;

/// The list the wasm tests run holds every test of the file.
#[test]
fn every_test_is_in_the_list_the_wasm_tests_run() {
    let source = include_str!("cases/rfc4475.rs");
    let tests = source.matches("\npub fn rfc4475_").count();
    assert_eq!(rfc4475::ALL.len(), tests);
    assert_eq!(tests, 49);
}
