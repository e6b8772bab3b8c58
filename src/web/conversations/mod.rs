//! A business case's Conversations tab, its CSV export, and the transcript
//! page with the block details and Unblock now.

mod csv_export;

/// The Conversations CSV's columns, in order (documented in the README).
pub use csv_export::COLUMNS as CSV_COLUMNS;

use actix_session::Session;
use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use askama::Template;

use crate::{
    chat::{
        blocking::{self, UNBLOCKED},
        service::AgentRef,
    },
    db::{
        accounts, blocks, chat,
        models::{Block, BusinessCase, Conversation},
        reports,
    },
    domain::{
        block::{remaining_text, BlockState},
        chat::EventKind,
        conversation_search::{Cursor, Form, Key, Status, Total},
    },
    error::AppError,
    web::{
        page::{flash, Page},
        render, see_other, AppState,
    },
};

pub const PER_PAGE: i64 = 50;

/// One row as the list shows it.
pub struct Line {
    pub row: reports::Row,
    pub blocked_now: bool,
    pub left: Option<String>,
}

#[derive(Template)]
#[template(path = "conversations/list.html")]
struct List {
    page: Page,
    case: BusinessCase,
    /// The form as typed, shown again as it was.
    form: Form,
    /// Why the form was refused; nothing is listed then.
    errors: Vec<&'static str>,
    agents: Vec<(i64, String)>,
    statuses: [Status; 3],
    /// "1,234 conversations", when the form was accepted.
    total: Option<Total>,
    lines: Vec<Line>,
    /// Whether this page was reached by "Older" or "Newer".
    paged: bool,
    /// The links to the rows before and after these, when there are any.
    newer: Option<String>,
    older: Option<String>,
}

impl List {
    /// The filters as a query string, for the pager and the CSV link.
    fn query(&self) -> String {
        self.form.query()
    }

    /// The first page, with the same filters.
    fn newest_link(&self) -> String {
        self.link(None)
    }

    /// This list beside `key`: `side` is `older` or `newer`.
    fn link(&self, cursor: Option<(&str, Key)>) -> String {
        let mut q = self.form.query();
        if let Some((side, key)) = cursor {
            let sep = if q.is_empty() { "" } else { "&" };
            q = format!("{q}{sep}{side}={}", key.param());
        }
        let sep = if q.is_empty() { "" } else { "?" };
        format!("/cases/{}/conversations{sep}{q}", self.case.id)
    }

    /// The blocking status selected: all, blocked or not_blocked.
    fn filter(&self) -> &'static str {
        self.form.blocking().as_str()
    }

    fn is_agent(&self, id: &i64) -> bool {
        self.form.agent.trim() == id.to_string()
    }
}

async fn own_case(
    state: &AppState,
    account_id: i64,
    case_id: i64,
) -> Result<BusinessCase, AppError> {
    state
        .db
        .run(move |c| Ok(accounts::case(c, account_id, case_id)?))
        .await?
        .ok_or(AppError::NotFound)
}

/// The case from the page's navigation, which holds the account's cases.
fn nav_case(page: &Page, case_id: i64) -> Result<BusinessCase, AppError> {
    let found = page.cases.iter().find(|c| c.id == case_id);
    found.cloned().ok_or(AppError::NotFound)
}

/// The page of rows with the total when the form is accepted (the
/// reasons when it is not).
type Found = Result<(reports::Slice, Total), Vec<&'static str>>;

async fn find(
    state: &AppState,
    page: &Page,
    case_id: i64,
    form: Form,
    cursor: Cursor,
) -> Result<Found, AppError> {
    let (aid, zone, now) = (page.user.account_id, page.user.time_zone, state.clock.now());
    let ids: Vec<i64> = page.people.iter().map(|a| a.0).collect();
    let f = match form.parse(zone, &ids) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    state
        .db
        .run(move |c| {
            Ok(Ok(reports::page(
                c,
                (aid, case_id),
                &f,
                now,
                cursor,
                PER_PAGE,
            )?))
        })
        .await
}

