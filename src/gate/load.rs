//! Filling the gate from the database: visitor blocks, each account's
//! policy, the business cases, and writing the hit counts back.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{
    blocks::{key_of_network, Held, NetworkKey},
    policy::Policy,
    Blocks, Gate,
};
use crate::{
    chat::blocking::network_context,
    crypto::Keys,
    db::{self, blocks::LiveBlock, models::GateSettings, Db, DbConn},
    domain::{
        access::{CountryPolicy, ListMode, SitePolicy},
        country,
        ip_rule::IpRule,
        shield::Shield,
        shield_policy::{default_shield, ShieldPolicy, StrikeAction, DEFAULT_STRIKES},
        website::{SiteList, SitePattern},
    },
    error::AppError,
};

/// Builds an account's policy from its stored rules.
pub fn build_policy(conn: &mut DbConn, account_id: i64) -> diesel::QueryResult<Policy> {
    let settings = db::rules::settings(conn, account_id)?;
    let networks = db::rules::all_networks(conn, account_id)?;
    let patterns = db::rules::site_patterns(conn, account_id)?;
    let shield = shield_of(conn, &settings)?;
    let policy = policy_from(&settings, networks, &patterns);
    Ok(policy.with_shield(settings.version, shield))
}

/// The account's shield: its settings and its own list, or the bundled
/// default list (compiled once) when it never saved one.
pub fn shield_of(
    conn: &mut DbConn,
    settings: &GateSettings,
) -> diesel::QueryResult<std::sync::Arc<ShieldPolicy>> {
    let list = db::rules::shield_list(conn, settings.account_id)?;
    let shield = match list {
        Some(text) => {
            let patterns: Vec<&str> = text.lines().collect();
            std::sync::Arc::new(Shield::new(&patterns))
        }
        None => default_shield(),
    };
    Ok(std::sync::Arc::new(ShieldPolicy {
        enabled: settings.shield_enabled,
        shield,
        strikes: u32::try_from(settings.shield_strikes).unwrap_or(DEFAULT_STRIKES),
        action: StrikeAction::parse(&settings.shield_action).unwrap_or_default(),
    }))
}

/// The policy for stored settings, rules and patterns. Stored values that
/// no longer parse are skipped (they were parsed when saved).
pub fn policy_from(
    settings: &GateSettings,
    networks: Vec<(i64, String)>,
    patterns: &[String],
) -> Policy {
    let countries = CountryPolicy {
        mode: ListMode::parse(&settings.country_mode).unwrap_or_default(),
        countries: country::parse_set(&settings.countries),
        unknown: settings.country_unknown,
    };
    let sites = SitePolicy {
        mode: ListMode::parse(&settings.site_mode).unwrap_or_default(),
        sites: SiteList::new(patterns.iter().filter_map(|p| SitePattern::parse(p).ok())),
    };
    let rules = networks
        .into_iter()
        .filter_map(|(id, n)| IpRule::parse(&n).ok().map(|r| (id, r)));
    let policy = Policy::new(settings.version, rules, countries, sites);
    policy
        .with_flood(settings.version, settings.flood())
        .with_block_browser(settings.version, settings.block_browser)
}

/// Rebuilds one account's policy now, after a change made here.
pub async fn reload_account(db: &Db, gate: &Gate, account_id: i64) -> Result<(), AppError> {
    let policy = db.run(move |c| Ok(build_policy(c, account_id)?)).await?;
    gate.set_rebuilt(account_id, policy);
    Ok(())
}

/// Rebuilds the policies whose version changed (on another instance, or
/// never loaded). Returns how many were rebuilt.
pub async fn refresh_policies(db: &Db, gate: &Gate) -> Result<usize, AppError> {
    let versions = db.run(|c| Ok(db::rules::versions(c)?)).await?;
    let held = gate.versions();
    let stale: Vec<i64> = versions
        .into_iter()
        .filter(|(a, v)| held.get(a) != Some(v))
        .map(|(a, _)| a)
        .collect();
    for account in &stale {
        reload_account(db, gate, *account).await?;
    }
    Ok(stale.len())
}

