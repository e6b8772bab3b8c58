//! A browser that was in a blocked conversation in the last 7 days starts
//! a chat from an address no block covers: the agents read when and why
//! it was blocked, with Block offered (always on, whatever the account's
//! settings). After 7 days nothing is said.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::blocking::proxied;

#[actix_web::test]
async fn a_new_chat_of_a_blocked_browser_warns_the_agents_for_seven_days() {
    let app = proxied().await;
    let v = app.visitor_via("acme-support", Some("203.0.113.20")).await;
    v.say("I will find you").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let first = agent.conversation_id().await;
    let r = agent
        .post_json(
            &format!("/agent/api/conversations/{first}/block"),
            json!({ "reason": "Threats to the team" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The same browser at another address: not refused, but told.
    let moved = v.elsewhere("198.51.100.9");
    moved.say("hello again").await;
    let second = agent.conversation_id().await;
    assert_ne!(second, first);
    let mut s = agent.events(second, None).await;
    let note = s.until("note").await;
    let day = app.core.clock.now().format("%-d %b %Y").to_string();
    assert_eq!(
        note["body"]["text"],
        format!("This browser was blocked on {day}: Threats to the team")
    );
    assert_eq!(note["body"]["block_reason"], "Threats to the team");
    // The visitor never sees it.
    let mut theirs = moved.events("", None).await;
    let seen = theirs.drain(std::time::Duration::from_millis(300)).await;
    assert!(seen.iter().all(|e| e["kind"] != "note"), "{seen:?}");

    // A week and a day later, a new chat is not flagged.
    assert_eq!(agent.act(second, "close").await.status(), StatusCode::OK);
    app.core.clock.advance(Duration::days(8));
    // (A week on, the agent signs in anew.)
    let agent = app.sign_in(&app.acme.agent).await;
    let later = v.elsewhere("198.51.100.10");
    later.say("new week").await;
    let third = agent.conversation_id().await;
    assert_ne!(third, second);
    let mut s = agent.events(third, None).await;
    let events = s.drain(std::time::Duration::from_millis(300)).await;
    assert!(events.iter().all(|e| e["kind"] != "note"), "{events:?}");
}
