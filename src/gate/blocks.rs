//! The visitor blocks in force, as the gate holds them: by the blind index
//! of the blocked network, and, for blocks that also cover the visitor's
//! browser, by the keyed index of its cookie id.

use std::collections::HashMap;

use chrono::NaiveDateTime;

/// The blind index of the network a visitor address falls in.
pub type NetworkIndex = [u8; 32];
/// The keyed index of a visitor's browser (of its stored cookie key).
pub type BrowserIndex = [u8; 32];

/// One block in force as read: account, network index, browser index (if
/// the block covers the browser), end.
pub type BlockRow = (i64, Option<Vec<u8>>, Option<Vec<u8>>, NaiveDateTime);

/// Visitor blocks in force: (account, index) to the block's end, the
/// latest end when several blocks share an index.
#[derive(Debug, Default)]
pub struct Blocks {
    pub(super) map: HashMap<(i64, NetworkIndex), NaiveDateTime>,
    pub(super) browsers: HashMap<(i64, BrowserIndex), NaiveDateTime>,
}

fn keep_latest(
    map: &mut HashMap<(i64, [u8; 32]), NaiveDateTime>,
    account: i64,
    index: Option<Vec<u8>>,
    until: NaiveDateTime,
) {
    let Some(index) = index.and_then(|i| <[u8; 32]>::try_from(i.as_slice()).ok()) else {
        return;
    };
    let e = map.entry((account, index)).or_insert(until);
    if until > *e {
        *e = until;
    }
}

impl Blocks {
    pub fn from_rows(rows: impl IntoIterator<Item = BlockRow>) -> Self {
        let mut blocks = Blocks::default();
        for (account, network, browser, until) in rows {
            keep_latest(&mut blocks.map, account, network, until);
            keep_latest(&mut blocks.browsers, account, browser, until);
        }
        blocks
    }

    /// How many networks are blocked.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty() && self.browsers.is_empty()
    }

    /// How many browsers are blocked.
    pub fn browsers(&self) -> usize {
        self.browsers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_latest_end_per_index_and_skips_malformed_ones() {
        let t = |h| {
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .unwrap()
        };
        let blocks = Blocks::from_rows([
            (1, Some(vec![1; 32]), None, t(1)),
            (1, Some(vec![1; 32]), Some(vec![7; 32]), t(3)),
            (1, None, Some(vec![7; 32]), t(2)),
            (2, Some(vec![1; 31]), Some(vec![9; 32]), t(4)),
        ]);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks.map[&(1, [1; 32])], t(3));
        assert_eq!(blocks.browsers(), 2);
        assert_eq!(blocks.browsers[&(1, [7; 32])], t(3));
        assert_eq!(blocks.browsers[&(2, [9; 32])], t(4));
    }
}
