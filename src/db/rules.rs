//! Block Visitors settings: IP and subnet rules, the website list and the
//! country and website modes. Every change bumps the account's rule
//! version in the same transaction, so other instances see it on their
//! next refresh.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    models::{GateSettings, IpRuleRow},
    schema::{gate_settings, ip_rules, shield_lists, site_rules},
    DbConn,
};
use crate::domain::flood::{FloodLimits, Sending};

/// The account's settings, or the defaults (lists off, flood limits at
/// their defaults) if never saved.
pub fn settings(conn: &mut DbConn, account_id: i64) -> QueryResult<GateSettings> {
    let row = gate_settings::table
        .filter(gate_settings::account_id.eq(account_id))
        .select(GateSettings::as_select())
        .first(conn)
        .optional()?;
    let limit = |w: Sending| Some(w.default_limit() as i32);
    Ok(row.unwrap_or_else(|| GateSettings {
        account_id,
        country_mode: "off".into(),
        site_mode: "off".into(),
        flood_messages: limit(Sending::Message),
        flood_conversations: limit(Sending::Conversation),
        flood_files: limit(Sending::File),
        shield_enabled: true,
        shield_strikes: 3,
        shield_action: "offer_block".into(),
        ..GateSettings::default()
    }))
}

/// Marks the account's rules changed and returns the new version. Call
/// inside the write transaction; it also serialises rule changes of the
/// account (an advisory lock on PostgreSQL).
pub fn bump(conn: &mut DbConn, account_id: i64, now: NaiveDateTime) -> QueryResult<i64> {
    super::lock(conn, "gate_settings", &account_id.to_string())?;
    let n = diesel::update(gate_settings::table.filter(gate_settings::account_id.eq(account_id)))
        .set((
            gate_settings::version.eq(gate_settings::version + 1i64),
            gate_settings::updated_at.eq(Some(now)),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(gate_settings::table)
            .values((
                gate_settings::account_id.eq(account_id),
                gate_settings::version.eq(1i64),
                gate_settings::updated_at.eq(Some(now)),
            ))
            .execute(conn)?;
    }
    gate_settings::table
        .filter(gate_settings::account_id.eq(account_id))
        .select(gate_settings::version)
        .first(conn)
}

/// Every account's rule version.
pub fn versions(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64)>> {
    gate_settings::table
        .select((gate_settings::account_id, gate_settings::version))
        .load(conn)
}

/// All of an account's IP rules, oldest first: (id, network).
pub fn all_networks(conn: &mut DbConn, account_id: i64) -> QueryResult<Vec<(i64, String)>> {
    ip_rules::table
        .filter(ip_rules::account_id.eq(account_id))
        .order(ip_rules::id.asc())
        .select((ip_rules::id, ip_rules::network))
        .load(conn)
}

/// The account's website list in the order it was saved.
pub fn site_patterns(conn: &mut DbConn, account_id: i64) -> QueryResult<Vec<String>> {
    site_rules::table
        .filter(site_rules::account_id.eq(account_id))
        .order(site_rules::position.asc())
        .select(site_rules::pattern)
        .load(conn)
}

pub struct NewIpRule<'a> {
    pub account_id: i64,
    pub network: &'a str,
    pub comment: Option<&'a str>,
    pub by_user: i64,
    pub by_name: &'a str,
    pub now: NaiveDateTime,
}

/// Adds a rule; `None` when the account already has this network. Call
/// inside a write transaction; the account's rule lock keeps the check and
/// the insert from racing. Bump the version after.
pub fn add(conn: &mut DbConn, r: &NewIpRule<'_>) -> QueryResult<Option<i64>> {
    super::lock(conn, "gate_settings", &r.account_id.to_string())?;
    let existing = ip_rules::table
        .filter(ip_rules::account_id.eq(r.account_id))
        .filter(ip_rules::network.eq(r.network))
        .select(ip_rules::id)
        .first::<i64>(conn)
        .optional()?;
    if existing.is_some() {
        return Ok(None);
    }
    diesel::insert_into(ip_rules::table)
        .values((
            ip_rules::account_id.eq(r.account_id),
            ip_rules::network.eq(r.network),
            ip_rules::comment.eq(r.comment),
            ip_rules::created_by_user_id.eq(Some(r.by_user)),
            ip_rules::created_by_name.eq(r.by_name),
            ip_rules::created_at.eq(r.now),
        ))
        .returning(ip_rules::id)
        .get_result(conn)
        .map(Some)
}

/// One line of an import: its line number, network and comment.
#[derive(Debug)]
pub struct ImportLine {
    pub line: usize,
    pub network: String,
    pub comment: Option<String>,
}

/// Rows per statement: well under both databases' bound-parameter limits.
const IMPORT_BATCH: usize = 1000;

