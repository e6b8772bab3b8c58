//! The dashboard's charts, pure: the period and its buckets in the
//! viewer's zone, stacking series into bars, scaling them to SVG
//! coordinates, and placing them. (Block reasons are grouped by `super::reasons`.) The
//! templates only place what is computed here (no script, no style
//! attributes: colours are classes `s0`, `s1` … of the stylesheet).

use chrono::{Duration, NaiveDateTime};

use super::{time_zone::TimeZone, visit::hour_of};

/// The period the charts cover, kept in the URL (`?period=7d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// The last 24 hours, by hour.
    #[default]
    Day,
    /// The last 7 days, by day.
    Week,
    /// The last 30 days, by day.
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    /// From the URL; anything else is the last 24 hours.
    pub fn parse(raw: Option<&str>) -> Period {
        match raw.map(str::trim) {
            Some("7d") => Period::Week,
            Some("30d") => Period::Month,
            _ => Period::Day,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "24h",
            Period::Week => "7d",
            Period::Month => "30d",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Day => "Last 24 hours",
            Period::Week => "Last 7 days",
            Period::Month => "Last 30 days",
        }
    }

    /// What one bucket is, for table headers.
    pub fn unit(self) -> &'static str {
        match self {
            Period::Day => "Hour",
            Period::Week | Period::Month => "Day",
        }
    }
}

/// One bar's span, in UTC, with its label in the viewer's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub label: String,
}

/// The buckets of `period` ending with the one holding `now`: whole UTC
/// hours for a day (labelled with the local time they start), local days
/// otherwise (from local midnight to the next).
pub fn buckets(period: Period, now: NaiveDateTime, tz: TimeZone) -> Vec<Bucket> {
    match period {
        Period::Day => {
            let last = hour_of(now);
            (0..24)
                .rev()
                .map(|i| {
                    let start = last - Duration::hours(i);
                    Bucket {
                        start,
                        end: start + Duration::hours(1),
                        label: tz.clock(&start),
                    }
                })
                .collect()
        }
        Period::Week | Period::Month => {
            let days = if period == Period::Week { 7 } else { 30 };
            let today = tz.local(&now).date();
            (0..days)
                .rev()
                .map(|i| {
                    let date = today - Duration::days(i);
                    Bucket {
                        start: tz.start_of_day(date),
                        end: tz.start_of_day(date + Duration::days(1)),
                        label: date.format("%b %-d").to_string(),
                    }
                })
                .collect()
        }
    }
}

/// The bucket holding `t`, if any.
pub fn bucket_of(buckets: &[Bucket], t: NaiveDateTime) -> Option<usize> {
    let i = buckets.partition_point(|b| b.start <= t);
    (i > 0 && t < buckets[i - 1].end).then(|| i - 1)
}

/// The smallest 1, 2 or 5 times a power of ten at or above `max` (at
/// least 1): the top of a chart's scale.
pub fn nice_max(max: i64) -> i64 {
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= max {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// One named series of a chart: a value per bucket (or per row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

/// A rectangle of a chart, with the text a pointer over it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Rect {
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    /// `s0`, `s1` …: the series' colour in the stylesheet.
    pub class: String,
    pub title: String,
}

/// A text placed on a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub x: String,
    pub y: String,
    pub text: String,
    /// SVG `text-anchor`: start, middle or end.
    pub anchor: &'static str,
}

/// A legend entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legend {
    pub class: String,
    pub name: String,
}

/// A chart's numbers as a plain table: a header, then one row per bucket
/// (or item) with its label and a value per column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Numbers {
    pub head: Vec<String>,
    pub rows: Vec<Row>,
}

/// A row of a chart's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub values: Vec<i64>,
    /// A link for the label (an IP rule on Block Visitors).
    pub link: Option<String>,
}

/// A chart ready for the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Unique on the page (element ids are derived from it).
    pub id: String,
    pub title: String,
    /// One sentence for screen readers: what it shows and its total.
    pub summary: String,
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Rect>,
    pub labels: Vec<Label>,
    pub ticks: Vec<Label>,
    /// Baseline and gridlines: y positions.
    pub lines: Vec<String>,
    pub legend: Vec<Legend>,
    pub numbers: Numbers,
    pub total: i64,
}

