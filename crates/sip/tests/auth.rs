//! Digest authentication: RFC test vectors, client flows against the verifier,
//! and header value round trips.

use vani_sip::auth::{
    Algorithm, Answer, Challenge, ChallengeKind, Credentials, Decision, DigestClient,
    DigestRequest, DigestVerifier, Password, Qop, StopReason, VerifyError, cnonce_from_random,
};

const GET_DIR: DigestRequest<'static> = DigestRequest {
    method: "GET",
    uri: "/dir/index.html",
    body: b"",
};

fn single(answers: Vec<Answer>) -> Credentials {
    assert_eq!(answers.len(), 1, "expected one credentials header");
    answers.into_iter().next().unwrap().credentials
}

/// RFC 2617 §3.5: the Mufasa example.
#[test]
fn rfc2617_section_3_5_md5_auth() {
    let challenge = r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
    let mut client = DigestClient::new("Mufasa", "Circle Of Life");
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [challenge]),
        Decision::Retry
    );
    let c = single(client.authorize(&GET_DIR, "0a4f113b").unwrap());
    assert_eq!(c.response, "6629fae49393a05397450978507c4ef1");
    assert_eq!(c.qop, Some(Qop::Auth));
    assert_eq!(c.nc, Some(1));
    assert_eq!(
        c.opaque.as_deref(),
        Some("5ccc069c403ebaf9f0171e9517f40e41")
    );

    // The RFC's Authorization header reads back to the same credentials.
    let rfc = Credentials::parse(
        r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    )
    .unwrap();
    assert_eq!(rfc, c);
}

fn rfc7616_challenge(algorithm: &str) -> String {
    format!(
        r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
    )
}

const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

/// RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
#[test]
fn rfc7616_section_3_9_1_md5_and_sha256() {
    for (algorithm, expected) in [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        (
            "SHA-256",
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
    ] {
        let mut client = DigestClient::new("Mufasa", "Circle of Life");
        let challenge = rfc7616_challenge(algorithm);
        assert_eq!(
            client.handle_challenge(ChallengeKind::Www, [challenge.as_str()]),
            Decision::Retry
        );
        let c = single(client.authorize(&GET_DIR, RFC7616_CNONCE).unwrap());
        assert_eq!(c.response, expected, "{algorithm}");
        assert_eq!(c.algorithm.map(Algorithm::as_str), Some(algorithm));
    }
}

/// RFC 7616 §3.9.1 offers SHA-256 first and MD5 second; the client answers
/// the stronger one whatever the order (RFC 8760 §2.4).
#[test]
fn picks_the_strongest_of_several_challenges() {
    let (md5, sha) = (rfc7616_challenge("MD5"), rfc7616_challenge("SHA-256"));
    let mut client = DigestClient::new("Mufasa", "Circle of Life");
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [md5.as_str(), sha.as_str()]),
        Decision::Retry
    );
    let c = single(client.authorize(&GET_DIR, RFC7616_CNONCE).unwrap());
    assert_eq!(c.algorithm, Some(Algorithm::Sha256));
    assert_eq!(
        c.response,
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
}

/// `userhash=true` (RFC 7616 §3.4.4): the username field is
/// `H(username:realm)` and the verifier still accepts the digest. The
/// challenge is shaped like RFC 7616 §3.9.2's (SHA-512-256, UTF-8 name).
#[test]
fn userhash_hides_the_user_name() {
    let challenge = r#"Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true"#;
    let user = "J\u{e4}s\u{f8}n Doe";
    let mut client = DigestClient::new(user, "Secret, or not?");
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [challenge]),
        Decision::Retry
    );
    let request = DigestRequest {
        method: "GET",
        uri: "/doe.json",
        body: b"",
    };
    let c = single(
        client
            .authorize(&request, "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v")
            .unwrap(),
    );
    let expected = Algorithm::Sha512_256.hash_hex(&[user.as_bytes(), b"api@example.org"]);
    assert_eq!(c.username, expected);
    assert!(c.userhash && !c.to_string().contains("Doe"));
    let mut verifier = DigestVerifier::new(Challenge::parse(challenge).unwrap());
    assert_eq!(
        verifier.verify(&c, user, &Password::new("Secret, or not?"), &request),
        Ok(())
    );
    let mut fresh = DigestVerifier::new(Challenge::parse(challenge).unwrap());
    assert_eq!(
        fresh.verify(&c, "someone else", &Password::new("x"), &request),
        Err(VerifyError::Username)
    );
}

