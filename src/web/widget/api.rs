//! Widget endpoints.

use std::sync::Arc;

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{
    admission::{admit, admit_reader, page_of},
    visitor::{ticket_reader, Named, Reader, Scope},
    Visitor, WidgetError,
};
use crate::{
    chat::{
        service::{self, ChatError, VisitorMessage, VisitorRef},
        stream::{self, Guard, Presence, Sources, Spec},
        Notice,
    },
    db::{chat, models::BusinessCase, DbConn},
    domain::{
        cause::Cause,
        chat::{visitor_label, MessageText, SurveyAnswer},
        flood::Sending,
    },
    gate::flood,
    web::{assets, client_ip::ClientIp, files as web_files, AppState},
};

type Res = Result<HttpResponse, WidgetError>;

/// The visitor of a read in the case: by header, else by a ticket for the
/// case and `scope`, else by cookie.
pub(super) fn reader(
    req: &HttpRequest,
    state: &AppState,
    case_id: i64,
    scope: Scope<'_>,
) -> Result<Reader, WidgetError> {
    let ticket = || ticket_reader(req, &state.keys, case_id, scope, state.clock.now());
    match Visitor::named(req) {
        Named::Header(v) => v.map(|v| v.reader()).ok_or(WidgetError::NoVisitor),
        Named::Cookie(v) => Ok(ticket().unwrap_or_else(|| v.reader())),
        Named::None => ticket().ok_or(WidgetError::NoVisitor),
    }
}

/// The visitor a request names by header or cookie, never by a ticket: for
/// handing out tickets.
pub(super) fn holder(req: &HttpRequest) -> Result<Visitor, WidgetError> {
    match Visitor::named(req) {
        Named::Header(Some(v)) | Named::Cookie(v) => Ok(v),
        Named::Header(None) | Named::None => Err(WidgetError::NoVisitor),
    }
}

/// The visitor of a write: by the header only. A cookie alone (which a
/// cross-site form could send) or a ticket never writes.
pub(super) fn writer(req: &HttpRequest) -> Result<Visitor, WidgetError> {
    match Visitor::named(req) {
        Named::Header(v) => v.ok_or(WidgetError::NoVisitor),
        Named::Cookie(_) => Err(WidgetError::BadToken),
        Named::None => Err(WidgetError::NoVisitor),
    }
}

/// A page address as the loader reports it: http(s) only, bounded.
pub(super) fn page_url(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let u = url::Url::parse(raw).ok()?;
    (matches!(u.scheme(), "http" | "https") && raw.len() <= 2000).then(|| u.to_string())
}

