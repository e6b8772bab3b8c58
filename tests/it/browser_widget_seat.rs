//! Browser journeys for the visitor's frame: a file link downloads by a
//! ticket for that one file; the survey of a conversation an agent closed
//! waits on the next page view; a refused event stream is retried with a
//! growing wait and then given up.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{browser::Browser, *};

/// A visitor on the demo page with the chat open, after a first message.
async fn visitor_says(app: &TestApp, b: &Browser, text: &str) {
    b.open_chat(app).await;
    b.send_message(text).await;
}

/// Runs `script` in the frame and returns its value.
async fn run(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

#[actix_web::test]
async fn a_file_link_downloads_with_a_ticket_for_that_file() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    visitor_says(&app, &b, "Here is the receipt").await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("receipt.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 receipt").unwrap();
    b.css("#file")
        .await
        .send_keys(pdf.to_str().unwrap())
        .await
        .unwrap();
    b.wait_text("#log", "receipt.pdf").await;
    let link = b.css("#log a.file").await;
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some("#"),
        "the link itself carries no ticket"
    );
    // Record the download the link starts instead of letting it happen.
    run(
        &b,
        "window.__downloads = []; HTMLAnchorElement.prototype.click = \
         function () { window.__downloads.push(this.href); };",
    )
    .await;
    link.click().await.unwrap();
    let mut href = String::new();
    for _ in 0..50 {
        if let Value::String(h) = run(&b, "return window.__downloads[0] || null;").await {
            href = h;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        href.contains("/files/") && href.contains("ticket="),
        "{href}"
    );
    // The URL works by itself (no header, no cookie), for that file.
    let r = reqwest::get(&href).await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert_eq!(&r.bytes().await.unwrap()[..], b"%PDF-1.4 receipt");
    // Its ticket opens no event stream.
    let ticket = href.split("ticket=").nth(1).unwrap();
    let stream = app.url(&format!("/widget/v1/acme-support/events?ticket={ticket}"));
    let r = reqwest::get(&stream).await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNAUTHORIZED);
    b.client.clone().close().await.unwrap();
}

#[actix_web::test]
async fn the_survey_waits_on_the_next_page_view_after_an_agent_closes() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    visitor_says(&app, &b, "Where is my parcel?").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let r = agent.act(id, "close").await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);

    // The next page view: the survey is there to answer.
    b.client.enter_parent_frame().await.unwrap();
    b.client.refresh().await.unwrap();
    b.enter_chat().await;
    b.click("#launcher").await;
    b.wait_text("#log", "How was this chat?").await;
    b.screenshot("widget-survey-after-close").await;
    b.click(".survey .star:nth-child(4)").await;
    b.click(".survey button[type=submit]").await;
    b.wait_text("#log", "Thank you for your feedback!").await;
    // Writing starts a new conversation that reaches the agents.
    b.send_message("One more question").await;
    let o = agent.overview().await;
    let fresh: Vec<&Value> = o["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_i64() != Some(id))
        .collect();
    assert_eq!(fresh.len(), 1, "a new conversation: {o}");
    b.client.clone().close().await.unwrap();
}

#[actix_web::test]
async fn a_refused_stream_is_retried_with_a_growing_wait_then_given_up() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    b.open_chat(&app).await;
    // Every stream from now on is refused at once; waits are recorded and
    // cut short.
    run(
        &b,
        "window.__streams = 0; window.__waits = [];\
         window.EventSource = function () {\
           var s = this; window.__streams += 1; s.readyState = 0;\
           s.close = function () { s.readyState = 2; };\
           Promise.resolve().then(function () { s.readyState = 2; if (s.onerror) s.onerror(); });\
         };\
         window.EventSource.CLOSED = 2;\
         var later = window.setTimeout;\
         window.setTimeout = function (f, ms) { window.__waits.push(ms); return later(f, 0); };",
    )
    .await;
    // A message starts a conversation, and the frame opens its stream.
    b.css("#input").await.send_keys("hello").await.unwrap();
    b.click("#send").await;
    let mut streams = Value::Null;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        streams = run(&b, "return window.__streams;").await;
    }
    assert_eq!(streams, json!(6), "one stream and five retries, then none");
    let waits = run(
        &b,
        "return window.__waits.filter(function (w) { return w >= 1000; });",
    )
    .await;
    assert_eq!(waits, json!([3000, 6000, 12000, 24000, 48000]));
    b.client.clone().close().await.unwrap();
}
