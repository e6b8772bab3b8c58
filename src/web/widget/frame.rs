//! The chat frame: the button, invitations and the chat panel, in the
//! visitor's language (negotiated from `Accept-Language` among the
//! languages the account offers), right to left where the language is.

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{
    admission::{admit, frame_ancestors},
    api::page_url,
    Visitor, WidgetError,
};
use crate::{
    db::{self, models::BusinessCase},
    domain::language::Lang,
    l10n,
    web::{client_ip::ClientIp, AppState},
};

type Res = Result<HttpResponse, WidgetError>;

#[derive(Deserialize)]
struct PageQuery {
    url: Option<String>,
}

#[derive(Template)]
#[template(path = "widget/frame.html")]
struct Frame {
    case: BusinessCase,
    /// The id for the frame's script to keep, when it keeps none yet.
    visitor: String,
    page_url: String,
    /// The file input's `accept` list, when the policy limits the files.
    accept: Option<String>,
    lang: Lang,
    /// The manager's greeting for this language, else the catalogue's.
    greeting: String,
    /// The texts the frame's script shows (JSON, in an attribute).
    texts: String,
}

impl Frame {
    /// A text of the visitor's language, for the template.
    fn t(&self, id: &str) -> String {
        l10n::text(self.lang, id)
    }
}

/// The frame's policy; `frame-ancestors` follows the account's website rules.
fn frame_csp(ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
}

/// A refused frame: an empty page that asks the embedding page to remove
/// it, so nothing shows, as when the loader is refused. The same for a
/// refusal of any kind and a case that does not exist.
fn gone() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(include_str!("../../../templates/widget/gone.html"))
}

#[get("/widget/v1/{key}/frame")]
pub(super) async fn frame(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    key: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Res {
    let case = match admit(&state, &req, &ip, &key).await {
        Ok(case) => case,
        Err(WidgetError::Unavailable) => return Ok(gone()),
        Err(e) => return Err(e),
    };
    let account_id = case.account_id;
    let (visitor, fresh) = match Visitor::of(&req) {
        Some(v) => (v, false),
        None => (Visitor::new(), true),
    };
    let (window, langs) = state
        .db
        .run(move |c| Ok(db::chat_window::with_languages(c, account_id)?))
        .await?;
    let asked = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let lang = langs.negotiate(asked);
    let greeting = langs
        .greeting(lang)
        .map_or_else(|| l10n::text(lang, "greeting"), str::to_owned);
    let page = Frame {
        visitor: visitor.cookie.clone(),
        page_url: page_url(q.url.as_deref()).unwrap_or_default(),
        case: BusinessCase::clone(&case),
        accept: window.files.allowed.accept_list(),
        lang,
        greeting,
        texts: l10n::frame_texts(lang).to_string(),
    };
    let html = page.render().map_err(|e| WidgetError::Internal(e.into()))?;
    let mut resp = HttpResponse::Ok();
    resp.content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            frame_csp(&frame_ancestors(&state, account_id)),
        ))
        // The page differs by the browser's languages.
        .insert_header((header::VARY, "Accept-Language"))
        .insert_header((header::CONTENT_LANGUAGE, lang.code()))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if fresh {
        resp.append_header((
            header::SET_COOKIE,
            visitor.set_cookie(state.settings.secure_cookies(), &case.widget_key),
        ));
    }
    Ok(resp.body(html))
}