#[test]
fn session_variant_hashes_a1_with_nonce_and_cnonce() {
    let a = Algorithm::Md5Sess;
    let challenge = r#"Digest realm="r", nonce="n", algorithm=MD5-sess, qop="auth""#;
    let mut client = DigestClient::new("alice", "pw");
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [challenge]),
        Decision::Retry
    );
    let request = DigestRequest {
        method: "INVITE",
        uri: "sip:bob@example.com",
        body: b"",
    };
    let c = single(client.authorize(&request, "c").unwrap());
    // RFC 2617 §3.2.2.2 and §3.2.2.1 written out by hand.
    let ha1 = a.hash_hex(&[a.hash_hex(&[b"alice", b"r", b"pw"]).as_bytes(), b"n", b"c"]);
    let ha2 = a.hash_hex(&[b"INVITE", b"sip:bob@example.com"]);
    let expected = a.hash_hex(&[
        ha1.as_bytes(),
        b"n",
        b"00000001",
        b"c",
        b"auth",
        ha2.as_bytes(),
    ]);
    assert_eq!(c.response, expected);
}

#[test]
fn no_qop_uses_rfc2069_response_without_cnonce() {
    let a = Algorithm::Md5;
    let mut client = DigestClient::new("alice", "pw");
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [r#"Digest realm="r", nonce="n""#]),
        Decision::Retry
    );
    let request = DigestRequest {
        method: "REGISTER",
        uri: "sip:example.com",
        body: b"",
    };
    let c = single(client.authorize(&request, "ignored").unwrap());
    let ha1 = a.hash_hex(&[b"alice", b"r", b"pw"]);
    let ha2 = a.hash_hex(&[b"REGISTER", b"sip:example.com"]);
    assert_eq!(
        c.response,
        a.hash_hex(&[ha1.as_bytes(), b"n", ha2.as_bytes()])
    );
    assert_eq!((c.cnonce, c.nc, c.qop), (None, None, None));
}

fn server_challenge(algorithm: Algorithm, qop: Vec<Qop>, nonce: &str) -> Challenge {
    let mut c = Challenge::new("sip.example.com", nonce);
    c.algorithm = Some(algorithm);
    c.qop = qop.into_iter().collect();
    c.opaque = Some("op".into());
    c
}

#[test]
fn every_algorithm_and_qop_verifies_and_a_wrong_password_does_not() {
    let body = b"v=0\r\n";
    let request = DigestRequest {
        method: "INVITE",
        uri: "sip:bob@example.com",
        body,
    };
    for algorithm in Algorithm::ALL {
        for qop in [Qop::Auth, Qop::AuthInt] {
            let challenge = server_challenge(algorithm, vec![qop], "abc");
            let mut verifier = DigestVerifier::new(challenge.clone());
            let value = challenge.to_string();

            let mut good = DigestClient::new("alice", "secret");
            assert_eq!(
                good.handle_challenge(ChallengeKind::Proxy, [value.as_str()]),
                Decision::Retry
            );
            let answer = good.authorize(&request, "cn").unwrap().remove(0);
            assert_eq!(answer.kind.credentials_header(), "Proxy-Authorization");
            let ok = verifier.verify(
                &answer.credentials,
                "alice",
                &Password::new("secret"),
                &request,
            );
            assert_eq!(ok, Ok(()), "{algorithm} {qop}");

            let mut bad = DigestClient::new("alice", "Secret");
            let _ = bad.handle_challenge(ChallengeKind::Proxy, [value.as_str()]);
            let wrong = bad
                .authorize(&request, "cn2")
                .unwrap()
                .remove(0)
                .credentials;
            let mut fresh = DigestVerifier::new(challenge.clone());
            let refused = fresh.verify(&wrong, "alice", &Password::new("secret"), &request);
            assert_eq!(refused, Err(VerifyError::Response), "{algorithm} {qop}");
        }
    }
}

