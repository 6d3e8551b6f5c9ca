//! Header and URI parameters: `;name[=value]` lists (RFC 3261 §19.1.1,
//! §25.1 `generic-param`).

use std::borrow::Cow;
use std::fmt;

use smol_str::SmolStr;

use crate::text::Text;

/// An ordered list of `;name[=value]` parameters, stored as one string
/// (held inline, without an allocation, up to 23 bytes: `;tag=...`).
///
/// Names compare case-insensitively. Values are kept as written (a quoted
/// value keeps its quotes, an IPv6 reference its brackets).
///
/// `S` holds the text (see [`crate::text`]): `Params` owns it,
/// [`ParamsRef`] borrows it from the message.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Params<S = SmolStr>(S);

/// [`Params`] read in place.
pub type ParamsRef<'a> = Params<Cow<'a, str>>;

/// Why a parameter list could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamsError {
    EmptyName,
    BadName,
    BadValue,
    Unterminated,
}

impl ParamsError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::EmptyName => "empty parameter",
            Self::BadName => "parameter name is not a token",
            Self::BadValue => "invalid parameter value",
            Self::Unterminated => "unterminated quoted parameter value",
        }
    }
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<'a, S: Text<'a>> Params<S> {
    /// Parses header parameters that follow a value: `s` is empty or starts
    /// with `;` (whitespace around `;` and `=` is allowed, RFC 3261 §7.3.1).
    pub(crate) fn parse_header(s: &'a str) -> Result<Self, ParamsError> {
        Self::parse_header_visiting(s, |_, _| {})
    }

    /// [`Params::parse_header`], calling `visit` with each parameter's name
    /// and value on the way, so that a caller reads the parameters it cares
    /// about without a second walk. A parameter may be visited twice (when
    /// the list turns out not to be in the plain form after it, the list is
    /// walked again from its start); the name and value are the same both
    /// times, since a parameter is only visited once it is complete.
    pub(crate) fn parse_header_visiting(
        s: &'a str,
        mut visit: impl FnMut(&'a str, Option<&'a str>),
    ) -> Result<Self, ParamsError> {
        let s = s.trim_ascii_start();
        if s.is_empty() {
            // No text to keep: the empty string, which costs no copy.
            return Ok(Params(S::default()));
        }
        // Nearly every list is written without whitespace or quotes: check
        // that in one pass and keep the input as it is.
        if is_plain_list(s, &mut visit) {
            return Ok(Params(S::found(s)));
        }
        // The stored form is the input without the whitespace around `;`
        // and `=`; when there is none, copy the input in one piece.
        let mut canonical_len = 0;
        walk_header_params(s, |name, value| {
            canonical_len += 1 + name.len() + value.map_or(0, |v| 1 + v.len());
            visit(name, value);
        })?;
        if canonical_len == s.len() {
            return Ok(Params(S::found(s)));
        }
        let mut out = String::with_capacity(canonical_len);
        walk_header_params(s, |name, value| push_param(&mut out, name, value))?;
        Ok(Params(S::built(out)))
    }
}

/// Whether `text` is `;name[=value]` repeated, with token names, plain or
/// quoted values and no whitespace: the common form of a header parameter
/// list. Each parameter found well-formed is passed to `visit`.
fn is_plain_list<'a>(text: &'a str, visit: &mut impl FnMut(&'a str, Option<&'a str>)) -> bool {
    let s = text.as_bytes();
    let count = |from: usize, class: fn(u8) -> bool| {
        s.get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| class(b))
            .count()
    };
    let mut i = 0;
    while i < s.len() {
        if s.get(i) != Some(&b';') {
            return false;
        }
        let name = count(i + 1, crate::syntax::is_token_byte);
        if name == 0 {
            return false;
        }
        let name_text = text.get(i + 1..i + 1 + name).unwrap_or("");
        i += 1 + name;
        let mut value_text = None;
        if s.get(i) == Some(&b'=') {
            let value = match s.get(i + 1) {
                Some(b'"') => {
                    crate::syntax::quoted_len(s.get(i + 1..).unwrap_or_default()).unwrap_or(0)
                }
                _ => count(i + 1, is_value_byte),
            };
            if value == 0 {
                return false;
            }
            value_text = text.get(i + 1..i + 1 + value);
            i += 1 + value;
        }
        // Only a parameter that ends where the next begins (or the list
        // ends) is complete: `expires =600` is not `expires`.
        if !matches!(s.get(i), None | Some(b';')) {
            return false;
        }
        visit(name_text, value_text);
    }
    true
}

