//! Adding and removing one IP or subnet rule.

use chrono::NaiveDateTime;

use super::{announce, Actor, Change, GateChange, RulesError};
use crate::{
    db::{self, audit, rules::NewIpRule, DbConn},
    domain::ip_rule::{IpRule, RuleComment},
};

/// A rule to add, as typed and as it is stored.
#[derive(Debug, Clone)]
pub struct NewRule {
    /// The address as typed (trimmed), for the confirmation.
    typed: String,
    rule: IpRule,
    comment: Option<RuleComment>,
}

impl NewRule {
    pub fn parse(address: &str, comment: &str) -> Result<NewRule, RulesError> {
        Ok(NewRule {
            typed: address.trim().to_owned(),
            rule: IpRule::parse(address)?,
            comment: RuleComment::parse(comment)?,
        })
    }
}

/// Adds the rule; `AlreadyListed` when the account has it already.
pub fn add_rule(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewRule,
    now: NaiveDateTime,
) -> Result<Change, RulesError> {
    let aid = actor.account_id;
    let network = new.rule.to_string();
    let comment = new.comment.as_ref().map(RuleComment::as_str);
    let row = NewIpRule {
        account_id: aid,
        network: &network,
        comment,
        by_user: actor.user_id,
        by_name: &actor.name,
        now,
    };
    let Some(id) = db::rules::add(conn, &row)? else {
        return Err(RulesError::AlreadyListed { network });
    };
    let version = db::rules::bump(conn, aid, now)?;
    let detail = match comment {
        Some(c) => format!("{network} ({c})"),
        None => network.clone(),
    };
    audit::record(conn, aid, actor.audit(), "ip_rule.add", &detail, now)?;
    // The address as typed, and how it is stored only when that differs.
    let written = if network != new.typed {
        format!(" (written as {network})")
    } else {
        String::new()
    };
    announce(
        conn,
        aid,
        Change {
            version,
            gate: GateChange::Added(id, new.rule),
            message: format!(
                "Saved: visitors from {}{written} no longer see the chat.",
                new.typed
            ),
        },
    )
}

/// Removes the account's rule `id`; `NotFound` when it has none such.
pub fn remove_rule(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> Result<Change, RulesError> {
    let aid = actor.account_id;
    let removed = db::rules::remove(conn, aid, id)?.ok_or(RulesError::NotFound)?;
    let version = db::rules::bump(conn, aid, now)?;
    audit::record(
        conn,
        aid,
        actor.audit(),
        "ip_rule.remove",
        &removed.network,
        now,
    )?;
    announce(
        conn,
        aid,
        Change {
            version,
            gate: GateChange::Removed(id),
            message: format!("Removed the rule for {}.", removed.network),
        },
    )
}
