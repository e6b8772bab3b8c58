//! My profile: the signed-in user's own name, time zone and password; and
//! the time zone the panel's script reports from the browser at first
//! sign-in.

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::{
    domain::{
        account::{DisplayName, NewPassword},
        time_zone::TimeZone,
    },
    error::AppError,
    users::profile::{self, PasswordChange, ProfileError, ProfileInput, Saved},
    web::{
        page::{flash, CurrentUser, Page},
        render, see_other, session_store, AppState,
    },
};

const PATH: &str = "/profile";

/// The form as typed. The passwords are never shown again.
#[derive(Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// A message per field that was refused.
#[derive(Default)]
struct FormErrors {
    name: Option<&'static str>,
    time_zone: Option<&'static str>,
    current_password: Option<String>,
    new_password: Option<&'static str>,
    confirm_password: Option<&'static str>,
}

impl FormErrors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.time_zone.is_some()
            || self.current_password.is_some()
            || self.new_password.is_some()
            || self.confirm_password.is_some()
    }
}

#[derive(Template)]
#[template(path = "profile/page.html")]
struct ProfilePage {
    page: Page,
    form: ProfileForm,
    errors: FormErrors,
    zones: Vec<&'static str>,
}

fn show(
    page: Page,
    form: ProfileForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let form = ProfileForm {
        current_password: String::new(),
        new_password: String::new(),
        confirm_password: String::new(),
        ..form
    };
    let zones = TimeZone::choices();
    render(
        status,
        &ProfilePage {
            page: page.at("profile"),
            form,
            errors,
            zones,
        },
    )
}

#[get("/profile")]
async fn index(page: Page) -> Result<HttpResponse, AppError> {
    let form = ProfileForm {
        name: page.user.name.clone(),
        time_zone: page.zone().to_owned(),
        ..ProfileForm::default()
    };
    show(page, form, FormErrors::default(), StatusCode::OK)
}

/// The form parsed, or a message per field. A password change is asked
/// for when a new password is typed in either field (the current one
/// alone may be the browser's autofill).
fn parse(form: &ProfileForm) -> Result<ProfileInput, FormErrors> {
    let mut e = FormErrors::default();
    let name = DisplayName::parse(&form.name)
        .map_err(|x| e.name = Some(x.0))
        .ok();
    let time_zone = TimeZone::parse(&form.time_zone)
        .map_err(|x| e.time_zone = Some(x.0))
        .ok();
    let wants_password = !form.new_password.is_empty() || !form.confirm_password.is_empty();
    let mut password = None;
    if wants_password {
        if form.current_password.is_empty() {
            e.current_password = Some("Enter your current password to change it.".into());
        }
        let new = NewPassword::parse(&form.new_password)
            .map_err(|x| e.new_password = Some(x.0))
            .ok();
        if form.confirm_password != form.new_password {
            e.confirm_password = Some("The two new passwords are not the same.");
        }
        password = new.map(|new| PasswordChange {
            current: form.current_password.clone(),
            new,
        });
    }
    match (name, time_zone) {
        (Some(name), Some(time_zone)) if !e.any() => Ok(ProfileInput {
            name,
            time_zone,
            password,
        }),
        _ => Err(e),
    }
}

/// What the flash says after a save.
fn saved_text(s: &Saved, name: &str, zone: &str) -> String {
    let mut parts = Vec::new();
    if s.renamed {
        parts.push(format!("Your name is now {name}."));
    }
    if s.time_zone_changed {
        parts.push(format!("Times now show in {zone}."));
    }
    if s.password_changed {
        parts.push(match s.sessions_ended {
            0 => "Your password was changed.".to_owned(),
            1 => "Your password was changed, and your other session was signed out.".to_owned(),
            n => format!("Your password was changed, and your {n} other sessions were signed out."),
        });
    }
    if parts.is_empty() {
        "Nothing changed.".to_owned()
    } else {
        parts.join(" ")
    }
}

#[post("/profile")]
async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = match parse(&form) {
        Ok(input) => input,
        Err(errors) => return show(page, form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let (name, zone) = (input.name.as_str().to_owned(), input.time_zone.name());
    let keep = session_store::request_row_id(&req, state.keys.cookie_key());
    let (actor, now) = (page.user.actor(), state.clock.now());
    match profile::save(&state.db, &state.keys, actor, input, keep, now).await? {
        Ok(saved) => {
            if saved.password_changed {
                // The other sessions' open event streams end now, and this
                // one goes on under a new id: a stolen copy of its cookie
                // ends with the others.
                state.hub.sessions_changed();
                session.renew();
            }
            flash(&session, true, saved_text(&saved, &name, zone));
            Ok(see_other(PATH))
        }
        Err(e @ (ProfileError::WrongPassword | ProfileError::Limited(_))) => {
            let status = match e {
                ProfileError::Limited(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = FormErrors {
                current_password: Some(e.to_string()),
                ..FormErrors::default()
            };
            show(page, form, errors, status)
        }
        Err(ProfileError::NotFound) => Err(AppError::NotFound),
        Err(e @ ProfileError::Db(_)) => Err(AppError::internal("saving a profile", e)),
    }
}

#[derive(Deserialize)]
pub struct ZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// The browser's time zone, reported once by the panel's script while the
/// user has none: 204 when set, 409 when one is set already (it stays),
/// 400 for a zone the server does not know (both with `{"error": why}`).
#[post("/profile/time-zone")]
async fn first_time_zone(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<ZoneForm>,
) -> Result<HttpResponse, AppError> {
    let refuse = |status: StatusCode, why: &str| {
        HttpResponse::build(status).json(serde_json::json!({ "error": why }))
    };
    let zone = match TimeZone::parse(&form.time_zone) {
        Ok(z) => z,
        Err(e) => return Ok(refuse(StatusCode::BAD_REQUEST, e.0)),
    };
    let (actor, now) = (user.actor(), state.clock.now());
    let set = state
        .db
        .write(move |c| profile::set_first_time_zone(c, &actor, zone, now))
        .await?
        .map_err(|e| AppError::internal("setting a time zone", e))?;
    Ok(if set {
        HttpResponse::NoContent().finish()
    } else {
        let why = "Your time zone is set already; change it on My profile.";
        refuse(StatusCode::CONFLICT, why)
    })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index).service(save).service(first_time_zone);
}
