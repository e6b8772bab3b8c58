//! Settings / Users: managers add agents and managers, change roles and
//! deactivate or reactivate users.

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::{
    db::{
        accounts::{self, UserChangeError},
        audit::{self, Actor},
        models::User,
        write_tx,
    },
    domain::account::{DisplayName, Email, NewPassword, Role},
    error::AppError,
    passwords,
    web::{
        page::{flash, Page},
        render, see_other, AppState,
    },
};

const PATH: &str = "/settings/users";

/// The add-user form as typed, with a message per field.
#[derive(Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

#[derive(Default)]
struct FormErrors {
    name: Option<&'static str>,
    email: Option<&'static str>,
    role: Option<&'static str>,
    password: Option<&'static str>,
    general: Option<String>,
}

impl FormErrors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.email.is_some()
            || self.role.is_some()
            || self.password.is_some()
            || self.general.is_some()
    }
}

#[derive(Template)]
#[template(path = "users/index.html")]
struct UsersPage {
    page: Page,
    users: Vec<User>,
    form: NewUserForm,
    errors: FormErrors,
    roles: [Role; 2],
}

async fn show(
    state: &AppState,
    page: Page,
    form: NewUserForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let aid = page.user.account_id;
    let users = state.db.run(move |c| Ok(accounts::users(c, aid)?)).await?;
    let form = NewUserForm {
        password: String::new(),
        role: if form.role.is_empty() {
            "agent".into()
        } else {
            form.role
        },
        ..form
    };
    render(
        status,
        &UsersPage {
            page: page.at("users"),
            users,
            form,
            errors,
            roles: [Role::Agent, Role::Manager],
        },
    )
}

#[get("/settings/users")]
async fn index(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    show(
        &state,
        page,
        NewUserForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[post("/settings/users")]
async fn create(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let name = DisplayName::parse(&form.name)
        .map_err(|e| errors.name = Some(e.0))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.email = Some(e.0))
        .ok();
    let role = Role::parse(&form.role)
        .map_err(|e| errors.role = Some(e.0))
        .ok();
    let password = NewPassword::parse(&form.password)
        .map_err(|e| errors.password = Some(e.0))
        .ok();
    let (Some(name), Some(email), Some(role), Some(password)) = (name, email, role, password)
    else {
        return show(&state, page, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let hash = web::block(move || passwords::hash(&password))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing: {e}")))?;
    let (aid, actor_id, actor_name) = (page.user.account_id, page.user.id, page.user.name.clone());
    let result = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                accounts::require_active_manager(c, aid, actor_id)?;
                let u = accounts::create_user(c, aid, &email, &name, role, &hash)?;
                audit::record(
                    c,
                    aid,
                    Actor::User {
                        id: actor_id,
                        name: &actor_name,
                    },
                    "user.created",
                    &format!("Added {} <{}> as {}", u.name, u.email, role.label()),
                    crate::db::now(),
                )?;
                Ok::<_, UserChangeError>(u)
            }))
        })
        .await?;
    match result {
        Ok(u) => {
            flash(
                &session,
                true,
                format!(
                    "{} was added as {}. Share the password with them privately.",
                    u.name,
                    u.role().label().to_lowercase()
                ),
            );
            Ok(see_other(PATH))
        }
        Err(UserChangeError::DuplicateEmail) => {
            errors.email = Some("A user with this e-mail address already exists.");
            show(&state, page, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(UserChangeError::NotAllowed) => Err(AppError::Forbidden),
        Err(e) => Err(AppError::internal("changing a user", e)),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

#[post("/settings/users/{id}/role")]
async fn change_role(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let role = Role::parse(&form.role).ok();
    let (aid, actor_id, actor_name, uid) = (
        page.user.account_id,
        page.user.id,
        page.user.name.clone(),
        id.into_inner(),
    );
    let result = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                accounts::require_active_manager(c, aid, actor_id)?;
                let before = accounts::user(c, aid, uid)?.ok_or(UserChangeError::NotFound)?;
                let u = accounts::set_role(c, aid, uid, role)?;
                let role = u.role();
                if before.role() != role {
                    audit::record(
                        c,
                        aid,
                        Actor::User {
                            id: actor_id,
                            name: &actor_name,
                        },
                        "user.role_changed",
                        &format!(
                            "{} changed from {} to {}",
                            u.name,
                            before.role().label(),
                            role.label()
                        ),
                        crate::db::now(),
                    )?;
                }
                Ok::<_, UserChangeError>((before.role() != role, u))
            }))
        })
        .await?;
    // The user's open event streams end (their role no longer matches).
    state.hub.sessions_changed();
    finish(
        &session,
        result.map(|(changed, u)| {
            if changed {
                format!("{} is now {}.", u.name, u.role().label().to_lowercase())
            } else {
                format!(
                    "{} already was {}.",
                    u.name,
                    u.role().label().to_lowercase()
                )
            }
        }),
    )
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

#[post("/settings/users/{id}/active")]
async fn change_active(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let active = match form.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("active must be true or false".into())),
    };
    let (aid, actor_id, actor_name, uid) = (
        page.user.account_id,
        page.user.id,
        page.user.name.clone(),
        id.into_inner(),
    );
    let result = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                accounts::require_active_manager(c, aid, actor_id)?;
                let u = accounts::set_active(c, aid, actor_id, uid, active)?;
                let (action, verb) = if active {
                    ("user.reactivated", "reactivated")
                } else {
                    ("user.deactivated", "deactivated")
                };
                audit::record(
                    c,
                    aid,
                    Actor::User {
                        id: actor_id,
                        name: &actor_name,
                    },
                    action,
                    &format!("{} was {verb}", u.name),
                    crate::db::now(),
                )?;
                Ok::<_, UserChangeError>(format!("{} was {verb}.", u.name))
            }))
        })
        .await?;
    // A deactivated user's open event streams end now.
    state.hub.sessions_changed();
    finish(&session, result)
}

/// Flashes the outcome of a row action and returns to the list. A user of
/// another account is a 404, like a missing one.
fn finish(
    session: &Session,
    result: Result<String, UserChangeError>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(msg) => flash(session, true, msg),
        Err(UserChangeError::NotFound) => return Err(AppError::NotFound),
        Err(UserChangeError::NotAllowed) => return Err(AppError::Forbidden),
        Err(
            e @ (UserChangeError::LastManager
            | UserChangeError::SelfDeactivation
            | UserChangeError::InvalidRole),
        ) => flash(session, false, e.to_string()),
        Err(e) => return Err(AppError::internal("changing a user", e)),
    }
    Ok(see_other(PATH))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(create)
        .service(change_role)
        .service(change_active);
}
