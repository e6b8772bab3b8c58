//! Image previews in the agent's chat window: the checked image itself,
//! and each conversation's choice to show or hide previews.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::Res;
use crate::{
    chat::service::ChatError,
    db,
    error::AppError,
    web::{files as web_files, page::CurrentUser, AppState},
};

/// A file of the account that passed the check as a PNG, JPEG, GIF or
/// WEBP image, inline; 404 for any other file.
#[get("/agent/files/{fid}/preview")]
async fn preview(state: web::Data<AppState>, user: CurrentUser, fid: web::Path<String>) -> Res {
    let f = super::account_file(&state, &user, fid.into_inner())
        .await?
        .ok_or(ChatError::NotFound)?;
    Ok(web_files::send_preview(&state, &f)
        .await
        .ok_or(ChatError::NotFound)?)
}

#[derive(Deserialize)]
struct Show {
    show: bool,
}

/// Shows or hides image previews in one conversation, for every agent;
/// the account's default no longer applies to it.
#[post("/agent/api/conversations/{id}/previews")]
async fn set_previews(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<Show>,
) -> Res {
    let (aid, id, show) = (user.account_id, id.into_inner(), body.show);
    let found = state
        .db
        .write(move |c| db::chat_window::set_previews(c, aid, id, show))
        .await?
        .map_err(AppError::from)?;
    if !found {
        return Err(ChatError::NotFound.into());
    }
    Ok(HttpResponse::Ok().json(json!({ "image_previews": show })))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(preview).service(set_previews);
}
