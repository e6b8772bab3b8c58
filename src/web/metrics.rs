//! `GET /metrics`: the Prometheus text exposition ([`crate::metrics`]).
//!
//! Off unless `CHATGATE_METRICS_TOKEN` is set: then it answers 404, like
//! any unknown path. When set, a request must carry
//! `Authorization: Bearer <token>`; without it, or with another token, the
//! answer is 401 with `WWW-Authenticate: Bearer`. A wrong token is not
//! disguised as a 404: the path is documented and the same in every
//! installation, so hiding it would protect nothing, while a plain 401
//! tells an operator that the scrape config's token is wrong rather than
//! the address. The token is compared in constant time (over SHA-256
//! digests, so its length does not leak either).
//!
//! Not behind the panel session and without CSRF: it is a GET that changes
//! nothing.

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use crate::metrics::Snapshot;

#[get("/metrics")]
async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(token) = &state.settings.metrics_token else {
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found");
    };
    if !authorized(&req, token.expose()) {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type("text/plain")
            .body("a valid bearer token is required");
    }
    let snapshot = Snapshot {
        db: &state.db,
        gate: &state.gate,
        last_gate_reload: state.node.last_gate_reload(),
    };
    match state.metrics.render(snapshot) {
        Ok(text) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type(prometheus::TEXT_FORMAT)
            .body(text),
        Err(e) => {
            tracing::error!(error = %e, "rendering the metrics failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain")
                .body("metrics unavailable")
        }
    }
}

/// Whether the request carries `Authorization: Bearer <expected>`.
fn authorized(req: &HttpRequest, expected: &str) -> bool {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .unwrap_or("");
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    // An empty header never matches (the token is never empty).
    !given.is_empty() && bool::from(a.ct_eq(&b))
}

/// The token of a `Bearer` credential (the scheme is case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(metrics);
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn bearer_credentials_are_read_case_insensitively() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }
}
