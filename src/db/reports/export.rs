//! The CSV export's rows: the list's query with only the columns the CSV
//! writes, read a batch at a time newest first, and its times read
//! without chrono's format patterns on SQLite.

use chrono::NaiveDateTime;
use diesel::{
    backend::Backend,
    deserialize::{self, FromSql},
    pg::{Pg, PgRowByRowLoadingMode},
    prelude::*,
    sql_types::Timestamp,
    sqlite::Sqlite,
};

use super::{
    found::{found_rows, source},
    in_case, Row,
};
use crate::{
    db::{
        schema::{blocks, conversations, users},
        DbConn,
    },
    domain::{
        block::{BlockState, BlockingFilter},
        conversation_search::{Cursor, Filters, Key},
        iso_time,
    },
};

/// A timestamp column as the export reads it. On SQLite, where times are
/// text, diesel's own reading tries chrono format patterns one after
/// another (a quarter of the export's time at a million rows); the shape
/// diesel writes is read by hand and any other falls back to diesel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct At(pub NaiveDateTime);

impl FromSql<Timestamp, Sqlite> for At {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if let Some(t) = iso_time::parse_sql(value.read_text().as_bytes()) {
            return Ok(At(t));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(At)
    }
}

impl FromSql<Timestamp, Pg> for At {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(At)
    }
}

type Multi = <DbConn as Connection>::Backend;

impl FromSql<Timestamp, Multi> for At {
    fn from_sql(value: <Multi as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<At, Timestamp>()
    }
}

/// One conversation as the CSV writes it, in the CSV's order.
#[derive(Debug, Clone, Queryable)]
pub struct Exported {
    pub id: i64,
    pub started_at: At,
    pub ended_at: Option<At>,
    pub agent: Option<String>,
    pub message_count: i32,
    pub survey_rating: Option<i32>,
    pub block_id: Option<i64>,
    pub blocked_at: Option<At>,
    pub block_reason: Option<String>,
    pub block_until: Option<At>,
    pub block_expires_at: Option<At>,
    pub block_lifted_at: Option<At>,
    pub block_lifted_by: Option<String>,
}

impl Exported {
    /// Was blocked at some point; this never changes afterwards.
    pub fn was_blocked(&self) -> bool {
        self.block_id.is_some()
    }

    /// Where the conversation's block stands at `now`, if it had one
    /// (as [`Row::block_state`]).
    pub fn block_state(&self, now: NaiveDateTime) -> Option<BlockState> {
        self.block_id?;
        let expires = self.block_expires_at.or(self.block_until)?.0;
        let lifted = self
            .block_lifted_at
            .map(|at| (at.0, self.block_lifted_by.as_deref().unwrap_or("")));
        Some(BlockState::of(expires, lifted, now))
    }
}

impl From<Row> for Exported {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            started_at: At(r.started_at),
            ended_at: r.ended_at.map(At),
            agent: r.agent,
            message_count: r.message_count,
            survey_rating: r.survey_rating,
            block_id: r.block_id,
            blocked_at: r.blocked_at.map(At),
            block_reason: r.block_reason,
            block_until: r.block_until.map(At),
            block_expires_at: r.block_expires_at.map(At),
            block_lifted_at: r.block_lifted_at.map(At),
            block_lifted_by: r.block_lifted_by,
        }
    }
}

/// The export's query: the list's joins and filters, the CSV's columns,
/// newest first.
macro_rules! exported {
    ($account_id:expr, $case_id:expr, $f:expr, $now:expr) => {{
        let q = joined!(in_case($account_id, $case_id))
            .select((
                conversations::id,
                conversations::started_at,
                conversations::ended_at,
                users::name.nullable(),
                conversations::message_count,
                conversations::survey_rating,
                conversations::block_id,
                conversations::blocked_at,
                conversations::block_reason,
                conversations::block_until,
                blocks::expires_at.nullable(),
                blocks::lifted_at.nullable(),
                blocks::lifted_by_name.nullable(),
            ))
            .into_boxed();
        narrowed!(q, $f, $now).order((conversations::started_at.desc(), conversations::id.desc()))
    }};
}

/// Whether [`stream`] reads this export in one query: on PostgreSQL,
/// without search words (a search reads its matches in batches).
pub fn streams(conn: &DbConn, filters: &Filters) -> bool {
    matches!(conn, DbConn::Pg(_)) && filters.words.is_empty()
}

/// Every row of `case_id` in `account_id` matching the filters at `now`,
/// newest first, handed to `each` as PostgreSQL sends them: one query,
/// read a row at a time, so neither side holds the whole export. Stops
/// when `each` returns false. Only where [`streams`] says so; elsewhere
/// reads nothing and returns false.
pub fn stream(
    conn: &mut DbConn,
    (account_id, case_id): (i64, i64),
    filters: &Filters,
    now: NaiveDateTime,
    mut each: impl FnMut(Exported) -> bool,
) -> QueryResult<bool> {
    if !streams(conn, filters) {
        return Ok(false);
    }
    let DbConn::Pg(pg) = conn else {
        return Ok(false);
    };
    let q = exported!(account_id, case_id, filters, now);
    for row in q.load_iter::<Exported, PgRowByRowLoadingMode>(pg)? {
        if !each(row?) {
            break;
        }
    }
    Ok(true)
}

/// Up to `limit` rows of `case_id` in `account_id` matching the filters
/// at `now`, newest first, after the row `after` (from the newest when
/// `None`): the rows [`super::rows`] reads, with the CSV's columns only.
pub fn rows(
    conn: &mut DbConn,
    (account_id, case_id): (i64, i64),
    filters: &Filters,
    now: NaiveDateTime,
    after: Option<Key>,
    limit: i64,
) -> QueryResult<Vec<Exported>> {
    let cursor = after.map_or(Cursor::Newest, Cursor::Older);
    if !filters.words.is_empty() {
        let found = source(conn, account_id, case_id, filters, now)?;
        let rows = found_rows(
            conn,
            (account_id, case_id),
            filters,
            now,
            found,
            cursor,
            limit,
        )?;
        return Ok(rows.into_iter().map(Exported::from).collect());
    }
    let mut q = exported!(account_id, case_id, filters, now).limit(limit);
    if let Some(k) = after {
        // As `super::rows` reads older rows: the first term range-scans
        // the (case, started_at, id) index.
        q = q.filter(conversations::started_at.le(k.started_at)).filter(
            conversations::started_at
                .lt(k.started_at)
                .or(conversations::id.lt(k.id)),
        );
    }
    q.load(conn)
}
