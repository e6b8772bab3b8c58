//! Reading uploads and serving stored files, for the widget and the agent.

use actix_multipart::Multipart;
use actix_web::{
    body::SizedStream,
    http::header::{self, ContentDisposition, DispositionParam, DispositionType, ExtendedValue},
    web::Bytes,
    HttpResponse,
};
use futures_util::{stream::LocalBoxStream, TryStreamExt};

use crate::{
    chat::file_store::Content, db::models::StoredFile, domain::file_policy::MaxBytes,
    error::AppError, web::AppState,
};

pub struct Upload {
    pub name: String,
    /// At most the limit plus one byte: a longer file is cut there, so the
    /// policy check sees that it is too large.
    pub bytes: Vec<u8>,
}

/// Past the limit, how much more of a file is read and thrown away so that
/// the browser gets the answer instead of a broken connection.
const DRAIN: u64 = MaxBytes::LIMIT + 16 * 1024 * 1024;

/// Reads the form's `file` field, keeping at most `limit` + 1 bytes.
/// Emptiness, size and content are for the file policy to judge.
pub async fn read_upload(mut form: Multipart, limit: u64) -> Result<Upload, &'static str> {
    const UNREADABLE: &str = "The upload could not be read. Please try again.";
    let keep = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    while let Some(mut field) = form.try_next().await.map_err(|_| UNREADABLE)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or("file")
            .to_owned();
        let (mut bytes, mut seen) = (Vec::new(), 0u64);
        while let Some(chunk) = field.try_next().await.map_err(|_| UNREADABLE)? {
            seen += chunk.len() as u64;
            let room = keep.saturating_sub(bytes.len()).min(chunk.len());
            bytes.extend_from_slice(&chunk[..room]);
            if seen > DRAIN {
                break;
            }
        }
        return Ok(Upload { name, bytes });
    }
    Err("Choose a file to send.")
}

/// Answers a stored file as a download, its bytes read from the store as
/// the client takes them; `None` when the bytes are gone.
pub async fn send_stored(state: &AppState, f: &StoredFile) -> Option<HttpResponse> {
    let content = state.files.read(&state.db, f).await?;
    Some(download(f, content))
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
pub fn download(f: &StoredFile, content: Content) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(disposition(DispositionType::Attachment, f))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(sized(content))
}

/// The body of known length: `Content-Length` is sent as for bytes held
/// whole.
fn sized(content: Content) -> SizedStream<LocalBoxStream<'static, Result<Bytes, AppError>>> {
    SizedStream::new(content.len, content.body)
}

fn disposition(kind: DispositionType, f: &StoredFile) -> ContentDisposition {
    ContentDisposition {
        disposition: kind,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: f.original_name.clone().into_bytes(),
        })],
    }
}

/// The policy of a preview: nothing may load or run, and nobody may frame it.
pub const PREVIEW_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// A checked image shown inline, as its checked type; `None` when the file
/// is not previewable or its bytes are gone.
pub async fn send_preview(state: &AppState, f: &StoredFile) -> Option<HttpResponse> {
    let mime = f.preview_type.clone()?;
    let content = state.files.read(&state.db, f).await?;
    Some(
        HttpResponse::Ok()
            .content_type(mime)
            .insert_header(disposition(DispositionType::Inline, f))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::CONTENT_SECURITY_POLICY, PREVIEW_CSP))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .body(sized(content)),
    )
}

/// A size as the chat shows it: "512 B", "14 KB", "2.5 MB".
pub fn human_size(n: i64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1_048_576 {
        format!("{} KB", (n as f64 / 1024.0).round())
    } else {
        format!("{:.1} MB", n as f64 / 1_048_576.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_like_the_chat_window() {
        use super::human_size;
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "2 KB");
        assert_eq!(human_size(2_621_440), "2.5 MB");
    }
}
