//! # Error policy
//!
//! Three error types, one per kind of caller, all following these rules:
//! * `AppError` (here) is what panel handlers return: it decides the status
//!   code and renders an HTML error page (403, 404, 500 …), never a panic
//!   text or a raw error message.
//! * A service's error (`ChatError`, `RulesError`, `UserChangeError` …) says
//!   what went wrong in the area's terms: `NotFound`, input the person can
//!   correct (`Invalid`, with the message to show), a state that does not
//!   allow it (`Conflict`), or the database (`Db`, keeping its source). The
//!   handler that called the action decides how to show it: a form shown
//!   again with the message, a flash, or, for the agent console's JSON API,
//!   `ChatError`'s own JSON response (`web/agent`).
//! * `WidgetError` (`web/widget`) is the widget API's: always JSON
//!   `{"error": "…"}` with a text the visitor can act on, and never why a
//!   visitor is refused.
//! * Input a person can fix is not an `AppError`: the handler re-renders the
//!   form with a clear message beside the field and everything that was
//!   typed, and stores nothing.
//! * Something that belongs to another account is `NotFound`, exactly like
//!   something that does not exist: ids never reveal other tenants.
//! * `Forbidden` is for a signed-in user whose role is not enough.
//!   `LoginRequired` sends an anonymous visitor of a panel page to sign in.
//! * Everything unexpected (database, pool, thread pool) becomes `Internal`
//!   (`WidgetError::Internal`, `ChatError::Db`), which keeps the cause's
//!   whole source chain. It is logged once, where the response is made: for
//!   a panel page with a short reference that the error page shows, so a
//!   user can quote it. Logs carry no secret and no visitor
//!   address: database errors never include bound values.
//! * No `unwrap`/`expect` outside tests and start-up.

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    LoginRequired { next: String },
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Displayed with its whole source chain (`{:#}`).
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl AppError {
    /// Something unexpected while `doing` something, caused by `cause`,
    /// whose source chain is kept.
    pub fn internal(doing: &'static str, cause: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(cause.into().context(doing))
    }
}

/// An error and its sources, "outer: inner: …", for the log.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::internal("database", e)
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::internal("pool", e)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal("blocking pool", e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal("template", e)
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage<'a> {
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
    pub reference: Option<String>,
}

impl ErrorPage<'_> {
    pub fn for_status(status: StatusCode, reference: Option<String>) -> String {
        let (title, message) = match status.as_u16() {
            400 => ("Bad request", "The request could not be understood. Go back and try again."),
            403 => ("Not allowed", "You do not have permission for this page or action. If you think you should, ask a manager of your account."),
            404 => ("Page not found", "There is nothing here. The link may be old, or the item may have been removed."),
            405 => ("Not allowed", "This address does not accept that kind of request."),
            413 => ("Too large", "What you sent is larger than allowed."),
            415 => ("Unsupported format", "This form was sent in a format the server does not accept. Reload the page and try again."),
            429 => ("Too many requests", "Please wait a moment and try again."),
            _ if status.is_server_error() => ("Something went wrong", "The server could not finish this request. Please try again; if it keeps happening, give your administrator the reference below."),
            _ => ("Request refused", "The request could not be completed."),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
            reference,
        };
        page.render()
            .unwrap_or_else(|_| format!("<!doctype html><title>{title}</title><h1>{title}</h1>"))
    }
}

pub fn html_error(status: StatusCode, reference: Option<String>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(ErrorPage::for_status(status, reference))
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::LoginRequired { next } => {
                let location = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish()
            }
            AppError::Internal(cause) => {
                let reference = crate::crypto::random_token()[..10].to_owned();
                tracing::error!(reference = %reference, cause = %format!("{cause:#}"), "internal error");
                html_error(StatusCode::INTERNAL_SERVER_ERROR, Some(reference))
            }
            AppError::BadRequest(why) => {
                tracing::debug!(why = %why, "bad request");
                html_error(StatusCode::BAD_REQUEST, None)
            }
            other => html_error(other.status_code(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(resp: HttpResponse) -> String {
        let bytes = resp.into_body().try_into_bytes().unwrap_or_default();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn internal_errors_show_a_reference_never_the_cause() {
        let err = AppError::internal("database", anyhow::anyhow!("secret detail 10.1.2.3"));
        let resp = err.error_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let html = body_of(resp);
        assert!(html.contains("Something went wrong"), "{html}");
        assert!(html.contains("Reference:"));
        assert!(!html.contains("secret detail") && !html.contains("10.1.2.3"));
    }

    #[test]
    fn an_internal_error_keeps_its_source_chain() {
        let disk = std::io::Error::other("disk full");
        let err = AppError::internal(
            "storing a file",
            anyhow::Error::new(disk).context("writing"),
        );
        assert_eq!(
            err.to_string(),
            "internal error: storing a file: writing: disk full"
        );
    }

    #[test]
    fn a_borrowed_error_is_logged_with_its_sources() {
        #[derive(Debug, thiserror::Error)]
        #[error("saving")]
        struct Saving(#[source] std::io::Error);
        let e = Saving(std::io::Error::other("disk full"));
        assert_eq!(chain(&e), "saving: disk full");
    }

    #[test]
    fn status_pages_and_login_redirect() {
        assert_eq!(
            AppError::NotFound.error_response().status(),
            StatusCode::NOT_FOUND
        );
        let html = body_of(AppError::Forbidden.error_response());
        assert!(html.contains("Not allowed"));
        let r = AppError::LoginRequired {
            next: "/a b?x=1".into(),
        }
        .error_response();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers().get(header::LOCATION).unwrap(),
            "/login?next=%2Fa+b%3Fx%3D1"
        );
    }
}
