//! Account Settings / Block Visitors (managers): IP and subnet rules,
//! countries, websites, the active visitor blocks and the "Test a visitor"
//! tool. Each section saves on its own; a refused form comes back with what
//! was typed and a message, and nothing of it is stored. The changes are
//! the actions of `crate::rules`; the page is one view per section, each
//! with its partial template in `templates/block_visitors/`.

mod ip_rules;
mod kept;
mod lists;
mod probe;

use actix_session::Session;
use actix_web::{get, http::StatusCode, web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use self::{
    ip_rules::{AddForm, ImportForm, IpRulesSection},
    lists::{CountriesForm, CountriesSection, SitesForm, WebsitesSection},
    probe::{ProbeForm, TestSection},
};
use crate::{
    db::{models::Block, DbConn},
    domain::{block::remaining_text, refused_line::RefusedLine},
    error::AppError,
    rules::{self, Actor, Change, Explanation, ImportReport, RulesError},
    web::{
        page::{flash, Flash, Page},
        render, see_other, AppState,
    },
};

pub const PATH: &str = "/settings/block-visitors";

/// Which section the page shows a refused form or a result for.
#[derive(Default)]
pub enum Shown {
    #[default]
    Saved,
    /// After a save: the confirmation shows in this section, where the
    /// redirect's #anchor scrolls to.
    Confirmed(&'static str),
    Add(AddForm, String),
    Import(ImportForm, ImportReport),
    Countries(CountriesForm, String),
    Sites(SitesForm, Vec<RefusedLine>),
    Probe(ProbeForm, Result<Explanation, String>),
}

#[derive(Template)]
#[template(path = "block_visitors/page.html")]
struct BlockVisitorsPage {
    page: Page,
    ip_rules: IpRulesSection,
    countries: CountriesSection,
    websites: WebsitesSection,
    blocks: BlocksSection,
    test: TestSection,
}

impl BlockVisitorsPage {
    /// Shows a refused form, a result or a confirmation in its section.
    fn apply(mut self, shown: Shown) -> Self {
        match shown {
            Shown::Saved => {}
            Shown::Confirmed(section) => {
                let notice = self.page.flash.take();
                match section {
                    "countries" => self.countries.notice = notice,
                    "websites" => self.websites.notice = notice,
                    "blocks" => self.blocks.notice = notice,
                    _ => self.ip_rules.notice = notice,
                }
            }
            Shown::Add(f, e) => self.ip_rules = self.ip_rules.with_error(f, e),
            Shown::Import(f, r) => self.ip_rules = self.ip_rules.with_report(f, r),
            Shown::Countries(f, e) => self.countries = self.countries.with_error(f, e),
            Shown::Sites(f, e) => self.websites = self.websites.with_error(f, e),
            Shown::Probe(f, Ok(r)) => self.test = TestSection::with_result(f, r),
            Shown::Probe(f, Err(e)) => self.test = TestSection::with_error(f, e),
        }
        self
    }
}

/// The active visitor blocks, newest first.
#[derive(Default)]
struct BlocksSection {
    notice: Option<Flash>,
    blocks: Vec<BlockView>,
    total: i64,
}

struct BlockView {
    conversation_id: Option<i64>,
    reason: String,
    by: String,
    at: String,
    until_iso: String,
    left: String,
    /// The block covers the visitor's browser too.
    browser: bool,
}

impl BlocksSection {
    fn from_stored((blocks, total): (Vec<Block>, i64), now: NaiveDateTime, page: &Page) -> Self {
        let blocks = blocks
            .into_iter()
            .map(|b| BlockView {
                conversation_id: b.conversation_id,
                browser: b.browser_index.is_some(),
                left: remaining_text(b.expires_at - now),
                until_iso: format!("{}Z", b.expires_at.format("%Y-%m-%dT%H:%M:%S")),
                reason: b.reason,
                by: b.blocked_by_name,
                at: page.time(&b.created_at),
            })
            .collect();
        BlocksSection {
            notice: None,
            blocks,
            total,
        }
    }
}

#[derive(Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

pub async fn show(
    state: &AppState,
    page: Page,
    query: ListQuery,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let aid = page.user.account_id;
    let now = state.clock.now();
    let q: String = query.q.trim().chars().take(100).collect();
    let (q2, rules_page) = (q.clone(), query.page.unwrap_or(1));
    let stored = state
        .db
        .run(move |c| Ok(rules::stored(c, aid, &q2, rules_page, now)?))
        .await?;
    let hits = |id| state.gate.pending_hits(aid, id);
    let geo_ranges = state.gate.country_table().ranges();
    let view = BlockVisitorsPage {
        ip_rules: IpRulesSection::from_stored(stored.rules, q, hits, &page),
        countries: CountriesSection::from_stored(&stored.settings, geo_ranges),
        websites: WebsitesSection::from_stored(&stored.settings, &stored.patterns),
        blocks: BlocksSection::from_stored(stored.blocks, now, &page),
        test: TestSection::default(),
        page: page.at("block"),
    };
    render(status, &view.apply(shown))
}

/// Runs `action` on `input` as the signed-in manager, at the clock's time,
/// in one write transaction. Anyone but a manager is refused first
/// (Forbidden), whatever they sent; input refused while parsing comes
/// straight back, without opening a transaction.
async fn act<I, T>(
    state: &AppState,
    page: &Page,
    action: fn(&mut DbConn, &Actor, I, NaiveDateTime) -> Result<T, RulesError>,
    input: Result<I, RulesError>,
) -> Result<Result<T, RulesError>, AppError>
where
    I: Send + 'static,
    T: Send + 'static,
{
    page.user.require_manager()?;
    let input = match input {
        Ok(input) => input,
        Err(e) => return Ok(Err(e)),
    };
    let (actor, now) = (page.user.actor(), state.clock.now());
    state.db.write(move |c| action(c, &actor, input, now)).await
}

/// Has the gate follow a change made here, at once.
async fn follow(state: &AppState, account_id: i64, change: &Change) {
    state
        .rules_changed(account_id, change.version, |p| change.apply(p))
        .await;
}

/// After a save: the gate follows the change, and the confirmation shows
/// in `section`.
async fn saved(
    state: &AppState,
    session: &Session,
    account_id: i64,
    change: Change,
    section: &'static str,
) -> Result<HttpResponse, AppError> {
    follow(state, account_id, &change).await;
    confirm(session, section, true, change.message);
    Ok(see_other(&format!("{PATH}#{section}")))
}

/// The page again with the refused form `shown` makes of `e`, on the rule
/// list's first page; the error page when there is nothing to correct.
async fn refused(
    state: &AppState,
    page: Page,
    e: RulesError,
    shown: impl FnOnce(RulesError) -> Shown,
) -> Result<HttpResponse, AppError> {
    let status = match &e {
        RulesError::NotFound | RulesError::Db(_) => return Err(e.into()),
        RulesError::AlreadyListed { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    show(state, page, ListQuery::default(), shown(e), status).await
}

impl From<RulesError> for AppError {
    fn from(e: RulesError) -> Self {
        match e {
            RulesError::NotFound => AppError::NotFound,
            RulesError::Db(e) => e.into(),
            e => AppError::BadRequest(e.to_string()),
        }
    }
}

/// The page's sections that confirm a save, by their anchor.
const SECTIONS: [&str; 4] = ["ip-rules", "countries", "websites", "blocks"];
/// The session key naming the section of the pending confirmation.
const CONFIRMED_IN: &str = "block_visitors_section";

/// Confirms a save in `section` on the next page view (the redirect
/// target's #anchor), not at the top of the page out of sight.
pub(super) fn confirm(session: &Session, section: &'static str, ok: bool, text: String) {
    flash(session, ok, text);
    let _ = session.insert(CONFIRMED_IN, section);
}

#[get("/settings/block-visitors")]
async fn index(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    // Only touch the session when a confirmation is pending: a removal
    // marks the session changed and rewrites its row, even of a missing key.
    let section = match session.get::<String>(CONFIRMED_IN) {
        Ok(Some(s)) => {
            session.remove(CONFIRMED_IN);
            Some(s)
        }
        _ => None,
    };
    let (keys, uid) = (&state.keys, page.user.id);
    let shown = match kept::take(&session).and_then(|k| k.open(keys, uid)) {
        Some(Ok((form, report))) => Shown::Import(form, report),
        Some(Err(form)) => {
            let answer = probe::explain(&state, page.user.account_id, &form).await?;
            Shown::Probe(form, answer)
        }
        None => SECTIONS
            .into_iter()
            .find(|s| section.as_deref() == Some(*s) && page.flash.is_some())
            .map_or(Shown::Saved, Shown::Confirmed),
    };
    show(&state, page, query.into_inner(), shown, StatusCode::OK).await
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(ip_rules::add)
        .service(ip_rules::remove)
        .service(ip_rules::export)
        .service(
            web::resource("/settings/block-visitors/ip-rules/import")
                .app_data(web::FormConfig::default().limit(crate::web::csrf::MAX_FORM))
                .route(web::post().to(ip_rules::import)),
        )
        .service(lists::countries)
        .service(lists::websites)
        .service(probe::test_visitor)
        .service(probe::unblock);
}
