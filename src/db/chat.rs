//! Conversations, their events, files, online visitors and invitations.
//! Agent-facing functions take the account id; visitor-facing ones take the
//! business case and the visitor's key, and never cross either.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{models::*, notify, schema::*, DbConn};
use crate::domain::{
    chat::{Author, EventKind, Status},
    notice::{Kind, Notice},
};

pub fn case_by_widget_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<BusinessCase>> {
    business_cases::table
        .filter(business_cases::widget_key.eq(key))
        .select(BusinessCase::as_select())
        .first(conn)
        .optional()
}

/// Every business case, for the gate's in-memory lookup by widget key.
pub fn all_cases(conn: &mut DbConn) -> QueryResult<Vec<BusinessCase>> {
    business_cases::table
        .order(business_cases::id.asc())
        .select(BusinessCase::as_select())
        .load(conn)
}

/// The visitor's latest conversation in a case, open or closed.
pub fn latest_for_visitor(
    conn: &mut DbConn,
    case_id: i64,
    visitor_key: &str,
) -> QueryResult<Option<Conversation>> {
    conversations::table
        .filter(conversations::case_id.eq(case_id))
        .filter(conversations::visitor_key.eq(visitor_key))
        .order(conversations::id.desc())
        .select(Conversation::as_select())
        .first(conn)
        .optional()
}

pub fn for_visitor(
    conn: &mut DbConn,
    case_id: i64,
    visitor_key: &str,
    public_id: &str,
) -> QueryResult<Option<Conversation>> {
    conversations::table
        .filter(conversations::case_id.eq(case_id))
        .filter(conversations::visitor_key.eq(visitor_key))
        .filter(conversations::public_id.eq(public_id))
        .select(Conversation::as_select())
        .first(conn)
        .optional()
}

pub fn for_account(
    conn: &mut DbConn,
    account_id: i64,
    id: i64,
) -> QueryResult<Option<Conversation>> {
    conversations::table
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::id.eq(id))
        .select(Conversation::as_select())
        .first(conn)
        .optional()
}

pub struct NewConversation<'a> {
    pub account_id: i64,
    pub case_id: i64,
    pub public_id: &'a str,
    pub visitor_key: &'a str,
    pub visitor_label: &'a str,
    pub page_url: Option<&'a str>,
    pub visitor_lang: Option<&'a str>,
    pub ip_sealed: Vec<u8>,
    pub ip_index: Vec<u8>,
    pub now: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, n: NewConversation<'_>) -> QueryResult<Conversation> {
    let id = diesel::insert_into(conversations::table)
        .values((
            conversations::account_id.eq(n.account_id),
            conversations::case_id.eq(n.case_id),
            conversations::public_id.eq(n.public_id),
            conversations::visitor_key.eq(n.visitor_key),
            conversations::visitor_label.eq(n.visitor_label),
            conversations::status.eq(Status::Waiting.as_str()),
            conversations::page_url.eq(n.page_url),
            conversations::visitor_lang.eq(n.visitor_lang),
            conversations::visitor_ip_sealed.eq(Some(n.ip_sealed)),
            conversations::visitor_ip_index.eq(Some(n.ip_index)),
            conversations::started_at.eq(n.now),
        ))
        .returning(conversations::id)
        .get_result::<i64>(conn)?;
    conversations::table
        .find(id)
        .select(Conversation::as_select())
        .first(conn)
}

/// An event to append to a conversation.
pub struct NewEvent<'a> {
    pub conversation_id: i64,
    pub kind: EventKind,
    pub author: Author,
    /// The author's name as shown.
    pub name: &'a str,
    pub body: serde_json::Value,
    pub at: NaiveDateTime,
}

/// Appends an event with the conversation's next sequence number. The
/// counter update locks the conversation row, so within a conversation
/// commit order is sequence order. Call inside a write transaction.
pub fn append(conn: &mut DbConn, e: NewEvent<'_>) -> QueryResult<Event> {
    let NewEvent {
        conversation_id,
        kind,
        author,
        name,
        body,
        at,
    } = e;
    let counts = matches!(kind, EventKind::Message | EventKind::File) as i32;
    diesel::update(conversations::table.find(conversation_id))
        .set((
            conversations::last_seq.eq(conversations::last_seq + 1),
            conversations::message_count.eq(conversations::message_count + counts),
        ))
        .execute(conn)?;
    let (seq, account_id): (i64, i64) = conversations::table
        .find(conversation_id)
        .select((conversations::last_seq, conversations::account_id))
        .first(conn)?;
    notify::send(
        conn,
        Notice::new(account_id, Kind::Event, conversation_id, seq),
    )?;
    let body = body.to_string();
    let id = diesel::insert_into(events::table)
        .values((
            events::conversation_id.eq(conversation_id),
            events::seq.eq(seq),
            events::kind.eq(kind.as_str()),
            events::author.eq(author.as_str()),
            events::author_name.eq(name),
            events::body.eq(&body),
            events::created_at.eq(at),
        ))
        .returning(events::id)
        .get_result::<i64>(conn)?;
    Ok(Event {
        id,
        conversation_id,
        seq,
        kind: kind.as_str().to_owned(),
        author: author.as_str().to_owned(),
        author_name: name.to_owned(),
        body,
        created_at: at,
    })
}

