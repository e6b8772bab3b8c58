//! The agent console (`/agent`) and its JSON and event API. Agents and
//! managers see the conversations of their own account only.

mod context;
mod previews;
mod share;

use actix_multipart::Multipart;
use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::json;

use crate::{
    chat::{
        blocking, files,
        service::{self, AgentRef, ChatError},
        stream::{self, SessionCheck, Spec},
        Notice,
    },
    db::{chat, presence, DbConn},
    domain::{
        block::BlockReason,
        chat::{Author, InvitationText, MessageText},
        file_policy::FilePolicy,
    },
    error::AppError,
    web::{
        files as web_files,
        page::{CurrentUser, Page},
        render, session_store,
        widget::{sse, stream_sources},
        AppState,
    },
};

type Res = Result<HttpResponse, actix_web::Error>;

impl ResponseError for ChatError {
    fn status_code(&self) -> StatusCode {
        match self {
            ChatError::NotFound => StatusCode::NOT_FOUND,
            ChatError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ChatError::Conflict(_) => StatusCode::CONFLICT,
            ChatError::TooFast => StatusCode::TOO_MANY_REQUESTS,
            ChatError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let msg = match self {
            ChatError::Db(e) => {
                tracing::error!(cause = %crate::error::chain(e), "chat error");
                "Something went wrong. Please try again.".to_owned()
            }
            ChatError::NotFound => "This conversation does not exist.".to_owned(),
            other => other.to_string(),
        };
        HttpResponse::build(self.status_code()).json(json!({ "error": msg }))
    }
}

impl<'a> From<&'a CurrentUser> for AgentRef<'a> {
    fn from(u: &'a CurrentUser) -> Self {
        AgentRef {
            account_id: u.account_id,
            user_id: u.id,
            name: &u.name,
        }
    }
}

pub(super) fn notify(state: &AppState, account_id: i64, conversation_id: Option<i64>) {
    state.hub.notify(Notice::new(account_id, conversation_id));
}

#[derive(Template)]
#[template(path = "agent/console.html")]
struct Console {
    page: Page,
}

#[get("/agent")]
async fn console(page: Page) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &Console {
            page: page.at("agent"),
        },
    )
}

#[get("/agent/api/overview")]
async fn overview(state: web::Data<AppState>, user: CurrentUser) -> Res {
    let (aid, at) = (user.account_id, state.clock.now());
    let (open, wrote, online, blocked) = state
        .db
        .run(move |c| {
            let open = chat::open_for_account(c, aid)?;
            let wrote = chat::visitor_last_wrote(c, aid)?;
            let online = chat::online_visitors(c, aid, service::online_since(at))?;
            Ok((open, wrote, online, presence::blocked_keys(c, aid, at)?))
        })
        .await?;
    let wrote: std::collections::HashMap<i64, String> = wrote
        .into_iter()
        .filter_map(|(id, at)| Some((id, at?.and_utc().to_rfc3339())))
        .collect();
    let blocked: std::collections::HashSet<&str> = blocked.iter().map(String::as_str).collect();
    let busy: std::collections::HashSet<(i64, &str)> = open
        .iter()
        .map(|(c, _)| (c.case_id, c.visitor_key.as_str()))
        .collect();
    // The page each visitor online is on: the console refreshes the open
    // conversation's sidebar when it changes.
    let on_page: std::collections::HashMap<(i64, &str), &str> = online
        .iter()
        .filter_map(|(v, _)| Some(((v.case_id, v.visitor_key.as_str()), v.page_url.as_deref()?)))
        .collect();
    let conversations: Vec<_> = open
        .iter()
        .map(|(c, case)| {
            json!({
                "id": c.id, "case": case, "visitor": c.visitor_label, "status": c.status,
                "started_at": c.started_at.and_utc().to_rfc3339(), "messages": c.message_count,
                "mine": c.agent_user_id == Some(user.id),
                "visitor_wrote_at": wrote.get(&c.id),
                "page_url": on_page.get(&(c.case_id, c.visitor_key.as_str())),
            })
        })
        .collect();
    let visitors: Vec<_> = online
        .iter()
        // Visitors in a conversation are listed there; blocked ones nowhere.
        .filter(|(v, _)| !busy.contains(&(v.case_id, v.visitor_key.as_str())))
        .filter(|(v, _)| !blocked.contains(v.visitor_key.as_str()))
        .map(|(v, case)| json!({ "id": v.id, "label": v.label, "case": case, "page_url": v.page_url }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "conversations": conversations, "visitors": visitors })))
}

