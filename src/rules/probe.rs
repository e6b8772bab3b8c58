//! "Test a visitor": the gate's decision for an address and page (and,
//! optionally, the browser of one of the account's conversations), step by
//! step, without counting a hit.

use std::{net::IpAddr, sync::Arc};

use chrono::NaiveDateTime;

use super::RulesError;
use crate::{
    db::{self, DbConn},
    domain::{
        access::{CountryPolicy, ListMode, Page, SitePolicy},
        block::remaining_text,
        country::CountryCode,
        website::PageUrl,
    },
    gate::{Gate, Reason, Verdict, Visit},
};

/// The address and page to test.
#[derive(Debug, Clone)]
pub struct ProbeInput {
    ip: IpAddr,
    page: Page,
    /// The conversation whose visitor's browser to test as well.
    conversation: Option<i64>,
}

impl ProbeInput {
    /// The address (required), the page address and the conversation
    /// number (optional) as typed.
    pub fn parse(address: &str, url: &str, conversation: &str) -> Result<ProbeInput, RulesError> {
        let (address, url) = (address.trim(), url.trim());
        let conversation = conversation.trim().trim_start_matches('#');
        let conversation = if conversation.is_empty() {
            None
        } else {
            Some(conversation.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                invalid(format!(
                    "{conversation} is not a conversation number: enter the number shown on its transcript, such as 1234"
                ))
            })?)
        };
        if address.is_empty() {
            return Err(invalid("Enter the visitor's IPv4 or IPv6 address".into()));
        }
        let ip = address.parse::<IpAddr>().map_err(|_| {
            invalid(format!(
                "{address} is not an IPv4 or IPv6 address (a single address, without a /prefix)"
            ))
        })?;
        let page = if url.is_empty() {
            Page::Unknown
        } else {
            let page = PageUrl::parse(url).ok_or_else(|| {
                invalid(format!(
                    "{url} is not a web page address: enter a full http:// or https:// URL"
                ))
            })?;
            Page::Known(Arc::new(page))
        };
        Ok(ProbeInput {
            ip: ip.to_canonical(),
            page,
            conversation,
        })
    }
}

fn invalid(message: String) -> RulesError {
    RulesError::InvalidProbe(message)
}

/// The decision, for the person: a headline and one line per step.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub served: bool,
    pub headline: String,
    pub steps: Vec<(String, String)>,
}

/// What the gate holds for the visit, read once.
#[derive(Debug)]
pub(super) struct Findings<'a> {
    pub(super) verdict: Verdict,
    /// The rule that matches the address, with its comment.
    pub(super) rule: Option<(String, Option<String>)>,
    pub(super) block_until: Option<NaiveDateTime>,
    /// The browser tested, and the end of a block covering it.
    pub(super) browser: Option<(i64, Option<NaiveDateTime>)>,
    pub(super) country: Option<CountryCode>,
    pub(super) countries: Option<&'a CountryPolicy>,
    pub(super) sites: Option<&'a SitePolicy>,
}

/// The gate's decision for the account's visitor, explained; reads the
/// matching rule's comment.
pub fn test_visitor(
    conn: &mut DbConn,
    gate: &Gate,
    account_id: i64,
    input: &ProbeInput,
    now: NaiveDateTime,
) -> Result<Explanation, RulesError> {
    let ip = input.ip;
    let browser = match input.conversation {
        Some(id) => {
            let conv = db::chat::for_account(conn, account_id, id)?.ok_or_else(|| {
                invalid(format!("There is no conversation #{id} in this account"))
            })?;
            Some((id, conv.visitor_key))
        }
        None => None,
    };
    let verdict = gate.decide(&Visit {
        account_id,
        ip,
        page: &input.page,
        now,
        browser: browser.as_ref().map(|(_, key)| key.as_str()),
    });
    let policy = gate.policy(account_id);
    let rule = match policy.as_ref().and_then(|p| p.rule_for(ip)) {
        Some(m) => {
            let comment = db::rules::get(conn, account_id, m.id)?.and_then(|r| r.comment);
            Some((m.network.to_string(), comment))
        }
        None => None,
    };
    let found = Findings {
        verdict,
        rule,
        block_until: gate.block_until(account_id, ip, now),
        browser: browser.map(|(id, key)| (id, gate.browser_block_until(account_id, &key, now))),
        country: gate.country_of(ip),
        countries: policy.as_deref().map(|p| &p.countries),
        sites: policy.as_deref().map(|p| &*p.sites),
    };
    Ok(explain(&found, &input.page, now))
}

