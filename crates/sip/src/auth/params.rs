//! The `auth-param` list shared by challenges and credentials
//! (RFC 3261 §25.1 `digest-cln` / `dig-resp`, RFC 7235 §2.1, RFC 7616 §3.3-3.4).
//!
//! Values come either as a token (`algorithm=MD5`, `nc=00000001`) or as a
//! quoted-string with backslash escapes (`realm="biloxi.com"`). The parser is
//! lenient about unquoted values (anything up to a comma or whitespace) because
//! deployed servers send `algorithm=SHA-256` and `stale=FALSE` in many spellings.

use std::borrow::Cow;
use std::fmt;

use super::AuthError;
use crate::syntax::is_token_byte;

/// One `name=value` pair, as read from or written to a header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthParam {
    /// The parameter name as it appeared (compared case-insensitively).
    pub name: String,
    /// The value with quotes removed and escapes resolved.
    pub value: String,
    /// Whether the value was (and will be written as) a quoted-string.
    pub quoted: bool,
}

impl AuthParam {
    /// A parameter written as a quoted-string.
    pub fn quoted(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            quoted: true,
        }
    }

    /// A parameter written as a bare token.
    pub fn token(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            quoted: false,
        }
    }
}

impl fmt::Display for AuthParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quoted {
            write!(f, "{}={}", self.name, Quoted(&self.value))
        } else {
            write!(f, "{}={}", self.name, self.value)
        }
    }
}

/// Writes a string as a quoted-string, escaping `"` and `\` (RFC 3261 §25.1),
/// CR and LF written as spaces (a quoted-string holds no line break).
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::syntax::write_quoted(f, self.0)
    }
}

/// Splits `Digest realm=...` into the scheme and the parameter list, and checks
/// that the scheme is `Digest` (case-insensitive, RFC 7235 §2.1).
pub(crate) fn split_digest(value: &str) -> Result<&str, AuthError> {
    let mut reader = ParamReader::new(value);
    reader.skip_lws();
    let scheme = reader.cut_while(|b| !is_lws(b));
    if scheme.is_empty() {
        return Err(AuthError::Malformed("empty header value"));
    }
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(AuthError::NotDigest(scheme.to_owned()));
    }
    Ok(reader.rest)
}

/// One parameter of an `auth-param` list, borrowed from the header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawParam<'a> {
    /// The name as written (compare with `eq_ignore_ascii_case`).
    pub(crate) name: &'a str,
    /// The value without quotes; owned only when a backslash escape was
    /// resolved.
    pub(crate) value: Cow<'a, str>,
    /// Whether the value was a quoted-string.
    pub(crate) quoted: bool,
}

impl RawParam<'_> {
    /// The parameter as kept in `extra` lists.
    pub(crate) fn into_owned(self) -> AuthParam {
        AuthParam {
            name: self.name.to_owned(),
            value: self.value.into_owned(),
            quoted: self.quoted,
        }
    }
}

/// Reads a comma-separated `auth-param` list, handing each parameter to
/// `take` in order. Empty list elements are allowed, as the `#rule` of
/// RFC 7230 §7 permits.
///
/// The list's grammar is checked before its meaning: once `take` refuses a
/// parameter it is not called again, but the rest of the list is still read,
/// and a syntax error there is what gets returned.
pub(crate) fn read_params<'a>(
    input: &'a str,
    mut take: impl FnMut(RawParam<'a>) -> Result<(), AuthError>,
) -> Result<(), AuthError> {
    let mut refused = None;
    for param in ParamReader::list(input) {
        let param = param?;
        if refused.is_none() {
            refused = take(param).err();
        }
    }
    refused.map_or(Ok(()), Err)
}

fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The parameters of a list, one at a time; nothing more after an error.
///
/// Every delimiter it looks for is ASCII, so each cut falls on a character
/// boundary of the `str`.
struct ParamReader<'a> {
    rest: &'a str,
    failed: bool,
    /// Known: the text holds no CR or LF.
    no_line_break: bool,
}

impl<'a> ParamReader<'a> {
    fn new(input: &'a str) -> Self {
        Self {
            rest: input,
            failed: false,
            no_line_break: false,
        }
    }

    /// A reader for a whole parameter list: one search of it settles,
    /// nearly always, that no quoted-string in it holds a line break.
    fn list(input: &'a str) -> Self {
        Self {
            no_line_break: crate::syntax::find_byte2(b'\r', b'\n', input.as_bytes()).is_none(),
            ..Self::new(input)
        }
    }

