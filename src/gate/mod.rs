//! The visitor gate: may this address use the widget of this account?
//!
//! The decision is made in memory on every widget request. Blocks live in a
//! snapshot (a hash map from account and network index to the block's end)
//! that is swapped in atomically whenever a block changes here, and
//! re-read from the database every few seconds so that blocks made on other
//! instances apply too. Readers never wait. Expiry is checked against the
//! clock on each decision, so a block ends on time even before the next
//! reload or purge.

use std::{collections::HashMap, net::IpAddr, sync::Arc};

use arc_swap::ArcSwap;
use chrono::NaiveDateTime;

use crate::{crypto::Keys, domain::block::network_of};

/// The blind index of the network a visitor address falls in.
pub type NetworkIndex = Vec<u8>;

#[derive(Debug, Default)]
pub struct Snapshot {
    blocks: HashMap<(i64, NetworkIndex), NaiveDateTime>,
}

impl Snapshot {
    pub fn from_rows(rows: impl IntoIterator<Item = (i64, NetworkIndex, NaiveDateTime)>) -> Self {
        let mut blocks = HashMap::new();
        for (account, index, until) in rows {
            let e = blocks.entry((account, index)).or_insert(until);
            if until > *e {
                *e = until;
            }
        }
        Self { blocks }
    }

    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Serve,
    /// Refused. The visitor is never told why.
    Refuse,
}

pub struct Gate {
    keys: Arc<Keys>,
    snapshot: ArcSwap<Snapshot>,
}

impl Gate {
    pub fn new(keys: Arc<Keys>) -> Self {
        Self {
            keys,
            snapshot: ArcSwap::from_pointee(Snapshot::default()),
        }
    }

    /// The blind index a visitor address is looked up by.
    pub fn index_of(&self, ip: IpAddr) -> NetworkIndex {
        self.keys.ip_index(&network_of(ip).to_string())
    }

    pub fn replace(&self, snapshot: Snapshot) {
        self.snapshot.store(Arc::new(snapshot));
    }

    /// Decides for an account and a visitor's network index at `now`.
    pub fn decide_index(&self, account_id: i64, index: &[u8], now: NaiveDateTime) -> Decision {
        let snap = self.snapshot.load();
        match snap.blocks.get(&(account_id, index.to_vec())) {
            Some(until) if *until > now => Decision::Refuse,
            _ => Decision::Serve,
        }
    }

    pub fn decide(&self, account_id: i64, ip: IpAddr, now: NaiveDateTime) -> Decision {
        self.decide_index(account_id, &self.index_of(ip), now)
    }
}

/// Reads the blocks in force from the database into a new snapshot.
pub async fn reload(
    db: &crate::db::Db,
    gate: &Gate,
    now: NaiveDateTime,
) -> Result<usize, crate::error::AppError> {
    let rows = db
        .run(move |c| Ok(crate::db::blocks::live(c, now)?))
        .await?;
    let snapshot = Snapshot::from_rows(rows);
    let n = snapshot.len();
    gate.replace(snapshot);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;
    use chrono::Duration;

    #[test]
    fn blocks_cover_the_network_until_they_end() {
        let gate = Gate::new(Arc::new(MasterKey::random().keys()));
        let now = chrono::Utc::now().naive_utc();
        let until = now + Duration::days(7);
        let v6: IpAddr = "2001:db8:1:2::10".parse().unwrap();
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        gate.replace(Snapshot::from_rows([
            (1, gate.index_of(v6), until),
            (1, gate.index_of(v4), until),
        ]));
        assert_eq!(gate.decide(1, v6, now), Decision::Refuse);
        assert_eq!(
            gate.decide(1, "2001:db8:1:2:ffff::1".parse().unwrap(), now),
            Decision::Refuse,
            "same /64"
        );
        assert_eq!(
            gate.decide(1, "2001:db8:1:3::10".parse().unwrap(), now),
            Decision::Serve,
            "next /64"
        );
        assert_eq!(
            gate.decide(1, "::ffff:203.0.113.7".parse().unwrap(), now),
            Decision::Refuse
        );
        assert_eq!(
            gate.decide(1, "203.0.113.8".parse().unwrap(), now),
            Decision::Serve
        );
        assert_eq!(gate.decide(2, v4, now), Decision::Serve, "another account");
        assert_eq!(
            gate.decide(1, v4, until - Duration::seconds(1)),
            Decision::Refuse
        );
        assert_eq!(
            gate.decide(1, v4, until),
            Decision::Serve,
            "ends on time without a reload"
        );
    }
}
