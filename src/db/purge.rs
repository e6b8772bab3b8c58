//! The privacy purge: erases what must not outlive its seven days (and the
//! dashboard's counters after their retention, 400 days unless configured).
//! It runs at start-up and periodically, and is idempotent. Expiry itself never waits
//! for it: the gate and the filters compare with the clock.

use chrono::{Duration, NaiveDateTime};
use diesel::{connection::SimpleConnection, prelude::*};

use super::{
    audit::{self, Actor},
    blocks, counters,
    models::Block,
    refusals, sessions, throttle, visits, write_tx, DbConn,
};
use crate::domain::{block::DURATION, visit::RETENTION};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub blocks_expired: usize,
    pub addresses_erased: usize,
    pub sessions: usize,
    pub login_failures: usize,
    /// Pages and hourly refusal counts older than 7 days.
    pub visit_records: usize,
    /// Hourly gate counters older than their retention.
    pub counters: usize,
    /// Screen-share signals (they name addresses) of shares that never
    /// ended, after 7 days.
    pub share_signals: usize,
}

/// How long the dashboard's counters are kept unless configured.
pub const COUNTER_RETENTION_DAYS: u64 = 400;

/// The purge with the default counter retention.
pub fn run(conn: &mut DbConn, now: NaiveDateTime, session_max: Duration) -> QueryResult<Report> {
    let days = Duration::days(COUNTER_RETENTION_DAYS as i64);
    run_with(conn, now, session_max, days)
}

/// The purge, keeping the gate counters `counter_retention`.
pub fn run_with(
    conn: &mut DbConn,
    now: NaiveDateTime,
    session_max: Duration,
    counter_retention: Duration,
) -> QueryResult<Report> {
    let report = write_tx(conn, |c| {
        let expired = blocks::expire(c, now)?;
        record_expired(c, &expired, now)?;
        Ok::<_, diesel::result::Error>(Report {
            blocks_expired: expired.len(),
            addresses_erased: blocks::purge_conversation_addresses(c, now - DURATION)?,
            sessions: sessions::purge_expired(c, now, now - session_max)?,
            login_failures: throttle::purge(c, now - Duration::hours(1))?,
            visit_records: visits::purge_pages(c, now - RETENTION)?
                + refusals::purge(c, now - RETENTION)?,
            counters: counters::purge(c, now - counter_retention)?,
            share_signals: super::screen_share::erase_signals_before(c, now - DURATION)?,
        })
    })?;
    checkpoint(conn)?;
    Ok(report)
}

/// Writes the audit entry of each block that ran its seven days (not of
/// those lifted early, which have their own).
pub fn record_expired(c: &mut DbConn, expired: &[Block], now: NaiveDateTime) -> QueryResult<()> {
    for b in expired.iter().filter(|b| b.lifted_at.is_none()) {
        let what = match b.conversation_id {
            Some(id) => {
                format!("The block on the visitor of conversation #{id} ended after 7 days")
            }
            None => "A visitor block ended after 7 days".to_owned(),
        };
        audit::record(
            c,
            b.account_id,
            Actor::System,
            "visitor.block_expired",
            &what,
            now,
        )?;
    }
    Ok(())
}

/// How many times the checkpoint tries to truncate the log while readers
/// hold it, and how long SQLite waits for them each time: in all about
/// half a second, not the connection's full busy timeout.
const CHECKPOINT_ATTEMPTS: u32 = 5;
const CHECKPOINT_WAIT_MS: i64 = 100;

#[derive(QueryableByName)]
struct CheckpointRow {
    /// 1 when readers or a writer kept the checkpoint from completing.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

#[derive(QueryableByName)]
struct BusyTimeout {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    timeout: i32,
}

/// After erasing visitor data, on SQLite: `secure_delete` zeroes the freed
/// bytes in the pages, and this checkpoint moves those pages out of the
/// write-ahead log and truncates it, so no copy of the erased bytes lingers
/// in the `-wal` file. Call after the erasing transaction has committed.
///
/// While a reader still reads an older snapshot the log cannot be
/// truncated: it tries a few times briefly, then logs a warning (the next
/// purge's checkpoint tries again) and returns false. True once truncated,
/// and always on PostgreSQL.
pub fn checkpoint(conn: &mut DbConn) -> QueryResult<bool> {
    let DbConn::Sqlite(c) = conn else {
        return Ok(true);
    };
    let BusyTimeout { timeout } = diesel::sql_query("PRAGMA busy_timeout").get_result(c)?;
    c.batch_execute(&format!("PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS};"))?;
    let truncated = truncate_log(c);
    c.batch_execute(&format!("PRAGMA busy_timeout = {timeout};"))?;
    let truncated = truncated?;
    if !truncated {
        tracing::warn!(
            "readers kept the write-ahead log from being truncated; erased bytes may stay in the -wal file until the next checkpoint"
        );
    }
    Ok(truncated)
}

fn truncate_log(c: &mut diesel::SqliteConnection) -> QueryResult<bool> {
    for _ in 0..CHECKPOINT_ATTEMPTS {
        let row: CheckpointRow =
            diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(c)?;
        if row.busy == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
