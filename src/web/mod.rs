//! The HTTP layer: thin handlers per page area, plus the shared extractors
//! and middleware. Handlers parse input, call `db` inside `Db::run`, and
//! render a template.

pub mod abuse;
pub mod agent;
pub mod assets;
pub mod auth;
pub mod block_visitors;
pub mod chat_window;
pub mod client_ip;
pub mod conversations;
pub mod csrf;
pub mod errors;
pub mod files;
pub mod headers;
pub mod input_guard;
pub mod lifecycle;
pub mod metrics;
pub mod page;
pub mod panel;
pub mod profile;
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
    /// Where chat files' bytes live (the data directory or the database).
    pub files: crate::chat::file_store::Store,
    pub settings: Arc<Settings>,
    pub keys: Arc<Keys>,
    pub hub: Arc<crate::chat::Hub>,
    pub gate: Arc<crate::gate::Gate>,
    pub clock: Arc<crate::domain::clock::Clock>,
    /// The same, kept in step with other instances.
    pub node: Arc<crate::cluster::Node>,
    /// This instance's Prometheus registry.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// This server's own origin, from the public URL (for the widget's
    /// page checks).
    pub own_origin: Option<String>,
    /// Page addresses the widget reported, parsed.
    pub pages: crate::web::widget::PageCache,
}

impl AppState {
    /// Re-reads blocks into the gate after a change made here.
    pub async fn reload_gate(&self) {
        crate::cluster::blocks_changed(&self.node, self.clock.now()).await;
    }

    /// Applies a rule change made here to the gate at once, or rebuilds
    /// the account's policy from the database when it cannot.
    pub async fn rules_changed(
        &self,
        account_id: i64,
        version: i64,
        change: impl FnOnce(&crate::gate::policy::Policy) -> Option<crate::gate::policy::Policy>,
    ) {
        crate::cluster::rules_changed(&self.node, account_id, version, change).await;
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
