//! Account Settings / Live Chat Window (managers): which files visitors may
//! send, the largest size, and whether image previews show in chats by
//! default. One form with an explicit Save; a refused form comes back with
//! what was typed and a message, and nothing of it is stored.

mod languages;

use std::collections::BTreeSet;

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpResponse};
use askama::Template;

use languages::LangForm;

use crate::{
    db::{
        self,
        audit::{self, Actor},
    },
    domain::{
        chat_window::ChatWindow,
        file_policy::{Allowed, Category, FilePolicy, MaxBytes},
        language::Lang,
    },
    error::AppError,
    web::{
        page::{flash, Page},
        render, see_other, AppState,
    },
};

pub const PATH: &str = "/settings/chat-window";

/// The form as shown or typed.
pub struct WindowForm {
    mode: String,
    categories: BTreeSet<String>,
    max_mb: String,
    previews: bool,
}

impl WindowForm {
    fn of(w: &ChatWindow) -> Self {
        Self {
            mode: w.files.allowed.key().to_owned(),
            categories: w
                .files
                .allowed
                .categories_csv()
                .split(',')
                .map(str::to_owned)
                .collect(),
            max_mb: w.files.max_bytes.megabytes_text(),
            previews: w.previews_default,
        }
    }

    /// Reads the posted fields, keeping repeated `category` entries.
    fn read(body: &[u8]) -> Self {
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let one = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
        };
        Self {
            mode: one("file_mode").unwrap_or_default(),
            categories: fields
                .iter()
                .filter(|(k, _)| k == "category")
                .map(|(_, v)| v.trim().to_owned())
                .collect(),
            max_mb: one("max_mb").unwrap_or_default(),
            previews: one("previews").is_some(),
        }
    }

    /// The settings, or a message per section that cannot be used.
    fn parse(&self) -> Result<ChatWindow, Errors> {
        let cats: Vec<&str> = self.categories.iter().map(String::as_str).collect();
        let allowed = Allowed::parse(&self.mode, &cats);
        let max_bytes = MaxBytes::from_megabytes(&self.max_mb);
        match (allowed, max_bytes) {
            (Ok(allowed), Ok(max_bytes)) => Ok(ChatWindow {
                files: FilePolicy { allowed, max_bytes },
                previews_default: self.previews,
            }),
            (a, m) => Err(Errors {
                files: a.err().map(|e| e.0),
                size: m.err().map(|e| e.0),
            }),
        }
    }

    fn is_checked(&self, c: &Category) -> bool {
        self.categories.contains(c.key())
    }
}

#[derive(Default)]
pub struct Errors {
    files: Option<&'static str>,
    size: Option<&'static str>,
}

impl Errors {
    fn any(&self) -> bool {
        self.files.is_some() || self.size.is_some()
    }
}

#[derive(Template)]
#[template(path = "chat_window/page.html")]
struct WindowPage {
    page: Page,
    form: WindowForm,
    errors: Errors,
    categories: [Category; 6],
    agent_files: String,
    langs: LangForm,
    all_langs: [Lang; 12],
}

impl WindowPage {
    /// What each category covers, for the checkbox labels.
    fn examples(&self, c: &Category) -> &'static str {
        match c {
            Category::Image => "PNG, JPEG, GIF, WEBP, HEIC …",
            Category::Document => "PDF, text, Word, Excel, PowerPoint, OpenDocument …",
            Category::Archive => "ZIP, RAR, 7z, tar, gz …",
            Category::Executable => "programs and installers: EXE, MSI, DLL, APK, DMG …",
            Category::Script => "BAT, PowerShell, shell, JavaScript, HTML, SVG …",
            Category::Other => "anything not listed above",
        }
    }

    fn risky(&self, c: &Category) -> bool {
        matches!(c, Category::Executable | Category::Script)
    }
}

async fn show(
    page: Page,
    form: WindowForm,
    errors: Errors,
    langs: LangForm,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let agent = FilePolicy::agent();
    let kinds: Vec<String> = Category::ALL
        .iter()
        .filter(|c| agent.allowed.permits(**c))
        .map(|c| c.label().to_lowercase())
        .collect();
    let kinds = match kinds.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => kinds.concat(),
    };
    let agent_files = format!("{kinds}, up to {} MB", agent.max_bytes.megabytes_text());
    render(
        status,
        &WindowPage {
            page: page.at("window"),
            form,
            errors,
            categories: Category::ALL,
            agent_files,
            langs,
            all_langs: Lang::ALL,
        },
    )
}

#[get("/settings/chat-window")]
async fn index(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let aid = page.user.account_id;
    let (w, l) = state
        .db
        .run(move |c| Ok(db::chat_window::with_languages(c, aid)?))
        .await?;
    let (files, langs) = (WindowForm::of(&w), LangForm::of(&l));
    show(page, files, Errors::default(), langs, StatusCode::OK).await
}

#[post("/settings/chat-window")]
async fn save(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let form = WindowForm::read(&body);
    let w = match form.parse() {
        Ok(w) => w,
        Err(errors) => {
            let aid = page.user.account_id;
            let l = state
                .db
                .run(move |c| Ok(db::chat_window::with_languages(c, aid)?.1))
                .await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show(page, form, errors, LangForm::of(&l), status).await;
        }
    };
    let summary = w.summary();
    let (aid, uid, uname, now) = (
        page.user.account_id,
        page.user.id,
        page.user.name.clone(),
        state.clock.now(),
    );
    let detail = summary.clone();
    state
        .db
        .write(move |c| {
            db::chat_window::save(c, aid, &w, now)?;
            let actor = Actor::User {
                id: uid,
                name: &uname,
            };
            audit::record(c, aid, actor, "chat_window.save", &detail, now)
        })
        .await?
        .map_err(AppError::from)?;
    flash(&session, true, format!("Saved. {summary}."));
    Ok(see_other(PATH))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index).service(save);
    languages::routes(cfg);
}
