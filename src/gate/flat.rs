//! A flattened longest-prefix-match index: the prefixes of one address
//! family turned into sorted, disjoint intervals, each naming the most
//! specific prefix that covers it. A look-up is one bucket read and a
//! binary search inside the bucket (usually one or two entries, in one
//! cache line), so its cost hardly grows with the number of rules, unlike a
//! trie walk whose nodes scatter across memory. Built once per large rule
//! table; removals fall back along each prefix's parent chain.
//!
//! The buckets are sized to the data: about one per two intervals (at most
//! 2^20), spread evenly over the span the rules cover, so a table whose
//! rules all sit in one corner of the address space (IPv6's 2000::/3, say)
//! still gets short windows.

/// An address as an unsigned integer.
pub trait Key: Copy + Ord {
    const ZERO: Self;
    fn wide(self) -> u128;
    /// The next address, or None after the last.
    fn next(self) -> Option<Self>;
}

impl Key for u32 {
    const ZERO: Self = 0;
    fn wide(self) -> u128 {
        u128::from(self)
    }
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

impl Key for u128 {
    const ZERO: Self = 0;
    fn wide(self) -> u128 {
        self
    }
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

/// No prefix covers the interval.
pub const NONE: u32 = u32::MAX;
/// The most buckets an index gets (4 MB of bucket offsets).
const MAX_BUCKETS: usize = 1 << 20;

/// One interval: its first address and the slot of the most specific
/// prefix covering it. Packed so the slot sits in the same cache line as
/// the start it belongs to (8 bytes for IPv4, 20 for IPv6).
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
struct Entry<K> {
    start: K,
    slot: u32,
}

pub struct Flat<K> {
    /// Intervals by start, ascending; the first always starts at zero.
    entries: Vec<Entry<K>>,
    /// For each bucket, the index of the interval holding its first address.
    index: Vec<u32>,
    /// Bucket `b > 0` starts at `base + (b << shift)`; bucket 0 also holds
    /// everything below `base`, the last everything above its end.
    base: u128,
    shift: u32,
    /// For each slot, the slot of the prefix directly enclosing it.
    parents: Vec<u32>,
}

impl<K: Key> Flat<K> {
    /// Builds the index from (first address, last address, slot) of each
    /// prefix. Prefixes are either nested or disjoint; duplicates are not
    /// expected (the caller skips them).
    pub fn build(mut prefixes: Vec<(K, K, u32)>) -> Self {
        let slots_n = prefixes.iter().map(|p| p.2 as usize + 1).max().unwrap_or(0);
        let mut parents = vec![NONE; slots_n];
        // Enclosing prefixes first: by start, then the larger end first.
        prefixes.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut entries = Vec::with_capacity(prefixes.len() * 2 + 1);
        entries.push(Entry {
            start: K::ZERO,
            slot: NONE,
        });
        fn emit<K: Key>(entries: &mut Vec<Entry<K>>, at: K, slot: u32) {
            match entries.last_mut() {
                Some(e) if { e.start } == at => e.slot = slot,
                _ => entries.push(Entry { start: at, slot }),
            }
        }
        // Closes the open prefixes that end before `before` (all of them
        // when None); after each, the enclosing prefix applies again.
        fn unwind<K: Key>(
            stack: &mut Vec<(K, u32)>,
            before: Option<K>,
            entries: &mut Vec<Entry<K>>,
        ) {
            while let Some(&(end, _)) = stack.last() {
                if before.is_some_and(|b| end >= b) {
                    break;
                }
                stack.pop();
                let resume = stack.last().map_or(NONE, |p| p.1);
                if let Some(after) = end.next() {
                    emit(entries, after, resume);
                }
            }
        }
        let mut stack: Vec<(K, u32)> = Vec::new();
        for (start, end, slot) in prefixes {
            unwind(&mut stack, Some(start), &mut entries);
            if let Some(p) = parents.get_mut(slot as usize) {
                *p = stack.last().map_or(NONE, |top| top.1);
            }
            emit(&mut entries, start, slot);
            stack.push((end, slot));
        }
        unwind(&mut stack, None, &mut entries);
        entries.shrink_to_fit();

        let buckets = (entries.len() / 2).next_power_of_two().min(MAX_BUCKETS);
        let base = entries.get(1).map_or(0, |e| ({ e.start }).wide());
        let last = entries.last().map_or(0, |e| ({ e.start }).wide());
        let span_bits = 128 - last.saturating_sub(base).leading_zeros();
        let shift = span_bits.saturating_sub(buckets.trailing_zeros());
        let mut index = Vec::with_capacity(buckets);
        let mut i = 0usize;
        for b in 0..buckets {
            let first = if b == 0 {
                0
            } else {
                (b as u128)
                    .checked_shl(shift)
                    .map_or(u128::MAX, |o| base.saturating_add(o))
            };
            while entries
                .get(i + 1)
                .is_some_and(|e| ({ e.start }).wide() <= first)
            {
                i += 1;
            }
            index.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        Flat {
            entries,
            index,
            base,
            shift,
            parents,
        }
    }

    /// The slot of the prefix directly enclosing `slot`'s, or [`NONE`].
    pub fn parent(&self, slot: u32) -> u32 {
        self.parents.get(slot as usize).copied().unwrap_or(NONE)
    }

    /// The slot of the most specific prefix covering `key`, or [`NONE`].
    pub fn find(&self, key: K) -> u32 {
        let w = key.wide();
        let b = if w <= self.base {
            0
        } else {
            ((w - self.base).checked_shr(self.shift).unwrap_or(0))
                .min(self.index.len().saturating_sub(1) as u128) as usize
        };
        let lo = self.index.get(b).copied().unwrap_or(0) as usize;
        let hi = self
            .index
            .get(b + 1)
            .map_or(self.entries.len(), |i| *i as usize + 1)
            .min(self.entries.len());
        let Some(window) = self.entries.get(lo..hi) else {
            return NONE;
        };
        let i = lo
            + window
                .partition_point(|e| ({ e.start }) <= key)
                .saturating_sub(1);
        self.entries.get(i).map_or(NONE, |e| e.slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v4(s: &str) -> (u32, u32) {
        let n: ipnet::Ipv4Net = s.parse().unwrap();
        (u32::from(n.network()), u32::from(n.broadcast()))
    }

    /// The most specific of the prefixes covering `key`, by brute force.
    fn brute(prefixes: &[(u32, u32, u32)], key: u32) -> u32 {
        prefixes
            .iter()
            .filter(|(s, e, _)| *s <= key && key <= *e)
            .min_by_key(|(s, e, _)| e - s)
            .map_or(NONE, |p| p.2)
    }

    #[test]
    fn nested_and_disjoint_prefixes_resolve_to_the_most_specific() {
        let list = [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "10.1.0.0/16",
            "10.1.2.3/32",
            "192.0.2.0/24",
            "255.255.255.255/32",
        ];
        let prefixes: Vec<(u32, u32, u32)> = list
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (a, b) = v4(s);
                (a, b, i as u32)
            })
            .collect();
        let f = Flat::build(prefixes.clone());
        for probe in [
            "0.0.0.0",
            "9.255.255.255",
            "10.0.0.0",
            "10.1.2.2",
            "10.1.2.3",
            "10.1.2.4",
            "10.1.255.255",
            "10.2.0.0",
            "11.0.0.0",
            "192.0.2.255",
            "192.0.3.0",
            "255.255.255.254",
            "255.255.255.255",
        ] {
            let k = u32::from(probe.parse::<std::net::Ipv4Addr>().unwrap());
            assert_eq!(f.find(k), brute(&prefixes, k), "{probe}");
        }
        assert_eq!(Flat::<u32>::build(vec![]).find(5), NONE);
        // 10.1.2.3/32 sits in 10.1/16, in 10/8, in 0/0.
        assert_eq!(f.parent(3), 2);
        assert_eq!(f.parent(2), 1);
        assert_eq!(f.parent(1), 0);
        assert_eq!(f.parent(0), NONE);
        assert_eq!(f.parent(4), 0);
    }

    #[test]
    fn clustered_ipv6_rules_get_their_own_buckets() {
        let nets = [
            "2001:db8::/32",
            "2001:db8:1::/48",
            "2001:db8:1:2::/64",
            "2001:db8:ffff::/48",
            "2001:db8:ffff:ffff::1/128",
        ];
        let prefixes: Vec<(u128, u128, u32)> = nets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let n: ipnet::Ipv6Net = s.parse().unwrap();
                (u128::from(n.network()), u128::from(n.broadcast()), i as u32)
            })
            .collect();
        let f = Flat::build(prefixes);
        let at = |s: &str| f.find(u128::from(s.parse::<std::net::Ipv6Addr>().unwrap()));
        assert_eq!(at("::1"), NONE);
        assert_eq!(at("2001:db7:ffff::1"), NONE);
        assert_eq!(at("2001:db8::"), 0);
        assert_eq!(at("2001:db8:1::5"), 1);
        assert_eq!(at("2001:db8:1:2:ffff::"), 2);
        assert_eq!(at("2001:db8:1:3::"), 1);
        assert_eq!(at("2001:db8:ffff:ffff::1"), 4);
        assert_eq!(at("2001:db8:ffff:ffff::2"), 3);
        assert_eq!(at("2001:db9::"), NONE);
        assert_eq!(at("ffff::"), NONE);
    }

