//! Lines of an SDP description and the reads and edits shared by the session
//! part and media sections (RFC 8866 §5: `<type>=<value>` lines, their order).

use std::fmt;

use super::{Connection, Direction, IceCredentials, SdpError};

/// How a line ended in the input, so that printing reproduces it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Eol {
    CrLf,
    Lf,
    /// The last line of an input without a final line break.
    None,
}

impl Eol {
    fn as_str(self) -> &'static str {
        match self {
            Self::CrLf => "\r\n",
            Self::Lf => "\n",
            Self::None => "",
        }
    }
}

/// One `x=value` line, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    text: String,
    eol: Eol,
}

impl Line {
    /// A new line of type `kind` (RFC 8866 §5: one lower-case letter).
    pub(crate) fn new(kind: char, value: &str) -> Self {
        Self {
            text: format!("{kind}={value}"),
            eol: Eol::CrLf,
        }
    }

    /// Reads one input line (with its terminator); `number` is 1-based.
    pub(crate) fn parse(raw: &str, number: usize) -> Result<Self, SdpError> {
        let (text, eol) = match raw.strip_suffix("\r\n") {
            Some(text) => (text, Eol::CrLf),
            None => match raw.strip_suffix('\n') {
                Some(text) => (text, Eol::Lf),
                None => (raw, Eol::None),
            },
        };
        let mut bytes = text.bytes();
        let well_formed = matches!(bytes.next(), Some(b'a'..=b'z')) && bytes.next() == Some(b'=');
        if !well_formed || text.contains(['\r', '\n', '\0']) {
            return Err(SdpError::MalformedLine { line: number });
        }
        Ok(Self {
            text: text.to_owned(),
            eol,
        })
    }

    /// The type letter.
    pub(crate) fn kind(&self) -> char {
        self.text.chars().next().unwrap_or('\0')
    }

    /// The text after `x=`.
    pub(crate) fn value(&self) -> &str {
        self.text.get(2..).unwrap_or_default()
    }

    pub(crate) fn set_value(&mut self, value: &str) {
        let kind = self.kind();
        self.text = format!("{kind}={value}");
    }

    /// For an `a=` line, its name and value (`""` for a property attribute).
    pub(crate) fn attribute(&self) -> Option<(&str, &str)> {
        if self.kind() != 'a' {
            return None;
        }
        let value = self.value();
        Some(value.split_once(':').unwrap_or((value, "")))
    }

    /// Writes the line; a line that had no terminator gets `fallback` when
    /// more lines follow it.
    pub(crate) fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        last: bool,
        fallback: Eol,
    ) -> fmt::Result {
        f.write_str(&self.text)?;
        let eol = if self.eol == Eol::None && !last {
            fallback
        } else {
            self.eol
        };
        f.write_str(eol.as_str())
    }

    pub(crate) fn eol(&self) -> Eol {
        self.eol
    }

    pub(crate) fn set_eol(&mut self, eol: Eol) {
        self.eol = eol;
    }
}

/// A run of lines: the session part, or one media section (whose first line
/// is its `m=` line). `order` lists the line types in RFC 8866 §5 order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    pub(crate) lines: Vec<Line>,
    order: &'static str,
    /// How the description ends its lines (that of its first line), for
    /// the lines added.
    eol: Eol,
}

/// RFC 8866 §5 order of session-level lines.
pub(crate) const SESSION_ORDER: &str = "vosiuepcbtrzka";
/// RFC 8866 §5 order of media-level lines.
pub(crate) const MEDIA_ORDER: &str = "micbka";

impl Section {
    pub(crate) fn new(order: &'static str, eol: Eol) -> Self {
        Self {
            lines: Vec::new(),
            order,
            eol,
        }
    }

    /// How the description ends its lines.
    pub(crate) fn eol(&self) -> Eol {
        self.eol
    }

    pub(crate) fn first(&self, kind: char) -> Option<&Line> {
        self.lines.iter().find(|l| l.kind() == kind)
    }

    /// Values of the `a=name` lines, in order.
    pub(crate) fn attributes<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lines
            .iter()
            .filter_map(Line::attribute)
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.lines
            .iter()
            .filter_map(Line::attribute)
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// Appends `a=value` after the last line of the section.
    pub(crate) fn push_attribute(&mut self, value: &str) {
        self.insert_ordered(Line::new('a', value));
    }

    /// Removes every `a=name` line whose value satisfies `matches`; returns how many.
    pub(crate) fn remove_attributes(
        &mut self,
        name: &str,
        matches: impl Fn(&str) -> bool,
    ) -> usize {
        let before = self.lines.len();
        self.lines
            .retain(|l| !l.attribute().is_some_and(|(n, v)| n == name && matches(v)));
        before - self.lines.len()
    }

