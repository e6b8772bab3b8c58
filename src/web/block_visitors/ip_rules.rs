//! IP and subnet rules: add one, remove one, import a list, export it.

use actix_session::Session;
use actix_web::{get, http::header, http::StatusCode, post, web, HttpResponse};
use futures_util::stream;

use super::{confirm, show, AddForm, ImportForm, ImportReport, ListQuery, Shown, PATH};
use crate::{
    db::{
        self,
        audit::{self, Actor},
        rules::{ImportLine, NewIpRule},
        write_tx,
    },
    domain::ip_rule::{format_line, parse_list, IpRule, RefusedLine, RuleComment},
    error::AppError,
    web::{page::Page, see_other, AppState},
};

/// Largest import form body: about 100,000 lines.
pub const IMPORT_LIMIT: usize = 4 * 1024 * 1024;

fn actor(page: &Page) -> (i64, String) {
    (page.user.id, page.user.name.clone())
}

#[post("/settings/block-visitors/ip-rules")]
pub(super) async fn add(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let form = form.into_inner();
    let parsed = IpRule::parse(&form.address)
        .map_err(|e| e.to_string())
        .and_then(|r| {
            RuleComment::parse(&form.comment)
                .map(|c| (r, c))
                .map_err(|e| e.to_string())
        });
    let (rule, comment) = match parsed {
        Ok(v) => v,
        Err(e) => {
            let shown = Shown::Add(form, e);
            return show(
                &state,
                page,
                ListQuery::default(),
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let network = rule.to_string();
    let (aid, now) = (page.user.account_id, state.clock.now());
    let (uid, uname) = actor(&page);
    let (n2, c2) = (
        network.clone(),
        comment.as_ref().map(|c| c.as_str().to_owned()),
    );
    let added = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                let id = db::rules::add(
                    c,
                    &NewIpRule {
                        account_id: aid,
                        network: &n2,
                        comment: c2.as_deref(),
                        by_user: uid,
                        by_name: &uname,
                        now,
                    },
                )?;
                let Some(id) = id else {
                    return Ok::<_, diesel::result::Error>(None);
                };
                let version = db::rules::bump(c, aid, now)?;
                let detail = match &c2 {
                    Some(cm) => format!("{n2} ({cm})"),
                    None => n2.clone(),
                };
                audit::record(
                    c,
                    aid,
                    Actor::User {
                        id: uid,
                        name: &uname,
                    },
                    "ip_rule.add",
                    &detail,
                )?;
                Ok(Some((id, version)))
            })?)
        })
        .await?;
    let Some((id, version)) = added else {
        let msg = format!("{network} is already on the list; nothing was added");
        return show(
            &state,
            page,
            ListQuery::default(),
            Shown::Add(form, msg),
            StatusCode::CONFLICT,
        )
        .await;
    };
    state
        .rules_changed(aid, version, |p| p.with_rule(version, id, rule))
        .await;
    // The address as typed, and how it is stored only when that differs.
    let typed = form.address.trim();
    let written = if network != typed {
        format!(" (written as {network})")
    } else {
        String::new()
    };
    confirm(
        &session,
        "ip-rules",
        true,
        format!("Saved: visitors from {typed}{written} no longer see the chat."),
    );
    Ok(see_other(&format!("{PATH}#ip-rules")))
}

#[post("/settings/block-visitors/ip-rules/{id}/remove")]
pub(super) async fn remove(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let (aid, id, now) = (page.user.account_id, id.into_inner(), state.clock.now());
    let (uid, uname) = actor(&page);
    let removed = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                let row = db::rules::remove(c, aid, id)?;
                let Some(r) = row else {
                    return Ok::<_, diesel::result::Error>(None);
                };
                let version = db::rules::bump(c, aid, now)?;
                audit::record(
                    c,
                    aid,
                    Actor::User {
                        id: uid,
                        name: &uname,
                    },
                    "ip_rule.remove",
                    &r.network,
                )?;
                Ok(Some((r, version)))
            })?)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let (removed, version) = removed;
    state
        .rules_changed(aid, version, |p| Some(p.without_rule(version, id)))
        .await;
    confirm(
        &session,
        "ip-rules",
        true,
        format!("Removed the rule for {}.", removed.network),
    );
    Ok(see_other(&format!("{PATH}#ip-rules")))
}

