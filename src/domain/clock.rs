//! The application's clock: UTC now, plus an offset that only tests move,
//! so expiry can be checked without waiting seven days.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDateTime, Utc};

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves this clock forward (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now() {
        let c = Clock::default();
        let before = c.now();
        c.advance(Duration::days(7));
        assert!(c.now() - before >= Duration::days(7));
    }
}
