//! Every widget request passes the gate here: the business case by its
//! widget key (from memory), the visitor's address, and the page the widget
//! is used on.
//!
//! The page is the `url` the loader or the frame reports, checked against
//! what the browser itself says: the `Origin` header of a cross-site fetch
//! (the loader's bootstrap) or the `Referer` of the frame's navigation. A
//! reported page from another origin than the browser's is a contradiction
//! ([`Page::Mismatch`]). Requests from the chat frame itself come from this
//! server's own origin and carry the page the frame was opened for.

use std::sync::Arc;

use actix_web::{http::header, HttpRequest};

use super::{
    api::reader,
    visitor::{Named, Reader, Scope},
    Visitor, WidgetError,
};
use crate::{
    db::{chat, models::BusinessCase},
    domain::{
        access::{ListMode, Page},
        website::{origin_of, PageUrl},
    },
    gate::{Verdict, Visit},
    web::{client_ip::ClientIp, AppState},
};

/// The case for a widget key: from the gate's memory, else the database
/// (a case created since the last refresh).
pub async fn case(state: &AppState, key: &str) -> Result<Arc<BusinessCase>, WidgetError> {
    if key.len() > 100 {
        return Err(WidgetError::Unavailable);
    }
    if let Some(c) = state.gate.case(key) {
        return Ok(c);
    }
    let key = key.to_owned();
    state
        .db
        .run(move |c| Ok(chat::case_by_widget_key(c, &key)?))
        .await?
        .map(Arc::new)
        .ok_or(WidgetError::Unavailable)
}

/// Whether an origin is this server's own (the configured public URL, or
/// the host the request was sent to).
fn is_own(state: &AppState, req: &HttpRequest, origin: &str) -> bool {
    if state.own_origin.as_deref() == Some(origin) {
        return true;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    !host.is_empty()
        && origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|h| h.eq_ignore_ascii_case(host))
}

/// The page this request is for, as far as it can be established.
pub fn page_of(state: &AppState, req: &HttpRequest) -> Page {
    let header_value = |name| {
        req.headers()
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let origin = header_value(header::ORIGIN);
    if origin == Some("null") {
        // A sandboxed or opaque page: it cannot vouch for any address.
        return Page::Mismatch;
    }
    let reported = state.pages.reported(req.query_string());
    // The usual case, cheaply: the browser's Origin is the page's origin.
    if let (Some(o), Some(page)) = (origin, &reported) {
        if page.origin_str() == o {
            return Page::Known(page.clone());
        }
    }
    let evidence = origin
        .or_else(|| header_value(header::REFERER))
        .and_then(origin_of)
        .filter(|o| !is_own(state, req, o));
    match (evidence, reported) {
        (Some(seen), Some(page)) if page.origin_str() == seen => Page::Known(page),
        (Some(_), Some(_)) => Page::Mismatch,
        (Some(seen), None) => {
            PageUrl::parse(&format!("{seen}/")).map_or(Page::Mismatch, |p| Page::Known(Arc::new(p)))
        }
        (None, Some(page)) => Page::Known(page),
        (None, None) => Page::Unknown,
    }
}

/// The case, if the gate lets this visitor use it here. A refusal gets the
/// same neutral answer as a case that does not exist. Before the gate has
/// loaded everyone is refused alike ("starting"). Counts no rule hits; a
/// refusal is counted for the agents' sidebar.
pub async fn admit(
    state: &AppState,
    req: &HttpRequest,
    ip: &ClientIp,
    key: &str,
) -> Result<Arc<BusinessCase>, WidgetError> {
    if !state.gate.is_ready() {
        // No fail-open: until the gate holds every account's rules and
        // blocks, nobody is served. The answer is the same for everyone,
        // so it says nothing about any block; an open frame tries again.
        return Err(WidgetError::Starting);
    }
    let case = case(state, key).await?;
    let page = page_of(state, req);
    // The visitor the request names (header or cookie), if any: read only
    // when the gate may need it, as it costs a hash.
    let named = || match Visitor::named(req) {
        Named::Header(Some(v)) | Named::Cookie(v) => Some(v.key),
        Named::Header(None) | Named::None => None,
    };
    let browser = state
        .gate
        .blocks_browsers(case.account_id)
        .then(named)
        .flatten();
    let verdict = state.gate.decide(&Visit {
        account_id: case.account_id,
        ip: ip.0,
        page: &page,
        now: state.clock.now(),
        browser: browser.as_deref(),
    });
    match verdict {
        Verdict::Serve => Ok(case),
        Verdict::Refuse(_) => {
            // Counted for the agents' sidebar: by network, and by the
            // visitor the request names, if any.
            let visitor = browser.or_else(named);
            refused(state, case.account_id, ip, visitor.as_deref())
        }
    }
}

/// The neutral refusal, counted for the agents' sidebar.
fn refused<T>(
    state: &AppState,
    account_id: i64,
    ip: &ClientIp,
    visitor_key: Option<&str>,
) -> Result<T, WidgetError> {
    state.gate.count_refusal(account_id, ip.0, visitor_key);
    Err(WidgetError::Unavailable)
}

/// Like [`admit`], for a read whose visitor may be named by a ticket (the
/// event stream, a file link): the case and the reader, unless the gate
/// refuses the reader's browser.
pub async fn admit_reader(
    state: &AppState,
    req: &HttpRequest,
    ip: &ClientIp,
    key: &str,
    scope: Scope<'_>,
) -> Result<(Arc<BusinessCase>, Reader), WidgetError> {
    let case = admit(state, req, ip, key).await?;
    let v = reader(req, state, case.id, scope)?;
    let now = state.clock.now();
    if state
        .gate
        .browser_block_until(case.account_id, &v.key, now)
        .is_some()
    {
        return refused(state, case.account_id, ip, Some(&v.key));
    }
    Ok((case, v))
}

/// The frame's `frame-ancestors` source list: any site, unless the account
/// allows only listed websites, in which case the browser itself refuses
/// to show the frame anywhere else. Long lists fall back to any site (the
/// server-side check still applies).
pub fn frame_ancestors(state: &AppState, account_id: i64) -> String {
    let Some(policy) = state.gate.policy(account_id) else {
        return "*".into();
    };
    if policy.sites.mode != ListMode::Allow || policy.sites.sites.len() > 200 {
        return "*".into();
    }
    let mut sources = vec!["'self'".to_owned()];
    for p in policy.sites.sites.patterns() {
        let text = p.to_string();
        let host = text.split('/').next().unwrap_or_default();
        if host.is_empty() || host.contains(|c: char| c == ';' || c == ',' || c.is_whitespace()) {
            continue;
        }
        sources.push(format!("http://{host}:* https://{host}:*"));
    }
    sources.join(" ")
}
