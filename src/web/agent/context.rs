//! The chat window's sidebar: what an agent may know about the visitor of
//! a conversation (`chat::context`), as JSON. Never the address.

use actix_web::{get, http::header, web, HttpResponse};

use super::Res;
use crate::{
    chat::context,
    web::{page::CurrentUser, AppState},
};

#[get("/agent/api/conversations/{id}/context")]
async fn visitor_context(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> Res {
    let (aid, id, now) = (user.account_id, id.into_inner(), state.clock.now());
    let (keys, gate) = (state.keys.clone(), state.gate.clone());
    let found = state
        .db
        .run(move |c| Ok(context::read(c, &keys, &gate, aid, id, now)))
        .await??;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(found))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(visitor_context);
}
