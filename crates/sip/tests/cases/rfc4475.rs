//! RFC 4475 "SIP Torture Test Messages": one test per message, named after
//! its section, asserting what the RFC says a correct element does with it.
//!
//! The messages in `fixtures/rfc4475/` are the RFC's Appendix A archive as
//! carried by the sipx-testkit crate (see `fixtures/README.md`).
//!
//! Outcomes: the parser rejects the message (it cannot be answered), a UA
//! answers it with a status code ([`validate_request`]), a received response
//! is discarded ([`validate_response`]), or the message is accepted.

use vani_sip::header::{Accept, CSeq, Contact, ContentType, From, MaxForwards, To, Via};
use vani_sip::message::{CoreHeaders, Message, Method, Request, Response};
use vani_sip::multipart;
use vani_sip::parse::ParseError;
use vani_sip::uri::Scheme;
use vani_sip::validate::{Capabilities, validate_request, validate_response};

/// The archive's messages, built into the test so that it also runs where
/// there is no file system (wasm in Chromium).
pub const FILES: &[(&str, &[u8])] = &[
    (
        "badaspec",
        include_bytes!("../fixtures/rfc4475/badaspec.dat"),
    ),
    (
        "badbranch",
        include_bytes!("../fixtures/rfc4475/badbranch.dat"),
    ),
    ("baddate", include_bytes!("../fixtures/rfc4475/baddate.dat")),
    ("baddn", include_bytes!("../fixtures/rfc4475/baddn.dat")),
    (
        "badinv01",
        include_bytes!("../fixtures/rfc4475/badinv01.dat"),
    ),
    ("badvers", include_bytes!("../fixtures/rfc4475/badvers.dat")),
    ("bcast", include_bytes!("../fixtures/rfc4475/bcast.dat")),
    ("bext01", include_bytes!("../fixtures/rfc4475/bext01.dat")),
    ("bigcode", include_bytes!("../fixtures/rfc4475/bigcode.dat")),
    ("clerr", include_bytes!("../fixtures/rfc4475/clerr.dat")),
    (
        "cparam01",
        include_bytes!("../fixtures/rfc4475/cparam01.dat"),
    ),
    (
        "cparam02",
        include_bytes!("../fixtures/rfc4475/cparam02.dat"),
    ),
    ("dblreq", include_bytes!("../fixtures/rfc4475/dblreq.dat")),
    ("esc01", include_bytes!("../fixtures/rfc4475/esc01.dat")),
    ("esc02", include_bytes!("../fixtures/rfc4475/esc02.dat")),
    ("escnull", include_bytes!("../fixtures/rfc4475/escnull.dat")),
    ("escruri", include_bytes!("../fixtures/rfc4475/escruri.dat")),
    ("insuf", include_bytes!("../fixtures/rfc4475/insuf.dat")),
    ("intmeth", include_bytes!("../fixtures/rfc4475/intmeth.dat")),
    ("inv2543", include_bytes!("../fixtures/rfc4475/inv2543.dat")),
    ("invut", include_bytes!("../fixtures/rfc4475/invut.dat")),
    ("longreq", include_bytes!("../fixtures/rfc4475/longreq.dat")),
    (
        "ltgtruri",
        include_bytes!("../fixtures/rfc4475/ltgtruri.dat"),
    ),
    ("lwsdisp", include_bytes!("../fixtures/rfc4475/lwsdisp.dat")),
    ("lwsruri", include_bytes!("../fixtures/rfc4475/lwsruri.dat")),
    (
        "lwsstart",
        include_bytes!("../fixtures/rfc4475/lwsstart.dat"),
    ),
    ("mcl01", include_bytes!("../fixtures/rfc4475/mcl01.dat")),
    (
        "mismatch01",
        include_bytes!("../fixtures/rfc4475/mismatch01.dat"),
    ),
    (
        "mismatch02",
        include_bytes!("../fixtures/rfc4475/mismatch02.dat"),
    ),
    ("mpart01", include_bytes!("../fixtures/rfc4475/mpart01.dat")),
    ("multi01", include_bytes!("../fixtures/rfc4475/multi01.dat")),
    ("ncl", include_bytes!("../fixtures/rfc4475/ncl.dat")),
    (
        "noreason",
        include_bytes!("../fixtures/rfc4475/noreason.dat"),
    ),
    ("novelsc", include_bytes!("../fixtures/rfc4475/novelsc.dat")),
    ("quotbal", include_bytes!("../fixtures/rfc4475/quotbal.dat")),
    (
        "regaut01",
        include_bytes!("../fixtures/rfc4475/regaut01.dat"),
    ),
    (
        "regbadct",
        include_bytes!("../fixtures/rfc4475/regbadct.dat"),
    ),
    (
        "regescrt",
        include_bytes!("../fixtures/rfc4475/regescrt.dat"),
    ),
    (
        "scalar02",
        include_bytes!("../fixtures/rfc4475/scalar02.dat"),
    ),
    (
        "scalarlg",
        include_bytes!("../fixtures/rfc4475/scalarlg.dat"),
    ),
    ("sdp01", include_bytes!("../fixtures/rfc4475/sdp01.dat")),
    ("semiuri", include_bytes!("../fixtures/rfc4475/semiuri.dat")),
    ("test", include_bytes!("../fixtures/rfc4475/test.dat")),
    (
        "transports",
        include_bytes!("../fixtures/rfc4475/transports.dat"),
    ),
    ("trws", include_bytes!("../fixtures/rfc4475/trws.dat")),
    ("unkscm", include_bytes!("../fixtures/rfc4475/unkscm.dat")),
    ("unksm2", include_bytes!("../fixtures/rfc4475/unksm2.dat")),
    (
        "unreason",
        include_bytes!("../fixtures/rfc4475/unreason.dat"),
    ),
    ("wsinv", include_bytes!("../fixtures/rfc4475/wsinv.dat")),
    ("zeromf", include_bytes!("../fixtures/rfc4475/zeromf.dat")),
];

