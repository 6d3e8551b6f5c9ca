//! Addresses with display names and header parameters: `name-addr` and
//! `addr-spec` (RFC 3261 §20.10, §25.1), as in `From`, `To`, `Contact`,
//! `Route`, `Refer-To` and `P-Asserted-Identity`.

use std::borrow::Cow;
use std::fmt;

use smol_str::SmolStr;

use crate::params::Params;
use crate::syntax::{is_token_byte, take_quoted, write_quoted};
use crate::text::Text;
use crate::uri::Uri;

/// An address: optional display name, URI and header parameters
/// (`"Alice" <sip:alice@example.com>;tag=1928301774`).
///
/// `S` holds the text (see [`crate::text`]): a `NameAddr` owns it, a
/// [`NameAddrRef`] borrows it from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr<S: AsRef<str> = SmolStr> {
    /// The display name, unquoted and unescaped (UTF-8 allowed; owned, held
    /// inline, without an allocation, up to 23 bytes).
    pub display_name: Option<S>,
    /// The address.
    pub uri: Uri<S>,
    /// Header parameters after the address (`;tag=...`, `;expires=...`).
    pub params: Params<S>,
}

/// A [`NameAddr`] read in place.
pub type NameAddrRef<'a> = NameAddr<Cow<'a, str>>;

/// Why an address could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddrError {
    /// Quoted display name without its closing quote.
    UnterminatedQuote,
    /// A display name with characters that need quoting.
    DisplayName,
    /// `<` without `>`, or whitespace inside the brackets.
    Brackets,
    /// The URI itself.
    Uri,
    /// A bare `addr-spec` holding `,` or `?`, which needs `<>` (RFC 3261 §20.10).
    NeedsBrackets,
    /// The header parameters.
    Params(&'static str),
}

impl AddrError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::UnterminatedQuote => "unterminated quoted display name",
            Self::DisplayName => "display name has characters that must be quoted",
            Self::Brackets => "malformed <...> around the URI",
            Self::Uri => "invalid URI",
            Self::NeedsBrackets => "a URI with ',' or '?' must be enclosed in <>",
            Self::Params(reason) => reason,
        }
    }
}

impl NameAddr {
    /// An address with no display name and no parameters.
    pub fn new(uri: Uri) -> Self {
        Self {
            display_name: None,
            uri,
            params: Params::new(),
        }
    }

    /// The same address with a display name.
    pub fn with_display_name(mut self, name: impl Into<SmolStr>) -> Self {
        self.display_name = Some(name.into());
        self
    }
}

impl<S: AsRef<str>> NameAddr<S> {
    /// The `tag` parameter (RFC 3261 §19.3).
    pub fn tag(&self) -> Option<&str> {
        self.params.get("tag").flatten()
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> NameAddr {
        NameAddr {
            display_name: self.display_name.map(|n| SmolStr::new(n.as_ref())),
            uri: self.uri.into_owned(),
            params: self.params.into_owned(),
        }
    }
}

impl NameAddr {
    /// Parses `name-addr` or `addr-spec` followed by header parameters.
    pub(crate) fn parse(value: &str) -> Result<Self, AddrError> {
        Self::parse_as(value)
    }
}

impl<'a> NameAddrRef<'a> {
    /// [`NameAddr::parse`] in place, borrowing `value`.
    pub(crate) fn view(value: &'a str) -> Result<Self, AddrError> {
        Self::parse_as(value)
    }
}

/// The URI of the address `value` (`name-addr` or `addr-spec`), as
/// written; `None` when `value` is not an address.
pub(crate) fn uri_text(value: &str) -> Option<String> {
    NameAddrRef::view(value)
        .ok()
        .map(|addr| addr.uri.as_str().to_owned())
}

impl<'a, S: Text<'a>> NameAddr<S> {
    /// Parses `value` into either form.
    pub(crate) fn parse_as(value: &'a str) -> Result<Self, AddrError> {
        Self::parse_visiting(value, |_, _| {})
    }

    /// [`NameAddr::parse`], passing each header parameter to `visit` (see
    /// [`Params::parse_header_visiting`]).
    pub(crate) fn parse_visiting(
        value: &'a str,
        visit: impl FnMut(&'a str, Option<&'a str>),
    ) -> Result<Self, AddrError> {
        let value = value.trim_ascii();
        let (display_name, rest) = if value.starts_with('<') {
            (None, value)
        } else if value.starts_with('"') {
            let (name, rest) = take_quoted(value).ok_or(AddrError::UnterminatedQuote)?;
            if !rest.trim_ascii_start().starts_with('<') {
                return Err(AddrError::Brackets);
            }
            (Some(S::found_or_built(name)), rest.trim_ascii_start())
        } else if let Some(lt) = crate::syntax::find_byte(b'<', value.as_bytes()) {
            let words = value.get(..lt).unwrap_or("").trim_ascii();
            if !words
                .split_ascii_whitespace()
                .all(|w| w.bytes().all(is_token_byte))
            {
                return Err(AddrError::DisplayName);
            }
            let name = (!words.is_empty()).then(|| S::found_or_built(single_spaced(words)));
            (name, value.get(lt..).unwrap_or(""))
        } else {
            return Self::parse_addr_spec(value, visit);
        };
        let inner_and_rest = rest.strip_prefix('<').ok_or(AddrError::Brackets)?;
        let close =
            crate::syntax::find_byte(b'>', inner_and_rest.as_bytes()).ok_or(AddrError::Brackets)?;
        let inner = inner_and_rest.get(..close).unwrap_or("");
        let uri = Uri::parse_as(inner).map_err(|_| AddrError::Uri)?;
        let params =
            Params::parse_header_visiting(inner_and_rest.get(close + 1..).unwrap_or(""), visit)
                .map_err(|e| AddrError::Params(e.reason()))?;
        Ok(Self {
            display_name,
            uri,
            params,
        })
    }