impl Chart {
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Whether there is nothing to draw (a ranking with no items; a
    /// chart over buckets always draws its axis).
    pub fn blank(&self) -> bool {
        self.bars.is_empty() && self.lines.is_empty()
    }

    /// The right end of the plot, for gridlines.
    pub fn plot_right(&self) -> String {
        px(f64::from(self.width) - RIGHT)
    }

    pub fn plot_left(&self) -> String {
        px(LEFT)
    }
}

fn px(v: f64) -> String {
    format!("{v:.1}")
}

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// Vertical bars, one per bucket, its series stacked in order from the
/// bottom (zero values draw nothing). At most six bucket labels
/// are written under the axis; the table has them all.
pub fn stacked(id: &str, title: &str, buckets: &[Bucket], series: &[Series]) -> Chart {
    columns(id, title, buckets, series, true)
}

/// Vertical bars, the series side by side in each bucket (for series that
/// overlap, such as conversations started and those blocked).
pub fn grouped(id: &str, title: &str, buckets: &[Bucket], series: &[Series]) -> Chart {
    columns(id, title, buckets, series, false)
}

fn value(s: &Series, i: usize) -> i64 {
    s.values.get(i).copied().unwrap_or(0).max(0)
}

/// The geometry shared by a chart's bars and axis.
struct Frame {
    n: usize,
    slot: f64,
    base: f64,
    scale: f64,
    top: i64,
}

fn columns(id: &str, title: &str, buckets: &[Bucket], series: &[Series], stack: bool) -> Chart {
    let n = buckets.len().max(1);
    let totals: Vec<i64> = (0..buckets.len())
        .map(|i| series.iter().map(|s| value(s, i)).sum())
        .collect();
    let highest = if stack {
        totals.iter().copied().max()
    } else {
        series.iter().flat_map(|s| s.values.iter().copied()).max()
    };
    let top = nice_max(highest.unwrap_or(0));
    let f = Frame {
        n,
        slot: (W - LEFT - RIGHT) / n as f64,
        base: H - BOTTOM,
        scale: (H - TOP - BOTTOM) / top as f64,
        top,
    };
    let (labels, ticks, lines) = axis(&f, buckets);
    let total: i64 = totals.iter().sum();
    let summary = if stack {
        format!("{title}: {total} in all.")
    } else {
        let each: Vec<String> = series
            .iter()
            .map(|s| format!("{} {}", s.name, s.values.iter().sum::<i64>()))
            .collect();
        format!("{title}: {}.", each.join(", "))
    };
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        summary,
        width: W as u32,
        height: H as u32,
        bars: bars(&f, buckets, series, stack),
        labels,
        ticks,
        lines,
        legend: legend(series),
        numbers: table(buckets, series, &totals, stack),
        total,
    }
}

fn bars(f: &Frame, buckets: &[Bucket], series: &[Series], stack: bool) -> Vec<Rect> {
    let bar_w = (f.slot * 0.72).max(1.0);
    let sub_w = if stack {
        bar_w
    } else {
        bar_w / series.len().max(1) as f64
    };
    let mut bars = Vec::new();
    for (i, b) in buckets.iter().enumerate() {
        let x = LEFT + f.slot * i as f64 + (f.slot - bar_w) / 2.0;
        let mut acc = 0.0;
        for (k, s) in series.iter().enumerate() {
            let v = value(s, i);
            if v == 0 {
                continue;
            }
            let h = v as f64 * f.scale;
            let x = if stack { x } else { x + sub_w * k as f64 };
            bars.push(Rect {
                x: px(x),
                y: px(f.base - acc - h),
                w: px(sub_w),
                h: px(h),
                class: format!("s{k}"),
                title: format!("{}: {} {}", b.label, s.name, v),
            });
            if stack {
                acc += h;
            }
        }
    }
    bars
}

