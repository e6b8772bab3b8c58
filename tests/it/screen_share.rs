//! Screen sharing's signalling: the visitor's offer and candidates and the
//! agent's answer and candidates travel as conversation events, stored in
//! order and sealed, delivered to the other side only, erased when the
//! share ends; refused after a block, for another agent and for another
//! account. (The picture itself is the browser journey's,
//! `browser_share`.)

use chatgate::db::schema::events;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    blocking::{assert_every_endpoint_refused, assert_neutral, block, chat_from, proxied},
    visitors::{EventStream, VisitorClient},
    SignedIn, TestApp,
};

const SDP: &str = "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

fn candidate(n: u32) -> String {
    format!("candidate:{n} 1 udp 2122260223 192.0.2.2 5000{n} typ host")
}

fn offer(peer: &str) -> Value {
    json!({ "type": "offer", "peer": peer, "sdp": SDP })
}

fn cand(peer: &str, n: u32) -> Value {
    json!({ "type": "candidate", "peer": peer, "candidate": candidate(n), "sdpMid": "0", "sdpMLineIndex": 0 })
}

/// A visitor of Acme writes `text`; Acme's agent sees it: the visitor,
/// the conversation's id for each, and the agent.
async fn chatting(app: &TestApp, text: &str) -> (VisitorClient, String, SignedIn, i64) {
    let v = app.visitor("acme-support").await;
    let cid = v.say(text).await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    (v, cid, agent, id)
}

