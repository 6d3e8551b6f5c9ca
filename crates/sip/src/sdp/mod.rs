//! SDP for offer/answer: what a softphone reads or changes in a session
//! description (RFC 8866, which obsoletes RFC 4566; RFC 3264 offer/answer).
//!
//! [`SessionDescription::parse`] keeps every line verbatim, unknown ones
//! included, and printing a parsed description reproduces it byte for byte
//! (line endings too). Edits rewrite only the lines they touch:
//!
//! - media sections and their `m=` lines (RFC 8866 §5.14);
//! - direction attributes and hold (RFC 8866 §6.7, RFC 3264 §8.4);
//! - codecs, their order and `telephone-event` (RFC 8866 §6.6, RFC 4733 §7);
//! - ICE credentials and ICE restart detection (RFC 8839 §4.4.1.1.1, §5.4);
//! - bandwidth (`b=AS`, `b=TIAS`; RFC 8866 §5.8, RFC 3890) and `c=` lines;
//! - `a=group:BUNDLE` and `a=mid` (RFC 5888, RFC 9143).
//!
//! No SDP crate was used: the `sdp` crate of webrtc-rs re-serialises in its own
//! order (so an answer would not reproduce what the browser wrote) and
//! depends on `rand` with a global RNG, which this stack must not use.

mod codec;
mod media;
mod section;
mod types;

use std::fmt;
use std::str::FromStr;

pub use codec::Codec;
pub use media::MediaSection;
pub use types::{Connection, Direction, Group, IceCredentials, Origin};

use media::{check_bandwidth_kind, check_value};
use section::{Eol, Line, SESSION_ORDER, Section};

/// Why an SDP body was refused or an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// The body is empty.
    #[error("empty session description")]
    Empty,
    /// A line is not `<letter>=<value>` or contains a control character.
    #[error("line {line}: not a <type>=<value> line")]
    MalformedLine {
        /// 1-based line number.
        line: usize,
    },
    /// The first line is not `v=0` (RFC 8866 §5.1).
    #[error("the first line must be v=0")]
    BadVersion,
    /// The `o=` line is missing or does not have six fields (RFC 8866 §5.2).
    #[error("missing or malformed o= line")]
    BadOrigin,
    /// The `s=` line is missing (RFC 8866 §5.3).
    #[error("missing s= line")]
    MissingSessionName,
    /// An `m=` line does not read as `<media> <port> <proto> <fmt>...`.
    #[error("line {line}: malformed m= line")]
    MalformedMediaLine {
        /// 1-based line number.
        line: usize,
    },
    /// A `c=` line does not have three fields.
    #[error("line {line}: malformed c= line")]
    MalformedConnection {
        /// 1-based line number.
        line: usize,
    },
    /// A `b=` line is not `<type>:<number>`.
    #[error("line {line}: malformed b= line")]
    MalformedBandwidth {
        /// 1-based line number.
        line: usize,
    },
    /// There is no media section with that index or mid.
    #[error("no such media section")]
    NoSuchMedia,
    /// `telephone-event` was asked for in a section that is not audio.
    #[error("not an audio section")]
    NotAudio,
    /// Every dynamic payload type is taken.
    #[error("no free dynamic payload type")]
    NoFreePayloadType,
    /// Removing codecs would leave the `m=` line without formats.
    #[error("no codec would be left")]
    NoCodecLeft,
    /// A format list would be empty or hold whitespace.
    #[error("invalid format list")]
    InvalidFormats,
    /// A value for a new or changed line is empty, malformed or has a line break.
    #[error("invalid value for an SDP line")]
    InvalidValue,
}

/// A parsed session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    session: Section,
    media: Vec<MediaSection>,
}

impl SessionDescription {
    /// Parses a description. Lines may end in CRLF (RFC 8866 §5) or LF.
    pub fn parse(text: &str) -> Result<Self, SdpError> {
        if text.is_empty() {
            return Err(SdpError::Empty);
        }
        // Lines added, and a line that lost its place as the last, end as
        // the first line does.
        let eol = match text.split_inclusive('\n').next() {
            Some(first) if first.ends_with('\n') && !first.ends_with("\r\n") => Eol::Lf,
            _ => Eol::CrLf,
        };
        let mut session = Section::new(SESSION_ORDER, eol);
        let mut media: Vec<MediaSection> = Vec::new();
        for (index, raw) in text.split_inclusive('\n').enumerate() {
            let number = index + 1;
            let line = Line::parse(raw, number)?;
            check_line(&line, number)?;
            if line.kind() == 'm' {
                media.push(MediaSection::start(line, number, eol)?);
            } else if let Some(section) = media.last_mut() {
                section.section.lines.push(line);
            } else {
                session.lines.push(line);
            }
        }
        check_session(&session)?;
        Ok(Self { session, media })
    }

    /// The `o=` line.
    pub fn origin(&self) -> Option<Origin> {
        self.session
            .first('o')
            .and_then(|l| Origin::parse(l.value()))
    }

