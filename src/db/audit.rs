//! The audit log: who did what, when. Never an address.

use diesel::prelude::*;

use chrono::NaiveDateTime;

use super::{models::AuditEntry, schema::audit_log, DbConn};

/// Who acted: a signed-in user, or the system (expiry, CLI).
#[derive(Debug, Clone)]
pub enum Actor<'a> {
    User { id: i64, name: &'a str },
    System,
}

pub fn record(
    conn: &mut DbConn,
    account_id: i64,
    actor: Actor<'_>,
    action: &str,
    detail: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (actor_id, actor_name) = match actor {
        Actor::User { id, name } => (Some(id), name),
        Actor::System => (None, "system"),
    };
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::account_id.eq(account_id),
            audit_log::actor_user_id.eq(actor_id),
            audit_log::actor_name.eq(actor_name),
            audit_log::action.eq(action),
            audit_log::detail.eq(detail),
            audit_log::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Page `page` (from 1; clamped to the pages there are) of the account's
/// log, newest first, with the total count and the page actually shown.
pub fn page(
    conn: &mut DbConn,
    account_id: i64,
    page: i64,
    limit: i64,
) -> QueryResult<(Vec<AuditEntry>, i64, i64)> {
    let total: i64 = audit_log::table
        .filter(audit_log::account_id.eq(account_id))
        .count()
        .get_result(conn)?;
    let pages = ((total + limit - 1) / limit).max(1);
    let page = page.clamp(1, pages);
    let offset = (page - 1) * limit;
    let rows = audit_log::table
        .filter(audit_log::account_id.eq(account_id))
        .order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((rows, total, page))
}
