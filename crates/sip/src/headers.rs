//! SIP header fields (RFC 3261 §7.3, §20): the raw header store and the
//! [`TypedHeader`] trait.
//!
//! # Raw store
//!
//! [`Headers`] keeps every header field as it was received, in order, unknown
//! ones included (RFC 3261 §7.3.1: a proxy must not reorder or drop what it
//! does not understand). The field text lives in one buffer; each entry holds
//! ranges into it, so indexing a parsed message costs no allocation per
//! header. In a message read in place ([`crate::message::MessageRef`]) that
//! buffer is the received input itself (`Headers<&str>`), and nothing is
//! copied. Names compare case-insensitively and compact forms (`v`, `f`, `t`,
//! `i`, `m`, `l`, `k`, `s`, `c`, `e`, `o`, `u`, `r`, `b`, `x`, `y`; RFC 3261
//! §7.3.3, RFC 3265, RFC 3515, RFC 3892, RFC 4028, RFC 4474) match their long
//! names.
//!
//! # Typed headers
//!
//! A typed header is parsed on demand from the raw value by
//! [`Headers::get`] / [`Headers::get_all`]. To add one, implement
//! [`TypedHeader`]:
//!
//! ```
//! use std::fmt;
//! use vani_sip::headers::{HeaderError, HeaderName, Headers, TypedHeader};
//!
//! /// `Priority` (RFC 3261 §20.26), kept as its token.
//! #[derive(Debug, PartialEq)]
//! struct Priority(String);
//!
//! impl TypedHeader<'_> for Priority {
//!     const NAME: HeaderName = HeaderName::new("Priority", None);
//!     fn parse(value: &str) -> Result<Self, HeaderError> {
//!         if value.is_empty() {
//!             return Err(HeaderError::malformed(Self::NAME, "empty value"));
//!         }
//!         Ok(Priority(value.to_owned()))
//!     }
//! }
//!
//! impl fmt::Display for Priority {
//!     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
//!         f.write_str(&self.0)
//!     }
//! }
//!
//! let mut headers = Headers::new();
//! headers.push(&Priority("urgent".into()));
//! assert_eq!(headers.get::<Priority>(), Some(Ok(Priority("urgent".into()))));
//! ```
//!
//! # Owned values and views
//!
//! The headers whose values hold text (the address headers, `Via`,
//! `Call-ID`, `Content-Type`, `Event`, the Digest challenges) come in two
//! forms that share one parser (see [`crate::text`]): the owned
//! type (`From`, `Via`) copies the text it keeps, for a value kept after the
//! message is gone; the view (`FromRef<'_>`, `ViaRef<'_>`) borrows it from
//! these headers, for a value read while the message is at hand, with no
//! copy and no allocation. `get::<From>()` and `get::<FromRef>()` read the
//! same value; `into_owned` turns a view into the owned form.
//!
//! ```
//! use vani_sip::header::{From, FromRef};
//! use vani_sip::message::Message;
//!
//! let message = Message::parse(
//!     b"BYE sip:bob@example.com SIP/2.0\r\nFrom: \"Alice\" <sip:alice@example.com>;tag=1\r\n\r\n",
//! )
//! .unwrap();
//! let from = message.headers().get::<FromRef>().unwrap().unwrap();
//! assert_eq!(from.uri.host(), "example.com");
//! assert_eq!(from.tag(), Some("1"));
//! let kept: From = from.into_owned();
//! assert_eq!(kept.display_name.as_deref(), Some("Alice"));
//! ```
//!
//! `Display` writes the value only, never the name. [`TypedHeader::parse`]
//! receives the value with surrounding whitespace trimmed and line folding
//! replaced by a single space. When [`TypedHeader::LIST`] is true, a header line
//! may carry several comma-separated values (RFC 3261 §7.3.1) and `parse` sees
//! one element at a time; [`Headers::get`] then returns the first element of
//! the first line (the topmost `Via`, the first `Route`).

use std::fmt::{self, Write as _};

/// The name of a header field, with its compact form if it has one.
///
/// Compare with [`HeaderName::matches`], which ignores ASCII case and accepts
/// the compact form.
#[derive(Debug, Clone, Copy)]
pub struct HeaderName {
    name: &'static str,
    compact: Option<&'static str>,
    /// The [`KnownId`] of a name this crate knows ([`KnownId::Unknown`] for
    /// one built with [`HeaderName::new`], which then compares by text).
    id: KnownId,
}

impl PartialEq for HeaderName {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.compact == other.compact
    }
}

impl Eq for HeaderName {}

impl std::hash::Hash for HeaderName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.compact.hash(state);
    }
}

impl HeaderName {
    /// A header name as written in its RFC, with its compact form.
    pub const fn new(name: &'static str, compact: Option<&'static str>) -> Self {
        Self {
            name,
            compact,
            id: KnownId::Unknown,
        }
    }

    /// The canonical spelling (`Call-ID`, `WWW-Authenticate`).
    pub const fn as_str(&self) -> &'static str {
        self.name
    }

    /// The compact form (`i` for `Call-ID`), if any.
    pub const fn compact(&self) -> Option<&'static str> {
        self.compact
    }

    /// Whether `name`, as received, names this header: case-insensitive and
    /// accepting the compact form.
    pub fn matches(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(self.name)
            || self.compact.is_some_and(|c| name.eq_ignore_ascii_case(c))
    }

    /// The known header that `name` (long or compact, any case) names.
    pub fn known(name: &str) -> Option<HeaderName> {
        lookup(name.as_bytes())
    }

    /// The id of a name this crate knows, [`KnownId::Unknown`] otherwise.
    pub(crate) const fn id(&self) -> KnownId {
        self.id
    }

    /// Whether the field `entry` of `buf` has this name.
    #[inline]
    fn names(&self, entry: &Entry, buf: &str) -> bool {
        if self.id == KnownId::Unknown {
            self.matches(entry.name.of(buf))
        } else {
            entry.id == self.id
        }
    }
}

/// The id of a known header name as received (long or compact form, any
/// case), or [`KnownId::Unknown`]. Candidates are picked by length and first
/// letter, then compared in full; `name` may hold any bytes.
#[inline]
pub(crate) fn known_id(name: &[u8]) -> KnownId {
    lookup(name).map_or(KnownId::Unknown, |h| h.id)
}

