//! How many failed sign-ins are tolerated, and for how long a bucket is
//! paused once it reaches its limit. A sliding window: the pause lasts until
//! the oldest counted failure leaves the window.

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    pub max_failures: i64,
    pub window: Duration,
}

/// Per e-mail address: a targeted guess at one account.
pub const PER_USER: LoginLimit = LoginLimit {
    max_failures: 5,
    window: Duration::minutes(15),
};

/// Per client address: one source trying many accounts.
pub const PER_ADDRESS: LoginLimit = LoginLimit {
    max_failures: 20,
    window: Duration::minutes(15),
};

impl LoginLimit {
    /// The start of the window that ends at `now`.
    pub fn since(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - self.window
    }

    /// `None` when another attempt is allowed; otherwise how long to wait.
    pub fn retry_after(
        &self,
        failures: i64,
        oldest: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Option<Duration> {
        if failures < self.max_failures {
            return None;
        }
        let oldest = oldest?;
        let wait = oldest + self.window - now;
        (wait > Duration::zero()).then_some(wait)
    }
}

/// "12 minutes", "1 minute": a wait rounded up to whole minutes.
pub fn minutes_text(wait: Duration) -> String {
    let m = (wait.num_seconds() + 59) / 60;
    let m = m.max(1);
    if m == 1 {
        "1 minute".into()
    } else {
        format!("{m} minutes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn t(secs: i64) -> NaiveDateTime {
        DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn under_the_limit_is_allowed() {
        assert_eq!(PER_USER.retry_after(4, Some(t(0)), t(10)), None);
    }

    #[test]
    fn at_the_limit_waits_until_the_oldest_leaves_the_window() {
        let wait = PER_USER.retry_after(5, Some(t(0)), t(60)).unwrap();
        assert_eq!(wait, Duration::seconds(15 * 60 - 60));
        assert_eq!(minutes_text(wait), "14 minutes");
        assert_eq!(PER_USER.retry_after(5, Some(t(0)), t(15 * 60)), None);
    }

    #[test]
    fn wording() {
        assert_eq!(minutes_text(Duration::seconds(1)), "1 minute");
        assert_eq!(minutes_text(Duration::seconds(61)), "2 minutes");
    }
}
