//! SDP helpers against session descriptions in Chromium's format
//! (fixtures in tests/fixtures/sdp, written to match what Chromium's
//! RTCPeerConnection produces: offer, answer, offer with candidates).

use vani_sip::sdp::{Connection, Direction, IceCredentials, SdpError, SessionDescription};

const OFFER: &str = include_str!("fixtures/sdp/chromium-offer.sdp");
const ANSWER: &str = include_str!("fixtures/sdp/chromium-answer.sdp");
const WITH_CANDIDATES: &str = include_str!("fixtures/sdp/chromium-offer-candidates.sdp");

fn parse(text: &str) -> SessionDescription {
    SessionDescription::parse(text).unwrap()
}

#[test]
fn parsed_fixtures_print_back_byte_for_byte() {
    for text in [OFFER, ANSWER, WITH_CANDIDATES] {
        assert_eq!(parse(text).to_string(), text);
        let lf = text.replace("\r\n", "\n");
        assert_eq!(parse(&lf).to_string(), lf);
        let unterminated = text.trim_end();
        assert_eq!(parse(unterminated).to_string(), unterminated);
    }
}

#[test]
fn reads_session_level_lines() {
    let sdp = parse(OFFER);
    let origin = sdp.origin().unwrap();
    assert_eq!(
        (origin.username.as_str(), origin.session_id.as_str()),
        ("-", "4611731400430051336")
    );
    assert_eq!(origin.session_version, 2);
    assert_eq!(origin.address, "127.0.0.1");
    let bundle = sdp.bundle_group().unwrap();
    assert_eq!(bundle.mids, ["0", "1"]);
    assert_eq!(sdp.attribute("extmap-allow-mixed"), Some(""));
    assert_eq!(
        sdp.attribute("msid-semantic"),
        Some(" WMS b6c1f8e2-4d3a-4c55-9a7e-2f1d0c9b8a71")
    );
    assert_eq!(sdp.direction(), None);
    assert_eq!(sdp.connection(), None);
}

#[test]
fn reads_media_sections() {
    let sdp = parse(OFFER);
    let media = sdp.media();
    assert_eq!(media.len(), 2);
    let (audio, video) = (&media[0], &media[1]);
    assert_eq!(
        (audio.media_type(), audio.port(), audio.proto()),
        ("audio", 9, "UDP/TLS/RTP/SAVPF")
    );
    assert_eq!(
        audio.formats(),
        ["111", "63", "9", "0", "8", "13", "110", "126"]
    );
    assert_eq!((audio.mid(), video.mid()), (Some("0"), Some("1")));
    assert_eq!(audio.direction(), Some(Direction::SendRecv));
    assert_eq!(audio.connection(), Some(Connection::ip4("0.0.0.0")));
    assert!(audio.rtcp_mux() && audio.is_rtp() && !audio.is_rejected());
    assert_eq!(audio.attribute("setup"), Some("actpass"));
    assert_eq!(audio.attributes("extmap").count(), 4);
    assert_eq!(video.media_type(), "video");
    assert_eq!(sdp.media_by_mid("1").map(|m| m.media_type()), Some("video"));
    assert!(sdp.media_by_mid("2").is_none());
}

#[test]
fn reads_audio_codecs_with_fmtp_and_feedback() {
    let sdp = parse(OFFER);
    let codecs = sdp.media()[0].codecs();
    let names: Vec<&str> = codecs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "opus",
            "red",
            "G722",
            "PCMU",
            "PCMA",
            "CN",
            "telephone-event",
            "telephone-event"
        ]
    );
    let opus = &codecs[0];
    assert_eq!(
        (opus.payload_type, opus.clock_rate, opus.channels),
        (111, 48000, Some(2))
    );
    assert_eq!(opus.fmtp.as_deref(), Some("minptime=10;useinbandfec=1"));
    assert_eq!(opus.rtcp_fb, ["transport-cc"]);
    assert_eq!(sdp.media()[0].telephone_event(8000), Some(126));
    assert_eq!(sdp.media()[0].telephone_event(48000), Some(110));
    assert_eq!(sdp.media()[0].telephone_event(16000), None);
}

