//! Codecs of an RTP media section: `a=rtpmap`, `a=fmtp`, `a=rtcp-fb` per
//! payload type (RFC 8866 §6.6, §6.15; RFC 4585 §4.2), their order on the
//! `m=` line (RFC 3264 §5.1: most preferred first), RFC 4588 `rtx`, and
//! RFC 4733 `telephone-event`.

use super::SdpError;
use super::media::{MediaSection, check_value};
use super::section::Line;

/// One payload type with what the section says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    /// The RTP payload type.
    pub payload_type: u8,
    /// Encoding name as written (`opus`, `VP8`, `telephone-event`).
    pub name: String,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Encoding parameters (audio channels), when given.
    pub channels: Option<u16>,
    /// The `a=fmtp` parameters, when present.
    pub fmtp: Option<String>,
    /// The `a=rtcp-fb` values for this payload type (`nack`, `nack pli`, ...).
    pub rtcp_fb: Vec<String>,
}

impl Codec {
    /// Whether the encoding name is `name`, ignoring ASCII case (RFC 4855 §3).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// For an RFC 4588 retransmission format, the payload type it repairs
    /// (`a=fmtp:<pt> apt=<original>`).
    pub fn rtx_for(&self) -> Option<u8> {
        if !self.is("rtx") {
            return None;
        }
        fmtp_param(self.fmtp.as_deref()?, "apt")?.parse().ok()
    }
}

/// Static payload types of RFC 3551 §6 that need no `a=rtpmap`.
fn static_codec(pt: u8) -> Option<(&'static str, u32, Option<u16>)> {
    Some(match pt {
        0 => ("PCMU", 8000, Some(1)),
        3 => ("GSM", 8000, Some(1)),
        4 => ("G723", 8000, Some(1)),
        8 => ("PCMA", 8000, Some(1)),
        9 => ("G722", 8000, Some(1)),
        13 => ("CN", 8000, Some(1)),
        18 => ("G729", 8000, Some(1)),
        26 => ("JPEG", 90000, None),
        31 => ("H261", 90000, None),
        34 => ("H263", 90000, None),
        _ => return None,
    })
}

/// Splits `<pt> <rest>` of an rtpmap/fmtp/rtcp-fb value.
fn split_pt(value: &str) -> Option<(&str, &str)> {
    value.split_once(' ')
}

/// `<encoding name>/<clock rate>[/<encoding parameters>]`.
fn parse_encoding(text: &str) -> Option<(&str, u32, Option<u16>)> {
    let mut parts = text.split('/');
    let name = parts.next().filter(|n| !n.is_empty())?;
    let rate = parts.next()?.parse().ok()?;
    let channels = match parts.next() {
        Some(c) => Some(c.parse().ok()?),
        None => None,
    };
    parts.next().is_none().then_some((name, rate, channels))
}

/// The value of `key=` in an fmtp parameter list (`a=1;b=2`).
pub(crate) fn fmtp_param<'a>(fmtp: &'a str, key: &str) -> Option<&'a str> {
    fmtp.split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Attributes that belong to one payload type.
const PER_PAYLOAD: [&str; 3] = ["rtpmap", "fmtp", "rtcp-fb"];

impl MediaSection {
    /// The numeric formats of the `m=` line.
    pub fn payload_types(&self) -> Vec<u8> {
        self.formats()
            .iter()
            .filter_map(|f| f.parse().ok())
            .collect()
    }

