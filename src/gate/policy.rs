//! One account's rules as the gate holds them: the IP and subnet rules in a
//! prefix trie per address family, the country policy and the website
//! policy. A policy is immutable once built; a change builds a new one.
//!
//! Each IP rule has a hit counter beside it. Counting is a relaxed atomic
//! add on the hot path; the counts are taken and written to the database
//! periodically (`super::load::flush_hits`). The first hit on a rule since
//! the last take also notes its slot, so a take visits only the rules hit,
//! however many rules the table holds.

use std::{
    collections::HashSet,
    net::IpAddr,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc, Mutex,
    },
};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;

use super::flat::{Flat, NONE};
use crate::domain::{
    access::{CountryPolicy, SitePolicy},
    flood::FloodLimits,
    ip_rule::IpRule,
    shield_policy::ShieldPolicy,
};

/// Rules added since the last full build are kept in a small second table,
/// so a saved rule reaches the gate without rebuilding a large one. Past
/// this many, the policy is rebuilt from the database instead.
pub const MAX_EXTRA: usize = 4096;

/// An immutable set of IP rules with a hit counter each.
#[derive(Default)]
struct RuleTable {
    v4: PrefixMap<Ipv4Net, u32>,
    v6: PrefixMap<Ipv6Net, u32>,
    /// Rule ids, by the slot stored in the tries.
    ids: Vec<i64>,
    hits: Vec<AtomicU32>,
    /// The slots hit since the last take (each once).
    touched: Mutex<Vec<u32>>,
    /// The rules, kept only for the small table (to add to it).
    rules: Vec<(i64, IpRule)>,
    /// Flattened indexes for the large table, with each slot's prefix length.
    flat4: Option<Flat<u32>>,
    flat6: Option<Flat<u128>>,
    lens: Vec<u8>,
}

impl RuleTable {
    fn build(rules: impl IntoIterator<Item = (i64, IpRule)>, keep: bool) -> Self {
        if !keep {
            return Self::build_flat(rules.into_iter().collect());
        }
        let mut t = RuleTable::default();
        for (id, rule) in rules {
            let Ok(slot) = u32::try_from(t.ids.len()) else {
                break;
            };
            let known = match rule.net() {
                IpNet::V4(n) => t.v4.get(&n).is_some(),
                IpNet::V6(n) => t.v6.get(&n).is_some(),
            };
            if known {
                continue;
            }
            match rule.net() {
                IpNet::V4(n) => t.v4.insert(n, slot),
                IpNet::V6(n) => t.v6.insert(n, slot),
            };
            t.ids.push(id);
            t.rules.push((id, rule));
        }
        t.hits = (0..t.ids.len()).map(|_| AtomicU32::new(0)).collect();
        t
    }

