//! Live Chat Window settings per account, and each conversation's own
//! choice about image previews.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    models::ChatWindowRow,
    schema::{chat_window_settings as cw, conversations},
    DbConn,
};
use crate::domain::{chat_window::ChatWindow, language::WidgetLanguages};

/// The account's settings, or the defaults if never saved.
pub fn settings(conn: &mut DbConn, account_id: i64) -> QueryResult<ChatWindow> {
    Ok(with_languages(conn, account_id)?.0)
}

/// The account's settings and its widget's languages, in one read.
pub fn with_languages(
    conn: &mut DbConn,
    account_id: i64,
) -> QueryResult<(ChatWindow, WidgetLanguages)> {
    let row = cw::table
        .filter(cw::account_id.eq(account_id))
        .select(ChatWindowRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        None => (ChatWindow::default(), WidgetLanguages::default()),
        Some(r) => {
            let window = ChatWindow::from_stored(
                &r.file_mode,
                &r.file_categories,
                r.max_file_bytes,
                r.previews_default,
            )
            .unwrap_or_else(|e| {
                tracing::warn!(account_id, error = %e, "unreadable chat window settings; images only");
                ChatWindow::fallback(r.previews_default)
            });
            let langs = WidgetLanguages::from_stored(&r.default_lang, &r.languages, &r.greetings);
            (window, langs)
        }
    })
}

/// Stores the account's widget languages, leaving its file settings as
/// they are (the defaults, on a first save). Call inside a write
/// transaction.
pub fn save_languages(
    conn: &mut DbConn,
    account_id: i64,
    l: &WidgetLanguages,
    now: NaiveDateTime,
) -> QueryResult<()> {
    super::lock(conn, "chat_window_settings", &account_id.to_string())?;
    let values = (
        cw::default_lang.eq(l.default.code()),
        cw::languages.eq(l.offered_csv()),
        cw::greetings.eq(l.greetings_json()),
        cw::updated_at.eq(Some(now)),
    );
    let n = diesel::update(cw::table.filter(cw::account_id.eq(account_id)))
        .set(values.clone())
        .execute(conn)?;
    if n == 0 {
        let w = ChatWindow::default();
        let max = i64::try_from(w.files.max_bytes.bytes()).unwrap_or(i64::MAX);
        diesel::insert_into(cw::table)
            .values((
                cw::account_id.eq(account_id),
                cw::file_mode.eq(w.files.allowed.key()),
                cw::file_categories.eq(w.files.allowed.categories_csv()),
                cw::max_file_bytes.eq(max),
                cw::previews_default.eq(w.previews_default),
                values,
            ))
            .execute(conn)?;
    }
    Ok(())
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
