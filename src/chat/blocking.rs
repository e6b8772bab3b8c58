//! Blocking a visitor from a conversation, and lifting it. Both run inside
//! one write transaction; the caller reloads the gate afterwards
//! ([`unblock_now`] does all of it for Unblock now).
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

use super::{
    hub::Notice,
    service::{agent_conversation, ip_context, AgentRef, ChatError},
};
use crate::{
    crypto::{random_token, Keys, SealContext},
    db::{
        self,
        audit::{self, Actor},
        blocks::{self, NewBlock},
        chat::{self, NewEvent},
        lock,
        models::{Block, Conversation},
        notify, purge, DbConn,
    },
    domain::{
        block::{network_of, BlockReason, DURATION},
        chat::{Author, EventKind},
        notice::{self, Kind},
    },
    error::AppError,
    users,
};

const ALREADY: &str = "This visitor is already blocked.";
/// After the block's line when it covers the browser too.
pub const BROWSER_TOO: &str = " (their browser too, on any address)";

/// Where a block's network is sealed.
pub fn network_context(block_public_id: &str) -> SealContext<'_> {
    SealContext {
        table: "blocks",
        column: "network",
        row: block_public_id,
    }
}

/// The visitor's address, opened from its seal; a conflict once the purge
/// has erased it.
fn visitor_address(
    conn: &mut DbConn,
    keys: &Keys,
    conv: &Conversation,
) -> Result<IpAddr, ChatError> {
    const GONE: &str = "This visitor's address is no longer stored (after 7 days it is deleted), so they cannot be blocked from here.";
    let sealed = blocks::conversation_address(conn, conv.account_id, conv.id)?
        .ok_or(ChatError::Conflict(GONE))?;
    keys.open(&sealed, ip_context(&conv.public_id))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .ok_or(ChatError::Conflict(GONE))
}

/// The agents-only line in the conversation about a block.
fn note(a: AgentRef<'_>, conversation_id: i64, line: String, now: NaiveDateTime) -> NewEvent<'_> {
    NewEvent {
        conversation_id,
        kind: EventKind::Note,
        author: Author::Agent,
        name: a.name,
        body: json!({ "text": line }),
        at: now,
    }
}

fn actor<'a>(a: AgentRef<'a>) -> Actor<'a> {
    Actor::User {
        id: a.user_id,
        name: a.name,
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
    let network = network_of(visitor_address(conn, keys, &conv)?).to_string();
    let browser = db::rules::settings(conn, a.account_id)?.block_browser;
    let public_id = random_token();
    let block = blocks::insert(
        conn,
        NewBlock {
            account_id: a.account_id,
            conversation_id: conv.id,
            public_id: &public_id,
            network_sealed: keys.seal(network.as_bytes(), network_context(&public_id)),
            network_index: keys.ip_index(&network),
            browser_index: browser.then(|| keys.browser_index(&conv.visitor_key)),
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
    // Before the conversation's event: another instance applies the block to
    // its gate before its streams wake for the event.
    notify::send(
        conn,
        notice::Notice::new(a.account_id, Kind::Block, block.id, 0),
    )?;
    // The share ends with the block: both browsers hear it at once.
    let ended = crate::domain::screen_share::EndedBy::Block;
    super::screen_share::end_in(conn, &conv, ended, "chatgate", now)?;
    let also = if browser { BROWSER_TOO } else { "" };
    let line = format!("Visitor blocked by {}: {}{also}", a.name, reason.as_str());
    chat::append(conn, note(a, conv.id, line, now))?;
    audit::record(
        conn,
        a.account_id,
        actor(a),
        "visitor.blocked",
        &format!(
            "Blocked the visitor of conversation #{} for 7 days{}. Reason: {}",
            conv.id,
            if browser {
                " (network and browser)"
            } else {
                ""
            },
            reason.as_str()
        ),
        now,
    )?;
    Ok(block)
}

/// What Unblock now changed: the gate drops the block, and the
/// conversation's live views hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unblocked {
    pub account_id: i64,
    pub conversation_id: i64,
}

/// Lifts the block of conversation `id` now, as `a`, a manager of the
/// account who is still active (one demoted or deactivated meanwhile is
/// told the conversation is not found). The sealed network is erased; the
/// caller checkpoints once this has committed ([`unblock_now`] does).
pub fn unblock(
    conn: &mut DbConn,
    a: AgentRef<'_>,
    id: i64,
    now: NaiveDateTime,
) -> Result<Unblocked, ChatError> {
    users::require_active_manager(conn, a.account_id, a.user_id)
        .map_err(|_| ChatError::NotFound)?;
    lock(conn, "conversation", &id.to_string())?;
    let conv = agent_conversation(conn, a.account_id, id)?;
    let block_id = conv
        .block_id
        .ok_or(ChatError::Conflict("This visitor is not blocked."))?;
    if !blocks::lift(conn, a.account_id, block_id, a.name, now)? {
        return Err(ChatError::Conflict("This block has already ended."));
    }
    notify::send(
        conn,
        notice::Notice::new(a.account_id, Kind::Block, block_id, 0),
    )?;
    let line = format!("Block lifted by {}", a.name);
    chat::append(conn, note(a, conv.id, line, now))?;
    audit::record(
        conn,
        a.account_id,
        actor(a),
        "visitor.unblocked",
        &format!(
            "Lifted the block on the visitor of conversation #{} early",
            conv.id
        ),
        now,
    )?;
    Ok(Unblocked {
        account_id: a.account_id,
        conversation_id: conv.id,
    })
}

/// Unblock now, from the transcript or the Block Visitors page: runs
/// [`unblock`] in one write transaction; once it has committed, the erased
/// network leaves SQLite's write-ahead log, the gate drops the block and
/// the conversation's views hear of it. `Ok(Err(message))` is a refusal
/// to show the manager.
pub async fn unblock_now(
    node: &crate::cluster::Node,
    a: AgentRef<'_>,
    id: i64,
    now: NaiveDateTime,
) -> Result<Result<Unblocked, &'static str>, AppError> {
    let (account_id, user_id, name) = (a.account_id, a.user_id, a.name.to_owned());
    let db = &node.db;
    let lifted = db
        .write(move |c| {
            let a = AgentRef {
                account_id,
                user_id,
                name: &name,
            };
            unblock(c, a, id, now)
        })
        .await?;
    let done = match lifted {
        Ok(done) => done,
        Err(ChatError::NotFound) => return Err(AppError::NotFound),
        Err(ChatError::Conflict(m)) | Err(ChatError::Invalid(m)) => return Ok(Err(m)),
        Err(ChatError::TooFast) => return Ok(Err(crate::domain::flood::SLOW_DOWN)),
        Err(ChatError::Db(e)) => return Err(e.into()),
    };
    // The erased network leaves the write-ahead log at once.
    if let Err(e) = db.run(|c| Ok(purge::checkpoint(c)?)).await {
        tracing::warn!(error = %e, "checkpoint after an unblock failed");
    }
    crate::cluster::blocks_changed(node, now).await;
    node.hub
        .notify(Notice::new(done.account_id, Some(done.conversation_id)));
    Ok(Ok(done))
}

/// What the manager is told after Unblock now.
pub const UNBLOCKED: &str = "The visitor is unblocked and can use the chat again.";
