//! Account settings / Abuse protection (managers): flood control's limits,
//! the offensive-language shield and blocks that follow the browser, each
//! a form with its own Save; a
//! refused form comes back with what was typed and a message, and nothing
//! of it is stored. A save reaches the gate at once, here and on every
//! instance.

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpResponse};
use askama::Template;

use chrono::NaiveDateTime;

use crate::{
    db::{self, DbConn},
    domain::{
        flood::{self, FloodLimits, Sending, TypedLimit},
        shield::default_patterns,
        shield_policy::{parse_list, parse_strikes, StrikeAction},
    },
    error::AppError,
    rules::{self, Actor, ShieldInput},
    web::{
        page::{flash, Page},
        render, see_other, AppState,
    },
};

pub const PATH: &str = "/settings/abuse";

/// One limit as shown or typed.
pub struct LimitField {
    pub what: Sending,
    pub typed: TypedLimit,
    pub error: Option<String>,
}

impl LimitField {
    pub fn name(&self) -> &'static str {
        self.what.as_str()
    }

    pub fn label(&self) -> &'static str {
        self.what.label()
    }

    /// After the number: per what.
    pub fn unit(&self) -> &'static str {
        match self.what {
            Sending::Message => "a minute",
            Sending::Conversation => "an hour",
            Sending::File => "in 10 minutes",
        }
    }

    /// What the limit does, under its field.
    pub fn hint(&self) -> String {
        let d = self.what.default_limit();
        match self.what {
            Sending::Message => {
                format!("Messages one visitor network may send in a minute. Default {d}.")
            }
            Sending::Conversation => {
                format!("Chats one visitor network may start in an hour. Default {d}.")
            }
            Sending::File => {
                format!("Files one visitor network may send in 10 minutes. Default {d}.")
            }
        }
    }
}

fn fields(limits: &FloodLimits) -> Vec<LimitField> {
    Sending::ALL
        .iter()
        .map(|w| LimitField {
            what: *w,
            typed: TypedLimit {
                on: limits.of(*w).is_some(),
                value: limits.of(*w).unwrap_or(w.default_limit()).to_string(),
            },
            error: None,
        })
        .collect()
}

/// Reads the posted form: `<name>_on` and `<name>` per limit.
fn read(body: &[u8]) -> Vec<LimitField> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let one = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    Sending::ALL
        .iter()
        .map(|w| LimitField {
            what: *w,
            typed: TypedLimit {
                on: one(&format!("{}_on", w.as_str())).is_some(),
                value: one(w.as_str())
                    .unwrap_or_default()
                    .chars()
                    .take(20)
                    .collect(),
            },
            error: None,
        })
        .collect()
}

/// The shield's form as shown or typed.
pub struct ShieldForm {
    pub enabled: bool,
    pub list: String,
    pub strikes: String,
    pub action: String,
    pub error: Option<String>,
}

impl ShieldForm {
    fn read(body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let one = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        Self {
            enabled: one("shield_on").is_some(),
            list: one("list").unwrap_or_default(),
            strikes: one("strikes").unwrap_or_default(),
            action: one("action").unwrap_or_default(),
            error: None,
        }
    }

    fn parse(&self) -> Result<ShieldInput, String> {
        let patterns = parse_list(&self.list)?;
        let strikes = parse_strikes(&self.strikes)?;
        let action =
            StrikeAction::parse(&self.action).ok_or("Choose what happens at the strikes")?;
        Ok(ShieldInput {
            enabled: self.enabled,
            patterns,
            strikes,
            action,
        })
    }

    pub fn words(&self) -> usize {
        self.list.lines().filter(|l| !l.trim().is_empty()).count()
    }
}

#[derive(Template)]
#[template(path = "abuse/page.html")]
struct AbusePage {
    page: Page,
    limits: Vec<LimitField>,
    refused: bool,
    shield: ShieldForm,
    actions: [StrikeAction; 4],
    slow_down: &'static str,
    repeat: String,
    block_browser: bool,
}

