//! "Test a visitor": the gate's decision for an address and page, step by
//! step, without counting a hit. And Unblock now for the active blocks.

use std::net::IpAddr;

use actix_session::Session;
use actix_web::{http::StatusCode, post, web, HttpResponse};

use super::{confirm, show, ListQuery, ProbeForm, ProbeResult, Shown, PATH};
use crate::{
    chat::{
        blocking::{unblock_now, UNBLOCKED},
        service::AgentRef,
    },
    db,
    domain::{
        access::{ListMode, Page as SitePage},
        block::remaining_text,
        website::PageUrl,
    },
    error::AppError,
    gate::{Reason, Verdict, Visit},
    web::{page::Page, see_other, AppState},
};

fn parse_address(s: &str) -> Result<IpAddr, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter the visitor's IPv4 or IPv6 address".into());
    }
    s.parse::<IpAddr>()
        .map(|ip| ip.to_canonical())
        .map_err(|_| {
            format!("{s} is not an IPv4 or IPv6 address (a single address, without a /prefix)")
        })
}

fn parse_page(s: &str) -> Result<SitePage, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(SitePage::Unknown);
    }
    PageUrl::parse(s)
        .map(|p| SitePage::Known(std::sync::Arc::new(p)))
        .ok_or_else(|| {
            format!("{s} is not a web page address: enter a full http:// or https:// URL")
        })
}

#[post("/settings/block-visitors/test")]
pub(super) async fn test_visitor(
    state: web::Data<AppState>,
    page: Page,
    form: web::Form<ProbeForm>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let form = form.into_inner();
    let parsed = parse_address(&form.address).and_then(|ip| parse_page(&form.url).map(|p| (ip, p)));
    let result = match parsed {
        Ok((ip, site_page)) => Ok(explain(&state, page.user.account_id, ip, &site_page).await?),
        Err(e) => Err(e),
    };
    let status = if result.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    show(
        &state,
        page,
        ListQuery::default(),
        Shown::Probe(form, result),
        status,
    )
    .await
}

async fn explain(
    state: &AppState,
    aid: i64,
    ip: IpAddr,
    site_page: &SitePage,
) -> Result<ProbeResult, AppError> {
    let now = state.clock.now();
    let gate = &state.gate;
    let verdict = gate.decide(&Visit {
        account_id: aid,
        ip,
        page: site_page,
        now,
    });
    let policy = gate.policy(aid);
    let mut steps = Vec::new();

    let rule = policy.as_ref().and_then(|p| p.rule_for(ip));
    steps.push((
        "1. IP addresses and subnets".to_owned(),
        match rule {
            Some(m) => {
                let id = m.id;
                let comment = state
                    .db
                    .run(move |c| Ok(db::rules::get(c, aid, id)?))
                    .await?
                    .and_then(|r| r.comment);
                match comment {
                    Some(c) => format!("Matches the rule {} ({c}): blocked", m.network),
                    None => format!("Matches the rule {}: blocked", m.network),
                }
            }
            None => "No rule covers this address".to_owned(),
        },
    ));
    steps.push((
        "2. Visitor blocks".to_owned(),
        match gate.block_until(aid, ip, now) {
            Some(until) => format!(
                "Blocked from a chat window: {} left",
                remaining_text(until - now)
            ),
            None => "No active block covers this address".to_owned(),
        },
    ));
    let country = gate.country_of(ip);
    let country_text = match country {
        Some(c) => format!("{} ({})", c.name(), c.as_str()),
        None => "Unknown location (private, reserved or unlisted address)".to_owned(),
    };
    steps.push((
        "3. Countries".to_owned(),
        match policy.as_ref().map(|p| &p.countries) {
            Some(cp) if cp.mode != ListMode::Off => format!(
                "{country_text}: {}",
                if cp.refuses(country) {
                    "not allowed by the country list"
                } else {
                    "allowed by the country list"
                }
            ),
            _ => format!("{country_text}: country rules are off"),
        },
    ));
    steps.push((
        "4. Websites".to_owned(),
        match (policy.as_ref().map(|p| &p.sites), site_page) {
            (Some(sp), p) if sp.mode != ListMode::Off => {
                let matched = match p {
                    SitePage::Known(u) => sp.sites.find(u).map(|m| m.to_string()),
                    _ => None,
                };
                match (p, sp.refuses(p), matched) {
                    (SitePage::Unknown, true, _) => {
                        "No page given: the allow list cannot pass an unknown page".to_owned()
                    }
                    (SitePage::Unknown, false, _) => {
                        "No page given: the block list does not apply".to_owned()
                    }
                    (_, true, Some(m)) => format!("Matches {m} on the block list"),
                    (_, true, None) => "Not on the allow list".to_owned(),
                    (_, false, Some(m)) => format!("Matches {m} on the allow list"),
                    (_, false, None) => "Not on the block list".to_owned(),
                }
            }
            _ => "Website rules are off".to_owned(),
        },
    ));
    let headline = match verdict {
        Verdict::Serve => "This visitor sees the chat.".to_owned(),
        Verdict::Refuse(r) => format!(
            "This visitor does not see the chat: {}.",
            match r {
                Reason::IpRule { network, .. } => format!("the IP rule {network}"),
                Reason::VisitorBlock { .. } => "a visitor block".to_owned(),
                Reason::Country(_) => "the country rules".to_owned(),
                Reason::Website => "the website rules".to_owned(),
            }
        ),
    };
    Ok(ProbeResult {
        served: !verdict.refused(),
        headline,
        steps,
    })
}

#[post("/settings/block-visitors/blocks/{conversation}/unblock")]
pub(super) async fn unblock(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    conversation: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let (id, a) = (conversation.into_inner(), AgentRef::from(&page.user));
    let (db, gate, hub, now) = (&state.db, &state.gate, &state.hub, state.clock.now());
    match unblock_now(db, gate, hub, a, id, now).await? {
        Ok(_) => confirm(&session, "blocks", true, UNBLOCKED.to_owned()),
        Err(m) => confirm(&session, "blocks", false, m.to_owned()),
    }
    Ok(see_other(&format!("{PATH}#blocks")))
}
