//! What the agent console's sidebar reads about a visitor: the pages their
//! widget reported, their other conversations, and the blocks that concern
//! them. Queries only; `chat::context` puts them together.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    models::Block,
    schema::{blocks, conversations, visitor_pages as pages, visitors},
    DbConn,
};
use crate::domain::visit::KEEP_PAGES;

/// Records that the visitor is on `url` now, unless it is the last page
/// recorded for them (a reload, or a stream reconnecting); keeps their
/// newest [`KEEP_PAGES`]. Returns whether a page was added. Call inside a
/// write transaction.
pub fn record_page(
    conn: &mut DbConn,
    account_id: i64,
    visitor_key: &str,
    url: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    // Two tabs of one visitor: one after the other, so neither records
    // the page twice nor trims what the other just added.
    super::lock(conn, "visitor_pages", visitor_key)?;
    let theirs = || {
        pages::table
            .filter(pages::account_id.eq(account_id))
            .filter(pages::visitor_key.eq(visitor_key))
    };
    let last: Option<String> = theirs()
        .order(pages::id.desc())
        .select(pages::url)
        .first(conn)
        .optional()?;
    if last.as_deref() == Some(url) {
        return Ok(false);
    }
    diesel::insert_into(pages::table)
        .values((
            pages::account_id.eq(account_id),
            pages::visitor_key.eq(visitor_key),
            pages::url.eq(url),
            pages::seen_at.eq(now),
        ))
        .execute(conn)?;
    let older: Vec<i64> = theirs()
        .order(pages::id.desc())
        .offset(KEEP_PAGES as i64)
        .limit(1000)
        .select(pages::id)
        .load(conn)?;
    if !older.is_empty() {
        diesel::delete(pages::table.filter(pages::id.eq_any(&older))).execute(conn)?;
    }
    Ok(true)
}

/// The pages recorded for the visitor, oldest first: (url, seen at).
pub fn pages(
    conn: &mut DbConn,
    account_id: i64,
    visitor_key: &str,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    let mut rows: Vec<(String, NaiveDateTime)> = pages::table
        .filter(pages::account_id.eq(account_id))
        .filter(pages::visitor_key.eq(visitor_key))
        .order(pages::id.desc())
        .limit(KEEP_PAGES as i64)
        .select((pages::url, pages::seen_at))
        .load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// When the visitor was last seen in the case (online while recent), and
/// on which page.
pub fn last_seen(
    conn: &mut DbConn,
    case_id: i64,
    visitor_key: &str,
) -> QueryResult<Option<(NaiveDateTime, Option<String>)>> {
    visitors::table
        .filter(visitors::case_id.eq(case_id))
        .filter(visitors::visitor_key.eq(visitor_key))
        .select((visitors::last_seen_at, visitors::page_url))
        .first(conn)
        .optional()
}

/// Erases the pages seen before `cutoff`.
pub fn purge_pages(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(pages::table.filter(pages::seen_at.lt(cutoff))).execute(conn)
}

/// Another conversation of the visitor, as the sidebar lists it.
#[derive(Debug, Clone, Queryable)]
pub struct Earlier {
    pub id: i64,
    pub started_at: NaiveDateTime,
    pub message_count: i32,
    pub blocked_at: Option<NaiveDateTime>,
}

/// The visitor's conversations in the account that started before
/// conversation `id` (at `started_at`), newest first, at most `limit`.
pub fn earlier_conversations(
    conn: &mut DbConn,
    account_id: i64,
    visitor_key: &str,
    id: i64,
    started_at: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Earlier>> {
    conversations::table
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::visitor_key.eq(visitor_key))
        .filter(conversations::id.ne(id))
        .filter(conversations::started_at.le(started_at))
        .order((conversations::started_at.desc(), conversations::id.desc()))
        .limit(limit)
        .select((
            conversations::id,
            conversations::started_at,
            conversations::message_count,
            conversations::blocked_at,
        ))
        .load(conn)
}

/// A block with what its conversation tells about whom it blocked: the
/// visitor key, and the sealed address while it is kept (with the public
/// id it is sealed for).
#[derive(Debug, Clone)]
pub struct BlockOf {
    pub block: Block,
    /// The blind index of the blocked network, until the block ends.
    pub network_index: Option<Vec<u8>>,
    pub visitor_key: Option<String>,
    pub address: Option<(String, Vec<u8>)>,
}

type BlockRow = (
    Block,
    Option<Vec<u8>>,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
);

fn block_of((block, network_index, visitor_key, public_id, sealed): BlockRow) -> BlockOf {
    BlockOf {
        block,
        network_index,
        visitor_key,
        address: public_id.zip(sealed),
    }
}

/// The account's blocks of the browser `visitor_key` (through their
/// conversations) or of the network `network_index` (while the block still
/// holds it: in force, or ended and not yet purged), newest first.
pub fn blocks_of(
    conn: &mut DbConn,
    account_id: i64,
    visitor_key: &str,
    network_index: Option<&[u8]>,
    limit: i64,
) -> QueryResult<Vec<BlockOf>> {
    // No network: an empty index, which no block's matches.
    let network_index = network_index.unwrap_or_default();
    let on = conversations::id
        .nullable()
        .eq(blocks::conversation_id)
        .and(conversations::account_id.eq(account_id));
    let rows: Vec<BlockRow> = blocks::table
        .left_join(conversations::table.on(on))
        .filter(blocks::account_id.eq(account_id))
        .filter(
            conversations::visitor_key
                .nullable()
                .eq(visitor_key)
                .or(blocks::network_index.eq(network_index)),
        )
        .order(blocks::id.desc())
        .limit(limit)
        .select((
            Block::as_select(),
            blocks::network_index,
            conversations::visitor_key.nullable(),
            conversations::public_id.nullable(),
            conversations::visitor_ip_sealed.nullable(),
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(block_of).collect())
}

/// The account's newest blocks whose conversation still keeps the visitor's
/// sealed address (its first 7 days), at most `limit`: the caller opens
/// them to find blocks of a network whose own record of it was erased when
/// they were lifted.
pub fn blocks_with_addresses(
    conn: &mut DbConn,
    account_id: i64,
    limit: i64,
) -> QueryResult<Vec<BlockOf>> {
    let rows: Vec<BlockRow> = blocks::table
        .inner_join(
            conversations::table.on(conversations::id.nullable().eq(blocks::conversation_id)),
        )
        .filter(blocks::account_id.eq(account_id))
        .filter(conversations::account_id.eq(account_id))
        .filter(conversations::visitor_ip_sealed.is_not_null())
        .order(blocks::id.desc())
        .limit(limit)
        .select((
            Block::as_select(),
            blocks::network_index,
            conversations::visitor_key.nullable(),
            conversations::public_id.nullable(),
            conversations::visitor_ip_sealed,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(block_of).collect())
}
