//! Counts of refused widget requests per hour, by the blind index of the
//! visitor's network and the visitor key; never an address. Written by the
//! instances' gate tasks, read by the console's sidebar, erased after 7
//! days by the purge.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{lock, schema::visitor_refusals as r, DbConn};
use crate::{domain::visit::hour_of, gate::refusals::Counted};

/// Adds what an instance counted to the counts of `now`'s hour. Call
/// inside a write transaction: instances take turns (PostgreSQL's advisory
/// lock; SQLite's writers are serial), so each row is read and written by
/// one at a time.
pub fn add(conn: &mut DbConn, counted: &[Counted], now: NaiveDateTime) -> QueryResult<()> {
    lock(conn, "visitor_refusals", "flush")?;
    let hour = hour_of(now);
    for c in counted {
        let times = i64::try_from(c.times).unwrap_or(i64::MAX);
        let row = r::table
            .filter(r::account_id.eq(c.account_id))
            .filter(r::network_index.eq(c.network_index.as_slice()))
            .filter(r::visitor_key.eq(&c.visitor_key))
            .filter(r::hour.eq(hour));
        let updated = diesel::update(row)
            .set(r::times.eq(r::times + times))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(r::table)
                .values((
                    r::account_id.eq(c.account_id),
                    r::network_index.eq(c.network_index.as_slice()),
                    r::visitor_key.eq(&c.visitor_key),
                    r::hour.eq(hour),
                    r::times.eq(times),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Refusals of the account's `network_index` or `visitor_key` counted in
/// the hours that start at `since` or later (each counted once): never one
/// older than `since`, at the cost of up to an hour's just inside it.
pub fn since(
    conn: &mut DbConn,
    account_id: i64,
    network_index: Option<&[u8]>,
    visitor_key: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    // No network: an empty index, which no row's matches. No key (never
    // for a conversation's visitor): only the network's rows.
    let network_index = network_index.unwrap_or_default();
    let mut query = r::table
        .filter(r::account_id.eq(account_id))
        .filter(r::hour.ge(since))
        .into_boxed();
    query = if visitor_key.is_empty() {
        query.filter(r::network_index.eq(network_index))
    } else {
        query.filter(
            r::network_index
                .eq(network_index)
                .or(r::visitor_key.eq(visitor_key)),
        )
    };
    let counts: Vec<i64> = query.select(r::times).load(conn)?;
    Ok(counts.into_iter().sum())
}

/// Erases the counts of hours that start before `cutoff`: none outlives
/// it, some go up to an hour early.
pub fn purge(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(r::table.filter(r::hour.lt(cutoff))).execute(conn)
}
