//! PROTOS c07-sip (University of Oulu; GPLv2 test data): 4,527 INVITEs,
//! case 0 valid and the rest malformed, read from the archive built into
//! the test. Shared by the native test (`tests/protos.rs`) and the wasm
//! tests run in Chromium (`tests/wasm_sip.rs` at the workspace root), where
//! a panic would take the page down with it.
//!
//! Each case file holds `<length> <INVITE template>` followed by a teardown
//! request; the templates carry placeholders (`<To>`, `<Call-ID>`,
//! `<Content-Length>`, ...) that the PROTOS tool fills in before sending.
//! These are filled the same way before the INVITE is parsed.

use std::io::Read;

use vani_sip::headers::Headers;
use vani_sip::message::Message;
use vani_sip::validate::{Capabilities, validate_request};

include!("../support/typed_headers.rs");

/// The archive, as in `../fixtures/`.
const ARCHIVE: &[u8] = include_bytes!("../fixtures/protos-c07-sip.tar.xz");

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

/// Every case, by file name, its INVITE instantiated, in name order.
pub fn cases() -> Vec<(String, Vec<u8>)> {
    let mut tar_bytes = Vec::new();
    lzma_rs::xz_decompress(&mut std::io::BufReader::new(ARCHIVE), &mut tar_bytes).unwrap();
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

/// What became of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A request that passes validation, or a response.
    Accepted,
    /// A request the UA answers with an error status (the answer checked).
    Answered,
    /// Not a message: the parser refused it (with an error in words).
    Rejected,
}

/// Parses one case as the UA would receive it and, for a request the UA
/// must refuse, builds the error answer and checks that it parses back as
/// a response saying what is wrong.
pub fn check_case(name: &str, bytes: &[u8]) -> Outcome {
    match Message::parse(bytes) {
        Ok(Message::Request(r)) => match validate_request(&r, &Capabilities::default()) {
            Ok(()) => Outcome::Accepted,
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
                Outcome::Answered
            }
        },
        Ok(Message::Response(_)) => Outcome::Accepted,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            Outcome::Rejected
        }
    }
}

/// Runs every case through `check` (which calls [`check_case`], perhaps
/// guarded) and checks the totals and case 0; returns the counts of
/// accepted, answered and rejected cases.
pub fn every_case_is_parsed_or_rejected(
    mut check: impl FnMut(&str, &[u8]) -> Outcome,
) -> (usize, usize, usize) {
    let cases = cases();
    assert_eq!(cases.len(), 4527);
    let (mut accepted, mut answered, mut rejected) = (0, 0, 0);
    for (name, bytes) in &cases {
        match check(name, bytes) {
            Outcome::Accepted => accepted += 1,
            Outcome::Answered => answered += 1,
            Outcome::Rejected => rejected += 1,
        }
    }
    assert_eq!(accepted + answered + rejected, cases.len());
    // The same split wherever the stack runs (natively and in the browser);
    // a change in how the parser or the validation treats these inputs
    // shows here first.
    assert_eq!((accepted, answered, rejected), (2482, 880, 1165));
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
    (accepted, answered, rejected)
}

/// Reads every value of every typed header of `headers`; each one that
/// parses must print as text that parses back to the same printed text.
/// Returns how many values parsed and how many were refused.
pub fn read_every_header(headers: &Headers) -> (usize, usize) {
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

/// Typed header values read and refused by
/// [`every_typed_header_reads_and_prints_back`] over the PROTOS cases with
/// the RFC 4475 and RFC 5118 messages and the benchmark messages as the
/// corpus: the same natively and in the browser.
pub const READS_WITH_EVERY_CORPUS: (usize, usize) = (33354, 730);

/// Reads every typed header of every PROTOS case and of `corpus` that
/// parses, through `read` (which calls [`read_every_header`], perhaps
/// guarded); returns how many values were read and how many refused.
pub fn every_typed_header_reads_and_prints_back(
    corpus: &[(String, Vec<u8>)],
    mut read: impl FnMut(&str, &Headers) -> (usize, usize),
) -> (usize, usize) {
    let (mut parsed, mut refused) = (0, 0);
    for (name, bytes) in cases().iter().chain(corpus) {
        let Ok(message) = Message::parse(bytes) else {
            continue;
        };
        let (ok, bad) = read(name, message.headers());
        parsed += ok;
        refused += bad;
    }
    assert!(
        parsed > 4527 * 5,
        "every case has at least Via, From, To, Call-ID, CSeq"
    );
    assert!(refused > 0, "the suite holds malformed header values");
    (parsed, refused)
}
