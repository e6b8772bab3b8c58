//! Visitor blocks: what a block covers, how long it lasts, how it reads.

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::account::InvalidInput;

/// A block lasts exactly this long, then lifts by itself.
pub const DURATION: Duration = Duration::days(7);

/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why an agent blocked a visitor: 1 to 500 characters, never shown to the
/// visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockReason(String);

impl BlockReason {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(InvalidInput(
                "Give a reason for the block. The visitor never sees it.",
            ));
        }
        if t.chars().count() > MAX_REASON_CHARS {
            return Err(InvalidInput("A reason can be at most 500 characters."));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The network a block covers: the address itself for IPv4, the /64 for
/// IPv6 (one subscriber's usual allocation). IPv4-mapped IPv6 is IPv4.
pub fn network_of(ip: IpAddr) -> IpNet {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpNet::V4(Ipv4Net::new_assert(v4, 32)),
        IpAddr::V6(v6) => IpNet::V6(Ipv6Net::new_assert(v6, 64).trunc()),
    }
}

/// [`network_of`] as text, exactly as `IpNet`'s `Display` writes it (the
/// form blind indexes are computed over), without allocating: every widget
/// request checks the visitor blocks with it.
pub struct NetworkText {
    buf: [u8; 48],
    len: usize,
}

impl NetworkText {
    pub fn of(ip: IpAddr) -> NetworkText {
        let mut t = NetworkText {
            buf: [0; 48],
            len: 0,
        };
        match network_of(ip) {
            IpNet::V4(n) => {
                for (i, octet) in n.addr().octets().into_iter().enumerate() {
                    if i > 0 {
                        t.push(b'.');
                    }
                    if octet >= 100 {
                        t.push(b'0' + octet / 100);
                    }
                    if octet >= 10 {
                        t.push(b'0' + octet / 10 % 10);
                    }
                    t.push(b'0' + octet % 10);
                }
                for b in *b"/32" {
                    t.push(b);
                }
            }
            // IPv6's zero compression is left to the standard library.
            n @ IpNet::V6(_) => {
                let _ = std::fmt::Write::write_fmt(&mut t, format_args!("{n}"));
            }
        }
        t
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written, and only whole `str`s.
        std::str::from_utf8(self.buf.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl std::fmt::Write for NetworkText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The Conversations tab's filter, `?blocking=`. "Blocked" means a block in
/// force now; "Not blocked" is everything else, including conversations
/// whose block has expired or was lifted. Unknown values mean "All".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlockingFilter {
    #[default]
    All,
    Blocked,
    NotBlocked,
}

impl BlockingFilter {
    pub fn parse(raw: Option<&str>) -> Self {
        match raw {
            Some("blocked") => Self::Blocked,
            Some("not_blocked") => Self::NotBlocked,
            _ => Self::All,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Blocked => "blocked",
            Self::NotBlocked => "not_blocked",
        }
    }
}

/// Where a block stands at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockState {
    Active { remaining: Duration },
    Expired { at: NaiveDateTime },
    Lifted { at: NaiveDateTime, by: String },
}

impl BlockState {
    pub fn of(
        expires_at: NaiveDateTime,
        lifted: Option<(NaiveDateTime, &str)>,
        now: NaiveDateTime,
    ) -> Self {
        match lifted {
            Some((at, by)) if at < expires_at => BlockState::Lifted {
                at,
                by: by.to_owned(),
            },
            _ if now < expires_at => BlockState::Active {
                remaining: expires_at - now,
            },
            _ => BlockState::Expired { at: expires_at },
        }
    }