#[inline(always)]
fn lookup(name: &[u8]) -> Option<HeaderName> {
    let first = name.first()?.to_ascii_lowercase();
    let candidate = match (name.len(), first) {
        (1, b'b') => HeaderName::REFERRED_BY,
        (1, b'c') => HeaderName::CONTENT_TYPE,
        (1, b'e') => HeaderName::CONTENT_ENCODING,
        (1, b'f') => HeaderName::FROM,
        (1, b'i') => HeaderName::CALL_ID,
        (1, b'k') => HeaderName::SUPPORTED,
        (1, b'l') => HeaderName::CONTENT_LENGTH,
        (1, b'm') => HeaderName::CONTACT,
        (1, b'o') => HeaderName::EVENT,
        (1, b'r') => HeaderName::REFER_TO,
        (1, b's') => HeaderName::SUBJECT,
        (1, b't') => HeaderName::TO,
        (1, b'u') => HeaderName::ALLOW_EVENTS,
        (1, b'v') => HeaderName::VIA,
        (1, b'x') => HeaderName::SESSION_EXPIRES,
        (1, b'y') => HeaderName::IDENTITY,
        (2, b't') => HeaderName::TO,
        (3, b'v') => HeaderName::VIA,
        (4, b'c') => HeaderName::CSEQ,
        (4, b'd') => HeaderName::DATE,
        (4, b'f') => HeaderName::FROM,
        (4, b'p') => HeaderName::PATH,
        // Two names share a length and first letter: the second letter
        // (or, for `Refer`/`Re...`, the third) tells them apart.
        (4, b'r') => pick(name, 1, b'a', HeaderName::RACK, HeaderName::RSEQ),
        (5, b'a') => HeaderName::ALLOW,
        (5, b'e') => HeaderName::EVENT,
        (5, b'r') => HeaderName::ROUTE,
        (6, b'a') => HeaderName::ACCEPT,
        (6, b'm') => HeaderName::MIN_SE,
        (6, b'r') => HeaderName::REASON,
        (6, b's') => HeaderName::SERVER,
        (7, b'c') => pick(name, 1, b'a', HeaderName::CALL_ID, HeaderName::CONTACT),
        (7, b'e') => HeaderName::EXPIRES,
        (7, b'r') => HeaderName::REQUIRE,
        (7, b's') => HeaderName::SUBJECT,
        (7, b'w') => HeaderName::WARNING,
        (8, b'i') => HeaderName::IDENTITY,
        (8, b'r') => pick(name, 2, b'f', HeaderName::REFER_TO, HeaderName::REPLACES),
        (9, b'c') => HeaderName::CALL_INFO,
        (9, b's') => HeaderName::SUPPORTED,
        (10, b'u') => HeaderName::USER_AGENT,
        (11, b'm') => HeaderName::MIN_EXPIRES,
        (11, b'r') => pick(
            name,
            2,
            b'f',
            HeaderName::REFERRED_BY,
            HeaderName::RETRY_AFTER,
        ),
        (11, b'u') => HeaderName::UNSUPPORTED,
        (12, b'a') => HeaderName::ALLOW_EVENTS,
        (12, b'c') => HeaderName::CONTENT_TYPE,
        (12, b'm') => HeaderName::MAX_FORWARDS,
        (12, b'r') => HeaderName::RECORD_ROUTE,
        (13, b'a') => HeaderName::AUTHORIZATION,
        (13, b'p') => HeaderName::PROXY_REQUIRE,
        (13, b's') => HeaderName::SERVICE_ROUTE,
        (14, b'c') => HeaderName::CONTENT_LENGTH,
        (15, b's') => HeaderName::SESSION_EXPIRES,
        (16, b'c') => HeaderName::CONTENT_ENCODING,
        (16, b'w') => HeaderName::WWW_AUTHENTICATE,
        (18, b'p') => HeaderName::PROXY_AUTHENTICATE,
        (18, b's') => HeaderName::SUBSCRIPTION_STATE,
        (19, b'p') => pick(
            name,
            1,
            b'-',
            HeaderName::P_ASSERTED_IDENTITY,
            HeaderName::PROXY_AUTHORIZATION,
        ),
        _ => return None,
    };
    // The candidate has the name's length and first letter (a one-letter
    // name is its compact form). Names usually arrive spelled as in the RFC:
    // try that first.
    let matched = name.len() == 1 || same_name(candidate.name.as_bytes(), name);
    matched.then_some(candidate)
}

/// Whether `name` spells the known name `known` (letters and `-`) in any
/// case, comparing words rather than bytes.
///
/// Bit 5 is set in both words exactly where `known` has a letter (the bytes
/// with bit 6 set): there it lowers both cases of that letter alike and
/// maps no other byte onto it, and elsewhere (`-`) bytes compare as they
/// are. So the words are equal exactly when the names are, whatever bytes
/// `name` holds. Words overlap where the length is not a multiple of the
/// word size.
///
/// Always inlined: in wasm the compiler otherwise leaves it a call, which
/// costs a third of each name lookup (10.3 against 6.8 ns per name in a
/// loop under Node 20); natively it is inlined either way.
#[inline(always)]
fn same_name(known: &[u8], name: &[u8]) -> bool {
    const LETTER: u64 = u64::from_ne_bytes([0x40; 8]);
    let len = name.len();
    if known.len() != len {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let half = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
    };
    // Equal once bit 5 is set where `k` has a letter.
    let same = |k: u64, n: u64| {
        let fold = (k & LETTER) >> 1;
        k | fold == n | fold
    };
    match len {
        0..=3 => known
            .iter()
            .zip(name)
            .all(|(&k, &n)| same(u64::from(k), u64::from(n))),
        4..=8 => {
            same(half(known, 0), half(name, 0)) && same(half(known, len - 4), half(name, len - 4))
        }
        9..=16 => {
            same(word(known, 0), word(name, 0)) && same(word(known, len - 8), word(name, len - 8))
        }
        _ => {
            same(word(known, 0), word(name, 0))
                && same(word(known, 8), word(name, 8))
                && same(word(known, len - 8), word(name, len - 8))
                && len <= 24
        }
    }
}