/// Runs a chat action as the writing visitor `key` of `case`, in one write
/// transaction.
pub(super) async fn as_visitor<T, F>(
    state: &AppState,
    case: Arc<BusinessCase>,
    key: String,
    action: F,
) -> Result<Result<T, ChatError>, WidgetError>
where
    F: FnOnce(&mut DbConn, VisitorRef<'_>) -> Result<T, ChatError> + Send + 'static,
    T: Send + 'static,
{
    let write = move |c: &mut DbConn| {
        let vr = VisitorRef {
            case: &case,
            key: &key,
        };
        action(c, vr)
    };
    Ok(state.db.write(write).await?)
}

/// Refuses a visitor over a flood limit: they read only "Please wait a
/// moment". The refusal that makes a network's third offence in an hour
/// also shows the agents a line in the visitor's open conversation.
pub(super) async fn flooded(
    state: &AppState,
    case: Arc<BusinessCase>,
    key: String,
    conversation: Option<String>,
    check: flood::Check,
) -> Res {
    state.metrics.gate_decision(Cause::Flood.as_str());
    if let flood::Check::Refused {
        repeat: Some(times),
    } = check
    {
        let (account, now) = (case.account_id, state.clock.now());
        let noted = as_visitor(state, case, key, move |c, vr| {
            crate::chat::flood::note_repeat(c, vr, conversation.as_deref(), times, now)
        })
        .await?;
        match noted {
            Ok(Some(id)) => notify(state, account, Some(id)),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not note a flooding visitor"),
        }
    }
    Err(WidgetError::SlowDown)
}

pub(super) fn notify(state: &AppState, account_id: i64, conversation_id: Option<i64>) {
    state.hub.notify(Notice::new(account_id, conversation_id));
}

#[get("/widget.js")]
async fn loader() -> HttpResponse {
    match assets::get("widget/loader.js") {
        Some(body) => HttpResponse::Ok()
            .content_type("text/javascript; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .body(body),
        None => HttpResponse::NotFound().finish(),
    }
}

/// A closed conversation whose survey the visitor may still answer: offered,
/// unanswered, and never blocked.
fn survey_pending(c: &crate::db::models::Conversation) -> bool {
    c.is_closed()
        && c.survey_offered
        && c.survey_rating.is_none()
        && c.block_id.is_none()
        && c.blocked_at.is_none()
}

fn summary(c: &crate::db::models::Conversation) -> serde_json::Value {
    json!({
        "survey_pending": survey_pending(c),
        "id": c.public_id,
        "status": c.status,
        "screen_share": c.screen_share,
        "survey_offered": c.survey_offered,
        "survey_answered": c.survey_rating.is_some(),
        "last_seq": c.last_seq,
    })
}

#[get(
    "/widget/v1/{key}/state",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn conversation_state(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    key: web::Path<String>,
) -> Res {
    let case = admit(&state, &req, &ip, &key).await?;
    let v = holder(&req)?;
    let ticket = v.ticket(&state.keys, case.id, Scope::Events, state.clock.now());
    // Only an open conversation continues on a new page view; after one
    // ended (closed by an agent, by a block, or the block's expiry), the
    // next message starts a new one. A conversation an agent closed is
    // still named while its survey waits for an answer.
    let open = state
        .db
        .run(move |c| Ok(chat::latest_for_visitor(c, case.id, &v.key)?))
        .await?
        .filter(|c| !c.is_closed() || survey_pending(c));
    Ok(HttpResponse::Ok().json(json!({
        "conversation": open.as_ref().map(summary),
        "ticket": ticket,
    })))
}

#[derive(Deserialize)]
struct SendMessage {
    text: String,
    conversation: Option<String>,
    url: Option<String>,
}

#[post(
    "/widget/v1/{key}/messages",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn send_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    ip: ClientIp,
    body: web::Json<SendMessage>,
) -> Res {
    let case = admit(&state, &req, &ip, &key).await?;
    let v = writer(&req)?;
    let body = body.into_inner();
    let text = MessageText::parse(&body.text).map_err(|e| WidgetError::Invalid(e.0.into()))?;
    let url = page_url(body.url.as_deref());
    let (keys, account, now) = (state.keys.clone(), case.account_id, state.clock.now());
    let check = state.gate.flood(account, ip.0, Sending::Message, now);
    if check.refused() {
        return flooded(&state, case, v.key, body.conversation, check).await;
    }
    // The shield reads the message in memory, before the transaction.
    let shield = state.gate.shield(account);
    let ranges: Vec<(usize, usize)> = shield
        .find(text.as_str())
        .into_iter()
        .map(|r| (r.start, r.end))
        .collect();
    let gate = state.gate.clone();
    let lang = super::lang::named(&req);
    let starts = Arc::new(std::sync::Mutex::new(flood::Check::Allowed));
    let started = starts.clone();
    let sent = as_visitor(&state, case.clone(), v.key.clone(), move |c, vr| {
        let may_start = || {
            let check = gate.flood(account, ip.0, Sending::Conversation, now);
            *started.lock().unwrap_or_else(|e| e.into_inner()) = check;
            !check.refused()
        };
        let m = VisitorMessage {
            conversation: body.conversation.as_deref(),
            ip: ip.0,
            page_url: url.as_deref(),
            lang,
            text: &text,
            may_start: &may_start,
            shielded: Some((ranges.as_slice(), &shield)),
        };
        service::visitor_message(c, &keys, vr, m, now)
    })
    .await?;
    let (conv, event) = match sent {
        Err(ChatError::TooFast) => {
            let check = *starts.lock().unwrap_or_else(|e| e.into_inner());
            return flooded(&state, case, v.key, None, check).await;
        }
        other => other?,
    };
    notify(&state, account, Some(conv.id));
    Ok(HttpResponse::Ok().json(json!({ "conversation": conv.public_id, "seq": event.seq })))
}

#[derive(Deserialize)]
struct EventsQuery {
    conversation: Option<String>,
    after: Option<i64>,
    url: Option<String>,
}

#[get("/widget/v1/{key}/events")]
async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    key: web::Path<String>,
    q: web::Query<EventsQuery>,
) -> Res {
    let (case, v) = admit_reader(&state, &req, &ip, &key, Scope::Events).await?;
    let last_seen = web_files::last_event_id(&req, q.after);
    let conversation = match q.conversation.clone() {
        Some(public_id) => {
            let (case_c, key) = (case.clone(), v.key.clone());
            let conv = state
                .db
                .run(move |c| {
                    Ok(service::visitor_conversation(
                        c,
                        VisitorRef {
                            case: &case_c,
                            key: &key,
                        },
                        &public_id,
                    ))
                })
                .await??;
            Some((conv.id, last_seen))
        }
        None => None,
    };
    let spec = Spec {
        account_id: case.account_id,
        conversation,
        for_visitor: true,
        presence: Some(Presence {
            label: visitor_label(&v.key),
            visitor_key: v.key.clone(),
            page_url: page_url(q.url.as_deref()),
            case: BusinessCase::clone(&case),
        }),
        refresh: false,
        guard: Some(Guard {
            gate: state.gate.clone(),
            ip: ip.0,
            page: page_of(&state, &req),
            browser: Some(v.key),
        }),
    };
    Ok(sse(stream::open(stream_sources(&state), spec)))
}

/// What an event stream reads: the database, the hub and the clock.
pub fn stream_sources(state: &AppState) -> Sources {
    Sources {
        db: state.db.clone(),
        hub: state.hub.clone(),
        clock: state.clock.clone(),
        metrics: state.metrics.clone(),
        keys: state.keys.clone(),
    }
}

/// An event-stream response.
pub fn sse(
    body: impl futures_util::Stream<Item = Result<web::Bytes, std::convert::Infallible>> + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body)
}

#[derive(Deserialize)]
struct SurveyBody {
    rating: i64,
    comment: Option<String>,
}

#[post(
    "/widget/v1/{key}/conversations/{cid}/survey",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn survey(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    body: web::Json<SurveyBody>,
) -> Res {
    let (key, cid) = path.into_inner();
    let case = admit(&state, &req, &ip, &key).await?;
    let v = writer(&req)?;
    let answer = SurveyAnswer::parse(body.rating, body.comment.as_deref())
        .map_err(|e| WidgetError::Invalid(e.0.into()))?;
    let now = state.clock.now();
    let conv = as_visitor(&state, case, v.key, move |c, vr| {
        service::answer_survey(c, vr, &cid, &answer, now)
    })
    .await??;
    notify(&state, conv.account_id, Some(conv.id));
    Ok(HttpResponse::Ok().json(json!({ "ok": true })))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(loader)
        .service(super::bootstrap::by_query)
        .service(super::bootstrap::by_path)
        .service(super::frame::frame)
        .service(conversation_state)
        .service(send_message)
        .service(events)
        .service(survey);
}