/// Bucket labels (the last one always), scale ticks and gridlines.
fn axis(f: &Frame, buckets: &[Bucket]) -> (Vec<Label>, Vec<Label>, Vec<String>) {
    let every = f.n.div_ceil(6);
    let labels = buckets
        .iter()
        .enumerate()
        .filter(|(i, _)| (f.n - 1 - i) % every == 0)
        .map(|(i, b)| Label {
            x: px(LEFT + f.slot * (i as f64 + 0.5)),
            y: px(H - 8.0),
            text: b.label.clone(),
            anchor: "middle",
        })
        .collect();
    // A middle line only where it falls on a whole number.
    let marks: Vec<i64> = if f.top % 2 == 0 {
        vec![0, f.top / 2, f.top]
    } else {
        vec![0, f.top]
    };
    let ticks = marks
        .iter()
        .map(|v| Label {
            x: px(LEFT - 6.0),
            y: px(f.base - *v as f64 * f.scale + 4.0),
            text: v.to_string(),
            anchor: "end",
        })
        .collect();
    let lines = marks
        .iter()
        .map(|v| px(f.base - *v as f64 * f.scale))
        .collect();
    (labels, ticks, lines)
}

/// A row per bucket, a column per series (and the total of stacked ones).
fn table(buckets: &[Bucket], series: &[Series], totals: &[i64], stack: bool) -> Numbers {
    let with_total = stack && series.len() > 1;
    let mut head: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
    if with_total {
        head.push("Total".into());
    }
    let rows = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut values: Vec<i64> = series.iter().map(|s| value(s, i)).collect();
            if with_total {
                values.push(totals[i]);
            }
            Row {
                label: b.label.clone(),
                values,
                link: None,
            }
        })
        .collect();
    Numbers { head, rows }
}

fn legend(series: &[Series]) -> Vec<Legend> {
    series
        .iter()
        .enumerate()
        .map(|(k, s)| Legend {
            class: format!("s{k}"),
            name: s.name.clone(),
        })
        .collect()
}

/// One item of a ranking: its label, its count, and a link for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub value: i64,
    pub link: Option<String>,
}

/// A ranking's drawing is narrower than a chart over time, so its text
/// stays readable where it is shown small.
const RANK_W: f64 = 480.0;
const ROW: f64 = 30.0;
const LABEL_W: f64 = 190.0;

/// Horizontal bars, one per item in the order given, each with its label
/// (shortened to fit) on the left and its value at the end.
pub fn ranking(id: &str, title: &str, column: &str, items: &[Item]) -> Chart {
    let top = nice_max(items.iter().map(|i| i.value).max().unwrap_or(0));
    let bar_room = RANK_W - LABEL_W - 60.0;
    let height = (items.len().max(1) as f64 * ROW + 8.0) as u32;
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let w = (item.value.max(0) as f64 / top as f64 * bar_room).max(1.0);
        bars.push(Rect {
            x: px(LABEL_W),
            y: px(y + 4.0),
            w: px(w),
            h: px(ROW - 8.0),
            class: "s4".into(),
            title: format!("{}: {}", item.label, item.value),
        });
        labels.push(Label {
            x: px(LABEL_W - 8.0),
            y: px(y + ROW / 2.0 + 4.0),
            text: shorten(&item.label, 22),
            anchor: "end",
        });
        labels.push(Label {
            x: px(LABEL_W + w + 6.0),
            y: px(y + ROW / 2.0 + 4.0),
            text: item.value.to_string(),
            anchor: "start",
        });
    }
    let total = items.iter().map(|i| i.value).sum();
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        summary: format!("{title}: {} entries, {total} in all.", items.len()),
        width: RANK_W as u32,
        height,
        bars,
        labels,
        ticks: Vec::new(),
        lines: Vec::new(),
        legend: Vec::new(),
        numbers: Numbers {
            head: vec![column.to_owned()],
            rows: items
                .iter()
                .map(|i| Row {
                    label: i.label.clone(),
                    values: vec![i.value],
                    link: i.link.clone(),
                })
                .collect(),
        },
        total,
    }
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
#[path = "chart_tests.rs"]
mod tests;