/// Calls `f` with each `;name[=value]` of a header parameter list (see
/// [`Params::parse_header`]).
fn walk_header_params<'a>(
    s: &'a str,
    mut f: impl FnMut(&'a str, Option<&'a str>),
) -> Result<(), ParamsError> {
    let mut rest = s.trim_ascii_start();
    while !rest.is_empty() {
        let after = rest
            .strip_prefix(';')
            .ok_or(ParamsError::BadValue)?
            .trim_ascii_start();
        let name_len = after
            .bytes()
            .take_while(|&b| crate::syntax::is_token_byte(b))
            .count();
        let (name, tail) = after
            .split_at_checked(name_len)
            .ok_or(ParamsError::BadName)?;
        if name.is_empty() {
            return Err(if tail.starts_with(';') || tail.is_empty() {
                ParamsError::EmptyName
            } else {
                ParamsError::BadName
            });
        }
        let tail = tail.trim_ascii_start();
        let (value, tail) = match tail.strip_prefix('=') {
            Some(v) => {
                let (value, tail) = split_gen_value(v.trim_ascii_start())?;
                (Some(value), tail)
            }
            None => (None, tail),
        };
        f(name, value);
        rest = tail.trim_ascii_start();
    }
    Ok(())
}

/// Appends `;name[=value]` to `text`.
fn push_param(text: &mut String, name: &str, value: Option<&str>) {
    text.push(';');
    text.push_str(name);
    if let Some(v) = value {
        text.push('=');
        text.push_str(v);
    }
}

impl Params {
    /// Appends a parameter (no check: for values built by this crate).
    pub fn push(&mut self, name: &str, value: Option<&str>) {
        let mut text =
            String::with_capacity(self.0.len() + name.len() + value.map_or(0, |v| v.len() + 1) + 1);
        text.push_str(&self.0);
        push_param(&mut text, name, value);
        self.0 = SmolStr::from(text);
    }

    /// Sets `name` to `value`, replacing an existing parameter of that name.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        self.remove(name);
        self.push(name, value);
    }

    /// Removes every parameter called `name`.
    pub fn remove(&mut self, name: &str) {
        if !self.contains(name) {
            return;
        }
        // One string for the kept parameters, then one conversion: a push
        // per parameter would copy the list each time.
        let mut kept = String::with_capacity(self.0.len());
        for (n, v) in self.iter().filter(|(n, _)| !n.eq_ignore_ascii_case(name)) {
            push_param(&mut kept, n, v);
        }
        self.0 = SmolStr::from(kept);
    }
}

impl<S: AsRef<str>> Params<S> {
    /// The parameter `name`: `None` if absent, `Some(None)` if it has no value.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Whether the parameter `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// True when there is no parameter.
    pub fn is_empty(&self) -> bool {
        self.as_str().is_empty()
    }

    /// Every parameter as `(name, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        iter_params(self.as_str())
    }

    /// The list as written, each parameter preceded by `;`.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// The owned form, the text copied.
    pub fn into_owned(self) -> Params {
        Params(SmolStr::new(self.as_str()))
    }
}

impl<S: AsRef<str>> fmt::Display for Params<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<S: AsRef<str>> fmt::Debug for Params<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Params({:?})", self.as_str())
    }
}

