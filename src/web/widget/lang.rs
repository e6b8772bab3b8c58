//! The visitor's language on the widget's API: the frame names the
//! language it was served in (`X-Chatgate-Lang`), and the API's refusals
//! answer in it. A caller that names none gets the best of its
//! `Accept-Language` among every language, else English.

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    Error, HttpRequest,
};

use super::WidgetError;
use crate::domain::language::{Lang, WidgetLanguages};

/// The header the frame's script sends with every API call.
pub const LANG_HEADER: &str = "x-chatgate-lang";

/// The language the frame says it speaks, if it names one we have.
pub fn named(req: &HttpRequest) -> Option<Lang> {
    req.headers()
        .get(LANG_HEADER)
        .and_then(|h| h.to_str().ok())
        .and_then(|v| Lang::parse(v.trim()))
}

/// The language to answer a request in.
pub fn of(req: &HttpRequest) -> Lang {
    named(req).unwrap_or_else(|| {
        let asked = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        WidgetLanguages::default().negotiate(asked)
    })
}

/// Answers a widget error in the visitor's language (same status, headers
/// and code; the text translated). Other answers pass untouched.
pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let lang = of(req.request());
    let res = next.call(req).await?;
    if lang == Lang::En {
        return Ok(res.map_into_left_body());
    }
    let translated = res
        .response()
        .error()
        .and_then(|e| e.as_error::<WidgetError>())
        .map(|e| e.response_in(lang));
    Ok(match translated {
        Some(answer) => res.into_response(answer).map_into_right_body(),
        None => res.map_into_left_body(),
    })
}
