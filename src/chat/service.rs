//! What visitors and agents do to conversations. Each action runs inside
//! one write transaction (the caller opens it with `Db::write`), so a
//! failure stores nothing, takes its time (`now`) from the caller's clock,
//! and returns what changed for the hub.

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use crate::domain::{screen_share::EndedBy, shield_policy::ShieldPolicy};
use crate::{
    crypto::{random_token, Keys, SealContext},
    db::{
        chat::{self, NewConversation, NewEvent},
        models::{BusinessCase, Conversation, Event},
        presence, DbConn,
    },
    domain::{
        account::InvalidInput,
        chat::{
            visitor_label, Author, EventKind, InvitationText, MessageText, Status, SurveyAnswer,
        },
    },
};

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("not found")]
    NotFound,
    /// Input the person can correct.
    #[error("{0}")]
    Invalid(&'static str),
    /// Not possible in the conversation's current state.
    #[error("{0}")]
    Conflict(&'static str),
    /// Over a flood limit (starting one more conversation): nothing was
    /// written.
    #[error("{}", crate::domain::flood::SLOW_DOWN)]
    TooFast,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl From<InvalidInput> for ChatError {
    fn from(e: InvalidInput) -> Self {
        ChatError::Invalid(e.0)
    }
}

pub const CLOSED: &str = "This conversation has ended.";

/// The visitor as the widget knows them: a case and the key of their cookie.
#[derive(Debug, Clone, Copy)]
pub struct VisitorRef<'a> {
    pub case: &'a BusinessCase,
    pub key: &'a str,
}

/// The signed-in agent acting.
#[derive(Debug, Clone, Copy)]
pub struct AgentRef<'a> {
    pub account_id: i64,
    pub user_id: i64,
    pub name: &'a str,
}

/// The table, column and row a visitor address is sealed for.
pub fn ip_context(public_id: &str) -> SealContext<'_> {
    SealContext {
        table: "conversations",
        column: "visitor_ip",
        row: public_id,
    }
}

/// The visitor's conversation `public_id`, or NotFound when it is not theirs.
pub fn visitor_conversation(
    conn: &mut DbConn,
    v: VisitorRef<'_>,
    public_id: &str,
) -> Result<Conversation, ChatError> {
    chat::for_visitor(conn, v.case.id, v.key, public_id)?.ok_or(ChatError::NotFound)
}

pub fn agent_conversation(
    conn: &mut DbConn,
    account_id: i64,
    id: i64,
) -> Result<Conversation, ChatError> {
    chat::for_account(conn, account_id, id)?.ok_or(ChatError::NotFound)
}

/// The conversation a visitor's request names, if it is theirs and still
/// open; else, when it names none, the visitor's open one in the case.
/// For lines agents read about a visitor's refused request.
pub fn named_or_open(
    conn: &mut DbConn,
    v: VisitorRef<'_>,
    conversation: Option<&str>,
) -> Result<Option<Conversation>, ChatError> {
    Ok(match conversation {
        Some(id) => visitor_conversation(conn, v, id)
            .ok()
            .filter(|c| !c.is_closed()),
        None => open_conversation(conn, v)?,
    })
}

/// The visitor's open conversation in the case, if any.
pub fn open_conversation(
    conn: &mut DbConn,
    v: VisitorRef<'_>,
) -> Result<Option<Conversation>, ChatError> {
    Ok(chat::latest_for_visitor(conn, v.case.id, v.key)?.filter(|c| !c.is_closed()))
}

/// Visitors count as online for a minute after their last sign of life.
pub const ONLINE_SECS: i64 = 60;

/// Visitors seen after this are online at `now`.
pub fn online_since(now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::seconds(ONLINE_SECS)
}

/// An event by the agent.
pub(super) fn agent_event<'a>(
    a: AgentRef<'a>,
    conversation_id: i64,
    kind: EventKind,
    body: serde_json::Value,
    at: NaiveDateTime,
) -> NewEvent<'a> {
    NewEvent {
        conversation_id,
        kind,
        author: Author::Agent,
        name: a.name,
        body,
        at,
    }
}

/// Notes `kind` by the agent in the conversation, with nothing more to say.
fn agent_note(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    conversation_id: i64,
    kind: EventKind,
    now: NaiveDateTime,
) -> Result<Event, ChatError> {
    let event = agent_event(a, conversation_id, kind, json!({}), now);
    Ok(chat::append(conn, event)?)
}

