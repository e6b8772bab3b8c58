//! The country and website sections: a mode and a list each, saved with
//! their own Save button.

use std::collections::BTreeSet;

use actix_session::Session;
use actix_web::{http::StatusCode, post, web, HttpResponse};

use super::{confirm, show, CountriesForm, ListQuery, Shown, SitesForm, PATH};
use crate::{
    db::{
        self,
        audit::{self, Actor},
        write_tx,
    },
    domain::{
        access::{CountryPolicy, ListMode, SitePolicy},
        country::{self, CountryCode},
        website::{parse_list, SiteList},
    },
    error::AppError,
    web::{page::Page, see_other, AppState},
};

/// Form fields, with repeated keys (`country=DE&country=FR`) kept.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
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
    page.user.require_manager()?;
    let fields = fields(&body);
    let mode = field(&fields, "mode").and_then(ListMode::parse);
    let typed: BTreeSet<String> = fields
        .iter()
        .filter(|(k, _)| k == "country")
        .map(|(_, v)| v.trim().to_ascii_uppercase())
        .collect();
    let unknown = field(&fields, "unknown").is_some();
    let chosen: BTreeSet<CountryCode> =
        typed.iter().filter_map(|c| CountryCode::parse(c)).collect();
    let error = match mode {
        None => Some("Choose how the country list applies".to_owned()),
        Some(_) if chosen.len() != typed.len() => {
            let bad: Vec<&str> = typed
                .iter()
                .filter(|c| CountryCode::parse(c).is_none())
                .map(String::as_str)
                .collect();
            Some(format!("Unknown country code: {}", bad.join(", ")))
        }
        Some(ListMode::Allow) if chosen.is_empty() && !unknown => Some(
            "Select at least one country to allow, or choose Off: an empty allow list would hide the chat from everyone"
                .to_owned(),
        ),
        Some(ListMode::Block) if chosen.is_empty() && !unknown => {
            Some("Select at least one country to block, or choose Off".to_owned())
        }
        Some(_) => None,
    };
    if let Some(e) = error {
        let form = CountriesForm {
            mode: mode.unwrap_or_default(),
            selected: typed,
            unknown,
        };
        return show(
            &state,
            page,
            ListQuery::default(),
            Shown::Countries(form, e),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mode = mode.unwrap_or_default();
    let (aid, uid, uname, now) = (
        page.user.account_id,
        page.user.id,
        page.user.name.clone(),
        state.clock.now(),
    );
    let csv = country::format_set(&chosen);
    let detail = format!(
        "{}: {}{}",
        mode.as_str(),
        if csv.is_empty() { "none" } else { &csv },
        if unknown { " + unknown location" } else { "" }
    );
    let version = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                let v = db::rules::save_countries(c, aid, mode.as_str(), &csv, unknown, now)?;
                audit::record(
                    c,
                    aid,
                    Actor::User {
                        id: uid,
                        name: &uname,
                    },
                    "countries.save",
                    &detail,
                    now,
                )?;
                Ok::<_, diesel::result::Error>(v)
            })?)
        })
        .await?;
    let countries = CountryPolicy {
        mode,
        countries: chosen.clone(),
        unknown,
    };
    state
        .rules_changed(aid, version, |p| {
            Some(p.with_lists(version, countries, p.sites.clone()))
        })
        .await;
    let n = chosen.len();
    let text = match mode {
        ListMode::Off => {
            "Saved: country rules are off; visitors from every country may chat.".to_owned()
        }
        ListMode::Allow => format!(
            "Saved: only visitors from the {n} selected countr{} may chat.",
            if n == 1 { "y" } else { "ies" }
        ),
        ListMode::Block => format!(
            "Saved: visitors from the {n} selected countr{} no longer see the chat.",
            if n == 1 { "y" } else { "ies" }
        ),
    };
    confirm(&session, "countries", true, text);
    Ok(see_other(&format!("{PATH}#countries")))
}

#[post("/settings/block-visitors/websites")]
pub(super) async fn websites(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let fields = fields(&body);
    let mode = field(&fields, "mode").and_then(ListMode::parse);
    let list = field(&fields, "list").unwrap_or_default().to_owned();
    let (listed, refused) = parse_list(&list);
    let mut errors: Vec<(usize, String, String)> = refused
        .into_iter()
        .map(|r| (r.line, r.text, r.reason))
        .collect();
    match mode {
        None => errors.insert(0, (0, String::new(), "Choose how the website list applies".into())),
        Some(ListMode::Allow) if listed.is_empty() && errors.is_empty() => errors.push((
            0,
            String::new(),
            "List at least one website to allow, or choose Off: an empty allow list would hide the chat everywhere".into(),
        )),
        _ => {}
    }
    if !errors.is_empty() {
        let form = SitesForm {
            mode: mode.unwrap_or_default(),
            list,
        };
        return show(
            &state,
            page,
            ListQuery::default(),
            Shown::Sites(form, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mode = mode.unwrap_or_default();
    let patterns: Vec<String> = listed.iter().map(|l| l.pattern.to_string()).collect();
    let (aid, uid, uname, now) = (
        page.user.account_id,
        page.user.id,
        page.user.name.clone(),
        state.clock.now(),
    );
    let mut detail = format!("{}: {}", mode.as_str(), patterns.join(", "));
    if detail.chars().count() > 500 {
        detail = format!("{}…", detail.chars().take(499).collect::<String>());
    }
    let n = patterns.len();
    let version = state
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                let v = db::rules::save_sites(c, aid, mode.as_str(), &patterns, now)?;
                audit::record(
                    c,
                    aid,
                    Actor::User {
                        id: uid,
                        name: &uname,
                    },
                    "websites.save",
                    &detail,
                    now,
                )?;
                Ok::<_, diesel::result::Error>(v)
            })?)
        })
        .await?;
    let sites = std::sync::Arc::new(SitePolicy {
        mode,
        sites: SiteList::new(listed.into_iter().map(|l| l.pattern)),
    });
    state
        .rules_changed(aid, version, |p| {
            Some(p.with_lists(version, p.countries.clone(), sites))
        })
        .await;
    let plural = if n == 1 { "" } else { "s" };
    let text = match mode {
        ListMode::Off => {
            format!("Saved: website rules are off ({n} website{plural} kept on the list).")
        }
        ListMode::Allow => format!("Saved: the chat shows only on the {n} listed website{plural}."),
        ListMode::Block => {
            format!("Saved: the chat no longer shows on the {n} listed website{plural}.")
        }
    };
    confirm(&session, "websites", true, text);
    Ok(see_other(&format!("{PATH}#websites")))
}