#[test]
fn reads_video_codecs_and_rtx() {
    let sdp = parse(OFFER);
    let video = &sdp.media()[1];
    let vp8 = video.codec(96).unwrap();
    assert_eq!(vp8.name, "VP8");
    assert_eq!(
        vp8.rtcp_fb,
        ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"]
    );
    assert_eq!(video.codec(97).unwrap().rtx_for(), Some(96));
    assert_eq!(video.codec(45).unwrap().name, "AV1");
    assert_eq!(
        video.codec(100).unwrap().fmtp.as_deref(),
        Some("profile-id=2")
    );
    let h264: Vec<u8> = video
        .codecs()
        .iter()
        .filter(|c| c.is("h264"))
        .map(|c| c.payload_type)
        .collect();
    assert_eq!(h264, [102, 104, 106, 108, 127, 39, 112]);
}

#[test]
fn static_payload_types_need_no_rtpmap() {
    let text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
    let sdp = parse(text);
    let names: Vec<String> = sdp.media()[0]
        .codecs()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["PCMU", "PCMA", "telephone-event"]);
    assert_eq!(
        sdp.effective_connection(0),
        Some(Connection::ip4("192.0.2.1"))
    );
}

#[test]
fn codec_preference_reorders_the_m_line_and_keeps_rtx_with_its_codec() {
    let mut sdp = parse(OFFER);
    sdp.reorder_codecs(&["PCMA", "opus", "H264", "vp9"]);
    assert_eq!(
        sdp.media()[0].formats(),
        ["8", "111", "63", "9", "0", "13", "110", "126"]
    );
    assert_eq!(
        sdp.media()[1].formats(),
        [
            "102", "103", "104", "105", "106", "107", "108", "109", "127", "125", "39", "40",
            "112", "113", "98", "99", "100", "101", "96", "97", "45", "46", "116", "117", "118"
        ]
    );
    // Only the two m= lines changed.
    let changed: Vec<(&str, String)> = OFFER
        .lines()
        .zip(sdp.to_string().lines().map(str::to_owned))
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 2);
    assert!(changed.iter().all(|(old, _)| old.starts_with("m=")));
}

#[test]
fn removing_a_codec_removes_its_lines_and_its_rtx() {
    let mut sdp = parse(OFFER);
    sdp.media_mut()[1].retain_codecs(|c| !c.is("VP8")).unwrap();
    let video = &sdp.media()[1];
    assert!(!video.formats().contains(&"96") && !video.formats().contains(&"97"));
    let text = sdp.to_string();
    assert!(
        !text.contains("a=rtpmap:96 ")
            && !text.contains("a=rtcp-fb:96 ")
            && !text.contains("apt=96")
    );
    assert!(text.contains("a=rtpmap:98 VP9/90000"));
    assert_eq!(
        sdp.media_mut()[0].retain_codecs(|_| false),
        Err(SdpError::NoCodecLeft)
    );
    assert_eq!(sdp.media()[0].formats().len(), 8);
}

#[test]
fn telephone_event_is_found_or_added_with_a_free_payload_type() {
    let mut sdp = parse(OFFER);
    assert_eq!(sdp.ensure_telephone_event(0, 8000), Ok(126));
    assert_eq!(sdp.to_string(), OFFER);
    assert_eq!(sdp.ensure_telephone_event(1, 8000), Err(SdpError::NotAudio));
    assert_eq!(
        sdp.ensure_telephone_event(5, 8000),
        Err(SdpError::NoSuchMedia)
    );

    // Without it, a payload type unused by audio and video (bundled) is chosen.
    sdp.media_mut()[0]
        .retain_codecs(|c| !c.is("telephone-event"))
        .unwrap();
    assert_eq!(sdp.media()[0].telephone_event(8000), None);
    let pt = sdp.ensure_telephone_event(0, 8000).unwrap();
    assert_eq!(
        pt, 110,
        "96-109 and 112, 113, 116-118 are video's, 110 is free again"
    );
    let text = sdp.to_string();
    assert!(
        text.contains("a=rtpmap:110 telephone-event/8000\r\na=fmtp:110 0-16\r\na=ssrc:"),
        "{text}"
    );
    assert_eq!(sdp.media()[0].formats().last(), Some(&"110"));
    assert_eq!(parse(&text), sdp);
}