/// `a` if byte `at` of `name` is `byte` (any case), else `b`: the one of two
/// candidates that `name` may be.
#[inline]
fn pick(name: &[u8], at: usize, byte: u8, a: HeaderName, b: HeaderName) -> HeaderName {
    if name.get(at).map(u8::to_ascii_lowercase) == Some(byte) {
        a
    } else {
        b
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

macro_rules! header_names {
    ($($(#[$doc:meta])* $konst:ident = $name:literal $(, $compact:literal)?;)*) => {
        /// A small number per known header name, recorded for each field when
        /// a message is indexed, so that a lookup compares numbers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        pub(crate) enum KnownId {
            Unknown,
            $($konst,)*
        }
        impl HeaderName {
            $($(#[$doc])* pub const $konst: HeaderName = HeaderName {
                name: $name,
                compact: header_names!(@c $($compact)?),
                id: KnownId::$konst,
            };)*
        }
        /// Every header name this crate knows.
        #[cfg(test)]
        pub(crate) const KNOWN: &[HeaderName] = &[$(HeaderName::$konst),*];
        /// How many [`KnownId`]s there are, `Unknown` included.
        const KNOWN_IDS: usize = 1 $(+ header_names!(@one $konst))*;
    };
    (@one $konst:ident) => { 1 };
    (@c) => { None };
    (@c $compact:literal) => { Some($compact) };
}

header_names! {
    /// RFC 3261 §20.1
    ACCEPT = "Accept";
    /// RFC 3261 §20.5
    ALLOW = "Allow";
    /// RFC 3265 §7.2.2
    ALLOW_EVENTS = "Allow-Events", "u";
    /// RFC 3261 §20.7
    AUTHORIZATION = "Authorization";
    /// RFC 3261 §20.8
    CALL_ID = "Call-ID", "i";
    /// RFC 3261 §20.9
    CALL_INFO = "Call-Info";
    /// RFC 3261 §20.10
    CONTACT = "Contact", "m";
    /// RFC 3261 §20.12
    CONTENT_ENCODING = "Content-Encoding", "e";
    /// RFC 3261 §20.14
    CONTENT_LENGTH = "Content-Length", "l";
    /// RFC 3261 §20.15
    CONTENT_TYPE = "Content-Type", "c";
    /// RFC 3261 §20.16
    CSEQ = "CSeq";
    /// RFC 3261 §20.17
    DATE = "Date";
    /// RFC 3265 §7.2.1
    EVENT = "Event", "o";
    /// RFC 3261 §20.19
    EXPIRES = "Expires";
    /// RFC 4474 §9.1
    IDENTITY = "Identity", "y";
    /// RFC 3261 §20.20
    FROM = "From", "f";
    /// RFC 3261 §20.22
    MAX_FORWARDS = "Max-Forwards";
    /// RFC 3261 §20.23
    MIN_EXPIRES = "Min-Expires";
    /// RFC 4028 §5
    MIN_SE = "Min-SE";
    /// RFC 3325 §9.1
    P_ASSERTED_IDENTITY = "P-Asserted-Identity";
    /// RFC 3327 §4
    PATH = "Path";
    /// RFC 3261 §20.27
    PROXY_AUTHENTICATE = "Proxy-Authenticate";
    /// RFC 3261 §20.28
    PROXY_AUTHORIZATION = "Proxy-Authorization";
    /// RFC 3261 §20.29
    PROXY_REQUIRE = "Proxy-Require";
    /// RFC 3262 §7.2
    RACK = "RAck";
    /// RFC 3326 §2
    REASON = "Reason";
    /// RFC 3261 §20.30
    RECORD_ROUTE = "Record-Route";
    /// RFC 3515 §2.1
    REFER_TO = "Refer-To", "r";
    /// RFC 3892 §3
    REFERRED_BY = "Referred-By", "b";
    /// RFC 3891 §6.1
    REPLACES = "Replaces";
    /// RFC 3261 §20.32
    REQUIRE = "Require";
    /// RFC 3261 §20.33
    RETRY_AFTER = "Retry-After";
    /// RFC 3261 §20.34
    ROUTE = "Route";
    /// RFC 3262 §7.1
    RSEQ = "RSeq";
    /// RFC 3261 §20.35
    SERVER = "Server";
    /// RFC 3608 §5
    SERVICE_ROUTE = "Service-Route";
    /// RFC 4028 §4
    SESSION_EXPIRES = "Session-Expires", "x";
    /// RFC 3261 §20.36
    SUBJECT = "Subject", "s";
    /// RFC 3265 §7.2.4
    SUBSCRIPTION_STATE = "Subscription-State";
    /// RFC 3261 §20.37
    SUPPORTED = "Supported", "k";
    /// RFC 3261 §20.39
    TO = "To", "t";
    /// RFC 3261 §20.40
    UNSUPPORTED = "Unsupported";
    /// RFC 3261 §20.41
    USER_AGENT = "User-Agent";
    /// RFC 3261 §20.42
    VIA = "Via", "v";
    /// RFC 3261 §20.43
    WARNING = "Warning";
    /// RFC 3261 §20.44
    WWW_AUTHENTICATE = "WWW-Authenticate";
}

/// Why a header value could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The value does not follow the header's grammar.
    #[error("malformed {header} header: {reason}")]
    Malformed {
        /// Canonical header name.
        header: &'static str,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// A number in the value is larger than the grammar allows.
    #[error("{header} header: {what} out of range")]
    OutOfRange {
        /// Canonical header name.
        header: &'static str,
        /// Which number.
        what: &'static str,
    },
    /// A raw header name is not a token, or a raw value contains CR or LF.
    #[error("invalid raw header: {0}")]
    InvalidRaw(&'static str),
}

impl HeaderError {
    /// A [`HeaderError::Malformed`] for `header`.
    // Cold, as the other error constructors: the compiler then lays the
    // paths that end in an error out of the way of those that read.
    #[cold]
    pub fn malformed(header: HeaderName, reason: &'static str) -> Self {
        Self::Malformed {
            header: header.as_str(),
            reason,
        }
    }

    /// A [`HeaderError::OutOfRange`] for `header`.
    #[cold]
    pub fn out_of_range(header: HeaderName, what: &'static str) -> Self {
        Self::OutOfRange {
            header: header.as_str(),
            what,
        }
    }
}

/// A header whose value can be parsed from and written to text.
///
/// See the [module documentation](self) for the contract and an example.
///
/// `'a` is how long the text handed to [`TypedHeader::parse`] lives: an
/// owned value (`impl TypedHeader<'_> for CSeq`) takes text of any
/// lifetime and copies what it keeps; a view (`FromRef<'a>`) keeps
/// borrowing it.
pub trait TypedHeader<'a>: Sized + fmt::Display {
    /// The header's name.
    const NAME: HeaderName;
    /// True when one line may hold several comma-separated values, each one
    /// a `Self` (RFC 3261 §7.3.1), as for `Via`, `Contact` and `Route`.
    const LIST: bool = false;
    /// For a [`Self::LIST`] header: true when [`Self::parse`] refuses every
    /// text that holds a comma outside quoted strings and `<...>` (where
    /// [`split_list`] splits). A field value that parses whole is then a
    /// list of one, so it is read whole first, without a search for commas;
    /// only a value that does not parse whole is split into elements.
    const REFUSES_COMMAS: bool = false;
    /// Parses one value (one element when [`Self::LIST`]), already trimmed
    /// and unfolded.
    fn parse(value: &'a str) -> Result<Self, HeaderError>;
}

/// A byte range into a header buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// A buffer offset as stored in a [`Span`]. Message sizes are capped far
/// below 4 GiB by the parser's limits; saturate anyway.
pub(crate) fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        Self {
            start: offset(start),
            end: offset(end),
        }
    }

    #[inline]
    pub(crate) fn of(self, text: &str) -> &str {
        text.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// One header field: where its line, name and value sit in the buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// Start of the line; the line ends where the value ends.
    pub(crate) line_start: u32,
    pub(crate) name: Span,
    pub(crate) value: Span,
    /// The value spans several lines (RFC 3261 §7.3.1 folding).
    pub(crate) folded: bool,
    /// Which known header the name is, found once when the field is added.
    pub(crate) id: KnownId,
}

/// The header fields of a message, in order, as received or pushed.
///
/// `Headers` owns its text (a `String`). `Headers<&str>` is the same index
/// over text it borrows: the fields of a [`crate::message::MessageRef`],
/// read in place in the received bytes. Every read works on both; changes
/// need the owned form ([`Headers::into_owned`]).
#[derive(Clone, Default)]
pub struct Headers<B = String> {
    buf: B,
    entries: Vec<Entry>,
    first: FirstFields,
    /// The values of folded fields, unfolded: every value can then be lent
    /// out as one `&str`. `None` (one word, nothing to set up or drop) for
    /// nearly every message.
    unfolded: Option<Box<Unfolded>>,
}

/// Folded field values with their line folds replaced by spaces.
#[derive(Clone, Default)]
struct Unfolded {
    /// For each folded field (keyed by its `line_start`), where its value
    /// sits in `text`.
    spans: Vec<(u32, Span)>,
    text: String,
}

/// Where the first field of each known name is, for headers as parsed:
/// a lookup starts there instead of at the first field, and a known name
/// that is absent is answered without a scan. Any change to the fields
/// but a parse turns it off.
#[derive(Clone)]
pub(crate) struct FirstFields {
    valid: bool,
    /// Per [`KnownId`]: 0 when there is no such field, else the index of
    /// the first one plus one (saturating: a lookup may then start early,
    /// never late).
    at: [u8; KNOWN_IDS],
}

impl Default for FirstFields {
    fn default() -> Self {
        Self {
            valid: false,
            at: [0; KNOWN_IDS],
        }
    }
}

impl FirstFields {
    /// The index of no field yet, to be filled field by field ([`Self::note`]).
    pub(crate) fn empty() -> Self {
        Self {
            valid: true,
            at: [0; KNOWN_IDS],
        }
    }

    /// Notes that field `index` is named `id`.
    #[inline]
    pub(crate) fn note(&mut self, index: usize, id: KnownId) {
        if let Some(slot) = self.at.get_mut(id as usize) {
            if *slot == 0 {
                *slot = u8::try_from(index + 1).unwrap_or(u8::MAX);
            }
        }
    }

    /// Where to start looking for the fields named `name`: `None` when
    /// there is none.
    #[inline]
    fn start(&self, name: HeaderName) -> Option<usize> {
        if !self.valid || name.id == KnownId::Unknown {
            return Some(0);
        }
        match self.at.get(name.id as usize) {
            Some(0) => None,
            Some(&at) => Some(usize::from(at) - 1),
            None => Some(0),
        }
    }
}

impl<B: AsRef<str>> Headers<B> {
    /// Headers over `buf`, indexed by `entries` and `first` (both filled
    /// by the parser, line by line); `folded` says whether any entry is
    /// folded.
    pub(crate) fn from_parts(
        buf: B,
        entries: Vec<Entry>,
        first: FirstFields,
        folded: bool,
    ) -> Self {
        let mut headers = Self {
            buf,
            entries,
            first,
            unfolded: None,
        };
        // Only a message with folded lines pays for this pass.
        if folded {
            for i in 0..headers.entries.len() {
                if let Some(&entry) = headers.entries.get(i).filter(|e| e.folded) {
                    let value = unfold(entry.value.of(headers.buf.as_ref()));
                    headers.keep_unfolded(entry.line_start, &value);
                }
            }
        }
        headers
    }

    /// The field text, lines as received or pushed.
    #[inline]
    fn text(&self) -> &str {
        self.buf.as_ref()
    }

    /// Notes `value` as the unfolded value of the folded field whose line
    /// starts at `line_start`.
    fn keep_unfolded(&mut self, line_start: u32, value: &str) {
        let unfolded = self.unfolded.get_or_insert_default();
        let start = unfolded.text.len();
        unfolded.text.push_str(value);
        unfolded
            .spans
            .push((line_start, Span::new(start, unfolded.text.len())));
    }

    /// Number of header fields (lines, not comma-separated values).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no header field.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every field as `(name as written, unfolded value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (e.name.of(self.text()), self.value_of(e)))
    }

    /// The value of the first field named `name` (any case, long or compact).
    pub fn get_raw<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.raw_values(name).next()
    }

    /// The values of every field named `name`, in order.
    pub fn raw_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let known = HeaderName::known(name);
        self.entries
            .iter()
            .filter(move |e| match known {
                Some(k) => e.id == k.id,
                None => e.name.of(self.text()).eq_ignore_ascii_case(name),
            })
            .map(|e| self.value_of(e))
    }

    /// Number of fields named `name` (lines, not comma-separated values).
    pub fn count(&self, name: HeaderName) -> usize {
        self.named(name).count()
    }

    /// Whether any field is named `name`.
    pub fn contains(&self, name: HeaderName) -> bool {
        self.named(name).next().is_some()
    }

    /// The first value of header `T`: `None` if absent, `Some(Err)` if present
    /// but malformed.
    ///
    /// `T` is an owned value (`From`) or a view that borrows the text from
    /// these headers (`FromRef<'_>`).
    pub fn get<'a, T: TypedHeader<'a>>(&'a self) -> Option<Result<T, HeaderError>> {
        self.all_values::<T>().next()
    }

    /// Every value of header `T`, in order, splitting comma-separated lists
    /// when [`TypedHeader::LIST`] is true.
    pub fn get_all<'a, T: TypedHeader<'a> + 'a>(
        &'a self,
    ) -> impl Iterator<Item = Result<T, HeaderError>> + 'a {
        self.all_values()
    }

    /// The values of header `T`, one at a time ([`Headers::get_all`]).
    fn all_values<'a, T: TypedHeader<'a>>(&'a self) -> AllValues<'a, T, B> {
        AllValues {
            headers: self,
            next_entry: self.first.start(T::NAME).unwrap_or(self.entries.len()),
            rest: None,
            _values: std::marker::PhantomData,
        }
    }

    /// The first field named `name`, line folding replaced by spaces.
    #[inline]
    pub(crate) fn first_value(&self, name: HeaderName) -> Option<&str> {
        self.named(name).next().map(|e| self.value_of(e))
    }

    /// Writes every field as `line CRLF`, as received or pushed, except that
    /// `Content-Length` always states `body_len` (RFC 3261 §20.14): a field
    /// with another value is rewritten, and one is added at the end if none
    /// exists.
    ///
    /// Consecutive lines that follow each other in the buffer, CRLF between
    /// them, are copied in one piece.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>, body_len: usize) {
        let buf = self.text().as_bytes();
        // Lines buf[start..end] not written yet, each ended by CRLF but the
        // last.
        let mut run: Option<(usize, usize)> = None;
        let flush = |out: &mut Vec<u8>, run: Option<(usize, usize)>| {
            if let Some(lines) = run.and_then(|(start, end)| buf.get(start..end)) {
                out.extend_from_slice(lines);
                out.extend_from_slice(b"\r\n");
            }
        };
        let mut length_written = false;
        for entry in &self.entries {
            if entry.id == KnownId::CONTENT_LENGTH {
                let name = entry.name.of(self.text());
                length_written = true;
                let states_len =
                    entry.value.of(self.text()).trim().parse::<usize>() == Ok(body_len);
                if !states_len {
                    flush(out, run.take());
                    write_length(out, name, body_len);
                    continue;
                }
            }
            let (start, end) = (entry.line_start as usize, entry.value.end as usize);
            run = match run {
                Some((first, last))
                    if start == last + 2 && buf.get(last..start) == Some(b"\r\n") =>
                {
                    Some((first, end))
                }
                other => {
                    flush(out, other);
                    Some((start, end))
                }
            };
        }
        flush(out, run);
        if !length_written {
            write_length(out, HeaderName::CONTENT_LENGTH.as_str(), body_len);
        }
    }

    /// Bytes of field text held, for sizing an output buffer.
    pub(crate) fn text_len(&self) -> usize {
        self.text().len()
    }

    /// The lines (`name: value` as received or pushed, without CRLF) of
    /// every field named `name`, in order.
    pub(crate) fn lines(&self, name: HeaderName) -> impl Iterator<Item = &str> {
        self.named(name).map(|e| self.line_of(e))
    }

    /// Every field as (id of its name, unfolded value), in order.
    pub(crate) fn known_fields(&self) -> impl Iterator<Item = (KnownId, &str)> {
        self.entries.iter().map(|e| (e.id, self.value_of(e)))
    }

    /// The values of every field named `name`, in order.
    pub(crate) fn values(&self, name: HeaderName) -> impl Iterator<Item = &str> {
        self.named(name).map(|e| self.value_of(e))
    }

    fn named(&self, name: HeaderName) -> impl Iterator<Item = &Entry> {
        let start = self.first.start(name).unwrap_or(self.entries.len());
        self.entries
            .get(start..)
            .unwrap_or_default()
            .iter()
            .filter(move |e| name.names(e, self.text()))
    }

    /// The value of `entry`, unfolded.
    #[inline]
    fn value_of(&self, entry: &Entry) -> &str {
        if let Some(unfolded) = self.unfolded.as_deref().filter(|_| entry.folded) {
            let span = unfolded
                .spans
                .iter()
                .find(|(line, _)| *line == entry.line_start);
            if let Some((_, span)) = span {
                return span.of(&unfolded.text);
            }
        }
        entry.value.of(self.text())
    }

    fn line_of(&self, entry: &Entry) -> &str {
        self.text()
            .get(entry.line_start as usize..entry.value.end as usize)
            .unwrap_or("")
    }
}

