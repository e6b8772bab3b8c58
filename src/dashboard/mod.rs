//! The Overview page's dashboard: reads the period's aggregates
//! (`db::dashboard`) and turns them into charts (`domain::chart`). Runs
//! inside one `Db::run`; the handler only renders what it returns.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::{
    db::{dashboard as q, DbConn},
    domain::{
        cause::Cause,
        chart::{self, Bucket, Chart, Item, Period, Series},
        country::CountryCode,
        reasons,
        time_zone::TimeZone,
    },
};

/// Items a ranking shows.
const TOP: i64 = 10;

/// What a manager sees.
#[derive(Debug, Clone)]
pub struct Manager {
    pub now: q::Now,
    pub period: Period,
    pub refused: Chart,
    pub conversations: Chart,
    pub blocks_by_agent: Chart,
    pub reasons: Chart,
    pub rules: Chart,
    pub countries: Chart,
}

impl Manager {
    /// The charts in the order shown.
    pub fn charts(&self) -> [&Chart; 6] {
        [
            &self.refused,
            &self.conversations,
            &self.blocks_by_agent,
            &self.reasons,
            &self.rules,
            &self.countries,
        ]
    }
}

/// What an agent sees.
#[derive(Debug, Clone)]
pub struct Agent {
    pub mine_today: i64,
    pub waiting: i64,
    /// The oldest waiting conversations: id, visitor, started (UTC).
    pub queue: Vec<(i64, String, NaiveDateTime)>,
}

/// Where "visitors online" starts counting and where "now" is.
#[derive(Debug, Clone, Copy)]
pub struct When {
    pub now: NaiveDateTime,
    pub online_since: NaiveDateTime,
    pub zone: TimeZone,
}

pub fn manager(
    conn: &mut DbConn,
    account_id: i64,
    period: Period,
    w: When,
) -> QueryResult<Manager> {
    let today = w.zone.day_began(&w.now);
    let now = q::now(conn, account_id, w.online_since, today, w.now)?;
    let buckets = chart::buckets(period, w.now, w.zone);
    let (from, to) = span(&buckets);
    let starts: Vec<NaiveDateTime> = buckets.iter().map(|b| b.start).collect();
    let blocks = q::blocks_made(conn, account_id, &starts, to)?;
    Ok(Manager {
        now,
        period,
        refused: refused(conn, account_id, &buckets)?,
        conversations: conversations(conn, account_id, &buckets, &blocks)?,
        blocks_by_agent: blocks_by_agent(&blocks),
        reasons: reasons(&blocks),
        rules: rules(conn, account_id, from, to)?,
        countries: countries(conn, account_id, from, to)?,
    })
}

pub fn agent(conn: &mut DbConn, account_id: i64, user_id: i64, w: When) -> QueryResult<Agent> {
    let today = w.zone.day_began(&w.now);
    let far = w.now + chrono::Duration::days(1);
    Ok(Agent {
        mine_today: q::started(conn, account_id, Some(user_id), today, far)?,
        waiting: q::now(conn, account_id, w.online_since, today, w.now)?.waiting,
        queue: q::waiting_queue(conn, account_id, 10)?,
    })
}

fn span(buckets: &[Bucket]) -> (NaiveDateTime, NaiveDateTime) {
    match (buckets.first(), buckets.last()) {
        (Some(a), Some(b)) => (a.start, b.end),
        _ => (NaiveDateTime::MIN, NaiveDateTime::MIN),
    }
}

fn refused(conn: &mut DbConn, account_id: i64, buckets: &[Bucket]) -> QueryResult<Chart> {
    let (from, to) = span(buckets);
    let rows = q::by_hour_and_cause(conn, account_id, from, to)?;
    let mut series: Vec<Series> = Cause::REFUSALS
        .iter()
        .map(|c| Series {
            name: c.label().to_owned(),
            values: vec![0; buckets.len()],
        })
        .collect();
    for (hour, cause, times) in rows {
        let at = Cause::REFUSALS
            .iter()
            .position(|c| Some(*c) == Cause::parse(&cause));
        if let (Some(k), Some(i)) = (at, chart::bucket_of(buckets, hour)) {
            series[k].values[i] += times;
        }
    }
    Ok(chart::stacked(
        "refused",
        "Page views refused, by cause",
        buckets,
        &series,
    ))
}

