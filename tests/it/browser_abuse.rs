//! Browser journeys of abuse protection. Flood control: a manager sets a
//! limit on the Abuse protection page; a visitor who sends too fast reads
//! only the neutral notice and keeps what they typed; after a third
//! offence in an hour the agent sees the line and blocks in one click, the
//! reason filled in. The shield: a slur reaches the agent masked, Show
//! reveals it, and three strikes offer Block the same way.

use std::time::Duration;

use chatgate::domain::flood::SLOW_DOWN;

use crate::support::{browser::Browser, *};

/// The visitor types `text` and presses Send; the frame refuses it with
/// the neutral notice and keeps the text.
async fn refused(v: &Browser, text: &str) {
    v.css("#input").await.send_keys(text).await.unwrap();
    v.click("#send").await;
    v.wait_text("#error", SLOW_DOWN).await;
    let kept = v.css("#input").await.prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some(text), "what was typed stays");
    let shown = v.text_of("#error").await.to_lowercase();
    assert!(!shown.contains("block"), "{shown}");
}

/// A minute later the same text goes (Send pressed again).
async fn sent_later(app: &TestApp, v: &Browser, text: &str) {
    app.core.clock.advance(chrono::Duration::seconds(61));
    v.click("#send").await;
    v.wait_text("#log", text).await;
    for _ in 0..50 {
        if v.css("#input")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref()
            == Some("")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{text} was never sent");
}

#[actix_web::test]
async fn a_flooding_visitor_waits_and_after_three_times_the_agent_blocks_in_one_click() {
    let Some(manager) = Browser::start().await else {
        return;
    };
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(agent) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    // One message a minute, set on the page.
    manager
        .sign_in(&app, &app.acme.manager, "/settings/abuse")
        .await;
    manager.click("input[name=messages_on]").await;
    let field = manager.css("input[name=messages]").await;
    field.clear().await.unwrap();
    field.send_keys("1").await.unwrap();
    manager.click("form.abuse-form button[type=submit]").await;
    manager
        .wait_text(
            ".flash",
            "Saved: flood limits are messages 1, conversations off, files off.",
        )
        .await;
    manager.screenshot("abuse-protection").await;
    manager.client.set_window_size(390, 844).await.unwrap();
    let (page, window) = manager.page_widths().await;
    assert!(page <= window, "fits a phone: {page} > {window}");
    manager.screenshot("abuse-protection-390").await;

    visitor.open_chat(&app).await;
    visitor.send_message("Hello?").await;
    refused(&visitor, "HELLO???").await;
    visitor.screenshot("visitor-flood-notice").await;
    sent_later(&app, &visitor, "HELLO???").await;
    refused(&visitor, "answer me").await;
    sent_later(&app, &visitor, "answer me").await;
    refused(&visitor, "now!").await;

    agent.open_waiting_chat(&app).await;
    agent
        .wait_text("#transcript", "Sending too fast (3 times in an hour)")
        .await;
    agent.screenshot("console-flood-line").await;
    let reason = agent.offered_block_reason().await;
    assert_eq!(
        reason.as_deref(),
        Some("Sending too fast (3 times in an hour)")
    );
    agent.click("#block-confirm").await;
    agent
        .wait_text(
            "#transcript",
            "Visitor blocked by acme agent: Sending too fast (3 times in an hour)",
        )
        .await;
}

#[actix_web::test]
async fn the_shield_masks_for_the_agent_and_show_reveals() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(agent) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    visitor.open_chat(&app).await;
    visitor.send_message("you are a c u n t").await;
    agent.open_waiting_chat(&app).await;
    agent.wait_text("#transcript", "you are a ••••").await;
    agent.screenshot("console-shield-masked").await;
    agent.click("#transcript .shielded button").await;
    agent.wait_text("#transcript", "you are a c u n t").await;
    // Two more strikes make three: Block is offered, its reason filled in.
    visitor.send_message("SHIT service").await;
    visitor.send_message("a$$hole").await;
    agent
        .wait_text("#transcript", "Offensive language (3 strikes)")
        .await;
    agent.screenshot("console-shield-strikes").await;
    let reason = agent.offered_block_reason().await;
    assert_eq!(reason.as_deref(), Some("Offensive language (3 strikes)"));
    agent.click("#block-confirm").await;
    agent
        .wait_text(
            "#transcript",
            "Visitor blocked by acme agent: Offensive language (3 strikes)",
        )
        .await;
}