/// Adds many rules at once, in batches; returns how many were added and
/// the lines whose network the account already had (line, network). Call
/// inside a write transaction; bump the version after.
pub fn import(
    conn: &mut DbConn,
    account_id: i64,
    lines: &[ImportLine],
    by_user: i64,
    by_name: &str,
    now: NaiveDateTime,
) -> QueryResult<(usize, Vec<(usize, String)>)> {
    super::lock(conn, "gate_settings", &account_id.to_string())?;
    let (mut added, mut existing_lines) = (0, Vec::new());
    for chunk in lines.chunks(IMPORT_BATCH) {
        let networks: Vec<&str> = chunk.iter().map(|l| l.network.as_str()).collect();
        let existing: std::collections::HashSet<String> = ip_rules::table
            .filter(ip_rules::account_id.eq(account_id))
            .filter(ip_rules::network.eq_any(&networks))
            .select(ip_rules::network)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let mut rows = Vec::with_capacity(chunk.len());
        for l in chunk {
            if existing.contains(&l.network) {
                existing_lines.push((l.line, l.network.clone()));
                continue;
            }
            rows.push((
                ip_rules::account_id.eq(account_id),
                ip_rules::network.eq(l.network.as_str()),
                ip_rules::comment.eq(l.comment.as_deref()),
                ip_rules::created_by_user_id.eq(Some(by_user)),
                ip_rules::created_by_name.eq(by_name),
                ip_rules::created_at.eq(now),
            ));
        }
        if !rows.is_empty() {
            // One statement per batch; the multi-connection type has no
            // multi-row insert of its own, each backend does.
            let insert = diesel::insert_into(ip_rules::table).values(&rows);
            added += match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Pg(c) => insert.execute(c)?,
            };
        }
    }
    Ok((added, existing_lines))
}

/// Removes a rule, returning what it was.
pub fn remove(conn: &mut DbConn, account_id: i64, id: i64) -> QueryResult<Option<IpRuleRow>> {
    let Some(row) = get(conn, account_id, id)? else {
        return Ok(None);
    };
    diesel::delete(
        ip_rules::table
            .filter(ip_rules::account_id.eq(account_id))
            .filter(ip_rules::id.eq(id)),
    )
    .execute(conn)?;
    Ok(Some(row))
}

pub fn get(conn: &mut DbConn, account_id: i64, id: i64) -> QueryResult<Option<IpRuleRow>> {
    ip_rules::table
        .filter(ip_rules::account_id.eq(account_id))
        .filter(ip_rules::id.eq(id))
        .select(IpRuleRow::as_select())
        .first(conn)
        .optional()
}

