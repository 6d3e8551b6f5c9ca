//! PROTOS c07-sip (University of Oulu; GPLv2 test data): 4,527 INVITEs,
//! case 0 valid and the rest malformed. None may panic; each is parsed or
//! rejected with an error.
//!
//! Each case file holds `<length> <INVITE template>` followed by a teardown
//! request; the templates carry placeholders (`<To>`, `<Call-ID>`,
//! `<Content-Length>`, ...) that the PROTOS tool fills in before sending.
//! This test fills them the same way and parses the INVITE.

use std::io::Read;

use vani_sip::message::Message;

include!("support/typed_headers.rs");
use vani_sip::validate::{Capabilities, validate_request};

/// The INVITE of a case file with its placeholders filled in.
fn instantiate(file: &[u8]) -> Vec<u8> {
    let space = file.iter().position(|&b| b == b' ').unwrap();
    let len: usize = std::str::from_utf8(&file[..space])
        .unwrap()
        .parse()
        .unwrap();
    let template = &file[space + 1..(space + 1 + len).min(file.len())];
    let mut message = template.to_vec();
    for (placeholder, value) in [
        ("<To>", "bob@127.0.0.1"),
        ("<From>", "alice@127.0.0.1"),
        ("<From-Address>", "127.0.0.1"),
        ("<From-IP>", "127.0.0.1"),
        ("<Local-Port>", "5060"),
        ("<Branch-ID>", "1"),
        ("<Call-ID>", "protos-c07"),
        ("<CSeq>", "1"),
        ("<Teardown-Method>", "CANCEL"),
    ] {
        message = replace(&message, placeholder.as_bytes(), value.as_bytes());
    }
    let body_len = find(&message, b"\r\n\r\n").map_or(0, |i| message.len() - i - 4);
    replace(
        &message,
        b"<Content-Length>",
        body_len.to_string().as_bytes(),
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(i) = find(rest, from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn cases() -> Vec<(String, Vec<u8>)> {
    let path = format!(
        "{}/tests/fixtures/protos-c07-sip.tar.xz",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut compressed = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut tar_bytes = Vec::new();
    lzma_rs::xz_decompress(&mut compressed, &mut tar_bytes).unwrap();
    let mut archive = tar::Archive::new(tar_bytes.as_slice());
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.push((name, instantiate(&bytes)));
    }
    out.sort();
    out
}

#[test]
fn protos_c07_sip_every_case_is_parsed_or_rejected() {
    let cases = cases();
    assert_eq!(cases.len(), 4527);
    let (mut accepted, mut answered, mut parse_errors) = (0, 0, 0);
    for (name, bytes) in &cases {
        // A panic here fails the test with the case name in the message.
        let result = std::panic::catch_unwind(|| Message::parse(bytes));
        match result.unwrap_or_else(|_| panic!("{name} panicked")) {
            Ok(Message::Request(r)) => match validate_request(&r, &Capabilities::default()) {
                Ok(()) => accepted += 1,
                Err(rejection) => {
                    // The answer, built from a hostile request, is a
                    // well-formed response that says what is wrong.
                    let answer = rejection.to_response(&r, &Capabilities::default(), "t1");
                    let bytes = answer.to_bytes();
                    match Message::parse(&bytes) {
                        Ok(Message::Response(again)) => {
                            assert!(again.status.as_u16() >= 400, "{name}");
                            assert!(!again.reason.is_empty(), "{name}");
                        }
                        other => panic!("{name}: the answer does not parse: {other:?}"),
                    }
                    answered += 1;
                }
            },
            Ok(Message::Response(_)) => accepted += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                parse_errors += 1;
            }
        }
    }
    println!(
        "PROTOS c07-sip: {} cases, {accepted} accepted, {answered} answered with an error status, {parse_errors} rejected by the parser",
        cases.len()
    );
    assert_eq!(accepted + answered + parse_errors, cases.len());
    let first = cases
        .iter()
        .find(|(n, _)| n.ends_with("/0000000"))
        .expect("case 0 is in the archive");
    let Ok(Message::Request(r)) = Message::parse(&first.1) else {
        panic!("case 0 ({}) must parse", first.0)
    };
    assert_eq!(
        validate_request(&r, &Capabilities::default()),
        Ok(()),
        "case 0 is valid"
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
