//! Full-text search for the Conversations tab: FTS5 on SQLite, the
//! `tsvector` GIN index on PostgreSQL. The words come quoted by
//! [`Filters`], so the text is never query syntax.
//!
//! A search is planned before it runs, because the two ways to combine
//! the index with a case's newest-first list each win on one kind of word:
//! - a word few conversations hold: read its matches from the index first
//!   and look them up ([`Plan::Candidates`]); the cost follows the matches;
//! - a word many hold: walk the case newest first and test each
//!   conversation against the index ([`Plan::Probe`]); a page stops after
//!   its 50 rows, so the cost follows how rare the word is in the case.
//!
//! The plan reads at most [`COMMON`] matches from the index to tell.

use diesel::{
    dsl::{sql, AsExprOf},
    expression::{SqlLiteral, UncheckedBind},
    prelude::*,
    sql_types::{BigInt, Bool, Text},
};

use super::DbConn;
use crate::domain::conversation_search::Filters;

/// A search with more matches than this (in every account) is common.
pub const COMMON: i64 = 10_000;

/// How the search words narrow the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// No search words.
    None,
    /// Few matches: the index's matches first.
    Candidates,
    /// Many: each conversation on the way tested against the index.
    Probe,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The plan for `f`'s words: at most `COMMON + 1` matches read.
pub fn plan(conn: &mut DbConn, f: &Filters) -> QueryResult<Plan> {
    let (query, text) = match conn {
        DbConn::Sqlite(_) => (
            "SELECT count(*) AS n FROM (SELECT rowid FROM conversation_search \
             WHERE conversation_search MATCH ? LIMIT ?)",
            f.fts5(),
        ),
        DbConn::Pg(_) => (
            "SELECT count(*) AS n FROM (SELECT 1 FROM conversation_search \
             WHERE doc @@ to_tsquery('chatgate_search', $1) LIMIT $2) m",
            f.tsquery(),
        ),
    };
    let Some(text) = text else {
        return Ok(Plan::None);
    };
    let q = diesel::sql_query(query)
        .bind::<Text, _>(text)
        .bind::<BigInt, _>(COMMON + 1);
    let found = match conn {
        DbConn::Sqlite(c) => q.get_result::<Count>(c)?,
        DbConn::Pg(c) => q.get_result::<Count>(c)?,
    };
    Ok(if found.n > COMMON {
        Plan::Probe
    } else {
        Plan::Candidates
    })
}

pub type Matching = SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<String, Text>>>;

/// The condition on `conversations` that `plan` chose for `f`'s words;
/// `None` without words. The caller's account and case filters on
/// `conversations` scope it.
pub fn matching(conn: &DbConn, f: &Filters, plan: Plan) -> Option<Matching> {
    let pg = matches!(conn, DbConn::Pg(_));
    let text = if pg { f.tsquery()? } else { f.fts5()? };
    let (head, tail) = match (plan, pg) {
        (Plan::None, _) => return None,
        (Plan::Candidates, false) => (
            "conversations.id IN (SELECT rowid FROM conversation_search \
             WHERE conversation_search MATCH ",
            ")",
        ),
        // The matches first, as an array: the planner cannot guess how
        // many a tsquery matches, and its guess (about 1,000) made it walk
        // the whole case in date order probing each row for a rare word.
        (Plan::Candidates, true) => (
            "conversations.id = ANY(ARRAY(SELECT conversation_id FROM conversation_search \
             WHERE doc @@ to_tsquery('chatgate_search', ",
            ")))",
        ),
        (Plan::Probe, false) => (
            "EXISTS (SELECT 1 FROM conversation_search \
             WHERE conversation_search.rowid = conversations.id AND conversation_search MATCH ",
            ")",
        ),
        (Plan::Probe, true) => (
            "EXISTS (SELECT 1 FROM conversation_search s \
             WHERE s.conversation_id = conversations.id \
             AND s.doc @@ to_tsquery('chatgate_search', ",
            "))",
        ),
    };
    Some(sql::<Bool>(head).bind::<Text, _>(text).sql(tail))
}
