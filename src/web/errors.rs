//! Turns bare error responses from the framework (unknown route, wrong
//! method, a malformed form) into the HTML error page, so nobody sees a raw
//! error text.

use actix_web::{
    dev::ServiceResponse, http::header, middleware::ErrorHandlerResponse, HttpResponse, Result,
};

use crate::error::{html_error, AppError};

/// Replaces any error body that is not already HTML.
pub fn render_bare<B>(res: ServiceResponse<B>) -> Result<ErrorHandlerResponse<B>> {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // HTML pages and the console's JSON answers already explain themselves.
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    if is_html || res.status().is_redirection() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, old) = res.into_parts();
    let mut new = html_error(status, None);
    // Keep headers such as Allow on 405.
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}

/// The fallback for paths no route matches.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