    /// Increments `<sess-version>`, as every new offer or answer in a
    /// session must (RFC 3264 §8). Returns the new version.
    pub fn bump_version(&mut self) -> Option<u64> {
        let mut origin = self.origin()?;
        origin.session_version = origin.session_version.checked_add(1)?;
        let line = self.session.lines.iter_mut().find(|l| l.kind() == 'o')?;
        line.set_value(&origin.to_string());
        Some(origin.session_version)
    }

    /// The value of the first session-level `a=name` line.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.session.attribute(name)
    }

    /// Values of all session-level `a=name` lines.
    pub fn attributes<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.session.attributes(name)
    }

    /// Adds a session-level `a=<value>` after the other session lines.
    pub fn add_attribute(&mut self, value: &str) -> Result<(), SdpError> {
        check_value(value)?;
        self.session.push_attribute(value);
        Ok(())
    }

    /// Removes every session-level `a=name` line; returns how many.
    pub fn remove_attribute(&mut self, name: &str) -> usize {
        self.session.remove_attributes(name, |_| true)
    }

    /// The session-level direction attribute, if any.
    pub fn direction(&self) -> Option<Direction> {
        self.session.direction()
    }

    /// Sets or removes the session-level direction attribute.
    pub fn set_direction(&mut self, direction: Option<Direction>) {
        self.session.set_direction(direction);
    }

    /// The session-level `c=` line.
    pub fn connection(&self) -> Option<Connection> {
        self.session.connection()
    }

    /// Replaces or adds the session-level `c=` line.
    pub fn set_connection(&mut self, connection: &Connection) {
        self.session.set_connection(connection);
    }

    /// Session-level `b=<kind>:<value>`.
    pub fn bandwidth(&self, kind: &str) -> Option<u64> {
        self.session.bandwidth(kind)
    }

    /// Replaces or adds session-level `b=<kind>:<value>` (before `t=`).
    pub fn set_bandwidth(&mut self, kind: &str, value: u64) -> Result<(), SdpError> {
        check_bandwidth_kind(kind)?;
        self.session.set_bandwidth(kind, value);
        Ok(())
    }

    /// Removes session-level `b=<kind>:...`.
    pub fn remove_bandwidth(&mut self, kind: &str) {
        self.session.remove_bandwidth(kind);
    }

    /// Session-level ICE credentials.
    pub fn ice_credentials(&self) -> Option<IceCredentials> {
        self.session.ice_credentials()
    }

    /// The `a=group` attributes (RFC 5888 §5).
    pub fn groups(&self) -> Vec<Group> {
        self.attributes("group").filter_map(Group::parse).collect()
    }

    /// The `a=group:BUNDLE` group, if any (RFC 9143 §7.1).
    pub fn bundle_group(&self) -> Option<Group> {
        self.groups().into_iter().find(|g| g.semantics == "BUNDLE")
    }

    /// The media sections in order.
    pub fn media(&self) -> &[MediaSection] {
        &self.media
    }

    /// The media sections, to edit.
    pub fn media_mut(&mut self) -> &mut [MediaSection] {
        &mut self.media
    }

    /// The media section with `a=mid:<mid>`.
    pub fn media_by_mid(&self, mid: &str) -> Option<&MediaSection> {
        self.media.iter().find(|m| m.mid() == Some(mid))
    }

    /// The media section with `a=mid:<mid>`, to edit.
    pub fn media_by_mid_mut(&mut self, mid: &str) -> Option<&mut MediaSection> {
        self.media.iter_mut().find(|m| m.mid() == Some(mid))
    }

    /// The direction in force for section `index`: media level, else session
    /// level, else `sendrecv` (RFC 8866 §6.7).
    pub fn effective_direction(&self, index: usize) -> Option<Direction> {
        let media = self.media.get(index)?;
        Some(
            media
                .direction()
                .or_else(|| self.direction())
                .unwrap_or(Direction::SendRecv),
        )
    }

    /// The ICE credentials in force for section `index`: media level, else
    /// session level (RFC 8839 §5.4).
    pub fn effective_ice_credentials(&self, index: usize) -> Option<IceCredentials> {
        self.media
            .get(index)?
            .ice_credentials()
            .or_else(|| self.ice_credentials())
    }

    /// The `c=` line in force for section `index`: media level, else session level.
    pub fn effective_connection(&self, index: usize) -> Option<Connection> {
        self.media
            .get(index)?
            .connection()
            .or_else(|| self.connection())
    }

    /// Puts every active RTP stream on hold (RFC 3264 §8.4): `sendrecv`
    /// becomes `sendonly` and `recvonly` becomes `inactive`. The result is
    /// written at media level and a session-level direction is removed, so
    /// each section states its direction alone.
    pub fn hold(&mut self) {
        self.rewrite_directions(Direction::held);
    }

    /// Takes every active RTP stream off hold: the inverse of [`Self::hold`].
    pub fn resume(&mut self) {
        self.rewrite_directions(Direction::resumed);
    }

    fn rewrite_directions(&mut self, change: fn(Direction) -> Direction) {
        let session = self.direction();
        for media in self
            .media
            .iter_mut()
            .filter(|m| m.is_rtp() && !m.is_rejected())
        {
            let current = media.direction().or(session).unwrap_or(Direction::SendRecv);
            media.set_direction(Some(change(current)));
        }
        self.set_direction(None);
    }

    /// Whether no active RTP stream is sent and received both ways:
    /// every one is `sendonly`, `recvonly` or `inactive` (RFC 3264 §8.4).
    pub fn is_on_hold(&self) -> bool {
        let mut active = self.active_rtp().peekable();
        active.peek().is_some()
            && active.all(|i| self.effective_direction(i) != Some(Direction::SendRecv))
    }

    fn active_rtp(&self) -> impl Iterator<Item = usize> + '_ {
        self.media
            .iter()
            .enumerate()
            .filter(|(_, m)| m.is_rtp() && !m.is_rejected())
            .map(|(i, _)| i)
    }

    /// Whether `self`, a new offer, restarts ICE relative to `previous`: a
    /// section present in both (matched by mid, else by index) changed its
    /// ufrag or password (RFC 8839 §4.4.1.1.1).
    pub fn is_ice_restart(&self, previous: &SessionDescription) -> bool {
        (0..self.media.len()).any(|index| {
            let Some(old_index) = previous.matching_index(self, index) else {
                return false;
            };
            let (new, old) = (
                self.effective_ice_credentials(index),
                previous.effective_ice_credentials(old_index),
            );
            matches!((new, old), (Some(n), Some(o)) if n != o)
        })
    }

    fn matching_index(&self, other: &SessionDescription, index: usize) -> Option<usize> {
        match other.media.get(index)?.mid() {
            Some(mid) => self.media.iter().position(|m| m.mid() == Some(mid)),
            None => (index < self.media.len()).then_some(index),
        }
    }

    /// Reorders the codecs of every RTP section by `preference` (see
    /// [`MediaSection::reorder_codecs`]).
    pub fn reorder_codecs(&mut self, preference: &[&str]) {
        for media in self.media.iter_mut().filter(|m| m.is_rtp()) {
            media.reorder_codecs(preference);
        }
    }

    /// The payload type of `telephone-event/<clock_rate>` in audio section
    /// `index`, adding it (`a=fmtp:<pt> 0-16`, RFC 4733 §7.1.1) with a
    /// dynamic payload type unused in every section when absent, since
    /// bundled sections share the payload type space (RFC 9143 §7.5).
    pub fn ensure_telephone_event(
        &mut self,
        index: usize,
        clock_rate: u32,
    ) -> Result<u8, SdpError> {
        let media = self.media.get(index).ok_or(SdpError::NoSuchMedia)?;
        if media.media_type() != "audio" || !media.is_rtp() {
            return Err(SdpError::NotAudio);
        }
        if let Some(pt) = media.telephone_event(clock_rate) {
            return Ok(pt);
        }
        let taken: Vec<u8> = self
            .media
            .iter()
            .flat_map(MediaSection::payload_types)
            .collect();
        let pt = (96..=127u8)
            .chain(35..=63)
            .find(|pt| !taken.contains(pt))
            .ok_or(SdpError::NoFreePayloadType)?;
        let media = self.media.get_mut(index).ok_or(SdpError::NoSuchMedia)?;
        media.add_codec(pt, &format!("telephone-event/{clock_rate}"), Some("0-16"))?;
        Ok(pt)
    }
}