    fn advance(&mut self, len: usize) {
        self.rest = self.rest.get(len..).unwrap_or_default();
    }

    /// Cuts off and returns the first `len` bytes.
    fn cut(&mut self, len: usize) -> &'a str {
        let (taken, rest) = self.rest.split_at_checked(len).unwrap_or((self.rest, ""));
        self.rest = rest;
        taken
    }

    fn cut_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a str {
        let len = self
            .rest
            .bytes()
            .position(|b| !keep(b))
            .unwrap_or(self.rest.len());
        self.cut(len)
    }

    fn skip_lws(&mut self) {
        let len = self.rest.bytes().take_while(|&b| is_lws(b)).count();
        self.advance(len);
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.rest.as_bytes().first() == Some(&b);
        if found {
            self.advance(1);
        }
        found
    }

    /// One parameter and the separator after it.
    fn next_param(&mut self) -> Result<RawParam<'a>, AuthError> {
        let param = self.param()?;
        self.skip_lws();
        if !self.rest.is_empty() && !self.eat(b',') {
            return Err(AuthError::Malformed("expected ',' between parameters"));
        }
        Ok(param)
    }

    fn param(&mut self) -> Result<RawParam<'a>, AuthError> {
        let name = self.cut_while(is_token_byte);
        if name.is_empty() {
            return Err(AuthError::Malformed("expected a parameter name"));
        }
        self.skip_lws();
        if !self.eat(b'=') {
            return Err(AuthError::Malformed("expected '=' after a parameter name"));
        }
        self.skip_lws();
        if self.eat(b'"') {
            let value = self.quoted_rest()?;
            return Ok(RawParam {
                name,
                value,
                quoted: true,
            });
        }
        let value = self.cut_while(|b| b != b',' && b != b'"' && !is_lws(b));
        if value.is_empty() {
            return Err(AuthError::Malformed("empty parameter value"));
        }
        Ok(RawParam {
            name,
            value: Cow::Borrowed(value),
            quoted: false,
        })
    }

    /// Reads the rest of a quoted-string whose opening quote was consumed.
    fn quoted_rest(&mut self) -> Result<Cow<'a, str>, AuthError> {
        let bytes = self.rest.as_bytes();
        let mut from = 0;
        let mut escaped = false;
        loop {
            let at = bytes
                .get(from..)
                .and_then(|tail| crate::syntax::find_byte2(b'"', b'\\', tail))
                .map(|i| from + i)
                .ok_or(AuthError::Malformed("unterminated quoted-string"))?;
            if bytes.get(at) == Some(&b'"') {
                let raw = self.cut(at);
                // No line break, bare or escaped (RFC 3261 §25.1).
                if !self.no_line_break
                    && crate::syntax::find_byte2(b'\r', b'\n', raw.as_bytes()).is_some()
                {
                    return Err(AuthError::Malformed("line break in a quoted-string"));
                }
                self.advance(1);
                return Ok(if escaped {
                    Cow::Owned(unescape_quoted(raw))
                } else {
                    Cow::Borrowed(raw)
                });
            }
            // A backslash escapes the byte after it (the first byte of the
            // next character; the others are never `"` or `\`).
            escaped = true;
            from = at + 2;
        }
    }
}

impl<'a> Iterator for ParamReader<'a> {
    type Item = Result<RawParam<'a>, AuthError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            self.skip_lws();
            if self.rest.is_empty() {
                return None;
            }
            if !self.eat(b',') {
                break;
            }
        }
        let param = self.next_param();
        self.failed = param.is_err();
        Some(param)
    }
}

