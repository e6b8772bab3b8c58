//! The visitor's seat: after a conversation ends (closed by an agent, by a
//! block, or by the block's expiry) the next page view starts afresh and
//! reaches the agents; the visitor's identity survives third-party-cookie
//! blocking (a partitioned cookie, and the frame's own token sent as a
//! header); the file input says what the account accepts.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    blocking::{block, bootstrap_shows, chat_from, proxied},
    visitors::VisitorClient,
    *,
};

/// What the frame reads on a new page view.
async fn state(v: &VisitorClient) -> Value {
    let r = v.get_by_cookie("/state").await;
    assert_eq!(r.status(), StatusCode::OK, "GET /state");
    r.json().await.unwrap()
}

/// A new page view, as the frame does it: read the state, and send the
/// message to the conversation it names if that is still open (or to none).
async fn new_page_view_says(v: &VisitorClient, text: &str) -> reqwest::Response {
    let s = state(v).await;
    let conversation = (s["conversation"]["status"] != "closed")
        .then(|| s["conversation"]["id"].as_str().map(str::to_owned))
        .flatten();
    v.post(
        "/messages",
        json!({ "text": text, "conversation": conversation }),
    )
    .await
}

/// The visitor's new message reaches the agents as a new waiting
/// conversation, and its text is in it.
async fn agents_receive(agent: &SignedIn, old: i64, text: &str) {
    let o = agent.overview().await;
    let fresh: Vec<&Value> = o["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_i64() != Some(old))
        .collect();
    assert_eq!(fresh.len(), 1, "one new conversation for the agents: {o}");
    assert_eq!(fresh[0]["status"], "waiting");
    let id = fresh[0]["id"].as_i64().unwrap();
    let mut s = agent.events(id, None).await;
    assert_eq!(s.until("message").await["body"]["text"], text);
}

async fn unblock(app: &TestApp, id: i64) {
    let boss = app.sign_in(&app.acme.manager).await;
    let r = boss
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "Unblock now");
}

/// After the visitor's conversation ended, the next page view names no
/// conversation to continue (only, with `survey`, the closed one whose
/// survey waits), and the message starts a new one.
async fn next_page_view_starts_afresh(
    agent: &SignedIn,
    v: &VisitorClient,
    (old_cid, old_id): (&str, i64),
    survey: bool,
) {
    let s = state(v).await;
    if survey {
        assert_eq!(s["conversation"]["id"], old_cid, "{s}");
        assert_eq!(s["conversation"]["status"], "closed", "{s}");
        assert_eq!(s["conversation"]["survey_pending"], true, "{s}");
    } else {
        assert!(
            s["conversation"].is_null(),
            "an ended conversation is not continued on a new page view: {s}"
        );
    }
    let r = new_page_view_says(v, "Hello again").await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let body: Value = r.json().await.unwrap();
    assert_ne!(body["conversation"], old_cid, "a new conversation");
    agents_receive(agent, old_id, "Hello again").await;
}

#[actix_web::test]
async fn unblock_now_gives_the_chat_back_to_the_same_browser() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, id) = chat_from(&app, &agent, "198.51.100.41", "rude words").await;
    assert_eq!(block(&agent, id, "insults").await.status(), StatusCode::OK);
    assert!(!bootstrap_shows(&app, "198.51.100.41").await);
    unblock(&app, id).await;
    assert!(bootstrap_shows(&app, "198.51.100.41").await, "the button");
    next_page_view_starts_afresh(&agent, &v, (&cid, id), false).await;
}

#[actix_web::test]
async fn an_expired_block_gives_the_chat_back_to_the_same_browser() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, id) = chat_from(&app, &agent, "198.51.100.42", "rude words").await;
    assert_eq!(block(&agent, id, "insults").await.status(), StatusCode::OK);
    app.core
        .clock
        .advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    // A week on, the agent's session has ended too: they sign in again.
    let agent = app.sign_in(&app.acme.agent).await;
    assert!(bootstrap_shows(&app, "198.51.100.42").await, "the button");
    next_page_view_starts_afresh(&agent, &v, (&cid, id), false).await;
}

#[actix_web::test]
async fn a_conversation_closed_by_an_agent_is_not_continued_on_a_new_page_view() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, id) = chat_from(&app, &agent, "198.51.100.43", "a question").await;
    let r = agent.act(id, "close").await;
    assert_eq!(r.status(), StatusCode::OK);
    // Named for its survey only: writing starts a new conversation.
    next_page_view_starts_afresh(&agent, &v, (&cid, id), true).await;
}

#[actix_web::test]
async fn an_open_conversation_is_still_continued_on_a_new_page_view() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("first").await;
    let s = state(&v).await;
    assert_eq!(s["conversation"]["id"], cid.as_str());
    assert_eq!(s["conversation"]["status"], "waiting");
    let r = new_page_view_says(&v, "second").await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["conversation"], cid.as_str());
}