    /// Inserts `line` after the last line whose type comes no later in
    /// RFC 8866 §5 order, so `b=` goes before `a=` lines.
    pub(crate) fn insert_ordered(&mut self, line: Line) {
        let rank = |kind: char| self.order.find(kind).unwrap_or(self.order.len());
        let new_rank = rank(line.kind());
        let at = self
            .lines
            .iter()
            .rposition(|l| rank(l.kind()) <= new_rank)
            .map_or(0, |i| i + 1);
        self.insert_at(at, line);
    }

    /// Inserts `line` at index `at` (the end at most), ending it as the
    /// line before it ends (or, first, the one after). Only the last line
    /// of a description may end without a terminator: a line added after
    /// it takes that place, and the line before it then ends as the
    /// description does, which is how it prints and reads back.
    pub(crate) fn insert_at(&mut self, at: usize, mut line: Line) {
        let at = at.min(self.lines.len());
        let neighbour = at
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .or_else(|| self.lines.get(at))
            .map(Line::eol);
        line.set_eol(match neighbour {
            Some(Eol::None) | None => self.eol,
            Some(eol) => eol,
        });
        if at == self.lines.len() {
            if let Some(last) = self.lines.last_mut().filter(|l| l.eol() == Eol::None) {
                last.set_eol(self.eol);
                line.set_eol(Eol::None);
            }
        }
        self.lines.insert(at, line);
    }

    /// The direction attribute, if one is present (RFC 8866 §6.7).
    pub(crate) fn direction(&self) -> Option<Direction> {
        self.lines
            .iter()
            .filter_map(Line::attribute)
            .find_map(|(n, v)| {
                if v.is_empty() {
                    Direction::from_attribute(n)
                } else {
                    None
                }
            })
    }

    /// Replaces the direction attribute in place, adds one, or with `None`
    /// removes it. Duplicates are dropped.
    pub(crate) fn set_direction(&mut self, direction: Option<Direction>) {
        let mut kept = false;
        self.lines.retain_mut(|line| {
            if !is_direction(line) {
                return true;
            }
            match direction {
                Some(d) if !kept => {
                    line.set_value(d.as_str());
                    kept = true;
                    true
                }
                _ => false,
            }
        });
        if let (Some(d), false) = (direction, kept) {
            self.push_attribute(d.as_str());
        }
    }

    /// The `c=` line (RFC 8866 §5.7).
    pub(crate) fn connection(&self) -> Option<Connection> {
        self.first('c').and_then(|l| Connection::parse(l.value()))
    }

    pub(crate) fn set_connection(&mut self, connection: &Connection) {
        let value = connection.to_string();
        match self.lines.iter_mut().find(|l| l.kind() == 'c') {
            Some(line) => line.set_value(&value),
            None => self.insert_ordered(Line::new('c', &value)),
        }
    }

    /// The value of `b=<kind>:<value>` (RFC 8866 §5.8, RFC 3890 for TIAS).
    pub(crate) fn bandwidth(&self, kind: &str) -> Option<u64> {
        self.lines
            .iter()
            .filter(|l| l.kind() == 'b')
            .filter_map(|l| l.value().split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(kind))
            .and_then(|(_, v)| v.parse().ok())
    }

    pub(crate) fn set_bandwidth(&mut self, kind: &str, value: u64) {
        let text = format!("{kind}:{value}");
        let existing = self.lines.iter_mut().find(|l| {
            l.kind() == 'b'
                && l.value()
                    .split_once(':')
                    .is_some_and(|(k, _)| k.eq_ignore_ascii_case(kind))
        });
        match existing {
            Some(line) => line.set_value(&text),
            None => self.insert_ordered(Line::new('b', &text)),
        }
    }

    pub(crate) fn remove_bandwidth(&mut self, kind: &str) {
        self.lines.retain(|l| {
            !(l.kind() == 'b'
                && l.value()
                    .split_once(':')
                    .is_some_and(|(k, _)| k.eq_ignore_ascii_case(kind)))
        });
    }

    /// `a=ice-ufrag` and `a=ice-pwd` when both are present (RFC 8839 §5.4).
    pub(crate) fn ice_credentials(&self) -> Option<IceCredentials> {
        Some(IceCredentials {
            ufrag: self.attribute("ice-ufrag")?.to_owned(),
            pwd: self.attribute("ice-pwd")?.to_owned(),
        })
    }
}

fn is_direction(line: &Line) -> bool {
    line.attribute()
        .is_some_and(|(n, v)| v.is_empty() && Direction::from_attribute(n).is_some())
}