/// Resolves the `\x` escapes of a quoted-string's content (`quoted-pair`,
/// RFC 3261 §25.1). `raw` never ends with a lone backslash.
fn unescape_quoted(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((before, after)) = rest.split_once('\\') {
        out.push_str(before);
        let mut chars = after.chars();
        out.extend(chars.next());
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole list, owned, or the first error.
    fn read_all(input: &str) -> Result<Vec<AuthParam>, AuthError> {
        let mut params = Vec::new();
        read_params(input, |param| {
            params.push(param.into_owned());
            Ok(())
        })?;
        Ok(params)
    }

    #[test]
    fn reads_tokens_quoted_strings_and_escapes() {
        let params = read_all(r#" realm="a\"b", ,algorithm=MD5 , qop="auth,auth-int""#).unwrap();
        assert_eq!(
            params,
            vec![
                AuthParam::quoted("realm", "a\"b"),
                AuthParam::token("algorithm", "MD5"),
                AuthParam::quoted("qop", "auth,auth-int"),
            ]
        );
    }

    #[test]
    fn empty_elements_and_quoted_values_are_allowed() {
        assert_eq!(read_all(" , ,\t").unwrap(), vec![]);
        assert_eq!(
            read_all(r#",a="",b = c ,"#).unwrap(),
            vec![AuthParam::quoted("a", ""), AuthParam::token("b", "c")]
        );
    }

    #[test]
    fn quoted_strings_hold_no_line_break() {
        for input in ["realm=\"a\rb\"", "realm=\"a\\\rb\"", "nonce=\"a\\\n\""] {
            assert_eq!(
                read_all(input),
                Err(AuthError::Malformed("line break in a quoted-string")),
                "{input:?}"
            );
        }
        assert_eq!(Quoted("a\r\nb\"").to_string(), "\"a  b\\\"\"");
    }

    #[test]
    fn values_borrow_unless_unescaped() {
        let params: Vec<RawParam<'_>> = ParamReader::new(r#"a="x y", b=z, c="p\\q\"r""#)
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(matches!(&params[0].value, Cow::Borrowed("x y")));
        assert!(matches!(&params[1].value, Cow::Borrowed("z")));
        assert!(!params[1].quoted);
        assert!(matches!(&params[2].value, Cow::Owned(v) if v == r#"p\q"r"#));
    }

    #[test]
    fn escapes_keep_whole_characters() {
        assert_eq!(
            read_all(r#"realm="\é\\", x=ü"#).unwrap(),
            vec![
                AuthParam::quoted("realm", "é\\"),
                AuthParam::token("x", "ü")
            ]
        );
    }

    #[test]
    fn rejects_broken_lists() {
        let malformed = |input: &str| match read_all(input) {
            Err(AuthError::Malformed(reason)) => reason,
            other => panic!("{input:?} gave {other:?}"),
        };
        assert_eq!(malformed(r#"realm="open"#), "unterminated quoted-string");
        assert_eq!(malformed(r#"realm="a\"#), "unterminated quoted-string");
        assert_eq!(malformed(r#"realm="a\""#), "unterminated quoted-string");
        assert_eq!(malformed("realm"), "expected '=' after a parameter name");
        assert_eq!(malformed("realm="), "empty parameter value");
        assert_eq!(malformed("realm=,"), "empty parameter value");
        assert_eq!(malformed("=x"), "expected a parameter name");
        assert_eq!(
            malformed(r#"realm="a" nonce="b""#),
            "expected ',' between parameters"
        );
        assert_eq!(
            malformed(r#"realm=a"b""#),
            "expected ',' between parameters"
        );
    }

    #[test]
    fn reader_stops_after_an_error() {
        let mut reader = ParamReader::new("a=1, b, c=3");
        assert!(matches!(reader.next(), Some(Ok(p)) if p.name == "a"));
        assert!(matches!(reader.next(), Some(Err(_))));
        assert!(reader.next().is_none());
    }

    #[test]
    fn syntax_errors_win_over_refused_values() {
        let mut seen = Vec::new();
        let result = read_params("a=1, b=2, c=3 d=4", |param| {
            seen.push(param.name);
            Err(AuthError::Malformed("refused"))
        });
        assert_eq!(
            result,
            Err(AuthError::Malformed("expected ',' between parameters"))
        );
        assert_eq!(seen, ["a"]);
        let result = read_params("a=1, b=2", |param| match param.name {
            "b" => Err(AuthError::Malformed("refused")),
            _ => Ok(()),
        });
        assert_eq!(result, Err(AuthError::Malformed("refused")));
    }

    #[test]
    fn quoted_display_escapes() {
        assert_eq!(Quoted(r#"a"b\c"#).to_string(), r#""a\"b\\c""#);
    }

    #[test]
    fn scheme_must_be_digest() {
        assert_eq!(split_digest("dIgEsT realm=x").unwrap(), " realm=x");
        assert!(
            matches!(split_digest("Basic realm=x"), Err(AuthError::NotDigest(s)) if s == "Basic")
        );
        assert_eq!(split_digest("\r\n\tDigest\trealm=x").unwrap(), "\trealm=x");
        assert_eq!(split_digest("Digest").unwrap(), "");
        assert!(split_digest("   ").is_err());
    }
}
