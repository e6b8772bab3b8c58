//! Full-text search for the Conversations tab: FTS5 on SQLite, the
//! `tsvector` GIN index on PostgreSQL. The words come quoted by
//! [`Filters`], so the text is never query syntax.
//!
//! A page of a search walks the index's matches from the highest
//! conversation id down, a growing chunk at a time, and the caller narrows
//! each chunk by the account, the case and the other filters
//! (`super::reports`). Ids are handed out as conversations start, so this
//! is newest first, and a page stops after its rows: a word in every
//! conversation costs no more than a rare one. Reading every match and
//! sorting them by start costs in proportion to the matches (0.4 s on
//! SQLite, 2.2 s on PostgreSQL for a word in each of a million).
//!
//! The index holds each conversation's case too (migration 000016), and
//! every read of it asks for the case as well as the words, so the index
//! narrows by case itself: a word common in another case but rare in this
//! one costs what its matches here cost.
//!
//! The count cannot stop early, so it picks by how common the words are,
//! judged from the first chunk: few matches are all read and counted
//! exactly ([`all_matches`]); many are walked until more than the cap are
//! found in the case.

use diesel::{
    dsl::{sql, AsExprOf},
    expression::{SqlLiteral, UncheckedBind},
    prelude::*,
    sql_types::{Array, BigInt, Bool, Text},
};

use super::DbConn;
use crate::domain::conversation_search::Filters;

/// The largest chunk read at a time.
pub const MAX_CHUNK: i64 = 8_192;
/// Fewer matches than this (estimated over every account) are counted
/// exactly.
pub const EXACT_UP_TO: i64 = 20_000;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// What the index is asked: `f`'s words within one case.
struct Query {
    /// The words: an FTS5 query over the text columns on SQLite, a
    /// `to_tsquery` text on PostgreSQL.
    words: String,
    /// The case: an FTS5 query of the `scope` column on SQLite (a
    /// whole query is `scope AND words`), a tsquery of the one lexeme
    /// `'case N'` on PostgreSQL (ANDed to the words' with `&&`).
    case: String,
}

impl Query {
    fn new(conn: &DbConn, f: &Filters, case_id: i64) -> Option<Self> {
        Some(match conn {
            DbConn::Sqlite(_) => Self {
                words: format!("{{names messages}} : ({})", f.fts5()?),
                case: format!("scope : \"c{case_id}\""),
            },
            DbConn::Pg(_) => Self {
                words: f.tsquery()?,
                case: format!("'case {case_id}'"),
            },
        })
    }

    /// The one FTS5 query of both (SQLite).
    fn fts5(&self) -> String {
        format!("{} AND {}", self.case, self.words)
    }
}

/// Up to `n` ids of the case's conversations matching `q`, in
/// `[floor, before)`, highest first (lowest first when `up`).
fn chunk(
    conn: &mut DbConn,
    q: &Query,
    (floor, before): (i64, i64),
    n: i64,
    up: bool,
) -> QueryResult<Vec<i64>> {
    let order = if up { "ASC" } else { "DESC" };
    let ids: Vec<Id> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(format!(
            "SELECT rowid AS id FROM conversation_search \
             WHERE conversation_search MATCH ? AND rowid < ? AND rowid >= ? \
             ORDER BY rowid {order} LIMIT ?"
        ))
        .bind::<Text, _>(q.fts5())
        .bind::<BigInt, _>(before)
        .bind::<BigInt, _>(floor)
        .bind::<BigInt, _>(n)
        .load(c)?,
        DbConn::Pg(c) => diesel::sql_query(format!(
            "SELECT conversation_id AS id FROM conversation_search \
             WHERE doc @@ (to_tsquery('chatgate_search', $1) && CAST($2 AS tsquery)) \
             AND conversation_id < $3 AND conversation_id >= $4 \
             ORDER BY conversation_id {order} LIMIT $5"
        ))
        .bind::<Text, _>(&q.words)
        .bind::<Text, _>(&q.case)
        .bind::<BigInt, _>(before)
        .bind::<BigInt, _>(floor)
        .bind::<BigInt, _>(n)
        .load(c)?,
    };
    Ok(ids.into_iter().map(|i| i.id).collect())
}

