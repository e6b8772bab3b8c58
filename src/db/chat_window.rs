//! Live Chat Window settings per account, and each conversation's own
//! choice about image previews.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    models::ChatWindowRow,
    schema::{chat_window_settings as cw, conversations},
    DbConn,
};
use crate::domain::chat_window::ChatWindow;

/// The account's settings, or the defaults if never saved.
pub fn settings(conn: &mut DbConn, account_id: i64) -> QueryResult<ChatWindow> {
    let row = cw::table
        .filter(cw::account_id.eq(account_id))
        .select(ChatWindowRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        None => ChatWindow::default(),
        Some(r) => ChatWindow::from_stored(
            &r.file_mode,
            &r.file_categories,
            r.max_file_bytes,
            r.previews_default,
        )
        .unwrap_or_else(|e| {
            tracing::warn!(account_id, error = %e, "unreadable chat window settings; images only");
            ChatWindow::fallback(r.previews_default)
        }),
    })
}

/// Stores the account's settings. Call inside a write transaction; the
/// account's lock keeps two first saves from both inserting.
pub fn save(
    conn: &mut DbConn,
    account_id: i64,
    w: &ChatWindow,
    now: NaiveDateTime,
) -> QueryResult<()> {
    super::lock(conn, "chat_window_settings", &account_id.to_string())?;
    let max = i64::try_from(w.files.max_bytes.bytes()).unwrap_or(i64::MAX);
    let values = (
        cw::file_mode.eq(w.files.allowed.key()),
        cw::file_categories.eq(w.files.allowed.categories_csv()),
        cw::max_file_bytes.eq(max),
        cw::previews_default.eq(w.previews_default),
        cw::updated_at.eq(Some(now)),
    );
    let n = diesel::update(cw::table.filter(cw::account_id.eq(account_id)))
        .set(values.clone())
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(cw::table)
            .values((cw::account_id.eq(account_id), values))
            .execute(conn)?;
    }
    Ok(())
}

/// Records whether a conversation of the account shows image previews;
/// false when there is no such conversation.
pub fn set_previews(
    conn: &mut DbConn,
    account_id: i64,
    conversation_id: i64,
    show: bool,
) -> QueryResult<bool> {
    let n = diesel::update(
        conversations::table
            .filter(conversations::account_id.eq(account_id))
            .filter(conversations::id.eq(conversation_id)),
    )
    .set(conversations::image_previews.eq(Some(show)))
    .execute(conn)?;
    Ok(n == 1)
}
