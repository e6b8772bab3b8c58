//! The agent's side of screen sharing: the request, the console's WebRTC
//! signals, the ICE servers it connects through, and End. Only the agent
//! the visitor said yes to connects.

use actix_web::{get, post, web, HttpResponse};
use serde_json::json;

use super::{act, notify, Res};
use crate::{
    chat::{screen_share, service},
    domain::screen_share::{ScreenShare, Side, Signal, SignalInput},
    web::{page::CurrentUser, AppState},
};

#[post("/agent/api/conversations/{id}/screen-share")]
async fn request(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> Res {
    act(&state, user, id.into_inner(), screen_share::request).await
}

#[post("/agent/api/conversations/{id}/screen-share/end")]
async fn end(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> Res {
    act(&state, user, id.into_inner(), screen_share::agent_end).await
}

/// An answer or ICE candidate from the agent's console.
#[post("/agent/api/conversations/{id}/screen-share/signal")]
async fn signal(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<SignalInput>,
) -> Res {
    let signal = Signal::parse(&body, Side::Agent).map_err(|e| service::ChatError::Invalid(e.0))?;
    let (aid, id, now, keys) = (
        user.account_id,
        id.into_inner(),
        state.clock.now(),
        state.keys.clone(),
    );
    state
        .db
        .write(move |c| screen_share::agent_signal(c, &keys, (&user).into(), id, &signal, now))
        .await??;
    notify(&state, aid, Some(id));
    Ok(HttpResponse::Ok().json(json!({ "ok": true })))
}

/// The ICE servers for the share's agent, while the visitor shares or is
/// choosing what to share. TURN credentials are minted for this share.
#[get("/agent/api/conversations/{id}/screen-share/ice")]
async fn ice(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> Res {
    let (aid, uid, id) = (user.account_id, user.id, id.into_inner());
    let conv = state
        .db
        .run(move |c| Ok(service::agent_conversation(c, aid, id)))
        .await??;
    let state_now = ScreenShare::parse(&conv.screen_share);
    let live = matches!(state_now, ScreenShare::Accepted | ScreenShare::Sharing);
    if !live || conv.share_agent_id != Some(uid) {
        return Err(service::ChatError::Conflict(crate::domain::screen_share::NOT_SHARING).into());
    }
    let user = format!("c{}-agent", conv.id);
    let config = state
        .settings
        .ice
        .config(&user, state.clock.now().and_utc().timestamp());
    Ok(HttpResponse::Ok().json(config))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(request)
        .service(end)
        .service(signal)
        .service(ice);
}
