//! Fuzzes the message parser: no input may panic, whatever parses must
//! serialize to bytes that parse to the same message, every typed header
//! value that reads must print as text that reads back the same, each
//! header view must read what its owned type reads, in the owned message
//! and in the message read in place alike, a list header read whole
//! first must read as its values split at commas, a multipart body must
//! split into its parts or be refused, and the answer to a request the UA
//! must refuse must parse as a response.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vani_sip::auth::{
    Authorization, ProxyAuthenticate, ProxyAuthenticateRef, ProxyAuthorization, WwwAuthenticate,
    WwwAuthenticateRef,
};
use vani_sip::header::*;
use vani_sip::headers::{Headers, TypedHeader, split_list};
use vani_sip::message::{Message, MessageRef};

include!("../../tests/support/typed_headers.rs");

fn each<T: for<'a> TypedHeader<'a>>(headers: &Headers) {
    for value in headers.get_all::<T>().flatten() {
        let printed = value.to_string();
        let again = T::parse(&printed).expect("a printed header value parses");
        assert_eq!(again.to_string(), printed);
    }
}

/// A list header whose values are read whole first reads as its values
/// split at commas, each parsed.
fn reads_as_split<T>(headers: &Headers)
where
    T: for<'a> TypedHeader<'a> + PartialEq + std::fmt::Debug,
{
    assert!(T::LIST && T::REFUSES_COMMAS);
    let split: Vec<Result<T, _>> = headers
        .raw_values(T::NAME.as_str())
        .flat_map(split_list)
        .map(T::parse)
        .collect();
    assert_eq!(headers.get_all::<T>().collect::<Vec<_>>(), split);
}

fuzz_target!(|data: &[u8]| {
    let in_place = MessageRef::parse(data);
    assert_eq!(
        in_place.as_ref().err(),
        Message::parse(data).as_ref().err(),
        "both parses accept and refuse alike"
    );
    if let Ok(message) = Message::parse(data) {
        let Ok(in_place) = in_place else {
            unreachable!("checked above")
        };
        assert_eq!(in_place.headers(), message.headers());
        assert_eq!(in_place.body(), message.body());
        let bytes = message.to_bytes();
        let again = Message::parse(&bytes).expect("serialized message parses");
        assert_eq!(again.to_bytes(), bytes);
        let h = message.headers();
        macro_rules! all {
            ($($t:ty),* $(,)?) => {$( each::<$t>(h); )*};
        }
        with_every_typed_header!(all);
        reads_as_split::<Via>(h);
        reads_as_split::<Contact>(h);
        reads_as_split::<Route>(h);
        reads_as_split::<RecordRoute>(h);
        reads_as_split::<Path>(h);
        reads_as_split::<ServiceRoute>(h);
        reads_as_split::<PAssertedIdentity>(h);
        // A view reads what its owned type reads, in the owned message and
        // in the message read in place.
        let v = in_place.headers();
        macro_rules! agree {
            ($(($view:ident, $owned:ty)),* $(,)?) => {$(
                let owned: Vec<Result<$owned, _>> = h.get_all::<$owned>().collect();
                let viewed: Vec<Result<$owned, _>> =
                    h.get_all::<$view<'_>>().map(|v| v.map($view::into_owned)).collect();
                assert_eq!(viewed, owned);
                let viewed_in_place: Vec<Result<$owned, _>> =
                    v.get_all::<$view<'_>>().map(|v| v.map($view::into_owned)).collect();
                assert_eq!(viewed_in_place, owned);
            )*};
        }
        with_every_header_view!(agree);
        // A multipart body splits into parts or is refused.
        let _ = vani_sip::multipart::parts(&message);
        // A request the UA must refuse gets an answer that is itself a
        // well-formed response.
        if let Message::Request(request) = &message {
            let caps = vani_sip::validate::Capabilities::default();
            if let Err(rejection) = vani_sip::validate::validate_request(request, &caps) {
                let answer = rejection.to_response(request, &caps, "t1").to_bytes();
                let parsed = Message::parse(&answer);
                assert!(matches!(parsed, Ok(Message::Response(_))), "{parsed:?}");
            }
        }
    }
});
