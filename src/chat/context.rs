//! The agent console's sidebar: what an agent may know about the visitor
//! of a conversation. One read action, [`read`].
//!
//! The visitor's address is opened here, on the server, only to look up
//! its country and to compare networks; neither it nor its network ever
//! leaves this module. After its 7 days the address is erased, and the
//! sidebar then says "Unknown" and finds blocks by browser alone.
//!
//! - **Country**: from the gate's country table; "Unknown" without one.
//! - **Pages**: the current page (while the visitor is online, the one
//!   the consoles' list shows; else the visit's last), and the visit's pages
//!   ([`crate::domain::visit`] says which pages make the visit).
//! - **Earlier conversations**: of the same visitor key in the account.
//! - **Protection history**: blocks of this browser (the visitor key of
//!   the block's conversation) or of this network: the block's own blind
//!   index while it is in force, else the sealed address of its
//!   conversation while that is kept. The reason and who blocked are the
//!   agents' own notes. Refusals: widget requests the gate refused for
//!   this network or browser in the last 7 days (written counts plus this
//!   instance's unwritten ones).

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};
use ipnet::IpNet;
use serde::Serialize;

use super::service::{agent_conversation, ip_context, online_since, ChatError};
use crate::{
    crypto::Keys,
    db::{
        blocks, refusals,
        visits::{self, BlockOf},
        DbConn,
    },
    domain::{
        block::{network_of, BlockState},
        country::CountryCode,
        visit::{visit_range, RETENTION},
    },
    gate::{Gate, NetworkIndex},
};

/// How many earlier conversations and past blocks are listed.
const LISTED: i64 = 20;
/// How many recent blocks are opened to compare networks.
const COMPARED: i64 = 500;

#[derive(Debug, Clone, Serialize)]
pub struct VisitorContext {
    pub country: Country,
    /// The language the visitor's widget spoke: `{"code": "de", "name":
    /// "German"}`; none for a conversation from before languages.
    pub language: Option<Language>,
    /// Whether the visitor is online now.
    pub online: bool,
    /// The page the visitor is on (online), or was last on in the visit.
    pub page: Option<Page>,
    /// The visit's pages, oldest first.
    pub pages: Vec<Page>,
    pub earlier: Vec<Earlier>,
    pub blocks: Vec<PastBlock>,
    /// Refused widget requests of this network or browser, last 7 days.
    pub refusals_7d: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
}

