//! Screen-share queries: the share's columns of a conversation, and the
//! erasure of its signals (they name the browsers' network addresses).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::*, DbConn};
use crate::domain::chat::EventKind;

/// Sets the share's state, the agent it is for and when it started.
pub fn set(
    conn: &mut DbConn,
    conversation_id: i64,
    state: &str,
    agent: Option<i64>,
    started_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(conversations::table.find(conversation_id))
        .set((
            conversations::screen_share.eq(state),
            conversations::share_agent_id.eq(agent),
            conversations::share_started_at.eq(started_at),
        ))
        .execute(conn)
}

/// Sets when the share started (its first offer).
pub fn set_started(
    conn: &mut DbConn,
    conversation_id: i64,
    state: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(conversations::table.find(conversation_id))
        .set((
            conversations::screen_share.eq(state),
            conversations::share_started_at.eq(at),
        ))
        .execute(conn)
}

/// Erases the conversation's signals (the share ended).
pub fn erase_signals(conn: &mut DbConn, conversation_id: i64) -> QueryResult<usize> {
    diesel::delete(
        events::table
            .filter(events::conversation_id.eq(conversation_id))
            .filter(events::kind.eq(EventKind::ShareSignal.as_str())),
    )
    .execute(conn)
}

/// Erases signals older than `before` whose share never ended (a browser
/// that went away): the privacy purge's part.
pub fn erase_signals_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        events::table
            .filter(events::kind.eq(EventKind::ShareSignal.as_str()))
            .filter(events::created_at.lt(before)),
    )
    .execute(conn)
}