    /// The large table: flattened indexes only, no trie (removed rules
    /// fall back along each prefix's parent chain).
    fn build_flat(rules: Vec<(i64, IpRule)>) -> Self {
        // Keep the first rule of each network, in the order given.
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by_key(|&i| (rules[i].1, i));
        let mut skip = vec![false; rules.len()];
        for w in order.windows(2) {
            if rules[w[0]].1 == rules[w[1]].1 {
                skip[w[1]] = true;
            }
        }
        drop(order);
        let mut t = RuleTable::default();
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for ((id, rule), skipped) in rules.iter().zip(skip) {
            let Ok(slot) = u32::try_from(t.ids.len()) else {
                break;
            };
            if skipped || slot == NONE {
                continue;
            }
            match rule.net() {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()), slot)),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()), slot)),
            }
            t.ids.push(*id);
            t.lens.push(rule.net().prefix_len());
        }
        t.hits = (0..t.ids.len()).map(|_| AtomicU32::new(0)).collect();
        t.flat4 = Some(Flat::build(v4));
        t.flat6 = Some(Flat::build(v6));
        t
    }

    /// The most specific rule covering the address that is not removed.
    fn lookup(&self, ip: IpAddr, removed: &HashSet<i64>) -> Option<(IpNet, u32)> {
        let live = |slot: &u32| {
            removed.is_empty()
                || self
                    .ids
                    .get(*slot as usize)
                    .is_some_and(|id| !removed.contains(id))
        };
        let len_of = |slot: u32| self.lens.get(slot as usize).copied().unwrap_or(0);
        match ip.to_canonical() {
            IpAddr::V4(a) if self.flat4.is_some() => {
                let flat = self.flat4.as_ref()?;
                let mut slot = flat.find(u32::from(a));
                while slot != NONE && !live(&slot) {
                    slot = flat.parent(slot);
                }
                if slot == NONE {
                    return None;
                }
                let n = Ipv4Net::new(a, len_of(slot)).ok()?.trunc();
                Some((IpNet::V4(n), slot))
            }
            IpAddr::V6(a) if self.flat6.is_some() => {
                let flat = self.flat6.as_ref()?;
                let mut slot = flat.find(u128::from(a));
                while slot != NONE && !live(&slot) {
                    slot = flat.parent(slot);
                }
                if slot == NONE {
                    return None;
                }
                let n = Ipv6Net::new(a, len_of(slot)).ok()?.trunc();
                Some((IpNet::V6(n), slot))
            }
            IpAddr::V4(a) => {
                let host = Ipv4Net::from(a);
                match self.v4.get_lpm(&host) {
                    Some((n, s)) if live(s) => Some((IpNet::V4(n), *s)),
                    None => None,
                    Some(_) => self
                        .v4
                        .cover(&host)
                        .filter(|(_, s)| live(s))
                        .last()
                        .map(|(n, s)| (IpNet::V4(n), *s)),
                }
            }
            IpAddr::V6(a) => {
                let host = Ipv6Net::from(a);
                match self.v6.get_lpm(&host) {
                    Some((n, s)) if live(s) => Some((IpNet::V6(n), *s)),
                    None => None,
                    Some(_) => self
                        .v6
                        .cover(&host)
                        .filter(|(_, s)| live(s))
                        .last()
                        .map(|(n, s)| (IpNet::V6(n), *s)),
                }
            }
        }
    }

    fn pending(&self, rule_id: i64) -> u64 {
        // Rules are loaded in id order, so the ids are normally sorted.
        let slot = match self.ids.binary_search(&rule_id) {
            Ok(i) => Some(i),
            Err(_) => self.ids.iter().position(|id| *id == rule_id),
        };
        slot.and_then(|i| self.hits.get(i))
            .map_or(0, |h| u64::from(h.load(Ordering::Relaxed)))
    }

    /// Counts a hit on `slot`; the first since the last take notes it.
    fn count(&self, slot: u32) {
        let Some(h) = self.hits.get(slot as usize) else {
            return;
        };
        if h.fetch_add(1, Ordering::Relaxed) == 0 {
            if let Ok(mut t) = self.touched.lock() {
                t.push(slot);
            }
        }
    }

    /// Takes the hits of the slots noted since the last take. A hit that
    /// lands between the two steps is taken now or noted for the next take
    /// (a slot noted with nothing left to take is skipped).
    fn take_hits(&self, out: &mut Vec<(i64, u64)>) {
        let touched = match self.touched.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(_) => return,
        };
        for slot in touched {
            let (Some(id), Some(h)) = (self.ids.get(slot as usize), self.hits.get(slot as usize))
            else {
                continue;
            };
            let n = h.swap(0, Ordering::Relaxed);
            if n > 0 {
                out.push((*id, u64::from(n)));
            }
        }
    }

    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// An account's rules at one version.
#[derive(Default)]
pub struct Policy {
    /// The account's rule version this policy stands for.
    pub version: i64,
    base: Arc<RuleTable>,
    extra: Arc<RuleTable>,
    /// Base rules removed since the base was built.
    removed: Arc<HashSet<i64>>,
    pub countries: CountryPolicy,
    pub sites: Arc<SitePolicy>,
    /// Flood control's limits.
    pub flood: FloodLimits,
    /// The offensive-language shield.
    pub shield: Arc<ShieldPolicy>,
    /// Whether the blocks that stored the visitor's browser cover it.
    pub block_browser: bool,
}

/// The IP rule an address matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch {
    pub id: i64,
    pub network: IpNet,
    slot: u32,
    extra: bool,
}

impl Policy {
    /// Builds a policy. Rules whose network repeats an earlier one are
    /// skipped (the database refuses duplicates anyway).
    pub fn new(
        version: i64,
        rules: impl IntoIterator<Item = (i64, IpRule)>,
        countries: CountryPolicy,
        sites: SitePolicy,
    ) -> Self {
        Policy {
            version,
            base: Arc::new(RuleTable::build(rules, false)),
            countries,
            sites: Arc::new(sites),
            ..Policy::default()
        }
    }

