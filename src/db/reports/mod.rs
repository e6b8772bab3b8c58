//! The Conversations tab and its CSV export: conversations of one case,
//! newest first, narrowed by search words, dates, status, agent and
//! blocking status.
//!
//! A search goes one of two ways. When the other filters leave at most
//! [`FEW`] conversations of the case, those are read from the filters'
//! indexes and checked against the full-text index at once
//! (`search::among`), and the count is exact. Otherwise the index's
//! matches are walked newest first (`search::walk`) and looked up a chunk
//! at a time under the other filters.

use chrono::NaiveDateTime;
use diesel::{
    dsl::{sql, AsExprOf},
    expression::{SqlLiteral, UncheckedBind},
    prelude::*,
    sql_types::{BigInt, Bool, Timestamp},
};

use super::{
    prepared::{limited, unprobed, Unprobed},
    schema::{blocks, conversations, users},
    DbConn,
};
use crate::domain::{
    block::{BlockState, BlockingFilter},
    conversation_search::{Cursor, Filters, Key, Total},
};

/// A search the index finds common, and a list without search words,
/// is counted up to this many.
pub const COUNT_CAP: i64 = 1_000;
/// When the filters but the words leave at most this many conversations,
/// a search checks those against the index instead of walking its
/// matches (`search::among`).
pub const FEW: i64 = 10_000;

#[derive(Debug, Clone, Queryable)]
pub struct Row {
    pub id: i64,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub visitor_label: String,
    pub status: String,
    pub agent: Option<String>,
    pub message_count: i32,
    pub survey_rating: Option<i32>,
    pub block_id: Option<i64>,
    pub blocked_at: Option<NaiveDateTime>,
    pub block_reason: Option<String>,
    pub block_until: Option<NaiveDateTime>,
    /// The block's own record: when it runs out, and when and by whom it
    /// was lifted early, if it was.
    pub block_expires_at: Option<NaiveDateTime>,
    pub block_lifted_at: Option<NaiveDateTime>,
    pub block_lifted_by: Option<String>,
}

impl Row {
    /// Blocked now (a block in force).
    pub fn blocked_now(&self, now: NaiveDateTime) -> bool {
        self.block_until.is_some_and(|u| u > now)
    }

    /// Was blocked at some point; this never changes afterwards.
    pub fn was_blocked(&self) -> bool {
        self.block_id.is_some()
    }

    /// Where the conversation's block stands at `now`, if it had one.
    pub fn block_state(&self, now: NaiveDateTime) -> Option<BlockState> {
        self.block_id?;
        let expires = self.block_expires_at.or(self.block_until)?;
        let lifted = self
            .block_lifted_at
            .map(|at| (at, self.block_lifted_by.as_deref().unwrap_or("")));
        Some(BlockState::of(expires, lifted, now))
    }
}

/// The filters on `conversations` both the list and the count apply, but
/// the search words (`super::search` walks those).
macro_rules! narrowed {
    ($q:expr, $f:expr, $now:expr) => {{
        let mut q = $q;
        let f: &Filters = $f;
        q = match f.blocking {
            BlockingFilter::All => q,
            BlockingFilter::Blocked => q.filter(conversations::block_until.gt($now)),
            BlockingFilter::NotBlocked => q.filter(
                conversations::block_until
                    .is_null()
                    .or(conversations::block_until.le($now)),
            ),
        };
        if let Some(s) = f.status {
            q = q.filter(conversations::status.eq(s.as_str()));
        }
        if let Some(a) = f.agent {
            q = q.filter(conversations::agent_user_id.eq(a));
        }
        if let Some(from) = f.from {
            q = q.filter(conversations::started_at.ge(from));
        }
        if let Some(until) = f.until {
            q = q.filter(conversations::started_at.lt(until));
        }
        q
    }};
}

/// A bound id the SQLite planner does not read (`super::prepared`).
type Id = Unprobed<AsExprOf<i64, BigInt>>;

/// The case's conversations, for reading in list order from its indexes.
/// Its ids are [`unprobed`]: the statements that read the case stay
/// prepared on SQLite.
fn in_case(
    account_id: i64,
    case_id: i64,
) -> diesel::dsl::And<
    diesel::dsl::Eq<conversations::account_id, Id>,
    diesel::dsl::Eq<conversations::case_id, Id>,
> {
    conversations::account_id
        .eq(unprobed::<BigInt, _>(account_id))
        .and(conversations::case_id.eq(unprobed::<BigInt, _>(case_id)))
}

type ByIdScope = UncheckedBind<
    SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<i64, BigInt>>>,
    AsExprOf<i64, BigInt>,
