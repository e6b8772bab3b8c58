//! The living demo: on a first start with an empty database, the demo
//! account gets 30 days of history (`plan`), so every panel page shows
//! something real: conversations with messages, agents, ratings and files;
//! blocks with their reasons (one in force, one lifted early, the older
//! ones expired); a dozen IP rules with comments and hits; a country block
//! list; a website allow list that includes the demo page itself.
//!
//! Written in the seeding transaction (`db::seed::seed_demo`), through the
//! same queries the service actions use. Addresses are documentation ones,
//! sealed like real ones, and erased after 7 days as the purge would have.

pub mod plan;
pub mod traffic;

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;
use serde_json::json;

use self::plan::{End, Planned, Who, MORE_AGENTS};
use crate::{
    chat::{blocking::network_context, file_store::Store, service::ip_context},
    crypto::{random_token, Keys},
    db::{
        self, accounts, audit,
        blocks::{self, NewBlock},
        chat::{self, NewConversation, NewEvent, NewFile},
        file_chunks,
        models::{BusinessCase, User},
        purge,
        rules::{self, NewIpRule},
        DbConn,
    },
    domain::{
        account::{DisplayName, Email, Role},
        block::{network_of, DURATION},
        chat::{Author, EventKind, Status},
    },
};

/// What the history needs besides the connection.
pub struct Setting<'a> {
    pub keys: &'a Keys,
    pub store: &'a Store,
    /// The host the panel is reached at (for the website allow list).
    pub public_host: &'a str,
    pub password_hash: &'a str,
    pub now: NaiveDateTime,
}

/// A dozen IP rules: (network, comment, hits).
const RULES: [(&str, &str, i64); 12] = [
    (
        "203.0.113.0/26",
        "Scrapers hammering the pricing page",
        4_812,
    ),
    ("198.51.100.64/27", "Card testing bots at checkout", 2_377),
    (
        "192.0.2.15",
        "Spammer who came back from a new address",
        311,
    ),
    ("2001:db8:bad::/48", "Botnet seen in the access logs", 1_904),
    ("203.0.113.200", "Threatened an agent in October", 57),
    ("198.51.100.7", "Fake refund requests", 129),
    (
        "192.0.2.128/25",
        "Hosting provider range used by scrapers",
        868,
    ),
    (
        "2001:db8:1234:5678::/64",
        "Abusive visitor cycling addresses in one network",
        96,
    ),
    ("203.0.113.99", "Chat flooding", 44),
    ("198.51.100.200/29", "Competitor price crawler", 1_560),
    ("192.0.2.77", "Phishing links in the chat", 18),
    ("2001:db8:ffff::/48", "Open proxies", 402),
];

/// Who lifts the block lifted early (the seeded manager).
const MANAGER: &str = "Morgan Manager";

/// Countries the shop does not sell to (export rules).
const BLOCKED_COUNTRIES: &str = "CU,IR,KP,SY"; // traffic::COUNTRIES

/// Writes the history into `account_id`. Call inside the seeding
/// transaction.
pub fn write(conn: &mut DbConn, account_id: i64, s: &Setting<'_>) -> QueryResult<()> {
    let agents = agents(conn, account_id, s)?;
    let cases = accounts::cases(conn, account_id)?;
    let history = plan::history(s.now);
    for p in &history {
        conversation(conn, account_id, &cases, &agents, p, s)?;
    }
    let rules = rules_and_lists(conn, account_id, &agents[0], s)?;
    // The dashboard's counters, as 30 days of page views would have left.
    db::counters::add(conn, &traffic::hours(account_id, &rules, s.now, plan::DAYS))?;
    // What the purge would have done by now.
    let expired = blocks::expire(conn, s.now)?;
    purge::record_expired(conn, &expired, s.now)?;
    blocks::purge_conversation_addresses(conn, s.now - DURATION)?;
    Ok(())
}

/// The account's agents: the seeded ones, then the demo's own.
fn agents(conn: &mut DbConn, account_id: i64, s: &Setting<'_>) -> QueryResult<Vec<User>> {
    for (email, name) in MORE_AGENTS {
        let (Ok(email), Ok(name)) = (Email::parse(email), DisplayName::parse(name)) else {
            continue;
        };
        accounts::create_user(
            conn,
            account_id,
            &email,
            &name,
            Role::Agent,
            s.password_hash,
            s.now,
        )?;
    }
    let mut users = accounts::users(conn, account_id)?;
    users.sort_by_key(|u| u.id);
    Ok(users)
}