/// Field checks of lines whose shape later reads rely on.
fn check_line(line: &Line, number: usize) -> Result<(), SdpError> {
    match line.kind() {
        'c' if Connection::parse(line.value()).is_none() => {
            Err(SdpError::MalformedConnection { line: number })
        }
        'b' => {
            let valid = line
                .value()
                .split_once(':')
                .is_some_and(|(k, v)| !k.is_empty() && v.parse::<u64>().is_ok());
            if valid {
                Ok(())
            } else {
                Err(SdpError::MalformedBandwidth { line: number })
            }
        }
        _ => Ok(()),
    }
}

/// `v=0` first, then `o=` and `s=` (RFC 8866 §5).
fn check_session(session: &Section) -> Result<(), SdpError> {
    if session.lines.first().map(|l| (l.kind(), l.value())) != Some(('v', "0")) {
        return Err(SdpError::BadVersion);
    }
    if session
        .first('o')
        .and_then(|l| Origin::parse(l.value()))
        .is_none()
    {
        return Err(SdpError::BadOrigin);
    }
    if session.first('s').is_none() {
        return Err(SdpError::MissingSessionName);
    }
    Ok(())
}

impl FromStr for SessionDescription {
    type Err = SdpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fallback = self.session.eol();
        let count = self.session.lines.len();
        for (i, line) in self.session.lines.iter().enumerate() {
            line.write(f, self.media.is_empty() && i + 1 == count, fallback)?;
        }
        let sections = self.media.len();
        for (i, media) in self.media.iter().enumerate() {
            media.write(f, i + 1 == sections, fallback)?;
        }
        Ok(())
    }
}
