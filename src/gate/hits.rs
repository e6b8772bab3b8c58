//! Hits on IP rules counted by the gate and not yet written.

use super::{policy::Policy, Gate};

impl Gate {
    /// Takes the hits counted since the last take, from current and
    /// swapped-out policies: (account, rule id, hits).
    pub fn take_hits(&self) -> Vec<(i64, i64, u64)> {
        let mut out = Vec::new();
        let mut add = |account: i64, p: &Policy| {
            let mut hits = Vec::new();
            p.take_hits(&mut hits);
            out.extend(hits.into_iter().map(|(id, n)| (account, id, n)));
        };
        let retired = match self.retired.lock() {
            Ok(mut r) => std::mem::take(&mut *r),
            Err(_) => Vec::new(),
        };
        for (a, p) in &retired {
            add(*a, p);
        }
        for (a, p) in self.policies.load().iter() {
            add(*a, p);
        }
        out
    }

    /// Hits on one rule not yet written to the database.
    pub fn pending_hits(&self, account_id: i64, rule_id: i64) -> u64 {
        let mut seen = std::collections::HashSet::new();
        let current = self
            .policy(account_id)
            .map_or(0, |p| p.pending_once(rule_id, &mut seen));
        let retired = self
            .retired
            .lock()
            .map(|r| {
                r.iter()
                    .filter(|(a, _)| *a == account_id)
                    .map(|(_, p)| p.pending_once(rule_id, &mut seen))
                    .sum::<u64>()
            })
            .unwrap_or(0);
        current + retired
    }
}
