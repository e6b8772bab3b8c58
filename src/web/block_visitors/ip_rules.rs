//! IP and subnet rules: add one, remove one, import a list, export it; and
//! the page's section that lists them.

use actix_session::Session;
use actix_web::{get, http::header, http::StatusCode, post, web, HttpResponse};
use futures_util::stream;
use serde::Deserialize;

use super::{
    act, follow,
    kept::{keep, Kept},
    refused, saved, show, ListQuery, Shown, PATH,
};
use crate::{
    db::{self, models::IpRuleRow},
    domain::ip_rule::{format_line, IpRule},
    error::AppError,
    rules::{self, ImportList, ImportReport, Imported, NewRule, RulesError, RULES_PER_PAGE},
    web::{
        page::{Flash, Page},
        see_other, AppState,
    },
};

const SECTION: &str = "ip-rules";

/// The add-a-rule form as typed.
#[derive(Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) comment: String,
}

/// The import form as typed.
#[derive(Default, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    pub(super) list: String,
}

pub(super) struct RuleView {
    pub(super) id: i64,
    pub(super) network: String,
    pub(super) comment: String,
    pub(super) by: String,
    pub(super) at: String,
    pub(super) hits: u64,
}

/// The IP rules section: one page of the rules (searched), the add form
/// and the import form with the report of the last import.
pub(super) struct IpRulesSection {
    pub(super) notice: Option<Flash>,
    pub(super) q: String,
    pub(super) rules: Vec<RuleView>,
    pub(super) total: i64,
    pub(super) page: i64,
    pub(super) pages: i64,
    /// The paging links' base, keeping the search.
    pub(super) base: String,
    pub(super) add: AddForm,
    pub(super) add_error: Option<String>,
    pub(super) import: ImportForm,
    pub(super) report: Option<ImportReport>,
}

impl IpRulesSection {
    /// The stored page of rules found for `q`; `pending` is a rule's hits
    /// not yet flushed to the database; times read in `viewer`'s zone.
    pub(super) fn from_stored(
        (rules, total, page): (Vec<IpRuleRow>, i64, i64),
        q: String,
        pending: impl Fn(i64) -> u64,
        viewer: &Page,
    ) -> Self {
        let rules = rules
            .into_iter()
            .map(|r| RuleView {
                hits: u64::try_from(r.hits).unwrap_or(0) + pending(r.id),
                id: r.id,
                network: r.network,
                comment: r.comment.unwrap_or_default(),
                by: r.created_by_name,
                at: viewer.time(&r.created_at),
            })
            .collect();
        IpRulesSection {
            notice: None,
            base: paging_base(&q),
            q,
            rules,
            total,
            page,
            pages: ((total + RULES_PER_PAGE - 1) / RULES_PER_PAGE).max(1),
            add: AddForm::default(),
            add_error: None,
            import: ImportForm::default(),
            report: None,
        }
    }

    /// The add form refused, as typed, with why.
    pub(super) fn with_error(self, form: AddForm, error: String) -> Self {
        Self {
            add: form,
            add_error: Some(error),
            ..self
        }
    }

    /// The import's report, with what is left to correct in the box.
    pub(super) fn with_report(self, import: ImportForm, report: ImportReport) -> Self {
        Self {
            import,
            report: Some(report),
            ..self
        }
    }
}

/// The rule list's paging link base, keeping the search.
fn paging_base(q: &str) -> String {
    if q.is_empty() {
        return format!("{PATH}?");
    }
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("{PATH}?q={q}&")
}

#[post("/settings/block-visitors/ip-rules")]
pub(super) async fn add(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let new = NewRule::parse(&form.address, &form.comment);
    match act(&state, &page, rules::add_rule, new).await? {
        Ok(change) => saved(&state, &session, page.user.account_id, change, SECTION).await,
        Err(e) => refused(&state, page, e, |e| Shown::Add(form, e.to_string())).await,
    }
}

#[post("/settings/block-visitors/ip-rules/{id}/remove")]
pub(super) async fn remove(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let change = act(&state, &page, rules::remove_rule, Ok(id.into_inner())).await??;
    saved(&state, &session, page.user.account_id, change, SECTION).await
}

pub(super) async fn import(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let list = ImportList::parse(&form.list);
    let Imported { report, change } = match act(&state, &page, rules::import, list).await? {
        Ok(imported) => imported,
        Err(e) => return refused(&state, page, e, |e| whole_list_refused(form, e)).await,
    };
    let aid = page.user.account_id;
    match change {
        Some(change) if report.is_clean() => saved(&state, &session, aid, change, SECTION).await,
        change => {
            if let Some(change) = change {
                follow(&state, aid, &change).await;
            }
            reported(&state, page, &session, &form.list, report).await
        }
    }
}

/// How much of a report, at most, waits in the session for the page after
/// the redirect (bytes, roughly); a larger one is shown at once.
const KEPT_AT_MOST: usize = 256 * 1024;

/// The import's report, with only the refused lines of `list` left in the
/// box to correct. Nothing imported and lines to correct: the form comes
/// back refused. Otherwise the report waits in the session and the page
/// is fetched again, so a refresh never imports twice; only a report too
/// large for the session row is shown at once.
async fn reported(
    state: &AppState,
    page: Page,
    session: &Session,
    list: &str,
    report: ImportReport,
) -> Result<HttpResponse, AppError> {
    let list = report.left_to_correct(list);
    let refused = report.accepted == 0 && !report.refused.is_empty();
    let lines = report.refused.len() + report.skipped.len();
    let large = list.len() + lines * 120 > KEPT_AT_MOST;
    if refused || large {
        let status = if refused {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        let shown = Shown::Import(ImportForm { list }, report);
        return show(state, page, ListQuery::default(), shown, status).await;
    }
    keep(session, Kept::Import { list, report });
    Ok(see_other(&format!("{PATH}#import")))
}

/// A list refused whole: nothing imported, and the list kept in the box
/// when there is something in it to correct.
fn whole_list_refused(form: ImportForm, e: RulesError) -> Shown {
    let form = match e {
        RulesError::EmptyList => ImportForm::default(),
        _ => form,
    };
    Shown::Import(form, ImportReport::whole_list_refused(e.to_string()))
}

/// The account's rules as a text list, in the import format.
#[get("/settings/block-visitors/ip-rules.txt")]
pub(super) async fn export(
    state: web::Data<AppState>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let aid = page.user.account_id;
    let db = state.db.clone();
    let body = stream::unfold(Some(0i64), move |after| {
        let db = db.clone();
        async move {
            let after = after?;
            let chunk = db
                .run(move |c| Ok(db::rules::export_chunk(c, aid, after, 5000)?))
                .await;
            match chunk {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let last = rows.last().map(|r| r.0);
                    let text = export_lines(&rows);
                    Some((Ok::<_, AppError>(web::Bytes::from(text)), last))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"blocked-addresses.txt\"",
        ))
        .streaming(body))
}

/// Exported rules (id, network, comment), one line each.
fn export_lines(rows: &[(i64, String, Option<String>)]) -> String {
    let mut text = String::new();
    for (_, network, comment) in rows {
        match IpRule::parse(network) {
            Ok(r) => text.push_str(&format_line(&r, comment.as_deref())),
            Err(_) => text.push_str(network),
        }
        text.push('\n');
    }
    text
}
