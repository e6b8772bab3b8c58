//! Flood control on the hot path: a token bucket per (account, visitor
//! network, what is sent), in memory. The network is the blind index the
//! gate already computes (its first 8 bytes: it is a keyed hash, so they
//! are as good as all 32), never an address; no database round trip. On
//! several instances each counts what it serves.
//!
//! A bucket holds the limit and refills it over the window (20 messages a
//! minute: 20 at once, then one every 3 seconds). An **offence** is the
//! first refusal after sending was allowed: a burst refused as a whole is
//! one offence. A network's offences in the last hour are kept, and the
//! refusal that makes them [`REPEAT_OFFENCES`] is reported, once.

use std::{collections::HashMap, sync::Mutex};

use super::NetworkIndex;
use crate::domain::flood::{Sending, REPEAT_OFFENCES};

/// Locks the buckets are split in, by network.
pub const SHARDS: usize = 16;
const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    account: i64,
    net: u64,
    what: Sending,
}

/// Tokens in units of 1/window-in-ms of one (exact integer arithmetic: a
/// limit of `n` refills `n` units a millisecond, and a request costs
/// a window's worth).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    units: i64,
    at_ms: i64,
    /// The last request was refused (the next refusal is no new offence).
    refusing: bool,
}

/// The keys hold a keyed hash nobody outside can steer, so a fast hasher
/// is safe here (`foldhash`, seeded per process).
type Fast = foldhash::fast::RandomState;

#[derive(Debug, Default)]
struct Shard {
    buckets: HashMap<Key, Bucket, Fast>,
    /// (account, network) to its offences' times in the last hour.
    offences: HashMap<(i64, u64), Vec<i64>, Fast>,
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Allowed,
    /// Over the limit. `repeat` is set on the refusal that made the
    /// network's offences in the hour reach [`REPEAT_OFFENCES`].
    Refused {
        repeat: Option<u32>,
    },
}

impl Check {
    pub fn refused(self) -> bool {
        matches!(self, Check::Refused { .. })
    }
}

#[derive(Debug, Default)]
pub struct Flood {
    shards: [Mutex<Shard>; SHARDS],
}

fn short(net: &NetworkIndex) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&net[..8]);
    u64::from_le_bytes(b)
}

impl Flood {
    /// Counts one `what` from `net` against `limit` per window at `now_ms`
    /// (milliseconds of the injected clock).
    pub fn check(
        &self,
        account: i64,
        net: &NetworkIndex,
        what: Sending,
        limit: u32,
        now_ms: i64,
    ) -> Check {
        let net = short(net);
        let shard = &self.shards[(net % SHARDS as u64) as usize];
        let mut s = shard.lock().unwrap_or_else(|e| e.into_inner());
        let (window, rate) = (what.window_secs() * 1_000, i64::from(limit.max(1)));
        let cap = rate * window;
        let key = Key { account, net, what };
        let b = s.buckets.entry(key).or_insert(Bucket {
            units: cap,
            at_ms: now_ms,
            refusing: false,
        });
        let elapsed = (now_ms - b.at_ms).clamp(0, window);
        b.units = (b.units + elapsed * rate).min(cap);
        b.at_ms = b.at_ms.max(now_ms);
        if b.units >= window {
            b.units -= window;
            b.refusing = false;
            return Check::Allowed;
        }
        if std::mem::replace(&mut b.refusing, true) {
            return Check::Refused { repeat: None };
        }
        let times = s.offences.entry((account, net)).or_default();
        times.retain(|t| now_ms - t < HOUR_MS);
        times.push(now_ms);
        let n = u32::try_from(times.len()).unwrap_or(u32::MAX);
        Check::Refused {
            repeat: (n == REPEAT_OFFENCES).then_some(n),
        }
    }

    /// Drops buckets idle for a whole window (they would be full again)
    /// and offences over an hour old. Run with the periodic flushes.
    pub fn sweep(&self, now_ms: i64) {
        for shard in &self.shards {
            let mut s = shard.lock().unwrap_or_else(|e| e.into_inner());
            s.buckets
                .retain(|k, b| now_ms - b.at_ms < k.what.window_secs() * 1_000);
            s.offences.retain(|_, times| {
                times.retain(|t| now_ms - t < HOUR_MS);
                !times.is_empty()
            });
        }
    }