>;

/// The same scope for rows looked up by id (a search's matches): written
/// `+column` so neither database reads the case's index for it (SQLite
/// would scan the case's half a million entries testing each id) and the
/// ids are looked up by primary key instead.
fn by_id(account_id: i64, case_id: i64) -> ByIdScope {
    sql::<Bool>("+conversations.account_id = ")
        .bind::<BigInt, _>(account_id)
        .sql(" AND +conversations.case_id = ")
        .bind::<BigInt, _>(case_id)
}

/// The conversations in `$scope` with their agent and their block.
macro_rules! joined {
    ($scope:expr) => {
        conversations::table
            .left_join(users::table.on(users::id.nullable().eq(conversations::agent_user_id)))
            .left_join(
                blocks::table.on(blocks::id
                    .nullable()
                    .eq(conversations::block_id)
                    .and(blocks::account_id.eq(conversations::account_id))),
            )
            .filter($scope)
    };
}

/// The list's rows of `case_id` in `account_id`, with the agent's name
/// and the block, narrowed by every filter but the words.
macro_rules! listed {
    ($scope:expr, $f:expr, $now:expr) => {{
        let q = joined!($scope)
            .select((
                conversations::id,
                conversations::started_at,
                conversations::ended_at,
                conversations::visitor_label,
                conversations::status,
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
        narrowed!(q, $f, $now)
    }};
}

pub mod export;
mod found;
use found::{found_rows, source, walked_count, Source};

/// Up to `limit` rows of `case_id` in `account_id` matching the filters
/// at `now`, in list order (newest first), beside the `cursor`'s row:
/// for [`Cursor::Newer`], the `limit` rows nearest above it. Read from
/// the cursor's key, never by skipping rows, so a deep page costs what
/// the first does. A search lists its matches newest first by id, which
/// is the order they started in, and reads the cursor's id alone (see
/// `super::search`).
pub fn rows(
    conn: &mut DbConn,
    (account_id, case_id): (i64, i64),
    filters: &Filters,
    now: NaiveDateTime,
    cursor: Cursor,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let scope = (account_id, case_id);
    if !filters.words.is_empty() {
        let source = source(conn, account_id, case_id, filters, now)?;
        return found_rows(conn, scope, filters, now, source, cursor, limit);
    }
    let q = listed!(in_case(account_id, case_id), filters, now);
    let (newest, oldest) = (
        (conversations::started_at.desc(), conversations::id.desc()),
        (conversations::started_at.asc(), conversations::id.asc()),
    );
    // `started_at <= at` (or `>=`) alone is what lets both databases
    // range-scan the (case, started_at, id) index; the second term drops
    // the rows of that same instant on the cursor's side. The key is
    // `unprobed` and the limit `limited`, as the case is unprobed, so
    // every page's statement stays prepared on SQLite.
    let at = |k: Key| unprobed::<Timestamp, _>(k.started_at);
    let id = |k: Key| unprobed::<BigInt, _>(k.id);
    match cursor {
        Cursor::Newest => limited(q.order(newest), limit).load(conn),
        Cursor::Older(k) => {
            let q = q.filter(conversations::started_at.le(at(k))).filter(
                conversations::started_at
                    .lt(at(k))
                    .or(conversations::id.lt(id(k))),
            );
            limited(q.order(newest), limit).load(conn)
        }
        Cursor::Newer(k) => {
            let q = q.filter(conversations::started_at.ge(at(k))).filter(
                conversations::started_at
                    .gt(at(k))
                    .or(conversations::id.gt(id(k))),
            );
            let mut rows: Vec<Row> = limited(q.order(oldest), limit).load(conn)?;
            rows.reverse();
            Ok(rows)
        }
    }
}

/// One page of the list, and whether there are rows on either side.
#[derive(Debug, Clone)]
pub struct Slice {
    pub rows: Vec<Row>,
    pub newer: bool,
    pub older: bool,
}

impl Slice {
    /// A page read from `got`: up to `per + 1` rows, the extra one telling
    /// that more lie beyond, on the side `cursor` reads toward.
    fn of(mut got: Vec<Row>, cursor: Cursor, per: usize) -> Self {
        let beyond = got.len() > per;
        if let Cursor::Newer(_) = cursor {
            if beyond {
                got.remove(0);
            }
            return Self {
                rows: got,
                newer: beyond,
                older: true,
            };
        }
        got.truncate(per);
        Self {
            rows: got,
            newer: cursor != Cursor::Newest,
            older: beyond,
        }
    }
}

/// One page of the list and the total count, as the Conversations tab
/// shows them: a search decides once where its rows come from. A page
/// of newer rows that comes up short is the newest page. Without search
/// words the total is exact up to [`COUNT_CAP`], and read from the page
/// itself when the first page holds everything.
pub fn page(
    conn: &mut DbConn,
    (account_id, case_id): (i64, i64),
    filters: &Filters,
    now: NaiveDateTime,
    cursor: Cursor,
    per: i64,
) -> QueryResult<(Slice, Total)> {
    let scope = (account_id, case_id);
    let per_rows = usize::try_from(per).unwrap_or(0);
    if filters.words.is_empty() {
        let mut got = rows(conn, scope, filters, now, cursor, per + 1)?;
        let mut cursor = cursor;
        if matches!(cursor, Cursor::Newer(_)) && got.len() < per_rows {
            cursor = Cursor::Newest;
            got = rows(conn, scope, filters, now, cursor, per + 1)?;
        }
        let slice = Slice::of(got, cursor, per_rows);
        let total = if cursor == Cursor::Newest && !slice.older {
            exact(slice.rows.len() as i64)
        } else {
            capped(conn, scope, filters, now)?
        };
        return Ok((slice, total));
    }
    let found = source(conn, account_id, case_id, filters, now)?;
    let total = match &found {
        Source::Few(ids) => exact(ids.len() as i64),
        Source::Walk => walked_count(conn, scope, filters, now)?,
    };
    let few = match &found {
        Source::Few(ids) => Some(ids.clone()),
        Source::Walk => None,
    };
    let again = |few: &Option<Vec<i64>>| few.clone().map_or(Source::Walk, Source::Few);
    let mut got = found_rows(conn, scope, filters, now, found, cursor, per + 1)?;
    let mut cursor = cursor;
    if matches!(cursor, Cursor::Newer(_)) && got.len() < per_rows {
        cursor = Cursor::Newest;
        got = found_rows(conn, scope, filters, now, again(&few), cursor, per + 1)?;
    }
    Ok((Slice::of(got, cursor, per_rows), total))
}

/// The list's total without search words: exact up to [`COUNT_CAP`],
/// "more than" beyond, read from the filters' indexes without counting
/// the whole case.
fn capped(
    conn: &mut DbConn,
    (account_id, case_id): (i64, i64),
    filters: &Filters,
    now: NaiveDateTime,
) -> QueryResult<Total> {
    let q = conversations::table
        .filter(in_case(account_id, case_id))
        .select(conversations::id)
        .into_boxed();
    let mut q = narrowed!(q, filters, now);
    if filters.blocking == BlockingFilter::Blocked {
        // In list order, both databases read the partial index of blocked
        // conversations; without an order SQLite walks the whole case's
        // covering index for the few blocked now (118,000 entries for
        // 1,001 of them at a million).
        q = q.order((conversations::started_at.desc(), conversations::id.desc()));
    }
    let ids: Vec<i64> = limited(q, COUNT_CAP + 1).load(conn)?;
    Ok(if ids.len() as i64 > COUNT_CAP {
        Total {
            n: COUNT_CAP,
            more: true,
        }
    } else {
        exact(ids.len() as i64)
    })
}

fn exact(n: i64) -> Total {
    Total { n, more: false }
}

/// How many conversations of `case_id` in `account_id` match the filters:
/// exactly, but for search words that match about
/// [`EXACT_UP_TO`](super::search::EXACT_UP_TO) conversations or more (in the case) while
/// the other filters leave more than [`FEW`], which are counted only
/// until more than [`COUNT_CAP`] are found.
pub fn count(
    conn: &mut DbConn,
    account_id: i64,
    case_id: i64,
    filters: &Filters,
    now: NaiveDateTime,
) -> QueryResult<Total> {
    if filters.words.is_empty() {
        return narrowed!(
            conversations::table
                .filter(in_case(account_id, case_id))
                .into_boxed(),
            filters,
            now
        )
        .count()
        .get_result(conn)
        .map(exact);
    }
    match source(conn, account_id, case_id, filters, now)? {
        Source::Few(found) => Ok(exact(found.len() as i64)),
        Source::Walk => walked_count(conn, (account_id, case_id), filters, now),
    }
}

/// The account's users, by name, for the agent filter.
pub fn agents(conn: &mut DbConn, account_id: i64) -> QueryResult<Vec<(i64, String)>> {
    users::table
        .filter(users::account_id.eq(account_id))
        .select((users::id, users::name))
        .order((users::name.asc(), users::id.asc()))
        .load(conn)
}