/// How far a walk went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Walked {
    /// The matches ended (rather than `take` having enough).
    pub ended: bool,
    /// Matches read.
    pub read: i64,
    /// The highest and the lowest id read.
    pub span: Option<(i64, i64)>,
}

/// The ids a walk may hand out: at least `floor`, below `before`; the
/// walk goes from the highest down, or from the lowest up when `up`
/// (a page of newer rows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ids {
    pub floor: Option<i64>,
    pub before: Option<i64>,
    pub up: bool,
}

/// Hands the ids of `case_id`'s conversations matching `f`'s words
/// (within `ids`, highest first, or lowest first going up) to
/// `take` a chunk at a time, the first of `first` ids and each next one
/// four times larger (up to [`MAX_CHUNK`]), until `take` says it has
/// enough (`false`) or the matches end. Without words, `take` never runs.
pub fn walk(
    conn: &mut DbConn,
    f: &Filters,
    case_id: i64,
    ids: Ids,
    first: i64,
    mut take: impl FnMut(&mut DbConn, &[i64]) -> QueryResult<bool>,
) -> QueryResult<Walked> {
    let mut w = Walked::default();
    let Some(q) = Query::new(conn, f, case_id) else {
        w.ended = true;
        return Ok(w);
    };
    let mut floor = ids.floor.unwrap_or(i64::MIN);
    let (mut below, mut n) = (ids.before.unwrap_or(i64::MAX), first.clamp(1, MAX_CHUNK));
    loop {
        let got = chunk(conn, &q, (floor, below), n, ids.up)?;
        let (Some(&a), Some(&b)) = (got.first(), got.last()) else {
            w.ended = true;
            return Ok(w);
        };
        let (high, low) = (a.max(b), a.min(b));
        w.read += got.len() as i64;
        w.span = Some(
            w.span
                .map_or((high, low), |s| (s.0.max(high), s.1.min(low))),
        );
        let more = take(conn, &got)?;
        if (got.len() as i64) < n {
            w.ended = true;
            return Ok(w);
        }
        if !more {
            return Ok(w);
        }
        if ids.up {
            floor = high.saturating_add(1);
        } else {
            below = low;
        }
        n = (n * 4).min(MAX_CHUNK);
    }
}

/// Which of `ids` (the case's conversations some other filter left)
/// match `f`'s words: for when the other filters leave few conversations
/// and the words may match many.
pub fn among(conn: &mut DbConn, f: &Filters, case_id: i64, ids: &[i64]) -> QueryResult<Vec<i64>> {
    let Some(q) = Query::new(conn, f, case_id) else {
        return Ok(ids.to_vec());
    };
    let (Some(&low), Some(&high)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(Vec::new());
    };
    let found: Vec<Id> = match conn {
        // FTS5 would look each id up on its own, evaluating the query
        // anew each time (about 70 µs apiece): instead read the case's
        // matches between the lowest and the highest id (about 0.15 µs
        // apiece) and keep those in the list. `+rowid` keeps the list
        // from becoming lookups; the ids are numbers the database gave.
        DbConn::Sqlite(c) => {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            diesel::sql_query(format!(
                "SELECT rowid AS id FROM conversation_search \
                 WHERE conversation_search MATCH ? AND rowid >= ? AND rowid <= ? \
                 AND +rowid IN ({list})"
            ))
            .bind::<Text, _>(q.fts5())
            .bind::<BigInt, _>(low)
            .bind::<BigInt, _>(high)
            .load(c)?
        }
        // Each id by primary key, its document tested there.
        DbConn::Pg(c) => diesel::sql_query(
            "SELECT conversation_id AS id FROM conversation_search \
             WHERE conversation_id = ANY($1) \
             AND doc @@ (to_tsquery('chatgate_search', $2) && CAST($3 AS tsquery))",
        )
        .bind::<Array<BigInt>, _>(ids)
        .bind::<Text, _>(&q.words)
        .bind::<Text, _>(&q.case)
        .load(c)?,
    };
    Ok(found.into_iter().map(|i| i.id).collect())
}

