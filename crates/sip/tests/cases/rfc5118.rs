//! RFC 5118 "SIP Torture Test Messages for IPv6": one test per message,
//! named after its section, asserting what the RFC says a correct element
//! does with it. The files in `fixtures/rfc5118/` are the RFC's Appendix A
//! archive (LF line endings) as carried by the sipx-testkit crate.

use std::net::Ipv6Addr;

use vani_sip::header::{Contact, Via};
use vani_sip::message::{Message, Request};
use vani_sip::parse::ParseError;
use vani_sip::uri::Host;
use vani_sip::validate::{Capabilities, validate_request};

/// The archive's messages, built into the test so that it also runs where
/// there is no file system (wasm in Chromium).
pub const FILES: &[(&str, &[u8])] = &[
    (
        "ipv4-mapped-ipv6",
        include_bytes!("../fixtures/rfc5118/ipv4-mapped-ipv6"),
    ),
    ("ipv6-bad", include_bytes!("../fixtures/rfc5118/ipv6-bad")),
    (
        "ipv6-bug-abnf-3-colons",
        include_bytes!("../fixtures/rfc5118/ipv6-bug-abnf-3-colons"),
    ),
    (
        "ipv6-correct-abnf-2-colons",
        include_bytes!("../fixtures/rfc5118/ipv6-correct-abnf-2-colons"),
    ),
    ("ipv6-good", include_bytes!("../fixtures/rfc5118/ipv6-good")),
    (
        "ipv6-in-sdp",
        include_bytes!("../fixtures/rfc5118/ipv6-in-sdp"),
    ),
    (
        "mult-ip-in-header",
        include_bytes!("../fixtures/rfc5118/mult-ip-in-header"),
    ),
    (
        "mult-ip-in-sdp",
        include_bytes!("../fixtures/rfc5118/mult-ip-in-sdp"),
    ),
    (
        "port-ambiguous",
        include_bytes!("../fixtures/rfc5118/port-ambiguous"),
    ),
    (
        "port-unambiguous",
        include_bytes!("../fixtures/rfc5118/port-unambiguous"),
    ),
    (
        "via-received-param-no-delim",
        include_bytes!("../fixtures/rfc5118/via-received-param-no-delim"),
    ),
    (
        "via-received-param-with-delim",
        include_bytes!("../fixtures/rfc5118/via-received-param-with-delim"),
    ),
];

fn load(name: &str) -> Vec<u8> {
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, bytes)| bytes.to_vec())
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

fn accepted_bytes(name: &str, bytes: &[u8]) -> Request {
    let Ok(Message::Request(r)) = Message::parse(bytes) else {
        panic!("{name}: not a request")
    };
    assert_eq!(
        validate_request(&r, &Capabilities::default()),
        Ok(()),
        "{name}"
    );
    r
}

fn accepted(name: &str) -> Request {
    accepted_bytes(name, &load(name))
}

fn v6(text: &str) -> Option<Host<'static>> {
    Some(Host::Ipv6(text.parse::<Ipv6Addr>().unwrap()))
}

