//! A flattened longest-prefix-match index: the prefixes of one address
//! family turned into sorted, disjoint intervals, each naming the most
//! specific prefix that covers it. A look-up is one bucket read (by the top
//! 16 bits) and a binary search inside the bucket, so its cost hardly grows
//! with the number of rules, unlike a trie walk whose nodes scatter across
//! memory. Built once per large rule table; the prefix trie stays the
//! source of truth for removals.

/// An address as an unsigned integer.
pub trait Key: Copy + Ord {
    const ZERO: Self;
    /// The top 16 bits.
    fn bucket(self) -> usize;
    /// The first address of a bucket.
    fn bucket_start(b: usize) -> Self;
    /// The next address, or None after the last.
    fn next(self) -> Option<Self>;
}

impl Key for u32 {
    const ZERO: Self = 0;
    fn bucket(self) -> usize {
        (self >> 16) as usize
    }
    fn bucket_start(b: usize) -> Self {
        (b as u32) << 16
    }
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

impl Key for u128 {
    const ZERO: Self = 0;
    fn bucket(self) -> usize {
        (self >> 112) as usize
    }
    fn bucket_start(b: usize) -> Self {
        (b as u128) << 112
    }
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

/// No prefix covers the interval.
pub const NONE: u32 = u32::MAX;
const BUCKETS: usize = 1 << 16;

pub struct Flat<K> {
    /// Interval starts, ascending; the first is always zero.
    starts: Vec<K>,
    /// The slot of the most specific prefix covering each interval.
    slots: Vec<u32>,
    /// For each bucket, the index of the interval holding its first address.
    index: Vec<u32>,
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
        let mut starts = vec![K::ZERO];
        let mut slots = vec![NONE];
        fn emit<K: Key>(starts: &mut Vec<K>, slots: &mut Vec<u32>, at: K, slot: u32) {
            if starts.last() == Some(&at) {
                if let Some(s) = slots.last_mut() {
                    *s = slot;
                }
            } else {
                starts.push(at);
                slots.push(slot);
            }
        }
        // Closes the open prefixes that end before `before` (all of them
        // when None); after each, the enclosing prefix applies again.
        fn unwind<K: Key>(
            stack: &mut Vec<(K, u32)>,
            before: Option<K>,
            starts: &mut Vec<K>,
            slots: &mut Vec<u32>,
        ) {
            while let Some(&(end, _)) = stack.last() {
                if before.is_some_and(|b| end >= b) {
                    break;
                }
                stack.pop();
                let resume = stack.last().map_or(NONE, |p| p.1);
                if let Some(after) = end.next() {
                    emit(starts, slots, after, resume);
                }
            }
        }
        let mut stack: Vec<(K, u32)> = Vec::new();
        for (start, end, slot) in prefixes {
            unwind(&mut stack, Some(start), &mut starts, &mut slots);
            if let Some(p) = parents.get_mut(slot as usize) {
                *p = stack.last().map_or(NONE, |top| top.1);
            }
            emit(&mut starts, &mut slots, start, slot);
            stack.push((end, slot));
        }
        unwind(&mut stack, None, &mut starts, &mut slots);
        let mut index = Vec::with_capacity(BUCKETS);
        for b in 0..BUCKETS {
            let first = K::bucket_start(b);
            let i = starts.partition_point(|s| *s <= first).saturating_sub(1);
            index.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        Flat {
            starts,
            slots,
            index,
            parents,
        }
    }

    /// The slot of the prefix directly enclosing `slot`'s, or [`NONE`].
    pub fn parent(&self, slot: u32) -> u32 {
        self.parents.get(slot as usize).copied().unwrap_or(NONE)
    }

    /// The slot of the most specific prefix covering `key`, or [`NONE`].
    pub fn find(&self, key: K) -> u32 {
        let b = key.bucket();
        let lo = self.index.get(b).copied().unwrap_or(0) as usize;
        let hi = self
            .index
            .get(b + 1)
            .map_or(self.starts.len(), |i| *i as usize + 1)
            .min(self.starts.len());
        let Some(window) = self.starts.get(lo..hi) else {
            return NONE;
        };
        let i = lo + window.partition_point(|s| *s <= key).saturating_sub(1);
        self.slots.get(i).copied().unwrap_or(NONE)
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

    proptest! {
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
