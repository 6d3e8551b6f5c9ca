//! PROTOS c07-sip (University of Oulu; GPLv2 test data): 4,527 INVITEs,
//! case 0 valid and the rest malformed. None may panic; each is parsed or
//! rejected with an error (the cases are in `cases/protos.rs`, shared with
//! the wasm tests run in Chromium). Also: every typed header of these and
//! of the other corpora reads and prints back.

use vani_sip::message::Message;

include!("support/typed_headers.rs");

#[path = "cases/protos.rs"]
mod protos;

use protos::cases;

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

/// Reads every value of every typed header of `headers`; each one that
/// parses must print as text that parses back to the same printed text.
/// Returns how many values parsed and how many were refused.
fn read_every_header(headers: &vani_sip::headers::Headers) -> (usize, usize) {
    use vani_sip::auth::{
        Authorization, ProxyAuthenticate, ProxyAuthenticateRef, ProxyAuthorization,
        WwwAuthenticate, WwwAuthenticateRef,
    };
    use vani_sip::header::*;
    use vani_sip::headers::TypedHeader;

    fn each<T: for<'a> TypedHeader<'a>>(
        headers: &vani_sip::headers::Headers,
        counts: &mut (usize, usize),
    ) {
        for value in headers.get_all::<T>() {
            match value {
                Ok(value) => {
                    let printed = value.to_string();
                    let again = T::parse(&printed).unwrap_or_else(|e| {
                        panic!(
                            "{}: {printed:?} was printed but does not parse: {e}",
                            T::NAME.as_str()
                        )
                    });
                    assert_eq!(again.to_string(), printed, "{}", T::NAME.as_str());
                    counts.0 += 1;
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    counts.1 += 1;
                }
            }
        }
    }

    // Each view reads what its owned type reads: the same values, the
    // same errors.
    macro_rules! agree {
        ($(($view:ident, $owned:ty)),* $(,)?) => {$(
            let owned: Vec<Result<$owned, _>> = headers.get_all::<$owned>().collect();
            let viewed: Vec<Result<$owned, _>> = headers
                .get_all::<$view<'_>>()
                .map(|v| v.map($view::into_owned))
                .collect();
            assert_eq!(viewed, owned, "{}", <$owned>::NAME.as_str());
        )*};
    }
    with_every_header_view!(agree);

    let mut counts = (0, 0);
    macro_rules! all {
        ($($t:ty),* $(,)?) => {$( each::<$t>(headers, &mut counts); )*};
    }
    with_every_typed_header!(all);
    counts
}

/// Every message file in the torture-test fixtures and the benchmark corpus.
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
    let (mut parsed, mut refused) = (0, 0);
    for (name, bytes) in cases().iter().chain(&corpus_files()) {
        let Ok(message) = Message::parse(bytes) else {
            continue;
        };
        let result = std::panic::catch_unwind(|| read_every_header(message.headers()));
        let (ok, bad) = result.unwrap_or_else(|_| panic!("{name}: reading the headers panicked"));
        parsed += ok;
        refused += bad;
    }
    println!(
        "PROTOS c07-sip, RFC 4475, RFC 5118 and benchmark messages, typed header values: {parsed} read and printed back, {refused} refused"
    );
    assert!(
        parsed > 4527 * 5,
        "every case has at least Via, From, To, Call-ID, CSeq"
    );
    assert!(refused > 0, "the suite holds malformed header values");
}
