use super::*;

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

#[test]
fn the_period_comes_from_the_url_and_falls_back_to_a_day() {
    assert_eq!(Period::parse(Some("7d")), Period::Week);
    assert_eq!(Period::parse(Some("30d")), Period::Month);
    assert_eq!(Period::parse(Some("24h")), Period::Day);
    for bad in ["", "365d", "7D", "<script>", "1e9"] {
        assert_eq!(Period::parse(Some(bad)), Period::Day, "{bad}");
    }
    assert_eq!(Period::parse(None), Period::Day);
    for p in Period::ALL {
        assert_eq!(Period::parse(Some(p.as_str())), p);
    }
}

#[test]
fn a_day_is_24_whole_hours_labelled_in_the_viewers_zone() {
    let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
    let b = buckets(Period::Day, t("2026-11-29 10:25"), tokyo);
    assert_eq!(b.len(), 24);
    assert_eq!(b[23].start, t("2026-11-29 10:00"));
    assert_eq!(b[23].end, t("2026-11-29 11:00"));
    assert_eq!(b[23].label, "19:00", "10:00 UTC is 19:00 in Tokyo");
    assert_eq!(b[0].start, t("2026-11-28 11:00"));
    assert!(b.windows(2).all(|w| w[0].end == w[1].start));
}

#[test]
fn days_run_from_local_midnight_to_local_midnight() {
    let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
    // 16:00 UTC on the 29th is already the 30th in Tokyo.
    let b = buckets(Period::Week, t("2026-11-29 16:00"), tokyo);
    assert_eq!(b.len(), 7);
    assert_eq!(b[6].label, "Nov 30");
    assert_eq!(b[6].start, t("2026-11-29 15:00"));
    assert_eq!(b[6].end, t("2026-11-30 15:00"));
    assert_eq!(b[0].label, "Nov 24");
    assert_eq!(
        buckets(Period::Month, t("2026-11-29 16:00"), tokyo).len(),
        30
    );
    // A day of a clock change is 23 hours long.
    let berlin = TimeZone::parse("Europe/Berlin").unwrap();
    let b = buckets(Period::Week, t("2026-03-30 12:00"), berlin);
    let change = b.iter().find(|d| d.label == "Mar 29").unwrap();
    assert_eq!(change.end - change.start, Duration::hours(23));
}

#[test]
fn a_time_falls_in_its_bucket_or_none() {
    let b = buckets(Period::Day, t("2026-11-29 10:25"), TimeZone::UTC);
    assert_eq!(bucket_of(&b, t("2026-11-29 10:59")), Some(23));
    assert_eq!(bucket_of(&b, t("2026-11-29 09:00")), Some(22));
    assert_eq!(bucket_of(&b, t("2026-11-28 11:00")), Some(0));
    assert_eq!(bucket_of(&b, t("2026-11-28 10:59")), None);
    assert_eq!(bucket_of(&b, t("2026-11-29 11:00")), None);
}

#[test]
fn scales_end_on_round_numbers() {
    let cases = [
        (0, 1),
        (1, 1),
        (2, 2),
        (3, 5),
        (7, 10),
        (11, 20),
        (480, 500),
        (501, 1000),
    ];
    for (max, top) in cases {
        assert_eq!(nice_max(max), top, "{max}");
    }
}

