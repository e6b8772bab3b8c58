//! The chat core through HTTP and the event streams.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

#[actix_web::test]
async fn visitor_agent_visitor_round_trip_live() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("Hello, my order is late").await;
    let mut vs = v.events(&format!("?conversation={cid}"), None).await;
    assert_eq!(vs.status, StatusCode::OK);
    let first = vs.event().await;
    assert_eq!(first["body"]["text"], "Hello, my order is late");
    assert_eq!(first["author"], "visitor");

    let agent = app.sign_in(&app.acme.agent).await;
    let o = agent.overview().await;
    assert_eq!(o["conversations"][0]["status"], "waiting");
    assert_eq!(o["conversations"][0]["case"], "Support");
    let id = o["conversations"][0]["id"].as_i64().unwrap();
    let mut agent_stream = agent.events(id, None).await;
    assert_eq!(
        agent_stream.event().await["body"]["text"],
        "Hello, my order is late"
    );

    let r = agent
        .post_json(
            &format!("/agent/api/conversations/{id}/messages"),
            json!({ "text": "Sorry! Let me look." }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(vs.event().await["kind"], "agent_joined");
    let reply = vs.event().await;
    assert_eq!(reply["body"]["text"], "Sorry! Let me look.");
    assert_eq!(reply["author"], "agent");
    assert_eq!(reply["name"], "acme agent");
    assert_eq!(
        agent.overview().await["conversations"][0]["status"],
        "active"
    );

    let cid2 = v.say("Thanks").await;
    assert_eq!(cid2, cid, "the open conversation continues");
    assert_eq!(
        agent_stream.until("message").await["body"]["text"],
        "Sorry! Let me look."
    );
    assert_eq!(
        agent_stream.until("message").await["body"]["text"],
        "Thanks"
    );
}

#[actix_web::test]
async fn reload_keeps_history_and_reconnect_resumes_without_loss() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("one").await;
    v.say("two").await;
    v.say("three").await;
    // A reload: the state names the conversation, the stream replays it all.
    let state: serde_json::Value = v.get_by_cookie("/state").await.json().await.unwrap();
    assert_eq!(state["conversation"]["id"], cid.as_str());
    let mut s = v.events(&format!("?conversation={cid}"), None).await;
    let texts: Vec<_> = [s.event().await, s.event().await, s.event().await]
        .iter()
        .map(|e| e["body"]["text"].clone())
        .collect();
    assert_eq!(texts, [json!("one"), json!("two"), json!("three")]);
    drop(s);
    // A reconnect after seq 2 gets only what came after, once each.
    v.say("four").await;
    let mut s = v.events(&format!("?conversation={cid}"), Some(2)).await;
    let got = s.drain(Duration::from_millis(1500)).await;
    let seqs: Vec<_> = got
        .iter()
        .filter(|e| e["type"] == "event")
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [3, 4]);
}

