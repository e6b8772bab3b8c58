//! The visitors online on this instance: one entry per open visitor stream
//! that shows the chat. The instance keeps them online in the database with
//! one write per business case every 20 seconds, however many streams are
//! open, instead of one write per stream.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// (business case, visitor key) to the number of open streams.
#[derive(Debug, Default)]
pub struct Online {
    streams: Arc<Mutex<HashMap<(i64, String), usize>>>,
}

/// Held by an open stream; the visitor stops counting when it drops.
#[derive(Debug)]
pub struct Here {
    streams: Arc<Mutex<HashMap<(i64, String), usize>>>,
    key: (i64, String),
}

impl Online {
    /// A stream of this visitor opened.
    pub fn arrive(&self, case_id: i64, visitor_key: &str) -> Here {
        let key = (case_id, visitor_key.to_owned());
        let mut map = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(key.clone()).or_default() += 1;
        Here {
            streams: self.streams.clone(),
            key,
        }
    }

    /// The visitors with an open stream, by business case.
    pub fn by_case(&self) -> HashMap<i64, Vec<String>> {
        let map = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for (case, key) in map.keys() {
            out.entry(*case).or_default().push(key.clone());
        }
        out
    }
}

impl Drop for Here {
    fn drop(&mut self) {
        let mut map = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_counts_while_any_of_their_streams_is_open() {
        let online = Online::default();
        let first = online.arrive(1, "v1");
        let second = online.arrive(1, "v1");
        let other = online.arrive(2, "v2");
        assert_eq!(online.by_case()[&1], vec!["v1".to_owned()]);
        drop(first);
        assert_eq!(online.by_case()[&1], vec!["v1".to_owned()]);
        drop(second);
        assert!(!online.by_case().contains_key(&1));
        drop(other);
        assert!(online.by_case().is_empty());
    }
}
