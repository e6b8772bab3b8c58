//! The visitor after a block ends: the same browser profile gets the button
//! back on its next page view, and what it types reaches the agents as a
//! new conversation, whether a manager lifted the block or it expired.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{browser::Browser, *};

/// The visitor's browser on the demo page sends `text` through the chat.
async fn visitor_says(v: &Browser, app: &TestApp, text: &str) {
    v.client
        .goto(&app.url("/demo?case=acme-support"))
        .await
        .unwrap();
    v.enter_chat().await;
    v.click("#launcher").await;
    v.send_message(text).await;
    // No error, now or a moment later.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let error = v.css("#error").await;
    let shown = error.text().await.unwrap();
    assert!(
        error.attr("hidden").await.unwrap().is_some() && shown.is_empty(),
        "the frame shows an error: {shown:?}"
    );
}

/// The one open conversation the agents see, by its internal id.
async fn waiting_conversation(agent: &SignedIn) -> i64 {
    let o = agent.overview().await;
    let open = o["conversations"].as_array().unwrap();
    assert_eq!(open.len(), 1, "one open conversation: {o}");
    assert_eq!(open[0]["status"], "waiting");
    open[0]["id"].as_i64().unwrap()
}

/// An agent blocks the visitor's conversation; the visitor's frame goes quiet.
async fn agent_blocks(agent: &SignedIn, v: &Browser) -> i64 {
    let id = waiting_conversation(agent).await;
    let r = agent
        .post_json(
            &format!("/agent/api/conversations/{id}/block"),
            json!({ "reason": "Abusive language" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for _ in 0..50 {
        if v.is_disabled("#input").await {
            return id;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the visitor's input never went inactive");
}

/// The same browser's next message reaches the agents, in a new conversation.
async fn the_same_browser_chats_again(app: &TestApp, agent: &SignedIn, v: &Browser, old: i64) {
    visitor_says(v, app, "Sorry about before, I need help").await;
    let id = waiting_conversation(agent).await;
    assert_ne!(id, old, "a new conversation");
    let mut s = agent.events(id, None).await;
    let e: Value = s.until("message").await;
    assert_eq!(e["body"]["text"], "Sorry about before, I need help");
    b_screenshot(v, "visitor-after-block").await;
}

async fn b_screenshot(b: &Browser, name: &str) {
    b.client.enter_parent_frame().await.ok();
    b.screenshot(name).await;
}

#[actix_web::test]
async fn after_unblock_now_the_same_browser_reaches_the_agents_again() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(manager) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let agent = app.sign_in(&app.acme.agent).await;
    visitor_says(&visitor, &app, "You are all useless!!!").await;
    let id = agent_blocks(&agent, &visitor).await;

    // The manager lifts the block with Unblock now.
    manager
        .sign_in(&app, &app.acme.manager, &format!("/conversations/{id}"))
        .await;
    manager.wait_text("#block", "Abusive language").await;
    manager.click("#block button[type=submit]").await;
    manager
        .confirm_in_page("They can use the chat again at once")
        .await;
    manager.wait_text(".flash", "unblocked").await;

    the_same_browser_chats_again(&app, &agent, &visitor, id).await;
    // And again on the page after, the new conversation continues.
    visitor.client.refresh().await.unwrap();
    visitor.enter_chat().await;
    visitor.click("#launcher").await;
    visitor
        .wait_text("#log", "Sorry about before, I need help")
        .await;
    visitor.client.clone().close().await.unwrap();
    manager.client.clone().close().await.unwrap();
}

#[actix_web::test]
async fn after_the_block_expires_the_same_browser_reaches_the_agents_again() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let agent = app.sign_in(&app.acme.agent).await;
    visitor_says(&visitor, &app, "You are all useless!!!").await;
    let id = agent_blocks(&agent, &visitor).await;
    app.core
        .clock
        .advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    // A week on, the agent's session has ended too: they sign in again.
    let agent = app.sign_in(&app.acme.agent).await;
    the_same_browser_chats_again(&app, &agent, &visitor, id).await;
    visitor.client.clone().close().await.unwrap();
}
