//! Blocking a visitor from a conversation, and lifting it. Both run inside
//! one write transaction; the caller reloads the gate afterwards.
//!
//! Both first lock the conversation (SQLite's `BEGIN IMMEDIATE` already
//! serialises writers; PostgreSQL at READ COMMITTED needs the lock), so of
//! two agents blocking at once one wins and the other is told the visitor
//! is already blocked. A unique index on the active block of a conversation
//! backs this up.

use std::net::IpAddr;

use chrono::NaiveDateTime;
use diesel::result::DatabaseErrorKind;
use serde_json::json;

use super::service::{agent_conversation, ip_context, AgentRef, ChatError};
use crate::{
    crypto::{random_token, Keys, SealContext},
    db::{
        audit::{self, Actor},
        blocks::{self, NewBlock},
        chat, lock,
        models::Block,
        purge, DbConn,
    },
    domain::{
        block::{network_of, BlockReason, DURATION},
        chat::{Author, EventKind},
    },
};

const ALREADY: &str = "This visitor is already blocked.";

/// Where a block's network is sealed.
pub fn network_context(block_public_id: &str) -> SealContext<'_> {
    SealContext {
        table: "blocks",
        column: "network",
        row: block_public_id,
    }
}

/// Blocks the visitor of conversation `id` for seven days from `now`: their
/// network (the address, or its /64) is refused by every widget endpoint of
/// the account. The conversation ends; only agents see why.
pub fn block(
    conn: &mut DbConn,
    keys: &Keys,
    a: AgentRef<'_>,
    id: i64,
    reason: &BlockReason,
    now: NaiveDateTime,
) -> Result<Block, ChatError> {
    lock(conn, "conversation", &id.to_string())?;
    let conv = agent_conversation(conn, a.account_id, id)?;
    if conv.block_until.is_some_and(|u| u > now) {
        return Err(ChatError::Conflict(ALREADY));
    }
    // A block that ran out but that the purge has not reached yet ends now,
    // as the purge would end it, so the new one is the only one in force.
    let ended = blocks::expire_conversation(conn, a.account_id, conv.id, now)?;
    purge::record_expired(conn, &ended, now)?;
    const GONE: &str = "This visitor's address is no longer stored (after 7 days it is deleted), so they cannot be blocked from here.";
    let sealed = blocks::conversation_address(conn, a.account_id, conv.id)?
        .ok_or(ChatError::Conflict(GONE))?;
    let ip: IpAddr = keys
        .open(&sealed, ip_context(&conv.public_id))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .ok_or(ChatError::Conflict(GONE))?;
    let network = network_of(ip).to_string();
    let public_id = random_token();
    let block = blocks::insert(
        conn,
        NewBlock {
            account_id: a.account_id,
            conversation_id: conv.id,
            public_id: &public_id,
            network_sealed: keys.seal(network.as_bytes(), network_context(&public_id)),
            network_index: keys.ip_index(&network),
            reason: reason.as_str(),
            by_user: a.user_id,
            by_name: a.name,
            now,
            expires_at: now + DURATION,
        },
    )
    .map_err(|e| match e {
        diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ChatError::Conflict(ALREADY)
        }
        e => ChatError::Db(e),
    })?;
    let line = format!("Visitor blocked by {}: {}", a.name, reason.as_str());
    chat::append(
        conn,
        conv.id,
        EventKind::Note,
        Author::Agent,
        a.name,
        &json!({ "text": line }),
        now,
    )?;
    audit::record(
        conn,
        a.account_id,
        Actor::User {
            id: a.user_id,
            name: a.name,
        },
        "visitor.blocked",
        &format!(
            "Blocked the visitor of conversation #{} for 7 days. Reason: {}",
            conv.id,
            reason.as_str()
        ),
        now,
    )?;
    Ok(block)
}

/// Lifts the block of conversation `id` now (managers).
pub fn unblock(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ChatError> {
    lock(conn, "conversation", &id.to_string())?;
    let conv = agent_conversation(conn, a.account_id, id)?;
    let block_id = conv
        .block_id
        .ok_or(ChatError::Conflict("This visitor is not blocked."))?;
    if !blocks::lift(conn, a.account_id, block_id, a.name, now)? {
        return Err(ChatError::Conflict("This block has already ended."));
    }
    let line = format!("Block lifted by {}", a.name);
    chat::append(
        conn,
        conv.id,
        EventKind::Note,
        Author::Agent,
        a.name,
        &json!({ "text": line }),
        now,
    )?;
    audit::record(
        conn,
        a.account_id,
        Actor::User {
            id: a.user_id,
            name: a.name,
        },
        "visitor.unblocked",
        &format!(
            "Lifted the block on the visitor of conversation #{} early",
            conv.id
        ),
        now,
    )?;
    Ok(())
}
