//! Server-side session rows. The id is the SHA-256 of the cookie's session
//! key, so a copy of the table cannot be replayed as cookies.

use chrono::NaiveDateTime;
use diesel::{
    backend::Backend,
    prelude::*,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    serialize::ToSql,
    sql_types::{HasSqlType, Nullable, Text, Timestamp},
};

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

/// A session as [`load`] reads it, with its idle deadline and, in the same
/// query, who is signed in: the user's row, the account's name, its
/// business cases and its people (id and name) as one JSON object
/// (`web::page::Who` reads it), `None` without a user.
pub struct WithUser {
    pub state: String,
    pub expires_at: NaiveDateTime,
    pub who: Option<String>,
}

const WHO_SQLITE: &str = "SELECT s.state AS state, s.expires_at AS expires_at, \
    CASE WHEN u.id IS NULL THEN NULL ELSE json_object(\
      'id', u.id, 'account_id', u.account_id, 'name', u.name, 'email', u.email, \
      'role', u.role, 'active', CASE WHEN u.active THEN 1 ELSE 0 END, \
      'time_zone', u.time_zone, 'account', a.name, \
      'cases', json((SELECT json_group_array(json_array(c.id, c.name, c.widget_key, c.created_at)) \
        FROM (SELECT id, name, widget_key, created_at FROM business_cases \
              WHERE account_id = u.account_id ORDER BY name, id) c)), \
      'people', json((SELECT json_group_array(json_array(p.id, p.name)) \
        FROM (SELECT id, name FROM users WHERE account_id = u.account_id ORDER BY name, id) p)) \
    ) END AS who \
    FROM sessions s LEFT JOIN users u ON u.id = s.user_id \
    LEFT JOIN accounts a ON a.id = u.account_id \
    WHERE s.id = ";

const WHO_PG: &str = "SELECT s.state AS state, s.expires_at AS expires_at, \
    CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object(\
      'id', u.id, 'account_id', u.account_id, 'name', u.name, 'email', u.email, \
      'role', u.role, 'active', CASE WHEN u.active THEN 1 ELSE 0 END, \
      'time_zone', u.time_zone, 'account', a.name, \
      'cases', (SELECT coalesce(json_agg(json_build_array(c.id, c.name, c.widget_key, \
          c.created_at) ORDER BY c.name, c.id), '[]'::json) \
        FROM business_cases c WHERE c.account_id = u.account_id), \
      'people', (SELECT coalesce(json_agg(json_build_array(p.id, p.name) \
          ORDER BY p.name, p.id), '[]'::json) \
        FROM users p WHERE p.account_id = u.account_id) \
    )::text END AS who \
    FROM sessions s LEFT JOIN users u ON u.id = s.user_id \
    LEFT JOIN accounts a ON a.id = u.account_id \
    WHERE s.id = ";

/// The session-and-user statement ([`WHO_SQLITE`] or [`WHO_PG`], then
/// its filter). A type of its own, so diesel keeps it prepared on each
/// connection (cached by type): `sql_query` is never cached, and every
/// signed-in request parsed and planned it anew.
struct WhoQuery<'a> {
    select: &'static str,
    id: &'a str,
    now: NaiveDateTime,
    created_after: NaiveDateTime,
}

impl QueryId for WhoQuery<'_> {
    type QueryId = WhoQuery<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<DB> QueryFragment<DB> for WhoQuery<'_>
where
    DB: Backend + HasSqlType<Text> + HasSqlType<Timestamp>,
    str: ToSql<Text, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.select);
        out.push_bind_param::<Text, _>(self.id)?;
        out.push_sql(" AND s.expires_at > ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(" AND s.created_at > ");
        out.push_bind_param::<Timestamp, _>(&self.created_after)
    }
}

impl Query for WhoQuery<'_> {
    type SqlType = (Text, Timestamp, Nullable<Text>);
}

impl<Conn> RunQueryDsl<Conn> for WhoQuery<'_> {}

/// [`load`] and who is signed in, in one query.
pub fn load_with_user(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
    created_after: NaiveDateTime,
) -> QueryResult<Option<WithUser>> {
    let query = |select| WhoQuery {
        select,
        id,
        now,
        created_after,
    };
    type Found = (String, NaiveDateTime, Option<String>);
    let found: Option<Found> = match conn {
        DbConn::Sqlite(c) => query(WHO_SQLITE).get_result(c).optional()?,
        DbConn::Pg(c) => query(WHO_PG).get_result(c).optional()?,
    };
    Ok(found.map(|(state, expires_at, who)| WithUser {
        state,
        expires_at,
        who,
    }))
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
