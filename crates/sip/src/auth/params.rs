//! The `auth-param` list shared by challenges and credentials
//! (RFC 3261 §25.1 `digest-cln` / `dig-resp`, RFC 7235 §2.1, RFC 7616 §3.3-3.4).
//!
//! Values come either as a token (`algorithm=MD5`, `nc=00000001`) or as a
//! quoted-string with backslash escapes (`realm="biloxi.com"`). The parser is
//! lenient about unquoted values (anything up to a comma or whitespace) because
//! deployed servers send `algorithm=SHA-256` and `stale=FALSE` in many spellings.

use std::fmt;

use super::AuthError;

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

/// Writes a string as a quoted-string, escaping `"` and `\` (RFC 3261 §25.1).
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            if c == '"' || c == '\\' {
                f.write_str("\\")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str("\"")
    }
}

/// Splits `Digest realm=...` into the scheme and the parameter list, and checks
/// that the scheme is `Digest` (case-insensitive, RFC 7235 §2.1).
pub(crate) fn split_digest(value: &str) -> Result<&str, AuthError> {
    let value = value.trim_start_matches(is_lws);
    let end = value.find(is_lws).unwrap_or(value.len());
    let (scheme, rest) = value.split_at(end);
    if scheme.is_empty() {
        return Err(AuthError::Malformed("empty header value"));
    }
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(AuthError::NotDigest(scheme.to_owned()));
    }
    Ok(rest)
}

/// Parses a comma-separated `auth-param` list. Empty list elements are
/// allowed, as the `#rule` of RFC 7230 §7 permits.
pub(crate) fn parse_params(input: &str) -> Result<Vec<AuthParam>, AuthError> {
    let mut cursor = Cursor { rest: input };
    let mut params = Vec::new();
    loop {
        cursor.skip_lws();
        if cursor.rest.is_empty() {
            return Ok(params);
        }
        if cursor.eat(',') {
            continue;
        }
        params.push(cursor.param()?);
        cursor.skip_lws();
        if !cursor.rest.is_empty() && !cursor.eat(',') {
            return Err(AuthError::Malformed("expected ',' between parameters"));
        }
    }
}

fn is_lws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// RFC 3261 §25.1 `token` characters.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c)
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_lws(&mut self) {
        self.rest = self.rest.trim_start_matches(is_lws);
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let end = self
            .rest
            .find(|c: char| !keep(c))
            .unwrap_or(self.rest.len());
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }

    fn param(&mut self) -> Result<AuthParam, AuthError> {
        let name = self.take_while(is_token_char);
        if name.is_empty() {
            return Err(AuthError::Malformed("expected a parameter name"));
        }
        self.skip_lws();
        if !self.eat('=') {
            return Err(AuthError::Malformed("expected '=' after a parameter name"));
        }
        self.skip_lws();
        let (value, quoted) = if self.eat('"') {
            (self.quoted_rest()?, true)
        } else {
            let token = self.take_while(|c| c != ',' && !is_lws(c) && c != '"');
            if token.is_empty() {
                return Err(AuthError::Malformed("empty parameter value"));
            }
            (token.to_owned(), false)
        };
        Ok(AuthParam {
            name: name.to_owned(),
            value,
            quoted,
        })
    }

    /// Reads the rest of a quoted-string whose opening quote was consumed.
    fn quoted_rest(&mut self) -> Result<String, AuthError> {
        let mut out = String::new();
        let mut chars = self.rest.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = self.rest.get(at + 1..).unwrap_or_default();
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => out.push(escaped),
                    None => break,
                },
                other => out.push(other),
            }
        }
        Err(AuthError::Malformed("unterminated quoted-string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tokens_quoted_strings_and_escapes() {
        let params =
            parse_params(r#" realm="a\"b", ,algorithm=MD5 , qop="auth,auth-int""#).unwrap();
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
    fn rejects_broken_lists() {
        assert!(parse_params(r#"realm="open"#).is_err());
        assert!(parse_params("realm").is_err());
        assert!(parse_params("realm=").is_err());
        assert!(parse_params(r#"realm="a" nonce="b""#).is_err());
        assert!(parse_params(r#"realm="a\"#).is_err());
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
        assert!(split_digest("   ").is_err());
    }
}
