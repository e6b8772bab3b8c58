//! The instance's life: not ready (and refusing every visitor) until the
//! gate has loaded; a shutdown in seconds that tells every open stream to
//! reconnect (the real binary, sent SIGTERM).

use chatgate::db::{rules, write_tx};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    served::{demo_agent, Served},
    *,
};

async fn status(app: &TestApp, path: &str) -> StatusCode {
    app.get(path).await.status()
}

/// What the loader is told for a visitor at `ip`.
async fn bootstrap(app: &TestApp, ip: &str) -> (StatusCode, Value) {
    let r = crate::support::blocking::bootstrap_from(app, ip).await;
    let s = r.status();
    (s, r.json().await.unwrap_or_default())
}

/// A fresh visitor's frame and state at `ip`, with their bodies.
async fn frame_status(app: &TestApp, ip: &str) -> Vec<(StatusCode, String)> {
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
        let status = r.status();
        out.push((status, r.text().await.unwrap()));
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
        // Every widget endpoint refuses everyone alike: nothing about a
        // block, and an open frame tries again rather than going quiet.
        for (s, body) in frame_status(&app, ip).await {
            assert_eq!(
                s,
                StatusCode::SERVICE_UNAVAILABLE,
                "{ip} before the gate loaded"
            );
            assert!(body.contains("\"code\":\"starting\""), "{body}");
            assert!(!body.to_lowercase().contains("block"), "{body}");
        }
    }

    chatgate::gate::reload(&app.core.db, &app.core.gate, app.core.clock.now())
        .await
        .unwrap();
    assert_eq!(status(&app, "/readyz").await, StatusCode::OK);
    assert_eq!(bootstrap(&app, "203.0.113.7").await.1["show"], false);
    assert_eq!(bootstrap(&app, "198.51.100.7").await.1["show"], true);
    assert_eq!(
        frame_status(&app, "198.51.100.7").await[0].0,
        StatusCode::OK,
        "the frame for an allowed visitor"
    );
    let refused = frame_status(&app, "203.0.113.7").await;
    assert_eq!(refused[0].0, StatusCode::NOT_FOUND, "{refused:?}");
    // The refused frame is an empty page asking the embedding page to
    // remove it: nothing shows, and nothing says why.
    assert!(
        refused[0].1.contains("/static/widget/gone.js"),
        "{refused:?}"
    );
    assert!(
        !refused[0].1.to_lowercase().contains("block"),
        "{refused:?}"
    );
}

/// A request whose body arrives slowly, still in flight at the signal.
fn slow_request(s: &Served) -> tokio::task::JoinHandle<Result<StatusCode, String>> {
    let url = s.url("/login");
    tokio::spawn(async move {
        let chunks = futures_util::stream::unfold(0, |i| async move {
            if i == 4 {
                return None;
            }
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            let part: &'static [u8] = [
                b"email=a%40b.c".as_slice(),
                b"&password=x",
                b"&csrf",
                b"_token=x",
            ][i];
            Some((Ok::<_, std::io::Error>(part), i + 1))
        });
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
            .map(|r| r.status())
            .map_err(|e| e.to_string())
    })
}

#[tokio::test]
async fn sigterm_tells_streams_to_reconnect_finishes_requests_and_exits_within_5_s() {
    use crate::support::sse::Sse;
    use std::time::{Duration, Instant};

    let mut s = Served::start();
    s.wait_ready().await;
    let agent = demo_agent(&s).await;
    let mut console = Sse::open(&agent, &s.url("/agent/events")).await;
    let visitor = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let page = "?url=https://shop.example/p";
    let frame = visitor
        .get(s.url(&format!("/widget/v1/demo-support/frame{page}")))
        .send()
        .await
        .unwrap();
    assert_eq!(frame.status(), StatusCode::OK);
    let mut widget = Sse::open(
        &visitor,
        &s.url(&format!("/widget/v1/demo-support/events{page}")),
    )
    .await;
    let in_flight = slow_request(&s);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    s.terminate();
    for (name, stream) in [("console", &mut console), ("widget", &mut widget)] {
        let seen = stream.ends_within(Duration::from_secs(2)).await;
        assert!(
            seen.iter().any(|d| d["type"] == "reconnect"),
            "the {name} is told to reconnect: {seen:?}"
        );
    }
    assert_eq!(
        s.readyz().await,
        Some(StatusCode::SERVICE_UNAVAILABLE),
        "a load balancer stops sending traffic"
    );
    let status = in_flight.await.unwrap();
    assert!(
        status.is_ok(),
        "the request in flight at the signal is answered: {status:?}"
    );
    let exit = loop {
        if let Some(code) = s.child.try_wait().unwrap() {
            break code;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM: {}",
            s.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "{exit:?}: {}", s.log());
    std::thread::sleep(Duration::from_millis(100));
    let log = s.log();
    let stopping = log.find("shutting down").expect("logs \"shutting down\"");
    let stopped = log.rfind("stopped").expect("logs \"stopped\"");
    assert!(stopping < stopped, "{log}");
}