/// Makes `change` to the agent's open conversation `id` and notes it as
/// `kind` by the agent.
pub(super) fn agent_change(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    kind: EventKind,
    now: NaiveDateTime,
    change: impl FnOnce(&mut DbConn, &Conversation) -> Result<(), ChatError>,
) -> Result<Conversation, ChatError> {
    let conv = agent_conversation(conn, a.account_id, id)?;
    open(&conv)?;
    change(conn, &conv)?;
    agent_note(conn, a, conv.id, kind, now)?;
    Ok(conv)
}

/// An event by the conversation's visitor.
pub(super) fn visitor_event(
    conv: &Conversation,
    kind: EventKind,
    body: serde_json::Value,
    at: NaiveDateTime,
) -> NewEvent<'_> {
    NewEvent {
        conversation_id: conv.id,
        kind,
        author: Author::Visitor,
        name: &conv.visitor_label,
        body,
        at,
    }
}

pub(super) fn open(conv: &Conversation) -> Result<(), ChatError> {
    if conv.is_closed() {
        Err(ChatError::Conflict(CLOSED))
    } else {
        Ok(())
    }
}

/// What a visitor sends, and from where.
#[derive(Clone, Copy)]
pub struct VisitorMessage<'a> {
    /// The conversation it is for; none for the visitor's open one in the
    /// case, or a new one.
    pub conversation: Option<&'a str>,
    pub ip: IpAddr,
    pub page_url: Option<&'a str>,
    /// The language the visitor's widget speaks, kept with a new chat.
    pub lang: Option<crate::domain::language::Lang>,
    pub text: &'a MessageText,
    /// Flood control: asked only when the message would start a
    /// conversation; `false` refuses it (`ChatError::TooFast`).
    pub may_start: &'a dyn Fn() -> bool,
    /// What the account's shield found in the text (byte ranges), and
    /// the shield, for its strikes.
    pub shielded: Option<(&'a [(usize, usize)], &'a ShieldPolicy)>,
}

/// A visitor's message. Without a conversation id it goes to the visitor's
/// open conversation in the case, or starts one; the visitor's address is
/// then stored sealed, with its blind index beside it.
pub fn visitor_message(
    conn: &mut DbConn,
    keys: &Keys,
    v: VisitorRef<'_>,
    m: VisitorMessage<'_>,
    now: NaiveDateTime,
) -> Result<(Conversation, Event), ChatError> {
    let conv = match m.conversation {
        Some(public_id) => {
            let c = visitor_conversation(conn, v, public_id)?;
            open(&c)?;
            c
        }
        None => match open_conversation(conn, v)? {
            Some(c) => c,
            None if !(m.may_start)() => return Err(ChatError::TooFast),
            None => start(conn, keys, v, m, now)?,
        },
    };
    let (body, shield) = match m.shielded {
        Some((ranges, shield)) if !ranges.is_empty() => (
            json!({ "text": m.text.as_str(), "shield": ranges }),
            Some(shield),
        ),
        _ => (json!({ "text": m.text.as_str() }), None),
    };
    let event = chat::append(conn, visitor_event(&conv, EventKind::Message, body, now))?;
    if let Some(shield) = shield {
        super::shield::strike(conn, &conv, shield, now)?;
    }
    Ok((conv, event))
}

fn start(
    conn: &mut DbConn,
    keys: &Keys,
    v: VisitorRef<'_>,
    m: VisitorMessage<'_>,
    now: NaiveDateTime,
) -> Result<Conversation, ChatError> {
    let public_id = random_token();
    let canonical = m.ip.to_canonical().to_string();
    let label = visitor_label(v.key);
    let conv = chat::create(
        conn,
        NewConversation {
            account_id: v.case.account_id,
            case_id: v.case.id,
            public_id: &public_id,
            visitor_key: v.key,
            visitor_label: &label,
            page_url: m.page_url,
            visitor_lang: m.lang.map(|l| l.code()),
            ip_sealed: keys.seal(canonical.as_bytes(), ip_context(&public_id)),
            ip_index: keys.ip_index(&canonical),
            now,
        },
    )?;
    warn_of_past_block(conn, &conv, now)?;
    Ok(conv)
}

/// How long a block of the browser is told to agents in its new chats.
pub const BROWSER_WARNING_DAYS: i64 = 7;