/// Events after `after_seq`, in order; the visitor's view leaves out the
/// agents-only kinds.
pub fn events_after(
    conn: &mut DbConn,
    conversation_id: i64,
    after_seq: i64,
    for_visitor: bool,
    limit: i64,
) -> QueryResult<Vec<Event>> {
    let mut q = events::table
        .filter(events::conversation_id.eq(conversation_id))
        .filter(events::seq.gt(after_seq))
        .order(events::seq)
        .limit(limit)
        .select(Event::as_select())
        .into_boxed();
    if for_visitor {
        q = q.filter(events::kind.eq_any(EventKind::visitor_kinds()));
    }
    q.load(conn)
}

/// When the browser `visitor_key` was last blocked in one of the
/// account's conversations since `since`, and the reason given.
pub fn browser_blocked_since(
    conn: &mut DbConn,
    account_id: i64,
    visitor_key: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<(NaiveDateTime, Option<String>)>> {
    let cases = business_cases::table
        .filter(business_cases::account_id.eq(account_id))
        .select(business_cases::id);
    conversations::table
        .filter(conversations::case_id.eq_any(cases))
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::visitor_key.eq(visitor_key))
        .filter(conversations::blocked_at.ge(since))
        .order(conversations::blocked_at.desc())
        .select((
            conversations::blocked_at.assume_not_null(),
            conversations::block_reason,
        ))
        .first(conn)
        .optional()
}

/// One more strike of the shield on the conversation; returns how many
/// it has now.
pub fn add_strike(conn: &mut DbConn, conversation_id: i64) -> QueryResult<i32> {
    diesel::update(conversations::table.find(conversation_id))
        .set(conversations::strikes.eq(conversations::strikes + 1))
        .execute(conn)?;
    conversations::table
        .find(conversation_id)
        .select(conversations::strikes)
        .first(conn)
}

pub fn set_status(
    conn: &mut DbConn,
    conversation_id: i64,
    status: Status,
    agent: Option<i64>,
    ended_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(conversations::table.find(conversation_id))
        .set((
            conversations::status.eq(status.as_str()),
            conversations::agent_user_id.eq(agent),
            conversations::ended_at.eq(ended_at),
        ))
        .execute(conn)
}

pub fn set_screen_share(
    conn: &mut DbConn,
    conversation_id: i64,
    state: &str,
) -> QueryResult<usize> {
    diesel::update(conversations::table.find(conversation_id))
        .set(conversations::screen_share.eq(state))
        .execute(conn)
}

pub fn set_survey_offered(conn: &mut DbConn, conversation_id: i64) -> QueryResult<usize> {
    diesel::update(conversations::table.find(conversation_id))
        .set(conversations::survey_offered.eq(true))
        .execute(conn)
}

pub fn set_survey_answer(
    conn: &mut DbConn,
    conversation_id: i64,
    rating: i32,
    comment: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(
        conversations::table
            .find(conversation_id)
            .filter(conversations::survey_rating.is_null()),
    )
    .set((
        conversations::survey_rating.eq(Some(rating)),
        conversations::survey_comment.eq(comment),
    ))
    .execute(conn)
}

/// Open conversations of the account, with the case name, oldest first.
pub fn open_for_account(
    conn: &mut DbConn,
    account_id: i64,
) -> QueryResult<Vec<(Conversation, String)>> {
    conversations::table
        .inner_join(business_cases::table)
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::status.ne(Status::Closed.as_str()))
        .order(conversations::id)
        .select((Conversation::as_select(), business_cases::name))
        .load(conn)
}

/// When the visitor last wrote (a message or a file), for each of the
/// account's open conversations that has one.
pub fn visitor_last_wrote(
    conn: &mut DbConn,
    account_id: i64,
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    events::table
        .inner_join(conversations::table)
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::status.ne(Status::Closed.as_str()))
        .filter(events::author.eq(Author::Visitor.as_str()))
        .filter(events::kind.eq_any([EventKind::Message.as_str(), EventKind::File.as_str()]))
        .group_by(events::conversation_id)
        .select((
            events::conversation_id,
            diesel::dsl::max(events::created_at),
        ))
        .load(conn)
}

pub struct NewFile<'a> {
    pub account_id: i64,
    pub conversation_id: i64,
    pub public_id: &'a str,
    pub stored_name: &'a str,
    pub original_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub uploaded_by: Author,
    pub category: &'a str,
    pub preview_type: Option<&'a str>,
    pub now: NaiveDateTime,
}

