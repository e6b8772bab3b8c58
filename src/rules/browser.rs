//! Blocks that follow the browser (Account settings → Abuse protection):
//! whether a block made from a chat window also stores a keyed index of
//! the visitor's browser, and whether the gate refuses that browser on
//! other addresses. Saved with the gate's other settings, so every
//! instance's gate follows at once.

use chrono::NaiveDateTime;

use super::{announce, Actor, Change, GateChange, RulesError};
use crate::db::{self, audit, DbConn};

/// Saves the option.
pub fn save_block_browser(
    conn: &mut DbConn,
    actor: &Actor,
    on: bool,
    now: NaiveDateTime,
) -> Result<Change, RulesError> {
    let aid = actor.account_id;
    let version = db::rules::save_block_browser(conn, aid, on, now)?;
    let (detail, message) = if on {
        (
            "on",
            "Saved: a block now also covers the visitor's browser, on any address.",
        )
    } else {
        (
            "off",
            "Saved: blocks cover the visitor's network only; agents are warned when a blocked browser comes back.",
        )
    };
    audit::record(conn, aid, actor.audit(), "browser_block.save", detail, now)?;
    announce(
        conn,
        aid,
        Change {
            version,
            gate: GateChange::BlockBrowser(on),
            message: message.to_owned(),
        },
    )
}