fn line(row: reports::Row, now: chrono::NaiveDateTime) -> Line {
    let blocked_now = row.blocked_now(now);
    let left = row
        .block_until
        .filter(|_| blocked_now)
        .map(|u| remaining_text(u - now));
    Line {
        row,
        blocked_now,
        left,
    }
}

#[get("/cases/{case_id}/conversations")]
async fn list(
    state: web::Data<AppState>,
    page: Page,
    case_id: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let case = nav_case(&page, case_id.into_inner())?;
    // Read by hand: a field given twice (`?q=a&q=b`) keeps its last value
    // rather than failing the request; a cursor that does not read starts
    // at the newest.
    let (form, cursor) = Form::from_query(req.query_string());
    let found = find(&state, &page, case.id, form.clone(), cursor).await?;
    let agents = page.people.clone();
    let now = state.clock.now();
    let (status, errors, total, slice) = match found {
        Ok((slice, n)) => (StatusCode::OK, vec![], Some(n), Some(slice)),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e, None, None),
    };
    let key = |r: &reports::Row| Key {
        started_at: r.started_at,
        id: r.id,
    };
    let (mut newer, mut older, mut lines) = (None, None, Vec::new());
    if let Some(s) = slice {
        newer = s.newer.then(|| s.rows.first().map(key)).flatten();
        older = s.older.then(|| s.rows.last().map(key)).flatten();
        lines = s.rows.into_iter().map(|r| line(r, now)).collect();
    }
    let mut list = List {
        page: page.in_case(case.id),
        case,
        form,
        errors,
        agents,
        statuses: Status::ALL,
        total,
        lines,
        paged: cursor != Cursor::Newest,
        newer: None,
        older: None,
    };
    list.newer = newer.map(|k| list.link(Some(("newer", k))));
    list.older = older.map(|k| list.link(Some(("older", k))));
    render(status, &list)
}

#[get("/cases/{case_id}/conversations.csv")]
async fn export(
    state: web::Data<AppState>,
    user: crate::web::page::CurrentUser,
    case_id: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let form = Form::from_query(req.query_string()).0;
    // A manager feature: the export spans every agent's conversations.
    user.require_manager()?;
    let (aid, zone) = (user.account_id, user.time_zone);
    let case = own_case(&state, aid, case_id.into_inner()).await?;
    let agents = state.db.run(move |c| Ok(reports::agents(c, aid)?)).await?;
    let ids: Vec<i64> = agents.iter().map(|a| a.0).collect();
    match form.parse(zone, &ids) {
        Ok(f) => Ok(csv_export::response(&state, case, f)),
        // Refused filters: the list says why, with what was typed.
        Err(_) => Ok(see_other(&format!(
            "/cases/{}/conversations?{}",
            case.id,
            form.query()
        ))),
    }
}

/// The block panel of the transcript.
pub struct BlockView {
    pub block: Block,
    pub state: BlockState,
    pub left: Option<String>,
}

impl BlockView {
    pub fn until_iso(&self) -> String {
        self.block.expires_at.and_utc().to_rfc3339()
    }
}

/// One transcript line, ready to show.
pub struct TLine {
    pub kind: String,
    pub visitor: bool,
    pub name: String,
    pub text: String,
    pub file: String,
    /// A file's size as shown, e.g. "14 KB".
    pub size: String,
    /// Whether the file passed the check as a previewable image.
    pub preview: bool,
    pub at: String,
    /// A message the shield masked: Show reveals it (audited).
    pub shielded: bool,
    pub seq: i64,
}