/// Records a file; returns its id.
pub fn insert_file(conn: &mut DbConn, f: &NewFile<'_>) -> QueryResult<i64> {
    diesel::insert_into(files::table)
        .values((
            files::account_id.eq(f.account_id),
            files::conversation_id.eq(f.conversation_id),
            files::public_id.eq(f.public_id),
            files::stored_name.eq(f.stored_name),
            files::original_name.eq(f.original_name),
            files::content_type.eq(f.content_type),
            files::size_bytes.eq(f.size),
            files::uploaded_by.eq(f.uploaded_by.as_str()),
            files::created_at.eq(f.now),
            files::category.eq(Some(f.category)),
            files::preview_type.eq(f.preview_type),
        ))
        .returning(files::id)
        .get_result(conn)
}

pub fn file(
    conn: &mut DbConn,
    conversation_id: i64,
    public_id: &str,
) -> QueryResult<Option<StoredFile>> {
    files::table
        .filter(files::conversation_id.eq(conversation_id))
        .filter(files::public_id.eq(public_id))
        .select(StoredFile::as_select())
        .first(conn)
        .optional()
}

pub fn file_for_account(
    conn: &mut DbConn,
    account_id: i64,
    public_id: &str,
) -> QueryResult<Option<StoredFile>> {
    files::table
        .filter(files::account_id.eq(account_id))
        .filter(files::public_id.eq(public_id))
        .select(StoredFile::as_select())
        .first(conn)
        .optional()
}

/// Marks the visitor as online now. Call inside a write transaction.
pub fn touch_visitor(
    conn: &mut DbConn,
    case: &BusinessCase,
    visitor_key: &str,
    label: &str,
    page_url: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(
        visitors::table
            .filter(visitors::case_id.eq(case.id))
            .filter(visitors::visitor_key.eq(visitor_key)),
    )
    .set((
        visitors::last_seen_at.eq(now),
        visitors::page_url.eq(page_url),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(visitors::table)
            .values((
                visitors::account_id.eq(case.account_id),
                visitors::case_id.eq(case.id),
                visitors::visitor_key.eq(visitor_key),
                visitors::label.eq(label),
                visitors::page_url.eq(page_url),
                visitors::last_seen_at.eq(now),
            ))
            .execute(conn)?;
        // A new visitor online: consoles elsewhere list them.
        notify::send(conn, Notice::new(case.account_id, Kind::List, 0, 0))?;
    }
    Ok(())
}

/// Visitors seen since `since`, with their case name.
pub fn online_visitors(
    conn: &mut DbConn,
    account_id: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<(OnlineVisitor, String)>> {
    visitors::table
        .inner_join(business_cases::table.on(business_cases::id.eq(visitors::case_id)))
        .filter(visitors::account_id.eq(account_id))
        .filter(visitors::last_seen_at.gt(since))
        .order(visitors::last_seen_at.desc())
        .limit(200)
        .select((OnlineVisitor::as_select(), business_cases::name))
        .load(conn)
}

pub fn visitor(conn: &mut DbConn, account_id: i64, id: i64) -> QueryResult<Option<OnlineVisitor>> {
    visitors::table
        .filter(visitors::account_id.eq(account_id))
        .filter(visitors::id.eq(id))
        .select(OnlineVisitor::as_select())
        .first(conn)
        .optional()
}

pub fn invite(
    conn: &mut DbConn,
    v: &OnlineVisitor,
    agent_name: &str,
    message: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::account_id.eq(v.account_id),
            invitations::case_id.eq(v.case_id),
            invitations::visitor_key.eq(&v.visitor_key),
            invitations::agent_name.eq(agent_name),
            invitations::message.eq(message),
            invitations::created_at.eq(now),
        ))
        .execute(conn)?;
    notify::send(conn, Notice::new(v.account_id, Kind::Invitation, 0, 0))
}

/// Invitations for the visitor newer than `after_id` and than `since`.
pub fn invitations_after(
    conn: &mut DbConn,
    case_id: i64,
    visitor_key: &str,
    after_id: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<Invitation>> {
    invitations::table
        .filter(invitations::case_id.eq(case_id))
        .filter(invitations::visitor_key.eq(visitor_key))
        .filter(invitations::id.gt(after_id))
        .filter(invitations::created_at.gt(since))
        .order(invitations::id)
        .select(Invitation::as_select())
        .load(conn)
}

/// The highest event id (0 when there is none).
pub fn max_event_id(conn: &mut DbConn) -> QueryResult<i64> {
    events::table
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)
        .map(|m| m.unwrap_or(0))
}

/// Events with an id above `after_id`, oldest first: (id, account,
/// conversation, sequence number). For the instance's safety poll, which
/// wakes the streams they concern. It spans every account on purpose and
/// reads no event's content.
pub fn events_since(
    conn: &mut DbConn,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, i64, i64, i64)>> {
    events::table
        .inner_join(conversations::table)
        .filter(events::id.gt(after_id))
        .order(events::id.asc())
        .limit(limit)
        .select((
            events::id,
            conversations::account_id,
            events::conversation_id,
            events::seq,
        ))
        .load(conn)
}
