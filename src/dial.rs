//! Turning what a person typed or pasted into a SIP target.
//!
//! People paste phone numbers with spaces, dashes, dots and brackets
//! (`+1 (555) 010-4477`), `tel:` URIs (RFC 3966), bare extensions (`1001`),
//! `user@host` and full `sip:`/`sips:` URIs, sometimes wrapped in angle
//! brackets or with a display name in front (`Bob <sip:bob@example.com>`).

use core::fmt;

/// Why a dial string cannot be called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialError {
    /// Nothing to call.
    Empty,
    /// Characters no SIP URI user part or phone number may hold.
    Invalid,
}

impl fmt::Display for DialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DialError::Empty => f.write_str("Type a number or a SIP address first."),
            DialError::Invalid => {
                f.write_str("That is not a number or a SIP address (like 1001 or bob@example.com).")
            }
        }
    }
}

/// Characters allowed in a SIP URI user part (RFC 3261 §25.1: unreserved,
/// escaped and user-unreserved), which is what we accept before the `@`.
fn is_user_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()&=+$,;?/%#".contains(c)
}

/// Characters allowed in a host: names, IPv4, bracketed IPv6 and a port.
fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.:[]".contains(c)
}

/// Visual separators people put in phone numbers (RFC 3966 §5.1.1).
fn is_visual_separator(c: char) -> bool {
    c.is_whitespace() || "-.()/\u{a0}".contains(c)
}

/// Normalises a dial string into a SIP URI in `domain` (the account's
/// domain) unless it names its own host.
pub fn normalize_dial(input: &str, domain: &str) -> Result<String, DialError> {
    let mut text = input.trim();
    // "Bob <sip:bob@example.com>" or "<sip:bob@example.com>": keep the URI.
    if let (Some(open), Some(close)) = (text.rfind('<'), text.rfind('>')) {
        if open < close {
            text = text.get(open + 1..close).unwrap_or(text).trim();
        }
    }
    if text.is_empty() {
        return Err(DialError::Empty);
    }
    let lower = text.to_ascii_lowercase();
    let (scheme, rest) = if lower.starts_with("sips:") {
        ("sips", text.get(5..).unwrap_or(""))
    } else if lower.starts_with("sip:") {
        ("sip", text.get(4..).unwrap_or(""))
    } else if lower.starts_with("tel:") {
        // A tel: URI carries a number and maybe parameters (";phone-context=").
        let number = text.get(4..).unwrap_or("");
        let number = number.split(';').next().unwrap_or("");
        return phone_number(number).map(|n| format!("sip:{n}@{domain}"));
    } else {
        ("sip", text)
    };
    // Parameters and headers after the host are the caller's business.
    let (address, tail) = match rest.find([';', '?']) {
        Some(at) if rest.contains('@') && rest.find('@').is_some_and(|a| a < at) => {
            (rest.get(..at).unwrap_or(rest), rest.get(at..).unwrap_or(""))
        }
        _ => (rest, ""),
    };
    match address.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.trim();
            let host = host.trim();
            if host.is_empty() || !host.chars().all(is_host_char) {
                return Err(DialError::Invalid);
            }
            let user = if looks_like_phone_number(user) {
                phone_number(user)?
            } else if !user.is_empty() && user.chars().all(is_user_char) {
                user.to_owned()
            } else {
                return Err(DialError::Invalid);
            };
            Ok(format!("{scheme}:{user}@{host}{tail}"))
        }
        None => {
            let user = address.trim();
            let user = if looks_like_phone_number(user) {
                phone_number(user)?
            } else if user.chars().all(is_user_char) {
                user.to_owned()
            } else {
                return Err(DialError::Invalid);
            };
            if user.is_empty() {
                return Err(DialError::Empty);
            }
            Ok(format!("{scheme}:{user}@{domain}"))
        }
    }
}

/// A string of digits, `+`, `*`, `#` and visual separators.
fn looks_like_phone_number(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "+*#".contains(c) || is_visual_separator(c))
}

/// The dialable characters of a phone number, separators removed. A `+` is
/// only kept in front.
fn phone_number(text: &str) -> Result<String, DialError> {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '0'..='9' | '*' | '#' => out.push(c),
            '+' if out.is_empty() => out.push(c),
            c if is_visual_separator(c) => {}
            _ => return Err(DialError::Invalid),
        }
    }
    if out.is_empty() || out == "+" {
        return Err(DialError::Empty);
    }
    // '#' must be escaped in a SIP URI user part (RFC 3261 §25.1).
    Ok(out.replace('#', "%23"))
}

