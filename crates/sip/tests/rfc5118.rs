//! RFC 5118 torture messages: the tests are in `cases/rfc5118.rs`, shared with
//! the wasm tests run in Chromium (`tests/wasm_sip.rs` at the workspace root).

#[path = "cases/rfc5118.rs"]
mod rfc5118;

/// The list the wasm tests run holds every test of the file.
#[test]
fn every_test_is_in_the_list_the_wasm_tests_run() {
    let source = include_str!("cases/rfc5118.rs");
    let tests = source.matches("\npub fn rfc5118_").count();
    assert_eq!(rfc5118::ALL.len(), tests);
    assert_eq!(tests, 12);
}
