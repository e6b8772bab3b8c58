//! What the agent console's sidebar tells about a visitor's visit: which
//! of the pages their widget reported belong to the visit of a
//! conversation, and the hourly buckets refusals are counted in.
//!
//! **A visit** is the page the visitor was on when the conversation
//! started (the last page seen at or before `started_at`, however long
//! ago they arrived there), and every page seen from [`VISIT_SLACK`]
//! before the start until the conversation ended (or now, while open).
//! Every page view that shows the chat is recorded, and a reload of the
//! same page is not recorded again, so the page at the start is always
//! the last one seen before it.

use std::ops::Range;

use chrono::{Duration, NaiveDateTime};

/// How far before the conversation's start the visit's pages go.
pub const VISIT_SLACK: Duration = Duration::minutes(30);

/// How many pages are kept per visitor (the newest).
pub const KEEP_PAGES: usize = 20;

/// How long pages and refusal counts are kept: as long as addresses.
pub const RETENTION: Duration = Duration::days(7);

/// The visit among pages seen at `seen` (oldest first): an index range.
/// `until` is when the conversation ended, if it has.
pub fn visit_range(
    seen: &[NaiveDateTime],
    started_at: NaiveDateTime,
    until: Option<NaiveDateTime>,
) -> Range<usize> {
    let end = match until {
        Some(u) => seen.partition_point(|t| *t <= u),
        None => seen.len(),
    };
    let window = seen.partition_point(|t| *t < started_at - VISIT_SLACK);
    // The page the conversation started on: the last one at or before it.
    let at_start = seen.partition_point(|t| *t <= started_at).checked_sub(1);
    let start = at_start.map_or(window, |i| i.min(window));
    start.min(end)..end
}

/// The hour a moment falls in (its bucket for refusal counts).
pub fn hour_of(t: NaiveDateTime) -> NaiveDateTime {
    // Counted on every page view: the date and the hour, without the
    // division `duration_trunc` makes.
    use chrono::Timelike;
    chrono::NaiveTime::from_hms_opt(t.hour(), 0, 0).map_or(t, |h| t.date().and_time(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use proptest::prelude::*;

    /// Minutes after a fixed moment.
    fn m(mins: i64) -> NaiveDateTime {
        DateTime::from_timestamp(1_800_000_000 + mins * 60, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn the_visit_is_the_start_page_and_what_came_after_the_slack() {
        // Yesterday, an hour ago, 20 minutes ago, 5 minutes ago; the chat
        // started now (0); then two more pages.
        let seen = [m(-1440), m(-60), m(-20), m(-5), m(3), m(9)];
        assert_eq!(visit_range(&seen, m(0), None), 2..6);
        // Ended at minute 5: the page at 9 is after the visit.
        assert_eq!(visit_range(&seen, m(0), Some(m(5))), 2..5);
    }

    #[test]
    fn the_page_the_chat_started_on_counts_however_old() {
        // The visitor sat on one page for two hours before writing.
        let seen = [m(-1440), m(-120), m(4)];
        assert_eq!(visit_range(&seen, m(0), None), 1..3);
        // A page seen exactly at the start is the start page.
        assert_eq!(visit_range(&[m(-300), m(0)], m(0), None), 1..2);
    }

    #[test]
    fn no_pages_or_only_later_ones() {
        assert_eq!(visit_range(&[], m(0), None), 0..0);
        assert_eq!(visit_range(&[m(2), m(3)], m(0), None), 0..2);
        // Everything after the end: nothing.
        assert_eq!(visit_range(&[m(10)], m(0), Some(m(5))), 0..0);
    }

    #[test]
    fn hours() {
        assert_eq!(
            hour_of(m(0) + Duration::seconds(59 * 60 + 59))
                .format("%M:%S")
                .to_string(),
            "00:00"
        );
        assert_eq!(hour_of(m(0)), hour_of(m(0)));
        let t = NaiveDateTime::parse_from_str("2026-11-29 08:59:59", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(hour_of(t).to_string(), "2026-11-29 08:00:00");
    }

    proptest! {
        #[test]
        fn the_range_is_in_bounds_and_holds_the_start_page(
            mut mins in proptest::collection::vec(-3000i64..3000, 0..30),
            start in -100i64..100,
            end in proptest::option::of(-100i64..200),
        ) {
            mins.sort();
            let seen: Vec<_> = mins.iter().map(|&x| m(x)).collect();
            let until = end.map(m);
            let r = visit_range(&seen, m(start), until);
            prop_assert!(r.start <= r.end && r.end <= seen.len());
            for (i, t) in seen.iter().enumerate() {
                let after_end = until.is_some_and(|u| *t > u);
                let in_window = *t >= m(start) - VISIT_SLACK && !after_end;
                if in_window {
                    prop_assert!(r.contains(&i), "{i} is in the window");
                }
                let start_page = *t <= m(start) && seen.get(i + 1).is_none_or(|n| *n > m(start));
                if start_page && !after_end {
                    prop_assert!(r.contains(&i), "{i} is the start page");
                }
                let earlier = *t < m(start) - VISIT_SLACK && !start_page;
                if after_end || earlier {
                    prop_assert!(!r.contains(&i), "{i} is outside");
                }
            }
        }
    }
}
