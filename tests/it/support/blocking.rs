//! Blocking fixtures: an app behind a trusted proxy, a visitor's chat from
//! an address, the agent's block, the widget's bootstrap asked from an
//! address, Unblock now, and the check that every widget endpoint refuses a
//! blocked one.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{visitors::VisitorClient, *};

pub async fn proxied() -> TestApp {
    TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .spawn()
        .await
}

/// A visitor at `ip` starts a conversation; returns it and the agent's id for it.
pub async fn chat_from(
    app: &TestApp,
    agent: &SignedIn,
    ip: &str,
    text: &str,
) -> (VisitorClient, String, i64) {
    let v = app.visitor_via("acme-support", Some(ip)).await;
    let cid = v.say(text).await;
    let o = agent.overview().await;
    let id = o["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .max()
        .unwrap();
    (v, cid, id)
}

/// The agent blocks the visitor of conversation `id`, as the console does.
pub async fn block(agent: &SignedIn, id: i64, reason: &str) -> reqwest::Response {
    agent
        .post_json(
            &format!("/agent/api/conversations/{id}/block"),
            json!({ "reason": reason }),
        )
        .await
}

/// A manager's Unblock now on conversation `id`, from its transcript.
pub async fn unblock(manager: &SignedIn, id: i64) -> reqwest::Response {
    manager
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await
}

/// The id of the newest open conversation the agent sees.
pub async fn newest_conversation(agent: &SignedIn) -> i64 {
    let o = agent.overview().await;
    o["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .max()
        .expect("an open conversation")
}

/// The loader's bootstrap for Acme's case, asked from `ip`.
pub async fn bootstrap_from(app: &TestApp, ip: &str) -> reqwest::Response {
    app.client
        // As the loader asks (the key in the query).
        .get(app.url("/widget/v1/bootstrap?key=acme-support&url=https://shop.example/"))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .unwrap()
}

pub async fn bootstrap_shows(app: &TestApp, ip: &str) -> bool {
    let r = bootstrap_from(app, ip).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["show"].as_bool().unwrap()
}

/// Every widget endpoint answers the visitor at `ip` 404 "unavailable",
/// saying nothing about why and never the address.
pub async fn assert_every_endpoint_refused(v: &VisitorClient, cid: &str, ip: &str) {
    for (method, path, body) in [
        ("GET", "/state".to_owned(), None),
        ("GET", format!("/events?conversation={cid}"), None),
        (
            "POST",
            "/messages".to_owned(),
            Some(json!({ "text": "let me in" })),
        ),
        (
            "POST",
            format!("/conversations/{cid}/survey"),
            Some(json!({ "rating": 1 })),
        ),
        (
            "POST",
            format!("/conversations/{cid}/screen-share"),
            Some(json!({ "accept": true })),
        ),
        ("GET", format!("/conversations/{cid}/files/x"), None),
    ] {
        let req = match method {
            "GET" => v.client.get(format!("{}{path}", v.base)),
            _ => v
                .client
                .post(format!("{}{path}", v.base))
                .header("x-chatgate-visitor", &v.visitor)
                .json(&body),
        };
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
        let text = r.text().await.unwrap();
        assert!(text.contains("unavailable"), "{path}: {text}");
        assert!(!text.contains(ip), "{path}: {text}");
        assert_neutral(&text);
    }
    let (status, _) = v.upload(None, "a.txt", b"x".to_vec()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The answer says nothing of a block or its reason.
pub fn assert_neutral(body: &str) {
    let lower = body.to_lowercase();
    assert!(!lower.contains("block"), "the answer says blocked: {body}");
    assert!(
        !lower.contains("rude"),
        "the answer gives the reason: {body}"
    );
}

/// Adds an IP rule from the Block Visitors page.
pub async fn add_rule(m: &SignedIn, address: &str, comment: &str) -> reqwest::Response {
    m.post(
        "/settings/block-visitors/ip-rules",
        &[("address", address), ("comment", comment)],
    )
    .await
}