fn conversations(
    conn: &mut DbConn,
    account_id: i64,
    buckets: &[Bucket],
    blocks: &[q::BlocksMade],
) -> QueryResult<Chart> {
    let starts: Vec<NaiveDateTime> = buckets.iter().map(|b| b.start).collect();
    let (_, to) = span(buckets);
    let per_bucket = |rows: &mut dyn Iterator<Item = (i64, i64)>| {
        let mut values = vec![0; buckets.len()];
        for (i, n) in rows {
            if let Some(v) = usize::try_from(i).ok().and_then(|i| values.get_mut(i)) {
                *v += n;
            }
        }
        values
    };
    let started = per_bucket(&mut q::started_by_bucket(conn, account_id, &starts, to)?.into_iter());
    let blocked = per_bucket(
        &mut blocks
            .iter()
            .filter(|b| b.from_conversation == 1)
            .map(|b| (b.bucket, b.n)),
    );
    let series = [
        Series {
            name: "Started".into(),
            values: started,
        },
        Series {
            name: "Blocked".into(),
            values: blocked,
        },
    ];
    Ok(chart::grouped(
        "conversations",
        "Conversations started and blocked",
        buckets,
        &series,
    ))
}

fn items(rows: Vec<(String, i64)>) -> Vec<Item> {
    rows.into_iter()
        .map(|(label, value)| Item {
            label,
            value,
            link: None,
        })
        .collect()
}

/// The period's blocks summed by `key`.
fn summed<'a>(
    blocks: &'a [q::BlocksMade],
    key: impl Fn(&'a q::BlocksMade) -> &'a str,
) -> Vec<(String, i64)> {
    let mut sums: std::collections::HashMap<&str, i64> = Default::default();
    for b in blocks {
        *sums.entry(key(b)).or_default() += b.n;
    }
    sums.into_iter().map(|(k, n)| (k.to_owned(), n)).collect()
}

fn blocks_by_agent(blocks: &[q::BlocksMade]) -> Chart {
    let mut rows = summed(blocks, |b| &b.agent);
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(TOP as usize);
    chart::ranking("by-agent", "Blocks made, by agent", "Blocks", &items(rows))
}

fn reasons(blocks: &[q::BlocksMade]) -> Chart {
    let grouped = reasons::group_reasons(&summed(blocks, |b| &b.reason), TOP as usize);
    chart::ranking(
        "reasons",
        "Block reasons, by their first words",
        "Blocks",
        &items(grouped),
    )
}

fn rules(
    conn: &mut DbConn,
    account_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Chart> {
    let top = q::top_keys(conn, account_id, Cause::IpRule, from, to, TOP)?;
    let ids: Vec<i64> = top.iter().filter_map(|(k, _)| k.parse().ok()).collect();
    let networks: std::collections::HashMap<i64, String> =
        q::rule_networks(conn, account_id, &ids)?
            .into_iter()
            .collect();
    let items: Vec<Item> = top
        .into_iter()
        .map(|(key, value)| {
            let network = key.parse().ok().and_then(|id: i64| networks.get(&id));
            match network {
                Some(n) => Item {
                    label: n.clone(),
                    value,
                    link: Some(rule_link(n)),
                },
                None => Item {
                    label: "A deleted rule".into(),
                    value,
                    link: None,
                },
            }
        })
        .collect();
    Ok(chart::ranking(
        "rules",
        "Top IP rules, by page views refused",
        "Refused",
        &items,
    ))
}

/// The rule's row on Block Visitors, found by its network.
fn rule_link(network: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(network.as_bytes()).collect();
    format!("/settings/block-visitors?q={q}#ip-rules")
}

fn countries(
    conn: &mut DbConn,
    account_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Chart> {
    let top = q::top_keys(conn, account_id, Cause::Country, from, to, TOP)?;
    let items: Vec<Item> = top
        .into_iter()
        .map(|(key, value)| Item {
            label: match CountryCode::parse(&key) {
                Some(c) if !c.name().is_empty() => format!("{} ({})", c.name(), c.as_str()),
                Some(c) => c.as_str().to_owned(),
                None => "Unknown location".to_owned(),
            },
            value,
            link: None,
        })
        .collect();
    Ok(chart::ranking(
        "countries",
        "Top refused countries",
        "Refused",
        &items,
    ))
}