#[test]
fn auth_int_protects_the_body() {
    let challenge = server_challenge(Algorithm::Sha256, vec![Qop::AuthInt], "n1");
    let mut client = DigestClient::new("alice", "secret");
    let _ = client.handle_challenge(ChallengeKind::Www, [challenge.to_string().as_str()]);
    let sent = DigestRequest {
        method: "MESSAGE",
        uri: "sip:bob@example.com",
        body: b"hello",
    };
    let c = single(client.authorize(&sent, "cn").unwrap());
    assert_eq!(c.qop, Some(Qop::AuthInt));
    let tampered = DigestRequest {
        body: b"hellO",
        ..sent
    };
    let mut verifier = DigestVerifier::new(challenge);
    assert_eq!(
        verifier.verify(&c, "alice", &Password::new("secret"), &tampered),
        Err(VerifyError::Response)
    );
}

#[test]
fn preferred_qop_is_used_when_offered() {
    let challenge = server_challenge(Algorithm::Md5, vec![Qop::Auth, Qop::AuthInt], "n");
    let mut client = DigestClient::new("a", "b").with_preferred_qop(Qop::AuthInt);
    let _ = client.handle_challenge(ChallengeKind::Www, [challenge.to_string().as_str()]);
    assert_eq!(
        single(client.authorize(&GET_DIR, "c").unwrap()).qop,
        Some(Qop::AuthInt)
    );
}

#[test]
fn nonce_count_increases_per_request_and_replays_are_refused() {
    let challenge = server_challenge(Algorithm::Sha256, vec![Qop::Auth], "n1");
    let mut verifier = DigestVerifier::new(challenge.clone());
    let mut client = DigestClient::new("alice", "secret");
    let _ = client.handle_challenge(ChallengeKind::Www, [challenge.to_string().as_str()]);
    let request = DigestRequest {
        method: "REGISTER",
        uri: "sip:example.com",
        body: b"",
    };
    let password = Password::new("secret");

    let first = single(client.authorize(&request, "c1").unwrap());
    let second = single(client.authorize(&request, "c2").unwrap());
    assert_eq!((first.nc, second.nc), (Some(1), Some(2)));
    assert_eq!(client.nonce_count("sip.example.com"), Some(2));
    assert_eq!(
        verifier.verify(&first, "alice", &password, &request),
        Ok(())
    );
    assert_eq!(
        verifier.verify(&second, "alice", &password, &request),
        Ok(())
    );
    assert_eq!(
        verifier.verify(&first, "alice", &password, &request),
        Err(VerifyError::Replay)
    );
}

#[test]
fn same_nonce_rejected_again_means_wrong_credentials() {
    let challenge = server_challenge(Algorithm::Md5, vec![Qop::Auth], "n1").to_string();
    let mut client = DigestClient::new("alice", "wrong");
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [challenge.as_str()]),
        Decision::Retry
    );
    let _ = client.authorize(&GET_DIR, "c").unwrap();
    let again = client.handle_challenge(ChallengeKind::Www, [challenge.as_str()]);
    assert_eq!(
        again,
        Decision::Stop(StopReason::WrongCredentials {
            realm: "sip.example.com".into()
        })
    );
}

#[test]
fn new_nonce_without_stale_after_answering_also_stops() {
    let mut client = DigestClient::new("alice", "wrong");
    let first = server_challenge(Algorithm::Md5, vec![Qop::Auth], "n1").to_string();
    let second = server_challenge(Algorithm::Md5, vec![Qop::Auth], "n2").to_string();
    let _ = client.handle_challenge(ChallengeKind::Www, [first.as_str()]);
    let _ = client.authorize(&GET_DIR, "c").unwrap();
    assert!(matches!(
        client.handle_challenge(ChallengeKind::Www, [second.as_str()]),
        Decision::Stop(StopReason::WrongCredentials { .. })
    ));
}

#[test]
fn stale_nonce_is_retried_with_a_fresh_count_but_not_forever() {
    let mut client = DigestClient::new("alice", "secret");
    let first = server_challenge(Algorithm::Md5, vec![Qop::Auth], "n1").to_string();
    let _ = client.handle_challenge(ChallengeKind::Www, [first.as_str()]);
    let _ = client.authorize(&GET_DIR, "c").unwrap();
    let _ = client.authorize(&GET_DIR, "c").unwrap();
    for round in 0..3 {
        let mut stale = server_challenge(Algorithm::Md5, vec![Qop::Auth], &format!("s{round}"));
        stale.stale = true;
        assert_eq!(
            client.handle_challenge(ChallengeKind::Www, [stale.to_string().as_str()]),
            Decision::Retry
        );
        let c = single(client.authorize(&GET_DIR, "c").unwrap());
        assert_eq!((c.nonce, c.nc), (format!("s{round}"), Some(1)));
    }
    let mut stale = server_challenge(Algorithm::Md5, vec![Qop::Auth], "s3");
    stale.stale = true;
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [stale.to_string().as_str()]),
        Decision::Stop(StopReason::TooManyStaleNonces)
    );
}

