//! What the bot accepts in a remote offer, checked before it reaches the
//! WebRTC engine: a parseable SDP (RFC 8866) with an audio section over a
//! WebRTC profile (`UDP/TLS/RTP/SAVPF`, RFC 8827) that offers Opus.

use vani_sip::sdp::SessionDescription;

/// Why an offer cannot be answered; the call is rejected with
/// [`OfferProblem::status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfferProblem {
    /// The SDP does not parse.
    #[error("malformed SDP: {0}")]
    Malformed(String),
    /// No audio section offers Opus over DTLS-SRTP.
    #[error("no supported audio codec (Opus over UDP/TLS/RTP/SAVPF) offered")]
    NoSupportedCodec,
}

impl OfferProblem {
    /// The SIP status to reject the INVITE with: 488 Not Acceptable Here
    /// (RFC 3261 §21.4.26), for both a body we cannot read and one we cannot
    /// use.
    pub fn status(&self) -> u16 {
        488
    }
}

/// Whether `offer` is one the bot can answer; also says whether it has video.
pub fn check(offer: &str) -> Result<OfferSummary, OfferProblem> {
    let sdp =
        SessionDescription::parse(offer).map_err(|e| OfferProblem::Malformed(e.to_string()))?;
    let webrtc = |proto: &str| proto.eq_ignore_ascii_case("UDP/TLS/RTP/SAVPF");
    let usable = |kind: &str| {
        sdp.media().iter().any(|m| {
            m.media_type() == kind
                && !m.is_rejected()
                && webrtc(m.proto())
                && !m.codecs().is_empty()
        })
    };
    let opus = sdp.media().iter().any(|m| {
        m.media_type() == "audio"
            && !m.is_rejected()
            && webrtc(m.proto())
            && m.codecs()
                .iter()
                .any(|c| c.is("opus") && c.clock_rate == 48_000)
    });
    if !opus {
        return Err(OfferProblem::NoSupportedCodec);
    }
    Ok(OfferSummary {
        video: usable("video"),
    })
}

/// What an acceptable offer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferSummary {
    /// A usable video section is offered too.
    pub video: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBRTC: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111 110\r\nc=IN IP4 0.0.0.0\r\n\
        a=rtpmap:111 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\n";

    #[test]
    fn accepts_opus_over_dtls_srtp() {
        assert_eq!(check(WEBRTC), Ok(OfferSummary { video: false }));
    }

    #[test]
    fn refuses_plain_rtp_and_other_codecs() {
        let pcmu = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
            m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        assert_eq!(check(pcmu), Err(OfferProblem::NoSupportedCodec));
        let g722 = WEBRTC.replace("opus/48000/2", "G722/8000");
        assert_eq!(check(&g722), Err(OfferProblem::NoSupportedCodec));
    }

    #[test]
    fn malformed_sdp_is_a_problem_not_a_crash() {
        assert!(matches!(
            check("this is not SDP"),
            Err(OfferProblem::Malformed(_))
        ));
        assert!(matches!(check(""), Err(OfferProblem::Malformed(_))));
    }
}