#[actix_web::test]
async fn invitation_reaches_an_online_visitor() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let mut s = v.events("?url=https://shop.example/tents", None).await;
    let agent = app.sign_in(&app.acme.agent).await;
    // The visitor shows as online once the stream has marked them.
    let mut visitor_id = None;
    for _ in 0..50 {
        let o = agent.overview().await;
        if let Some(id) = o["visitors"][0]["id"].as_i64() {
            assert_eq!(o["visitors"][0]["page_url"], "https://shop.example/tents");
            visitor_id = Some(id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let id = visitor_id.expect("the visitor is listed as online");
    let r = agent
        .post_json(
            &format!("/agent/api/visitors/{id}/invite"),
            json!({ "message": "  " }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = agent
        .post_json(
            &format!("/agent/api/visitors/{id}/invite"),
            json!({ "message": "Need help choosing a tent?" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let inv = loop {
        let m = s
            .next(Duration::from_secs(10))
            .await
            .expect("the invitation");
        if m["type"] == "invitation" {
            break m;
        }
    };
    assert_eq!(inv["message"], "Need help choosing a tent?");
    assert_eq!(inv["agent"], "acme agent");
    // Another account's agent cannot invite this visitor.
    let other = app.sign_in(&app.globex.agent).await;
    let r = other
        .post_json(
            &format!("/agent/api/visitors/{id}/invite"),
            json!({ "message": "Hi" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn survey_after_close_is_stored_once() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("hi").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let mut s = v.events(&format!("?conversation={cid}"), None).await;
    let early = v
        .post(
            &format!("/conversations/{cid}/survey"),
            json!({ "rating": 5 }),
        )
        .await;
    assert_eq!(
        early.status(),
        StatusCode::CONFLICT,
        "no survey offered yet"
    );
    let r = agent.act(id, "close").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(s.until("closed").await["kind"], "closed");
    assert_eq!(s.until("survey_offered").await["kind"], "survey_offered");

    let bad = v
        .post(
            &format!("/conversations/{cid}/survey"),
            json!({ "rating": 9 }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = v
        .post(
            &format!("/conversations/{cid}/survey"),
            json!({ "rating": 4, "comment": "Quick and kind" }),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let again = v
        .post(
            &format!("/conversations/{cid}/survey"),
            json!({ "rating": 1 }),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let c: serde_json::Value = agent.json(&format!("/agent/api/conversations/{id}")).await;
    assert_eq!(c["survey_rating"], 4);
    assert_eq!(c["status"], "closed");
    let mut a = agent.events(id, None).await;
    let answer = a.until("survey_answered").await;
    assert_eq!(answer["body"]["comment"], "Quick and kind");
}

#[actix_web::test]
async fn agent_can_send_the_survey_during_the_chat() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("hi").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let r = agent.act(id, "survey").await;
    assert_eq!(r.status(), StatusCode::OK);
    let twice = agent.act(id, "survey").await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    let ok = v
        .post(
            &format!("/conversations/{cid}/survey"),
            json!({ "rating": 5 }),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[actix_web::test]
async fn screen_share_request_accept_and_decline() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("my screen looks odd").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let mut s = v.events(&format!("?conversation={cid}"), None).await;
    let share = format!("/agent/api/conversations/{id}/screen-share");
    let answer = format!("/conversations/{cid}/screen-share");

    let r = v.post(&answer, json!({ "accept": true })).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing to answer yet"
    );
    assert_eq!(
        agent.post_json(&share, json!({})).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        agent.post_json(&share, json!({})).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "one pending request at a time"
    );
    assert_eq!(
        s.until("screen_share_requested").await["name"],
        "acme agent"
    );
    assert_eq!(
        v.post(&answer, json!({ "accept": false })).await.status(),
        StatusCode::OK
    );
    s.until("screen_share_declined").await;

    assert_eq!(
        agent.post_json(&share, json!({})).await.status(),
        StatusCode::OK,
        "ask again"
    );
    assert_eq!(
        v.post(&answer, json!({ "accept": true })).await.status(),
        StatusCode::OK
    );
    s.until("screen_share_accepted").await;
    let c: serde_json::Value = agent.json(&format!("/agent/api/conversations/{id}")).await;
    assert_eq!(c["screen_share"], "accepted");
}

#[actix_web::test]
async fn bad_widget_input_gets_a_clear_answer_and_stores_nothing() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let err = |r: serde_json::Value| r["error"].as_str().unwrap().to_owned();

    let r = v.post("/messages", json!({ "text": "   " })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err(r.json().await.unwrap()), "Type a message first.");
    let r = v
        .post("/messages", json!({ "text": "x".repeat(4001) }))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err(r.json().await.unwrap()).contains("4000"));
    let r = v
        .client
        .post(format!("{}/messages", v.base))
        .header("x-chatgate-visitor", &v.visitor)
        .header("content-type", "application/json")
        .body("{\"text\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        err(r.json().await.unwrap()),
        "The request body is not valid JSON."
    );
    let r = v
        .client
        .post(format!("{}/messages", v.base))
        .json(&json!({ "text": "hi" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no widget token");
    let agent = app.sign_in(&app.acme.agent).await;
    assert!(
        agent.overview().await["conversations"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing stored"
    );

    let r = app
        .client
        .get(app.url("/widget/v1/no-such-case/bootstrap?url=https://x.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(err(r.json().await.unwrap()), "This chat is not available.");
    let r = app
        .client
        .get(app.url("/widget/v1/no-such-case/frame"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A message to a closed conversation.
    let cid = v.say("hello").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    agent.act(id, "close").await;
    let r = v
        .post(
            "/messages",
            json!({ "text": "still there?", "conversation": cid }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(err(r.json().await.unwrap()), "This conversation has ended.");
    let r = agent
        .post_json(
            &format!("/agent/api/conversations/{id}/messages"),
            json!({ "text": "late" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Without naming it, the next message starts a new conversation.
    let next = v.say("new question").await;
    assert_ne!(next, cid);
}

#[actix_web::test]
async fn one_visitor_cannot_read_another_visitors_conversation() {
    let app = spawn_app().await;
    let alice = app.visitor("acme-support").await;
    let mallory = app.visitor("acme-support").await;
    let cid = alice.say("my address is 1 Main St").await;
    let s = mallory.events(&format!("?conversation={cid}"), None).await;
    assert_eq!(s.status, StatusCode::NOT_FOUND);
    let r = mallory
        .post("/messages", json!({ "text": "hi", "conversation": cid }))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = mallory
        .post(
            &format!("/conversations/{cid}/screen-share"),
            json!({ "accept": true }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nor through another case of the same account's key.
    let other_case = app.visitor("globex-support").await;
    assert_eq!(
        other_case
            .events(&format!("?conversation={cid}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // An agent of another account gets 404 too.
    let alice_agent = app.sign_in(&app.acme.agent).await;
    let id = alice_agent.conversation_id().await;
    let globex = app.sign_in(&app.globex.agent).await;
    let r = globex.get(&format!("/agent/api/conversations/{id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(globex.events(id, None).await.status, StatusCode::NOT_FOUND);
}
