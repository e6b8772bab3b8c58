//! The visitor's side of screen sharing: the answer to an agent's request,
//! the browser's WebRTC signals, and Stop. Each goes through the gate
//! first, like every widget call, so a blocked network can never start a
//! share or signal.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{
    admission::admit,
    api::{as_visitor, notify, writer},
    WidgetError,
};
use crate::{
    chat::screen_share,
    domain::screen_share::{Side, Signal, SignalInput},
    web::{client_ip::ClientIp, AppState},
};

type Res = Result<HttpResponse, WidgetError>;

#[derive(Deserialize)]
struct Answer {
    accept: bool,
}

/// Yes or No to the agent's request. Yes comes back with the ICE servers
/// the visitor's browser connects through (TURN credentials minted now).
#[post(
    "/widget/v1/{key}/conversations/{cid}/screen-share",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    body: web::Json<Answer>,
) -> Res {
    let (key, cid) = path.into_inner();
    let case = admit(&state, &req, &ip, &key).await?;
    let v = writer(&req)?;
    let (accept, now) = (body.accept, state.clock.now());
    let conv = as_visitor(&state, case, v.key, move |c, vr| {
        screen_share::answer(c, vr, &cid, accept, now)
    })
    .await??;
    notify(&state, conv.account_id, Some(conv.id));
    let user = format!("c{}-visitor", conv.id);
    let mut answer = state.settings.ice.config(&user, now.and_utc().timestamp());
    answer["ok"] = json!(true);
    Ok(HttpResponse::Ok().json(answer))
}

/// An offer or ICE candidate from the visitor's browser.
#[post(
    "/widget/v1/{key}/conversations/{cid}/screen-share/signal",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn signal(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    body: web::Json<SignalInput>,
) -> Res {
    let (key, cid) = path.into_inner();
    let case = admit(&state, &req, &ip, &key).await?;
    let v = writer(&req)?;
    let signal =
        Signal::parse(&body, Side::Visitor).map_err(|e| WidgetError::Invalid(e.0.into()))?;
    let (keys, now) = (state.keys.clone(), state.clock.now());
    let conv = as_visitor(&state, case, v.key, move |c, vr| {
        screen_share::visitor_signal(c, &keys, vr, &cid, &signal, now)
    })
    .await??;
    notify(&state, conv.account_id, Some(conv.id));
    Ok(HttpResponse::Ok().json(json!({ "ok": true })))
}

/// Stop: the visitor ends the share (or gave up choosing a screen).
#[post(
    "/widget/v1/{key}/conversations/{cid}/screen-share/end",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn end(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String)>,
) -> Res {
    let (key, cid) = path.into_inner();
    let case = admit(&state, &req, &ip, &key).await?;
    let v = writer(&req)?;
    let now = state.clock.now();
    let conv = as_visitor(&state, case, v.key, move |c, vr| {
        screen_share::visitor_end(c, vr, &cid, now)
    })
    .await??;
    notify(&state, conv.account_id, Some(conv.id));
    Ok(HttpResponse::Ok().json(json!({ "ok": true })))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(answer).service(signal).service(end);
}
