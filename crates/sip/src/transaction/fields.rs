//! Reading the few header fields transactions and dialogs key on, straight
//! from the raw values (RFC 3261 §8.1.1, §17.1.3, §17.2.3).

use std::borrow::Cow;

use crate::headers::{HeaderName, Headers, split_list};

/// Raw header access by [`HeaderName`], which skips the name lookup that
/// `Headers::get_raw(&str)` does on every call.
pub(crate) trait HeadersExt {
    /// The value of the first field named `name`.
    fn field(&self, name: HeaderName) -> Option<Cow<'_, str>>;
    /// The values of every field named `name`, in order.
    fn fields(&self, name: HeaderName) -> impl Iterator<Item = Cow<'_, str>>;
}

impl HeadersExt for Headers {
    // `raw_values` compares the header ids assigned at parse time instead
    // of the names.
    fn field(&self, name: HeaderName) -> Option<Cow<'_, str>> {
        self.raw_values(name.as_str()).next()
    }
    fn fields(&self, name: HeaderName) -> impl Iterator<Item = Cow<'_, str>> {
        self.raw_values(name.as_str())
    }
}

/// `(sent-by, branch)` of the top Via (§17.2.3): sent-by lower-cased,
/// branch as written (compared case-sensitively, as RFC 3261 compares it
/// case-insensitively only for the cookie).
pub(crate) fn sent_by_and_branch(headers: &Headers) -> Option<(String, String)> {
    let line = headers.field(HeaderName::VIA)?;
    let top = split_list(&line).next()?.trim();
    let (proto, rest) = top.split_once(char::is_whitespace)?;
    let sip_2_0 = proto
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("SIP/2.0/"));
    if !sip_2_0 {
        return None;
    }
    let mut parts = rest.trim_start().split(';');
    let sent_by = parts.next()?.trim().to_ascii_lowercase();
    if sent_by.is_empty() {
        return None;
    }
    let branch = parts
        .filter_map(|p| p.split_once('='))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("branch"))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    Some((sent_by, branch))
}

/// The `tag` of a From or To value: a header parameter, after the `>` of a
/// name-addr or after the URI of an addr-spec (RFC 3261 §20.10, §19.3).
pub(crate) fn tag_of(value: &str) -> Option<String> {
    let params = match value.rfind('>') {
        Some(close) => value.get(close + 1..)?,
        None => value.split_once(';').map(|(_, p)| p)?,
    };
    params
        .split(';')
        .filter_map(|p| p.split_once('='))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("tag"))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `(sequence number, method)` of a CSeq value (§20.16).
pub(crate) fn cseq_of(value: &str) -> Option<(u32, String)> {
    let mut parts = value.split_whitespace();
    let seq = parts.next()?.parse::<u32>().ok()?;
    let method = parts.next()?.to_owned();
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
        assert_eq!(
            sent_by_and_branch(&h),
            Some(("abc.invalid".into(), "z9hG4bKx1".into()))
        );
    }

    #[test]
    fn reads_cseq_and_tag() {
        assert_eq!(cseq_of("4711 INVITE"), Some((4711, "INVITE".into())));
        assert_eq!(cseq_of("x INVITE"), None);
        assert_eq!(tag_of("\"A\" <sip:a@b>;tag=88"), Some("88".into()));
        assert_eq!(tag_of("sip:a@b"), None);
    }
}
