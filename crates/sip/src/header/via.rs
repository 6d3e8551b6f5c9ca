//! `Via` (RFC 3261 §20.42, §18.2.1 `received`, RFC 3581 `rport`, RFC 5118
//! §4.5 IPv6 `received`).

use std::borrow::Cow;
use std::fmt;

use smol_str::SmolStr;

use super::{Branch, header_params};
use crate::headers::{HeaderError, HeaderName, TypedHeader};
use crate::params::Params;
use crate::text::Text;

/// The transport of a `Via` (RFC 3261 §20.42, RFC 7118 §5 for WS/WSS).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP
    Udp,
    /// TCP
    Tcp,
    /// TLS
    Tls,
    /// SCTP
    Sctp,
    /// WebSocket
    Ws,
    /// Secure WebSocket
    Wss,
    /// Any other token, kept as written.
    Other(String),
}

impl Transport {
    /// The transport named by `token`, in any case.
    fn parse(token: &str) -> Transport {
        let upper = |b: &u8| b.to_ascii_uppercase();
        let known = match token.as_bytes() {
            [a, b] => match [upper(a), upper(b)] {
                [b'W', b'S'] => Some(Transport::Ws),
                _ => None,
            },
            [a, b, c] => match [upper(a), upper(b), upper(c)] {
                [b'U', b'D', b'P'] => Some(Transport::Udp),
                [b'T', b'C', b'P'] => Some(Transport::Tcp),
                [b'T', b'L', b'S'] => Some(Transport::Tls),
                [b'W', b'S', b'S'] => Some(Transport::Wss),
                _ => None,
            },
            [a, b, c, d] => match [upper(a), upper(b), upper(c), upper(d)] {
                [b'S', b'C', b'T', b'P'] => Some(Transport::Sctp),
                _ => None,
            },
            _ => None,
        };
        known.unwrap_or_else(|| Transport::Other(token.to_owned()))
    }

    /// The transport token (upper case for known transports).
    pub fn as_str(&self) -> &str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Sctp => "SCTP",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
            Transport::Other(t) => t,
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `Via` value: `SIP/2.0/<transport> <host>[:<port>];params`.
///
/// `S` holds the text (see [`crate::text`]): a `Via` owns it, a [`ViaRef`]
/// borrows it from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via<S: AsRef<str> = SmolStr> {
    /// The transport.
    pub transport: Transport,
    /// The sent-by host: a name, an IPv4 address or a bracketed IPv6 reference
    /// (owned, held inline, without an allocation, up to 23 bytes).
    pub host: S,
    /// The sent-by port.
    pub port: Option<u16>,
    /// Parameters (`branch`, `received`, `rport`, `maddr`, `ttl`, ...).
    pub params: Params<S>,
}

/// A [`Via`] read in place, borrowing the message's text.
pub type ViaRef<'a> = Via<Cow<'a, str>>;

impl Via {
    /// A `Via` with a `branch` parameter and nothing else.
    pub fn new(
        transport: Transport,
        host: impl Into<SmolStr>,
        port: Option<u16>,
        branch: &Branch,
    ) -> Self {
        let mut params = Params::new();
        params.push("branch", Some(branch.as_str()));
        Self {
            transport,
            host: host.into(),
            port,
            params,
        }
    }

    /// Sets `received` (RFC 3261 §18.2.1).
    pub fn set_received(&mut self, address: &str) {
        self.params.set("received", Some(address));
    }

    /// Fills in `rport` (RFC 3581 §4).
    pub fn set_rport(&mut self, port: u16) {
        self.params.set("rport", Some(&port.to_string()));
    }
}

impl<S: AsRef<str>> Via<S> {
    /// The owned form, the text copied.
    pub fn into_owned(self) -> Via {
        Via {
            transport: self.transport,
            host: SmolStr::new(self.host.as_ref()),
            port: self.port,
            params: self.params.into_owned(),
        }
    }

