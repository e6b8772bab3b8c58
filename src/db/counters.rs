//! The gate's page-view decisions per account, hour, cause and key:
//! written by the instances' gate tasks, read by the dashboard
//! (`super::dashboard`), erased after the retention by the purge.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{lock, schema::counters as k, DbConn};
use crate::gate::counters::Counted;

/// Adds what an instance counted to the stored counts. Call inside a write
/// transaction: instances take turns (PostgreSQL's advisory lock; SQLite's
/// writers are serial), so each row is read and written by one at a time.
pub fn add(conn: &mut DbConn, counted: &[Counted]) -> QueryResult<()> {
    lock(conn, "counters", "flush")?;
    for c in counted {
        let times = i64::try_from(c.times).unwrap_or(i64::MAX);
        let row = k::table
            .filter(k::account_id.eq(c.account_id))
            .filter(k::hour.eq(c.hour))
            .filter(k::cause.eq(c.cause.as_str()))
            .filter(k::key.eq(&c.key));
        let updated = diesel::update(row)
            .set(k::times.eq(k::times + times))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(k::table)
                .values((
                    k::account_id.eq(c.account_id),
                    k::hour.eq(c.hour),
                    k::cause.eq(c.cause.as_str()),
                    k::key.eq(&c.key),
                    k::times.eq(times),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Erases the counts (the gate's and the conversations started) of hours
/// that start before `cutoff`.
pub fn purge(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    use super::schema::conversation_hours as ch;
    let started = diesel::delete(ch::table.filter(ch::hour.lt(cutoff))).execute(conn)?;
    Ok(started + diesel::delete(k::table.filter(k::hour.lt(cutoff))).execute(conn)?)
}