    fn per_payload<'a>(&'a self, name: &'a str, pt: u8) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes(name).filter_map(move |v| {
            let (p, rest) = split_pt(v)?;
            (p.parse::<u8>().ok()? == pt).then_some(rest)
        })
    }

    /// The codec behind payload type `pt`, from its `a=rtpmap` or the
    /// RFC 3551 static table.
    pub fn codec(&self, pt: u8) -> Option<Codec> {
        let (name, clock_rate, channels) = match self.per_payload("rtpmap", pt).next() {
            Some(map) => parse_encoding(map)?,
            None => static_codec(pt)?,
        };
        Some(Codec {
            payload_type: pt,
            name: name.to_owned(),
            clock_rate,
            channels,
            fmtp: self.per_payload("fmtp", pt).next().map(str::to_owned),
            rtcp_fb: self.per_payload("rtcp-fb", pt).map(str::to_owned).collect(),
        })
    }

    /// The codecs in `m=` line order, i.e. in order of preference.
    /// Formats without a readable mapping are skipped.
    pub fn codecs(&self) -> Vec<Codec> {
        self.payload_types()
            .into_iter()
            .filter_map(|pt| self.codec(pt))
            .collect()
    }

    /// Reorders the `m=` line so codecs named in `preference` (case-insensitive,
    /// most preferred first) lead, each followed by its `rtx`; the rest keep
    /// their relative order after them. Attribute lines are left as they are.
    pub fn reorder_codecs(&mut self, preference: &[&str]) {
        let formats: Vec<String> = self.formats().into_iter().map(str::to_owned).collect();
        let codecs = self.codecs();
        let position = |pt: u8| {
            formats
                .iter()
                .position(|f| f.parse::<u8>().ok() == Some(pt))
        };
        let rank = |pt: u8| {
            let codec = codecs.iter().find(|c| c.payload_type == pt);
            codec
                .and_then(|c| preference.iter().position(|p| c.is(p)))
                .unwrap_or(preference.len())
        };
        let key = |format: &String| {
            let Ok(pt) = format.parse::<u8>() else {
                return (preference.len(), usize::MAX, false);
            };
            let codec = codecs.iter().find(|c| c.payload_type == pt);
            let primary = codec.and_then(Codec::rtx_for).unwrap_or(pt);
            let is_rtx = primary != pt;
            (
                rank(primary),
                position(primary).unwrap_or(usize::MAX),
                is_rtx,
            )
        };
        let mut sorted = formats.clone();
        sorted.sort_by_key(key);
        let refs: Vec<&str> = sorted.iter().map(String::as_str).collect();
        // Never empty: it is a permutation of a valid format list.
        let _ = self.set_formats(&refs);
    }

    /// Keeps the codecs for which `keep` is true, dropping the others from
    /// the `m=` line with their `rtpmap`/`fmtp`/`rtcp-fb` lines and any
    /// `rtx` that repaired them. Refused when nothing would remain.
    pub fn retain_codecs(&mut self, keep: impl Fn(&Codec) -> bool) -> Result<(), SdpError> {
        let codecs = self.codecs();
        let mut removed: Vec<u8> = codecs
            .iter()
            .filter(|c| !keep(c))
            .map(|c| c.payload_type)
            .collect();
        let orphans = codecs
            .iter()
            .filter(|c| c.rtx_for().is_some_and(|apt| removed.contains(&apt)));
        let orphans: Vec<u8> = orphans.map(|c| c.payload_type).collect();
        removed.extend(orphans);
        let remaining: Vec<&str> = self
            .formats()
            .into_iter()
            .filter(|f| !f.parse::<u8>().is_ok_and(|pt| removed.contains(&pt)))
            .collect();
        if remaining.is_empty() {
            return Err(SdpError::NoCodecLeft);
        }
        let remaining: Vec<String> = remaining.into_iter().map(str::to_owned).collect();
        let refs: Vec<&str> = remaining.iter().map(String::as_str).collect();
        self.set_formats(&refs)?;
        for name in PER_PAYLOAD {
            self.section.remove_attributes(name, |v| {
                split_pt(v)
                    .and_then(|(p, _)| p.parse::<u8>().ok())
                    .is_some_and(|pt| removed.contains(&pt))
            });
        }
        Ok(())
    }

    /// The `telephone-event` payload type at `clock_rate` (RFC 4733 §7.1.1).
    pub fn telephone_event(&self, clock_rate: u32) -> Option<u8> {
        self.codecs()
            .into_iter()
            .find(|c| c.is("telephone-event") && c.clock_rate == clock_rate)
            .map(|c| c.payload_type)
    }

    /// Adds a codec: `pt` at the end of the `m=` line, `a=rtpmap:<pt> <encoding>`
    /// and, if given, `a=fmtp:<pt> <fmtp>`, after the existing codec lines.
    /// Refused if `pt` is already on the `m=` line.
    pub fn add_codec(
        &mut self,
        pt: u8,
        encoding: &str,
        fmtp: Option<&str>,
    ) -> Result<(), SdpError> {
        check_value(encoding)?;
        if let Some(fmtp) = fmtp {
            check_value(fmtp)?;
        }
        if parse_encoding(encoding).is_none() || self.payload_types().contains(&pt) {
            return Err(SdpError::InvalidValue);
        }
        let pt_text = pt.to_string();
        let mut formats = self.formats();
        formats.push(&pt_text);
        let formats: Vec<String> = formats.into_iter().map(str::to_owned).collect();
        let refs: Vec<&str> = formats.iter().map(String::as_str).collect();
        self.set_formats(&refs)?;
        let mut at = self.after_codec_lines();
        self.insert_line(at, Line::new('a', &format!("rtpmap:{pt} {encoding}")));
        if let Some(fmtp) = fmtp {
            at += 1;
            self.insert_line(at, Line::new('a', &format!("fmtp:{pt} {fmtp}")));
        }
        Ok(())
    }

    /// Index just after the last rtpmap/fmtp/rtcp-fb line, or the end.
    fn after_codec_lines(&self) -> usize {
        let lines = &self.section.lines;
        let last = lines
            .iter()
            .rposition(|l| l.attribute().is_some_and(|(n, _)| PER_PAYLOAD.contains(&n)));
        last.map_or(lines.len(), |i| i + 1)
    }

    fn insert_line(&mut self, at: usize, line: Line) {
        self.section.insert_at(at, line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(
            parse_encoding("opus/48000/2"),
            Some(("opus", 48000, Some(2)))
        );
        assert_eq!(parse_encoding("VP8/90000"), Some(("VP8", 90000, None)));
        assert_eq!(parse_encoding("opus"), None);
        assert_eq!(parse_encoding("opus/x"), None);
        assert_eq!(parse_encoding("a/1/2/3"), None);
    }

    #[test]
    fn fmtp_params() {
        assert_eq!(
            fmtp_param("minptime=10;useinbandfec=1", "useinbandfec"),
            Some("1")
        );
        assert_eq!(fmtp_param("apt=96", "APT"), Some("96"));
        assert_eq!(fmtp_param("0-16", "apt"), None);
    }
}