    /// The `branch` parameter (RFC 3261 §8.1.1.7).
    pub fn branch(&self) -> Option<&str> {
        self.params.get("branch").flatten()
    }

    /// The `received` parameter (RFC 3261 §18.2.1), brackets removed from an
    /// IPv6 address if present (RFC 5118 §4.5 accepts both forms).
    pub fn received(&self) -> Option<&str> {
        let value = self.params.get("received").flatten()?;
        Some(
            value
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .unwrap_or(value),
        )
    }

    /// The `rport` parameter (RFC 3581): `Some(None)` when present without a
    /// value (a request for it), `Some(Some(port))` when filled in.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }

    /// The `maddr` parameter.
    pub fn maddr(&self) -> Option<&str> {
        self.params.get("maddr").flatten()
    }

    /// The `ttl` parameter.
    pub fn ttl(&self) -> Option<u8> {
        self.params
            .get("ttl")
            .flatten()
            .and_then(|t| t.parse().ok())
    }
}

impl<'a, S: Text<'a>> TypedHeader<'a> for Via<S> {
    const NAME: HeaderName = HeaderName::VIA;
    const LIST: bool = true;
    // A comma ends the host, the port or a parameter: refused.
    const REFUSES_COMMAS: bool = true;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let bad = |reason| HeaderError::malformed(Self::NAME, reason);
        let rest = match value.strip_prefix("SIP/2.0/") {
            // As nearly every Via is written.
            Some(rest) => rest,
            // Whitespace is allowed around the slashes (RFC 3261 §25.1 SLASH).
            None => {
                let (name, rest) = value.split_once('/').ok_or(bad("missing sent-protocol"))?;
                let (version, rest) = rest.split_once('/').ok_or(bad("missing sent-protocol"))?;
                if !name.trim().eq_ignore_ascii_case("SIP") || version.trim() != "2.0" {
                    return Err(bad("sent-protocol is not SIP/2.0"));
                }
                rest
            }
        };
        let rest = rest.trim_ascii_start();
        let transport_len = rest
            .as_bytes()
            .iter()
            .take_while(|&&b| crate::syntax::is_token_byte(b))
            .count();
        if transport_len == 0 || !matches!(rest.as_bytes().get(transport_len), Some(b' ' | b'\t')) {
            return Err(bad("missing transport"));
        }
        let transport = rest.get(..transport_len).unwrap_or("");
        let mut at = transport_len;
        while rest.as_bytes().get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let (host, port, params) =
            split_sent_by(rest, at).ok_or(bad("invalid sent-by host or port"))?;
        Ok(Via {
            transport: Transport::parse(transport),
            host: S::found(host),
            port,
            params: header_params(Self::NAME, params)?,
        })
    }
}

/// The `sent-by` starting at `start` (host, optional `:port`) and the rest
/// of the value (the parameters), in one pass: the host ends at the first
/// byte a host name cannot hold, which must then start the port, the
/// parameters or whitespace.
fn split_sent_by(rest: &str, start: usize) -> Option<(&str, Option<u16>, &str)> {
    let text = rest.get(start..)?;
    let tail = text.as_bytes();
    let host_len = if tail.first() == Some(&b'[') {
        let close = crate::syntax::find_byte(b']', tail)?;
        crate::uri::parse_ipv6(text.get(1..close)?)?;
        close + 1
    } else {
        tail.iter()
            .take_while(|&&b| crate::syntax::is(b, crate::syntax::HOST))
            .count()
    };
    if host_len == 0 {
        return None;
    }
    let mut at = host_len;
    let port = if tail.get(at) == Some(&b':') {
        // The same `port` rule as in a URI (1 to 5 digits, at most 65535).
        let (port, digits) = crate::uri::parse_port(tail.get(at + 1..)?).ok()?;
        at += 1 + digits;
        Some(port)
    } else {
        None
    };
    if !matches!(tail.get(at), None | Some(b';' | b' ' | b'\t')) {
        return None;
    }
    Some((text.get(..host_len)?, port, text.get(at..)?))
}

