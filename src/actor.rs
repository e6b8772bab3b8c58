//! Who acts in a service action: the signed-in user, as the rules and
//! users services know them and as the audit log names them.

use crate::db::audit;

/// The signed-in user making a change to their account.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: i64,
    pub user_id: i64,
    pub name: String,
}

impl Actor {
    /// The actor as the audit log records them.
    pub fn audit(&self) -> audit::Actor<'_> {
        audit::Actor::User {
            id: self.user_id,
            name: &self.name,
        }
    }
}
