//! The panel's overview (`home`), the audit log and health.

mod home;

use actix_web::{get, http::StatusCode, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::{
    db::{self, audit, models::AuditEntry},
    error::AppError,
    web::{page::Page, render, AppState},
};

const AUDIT_PER_PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "panel/audit.html")]
struct Audit {
    page: Page,
    entries: Vec<AuditEntry>,
    current: i64,
    pages: i64,
    total: i64,
}

#[get("/audit")]
async fn audit_log(
    state: web::Data<AppState>,
    page: Page,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let asked = q.page.unwrap_or(1);
    let aid = page.user.account_id;
    let (entries, total, current) = state
        .db
        .run(move |c| Ok(audit::page(c, aid, asked, AUDIT_PER_PAGE)?))
        .await?;
    let pages = ((total + AUDIT_PER_PAGE - 1) / AUDIT_PER_PAGE).max(1);
    render(
        StatusCode::OK,
        &Audit {
            page: page.at("audit"),
            entries,
            current,
            pages,
            total,
        },
    )
}

/// Liveness: answers without touching the database (also the trivial
/// endpoint the bootstrap benchmark compares against).
#[get("/livez")]
async fn livez() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

#[get("/healthz")]
async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let ok = state.db.run(|c| Ok(db::ping(c)?)).await;
    match ok {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home::home).service(audit_log);
}

pub fn public_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(livez);
}
