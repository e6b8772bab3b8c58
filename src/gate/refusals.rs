//! Refused widget requests, counted in memory on the hot path and written
//! with the rule hits by the instance's gate task (`super::load::
//! flush_refusals`): one lock and a map update per refusal, never a
//! database write per request.
//!
//! A refusal is counted by account, the blind index of the visitor's
//! network and the visitor key when the request named one (the loader's
//! bootstrap names none). Never by address. The map is bounded: once it
//! holds [`MAX_KEYS`] entries until the next flush, new visitor keys are
//! counted under their network alone, and new networks are not counted.

use std::{collections::HashMap, sync::Mutex};

use super::NetworkIndex;

/// Distinct entries held between two flushes.
pub const MAX_KEYS: usize = 10_000;

/// (account, network index, visitor key or "").
type Key = (i64, NetworkIndex, String);

/// Refusals counted since the last flush, for one (account, network,
/// visitor key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub account_id: i64,
    pub network_index: NetworkIndex,
    /// Empty when the request named no visitor.
    pub visitor_key: String,
    pub times: u64,
}

#[derive(Debug, Default)]
pub struct Tally {
    map: Mutex<HashMap<Key, u64>>,
}

impl Tally {
    /// Counts one refusal.
    pub fn count(&self, account_id: i64, network: NetworkIndex, visitor_key: Option<&str>) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let key = (
            account_id,
            network,
            visitor_key.unwrap_or_default().to_owned(),
        );
        if map.len() < MAX_KEYS || map.contains_key(&key) {
            *map.entry(key).or_default() += 1;
            return;
        }
        if let Some(n) = map.get_mut(&(account_id, network, String::new())) {
            *n += 1;
        }
    }

    /// Takes what was counted since the last take.
    pub fn take(&self) -> Vec<Counted> {
        let map = std::mem::take(&mut *self.map.lock().unwrap_or_else(|e| e.into_inner()));
        map.into_iter()
            .map(
                |((account_id, network_index, visitor_key), times)| Counted {
                    account_id,
                    network_index,
                    visitor_key,
                    times,
                },
            )
            .collect()
    }

    /// Refusals not yet written of the account's `network` or `visitor_key`
    /// (each counted once).
    pub fn pending(
        &self,
        account_id: i64,
        network: Option<&NetworkIndex>,
        visitor_key: &str,
    ) -> u64 {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.iter()
            .filter(|((a, n, k), _)| {
                *a == account_id
                    && (network == Some(n) || (!visitor_key.is_empty() && k == visitor_key))
            })
            .map(|(_, times)| *times)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: NetworkIndex = [1; 32];
    const OTHER: NetworkIndex = [2; 32];

    #[test]
    fn refusals_are_counted_per_network_and_browser_and_taken_once() {
        let t = Tally::default();
        t.count(1, NET, None);
        t.count(1, NET, None);
        t.count(1, NET, Some("k1"));
        t.count(1, OTHER, Some("k1"));
        t.count(2, NET, Some("k1"));
        assert_eq!(t.pending(1, Some(&NET), "k1"), 4, "by network or browser");
        assert_eq!(t.pending(1, Some(&NET), "zz"), 3, "by network");
        assert_eq!(t.pending(1, None, "k1"), 2, "by browser");
        assert_eq!(t.pending(1, None, ""), 0, "no key matches nothing");
        assert_eq!(t.pending(3, Some(&NET), "k1"), 0, "another account");
        let mut taken = t.take();
        taken.sort_by_key(|c| (c.account_id, c.network_index, c.visitor_key.clone()));
        assert_eq!(taken.len(), 4);
        assert_eq!(
            taken[0],
            Counted {
                account_id: 1,
                network_index: NET,
                visitor_key: String::new(),
                times: 2
            }
        );
        assert!(t.take().is_empty(), "taken once");
        assert_eq!(t.pending(1, Some(&NET), "k1"), 0);
    }

    #[test]
    fn a_full_tally_counts_new_keys_under_their_network_or_not_at_all() {
        let t = Tally::default();
        for i in 0..MAX_KEYS - 1 {
            t.count(1, OTHER, Some(&i.to_string()));
        }
        t.count(1, NET, None);
        assert_eq!(t.map.lock().unwrap().len(), MAX_KEYS);
        // Full: a new visitor key of a held network counts under it.
        t.count(1, NET, Some("new"));
        t.count(1, OTHER, Some("0"));
        // A network not held is not counted.
        t.count(1, [3; 32], None);
        let taken = t.take();
        assert_eq!(taken.len(), MAX_KEYS);
        let net = taken.iter().find(|c| c.network_index == NET).unwrap();
        assert_eq!(net.times, 2);
        let zero = taken.iter().find(|c| c.visitor_key == "0").unwrap();
        assert_eq!(zero.times, 2);
    }
}
