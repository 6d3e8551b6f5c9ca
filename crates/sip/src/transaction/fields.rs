//! Reading the few header fields transactions and dialogs key on, straight
//! from the raw values (RFC 3261 §8.1.1, §17.1.3, §17.2.3).

use super::{Role, TransactionKey};
use crate::headers::{HeaderName, Headers, split_list};
use crate::message::Method;

/// Raw header access by [`HeaderName`], which skips the name lookup that
/// `Headers::get_raw(&str)` does on every call.
pub(crate) trait HeadersExt {
    /// The value of the first field named `name`.
    fn field(&self, name: HeaderName) -> Option<&str>;
    /// The values of every field named `name`, in order.
    fn fields(&self, name: HeaderName) -> impl Iterator<Item = &str>;
}

impl HeadersExt for Headers {
    // Both compare the header ids assigned when a field is added, never the
    // names.
    #[inline]
    fn field(&self, name: HeaderName) -> Option<&str> {
        self.first_value(name)
    }
    fn fields(&self, name: HeaderName) -> impl Iterator<Item = &str> {
        self.values(name)
    }
}

/// Whitespace as `char::is_whitespace` sees it, for ASCII bytes.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `text` without leading and trailing [`is_space`] bytes: `str::trim` for
/// ASCII text.
fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !is_space(*b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(*b))
        .map_or(start, |i| i + 1);
    text.get(start..end.max(start)).unwrap_or("")
}

/// The value of the first `name=value` element of the `;`-separated
/// `params` whose name is `name` (any case), both trimmed. Elements without
/// `=` are skipped. ASCII text only (see [`trim`]).
fn param<'a>(params: &'a str, name: &str) -> Option<&'a str> {
    // Elements are short (a tag, a branch): a plain byte scan beats a
    // `memchr` call per element.
    let bytes = params.as_bytes();
    let mut start = 0;
    loop {
        let rest = bytes.get(start..)?;
        let len = rest.iter().position(|b| *b == b';').unwrap_or(rest.len());
        let element = rest.get(..len)?;
        if let Some(eq) = element.iter().position(|b| *b == b'=') {
            let (n_start, n_end) = trimmed(element, 0, eq);
            if element
                .get(n_start..n_end)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            {
                // `;`, `=` and spaces are ASCII: the cuts are char boundaries.
                let (v_start, v_end) = trimmed(element, eq + 1, len);
                return params.get(start + v_start..start + v_end);
            }
        }
        start += len + 1;
    }
}

/// The range `from..to` of `bytes` without the [`is_space`] bytes at its
/// ends.
fn trimmed(bytes: &[u8], mut from: usize, mut to: usize) -> (usize, usize) {
    while from < to && bytes.get(from).copied().is_some_and(is_space) {
        from += 1;
    }
    while to > from && bytes.get(to - 1).copied().is_some_and(is_space) {
        to -= 1;
    }
    (from, to)
}

/// The key of the transaction a message with `headers` belongs to
/// (§17.1.3, §17.2.3): the top Via's branch and sent-by (lower-cased) and
/// `method` (ACK folded into INVITE).
pub(crate) fn transaction_key(
    role: Role,
    headers: &Headers,
    method: &Method,
) -> Option<TransactionKey> {
    let line = headers.field(HeaderName::VIA)?;
    let top = split_list(line).next()?;
    let (sent_by, branch) = via_key(top)?;
    Some(TransactionKey::new(role, branch, sent_by, method))
}

/// `(sent-by as written, branch)` of one Via value, or `None` when it is
/// not `SIP/2.0/<transport> <sent-by>...` with a non-empty sent-by.
fn via_key(top: &str) -> Option<(&str, &str)> {
    if !top.is_ascii() {
        return via_key_unicode(top);
    }
    let top = trim(top);
    let space = top.bytes().position(is_space)?;
    let proto = top.get(..space)?;
    let sip_2_0 = proto
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("SIP/2.0/"));
    if !sip_2_0 {
        return None;
    }
    let rest = top.get(space + 1..)?;
    let rest = rest.trim_start_matches(|c: char| u8::try_from(c).is_ok_and(is_space));
    let (sent_by, params) = match crate::syntax::find_byte(b';', rest.as_bytes()) {
        Some(i) => (rest.get(..i)?, rest.get(i + 1..)?),
        None => (rest, ""),
    };
    let sent_by = trim(sent_by);
    if sent_by.is_empty() {
        return None;
    }
    Some((sent_by, param(params, "branch").unwrap_or("")))
}

/// [`via_key`] for a value with non-ASCII text, where whitespace is
/// Unicode's.
fn via_key_unicode(top: &str) -> Option<(&str, &str)> {
    let top = top.trim();
    let (proto, rest) = top.split_once(char::is_whitespace)?;
    let sip_2_0 = proto
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("SIP/2.0/"));
    if !sip_2_0 {
        return None;
    }
    let mut parts = rest.trim_start().split(';');
    let sent_by = parts.next()?.trim();
    if sent_by.is_empty() {
        return None;
    }
    let branch = parts
        .filter_map(|p| p.split_once('='))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("branch"))
        .map(|(_, v)| v.trim())
        .unwrap_or_default();
    Some((sent_by, branch))
}

