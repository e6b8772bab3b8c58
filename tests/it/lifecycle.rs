//! The instance's life: not ready (and refusing every visitor) until the
//! gate has loaded; a shutdown in seconds that tells every open stream to
//! reconnect (the real binary, sent SIGTERM).

use chatgate::db::{rules, write_tx};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

async fn status(app: &TestApp, path: &str) -> StatusCode {
    app.get(path).await.status()
}

/// What the loader is told for a visitor at `ip`.
async fn bootstrap(app: &TestApp, ip: &str) -> (StatusCode, Value) {
    let r = app
        .client
        .get(app.url("/widget/v1/bootstrap?key=acme-support&url=https://shop.example/"))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or_default())
}

/// A fresh visitor's frame and state at `ip`: the neutral 404 when refused.
async fn frame_status(app: &TestApp, ip: &str) -> Vec<StatusCode> {
    let fresh = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let base = app.url("/widget/v1/acme-support");
    let mut out = Vec::new();
    for path in ["/frame?url=https://shop.example/", "/state"] {
        let r = fresh
            .get(format!("{base}{path}"))
            .header("x-forwarded-for", ip)
            .send()
            .await
            .unwrap();
        out.push(r.status());
    }
    out
}

#[actix_web::test]
async fn until_the_gate_has_loaded_the_widget_refuses_everyone_and_readyz_is_503() {
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .hold_gate()
        .spawn()
        .await;
    // A rule the database holds but this instance has not read yet.
    let now = app.core.clock.now();
    let aid = app.acme.account_id;
    app.core
        .db
        .run(move |c| {
            Ok(write_tx(c, |c| {
                rules::add(
                    c,
                    &rules::NewIpRule {
                        account_id: aid,
                        network: "203.0.113.0/24",
                        comment: None,
                        by_user: 1,
                        by_name: "someone",
                        now,
                    },
                )?;
                rules::bump(c, aid, now)
            })?)
        })
        .await
        .unwrap();

    assert_eq!(status(&app, "/healthz").await, StatusCode::OK, "alive");
    assert_eq!(
        status(&app, "/readyz").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    for ip in ["203.0.113.7", "198.51.100.7"] {
        let (s, body) = bootstrap(&app, ip).await;
        assert_eq!(s, StatusCode::OK, "{ip}");
        assert_eq!(body["show"], false, "{ip} before the gate loaded: {body}");
        for s in frame_status(&app, ip).await {
            assert_eq!(s, StatusCode::NOT_FOUND, "{ip} before the gate loaded");
        }
    }

    chatgate::gate::reload(&app.core.db, &app.core.gate, app.core.clock.now())
        .await
        .unwrap();
    assert_eq!(status(&app, "/readyz").await, StatusCode::OK);
    assert_eq!(bootstrap(&app, "203.0.113.7").await.1["show"], false);
    assert_eq!(bootstrap(&app, "198.51.100.7").await.1["show"], true);
    assert_eq!(
        frame_status(&app, "198.51.100.7").await[0],
        StatusCode::OK,
        "the frame for an allowed visitor"
    );
}
