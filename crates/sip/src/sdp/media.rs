//! One media section: the `m=` line and the lines up to the next one
//! (RFC 8866 §5.14; RFC 3264 §5.1 for what an offer's section means).

use std::fmt;

use super::section::{Eol, Line, MEDIA_ORDER, Section};
use super::types::non_empty;
use super::{Connection, Direction, IceCredentials, SdpError};

/// A media section. Every line is kept verbatim until changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSection {
    pub(crate) section: Section,
}

/// The fields of an `m=` line: `<media> <port>[/<n>] <proto> <fmt> ...`.
struct MediaLine<'a> {
    media: &'a str,
    port: &'a str,
    proto: &'a str,
    formats: Vec<&'a str>,
}

impl<'a> MediaLine<'a> {
    fn parse(value: &'a str) -> Option<Self> {
        let mut fields = value.split(' ');
        let media = non_empty(fields.next())?;
        let port = non_empty(fields.next())?;
        let proto = non_empty(fields.next())?;
        let formats: Vec<&str> = fields.collect();
        let (number, count) = port.split_once('/').unwrap_or((port, "1"));
        let valid = number.parse::<u16>().is_ok()
            && count.parse::<u16>().is_ok()
            && !formats.is_empty()
            && formats.iter().all(|f| !f.is_empty());
        valid.then_some(Self {
            media,
            port,
            proto,
            formats,
        })
    }

    fn render(&self, port: &str, formats: &[&str]) -> String {
        format!(
            "{} {} {} {}",
            self.media,
            port,
            self.proto,
            formats.join(" ")
        )
    }
}

impl MediaSection {
    /// Starts a section at its `m=` line; `number` is the 1-based line number.
    pub(crate) fn start(line: Line, number: usize, eol: Eol) -> Result<Self, SdpError> {
        if MediaLine::parse(line.value()).is_none() {
            return Err(SdpError::MalformedMediaLine { line: number });
        }
        let mut section = Section::new(MEDIA_ORDER, eol);
        section.lines.push(line);
        Ok(Self { section })
    }

    fn m_value(&self) -> &str {
        self.section
            .lines
            .first()
            .map(Line::value)
            .unwrap_or_default()
    }

