//! The loader's first request on every page view: may the chat show here?
//!
//! `GET /widget/v1/bootstrap?key=KEY&url=PAGE` is what the loader asks. Its
//! path is static, so routing it is a string comparison rather than a
//! pattern match: this is the one widget request made for every page view
//! of every visitor, chat or no chat. `GET /widget/v1/KEY/bootstrap?url=…`
//! answers the same, for loaders that browsers still hold in their cache
//! from before (the loader is cached for five minutes).

use actix_web::{
    get,
    http::header::{self, HeaderValue},
    web::{self, Bytes},
    HttpRequest, HttpResponse,
};
use serde::Serialize;

use super::{
    admission::{case, page_of},
    pages::query_param,
    WidgetError,
};
use crate::{
    gate::Visit,
    web::{client_ip::ClientIp, AppState},
};

/// The answer: whether to show the chat button, and the frame to show.
#[derive(Serialize)]
struct Bootstrap {
    show: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    frame: Option<String>,
}

#[get("/widget/v1/bootstrap")]
pub(super) async fn by_query(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
) -> Result<HttpResponse, WidgetError> {
    let key = query_param(req.query_string(), "key").ok_or(WidgetError::Unavailable)?;
    answer(&state, &req, ip, &key).await
}

#[get("/widget/v1/{key}/bootstrap")]
pub(super) async fn by_path(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    ip: ClientIp,
) -> Result<HttpResponse, WidgetError> {
    answer(&state, &req, ip, &key).await
}

/// Decides, counting a hit on the IP rule that refuses (one per page view).
async fn answer(
    state: &AppState,
    req: &HttpRequest,
    ip: ClientIp,
    key: &str,
) -> Result<HttpResponse, WidgetError> {
    let case = case(state, key).await?;
    let page = page_of(state, req);
    let verdict = state.gate.admit(&Visit {
        account_id: case.account_id,
        ip: ip.0,
        page: &page,
        now: state.clock.now(),
        // The loader's request carries no cookie: no browser to look up.
        browser: None,
    });
    if verdict.refused() {
        // For the agents' sidebar; the loader names no visitor.
        state.gate.count_refusal(case.account_id, ip.0, None);
    }
    // Before the gate has loaded, nobody is shown the chat (no fail-open).
    let ready = state.gate.is_ready();
    let show = ready && !verdict.refused();
    let cause = if ready {
        verdict.cause().as_str()
    } else {
        "not_ready"
    };
    state.metrics.gate_decision(cause);
    let body = if show {
        shown(&case.widget_key)?
    } else {
        Bytes::from_static(HIDDEN)
    };
    let mut res = HttpResponse::Ok().body(body);
    // Static header values: no parsing or copying per request.
    let h = res.headers_mut();
    h.reserve(3);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// The answer when the chat is not shown.
const HIDDEN: &[u8] = br#"{"show":false}"#;

/// The answer when the chat is shown, with its frame: written directly
/// when the key needs no escaping in JSON (keys are letters, digits and
/// dashes), through serde_json otherwise; the same bytes either way.
fn shown(widget_key: &str) -> Result<Bytes, WidgetError> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if widget_key.bytes().all(plain) {
        let mut body = Vec::with_capacity(64 + widget_key.len());
        body.extend_from_slice(br#"{"show":true,"frame":"/widget/v1/"#);
        body.extend_from_slice(widget_key.as_bytes());
        body.extend_from_slice(br#"/frame"}"#);
        return Ok(body.into());
    }
    let body = Bootstrap {
        show: true,
        frame: Some(format!("/widget/v1/{widget_key}/frame")),
    };
    serde_json::to_vec(&body)
        .map(Bytes::from)
        .map_err(|e| WidgetError::Internal(anyhow::Error::new(e).context("bootstrap JSON")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answers_are_the_json_serde_writes() {
        let serde = |show: bool, key: &str| {
            let body = Bootstrap {
                show,
                frame: show.then(|| format!("/widget/v1/{key}/frame")),
            };
            serde_json::to_vec(&body).unwrap()
        };
        assert_eq!(HIDDEN, serde(false, "any"));
        for key in ["demo-support", "A_b.9", "quote\"x", "ünï", ""] {
            assert_eq!(shown(key).unwrap(), serde(true, key), "{key}");
        }
    }
}
