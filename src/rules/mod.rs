//! Block Visitors rules: what a manager changes (IP and subnet rules,
//! countries, websites) and the "Test a visitor" tool.
//!
//! Each action is `fn(conn, &Actor, input, now) -> Result<Change, RulesError>`
//! and runs inside one write transaction opened by the caller (`Db::write`):
//! the change, the account's rule version bump (`db::rules::bump`) and the
//! audit entry commit together, or nothing does. The caller then applies the
//! returned [`Change`] to the gate (`AppState::rules_changed`) and shows its
//! message. Input is parsed before the transaction (`NewRule::parse`, …):
//! what a person can correct is a [`RulesError`] with the message to show.

mod browser;
mod flood;
mod import;
mod ip_rules;
mod lists;
mod probe;
mod shield;

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::{
    db::{
        self,
        models::{Block, GateSettings, IpRuleRow},
        DbConn,
    },
    domain::{
        access::{CountryPolicy, SitePolicy},
        flood::FloodLimits,
        ip_rule::{IpRule, ListTooLong, RuleError},
        notice::{Kind, Notice},
        refused_line::RefusedLine,
        shield_policy::ShieldPolicy,
    },
    gate::policy::Policy,
};

pub use browser::save_block_browser;
pub use flood::save_flood;
pub use import::{import, ImportList, ImportReport, Imported};
pub use ip_rules::{add_rule, remove_rule, NewRule};
pub use lists::{parse_countries, parse_websites, save_countries, save_websites, Websites};
pub use probe::{test_visitor, Explanation, ProbeInput};
pub use shield::{save_shield, ShieldInput};

/// The signed-in manager changing their account's rules.
pub use crate::actor::Actor;