/// Sorts the parser's refusals: lines to correct, and repeats of an earlier
/// line, which need nothing (the first one is imported or reported).
fn sort_refusals(refused: Vec<RefusedLine>, nothing_accepted: bool) -> ImportReport {
    let mut report = ImportReport::default();
    for r in refused {
        if r.reason.starts_with("Duplicate of line") {
            report.skip(r.line, r.text, r.reason);
        } else {
            report.refused.push((r.line, r.text, r.reason));
        }
    }
    if nothing_accepted && report.refused.is_empty() && report.skipped_total == 0 {
        report.refused.push((
            0,
            String::new(),
            "The list is empty: paste addresses or choose a file".into(),
        ));
    }
    report
}

/// Stores the accepted lines in one transaction; returns how many were
/// added and the lines already on the list, with their network.
async fn store(
    state: &AppState,
    page: &Page,
    rows: Vec<ImportLine>,
) -> Result<(usize, Vec<(usize, String)>), AppError> {
    let (aid, now) = (page.user.account_id, state.clock.now());
    let (uid, uname) = actor(page);
    state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                let (added, on_list) = db::rules::import(c, aid, &rows, uid, &uname, now)?;
                if added > 0 {
                    db::rules::bump(c, aid, now)?;
                    audit::record(
                        c,
                        aid,
                        Actor::User {
                            id: uid,
                            name: &uname,
                        },
                        "ip_rule.import",
                        &format!("{added} rules imported"),
                    )?;
                }
                Ok::<_, diesel::result::Error>((added, on_list))
            })?)
        })
        .await
}

/// The refused lines as typed, one per line: what is left to correct.
fn left_to_correct(list: &str, refused: &[(usize, String, String)]) -> String {
    let typed: Vec<&str> = list.lines().collect();
    refused
        .iter()
        .filter_map(|r| r.0.checked_sub(1).and_then(|i| typed.get(i)))
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) async fn import(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let form = form.into_inner();
    let (accepted, refused) = parse_list(&form.list);
    let mut report = sort_refusals(refused, accepted.is_empty());
    let rows: Vec<ImportLine> = accepted
        .into_iter()
        .map(|r| ImportLine {
            line: r.line,
            network: r.rule.to_string(),
            comment: r.comment.map(|c| c.as_str().to_owned()),
        })
        .collect();
    let (added, on_list) = store(&state, &page, rows).await?;
    report.accepted = added;
    report.already = on_list.len();
    for (line, network) in on_list {
        report.skip(line, network, "Already on the list; not added again".into());
    }
    report.skipped.sort_by_key(|r| r.0);
    if added > 0 {
        state.reload_rules(page.user.account_id).await;
    }
    if report.refused.is_empty() && report.skipped_total == 0 {
        let plural = if added == 1 { "" } else { "s" };
        let text = format!("Imported {added} rule{plural}.");
        confirm(&session, "ip-rules", true, text);
        return Ok(see_other(&format!("{PATH}#ip-rules")));
    }
    // The report, with only the refused lines left in the box to correct.
    let status = if added > 0 || report.refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let left = ImportForm {
        list: left_to_correct(&form.list, &report.refused),
    };
    let shown = Shown::Import(left, report);
    show(&state, page, ListQuery::default(), shown, status).await
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
                    let mut text = String::new();
                    for (_, network, comment) in &rows {
                        let rule = IpRule::parse(network).ok();
                        match rule {
                            Some(r) => text.push_str(&format_line(&r, comment.as_deref())),
                            None => text.push_str(network),
                        }
                        text.push('\n');
                    }
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
