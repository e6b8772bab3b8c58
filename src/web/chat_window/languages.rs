//! The Languages card of Live Chat Window: the widget's default language,
//! the languages it may offer, and the manager's greetings per language.
//! A refused form comes back with what was typed; nothing of it is stored.

use std::collections::{BTreeMap, BTreeSet};

use actix_session::Session;
use actix_web::{http::StatusCode, post, web, HttpResponse};

use super::{show, Errors, WindowForm, PATH};
use crate::{
    chat::window,
    db::{self, audit::Actor},
    domain::language::{Lang, WidgetLanguages, GREETING_MAX},
    error::AppError,
    l10n,
    web::{
        page::{flash, Page},
        see_other, AppState,
    },
};

/// The card's fields as shown or typed.
pub struct LangForm {
    pub default: String,
    offered: BTreeSet<String>,
    greetings: BTreeMap<String, String>,
    pub error: Option<&'static str>,
}

impl LangForm {
    pub fn of(l: &WidgetLanguages) -> Self {
        Self {
            default: l.default.code().to_owned(),
            offered: l.offered.iter().map(|l| l.code().to_owned()).collect(),
            greetings: l
                .greetings
                .iter()
                .map(|(l, t)| (l.code().to_owned(), t.clone()))
                .collect(),
            error: None,
        }
    }

    fn read(body: &[u8]) -> Self {
        let mut form = Self {
            default: String::new(),
            offered: BTreeSet::new(),
            greetings: BTreeMap::new(),
            error: None,
        };
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.as_ref() {
                "default_lang" => form.default = v.trim().to_owned(),
                "lang" => {
                    form.offered.insert(v.trim().to_owned());
                }
                _ => {
                    if let Some(code) = k.strip_prefix("greeting_") {
                        form.greetings.insert(code.to_owned(), v.into_owned());
                    }
                }
            }
        }
        form
    }

    fn parse(&self) -> Result<WidgetLanguages, &'static str> {
        let offered: Vec<&str> = self.offered.iter().map(String::as_str).collect();
        let greetings: Vec<(&str, &str)> = self
            .greetings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        WidgetLanguages::new(&self.default, &offered, &greetings).map_err(|e| e.0)
    }

    pub fn is_offered(&self, l: &Lang) -> bool {
        self.offered.contains(l.code())
    }

    pub fn greeting(&self, l: &Lang) -> &str {
        self.greetings.get(l.code()).map_or("", String::as_str)
    }

    /// The catalogue's greeting, shown where the manager wrote none.
    pub fn standard_greeting(&self, l: &Lang) -> String {
        l10n::text(*l, "greeting")
    }

    pub fn greeting_max(&self) -> usize {
        GREETING_MAX
    }
}

#[post("/settings/chat-window/languages")]
async fn save(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let mut langs_form = LangForm::read(&body);
    let aid = page.user.account_id;
    let langs = match langs_form.parse() {
        Ok(l) => l,
        Err(message) => {
            langs_form.error = Some(message);
            let w = state
                .db
                .run(move |c| Ok(db::chat_window::settings(c, aid)?))
                .await?;
            let files = WindowForm::of(&w);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show(page, files, Errors::default(), langs_form, status).await;
        }
    };
    let summary = langs.summary();
    let (uid, uname, now) = (page.user.id, page.user.name.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let actor = Actor::User {
                id: uid,
                name: &uname,
            };
            window::save_languages(c, aid, actor, &langs, now)
        })
        .await?
        .map_err(AppError::from)?;
    flash(&session, true, format!("Saved. {summary}."));
    Ok(see_other(&format!("{PATH}#languages")))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(save);
}
