//! Security headers on every response. A handler that needs a different
//! policy (the widget frame, later) sets its own header and it is kept.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderName, HeaderValue},
    middleware::Next,
    Error,
};

/// Strict: only our own scripts, styles and images; no inline script, no
/// plugins, no framing of the panel.
pub const PANEL_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let is_static = req.path().starts_with("/static/");
    // Note: an `Err` from an inner middleware (the session store failing)
    // is turned into a response by the server after this point, without
    // these headers; it has an empty body. Holding a clone of the request
    // to convert it here is not possible: routing needs the only reference.
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    let defaults: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, PANEL_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ];
    // A handler that set its own policy (the chat frame) decides framing.
    let own_policy = h.contains_key(header::CONTENT_SECURITY_POLICY);
    for (name, value) in defaults {
        if own_policy && name == header::X_FRAME_OPTIONS {
            continue;
        }
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