/// The agent asks, the visitor says yes: returns the yes's answer.
async fn asked_and_accepted(agent: &SignedIn, v: &VisitorClient, id: i64, cid: &str) -> Value {
    let r = agent.act(id, "screen-share").await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = v
        .post(
            &format!("/conversations/{cid}/screen-share"),
            json!({ "accept": true }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn visitor_signal(v: &VisitorClient, cid: &str, s: Value) -> reqwest::Response {
    v.post(&format!("/conversations/{cid}/screen-share/signal"), s)
        .await
}

async fn agent_signal(a: &SignedIn, id: i64, s: Value) -> reqwest::Response {
    a.post_json(
        &format!("/agent/api/conversations/{id}/screen-share/signal"),
        s,
    )
    .await
}

/// The next signal event on a stream.
async fn next_signal(s: &mut EventStream) -> Value {
    s.until("share_signal").await
}

/// The stored bodies of the conversation's signals.
fn stored_signals(app: &TestApp) -> Vec<String> {
    events::table
        .filter(events::kind.eq("share_signal"))
        .select(events::body)
        .load(&mut *app.core.db.get().unwrap())
        .unwrap()
}

#[actix_web::test]
async fn signals_are_sealed_delivered_in_order_to_the_other_side_and_erased_at_the_end() {
    let app = crate::support::spawn_app().await;
    let (v, cid, agent, id) = chatting(&app, "can you see my screen?").await;

    // Nothing to signal before a yes.
    let r = visitor_signal(&v, &cid, offer("p1")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let yes = asked_and_accepted(&agent, &v, id, &cid).await;
    assert_eq!(yes["iceServers"], json!([]), "nothing set: host candidates");
    let r = visitor_signal(&v, &cid, cand("p1", 1)).await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "a candidate before the offer"
    );

    let mut seen_by_agent = agent.events(id, None).await;
    let mut seen_by_visitor = v.events(&format!("?conversation={cid}"), None).await;
    assert_eq!(
        visitor_signal(&v, &cid, offer("p1")).await.status(),
        StatusCode::OK
    );
    for n in 1..=3 {
        assert_eq!(
            visitor_signal(&v, &cid, cand("p1", n)).await.status(),
            StatusCode::OK
        );
    }
    let started = seen_by_agent.until("screen_share_started").await;
    assert_eq!(started["body"]["agent"], app.acme.agent_id);
    let o = next_signal(&mut seen_by_agent).await;
    assert_eq!(o["author"], "visitor");
    assert_eq!(
        o["body"]["agent"], app.acme.agent_id,
        "for the agent who asked"
    );
    assert_eq!(o["body"]["signal"], offer("p1"));
    for n in 1..=3 {
        let c = next_signal(&mut seen_by_agent).await;
        assert_eq!(c["body"]["signal"]["candidate"], candidate(n), "in order");
    }

    // At rest the signals are sealed: no address, no session description.
    let stored = stored_signals(&app);
    assert_eq!(stored.len(), 4);
    for body in &stored {
        assert!(
            !body.contains("192.0.2.2") && !body.contains("v=0"),
            "{body}"
        );
    }
    // Managers' transcripts show the lines, never the signals.
    let m = app.sign_in(&app.acme.manager).await;
    let transcript = m.text(&format!("/conversations/{id}")).await;
    assert!(transcript.contains("The visitor started sharing their screen"));
    assert!(!transcript.contains("share signal") && !transcript.contains("sealed"));

    // The agent answers; the visitor gets the answer, then the candidate,
    // and never its own signals back.
    let answer = json!({ "type": "answer", "peer": "p1", "sdp": SDP });
    assert_eq!(
        agent_signal(&agent, id, answer.clone()).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        agent_signal(&agent, id, cand("p1", 7)).await.status(),
        StatusCode::OK
    );
    let a = next_signal(&mut seen_by_visitor).await;
    assert_eq!(a["author"], "agent");
    assert_eq!(
        a["body"],
        json!({ "signal": answer }),
        "no agent id for visitors"
    );
    let c = next_signal(&mut seen_by_visitor).await;
    assert_eq!(c["body"]["signal"]["candidate"], candidate(7));
    let ice = agent
        .get(&format!("/agent/api/conversations/{id}/screen-share/ice"))
        .await;
    assert_eq!(ice.status(), StatusCode::OK);

    // Another agent of the account sees the lines but never connects.
    assert_eq!(
        agent_signal(&m, id, cand("p1", 8)).await.status(),
        StatusCode::CONFLICT
    );
    let ice = m
        .get(&format!("/agent/api/conversations/{id}/screen-share/ice"))
        .await;
    assert_eq!(ice.status(), StatusCode::CONFLICT);
    // Each side sends only its own kind of signal; bad ones are refused.
    let wrong = json!({ "type": "offer", "peer": "p1", "sdp": SDP });
    assert_eq!(
        agent_signal(&agent, id, wrong).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let bad = json!({ "type": "candidate", "peer": "p1", "candidate": "candidate:1\r\na=x" });
    assert_eq!(
        visitor_signal(&v, &cid, bad).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The agent ends it: both sides hear, with the duration for agents
    // and without who ended it for the visitor.
    app.core.clock.advance(chrono::Duration::seconds(65));
    assert_eq!(
        agent.act(id, "screen-share/end").await.status(),
        StatusCode::OK
    );
    let end = seen_by_agent.until("screen_share_ended").await;
    assert_eq!(end["body"], json!({ "by": "agent", "secs": 65 }));
    let end = seen_by_visitor.until("screen_share_ended").await;
    assert_eq!(end["body"], json!({ "secs": 65 }));
    assert!(stored_signals(&app).is_empty(), "signals erased at the end");
    let r = visitor_signal(&v, &cid, cand("p1", 9)).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "nothing after the end");
    assert_eq!(
        agent.act(id, "screen-share/end").await.status(),
        StatusCode::CONFLICT
    );
    let transcript = m.text(&format!("/conversations/{id}")).await;
    assert!(
        transcript.contains("Screen sharing ended by acme agent after 1 min 5 s"),
        "{transcript}"
    );
}

#[actix_web::test]
async fn another_account_never_receives_nor_sends_signals() {
    let app = crate::support::spawn_app().await;
    let (v, cid, agent, id) = chatting(&app, "hello").await;
    asked_and_accepted(&agent, &v, id, &cid).await;
    assert_eq!(
        visitor_signal(&v, &cid, offer("p1")).await.status(),
        StatusCode::OK
    );

    let other = app.sign_in(&app.globex.agent).await;
    let r = agent_signal(&other, id, cand("p1", 1)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = other
        .get(&format!("/agent/api/conversations/{id}/screen-share/ice"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other.act(id, "screen-share/end").await.status(),
        StatusCode::NOT_FOUND
    );
    let r = other
        .get(&format!("/agent/conversations/{id}/events"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no stream of it");
    // Globex's widget does not reach Acme's conversation.
    let gv = app.visitor("globex-support").await;
    let r = visitor_signal(&gv, &cid, cand("p1", 1)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Acme's visitor in another browser does not either.
    let stranger = app.visitor("acme-support").await;
    let r = visitor_signal(&stranger, &cid, cand("p1", 1)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(stored_signals(&app).len(), 1, "only the offer");
}

#[actix_web::test]
async fn a_block_ends_the_share_at_once_and_refuses_signalling() {
    let app = proxied().await;
    let ip = "203.0.113.77";
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, id) = chat_from(&app, &agent, ip, "look at this").await;
    asked_and_accepted(&agent, &v, id, &cid).await;
    assert_eq!(
        visitor_signal(&v, &cid, offer("p1")).await.status(),
        StatusCode::OK
    );
    let mut seen_by_agent = agent.events(id, None).await;
    let mut seen_by_visitor = v.events(&format!("?conversation={cid}"), None).await;
    seen_by_agent.until("screen_share_started").await;
    seen_by_visitor.until("screen_share_started").await;

    assert_eq!(
        block(&agent, id, "Showed abusive images").await.status(),
        StatusCode::OK
    );
    let end = seen_by_agent.until("screen_share_ended").await;
    assert_eq!(end["body"]["by"], "block");
    // The visitor's stream says only "unavailable", within a second.
    let rest = seen_by_visitor
        .drain(std::time::Duration::from_millis(1000))
        .await;
    assert!(rest.iter().any(|e| e["type"] == "unavailable"), "{rest:?}");
    for e in &rest {
        assert_neutral(&e.to_string());
    }
    assert!(stored_signals(&app).is_empty());

    // Signals, Stop and a new yes are refused like every widget call.
    assert_every_endpoint_refused(&v, &cid, ip).await;
    for path in ["signal", "end"] {
        let r = v
            .post(
                &format!("/conversations/{cid}/screen-share/{path}"),
                cand("p2", 1),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_neutral(&r.text().await.unwrap());
    }
    // The agent cannot ask again: the conversation has ended.
    assert_eq!(
        agent.act(id, "screen-share").await.status(),
        StatusCode::CONFLICT
    );
}

#[actix_web::test]
async fn closing_or_withdrawing_ends_the_share_and_the_purge_erases_stale_signals() {
    let app = crate::support::spawn_app().await;
    let (v, cid, agent, id) = chatting(&app, "hi").await;
    let mut s = agent.events(id, None).await;
    // Asked, then withdrawn before the visitor answered.
    assert_eq!(agent.act(id, "screen-share").await.status(), StatusCode::OK);
    assert_eq!(
        agent.act(id, "screen-share/end").await.status(),
        StatusCode::OK
    );
    let end = s.until("screen_share_ended").await;
    assert_eq!(end["body"], json!({ "by": "agent", "secs": null }));
    let r = v
        .post(
            &format!("/conversations/{cid}/screen-share"),
            json!({ "accept": true }),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing to answer"
    );

    // Closing the conversation ends the share with it.
    asked_and_accepted(&agent, &v, id, &cid).await;
    assert_eq!(
        visitor_signal(&v, &cid, offer("p1")).await.status(),
        StatusCode::OK
    );
    assert_eq!(agent.act(id, "close").await.status(), StatusCode::OK);
    let end = s.until("screen_share_ended").await;
    assert_eq!(end["body"]["by"], "close");
    assert!(stored_signals(&app).is_empty());

    // A share that never ended keeps its signals at most 7 days.
    let v = app.visitor("acme-support").await;
    let cid = v.say("again").await;
    let id = crate::support::blocking::newest_conversation(&agent).await;
    asked_and_accepted(&agent, &v, id, &cid).await;
    assert_eq!(
        visitor_signal(&v, &cid, offer("p1")).await.status(),
        StatusCode::OK
    );
    let now = app.core.clock.now();
    let report = {
        let mut c = app.core.db.get().unwrap();
        chatgate::db::purge::run(&mut c, now, chrono::Duration::hours(12)).unwrap()
    };
    assert_eq!(report.share_signals, 0, "a live share keeps them");
    let later = now + chrono::Duration::days(7) + chrono::Duration::seconds(1);
    let report = {
        let mut c = app.core.db.get().unwrap();
        chatgate::db::purge::run(&mut c, later, chrono::Duration::hours(12)).unwrap()
    };
    assert_eq!(report.share_signals, 1);
}

#[actix_web::test]
async fn turn_credentials_are_minted_per_share_with_the_shared_secret() {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let app = TestApp::builder()
        .env("CHATGATE_STUN_URLS", "stun:stun.example.test:3478")
        .env(
            "CHATGATE_TURN_URLS",
            "turn:turn.example.test:3478?transport=udp",
        )
        .env("CHATGATE_TURN_SECRET", "coturn-static-secret")
        .env("CHATGATE_TURN_TTL_SECONDS", "600")
        .spawn()
        .await;
    let (v, cid, agent, id) = chatting(&app, "hi").await;
    let before = agent
        .get(&format!("/agent/api/conversations/{id}/screen-share/ice"))
        .await;
    assert_eq!(before.status(), StatusCode::CONFLICT, "none before a yes");
    let yes = asked_and_accepted(&agent, &v, id, &cid).await;
    assert_eq!(yes["iceTransportPolicy"], "all", "direct unless relay only");
    let servers = &yes["iceServers"];
    assert_eq!(servers[0]["urls"], json!(["stun:stun.example.test:3478"]));
    let turn = &servers[1];
    let expires = app.core.clock.now().and_utc().timestamp() + 600;
    let user = turn["username"].as_str().unwrap();
    assert_eq!(user, format!("{expires}:c{id}-visitor"));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"coturn-static-secret").unwrap();
    mac.update(user.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(turn["credential"], expected);
    let ice: Value = agent
        .json(&format!("/agent/api/conversations/{id}/screen-share/ice"))
        .await;
    assert_eq!(
        ice["iceServers"][1]["username"],
        format!("{expires}:c{id}-agent")
    );
    assert!(!yes.to_string().contains("coturn-static-secret"));
}

#[actix_web::test]
async fn signals_and_a_block_cross_instances() {
    if std::env::var("TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        eprintln!("skipped: several instances need PostgreSQL (TEST_DATABASE_URL)");
        return;
    }
    let a = proxied().await;
    let b = a.another_instance().await;
    // The visitor on instance A, the agent on instance B.
    let ip = "203.0.113.88";
    let agent = b.sign_in(&b.acme.agent).await;
    let (v, cid, id) = chat_from(&a, &agent, ip, "over there").await;
    asked_and_accepted(&agent, &v, id, &cid).await;
    let mut on_b = agent.events(id, None).await;
    let mut on_a = v.events(&format!("?conversation={cid}"), None).await;
    assert_eq!(
        visitor_signal(&v, &cid, offer("p1")).await.status(),
        StatusCode::OK
    );
    assert_eq!(next_signal(&mut on_b).await["body"]["signal"], offer("p1"));
    let answer = json!({ "type": "answer", "peer": "p1", "sdp": SDP });
    assert_eq!(
        agent_signal(&agent, id, answer.clone()).await.status(),
        StatusCode::OK
    );
    assert_eq!(next_signal(&mut on_a).await["body"]["signal"], answer);
    // A block on B ends A's visitor stream and refuses A's signals.
    assert_eq!(block(&agent, id, "Abuse").await.status(), StatusCode::OK);
    let rest = on_a.drain(std::time::Duration::from_millis(1000)).await;
    assert!(rest.iter().any(|e| e["type"] == "unavailable"), "{rest:?}");
    let r = visitor_signal(&v, &cid, cand("p1", 1)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn oversized_and_malformed_signals_get_a_clear_error_and_store_nothing() {
    let app = crate::support::spawn_app().await;
    let (v, cid, agent, id) = chatting(&app, "hi").await;
    asked_and_accepted(&agent, &v, id, &cid).await;
    let error = |r: reqwest::Response| async move {
        let status = r.status();
        (
            status,
            r.json::<Value>().await.unwrap()["error"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    // Over the 16 KB a session description may have, under the body limit.
    let long = format!("v=0\r\n{}", "a=x\r\n".repeat(8_000));
    let r = visitor_signal(
        &v,
        &cid,
        json!({ "type": "offer", "peer": "p1", "sdp": long }),
    )
    .await;
    assert_eq!(
        error(r).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "The session description is not valid.".into()
        )
    );
    // Over the body limit.
    let huge = "a".repeat(200_000);
    let r = visitor_signal(
        &v,
        &cid,
        json!({ "type": "offer", "peer": "p1", "sdp": huge }),
    )
    .await;
    assert_eq!(
        error(r).await,
        (StatusCode::BAD_REQUEST, "The request is too large.".into())
    );
    let r = agent_signal(
        &agent,
        id,
        json!({ "type": "answer", "peer": "p1", "sdp": "a".repeat(200_000) }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Not JSON, a missing field, a NUL.
    let r = v
        .client
        .post(format!(
            "{}/conversations/{cid}/screen-share/signal",
            v.base
        ))
        .header("x-chatgate-visitor", &v.visitor)
        .header("content-type", "application/json")
        .body("{\"type\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error(r).await,
        (
            StatusCode::BAD_REQUEST,
            "The request body is not valid JSON.".into()
        )
    );
    let r = visitor_signal(&v, &cid, json!({ "type": "offer", "sdp": SDP })).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "no peer");
    let r = visitor_signal(
        &v,
        &cid,
        json!({ "type": "offer", "peer": "p1", "sdp": "v=0\u{0}" }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a NUL");
    assert!(stored_signals(&app).is_empty(), "nothing stored");
    let c: Value = agent.json(&format!("/agent/api/conversations/{id}")).await;
    assert_eq!(c["screen_share"], "accepted", "nor started");
}
