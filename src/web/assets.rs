//! Files under `static/`, embedded in the binary so it runs from anywhere.

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

#[get("/static/{path:.*}")]
async fn asset(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = Assets::get(&path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag)).insert_header((
        header::CACHE_CONTROL,
        "public, max-age=300, must-revalidate",
    ));
    if fresh {
        return Ok(res.finish());
    }
    Ok(res
        .content_type(file.metadata.mimetype())
        .body(file.data.into_owned()))
}

/// One embedded file's bytes.
pub fn get(path: &str) -> Option<Vec<u8>> {
    Assets::get(path).map(|f| f.data.into_owned())
}

/// The names of all embedded files (for tests and diagnostics).
pub fn names() -> Vec<String> {
    Assets::iter().map(|n| n.into_owned()).collect()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(asset);
}
