//! Browser journey of blocks that follow the browser: with the option on,
//! the blocked visitor's browser on another address sees no chat at all;
//! with it off, the same browser chats from there and the agent reads
//! that it was blocked, with Block offered.

use std::time::Duration;

use crate::support::{
    blocking::{block, bootstrap_shows, newest_conversation, proxied},
    browser::Browser,
};

/// Saves the option on the Abuse protection page, as the manager.
async fn save_option(manager: &Browser, on: bool) {
    let checked = manager
        .css("input[name=block_browser]")
        .await
        .prop("checked")
        .await
        .unwrap();
    if (checked.as_deref() == Some("true")) != on {
        manager.click("input[name=block_browser]").await;
    }
    manager
        .click("form[action='/settings/abuse/browser'] button[type=submit]")
        .await;
    let saved = if on {
        "Saved: a block now also covers the visitor's browser"
    } else {
        "Saved: blocks cover the visitor's network only"
    };
    manager.wait_text(".flash", saved).await;
}

/// Whether the chat's frame is on the page after the loader had time to
/// mount it and the frame to answer.
async fn chat_shows(v: &Browser) -> bool {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let frames = v
        .client
        .find_all(fantoccini::Locator::Css("iframe[data-chatgate]"))
        .await
        .unwrap();
    !frames.is_empty()
}

#[actix_web::test]
async fn a_blocked_browser_elsewhere_is_refused_with_the_option_on_and_warned_of_with_it_off() {
    let Some(manager) = Browser::start().await else {
        return;
    };
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(agent) = Browser::start().await else {
        return;
    };
    let app = proxied().await;
    manager
        .sign_in(&app, &app.acme.manager, "/settings/abuse")
        .await;
    save_option(&manager, true).await;
    manager
        .client
        .execute(
            "document.getElementById('browser').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    manager.screenshot("abuse-browser-option").await;

    visitor.forwarded_for("203.0.113.20").await;
    visitor.open_chat(&app).await;
    visitor.send_message("you will regret this").await;
    let http_agent = app.sign_in(&app.acme.agent).await;
    let first = newest_conversation(&http_agent).await;
    let r = block(&http_agent, first, "Threats from rotating VPNs").await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);

    // Another address: the loader is served (it carries no cookie), the
    // frame is refused and removed, and nothing shows.
    visitor.forwarded_for("198.51.100.9").await;
    assert!(bootstrap_shows(&app, "198.51.100.9").await);
    visitor
        .client
        .goto(&app.url("/demo?case=acme-support"))
        .await
        .unwrap();
    assert!(
        !chat_shows(&visitor).await,
        "the blocked browser sees a chat"
    );
    visitor.screenshot("browser-block-refused").await;

    // Off: the same browser chats from there, and the agent is told.
    save_option(&manager, false).await;
    visitor.open_chat(&app).await;
    visitor.send_message("hello again").await;
    agent.open_waiting_chat(&app).await;
    agent
        .wait_text("#transcript", "This browser was blocked on")
        .await;
    agent
        .wait_text("#transcript", "Threats from rotating VPNs")
        .await;
    agent.screenshot("console-browser-warning").await;
    let reason = agent.offered_block_reason().await;
    assert_eq!(reason.as_deref(), Some("Threats from rotating VPNs"));
}
