//! PROTOS c07-sip (University of Oulu; GPLv2 test data): 4,527 INVITEs,
//! case 0 valid and the rest malformed. None may panic; each is parsed or
//! rejected with an error (the cases are in `cases/protos.rs`, shared with
//! the wasm tests run in Chromium). Also: every typed header of these and
//! of the other corpora reads and prints back.

#[path = "cases/protos.rs"]
mod protos;

#[test]
fn protos_c07_sip_every_case_is_parsed_or_rejected() {
    let (accepted, answered, rejected) = protos::every_case_is_parsed_or_rejected(|name, bytes| {
        // A panic here fails the test with the case name in the message.
        std::panic::catch_unwind(|| protos::check_case(name, bytes))
            .unwrap_or_else(|_| panic!("{name} panicked"))
    });
    println!(
        "PROTOS c07-sip: 4527 cases, {accepted} accepted, {answered} answered with an error status, {rejected} rejected by the parser"
    );
}

/// Every message file in the torture-test fixtures and the benchmark corpus
/// (the PROTOS cases are added by the shared test).
fn corpus_files() -> Vec<(String, Vec<u8>)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for dir in [
        "tests/fixtures/rfc4475",
        "tests/fixtures/rfc5118",
        "benches/messages",
    ] {
        let entries = std::fs::read_dir(format!("{root}/{dir}")).expect("fixture directory");
        for entry in entries {
            let path = entry.expect("fixture entry").path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("fixture file");
            out.push((path.display().to_string(), bytes));
        }
    }
    assert!(out.len() > 60, "49 + 12 + 6 files");
    out
}

#[test]
fn every_typed_header_of_the_corpora_reads_and_prints_back() {
    let (parsed, refused) =
        protos::every_typed_header_reads_and_prints_back(&corpus_files(), |name, headers| {
            std::panic::catch_unwind(|| protos::read_every_header(headers))
                .unwrap_or_else(|_| panic!("{name}: reading the headers panicked"))
        });
    println!(
        "PROTOS c07-sip, RFC 4475, RFC 5118 and benchmark messages, typed header values: {parsed} read and printed back, {refused} refused"
    );
    assert_eq!((parsed, refused), protos::READS_WITH_EVERY_CORPUS);
}
