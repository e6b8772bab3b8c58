//! The offensive-language shield in a conversation: each visitor message
//! the shield masked is a strike, and the one that reaches the account's
//! number does what the manager chose: nothing more, a neutral warning to
//! the visitor (once), the end of the conversation, or a line offering the
//! agents Block with the reason filled in.

use chrono::NaiveDateTime;
use serde_json::json;

use super::service::{self, AgentRef, ChatError};
use crate::{
    db::{
        audit,
        chat::{self, NewEvent},
        models::Conversation,
        DbConn,
    },
    domain::{
        chat::{Author, EventKind, Status},
        shield_policy::{block_reason, masked, ShieldPolicy, StrikeAction, WARNING},
    },
};

/// Counts one strike on `conv` and acts when it reaches the shield's.
pub fn strike(
    conn: &mut DbConn,
    conv: &Conversation,
    shield: &ShieldPolicy,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    let n = chat::add_strike(conn, conv.id)?;
    if u32::try_from(n).ok() != Some(shield.strikes) {
        return Ok(());
    }
    let system = |kind, body| NewEvent {
        conversation_id: conv.id,
        kind,
        author: Author::System,
        name: "chatgate",
        body,
        at: now,
    };
    match shield.action {
        StrikeAction::Nothing => {}
        StrikeAction::Warn => {
            chat::append(conn, system(EventKind::Warning, json!({ "text": WARNING })))?;
        }
        StrikeAction::End => {
            chat::set_status(conn, conv.id, Status::Closed, conv.agent_user_id, Some(now))?;
            let close = crate::domain::screen_share::EndedBy::Close;
            super::screen_share::end_in(conn, conv, close, "chatgate", now)?;
            let text = "Ended by the offensive-language shield";
            chat::append(conn, system(EventKind::Closed, json!({ "text": text })))?;
        }
        StrikeAction::OfferBlock => {
            let reason = block_reason(shield.strikes);
            let body = json!({ "text": reason, "block_reason": reason });
            chat::append(conn, system(EventKind::Note, body))?;
        }
    }
    Ok(())
}

/// A message body as its reader gets it: agents get a shielded message's
/// text masked (and `shielded: true`), never the original, which only the
/// audited [`reveal`] hands out; the visitor gets what they wrote. The
/// stored ranges never leave.
pub fn view(body: &mut serde_json::Value, for_visitor: bool) {
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    let Some(ranges) = obj.remove("shield") else {
        return;
    };
    if for_visitor {
        return;
    }
    let ranges: Vec<(usize, usize)> = serde_json::from_value(ranges).unwrap_or_default();
    let text = obj.get("text").and_then(|t| t.as_str()).unwrap_or_default();
    let shown = masked(text, &ranges);
    obj.insert("text".into(), shown.into());
    obj.insert("shielded".into(), true.into());
}

/// The original text of a shielded message `seq` of the account's
/// conversation `id`, for an agent who pressed Show; audited.
pub fn reveal(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    seq: i64,
    now: NaiveDateTime,
) -> Result<String, ChatError> {
    let conv = service::agent_conversation(conn, a.account_id, id)?;
    let event = chat::events_after(conn, conv.id, seq - 1, false, 1)?
        .into_iter()
        .find(|e| e.seq == seq && e.kind == EventKind::Message.as_str())
        .ok_or(ChatError::NotFound)?;
    let body: serde_json::Value = serde_json::from_str(&event.body).unwrap_or_default();
    if body.get("shield").is_none() {
        return Err(ChatError::NotFound);
    }
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    let actor = audit::Actor::User {
        id: a.user_id,
        name: a.name,
    };
    let detail = format!("conversation {}, message {seq}", conv.public_id);
    audit::record(conn, a.account_id, actor, "message.reveal", &detail, now)?;
    Ok(text)
}
