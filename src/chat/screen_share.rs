//! Screen sharing. An agent asks; the visitor answers; the visitor's
//! browser offers its screen to the agent's console over WebRTC. Media
//! flows between the two browsers; chatgate carries only the signals (the
//! offer, the answer and ICE candidates), as conversation events: stored
//! in order, sealed (they name network addresses), delivered by the
//! existing streams on every instance, and erased when the share ends.
//!
//! Only the agent who asked connects; a block or the conversation's end
//! ends the share at once, and the gate refuses a blocked visitor's
//! signals like every other widget call.

use chrono::NaiveDateTime;
use serde_json::json;

use super::service::{
    agent_change, agent_conversation, agent_event, open, visitor_conversation, visitor_event,
    AgentRef, ChatError, VisitorRef,
};
use crate::{
    crypto::{Keys, SealContext},
    db::{chat, models::Conversation, screen_share as db, DbConn},
    domain::{
        chat::{Author, EventKind},
        screen_share::{EndedBy, ScreenShare, Signal, NOTHING_TO_END, NOT_SHARING},
    },
};

/// What a signal is sealed for: the conversation it belongs to.
pub fn signal_context(conversation_row: &str) -> SealContext<'_> {
    SealContext {
        table: "events",
        column: "share_signal",
        row: conversation_row,
    }
}

pub fn request(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    let kind = EventKind::ScreenShareRequested;
    agent_change(conn, a, id, kind, now, |conn, conv| {
        let next = ScreenShare::parse(&conv.screen_share).request()?;
        super::service::join(conn, a, conv, now)?;
        db::set(conn, conv.id, next.as_str(), Some(a.user_id), None)?;
        Ok(())
    })?;
    Ok(())
}

pub fn answer(
    conn: &mut DbConn,
    v: VisitorRef<'_>,
    public_id: &str,
    accept: bool,
    now: NaiveDateTime,
) -> Result<Conversation, ChatError> {
    let conv = visitor_conversation(conn, v, public_id)?;
    open(&conv)?;
    let next = ScreenShare::parse(&conv.screen_share).answer(accept)?;
    chat::set_screen_share(conn, conv.id, next.as_str())?;
    let kind = if accept {
        EventKind::ScreenShareAccepted
    } else {
        EventKind::ScreenShareDeclined
    };
    chat::append(conn, visitor_event(&conv, kind, json!({}), now))?;
    Ok(conv)
}

/// The visitor's browser sends an offer or a candidate. The first offer
/// starts the share (a line for both sides).
pub fn visitor_signal(
    conn: &mut DbConn,
    keys: &Keys,
    v: VisitorRef<'_>,
    public_id: &str,
    signal: &Signal,
    now: NaiveDateTime,
) -> Result<Conversation, ChatError> {
    let conv = visitor_conversation(conn, v, public_id)?;
    open(&conv)?;
    let state = ScreenShare::parse(&conv.screen_share);
    if signal.offer {
        let next = state.offer()?;
        if state != next {
            db::set_started(conn, conv.id, next.as_str(), now)?;
            let body = json!({ "agent": conv.share_agent_id });
            let started = visitor_event(&conv, EventKind::ScreenShareStarted, body, now);
            chat::append(conn, started)?;
        }
    } else if !state.is_live() {
        return Err(ChatError::Conflict(NOT_SHARING));
    }
    let body = sealed(keys, &conv, signal, conv.share_agent_id);
    chat::append(
        conn,
        visitor_event(&conv, EventKind::ShareSignal, body, now),
    )?;
    Ok(conv)
}

/// The agent's console answers or sends a candidate: only the agent the
/// share is for, while it is live.
pub fn agent_signal(
    conn: &mut DbConn,
    keys: &Keys,
    a: AgentRef<'_>,
    id: i64,
    signal: &Signal,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    let conv = agent_conversation(conn, a.account_id, id)?;
    open(&conv)?;
    if !ScreenShare::parse(&conv.screen_share).is_live() {
        return Err(ChatError::Conflict(NOT_SHARING));
    }
    if conv.share_agent_id != Some(a.user_id) {
        return Err(ChatError::Conflict(
            "Another agent is viewing this screen share.",
        ));
    }
    let body = sealed(keys, &conv, signal, Some(a.user_id));
    let event = agent_event(a, conv.id, EventKind::ShareSignal, body, now);
    chat::append(conn, event)?;
    Ok(())
}