#[test]
fn hold_marks_sendrecv_streams_sendonly_and_resume_restores_them() {
    let mut sdp = parse(OFFER);
    assert!(!sdp.is_on_hold());
    sdp.hold();
    assert!(sdp.is_on_hold());
    assert_eq!(sdp.media()[0].direction(), Some(Direction::SendOnly));
    assert_eq!(sdp.media()[1].direction(), Some(Direction::SendOnly));
    assert_eq!(
        sdp.to_string(),
        OFFER.replace("a=sendrecv\r\n", "a=sendonly\r\n")
    );
    sdp.resume();
    assert_eq!(sdp.to_string(), OFFER);
}

#[test]
fn hold_of_a_recvonly_stream_is_inactive() {
    let mut sdp = parse(&OFFER.replacen("a=sendrecv", "a=recvonly", 1));
    sdp.hold();
    assert_eq!(sdp.media()[0].direction(), Some(Direction::Inactive));
    assert_eq!(sdp.media()[1].direction(), Some(Direction::SendOnly));
    sdp.resume();
    assert_eq!(sdp.media()[0].direction(), Some(Direction::RecvOnly));
}

#[test]
fn hold_moves_a_session_level_direction_to_each_section() {
    let text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=recvonly\r\nm=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\n";
    let mut sdp = parse(text);
    assert_eq!(sdp.effective_direction(0), Some(Direction::RecvOnly));
    assert_eq!(sdp.effective_direction(1), Some(Direction::SendRecv));
    sdp.hold();
    assert_eq!(sdp.direction(), None);
    assert_eq!(sdp.media()[0].direction(), Some(Direction::Inactive));
    assert_eq!(sdp.media()[1].direction(), Some(Direction::SendOnly));
    assert_eq!(
        sdp.to_string(),
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=inactive\r\nm=video 4002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\n"
    );
}

#[test]
fn session_level_direction_can_be_set() {
    let mut sdp = parse(OFFER);
    sdp.set_direction(Some(Direction::Inactive));
    assert_eq!(sdp.direction(), Some(Direction::Inactive));
    assert!(sdp.to_string().contains(
        "a=msid-semantic: WMS b6c1f8e2-4d3a-4c55-9a7e-2f1d0c9b8a71\r\na=inactive\r\nm=audio"
    ));
    sdp.set_direction(None);
    assert_eq!(sdp.to_string(), OFFER);
}

#[test]
fn directions_mirror_and_hold_as_rfc_3264_says() {
    assert_eq!(Direction::SendOnly.reversed(), Direction::RecvOnly);
    assert_eq!(Direction::Inactive.reversed(), Direction::Inactive);
    assert_eq!(Direction::SendRecv.held(), Direction::SendOnly);
    assert_eq!(Direction::RecvOnly.held(), Direction::Inactive);
    assert!(Direction::SendOnly.sends() && !Direction::SendOnly.receives());
}

#[test]
fn version_bump_rewrites_only_the_origin() {
    let mut sdp = parse(OFFER);
    assert_eq!(sdp.bump_version(), Some(3));
    assert_eq!(
        sdp.to_string(),
        OFFER.replace(
            "o=- 4611731400430051336 2 IN",
            "o=- 4611731400430051336 3 IN"
        )
    );
}

#[test]
fn ice_credentials_and_restart_detection() {
    let offer = parse(OFFER);
    let expected = IceCredentials {
        ufrag: "kQ3b".into(),
        pwd: "9Xp2h5m0y3f8ZkqB1sL7uVwD".into(),
    };
    assert_eq!(offer.media()[0].ice_credentials(), Some(expected.clone()));
    assert_eq!(offer.effective_ice_credentials(1), Some(expected));
    assert_eq!(offer.ice_credentials(), None);

    let same = parse(&OFFER.replace("o=- 4611731400430051336 2", "o=- 4611731400430051336 3"));
    assert!(!same.is_ice_restart(&offer));
    let restarted = parse(
        &OFFER
            .replace("a=ice-ufrag:kQ3b", "a=ice-ufrag:Zr8w")
            .replace(
                "a=ice-pwd:9Xp2h5m0y3f8ZkqB1sL7uVwD",
                "a=ice-pwd:Jm4qT7vB2xK9cL5nW8sD1fHe",
            ),
    );
    assert!(restarted.is_ice_restart(&offer));
    // The answer's credentials are the other agent's: comparing offer with answer is no restart test.
    assert!(parse(ANSWER).is_ice_restart(&offer));
}