/// One page of the account's rules, newest first, optionally narrowed to
/// networks starting with `q` or comments containing it. Returns the rows,
/// the total matching and the page actually shown (clamped).
pub fn page(
    conn: &mut DbConn,
    account_id: i64,
    q: &str,
    page: i64,
    limit: i64,
) -> QueryResult<(Vec<IpRuleRow>, i64, i64)> {
    let filtered = || {
        let mut query = ip_rules::table
            .filter(ip_rules::account_id.eq(account_id))
            .into_boxed();
        if !q.is_empty() {
            let escaped = q
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            query = query.filter(
                ip_rules::network
                    .like(format!("{escaped}%"))
                    .escape('\\')
                    .or(ip_rules::comment.like(format!("%{escaped}%")).escape('\\')),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let pages = ((total + limit - 1) / limit).max(1);
    let page = page.clamp(1, pages);
    let rows = filtered()
        .order(ip_rules::id.desc())
        .offset((page - 1) * limit)
        .limit(limit)
        .select(IpRuleRow::as_select())
        .load(conn)?;
    Ok((rows, total, page))
}

/// Rules after `after_id` in id order, for the export: (id, network, comment).
pub fn export_chunk(
    conn: &mut DbConn,
    account_id: i64,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String, Option<String>)>> {
    ip_rules::table
        .filter(ip_rules::account_id.eq(account_id))
        .filter(ip_rules::id.gt(after_id))
        .order(ip_rules::id.asc())
        .limit(limit)
        .select((ip_rules::id, ip_rules::network, ip_rules::comment))
        .load(conn)
}

/// The account's own shield list (one pattern a line), if it saved one.
pub fn shield_list(conn: &mut DbConn, account_id: i64) -> QueryResult<Option<String>> {
    shield_lists::table
        .filter(shield_lists::account_id.eq(account_id))
        .select(shield_lists::patterns)
        .first(conn)
        .optional()
}

/// The shield as saved.
pub struct SavedShield<'a> {
    pub enabled: bool,
    pub strikes: i32,
    pub action: &'a str,
    /// One pattern a line.
    pub patterns: &'a str,
}

/// Saves the shield and returns the new rule version.
pub fn save_shield(
    conn: &mut DbConn,
    account_id: i64,
    s: &SavedShield<'_>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let version = bump(conn, account_id, now)?;
    diesel::update(gate_settings::table.filter(gate_settings::account_id.eq(account_id)))
        .set((
            gate_settings::shield_enabled.eq(s.enabled),
            gate_settings::shield_strikes.eq(s.strikes),
            gate_settings::shield_action.eq(s.action),
        ))
        .execute(conn)?;
    diesel::delete(shield_lists::table.filter(shield_lists::account_id.eq(account_id)))
        .execute(conn)?;
    diesel::insert_into(shield_lists::table)
        .values((
            shield_lists::account_id.eq(account_id),
            shield_lists::patterns.eq(s.patterns),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Saves flood control's limits (`None`: off) and returns the new rule
/// version.
pub fn save_flood(
    conn: &mut DbConn,
    account_id: i64,
    limits: &FloodLimits,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let version = bump(conn, account_id, now)?;
    let stored = |w: Sending| limits.of(w).and_then(|n| i32::try_from(n).ok());
    diesel::update(gate_settings::table.filter(gate_settings::account_id.eq(account_id)))
        .set((
            gate_settings::flood_messages.eq(stored(Sending::Message)),
            gate_settings::flood_conversations.eq(stored(Sending::Conversation)),
            gate_settings::flood_files.eq(stored(Sending::File)),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Saves whether a block also covers the visitor's browser, and returns
/// the new rule version.
pub fn save_block_browser(
    conn: &mut DbConn,
    account_id: i64,
    on: bool,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let version = bump(conn, account_id, now)?;
    diesel::update(gate_settings::table.filter(gate_settings::account_id.eq(account_id)))
        .set(gate_settings::block_browser.eq(on))
        .execute(conn)?;
    Ok(version)
}

/// Saves the country section. Call inside a write transaction.
pub fn save_countries(
    conn: &mut DbConn,
    account_id: i64,
    mode: &str,
    countries: &str,
    unknown: bool,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let version = bump(conn, account_id, now)?;
    diesel::update(gate_settings::table.filter(gate_settings::account_id.eq(account_id)))
        .set((
            gate_settings::country_mode.eq(mode),
            gate_settings::countries.eq(countries),
            gate_settings::country_unknown.eq(unknown),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Saves the website section, replacing the list. Call inside a write
/// transaction.
pub fn save_sites(
    conn: &mut DbConn,
    account_id: i64,
    mode: &str,
    patterns: &[String],
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let version = bump(conn, account_id, now)?;
    diesel::update(gate_settings::table.filter(gate_settings::account_id.eq(account_id)))
        .set(gate_settings::site_mode.eq(mode))
        .execute(conn)?;
    diesel::delete(site_rules::table.filter(site_rules::account_id.eq(account_id)))
        .execute(conn)?;
    for (i, p) in patterns.iter().enumerate() {
        diesel::insert_into(site_rules::table)
            .values((
                site_rules::account_id.eq(account_id),
                site_rules::pattern.eq(p),
                site_rules::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(version)
}

/// Adds flushed hit counts to their rules: (account, rule id, hits).
/// Rules removed meanwhile are skipped. One statement per 500 rules hit;
/// every value in it is an integer.
pub fn add_hits(conn: &mut DbConn, hits: &[(i64, i64, u64)]) -> QueryResult<()> {
    use std::fmt::Write;
    // A rule may come twice (from a policy swapped out and the one held).
    let mut summed = std::collections::BTreeMap::<(i64, i64), u64>::new();
    for (account_id, id, n) in hits {
        let e = summed.entry((*account_id, *id)).or_default();
        *e = e.saturating_add(*n);
    }
    let hits: Vec<(i64, i64, u64)> = summed.into_iter().map(|((a, id), n)| (a, id, n)).collect();
    for chunk in hits.chunks(500) {
        let mut cases = String::new();
        let mut ids = String::new();
        let mut accounts = std::collections::BTreeSet::new();
        for (account_id, id, n) in chunk {
            let n = i64::try_from(*n).unwrap_or(i64::MAX);
            let _ = write!(
                cases,
                " WHEN id = {id} AND account_id = {account_id} THEN {n}"
            );
            let sep = if ids.is_empty() { "" } else { "," };
            let _ = write!(ids, "{sep}{id}");
            accounts.insert(*account_id);
        }
        let accounts: Vec<String> = accounts.iter().map(i64::to_string).collect();
        diesel::sql_query(format!(
            "UPDATE ip_rules SET hits = hits + CASE{cases} ELSE 0 END \
             WHERE id IN ({ids}) AND account_id IN ({})",
            accounts.join(",")
        ))
        .execute(conn)?;
    }
    Ok(())
}