#[test]
fn series_stack_from_the_baseline_in_proportion() {
    let b = buckets(Period::Day, t("2026-11-29 10:25"), TimeZone::UTC);
    let mut a = vec![0; 24];
    let mut c = vec![0; 24];
    a[23] = 6;
    c[23] = 4;
    c[0] = 5;
    let chart = stacked(
        "x",
        "Refused",
        &b,
        &[
            Series {
                name: "IP rule".into(),
                values: a,
            },
            Series {
                name: "Country".into(),
                values: c,
            },
        ],
    );
    assert_eq!(chart.total, 15);
    assert_eq!(chart.bars.len(), 3, "zeros draw nothing");
    let last: Vec<&Rect> = chart
        .bars
        .iter()
        .filter(|r| r.title.starts_with("10:00"))
        .collect();
    assert_eq!(last.len(), 2);
    let (lower, upper) = (last[0], last[1]);
    assert_eq!(lower.class, "s0");
    assert_eq!(upper.class, "s1");
    assert_eq!(upper.title, "10:00: Country 4");
    // The lower bar stands on the baseline; the upper one on the lower.
    let base = f64::from(chart.height) - BOTTOM;
    assert!((num(&lower.y) + num(&lower.h) - base).abs() < 0.2);
    assert!((num(&upper.y) + num(&upper.h) - num(&lower.y)).abs() < 0.2);
    // 10 of a scale of 10 fills the plot; 6 is six tenths of it.
    let plot = f64::from(chart.height) - TOP - BOTTOM;
    assert!((num(&lower.h) - plot * 0.6).abs() < 0.2);
    assert!((num(&lower.y) + num(&lower.h) - num(&upper.y) - plot).abs() < 0.3);
    // Bars stay inside the drawing.
    for r in &chart.bars {
        assert!(num(&r.x) >= LEFT && num(&r.x) + num(&r.w) <= f64::from(chart.width));
    }
    assert_eq!(chart.numbers.head, ["IP rule", "Country", "Total"]);
    let row = &chart.numbers.rows[23];
    assert_eq!(
        (row.label.as_str(), &row.values[..]),
        ("10:00", &[6, 4, 10][..])
    );
    assert_eq!(
        chart.legend[1],
        Legend {
            class: "s1".into(),
            name: "Country".into()
        }
    );
    assert!(chart.labels.len() <= 6 && chart.labels.last().unwrap().text == "10:00");
    assert_eq!(
        chart
            .ticks
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>(),
        ["0", "5", "10"]
    );
    let odd = stacked(
        "o",
        "Odd",
        &b,
        &[Series {
            name: "n".into(),
            values: vec![5; 24],
        }],
    );
    assert_eq!(odd.ticks.len(), 2, "no line at 2.5 of 5");
}

#[test]
fn a_ranking_keeps_its_order_links_and_the_longest_bar_fills_the_scale() {
    let items = [
        Item {
            label: "203.0.113.0/24".into(),
            value: 50,
            link: Some("/a".into()),
        },
        Item {
            label: "a".repeat(60),
            value: 20,
            link: None,
        },
    ];
    let chart = ranking("r", "Top IP rules", "Hits", &items);
    assert_eq!(chart.bars.len(), 2);
    assert_eq!(chart.bars[0].title, "203.0.113.0/24: 50");
    assert!(num(&chart.bars[0].w) > num(&chart.bars[1].w));
    assert_eq!(chart.numbers.rows[0].link.as_deref(), Some("/a"));
    assert_eq!(chart.numbers.rows[1].link, None);
    assert_eq!(
        chart.numbers.rows[1].label.len(),
        60,
        "the table has it whole"
    );
    assert_eq!(
        chart.labels[2].text.chars().count(),
        22,
        "the drawing shortens it"
    );
    for r in &chart.bars {
        assert!(num(&r.x) + num(&r.w) <= f64::from(chart.width));
    }
    assert!(chart.labels[2].text.ends_with('…'));
    assert!(ranking("e", "None", "Hits", &[]).is_empty());
}

#[test]
fn grouped_series_stand_side_by_side_on_the_baseline() {
    let b = buckets(Period::Day, t("2026-11-29 10:25"), TimeZone::UTC);
    let mut started = vec![0; 24];
    let mut blocked = vec![0; 24];
    started[23] = 4;
    blocked[23] = 1;
    let chart = grouped(
        "g",
        "Conversations",
        &b,
        &[
            Series {
                name: "Started".into(),
                values: started,
            },
            Series {
                name: "Blocked".into(),
                values: blocked,
            },
        ],
    );
    let (a, c) = (&chart.bars[0], &chart.bars[1]);
    let base = f64::from(chart.height) - BOTTOM;
    for r in [a, c] {
        assert!(
            (num(&r.y) + num(&r.h) - base).abs() < 0.2,
            "on the baseline"
        );
    }
    assert!(
        (num(&a.x) + num(&a.w) - num(&c.x)).abs() < 0.2,
        "side by side"
    );
    assert!((num(&a.h) - 4.0 * num(&c.h)).abs() < 0.3);
    assert_eq!(
        chart.numbers.head,
        ["Started", "Blocked"],
        "no total of overlapping series"
    );
    assert_eq!(chart.summary, "Conversations: Started 4, Blocked 1.");
}