#[test]
fn success_lets_a_later_challenge_be_answered() {
    let mut client = DigestClient::new("alice", "secret");
    let first = server_challenge(Algorithm::Md5, vec![Qop::Auth], "n1").to_string();
    let _ = client.handle_challenge(ChallengeKind::Www, [first.as_str()]);
    let _ = client.authorize(&GET_DIR, "c").unwrap();
    client.handle_success();
    let later = server_challenge(Algorithm::Md5, vec![Qop::Auth], "n2").to_string();
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, [later.as_str()]),
        Decision::Retry
    );
}

#[test]
fn unsupported_challenges_stop_at_once() {
    let mut client = DigestClient::new("alice", "secret");
    let values = [
        r#"Basic realm="x""#,
        r#"Digest realm="x", nonce="n", algorithm=SHA-1"#,
        "Digest garbage",
    ];
    assert_eq!(
        client.handle_challenge(ChallengeKind::Www, values),
        Decision::Stop(StopReason::NoSupportedChallenge)
    );
    assert!(!client.has_challenge());
    assert!(client.authorize(&GET_DIR, "c").unwrap().is_empty());
}

#[test]
fn two_proxy_realms_get_two_answers() {
    let mut client = DigestClient::new("alice", "secret");
    let a = Challenge::new("proxy-a", "na").to_string();
    let b = Challenge::new("proxy-b", "nb").to_string();
    assert_eq!(
        client.handle_challenge(ChallengeKind::Proxy, [a.as_str(), b.as_str()]),
        Decision::Retry
    );
    let answers = client.authorize(&GET_DIR, "c").unwrap();
    let realms: Vec<&str> = answers
        .iter()
        .map(|a| a.credentials.realm.as_str())
        .collect();
    assert_eq!(realms, ["proxy-a", "proxy-b"]);
    assert!(answers.iter().all(|a| a.kind == ChallengeKind::Proxy));
}

