//! Failed sign-in attempts, counted per bucket in a sliding window. Buckets
//! are keyed HMACs of the e-mail or address, so no address is stored.

use chrono::NaiveDateTime;
use diesel::{dsl::min, prelude::*};

use super::{schema::login_failures, DbConn};

/// Records a failed (or, until proven otherwise, presumed failed) attempt in
/// each bucket and returns the new rows' ids.
pub fn record(conn: &mut DbConn, buckets: &[&str], at: NaiveDateTime) -> QueryResult<Vec<i64>> {
    // One row at a time: batch inserts are not available on a multi-backend
    // connection.
    buckets
        .iter()
        .map(|bucket| {
            diesel::insert_into(login_failures::table)
                .values((
                    login_failures::bucket.eq(*bucket),
                    login_failures::failed_at.eq(at),
                ))
                .returning(login_failures::id)
                .get_result::<i64>(conn)
        })
        .collect()
}

pub fn delete_ids(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::id.eq_any(ids))).execute(conn)
}

/// How many failures the bucket has since `since`, and the oldest of them.
pub fn recent(
    conn: &mut DbConn,
    bucket: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let q = login_failures::table
        .filter(login_failures::bucket.eq(bucket))
        .filter(login_failures::failed_at.gt(since));
    let count = q.count().get_result(conn)?;
    let oldest = q.select(min(login_failures::failed_at)).first(conn)?;
    Ok((count, oldest))
}

pub fn clear(conn: &mut DbConn, bucket: &str) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::bucket.eq(bucket))).execute(conn)
}

pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.le(before))).execute(conn)
}
