//! Browser journey: an agent opens the conversation of a visitor who was
//! blocked before. The chat window's sidebar tells the country and the
//! protection history (reason and date), follows the visitor to another
//! page, sits beside the transcript at 1280 px, and folds behind "Visitor
//! info" on a 390 px phone, where the chat keeps the width.

use std::time::Duration;

use chrono::Datelike;
use serde_json::Value;

use crate::support::{
    axe::serious_violations,
    blocking::{block, newest_conversation, proxied, unblock},
    browser::Browser,
};

/// The box of the element `css` (left, right, width, height) and whether
/// it is displayed.
async fn layout(b: &Browser, css: &str) -> (f64, f64, f64, f64, bool) {
    let script =
        "const e = document.querySelector(arguments[0]); const r = e.getBoundingClientRect();\
        return [r.left, r.right, r.width, r.height, getComputedStyle(e).display !== 'none'];";
    let v = b
        .client
        .execute(script, vec![Value::String(css.into())])
        .await
        .unwrap();
    let n = |i: usize| v[i].as_f64().unwrap();
    (n(0), n(1), n(2), n(3), v[4].as_bool().unwrap())
}

async fn scrolls_sideways(b: &Browser) -> bool {
    let v = b
        .client
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    v.as_bool().unwrap()
}

#[actix_web::test]
async fn console_sidebar_tells_an_agent_about_a_visitor_blocked_before() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let manager = app.sign_in(&app.acme.manager).await;
    // Blocked before, from this address and browser, and unblocked early.
    let v = app.visitor_via("acme-support", Some("198.51.100.60")).await;
    v.say("You are all idiots").await;
    let before = newest_conversation(&agent).await;
    assert!(block(&agent, before, "Insulted our agent")
        .await
        .status()
        .is_success());
    assert!(unblock(&manager, before).await.status().is_redirection());
    // Back, on a page, and writing.
    let _pricing = v.on_page(&app, "https://shop.example/pricing").await;
    v.say("Sorry about last time. Where is my parcel?").await;

    b.sign_in(&app, &app.acme.agent, "/agent").await;
    b.wait_text("#waiting", "Support").await;
    b.click("#waiting .queue-item").await;
    b.wait_text("#transcript", "parcel").await;
    b.wait_text("#context-blocks", "Insulted our agent").await;
    let sidebar = b.text_of("#visitor-context").await;
    for says in [
        "Visitor info",
        "France",
        "shop.example/pricing",
        "Lifted early",
        "This browser and network",
        "Blocked ",
        "by acme agent",
        "No refusals in the last 7 days",
    ] {
        assert!(
            sidebar.contains(says),
            "the sidebar says {says:?}: {sidebar}"
        );
    }
    assert!(
        !sidebar.contains("198.51.100"),
        "never the address: {sidebar}"
    );
    let year = app.core.clock.now().year().to_string();
    // Read in one script: the sidebar may be drawn again meanwhile.
    let date = b
        .client
        .execute(
            "const t = document.querySelector('#context-blocks time');\
             return t ? [t.textContent, t.getAttribute('title') || ''] : ['', ''];",
            vec![],
        )
        .await
        .unwrap();
    let (shown, full) = (
        date[0].as_str().unwrap_or_default().to_owned(),
        date[1].as_str().unwrap_or_default().to_owned(),
    );
    assert!(
        !shown.is_empty() && full.contains(&year),
        "the block's date: {shown} ({full})"
    );
    b.css("#context-earlier a").await;
    let link = b
        .client
        .execute(
            "const a = document.querySelector('#context-earlier a');\
             return a ? a.getAttribute('href') : null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        link.as_str(),
        Some(format!("/conversations/{before}").as_str())
    );

    // Beside the transcript, the chat still wide.
    let (_, transcript_right, transcript_width, _, _) = layout(&b, "#transcript").await;
    let (aside_left, _, aside_width, _, shown) = layout(&b, "#visitor-context").await;
    assert!(
        shown && aside_width >= 250.0,
        "the sidebar shows: {aside_width}"
    );
    assert!(
        aside_left >= transcript_right - 1.0,
        "right of the transcript"
    );
    assert!(transcript_width >= 360.0, "{transcript_width}");
    assert!(
        !layout(&b, ".context-toggle").await.4,
        "no toggle when there is room"
    );
    b.doc_screenshot("console-1280").await;
    let axe = serious_violations(&b).await;
    assert!(axe.is_empty(), "the console with a chat open: {axe:?}");

    // The visitor moves on: the sidebar follows.
    let _checkout = v.on_page(&app, "https://shop.example/checkout").await;
    b.wait_text("#context-page", "shop.example/checkout").await;
    b.wait_text("#context-pages", "shop.example/checkout").await;

    // The narrowest window with the sidebar beside the transcript.
    b.client.set_window_size(1240, 900).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, transcript_right, transcript_width, _, _) = layout(&b, "#transcript").await;
    assert!(layout(&b, "#visitor-context").await.0 >= transcript_right - 1.0);
    assert!(transcript_width >= 300.0, "{transcript_width}");
    assert!(!scrolls_sideways(&b).await);
    b.screenshot("context-1240").await;
    // Narrower, it folds and the transcript keeps its width.
    b.client.set_window_size(1100, 900).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(layout(&b, ".context-toggle").await.4, "folded at 1100 px");
    let (_, _, transcript_width, _, _) = layout(&b, "#transcript").await;
    assert!(transcript_width >= 450.0, "{transcript_width}");
    assert!(!scrolls_sideways(&b).await);
    b.screenshot("context-1100").await;

    // A phone: behind "Visitor info", the chat keeps the width.
    b.client.set_window_size(390, 844).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.client
        .execute("document.getElementById('chat').scrollIntoView();", vec![])
        .await
        .unwrap();
    let toggle = b.css(".context-toggle").await;
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );
    assert!(!layout(&b, "#context-body").await.4, "folded");
    let (_, _, chat_width, _, _) = layout(&b, "#chat").await;
    let (_, _, transcript_width, transcript_height, _) = layout(&b, "#transcript").await;
    assert!(
        chat_width >= 300.0 && transcript_width >= 300.0,
        "{chat_width} {transcript_width}"
    );
    assert!(transcript_height >= 200.0, "{transcript_height}");
    assert!(!scrolls_sideways(&b).await);
    b.screenshot("context-390").await;

    b.click(".context-toggle").await;
    let toggle = b.css(".context-toggle").await;
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(layout(&b, "#context-body").await.4, "unfolded");
    b.wait_text("#context-body", "Insulted our agent").await;
    assert!(!scrolls_sideways(&b).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.screenshot("context-390-open").await;
    let axe = serious_violations(&b).await;
    assert!(axe.is_empty(), "the console on a phone: {axe:?}");
    b.client.clone().close().await.unwrap();
}