/// The explanation of what the gate found for a visit to `page`.
pub(super) fn explain(f: &Findings<'_>, page: &Page, now: NaiveDateTime) -> Explanation {
    let steps = [
        ("1. IP addresses and subnets", rule_step(f)),
        ("2. Visitor blocks", block_step(f, now)),
        ("3. Countries", country_step(f)),
        ("4. Websites", website_step(f, page)),
    ];
    Explanation {
        served: !f.verdict.refused(),
        headline: headline(f.verdict),
        steps: steps.map(|(k, v)| (k.to_owned(), v)).into(),
    }
}

fn rule_step(f: &Findings<'_>) -> String {
    match &f.rule {
        Some((network, Some(c))) => format!("Matches the rule {network} ({c}): blocked"),
        Some((network, None)) => format!("Matches the rule {network}: blocked"),
        None => "No rule covers this address".to_owned(),
    }
}

fn block_step(f: &Findings<'_>, now: NaiveDateTime) -> String {
    let browser = match f.browser {
        Some((id, Some(until))) => format!(
            "the browser of conversation #{id} is blocked (the browser index): {} left",
            remaining_text(until - now)
        ),
        Some((id, None)) => format!("no block covers the browser of conversation #{id}"),
        None => String::new(),
    };
    let address = match f.block_until {
        Some(until) => format!(
            "Blocked from a chat window: {} left",
            remaining_text(until - now)
        ),
        None => "No active block covers this address".to_owned(),
    };
    if browser.is_empty() {
        address
    } else {
        format!("{address}; {browser}")
    }
}

fn country_step(f: &Findings<'_>) -> String {
    let country = match f.country {
        Some(c) => format!("{} ({})", c.name(), c.as_str()),
        None => "Unknown location (private, reserved or unlisted address)".to_owned(),
    };
    match f.countries {
        Some(cp) if cp.mode != ListMode::Off => {
            let verdict = if cp.refuses(f.country) {
                "not allowed by the country list"
            } else {
                "allowed by the country list"
            };
            format!("{country}: {verdict}")
        }
        _ => format!("{country}: country rules are off"),
    }
}

fn website_step(f: &Findings<'_>, page: &Page) -> String {
    let Some(sp) = f.sites.filter(|sp| sp.mode != ListMode::Off) else {
        return "Website rules are off".to_owned();
    };
    let matched = match page {
        Page::Known(u) => sp.sites.find(u).map(|m| m.to_string()),
        _ => None,
    };
    match (page, sp.refuses(page), matched) {
        (Page::Unknown, true, _) => {
            "No page given: the allow list cannot pass an unknown page".to_owned()
        }
        (Page::Unknown, false, _) => "No page given: the block list does not apply".to_owned(),
        (_, true, Some(m)) => format!("Matches {m} on the block list"),
        (_, true, None) => "Not on the allow list".to_owned(),
        (_, false, Some(m)) => format!("Matches {m} on the allow list"),
        (_, false, None) => "Not on the block list".to_owned(),
    }
}

fn headline(verdict: Verdict) -> String {
    let reason = match verdict {
        Verdict::Serve => return "This visitor sees the chat.".to_owned(),
        Verdict::Refuse(Reason::IpRule { network, .. }) => format!("the IP rule {network}"),
        Verdict::Refuse(Reason::VisitorBlock { browser: false, .. }) => {
            "a visitor block".to_owned()
        }
        Verdict::Refuse(Reason::VisitorBlock { browser: true, .. }) => {
            "a visitor block of this browser (the browser index)".to_owned()
        }
        Verdict::Refuse(Reason::Country(_)) => "the country rules".to_owned(),
        Verdict::Refuse(Reason::Website) => "the website rules".to_owned(),
    };
    format!("This visitor does not see the chat: {reason}.")
}
