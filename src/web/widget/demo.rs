//! `/demo`: a stand-in customer website that embeds the chat.

use actix_web::{get, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::admission::case;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "demo.html")]
struct Demo {
    public_url: String,
    case_key: String,
}

#[derive(Deserialize)]
struct DemoQuery {
    case: Option<String>,
}

/// A stand-in customer website that embeds the demo "Support" chat, or the
/// case named by `?case=` (widget keys are public: they are in every page
/// that embeds the chat).
#[get("/demo")]
async fn demo(
    state: web::Data<AppState>,
    q: web::Query<DemoQuery>,
) -> Result<HttpResponse, crate::error::AppError> {
    let key = q.into_inner().case.unwrap_or_else(|| "demo-support".into());
    let case = case(&state, &key)
        .await
        .map_err(|_| crate::error::AppError::NotFound)?;
    crate::web::render(
        actix_web::http::StatusCode::OK,
        &Demo {
            public_url: state.settings.public_url.clone(),
            case_key: case.widget_key.clone(),
        },
    )
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(demo);
}
