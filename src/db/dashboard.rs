//! The dashboard's queries: indexed range queries over one account and
//! one period, aggregated in the database (the counters by hour and
//! cause, conversations and blocks counted per bucket), so the work does
//! not grow with the history kept.

use chrono::NaiveDateTime;
use diesel::{
    dsl::{count_star, sql},
    prelude::*,
    sql_types::{BigInt, Nullable},
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

/// Blocks made from conversations in `[from, to)` per bucket.
pub fn blocked_by_bucket(
    conn: &mut DbConn,
    account_id: i64,
    starts: &[NaiveDateTime],
    to: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    let Some(from) = starts.first().copied() else {
        return Ok(Vec::new());
    };
    let bucket = bucket_case("created_at", starts);
    b::table
        .filter(b::account_id.eq(account_id))
        .filter(b::created_at.ge(from))
        .filter(b::created_at.lt(to))
        .filter(b::conversation_id.is_not_null())
        .group_by(sql::<BigInt>(&bucket))
        .select((sql::<BigInt>(&bucket), count_star()))
        .load(conn)
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

/// Blocks made in `[from, to)` counted by `column`, most first, at most
/// `limit` groups (one body for both of the dashboard's groupings).
macro_rules! blocks_grouped_by {
    ($conn:expr, $column:expr, ($account_id:expr, $from:expr, $to:expr, $limit:expr)) => {
        b::table
            .filter(b::account_id.eq($account_id))
            .filter(b::created_at.ge($from))
            .filter(b::created_at.lt($to))
            .group_by($column)
            .select(($column, count_star()))
            .order_by((count_star().desc(), $column))
            .limit($limit)
            .load($conn)
    };
}

/// Blocks made in `[from, to)` per agent, most first.
pub fn blocks_by_agent(
    conn: &mut DbConn,
    account_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    blocks_grouped_by!(conn, b::blocked_by_name, (account_id, from, to, limit))
}

/// The reasons of the blocks made in `[from, to)` with how often each was
/// given, the most frequent `limit` of them.
pub fn block_reasons(
    conn: &mut DbConn,
    account_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    blocks_grouped_by!(conn, b::reason, (account_id, from, to, limit))
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