#[test]
fn session_level_ice_credentials_apply_to_every_section() {
    let old = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:aaaa\r\na=ice-pwd:bbbbbbbbbbbbbbbbbbbbbbbb\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n";
    let new = old.replace("ice-pwd:b", "ice-pwd:c");
    let (old, new) = (parse(old), parse(&new));
    assert_eq!(old.effective_ice_credentials(0).unwrap().ufrag, "aaaa");
    assert!(new.is_ice_restart(&old));
    assert!(!old.is_ice_restart(&old.clone()));
}

#[test]
fn bandwidth_lines_are_read_set_and_placed_before_attributes() {
    let mut sdp = parse(OFFER);
    assert_eq!(sdp.media()[1].bandwidth("AS"), None);
    sdp.media_mut()[1].set_bandwidth("AS", 2000).unwrap();
    sdp.media_mut()[1].set_bandwidth("TIAS", 2_000_000).unwrap();
    assert_eq!(sdp.media()[1].bandwidth("as"), Some(2000));
    assert_eq!(sdp.media()[1].bandwidth("TIAS"), Some(2_000_000));
    let text = sdp.to_string();
    assert!(
        text.contains("m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118\r\nc=IN IP4 0.0.0.0\r\nb=AS:2000\r\nb=TIAS:2000000\r\na=rtcp:9"),
        "{text}"
    );
    sdp.media_mut()[1].set_bandwidth("AS", 512).unwrap();
    assert!(sdp.to_string().contains("b=AS:512\r\nb=TIAS:2000000\r\n"));
    sdp.media_mut()[1].remove_bandwidth("AS");
    sdp.media_mut()[1].remove_bandwidth("TIAS");
    assert_eq!(sdp.to_string(), OFFER);
    sdp.set_bandwidth("CT", 3000).unwrap();
    assert!(sdp.to_string().contains("s=-\r\nb=CT:3000\r\nt=0 0\r\n"));
    assert_eq!(
        sdp.media_mut()[0].set_bandwidth("A S", 1),
        Err(SdpError::InvalidValue)
    );
}

#[test]
fn candidates_and_connection_after_gathering() {
    let sdp = parse(WITH_CANDIDATES);
    let audio = &sdp.media()[0];
    assert_eq!(audio.port(), 54321);
    assert_eq!(audio.connection(), Some(Connection::ip4("203.0.113.7")));
    let candidates: Vec<&str> = audio.candidates().collect();
    assert_eq!(candidates.len(), 4);
    assert!(candidates[1].contains(".local 54322 typ host"));
    assert!(candidates[2].contains("typ srflx raddr 192.168.1.20"));
    assert!(!audio.end_of_candidates());
    assert_eq!(sdp.bundle_group().unwrap().mids, ["0"]);
}

#[test]
fn connection_can_be_replaced() {
    let mut sdp = parse(WITH_CANDIDATES);
    sdp.media_mut()[0].set_connection(&Connection::ip4("198.51.100.9"));
    assert_eq!(
        sdp.to_string(),
        WITH_CANDIDATES.replace("c=IN IP4 203.0.113.7", "c=IN IP4 198.51.100.9")
    );
}

#[test]
fn rejecting_a_stream_sets_port_zero() {
    let mut sdp = parse(ANSWER);
    sdp.media_mut()[1].set_port(0);
    assert!(sdp.media()[1].is_rejected());
    assert!(
        sdp.to_string()
            .contains("\r\nm=video 0 UDP/TLS/RTP/SAVPF 96 97 ")
    );
    assert_eq!(sdp.media()[0].attribute("setup"), Some("active"));
}

#[test]
fn attributes_can_be_added_and_removed() {
    let mut sdp = parse(OFFER);
    sdp.media_mut()[0].add_attribute("ptime:20").unwrap();
    assert_eq!(sdp.media()[0].attribute("ptime"), Some("20"));
    assert!(sdp.to_string().contains("a=ptime:20\r\nm=video"));
    assert_eq!(sdp.media_mut()[0].remove_attribute("ptime"), 1);
    assert_eq!(sdp.to_string(), OFFER);
    assert_eq!(
        sdp.media_mut()[0].add_attribute("x\r\nm=evil"),
        Err(SdpError::InvalidValue)
    );
    assert_eq!(sdp.remove_attribute("extmap-allow-mixed"), 1);
}