    pub fn is_active(&self) -> bool {
        matches!(self, BlockState::Active { .. })
    }
}

/// "6 days 23 hours", "3 hours 5 minutes", "4 minutes", "less than a minute".
pub fn remaining_text(d: Duration) -> String {
    let mins = d.num_minutes();
    let (days, hours, minutes) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (days, hours, minutes) {
        (0, 0, 0) => "less than a minute".into(),
        (0, 0, m) => unit(m, "minute"),
        (0, h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        (d, h, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use proptest::prelude::*;

    fn t(s: i64) -> NaiveDateTime {
        DateTime::from_timestamp(1_800_000_000 + s, 0)
            .unwrap()
            .naive_utc()
    }

    proptest! {
        #[test]
        fn network_text_is_the_networks_display(a in any::<u32>(), b in any::<u128>()) {
            for ip in [
                IpAddr::V4(a.into()),
                IpAddr::V6(b.into()),
                IpAddr::V6(std::net::Ipv4Addr::from(a).to_ipv6_mapped()),
                IpAddr::V6((b & (u128::MAX << 64)).into()),
            ] {
                let text = NetworkText::of(ip);
                prop_assert_eq!(text.as_str(), network_of(ip).to_string());
            }
        }
    }

    #[test]
    fn network_text_edges() {
        for ip in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.100.9",
            "::",
            "::1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "::ffff:1.2.3.4",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(
                NetworkText::of(ip).as_str(),
                network_of(ip).to_string(),
                "{ip}"
            );
        }
    }

    #[test]
    fn reasons() {
        assert!(BlockReason::parse("  \t ").is_err());
        assert!(BlockReason::parse(&"x".repeat(501)).is_err());
        assert_eq!(
            BlockReason::parse(" abusive language ").unwrap().as_str(),
            "abusive language"
        );
    }

    #[test]
    fn networks() {
        assert_eq!(
            network_of("203.0.113.7".parse().unwrap()).to_string(),
            "203.0.113.7/32"
        );
        assert_eq!(
            network_of("::ffff:203.0.113.7".parse().unwrap()).to_string(),
            "203.0.113.7/32"
        );
        assert_eq!(
            network_of("2001:db8:1:2:3:4:5:6".parse().unwrap()).to_string(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            network_of("2001:db8:1:2::1".parse().unwrap()),
            network_of("2001:db8:1:2:ffff::9".parse().unwrap()),
            "neighbours in one /64 share the block"
        );
        assert_ne!(
            network_of("2001:db8:1:2::1".parse().unwrap()),
            network_of("2001:db8:1:3::1".parse().unwrap())
        );
    }

    #[test]
    fn lifecycle() {
        let expires = t(0) + DURATION;
        assert_eq!(
            BlockState::of(expires, None, t(0)),
            BlockState::Active {
                remaining: DURATION
            }
        );
        assert!(BlockState::of(expires, None, expires - Duration::seconds(1)).is_active());
        assert_eq!(
            BlockState::of(expires, None, expires),
            BlockState::Expired { at: expires }
        );
        assert_eq!(
            BlockState::of(expires, None, expires + Duration::seconds(1)),
            BlockState::Expired { at: expires }
        );
        let lifted = BlockState::of(expires, Some((t(60), "Morgan")), t(120));
        assert_eq!(
            lifted,
            BlockState::Lifted {
                at: t(60),
                by: "Morgan".into()
            }
        );
    }

    #[test]
    fn wording() {
        assert_eq!(remaining_text(DURATION), "7 days 0 hours");
        assert_eq!(
            remaining_text(DURATION - Duration::seconds(1)),
            "6 days 23 hours"
        );
        assert_eq!(remaining_text(Duration::minutes(185)), "3 hours 5 minutes");
        assert_eq!(remaining_text(Duration::minutes(1)), "1 minute");
        assert_eq!(remaining_text(Duration::seconds(20)), "less than a minute");
    }

    proptest! {
        #[test]
        fn v6_networks_are_slash_64_and_contain_the_address(a in any::<u128>()) {
            let ip = IpAddr::V6(std::net::Ipv6Addr::from(a));
            let net = network_of(ip);
            prop_assert!(net.contains(&ip.to_canonical()));
            if let IpNet::V6(n) = net { prop_assert_eq!(n.prefix_len(), 64) }
        }
    }
}
