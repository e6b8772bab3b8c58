//! The input guard, in front of every route:
//!
//! * **NUL characters.** No text the server keeps may hold a NUL (`\0`):
//!   PostgreSQL refuses it outright, and nothing a person types needs it.
//!   A request whose path or query string carries `%00`, or whose form or
//!   JSON body carries a NUL (`%00`, `\u0000` or a raw zero byte), is
//!   answered 400 with a message saying so, before anything is stored. The
//!   check on the address is a scan of a few bytes, so the widget's hot
//!   bootstrap request stays cheap; bodies are checked as they stream in,
//!   without buffering them.
//! * **Bodies that stop arriving.** The server's request timeout covers the
//!   headers only. Every read of a request body here has its own timeout,
//!   so a body that stalls (or an upload that never finishes) is answered
//!   408 within seconds instead of holding the connection for ever.

use std::{
    cell::Cell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::{header, StatusCode},
    middleware::Next,
    rt::time::{sleep, Instant, Sleep},
    web::Bytes,
    Error, HttpRequest, HttpResponse,
};
use askama::Template;
use futures_util::Stream;
use serde_json::json;

use crate::error::ErrorPage;

/// How long one read of a request body may wait for the next bytes.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

pub const NUL_MESSAGE: &str =
    "The text sent contains a NUL character (\\0), which is not allowed. Remove it and try again.";
pub const TIMEOUT_MESSAGE: &str =
    "The request stopped arriving before it was complete. Please try again.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Nul,
    Timeout,
}

/// Middleware: see the module documentation.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let escaped_nul = req
        .uri()
        .path_and_query()
        .is_some_and(|pq| has_escaped_nul(pq.as_str().as_bytes()));
    if escaped_nul {
        let json = wants_json(req.request());
        return Ok(req
            .into_response(refusal(Refusal::Nul, json))
            .map_into_right_body());
    }
    if !may_have_body(&req) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let json = wants_json(req.request());
    let seen = Rc::new(Cell::new(None));
    let scan = Scan::for_request(&req);
    let inner = actix_web::HttpMessage::take_payload(&mut req);
    req.set_payload(Payload::from(
        Box::pin(Guarded::new(inner, scan, seen.clone()))
            as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>,
    ));
    let result = next.call(req).await;
    match (seen.get(), result) {
        (None, result) => result.map(ServiceResponse::map_into_left_body),
        (Some(why), Ok(res)) => {
            let (http, _) = res.into_parts();
            Ok(ServiceResponse::new(http, refusal(why, json)).map_into_right_body())
        }
        (Some(why), Err(e)) => {
            Err(actix_web::error::InternalError::from_response(e, refusal(why, json)).into())
        }
    }
}

/// Whether `%00` occurs: a jump from one `%` to the next, rather than a
/// comparison at every byte.
fn has_escaped_nul(mut s: &[u8]) -> bool {
    while let Some(i) = memchr::memchr(b'%', s) {
        s = &s[i + 1..];
        if s.starts_with(b"00") {
            return true;
        }
    }
    false
}

fn may_have_body(req: &ServiceRequest) -> bool {
    let h = req.headers();
    if h.contains_key(header::TRANSFER_ENCODING) {
        return true;
    }
    h.get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.to_str().map_or(true, |v| v.trim() != "0"))
}

fn wants_json(req: &HttpRequest) -> bool {
    let path = req.path();
    path.starts_with("/widget/")
        || path.starts_with("/agent/api/")
        || req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.contains("json"))
}

/// The answer to a refused request: JSON for the widget and the console's
/// API, a page for everything else.
fn refusal(why: Refusal, json: bool) -> HttpResponse {
    let (status, title, message) = match why {
        Refusal::Nul => (StatusCode::BAD_REQUEST, "Bad request", NUL_MESSAGE),
        Refusal::Timeout => (
            StatusCode::REQUEST_TIMEOUT,
            "Request timed out",
            TIMEOUT_MESSAGE,
        ),
    };
    let mut resp = HttpResponse::build(status);
    if why == Refusal::Timeout {
        resp.insert_header((header::CONNECTION, "close"));
    }
    if json {
        return resp.json(json!({ "error": message }));
    }
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        message,
        reference: None,
    };
    resp.content_type("text/html; charset=utf-8")
        .body(page.render().unwrap_or_else(|_| message.to_owned()))
}

/// What the body is searched for, by its content type. Uploads and other
/// binary bodies are only timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    None,
    /// `application/x-www-form-urlencoded`: `%00` and raw zero bytes.
    /// The state counts the `%0` seen so far.
    Form(u8),
    /// JSON: the `\u0000` escape (not `\\u0000`, which is text) and raw
    /// zero bytes.
    Json(JsonState),
    /// Other text: raw zero bytes.
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonState {
    Plain,
    /// After a backslash that starts an escape.
    Escape,
    /// After `\u` and this many zeros.
    Unicode(u8),
}