impl Language {
    fn of(code: Option<&str>) -> Option<Self> {
        let lang = crate::domain::language::Lang::parse(code?)?;
        Some(Language {
            code: lang.code(),
            name: lang.english(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Country {
    pub code: Option<String>,
    pub name: String,
    pub flag: Option<String>,
}

impl Country {
    pub fn of(code: Option<CountryCode>) -> Self {
        match code {
            Some(c) => Country {
                code: Some(c.as_str().to_owned()),
                name: c.name().to_owned(),
                flag: Some(c.flag()),
            },
            None => Country {
                code: None,
                name: "Unknown".to_owned(),
                flag: None,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub url: String,
    /// When the visitor arrived on it, when recorded.
    pub seen_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Earlier {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub messages: i32,
    pub blocked: bool,
    /// The transcript.
    pub link: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PastBlock {
    pub at: DateTime<Utc>,
    pub reason: String,
    pub by: String,
    /// "active", "expired" or "lifted".
    pub state: &'static str,
    /// When it ends (active), ended or was lifted.
    pub ends_at: DateTime<Utc>,
    pub lifted_by: Option<String>,
    pub this_browser: bool,
    pub this_network: bool,
    pub this_conversation: bool,
    /// The transcript of the conversation it was made from.
    pub link: Option<String>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn transcript(id: i64) -> String {
    format!("/conversations/{id}")
}

/// A sealed visitor address, opened; None when it does not open.
fn open_address(keys: &Keys, public_id: &str, sealed: &[u8]) -> Option<IpAddr> {
    let plain = keys.open(sealed, ip_context(public_id)).ok()?;
    String::from_utf8(plain).ok()?.parse().ok()
}

/// What the sidebar shows for conversation `id` of the account, at `now`;
/// NotFound for another account's.
pub fn read(
    conn: &mut DbConn,
    keys: &Keys,
    gate: &Gate,
    account_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<VisitorContext, ChatError> {
    let conv = agent_conversation(conn, account_id, id)?;
    let ip = blocks::conversation_address(conn, account_id, id)?
        .and_then(|sealed| open_address(keys, &conv.public_id, &sealed));
    let network = ip.map(network_of);
    let index: Option<NetworkIndex> = ip.map(|ip| gate.index_of(ip));
    let key = conv.visitor_key.as_str();

    let seen = visits::pages(conn, account_id, key)?;
    let times: Vec<NaiveDateTime> = seen.iter().map(|(_, t)| *t).collect();
    let page_of = |(url, at): &(String, NaiveDateTime)| Page {
        url: url.clone(),
        seen_at: Some(utc(*at)),
    };
    let pages: Vec<Page> = seen[visit_range(&times, conv.started_at, conv.ended_at)]
        .iter()
        .map(page_of)
        .collect();
    // Online, the page is the one the consoles' list shows.
    let here = visits::last_seen(conn, conv.case_id, key)?.filter(|(t, _)| *t > online_since(now));
    let online = here.is_some();
    let page = match here.and_then(|(_, url)| url) {
        Some(url) => Some(Page {
            seen_at: seen
                .iter()
                .rev()
                .find(|(u, _)| *u == url)
                .map(|(_, t)| utc(*t)),
            url,
        }),
        None => pages.last().cloned(),
    }
    .or_else(|| conv.page_url.clone().map(|url| Page { url, seen_at: None }));

    let earlier =
        visits::earlier_conversations(conn, account_id, key, id, conv.started_at, LISTED)?
            .into_iter()
            .map(|e| Earlier {
                id: e.id,
                started_at: utc(e.started_at),
                messages: e.message_count,
                blocked: e.blocked_at.is_some(),
                link: transcript(e.id),
            })
            .collect();
    let blocks = history(conn, keys, &conv, network, index.as_ref(), now)?;
    let written = refusals::since(
        conn,
        account_id,
        index.as_ref().map(|i| i.as_slice()),
        key,
        now - RETENTION,
    )?;
    let pending = gate
        .refusals()
        .pending(account_id, ip.map(crate::gate::network_key), key);
    Ok(VisitorContext {
        country: Country::of(ip.and_then(|ip| gate.country_of(ip))),
        language: Language::of(conv.visitor_lang.as_deref()),
        online,
        page,
        pages,
        earlier,
        blocks,
        refusals_7d: u64::try_from(written).unwrap_or(0) + pending,
    })
}

/// The blocks of this browser or this network, newest first.
fn history(
    conn: &mut DbConn,
    keys: &Keys,
    conv: &crate::db::models::Conversation,
    network: Option<IpNet>,
    index: Option<&NetworkIndex>,
    now: NaiveDateTime,
) -> Result<Vec<PastBlock>, ChatError> {
    let (account_id, key) = (conv.account_id, conv.visitor_key.as_str());
    let mut found = visits::blocks_of(conn, account_id, key, index.map(|i| i.as_slice()), LISTED)?;
    if network.is_some() {
        found.extend(visits::blocks_with_addresses(conn, account_id, COMPARED)?);
    }
    found.sort_by_key(|b| std::cmp::Reverse(b.block.id));
    found.dedup_by_key(|b| b.block.id);
    let shown = found
        .into_iter()
        .filter_map(|b| {
            let this_browser = b.visitor_key.as_deref() == Some(key);
            let this_network = same_network(keys, &b, network, index);
            (this_browser || this_network)
                .then(|| past(b, conv.id, this_browser, this_network, now))
        })
        .take(LISTED as usize)
        .collect();
    Ok(shown)
}

/// Whether block `b` covers the visitor's network: by its own index while
/// it holds one, else by its conversation's address while that is kept.
fn same_network(
    keys: &Keys,
    b: &BlockOf,
    network: Option<IpNet>,
    index: Option<&NetworkIndex>,
) -> bool {
    let Some(network) = network else { return false };
    if let (Some(theirs), Some(ours)) = (&b.network_index, index) {
        return theirs.as_slice() == ours.as_slice();
    }
    b.address
        .as_ref()
        .and_then(|(public_id, sealed)| open_address(keys, public_id, sealed))
        .is_some_and(|ip| network_of(ip) == network)
}

fn past(
    b: BlockOf,
    conversation_id: i64,
    browser: bool,
    network: bool,
    now: NaiveDateTime,
) -> PastBlock {
    let block = b.block;
    let lifted = block
        .lifted_at
        .map(|at| (at, block.lifted_by_name.as_deref().unwrap_or("")));
    let (state, ends_at) = match BlockState::of(block.expires_at, lifted, now) {
        BlockState::Active { .. } => ("active", block.expires_at),
        BlockState::Expired { at } => ("expired", at),
        BlockState::Lifted { at, .. } => ("lifted", at),
    };
    PastBlock {
        at: utc(block.created_at),
        reason: block.reason,
        by: block.blocked_by_name,
        state,
        ends_at: utc(ends_at),
        lifted_by: (state == "lifted")
            .then_some(block.lifted_by_name)
            .flatten(),
        this_browser: browser,
        this_network: network,
        this_conversation: block.conversation_id == Some(conversation_id),
        link: block.conversation_id.map(transcript),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_country_with_its_flag_or_unknown() {
        let fr = Country::of(CountryCode::parse("FR"));
        assert_eq!(fr.code.as_deref(), Some("FR"));
        assert_eq!(fr.name, "France");
        assert_eq!(fr.flag.as_deref(), Some("🇫🇷"));
        let unknown = Country::of(None);
        assert_eq!(
            unknown,
            Country {
                code: None,
                name: "Unknown".into(),
                flag: None
            }
        );
    }

    #[test]
    fn an_address_opens_only_where_it_was_sealed() {
        let keys = crate::crypto::MasterKey::random().keys();
        let sealed = keys.seal(b"2001:db8:f0::7", ip_context("c1"));
        assert_eq!(
            open_address(&keys, "c1", &sealed),
            Some("2001:db8:f0::7".parse().unwrap())
        );
        assert_eq!(open_address(&keys, "c2", &sealed), None);
        let junk = keys.seal(b"not an address", ip_context("c1"));
        assert_eq!(open_address(&keys, "c1", &junk), None);
    }
}
