//! The offensive-language shield's settings (Account settings → Abuse
//! protection): saved whole with the gate's other settings, so every
//! instance's gate follows the save at once.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{announce, Actor, Change, GateChange, RulesError};
use crate::{
    db::{self, audit, rules::SavedShield, DbConn},
    domain::{
        shield::Shield,
        shield_policy::{ShieldPolicy, StrikeAction},
    },
};

/// The shield as parsed from the form.
#[derive(Debug, Clone)]
pub struct ShieldInput {
    pub enabled: bool,
    pub patterns: Vec<String>,
    pub strikes: u32,
    pub action: StrikeAction,
}

/// Saves the shield's settings and list.
pub fn save_shield(
    conn: &mut DbConn,
    actor: &Actor,
    input: ShieldInput,
    now: NaiveDateTime,
) -> Result<Change, RulesError> {
    let aid = actor.account_id;
    let list = input.patterns.join("\n");
    let saved = SavedShield {
        enabled: input.enabled,
        strikes: i32::try_from(input.strikes).unwrap_or(3),
        action: input.action.as_str(),
        patterns: &list,
    };
    let version = db::rules::save_shield(conn, aid, &saved, now)?;
    let n = input.patterns.len();
    let detail = format!(
        "{}, {n} words, {} strikes: {}",
        if input.enabled { "on" } else { "off" },
        input.strikes,
        input.action.as_str()
    );
    audit::record(conn, aid, actor.audit(), "shield.save", &detail, now)?;
    let message = if input.enabled {
        format!("Saved: the shield masks {n} words and phrases.")
    } else {
        "Saved: the shield is off; messages show as written.".to_owned()
    };
    let policy = ShieldPolicy {
        enabled: input.enabled,
        shield: Arc::new(Shield::new(&input.patterns)),
        strikes: input.strikes,
        action: input.action,
    };
    announce(
        conn,
        aid,
        Change {
            version,
            gate: GateChange::Shield(Arc::new(policy)),
            message,
        },
    )
}
