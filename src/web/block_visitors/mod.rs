//! Account Settings / Block Visitors (managers): IP and subnet rules,
//! countries, websites, the active visitor blocks and the "Test a visitor"
//! tool. Each section saves on its own; a refused form comes back with what
//! was typed and a message, and nothing of it is stored.

mod ip_rules;
mod lists;
mod probe;

use std::collections::BTreeSet;

use actix_session::Session;
use actix_web::{get, http::StatusCode, web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::{
    db::{self, models::GateSettings},
    domain::{access::ListMode, block::remaining_text, country},
    error::AppError,
    web::{
        conversations::fmt_time,
        page::{flash, Flash, Page},
        render, AppState,
    },
};

pub const PATH: &str = "/settings/block-visitors";
const RULES_PER_PAGE: i64 = 50;
const BLOCKS_PER_PAGE: i64 = 50;

/// The add-a-rule form as typed.
#[derive(Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    address: String,
    #[serde(default)]
    comment: String,
}

/// The import form as typed, and its report after a run.
#[derive(Default, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    list: String,
}

/// What an import did: how many rules it added, the lines refused (to
/// correct) and the lines with nothing to do (already on the list, or a
/// repeat of an earlier line; the first `SHOWN` of them are listed).
#[derive(Default)]
pub struct ImportReport {
    accepted: usize,
    already: usize,
    refused: Vec<(usize, String, String)>,
    skipped: Vec<(usize, String, String)>,
    skipped_total: usize,
}

impl ImportReport {
    /// How many lines of each kind the report lists; the box below keeps
    /// every refused line whatever their number.
    const SHOWN: usize = 500;

    /// A report refusing the whole list, for `why`.
    fn whole_list_refused(why: String) -> Self {
        Self {
            refused: vec![(0, String::new(), why)],
            ..Self::default()
        }
    }

    /// Counts a line with nothing to do. Lines come from the parser and the
    /// database in two runs, so the first `SHOWN` by line number are chosen
    /// by `keep_first_skipped`; this keeps at most twice that meanwhile.
    fn skip(&mut self, line: usize, text: String, why: String) {
        self.skipped_total += 1;
        self.skipped.push((line, text, why));
        if self.skipped.len() >= 2 * Self::SHOWN {
            self.keep_first_skipped();
        }
    }

    /// Keeps the first `SHOWN` skipped lines by line number, in order.
    fn keep_first_skipped(&mut self) {
        self.skipped.sort_by_key(|r| r.0);
        self.skipped.truncate(Self::SHOWN);
    }

    fn refused_shown(&self) -> &[(usize, String, String)] {
        &self.refused[..self.refused.len().min(Self::SHOWN)]
    }

    /// A refusal of the whole list (such as an empty one), not of a line.
    fn whole_list(&self) -> Option<&str> {
        match self.refused.as_slice() {
            [(0, _, why)] => Some(why),
            _ => None,
        }
    }
}

/// The countries section as shown or typed.
pub struct CountriesForm {
    mode: ListMode,
    selected: BTreeSet<String>,
    unknown: bool,
}

/// The websites section as shown or typed.
pub struct SitesForm {
    mode: ListMode,
    list: String,
}

/// The "Test a visitor" form as typed.
#[derive(Default, Deserialize)]
pub struct ProbeForm {
    #[serde(default)]
    address: String,
    #[serde(default)]
    url: String,
}

pub struct ProbeResult {
    served: bool,
    headline: String,
    steps: Vec<(String, String)>,
}

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
    Sites(SitesForm, Vec<(usize, String, String)>),
    Probe(ProbeForm, Result<ProbeResult, String>),
}

pub struct RuleView {
    id: i64,
    network: String,
    comment: String,
    by: String,
    at: String,
    hits: u64,
}

pub struct BlockView {
    conversation_id: Option<i64>,
    reason: String,
    by: String,
    at: String,
    until_iso: String,
    left: String,
}

#[derive(Template)]
#[template(path = "block_visitors/page.html")]
struct BlockVisitorsPage {
    page: Page,
    q: String,
    rules: Vec<RuleView>,
    rules_total: i64,
    rules_page: i64,
    rules_pages: i64,
    rules_base: String,
    add: AddForm,
    add_error: Option<String>,
    import: ImportForm,
    report: Option<ImportReport>,
    countries: CountriesForm,
    countries_error: Option<String>,
    all_countries: Vec<(&'static str, &'static str)>,
    sites: SitesForm,
    sites_errors: Vec<(usize, String, String)>,
    blocks: Vec<BlockView>,
    blocks_total: i64,
    probe: ProbeForm,
    probe_result: Option<ProbeResult>,
    probe_error: Option<String>,
    modes: [ListMode; 3],
    geo_ranges: usize,
    notice: Option<(&'static str, Flash)>,
}

impl BlockVisitorsPage {
    /// The confirmation to show at the top of `section`, if it is there.
    fn notice_for(&self, section: &str) -> Option<&Flash> {
        self.notice
            .as_ref()
            .filter(|(s, _)| *s == section)
            .map(|(_, f)| f)
    }