/// A new chat of a browser that was in a blocked conversation of the
/// account in the last 7 days (and is here from an address no block
/// covers, or the gate would have refused it): the agents read when and
/// why, with Block offered.
fn warn_of_past_block(
    conn: &mut DbConn,
    conv: &Conversation,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    let since = now - chrono::Duration::days(BROWSER_WARNING_DAYS);
    let Some((at, reason)) =
        chat::browser_blocked_since(conn, conv.account_id, &conv.visitor_key, since)?
    else {
        return Ok(());
    };
    let reason = reason.unwrap_or_default();
    let text = format!(
        "This browser was blocked on {}: {reason}",
        at.format("%-d %b %Y")
    );
    let body = json!({ "text": text, "block_reason": reason });
    let event = NewEvent {
        conversation_id: conv.id,
        kind: EventKind::Note,
        author: Author::System,
        name: "chatgate",
        body,
        at: now,
    };
    chat::append(conn, event)?;
    Ok(())
}

/// An agent's message; the first agent to answer takes the conversation.
pub fn agent_message(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    text: &MessageText,
    now: NaiveDateTime,
) -> Result<Event, ChatError> {
    let conv = agent_conversation(conn, a.account_id, id)?;
    open(&conv)?;
    join(conn, a, &conv, now)?;
    let body = json!({ "text": text.as_str() });
    Ok(chat::append(
        conn,
        agent_event(a, conv.id, EventKind::Message, body, now),
    )?)
}

/// Marks a waiting conversation as taken by the agent.
pub fn join(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    conv: &Conversation,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    if conv.status() == Status::Waiting {
        chat::set_status(conn, conv.id, Status::Active, Some(a.user_id), None)?;
        agent_note(conn, a, conv.id, EventKind::AgentJoined, now)?;
    }
    Ok(())
}

/// Ends the conversation and offers the survey.
pub fn close(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    let conv = agent_change(conn, a, id, EventKind::Closed, now, |conn, conv| {
        let by = conv.agent_user_id.or(Some(a.user_id));
        chat::set_status(conn, conv.id, Status::Closed, by, Some(now))?;
        super::screen_share::end_in(conn, conv, EndedBy::Close, "chatgate", now)?;
        Ok(())
    })?;
    if !conv.survey_offered {
        offer_survey(conn, a, &conv, now)?;
    }
    Ok(())
}

fn offer_survey(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    conv: &Conversation,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    chat::set_survey_offered(conn, conv.id)?;
    agent_note(conn, a, conv.id, EventKind::SurveyOffered, now)?;
    Ok(())
}

/// The agent sends the survey now.
pub fn send_survey(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    let conv = agent_conversation(conn, a.account_id, id)?;
    if conv.survey_rating.is_some() {
        return Err(ChatError::Conflict(
            "The visitor has already answered the survey.",
        ));
    }
    if conv.survey_offered {
        return Err(ChatError::Conflict("The survey has already been sent."));
    }
    offer_survey(conn, a, &conv, now)
}

pub fn answer_survey(
    conn: &mut DbConn,
    v: VisitorRef<'_>,
    public_id: &str,
    answer: &SurveyAnswer,
    now: NaiveDateTime,
) -> Result<Conversation, ChatError> {
    let conv = visitor_conversation(conn, v, public_id)?;
    // A blocked conversation's survey is never answered, even after the
    // block ends.
    if !conv.survey_offered || conv.block_id.is_some() || conv.blocked_at.is_some() {
        return Err(ChatError::Conflict("There is no survey to answer."));
    }
    if chat::set_survey_answer(conn, conv.id, answer.rating, answer.comment.as_deref())? == 0 {
        return Err(ChatError::Conflict(
            "The survey has already been answered. Thank you!",
        ));
    }
    let body = json!({ "rating": answer.rating, "comment": answer.comment });
    chat::append(
        conn,
        visitor_event(&conv, EventKind::SurveyAnswered, body, now),
    )?;
    Ok(conv)
}

/// Invites a visitor who is online at `now` ([`online_since`]) and not
/// under a block. Returns the visitor's case id.
pub fn invite(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    visitor_id: i64,
    text: &InvitationText,
    now: NaiveDateTime,
) -> Result<i64, ChatError> {
    let v = chat::visitor(conn, a.account_id, visitor_id)?.ok_or(ChatError::NotFound)?;
    if presence::is_blocked(conn, a.account_id, &v.visitor_key, now)? {
        return Err(ChatError::Conflict(
            "This visitor is blocked, so no invitation was sent.",
        ));
    }
    if v.last_seen_at <= online_since(now) {
        return Err(ChatError::NotFound);
    }
    chat::invite(conn, &v, a.name, text.as_str(), now)?;
    Ok(v.case_id)
}
