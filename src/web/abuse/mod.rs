//! Account settings / Abuse protection (managers): flood control's limits.
//! One form with an explicit Save; a refused form comes back with what was
//! typed and a message per limit, and nothing of it is stored. A save
//! reaches the gate at once, here and on every instance.

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpResponse};
use askama::Template;

use crate::{
    db,
    domain::flood::{self, BadLimit, FloodLimits, Sending, TypedLimit},
    error::AppError,
    rules,
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

#[derive(Template)]
#[template(path = "abuse/page.html")]
struct AbusePage {
    page: Page,
    limits: Vec<LimitField>,
    refused: bool,
    slow_down: &'static str,
    repeat: String,
}

fn show(page: Page, limits: Vec<LimitField>, status: StatusCode) -> Result<HttpResponse, AppError> {
    let refused = limits.iter().any(|l| l.error.is_some());
    render(
        status,
        &AbusePage {
            page: page.at("abuse"),
            limits,
            refused,
            slow_down: flood::SLOW_DOWN,
            repeat: flood::repeat_line(flood::REPEAT_OFFENCES),
        },
    )
}

#[get("/settings/abuse")]
async fn index(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let aid = page.user.account_id;
    let settings = state
        .db
        .run(move |c| Ok(db::rules::settings(c, aid)?))
        .await?;
    show(page, fields(&settings.flood()), StatusCode::OK)
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
            for BadLimit { what, .. } in &bad {
                if let Some(f) = form.iter_mut().find(|f| f.what == *what) {
                    let e = BadLimit {
                        what: *what,
                        label: what.label(),
                    };
                    f.error = Some(e.to_string());
                }
            }
            return show(page, form, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let (actor, now, aid) = (page.user.actor(), state.clock.now(), page.user.account_id);
    let change = state
        .db
        .write(move |c| rules::save_flood(c, &actor, limits, now))
        .await??;
    state
        .rules_changed(aid, change.version, |p| change.apply(p))
        .await;
    flash(&session, true, change.message.clone());
    // The page is short: the confirmation at its top stays in view.
    Ok(see_other(PATH))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index).service(save_flood);
}
