//! Property: for generated messages, `parse(serialize(m)) == m`, and typed
//! headers read back what was written.

use proptest::prelude::*;
use vani_sip::header::{
    Branch, CSeq, CallId, Contact, ContentType, From, MaxForwards, Tag, To, Transport, Via,
};
use vani_sip::message::{Message, Method, Request, Response, StatusCode};
use vani_sip::name_addr::NameAddr;
use vani_sip::uri::Uri;

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Invite),
        Just(Method::Register),
        Just(Method::Bye),
        Just(Method::Notify),
        "[A-Z][A-Z0-9!%*_+`'~.-]{0,12}".prop_map(|m| m.parse().unwrap()),
    ]
}

fn uri() -> impl Strategy<Value = Uri> {
    (
        "[a-z0-9_.!~*'()-]{1,12}",
        "[a-z]([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-z]{2,5}){0,2}",
        proptest::option::of(1u16..),
        any::<bool>(),
    )
        .prop_map(|(user, host, port, tcp)| {
            let mut text = format!("sip:{user}@{host}");
            if let Some(p) = port {
                text.push_str(&format!(":{p}"));
            }
            if tcp {
                text.push_str(";transport=tcp");
            }
            Uri::parse(&text).unwrap()
        })
}

fn addr() -> impl Strategy<Value = NameAddr> {
    (uri(), proptest::option::of("[\\PC&&[^\"\\\\]]{0,16}")).prop_map(|(uri, name)| {
        let a = NameAddr::new(uri);
        match name {
            Some(n) => a.with_display_name(n),
            None => a,
        }
    })
}

prop_compose! {
    fn request()(
        method in method(),
        target in uri(),
        from in addr(),
        to in addr(),
        tag in any::<u64>(),
        branch in any::<u128>(),
        seq in 0u32..(1 << 31),
        call_id in any::<u128>(),
        mf in any::<u8>(),
        contacts in proptest::collection::vec(addr(), 0..3),
        extra in proptest::collection::vec(("X-[A-Za-z0-9-]{1,10}", "[ -~]{0,30}"), 0..4),
        body in proptest::collection::vec(any::<u8>(), 0..200),
    ) -> Request {
        let mut b = Request::builder(method.clone(), target)
            .header(&Via::new(Transport::Wss, "a1b2.invalid", None, &Branch::from_random(branch)))
            .header(&MaxForwards(mf))
            .header(&From::new(from, &Tag::from_random(tag)))
            .header(&To::new(to))
            .header(&CallId::from_random(call_id))
            .header(&CSeq { seq, method });
        for c in contacts {
            b = b.header(&Contact::Address(c));
        }
        for (name, value) in extra {
            b = b.raw_header(&name, value.trim()).unwrap();
        }
        b.body(&ContentType::sdp(), body).build()
    }
}

proptest! {
    #[test]
    fn requests_round_trip(r in request()) {
        let bytes = r.to_bytes();
        let parsed = Message::parse(&bytes).unwrap();
        prop_assert_eq!(&parsed, &Message::Request(r.clone()));
        prop_assert_eq!(parsed.to_bytes(), bytes);
        let Message::Request(p) = parsed else { unreachable!() };
        prop_assert_eq!(p.headers.get::<CSeq>(), r.headers.get::<CSeq>());
        prop_assert_eq!(p.headers.get_all::<Contact>().count(), r.headers.get_all::<Contact>().count());
    }

    #[test]
    fn responses_round_trip(r in request(), code in 100u16..700, reason in "[ -~]{0,20}") {
        let response = Response::from_request(&r, StatusCode::new(code).unwrap()).reason(reason.trim()).to_tag("x").build();
        let bytes = response.to_bytes();
        prop_assert_eq!(Message::parse(&bytes).unwrap(), Message::Response(response));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Message::parse(&bytes);
    }
}
