//! Several instances on one PostgreSQL database, in real time.
//!
//! Every write that other instances must see sends a notice inside its
//! transaction ([`crate::db::notify`]). Each instance holds one listening
//! connection outside the pool ([`listen`]); what it hears is followed
//! here, in order, by one task:
//! - a chat event or a list change wakes the streams it concerns (hub);
//! - a rule, country or website change is applied to the gate the way the
//!   saving instance applied it ([`crate::rules::Change::followed`]); the
//!   gate rebuilds the account in full only when it missed a version;
//! - a block or unblock re-reads the blocks in force, as the blocking
//!   instance does;
//! - a session change makes agents' streams re-check their sessions.
//!
//! When the connection drops, the instance catches up from the database
//! (events after the last one seen, rule versions, blocks, business
//! cases) and listens again. One slow safety poll per instance stays
//! ([`poll`]): every 30 seconds while listening, every 2 seconds when not
//! (and always on SQLite, which has one instance and no notifications).

pub mod listen;
pub mod poll;

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use chrono::NaiveDateTime;
use tokio::sync::mpsc;

use crate::{
    chat::{Hub, Notice as Wake},
    db::Db,
    domain::{
        clock::Clock,
        notice::{Kind, Notice},
    },
    error::AppError,
    gate::{self, policy::Policy, Gate},
};

/// What an instance keeps in step: its database, gate, hub and clock, and
/// whether it is hearing other instances right now.
pub struct Node {
    pub db: Db,
    pub gate: Arc<Gate>,
    pub hub: Arc<Hub>,
    pub clock: Arc<Clock>,
    /// PostgreSQL: other instances' notices are expected.
    shared: AtomicBool,
    listening: AtomicBool,
    /// Unix seconds of the gate's last complete reload (0: none yet).
    last_gate_reload: std::sync::atomic::AtomicI64,
}

impl Node {
    pub fn new(db: Db, gate: Arc<Gate>, hub: Arc<Hub>, clock: Arc<Clock>) -> Self {
        Self {
            db,
            gate,
            hub,
            clock,
            shared: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            last_gate_reload: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// Unix seconds of the gate's last complete reload (0: none yet), for
    /// `/metrics`.
    pub fn last_gate_reload(&self) -> i64 {
        self.last_gate_reload.load(Ordering::Relaxed)
    }

    /// Re-reads everything the gate holds ([`gate::reload`]) and notes when.
    pub async fn reload_gate(&self) -> Result<usize, AppError> {
        let n = gate::reload(&self.db, &self.gate, self.clock.now()).await?;
        let at = self.clock.now().and_utc().timestamp();
        self.last_gate_reload.store(at, Ordering::Relaxed);
        Ok(n)
    }

    /// Whether notices from other instances arrive now; when not, the
    /// safety polls run often.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    /// Notices are expected (PostgreSQL) but not arriving: the safety polls
    /// stand in for them, waking every stream as the streams' own timers
    /// used to.
    pub fn is_deaf(&self) -> bool {
        self.shared.load(Ordering::Acquire) && !self.is_listening()
    }
}

/// Starts following other instances (PostgreSQL) and the instance's
/// safety polls (both backends).
pub fn start(node: Arc<Node>, database_url: Option<String>) {
    if let Some(url) = database_url {
        node.shared.store(true, Ordering::Release);
        let (tx, rx) = mpsc::unbounded_channel();
        listen::spawn(url, tx);
        actix_web::rt::spawn(follow_heard(node.clone(), rx));
    }
    poll::spawn(node);
}

async fn follow_heard(node: Arc<Node>, mut rx: mpsc::UnboundedReceiver<listen::Heard>) {
    while let Some(heard) = rx.recv().await {
        match heard {
            listen::Heard::Listening => {
                node.listening.store(true, Ordering::Release);
                if let Err(e) = catch_up(&node).await {
                    tracing::warn!(error = %e, "catching up after (re)connecting failed");
                }
            }
            listen::Heard::Lost => node.listening.store(false, Ordering::Release),
            listen::Heard::Notice(n) => {
                if let Err(e) = follow(&node, n).await {
                    tracing::warn!(error = %e, notice = %n, "following a notice failed");
                }
            }
        }
    }
}

/// Follows one notice from any instance. This instance's own come back
/// too: its streams skip the events they have sent and its gate the rule
/// versions it holds; a block or a case is read again.
pub async fn follow(node: &Node, n: Notice) -> Result<(), AppError> {
    match n.kind {
        Kind::Event => node.hub.notify(Wake {
            seq: Some(n.version),
            ..Wake::new(n.account_id, Some(n.id))
        }),
        Kind::List => node.hub.notify(Wake::new(n.account_id, None)),
        Kind::Invitation => node.hub.notify(Wake::invitation(n.account_id)),
        Kind::Session => node.hub.sessions_changed(),
        Kind::Case => gate::load::reload_cases(&node.db, &node.gate).await?,
        Kind::Block => blocks_changed(node, node.clock.now()).await,
        kind if kind.is_rule_change() => {
            let held = node.gate.policy(n.account_id).map(|p| p.version);
            if held.is_some_and(|v| v >= n.version) {
                return Ok(());
            }
            let change = node
                .db
                .run(move |c| Ok(crate::rules::Change::followed(c, n)?))
                .await?;
            rules_changed(node, n.account_id, n.version, |p| change.apply(p)).await;
        }
        _ => {}
    }
    Ok(())
}

/// Applies a rules change at `version` to the account's policy (a rule
/// added or removed, a list saved), or rebuilds the policy from the
/// database when it cannot (a version missed, too much changed); then
/// visitor streams ask the gate again.
pub async fn rules_changed(
    node: &Node,
    account_id: i64,
    version: i64,
    change: impl FnOnce(&Policy) -> Option<Policy>,
) {
    if !node.gate.apply(account_id, version, change) {
        if let Err(e) = gate::load::reload_account(&node.db, &node.gate, account_id).await {
            tracing::warn!(error = %e, "gate rule reload failed");
        }
    }
    node.hub.gate_changed();
}

/// Re-reads the blocks in force after a block or unblock; visitor streams
/// ask the gate again.
pub async fn blocks_changed(node: &Node, now: NaiveDateTime) {
    if let Err(e) = gate::load::reload_blocks(&node.db, &node.gate, now).await {
        tracing::warn!(error = %e, "gate block reload failed");
    }
    node.hub.gate_changed();
}

/// After notices may have been missed: the gate re-reads what moved (rule
/// versions, blocks, cases), the safety poll wakes the streams of events
/// written meanwhile, and every stream and session check runs once.
async fn catch_up(node: &Node) -> Result<(), AppError> {
    let reloaded = node.reload_gate().await;
    wake_everything(node);
    reloaded.map(drop)
}

/// Every stream asks the gate again, re-checks its session and reads
/// what is new.
pub fn wake_everything(node: &Node) {
    node.hub.gate_changed();
    node.hub.sessions_changed();
    node.hub.notify(Wake::EVERYTHING);
}
