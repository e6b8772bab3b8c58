//! The instance's safety polls: one task each, however many streams are
//! open. They find what notices did not bring (a notice lost with its
//! connection, a change on SQLite not told to the hub), slowly while the
//! instance is listening and quickly while it is not.
//! - events written since the last one seen wake the streams they concern;
//! - the gate re-reads what moved (and first loads, which makes it ready),
//!   and writes the counted rule hits and refusals;
//! - the visitors whose streams are open here stay online (one write per
//!   business case).

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use super::Node;
use crate::{
    chat::Notice as Wake,
    db::{chat, presence},
    error::AppError,
    gate,
};

/// While notices arrive.
const SLOW: Duration = Duration::from_secs(30);
/// While they do not (and on SQLite).
const FAST: Duration = Duration::from_secs(2);
/// The gate's refresh while notices do not arrive.
const GATE_FAST: Duration = Duration::from_secs(5);
const HITS: Duration = Duration::from_secs(10);
const PRESENCE: Duration = Duration::from_secs(20);
/// Event ids are handed out before commit, so a later id can commit first:
/// the poll looks this far behind the highest id seen.
const LOOKBACK: i64 = 200;
const BATCH: i64 = 1000;

pub fn spawn(node: Arc<Node>) {
    actix_web::rt::spawn(gate_task(node.clone()));
    actix_web::rt::spawn(events_task(node.clone()));
    actix_web::rt::spawn(presence_task(node));
}

/// Waits `fast` while not listening, `SLOW` while listening (checking
/// once a second whether that changed).
async fn pause(node: &Node, fast: Duration) {
    let started = tokio::time::Instant::now();
    loop {
        let wait = if node.is_listening() { SLOW } else { fast };
        let left = wait.saturating_sub(started.elapsed());
        if left.is_zero() {
            return;
        }
        tokio::time::sleep(left.min(Duration::from_secs(1))).await;
    }
}

/// Loads the gate now (it becomes ready), then keeps it in step (every 30
/// seconds while listening, 5 otherwise), and writes the rule hits and
/// the refusal counts every 10 seconds.
async fn gate_task(node: Arc<Node>) {
    use tokio::time::Instant;
    let mut tick = tokio::time::interval(GATE_FAST);
    let (mut reloaded, mut flushed) = (None::<Instant>, Instant::now());
    loop {
        tick.tick().await;
        let every = if node.is_listening() { SLOW } else { GATE_FAST };
        if reloaded.is_none_or(|t| t.elapsed() >= every) {
            reloaded = Some(Instant::now());
            if let Err(e) = node.reload_gate().await {
                tracing::warn!(error = %e, "gate reload failed");
            }
            if node.is_deaf() {
                super::wake_everything(&node);
            }
        }
        if flushed.elapsed() >= HITS {
            flushed = Instant::now();
            if let Err(e) = gate::load::flush_hits(&node.db, &node.gate).await {
                tracing::warn!(error = %e, "flushing rule hits failed");
            }
            let now = node.clock.now();
            if let Err(e) = gate::load::flush_refusals(&node.db, &node.gate, now).await {
                tracing::warn!(error = %e, "flushing refusal counts failed");
            }
            if let Err(e) = gate::load::flush_counters(&node.db, &node.gate).await {
                tracing::warn!(error = %e, "flushing gate counters failed");
            }
            node.gate.sweep_flood(now);
        }
    }
}

/// The events seen so far: the highest id, and the ids seen within
/// `LOOKBACK` of it. What was written before the instance started
/// (`start`) is not news.
#[derive(Debug, Default)]
struct Seen {
    ids: BTreeSet<i64>,
    top: i64,
    start: i64,
}

impl Seen {
    fn new(start: i64) -> Self {
        Self {
            top: start,
            start,
            ..Self::default()
        }
    }

    /// Whether `id` is new; remembers it.
    fn first_time(&mut self, id: i64) -> bool {
        if id <= self.start || id <= self.top - LOOKBACK || !self.ids.insert(id) {
            return false;
        }
        self.top = self.top.max(id);
        let floor = self.top - LOOKBACK;
        self.ids = self.ids.split_off(&floor);
        true
    }
}

async fn events_task(node: Arc<Node>) {
    let mut seen = loop {
        match node.db.run(|c| Ok(chat::max_event_id(c)?)).await {
            Ok(top) => break Seen::new(top),
            Err(e) => tracing::warn!(error = %e, "reading the last event failed"),
        }
        pause(&node, FAST).await;
    };
    loop {
        pause(&node, FAST).await;
        if let Err(e) = wake_for_new_events(&node, &mut seen).await {
            tracing::warn!(error = %e, "the event safety poll failed");
        }
    }
}

async fn wake_for_new_events(node: &Node, seen: &mut Seen) -> Result<(), AppError> {
    loop {
        let from = seen.top - LOOKBACK;
        let rows = node
            .db
            .run(move |c| Ok(chat::events_since(c, from, BATCH)?))
            .await?;
        let full = rows.len() as i64 == BATCH;
        for (id, account_id, conversation_id, seq) in rows {
            if seen.first_time(id) {
                node.hub.notify(Wake {
                    seq: Some(seq),
                    ..Wake::new(account_id, Some(conversation_id))
                });
            }
        }
        if !full {
            return Ok(());
        }
    }
}

async fn presence_task(node: Arc<Node>) {
    let mut tick = tokio::time::interval(PRESENCE);
    tick.reset();
    loop {
        tick.tick().await;
        let now = node.clock.now();
        for (case_id, keys) in node.hub.presence.by_case() {
            let write = node
                .db
                .write(move |c| {
                    // Bounded statements, in one transaction.
                    for some in keys.chunks(500) {
                        presence::still_here(c, case_id, some, now)?;
                    }
                    Ok::<_, diesel::result::Error>(())
                })
                .await;
            if let Err(e) = write.and_then(|r| r.map_err(AppError::from)) {
                tracing::warn!(error = %e, "keeping visitors online failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_news_once_even_when_it_commits_late() {
        let mut seen = Seen::new(1000);
        // Written before the instance started.
        assert!(!seen.first_time(999));
        assert!(seen.first_time(1002));
        // 1001 committed after 1002: still news, once.
        assert!(seen.first_time(1001));
        assert!(!seen.first_time(1001));
        assert!(!seen.first_time(1002));
        // Far behind the top: taken as seen (the stream reads by sequence
        // number anyway).
        assert!(!seen.first_time(1002 - LOOKBACK));
        assert_eq!(seen.top, 1002);
    }
}