#[test]
fn empty_cnonce_is_refused() {
    let mut client = DigestClient::new("alice", "secret");
    let _ = client.handle_challenge(
        ChallengeKind::Www,
        [r#"Digest realm="r", nonce="n", qop="auth""#],
    );
    assert!(client.authorize(&GET_DIR, "").is_err());
}

#[test]
fn cnonce_is_the_hex_of_the_callers_random_bytes() {
    assert_eq!(cnonce_from_random(&[0x0a, 0x4f, 0x11, 0x3b]), "0a4f113b");
}

#[test]
fn nothing_prints_the_password() {
    let secret = "Circle Of Life";
    let mut client = DigestClient::new("Mufasa", secret);
    let _ = client.handle_challenge(
        ChallengeKind::Www,
        [r#"Digest realm="r", nonce="n", qop="auth""#],
    );
    let answer = client.authorize(&GET_DIR, "c").unwrap().remove(0);
    for text in [
        format!("{client:?}"),
        format!("{answer:?}"),
        answer.credentials.to_string(),
        format!("{:?}", Password::new(secret)),
    ] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn challenge_round_trips() {
    let mut c = Challenge::new("sip.example.com", "n\"q\\x");
    c.opaque = Some("o".into());
    c.algorithm = Some(Algorithm::Sha512_256Sess);
    c.qop = [Qop::Auth, Qop::AuthInt].into();
    c.stale = true;
    c.domain = Some("sip:example.com sip:other.example.com".into());
    c.userhash = true;
    let text = c.to_string();
    assert_eq!(
        text,
        r#"Digest realm="sip.example.com", nonce="n\"q\\x", opaque="o", algorithm=SHA-512-256-sess, qop="auth,auth-int", stale=true, domain="sip:example.com sip:other.example.com", userhash=true"#
    );
    assert_eq!(Challenge::parse(&text).unwrap(), c);
    assert_eq!(text.parse::<Challenge>().unwrap().to_string(), text);
}

#[test]
fn challenge_keeps_unknown_parameters() {
    let text = r#"Digest realm="r", nonce="n", charset=UTF-8, foo="bar baz""#;
    let c = Challenge::parse(text).unwrap();
    assert_eq!(c.extra.len(), 2);
    assert_eq!(c.to_string(), text);
}

#[test]
fn credentials_round_trip() {
    let text = r#"Digest username="bob", realm="biloxi.com", nonce="dcd98b", uri="sip:bob@biloxi.com", response="245f23415f11432b3434341c022", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc", qop=auth, nc=0000000a, userhash=true, extra="x""#;
    let c = Credentials::parse(text).unwrap();
    assert_eq!(c.nc, Some(10));
    assert_eq!(c.to_string(), text);
    assert_eq!(c.to_string().parse::<Credentials>().unwrap(), c);
}

#[test]
fn malformed_values_are_errors_not_panics() {
    for value in [
        "",
        "Digest",
        "Digest realm",
        "Digest realm=\"",
        "Digest ,,, nonce=\"x\"",
        "Digest realm=\"r\" nonce=\"n\"",
        "Digest \u{1F600}=1",
    ] {
        assert!(Challenge::parse(value).is_err(), "{value:?}");
        assert!(Credentials::parse(value).is_err(), "{value:?}");
    }
}

mod typed_headers {
    use vani_sip::auth::{Authorization, ProxyAuthenticate, ProxyAuthorization, WwwAuthenticate};
    use vani_sip::headers::{Headers, TypedHeader};

    use super::*;

    const CHALLENGE: &str = r#"Digest realm="atlanta.com", nonce="84a4cc6f3082121f32b42a2187831a9e", opaque="op", algorithm=SHA-256, qop="auth""#;
    const CREDENTIALS: &str = r#"Digest username="alice", realm="atlanta.com", nonce="84a4cc6f3082121f32b42a2187831a9e", uri="sip:atlanta.com", response="7587245234b3434cc3412213e5f113a5432", algorithm=SHA-256, cnonce="c", opaque="op", qop=auth, nc=00000001"#;

    fn round_trip<T: for<'a> TypedHeader<'a> + PartialEq + std::fmt::Debug>(value: &str) {
        let mut headers = Headers::new();
        headers.push_raw(T::NAME.as_str(), value).unwrap();
        let typed = headers.get::<T>().unwrap().unwrap();
        assert_eq!(typed.to_string(), value);
        let mut again = Headers::new();
        again.push(&typed);
        assert_eq!(again.get::<T>().unwrap().unwrap(), typed);
    }

    #[test]
    fn each_auth_header_round_trips() {
        round_trip::<WwwAuthenticate>(CHALLENGE);
        round_trip::<ProxyAuthenticate>(CHALLENGE);
        round_trip::<Authorization>(CREDENTIALS);
        round_trip::<ProxyAuthorization>(CREDENTIALS);
    }

    #[test]
    fn challenges_are_read_from_a_header_store() {
        let mut headers = Headers::new();
        headers
            .push_raw(
                "WWW-Authenticate",
                r#"Digest realm="atlanta.com", nonce="a", algorithm=MD5"#,
            )
            .unwrap();
        headers.push_raw("www-authenticate", CHALLENGE).unwrap();
        let all: Vec<WwwAuthenticate> = headers
            .get_all::<WwwAuthenticate>()
            .map(Result::unwrap)
            .collect();
        assert_eq!(all.len(), 2);
        let texts: Vec<String> = all.iter().map(ToString::to_string).collect();
        let mut client = DigestClient::new("alice", "pw");
        assert_eq!(
            client.handle_challenge(ChallengeKind::Www, texts.iter().map(String::as_str)),
            Decision::Retry
        );
        let answer = client.authorize(&GET_DIR, "c").unwrap().remove(0);
        assert_eq!(answer.credentials.algorithm, Some(Algorithm::Sha256));
        let mut out = Headers::new();
        out.push(&Authorization(answer.credentials.clone()));
        assert_eq!(
            out.get::<Authorization>().unwrap().unwrap().0,
            answer.credentials
        );
    }

    #[test]
    fn a_broken_value_is_a_header_error() {
        let mut headers = Headers::new();
        headers
            .push_raw("Proxy-Authenticate", r#"Digest realm="x""#)
            .unwrap();
        assert!(headers.get::<ProxyAuthenticate>().unwrap().is_err());
    }
}
