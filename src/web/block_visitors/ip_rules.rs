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
    domain::ip_rule::{format_line, parse_list, IpRule, RuleComment},
    domain::refused_line::{Refusal, RefusedLine},
    error::AppError,
    web::{page::Page, see_other, AppState},
};

fn actor(page: &Page) -> (i64, String) {
    (page.user.id, page.user.name.clone())
}

/// The add form's address and comment, or the message saying what is wrong.
fn parse_add(form: &AddForm) -> Result<(IpRule, Option<RuleComment>), String> {
    let rule = IpRule::parse(&form.address).map_err(|e| e.to_string())?;
    let comment = RuleComment::parse(&form.comment).map_err(|e| e.to_string())?;
    Ok((rule, comment))
}

/// Stores one rule with its version bump and audit entry in one
/// transaction; returns its id and the new version, or `None` when the
/// rule is already on the list.
async fn store_rule(
    state: &AppState,
    page: &Page,
    network: String,
    comment: Option<String>,
) -> Result<Option<(i64, i64)>, AppError> {
    let (aid, now) = (page.user.account_id, state.clock.now());
    let (uid, uname) = actor(page);
    state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                let new = NewIpRule {
                    account_id: aid,
                    network: &network,
                    comment: comment.as_deref(),
                    by_user: uid,
                    by_name: &uname,
                    now,
                };
                let Some(id) = db::rules::add(c, &new)? else {
                    return Ok::<_, diesel::result::Error>(None);
                };
                let version = db::rules::bump(c, aid, now)?;
                let detail = match &comment {
                    Some(cm) => format!("{network} ({cm})"),
                    None => network.clone(),
                };
                let by = Actor::User {
                    id: uid,
                    name: &uname,
                };
                audit::record(c, aid, by, "ip_rule.add", &detail, now)?;
                Ok(Some((id, version)))
            })?)
        })
        .await
}

/// The page again with `shown` in its form, on the list's first page.
async fn redisplay(
    state: &AppState,
    page: Page,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    show(state, page, ListQuery::default(), shown, status).await
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
    let (rule, comment) = match parse_add(&form) {
        Ok(v) => v,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return redisplay(&state, page, Shown::Add(form, e), status).await;
        }
    };
    let network = rule.to_string();
    let comment = comment.map(|c| c.as_str().to_owned());
    let Some((id, version)) = store_rule(&state, &page, network.clone(), comment).await? else {
        let msg = format!("{network} is already on the list; nothing was added");
        let status = StatusCode::CONFLICT;
        return redisplay(&state, page, Shown::Add(form, msg), status).await;
    };
    let aid = page.user.account_id;
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
                    now,
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
        match r.kind {
            Refusal::Repeat { .. } => report.skip(r.line, r.text, r.reason),
            Refusal::Invalid => report.refused.push((r.line, r.text, r.reason)),
        }
    }
    if nothing_accepted && report.refused.is_empty() && report.skipped_total == 0 {
        return ImportReport::whole_list_refused(
            "The list is empty: paste addresses or choose a file".into(),
        );
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
                        now,
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
    let (accepted, refused) = match parse_list(&form.list) {
        Ok(parsed) => parsed,
        Err(too_long) => {
            // Refused whole: nothing imported, the whole list kept in the box.
            let report = ImportReport::whole_list_refused(too_long.to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return redisplay(&state, page, Shown::Import(form, report), status).await;
        }
    };
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
    report.keep_first_skipped();
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
    redisplay(&state, page, Shown::Import(left, report), status).await
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
