//! The dashboard's queries: indexed range queries over one account and
//! one period, aggregated in the database (the counters by hour and
//! cause, conversations and blocks counted per bucket), so the work does
//! not grow with the history kept.

use chrono::NaiveDateTime;
use diesel::{
    dsl::sql,
    prelude::*,
    sql_types::{BigInt, Nullable, Text, Timestamp},
};

use super::{
    schema::{
        blocks as b, conversation_hours as ch, conversations as cv, counters as k, ip_rules,
        visitors,
    },
    DbConn,
};
use crate::domain::cause::Cause;

/// `SUM(times)` as a BIGINT on both backends.
fn total() -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>("CAST(SUM(times) AS BIGINT)")
}

/// The counts of the dashboard's first row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Now {
    pub visitors_online: i64,
    pub waiting: i64,
    pub active: i64,
    pub blocks_in_force: i64,
    pub refused_today: i64,
}

pub fn now(
    conn: &mut DbConn,
    account_id: i64,
    online_since: NaiveDateTime,
    today: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Now> {
    let visitors_online = visitors::table
        .filter(visitors::account_id.eq(account_id))
        .filter(visitors::last_seen_at.gt(online_since))
        .count()
        .get_result(conn)?;
    let status = |conn: &mut DbConn, s: &str| -> QueryResult<i64> {
        cv::table
            .filter(cv::account_id.eq(account_id))
            .filter(cv::status.eq(s))
            .count()
            .get_result(conn)
    };
    let (waiting, active) = (status(conn, "waiting")?, status(conn, "active")?);
    let blocks_in_force = b::table
        .filter(b::account_id.eq(account_id))
        .filter(b::network_index.is_not_null())
        .filter(b::lifted_at.is_null())
        .filter(b::expires_at.gt(now))
        .count()
        .get_result(conn)?;
    // NULL when no row matches.
    let refused: Option<i64> = k::table
        .filter(k::account_id.eq(account_id))
        .filter(k::hour.ge(today))
        .filter(k::cause.ne(Cause::Allowed.as_str()))
        .select(sql::<Nullable<BigInt>>("CAST(SUM(times) AS BIGINT)"))
        .first(conn)?;
    Ok(Now {
        visitors_online,
        waiting,
        active,
        blocks_in_force,
        refused_today: refused.unwrap_or(0),
    })
}

/// The counters summed by hour and cause over `[from, to)`.
pub fn by_hour_and_cause(
    conn: &mut DbConn,
    account_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, String, i64)>> {
    k::table
        .filter(k::account_id.eq(account_id))
        .filter(k::hour.ge(from))
        .filter(k::hour.lt(to))
        .group_by((k::hour, k::cause))
        .select((k::hour, k::cause, total()))
        .load(conn)
}

/// The keys of `cause` with the most counted over `[from, to)`, most
/// first.
pub fn top_keys(
    conn: &mut DbConn,
    account_id: i64,
    cause: Cause,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    k::table
        .filter(k::account_id.eq(account_id))
        .filter(k::cause.eq(cause.as_str()))
        .filter(k::hour.ge(from))
        .filter(k::hour.lt(to))
        .group_by(k::key)
        .select((k::key, total()))
        .order_by((sql::<BigInt>("CAST(SUM(times) AS BIGINT)").desc(), k::key))
        .limit(limit)
        .load(conn)
}

/// The networks of the account's rules among `ids`.
pub fn rule_networks(
    conn: &mut DbConn,
    account_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String)>> {
    ip_rules::table
        .filter(ip_rules::account_id.eq(account_id))
        .filter(ip_rules::id.eq_any(ids))
        .select((ip_rules::id, ip_rules::network))
        .load(conn)
}

/// `CASE WHEN col < b1 THEN 0 WHEN col < b2 THEN 1 … END`: the index of
/// the bucket `col` falls in, for bucket `starts` (ascending; the query
/// filters the range). The bounds are times the server made, written as
/// literals both backends compare with their timestamps.
fn bucket_case(col: &str, starts: &[NaiveDateTime]) -> String {
    if starts.len() < 2 {
        return "CAST(0 AS BIGINT)".to_owned();
    }
    let mut sql = String::from("CAST(CASE");
    for (i, t) in starts.iter().enumerate().skip(1) {
        sql.push_str(&format!(
            " WHEN {col} < '{}' THEN {}",
            t.format("%Y-%m-%d %H:%M:%S"),
            i - 1
        ));
    }
    sql.push_str(&format!(
        " ELSE {} END AS BIGINT)",
        starts.len().saturating_sub(1)
    ));
    sql
}

/// Conversations started in `[from, to)` per bucket (bucket `starts`
/// within it), from their hourly counts (`conversation_hours`): at most
/// 24 rows a day, whatever the traffic.
pub fn started_by_bucket(
    conn: &mut DbConn,
    account_id: i64,
    starts: &[NaiveDateTime],
    to: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    let Some(from) = starts.first().copied() else {
        return Ok(Vec::new());
    };
    let bucket = bucket_case("hour", starts);
    ch::table
        .filter(ch::account_id.eq(account_id))
        .filter(ch::hour.ge(from))
        .filter(ch::hour.lt(to))
        .group_by(sql::<BigInt>(&bucket))
        .select((
            sql::<BigInt>(&bucket),
            sql::<BigInt>("CAST(SUM(started) AS BIGINT)"),
        ))
        .load(conn)
}

/// Blocks made in `[from, to)` counted by bucket (`starts` within it),
/// agent, reason and whether made from a conversation: one read of the
/// period's blocks (on their covering index) serves the three charts
/// about them.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct BlocksMade {
    #[diesel(sql_type = BigInt)]
    pub bucket: i64,
    #[diesel(sql_type = Text)]
    pub agent: String,
    #[diesel(sql_type = Text)]
    pub reason: String,
    /// 1 when made from a conversation, 0 otherwise.
    #[diesel(sql_type = BigInt)]
    pub from_conversation: i64,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

pub fn blocks_made(
    conn: &mut DbConn,
    account_id: i64,
    starts: &[NaiveDateTime],
    to: NaiveDateTime,
) -> QueryResult<Vec<BlocksMade>> {
    let Some(from) = starts.first().copied() else {
        return Ok(Vec::new());
    };
    let bucket = bucket_case("created_at", starts);
    let params = match conn {
        DbConn::Sqlite(_) => ["?", "?", "?"],
        DbConn::Pg(_) => ["$1", "$2", "$3"],
    };
    let query = diesel::sql_query(format!(
        "SELECT {bucket} AS bucket, blocked_by_name AS agent, reason, \
         CAST(CASE WHEN conversation_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS from_conversation, \
         CAST(COUNT(*) AS BIGINT) AS n \
         FROM blocks WHERE account_id = {} AND created_at >= {} AND created_at < {} \
         GROUP BY 1, 2, 3, 4",
        params[0], params[1], params[2]
    ))
    .bind::<BigInt, _>(account_id)
    .bind::<Timestamp, _>(from)
    .bind::<Timestamp, _>(to);
    match conn {
        DbConn::Sqlite(c) => query.load(c),
        DbConn::Pg(c) => query.load(c),
    }
}

/// Conversations started in `[from, to)`, of one agent when given.
pub fn started(
    conn: &mut DbConn,
    account_id: i64,
    agent: Option<i64>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<i64> {
    let mut q = cv::table
        .filter(cv::account_id.eq(account_id))
        .filter(cv::started_at.ge(from))
        .filter(cv::started_at.lt(to))
        .into_boxed();
    if let Some(user) = agent {
        q = q.filter(cv::agent_user_id.eq(user));
    }
    q.count().get_result(conn)
}

/// The oldest waiting conversations: id, visitor, started.
pub fn waiting_queue(
    conn: &mut DbConn,
    account_id: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    cv::table
        .filter(cv::account_id.eq(account_id))
        .filter(cv::status.eq("waiting"))
        .order((cv::started_at, cv::id))
        .select((cv::id, cv::visitor_label, cv::started_at))
        .limit(limit)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_is_found_by_its_start() {
        let t = |h: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        assert_eq!(
            bucket_case("started_at", &[t(1), t(2), t(3)]),
            "CAST(CASE WHEN started_at < '2026-11-29 02:00:00' THEN 0 \
             WHEN started_at < '2026-11-29 03:00:00' THEN 1 ELSE 2 END AS BIGINT)"
        );
        assert_eq!(bucket_case("x", &[t(1)]), "CAST(0 AS BIGINT)");
    }
}