    /// `addr-spec` form: parameters after the first `;` belong to the header.
    fn parse_addr_spec(
        value: &'a str,
        visit: impl FnMut(&'a str, Option<&'a str>),
    ) -> Result<Self, AddrError> {
        let uri_len = value
            .bytes()
            .position(|b| b == b';' || b.is_ascii_whitespace())
            .unwrap_or(value.len());
        let (uri_text, rest) = value.split_at_checked(uri_len).unwrap_or((value, ""));
        if uri_text.bytes().any(|b| b == b',' || b == b'?') {
            return Err(AddrError::NeedsBrackets);
        }
        let uri = Uri::parse_as(uri_text).map_err(|_| AddrError::Uri)?;
        let params = Params::parse_header_visiting(rest, visit)
            .map_err(|e| AddrError::Params(e.reason()))?;
        Ok(Self {
            display_name: None,
            uri,
            params,
        })
    }
}

/// `words` (trimmed, not empty) with each run of whitespace between them
/// made one space.
fn single_spaced(words: &str) -> Cow<'_, str> {
    let mut spaces = words.bytes().filter(u8::is_ascii_whitespace);
    if spaces.all(|b| b == b' ') && !words.contains("  ") {
        return Cow::Borrowed(words);
    }
    Cow::Owned(words.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
}

impl<S: AsRef<str>> fmt::Display for NameAddr<S> {
    /// Always the `name-addr` form, with the display name quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write_quoted(f, name.as_ref())?;
            f.write_str(" ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_token_and_bare_forms() {
        let a = NameAddr::parse(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(a.display_name.as_deref(), Some(r#"J Rosenberg \""#));
        assert_eq!(a.tag(), Some("98asjd8"));
        let b = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(b.display_name.as_deref(), Some("caller"));
        let c = NameAddr::parse("sip:+19725552222@gw1.example.net;unknownparam").unwrap();
        assert_eq!(c.uri.as_str(), "sip:+19725552222@gw1.example.net");
        assert_eq!(c.params.get("unknownparam"), Some(None));
        let d = NameAddr::parse("\"Ünïcödé Nàme\" <sip:u@example.com>").unwrap();
        assert_eq!(d.display_name.as_deref(), Some("Ünïcödé Nàme"));
    }

    #[test]
    fn token_display_names_are_single_spaced() {
        for (text, name) in [
            ("Bob Smith <sip:bob@example.com>", "Bob Smith"),
            ("Bob   Smith\t <sip:bob@example.com>", "Bob Smith"),
            ("Bob\tSmith <sip:bob@example.com>", "Bob Smith"),
            ("  A  B   C<sip:bob@example.com>", "A B C"),
        ] {
            let a = NameAddr::parse(text).unwrap();
            assert_eq!(a.display_name.as_deref(), Some(name), "{text}");
        }
    }

    #[test]
    fn short_display_names_need_no_allocation() {
        let a = NameAddr::parse("\"Alice in Wonderland 23\" <sip:a@b>").unwrap();
        assert!(!a.display_name.unwrap().is_heap_allocated());
    }

    #[test]
    fn rejects_rfc4475_address_defects() {
        assert_eq!(
            NameAddr::parse("\"Mr. J. User <sip:j.user@example.com>"),
            Err(AddrError::UnterminatedQuote)
        );
        assert_eq!(
            NameAddr::parse("Bell, Alexander <sip:a.g.bell@example.com>"),
            Err(AddrError::DisplayName)
        );
        assert_eq!(
            NameAddr::parse("\"Watson, Thomas\" < sip:t.watson@example.org >"),
            Err(AddrError::Uri)
        );
        assert_eq!(
            NameAddr::parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E"),
            Err(AddrError::NeedsBrackets)
        );
    }

    #[test]
    fn display_round_trips() {
        for text in [
            r#""A \"B\"" <sip:a@b>;tag=x"#,
            "<sip:a@b;lr>",
            "\"Ü\" <tel:+1234;ext=5>;q=0.5",
        ] {
            let a = NameAddr::parse(text).unwrap();
            assert_eq!(a.to_string(), text);
            assert_eq!(NameAddr::parse(&a.to_string()).unwrap(), a);
        }
    }
}
