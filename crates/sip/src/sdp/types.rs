//! Small typed values read from SDP lines (RFC 8866 §5, §6; RFC 3264 §5.1, §8.4;
//! RFC 8839 §5.4; RFC 5888 §5).

use std::fmt;

/// A media direction attribute (RFC 8866 §6.7, RFC 3264 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `a=sendrecv`, the default when none is given.
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// The direction an attribute name stands for.
    pub fn from_attribute(name: &str) -> Option<Self> {
        match name {
            "sendrecv" => Some(Self::SendRecv),
            "sendonly" => Some(Self::SendOnly),
            "recvonly" => Some(Self::RecvOnly),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }

    /// Whether this side sends media.
    pub fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether this side receives media.
    pub fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// The same stream seen from the other side: what an answer mirrors
    /// when it accepts the offer as is (RFC 3264 §6.1).
    pub fn reversed(self) -> Self {
        match self {
            Self::SendOnly => Self::RecvOnly,
            Self::RecvOnly => Self::SendOnly,
            other => other,
        }
    }

    /// On hold: `sendrecv` becomes `sendonly`, `recvonly` becomes `inactive`
    /// (RFC 3264 §8.4).
    pub fn held(self) -> Self {
        match self {
            Self::SendRecv | Self::SendOnly => Self::SendOnly,
            Self::RecvOnly | Self::Inactive => Self::Inactive,
        }
    }

    /// Off hold: the inverse of [`Direction::held`].
    pub fn resumed(self) -> Self {
        match self {
            Self::SendOnly | Self::SendRecv => Self::SendRecv,
            Self::Inactive | Self::RecvOnly => Self::RecvOnly,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `c=` line: `<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// `IN`.
    pub net_type: String,
    /// `IP4` or `IP6`.
    pub addr_type: String,
    /// The address, possibly with `/ttl` or `/count` suffixes kept as written.
    pub address: String,
}

impl Connection {
    /// `IN IP4 <address>`.
    pub fn ip4(address: impl Into<String>) -> Self {
        Self {
            net_type: "IN".into(),
            addr_type: "IP4".into(),
            address: address.into(),
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        let mut fields = value.split(' ');
        let connection = Self {
            net_type: non_empty(fields.next())?.to_owned(),
            addr_type: non_empty(fields.next())?.to_owned(),
            address: non_empty(fields.next())?.to_owned(),
        };
        fields.next().is_none().then_some(connection)
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}

/// The `o=` line (RFC 8866 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `<username>`, `-` when none.
    pub username: String,
    /// `<sess-id>`: a numeric string.
    pub session_id: String,
    /// `<sess-version>`, incremented by each new offer (RFC 3264 §8).
    pub session_version: u64,
    /// `IN`.
    pub net_type: String,
    /// `IP4` or `IP6`.
    pub addr_type: String,
    /// `<unicast-address>`.
    pub address: String,
}

impl Origin {
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let mut fields = value.split(' ');
        let origin = Self {
            username: non_empty(fields.next())?.to_owned(),
            session_id: non_empty(fields.next())?.to_owned(),
            session_version: non_empty(fields.next())?.parse().ok()?,
            net_type: non_empty(fields.next())?.to_owned(),
            addr_type: non_empty(fields.next())?.to_owned(),
            address: non_empty(fields.next())?.to_owned(),
        };
        fields.next().is_none().then_some(origin)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.net_type,
            self.addr_type,
            self.address
        )
    }
}

/// ICE credentials (RFC 8839 §5.4). A change of either between two offers
/// is an ICE restart (RFC 8839 §4.4.1.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCredentials {
    /// `a=ice-ufrag`.
    pub ufrag: String,
    /// `a=ice-pwd`. It travels in clear in every SDP body, which is logged
    /// at `trace` with the rest of the message.
    pub pwd: String,
}

/// An `a=group` attribute (RFC 5888 §5), e.g. `BUNDLE 0 1` (RFC 9143).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `BUNDLE`, `LS`, ...
    pub semantics: String,
    /// The `mid` values grouped.
    pub mids: Vec<String>,
}

impl Group {
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let mut fields = value.split(' ').filter(|f| !f.is_empty());
        let semantics = fields.next()?.to_owned();
        Some(Self {
            semantics,
            mids: fields.map(str::to_owned).collect(),
        })
    }
}

pub(crate) fn non_empty(field: Option<&str>) -> Option<&str> {
    field.filter(|f| !f.is_empty())
}
