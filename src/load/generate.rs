//! Large, reproducible rule sets for benchmarks and load tests: IP and
//! subnet rules (80% IPv4, 20% IPv6), visitor addresses, website patterns,
//! and a mix of probe addresses that hit and miss.

use std::{
    collections::HashSet,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::domain::{ip_rule::IpRule, website::SitePattern};

/// `n` distinct rules, 80% IPv4 (prefixes /16 to /32, mostly /24 and
/// longer, as abuse lists are) and 20% IPv6 (/32 to /64, some /128).
pub fn ip_rules(n: usize, seed: u64) -> Vec<IpRule> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut seen = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let net = if rng.gen_range(0..10) < 8 {
            let len = match rng.gen_range(0..10) {
                0 => rng.gen_range(16..24),
                1..=4 => 24,
                _ => rng.gen_range(25..=32),
            };
            // Public-looking space: avoid 0/8, 10/8, 127/8 and 224/3.
            let first = rng.gen_range(11u32..224);
            if first == 127 {
                continue;
            }
            let addr = (first << 24) | rng.gen_range(0..1u32 << 24);
            IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::from(addr), len).trunc())
        } else {
            let len = match rng.gen_range(0..10) {
                0 => 128,
                1..=2 => rng.gen_range(32..48),
                _ => rng.gen_range(48..=64),
            };
            let addr = (0x2000u128 << 112) | (rng.gen::<u128>() >> 4);
            IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::from(addr), len).trunc())
        };
        if seen.insert(net) {
            if let Ok(rule) = IpRule::parse(&net.to_string()) {
                out.push(rule);
            }
        }
    }
    out
}

/// A random address inside a network.
pub fn address_in(net: IpNet, rng: &mut impl Rng) -> IpAddr {
    match net {
        IpNet::V4(n) => {
            let host_bits = 32 - u32::from(n.prefix_len());
            let mask = if host_bits == 32 {
                u32::MAX
            } else {
                (1u32 << host_bits) - 1
            };
            IpAddr::V4(Ipv4Addr::from(
                u32::from(n.network()) | (rng.gen::<u32>() & mask),
            ))
        }
        IpNet::V6(n) => {
            let host_bits = 128 - u32::from(n.prefix_len());
            let mask = if host_bits == 128 {
                u128::MAX
            } else {
                (1u128 << host_bits) - 1
            };
            IpAddr::V6(Ipv6Addr::from(
                u128::from(n.network()) | (rng.gen::<u128>() & mask),
            ))
        }
    }
}

/// `n` probe addresses: half inside a random rule, half anywhere (almost
/// all of which miss), 80% IPv4.
pub fn probes(rules: &[IpRule], n: usize, seed: u64) -> Vec<IpAddr> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            if i % 2 == 0 && !rules.is_empty() {
                address_in(rules[rng.gen_range(0..rules.len())].net(), &mut rng)
            } else if rng.gen_range(0..10) < 8 {
                IpAddr::V4(Ipv4Addr::from(rng.gen::<u32>()))
            } else {
                IpAddr::V6(Ipv6Addr::from(
                    (0x2000u128 << 112) | (rng.gen::<u128>() >> 4),
                ))
            }
        })
        .collect()
}

/// `n` visitor addresses (for visitor blocks), 80% IPv4.
pub fn visitors(n: usize, seed: u64) -> Vec<IpAddr> {
    probes(&[], n, seed)
}

/// `n` website patterns: hosts, wildcards and path prefixes.
pub fn site_patterns(n: usize, seed: u64) -> Vec<SitePattern> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .filter_map(|i| {
            let text = match rng.gen_range(0..4) {
                0 => format!("*.brand{i}.example"),
                1 => format!("shop{i}.example.com/help"),
                _ => format!("site{i}.example.net"),
            };
            SitePattern::parse(&text).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_sets_are_distinct_reproducible_and_mixed() {
        let a = ip_rules(2000, 7);
        assert_eq!(a.len(), 2000);
        assert_eq!(a, ip_rules(2000, 7));
        let v4 = a.iter().filter(|r| matches!(r.net(), IpNet::V4(_))).count();
        assert!((1400..1800).contains(&v4), "{v4} IPv4 rules");
        let distinct: HashSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), a.len());
        let p = probes(&a, 1000, 1);
        let hits = p
            .iter()
            .filter(|ip| a.iter().any(|r| r.contains(**ip)))
            .count();
        assert!((450..700).contains(&hits), "{hits} hits");
        assert_eq!(site_patterns(100, 3).len(), 100);
    }
}