    proptest! {
        #[test]
        fn clustered_v6_agrees_with_brute_force(nets in proptest::collection::vec((any::<u64>(), 32u8..=128), 0..80), probes in proptest::collection::vec(any::<u64>(), 50)) {
            // All inside 2001:db8::/32, so the buckets span only that.
            let top = 0x2001_0db8u128 << 96;
            let mut seen = std::collections::HashSet::new();
            let mut prefixes = Vec::new();
            for (a, len) in nets {
                let addr = top | (u128::from(a) << 32) | u128::from(a as u32);
                let n = ipnet::Ipv6Net::new(addr.into(), len).unwrap().trunc();
                if seen.insert(n) {
                    prefixes.push((u128::from(n.network()), u128::from(n.broadcast()), prefixes.len() as u32));
                }
            }
            let f = Flat::build(prefixes.clone());
            let brute = |key: u128| prefixes
                .iter()
                .filter(|(s, e, _)| *s <= key && key <= *e)
                .min_by_key(|(s, e, _)| e - s)
                .map_or(NONE, |p| p.2);
            for (s, e, _) in &prefixes {
                for k in [*s, *e, s.wrapping_sub(1), e.wrapping_add(1)] {
                    prop_assert_eq!(f.find(k), brute(k));
                }
            }
            for p in probes {
                for k in [top | (u128::from(p) << 32), u128::from(p) << 64, u128::from(p)] {
                    prop_assert_eq!(f.find(k), brute(k));
                }
            }
        }

        #[test]
        fn agrees_with_brute_force(nets in proptest::collection::vec((any::<u32>(), 0u8..=32), 0..60), probes in proptest::collection::vec(any::<u32>(), 50)) {
            let mut seen = std::collections::HashSet::new();
            let mut prefixes = Vec::new();
            for (a, len) in nets {
                let n = ipnet::Ipv4Net::new(a.into(), len).unwrap().trunc();
                if seen.insert(n) {
                    prefixes.push((u32::from(n.network()), u32::from(n.broadcast()), prefixes.len() as u32));
                }
            }
            let f = Flat::build(prefixes.clone());
            for (s, e, _) in &prefixes {
                for k in [*s, *e, s.wrapping_sub(1), e.wrapping_add(1)] {
                    prop_assert_eq!(f.find(k), brute(&prefixes, k));
                }
            }
            for k in probes {
                prop_assert_eq!(f.find(k), brute(&prefixes, k));
            }
        }
    }
}