/// Every match of `f`'s words in `case_id` when there are at most `cap`
/// of them; `None` when there are more. PostgreSQL only (`None` on
/// SQLite, whose index intersects the words and the case in id order as
/// it walks).
///
/// PostgreSQL's planner cannot tell a word rare in this case from one
/// common in all (it guesses the case halves the matches), and walks the
/// primary key testing every conversation's document for a word the case
/// hardly has: 0.7 s at a million. Asking the GIN index for the
/// intersection first costs 15 ms for such a word, and up to 60 ms for a
/// word in every conversation, which then walks quickly.
pub fn few_matches(
    conn: &mut DbConn,
    f: &Filters,
    case_id: i64,
    cap: i64,
) -> QueryResult<Option<Vec<i64>>> {
    let Some(q) = Query::new(conn, f, case_id) else {
        return Ok(None);
    };
    let DbConn::Pg(c) = conn else {
        return Ok(None);
    };
    let ids: Vec<Id> = c.transaction(|c| {
        // The bitmap scan of the GIN index, not a walk of a b-tree.
        diesel::sql_query("SET LOCAL enable_indexscan = off").execute(c)?;
        diesel::sql_query("SET LOCAL enable_seqscan = off").execute(c)?;
        let ids = diesel::sql_query(
            "SELECT conversation_id AS id FROM conversation_search \
             WHERE doc @@ (to_tsquery('chatgate_search', $1) && CAST($2 AS tsquery)) \
             LIMIT $3",
        )
        .bind::<Text, _>(&q.words)
        .bind::<Text, _>(&q.case)
        .bind::<BigInt, _>(cap + 1)
        .load(c)?;
        diesel::sql_query("RESET enable_indexscan").execute(c)?;
        diesel::sql_query("RESET enable_seqscan").execute(c)?;
        Ok::<_, diesel::result::Error>(ids)
    })?;
    Ok(((ids.len() as i64) <= cap).then(|| ids.into_iter().map(|i| i.id).collect()))
}

impl Walked {
    /// About how many of the case's conversations match, from how densely the
    /// matches read lay among the ids below the highest.
    pub fn estimate(&self) -> i64 {
        match self.span {
            Some((high, low)) if high > low => {
                let density = self.read as f64 / (high - low + 1) as f64;
                (density * high as f64) as i64
            }
            _ => self.read,
        }
    }
}

pub type Matching = SqlLiteral<
    Bool,
    UncheckedBind<
        SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<String, Text>>>,
        AsExprOf<String, Text>,
    >,
>;

/// `conversations.id` among every match of `f`'s words in `case_id`,
/// read from the index at once: for counting few matches. `None` without
/// words.
pub fn all_matches(conn: &DbConn, f: &Filters, case_id: i64) -> Option<Matching> {
    let q = Query::new(conn, f, case_id)?;
    Some(match conn {
        DbConn::Sqlite(_) => sql::<Bool>(
            "conversations.id IN (SELECT rowid FROM conversation_search \
             WHERE conversation_search MATCH ",
        )
        .bind::<Text, _>(q.case)
        .sql(" || ' AND ' || ")
        .bind::<Text, _>(q.words)
        .sql(")"),
        // As an array: the planner cannot guess how many a tsquery
        // matches, and may otherwise probe each conversation of the case.
        DbConn::Pg(_) => sql::<Bool>(
            "conversations.id = ANY(ARRAY(SELECT conversation_id FROM conversation_search \
             WHERE doc @@ (CAST(",
        )
        .bind::<Text, _>(q.case)
        .sql(" AS tsquery) && to_tsquery('chatgate_search', ")
        .bind::<Text, _>(q.words)
        .sql("))))"),
    })
}