fn load(name: &str) -> Vec<u8> {
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, bytes)| bytes.to_vec())
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

fn parse(name: &str) -> Result<Message, ParseError> {
    Message::parse(&load(name))
}

fn request(name: &str) -> Request {
    match parse(name) {
        Ok(Message::Request(r)) => r,
        other => panic!("{name}: expected a request, got {other:?}"),
    }
}

fn response(name: &str) -> Response {
    match parse(name) {
        Ok(Message::Response(r)) => r,
        other => panic!("{name}: expected a response, got {other:?}"),
    }
}

/// A valid request: parses, passes validation, serializes back to itself.
fn accepted(name: &str) -> Request {
    let r = request(name);
    assert_eq!(
        validate_request(&r, &Capabilities::default()),
        Ok(()),
        "{name}"
    );
    let bytes = r.to_bytes();
    let reparsed = Message::parse(&bytes).unwrap();
    assert_eq!(
        reparsed.to_bytes(),
        bytes,
        "{name}: serialization is a fixed point"
    );
    if r.headers.get_raw("Content-Length").is_some() {
        assert_eq!(reparsed, Message::Request(r.clone()), "{name} round trip");
    }
    r
}

/// A request a UA answers with `status`; returns the reason phrase.
fn answered(name: &str, status: u16) -> String {
    let r = request(name);
    let rejection = validate_request(&r, &Capabilities::default()).expect_err(name);
    assert_eq!(rejection.status.as_u16(), status, "{name}: {rejection}");
    rejection.reason
}

fn parse_rejected(name: &str) -> ParseError {
    parse(name).expect_err(name)
}