    /// Buckets held (for tests and the memory figure).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).buckets.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(n: u8) -> NetworkIndex {
        [n; 32]
    }

    #[test]
    fn a_burst_up_to_the_limit_passes_then_it_refills_over_the_window() {
        let f = Flood::default();
        let (a, n) = (1, net(1));
        for i in 0..20 {
            assert_eq!(
                f.check(a, &n, Sending::Message, 20, 0),
                Check::Allowed,
                "{i}"
            );
        }
        assert!(f.check(a, &n, Sending::Message, 20, 0).refused());
        // One comes back every 3 seconds (20 a minute).
        assert!(f.check(a, &n, Sending::Message, 20, 2_999).refused());
        assert_eq!(f.check(a, &n, Sending::Message, 20, 3_000), Check::Allowed);
        assert!(f.check(a, &n, Sending::Message, 20, 3_001).refused());
        // Other networks, accounts and kinds are counted apart.
        assert_eq!(f.check(a, &net(2), Sending::Message, 20, 0), Check::Allowed);
        assert_eq!(f.check(2, &n, Sending::Message, 20, 0), Check::Allowed);
        assert_eq!(f.check(a, &n, Sending::File, 10, 0), Check::Allowed);
        // A whole window later it is full again, not fuller.
        let later = 3_001 + 60_000;
        for _ in 0..20 {
            assert_eq!(f.check(a, &n, Sending::Message, 20, later), Check::Allowed);
        }
        assert!(f.check(a, &n, Sending::Message, 20, later).refused());
    }

    #[test]
    fn the_third_offence_in_an_hour_is_reported_once() {
        let f = Flood::default();
        let (a, n) = (1, net(3));
        // One message a minute: each call sends one, then tries again at
        // once (an offence), then once more (the same burst: no offence).
        let offend = |t: i64| {
            assert_eq!(f.check(a, &n, Sending::Message, 1, t), Check::Allowed);
            let first = f.check(a, &n, Sending::Message, 1, t);
            let again = f.check(a, &n, Sending::Message, 1, t);
            assert_eq!(again, Check::Refused { repeat: None }, "{t}");
            first
        };
        assert_eq!(offend(0), Check::Refused { repeat: None });
        assert_eq!(offend(61_000), Check::Refused { repeat: None });
        assert_eq!(offend(122_000), Check::Refused { repeat: Some(3) });
        assert_eq!(offend(183_000), Check::Refused { repeat: None }, "four");
        // An hour after the last, all have lapsed: three new ones again.
        let t = 183_000 + HOUR_MS;
        assert_eq!(offend(t), Check::Refused { repeat: None });
        assert_eq!(offend(t + 61_000), Check::Refused { repeat: None });
        assert_eq!(offend(t + 122_000), Check::Refused { repeat: Some(3) });
        // Offences of any kind count for the network.
        let m = net(4);
        let c = |w, t| f.check(a, &m, w, 1, t);
        assert_eq!(c(Sending::File, 0), Check::Allowed);
        assert!(c(Sending::File, 0).refused());
        assert_eq!(c(Sending::Conversation, 0), Check::Allowed);
        assert!(c(Sending::Conversation, 0).refused());
        assert_eq!(c(Sending::Message, 0), Check::Allowed);
        assert_eq!(c(Sending::Message, 0), Check::Refused { repeat: Some(3) });
    }

    #[test]
    fn the_sweep_forgets_idle_buckets_and_old_offences() {
        let f = Flood::default();
        f.check(1, &net(1), Sending::Message, 5, 0);
        f.check(1, &net(2), Sending::Conversation, 5, 0);
        assert_eq!(f.len(), 2);
        f.sweep(60_000);
        assert_eq!(f.len(), 1, "the message bucket is full again");
        f.sweep(HOUR_MS);
        assert!(f.is_empty());
    }
}