/// Ties an agent's event stream to the session it was opened with: it ends
/// within a second of sign-out, deactivation, a role change or the
/// session's time limits, on any instance.
fn session_check(
    req: &HttpRequest,
    state: &AppState,
    user: CurrentUser,
) -> Result<SessionCheck, AppError> {
    let id = session_store::request_row_id(req, state.keys.cookie_key()).ok_or_else(|| {
        AppError::LoginRequired {
            next: "/agent".into(),
        }
    })?;
    let absolute = crate::users::sessions::absolute_limit(state.settings.session_absolute);
    let clock = state.clock.clone();
    let holder = crate::users::sessions::Holder {
        account_id: user.account_id,
        user_id: user.id,
        role: user.role,
    };
    Ok(SessionCheck {
        check: std::sync::Arc::new(move |c| {
            crate::users::sessions::still_valid(c, &id, &holder, absolute, clock.now())
        }),
    })
}

#[get("/agent/events")]
async fn account_events(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Res {
    let session = session_check(&req, &state, user.clone())?;
    let spec = Spec {
        account_id: user.account_id,
        conversation: None,
        for_visitor: false,
        presence: None,
        refresh: true,
        guard: None,
    };
    let body = stream::open_for(stream_sources(&state), spec, Some(session));
    Ok(sse(body))
}

#[get("/agent/api/conversations/{id}")]
async fn conversation(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> Res {
    let (aid, id) = (user.account_id, id.into_inner());
    let (conv, case, window) = state
        .db
        .run(move |c| {
            let conv = service::agent_conversation(c, aid, id);
            let case = match &conv {
                Ok(conv) => crate::db::accounts::case(c, aid, conv.case_id)?.map(|k| k.name),
                Err(_) => None,
            };
            Ok((conv, case, crate::db::chat_window::settings(c, aid)?))
        })
        .await?;
    let conv = conv?;
    Ok(HttpResponse::Ok().json(json!({
        "id": conv.id, "case": case, "visitor": conv.visitor_label, "status": conv.status,
        "screen_share": conv.screen_share, "survey_offered": conv.survey_offered,
        "survey_rating": conv.survey_rating, "page_url": conv.page_url,
        "started_at": conv.started_at.and_utc().to_rfc3339(), "last_seq": conv.last_seq,
        "image_previews": window.previews_for(conv.image_previews),
        "image_previews_default": window.previews_default,
    })))
}

#[derive(Deserialize)]
struct AfterQuery {
    after: Option<i64>,
}

#[get("/agent/conversations/{id}/events")]
async fn conversation_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<AfterQuery>,
) -> Res {
    let session = session_check(&req, &state, user.clone())?;
    let (aid, id) = (user.account_id, id.into_inner());
    let conv = state
        .db
        .run(move |c| Ok(service::agent_conversation(c, aid, id)))
        .await??;
    let after = web_files::last_event_id(&req, q.after);
    let spec = Spec {
        account_id: aid,
        conversation: Some((conv.id, after)),
        for_visitor: false,
        presence: None,
        refresh: false,
        guard: None,
    };
    let body = stream::open_for(stream_sources(&state), spec, Some(session));
    Ok(sse(body))
}

#[derive(Deserialize)]
struct Text {
    text: String,
}

#[post("/agent/api/conversations/{id}/messages")]
async fn send_message(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<Text>,
) -> Res {
    let text = MessageText::parse(&body.text).map_err(ChatError::from)?;
    let (aid, id, now) = (user.account_id, id.into_inner(), state.clock.now());
    let e = state
        .db
        .write(move |c| service::agent_message(c, (&user).into(), id, &text, now))
        .await??;
    notify(&state, aid, Some(e.conversation_id));
    Ok(HttpResponse::Ok().json(json!({ "seq": e.seq })))
}

/// Runs one agent action on a conversation and tells the hub.
pub(super) async fn act(
    state: &AppState,
    user: CurrentUser,
    id: i64,
    f: fn(&mut DbConn, AgentRef<'_>, i64, NaiveDateTime) -> Result<(), ChatError>,
) -> Res {
    let (aid, now) = (user.account_id, state.clock.now());
    state
        .db
        .write(move |c| f(c, (&user).into(), id, now))
        .await??;
    notify(state, aid, Some(id));
    Ok(HttpResponse::Ok().json(json!({ "ok": true })))
}

#[post("/agent/api/conversations/{id}/close")]
async fn close(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> Res {
    act(&state, user, id.into_inner(), service::close).await
}

#[post("/agent/api/conversations/{id}/survey")]
async fn survey(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> Res {
    act(&state, user, id.into_inner(), service::send_survey).await
}

/// An agent's file for the visitor, under the fixed agent file policy.
#[post("/agent/api/conversations/{id}/files")]
async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Multipart,
) -> Res {
    let policy = FilePolicy::agent();
    let upload = web_files::read_upload(form, policy.max_bytes.bytes())
        .await
        .map_err(ChatError::Invalid)?;
    let store = state.files.clone();
    let (bytes, name) = (upload.bytes, upload.name);
    let verdict = web::block(move || store.check_and_write(&policy, name, bytes))
        .await?
        .map_err(|e| AppError::internal("storing a file", e))?;
    let file = verdict.map_err(|(name, refusal)| {
        let msg = format!("{} was not sent. {refusal}.", files::display_name(&name));
        let resp = HttpResponse::UnprocessableEntity().json(json!({ "error": msg }));
        actix_web::error::InternalError::from_response(refusal, resp)
    })?;
    let (aid, id, now) = (user.account_id, id.into_inner(), state.clock.now());
    let f2 = file.clone();
    let result = state
        .db
        .write(move |c| {
            let conv = service::agent_conversation(c, aid, id)?;
            service::join(c, (&user).into(), &conv, now)?;
            files::attach(c, &conv, Author::Agent, &user.name, &f2, now)
        })
        .await?;
    match result {
        Ok(e) => {
            notify(&state, aid, Some(id));
            Ok(HttpResponse::Ok().json(json!({ "seq": e.seq })))
        }
        Err(e) => {
            state.files.discard(&file);
            Err(e.into())
        }
    }
}

#[derive(Deserialize)]
struct BlockBody {
    #[serde(default)]
    reason: String,
}

/// Blocks the conversation's visitor for seven days.
#[post("/agent/api/conversations/{id}/block")]
async fn block(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<BlockBody>,
) -> Res {
    let reason = BlockReason::parse(&body.reason).map_err(ChatError::from)?;
    let (aid, id) = (user.account_id, id.into_inner());
    let (keys, now) = (state.keys.clone(), state.clock.now());
    state
        .db
        .write(move |c| blocking::block(c, &keys, (&user).into(), id, &reason, now))
        .await??;
    state.reload_gate().await;
    notify(&state, aid, Some(id));
    Ok(HttpResponse::Ok().json(json!({ "ok": true })))
}

/// Show: the original of a message the shield masked, audited.
#[post("/agent/api/conversations/{id}/events/{seq}/reveal")]
async fn reveal(state: web::Data<AppState>, user: CurrentUser, path: web::Path<(i64, i64)>) -> Res {
    let ((id, seq), now) = (path.into_inner(), state.clock.now());
    let text = state
        .db
        .write(move |c| crate::chat::shield::reveal(c, (&user).into(), id, seq, now))
        .await??;
    Ok(HttpResponse::Ok().json(json!({ "text": text })))
}

/// A file of the signed-in user's account, by its public id.
pub(super) async fn account_file(
    state: &AppState,
    user: &CurrentUser,
    fid: String,
) -> Result<Option<crate::db::models::StoredFile>, AppError> {
    let aid = user.account_id;
    state
        .db
        .run(move |c| Ok(chat::file_for_account(c, aid, &fid)?))
        .await
}

#[get("/agent/files/{fid}")]
async fn download(state: web::Data<AppState>, user: CurrentUser, fid: web::Path<String>) -> Res {
    let f = account_file(&state, &user, fid.into_inner())
        .await?
        .ok_or(ChatError::NotFound)?;
    Ok(web_files::send_stored(&state, &f)
        .await
        .ok_or(ChatError::NotFound)?)
}

#[derive(Deserialize)]
struct Invite {
    message: String,
}

#[post("/agent/api/visitors/{id}/invite")]
async fn invite(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Json<Invite>,
) -> Res {
    let text = InvitationText::parse(&body.message).map_err(ChatError::from)?;
    let (aid, vid, now) = (user.account_id, id.into_inner(), state.clock.now());
    let invited = state
        .db
        .write(move |c| service::invite(c, (&user).into(), vid, &text, now))
        .await?;
    if let Err(ChatError::NotFound) = invited {
        let gone = "This visitor is no longer online, so no invitation was sent.";
        return Ok(HttpResponse::NotFound().json(json!({ "error": gone })));
    }
    invited?;
    state.hub.notify(Notice::invitation(aid));
    Ok(HttpResponse::Ok().json(json!({ "ok": true })))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    previews::routes(cfg);
    context::routes(cfg);
    share::routes(cfg);
    cfg.service(console)
        .service(overview)
        .service(account_events)
        .service(conversation)
        .service(conversation_events)
        .service(send_message)
        .service(close)
        .service(survey)
        .service(upload)
        .service(download)
        .service(invite)
        .service(block)
        .service(reveal);
}
