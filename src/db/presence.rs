//! Who the agent console may offer for an invitation: visitors who are
//! online and not under a block.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    models::BusinessCase,
    notify,
    schema::{conversations, visitors},
    DbConn,
};
use crate::domain::notice::{Kind, Notice};

/// The visitor keys of the account's conversations under a block in force
/// at `now`. A block covers the visitor's address, so these visitors cannot
/// use the chat and are not offered for an invitation.
pub fn blocked_keys(
    conn: &mut DbConn,
    account_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    conversations::table
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::block_until.gt(now))
        .select(conversations::visitor_key)
        .distinct()
        .load(conn)
}

/// Whether the visitor with `visitor_key` is under a block in force.
pub fn is_blocked(
    conn: &mut DbConn,
    account_id: i64,
    visitor_key: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        conversations::table
            .filter(conversations::account_id.eq(account_id))
            .filter(conversations::visitor_key.eq(visitor_key))
            .filter(conversations::block_until.gt(now)),
    ))
    .get_result(conn)
}

/// The visitor is no longer online (the gate refused them): they leave the
/// consoles' Online visitors at once. The row stays, so an invitation from
/// a console that still shows them is refused with the reason.
pub fn leave(
    conn: &mut DbConn,
    case: &BusinessCase,
    visitor_key: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::update(
        visitors::table
            .filter(visitors::case_id.eq(case.id))
            .filter(visitors::visitor_key.eq(visitor_key)),
    )
    .set(visitors::last_seen_at.eq(now - chrono::Duration::hours(1)))
    .execute(conn)?;
    notify::send(conn, Notice::new(case.account_id, Kind::List, 0, 0))?;
    Ok(n)
}

/// The visitors of one business case whose streams are open on this
/// instance are still online at `now`: one statement for all of them (the
/// instance's presence task, instead of one write per stream).
pub fn still_here(
    conn: &mut DbConn,
    case_id: i64,
    visitor_keys: &[String],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        visitors::table
            .filter(visitors::case_id.eq(case_id))
            .filter(visitors::visitor_key.eq_any(visitor_keys)),
    )
    .set(visitors::last_seen_at.eq(now))
    .execute(conn)
}
