//! Load generators for benchmarks and load tests (`chatgate seed-load`,
//! `benches/`): reproducible rule sets and addresses ([`generate`]), and
//! the database rows made from them ([`seed`]). They sit above both the
//! database and the gate, so neither depends on the other through them.

pub mod generate;
pub mod seed;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::{db::DbConn, gate::Gate};

/// Adds `n` conversations to the account and gives each generated block a
/// visitor network `gate` can index, so the gate's block check runs under
/// load. Returns how many conversations were blocked.
pub fn conversations_with_blocks(
    conn: &mut DbConn,
    gate: &Gate,
    account_id: i64,
    n: usize,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let blocked = seed::conversations(conn, account_id, n, now)?;
    let visitors = generate::visitors(blocked, 5);
    seed::index_blocks(conn, account_id, |k| {
        visitors
            .get(k)
            .map_or_else(Vec::new, |ip| gate.index_of(*ip).to_vec())
    })?;
    Ok(blocked)
}

/// Adds `days` days of hourly gate counters to the account, as the demo's
/// traffic would have left them over that long (the dashboard at its
/// 400-day retention). The account's rules, oldest first, are the busy
/// ones. Returns how many counter rows were written.
pub fn counters(
    conn: &mut DbConn,
    account_id: i64,
    days: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let rules: Vec<i64> = crate::db::rules::all_networks(conn, account_id)?
        .into_iter()
        .map(|(id, _)| id)
        .take(200)
        .collect();
    let counted = crate::demo::traffic::hours(account_id, &rules, now, days);
    // A day at a time: one short write each.
    for day in counted.chunk_by(|a, b| a.hour.date() == b.hour.date()) {
        crate::db::write_tx(conn, |c| crate::db::counters::add(c, day))?;
    }
    Ok(counted.len())
}