// §3.1.1 Valid messages: parse, accept, and read every header right.

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_1_wsinv() {
    let r = accepted("wsinv");
    assert_eq!(r.uri.param("unknownparam"), Some(None));
    let to = r.headers.get::<To>().unwrap().unwrap();
    assert_eq!(to.tag(), Some("1918181833n"));
    let from = r.headers.get::<From>().unwrap().unwrap();
    assert_eq!(from.display_name.as_deref(), Some("J Rosenberg \\\""));
    assert_eq!(from.tag(), Some("98asjd8"));
    assert_eq!(r.headers.get::<MaxForwards>(), Some(Ok(MaxForwards(68))));
    assert_eq!(
        r.cseq(),
        Some(CSeq {
            seq: 9,
            method: Method::Invite
        })
    );
    let vias: Vec<Via> = r.headers.get_all::<Via>().map(Result::unwrap).collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].branch(), Some("390skdjuw"));
    assert_eq!(vias[1].host, "spindle.example.com");
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    assert_eq!(r.headers.get_raw("s"), Some(""));
    assert_eq!(
        r.headers.get_raw("NewFangledHeader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(
        r.headers.get_raw("UnknownHeaderWithUnusualValue"),
        Some(";;,,;;,;")
    );
    let contact = r.headers.get::<Contact>().unwrap().unwrap();
    assert_eq!(contact.q(), Some(0.33));
    assert_eq!(
        contact.address().unwrap().params.get("newparam"),
        Some(Some("newvalue"))
    );
    assert_eq!(r.body.len(), 150);
    assert_eq!(
        r.to_bytes(),
        load("wsinv"),
        "serialization reproduces the input"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_2_intmeth() {
    let r = accepted("intmeth");
    assert_eq!(
        r.method.as_str(),
        "!interesting-Method0123456789_*+`.%indeed'~"
    );
    assert_eq!(
        r.call_id().unwrap().as_str(),
        "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
    );
    let from = r.headers.get::<From>().unwrap().unwrap();
    assert_eq!(
        from.display_name.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(
        from.params.get("fromParam''~+*_!.-%"),
        Some(Some("\"работающий\"")),
        "UTF-8 quoted parameter"
    );
    assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
    let to = r.headers.get::<To>().unwrap().unwrap();
    assert_eq!(
        to.display_name.as_deref(),
        Some("BEL:\u{7} NUL:\0 DEL:\u{7f}")
    );
    assert_eq!(
        to.uri.user(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_3_esc01() {
    let r = accepted("esc01");
    assert_eq!(r.uri.user(), Some("sips%3Auser%40example.com"));
    let to = r.headers.get::<To>().unwrap().unwrap();
    assert!(to.uri.equivalent(&"sip:user@example.com".parse().unwrap()));
    let contact = r.headers.get::<Contact>().unwrap().unwrap();
    assert!(
        contact.address().unwrap().uri.equivalent(
            &"sip:caller@host5.example.net;lr;name=value%25%34%31"
                .parse()
                .unwrap()
        )
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_4_escnull() {
    let r = accepted("escnull");
    let contacts: Vec<Contact> = r.headers.get_all::<Contact>().map(Result::unwrap).collect();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1].address().unwrap().uri.user(), Some("%00%00"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_5_esc02() {
    let r = accepted("esc02");
    assert_eq!(
        r.method,
        Method::Other("RE%47IST%45R".into()),
        "% in a method is not an escape"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_6_lwsdisp() {
    let r = accepted("lwsdisp");
    assert_eq!(
        r.headers
            .get::<From>()
            .unwrap()
            .unwrap()
            .display_name
            .as_deref(),
        Some("caller")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_7_longreq() {
    let r = accepted("longreq");
    assert_eq!(r.headers.get_all::<Via>().count(), 34);
    assert!(r.call_id().unwrap().as_str().len() > 100);
    assert_eq!(
        r.headers.get::<To>().unwrap().unwrap().uri.port(),
        Some(6000)
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_8_dblreq() {
    let r = accepted("dblreq");
    assert_eq!(r.method, Method::Register, "the first request is processed");
    assert!(r.body.is_empty(), "octets after Content-Length are ignored");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_9_semiuri() {
    let r = accepted("semiuri");
    assert_eq!(r.uri.user(), Some("user;par=u%40example.net"));
    assert_eq!(r.uri.host(), "example.com");
    assert_eq!(r.uri.params().count(), 0);
    assert_eq!(r.headers.get::<Accept>().unwrap().unwrap().0.len(), 6);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_10_transports() {
    let r = accepted("transports");
    let transports: Vec<String> = r
        .headers
        .get_all::<Via>()
        .map(|v| v.unwrap().transport.to_string())
        .collect();
    assert_eq!(transports, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_11_mpart01() {
    let r = accepted("mpart01");
    let message = Message::Request(r);
    let parts = multipart::parts(&message).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(
        parts[0]
            .headers
            .get::<ContentType>()
            .unwrap()
            .unwrap()
            .0
            .to_string(),
        "text/plain"
    );
    assert_eq!(
        parts[1]
            .headers
            .get::<ContentType>()
            .unwrap()
            .unwrap()
            .0
            .to_string(),
        "application/octet-stream"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_12_unreason() {
    let r = response("unreason");
    assert_eq!(validate_response(&r), Ok(()));
    assert!(r.reason.starts_with("= 2**3 * 5**2 "));
    assert!(r.reason.contains("\u{043d}"), "UTF-8 reason phrase");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_1_13_noreason() {
    let r = response("noreason");
    assert_eq!(validate_response(&r), Ok(()));
    assert_eq!(r.status.as_u16(), 100);
    assert_eq!(r.reason, "");
}

// §3.1.2 Invalid messages: the parser or a header read must object.

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_1_badinv01() {
    assert!(answered("badinv01", 400).contains("Via"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_2_clerr() {
    assert_eq!(
        parse_rejected("clerr"),
        ParseError::BodyTruncated {
            declared: 9999,
            available: 154
        }
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_3_ncl() {
    assert_eq!(parse_rejected("ncl"), ParseError::InvalidContentLength);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_4_scalar02() {
    assert!(answered("scalar02", 400).contains("CSeq"));
    let r = request("scalar02");
    assert!(
        r.headers.get::<MaxForwards>().unwrap().is_err(),
        "Max-Forwards 300 is out of range"
    );
    assert!(
        r.headers
            .get::<vani_sip::header::Expires>()
            .unwrap()
            .is_err(),
        "Expires 10000000000000 is out of range"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_5_scalarlg() {
    let r = response("scalarlg");
    assert!(
        validate_response(&r).unwrap_err().contains("CSeq"),
        "the response is discarded"
    );
    assert!(
        r.headers
            .get::<vani_sip::header::RetryAfter>()
            .unwrap()
            .is_err()
    );
    assert!(
        r.headers
            .get::<vani_sip::header::Warning>()
            .unwrap()
            .is_err()
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_6_quotbal() {
    assert!(answered("quotbal", 400).contains("unterminated quoted"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_7_ltgtruri() {
    assert!(matches!(
        parse_rejected("ltgtruri"),
        ParseError::StartLine(_)
    ));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_8_lwsruri() {
    assert!(matches!(
        parse_rejected("lwsruri"),
        ParseError::StartLine(_)
    ));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_9_lwsstart() {
    assert!(matches!(
        parse_rejected("lwsstart"),
        ParseError::StartLine(_)
    ));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_10_trws() {
    assert!(matches!(parse_rejected("trws"), ParseError::StartLine(_)));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_11_escruri() {
    assert_eq!(
        answered("escruri", 400),
        "Request-URI must not contain headers"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_12_baddate() {
    assert!(answered("baddate", 400).contains("Date"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_13_regbadct() {
    assert!(answered("regbadct", 400).contains("Contact"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_14_badaspec() {
    assert!(answered("badaspec", 400).contains("To"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_15_baddn() {
    assert!(answered("baddn", 400).contains("display name"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_16_badvers() {
    answered("badvers", 505);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_17_mismatch01() {
    assert!(answered("mismatch01", 400).contains("CSeq method"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_18_mismatch02() {
    // 501 is also acceptable per the RFC; the CSeq mismatch is found first.
    assert!(answered("mismatch02", 400).contains("CSeq method"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_1_2_19_bigcode() {
    assert!(matches!(
        parse_rejected("bigcode"),
        ParseError::StartLine(_)
    ));
}

// §3.2 Transaction layer.

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_2_1_badbranch() {
    let r = accepted("badbranch");
    let branch = r.top_via().unwrap().branch().unwrap().to_owned();
    assert_eq!(branch, "z9hG4bK", "the magic cookie and no identifier");
    assert!(
        !vani_sip::header::Branch::is_rfc3261(&branch),
        "matched as an RFC 2543 transaction"
    );
}

// §3.3 Application layer.

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_1_insuf() {
    let reason = answered("insuf", 400);
    assert!(
        reason.contains("From") && reason.contains("To") && reason.contains("Call-ID"),
        "{reason}"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_2_unkscm() {
    answered("unkscm", 416);
    assert_eq!(request("unkscm").uri.scheme(), Scheme::Other);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_3_novelsc() {
    answered("novelsc", 416);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_4_unksm2() {
    let r = accepted("unksm2");
    assert_eq!(
        r.headers.get::<To>().unwrap().unwrap().uri.scheme_name(),
        "isbn"
    );
    assert_eq!(
        r.headers.get::<From>().unwrap().unwrap().uri.scheme_name(),
        "http"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_5_bext01() {
    let r = request("bext01");
    let rejection = validate_request(&r, &Capabilities::default()).unwrap_err();
    assert_eq!(rejection.status.as_u16(), 420);
    assert_eq!(
        rejection.unsupported,
        ["nothingSupportsThis", "nothingSupportsThisEither"]
    );
    let answer = rejection.to_response(&r, &Capabilities::default(), "t");
    assert_eq!(
        answer.headers.get_raw("Unsupported"),
        Some("nothingSupportsThis, nothingSupportsThisEither")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_6_invut() {
    let r = request("invut");
    let rejection = validate_request(&r, &Capabilities::default()).unwrap_err();
    assert_eq!(rejection.status.as_u16(), 415);
    let answer = rejection.to_response(&r, &Capabilities::default(), "t");
    assert!(
        answer
            .headers
            .get::<Accept>()
            .unwrap()
            .unwrap()
            .accepts("application", "sdp")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_7_regaut01() {
    let r = accepted("regaut01");
    assert!(
        r.headers
            .get_raw("Authorization")
            .unwrap()
            .starts_with("NoOneKnowsThisScheme")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_8_multi01() {
    assert!(answered("multi01", 400).starts_with("Multiple"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_9_mcl01() {
    assert_eq!(
        answered("mcl01", 400),
        "Multiple Content-Length header fields"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_10_bcast() {
    let r = response("bcast");
    assert_eq!(validate_response(&r), Ok(()));
    assert_eq!(
        r.headers.get_all::<Via>().nth(1).unwrap().unwrap().host,
        "255.255.255.255"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_11_zeromf() {
    let r = accepted("zeromf");
    assert_eq!(r.headers.get::<MaxForwards>(), Some(Ok(MaxForwards(0))));
    assert_eq!(
        vani_sip::validate::check_max_forwards(&r),
        Ok(()),
        "OPTIONS at zero may be answered"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_12_cparam01() {
    let r = accepted("cparam01");
    let c = r.headers.get::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.address().unwrap().params.get("unknownparam"),
        Some(None),
        "a header parameter"
    );
    assert_eq!(c.address().unwrap().uri.params().count(), 0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_13_cparam02() {
    let r = accepted("cparam02");
    let c = r.headers.get::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.address().unwrap().uri.param("unknownparam"),
        Some(None),
        "a URI parameter"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_14_regescrt() {
    let r = accepted("regescrt");
    let c = r.headers.get::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.address().unwrap().uri.headers().next(),
        Some(("Route", "%3Csip:sip.example.com%3E"))
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_3_15_sdp01() {
    answered("sdp01", 406);
}

// §3.4 Backward compatibility.

#[cfg_attr(not(target_arch = "wasm32"), test)]
pub fn rfc4475_3_4_1_inv2543() {
    let r = accepted("inv2543");
    assert_eq!(r.top_via().unwrap().branch(), None);
    assert!(r.headers.get::<MaxForwards>().is_none());
}

/// Every test above, by name, for a runner that has no `#[test]` (the
/// wasm tests in Chromium run them through this list).
pub const ALL: &[(&str, fn())] = &[
    ("rfc4475_3_1_1_1_wsinv", rfc4475_3_1_1_1_wsinv),
    ("rfc4475_3_1_1_2_intmeth", rfc4475_3_1_1_2_intmeth),
    ("rfc4475_3_1_1_3_esc01", rfc4475_3_1_1_3_esc01),
    ("rfc4475_3_1_1_4_escnull", rfc4475_3_1_1_4_escnull),
    ("rfc4475_3_1_1_5_esc02", rfc4475_3_1_1_5_esc02),
    ("rfc4475_3_1_1_6_lwsdisp", rfc4475_3_1_1_6_lwsdisp),
    ("rfc4475_3_1_1_7_longreq", rfc4475_3_1_1_7_longreq),
    ("rfc4475_3_1_1_8_dblreq", rfc4475_3_1_1_8_dblreq),
    ("rfc4475_3_1_1_9_semiuri", rfc4475_3_1_1_9_semiuri),
    ("rfc4475_3_1_1_10_transports", rfc4475_3_1_1_10_transports),
    ("rfc4475_3_1_1_11_mpart01", rfc4475_3_1_1_11_mpart01),
    ("rfc4475_3_1_1_12_unreason", rfc4475_3_1_1_12_unreason),
    ("rfc4475_3_1_1_13_noreason", rfc4475_3_1_1_13_noreason),
    ("rfc4475_3_1_2_1_badinv01", rfc4475_3_1_2_1_badinv01),
    ("rfc4475_3_1_2_2_clerr", rfc4475_3_1_2_2_clerr),
    ("rfc4475_3_1_2_3_ncl", rfc4475_3_1_2_3_ncl),
    ("rfc4475_3_1_2_4_scalar02", rfc4475_3_1_2_4_scalar02),
    ("rfc4475_3_1_2_5_scalarlg", rfc4475_3_1_2_5_scalarlg),
    ("rfc4475_3_1_2_6_quotbal", rfc4475_3_1_2_6_quotbal),
    ("rfc4475_3_1_2_7_ltgtruri", rfc4475_3_1_2_7_ltgtruri),
    ("rfc4475_3_1_2_8_lwsruri", rfc4475_3_1_2_8_lwsruri),
    ("rfc4475_3_1_2_9_lwsstart", rfc4475_3_1_2_9_lwsstart),
    ("rfc4475_3_1_2_10_trws", rfc4475_3_1_2_10_trws),
    ("rfc4475_3_1_2_11_escruri", rfc4475_3_1_2_11_escruri),
    ("rfc4475_3_1_2_12_baddate", rfc4475_3_1_2_12_baddate),
    ("rfc4475_3_1_2_13_regbadct", rfc4475_3_1_2_13_regbadct),
    ("rfc4475_3_1_2_14_badaspec", rfc4475_3_1_2_14_badaspec),
    ("rfc4475_3_1_2_15_baddn", rfc4475_3_1_2_15_baddn),
    ("rfc4475_3_1_2_16_badvers", rfc4475_3_1_2_16_badvers),
    ("rfc4475_3_1_2_17_mismatch01", rfc4475_3_1_2_17_mismatch01),
    ("rfc4475_3_1_2_18_mismatch02", rfc4475_3_1_2_18_mismatch02),
    ("rfc4475_3_1_2_19_bigcode", rfc4475_3_1_2_19_bigcode),
    ("rfc4475_3_2_1_badbranch", rfc4475_3_2_1_badbranch),
    ("rfc4475_3_3_1_insuf", rfc4475_3_3_1_insuf),
    ("rfc4475_3_3_2_unkscm", rfc4475_3_3_2_unkscm),
    ("rfc4475_3_3_3_novelsc", rfc4475_3_3_3_novelsc),
    ("rfc4475_3_3_4_unksm2", rfc4475_3_3_4_unksm2),
    ("rfc4475_3_3_5_bext01", rfc4475_3_3_5_bext01),
    ("rfc4475_3_3_6_invut", rfc4475_3_3_6_invut),
    ("rfc4475_3_3_7_regaut01", rfc4475_3_3_7_regaut01),
    ("rfc4475_3_3_8_multi01", rfc4475_3_3_8_multi01),
    ("rfc4475_3_3_9_mcl01", rfc4475_3_3_9_mcl01),
    ("rfc4475_3_3_10_bcast", rfc4475_3_3_10_bcast),
    ("rfc4475_3_3_11_zeromf", rfc4475_3_3_11_zeromf),
    ("rfc4475_3_3_12_cparam01", rfc4475_3_3_12_cparam01),
    ("rfc4475_3_3_13_cparam02", rfc4475_3_3_13_cparam02),
    ("rfc4475_3_3_14_regescrt", rfc4475_3_3_14_regescrt),
    ("rfc4475_3_3_15_sdp01", rfc4475_3_3_15_sdp01),
    ("rfc4475_3_4_1_inv2543", rfc4475_3_4_1_inv2543),
];
