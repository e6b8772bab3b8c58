//! IP and subnet rules: add one, remove one, import a list, export it.

use actix_session::Session;
use actix_web::{get, http::header, http::StatusCode, post, web, HttpResponse};
use futures_util::stream;

use super::{show, AddForm, ImportForm, ImportReport, ListQuery, Shown, PATH};
use crate::{
    db::{
        self,
        audit::{self, Actor},
        rules::NewIpRule,
        write_tx,
    },
    domain::ip_rule::{format_line, parse_list, IpRule, RuleComment},
    error::AppError,
    web::{
        page::{flash, Page},
        see_other, AppState,
    },
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
    let normalised = if network != form.address.trim() {
        format!(" (written as {network})")
    } else {
        String::new()
    };
    flash(
        &session,
        true,
        format!("Saved: visitors from {network}{normalised} no longer see the chat."),
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
    flash(
        &session,
        true,
        format!("Removed the rule for {}.", removed.network),
    );
    Ok(see_other(&format!("{PATH}#ip-rules")))
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
    let mut report = ImportReport {
        accepted: 0,
        duplicates: 0,
        refused: refused
            .into_iter()
            .map(|r| (r.line, r.text, r.reason))
            .collect(),
    };
    if accepted.is_empty() && report.refused.is_empty() {
        report.refused.push((
            0,
            String::new(),
            "The list is empty: paste addresses or choose a file".into(),
        ));
    }
    let (aid, now) = (page.user.account_id, state.clock.now());
    let (uid, uname) = actor(&page);
    let rows: Vec<(usize, String, Option<String>)> = accepted
        .into_iter()
        .map(|r| {
            (
                r.line,
                r.rule.to_string(),
                r.comment.map(|c| c.as_str().to_owned()),
            )
        })
        .collect();
    let duplicates = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                let mut duplicates = Vec::new();
                let mut added = 0usize;
                for (line, network, comment) in &rows {
                    let id = db::rules::add(
                        c,
                        &NewIpRule {
                            account_id: aid,
                            network,
                            comment: comment.as_deref(),
                            by_user: uid,
                            by_name: &uname,
                            now,
                        },
                    )?;
                    match id {
                        Some(_) => added += 1,
                        None => duplicates.push((*line, network.clone())),
                    }
                }
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
                Ok::<_, diesel::result::Error>((added, duplicates))
            })?)
        })
        .await?;
    let (added, dups) = duplicates;
    report.accepted = added;
    report.duplicates = dups.len();
    for (line, network) in dups {
        report
            .refused
            .push((line, network, "Already on the list; not added again".into()));
    }
    report.refused.sort_by_key(|r| r.0);
    if added > 0 {
        state.reload_rules(aid).await;
    }
    if report.refused.is_empty() {
        flash(
            &session,
            true,
            format!(
                "Imported {added} rule{}.",
                if added == 1 { "" } else { "s" }
            ),
        );
        return Ok(see_other(&format!("{PATH}#ip-rules")));
    }
    // Show the report with the refused lines, keeping the list as typed.
    let status = if added > 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    show(
        &state,
        page,
        ListQuery::default(),
        Shown::Import(form, report),
        status,
    )
    .await
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