    fn is_selected(&self, code: &str) -> bool {
        self.countries.selected.contains(code)
    }

    fn mode_label(&self, section: &str, m: &ListMode) -> &'static str {
        match (section, m) {
            (_, ListMode::Off) => "Off",
            ("countries", ListMode::Allow) => "Allow only the selected countries",
            ("countries", ListMode::Block) => "Block the selected countries",
            (_, ListMode::Allow) => "Allow only the listed websites",
            (_, ListMode::Block) => "Block the listed websites",
        }
    }
}

#[derive(Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

/// What is stored, for the sections not being re-shown.
struct Stored {
    settings: GateSettings,
    patterns: Vec<String>,
    rules: (Vec<db::models::IpRuleRow>, i64, i64),
    blocks: (Vec<db::models::Block>, i64, i64),
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
        .run(move |c| {
            Ok(Stored {
                settings: db::rules::settings(c, aid)?,
                patterns: db::rules::site_patterns(c, aid)?,
                rules: db::rules::page(c, aid, &q2, rules_page, RULES_PER_PAGE)?,
                blocks: db::blocks::active_page(c, aid, now, 1, BLOCKS_PER_PAGE)?,
            })
        })
        .await?;
    let (rules, rules_total, rules_page) = stored.rules;
    let rules = rules
        .into_iter()
        .map(|r| RuleView {
            hits: u64::try_from(r.hits).unwrap_or(0) + state.gate.pending_hits(aid, r.id),
            id: r.id,
            network: r.network,
            comment: r.comment.unwrap_or_default(),
            by: r.created_by_name,
            at: fmt_time(&r.created_at),
        })
        .collect();
    let (blocks, blocks_total, _) = stored.blocks;
    let blocks = blocks.into_iter().map(|b| block_view(b, now)).collect();
    let mut view = BlockVisitorsPage {
        q: q.clone(),
        rules,
        rules_total,
        rules_page,
        rules_pages: ((rules_total + RULES_PER_PAGE - 1) / RULES_PER_PAGE).max(1),
        rules_base: rules_base(&q),
        add: AddForm::default(),
        add_error: None,
        import: ImportForm::default(),
        report: None,
        countries: CountriesForm {
            mode: ListMode::parse(&stored.settings.country_mode).unwrap_or_default(),
            selected: country::parse_set(&stored.settings.countries)
                .into_iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            unknown: stored.settings.country_unknown,
        },
        countries_error: None,
        all_countries: country::all()
            .iter()
            .map(|c| (c.as_str(), c.name()))
            .collect(),
        sites: SitesForm {
            mode: ListMode::parse(&stored.settings.site_mode).unwrap_or_default(),
            list: stored.patterns.join("\n"),
        },
        sites_errors: Vec::new(),
        blocks,
        blocks_total,
        probe: ProbeForm::default(),
        probe_result: None,
        probe_error: None,
        modes: ListMode::ALL,
        geo_ranges: state.gate.country_table().ranges(),
        page: page.at("block"),
        notice: None,
    };
    view.apply(shown);
    render(status, &view)
}

/// The rule list's paging link base, keeping the search.
fn rules_base(q: &str) -> String {
    if q.is_empty() {
        return format!("{PATH}?");
    }
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("{PATH}?q={q}&")
}

impl BlockVisitorsPage {
    /// Shows a refused form, a result or a confirmation in its section.
    fn apply(&mut self, shown: Shown) {
        match shown {
            Shown::Saved => {}
            Shown::Confirmed(section) => self.notice = self.page.flash.take().map(|f| (section, f)),
            Shown::Add(f, e) => (self.add, self.add_error) = (f, Some(e)),
            Shown::Import(f, r) => (self.import, self.report) = (f, Some(r)),
            Shown::Countries(f, e) => (self.countries, self.countries_error) = (f, Some(e)),
            Shown::Sites(f, e) => (self.sites, self.sites_errors) = (f, e),
            Shown::Probe(f, r) => {
                self.probe = f;
                match r {
                    Ok(r) => self.probe_result = Some(r),
                    Err(e) => self.probe_error = Some(e),
                }
            }
        }
    }
}

fn block_view(b: db::models::Block, now: NaiveDateTime) -> BlockView {
    BlockView {
        conversation_id: b.conversation_id,
        left: remaining_text(b.expires_at - now),
        until_iso: format!("{}Z", b.expires_at.format("%Y-%m-%dT%H:%M:%S")),
        reason: b.reason,
        by: b.blocked_by_name,
        at: fmt_time(&b.created_at),
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
    let shown = SECTIONS
        .into_iter()
        .find(|s| section.as_deref() == Some(*s) && page.flash.is_some())
        .map_or(Shown::Saved, Shown::Confirmed);
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
