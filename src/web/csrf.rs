//! CSRF synchronizer tokens.
//!
//! Each session has one random token. Pages put it in a hidden `csrf_token`
//! field of every form; scripts send it as `X-CSRF-Token`. The guard refuses
//! every POST (and any other unsafe method) inside the panel whose token is
//! missing or wrong, before any handler runs. Comparison is constant-time.

use actix_session::{Session, SessionExt};
use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{header, Method, StatusCode},
    middleware::Next,
    web::{Bytes, BytesMut},
    Error, HttpMessage,
};
use futures_util::StreamExt;
use subtle::ConstantTimeEq;

use crate::{
    crypto::random_token,
    error::{html_error, ErrorPage},
};

const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
/// Largest form body the guard reads to find the token: the largest any
/// route accepts (the IP rule import, which uses this limit too). Other
/// routes keep their own, smaller limits.
pub const MAX_FORM: usize = 4 * 1024 * 1024;
/// Largest sign-in form the guard reads when its token does not match (to
/// show the form again with the typed e-mail).
const MAX_LOGIN_FORM: usize = 64 * 1024;

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(SESSION_KEY) {
        return t;
    }
    let t = random_token();
    // A failed insert only means the next form will be refused with a clear page.
    let _ = session.insert(SESSION_KEY, &t);
    t
}

/// Gives the session a fresh token (at sign-in).
pub fn rotate(session: &Session) -> String {
    let t = random_token();
    let _ = session.insert(SESSION_KEY, &t);
    t
}

fn matches(expected: Option<&str>, provided: Option<&str>) -> bool {
    match (expected, provided) {
        (Some(e), Some(p)) if !e.is_empty() => e.as_bytes().ct_eq(p.as_bytes()).into(),
        _ => false,
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// The form body, or `None` past `limit` (or if the client went away).
/// Read here rather than with the `Bytes` extractor, whose default limit
/// (256 KiB) is below what the import route accepts.
async fn read_form(req: &mut ServiceRequest, limit: usize) -> Option<Bytes> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return None;
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.ok()?;
        if body.len() + chunk.len() > limit {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(body.freeze())
}

/// The page for a form over `limit`: it says the limit, and that nothing
/// of the form was used.
fn too_large(limit: usize) -> actix_web::HttpResponse {
    let message = if limit == MAX_FORM {
        format!(
            "This form is larger than {} MB, the most the server accepts (about 100,000 lines of addresses). \
             Nothing was saved. Split the list and send each part on its own.",
            MAX_FORM / (1024 * 1024)
        )
    } else {
        format!(
            "This form is larger than {} KB, the most the server accepts here. Nothing was saved.",
            limit / 1024
        )
    };
    let page = ErrorPage {
        status: 413,
        title: "Too large",
        message: &message,
        reference: None,
    };
    let body = askama::Template::render(&page)
        .unwrap_or_else(|_| ErrorPage::for_status(StatusCode::PAYLOAD_TOO_LARGE, None));
    actix_web::HttpResponse::build(StatusCode::PAYLOAD_TOO_LARGE)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn put_back(req: &mut ServiceRequest, body: Bytes) {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    req.set_payload(payload.into());
}

/// The bare 403 for a request without a valid token.
fn refuse<B>(req: ServiceRequest) -> ServiceResponse<EitherBody<B>> {
    tracing::info!(path = %req.path(), "refused a request without a valid CSRF token");
    let resp = html_error(StatusCode::FORBIDDEN, None);
    req.into_response(resp).map_into_right_body()
}

/// Middleware: refuses unsafe requests without the session's token. A
/// session without any token is refused before its body is read; only the
/// sign-in form's body (at most 64 KiB) is read to show it again.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let expected: Option<String> = req.get_session().get(SESSION_KEY).ok().flatten();
    let login = req.path() == "/login";
    if expected.is_none() && !login {
        // No token to match: refuse before reading a byte of the body.
        return Ok(refuse(req));
    }
    let mut provided = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if provided.is_none() && is_form(&req) {
        let limit = if login { MAX_LOGIN_FORM } else { MAX_FORM };
        let Some(body) = read_form(&mut req, limit).await else {
            return Ok(req.into_response(too_large(limit)).map_into_right_body());
        };
        provided = form_field(&body, FIELD);
        if login && !matches(expected.as_deref(), provided.as_deref()) {
            // A sign-in form left open past the session's life: show the
            // form again with what was typed, not a bare refusal.
            let email = form_field(&body, "email").unwrap_or_default();
            let next = form_field(&body, "next");
            let resp = crate::web::auth::expired_form(&req.get_session(), &email, next.as_deref());
            return Ok(req.into_response(resp).map_into_right_body());
        }
        put_back(&mut req, body);
    }
    if !matches(expected.as_deref(), provided.as_deref()) {
        return Ok(refuse(req));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_matching() {
        assert!(matches(Some("abc"), Some("abc")));
        assert!(!matches(Some("abc"), Some("abd")));
        assert!(!matches(Some("abc"), None));
        assert!(!matches(None, Some("abc")));
        assert!(!matches(Some(""), Some("")));
    }

    #[test]
    fn token_found_in_form_body() {
        assert_eq!(
            form_field(b"a=1&csrf_token=x%2By&b=2", FIELD).as_deref(),
            Some("x+y")
        );
        assert_eq!(form_field(b"a=1", FIELD), None);
    }
}