fn conversation(
    conn: &mut DbConn,
    account_id: i64,
    cases: &[BusinessCase],
    agents: &[User],
    p: &Planned,
    s: &Setting<'_>,
) -> QueryResult<()> {
    let Some(case) = cases.get(p.case).or(cases.first()) else {
        return Ok(());
    };
    let public_id = random_token();
    let (label, key) = (
        format!("Visitor {:04X}", p.visitor),
        format!("demo-visitor-{:04x}", p.visitor),
    );
    // The pages of the visit (kept 7 days, as the widget's reports are).
    if p.started > s.now - Duration::days(7) {
        let home = "https://shop.example/";
        db::visits::record_page(
            conn,
            account_id,
            &key,
            home,
            p.started - Duration::minutes(4),
        )?;
        db::visits::record_page(
            conn,
            account_id,
            &key,
            p.page,
            p.started - Duration::minutes(1),
        )?;
    }
    let conv = chat::create(
        conn,
        NewConversation {
            account_id,
            case_id: case.id,
            public_id: &public_id,
            visitor_key: &key,
            visitor_label: &label,
            page_url: Some(p.page),
            visitor_lang: Some("en"),
            ip_sealed: s.keys.seal(p.address.as_bytes(), ip_context(&public_id)),
            ip_index: s.keys.ip_index(&p.address),
            now: p.started,
        },
    )?;
    let agent = p.agent.and_then(|i| agents.get(i % agents.len().max(1)));
    let mut last = p.started;
    for (i, line) in p.lines.iter().enumerate() {
        let at = p.started + line.after;
        last = at;
        let (author, name) = match line.who {
            Who::Visitor => (Author::Visitor, label.as_str()),
            Who::Agent => (
                Author::Agent,
                agent.map_or("Alex Agent", |a| a.name.as_str()),
            ),
        };
        if line.who == Who::Agent && i == 1 {
            event(
                conn,
                conv.id,
                EventKind::AgentJoined,
                (author, name),
                json!({}),
                at,
            )?;
        }
        let body = json!({ "text": line.text });
        event(conn, conv.id, EventKind::Message, (author, name), body, at)?;
    }
    if let Some((name, text)) = p.file {
        last += Duration::seconds(30);
        file(conn, account_id, conv.id, &label, name, text, last, s)?;
    }
    ending(conn, account_id, conv.id, agent, p, last, s)
}

/// The agent answering a conversation: their user id and name.
type Agent<'a> = (Option<i64>, &'a str);

#[allow(clippy::too_many_arguments)]
fn ending(
    conn: &mut DbConn,
    account_id: i64,
    id: i64,
    agent: Option<&User>,
    p: &Planned,
    last: NaiveDateTime,
    s: &Setting<'_>,
) -> QueryResult<()> {
    let agent: Agent<'_> = agent.map_or((None, "Alex Agent"), |a| (Some(a.id), a.name.as_str()));
    let end = last + Duration::seconds(60);
    match &p.end {
        End::Waiting => Ok(()),
        End::Active => chat::set_status(conn, id, Status::Active, agent.0, None).map(|_| ()),
        End::Closed { rating } => closed(conn, id, agent, *rating, end),
        End::Blocked { reason, lifted } => {
            chat::set_status(conn, id, Status::Active, agent.0, None)?;
            let ip: IpAddr = p
                .address
                .parse()
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
            let block = blocked(conn, (account_id, id), agent, ip, reason, end, s.keys)?;
            if *lifted {
                lift(conn, (account_id, id), block, end + Duration::hours(5))?;
            }
            Ok(())
        }
    }
}

/// Closed by its agent, and perhaps rated.
fn closed(
    conn: &mut DbConn,
    id: i64,
    (agent_id, name): Agent<'_>,
    rating: Option<(i32, Option<&str>)>,
    end: NaiveDateTime,
) -> QueryResult<()> {
    chat::set_status(conn, id, Status::Closed, agent_id, Some(end))?;
    event(
        conn,
        id,
        EventKind::Closed,
        (Author::Agent, name),
        json!({}),
        end,
    )?;
    if let Some((r, comment)) = rating {
        event(
            conn,
            id,
            EventKind::SurveyOffered,
            (Author::System, ""),
            json!({}),
            end,
        )?;
        chat::set_survey_offered(conn, id)?;
        let body = json!({ "rating": r, "comment": comment });
        let at = end + Duration::seconds(20);
        event(
            conn,
            id,
            EventKind::SurveyAnswered,
            (Author::Visitor, "Visitor"),
            body,
            at,
        )?;
        chat::set_survey_answer(conn, id, r, comment)?;
    }
    Ok(())
}