    fn m_line(&self) -> Option<MediaLine<'_>> {
        MediaLine::parse(self.m_value())
    }

    fn rewrite_m_line(&mut self, port: Option<&str>, formats: Option<&[&str]>) {
        let Some(m) = self.m_line() else { return };
        let value = m.render(port.unwrap_or(m.port), formats.unwrap_or(&m.formats));
        if let Some(line) = self.section.lines.first_mut() {
            line.set_value(&value);
        }
    }

    /// `audio`, `video`, `application`, ...
    pub fn media_type(&self) -> &str {
        self.m_line().map_or("", |m| m.media)
    }

    /// The port; 0 means the stream is rejected or disabled (RFC 3264 §6).
    pub fn port(&self) -> u16 {
        let port = self.m_line().map_or("", |m| m.port);
        port.split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// Sets the port (keeping a `/<number of ports>` suffix out).
    pub fn set_port(&mut self, port: u16) {
        self.rewrite_m_line(Some(&port.to_string()), None);
    }

    /// Whether the section is rejected (port 0, RFC 3264 §6) and not bundled
    /// (RFC 9143 §7.1.3: a bundled section with port 0 carries `a=bundle-only`).
    pub fn is_rejected(&self) -> bool {
        self.port() == 0 && self.attribute("bundle-only").is_none()
    }

    /// The transport, e.g. `UDP/TLS/RTP/SAVPF`.
    pub fn proto(&self) -> &str {
        self.m_line().map_or("", |m| m.proto)
    }

    /// Whether the transport carries RTP (so codecs and directions apply).
    pub fn is_rtp(&self) -> bool {
        self.proto().split('/').any(|p| p == "RTP")
    }

    /// The formats of the `m=` line in order (payload type numbers for RTP).
    pub fn formats(&self) -> Vec<&str> {
        self.m_line().map(|m| m.formats).unwrap_or_default()
    }

    /// Replaces the formats of the `m=` line. An empty list is refused, as
    /// an `m=` line needs at least one format (RFC 8866 §5.14).
    pub fn set_formats(&mut self, formats: &[&str]) -> Result<(), SdpError> {
        if formats.is_empty()
            || formats
                .iter()
                .any(|f| f.is_empty() || f.contains(char::is_whitespace))
        {
            return Err(SdpError::InvalidFormats);
        }
        self.rewrite_m_line(None, Some(formats));
        Ok(())
    }

    /// `a=mid` (RFC 5888 §4).
    pub fn mid(&self) -> Option<&str> {
        self.attribute("mid")
    }

    /// The value of the first `a=name` line (`""` for a property attribute).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.section.attribute(name)
    }

    /// Values of all `a=name` lines, in order.
    pub fn attributes<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.section.attributes(name)
    }

    /// Adds `a=<value>` at the end of the section (`value` is `name` or
    /// `name:value`). Values with line breaks are refused.
    pub fn add_attribute(&mut self, value: &str) -> Result<(), SdpError> {
        check_value(value)?;
        self.section.push_attribute(value);
        Ok(())
    }

    /// Removes every `a=name` line; returns how many were removed.
    pub fn remove_attribute(&mut self, name: &str) -> usize {
        self.section.remove_attributes(name, |_| true)
    }

    /// The media-level direction attribute, if any (RFC 8866 §6.7).
    pub fn direction(&self) -> Option<Direction> {
        self.section.direction()
    }

    /// Sets (or with `None` removes) the media-level direction attribute.
    pub fn set_direction(&mut self, direction: Option<Direction>) {
        self.section.set_direction(direction);
    }

    /// The media-level `c=` line.
    pub fn connection(&self) -> Option<Connection> {
        self.section.connection()
    }

    /// Replaces or adds the media-level `c=` line.
    pub fn set_connection(&mut self, connection: &Connection) {
        self.section.set_connection(connection);
    }

    /// `b=<kind>:<value>`, e.g. `AS` (kbit/s) or `TIAS` (bit/s, RFC 3890).
    pub fn bandwidth(&self, kind: &str) -> Option<u64> {
        self.section.bandwidth(kind)
    }

    /// Replaces or adds `b=<kind>:<value>` (placed before `a=` lines).
    pub fn set_bandwidth(&mut self, kind: &str, value: u64) -> Result<(), SdpError> {
        check_bandwidth_kind(kind)?;
        self.section.set_bandwidth(kind, value);
        Ok(())
    }

    /// Removes `b=<kind>:...`.
    pub fn remove_bandwidth(&mut self, kind: &str) {
        self.section.remove_bandwidth(kind);
    }

    /// Media-level `a=ice-ufrag`/`a=ice-pwd` (RFC 8839 §5.4).
    pub fn ice_credentials(&self) -> Option<IceCredentials> {
        self.section.ice_credentials()
    }

    /// The `a=candidate` values (RFC 8839 §5.1), unparsed.
    pub fn candidates(&self) -> impl Iterator<Item = &str> + '_ {
        self.attributes("candidate")
    }

    /// Whether `a=end-of-candidates` is present (RFC 8838 §8.2).
    pub fn end_of_candidates(&self) -> bool {
        self.attribute("end-of-candidates").is_some()
    }

    /// Whether `a=rtcp-mux` is present (RFC 5761 §5.1.3).
    pub fn rtcp_mux(&self) -> bool {
        self.attribute("rtcp-mux").is_some()
    }

    pub(crate) fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        last_section: bool,
        fallback: Eol,
    ) -> fmt::Result {
        let count = self.section.lines.len();
        for (i, line) in self.section.lines.iter().enumerate() {
            line.write(f, last_section && i + 1 == count, fallback)?;
        }
        Ok(())
    }
}

/// A value for a new line: no line breaks or NUL (RFC 8866 §5).
pub(crate) fn check_value(value: &str) -> Result<(), SdpError> {
    if value.is_empty() || value.contains(['\r', '\n', '\0']) {
        return Err(SdpError::InvalidValue);
    }
    Ok(())
}

/// `bwtype` is a token (RFC 8866 §9).
pub(crate) fn check_bandwidth_kind(kind: &str) -> Result<(), SdpError> {
    if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(SdpError::InvalidValue);
    }
    Ok(())
}