/// Reads the blocks in force into a new snapshot. Each block's network is
/// opened from its seal once: those the held snapshot opened are reused.
pub async fn reload_blocks(db: &Db, gate: &Gate, now: NaiveDateTime) -> Result<usize, AppError> {
    let ticket = gate.block_read_ticket();
    let rows = db.run(move |c| Ok(db::blocks::live(c, now)?)).await?;
    let held = gate.blocks();
    let blocks = Blocks::new(rows.into_iter().map(|b| Held {
        network: held.opened(b.id).or_else(|| open_network(gate.keys(), &b)),
        block_id: b.id,
        account_id: b.account_id,
        browser: b.browser_index,
        until: b.expires_at,
    }));
    let n = blocks.len();
    gate.replace_blocks_read(ticket, blocks);
    Ok(n)
}

/// The network a block covers, opened from its seal.
fn open_network(keys: &Keys, b: &LiveBlock) -> Option<NetworkKey> {
    let sealed = b.network_sealed.as_deref()?;
    let opened = keys
        .open(sealed, network_context(&b.public_id))
        .ok()
        .and_then(|plain| String::from_utf8(plain).ok())
        .and_then(|text| text.parse::<ipnet::IpNet>().ok())
        .and_then(|net| key_of_network(&net));
    if opened.is_none() {
        // Sealed under another master key, or damaged: it cannot be
        // enforced, and the operator must hear of it.
        tracing::error!(
            block = b.id,
            "a visitor block's network could not be opened"
        );
    }
    opened
}

/// Reads the business cases, for widget requests to find theirs in memory.
pub async fn reload_cases(db: &Db, gate: &Gate) -> Result<(), AppError> {
    let cases = db.run(|c| Ok(db::chat::all_cases(c)?)).await?;
    gate.set_cases(
        cases
            .into_iter()
            .map(|c| (c.widget_key.clone(), std::sync::Arc::new(c)))
            .collect::<HashMap<_, _>>(),
    );
    Ok(())
}

/// Everything: at start-up and on the periodic refresh.
pub async fn reload(db: &Db, gate: &Gate, now: NaiveDateTime) -> Result<usize, AppError> {
    reload_cases(db, gate).await?;
    refresh_policies(db, gate).await?;
    let n = reload_blocks(db, gate, now).await?;
    if !gate.is_ready() {
        gate.set_ready();
        tracing::info!(blocks = n, "the visitor gate is loaded; ready");
    }
    Ok(n)
}

/// Writes the counted hits to the database. On failure the counts are
/// lost rather than retried: they are statistics, not records.
pub async fn flush_hits(db: &Db, gate: &Gate) -> Result<usize, AppError> {
    let hits = gate.take_hits();
    if hits.is_empty() {
        return Ok(0);
    }
    let n = hits.len();
    db.write(move |c| db::rules::add_hits(c, &hits))
        .await?
        .map_err(AppError::from)?;
    Ok(n)
}

/// Writes the refusals counted since the last flush into the current
/// hour's counts. Lost on failure, like the hits.
pub async fn flush_refusals(db: &Db, gate: &Gate, now: NaiveDateTime) -> Result<usize, AppError> {
    let counted = gate
        .refusals()
        .take(|network| gate.index_of_network(network));
    if counted.is_empty() {
        return Ok(0);
    }
    let n = counted.len();
    db.write(move |c| db::refusals::add(c, &counted, now))
        .await?
        .map_err(AppError::from)?;
    Ok(n)
}

/// Writes the page-view decisions counted since the last flush, adding to
/// the stored counts of their hours. Lost on failure, like the hits.
pub async fn flush_counters(db: &Db, gate: &Gate) -> Result<usize, AppError> {
    let counted = gate.counters().take();
    if counted.is_empty() {
        return Ok(0);
    }
    let n = counted.len();
    db.write(move |c| db::counters::add(c, &counted))
        .await?
        .map_err(AppError::from)?;
    Ok(n)
}
