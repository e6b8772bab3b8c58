//! Visitor blocks. The covered network is kept only sealed, with its blind
//! index beside it, and both are erased when the block ends, with the
//! keyed index of the browser of a block that covers it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    models::Block,
    schema::{blocks, conversations},
    DbConn,
};
use crate::domain::chat::Status;

/// A block in force as the gate reads it.
#[derive(Debug, Queryable)]
pub struct LiveBlock {
    pub id: i64,
    pub account_id: i64,
    pub public_id: String,
    /// The sealed network; `None` once erased.
    pub network_sealed: Option<Vec<u8>>,
    pub browser_index: Option<Vec<u8>>,
    pub expires_at: NaiveDateTime,
}

pub struct NewBlock<'a> {
    pub account_id: i64,
    pub conversation_id: i64,
    pub public_id: &'a str,
    pub network_sealed: Vec<u8>,
    pub network_index: Vec<u8>,
    /// The keyed index of the visitor's browser, when the block covers it.
    pub browser_index: Option<Vec<u8>>,
    pub reason: &'a str,
    pub by_user: i64,
    pub by_name: &'a str,
    pub now: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Records the block and marks its conversation blocked and ended. Call
/// inside a write transaction.
pub fn insert(conn: &mut DbConn, b: NewBlock<'_>) -> QueryResult<Block> {
    let id = diesel::insert_into(blocks::table)
        .values((
            blocks::account_id.eq(b.account_id),
            blocks::conversation_id.eq(Some(b.conversation_id)),
            blocks::public_id.eq(b.public_id),
            blocks::network_sealed.eq(Some(b.network_sealed)),
            blocks::network_index.eq(Some(b.network_index)),
            blocks::browser_index.eq(b.browser_index),
            blocks::reason.eq(b.reason),
            blocks::blocked_by_user_id.eq(Some(b.by_user)),
            blocks::blocked_by_name.eq(b.by_name),
            blocks::created_at.eq(b.now),
            blocks::expires_at.eq(b.expires_at),
        ))
        .returning(blocks::id)
        .get_result::<i64>(conn)?;
    diesel::update(
        conversations::table
            .filter(conversations::account_id.eq(b.account_id))
            .filter(conversations::id.eq(b.conversation_id)),
    )
    .set((
        conversations::block_id.eq(Some(id)),
        conversations::blocked_at.eq(Some(b.now)),
        conversations::block_reason.eq(Some(b.reason)),
        conversations::block_until.eq(Some(b.expires_at)),
        conversations::status.eq(Status::Closed.as_str()),
        conversations::ended_at.eq(Some(b.now)),
    ))
    .execute(conn)?;
    blocks::table
        .find(id)
        .select(Block::as_select())
        .first(conn)
}

pub fn get(conn: &mut DbConn, account_id: i64, id: i64) -> QueryResult<Option<Block>> {
    blocks::table
        .filter(blocks::account_id.eq(account_id))
        .filter(blocks::id.eq(id))
        .select(Block::as_select())
        .first(conn)
        .optional()
}

/// Lifts a block now: erases the sealed network and its index, and ends the
/// conversation's active period. The conversation keeps its record that it
/// was blocked. Returns false when the block was no longer active.
pub fn lift(
    conn: &mut DbConn,
    account_id: i64,
    id: i64,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        blocks::table
            .filter(blocks::account_id.eq(account_id))
            .filter(blocks::id.eq(id))
            .filter(blocks::lifted_at.is_null())
            .filter(blocks::expires_at.gt(now)),
    )
    .set((
        blocks::lifted_at.eq(Some(now)),
        blocks::lifted_by_name.eq(Some(by)),
        blocks::network_sealed.eq(None::<Vec<u8>>),
        blocks::network_index.eq(None::<Vec<u8>>),
        blocks::browser_index.eq(None::<Vec<u8>>),
    ))
    .execute(conn)?;
    if changed > 0 {
        diesel::update(
            conversations::table
                .filter(conversations::account_id.eq(account_id))
                .filter(conversations::block_id.eq(Some(id))),
        )
        .set(conversations::block_until.eq(Some(now)))
        .execute(conn)?;
    }
    Ok(changed > 0)
}

