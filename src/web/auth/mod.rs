//! Sign-in and sign-out.

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use crate::{
    db::sessions,
    domain::login_limit,
    error::AppError,
    users::login::{sign_in, Attempt, Outcome},
    web::{
        client_ip::ClientIp, csrf, page::CurrentUser, render, see_other, session_store, AppState,
    },
};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage<'a> {
    csrf: String,
    email: &'a str,
    next: &'a str,
    error: Option<String>,
    notice: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

/// Only local paths are followed after sign-in, never another site. Browsers
/// drop tabs and newlines and read `\\` as `/`, so any of those, any white
/// space or control character, or a second leading slash, means "/".
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 2000
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            n
        }
        _ => "/",
    }
}

#[get("/login")]
async fn login_form(
    session: Session,
    q: web::Query<LoginQuery>,
    user: Option<CurrentUser>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Ok(see_other(next));
    }
    let page = LoginPage {
        csrf: csrf::token(&session),
        email: "",
        next,
        error: None,
        notice: q.signed_out.as_ref().map(|_| "You have signed out."),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[post("/login")]
async fn login(
    state: web::Data<AppState>,
    session: Session,
    ip: ClientIp,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref()).to_owned();
    let typed_email = form.email.trim().to_owned();
    let attempt = Attempt::new(&state.keys, &typed_email, ip.0, form.password);
    let (status, error) = match sign_in(&state.db, &state.clock, attempt).await? {
        Outcome::SignedIn {
            user_id,
            account_id,
        } => {
            session.renew();
            CurrentUser::sign_in(&session, user_id, account_id)?;
            csrf::rotate(&session);
            tracing::info!(user_id, "signed in");
            return Ok(see_other(&next));
        }
        Outcome::Wrong => (
            StatusCode::UNAUTHORIZED,
            "The e-mail address or password is not correct.".to_owned(),
        ),
        Outcome::Limited(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-in attempts. For your security, sign-in is paused for this account or network. Try again in {}.",
                login_limit::minutes_text(wait)
            ),
        ),
    };
    let page = LoginPage {
        csrf: csrf::token(&session),
        email: &typed_email,
        next: &next,
        error: Some(error),
        notice: None,
    };
    render(status, &page)
}

/// The sign-in form again after a refused CSRF token (the page had
/// expired), with the typed e-mail address and a fresh token.
pub fn expired_form(session: &Session, email: &str, next: Option<&str>) -> HttpResponse {
    let page = LoginPage {
        csrf: csrf::token(session),
        email,
        next: safe_next(next),
        error: Some("This page had expired. Please sign in again.".into()),
        notice: None,
    };
    render(StatusCode::FORBIDDEN, &page).unwrap_or_else(|e| e.error_response())
}

#[post("/logout")]
async fn logout(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> HttpResponse {
    // The row goes now, not after the response, so this session's open
    // event streams end at once.
    if let Some(id) = session_store::request_row_id(&req, state.keys.cookie_key()) {
        let revoked = state.db.write(move |c| sessions::delete(c, &id)).await;
        if let Err(e) = revoked.and_then(|r| r.map_err(AppError::from)) {
            tracing::warn!(error = %e, "revoking a session at sign-out failed");
        }
        state.hub.sessions_changed();
    }
    session.purge();
    see_other("/login?signed_out=1")
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login_form).service(login).service(logout);
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/settings/users")), "/settings/users");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/ok\\..")), "/");
        assert_eq!(
            safe_next(Some("/cases/1/conversations?blocking=blocked")),
            "/cases/1/conversations?blocking=blocked"
        );
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
