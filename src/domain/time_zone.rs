//! A person's time zone (an IANA name such as `Asia/Tokyo`), and stored
//! times as they read them. Times are stored in UTC; every time the panel
//! shows goes through [`TimeZone::show`] (or its shorter forms), so it
//! reads in the signed-in user's zone, with the zone named.

use std::{fmt, str::FromStr};

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Timelike};
use chrono_tz::Tz;

use super::account::InvalidInput;

/// An IANA time zone the server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

/// Said when a zone is not one the server knows.
pub const UNKNOWN: &str =
    "Choose a time zone from the list, such as Europe/Berlin, America/New_York or UTC.";

impl TimeZone {
    /// Coordinated Universal Time: the zone of a user who has none yet.
    pub const UTC: TimeZone = TimeZone(Tz::UTC);

    /// A zone as typed or as a browser reports it: an exact IANA name
    /// (surrounding white space ignored), at most 64 characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InvalidInput("Choose a time zone."));
        }
        if s.len() > 64 {
            return Err(InvalidInput(UNKNOWN));
        }
        Tz::from_str(s).map(Self).map_err(|_| InvalidInput(UNKNOWN))
    }

    /// The zone stored for a user: none, or one this build no longer
    /// knows, reads as UTC.
    pub fn stored(raw: Option<&str>) -> Self {
        raw.and_then(|r| Self::parse(r).ok()).unwrap_or(Self::UTC)
    }

    /// The IANA name, as stored and as the browser's `Intl` takes it.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// A stored UTC time in this zone with the zone named:
    /// "2026-11-29 19:45 JST", or "2026-11-29 14:45 Asia/Dubai" where the
    /// zone has no letters of its own (its abbreviation would be "+04").
    pub fn show(self, utc: &NaiveDateTime) -> String {
        format!("{} {}", self.date_time(utc), self.label_at(utc))
    }

    /// Date and time without the zone, for a column whose header names
    /// it: "2026-11-29 19:45".
    pub fn date_time(self, utc: &NaiveDateTime) -> String {
        // Written from the fields: a `format("%…")` pattern is parsed
        // again on every call (a list page writes fifty of these).
        let t = self.local(utc);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute()
        )
    }

    /// When `date` begins in this zone, in UTC: the first moment of that
    /// day that exists there (a day that starts in a daylight-saving gap
    /// begins when the gap ends).
    pub fn start_of_day(self, date: NaiveDate) -> NaiveDateTime {
        let midnight = date.and_time(NaiveTime::MIN);
        (0..=3)
            .find_map(|h| {
                self.0
                    .from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                    .earliest()
            })
            .map(|t| t.naive_utc())
            .unwrap_or(midnight)
    }

    /// The time of day alone: "19:45".
    pub fn clock(self, utc: &NaiveDateTime) -> String {
        let t = self.local(utc);
        format!("{:02}:{:02}", t.hour(), t.minute())
    }

    /// The wall-clock time in this zone at `utc`.
    pub fn local(self, utc: &NaiveDateTime) -> NaiveDateTime {
        self.0.from_utc_datetime(utc).naive_local()
    }

    /// The UTC instant today began in this zone ("today" on the dashboard).
    pub fn day_began(self, utc: &NaiveDateTime) -> NaiveDateTime {
        self.start_of_day(self.local(utc).date())
    }

    /// The zone's abbreviation at `utc` ("JST", "CEST") when it is made
    /// of letters; the IANA name otherwise.
    pub fn label_at(self, utc: &NaiveDateTime) -> String {
        let abbr = self.0.from_utc_datetime(utc).format("%Z").to_string();
        if !abbr.is_empty() && abbr.chars().all(|c| c.is_ascii_alphabetic()) {
            abbr
        } else {
            self.name().to_owned()
        }
    }

    /// The zones offered on the profile page: the IANA names under a
    /// continent or ocean, and UTC, in alphabetical order. `parse` also
    /// takes the older aliases (`Japan`, `US/Pacific` …).
    pub fn choices() -> Vec<&'static str> {
        const AREAS: [&str; 9] = [
            "Africa/",
            "America/",
            "Antarctica/",
            "Asia/",
            "Atlantic/",
            "Australia/",
            "Europe/",
            "Indian/",
            "Pacific/",
        ];
        let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| z.name())
            .filter(|n| AREAS.iter().any(|a| n.starts_with(a)) || *n == "UTC")
            .collect();
        names.sort_unstable();
        names
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_begins_at_local_midnight() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
        // 2026-11-29 16:00 UTC is 2026-11-30 01:00 in Tokyo.
        assert_eq!(
            tokyo.day_began(&t("2026-11-29 16:00")),
            t("2026-11-29 15:00")
        );
        assert_eq!(
            TimeZone::UTC.day_began(&t("2026-11-29 16:00")),
            t("2026-11-29 00:00")
        );
        // Santiago skips midnight when summer time starts (2026-09-06).
        let santiago = TimeZone::parse("America/Santiago").unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(
            santiago
                .local(&santiago.start_of_day(day))
                .format("%H:%M")
                .to_string(),
            "01:00"
        );
    }
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn parses_iana_names_and_refuses_the_rest() {
        assert_eq!(TimeZone::parse("Asia/Tokyo").unwrap().name(), "Asia/Tokyo");
        assert_eq!(
            TimeZone::parse("  Europe/Berlin\n").unwrap().name(),
            "Europe/Berlin"
        );
        assert_eq!(TimeZone::parse("UTC").unwrap(), TimeZone::UTC);
        assert_eq!(TimeZone::parse("Etc/UTC").unwrap().name(), "Etc/UTC");
        assert_eq!(TimeZone::parse("Japan").unwrap().name(), "Japan");
        for bad in [
            "",
            "   ",
            "Mars/Olympus_Mons",
            "asia/tokyo",
            "Asia/Tokyo/",
            "+09:00",
            "JST",
            "<script>",
            &"A".repeat(65),
        ] {
            assert!(TimeZone::parse(bad).is_err(), "{bad:?} is refused");
        }
        assert_eq!(TimeZone::parse("").unwrap_err().0, "Choose a time zone.");
        assert_eq!(TimeZone::parse("Mars/Base").unwrap_err().0, UNKNOWN);
    }

    #[test]
    fn a_stored_zone_that_is_missing_or_unknown_reads_as_utc() {
        assert_eq!(TimeZone::stored(None), TimeZone::UTC);
        assert_eq!(TimeZone::stored(Some("Nowhere/Else")), TimeZone::UTC);
        assert_eq!(TimeZone::stored(Some("Asia/Tokyo")).name(), "Asia/Tokyo");
    }

    #[test]
    fn shows_a_utc_time_in_the_zone_with_the_zone_named() {
        let t = at(2026, 11, 29, 10, 45);
        assert_eq!(TimeZone::UTC.show(&t), "2026-11-29 10:45 UTC");
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.show(&t), "2026-11-29 19:45 JST");
        assert_eq!(tokyo.date_time(&t), "2026-11-29 19:45");
        assert_eq!(tokyo.clock(&t), "19:45");
        // Across midnight, the date moves too.
        assert_eq!(tokyo.show(&at(2026, 12, 31, 20, 0)), "2027-01-01 05:00 JST");
        let ny = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(ny.show(&t), "2026-11-29 05:45 EST");
        assert_eq!(ny.show(&at(2026, 7, 1, 12, 0)), "2026-07-01 08:00 EDT");
    }

    #[test]
    fn date_and_clock_are_padded_and_drop_the_seconds() {
        let t = NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_micro_opt(3, 4, 59, 999_999)
            .unwrap();
        assert_eq!(TimeZone::UTC.date_time(&t), "2026-01-02 03:04");
        assert_eq!(TimeZone::UTC.clock(&t), "03:04");
        let kolkata = TimeZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.date_time(&t), "2026-01-02 08:34");
    }

    #[test]
    fn a_day_starts_at_local_midnight_in_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(TimeZone::UTC.start_of_day(d), at(2026, 11, 29, 0, 0));
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.start_of_day(d), at(2026, 11, 28, 15, 0));
        let ny = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(ny.start_of_day(d), at(2026, 11, 29, 5, 0));
        // Santiago's clocks skip from 00:00 to 01:00 on 2026-09-06.
        let santiago = TimeZone::parse("America/Santiago").unwrap();
        let gap = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(santiago.start_of_day(gap), at(2026, 9, 6, 4, 0));
    }

    #[test]
    fn a_zone_without_letters_of_its_own_is_named_in_full() {
        let dubai = TimeZone::parse("Asia/Dubai").unwrap();
        assert_eq!(
            dubai.show(&at(2026, 11, 29, 10, 45)),
            "2026-11-29 14:45 Asia/Dubai"
        );
        let kolkata = TimeZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            kolkata.show(&at(2026, 11, 29, 10, 45)),
            "2026-11-29 16:15 IST"
        );
    }

    #[test]
    fn choices_are_sorted_known_names() {
        let c = TimeZone::choices();
        assert!(c.len() > 300, "{} zones", c.len());
        assert!(c.windows(2).all(|w| w[0] < w[1]));
        for name in ["UTC", "Asia/Tokyo", "Europe/Berlin", "America/Sao_Paulo"] {
            assert!(c.contains(&name), "{name} is offered");
        }
        assert!(!c.contains(&"Japan"), "aliases are not offered");
        assert!(c.iter().all(|n| TimeZone::parse(n).is_ok()));
    }
}
