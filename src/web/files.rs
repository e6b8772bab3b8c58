//! Reading uploads and serving stored files, for the widget and the agent.

use actix_multipart::Multipart;
use actix_web::{
    http::header::{self, ContentDisposition, DispositionParam, DispositionType, ExtendedValue},
    HttpResponse,
};
use futures_util::TryStreamExt;

use crate::{chat::files::MAX_BYTES, db::models::StoredFile};

pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads the form's `file` field, refusing empty and oversized files with a
/// message for the person who sent it.
pub async fn read_upload(mut form: Multipart) -> Result<Upload, &'static str> {
    while let Some(mut field) = form
        .try_next()
        .await
        .map_err(|_| "The upload could not be read. Please try again.")?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or("file")
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .try_next()
            .await
            .map_err(|_| "The upload could not be read. Please try again.")?
        {
            if bytes.len() + chunk.len() > MAX_BYTES {
                return Err("The file is larger than 10 MB.");
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err("The file is empty.");
        }
        return Ok(Upload { name, bytes });
    }
    Err("Choose a file to send.")
}

/// The type recorded for a file, from its name.
pub fn content_type(name: &str) -> String {
    mime_guess::from_path(name)
        .first_or_octet_stream()
        .essence_str()
        .to_owned()
}

/// Reads a stored file off disk and answers it as a download; `None` when
/// the bytes are gone.
pub async fn send_stored(data_dir: &std::path::Path, f: &StoredFile) -> Option<HttpResponse> {
    let path = crate::chat::files::path_of(data_dir, f);
    let bytes = actix_web::web::block(move || std::fs::read(path))
        .await
        .ok()?
        .ok()?;
    Some(download(f, bytes))
}

/// The last event a reconnecting stream saw: the `Last-Event-ID` header that
/// EventSource sends, else `?after=`, else 0.
pub fn last_event_id(req: &actix_web::HttpRequest, after: Option<i64>) -> i64 {
    req.headers()
        .get("last-event-id")
        .and_then(|h| h.to_str().ok())
        .and_then(|s| s.trim().parse::<i64>().ok())
        .or(after)
        .unwrap_or(0)
        .max(0)
}

/// A stored file as a download: always an attachment, never sniffed.
pub fn download(f: &StoredFile, bytes: Vec<u8>) -> HttpResponse {
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: f.original_name.clone().into_bytes(),
        })],
    };
    HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes)
}
