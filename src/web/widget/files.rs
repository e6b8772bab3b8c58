//! Files a visitor sends and downloads.

use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{
    admission::{admit, admit_reader},
    api::{as_visitor, flooded, holder, notify, writer},
    visitor::Scope,
    Visitor, WidgetError,
};
use crate::{
    chat::{
        files::{self, VisitorFile},
        service::{self, VisitorRef},
    },
    db::{
        self, chat,
        models::{BusinessCase, StoredFile},
    },
    domain::{file_policy::Refusal, flood::Sending},
    web::{client_ip::ClientIp, files as web_files, AppState},
};

type Res = Result<HttpResponse, WidgetError>;

#[derive(Deserialize)]
struct FileQuery {
    conversation: Option<String>,
}

/// A visitor's file, checked against the account's file policy before it
/// is stored. A refused file is answered with a message for the visitor
/// and, when the visitor has an open conversation, noted for the agents.
#[post(
    "/widget/v1/{key}/files",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    ip: ClientIp,
    q: web::Query<FileQuery>,
    form: Multipart,
) -> Res {
    let case = admit(&state, &req, &ip, &key).await?;
    let v = writer(&req)?;
    let account = case.account_id;
    // Before the upload is read: a refused file is never stored.
    let check = state
        .gate
        .flood(account, ip.0, Sending::File, state.clock.now());
    if check.refused() {
        let conversation = q.into_inner().conversation;
        return flooded(&state, case, v.key, conversation, check).await;
    }
    let policy = state
        .db
        .run(move |c| Ok(db::chat_window::settings(c, account)?.files))
        .await?;
    let upload = web_files::read_upload(form, policy.max_bytes.bytes())
        .await
        .map_err(|m| WidgetError::Invalid(m.into()))?;
    let store = state.files.clone();
    let (bytes, name) = (upload.bytes, upload.name);
    let verdict = web::block(move || store.check_and_write(&policy, name, bytes))
        .await?
        .map_err(|e| WidgetError::Internal(e.into()))?;
    let conversation = q.into_inner().conversation;
    let file = match verdict {
        Ok(file) => file,
        Err((name, refusal)) => {
            return refuse(&state, case, v, conversation, name, refusal).await;
        }
    };
    let (keys, now) = (state.keys.clone(), state.clock.now());
    let lang = super::lang::named(&req);
    let f2 = file.clone();
    let result = as_visitor(&state, case, v.key, move |c, vr| {
        let f = VisitorFile {
            conversation: conversation.as_deref(),
            ip: ip.0,
            file: &f2,
            lang,
        };
        files::visitor_file(c, &keys, vr, f, now)
    })
    .await?;
    match result {
        Ok((conv, e)) => {
            notify(&state, account, Some(conv.id));
            Ok(HttpResponse::Ok().json(json!({ "conversation": conv.public_id, "seq": e.seq })))
        }
        Err(e) => {
            state.files.discard(&file);
            Err(e.into())
        }
    }
}

/// Answers a refused file and notes it in the visitor's open conversation;
/// a refused file never starts one.
async fn refuse(
    state: &AppState,
    case: Arc<BusinessCase>,
    v: Visitor,
    conversation: Option<String>,
    name: String,
    refusal: Refusal,
) -> Res {
    let shown = files::display_name(&name);
    let (account, now) = (case.account_id, state.clock.now());
    let r2 = refusal.clone();
    let noted = as_visitor(state, case, v.key, move |c, vr| {
        files::visitor_refusal(c, vr, conversation.as_deref(), (&name, &r2), now)
    })
    .await?;
    match noted {
        Ok(Some(id)) => notify(state, account, Some(id)),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not note a refused file"),
    }
    Err(WidgetError::FileRefused {
        name: shown,
        refusal,
    })
}

/// How a file is sent: as a download, or inline as a checked image.
#[derive(Clone, Copy)]
enum Sent {
    Download,
    Preview,
}

/// One of the visitor's own conversation's files, sent `how`, if it is
/// theirs. A ticket names the visitor only when it was given for this file.
async fn send_file(
    req: &HttpRequest,
    state: &AppState,
    ip: &ClientIp,
    (key, cid, fid): (String, String, String),
    how: Sent,
) -> Res {
    let (case, v) = admit_reader(state, req, ip, &key, Scope::File(&fid)).await?;
    let f = owned_file(state, case, v.key, cid, fid).await?;
    let sent = match how {
        Sent::Download => web_files::send_stored(state, &f).await,
        Sent::Preview => web_files::send_preview(state, &f).await,
    };
    sent.ok_or(WidgetError::NotFound)
}

/// The file `fid` of the conversation `cid`, if that is the visitor's.
async fn owned_file(
    state: &AppState,
    case: Arc<BusinessCase>,
    key: String,
    cid: String,
    fid: String,
) -> Result<StoredFile, WidgetError> {
    state
        .db
        .run(move |c| {
            let vr = VisitorRef {
                case: &case,
                key: &key,
            };
            Ok(match service::visitor_conversation(c, vr, &cid) {
                Ok(conv) => chat::file(c, conv.id, &fid)?,
                Err(_) => None,
            })
        })
        .await?
        .ok_or(WidgetError::NotFound)
}

/// A ticket for one of the visitor's files, for the link the frame opens:
/// it reads that file for a few minutes and nothing else. Only the visitor
/// (by header or cookie) gets one; a ticket gets none.
#[get(
    "/widget/v1/{key}/conversations/{cid}/files/{fid}/ticket",
    wrap = "actix_web::middleware::from_fn(super::lang::localize)"
)]
async fn file_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String, String)>,
) -> Res {
    let (key, cid, fid) = path.into_inner();
    let case = admit(&state, &req, &ip, &key).await?;
    let v = holder(&req)?;
    let case_id = case.id;
    let f = owned_file(&state, case, v.key.clone(), cid, fid).await?;
    let ticket = v.ticket(
        &state.keys,
        case_id,
        Scope::File(&f.public_id),
        state.clock.now(),
    );
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(json!({ "ticket": ticket })))
}

/// A file as a download: always an attachment, never sniffed.
#[get("/widget/v1/{key}/conversations/{cid}/files/{fid}")]
async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String, String)>,
) -> Res {
    send_file(&req, &state, &ip, path.into_inner(), Sent::Download).await
}

/// A checked image, inline with its checked type; 404 for any other file.
#[get("/widget/v1/{key}/conversations/{cid}/files/{fid}/preview")]
async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String, String)>,
) -> Res {
    send_file(&req, &state, &ip, path.into_inner(), Sent::Preview).await
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(upload)
        .service(download)
        .service(preview)
        .service(file_ticket);
}
