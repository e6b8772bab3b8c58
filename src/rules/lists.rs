//! The country and website lists: a mode and a list each, saved whole.

use std::{collections::BTreeSet, sync::Arc};

use chrono::NaiveDateTime;

use super::{announce, plural, Actor, Change, GateChange, RulesError};
use crate::{
    db::{self, audit, DbConn},
    domain::{
        access::{CountryPolicy, ListMode, SitePolicy},
        country::{self, CountryCode},
        refused_line::RefusedLine,
        website::{parse_list, ListedSite, SiteList},
    },
};

/// The country section as typed: the mode, the codes (trimmed, in
/// uppercase) and whether the unknown location is selected.
pub fn parse_countries(
    mode: Option<ListMode>,
    typed: &BTreeSet<String>,
    unknown: bool,
) -> Result<CountryPolicy, RulesError> {
    let mode = mode.ok_or(RulesError::NoCountryMode)?;
    let bad: Vec<String> = typed
        .iter()
        .filter(|c| CountryCode::parse(c).is_none())
        .cloned()
        .collect();
    if !bad.is_empty() {
        return Err(RulesError::UnknownCountries(bad));
    }
    let countries: BTreeSet<CountryCode> =
        typed.iter().filter_map(|c| CountryCode::parse(c)).collect();
    match mode {
        ListMode::Allow if countries.is_empty() && !unknown => Err(RulesError::NoCountryToAllow),
        ListMode::Block if countries.is_empty() && !unknown => Err(RulesError::NoCountryToBlock),
        _ => Ok(CountryPolicy {
            mode,
            countries,
            unknown,
        }),
    }
}

/// Saves the country section.
pub fn save_countries(
    conn: &mut DbConn,
    actor: &Actor,
    policy: CountryPolicy,
    now: NaiveDateTime,
) -> Result<Change, RulesError> {
    let (aid, mode) = (actor.account_id, policy.mode);
    let csv = country::format_set(&policy.countries);
    let version = db::rules::save_countries(conn, aid, mode.as_str(), &csv, policy.unknown, now)?;
    let detail = format!(
        "{}: {}{}",
        mode.as_str(),
        if csv.is_empty() { "none" } else { &csv },
        if policy.unknown {
            " + unknown location"
        } else {
            ""
        }
    );
    audit::record(conn, aid, actor.audit(), "countries.save", &detail, now)?;
    let n = policy.countries.len();
    let countries = if n == 1 { "country" } else { "countries" };
    let message = match mode {
        ListMode::Off => {
            "Saved: country rules are off; visitors from every country may chat.".to_owned()
        }
        ListMode::Allow => {
            format!("Saved: only visitors from the {n} selected {countries} may chat.")
        }
        ListMode::Block => {
            format!("Saved: visitors from the {n} selected {countries} no longer see the chat.")
        }
    };
    announce(
        conn,
        aid,
        Change {
            version,
            gate: GateChange::Countries(policy),
            message,
        },
    )
}

/// The website section, parsed.
#[derive(Debug)]
pub struct Websites {
    mode: ListMode,
    listed: Vec<ListedSite>,
}

/// The website section as typed: the mode and the list, one per line.
pub fn parse_websites(mode: Option<ListMode>, list: &str) -> Result<Websites, RulesError> {
    let (listed, mut refused) = parse_list(list);
    let whole = |e: RulesError| RefusedLine::whole(e.to_string());
    match mode {
        None => refused.insert(0, whole(RulesError::NoWebsiteMode)),
        Some(ListMode::Allow) if listed.is_empty() && refused.is_empty() => {
            refused.push(whole(RulesError::NoWebsiteToAllow))
        }
        _ => {}
    }
    match mode {
        Some(mode) if refused.is_empty() => Ok(Websites { mode, listed }),
        _ => Err(RulesError::Websites(refused)),
    }
}

/// Saves the website section, replacing the list.
pub fn save_websites(
    conn: &mut DbConn,
    actor: &Actor,
    sites: Websites,
    now: NaiveDateTime,
) -> Result<Change, RulesError> {
    let (aid, mode) = (actor.account_id, sites.mode);
    let patterns: Vec<String> = sites.listed.iter().map(|l| l.pattern.to_string()).collect();
    let version = db::rules::save_sites(conn, aid, mode.as_str(), &patterns, now)?;
    let mut detail = format!("{}: {}", mode.as_str(), patterns.join(", "));
    if detail.chars().count() > 500 {
        detail = format!("{}…", detail.chars().take(499).collect::<String>());
    }
    audit::record(conn, aid, actor.audit(), "websites.save", &detail, now)?;
    let (n, s) = (patterns.len(), plural(patterns.len()));
    let message = match mode {
        ListMode::Off => format!("Saved: website rules are off ({n} website{s} kept on the list)."),
        ListMode::Allow => format!("Saved: the chat shows only on the {n} listed website{s}."),
        ListMode::Block => format!("Saved: the chat no longer shows on the {n} listed website{s}."),
    };
    let policy = SitePolicy {
        mode,
        sites: SiteList::new(sites.listed.into_iter().map(|l| l.pattern)),
    };
    announce(
        conn,
        aid,
        Change {
            version,
            gate: GateChange::Sites(Arc::new(policy)),
            message,
        },
    )
}
