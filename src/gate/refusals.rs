//! Refused widget requests, counted in memory on the hot path and written
//! with the rule hits by the instance's gate task (`super::load::
//! flush_refusals`): one lock and a map update per refusal, never a
//! database write per request.
//!
//! A refusal is counted by account, the visitor's network and the visitor
//! key when the request named one (the loader's bootstrap names none). In
//! memory the network is the integer the gate holds blocks by; it is
//! written by its blind index, computed once per network when the tally is
//! taken (an HMAC per refusal on the hot path would cost more than the
//! decision itself). Never written by address.
//!
//! The tally is bounded per account, so one account's flood cannot stop
//! the counting of another's: an account holds at most [`PER_ACCOUNT`]
//! entries until the next flush, of which at most half name a visitor key
//! (anyone can make up keys). A refusal whose visitor key finds no room is
//! counted under its network alone; one whose network finds no room is not
//! counted. At most [`MAX_ACCOUNTS`] accounts are held at once.

use std::{collections::HashMap, sync::Mutex};

use super::{NetworkIndex, NetworkKey};

/// Entries one account holds between two flushes.
pub const PER_ACCOUNT: usize = 5_000;
/// Accounts held between two flushes.
pub const MAX_ACCOUNTS: usize = 1_000;

/// (network, visitor key or "").
type Key = (NetworkKey, String);

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

/// One account's refusals since the last flush.
#[derive(Debug, Default)]
struct Account {
    counts: HashMap<Key, u64>,
    /// How many of `counts` name a visitor key.
    keyed: usize,
}

impl Account {
    fn count(&mut self, network: NetworkKey, visitor_key: &str) {
        let key = (network, visitor_key.to_owned());
        if let Some(n) = self.counts.get_mut(&key) {
            *n += 1;
            return;
        }
        let room = self.counts.len() < PER_ACCOUNT;
        if visitor_key.is_empty() {
            if room {
                self.counts.insert(key, 1);
            }
        } else if room && self.keyed < PER_ACCOUNT / 2 {
            self.keyed += 1;
            self.counts.insert(key, 1);
        } else {
            self.count(network, "");
        }
    }
}

#[derive(Debug, Default)]
pub struct Tally {
    accounts: Mutex<HashMap<i64, Account>>,
}

impl Tally {
    /// Counts one refusal.
    pub fn count(&self, account_id: i64, network: NetworkKey, visitor_key: Option<&str>) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        if !accounts.contains_key(&account_id) && accounts.len() >= MAX_ACCOUNTS {
            return;
        }
        accounts
            .entry(account_id)
            .or_default()
            .count(network, visitor_key.unwrap_or_default());
    }

    /// Takes what was counted since the last take, each network by its
    /// blind index (`index`).
    pub fn take(&self, index: impl Fn(NetworkKey) -> NetworkIndex) -> Vec<Counted> {
        let accounts =
            std::mem::take(&mut *self.accounts.lock().unwrap_or_else(|e| e.into_inner()));
        let index = &index;
        accounts
            .into_iter()
            .flat_map(|(account_id, a)| {
                a.counts
                    .into_iter()
                    .map(move |((network, visitor_key), times)| Counted {
                        account_id,
                        network_index: index(network),
                        visitor_key,
                        times,
                    })
            })
            .collect()
    }

    /// Refusals not yet written of the account's `network` or `visitor_key`
    /// (each counted once).
    pub fn pending(&self, account_id: i64, network: Option<NetworkKey>, visitor_key: &str) -> u64 {
        let accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        let Some(a) = accounts.get(&account_id) else {
            return 0;
        };
        a.counts
            .iter()
            .filter(|((n, k), _)| {
                network == Some(*n) || (!visitor_key.is_empty() && k == visitor_key)
            })
            .map(|(_, times)| *times)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: NetworkKey = 1;
    const OTHER: NetworkKey = 2;

    /// A stand-in for the blind index.
    fn index(network: NetworkKey) -> NetworkIndex {
        [network as u8; 32]
    }

    #[test]
    fn refusals_are_counted_per_network_and_browser_and_taken_once() {
        let t = Tally::default();
        t.count(1, NET, None);
        t.count(1, NET, None);
        t.count(1, NET, Some("k1"));
        t.count(1, OTHER, Some("k1"));
        t.count(2, NET, Some("k1"));
        assert_eq!(t.pending(1, Some(NET), "k1"), 4, "by network or browser");
        assert_eq!(t.pending(1, Some(NET), "zz"), 3, "by network");
        assert_eq!(t.pending(1, None, "k1"), 2, "by browser");
        assert_eq!(t.pending(1, None, ""), 0, "no key matches nothing");
        assert_eq!(t.pending(3, Some(NET), "k1"), 0, "another account");
        let mut taken = t.take(index);
        taken.sort_by_key(|c| (c.account_id, c.network_index, c.visitor_key.clone()));
        assert_eq!(taken.len(), 4);
        assert_eq!(
            taken[0],
            Counted {
                account_id: 1,
                network_index: index(NET),
                visitor_key: String::new(),
                times: 2
            }
        );
        assert!(t.take(index).is_empty(), "taken once");
        assert_eq!(t.pending(1, Some(NET), "k1"), 0);
    }

    #[test]
    fn a_flood_of_made_up_keys_leaves_room_for_networks_and_other_accounts() {
        let t = Tally::default();
        // One account flooded with made-up visitor keys from one network.
        for i in 0..PER_ACCOUNT * 2 {
            t.count(1, OTHER, Some(&i.to_string()));
        }
        // Half the room went to keys; the rest counted under the network.
        assert_eq!(t.pending(1, Some(OTHER), "zz"), (PER_ACCOUNT * 2) as u64);
        // Its other networks are still counted, by network at least.
        t.count(1, NET, Some("new"));
        t.count(1, NET, None);
        assert_eq!(t.pending(1, Some(NET), "zz"), 2);
        // Another account is not touched by the flood.
        t.count(2, NET, Some("k"));
        assert_eq!(t.pending(2, None, "k"), 1);
        let taken = t.take(index);
        let keyed = taken
            .iter()
            .filter(|c| c.account_id == 1 && !c.visitor_key.is_empty())
            .count();
        assert_eq!(keyed, PER_ACCOUNT / 2);
        let total: u64 = taken.iter().map(|c| c.times).sum();
        assert_eq!(total, (PER_ACCOUNT * 2 + 3) as u64, "nothing lost");
    }

    #[test]
    fn a_full_account_counts_no_new_network() {
        let t = Tally::default();
        for i in 0..PER_ACCOUNT {
            t.count(1, i as NetworkKey + 0x100, None);
        }
        t.count(1, 0xff, None);
        assert_eq!(t.pending(1, Some(0xff), ""), 0);
        assert_eq!(t.take(index).len(), PER_ACCOUNT);
    }
}
