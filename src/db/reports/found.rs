//! A search's two ways (see the parent module): the few conversations
//! the other filters leave, checked against the index at once, or the
//! index's matches walked newest first.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{by_id, exact, in_case, Row, COUNT_CAP, FEW};

/// At most this many matches in the case (on PostgreSQL, which must be
/// asked: `search::few_matches`) are read at once and filtered, rather
/// than walked.
const FEW_MATCHES: i64 = 5_000;
use crate::{
    db::{
        schema::{blocks, conversations, users},
        search, DbConn,
    },
    domain::{
        block::BlockingFilter,
        conversation_search::{Cursor, Filters, Total},
    },
};

/// Where a search's rows come from.
pub(super) enum Source {
    /// The other filters leave few conversations, or the words match few
    /// in the case: those that pass both, highest id first.
    Few(Vec<i64>),
    /// The other filters leave many: walk the index's matches.
    Walk,
}

pub(super) fn source(
    conn: &mut DbConn,
    account_id: i64,
    case_id: i64,
    f: &Filters,
    now: NaiveDateTime,
) -> QueryResult<Source> {
    let mut found = if let Some(few) = few_filtered(conn, account_id, case_id, f, now)? {
        search::among(conn, f, case_id, &few)?
    } else if let Some(matches) = search::few_matches(conn, f, case_id, FEW_MATCHES)? {
        let q = conversations::table
            .filter(by_id(account_id, case_id))
            .select(conversations::id)
            .into_boxed();
        narrowed!(q, f, now)
            .filter(conversations::id.eq_any(matches))
            .load(conn)?
    } else {
        return Ok(Source::Walk);
    };
    found.sort_unstable_by(|a, b| b.cmp(a));
    Ok(Source::Few(found))
}

/// A search's rows beside the `cursor` (its id), in list order (highest
/// id first): a slice of the few found, or the matches walked (down for
/// older rows, up for newer ones) until `limit` pass the other filters.
pub(super) fn found_rows(
    conn: &mut DbConn,
    (account_id, case_id): (i64, i64),
    filters: &Filters,
    now: NaiveDateTime,
    source: Source,
    cursor: Cursor,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let want = usize::try_from(limit).unwrap_or(0);
    if let Source::Few(found) = source {
        let ids: Vec<i64> = match cursor {
            Cursor::Newest => found.into_iter().take(want).collect(),
            Cursor::Older(k) => found
                .into_iter()
                .filter(|id| *id < k.id)
                .take(want)
                .collect(),
            Cursor::Newer(k) => {
                let above: Vec<i64> = found.into_iter().filter(|id| *id > k.id).collect();
                above[above.len().saturating_sub(want)..].to_vec()
            }
        };
        return listed!(by_id(account_id, case_id), filters, now)
            .filter(conversations::id.eq_any(ids))
            .order(conversations::id.desc())
            .load(conn);
    }
    let mut out: Vec<Row> = Vec::new();
    let Some(mut ids) = dated(conn, account_id, case_id, filters)? else {
        return Ok(out);
    };
    match cursor {
        Cursor::Newest => {}
        Cursor::Older(k) => ids.before = Some(ids.before.map_or(k.id, |b| b.min(k.id))),
        Cursor::Newer(k) => {
            let above = k.id.saturating_add(1);
            ids.floor = Some(ids.floor.map_or(above, |f| f.max(above)));
            ids.up = true;
        }
    }
    let first = 2 * limit.max(32);
    search::walk(conn, filters, case_id, ids, first, |c, chunk| {
        let q = listed!(by_id(account_id, case_id), filters, now)
            .filter(conversations::id.eq_any(chunk));
        let rows: Vec<Row> = if ids.up {
            q.order(conversations::id.asc()).load(c)?
        } else {
            q.order(conversations::id.desc()).load(c)?
        };
        out.extend(rows.into_iter().take(want - out.len().min(want)));
        Ok(out.len() < want)
    })?;
    if ids.up {
        out.reverse();
    }
    Ok(out)
}

/// The case's conversations the filters but the words leave, when they
/// leave at most [`FEW`] (read from the filters' indexes); `None` when
/// they leave more, or no filter but the words is set.
fn few_filtered(
    conn: &mut DbConn,
    account_id: i64,
    case_id: i64,
    f: &Filters,
    now: NaiveDateTime,
) -> QueryResult<Option<Vec<i64>>> {
    let narrows = f.blocking != BlockingFilter::All
        || f.status.is_some()
        || f.agent.is_some()
        || f.from.is_some()
        || f.until.is_some();
    if !narrows {
        return Ok(None);
    }
    let q = conversations::table
        .filter(in_case(account_id, case_id))
        .select(conversations::id)
        .into_boxed();
    let ids: Vec<i64> = narrowed!(q, f, now).limit(FEW + 1).load(conn)?;
    Ok((ids.len() as i64 <= FEW).then_some(ids))
}

/// The ids a conversation of the case started within the filters' dates
/// can have (ids follow starts, but this holds whatever their order), so
/// a search walks those alone; `None` when none started then.
fn dated(
    conn: &mut DbConn,
    account_id: i64,
    case_id: i64,
    f: &Filters,
) -> QueryResult<Option<search::Ids>> {
    use diesel::dsl::{max, min};
    if f.from.is_none() && f.until.is_none() {
        return Ok(Some(search::Ids::default()));
    }
    let mut q = conversations::table
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::case_id.eq(case_id))
        .into_boxed();
    if let Some(from) = f.from {
        q = q.filter(conversations::started_at.ge(from));
    }
    if let Some(until) = f.until {
        q = q.filter(conversations::started_at.lt(until));
    }
    let (lo, hi): (Option<i64>, Option<i64>) = q
        .select((min(conversations::id), max(conversations::id)))
        .first(conn)?;
    Ok(lo.zip(hi).map(|(lo, hi)| search::Ids {
        floor: Some(lo),
        before: Some(hi + 1),
        up: false,
    }))
}

/// A search's count when the other filters leave many conversations.
pub(super) fn walked_count(
    conn: &mut DbConn,
    (account_id, case_id): (i64, i64),
    filters: &Filters,
    now: NaiveDateTime,
) -> QueryResult<Total> {
    macro_rules! counted {
        () => {
            narrowed!(
                conversations::table
                    .filter(by_id(account_id, case_id))
                    .into_boxed(),
                filters,
                now
            )
        };
    }
    let Some(all) = search::all_matches(conn, filters, case_id) else {
        return Ok(exact(0));
    };
    let Some(ids) = dated(conn, account_id, case_id, filters)? else {
        return Ok(exact(0));
    };
    // The first chunk of matches tells how common the words are.
    let mut n = 0i64;
    let mut add = |c: &mut DbConn, ids: &[i64]| -> QueryResult<i64> {
        n += counted!()
            .filter(conversations::id.eq_any(ids))
            .count()
            .get_result::<i64>(c)?;
        Ok(n)
    };
    let first = search::walk(conn, filters, case_id, ids, 512, |c, ids| {
        add(c, ids).map(|_| false)
    })?;
    if first.ended {
        return Ok(exact(n));
    }
    if first.estimate() <= search::EXACT_UP_TO {
        return counted!().filter(all).count().get_result(conn).map(exact);
    }
    let rest = search::Ids {
        before: first.span.map(|s| s.1),
        ..ids
    };
    let rest = search::walk(conn, filters, case_id, rest, 2_048, |c, ids| {
        add(c, ids).map(|n| n <= COUNT_CAP)
    })?;
    Ok(if rest.ended {
        exact(n)
    } else {
        Total {
            n: COUNT_CAP,
            more: true,
        }
    })
}
