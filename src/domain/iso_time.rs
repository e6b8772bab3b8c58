//! Times read and written by hand for the CSV export, where chrono's
//! pattern parsing and formatting cost more than the query (issue 17):
//! SQLite's text timestamps in the one shape diesel writes them, and the
//! export's `2026-11-29T08:05:00Z`.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// `YYYY-MM-DD HH:MM:SS` (or with a `T`), then nothing or a dot and one
/// to nine digits: the time it names, as chrono would read it with
/// `%F %T%.f`. `None` for any other shape or an impossible time, which
/// the caller reads the slow way (diesel's SQLite formats).
pub fn parse_sql(s: &[u8]) -> Option<NaiveDateTime> {
    let (head, frac) = (s.get(..19)?, s.get(19..)?);
    let num = |at: usize, len: usize| -> Option<u32> {
        head.get(at..at + len)?.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let marks = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if marks.iter().any(|&(at, m)| head[at] != m) || !matches!(head[10], b' ' | b'T') {
        return None;
    }
    let nanos = match frac {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let mut n = 0u32;
            for &b in digits {
                if !b.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(b - b'0');
            }
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 2)?, num(8, 2)?)?;
    // A second of 60 (a leap second) is left to chrono.
    let (h, m, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if sec >= 60 {
        return None;
    }
    Some(date.and_time(NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?))
}

/// Appends `t` in UTC, ISO 8601 with its zone: `2026-11-29T08:05:00Z`
/// (whole seconds, the year padded to four digits).
pub fn write_iso(out: &mut Vec<u8>, t: NaiveDateTime) {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        use std::io::Write;
        let _ = write!(out, "{year:04}");
    } else {
        push2(out, year as u32 / 100);
        push2(out, year as u32 % 100);
    }
    out.push(b'-');
    push2(out, t.month());
    out.push(b'-');
    push2(out, t.day());
    out.push(b'T');
    push2(out, t.hour());
    out.push(b':');
    push2(out, t.minute());
    out.push(b':');
    push2(out, t.second());
    out.push(b'Z');
}

fn push2(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&[b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the export wrote before (`write!` of the fields).
    fn chrono_iso(t: NaiveDateTime) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    #[test]
    fn reads_what_diesel_writes() {
        for s in [
            "2026-11-05 11:33:44.519244333",
            "2026-09-01 08:51:47",
            "2026-09-01T08:51:47.5",
            "0987-03-04 05:06:07.000001",
            "2024-02-29 23:59:59.999",
        ] {
            let slow = NaiveDateTime::parse_from_str(&s.replace('T', " "), "%F %T%.f").unwrap();
            assert_eq!(parse_sql(s.as_bytes()), Some(slow), "{s}");
        }
    }

    #[test]
    fn leaves_other_shapes_to_chrono() {
        for s in [
            "",
            "2026-11-05",
            "2026-11-05 11:33",
            "2026-11-05 11:33:44Z",
            "2026-11-05 11:33:44+09:00",
            "2026-11-05 11:33:44.",
            "2026-11-05 11:33:44.1234567891",
            "2026-02-30 11:33:44",
            "2026-11-05 24:00:00",
            "2026-12-31 23:59:60",
            "2026-1-05 11:33:44",
            "+2026-11-05 11:33:44",
            "2460999.5",
        ] {
            assert_eq!(parse_sql(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn writes_like_the_format_pattern() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%F %T%.f").unwrap();
        for s in [
            "0987-03-04 05:06:07",
            "2026-12-31 23:59:59.999999",
            "0000-01-01 00:00:00",
            "9999-12-31 23:59:59",
        ] {
            let mut out = Vec::new();
            write_iso(&mut out, at(s));
            assert_eq!(String::from_utf8(out).unwrap(), chrono_iso(at(s)));
        }
        let far = NaiveDate::from_ymd_opt(12026, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        let mut out = Vec::new();
        write_iso(&mut out, far);
        assert_eq!(String::from_utf8(out).unwrap(), "12026-01-02T03:04:05Z");
    }

    proptest! {
        #[test]
        fn agrees_with_chrono(secs in -70_000_000_000i64..300_000_000_000, nanos in 0u32..1_000_000_000) {
            let t = chrono::DateTime::from_timestamp(secs, nanos).unwrap().naive_utc();
            let text = t.format("%F %T%.f").to_string();
            prop_assert_eq!(parse_sql(text.as_bytes()), Some(t).filter(|t| t.year() >= 0 && t.year() <= 9999));
            let mut out = Vec::new();
            write_iso(&mut out, t);
            prop_assert_eq!(String::from_utf8(out).unwrap(), chrono_iso(t));
        }
    }
}