impl Headers<&str> {
    /// These headers owning their text: the lines are copied once.
    pub fn into_owned(self) -> Headers {
        Headers {
            buf: self.buf.to_owned(),
            entries: self.entries,
            first: self.first,
            unfolded: self.unfolded,
        }
    }
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// The buffer and the fields, for a change to the fields: the
    /// first-field index no longer holds. Every change goes through here.
    fn fields_mut(&mut self) -> (&str, &mut Vec<Entry>) {
        self.first.valid = false;
        (&self.buf, &mut self.entries)
    }

    /// The fields, for a change (see [`Headers::fields_mut`]).
    fn entries_mut(&mut self) -> &mut Vec<Entry> {
        self.fields_mut().1
    }

    /// Appends `header` as a new line at the end.
    pub fn push<'a, T: TypedHeader<'a>>(&mut self, header: &T) {
        let entry = self.append_typed(T::NAME, format_args!("{header}"));
        self.entries_mut().push(entry);
    }

    /// Appends a raw field. The name must be a token and the value must not
    /// contain CR or LF.
    pub fn push_raw(&mut self, name: &str, value: &str) -> Result<(), HeaderError> {
        check_raw(name, value)?;
        let entry = self.append_with(name, known_id(name.as_bytes()), |buf| buf.push_str(value));
        self.entries_mut().push(entry);
        Ok(())
    }