/// Iterates `;name[=value]` pairs of a well-formed list (from [`Params`] or
/// a parsed URI), splitting at `;` outside quotes.
///
/// Each parameter is read in one pass that notes its first `=` and skips
/// quoted strings whole: parameters are short, so a byte loop costs less
/// than searches that each start again.
pub(crate) fn iter_params(s: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    let mut rest = s.strip_prefix(';').unwrap_or(s);
    let mut done = s.is_empty();
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let bytes = rest.as_bytes();
        let mut eq = None;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b';' => break,
                b'=' if eq.is_none() => eq = Some(i),
                b'"' => match crate::syntax::quoted_len(bytes.get(i..).unwrap_or_default()) {
                    Some(len) => {
                        i += len;
                        continue;
                    }
                    // Unterminated: the rest is this parameter.
                    None => {
                        i = bytes.len();
                        break;
                    }
                },
                _ => {}
            }
            i += 1;
        }
        let item = rest.get(..i).unwrap_or(rest);
        match rest.get(i..).and_then(|tail| tail.strip_prefix(';')) {
            Some(tail) => rest = tail,
            None => done = true,
        }
        Some(match eq {
            Some(e) => (item.get(..e).unwrap_or(item), item.get(e + 1..)),
            None => (item, None),
        })
    })
}

/// Splits a `gen-value` (token, host or quoted-string) off the front of `s`.
fn split_gen_value(s: &str) -> Result<(&str, &str), ParamsError> {
    let len = if s.starts_with('"') {
        crate::syntax::quoted_len(s.as_bytes()).ok_or(ParamsError::Unterminated)?
    } else {
        s.bytes().take_while(|&b| is_value_byte(b)).count()
    };
    match s.split_at_checked(len) {
        Some((value, rest)) if !value.is_empty() => Ok((value, rest)),
        _ => Err(ParamsError::BadValue),
    }
}

/// Bytes of an unquoted `gen-value`: token characters plus those of a host
/// (`:` and `[]` for IPv6, RFC 5118 §4.5 allows both forms in `received`).
#[inline]
fn is_value_byte(b: u8) -> bool {
    VALUE_BYTES.get(usize::from(b)).is_some_and(|&v| v)
}

/// [`is_value_byte`] for each byte value, one lookup per byte (long
/// values such as a proxy's `branch` are read byte by byte).
static VALUE_BYTES: [bool; 256] = crate::syntax::byte_table!(bool, false, value_byte_of);

const fn value_byte_of(b: u8) -> bool {
    crate::syntax::is_token_byte_const(b) || matches!(b, b':' | b'[' | b']')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_bytes_are_token_bytes_and_those_of_a_host() {
        for b in 0..=u8::MAX {
            let expected = crate::syntax::is_token_byte(b) || matches!(b, b':' | b'[' | b']');
            assert_eq!(is_value_byte(b), expected, "{b:#04x}");
        }
    }

    #[test]
    fn header_params_allow_whitespace_and_quotes() {
        let p = Params::<SmolStr>::parse_header(
            " ;   tag    = 1918181833n ; +sip.instance=\"<urn:a;b>\";lr",
        )
        .unwrap();
        assert_eq!(
            p.as_str(),
            ";tag=1918181833n;+sip.instance=\"<urn:a;b>\";lr"
        );
        assert_eq!(p.get("TAG"), Some(Some("1918181833n")));
        assert_eq!(p.get("+sip.instance"), Some(Some("\"<urn:a;b>\"")));
        assert_eq!(p.get("lr"), Some(None));
        assert_eq!(p.get("x"), None);
    }

    #[test]
    fn malformed_header_params_are_rejected() {
        for (text, error) in [
            (";;", ParamsError::EmptyName),
            (";a=\"x", ParamsError::Unterminated),
            (";a= ", ParamsError::BadValue),
            ("x", ParamsError::BadValue),
        ] {
            assert_eq!(Params::<SmolStr>::parse_header(text), Err(error), "{text}");
        }
    }

    #[test]
    fn set_and_remove() {
        let mut p = Params::new();
        p.push("a", Some("1"));
        p.push("b", None);
        p.set("A", Some("2"));
        assert_eq!(p.to_string(), ";b;A=2");
        p.remove("b");
        assert_eq!(p.to_string(), ";A=2");
    }
}
