//! The demo's page views, hour by hour over its 30 days: how many the
//! gate showed the chat to and how many it refused, by cause, as the
//! dashboard's counters would have recorded them. Pure and deterministic.

use crate::domain::flood::Sending;
use chrono::{Duration, DurationRound, NaiveDateTime, Timelike};
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::{domain::cause::Cause, gate::counters::Counted};

/// The countries the demo blocks, as their counters name them.
pub const COUNTRIES: [&str; 4] = ["CU", "IR", "KP", "SY"];

/// The counted decisions of every hour of the last `days` days up to
/// `now`, for `account_id`; `rules` are the ids of its IP rules, busiest
/// first. The demo has [`DAYS`]; `seed-load --counter-days` more.
pub fn hours(account_id: i64, rules: &[i64], now: NaiveDateTime, days: i64) -> Vec<Counted> {
    let mut rng = StdRng::seed_from_u64(7);
    let last = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
    let mut out = Vec::new();
    for back in (0..days * 24).rev() {
        let hour = last - Duration::hours(back);
        // Busier in the working day (UTC), never empty.
        let busy = match hour.hour() {
            8..=17 => 4,
            18..=22 => 2,
            _ => 1,
        };
        let mut count = |cause: Cause, key: String, times: u64| {
            if times > 0 {
                out.push(Counted {
                    account_id,
                    hour,
                    cause,
                    key,
                    times,
                });
            }
        };
        count(Cause::Allowed, String::new(), rng.gen_range(20..60) * busy);
        for (i, id) in rules.iter().enumerate() {
            // The first rules are the busy ones.
            if rng.gen_bool(0.6 / (1.0 + i as f64 / 2.0)) {
                count(Cause::IpRule, id.to_string(), rng.gen_range(1..12) * busy);
            }
        }
        count(Cause::VisitorBlock, String::new(), rng.gen_range(0..3));
        let c = COUNTRIES[rng.gen_range(0..COUNTRIES.len())];
        count(Cause::Country, c.to_owned(), rng.gen_range(0..6));
        count(Cause::Website, String::new(), rng.gen_range(0..4));
        // Now and then a visitor sends too fast.
        if rng.gen_bool(0.1) {
            let what = Sending::ALL[rng.gen_range(0..Sending::ALL.len())];
            count(Cause::Flood, what.as_str().to_owned(), rng.gen_range(1..5));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::plan::DAYS;

    #[test]
    fn every_hour_of_thirty_days_has_views_and_refusals_of_each_cause_appear() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .and_then(|d| d.and_hms_opt(16, 30, 0))
            .unwrap();
        let h = hours(1, &[10, 11, 12], at, DAYS);
        let allowed = h.iter().filter(|c| c.cause == Cause::Allowed).count();
        assert_eq!(allowed as i64, DAYS * 24);
        for cause in Cause::REFUSALS {
            assert!(h.iter().any(|c| c.cause == cause), "{cause:?}");
        }
        assert!(h.iter().all(|c| c.hour <= at && c.times > 0));
        assert!(h.iter().all(|c| c.hour.minute() == 0));
        assert_eq!(h, hours(1, &[10, 11, 12], at, DAYS), "deterministic");
    }
}
