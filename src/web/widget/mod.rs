//! The visitor widget: `/widget.js`, the loader's `/widget/v1/bootstrap`,
//! the chat frame, and its JSON and event API under `/widget/v1/{case_key}/`.
//! No panel session here: the visitor is a random id, sent by the frame's
//! script as a header (and kept as a partitioned cookie); see `visitor.rs`.

mod admission;
mod api;
mod bootstrap;
mod demo;
mod files;
mod frame;
mod lang;
mod pages;
mod share;
mod visitor;

use actix_web::{
    http::{header, StatusCode},
    web, HttpResponse, ResponseError,
};
use serde_json::json;

pub use api::{sse, stream_sources};
pub use pages::PageCache;
pub use visitor::{Visitor, VISITOR_COOKIE};

use crate::{
    chat::service::ChatError,
    domain::{file_policy::Refusal, language::Lang},
    error::AppError,
    l10n,
};

/// Errors of the widget API, always as JSON `{"error": "…"}`. They never
/// say why a visitor is refused beyond what the visitor can act on.
#[derive(Debug, thiserror::Error)]
pub enum WidgetError {
    #[error("This chat is not available.")]
    Unavailable,
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("The chat could not recognise this browser. Please allow cookies for this site and reload the page.")]
    NoVisitor,
    #[error("Please reload the page and try again.")]
    BadToken,
    /// Keeps the cause's source chain for the log; the visitor sees only
    /// the text above.
    #[error("Something went wrong. Please try again.")]
    Internal(anyhow::Error),
    /// The instance has not loaded its visitor gate yet: everyone is
    /// refused alike, and the frame tries again (it does not go quiet).
    #[error("The chat is starting. Please try again in a moment.")]
    Starting,
    /// Over a flood limit: the visitor is told only to wait.
    #[error("{}", crate::domain::flood::SLOW_DOWN)]
    SlowDown,
    /// A file the policy refused, by its name as shown.
    #[error("{name} was not sent. {refusal}.")]
    FileRefused { name: String, refusal: Refusal },
}

impl From<ChatError> for WidgetError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::NotFound => WidgetError::NotFound,
            ChatError::Invalid(m) => WidgetError::Invalid(m.into()),
            ChatError::Conflict(m) => WidgetError::Conflict(m.into()),
            ChatError::TooFast => WidgetError::SlowDown,
            ChatError::Db(e) => WidgetError::Internal(anyhow::Error::new(e).context("database")),
        }
    }
}

impl From<AppError> for WidgetError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => WidgetError::NotFound,
            other => WidgetError::Internal(other.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for WidgetError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        WidgetError::Internal(anyhow::Error::new(e).context("blocking pool"))
    }
}

impl ResponseError for WidgetError {
    fn status_code(&self) -> StatusCode {
        match self {
            WidgetError::Unavailable | WidgetError::NotFound => StatusCode::NOT_FOUND,
            WidgetError::Invalid(_) | WidgetError::FileRefused { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            WidgetError::Conflict(_) => StatusCode::CONFLICT,
            WidgetError::NoVisitor => StatusCode::UNAUTHORIZED,
            WidgetError::BadToken => StatusCode::FORBIDDEN,
            WidgetError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WidgetError::Starting => StatusCode::SERVICE_UNAVAILABLE,
            WidgetError::SlowDown => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WidgetError::Internal(cause) = self {
            tracing::error!(cause = %format!("{cause:#}"), "widget error");
        }
        self.response_in(Lang::En)
    }
}

impl WidgetError {
    /// What the visitor reads, in `lang` (the English is `Display`'s).
    pub fn text_in(&self, lang: Lang) -> String {
        let id = match self {
            WidgetError::Unavailable => "error-unavailable",
            WidgetError::NotFound => "error-not-found",
            WidgetError::NoVisitor => "error-no-visitor",
            WidgetError::BadToken => "error-reload",
            WidgetError::Internal(_) => "error-generic",
            WidgetError::Starting => "error-starting",
            WidgetError::SlowDown => "error-slow-down",
            WidgetError::Invalid(m) | WidgetError::Conflict(m) => {
                return l10n::known(lang, m).unwrap_or_else(|| m.clone());
            }
            WidgetError::FileRefused { name, refusal } => {
                return l10n::file_not_sent(lang, name, refusal);
            }
        };
        l10n::text(lang, id)
    }

    /// The JSON answer, its text in `lang`.
    pub fn response_in(&self, lang: Lang) -> HttpResponse {
        let error = self.text_in(lang);
        let body = match self {
            // The frame goes quiet on this code; it never says why.
            WidgetError::Unavailable => json!({ "error": error, "code": "unavailable" }),
            WidgetError::Starting => json!({ "error": error, "code": "starting" }),
            WidgetError::SlowDown => json!({ "error": error, "code": "slow_down" }),
            _ => json!({ "error": error }),
        };
        let mut r = HttpResponse::build(self.status_code());
        match self {
            WidgetError::Starting => {
                r.insert_header((header::RETRY_AFTER, "2"));
            }
            WidgetError::SlowDown => {
                r.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        r.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::CONTENT_LANGUAGE, lang.code()))
            .json(body)
    }
}

/// JSON bodies that cannot be read get the widget's JSON error.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _| {
            let msg = match &err {
                actix_web::error::JsonPayloadError::ContentType => "Send the request as JSON.",
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    "The request is too large."
                }
                _ => "The request body is not valid JSON.",
            };
            let resp = HttpResponse::BadRequest().json(json!({ "error": msg }));
            actix_web::error::InternalError::from_response(err, resp).into()
        })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    api::routes(cfg);
    share::routes(cfg);
    demo::routes(cfg);
    files::routes(cfg);
}