/// Why a change was not made. All but `NotFound` and `Db` are input the
/// person can correct; nothing of it is stored.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("not found")]
    NotFound,
    /// The address or comment of a new rule.
    #[error(transparent)]
    InvalidRule(#[from] RuleError),
    #[error("{network} is already on the list; nothing was added")]
    AlreadyListed { network: String },
    #[error(transparent)]
    ListTooLong(#[from] ListTooLong),
    #[error("The list is empty: paste addresses or choose a file")]
    EmptyList,
    #[error("Choose how the country list applies")]
    NoCountryMode,
    #[error("Unknown country code: {}", .0.join(", "))]
    UnknownCountries(Vec<String>),
    #[error("Select at least one country to allow, or choose Off: an empty allow list would hide the chat from everyone")]
    NoCountryToAllow,
    #[error("Select at least one country to block, or choose Off")]
    NoCountryToBlock,
    #[error("Choose how the website list applies")]
    NoWebsiteMode,
    #[error("List at least one website to allow, or choose Off: an empty allow list would hide the chat everywhere")]
    NoWebsiteToAllow,
    /// The website form: what is wrong with it as a whole (line 0, first),
    /// then the lines to correct.
    #[error("Nothing was saved. Please correct the website list")]
    Websites(Vec<RefusedLine>),
    /// The "Test a visitor" form: the address or the page.
    #[error("{0}")]
    InvalidProbe(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// What a saved change did: the account's new rule version, how the gate
/// follows it, and the confirmation to show.
#[derive(Debug)]
pub struct Change {
    pub version: i64,
    gate: GateChange,
    pub message: String,
}

#[derive(Debug)]
enum GateChange {
    Added(i64, IpRule),
    Removed(i64),
    Countries(CountryPolicy),
    Sites(Arc<SitePolicy>),
    Flood(FloodLimits),
    Shield(Arc<ShieldPolicy>),
    /// Whether a block also covers the visitor's browser.
    BlockBrowser(bool),
    /// Too much changed to follow: the gate rebuilds the account's rules.
    Rebuild,
}

impl Change {
    /// The account's policy `p` with this change, or `None` when the gate
    /// must rebuild it from the database.
    pub fn apply(&self, p: &Policy) -> Option<Policy> {
        let v = self.version;
        match &self.gate {
            GateChange::Added(id, rule) => p.with_rule(v, *id, *rule),
            GateChange::Removed(id) => Some(p.without_rule(v, *id)),
            GateChange::Countries(c) => Some(p.with_lists(v, c.clone(), p.sites.clone())),
            GateChange::Sites(s) => Some(p.with_lists(v, p.countries.clone(), s.clone())),
            GateChange::Flood(f) => Some(p.with_flood(v, *f)),
            GateChange::Shield(sh) => Some(p.with_shield(v, sh.clone())),
            GateChange::BlockBrowser(on) => Some(p.with_block_browser(v, *on)),
            GateChange::Rebuild => None,
        }
    }
}

impl Change {
    /// The notice other instances follow this change by.
    fn notice(&self, account_id: i64) -> Notice {
        let (kind, id) = match &self.gate {
            GateChange::Added(id, _) => (Kind::RuleAdded, *id),
            GateChange::Removed(id) => (Kind::RuleRemoved, *id),
            GateChange::Countries(_) => (Kind::Countries, 0),
            GateChange::Sites(_) => (Kind::Websites, 0),
            GateChange::Flood(_) => (Kind::Flood, 0),
            GateChange::Shield(_) => (Kind::Shield, 0),
            GateChange::BlockBrowser(_) => (Kind::Browser, 0),
            GateChange::Rebuild => (Kind::Rules, 0),
        };
        Notice::new(account_id, kind, id, self.version)
    }

    /// The change another instance made, as its notice names it, read
    /// back from the database: the rule added, the lists saved. What can
    /// no longer be read (a rule removed since) becomes a rebuild.
    pub fn followed(conn: &mut DbConn, n: Notice) -> Result<Change, RulesError> {
        let (account_id, version) = (n.account_id, n.version);
        let gate = match n.kind {
            Kind::RuleAdded => db::rules::get(conn, account_id, n.id)?
                .and_then(|r| IpRule::parse(&r.network).ok())
                .map_or(GateChange::Rebuild, |rule| GateChange::Added(n.id, rule)),
            Kind::RuleRemoved => GateChange::Removed(n.id),
            Kind::Countries | Kind::Websites => {
                let settings = db::rules::settings(conn, account_id)?;
                let patterns = match n.kind {
                    Kind::Websites => db::rules::site_patterns(conn, account_id)?,
                    _ => Vec::new(),
                };
                let p = crate::gate::load::policy_from(&settings, Vec::new(), &patterns);
                match n.kind {
                    Kind::Websites => GateChange::Sites(p.sites),
                    _ => GateChange::Countries(p.countries),
                }
            }
            Kind::Flood => GateChange::Flood(db::rules::settings(conn, account_id)?.flood()),
            Kind::Browser => {
                GateChange::BlockBrowser(db::rules::settings(conn, account_id)?.block_browser)
            }
            Kind::Shield => {
                let settings = db::rules::settings(conn, account_id)?;
                GateChange::Shield(crate::gate::load::shield_of(conn, &settings)?)
            }
            _ => GateChange::Rebuild,
        };
        Ok(Change {
            version,
            gate,
            message: String::new(),
        })
    }
}

/// Ends an action: the other instances hear of the change when it commits.
fn announce(conn: &mut DbConn, account_id: i64, change: Change) -> Result<Change, RulesError> {
    db::notify::send(conn, change.notice(account_id))?;
    Ok(change)
}

/// How many rules and blocks the page lists at a time.
pub const RULES_PER_PAGE: i64 = 50;
pub const BLOCKS_PER_PAGE: i64 = 50;

/// What the Block Visitors page shows, as stored.
#[derive(Debug)]
pub struct Stored {
    pub settings: GateSettings,
    /// The website list in the order it was saved.
    pub patterns: Vec<String>,
    /// One page of the rules matching the search: the rows, how many match
    /// and the page shown.
    pub rules: (Vec<IpRuleRow>, i64, i64),
    /// The newest active visitor blocks, and how many there are.
    pub blocks: (Vec<Block>, i64),
}

/// Reads what the page shows: page `rules_page` of the rules matching `q`.
pub fn stored(
    conn: &mut DbConn,
    account_id: i64,
    q: &str,
    rules_page: i64,
    now: NaiveDateTime,
) -> Result<Stored, RulesError> {
    let settings = db::rules::settings(conn, account_id)?;
    let patterns = db::rules::site_patterns(conn, account_id)?;
    let rules = db::rules::page(conn, account_id, q, rules_page, RULES_PER_PAGE)?;
    let (blocks, total, _) = db::blocks::active_page(conn, account_id, now, 1, BLOCKS_PER_PAGE)?;
    Ok(Stored {
        settings,
        patterns,
        rules,
        blocks: (blocks, total),
    })
}

/// "s" when `n` is not one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests;