    /// Headers with room for `bytes` of field text and `fields` fields, for
    /// a message about to be built.
    pub fn with_capacity(bytes: usize, fields: usize) -> Self {
        Self {
            buf: String::with_capacity(bytes),
            entries: Vec::with_capacity(fields),
            first: FirstFields::default(),
            unfolded: None,
        }
    }

    /// Appends a field named `name` whose value `write` appends to the
    /// buffer it is given, with no string built in between. The field is
    /// dropped, and false returned, when the value written holds CR or LF.
    pub fn push_with(&mut self, name: HeaderName, write: impl FnOnce(&mut String)) -> bool {
        let id = match name.id {
            KnownId::Unknown => known_id(name.as_str().as_bytes()),
            id => id,
        };
        let entry = self.append_with(name.as_str(), id, write);
        let value = entry.value.of(&self.buf);
        if crate::syntax::find_byte2(b'\r', b'\n', value.as_bytes()).is_some() {
            self.buf.truncate(entry.line_start as usize);
            return false;
        }
        self.entries_mut().push(entry);
        true
    }

    /// Appends a field named `name` with `value`; as [`Headers::push_with`].
    pub fn push_str(&mut self, name: HeaderName, value: &str) -> bool {
        self.push_with(name, |buf| buf.push_str(value))
    }

    /// Replaces every field of header `T` by one line holding `header`, at the
    /// position of the first one (or at the end if there was none).
    pub fn set<'a, T: TypedHeader<'a>>(&mut self, header: &T) {
        let entry = self.append_typed(T::NAME, format_args!("{header}"));
        self.replace_all(T::NAME, entry);
    }

    /// Inserts `header` before every other field (for `Via`, `Route` and
    /// `Record-Route`, whose order matters; RFC 3261 §16.6, §18.1.1).
    pub fn push_front<'a, T: TypedHeader<'a>>(&mut self, header: &T) {
        let entry = self.append_typed(T::NAME, format_args!("{header}"));
        self.entries_mut().insert(0, entry);
    }

    /// Removes every field named `name`; returns how many were removed.
    pub fn remove(&mut self, name: HeaderName) -> usize {
        let (buf, entries) = self.fields_mut();
        let before = entries.len();
        entries.retain(|e| !name.names(e, buf));
        before - entries.len()
    }

    /// Removes the first field named `name`; returns whether one was removed.
    pub fn remove_first(&mut self, name: HeaderName) -> bool {
        let (buf, entries) = self.fields_mut();
        match entries.iter().position(|e| name.names(e, buf)) {
            Some(i) => {
                entries.remove(i);
                true
            }
            None => false,
        }
    }

    /// Copies every field named `name` from `other`, in order, to the end.
    pub fn copy_from<B: AsRef<str>>(&mut self, other: &Headers<B>, name: HeaderName) {
        for entry in other.named(name) {
            let line = other.line_of(entry);
            let start = self.buf.len();
            self.buf.push_str(line);
            self.buf.push_str("\r\n");
            let shift = |s: Span| {
                Span::new(
                    start + (s.start - entry.line_start) as usize,
                    start + (s.end - entry.line_start) as usize,
                )
            };
            let copy = Entry {
                line_start: offset(start),
                name: shift(entry.name),
                value: shift(entry.value),
                folded: entry.folded,
                id: entry.id,
            };
            if copy.folded {
                self.keep_unfolded(copy.line_start, other.value_of(entry));
            }
            self.entries_mut().push(copy);
        }
    }

    fn append_typed(&mut self, name: HeaderName, value: fmt::Arguments<'_>) -> Entry {
        let id = match name.id {
            KnownId::Unknown => known_id(name.as_str().as_bytes()),
            id => id,
        };
        self.append_line(name.as_str(), id, value)
    }

    fn append_line(&mut self, name: &str, id: KnownId, value: fmt::Arguments<'_>) -> Entry {
        self.append_with(name, id, |buf| {
            // Writing into a String cannot fail.
            let _ = buf.write_fmt(value);
        })
    }

    fn append_with(&mut self, name: &str, id: KnownId, write: impl FnOnce(&mut String)) -> Entry {
        let line_start = self.buf.len();
        self.buf.push_str(name);
        let name_end = self.buf.len();
        self.buf.push_str(": ");
        let value_start = self.buf.len();
        write(&mut self.buf);
        let value_end = self.buf.len();
        // Lines are kept CRLF-ended, as in a parsed message, so that
        // `write_to` copies runs of them at once.
        self.buf.push_str("\r\n");
        Entry {
            line_start: offset(line_start),
            name: Span::new(line_start, name_end),
            value: Span::new(value_start, value_end),
            folded: false,
            id,
        }
    }

    fn replace_all(&mut self, name: HeaderName, entry: Entry) {
        let (buf, entries) = self.fields_mut();
        match entries.iter().position(|e| name.names(e, buf)) {
            Some(first) => {
                let mut index = 0;
                entries.retain(|e| {
                    let keep = index == first || !name.names(e, buf);
                    index += 1;
                    keep
                });
                if let Some(slot) = entries.get_mut(first) {
                    *slot = entry;
                }
            }
            None => entries.push(entry),
        }
    }
}

