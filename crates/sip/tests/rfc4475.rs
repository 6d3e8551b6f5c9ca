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

fn load(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/rfc4475/{name}.dat",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
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

#[test]
fn rfc4475_3_1_1_1_wsinv() {
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

#[test]
fn rfc4475_3_1_1_2_intmeth() {
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

#[test]
fn rfc4475_3_1_1_3_esc01() {
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

#[test]
fn rfc4475_3_1_1_4_escnull() {
    let r = accepted("escnull");
    let contacts: Vec<Contact> = r.headers.get_all::<Contact>().map(Result::unwrap).collect();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1].address().unwrap().uri.user(), Some("%00%00"));
}

#[test]
fn rfc4475_3_1_1_5_esc02() {
    let r = accepted("esc02");
    assert_eq!(
        r.method,
        Method::Other("RE%47IST%45R".into()),
        "% in a method is not an escape"
    );
}

#[test]
fn rfc4475_3_1_1_6_lwsdisp() {
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

#[test]
fn rfc4475_3_1_1_7_longreq() {
    let r = accepted("longreq");
    assert_eq!(r.headers.get_all::<Via>().count(), 34);
    assert!(r.call_id().unwrap().as_str().len() > 100);
    assert_eq!(
        r.headers.get::<To>().unwrap().unwrap().uri.port(),
        Some(6000)
    );
}

#[test]
fn rfc4475_3_1_1_8_dblreq() {
    let r = accepted("dblreq");
    assert_eq!(r.method, Method::Register, "the first request is processed");
    assert!(r.body.is_empty(), "octets after Content-Length are ignored");
}

#[test]
fn rfc4475_3_1_1_9_semiuri() {
    let r = accepted("semiuri");
    assert_eq!(r.uri.user(), Some("user;par=u%40example.net"));
    assert_eq!(r.uri.host(), "example.com");
    assert_eq!(r.uri.params().count(), 0);
    assert_eq!(r.headers.get::<Accept>().unwrap().unwrap().0.len(), 6);
}

#[test]
fn rfc4475_3_1_1_10_transports() {
    let r = accepted("transports");
    let transports: Vec<String> = r
        .headers
        .get_all::<Via>()
        .map(|v| v.unwrap().transport.to_string())
        .collect();
    assert_eq!(transports, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
}

#[test]
fn rfc4475_3_1_1_11_mpart01() {
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

#[test]
fn rfc4475_3_1_1_12_unreason() {
    let r = response("unreason");
    assert_eq!(validate_response(&r), Ok(()));
    assert!(r.reason.starts_with("= 2**3 * 5**2 "));
    assert!(r.reason.contains("\u{043d}"), "UTF-8 reason phrase");
}

#[test]
fn rfc4475_3_1_1_13_noreason() {
    let r = response("noreason");
    assert_eq!(validate_response(&r), Ok(()));
    assert_eq!(r.status.as_u16(), 100);
    assert_eq!(r.reason, "");
}

// §3.1.2 Invalid messages: the parser or a header read must object.

#[test]
fn rfc4475_3_1_2_1_badinv01() {
    assert!(answered("badinv01", 400).contains("Via"));
}

#[test]
fn rfc4475_3_1_2_2_clerr() {
    assert_eq!(
        parse_rejected("clerr"),
        ParseError::BodyTruncated {
            declared: 9999,
            available: 154
        }
    );
}

#[test]
fn rfc4475_3_1_2_3_ncl() {
    assert_eq!(parse_rejected("ncl"), ParseError::InvalidContentLength);
}

#[test]
fn rfc4475_3_1_2_4_scalar02() {
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

#[test]
fn rfc4475_3_1_2_5_scalarlg() {
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

#[test]
fn rfc4475_3_1_2_6_quotbal() {
    assert!(answered("quotbal", 400).contains("unterminated quoted"));
}

#[test]
fn rfc4475_3_1_2_7_ltgtruri() {
    assert!(matches!(
        parse_rejected("ltgtruri"),
        ParseError::StartLine(_)
    ));
}

#[test]
fn rfc4475_3_1_2_8_lwsruri() {
    assert!(matches!(
        parse_rejected("lwsruri"),
        ParseError::StartLine(_)
    ));
}

#[test]
fn rfc4475_3_1_2_9_lwsstart() {
    assert!(matches!(
        parse_rejected("lwsstart"),
        ParseError::StartLine(_)
    ));
}

#[test]
fn rfc4475_3_1_2_10_trws() {
    assert!(matches!(parse_rejected("trws"), ParseError::StartLine(_)));
}

#[test]
fn rfc4475_3_1_2_11_escruri() {
    assert_eq!(
        answered("escruri", 400),
        "Request-URI must not contain headers"
    );
}

#[test]
fn rfc4475_3_1_2_12_baddate() {
    assert!(answered("baddate", 400).contains("Date"));
}

#[test]
fn rfc4475_3_1_2_13_regbadct() {
    assert!(answered("regbadct", 400).contains("Contact"));
}

#[test]
fn rfc4475_3_1_2_14_badaspec() {
    assert!(answered("badaspec", 400).contains("To"));
}

#[test]
fn rfc4475_3_1_2_15_baddn() {
    assert!(answered("baddn", 400).contains("display name"));
}

#[test]
fn rfc4475_3_1_2_16_badvers() {
    answered("badvers", 505);
}

#[test]
fn rfc4475_3_1_2_17_mismatch01() {
    assert!(answered("mismatch01", 400).contains("CSeq method"));
}

#[test]
fn rfc4475_3_1_2_18_mismatch02() {
    // 501 is also acceptable per the RFC; the CSeq mismatch is found first.
    assert!(answered("mismatch02", 400).contains("CSeq method"));
}

#[test]
fn rfc4475_3_1_2_19_bigcode() {
    assert!(matches!(
        parse_rejected("bigcode"),
        ParseError::StartLine(_)
    ));
}

// §3.2 Transaction layer.

#[test]
fn rfc4475_3_2_1_badbranch() {
    let r = accepted("badbranch");
    let branch = r.top_via().unwrap().branch().unwrap().to_owned();
    assert_eq!(branch, "z9hG4bK", "the magic cookie and no identifier");
    assert!(
        !vani_sip::header::Branch::is_rfc3261(&branch),
        "matched as an RFC 2543 transaction"
    );
}

// §3.3 Application layer.

#[test]
fn rfc4475_3_3_1_insuf() {
    let reason = answered("insuf", 400);
    assert!(
        reason.contains("From") && reason.contains("To") && reason.contains("Call-ID"),
        "{reason}"
    );
}

#[test]
fn rfc4475_3_3_2_unkscm() {
    answered("unkscm", 416);
    assert_eq!(request("unkscm").uri.scheme(), Scheme::Other);
}

#[test]
fn rfc4475_3_3_3_novelsc() {
    answered("novelsc", 416);
}

#[test]
fn rfc4475_3_3_4_unksm2() {
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

#[test]
fn rfc4475_3_3_5_bext01() {
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

#[test]
fn rfc4475_3_3_6_invut() {
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

#[test]
fn rfc4475_3_3_7_regaut01() {
    let r = accepted("regaut01");
    assert!(
        r.headers
            .get_raw("Authorization")
            .unwrap()
            .starts_with("NoOneKnowsThisScheme")
    );
}

#[test]
fn rfc4475_3_3_8_multi01() {
    assert!(answered("multi01", 400).starts_with("Multiple"));
}

#[test]
fn rfc4475_3_3_9_mcl01() {
    assert_eq!(
        answered("mcl01", 400),
        "Multiple Content-Length header fields"
    );
}

#[test]
fn rfc4475_3_3_10_bcast() {
    let r = response("bcast");
    assert_eq!(validate_response(&r), Ok(()));
    assert_eq!(
        r.headers.get_all::<Via>().nth(1).unwrap().unwrap().host,
        "255.255.255.255"
    );
}

#[test]
fn rfc4475_3_3_11_zeromf() {
    let r = accepted("zeromf");
    assert_eq!(r.headers.get::<MaxForwards>(), Some(Ok(MaxForwards(0))));
    assert_eq!(
        vani_sip::validate::check_max_forwards(&r),
        Ok(()),
        "OPTIONS at zero may be answered"
    );
}

#[test]
fn rfc4475_3_3_12_cparam01() {
    let r = accepted("cparam01");
    let c = r.headers.get::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.address().unwrap().params.get("unknownparam"),
        Some(None),
        "a header parameter"
    );
    assert_eq!(c.address().unwrap().uri.params().count(), 0);
}

#[test]
fn rfc4475_3_3_13_cparam02() {
    let r = accepted("cparam02");
    let c = r.headers.get::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.address().unwrap().uri.param("unknownparam"),
        Some(None),
        "a URI parameter"
    );
}

#[test]
fn rfc4475_3_3_14_regescrt() {
    let r = accepted("regescrt");
    let c = r.headers.get::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.address().unwrap().uri.headers().next(),
        Some(("Route", "%3Csip:sip.example.com%3E"))
    );
}

#[test]
fn rfc4475_3_3_15_sdp01() {
    answered("sdp01", 406);
}

// §3.4 Backward compatibility.

#[test]
fn rfc4475_3_4_1_inv2543() {
    let r = accepted("inv2543");
    assert_eq!(r.top_via().unwrap().branch(), None);
    assert!(r.headers.get::<MaxForwards>().is_none());
}
