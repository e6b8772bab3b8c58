//! The visitor blocks in force, as the gate holds them.
//!
//! A block's network is stored sealed, with a keyed HMAC-SHA256 index for
//! look-ups in the database. Computing that MAC on every widget request
//! cost more than the rest of the decision, so the gate opens each block's
//! seal once, when it first loads the block, and holds the network itself
//! as one integer ([`NetworkKey`]) in a per-account hash map under a fast
//! hash seeded per process (`foldhash`). An account without blocks costs
//! one look-up. The opened networks are kept by block id, so a reload opens
//! only the blocks it has not seen.
//!
//! Blocks that cover the visitor's browser are held by the browser's keyed
//! index, as stored: only the frame and the requests after it name a
//! browser, never the loader's bootstrap.

use std::{collections::HashMap, net::IpAddr};

use chrono::NaiveDateTime;
use ipnet::IpNet;

/// The blind index of the network a visitor address falls in.
pub type NetworkIndex = [u8; 32];
/// The keyed index of a visitor's browser (of its stored cookie key).
pub type BrowserIndex = [u8; 32];
/// A visitor network held in memory: an IPv4 address (in its IPv4-mapped
/// IPv6 form) or an IPv6 /64 (its low 64 bits zero), as one integer. The
/// two never meet: a mapped address has non-zero low bits.
pub type NetworkKey = u128;

type Fast = foldhash::fast::RandomState;

/// The network of `ip` (the address, or its IPv6 /64), as held.
pub fn network_key(ip: IpAddr) -> NetworkKey {
    match ip.to_canonical() {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6) & !u128::from(u64::MAX),
    }
}

/// The key of a stored block network (an IPv4 /32 or an IPv6 /64).
pub fn key_of_network(net: &IpNet) -> Option<NetworkKey> {
    match net {
        IpNet::V4(n) if n.prefix_len() == 32 => Some(network_key(IpAddr::V4(n.addr()))),
        IpNet::V6(n) if n.prefix_len() == 64 => Some(network_key(IpAddr::V6(n.network()))),
        _ => None,
    }
}

/// One block in force, as the gate holds it.
#[derive(Debug, Clone)]
pub struct Held {
    pub block_id: i64,
    pub account_id: i64,
    /// The blocked network, once opened; `None` when the network is erased
    /// or could not be opened.
    pub network: Option<NetworkKey>,
    /// The browser's keyed index, for a block that covers the browser.
    pub browser: Option<Vec<u8>>,
    pub until: NaiveDateTime,
}

/// Visitor blocks in force: per account, the network to the block's end,
/// and (account, browser index) to the end of a block covering a browser;
/// the latest end when several blocks share one.
#[derive(Debug, Default)]
pub struct Blocks {
    pub(super) networks: HashMap<i64, HashMap<NetworkKey, NaiveDateTime, Fast>, Fast>,
    pub(super) browsers: HashMap<(i64, BrowserIndex), NaiveDateTime>,
    /// The networks opened so far, by block id.
    opened: HashMap<i64, NetworkKey>,
    len: usize,
}

fn keep_latest<K: std::hash::Hash + Eq, S: std::hash::BuildHasher>(
    map: &mut HashMap<K, NaiveDateTime, S>,
    key: K,
    until: NaiveDateTime,
) {
    let e = map.entry(key).or_insert(until);
    if until > *e {
        *e = until;
    }
}

impl Blocks {
    pub fn new(held: impl IntoIterator<Item = Held>) -> Self {
        let mut blocks = Blocks::default();
        for h in held {
            if let Some(net) = h.network {
                blocks.opened.insert(h.block_id, net);
                let nets = blocks.networks.entry(h.account_id).or_default();
                keep_latest(nets, net, h.until);
            }
            let browser = h
                .browser
                .and_then(|i| BrowserIndex::try_from(i.as_slice()).ok());
            if let Some(b) = browser {
                keep_latest(&mut blocks.browsers, (h.account_id, b), h.until);
            }
        }
        blocks.len = blocks.networks.values().map(HashMap::len).sum();
        blocks
    }

    /// Blocks of the given networks (test and benchmark set-up): account,
    /// an address in the network, the browser index, the end.
    pub fn of_addresses(
        rows: impl IntoIterator<Item = (i64, Option<IpAddr>, Option<Vec<u8>>, NaiveDateTime)>,
    ) -> Self {
        Self::new(
            rows.into_iter()
                .zip(1..)
                .map(|((account_id, ip, browser, until), block_id)| Held {
                    block_id,
                    account_id,
                    network: ip.map(network_key),
                    browser,
                    until,
                }),
        )
    }

    /// The network of block `id`, if this snapshot opened it.
    pub fn opened(&self, id: i64) -> Option<NetworkKey> {
        self.opened.get(&id).copied()
    }

    /// The end of the block of the account's `network`, if one is held.
    pub(super) fn network_until(
        &self,
        account_id: i64,
        network: NetworkKey,
    ) -> Option<NaiveDateTime> {
        self.networks.get(&account_id)?.get(&network).copied()
    }

    /// How many networks are blocked.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty() && self.browsers.is_empty()
    }

    /// How many browsers are blocked.
    pub fn browsers(&self) -> usize {
        self.browsers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn keeps_the_latest_end_per_network_and_browser_and_skips_malformed_ones() {
        let blocks = Blocks::of_addresses([
            (1, Some(ip("203.0.113.9")), None, t(1)),
            (1, Some(ip("203.0.113.9")), Some(vec![7; 32]), t(3)),
            (1, None, Some(vec![7; 32]), t(2)),
            (2, None, Some(vec![9; 31]), t(4)),
        ]);
        assert_eq!(blocks.len(), 1);
        let net = network_key(ip("203.0.113.9"));
        assert_eq!(blocks.network_until(1, net), Some(t(3)));
        assert_eq!(blocks.network_until(2, net), None);
        assert_eq!(blocks.browsers(), 1);
        assert_eq!(blocks.browsers[&(1, [7; 32])], t(3));
        assert_eq!(blocks.opened(1), Some(net));
        assert_eq!(blocks.opened(3), None);
    }

    #[test]
    fn the_key_is_the_address_or_its_slash_64_and_the_families_never_meet() {
        let k = |s: &str| network_key(ip(s));
        assert_eq!(k("203.0.113.9"), k("::ffff:203.0.113.9"));
        assert_ne!(k("203.0.113.9"), k("203.0.113.10"));
        assert_eq!(k("2001:db8:1:2::10"), k("2001:db8:1:2:ffff::1"));
        assert_ne!(k("2001:db8:1:2::10"), k("2001:db8:1:3::10"));
        // IPv4 0.0.0.1 against the IPv6 /64 of ::1, and ::/64 itself.
        assert_ne!(k("0.0.0.1"), k("::1"));
        assert_ne!(k("0.0.0.0"), k("::"));
        for net in ["203.0.113.9/32", "2001:db8:1:2::/64"] {
            let n: IpNet = net.parse().unwrap();
            assert_eq!(key_of_network(&n), Some(network_key(n.addr())));
        }
        assert_eq!(key_of_network(&"10.0.0.0/8".parse().unwrap()), None);
        // As the block stores it: `network_of` of the address.
        let stored = crate::domain::block::network_of(ip("2001:db8:1:2::10"));
        assert_eq!(key_of_network(&stored), Some(k("2001:db8:1:2::77")));
    }
}