/// The host part of a SIP address of record, for dialling bare numbers.
pub fn domain_of(aor: &str) -> Option<&str> {
    let rest = aor.trim();
    let rest = rest
        .strip_prefix("sips:")
        .or_else(|| rest.strip_prefix("sip:"))
        .unwrap_or(rest);
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = host.split([';', '?', '>']).next().unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The user part of a SIP address of record (the default authorisation user).
pub fn user_of(aor: &str) -> Option<&str> {
    let rest = aor.trim();
    let rest = rest
        .strip_prefix("sips:")
        .or_else(|| rest.strip_prefix("sip:"))
        .unwrap_or(rest);
    rest.rsplit_once('@')
        .map(|(user, _)| user)
        .filter(|u| !u.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_extension_gets_the_account_domain() {
        assert_eq!(
            normalize_dial("1001", "example.com").unwrap(),
            "sip:1001@example.com"
        );
        assert_eq!(
            normalize_dial("  alice ", "example.com").unwrap(),
            "sip:alice@example.com"
        );
    }

    #[test]
    fn pasted_phone_numbers_lose_their_separators() {
        assert_eq!(
            normalize_dial("+1 (555) 010-4477", "pbx.test").unwrap(),
            "sip:+15550104477@pbx.test"
        );
        assert_eq!(
            normalize_dial("030.1234\u{a0}567", "pbx.test").unwrap(),
            "sip:0301234567@pbx.test"
        );
        assert_eq!(
            normalize_dial("*97", "pbx.test").unwrap(),
            "sip:*97@pbx.test"
        );
        assert_eq!(
            normalize_dial("12#", "pbx.test").unwrap(),
            "sip:12%23@pbx.test"
        );
    }

    #[test]
    fn tel_uris_become_sip_uris() {
        assert_eq!(
            normalize_dial("tel:+44-20-7946-0000;phone-context=example", "pbx.test").unwrap(),
            "sip:+442079460000@pbx.test"
        );
    }

    #[test]
    fn sip_addresses_keep_their_host_and_scheme() {
        assert_eq!(
            normalize_dial("bob@example.org", "pbx.test").unwrap(),
            "sip:bob@example.org"
        );
        assert_eq!(
            normalize_dial("SIP:bob@example.org", "pbx.test").unwrap(),
            "sip:bob@example.org"
        );
        assert_eq!(
            normalize_dial("sips:bob@example.org:5061", "x").unwrap(),
            "sips:bob@example.org:5061"
        );
        assert_eq!(
            normalize_dial("Bob Smith <sip:bob@example.org>", "x").unwrap(),
            "sip:bob@example.org"
        );
        assert_eq!(
            normalize_dial("sip:bob@example.org;transport=ws", "x").unwrap(),
            "sip:bob@example.org;transport=ws"
        );
        assert_eq!(
            normalize_dial("+1 555 0100@gw.example", "x").unwrap(),
            "sip:+15550100@gw.example"
        );
    }

    #[test]
    fn rejects_empty_and_hostile_input() {
        assert_eq!(normalize_dial("   ", "x"), Err(DialError::Empty));
        assert_eq!(normalize_dial("sip:", "x"), Err(DialError::Empty));
        assert_eq!(normalize_dial("<>", "x"), Err(DialError::Empty));
        assert_eq!(normalize_dial("bob smith", "x"), Err(DialError::Invalid));
        assert_eq!(
            normalize_dial("a\"b@example.org", "x"),
            Err(DialError::Invalid)
        );
        assert_eq!(
            normalize_dial("bob@exa mple.org", "x"),
            Err(DialError::Invalid)
        );
        assert_eq!(normalize_dial("bob@", "x"), Err(DialError::Invalid));
        assert_eq!(normalize_dial("12+34", "x"), Err(DialError::Invalid));
    }

    #[test]
    fn parts_of_an_address_of_record() {
        assert_eq!(domain_of("sip:1001@localhost"), Some("localhost"));
        assert_eq!(
            domain_of("alice@example.com;transport=ws"),
            Some("example.com")
        );
        assert_eq!(user_of("sip:1001@localhost"), Some("1001"));
        assert_eq!(user_of("localhost"), None);
    }
}
