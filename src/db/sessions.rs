//! Server-side session rows. The id is the SHA-256 of the cookie's session
//! key, so a copy of the table cannot be replayed as cookies.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::notice::{Kind, Notice};

use super::{schema::sessions, DbConn};

/// A session that has neither idled out nor passed its absolute limit.
pub fn load(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
    created_after: NaiveDateTime,
) -> QueryResult<Option<String>> {
    sessions::table
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(created_after))
        .select(sessions::state)
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    id: &str,
    user_id: Option<i64>,
    state: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::user_id.eq(user_id),
            sessions::state.eq(state),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Returns the number of rows changed: 0 when the session is gone or has
/// timed out, in which case it must not be written back.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    user_id: Option<i64>,
    state: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
    created_after: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::created_at.gt(created_after)),
    )
    .set((
        sessions::user_id.eq(user_id),
        sessions::state.eq(state),
        sessions::expires_at.eq(expires_at),
    ))
    .execute(conn)
}

/// Extends the idle deadline, writing only when it moved by a minute or more.
pub fn touch(conn: &mut DbConn, id: &str, expires_at: NaiveDateTime) -> QueryResult<usize> {
    let stale_before = expires_at - chrono::Duration::seconds(60);
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::expires_at.lt(stale_before)),
    )
    .set(sessions::expires_at.eq(expires_at))
    .execute(conn)
}

/// Ends one session (sign-out); every instance's streams re-check theirs.
pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    let n = diesel::delete(sessions::table.filter(sessions::id.eq(id))).execute(conn)?;
    ended(conn, 0, 0)?;
    Ok(n)
}

/// Ends a user's sessions; every instance's streams re-check theirs.
pub fn delete_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    let n = diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
    ended(conn, 0, user_id)?;
    Ok(n)
}

/// Sessions of `user_id` (0: one signed out) may have ended: other
/// instances' streams re-check theirs when this commits.
pub fn ended(conn: &mut DbConn, account_id: i64, user_id: i64) -> QueryResult<()> {
    super::notify::send(conn, Notice::new(account_id, Kind::Session, user_id, 0))
}

/// Ends a user's sessions but the one with row id `keep` (a password
/// change keeps the session that made it); every instance's streams
/// re-check theirs.
pub fn delete_for_user_except(
    conn: &mut DbConn,
    account_id: i64,
    user_id: i64,
    keep: &str,
) -> QueryResult<usize> {
    let n = diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep)),
    )
    .execute(conn)?;
    ended(conn, account_id, user_id)?;
    Ok(n)
}

pub fn count_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

pub fn purge_expired(
    conn: &mut DbConn,
    now: NaiveDateTime,
    created_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::created_at.le(created_before)),
        ),
    )
    .execute(conn)
}
