//! Sign-in and sign-out.

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpResponse};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use crate::{
    db::{accounts, now, throttle, write_tx},
    domain::{
        account::Email,
        login_limit::{self, LoginLimit},
    },
    error::AppError,
    passwords,
    web::{client_ip::ClientIp, csrf, page::CurrentUser, render, see_other, AppState},
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

/// Only local paths are followed after sign-in, never another site.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
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

enum Outcome {
    SignedIn { user_id: i64, account_id: i64 },
    Wrong,
    Limited(Duration),
}

fn limited(
    c: &mut crate::db::DbConn,
    limit: LoginLimit,
    bucket: &str,
) -> Result<Option<Duration>, AppError> {
    let t = now();
    let (count, oldest) = throttle::recent(c, bucket, limit.since(t))?;
    Ok(limit.retry_after(count, oldest, t))
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
    let user_bucket = state.keys.throttle_key("user", &typed_email.to_lowercase());
    let ip_bucket = state.keys.throttle_key("ip", &ip.0.to_string());
    let email = Email::parse(&typed_email).ok();
    let password = form.password;

    let outcome = state
        .db
        .run(move |c| {
            let wait = [
                limited(c, login_limit::PER_USER, &user_bucket)?,
                limited(c, login_limit::PER_ADDRESS, &ip_bucket)?,
            ]
            .into_iter()
            .flatten()
            .max();
            if let Some(wait) = wait {
                return Ok(Outcome::Limited(wait));
            }
            let user = match &email {
                Some(e) => accounts::user_by_email(c, e)?,
                None => None,
            };
            let ok = match &user {
                Some(u) => passwords::verify(&password, &u.password_hash) && u.active,
                None => {
                    passwords::verify_dummy(&password);
                    false
                }
            };
            match user {
                Some(u) if ok => {
                    write_tx(c, |c| throttle::clear(c, &user_bucket))?;
                    Ok(Outcome::SignedIn {
                        user_id: u.id,
                        account_id: u.account_id,
                    })
                }
                _ => {
                    write_tx(c, |c| {
                        throttle::record(c, &[&user_bucket, &ip_bucket], now())
                    })?;
                    let wait = [
                        limited(c, login_limit::PER_USER, &user_bucket)?,
                        limited(c, login_limit::PER_ADDRESS, &ip_bucket)?,
                    ]
                    .into_iter()
                    .flatten()
                    .max();
                    Ok(wait.map(Outcome::Limited).unwrap_or(Outcome::Wrong))
                }
            }
        })
        .await?;

    let (status, error) = match outcome {
        Outcome::SignedIn { user_id, account_id } => {
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

#[post("/logout")]
async fn logout(session: Session) -> HttpResponse {
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
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
