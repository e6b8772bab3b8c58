//! Readiness: `/readyz` answers 200 only while this instance should get
//! traffic. It is 503 until the visitor gate has loaded every account's
//! rules and blocks (until then the widget refuses everyone), and again
//! from the moment the server starts shutting down. `/healthz` stays the
//! liveness check (the process and its database answer).

use actix_web::{get, http::StatusCode, web, HttpResponse};

use super::AppState;

#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (status, text) = if state.hub.is_stopping() {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down")
    } else if !state.gate.is_ready() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: the visitor gate is loading",
        )
    } else {
        (StatusCode::OK, "ready")
    };
    HttpResponse::build(status)
        .content_type("text/plain")
        .insert_header(("cache-control", "no-store"))
        .body(text)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(readyz);
}