/// The signal as stored: sealed, with the agent it is for beside it.
fn sealed(
    keys: &Keys,
    conv: &Conversation,
    signal: &Signal,
    agent: Option<i64>,
) -> serde_json::Value {
    use base64::Engine;
    let row = conv.id.to_string();
    let bytes = keys.seal(signal.to_json().as_bytes(), signal_context(&row));
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    json!({ "agent": agent, "sealed": text })
}

/// The signal a stored event carries, opened; None when it does not open.
pub fn opened(keys: &Keys, conversation_id: i64, body: &serde_json::Value) -> serde_json::Value {
    use base64::Engine;
    let row = conversation_id.to_string();
    let plain = body["sealed"]
        .as_str()
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .and_then(|b| keys.open(&b, signal_context(&row)).ok())
        .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok());
    json!({ "agent": body["agent"], "signal": plain })
}

/// A stored signal as a stream sends it: the visitor gets the agent's
/// (not whom they are for), agents get the visitor's and each other's.
pub fn view(
    keys: &Keys,
    e: &crate::db::models::Event,
    for_visitor: bool,
) -> Option<serde_json::Value> {
    if for_visitor && e.author != Author::Visitor.as_str() {
        let mut d = super::stream::event_json(e, true);
        d["body"] = json!({ "signal": opened(keys, e.conversation_id, &d["body"])["signal"] });
        return Some(d);
    }
    if for_visitor {
        return None;
    }
    let mut d = super::stream::event_json(e, false);
    d["body"] = opened(keys, e.conversation_id, &d["body"]);
    Some(d)
}

pub fn visitor_end(
    conn: &mut DbConn,
    v: VisitorRef<'_>,
    public_id: &str,
    now: NaiveDateTime,
) -> Result<Conversation, ChatError> {
    let conv = visitor_conversation(conn, v, public_id)?;
    end_asked(conn, &conv, EndedBy::Visitor, &conv.visitor_label, now)?;
    Ok(conv)
}

pub fn agent_end(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    let conv = agent_conversation(conn, a.account_id, id)?;
    end_asked(conn, &conv, EndedBy::Agent, a.name, now)
}

/// A side asked to end the share: a conflict when there is none.
fn end_asked(
    conn: &mut DbConn,
    conv: &Conversation,
    by: EndedBy,
    name: &str,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    match end_in(conn, conv, by, name, now)? {
        true => Ok(()),
        false => Err(ChatError::Conflict(NOTHING_TO_END)),
    }
}

/// Ends the conversation's share, if one is asked for or under way: the
/// signals are erased and both sides get the end line (the duration once
/// it had started). Returns whether there was one.
pub fn end_in(
    conn: &mut DbConn,
    conv: &Conversation,
    by: EndedBy,
    name: &str,
    now: NaiveDateTime,
) -> Result<bool, ChatError> {
    let Ok(next) = ScreenShare::parse(&conv.screen_share).end() else {
        return Ok(false);
    };
    db::set(conn, conv.id, next.as_str(), conv.share_agent_id, None)?;
    db::erase_signals(conn, conv.id)?;
    let secs = conv
        .share_started_at
        .map(|s| (now - s).num_seconds().max(0));
    let author = match by {
        EndedBy::Visitor => Author::Visitor,
        EndedBy::Agent => Author::Agent,
        EndedBy::Block | EndedBy::Close => Author::System,
    };
    chat::append(
        conn,
        chat::NewEvent {
            conversation_id: conv.id,
            kind: EventKind::ScreenShareEnded,
            author,
            name,
            body: json!({ "by": by.as_str(), "secs": secs }),
            at: now,
        },
    )?;
    Ok(true)
}
