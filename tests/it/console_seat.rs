//! The agent's seat: a block reaches every agent's open console at once.
//! The blocked conversation's composer closes, the blocked visitor leaves
//! Online visitors, and an invitation to them is refused in words.

use std::time::Duration;

use chatgate::db::schema::{invitations, visitors};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    blocking::{block, chat_from, proxied},
    sse::{Frame, Sse},
    visitors::EventStream,
    *,
};

/// The next control frame of `kind` on an agent's conversation stream.
async fn next_of(s: &mut Sse, kind: &str, within: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match s.next(left).await {
            Frame::Data(d) if d["type"] == kind => return d,
            Frame::Data(_) => continue,
            other => panic!("no {kind} frame within {within:?}: {other:?}"),
        }
    }
}

fn listed(overview: &Value, visitor_id: i64) -> bool {
    overview["visitors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == visitor_id)
}

/// The ids of the visitors rows, oldest first.
fn visitor_ids(app: &TestApp) -> Vec<i64> {
    let mut conn = app.core.db.get().unwrap();
    visitors::table
        .order(visitors::id)
        .select(visitors::id)
        .load(&mut *conn)
        .unwrap()
}

/// Waits until the visitor's presence stream has marked them online.
async fn online(app: &TestApp, n: usize) -> Vec<i64> {
    for _ in 0..100 {
        let ids = visitor_ids(app);
        if ids.len() >= n {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} visitors never came online");
}

async fn invite(agent: &SignedIn, id: i64) -> reqwest::Response {
    agent
        .post_json(
            &format!("/agent/api/visitors/{id}/invite"),
            json!({ "message": "Can I help?" }),
        )
        .await
}

async fn wait_unlisted(agent: &SignedIn, id: i64) {
    for _ in 0..60 {
        if !listed(&agent.overview().await, id) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("visitor {id} is still listed as online");
}

#[actix_web::test]
async fn a_block_closes_the_composer_in_every_open_console_and_the_visitor_leaves_the_lists() {
    let app = proxied().await;
    let blocker = app.sign_in(&app.acme.agent).await;
    let colleague = app.sign_in(&app.acme.manager).await;
    let (v, cid, id) = chat_from(&app, &blocker, "203.0.113.9", "hello").await;
    // The visitor is on the page (their stream open), chatting.
    let _presence: EventStream = v.events(&format!("?conversation={cid}"), None).await;
    let ids = online(&app, 1).await;
    // Someone else at the same address, another browser, just looking.
    let neighbour = app.visitor_via("acme-support", Some("203.0.113.9")).await;
    let _looking = neighbour.events("?url=https://shop.example/", None).await;
    let neighbour_id = online(&app, 2).await[1];
    // And a visitor elsewhere.
    let elsewhere = app.visitor_via("acme-support", Some("198.51.100.9")).await;
    let _there = elsewhere.events("?url=https://shop.example/", None).await;
    let (chatting, elsewhere_id) = (ids[0], online(&app, 3).await[2]);
    assert!(listed(&colleague.overview().await, neighbour_id));

    // The colleague has the conversation open: it is live.
    let url = app.url(&format!("/agent/conversations/{id}/events"));
    let mut open = Sse::open(colleague.client(), &url).await;
    let state = next_of(&mut open, "state", Duration::from_secs(5)).await;
    assert_eq!(state["closed"], false, "{state}");

    assert_eq!(
        block(&blocker, id, "threats").await.status(),
        StatusCode::OK
    );

    // At once, in the colleague's console: the composer closes, saying why.
    let state = next_of(&mut open, "state", Duration::from_secs(2)).await;
    assert_eq!(state["closed"], true, "{state}");
    assert_eq!(state["blocked"], true, "{state}");
    // The blocked visitor is not offered for an invitation, in any console.
    for agent in [&colleague, &blocker] {
        assert!(!listed(&agent.overview().await, chatting));
    }
    // Their neighbour on the blocked address leaves the list as soon as
    // their stream is refused; the visitor elsewhere stays.
    wait_unlisted(&colleague, neighbour_id).await;
    assert!(listed(&colleague.overview().await, elsewhere_id));

    // An invitation to the blocked visitor is refused in words, and none
    // is stored; the neighbour has gone; the visitor elsewhere is invited.
    let r = invite(&colleague, chatting).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("blocked"),
        "{body}"
    );
    let r = invite(&colleague, neighbour_id).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("no longer online"),
        "{body}"
    );
    {
        let mut conn = app.core.db.get().unwrap();
        let stored: i64 = invitations::table.count().get_result(&mut *conn).unwrap();
        assert_eq!(stored, 0, "no invitation went out");
    }
    let r = invite(&colleague, elsewhere_id).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[actix_web::test]
async fn closing_a_conversation_closes_the_composer_in_other_consoles() {
    let app = spawn_app().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let colleague = app.sign_in(&app.acme.manager).await;
    let v = app.visitor("acme-support").await;
    v.say("hi").await;
    let id = agent.conversation_id().await;
    let url = app.url(&format!("/agent/conversations/{id}/events"));
    let mut open = Sse::open(colleague.client(), &url).await;
    assert_eq!(
        next_of(&mut open, "state", Duration::from_secs(5)).await["closed"],
        false
    );
    let r = agent.act(id, "close").await;
    assert_eq!(r.status(), StatusCode::OK);
    let state = next_of(&mut open, "state", Duration::from_secs(2)).await;
    assert_eq!(state["closed"], true, "{state}");
    assert_eq!(state["blocked"], false, "{state}");
}
