//! What the console's alerts read: when the visitor of each open
//! conversation last wrote. An agent's reply does not move it.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

#[actix_web::test]
async fn the_overview_says_when_the_visitor_last_wrote() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    v.say("hello").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let wrote = |o: serde_json::Value| o["conversations"][0]["visitor_wrote_at"].clone();
    let first = wrote(agent.overview().await);
    assert!(
        first.as_str().is_some_and(|t| t.ends_with("+00:00")),
        "{first}"
    );

    let id = agent.conversation_id().await;
    let path = format!("/agent/api/conversations/{id}/messages");
    let r = agent.post_json(&path, json!({ "text": "Hi!" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(wrote(agent.overview().await), first, "the agent's reply");

    app.core.clock.advance(chrono::Duration::seconds(5));
    v.say("still there?").await;
    let later = wrote(agent.overview().await);
    assert!(
        later.as_str().unwrap() > first.as_str().unwrap(),
        "{later} after {first}"
    );
    // Another account's console never sees it.
    let other = app.sign_in(&app.globex.agent).await;
    assert_eq!(other.overview().await["conversations"], json!([]));
}