impl<B: AsRef<str>, C: AsRef<str>> PartialEq<Headers<C>> for Headers<B> {
    /// Equal when the fields have the same names (as written) and values
    /// (unfolded), in the same order.
    fn eq(&self, other: &Headers<C>) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<B: AsRef<str>> Eq for Headers<B> {}

impl<B: AsRef<str>> fmt::Debug for Headers<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The values of every field of header `T`, as [`Headers::get_all`]
/// yields them: field by field, element by element for list headers.
struct AllValues<'a, T, B> {
    headers: &'a Headers<B>,
    /// The next entry to look at.
    next_entry: usize,
    /// What is left of the current field's value.
    rest: Option<&'a str>,
    _values: std::marker::PhantomData<fn() -> T>,
}

impl<'a, T: TypedHeader<'a>, B: AsRef<str>> Iterator for AllValues<'a, T, B> {
    type Item = Result<T, HeaderError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(text) = self.rest {
                if !T::LIST {
                    self.rest = None;
                    return Some(T::parse(text));
                }
                if let Some(element) = next_element(&mut self.rest) {
                    return Some(T::parse(element));
                }
            }
            let headers = self.headers;
            let entries = headers.entries.get(self.next_entry..)?;
            let at = entries
                .iter()
                .position(|e| T::NAME.names(e, headers.text()))?;
            self.next_entry += at + 1;
            let value = headers.value_of(entries.get(at)?);
            if T::LIST && T::REFUSES_COMMAS {
                let whole = T::parse(value);
                if whole.is_ok() {
                    return Some(whole);
                }
            }
            self.rest = Some(value);
        }
    }
}

fn write_length(out: &mut Vec<u8>, name: &str, body_len: usize) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    let mut digits = [0u8; 20];
    let len = u64::try_from(body_len).unwrap_or(u64::MAX);
    out.extend_from_slice(crate::syntax::decimal(len, &mut digits));
    out.extend_from_slice(b"\r\n");
}

/// Replaces each line fold (CRLF or LF followed by whitespace) by one space.
fn unfold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut lines = raw.split('\n');
    if let Some(first) = lines.next() {
        out.push_str(first.trim_end_matches('\r').trim_end());
    }
    for line in lines {
        out.push(' ');
        out.push_str(line.trim_end_matches('\r').trim());
    }
    out
}

fn check_raw(name: &str, value: &str) -> Result<(), HeaderError> {
    if name.is_empty() || !name.bytes().all(crate::syntax::is_token_byte) {
        return Err(HeaderError::InvalidRaw("name is not a token"));
    }
    if value.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(HeaderError::InvalidRaw("value contains CR or LF"));
    }
    Ok(())
}

/// Splits a header value at commas that separate list elements (RFC 3261
/// §7.3.1), skipping commas inside quoted strings and `<...>`. Elements are
/// trimmed; empty elements are kept so that `a,,b` is seen as malformed.
pub fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    std::iter::from_fn(move || next_element(&mut rest))
}

/// The next element of a list whose unread part is `rest` (trimmed), and
/// `rest` moved past it; `None` once the list is used up.
fn next_element<'a>(rest: &mut Option<&'a str>) -> Option<&'a str> {
    let text = (*rest)?;
    match list_comma(text) {
        Some(i) => {
            *rest = text.get(i + 1..);
            text.get(..i).map(str::trim_ascii)
        }
        None => {
            *rest = None;
            Some(text.trim_ascii())
        }
    }
}

