//! The country and website sections: a mode and a list each, saved with
//! their own Save button.

use std::collections::BTreeSet;

use actix_session::Session;
use actix_web::{post, web, HttpResponse};

use super::{act, refused, saved, Shown};

const COUNTRIES: &str = "countries";
const WEBSITES: &str = "websites";
use crate::{
    db::models::GateSettings,
    domain::{access::ListMode, country, refused_line::RefusedLine},
    error::AppError,
    rules::{self, RulesError},
    web::{
        page::{Flash, Page},
        AppState,
    },
};

/// The countries section as shown or typed.
pub struct CountriesForm {
    pub(super) mode: ListMode,
    pub(super) selected: BTreeSet<String>,
    pub(super) unknown: bool,
}

impl CountriesForm {
    /// The form as posted, and the mode chosen in it, if any.
    fn read(body: &[u8]) -> (Option<ListMode>, Self) {
        let (mode, fields) = mode_and_fields(body);
        let selected = fields
            .iter()
            .filter(|(k, _)| k == "country")
            .map(|(_, v)| v.trim().to_ascii_uppercase())
            .collect();
        let unknown = field(&fields, "unknown").is_some();
        let form = CountriesForm {
            mode: mode.unwrap_or_default(),
            selected,
            unknown,
        };
        (mode, form)
    }
}

/// The websites section as shown or typed.
pub struct SitesForm {
    pub(super) mode: ListMode,
    pub(super) list: String,
}

impl SitesForm {
    /// The form as posted, and the mode chosen in it, if any.
    fn read(body: &[u8]) -> (Option<ListMode>, Self) {
        let (mode, fields) = mode_and_fields(body);
        let list = field(&fields, "list").unwrap_or_default().to_owned();
        let form = SitesForm {
            mode: mode.unwrap_or_default(),
            list,
        };
        (mode, form)
    }
}

/// The countries section: the mode, the selected countries and the unknown
/// location.
pub(super) struct CountriesSection {
    pub(super) notice: Option<Flash>,
    pub(super) form: CountriesForm,
    pub(super) error: Option<String>,
    /// Every country, (code, name).
    pub(super) all: Vec<(&'static str, &'static str)>,
    /// How many address ranges the country table has.
    pub(super) geo_ranges: usize,
    pub(super) modes: [ListMode; 3],
}

impl CountriesSection {
    pub(super) fn from_stored(settings: &GateSettings, geo_ranges: usize) -> Self {
        let form = CountriesForm {
            mode: ListMode::parse(&settings.country_mode).unwrap_or_default(),
            selected: country::parse_set(&settings.countries)
                .into_iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            unknown: settings.country_unknown,
        };
        CountriesSection {
            notice: None,
            form,
            error: None,
            all: country::all()
                .iter()
                .map(|c| (c.as_str(), c.name()))
                .collect(),
            geo_ranges,
            modes: ListMode::ALL,
        }
    }

    /// The form refused, as typed, with why.
    pub(super) fn with_error(self, form: CountriesForm, error: String) -> Self {
        Self {
            form,
            error: Some(error),
            ..self
        }
    }

    pub(super) fn is_selected(&self, code: &str) -> bool {
        self.form.selected.contains(code)
    }

    pub(super) fn mode_label(&self, m: &ListMode) -> &'static str {
        match m {
            ListMode::Off => "Off",
            ListMode::Allow => "Allow only the selected countries",
            ListMode::Block => "Block the selected countries",
        }
    }
}

/// The websites section: the mode and the list.
pub(super) struct WebsitesSection {
    pub(super) notice: Option<Flash>,
    pub(super) form: SitesForm,
    /// What to correct: the form as a whole (line 0) and refused lines.
    pub(super) errors: Vec<RefusedLine>,
    pub(super) modes: [ListMode; 3],
}

impl WebsitesSection {
    pub(super) fn from_stored(settings: &GateSettings, patterns: &[String]) -> Self {
        WebsitesSection {
            notice: None,
            form: SitesForm {
                mode: ListMode::parse(&settings.site_mode).unwrap_or_default(),
                list: patterns.join("\n"),
            },
            errors: Vec::new(),
            modes: ListMode::ALL,
        }
    }

    /// The form refused, as typed, with what to correct.
    pub(super) fn with_error(self, form: SitesForm, errors: Vec<RefusedLine>) -> Self {
        Self {
            form,
            errors,
            ..self
        }
    }

    pub(super) fn mode_label(&self, m: &ListMode) -> &'static str {
        match m {
            ListMode::Off => "Off",
            ListMode::Allow => "Allow only the listed websites",
            ListMode::Block => "Block the listed websites",
        }
    }
}

/// A section's form fields, with repeated keys (`country=DE&country=FR`)
/// kept, and the mode chosen in it, if any.
fn mode_and_fields(body: &[u8]) -> (Option<ListMode>, Vec<(String, String)>) {
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (field(&fields, "mode").and_then(ListMode::parse), fields)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[post("/settings/block-visitors/countries")]
pub(super) async fn countries(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (mode, form) = CountriesForm::read(&body);
    let policy = rules::parse_countries(mode, &form.selected, form.unknown);
    match act(&state, &page, rules::save_countries, policy).await? {
        Ok(change) => saved(&state, &session, page.user.account_id, change, COUNTRIES).await,
        Err(e) => refused(&state, page, e, |e| Shown::Countries(form, e.to_string())).await,
    }
}

#[post("/settings/block-visitors/websites")]
pub(super) async fn websites(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (mode, form) = SitesForm::read(&body);
    let sites = rules::parse_websites(mode, &form.list);
    match act(&state, &page, rules::save_websites, sites).await? {
        Ok(change) => saved(&state, &session, page.user.account_id, change, WEBSITES).await,
        Err(e) => refused(&state, page, e, |e| Shown::Sites(form, lines(e))).await,
    }
}

/// What to correct in the website form.
fn lines(e: RulesError) -> Vec<RefusedLine> {
    match e {
        RulesError::Websites(lines) => lines,
        e => vec![RefusedLine::whole(e.to_string())],
    }
}