impl Scan {
    fn for_request(req: &ServiceRequest) -> Self {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        Self::for_content_type(&ct)
    }

    pub fn for_content_type(ct: &str) -> Self {
        if ct.starts_with("application/x-www-form-urlencoded") {
            Scan::Form(0)
        } else if ct.contains("json") {
            Scan::Json(JsonState::Plain)
        } else if ct.starts_with("text/") {
            Scan::Text
        } else {
            Scan::None
        }
    }

    /// Feeds the next bytes of the body; true when a NUL is found.
    pub fn feed(&mut self, bytes: &[u8]) -> bool {
        match self {
            Scan::None => false,
            Scan::Text => bytes.contains(&0),
            Scan::Form(seen) => bytes.iter().any(|&b| {
                *seen = match (b, *seen) {
                    (0, _) | (b'0', 2) => return true,
                    (b'%', _) => 1,
                    (b'0', n) if n > 0 => n + 1,
                    _ => 0,
                };
                false
            }),
            Scan::Json(state) => bytes.iter().any(|&b| {
                *state = match (*state, b) {
                    (_, 0) | (JsonState::Unicode(3), b'0') => return true,
                    (JsonState::Plain, b'\\') => JsonState::Escape,
                    (JsonState::Escape, b'u') => JsonState::Unicode(0),
                    (JsonState::Unicode(n), b'0') => JsonState::Unicode(n + 1),
                    _ => JsonState::Plain,
                };
                false
            }),
        }
    }
}

/// The request body, searched as it streams and with a timeout per read.
struct Guarded {
    inner: Payload,
    scan: Scan,
    seen: Rc<Cell<Option<Refusal>>>,
    timer: Pin<Box<Sleep>>,
    armed: bool,
    done: bool,
}

impl Guarded {
    fn new(inner: Payload, scan: Scan, seen: Rc<Cell<Option<Refusal>>>) -> Self {
        Self {
            inner,
            scan,
            seen,
            timer: Box::pin(sleep(BODY_READ_TIMEOUT)),
            armed: false,
            done: false,
        }
    }

    fn stop(&mut self, why: Refusal) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.done = true;
        self.seen.set(Some(why));
        let (kind, msg) = match why {
            Refusal::Nul => (std::io::ErrorKind::InvalidData, NUL_MESSAGE),
            Refusal::Timeout => (std::io::ErrorKind::TimedOut, TIMEOUT_MESSAGE),
        };
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(kind, msg)))))
    }
}

impl Stream for Guarded {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.armed = false;
                if this.scan.feed(&chunk) {
                    return this.stop(Refusal::Nul);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => {
                this.armed = false;
                Poll::Ready(other)
            }
            Poll::Pending => {
                if !this.armed {
                    this.armed = true;
                    this.timer
                        .as_mut()
                        .reset(Instant::now() + BODY_READ_TIMEOUT);
                }
                match this.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => this.stop(Refusal::Timeout),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(ct: &str, chunks: &[&[u8]]) -> bool {
        let mut scan = Scan::for_content_type(ct);
        chunks.iter().any(|c| scan.feed(c))
    }

    #[test]
    fn an_escaped_nul_is_found_anywhere_in_the_address() {
        for yes in ["%00", "/a?b=%00", "/a?b=%%00", "/x%2500%00", "/%0%00"] {
            assert!(has_escaped_nul(yes.as_bytes()), "{yes}");
        }
        for no in ["", "%", "%0", "/a?b=%0A%20", "/x%2500", "0%0"] {
            assert!(!has_escaped_nul(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn forms_refuse_an_escaped_or_raw_nul_even_across_chunks() {
        let form = "application/x-www-form-urlencoded";
        assert!(finds(form, &[b"a=1&b=x%00y"]));
        assert!(finds(form, &[b"a=1&b=x%", b"0", b"0y"]));
        assert!(finds(form, &[b"a=\0"]));
        assert!(!finds(form, &[b"a=100%25&b=%0A%30%300"]));
        assert!(!finds(form, &[b"a=%0", b"1"]));
    }

    #[test]
    fn json_refuses_the_nul_escape_but_not_the_text_of_it() {
        let json = "application/json";
        assert!(finds(json, &[br#"{"t":"a\u0000"}"#]));
        assert!(finds(json, &[br#"{"t":"a\u00"#, br#"00"}"#]));
        assert!(finds(json, &[br#"{"t":"\\\u0000"}"#]));
        assert!(!finds(json, &[br#"{"t":"a\\u0000 100%00"}"#]));
        assert!(!finds(json, &[br#"{"t":"\u0001\u00e9"}"#]));
        assert!(finds("application/json; charset=utf-8", &[b"\0"]));
    }

    #[test]
    fn uploads_are_not_searched() {
        assert!(!finds("multipart/form-data; boundary=x", &[b"%00\0"]));
        assert!(!finds("application/octet-stream", &[b"\0"]));
        assert!(finds("text/plain", &[b"a\0"]));
    }
}