/// The page: the forms given as typed, the others as stored.
async fn show(
    state: &AppState,
    page: Page,
    limits: Option<Vec<LimitField>>,
    shield: Option<ShieldForm>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let aid = page.user.account_id;
    let (settings, list) = state
        .db
        .run(move |c| {
            Ok((
                db::rules::settings(c, aid)?,
                db::rules::shield_list(c, aid)?,
            ))
        })
        .await?;
    let limits = limits.unwrap_or_else(|| fields(&settings.flood()));
    let shield = shield.unwrap_or_else(|| ShieldForm {
        enabled: settings.shield_enabled,
        list: list.unwrap_or_else(|| default_patterns().join("\n")),
        strikes: settings.shield_strikes.to_string(),
        action: settings.shield_action.clone(),
        error: None,
    });
    let refused = limits.iter().any(|l| l.error.is_some());
    render(
        status,
        &AbusePage {
            page: page.at("abuse"),
            limits,
            refused,
            shield,
            actions: StrikeAction::ALL,
            slow_down: flood::SLOW_DOWN,
            repeat: flood::repeat_line(flood::REPEAT_OFFENCES),
            block_browser: settings.block_browser,
        },
    )
}

#[get("/settings/abuse")]
async fn index(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    show(&state, page, None, None, StatusCode::OK).await
}

/// The shield's form: its list may be long (5,000 entries of up to 100
/// characters), so it is read up to the panel's largest form, and a list
/// too long comes back as typed with why.
async fn save_shield(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let mut form = ShieldForm::read(&body);
    let input = match form.parse() {
        Ok(input) => input,
        Err(e) => {
            form.error = Some(e);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show(&state, page, None, Some(form), status).await;
        }
    };
    let action = move |c: &mut DbConn, a: &Actor, now| rules::save_shield(c, a, input, now);
    commit(&state, &session, &page, action).await
}

/// Runs a save in one write transaction, as the signed-in manager, then
/// [`saved`].
async fn commit<F>(
    state: &AppState,
    session: &Session,
    page: &Page,
    action: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConn, &Actor, NaiveDateTime) -> Result<rules::Change, rules::RulesError>
        + Send
        + 'static,
{
    let (actor, now) = (page.user.actor(), state.clock.now());
    let change = state.db.write(move |c| action(c, &actor, now)).await??;
    saved(state, session, page, change).await
}

/// After a save: the gate follows at once, and the confirmation shows at
/// the top of the page (where the redirect lands).
async fn saved(
    state: &AppState,
    session: &Session,
    page: &Page,
    change: rules::Change,
) -> Result<HttpResponse, AppError> {
    state
        .rules_changed(page.user.account_id, change.version, |p| change.apply(p))
        .await;
    flash(session, true, change.message.clone());
    Ok(see_other(PATH))
}

#[post("/settings/abuse/flood")]
async fn save_flood(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let mut form = read(&body);
    let typed: [(Sending, &TypedLimit); 3] = [
        (form[0].what, &form[0].typed),
        (form[1].what, &form[1].typed),
        (form[2].what, &form[2].typed),
    ];
    let limits = match flood::parse_limits(typed) {
        Ok(limits) => limits,
        Err(bad) => {
            for b in bad {
                if let Some(f) = form.iter_mut().find(|f| f.what == b.what) {
                    f.error = Some(b.to_string());
                }
            }
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show(&state, page, Some(form), None, status).await;
        }
    };
    let action = move |c: &mut DbConn, a: &Actor, now| rules::save_flood(c, a, limits, now);
    commit(&state, &session, &page, action).await
}

/// "A block also covers the visitor's browser": a checkbox, so any body
/// is a valid answer (no box: off).
#[post("/settings/abuse/browser")]
async fn save_browser(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let on = url::form_urlencoded::parse(&body).any(|(k, _)| k == "block_browser");
    let action = move |c: &mut DbConn, a: &Actor, now| rules::save_block_browser(c, a, on, now);
    commit(&state, &session, &page, action).await
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(save_flood)
        .service(
            web::resource("/settings/abuse/shield")
                .app_data(web::PayloadConfig::new(crate::web::csrf::MAX_FORM))
                .route(web::post().to(save_shield)),
        )
        .service(save_browser);
}
