//! Flood control (Account settings → Abuse protection): limits per
//! visitor network on messages, new conversations and files, counted in
//! memory; over one the visitor reads only "Please wait a moment", nothing
//! is stored, the refusal is counted under `flood`, and a third offence in
//! an hour shows the agents a line with Block offered. The tests' accounts
//! start with flood control off (every test visitor is 127.0.0.1).

use chatgate::{
    db::schema::{counters as k, events, files},
    domain::flood::SLOW_DOWN,
};
use chrono::{Duration, Timelike};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{fixtures::PNG, spawn_app, visitors::VisitorClient, SignedIn, TestApp};

/// Saves the limits: `None` is off.
async fn set_limits(m: &SignedIn, limits: [Option<&str>; 3]) -> reqwest::Response {
    let mut fields = Vec::new();
    for (name, value) in ["messages", "conversations", "files"].iter().zip(limits) {
        if let Some(v) = value {
            fields.push((format!("{name}_on"), "1".to_owned()));
            fields.push((name.to_string(), v.to_owned()));
        }
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    m.post("/settings/abuse/flood", &refs).await
}

async fn send(v: &VisitorClient, text: &str) -> (StatusCode, Value) {
    let body = json!({ "text": text, "url": "https://shop.example/p" });
    let r = v
        .post("/messages?url=https%3A%2F%2Fshop.example%2Fp", body)
        .await;
    (r.status(), r.json().await.unwrap_or_default())
}

fn count_events(app: &TestApp, kind: &str) -> i64 {
    let mut conn = app.core.db.get().unwrap();
    events::table
        .filter(events::kind.eq(kind))
        .count()
        .get_result(&mut *conn)
        .unwrap()
}

fn assert_slowed((status, body): (StatusCode, Value)) {
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], SLOW_DOWN);
    assert_eq!(body["code"], "slow_down");
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("block"), "never says blocked: {text}");
}

#[actix_web::test]
async fn over_the_message_limit_the_visitor_waits_and_nothing_is_stored() {
    let app = spawn_app().await;
    // The refusals below are counted by the hour and 20 s apart: start
    // a minute into an hour, so a run near its end does not split them.
    let now = app.core.clock.now();
    let into_hour = i64::from(now.minute() * 60 + now.second());
    app.core
        .clock
        .advance(Duration::seconds(3600 - into_hour + 60));
    let m = app.sign_in(&app.acme.manager).await;
    let r = set_limits(&m, [Some("3"), None, None]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = app.visitor("acme-support").await;
    for i in 0..3 {
        assert_eq!(send(&v, &format!("hello {i}")).await.0, StatusCode::OK);
    }
    assert_slowed(send(&v, "one too many").await);
    assert_eq!(
        count_events(&app, "message"),
        3,
        "the refused one is not stored"
    );
    // Three a minute: one more every 20 seconds.
    app.core.clock.advance(Duration::seconds(19));
    assert_slowed(send(&v, "still too soon").await);
    app.core.clock.advance(Duration::seconds(1));
    assert_eq!(send(&v, "now").await.0, StatusCode::OK);
    // Another account's limits are its own (off here).
    let g = app.visitor("globex-support").await;
    for i in 0..5 {
        assert_eq!(send(&g, &format!("globex {i}")).await.0, StatusCode::OK);
    }

    // Counted under `flood`, keyed by what was sent; never an address.
    chatgate::gate::load::flush_counters(&app.core.db, &app.core.gate)
        .await
        .unwrap();
    let mut conn = app.core.db.get().unwrap();
    let rows: Vec<(i64, String, String, i64)> = k::table
        .filter(k::cause.eq("flood"))
        .select((k::account_id, k::cause, k::key, k::times))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        rows,
        [(app.acme.account_id, "flood".into(), "messages".into(), 2)]
    );
    let all: Vec<String> = k::table.select(k::key).load(&mut *conn).unwrap();
    assert!(all.iter().all(|key| !key.contains("127.0.0.1")));
}

