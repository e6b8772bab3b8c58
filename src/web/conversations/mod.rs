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
        conversation_search::{Form, Status, Total},
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
    current: i64,
    has_next: bool,
}

impl List {
    /// The filters as a query string, for the pager and the CSV link.
    fn query(&self) -> String {
        self.form.query()
    }

    fn page_link(&self, n: i64) -> String {
        let q = self.form.query();
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/cases/{}/conversations?{q}{sep}page={n}", self.case.id)
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

/// The account's users, and the page of rows with the total when the
/// form is accepted (the reasons when it is not).
type Found = (
    Vec<(i64, String)>,
    Result<(Vec<reports::Row>, Total), Vec<&'static str>>,
);

async fn find(
    state: &AppState,
    page: &Page,
    case_id: i64,
    form: Form,
    current: i64,
) -> Result<Found, AppError> {
    let (aid, zone, now) = (page.user.account_id, page.user.time_zone, state.clock.now());
    state
        .db
        .run(move |c| {
            let agents = reports::agents(c, aid)?;
            let ids: Vec<i64> = agents.iter().map(|a| a.0).collect();
            let f = match form.parse(zone, &ids) {
                Ok(f) => f,
                Err(e) => return Ok((agents, Err(e))),
            };
            let offset = (current - 1) * PER_PAGE;
            let found = reports::page(c, aid, case_id, &f, now, offset, PER_PAGE + 1)?;
            Ok((agents, Ok(found)))
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
    let case = own_case(&state, page.user.account_id, case_id.into_inner()).await?;
    // Read by hand: a field given twice (`?q=a&q=b`) keeps its last value
    // rather than failing the request; a bad page number reads as 1.
    let (form, n) = Form::from_query(req.query_string());
    let current = n.and_then(|p| p.trim().parse().ok());
    let current = current.unwrap_or(1i64).clamp(1, 1_000_000);
    let (agents, found) = find(&state, &page, case.id, form.clone(), current).await?;
    let now = state.clock.now();
    let (status, errors, total, mut rows) = match found {
        Ok((rows, n)) => (StatusCode::OK, vec![], Some(n), rows),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e, None, vec![]),
    };
    let has_next = rows.len() as i64 > PER_PAGE;
    rows.truncate(PER_PAGE as usize);
    let lines = rows.into_iter().map(|r| line(r, now)).collect();
    let page = page.in_case(case.id);
    let statuses = Status::ALL;
    render(
        status,
        &List {
            page,
            case,
            form,
            errors,
            agents,
            statuses,
            total,
            lines,
            current,
            has_next,
        },
    )
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
    let events = events.iter().map(|e| TLine::of(e, &page)).collect();
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
