//! The HTTP layer: thin handlers per page area, plus the shared extractors
//! and middleware. Handlers parse input, call `db` inside `Db::run`, and
//! render a template.

pub mod agent;
pub mod assets;
pub mod auth;
pub mod client_ip;
pub mod conversations;
pub mod csrf;
pub mod errors;
pub mod files;
pub mod headers;
pub mod page;
pub mod panel;
pub mod session_store;
pub mod users;
pub mod widget;

use std::sync::Arc;

use actix_web::{
    http::{header, StatusCode},
    HttpResponse,
};
use askama::Template;

use crate::{config::Settings, crypto::Keys, db::Db, error::AppError};

/// Shared by all handlers through `web::Data`.
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub keys: Arc<Keys>,
    pub hub: Arc<crate::chat::Hub>,
    pub gate: Arc<crate::gate::Gate>,
    pub clock: Arc<crate::domain::clock::Clock>,
}

impl AppState {
    /// Re-reads blocks into the gate after a change made here.
    pub async fn reload_gate(&self) {
        if let Err(e) = crate::gate::reload(&self.db, &self.gate, self.clock.now()).await {
            tracing::warn!(error = %e, "gate reload failed");
        }
    }
}

/// Renders a template as an HTML response.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(t.render()?))
}

/// The redirect after a successful POST (Post/Redirect/Get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}