/// The archive's SDP messages state a Content-Length that matches neither
/// their LF nor a CRLF rendering (RFC 5118 errata). Framed by the end of the
/// input instead (as a WebSocket frame is, RFC 7118 §5), they are valid.
fn without_content_length(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    text.lines()
        .filter(|l| !l.starts_with("Content-Length"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_1_ipv6_good() {
    let r = accepted("ipv6-good");
    assert_eq!(r.uri.host_kind(), v6("2001:db8::10"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_2_ipv6_bad() {
    assert!(
        matches!(
            Message::parse(&load("ipv6-bad")),
            Err(ParseError::RequestUri(_))
        ),
        "must be rejected"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_3_port_ambiguous() {
    let r = accepted("port-ambiguous");
    assert_eq!(r.uri.host_kind(), v6("2001:db8::10:5070"));
    assert_eq!(r.uri.port(), None);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_4_port_unambiguous() {
    let r = accepted("port-unambiguous");
    assert_eq!(r.uri.host_kind(), v6("2001:db8::10"));
    assert_eq!(r.uri.port(), Some(5070));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_5_via_received_param_with_delim() {
    let r = accepted("via-received-param-with-delim");
    let via = r.headers.get::<Via>().unwrap().unwrap();
    assert_eq!(via.received(), Some("2001:db8::9:255"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_5_via_received_param_no_delim() {
    let r = accepted("via-received-param-no-delim");
    let via = r.headers.get::<Via>().unwrap().unwrap();
    assert_eq!(via.received(), Some("2001:db8::9:255"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_6_ipv6_in_sdp() {
    let bytes = load("ipv6-in-sdp");
    assert_eq!(
        Message::parse(&bytes),
        Err(ParseError::BodyTruncated {
            declared: 268,
            available: 242
        })
    );
    let r = accepted_bytes("ipv6-in-sdp", &without_content_length(&bytes));
    assert!(String::from_utf8_lossy(&r.body).contains("c=IN IP6 2001:db8::20"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_7_mult_ip_in_header() {
    let r = accepted("mult-ip-in-header");
    let vias: Vec<Via> = r.headers.get_all::<Via>().map(Result::unwrap).collect();
    assert_eq!(vias.len(), 3);
    assert!(vias.iter().any(|v| v.host.starts_with('[')));
    assert!(vias.iter().any(|v| !v.host.starts_with('[')));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_8_mult_ip_in_sdp() {
    let bytes = load("mult-ip-in-sdp");
    assert!(matches!(
        Message::parse(&bytes),
        Err(ParseError::BodyTruncated { declared: 181, .. })
    ));
    let r = accepted_bytes("mult-ip-in-sdp", &without_content_length(&bytes));
    let sdp = String::from_utf8_lossy(&r.body).into_owned();
    assert!(sdp.contains("IN IP4") && sdp.contains("IN IP6"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_9_ipv4_mapped_ipv6() {
    let r = accepted("ipv4-mapped-ipv6");
    let contact = r.headers.get::<Contact>().unwrap().unwrap();
    assert!(contact.address().unwrap().uri.host().contains("::ffff:"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_10_ipv6_correct_abnf_2_colons() {
    let r = accepted("ipv6-correct-abnf-2-colons");
    assert_eq!(r.uri.host_kind(), v6("2001:db8::192.0.2.1"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc5118_4_10_ipv6_bug_abnf_3_colons() {
    // RFC 5118 §4.10: RFC 3261's ABNF allows the 3-colon form; a tolerant
    // parser accepts it as the same address as the 2-colon form.
    let r = accepted("ipv6-bug-abnf-3-colons");
    assert_eq!(r.uri.host_kind(), v6("2001:db8::192.0.2.1"));
}

/// Every test above, by name, for a runner that has no `#[test]` (the
/// wasm tests in Chromium run them through this list).
pub const ALL: &[(&str, fn())] = &[
    ("rfc5118_4_1_ipv6_good", rfc5118_4_1_ipv6_good),
    ("rfc5118_4_2_ipv6_bad", rfc5118_4_2_ipv6_bad),
    ("rfc5118_4_3_port_ambiguous", rfc5118_4_3_port_ambiguous),
    ("rfc5118_4_4_port_unambiguous", rfc5118_4_4_port_unambiguous),
    (
        "rfc5118_4_5_via_received_param_with_delim",
        rfc5118_4_5_via_received_param_with_delim,
    ),
    (
        "rfc5118_4_5_via_received_param_no_delim",
        rfc5118_4_5_via_received_param_no_delim,
    ),
    ("rfc5118_4_6_ipv6_in_sdp", rfc5118_4_6_ipv6_in_sdp),
    (
        "rfc5118_4_7_mult_ip_in_header",
        rfc5118_4_7_mult_ip_in_header,
    ),
    ("rfc5118_4_8_mult_ip_in_sdp", rfc5118_4_8_mult_ip_in_sdp),
    ("rfc5118_4_9_ipv4_mapped_ipv6", rfc5118_4_9_ipv4_mapped_ipv6),
    (
        "rfc5118_4_10_ipv6_correct_abnf_2_colons",
        rfc5118_4_10_ipv6_correct_abnf_2_colons,
    ),
    (
        "rfc5118_4_10_ipv6_bug_abnf_3_colons",
        rfc5118_4_10_ipv6_bug_abnf_3_colons,
    ),
];