/// Blocks in force at `now`, with their sealed network and the browser
/// index of those that cover the browser.
pub fn live(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<LiveBlock>> {
    blocks::table
        .filter(
            blocks::network_sealed
                .is_not_null()
                .or(blocks::browser_index.is_not_null()),
        )
        .filter(blocks::lifted_at.is_null())
        .filter(blocks::expires_at.gt(now))
        .select((
            blocks::id,
            blocks::account_id,
            blocks::public_id,
            blocks::network_sealed,
            blocks::browser_index,
            blocks::expires_at,
        ))
        .load(conn)
}

/// Blocks whose seven days are over but whose sealed network is still
/// stored; erases it and returns them (for the audit log). Idempotent.
pub fn expire(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<Block>> {
    erase_ended(conn, now, None)
}

/// Like [`expire`] for one conversation's blocks (before it is blocked
/// again): erases the network of those whose seven days are over.
pub fn expire_conversation(
    conn: &mut DbConn,
    account_id: i64,
    conversation_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Block>> {
    erase_ended(conn, now, Some((account_id, conversation_id)))
}

/// Erases the network of the blocks (of one conversation, or all) whose
/// seven days are over, and returns the rows it changed (already without
/// their network). One statement
/// claims them, so of two purges at once each block is returned, and so
/// audited, by only one: on PostgreSQL the second waits on the row and
/// then no longer matches it.
fn erase_ended(
    conn: &mut DbConn,
    now: NaiveDateTime,
    only: Option<(i64, i64)>,
) -> QueryResult<Vec<Block>> {
    let mut q = diesel::update(blocks::table)
        .filter(
            blocks::network_index
                .is_not_null()
                .or(blocks::network_sealed.is_not_null())
                .or(blocks::browser_index.is_not_null()),
        )
        .filter(blocks::expires_at.le(now))
        .into_boxed();
    if let Some((account_id, conversation_id)) = only {
        q = q
            .filter(blocks::account_id.eq(account_id))
            .filter(blocks::conversation_id.eq(Some(conversation_id)));
    }
    let ids: Vec<i64> = q
        .set((
            blocks::network_sealed.eq(None::<Vec<u8>>),
            blocks::network_index.eq(None::<Vec<u8>>),
            blocks::browser_index.eq(None::<Vec<u8>>),
        ))
        .returning(blocks::id)
        .get_results(conn)?;
    // Read back in chunks: SQLite binds at most 32,766 values a statement,
    // and a purge after days without one can end more blocks than that.
    let mut ended = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_A_STATEMENT) {
        ended.extend(
            blocks::table
                .filter(blocks::id.eq_any(chunk))
                .select(Block::as_select())
                .load(conn)?,
        );
    }
    ended.sort_unstable_by_key(|b| b.id);
    Ok(ended)
}

/// The most ids bound in one statement.
const IDS_A_STATEMENT: usize = 10_000;

/// Erases visitor addresses of conversations started before `cutoff`.
pub fn purge_conversation_addresses(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        conversations::table
            .filter(conversations::visitor_ip_sealed.is_not_null())
            .filter(conversations::started_at.le(cutoff)),
    )
    .set((
        conversations::visitor_ip_sealed.eq(None::<Vec<u8>>),
        conversations::visitor_ip_index.eq(None::<Vec<u8>>),
    ))
    .execute(conn)
}

/// The sealed address of a conversation, if still stored.
pub fn conversation_address(
    conn: &mut DbConn,
    account_id: i64,
    conversation_id: i64,
) -> QueryResult<Option<Vec<u8>>> {
    Ok(conversations::table
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::id.eq(conversation_id))
        .select(conversations::visitor_ip_sealed)
        .first::<Option<Vec<u8>>>(conn)
        .optional()?
        .flatten())
}

/// One page of the account's blocks in force at `now`, newest first, with
/// the total count and the page shown.
pub fn active_page(
    conn: &mut DbConn,
    account_id: i64,
    now: NaiveDateTime,
    page: i64,
    limit: i64,
) -> QueryResult<(Vec<Block>, i64, i64)> {
    let active = || {
        blocks::table
            .filter(blocks::account_id.eq(account_id))
            .filter(blocks::lifted_at.is_null())
            .filter(blocks::expires_at.gt(now))
    };
    let total: i64 = active().count().get_result(conn)?;
    let pages = ((total + limit - 1) / limit).max(1);
    let page = page.clamp(1, pages);
    let rows = active()
        .order(blocks::id.desc())
        .offset((page - 1) * limit)
        .limit(limit)
        .select(Block::as_select())
        .load(conn)?;
    Ok((rows, total, page))
}