#[test]
fn malformed_descriptions_are_errors() {
    let cases: [(&str, SdpError); 10] = [
        ("", SdpError::Empty),
        (
            "o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\ns=-\r\n",
            SdpError::BadVersion,
        ),
        (
            "v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n",
            SdpError::BadVersion,
        ),
        ("v=0\r\ns=-\r\n", SdpError::BadOrigin),
        (
            "v=0\r\no=- 1 x IN IP4 1.2.3.4\r\ns=-\r\n",
            SdpError::BadOrigin,
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n",
            SdpError::MissingSessionName,
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n\r\n",
            SdpError::MalformedLine { line: 4 },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio x RTP/AVP 0\r\n",
            SdpError::MalformedMediaLine { line: 4 },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 9 RTP/AVP\r\n",
            SdpError::MalformedMediaLine { line: 4 },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4\r\n",
            SdpError::MalformedConnection { line: 4 },
        ),
    ];
    for (text, error) in cases {
        assert_eq!(SessionDescription::parse(text), Err(error), "{text:?}");
    }
    assert!(
        SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nb=AS:x\r\n").is_err()
    );
    assert!(SessionDescription::parse("v=0\ro=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n").is_err());
    assert!(SessionDescription::parse("V=0\r\n").is_err());
}

#[test]
fn no_prefix_or_mutilation_of_a_fixture_panics() {
    // Every prefix and every single-byte deletion of the offer: parse
    // returns a value or an error, and a value prints back exactly.
    let bytes = OFFER.as_bytes();
    let mut parsed = 0;
    for end in (0..=bytes.len()).filter(|&e| OFFER.is_char_boundary(e)) {
        if let Ok(sdp) = SessionDescription::parse(&OFFER[..end]) {
            assert_eq!(sdp.to_string(), &OFFER[..end]);
            parsed += 1;
        }
    }
    for skip in (0..bytes.len()).step_by(29) {
        let mut text = String::from(&OFFER[..skip]);
        text.push_str(&OFFER[skip + 1..]);
        if let Ok(mut sdp) = SessionDescription::parse(&text) {
            sdp.hold();
            sdp.reorder_codecs(&["opus", "VP9"]);
            let _ = sdp.ensure_telephone_event(0, 8000);
            let printed = sdp.to_string();
            assert_eq!(
                SessionDescription::parse(&printed).map(|s| s.to_string()),
                Ok(printed)
            );
        }
    }
    assert!(parsed > 100);
}

#[test]
fn a_line_added_after_an_unterminated_last_line_reads_back_the_same() {
    // Found by tests/sdp_fuzz.rs: the old last line kept "no terminator"
    // while no longer last, so the edit printed fine but did not equal
    // what its text reads back as.
    for text in [
        OFFER.trim_end().to_owned(),
        OFFER.replace("\r\n", "\n").trim_end().to_owned(),
    ] {
        let lf = !text.contains('\r');
        let mut sdp = parse(&text);
        let last = sdp.media().len() - 1;
        sdp.media_mut()[last].add_attribute("x-added").unwrap();
        sdp.media_mut()[last]
            .add_codec(35, "telephone-event/48000", None)
            .unwrap();
        sdp.add_attribute("x-session").unwrap();
        let printed = sdp.to_string();
        assert_eq!(parse(&printed), sdp);
        assert!(!printed.ends_with('\n'), "the end stays unterminated");
        assert_eq!(printed.contains('\r'), !lf, "line ends stay as they were");
        assert!(printed.contains(if lf { "\na=x-added" } else { "\r\na=x-added" }));
    }
    // A description of session lines only.
    let mut sdp = parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-");
    sdp.set_bandwidth("AS", 64).unwrap();
    sdp.add_attribute("x").unwrap();
    assert_eq!(
        sdp.to_string(),
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nb=AS:64\r\na=x"
    );
    assert_eq!(parse(&sdp.to_string()), sdp);
}
