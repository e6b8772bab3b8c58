//! The Overview page: the dashboard (a manager's, or an agent's smaller
//! one) above the business cases' widget snippets.

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

use crate::{
    chat::service::online_since,
    dashboard::{self, When},
    domain::chart::Period,
    error::AppError,
    web::{page::Page, render, AppState},
};

#[derive(Template)]
#[template(path = "panel/home.html")]
struct Home {
    page: Page,
    public_url: String,
    periods: [Period; 3],
    manager: Option<dashboard::Manager>,
    agent: Option<dashboard::Agent>,
}

/// `period` from the query string: the first one, anything unknown (or
/// missing, or malformed) is the last 24 hours.
fn period_of(req: &HttpRequest) -> Period {
    let raw = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.into_owned());
    Period::parse(raw.as_deref())
}

#[get("/")]
pub(super) async fn home(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let period = period_of(&req);
    let now = state.clock.now();
    let when = When {
        now,
        online_since: online_since(now),
        zone: page.user.time_zone,
    };
    let (aid, uid) = (page.user.account_id, page.user.id);
    let (manager, agent) = if page.user.is_manager() {
        let d = state
            .db
            .run(move |c| Ok(dashboard::manager(c, aid, period, when)?))
            .await?;
        (Some(d), None)
    } else {
        let d = state
            .db
            .run(move |c| Ok(dashboard::agent(c, aid, uid, when)?))
            .await?;
        (None, Some(d))
    };
    let home = Home {
        page: page.at("home"),
        public_url: state.settings.public_url.clone(),
        periods: Period::ALL,
        manager,
        agent,
    };
    render(StatusCode::OK, &home)
}
