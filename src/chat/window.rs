//! What managers change on Live Chat Window that the widget reads: its
//! languages. The widget reads them from the database on each frame, so
//! every instance serves a saved change at once: there is no cache to
//! notify. Runs inside the caller's write transaction (`Db::write`).

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::{
    db::{
        audit::{self, Actor},
        chat_window, DbConn,
    },
    domain::language::WidgetLanguages,
};

/// Stores the account's widget languages, with an audit entry.
pub fn save_languages(
    conn: &mut DbConn,
    account_id: i64,
    actor: Actor<'_>,
    langs: &WidgetLanguages,
    now: NaiveDateTime,
) -> QueryResult<()> {
    chat_window::save_languages(conn, account_id, langs, now)?;
    audit::record(
        conn,
        account_id,
        actor,
        "chat_window.languages",
        &langs.summary(),
        now,
    )
}
