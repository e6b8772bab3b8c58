//! The live hub: tells open event streams that something changed. It carries
//! no data; streams read what is new from the database, which is the only
//! source of truth. So a missed or duplicated notice can neither lose nor
//! repeat an event, and streams on other instances catch up by their timer.

use tokio::sync::broadcast;

/// Something changed for an account: in one conversation, or in its list
/// (a new conversation, an invitation, a visitor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub account_id: i64,
    pub conversation_id: Option<i64>,
}

pub struct Hub {
    tx: broadcast::Sender<Notice>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self { tx }
    }

    pub fn notify(&self, notice: Notice) {
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(notice);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
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
            hub.notify(Notice {
                account_id: 1,
                conversation_id: Some(id),
            });
        }
        for id in 1..=3 {
            assert_eq!(rx.recv().await.unwrap().conversation_id, Some(id));
        }
    }
}