/// Index of the first top-level comma in `text`: not inside a quoted string
/// (where `\` escapes the next byte) nor inside `<...>`. A `"` opens a quoted
/// string inside `<...>` too. Jumps between the bytes that matter with
/// `memchr`, since most values hold no quote and no angle bracket.
fn list_comma(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // Most values hold no comma at all: one search settles them.
    crate::syntax::find_byte(b',', bytes)?;
    let mut i = 0;
    let mut in_angle = false;
    loop {
        let rest = bytes.get(i..)?;
        let found = if in_angle {
            crate::syntax::find_byte2(b'"', b'>', rest)
        } else {
            crate::syntax::find_byte3(b',', b'"', b'<', rest)
        };
        let at = i + found?;
        match bytes.get(at) {
            Some(b',') => return Some(at),
            Some(b'<') => in_angle = true,
            Some(b'>') => in_angle = false,
            // A quoted string: skip to its closing quote.
            _ => i = at + crate::syntax::quoted_len(bytes.get(at..)?)?,
        }
        if i <= at {
            i = at + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_case_insensitive_names_match() {
        assert!(HeaderName::CALL_ID.matches("i"));
        assert!(HeaderName::CALL_ID.matches("CALL-id"));
        assert!(!HeaderName::CALL_ID.matches("Call-Info"));
        assert_eq!(HeaderName::known("v"), Some(HeaderName::VIA));
    }

    #[test]
    fn the_first_field_index_filled_by_the_parser_agrees_with_a_scan() {
        // Repeated names, compact forms, an unknown name and a folded line
        // (which must not shift the fields after it).
        let text = "INVITE sip:a@b.example SIP/2.0\r\n\
            v: SIP/2.0/WS a.invalid;branch=z9hG4bK1\r\n\
            Subject: a\r\n  folded\r\n\
            Via: SIP/2.0/WS b.invalid;branch=z9hG4bK2\r\n\
            f: <sip:a@b.example>;tag=1\r\n\
            X-Unknown: 1\r\n\
            t: <sip:b@b.example>\r\n\
            i: c1\r\n\
            CSeq: 1 INVITE\r\n\
            m: <sip:a@c.example>\r\n\
            Contact: <sip:a@d.example>\r\n\
            l: 0\r\n\r\n";
        let message = crate::message::MessageRef::parse(text.as_bytes()).expect("parses");
        let headers = message.headers();
        for name in KNOWN {
            let indexed: Vec<&str> = headers.values(*name).collect();
            let scanned: Vec<&str> = headers
                .iter()
                .filter(|(written, _)| HeaderName::known(written) == Some(*name))
                .map(|(_, value)| value)
                .collect();
            assert_eq!(indexed, scanned, "{}", name.as_str());
        }
        assert_eq!(headers.values(HeaderName::VIA).count(), 2);
        assert_eq!(headers.values(HeaderName::CONTACT).count(), 2);
        assert_eq!(headers.get_raw("x-unknown"), Some("1"));
    }

    #[test]
    fn every_known_name_is_found_in_any_case_and_form() {
        for known in KNOWN {
            for name in [
                known.as_str().to_owned(),
                known.as_str().to_ascii_lowercase(),
                known.as_str().to_ascii_uppercase(),
            ]
            .into_iter()
            .chain(known.compact().map(str::to_owned))
            .chain(known.compact().map(str::to_ascii_uppercase))
            {
                assert_eq!(HeaderName::known(&name), Some(*known), "{name}");
                assert_eq!(known_id(name.as_bytes()), known.id, "{name}");
            }
            let longer = format!("{}x", known.as_str());
            assert_eq!(HeaderName::known(&longer), None, "{longer}");
        }
        assert_eq!(HeaderName::known("X-Custom"), None);
        assert_eq!(HeaderName::known(""), None);
        assert_eq!(HeaderName::known("a"), None);
    }

    #[test]
    fn a_name_one_byte_off_is_not_the_known_name() {
        // Every position of every long name, changed to each byte that is
        // not the same letter in either case: no byte passes for a letter
        // or a '-' (CR and '-' differ only in bit 5, as do '@' and '`').
        for known in KNOWN {
            let name = known.as_str().as_bytes();
            for at in 0..name.len() {
                for b in 0..=u8::MAX {
                    if b.eq_ignore_ascii_case(&name[at]) {
                        continue;
                    }
                    let mut other = name.to_vec();
                    other[at] = b;
                    assert_ne!(
                        known_id(&other),
                        known.id,
                        "{}",
                        String::from_utf8_lossy(&other)
                    );
                }
            }
        }
        // Not a token: never a known name, even where folding would match.
        assert_eq!(HeaderName::known("Call\rID"), None);
    }

    #[test]
    fn lookups_after_changes_see_the_changed_fields() {
        let text = b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n";
        let Ok(crate::message::Message::Request(mut request)) =
            crate::message::Message::parse(text)
        else {
            panic!("parses");
        };
        let h = &mut request.headers;
        assert_eq!(h.count(HeaderName::FROM), 0);
        assert_eq!(h.get_raw("X-A"), Some("1"));
        h.push_str(HeaderName::FROM, "<sip:c@d>;tag=1");
        assert_eq!(h.first_value(HeaderName::FROM), Some("<sip:c@d>;tag=1"));
        h.push_raw("Via", "SIP/2.0/WSS first.invalid;branch=z9hG4bK0")
            .unwrap();
        assert_eq!(h.count(HeaderName::VIA), 2);
        h.remove_first(HeaderName::VIA);
        assert_eq!(
            h.first_value(HeaderName::VIA),
            Some("SIP/2.0/WSS first.invalid;branch=z9hG4bK0")
        );
        h.remove(HeaderName::TO);
        assert!(!h.contains(HeaderName::TO));
        h.push_str(HeaderName::TO, "<sip:e@f>");
        assert_eq!(h.first_value(HeaderName::TO), Some("<sip:e@f>"));
        // A clone of parsed headers keeps its index, and it still holds.
        let parsed = crate::message::Message::parse(text).map(|m| m.headers().clone());
        let parsed = parsed.unwrap();
        assert_eq!(parsed.first_value(HeaderName::CONTENT_LENGTH), Some("0"));
        assert!(!parsed.contains(HeaderName::CONTACT));
    }

    #[test]
    fn names_built_by_hand_find_indexed_fields() {
        let mut h = Headers::new();
        h.push_raw("v", "SIP/2.0/UDP a").unwrap();
        h.push_raw("X-A", "1").unwrap();
        assert_eq!(h.count(HeaderName::new("Via", Some("v"))), 1);
        assert_eq!(h.count(HeaderName::VIA), 1);
        assert_eq!(h.count(HeaderName::new("x-a", None)), 1);
        assert_eq!(HeaderName::new("Via", Some("v")), HeaderName::VIA);
    }

    #[test]
    fn push_set_remove_keep_order() {
        let mut h = Headers::new();
        h.push_raw("X-A", "1").unwrap();
        h.push_raw("X-B", "2").unwrap();
        h.push_raw("x-a", "3").unwrap();
        assert_eq!(h.raw_values("X-A").collect::<Vec<_>>(), ["1", "3"]);
        assert!(h.push_raw("bad name", "v").is_err());
        assert!(h.push_raw("X-C", "a\r\nb").is_err());
        let removed = h.remove(HeaderName::new("X-A", None));
        assert_eq!(removed, 2);
        assert_eq!(
            h.iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>(),
            ["X-B=2"]
        );
    }

    #[test]
    fn split_list_respects_quotes_and_angles() {
        let parts: Vec<_> = split_list(r#""a, b" <sip:x;p=1,2>;q=1 , c,,"#).collect();
        assert_eq!(parts, [r#""a, b" <sip:x;p=1,2>;q=1"#, "c", "", ""]);
    }

    /// The byte-by-byte definition `list_comma` must agree with.
    fn list_comma_bytewise(text: &str) -> Option<usize> {
        let (mut in_quotes, mut in_angle, mut escaped) = (false, false, false);
        for (i, b) in text.bytes().enumerate() {
            if in_quotes {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_quotes = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_quotes = true,
                b'<' => in_angle = true,
                b'>' => in_angle = false,
                b',' if !in_angle => return Some(i),
                _ => {}
            }
        }
        None
    }

    proptest::proptest! {
        #[test]
        fn list_comma_agrees_with_bytewise_scan(text in "[a,<>\"\\\\ ]{0,24}") {
            proptest::prop_assert_eq!(list_comma(&text), list_comma_bytewise(&text));
        }
    }

    #[test]
    fn list_comma_skips_quotes_escapes_and_angles() {
        assert_eq!(list_comma(r#""a\",b", c"#), Some(7));
        assert_eq!(list_comma(r#"<sip:a,b>,c"#), Some(9));
        assert_eq!(list_comma(r#"<sip:"x>,y">,z"#), Some(12));
        assert_eq!(list_comma(r#""open, never closed"#), None);
        assert_eq!(list_comma(r#""ends in escape\"#), None);
    }

    #[test]
    fn unfold_joins_continuation_lines() {
        assert_eq!(unfold("a\r\n   b\r\n\tc"), "a b c");
    }

    /// A message whose From is folded over two lines and has an escaped
    /// display name; the other headers are written plainly.
    const FOLDED: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\n\
        Via: SIP/2.0/WSS h.invalid;branch=z9hG4bK1;rport\r\n\
        From: \"A \\\"B\\\"\"\r\n <sip:a@example.com>;tag=1\r\n\
        To: Bob <sip:bob@example.com>\r\n\
        Call-ID: c1@h.invalid\r\n\
        CSeq: 1 INVITE\r\n\
        Contact: <sip:a@h.invalid;transport=ws>;expires=60\r\n\r\n";

    #[test]
    fn views_borrow_the_message_text() {
        let message = crate::message::Message::parse(FOLDED).unwrap();
        views_borrow_the_text_of(message.headers(), message.headers().text());
        // Read in place, the same views borrow the received bytes.
        let view = crate::message::MessageRef::parse(FOLDED).unwrap();
        views_borrow_the_text_of(view.headers(), std::str::from_utf8(FOLDED).unwrap());
        assert_eq!(view.headers(), message.headers());
        // Serialized, the fold is kept as received.
        let bytes = message.to_bytes();
        assert!(bytes.windows(4).any(|w| w == b"\r\n <"));
    }

    /// The views of `FOLDED`'s fields in `headers` point into `text` (the
    /// lines) or, for the folded `From`, into the unfolded copy.
    fn views_borrow_the_text_of<B: AsRef<str>>(headers: &Headers<B>, text: &str) {
        use crate::header::{CallIdRef, ContactRef, FromRef, ToRef, ViaRef};
        use std::borrow::Cow;

        let lines = text.as_bytes().as_ptr_range();
        let borrowed = |value: &str| lines.contains(&value.as_ptr());

        let via = headers.get::<ViaRef>().unwrap().unwrap();
        assert!(borrowed(&via.host) && borrowed(via.params.as_str()));
        assert_eq!(via.branch(), Some("z9hG4bK1"));
        let to = headers.get::<ToRef>().unwrap().unwrap();
        assert!(matches!(to.display_name, Some(Cow::Borrowed("Bob"))));
        assert!(borrowed(to.uri.as_str()));
        let call_id = headers.get::<CallIdRef>().unwrap().unwrap();
        assert!(borrowed(call_id.as_str()));
        let contact = headers.get::<ContactRef>().unwrap().unwrap();
        assert!(borrowed(contact.address().unwrap().uri.as_str()));
        assert_eq!(contact.expires(), Some(60));

        // The folded From is read from its unfolded copy; only the escaped
        // display name had to be rewritten.
        let unfolded = headers
            .unfolded
            .as_deref()
            .unwrap()
            .text
            .as_bytes()
            .as_ptr_range();
        let from = headers.get::<FromRef>().unwrap().unwrap();
        assert!(matches!(&from.display_name, Some(Cow::Owned(name)) if name == "A \"B\""));
        assert!(unfolded.contains(&from.uri.as_str().as_ptr()));
        assert!(unfolded.contains(&from.params.as_str().as_ptr()));
        assert_eq!(from.tag(), Some("1"));
        assert_eq!(
            from.into_owned(),
            headers.get::<crate::header::From>().unwrap().unwrap()
        );
    }

    #[test]
    fn folded_values_survive_copying_between_headers() {
        let message = crate::message::Message::parse(FOLDED).unwrap();
        let view = crate::message::MessageRef::parse(FOLDED).unwrap();
        let mut copy = Headers::new();
        copy.copy_from(message.headers(), HeaderName::FROM);
        copy.copy_from(view.headers(), HeaderName::FROM);
        let from = "\"A \\\"B\\\"\" <sip:a@example.com>;tag=1";
        assert_eq!(copy.raw_values("From").collect::<Vec<_>>(), [from, from]);
        assert_eq!(
            copy.get::<crate::header::From>(),
            message.headers().get::<crate::header::From>()
        );
    }

    /// Addresses and `Via`s, well-formed or not, to join into field values:
    /// commas and `<>` inside quotes, in URIs and in parameter values, and
    /// text that a comma would cut in two.
    const LIST_PIECES: &[&str] = &[
        "<sip:a@b>",
        "\"A, B\" <sip:c@d>;tag=1",
        "sip:e@f;p=1",
        "<sip:g@h;lr>",
        "*",
        "Bob <sip:b@c>",
        "<sip:x@y>;q=0.5;expires=10",
        "<sip:z@w>;p=\"a,b\"",
        "\"q\\\"x,\" <sip:q@r>",
        "<sip:u@v?h=1,2>",
        "\"<x>\" <sip:s@t>;p=\"<,>\"",
        "SIP/2.0/UDP h;branch=z9hG4bK1",
        "SIP/2.0/WSS [::1]:5060;rport",
        "SIP / 2.0 / TCP a.b:1;received=1.2.3.4",
        "SIP/2.0/UDP h;x=\"a,b\"",
        "SIP/2.0/UDP h , x",
    ];

    /// What reading `value` whole first must agree with: the elements
    /// `split_list` cuts it into, each parsed. Whenever `value` parses
    /// whole, it is one element; through `Headers`, `get` and `get_all`
    /// give exactly the split reading.
    fn whole_first_agrees_with_split<'a, T>(headers: &'a Headers, value: &'a str)
    where
        T: TypedHeader<'a> + PartialEq + fmt::Debug + 'a,
    {
        assert!(T::LIST && T::REFUSES_COMMAS);
        let split: Vec<Result<T, HeaderError>> = split_list(value).map(T::parse).collect();
        if let whole @ Ok(_) = T::parse(value) {
            assert_eq!(split, [whole], "{value:?} parses whole");
        }
        assert_eq!(
            headers.get_all::<T>().collect::<Vec<_>>(),
            split,
            "{value:?}"
        );
        assert_eq!(headers.get::<T>(), split.into_iter().next(), "{value:?}");
    }

    /// Reads `value` as each list header whose parser refuses commas,
    /// checking [`whole_first_agrees_with_split`].
    fn check_list_reads(value: &str) {
        for name in [
            "Contact",
            "Record-Route",
            "Route",
            "Path",
            "Service-Route",
            "P-Asserted-Identity",
            "Via",
        ] {
            let mut headers = Headers::new();
            if headers.push_raw(name, value).is_err() {
                continue;
            }
            let value = headers.get_raw(name).unwrap_or_default().to_owned();
            match name {
                "Contact" => {
                    whole_first_agrees_with_split::<crate::header::ContactRef>(&headers, &value);
                    whole_first_agrees_with_split::<crate::header::Contact>(&headers, &value);
                }
                "Record-Route" => {
                    whole_first_agrees_with_split::<crate::header::RecordRouteRef>(&headers, &value)
                }
                "Route" => whole_first_agrees_with_split::<crate::header::Route>(&headers, &value),
                "Path" => whole_first_agrees_with_split::<crate::header::PathRef>(&headers, &value),
                "Service-Route" => whole_first_agrees_with_split::<crate::header::ServiceRouteRef>(
                    &headers, &value,
                ),
                "P-Asserted-Identity" => whole_first_agrees_with_split::<
                    crate::header::PAssertedIdentityRef,
                >(&headers, &value),
                _ => {
                    whole_first_agrees_with_split::<crate::header::ViaRef>(&headers, &value);
                    whole_first_agrees_with_split::<crate::header::Via>(&headers, &value);
                }
            }
        }
    }

    #[test]
    fn a_comma_after_each_part_of_a_value_makes_a_list() {
        // A top-level comma after each part a parser reads; none may parse
        // whole, and each reads as the split list.
        for value in [
            "*,<sip:a@b>",
            "A,B <sip:a@b>",
            "<sip:a@b>,<sip:c@d>",
            "<sip:a@b>;lr,<sip:c@d>",
            "<sip:a@b>;p=1,*",
            "<sip:a@b>;p=\"x\",<sip:c@d>",
            "sip:a@b,sip:c@d",
            "sip:e@f;p=1,*",
            "SIP/2.0/UDP h,SIP/2.0/UDP g",
            "SIP/2.0/UDP h:5060,SIP/2.0/UDP g",
            "SIP/2.0/UDP h;branch=1,SIP/2.0/UDP g",
            "SIP/2.0/UDP h;rport,SIP/2.0/UDP g",
            "SIP/2.0/UDP [::1],SIP/2.0/UDP g",
        ] {
            assert!(
                crate::header::ContactRef::parse(value).is_err()
                    && crate::header::RouteRef::parse(value).is_err()
                    && crate::header::ViaRef::parse(value).is_err(),
                "{value:?} parses whole"
            );
            check_list_reads(value);
        }
    }

    proptest::proptest! {
        #[test]
        fn list_values_read_whole_first_read_as_split(
            pieces in proptest::collection::vec(proptest::sample::select(LIST_PIECES), 1..4),
            separators in proptest::collection::vec(
                proptest::sample::select(&[",", ", ", " ,", " , ", ";", " ", ",,"][..]),
                3,
            ),
            noise in "[ ,;<>\"a-z:@=*]{0,4}",
            noise_at in 0usize..64,
        ) {
            let mut value = String::new();
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    value.push_str(separators.get(i - 1).copied().unwrap_or(","));
                }
                value.push_str(piece);
            }
            let at = (0..=noise_at.min(value.len()))
                .rev()
                .find(|&i| value.is_char_boundary(i))
                .unwrap_or(0);
            value.insert_str(at, &noise);
            check_list_reads(value.trim());
        }
    }
}