    /// This policy with one more rule, sharing the large table. None when
    /// the small table is full: rebuild instead.
    pub fn with_rule(&self, version: i64, id: i64, rule: IpRule) -> Option<Policy> {
        if self.extra.len() >= MAX_EXTRA {
            return None;
        }
        let mut rules = self.extra.rules.clone();
        rules.push((id, rule));
        Some(Policy {
            extra: Arc::new(RuleTable::build(rules, true)),
            ..self.at(version)
        })
    }

    /// This policy without a rule, sharing the large table.
    pub fn without_rule(&self, version: i64, id: i64) -> Policy {
        let rules: Vec<_> = self
            .extra
            .rules
            .iter()
            .filter(|(i, _)| *i != id)
            .cloned()
            .collect();
        let mut removed = HashSet::clone(&self.removed);
        removed.insert(id);
        Policy {
            extra: Arc::new(RuleTable::build(rules, true)),
            removed: Arc::new(removed),
            ..self.at(version)
        }
    }

    /// This policy with other country or website settings.
    pub fn with_lists(
        &self,
        version: i64,
        countries: CountryPolicy,
        sites: Arc<SitePolicy>,
    ) -> Policy {
        Policy {
            countries,
            sites,
            ..self.at(version)
        }
    }

    /// This policy with another shield.
    pub fn with_shield(&self, version: i64, shield: Arc<ShieldPolicy>) -> Policy {
        Policy {
            shield,
            ..self.at(version)
        }
    }

    /// This policy with blocks covering the browser, or not.
    pub fn with_block_browser(&self, version: i64, block_browser: bool) -> Policy {
        Policy {
            block_browser,
            ..self.at(version)
        }
    }

    /// This policy with other flood limits.
    pub fn with_flood(&self, version: i64, flood: FloodLimits) -> Policy {
        Policy {
            flood,
            ..self.at(version)
        }
    }

    /// The same rules and lists, as of another version (sharing the tables).
    pub fn at(&self, version: i64) -> Policy {
        Policy {
            version,
            base: self.base.clone(),
            extra: self.extra.clone(),
            removed: self.removed.clone(),
            countries: self.countries.clone(),
            sites: self.sites.clone(),
            flood: self.flood,
            shield: self.shield.clone(),
            block_browser: self.block_browser,
        }
    }

    pub fn rule_count(&self) -> usize {
        self.base.len() - self.removed.len().min(self.base.len()) + self.extra.len()
    }

    /// The most specific rule covering the address, if any.
    pub fn rule_for(&self, ip: IpAddr) -> Option<RuleMatch> {
        let found = |t: &RuleTable, extra: bool, (network, slot): (IpNet, u32)| {
            t.ids.get(slot as usize).map(|id| RuleMatch {
                id: *id,
                network,
                slot,
                extra,
            })
        };
        let none = HashSet::new();
        let base = self
            .base
            .lookup(ip, &self.removed)
            .and_then(|m| found(&self.base, false, m));
        let extra = if self.extra.len() == 0 {
            None
        } else {
            self.extra
                .lookup(ip, &none)
                .and_then(|m| found(&self.extra, true, m))
        };
        match (base, extra) {
            (Some(b), Some(e)) if b.network.prefix_len() > e.network.prefix_len() => Some(b),
            (_, Some(e)) => Some(e),
            (b, None) => b,
        }
    }

    /// Counts one visitor stopped by a rule.
    pub fn count(&self, m: &RuleMatch) {
        let table = if m.extra { &self.extra } else { &self.base };
        table.count(m.slot);
    }

    /// Hits counted since the last take, without resetting them.
    pub fn pending(&self, rule_id: i64) -> u64 {
        self.pending_once(rule_id, &mut HashSet::new())
    }

    /// Like [`Policy::pending`], skipping tables already in `seen`: policies
    /// derived from one another share their tables.
    pub fn pending_once(&self, rule_id: i64, seen: &mut HashSet<usize>) -> u64 {
        [&self.base, &self.extra]
            .into_iter()
            .filter(|t| seen.insert(Arc::as_ptr(t) as usize))
            .map(|t| t.pending(rule_id))
            .sum()
    }

    /// Takes the counted hits, resetting them: (rule id, hits) for every
    /// rule that has any.
    pub fn take_hits(&self, out: &mut Vec<(i64, u64)>) {
        self.base.take_hits(out);
        self.extra.take_hits(out);
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
