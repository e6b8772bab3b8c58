//! Browser journeys: Debian's Chromium driven through chromedriver. Without
//! Chromium they print "skipped: chromium not found" and pass, unless
//! CHATGATE_REQUIRE_BROWSER=1 (CI sets it), where they fail.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::{browser::Browser, *};

#[actix_web::test]
async fn manager_signs_in_sees_the_panel_and_signs_out() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let c = &b.client;
    c.goto(&app.url("/settings/users")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    c.find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys(&app.acme.manager)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    assert_eq!(
        b.text_of("main h1").await,
        "Users",
        "back to the page asked for"
    );
    let nav = b.text_of("nav.nav").await;
    for item in [
        "Overview",
        "Agent console",
        "Support",
        "Block Visitors",
        "Live Chat Window",
        "Users",
        "Audit log",
    ] {
        assert!(nav.contains(item), "navigation lacks {item}: {nav}");
    }
    assert!(b.text_of("main table").await.contains(&app.acme.agent));
    b.screenshot("users").await;

    c.find(Locator::Css(".me button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(b.text_of(".flash").await.contains("You have signed out."));
    c.goto(&app.url("/")).await.unwrap();
    assert!(
        c.current_url().await.unwrap().path().ends_with("/login"),
        "signed out for real"
    );
    c.clone().close().await.unwrap();
}

#[actix_web::test]
async fn visitor_on_demo_and_agent_chat_live_with_file_survey_and_screen_share() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(agent) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    visitor
        .client
        .goto(&app.url("/demo?case=acme-support"))
        .await
        .unwrap();
    visitor.enter_chat().await;
    visitor.click("#launcher").await;
    visitor
        .css("#input")
        .await
        .send_keys("Hello from the demo page")
        .await
        .unwrap();
    visitor.click("#send").await;
    visitor.wait_text("#log", "Hello from the demo page").await;

    agent.sign_in(&app, &app.acme.agent, "/agent").await;
    agent.wait_text("#waiting", "Support").await;
    agent.click("#waiting .queue-item").await;
    agent
        .wait_text("#transcript", "Hello from the demo page")
        .await;
    agent
        .css("#reply-input")
        .await
        .send_keys("Hi! How can I help?")
        .await
        .unwrap();
    agent.click("#reply-send").await;
    visitor.wait_text("#log", "Hi! How can I help?").await;
    visitor.wait_text("#log", "joined the chat").await;

    // A file from the visitor.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("order-1234.txt");
    std::fs::write(&path, "order 1234").unwrap();
    visitor
        .css("#file")
        .await
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    visitor.wait_text("#log", "order-1234.txt").await;
    agent.wait_text("#transcript", "order-1234.txt").await;

    // The hamburger menu, top left: a screen-share request, declined.
    agent.click("#menu-button").await;
    agent.click("#menu [data-action=screen-share]").await;
    visitor.wait_text("#log", "asks to see your screen").await;
    b_screenshot(&visitor, "visitor-screen-share").await;
    visitor
        .client
        .find(Locator::XPath("//button[text()='No, thanks']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    agent
        .wait_text("#transcript", "declined the screen-share request")
        .await;

    // The survey, sent from the menu and answered.
    agent.click("#menu-button").await;
    agent.click("#menu [data-action=survey]").await;
    visitor.wait_text("#log", "How was this chat?").await;
    visitor.click(".stars .star:nth-child(4)").await;
    visitor.click(".survey button[type=submit]").await;
    visitor
        .wait_text("#log", "Thank you for your feedback!")
        .await;
    agent
        .wait_text("#transcript", "Survey answer: 4 of 5")
        .await;
    b_screenshot(&agent, "agent-console").await;
    b_screenshot(&visitor, "visitor-chat").await;

    // A reload keeps the whole conversation.
    visitor.client.refresh().await.unwrap();
    visitor.enter_chat().await;
    visitor.click("#launcher").await;
    visitor.wait_text("#log", "Hi! How can I help?").await;

    visitor.client.clone().close().await.unwrap();
    agent.client.clone().close().await.unwrap();
}

async fn b_screenshot(b: &Browser, name: &str) {
    b.client.enter_parent_frame().await.ok();
    b.screenshot(name).await;
    if let Ok(f) = b.client.find(Locator::Css("iframe[data-chatgate]")).await {
        f.enter_frame().await.ok();
    }
}

#[actix_web::test]
async fn agent_blocks_from_the_menu_and_a_manager_unblocks() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(staff) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    visitor
        .client
        .goto(&app.url("/demo?case=acme-support"))
        .await
        .unwrap();
    visitor.enter_chat().await;
    visitor.click("#launcher").await;
    visitor
        .css("#input")
        .await
        .send_keys("You are all useless!!!")
        .await
        .unwrap();
    visitor.click("#send").await;
    visitor.wait_text("#log", "useless").await;

    // The agent blocks through the hamburger menu; an empty reason is refused.
    staff.sign_in(&app, &app.acme.agent, "/agent").await;
    staff.wait_text("#waiting", "Support").await;
    staff.click("#waiting .queue-item").await;
    staff.wait_text("#transcript", "useless").await;
    staff.click("#menu-button").await;
    staff.click("#menu [data-action=block]").await;
    staff.click("#block-confirm").await;
    staff.wait_text("#block-error", "Give a reason").await;
    staff
        .css("#block-reason")
        .await
        .send_keys("Abusive language")
        .await
        .unwrap();
    staff.click("#block-confirm").await;
    staff
        .wait_text(
            "#transcript",
            "Visitor blocked by acme agent: Abusive language",
        )
        .await;

    // The visitor's input goes inactive, with no text about it.
    for _ in 0..50 {
        if visitor
            .css("#input")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_some()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        visitor
            .css("#input")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_some(),
        "input inactive"
    );
    visitor.says_none_of(&["block", "abusive"]).await;
    b_screenshot(&visitor, "visitor-blocked").await;

    // After a reload there is no chat button at all.
    visitor.client.enter_parent_frame().await.unwrap();
    visitor.client.refresh().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        visitor
            .client
            .find(Locator::Css("iframe[data-chatgate]"))
            .await
            .is_err(),
        "no button after a reload"
    );

    // The manager filters on Blocked, sees the countdown, and unblocks.
    let staff2 = staff;
    staff2.client.delete_all_cookies().await.unwrap();
    staff2
        .sign_in(
            &app,
            &app.acme.manager,
            &format!("/cases/{}/conversations", app.acme.case.id),
        )
        .await;
    let select = staff2.css("select[name=blocking]").await;
    select.select_by_value("blocked").await.unwrap();
    staff2.wait_text("table.conversations", "Blocked").await;
    assert!(
        staff2
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("blocking=blocked"),
        "the filter is in the URL"
    );
    staff2.screenshot("conversations-blocked").await;
    staff2.click("table.conversations a.btn").await;
    staff2.wait_text("#block", "Abusive language").await;
    let before = staff2.css("time.countdown").await.text().await.unwrap();
    assert!(before.starts_with("6d 23h"), "countdown: {before}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let after = staff2.css("time.countdown").await.text().await.unwrap();
    assert_ne!(before, after, "the countdown is live");
    staff2.screenshot("transcript-blocked").await;
    staff2.click("#block button[type=submit]").await;
    // Asked in the page, saying what will happen.
    staff2
        .wait_text(
            "dialog.confirm-dialog",
            "They can use the chat again at once",
        )
        .await;
    staff2.screenshot("transcript-unblock-confirm").await;
    staff2.click("dialog.confirm-dialog button[value=ok]").await;
    staff2.wait_text(".flash", "unblocked").await;
    staff2.wait_text("#block", "Lifted early").await;

    // The button is back for the visitor.
    visitor.client.refresh().await.unwrap();
    visitor.enter_chat().await;
    visitor.css("#launcher").await;
    visitor.client.clone().close().await.unwrap();
    staff2.client.clone().close().await.unwrap();
}
