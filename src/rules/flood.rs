//! Flood control's limits (Account settings → Abuse protection): saved
//! whole, with the gate's other settings, so every instance's gate follows
//! the save at once.

use chrono::NaiveDateTime;

use super::{announce, Actor, Change, GateChange, RulesError};
use crate::{
    db::{self, audit, DbConn},
    domain::flood::FloodLimits,
};

/// Saves the limits (parsed by `domain::flood::parse_limits`).
pub fn save_flood(
    conn: &mut DbConn,
    actor: &Actor,
    limits: FloodLimits,
    now: NaiveDateTime,
) -> Result<Change, RulesError> {
    let aid = actor.account_id;
    let version = db::rules::save_flood(conn, aid, &limits, now)?;
    let detail = limits.describe();
    audit::record(conn, aid, actor.audit(), "flood.save", &detail, now)?;
    let message = if limits
        == (FloodLimits {
            messages: None,
            conversations: None,
            files: None,
        }) {
        "Saved: flood control is off; visitors may send as fast as they like.".to_owned()
    } else {
        format!("Saved: flood limits are {detail}.")
    };
    announce(
        conn,
        aid,
        Change {
            version,
            gate: GateChange::Flood(limits),
            message,
        },
    )
}
