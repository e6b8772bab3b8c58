//! Files a visitor sends and downloads.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{
    admission::admit,
    api::{notify, reader, writer},
    WidgetError,
};
use crate::{
    chat::{
        files,
        service::{self, VisitorRef},
    },
    db::{chat, write_tx},
    domain::chat::{Author, MessageText},
    web::{client_ip::ClientIp, files as web_files, AppState},
};

type Res = Result<HttpResponse, WidgetError>;

#[derive(Deserialize)]
struct FileQuery {
    conversation: Option<String>,
}

#[post("/widget/v1/{key}/files")]
async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    ip: ClientIp,
    q: web::Query<FileQuery>,
    form: Multipart,
) -> Res {
    let case = admit(&state, &req, &ip, key.into_inner()).await?;
    let v = writer(&req, &state)?;
    let upload = web_files::read_upload(form)
        .await
        .map_err(|m| WidgetError::Invalid(m.into()))?;
    let data_dir = state.settings.data_dir.clone();
    let (bytes, name) = (upload.bytes, upload.name);
    let stored = web::block(move || files::write(&data_dir, &bytes).map(|n| (n, bytes.len())))
        .await?
        .map_err(|e| WidgetError::Internal(e.to_string()))?;
    let keys = state.keys.clone();
    let account = case.account_id;
    let conversation = q.into_inner().conversation;
    let (stored_name, size) = stored.clone();
    let ctype = web_files::content_type(&name);
    let result = state
        .db
        .run(move |c| {
            let vr = VisitorRef {
                case: &case,
                key: &v.key,
            };
            Ok(write_tx(c, |c| {
                let conv = match conversation.as_deref() {
                    Some(id) => service::visitor_conversation(c, vr, id)?,
                    None => match chat::latest_for_visitor(c, case.id, &v.key)?
                        .filter(|c| !c.is_closed())
                    {
                        Some(conv) => conv,
                        None => {
                            // A file can start a conversation, like a message.
                            let text = MessageText::parse("(sent a file)")
                                .map_err(service::ChatError::from)?;
                            service::visitor_message(c, &keys, vr, None, ip.0, None, &text)?.0
                        }
                    },
                };
                let e = files::attach(
                    c,
                    &conv,
                    Author::Visitor,
                    &conv.visitor_label,
                    &name,
                    &stored_name,
                    &ctype,
                    size,
                )?;
                Ok::<_, service::ChatError>((conv, e))
            }))
        })
        .await?;
    match result {
        Ok((conv, e)) => {
            notify(&state, account, Some(conv.id));
            Ok(HttpResponse::Ok().json(json!({ "conversation": conv.public_id, "seq": e.seq })))
        }
        Err(e) => {
            let path = files::dir(&state.settings.data_dir).join(&stored.0);
            let _ = std::fs::remove_file(path);
            Err(e.into())
        }
    }
}

#[get("/widget/v1/{key}/conversations/{cid}/files/{fid}")]
async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<(String, String, String)>,
) -> Res {
    let (key, cid, fid) = path.into_inner();
    let case = admit(&state, &req, &ip, key).await?;
    let v = reader(&req)?;
    let f = state
        .db
        .run(move |c| {
            let conv = service::visitor_conversation(
                c,
                VisitorRef {
                    case: &case,
                    key: &v.key,
                },
                &cid,
            );
            Ok(match conv {
                Ok(conv) => chat::file(c, conv.id, &fid)?,
                Err(_) => None,
            })
        })
        .await?
        .ok_or(WidgetError::NotFound)?;
    web_files::send_stored(&state.settings.data_dir, &f)
        .await
        .ok_or(WidgetError::NotFound)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(upload).service(download);
}
