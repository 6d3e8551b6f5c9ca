//! Reading the few header fields transactions and dialogs key on, straight
//! from the raw values (RFC 3261 §8.1.1, §17.1.3, §17.2.3).

use std::borrow::Cow;

use crate::headers::{Headers, split_list};
use crate::name_addr::NameAddr;

/// The first value of header `name` (first element of a comma list when
/// `list`), trimmed.
pub(crate) fn header<'a>(headers: &'a Headers, name: &'a str) -> Option<Cow<'a, str>> {
    headers.get_raw(name)
}

/// `(sent-by, branch)` of the top Via (§17.2.3): sent-by lower-cased,
/// branch as written (compared case-sensitively, as RFC 3261 compares it
/// case-insensitively only for the cookie).
pub(crate) fn sent_by_and_branch(headers: &Headers) -> Option<(String, String)> {
    let line = headers.get_raw("Via")?;
    let top = split_list(&line).next()?.trim().to_owned();
    let (proto, rest) = top.split_once(char::is_whitespace)?;
    if !proto.to_ascii_uppercase().starts_with("SIP/2.0/") {
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

/// The `tag` of a From or To value.
pub(crate) fn tag_of(value: &str) -> Option<String> {
    NameAddr::parse(value).ok()?.tag().map(str::to_owned)
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