/// The visitor at `ip` blocked by the agent, as `chat::blocking` does it:
/// the network sealed with its blind index, a note, an audit entry.
fn blocked(
    conn: &mut DbConn,
    (account_id, id): (i64, i64),
    (agent_id, name): Agent<'_>,
    ip: IpAddr,
    reason: &str,
    end: NaiveDateTime,
    keys: &Keys,
) -> QueryResult<i64> {
    let network = network_of(ip).to_string();
    let block_id = random_token();
    let b = blocks::insert(
        conn,
        NewBlock {
            account_id,
            conversation_id: id,
            public_id: &block_id,
            network_sealed: keys.seal(network.as_bytes(), network_context(&block_id)),
            network_index: keys.ip_index(&network),
            browser_index: None,
            reason,
            by_user: agent_id.unwrap_or_default(),
            by_name: name,
            now: end,
            expires_at: end + DURATION,
        },
    )?;
    let note = json!({ "text": format!("Visitor blocked by {name}: {reason}") });
    event(conn, id, EventKind::Note, (Author::Agent, name), note, end)?;
    let actor = audit::Actor::User {
        id: agent_id.unwrap_or_default(),
        name,
    };
    let detail = format!("Blocked the visitor of conversation #{id} for 7 days. Reason: {reason}");
    audit::record(conn, account_id, actor, "visitor.blocked", &detail, end)?;
    Ok(b.id)
}

/// Unblock now, by the manager, `at`.
fn lift(
    conn: &mut DbConn,
    (account_id, id): (i64, i64),
    block: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    blocks::lift(conn, account_id, block, MANAGER, at)?;
    let note = json!({ "text": format!("Block lifted by {MANAGER}") });
    event(
        conn,
        id,
        EventKind::Note,
        (Author::Agent, MANAGER),
        note,
        at,
    )?;
    let detail = format!("Lifted the block on the visitor of conversation #{id} early");
    let actor = audit::Actor::System;
    audit::record(conn, account_id, actor, "visitor.unblocked", &detail, at)
}

fn event(
    conn: &mut DbConn,
    conversation_id: i64,
    kind: EventKind,
    (author, name): (Author, &str),
    body: serde_json::Value,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let e = NewEvent {
        conversation_id,
        kind,
        author,
        name,
        body,
        at,
    };
    chat::append(conn, e).map(|_| ())
}

/// A small text file the visitor sent, stored where this database keeps
/// files' bytes.
#[allow(clippy::too_many_arguments)]
fn file(
    conn: &mut DbConn,
    account_id: i64,
    conversation_id: i64,
    label: &str,
    name: &str,
    text: &str,
    at: NaiveDateTime,
    s: &Setting<'_>,
) -> QueryResult<()> {
    let (public_id, stored_name) = (random_token(), random_token());
    let bytes = text.as_bytes();
    if let Store::Dir(dir) = s.store {
        let written = std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(dir.join(&stored_name), bytes));
        if written.is_err() {
            return Ok(()); // No file then; the conversation stands.
        }
    }
    let id = chat::insert_file(
        conn,
        &NewFile {
            account_id,
            conversation_id,
            public_id: &public_id,
            stored_name: &stored_name,
            original_name: name,
            content_type: "text/plain",
            size: bytes.len() as i64,
            uploaded_by: Author::Visitor,
            category: "documents",
            preview_type: None,
            now: at,
        },
    )?;
    if let Store::Database { .. } = s.store {
        file_chunks::insert(conn, id, bytes, crate::chat::file_store::CHUNK)?;
    }
    let body = json!({
        "file": public_id, "name": name, "size": bytes.len(), "type": "text/plain",
        "category": "documents", "preview": false,
    });
    let by = (Author::Visitor, label);
    event(conn, conversation_id, EventKind::File, by, body, at)
}

/// The IP rules with their hits, the country block list and the website
/// allow list (the shop, and this server's demo page). Returns the rules'
/// ids, busiest first.
fn rules_and_lists(
    conn: &mut DbConn,
    account_id: i64,
    manager: &User,
    s: &Setting<'_>,
) -> QueryResult<Vec<i64>> {
    let mut hits = Vec::new();
    for (k, (network, comment, n)) in RULES.iter().enumerate() {
        let rule = NewIpRule {
            account_id,
            network,
            comment: Some(comment),
            by_user: manager.id,
            by_name: &manager.name,
            now: s.now - Duration::days(29 - 2 * k as i64),
        };
        if let Some(id) = rules::add(conn, &rule)? {
            hits.push((account_id, id, *n as u64));
        }
    }
    rules::add_hits(conn, &hits)?;
    // Not the unknown location: the demo's own visitor (loopback) is one.
    rules::save_countries(conn, account_id, "block", BLOCKED_COUNTRIES, false, s.now)?;
    let mut sites = vec!["shop.example".to_owned(), "*.shop.example".to_owned()];
    for host in [s.public_host, "localhost", "127.0.0.1"] {
        let page = format!("{host}/demo");
        if !host.is_empty() && !sites.contains(&page) {
            sites.push(page);
        }
    }
    rules::save_sites(conn, account_id, "allow", &sites, s.now)?;
    hits.sort_by_key(|h| std::cmp::Reverse(h.2));
    Ok(hits.into_iter().map(|h| h.1).collect())
}
