//! The loader's first request on every page view: may the chat show here?
//!
//! `GET /widget/v1/bootstrap?key=KEY&url=PAGE` is what the loader asks. Its
//! path is static, so routing it is a string comparison rather than a
//! pattern match: this is the one widget request made for every page view
//! of every visitor, chat or no chat. `GET /widget/v1/KEY/bootstrap?url=…`
//! answers the same, for loaders that browsers still hold in their cache
//! from before (the loader is cached for five minutes).

use actix_web::{
    get,
    http::header::{self, HeaderValue},
    web, HttpRequest, HttpResponse,
};
use serde::Serialize;

use super::{
    admission::{case, page_of},
    pages::query_param,
    WidgetError,
};
use crate::{
    gate::Visit,
    web::{client_ip::ClientIp, AppState},
};

/// The answer: whether to show the chat button, and the frame to show.
#[derive(Serialize)]
struct Bootstrap {
    show: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    frame: Option<String>,
}

#[get("/widget/v1/bootstrap")]
pub(super) async fn by_query(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
) -> Result<HttpResponse, WidgetError> {
    let key = query_param(req.query_string(), "key").ok_or(WidgetError::Unavailable)?;
    answer(&state, &req, ip, &key).await
}

#[get("/widget/v1/{key}/bootstrap")]
pub(super) async fn by_path(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    ip: ClientIp,
) -> Result<HttpResponse, WidgetError> {
    answer(&state, &req, ip, &key).await
}

/// Decides, counting a hit on the IP rule that refuses (one per page view).
async fn answer(
    state: &AppState,
    req: &HttpRequest,
    ip: ClientIp,
    key: &str,
) -> Result<HttpResponse, WidgetError> {
    let case = case(state, key).await?;
    let page = page_of(state, req);
    let verdict = state.gate.admit(&Visit {
        account_id: case.account_id,
        ip: ip.0,
        page: &page,
        now: state.clock.now(),
        // The loader's request carries no cookie: no browser to look up.
        browser: None,
    });
    if verdict.refused() {
        // For the agents' sidebar; the loader names no visitor.
        state.gate.count_refusal(case.account_id, ip.0, None);
    }
    // Before the gate has loaded, nobody is shown the chat (no fail-open).
    let ready = state.gate.is_ready();
    let show = ready && !verdict.refused();
    let cause = if ready {
        verdict.cause().as_str()
    } else {
        "not_ready"
    };
    state.metrics.gate_decision(cause);
    let body = Bootstrap {
        show,
        frame: show.then(|| format!("/widget/v1/{}/frame", case.widget_key)),
    };
    let body = serde_json::to_vec(&body)
        .map_err(|e| WidgetError::Internal(anyhow::Error::new(e).context("bootstrap JSON")))?;
    // Static header values: no parsing or copying per request.
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body))
}