impl<S: AsRef<str>> fmt::Display for Via<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/2.0/{} {}", self.transport, self.host.as_ref())?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::assert_round_trip;

    #[test]
    fn round_trips_all_params() {
        let v: Via = assert_round_trip(
            "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5060",
            "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5060",
        );
        assert_eq!(v.transport, Transport::Wss);
        assert_eq!(v.branch(), Some("z9hG4bK776asdhds"));
        assert_eq!(v.received(), Some("192.0.2.1"));
        assert_eq!(v.rport(), Some(Some(5060)));
    }

    #[test]
    fn accepts_torture_whitespace() {
        let v: Via = assert_round_trip(
            "SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw",
            "SIP/2.0/UDP 192.0.2.2;branch=390skdjuw",
        );
        assert_eq!(v.host, "192.0.2.2");
        let v: Via = assert_round_trip(
            "SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239",
            "SIP/2.0/UDP 192.168.255.111;branch=z9hG4bK30239",
        );
        assert_eq!(v.port, None);
    }

    #[test]
    fn ipv6_sent_by_and_received_rfc5118() {
        let v: Via = assert_round_trip(
            "SIP/2.0/UDP [2001:db8::9:1]:5070;branch=z9hG4bKas3;received=[2001:db8::9:255];rport",
            "SIP/2.0/UDP [2001:db8::9:1]:5070;branch=z9hG4bKas3;received=[2001:db8::9:255];rport",
        );
        assert_eq!(v.received(), Some("2001:db8::9:255"));
        assert_eq!(v.rport(), Some(None));
        let v =
            <Via>::parse("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3")
                .unwrap();
        assert_eq!(v.received(), Some("2001:db8::9:255"));
    }

    #[test]
    fn transports_in_any_case() {
        for (token, transport) in [
            ("UDP", Transport::Udp),
            ("tcp", Transport::Tcp),
            ("Tls", Transport::Tls),
            ("sctp", Transport::Sctp),
            ("ws", Transport::Ws),
            ("wsS", Transport::Wss),
            ("WT", Transport::Other("WT".into())),
            ("UDPX", Transport::Other("UDPX".into())),
            ("QUIC", Transport::Other("QUIC".into())),
        ] {
            assert_eq!(Transport::parse(token), transport, "{token}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;",
            ";",
            "",
            "SIP/2.0/UDP",
            "SIP/3.0/UDP h",
            "SIP/2.0/UDP h:99999",
            "SIP/2.0/UDP h:65536",
            "SIP/2.0/UDP h:005060",
            "SIP/2.0/UDP [::1",
            "SIP/2.0/UDP h_x;branch=z9hG4bK1",
            "SIP/2.0/UDP h:;branch=z9hG4bK1",
            "SIP/2.0/UDP h:50a;branch=z9hG4bK1",
            "SIP/2.0/UDP h:5060x",
            "SIP/2.0/UDP :5060",
            "SIP/2.0/UDP [::1]x",
            "SIP/2.0/UDP [zz::1]:5060",
        ] {
            assert!(<Via>::parse(bad).is_err(), "{bad}");
        }
        // Whitespace may end the sent-by before the parameters.
        let v = <Via>::parse("SIP/2.0/UDP h.example:5070 ;branch=z9hG4bK1").unwrap();
        assert_eq!((v.host.as_str(), v.port), ("h.example", Some(5070)));
        assert_eq!(v.branch(), Some("z9hG4bK1"));
        let v = <Via>::parse("SIP/2.0/UDP h.example:65535").unwrap();
        assert_eq!(v.port, Some(65535));
    }

    #[test]
    fn builds_with_branch() {
        let mut v = Via::new(
            Transport::Ws,
            "a.invalid",
            None,
            &Branch::from_random(0xabc),
        );
        v.set_rport(1234);
        assert_eq!(
            v.to_string(),
            "SIP/2.0/WS a.invalid;branch=z9hG4bK00000000000000000000000000000abc;rport=1234"
        );
    }
}