/// The `tag` of a From or To value: a header parameter, after the `>` of a
/// name-addr or after the URI of an addr-spec (RFC 3261 §20.10, §19.3).
pub(crate) fn tag_of(value: &str) -> Option<String> {
    tag_in(value).map(str::to_owned)
}

/// [`tag_of`] without the copy.
pub(crate) fn tag_in(value: &str) -> Option<&str> {
    let params = match memchr::memrchr(b'>', value.as_bytes()) {
        Some(close) => value.get(close + 1..)?,
        None => value.get(crate::syntax::find_byte(b';', value.as_bytes())? + 1..)?,
    };
    let tag = if params.is_ascii() {
        param(params, "tag")
    } else {
        params
            .split(';')
            .filter_map(|p| p.split_once('='))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case("tag"))
            .map(|(_, v)| v.trim())
    };
    tag.filter(|v| !v.is_empty())
}

/// `(sequence number, method)` of a CSeq value (§20.16).
pub(crate) fn cseq_of(value: &str) -> Option<(u32, &str)> {
    if !value.is_ascii() {
        return cseq_of_unicode(value);
    }
    // For ASCII text `is_space` is `char::is_whitespace`: the words of
    // `split_whitespace`, found by byte.
    let bytes = value.as_bytes();
    let word = |from: usize| -> Option<(usize, usize)> {
        let start = from + bytes.get(from..)?.iter().position(|b| !is_space(*b))?;
        let len = bytes
            .get(start..)?
            .iter()
            .position(|b| is_space(*b))
            .unwrap_or(bytes.len() - start);
        Some((start, start + len))
    };
    let (seq_start, seq_end) = word(0)?;
    let seq = value.get(seq_start..seq_end)?.parse::<u32>().ok()?;
    let (method_start, method_end) = word(seq_end)?;
    let method = value.get(method_start..method_end)?;
    word(method_end).is_none().then_some((seq, method))
}

/// [`cseq_of`] for a value with non-ASCII text, where whitespace is
/// Unicode's.
fn cseq_of_unicode(value: &str) -> Option<(u32, &str)> {
    let mut parts = value.split_whitespace();
    let seq = parts.next()?.parse::<u32>().ok()?;
    let method = parts.next()?;
    parts.next().is_none().then_some((seq, method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_top_via() {
        let mut h = Headers::new();
        h.push_raw(
            "v",
            "SIP/2.0/WSS Abc.invalid;branch=z9hG4bKx1;rport, SIP/2.0/UDP b;branch=z9hG4bK2",
        )
        .unwrap();
        let key = transaction_key(Role::Server, &h, &Method::Ack).unwrap();
        assert_eq!(key.sent_by(), "abc.invalid");
        assert_eq!(key.branch(), "z9hG4bKx1");
        assert_eq!(key.method, Method::Invite);
    }

    #[test]
    fn reads_cseq_and_tag() {
        assert_eq!(cseq_of("4711 INVITE"), Some((4711, "INVITE")));
        assert_eq!(cseq_of("x INVITE"), None);
        for (value, cseq) in [
            (" \t4711\x0bINVITE\r\n", Some((4711, "INVITE"))),
            ("+1 BYE", Some((1, "BYE"))),
            ("1 BYE x", None),
            ("1", None),
            ("", None),
            ("99999999999 BYE", None),
            ("1\u{a0}BYE", Some((1, "BYE"))),
            ("1 BYÉ", Some((1, "BYÉ"))),
        ] {
            assert_eq!(cseq_of(value), cseq, "{value:?}");
            assert_eq!(cseq_of_unicode(value), cseq, "{value:?}");
        }
        assert_eq!(tag_of("\"A\" <sip:a@b>;tag=88"), Some("88".into()));
        assert_eq!(tag_of("sip:a@b"), None);
        assert_eq!(tag_of("<sip:a@b;tag=1>;x;TAG = 7 ;tag=8"), Some("7".into()));
        assert_eq!(tag_of("sip:a@b;tag="), None);
        assert_eq!(tag_of("sip:a@b ;\u{a0}tag=é"), Some("é".into()));
        assert_eq!(tag_of("sip:a@b;tag=\u{a0}é\u{a0}"), Some("é".into()));
    }

    #[test]
    fn reads_via_keys_as_before() {
        for (via, key) in [
            ("SIP/2.0/WS h;branch=z9hG4bK1", Some(("h", "z9hG4bK1"))),
            (
                "sip/2.0/ws\t H:5 ; x ; Branch = b2 ;branch=b3",
                Some(("H:5", "b2")),
            ),
            ("SIP/2.0/WS h", Some(("h", ""))),
            ("SIP/2.0/WS ;branch=b", None),
            ("SIP/2.0 h;branch=b", None),
            ("SIP/2.0/WS", None),
            ("SIP/2.0/WS\u{a0}h;branch=é", Some(("h", "é"))),
        ] {
            assert_eq!(via_key(via), key, "{via}");
            assert_eq!(via_key_unicode(via), key, "{via}");
        }
    }
}
