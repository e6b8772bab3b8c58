//! Flood control's line for the agents: a visitor network that reached a
//! limit [`REPEAT_OFFENCES`](crate::domain::flood::REPEAT_OFFENCES) times
//! in an hour is shown in the visitor's conversation, with Block offered
//! and its reason filled in. The visitor never sees it.

use chrono::NaiveDateTime;
use serde_json::json;

use super::service::{self, ChatError, VisitorRef};
use crate::{
    db::chat::{self, NewEvent},
    domain::{
        chat::{Author, EventKind},
        flood,
    },
};

/// Notes the repeat offence in the conversation named (if the visitor's
/// and open), else the visitor's open one in the case. Returns the
/// conversation noted in; none when the visitor has no open one (a limit
/// on new conversations is reached with none open).
pub fn note_repeat(
    conn: &mut crate::db::DbConn,
    v: VisitorRef<'_>,
    conversation: Option<&str>,
    times: u32,
    now: NaiveDateTime,
) -> Result<Option<i64>, ChatError> {
    let Some(conv) = service::named_or_open(conn, v, conversation)? else {
        return Ok(None);
    };
    let text = flood::repeat_line(times);
    chat::append(
        conn,
        NewEvent {
            conversation_id: conv.id,
            kind: EventKind::Note,
            author: Author::System,
            name: "chatgate",
            body: json!({ "text": text, "block_reason": text }),
            at: now,
        },
    )?;
    Ok(Some(conv.id))
}
