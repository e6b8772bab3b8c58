//! The live hub: tells open event streams that something changed. It carries
//! no data; streams read what is new from the database, which is the only
//! source of truth. So a missed or duplicated notice can neither lose nor
//! repeat an event, and streams on other instances catch up by their timer.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{broadcast, watch};

/// Something changed for an account: in one conversation, or in its list
/// (a new conversation, an invitation, a visitor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub account_id: i64,
    pub conversation_id: Option<i64>,
    /// The conversation's sequence number reached, when known: a stream
    /// that has already sent it need not read the database.
    pub seq: Option<i64>,
    /// An invitation: visitors' streams read theirs. Nothing else in the
    /// account's list wakes a visitor's stream.
    pub invitation: bool,
}

impl Notice {
    pub fn new(account_id: i64, conversation_id: Option<i64>) -> Self {
        Self {
            account_id,
            conversation_id,
            seq: None,
            invitation: false,
        }
    }

    /// An agent of the account invited a visitor.
    pub fn invitation(account_id: i64) -> Self {
        Self {
            invitation: true,
            ..Self::new(account_id, None)
        }
    }

    /// Anything may have changed anywhere (after notices were missed):
    /// every stream reads what is new.
    pub const EVERYTHING: Notice = Notice {
        account_id: 0,
        conversation_id: None,
        seq: None,
        invitation: true,
    };

    /// Whether a stream of `account_id` needs to read the database: it
    /// follows the account's lists (`w.list`: the agent console), the
    /// visitor's invitations (`w.invitations`), or the conversation
    /// `w.following`, of which it has sent up to sequence number `sent`.
    pub fn concerns(&self, account_id: i64, w: Watching) -> bool {
        if *self == Self::EVERYTHING {
            return true;
        }
        if self.account_id != account_id {
            return false;
        }
        match (self.conversation_id, w.following) {
            (Some(c), Some((f, sent))) if c == f => self.seq.is_none_or(|s| s > sent),
            _ => w.list || (self.invitation && w.invitations),
        }
    }
}

/// What an open stream watches, for [`Notice::concerns`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Watching {
    pub list: bool,
    pub invitations: bool,
    /// The conversation, and the last sequence number sent.
    pub following: Option<(i64, i64)>,
}

pub struct Hub {
    tx: broadcast::Sender<Notice>,
    /// Bumped whenever sessions may have ended here (sign-out, a role
    /// change, deactivation): streams re-check theirs at once. Streams also
    /// re-check twice a second, for changes made on other instances and for
    /// sessions that time out.
    sessions: watch::Sender<u64>,
    /// True once the server is shutting down: streams send their final
    /// "reconnect" event and end.
    stopping: watch::Sender<bool>,
    stopping_flag: AtomicBool,
    /// Bumped whenever the gate changed: visitor streams ask it again at
    /// once (no database read).
    gate: watch::Sender<u64>,
    /// The visitors whose streams are open here, kept online by one write
    /// per business case every 20 seconds.
    pub presence: super::presence::Online,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            tx,
            sessions: watch::Sender::new(0),
            stopping: watch::Sender::new(false),
            stopping_flag: AtomicBool::new(false),
            gate: watch::Sender::new(0),
            presence: Default::default(),
        }
    }

    pub fn notify(&self, notice: Notice) {
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(notice);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }

    /// Sessions may have ended: streams check theirs now.
    pub fn sessions_changed(&self) {
        self.sessions.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn watch_sessions(&self) -> watch::Receiver<u64> {
        self.sessions.subscribe()
    }

    /// The gate changed: visitor streams check theirs now.
    pub fn gate_changed(&self) {
        self.gate.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn watch_gate(&self) -> watch::Receiver<u64> {
        self.gate.subscribe()
    }

    /// The server is stopping: every open stream ends with "reconnect".
    pub fn shut_down(&self) {
        self.stopping_flag.store(true, Ordering::Release);
        self.stopping.send_replace(true);
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping_flag.load(Ordering::Acquire)
    }

    pub fn watch_stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_hear_notices_in_order() {
        let hub = Hub::new();
        let mut rx = hub.subscribe();
        for id in 1..=3 {
            hub.notify(Notice::new(1, Some(id)));
        }
        for id in 1..=3 {
            assert_eq!(rx.recv().await.unwrap().conversation_id, Some(id));
        }
    }

    #[test]
    fn a_stream_reads_only_what_concerns_it() {
        let event = |conv, seq| Notice {
            seq,
            ..Notice::new(1, Some(conv))
        };
        let chat = Watching {
            following: Some((5, 7)),
            ..Watching::default()
        };
        let console = Watching { list: true, ..chat };
        let browsing = Watching {
            invitations: true,
            ..Watching::default()
        };
        // The conversation followed, past what was sent, or of unknown seq.
        assert!(event(5, Some(8)).concerns(1, chat));
        assert!(event(5, None).concerns(1, chat));
        // Already sent (this instance's own event, heard again).
        assert!(!event(5, Some(7)).concerns(1, chat));
        // Another conversation: only the console's list.
        assert!(!event(6, Some(1)).concerns(1, chat));
        assert!(event(6, Some(1)).concerns(1, console));
        assert!(!event(6, Some(1)).concerns(1, browsing));
        // A visitor arriving: the console; an invitation: visitors too.
        assert!(Notice::new(1, None).concerns(1, console));
        assert!(!Notice::new(1, None).concerns(1, browsing));
        assert!(Notice::invitation(1).concerns(1, browsing));
        assert!(!Notice::invitation(1).concerns(1, chat));
        // Another account never; a catch-up always.
        assert!(!Notice::new(2, None).concerns(1, console));
        assert!(Notice::EVERYTHING.concerns(1, chat));
    }

    #[tokio::test]
    async fn watchers_hear_a_shutdown_and_session_changes() {
        let hub = Hub::new();
        let (mut stopping, mut sessions) = (hub.watch_stopping(), hub.watch_sessions());
        assert!(!hub.is_stopping());
        hub.sessions_changed();
        sessions.changed().await.unwrap();
        hub.shut_down();
        stopping.wait_for(|s| *s).await.unwrap();
        assert!(hub.is_stopping());
    }
}
