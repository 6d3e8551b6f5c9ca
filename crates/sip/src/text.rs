//! The text a parsed value holds.
//!
//! A URI, an address, a `Via`, a media type or a Digest challenge is
//! parsed into one of two forms, which share their parser and their
//! accessors and differ only in where their text lives:
//!
//! - owned (`Uri`, `From`, `Via`, `ContentType`: the text is [`SmolStr`];
//!   `Challenge`: `String`), copied out of the message, to keep after it is
//!   gone (a dialog's route set, a registration's contact);
//! - borrowed (`UriRef<'a>`, `FromRef<'a>`, `ViaRef<'a>`,
//!   `ChallengeRef<'a>`: the text is `Cow<'a, str>`), read in place while
//!   the message is at hand, with no copy and no allocation. Text the
//!   parser had to rewrite (an escaped display name, a parameter list with
//!   whitespace in it) is owned even there.
//!
//! `into_owned` turns a borrowed value into the owned one.

use std::borrow::Cow;

use smol_str::SmolStr;

/// Text storage for parsed values: [`SmolStr`] or `String` (owned) or
/// `Cow<'a, str>` (borrowed from text that lives for `'a`).
pub trait Text<'a>: AsRef<str> + Default {
    /// Text as found in the input.
    fn found(text: &'a str) -> Self;
    /// Text the parser built.
    fn built(text: String) -> Self;

    /// Text found as it is, or built.
    fn found_or_built(text: Cow<'a, str>) -> Self {
        match text {
            Cow::Borrowed(text) => Self::found(text),
            Cow::Owned(text) => Self::built(text),
        }
    }
}

impl<'a> Text<'a> for SmolStr {
    #[inline]
    fn found(text: &'a str) -> Self {
        SmolStr::new(text)
    }

    fn built(text: String) -> Self {
        SmolStr::from(text)
    }
}

impl<'a> Text<'a> for String {
    fn found(text: &'a str) -> Self {
        text.to_owned()
    }

    fn built(text: String) -> Self {
        text
    }
}

impl<'a> Text<'a> for Cow<'a, str> {
    #[inline]
    fn found(text: &'a str) -> Self {
        Cow::Borrowed(text)
    }

    fn built(text: String) -> Self {
        Cow::Owned(text)
    }
}
