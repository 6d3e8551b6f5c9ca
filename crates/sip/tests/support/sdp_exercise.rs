// Everything a user agent does with a session description from the
// network, for the seeded SDP fuzz test (`tests/sdp_fuzz.rs`) and the fuzz
// target (`fuzz/fuzz_targets/sdp.rs`), which is a workspace of its own and
// so includes this file rather than sharing a module.
//
// `exercise_sdp(text)` parses `text`; when it parses, it asserts that the
// description prints back byte for byte, reads everything there is to read,
// makes every edit the user agent makes (hold, resume, codec preference,
// telephone-event, bandwidth, ports, directions, attributes, version), and
// asserts that the edited description prints as text that parses back to
// it. Returns whether `text` parsed. No input may panic.

fn exercise_sdp(text: &str) -> bool {
    use vani_sip::sdp::{Connection, Direction, SessionDescription};

    let Ok(original) = SessionDescription::parse(text) else {
        return false;
    };
    assert_eq!(original.to_string(), text, "a parsed description prints back");

    // Reads.
    let _ = (original.origin(), original.direction(), original.connection());
    let _ = (original.bandwidth("AS"), original.bandwidth("TIAS"));
    let _ = (original.ice_credentials(), original.groups(), original.bundle_group());
    let _ = original.attributes("group").count() + original.attribute("ice-options").map_or(0, str::len);
    for (index, media) in original.media().iter().enumerate() {
        let _ = (media.media_type(), media.port(), media.is_rejected(), media.proto());
        let _ = (media.is_rtp(), media.formats(), media.mid(), media.direction());
        let _ = (media.connection(), media.bandwidth("AS"), media.ice_credentials());
        let _ = (media.candidates().count(), media.end_of_candidates(), media.rtcp_mux());
        for pt in media.payload_types() {
            let _ = media.codec(pt).map(|codec| codec.rtx_for());
        }
        let _ = (media.codecs(), media.telephone_event(8000));
        let _ = original.effective_direction(index);
        let _ = original.effective_ice_credentials(index);
        let _ = original.effective_connection(index);
        if let Some(mid) = media.mid() {
            assert!(original.media_by_mid(mid).is_some());
        }
    }
    let _ = (original.is_on_hold(), original.is_ice_restart(&original));

    // Edits, each kept only if it is accepted; the result must print as a
    // description that parses back to it.
    let mut edited = original.clone();
    let _ = edited.bump_version();
    edited.hold();
    let _ = edited.is_on_hold();
    edited.resume();
    edited.reorder_codecs(&["opus", "PCMU", "telephone-event"]);
    for index in 0..edited.media().len() {
        let _ = edited.ensure_telephone_event(index, 8000);
    }
    for media in edited.media_mut() {
        let _ = media.retain_codecs(|codec| !codec.is("G722"));
        let _ = media.set_bandwidth("AS", 64);
        media.remove_bandwidth("TIAS");
        media.set_direction(Some(Direction::SendOnly));
        let _ = media.add_attribute("x-checked");
        media.remove_attribute("ssrc");
        media.set_connection(&Connection::ip4("192.0.2.1"));
        if !media.is_rejected() {
            media.set_port(9);
        }
        let _ = media.add_codec(35, "telephone-event/48000", Some("0-16"));
    }
    edited.set_direction(None);
    let _ = edited.set_bandwidth("AS", 128);
    let _ = edited.add_attribute("x-session");
    let printed = edited.to_string();
    let again = SessionDescription::parse(&printed).expect("an edited description parses");
    assert_eq!(again, edited, "an edited description reads back as it was");
    let _ = edited.is_ice_restart(&original);
    true
}
