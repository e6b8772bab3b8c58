//! The gate's decisions on page views, counted in memory on the hot path
//! per account, hour, cause and key (an IP rule's id or a country code),
//! and written by the instance's gate task every 10 seconds
//! (`super::load::flush_counters`) into the `counters` table. Never an
//! address: the key is a rule id, a country code or nothing.
//!
//! Bounded like the refusal tally: an account holds at most
//! [`PER_ACCOUNT`] entries until the next flush (a decision that finds no
//! room is counted under its cause with no key, which always has room),
//! and at most [`MAX_ACCOUNTS`] accounts are held at once. Every page view
//! is counted, so the tally is split in [`SHARDS`] locks by account:
//! page views of different accounts seldom wait for each other.

use std::{collections::HashMap, sync::Mutex};

use chrono::NaiveDateTime;

use super::Reason;
use crate::domain::{cause::Cause, country::CountryCode, flood::Sending, visit::hour_of};

/// Keyed entries one account holds between two flushes.
pub const PER_ACCOUNT: usize = 2_000;
/// Accounts held between two flushes.
pub const MAX_ACCOUNTS: usize = 1_024;
/// Locks the tally is split in.
pub const SHARDS: usize = 16;

/// What a decision is counted under besides its cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    None,
    Rule(i64),
    Country(CountryCode),
    /// What flood control refused.
    Sending(Sending),
}

impl Key {
    /// As stored: the rule id, the country code, or "".
    pub fn text(self) -> String {
        match self {
            Key::None => String::new(),
            Key::Rule(id) => id.to_string(),
            Key::Country(c) => c.as_str().to_owned(),
            Key::Sending(s) => s.as_str().to_owned(),
        }
    }
}

/// The cause and key a decision is counted under (`None`: allowed).
pub fn cause_of(reason: Option<&Reason>) -> (Cause, Key) {
    match reason {
        None => (Cause::Allowed, Key::None),
        Some(Reason::IpRule { id, .. }) => (Cause::IpRule, Key::Rule(*id)),
        Some(Reason::VisitorBlock { .. }) => (Cause::VisitorBlock, Key::None),
        Some(Reason::Country(c)) => (Cause::Country, c.map_or(Key::None, Key::Country)),
        Some(Reason::Website) => (Cause::Website, Key::None),
    }
}

/// Decisions counted since the last flush, for one (account, hour, cause,
/// key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub account_id: i64,
    pub hour: NaiveDateTime,
    pub cause: Cause,
    /// "" when none.
    pub key: String,
    pub times: u64,
}

type Entry = (NaiveDateTime, Cause, Key);

/// A fast hash seeded per process (`foldhash`): every page view is
/// counted, and what is hashed is a rule id, a country or a cause.
type Fast = foldhash::fast::RandomState;
type Accounts = HashMap<i64, HashMap<Entry, u64, Fast>, Fast>;

#[derive(Debug, Default)]
pub struct Tally {
    shards: [Mutex<Accounts>; SHARDS],
}

impl Tally {
    /// Counts one decision at `now`.
    pub fn count(&self, account_id: i64, now: NaiveDateTime, cause: Cause, key: Key) {
        let shard = &self.shards[account_id.rem_euclid(SHARDS as i64) as usize];
        let entry = (hour_of(now), cause, key);
        let mut accounts = shard.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = accounts
            .get_mut(&account_id)
            .and_then(|c| c.get_mut(&entry))
        {
            // The usual case: counted before since the last flush.
            *n += 1;
            return;
        }
        if !accounts.contains_key(&account_id) && accounts.len() >= MAX_ACCOUNTS / SHARDS {
            return;
        }
        let counts = accounts.entry(account_id).or_default();
        let entry = if counts.len() < PER_ACCOUNT {
            entry
        } else {
            (entry.0, cause, Key::None)
        };
        *counts.entry(entry).or_insert(0) += 1;
    }

    /// Takes what was counted since the last take.
    pub fn take(&self) -> Vec<Counted> {
        let taken: Vec<Accounts> = self
            .shards
            .iter()
            .map(|s| std::mem::take(&mut *s.lock().unwrap_or_else(|e| e.into_inner())))
            .collect();
        taken
            .into_iter()
            .flatten()
            .flat_map(|(account_id, counts)| {
                counts
                    .into_iter()
                    .map(move |((hour, cause, key), times)| Counted {
                        account_id,
                        hour,
                        cause,
                        key: key.text(),
                        times,
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn decisions_are_counted_per_hour_cause_and_key_and_taken_once() {
        let t = Tally::default();
        let de = CountryCode::parse("DE").unwrap();
        t.count(1, at("2026-11-29 10:05:00"), Cause::IpRule, Key::Rule(7));
        t.count(1, at("2026-11-29 10:59:59"), Cause::IpRule, Key::Rule(7));
        t.count(1, at("2026-11-29 11:00:00"), Cause::IpRule, Key::Rule(7));
        t.count(
            1,
            at("2026-11-29 10:00:00"),
            Cause::Country,
            Key::Country(de),
        );
        t.count(2, at("2026-11-29 10:00:00"), Cause::Allowed, Key::None);
        let mut taken = t.take();
        taken.sort_by_key(|c| (c.account_id, c.hour, c.cause));
        assert_eq!(taken.len(), 4);
        assert_eq!(
            taken[0],
            Counted {
                account_id: 1,
                hour: at("2026-11-29 10:00:00"),
                cause: Cause::IpRule,
                key: "7".into(),
                times: 2
            }
        );
        assert_eq!(taken[1].key, "DE");
        assert_eq!(taken[3].cause, Cause::Allowed);
        assert!(t.take().is_empty(), "taken once");
        // Accounts in one shard beyond its share are not counted.
        for a in 0..(MAX_ACCOUNTS / SHARDS + 1) {
            t.count(
                (a * SHARDS) as i64,
                at("2026-11-29 10:00:00"),
                Cause::Allowed,
                Key::None,
            );
        }
        t.count(1, at("2026-11-29 10:00:00"), Cause::Allowed, Key::None);
        assert_eq!(
            t.take().len(),
            MAX_ACCOUNTS / SHARDS + 1,
            "a full shard leaves others"
        );
    }

    #[test]
    fn a_full_account_still_counts_under_the_cause() {
        let t = Tally::default();
        let now = at("2026-11-29 10:00:00");
        for id in 0..PER_ACCOUNT as i64 + 10 {
            t.count(1, now, Cause::IpRule, Key::Rule(id));
        }
        let taken = t.take();
        assert_eq!(taken.len(), PER_ACCOUNT + 1);
        let total: u64 = taken.iter().map(|c| c.times).sum();
        assert_eq!(total, PER_ACCOUNT as u64 + 10, "nothing lost");
        let unkeyed = taken.iter().find(|c| c.key.is_empty()).unwrap();
        assert_eq!(unkeyed.times, 10);
    }

    #[test]
    fn reasons_map_to_causes_and_keys_without_addresses() {
        let net = "203.0.113.0/24".parse().unwrap();
        assert_eq!(
            cause_of(Some(&Reason::IpRule {
                id: 4,
                network: net
            })),
            (Cause::IpRule, Key::Rule(4))
        );
        assert_eq!(
            cause_of(Some(&Reason::Country(None))),
            (Cause::Country, Key::None)
        );
        assert_eq!(cause_of(None), (Cause::Allowed, Key::None));
    }
}