impl TLine {
    fn of(e: &crate::db::models::Event, page: &Page) -> Self {
        let mut body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        crate::chat::shield::view(&mut body, false);
        let s = |k: &str| body[k].as_str().unwrap_or("").to_owned();
        let text = match e.kind.as_str() {
            "message" | "note" | "warning" => s("text"),
            "file" => s("name"),
            "agent_joined" => format!("{} joined the conversation", e.author_name),
            "closed" => format!("Conversation closed by {}", e.author_name),
            "survey_offered" => "Survey sent to the visitor".into(),
            "survey_answered" => format!("Survey answer: {} of 5", body["rating"]),
            "screen_share_requested" => {
                format!("{} asked to see the visitor's screen", e.author_name)
            }
            "screen_share_accepted" => "The visitor accepted the screen-share request".into(),
            "screen_share_declined" => "The visitor declined the screen-share request".into(),
            "screen_share_started" => "The visitor started sharing their screen".into(),
            "screen_share_ended" => crate::domain::screen_share::ended_line(
                body["by"].as_str().unwrap_or_default(),
                &e.author_name,
                body["secs"].as_i64(),
            ),
            other => other.replace('_', " "),
        };
        Self {
            kind: e.kind.clone(),
            visitor: e.author == "visitor",
            name: e.author_name.clone(),
            text,
            file: s("file"),
            size: crate::web::files::human_size(body["size"].as_i64().unwrap_or(0)),
            preview: body["preview"].as_bool().unwrap_or(false),
            at: page.clock(&e.created_at),
            shielded: body["shielded"].as_bool().unwrap_or(false),
            seq: e.seq,
        }
    }
}

#[derive(Template)]
#[template(path = "conversations/transcript.html")]
struct Transcript {
    page: Page,
    conv: Conversation,
    case_name: String,
    events: Vec<TLine>,
    block: Option<BlockView>,
    /// Whether images show as pictures: the conversation's choice, else
    /// the account's default.
    previews: bool,
}

#[get("/conversations/{id}")]
async fn transcript(
    state: web::Data<AppState>,
    page: Page,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (aid, id) = (page.user.account_id, id.into_inner());
    let found = state
        .db
        .run(move |c| {
            let Some(conv) = chat::for_account(c, aid, id)? else {
                return Ok(None);
            };
            let case_name = accounts::case(c, aid, conv.case_id)?
                .map(|k| k.name)
                .unwrap_or_default();
            let events = chat::events_after(c, conv.id, 0, false, 5000)?;
            let block = match conv.block_id {
                Some(b) => blocks::get(c, aid, b)?,
                None => None,
            };
            let window = crate::db::chat_window::settings(c, aid)?;
            Ok(Some((conv, case_name, events, block, window)))
        })
        .await?;
    let (conv, case_name, events, block, window) = found.ok_or(AppError::NotFound)?;
    let previews = window.previews_for(conv.image_previews);
    let now = state.clock.now();
    let block = block.map(|b| {
        let st = BlockState::of(
            b.expires_at,
            b.lifted_at
                .map(|at| (at, b.lifted_by_name.as_deref().unwrap_or(""))),
            now,
        );
        let left = match &st {
            BlockState::Active { remaining } => Some(remaining_text(*remaining)),
            _ => None,
        };
        BlockView {
            block: b,
            state: st,
            left,
        }
    });
    // Screen-share signals are plumbing (and name network addresses).
    let events = events
        .iter()
        .filter(|e| e.kind != EventKind::ShareSignal.as_str())
        .map(|e| TLine::of(e, &page))
        .collect();
    let page = page.in_case(conv.case_id);
    render(
        StatusCode::OK,
        &Transcript {
            page,
            conv,
            case_name,
            events,
            block,
            previews,
        },
    )
}

#[post("/conversations/{id}/unblock")]
async fn unblock(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let (id, a) = (id.into_inner(), AgentRef::from(&page.user));
    let now = state.clock.now();
    match blocking::unblock_now(&state.node, a, id, now).await? {
        Ok(_) => flash(&session, true, UNBLOCKED),
        Err(m) => flash(&session, false, m),
    }
    Ok(see_other(&format!("/conversations/{id}")))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(export)
        .service(list)
        .service(transcript)
        .service(unblock);
}
