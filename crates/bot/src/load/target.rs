//! Which servers the load generator may target: loopback only, unless the
//! operator passes `--allow-remote` for a server they run.

use std::net::IpAddr;

/// The host of a `ws://` or `wss://` URL, without brackets or port.
pub fn host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("ws://")
        .or_else(|| url.strip_prefix("wss://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split_once(']').map(|(host, _)| host);
    }
    authority.split(':').next().filter(|h| !h.is_empty())
}

/// Whether `url` names a loopback server: 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &str) -> bool {
    match host(url) {
        Some(host) if host.eq_ignore_ascii_case("localhost") => true,
        Some(host) => host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_targets_pass() {
        for url in [
            "ws://127.0.0.1:8088",
            "ws://127.1.2.3",
            "ws://localhost:80/sip",
            "ws://[::1]:8088",
            "wss://LOCALHOST",
        ] {
            assert!(is_loopback(url), "{url}");
        }
    }

    #[test]
    fn other_targets_are_refused() {
        for url in [
            "ws://10.0.0.1:8088",
            "ws://example.com",
            "ws://127.0.0.1.example.com:80",
            "ws://[::2]:8088",
            "ws://localhost@evil.example:80",
            "http://127.0.0.1",
            "ws://",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
