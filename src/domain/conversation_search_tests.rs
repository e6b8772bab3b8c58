use super::*;

fn form(pairs: &[(&str, &str)]) -> Form {
    let q = serde_urlencoded::to_string(pairs).unwrap();
    Form::from_query(&q).0
}

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

#[test]
fn an_empty_form_filters_nothing() {
    let f = Form::default().parse(TimeZone::UTC, &[]).unwrap();
    assert_eq!(f, Filters::default());
    assert!(!Form::default().narrows());
    assert_eq!(Form::default().query(), "");
}

#[test]
fn every_filter_is_read() {
    let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
    let f = form(&[
        ("q", "  Refund ÉCOLE "),
        ("from", "2026-11-01"),
        ("to", "2026-11-29"),
        ("status", "closed"),
        ("agent", "7"),
        ("blocking", "blocked"),
    ]);
    let got = f.parse(tokyo, &[3, 7]).unwrap();
    assert_eq!(got.words, ["refund", "école"]);
    assert_eq!(got.status, Some(Status::Closed));
    assert_eq!(got.agent, Some(7));
    assert_eq!(got.blocking, BlockingFilter::Blocked);
    assert_eq!(got.from, Some(at(2026, 10, 31, 15)), "Tokyo's midnight");
    assert_eq!(
        got.until,
        Some(at(2026, 11, 29, 15)),
        "the whole To day is included"
    );
    assert!(f.narrows());
    assert_eq!(
        f.query(),
        "q=Refund+%C3%89COLE&from=2026-11-01&to=2026-11-29&status=closed&agent=7&blocking=blocked"
    );
}

#[test]
fn bad_values_are_refused_with_every_reason() {
    let f = form(&[
        ("q", "\"*()-"),
        ("from", "2026-13-01"),
        ("to", "yesterday"),
        ("status", "deleted"),
        ("agent", "99"),
    ]);
    assert_eq!(
        f.parse(TimeZone::UTC, &[1, 2]).unwrap_err(),
        [NO_WORDS, BAD_STATUS, BAD_AGENT, BAD_FROM, BAD_TO]
    );
    let f = form(&[("from", "2026-11-29"), ("to", "2026-11-01"), ("agent", "x")]);
    assert_eq!(
        f.parse(TimeZone::UTC, &[1]).unwrap_err(),
        [BAD_AGENT, FROM_AFTER_TO]
    );
    let long = form(&[("q", &"a".repeat(MAX_SEARCH + 1))]);
    assert_eq!(long.parse(TimeZone::UTC, &[]).unwrap_err(), [TOO_LONG]);
    let f = form(&[("from", "0000-01-01")]);
    assert_eq!(f.parse(TimeZone::UTC, &[]).unwrap_err(), [BAD_FROM]);
}

#[test]
fn any_and_one_day_ranges_are_accepted() {
    let f = form(&[
        ("status", "any"),
        ("agent", "any"),
        ("from", "2026-11-29"),
        ("to", "2026-11-29"),
    ]);
    let got = f.parse(TimeZone::UTC, &[]).unwrap();
    assert_eq!((got.status, got.agent), (None, None));
    assert_eq!(got.from, Some(at(2026, 11, 29, 0)));
    assert_eq!(got.until, Some(at(2026, 11, 30, 0)));
}

#[test]
fn search_syntax_becomes_plain_words() {
    assert_eq!(
        words(r#"a "b" c* -d OR (e) NEAR/2 f:g ^h"#),
        ["a", "b", "c*", "d", "or", "e", "near", "2", "f", "g", "h"]
    );
    assert_eq!(words("* ** refu** x*y -*z"), ["refu*", "x*", "y", "z"]);
    assert_eq!(words("日本語 über's"), ["日本語", "über", "s"]);
    assert_eq!(words(&"w ".repeat(50)).len(), MAX_WORDS);
    let f = Filters {
        words: words("refund OR (now"),
        ..Filters::default()
    };
    assert_eq!(f.fts5().unwrap(), r#""refund" "or" "now""#);
    assert_eq!(f.tsquery().unwrap(), "'refund' & 'or' & 'now'");
    let f = Filters {
        words: words("refu* or*der"),
        ..Filters::default()
    };
    assert_eq!(f.fts5().unwrap(), r#""refu"* "or"* "der""#);
    assert_eq!(f.tsquery().unwrap(), "'refu':* & 'or':* & 'der'");
    assert_eq!(Filters::default().fts5(), None);
    assert_eq!(Filters::default().tsquery(), None);
}

#[test]
fn the_total_reads_as_a_count_of_conversations() {
    let exact = |n| Total { n, more: false }.text();
    assert_eq!(exact(0), "0 conversations");
    assert_eq!(exact(1), "1 conversation");
    assert_eq!(exact(1234), "1,234 conversations");
    assert_eq!(exact(1_000_000), "1,000,000 conversations");
    let more = |n| Total { n, more: true }.text();
    assert_eq!(more(1000), "More than 1,000 conversations");
    assert_eq!(more(1), "More than 1 conversations");
}

#[test]
fn a_field_given_twice_keeps_its_last_value_and_unknown_fields_are_ignored() {
    let (f, cursor) = Form::from_query("q=first&status=closed&q=refund&x=1&page=2&older=1.2");
    assert_eq!(f.q, "refund");
    assert_eq!(f.status, "closed");
    assert!(matches!(cursor, Cursor::Older(Key { id: 2, .. })));
    let (f, cursor) = Form::from_query("q=%ZZ&&=&blocking");
    assert_eq!((f.blocking.as_str(), cursor), ("", Cursor::Newest));
    assert_eq!(Form::from_query("").0.query(), "");
}

#[test]
fn a_cursor_reads_back_what_a_link_carries_and_anything_else_starts_at_the_newest() {
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_micro_opt(12, 30, 5, 123_456)
        .unwrap();
    let key = Key {
        started_at: at,
        id: 4711,
    };
    assert_eq!(key.param(), "1795955405123456.4711");
    assert_eq!(Key::parse(&key.param()), Some(key));
    let q = format!("q=x&newer={}", key.param());
    assert_eq!(Form::from_query(&q).1, Cursor::Newer(key));
    for bad in [
        "",
        "1",
        "x.1",
        "1.x",
        "1.0",
        "1.-3",
        "99999999999999999999.1",
        "1.2.3",
    ] {
        assert_eq!(Key::parse(bad), None, "{bad:?}");
        let q = format!("older={bad}");
        assert_eq!(Form::from_query(&q).1, Cursor::Newest, "{bad:?}");
    }
    // An old page-numbered link starts at the newest.
    assert_eq!(Form::from_query("page=7").1, Cursor::Newest);
}