#[actix_web::test]
async fn the_conversation_and_file_limits_refuse_before_anything_is_written() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    set_limits(&m, [None, Some("1"), Some("1")]).await;
    let v = app.visitor("acme-support").await;
    let conv = v.say("first chat").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    assert_eq!(agent.act(id, "close").await.status(), StatusCode::OK);
    // A second chat within the hour is refused; the closed one stays one.
    assert_slowed(send(&v, "second chat").await);
    let conversations: i64 = {
        use chatgate::db::schema::conversations as c;
        let mut conn = app.core.db.get().unwrap();
        c::table.count().get_result(&mut *conn).unwrap()
    };
    assert_eq!(conversations, 1);
    app.core.clock.advance(Duration::minutes(60));
    let third = v.say("an hour later").await;
    assert_ne!(third, conv);

    // One file per 10 minutes: the second is refused unread and unstored.
    let (status, _) = v.upload(Some(&third), "a.png", PNG.to_vec()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = v.upload(Some(&third), "b.png", PNG.to_vec()).await;
    assert_slowed((status, body));
    let stored: i64 = {
        let mut conn = app.core.db.get().unwrap();
        files::table.count().get_result(&mut *conn).unwrap()
    };
    assert_eq!(stored, 1);
    app.core.clock.advance(Duration::minutes(10));
    assert_eq!(
        v.upload(Some(&third), "c.png", PNG.to_vec()).await.0,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn a_third_offence_in_an_hour_offers_the_agents_a_block() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    set_limits(&m, [Some("1"), None, None]).await;
    let v = app.visitor("acme-support").await;
    for round in 1..=3 {
        assert_eq!(send(&v, &format!("ok {round}")).await.0, StatusCode::OK);
        assert_slowed(send(&v, "too fast").await);
        assert_slowed(send(&v, "still too fast").await);
        let notes = count_events(&app, "note");
        assert_eq!(notes, i64::from(round == 3), "after offence {round}");
        app.core.clock.advance(Duration::seconds(61));
    }
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let mut stream = agent.events(id, None).await;
    let note = stream.until("note").await;
    assert_eq!(
        note["body"]["text"],
        "Sending too fast (3 times in an hour)"
    );
    assert_eq!(
        note["body"]["block_reason"],
        "Sending too fast (3 times in an hour)"
    );
    // The visitor never sees it.
    let mut theirs = v.events("", None).await;
    let seen = theirs.drain(std::time::Duration::from_millis(300)).await;
    assert!(seen.iter().all(|e| e["kind"] != "note"), "{seen:?}");
}

#[actix_web::test]
async fn the_abuse_page_saves_audits_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let page = m.text("/settings/abuse").await;
    assert!(page.contains("Abuse protection"));
    assert!(page.contains("Messages per minute"));

    let r = set_limits(&m, [Some("0"), Some("six"), Some("10")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Nothing was saved"));
    assert!(html.contains("Messages per minute: enter a whole number from 1 to 10,000"));
    assert!(html.contains("New conversations per hour: enter a whole number"));
    assert!(!html.contains("Files per 10 minutes: enter"));
    assert!(html.contains("value=\"six\""), "what was typed stays");
    let flood = |app: &TestApp| app.core.gate.policy(app.acme.account_id).unwrap().flood;
    assert_eq!(flood(&app).messages, None, "nothing was saved");

    let r = set_limits(&m, [Some("30"), None, Some("5")]).await;
    let shown = m.shown(r).await;
    assert!(shown.contains("Saved: flood limits are messages 30, conversations off, files 5."));
    // The gate follows at once.
    let f = flood(&app);
    assert_eq!(
        (f.messages, f.conversations, f.files),
        (Some(30), None, Some(5))
    );
    let audit = m.text("/audit").await;
    assert!(audit.contains("flood.save"));
    assert!(audit.contains("messages 30, conversations off, files 5"));

    // Managers only.
    let agent = app.sign_in(&app.acme.agent).await;
    assert_eq!(
        agent.get("/settings/abuse").await.status(),
        StatusCode::FORBIDDEN
    );
    let r = set_limits(&agent, [None, None, None]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(flood(&app).messages, Some(30));
}
