//! Browser journey: two agents have the console open; one blocks the
//! visitor, and the other's console follows at once.

use std::time::Duration;

use crate::support::{blocking::proxied, browser::Browser, served::Served, tls_sites::free_port};

/// Waits until `css` is disabled.
async fn wait_disabled(b: &Browser, css: &str) {
    for _ in 0..50 {
        if b.is_disabled(css).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} is still enabled");
}

/// Waits until no element matches `css`.
async fn wait_gone(b: &Browser, css: &str) {
    for _ in 0..50 {
        if b.client.find(fantoccini::Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} is still shown");
}

#[actix_web::test]
async fn console_after_block_every_open_console_follows() {
    let Some(blocker) = Browser::start().await else {
        return;
    };
    let Some(colleague) = Browser::start().await else {
        return;
    };
    let app = proxied().await;
    let v = app.visitor_via("acme-support", Some("203.0.113.20")).await;
    let cid = v.say("You are all useless!!!").await;
    let _chatting = v.events(&format!("?conversation={cid}"), None).await;
    // Another browser at the same address, just looking at the shop.
    let neighbour = app.visitor_via("acme-support", Some("203.0.113.20")).await;
    let _looking = neighbour.events("?url=https://shop.example/", None).await;

    blocker.sign_in(&app, &app.acme.agent, "/agent").await;
    colleague.sign_in(&app, &app.acme.manager, "/agent").await;
    for b in [&blocker, &colleague] {
        b.wait_text("#waiting", "Support").await;
        b.click("#waiting .queue-item").await;
        b.wait_text("#transcript", "useless").await;
        b.css("#visitors [data-visitor]").await;
    }
    assert!(
        colleague
            .css("#reply-input")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_none(),
        "the conversation is live"
    );

    blocker.click("#menu-button").await;
    blocker.click("#menu [data-action=block]").await;
    blocker
        .css("#block-reason")
        .await
        .send_keys("Abusive language")
        .await
        .unwrap();
    blocker.click("#block-confirm").await;

    // In the other agent's console, at once: the system line, the composer
    // closed (and looking it), and nobody from that address to invite.
    colleague
        .wait_text(
            "#transcript",
            "Visitor blocked by acme agent: Abusive language",
        )
        .await;
    for css in ["#reply-input", "#reply-send", "#reply-file"] {
        wait_disabled(&colleague, css).await;
    }
    let placeholder = colleague
        .css("#reply-input")
        .await
        .attr("placeholder")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(placeholder.contains("blocked"), "{placeholder}");
    let opacity = colleague
        .css("#reply-send")
        .await
        .css_value("opacity")
        .await
        .unwrap();
    assert!(
        opacity.parse::<f64>().unwrap() < 0.6,
        "a disabled button looks disabled (opacity {opacity})"
    );
    for b in [&colleague, &blocker] {
        wait_gone(b, "#visitors [data-visitor]").await;
        b.wait_text("#count-visitors", "0").await;
    }
    wait_disabled(&blocker, "#reply-send").await;
    colleague.screenshot("console-after-block").await;
    colleague.client.set_window_size(390, 844).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    colleague.screenshot("console-after-block-390").await;

    // Sending is refused anyway, should anything slip through.
    blocker.client.clone().close().await.unwrap();
    colleague.client.clone().close().await.unwrap();
}

#[actix_web::test]
async fn a_console_whose_session_ended_elsewhere_goes_to_sign_in() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = crate::support::spawn_app().await;
    b.sign_in(&app, &app.acme.agent, "/agent").await;
    b.css("#console").await;
    // Signed out on another instance (the row is gone; nothing told here).
    app.sql("DELETE FROM sessions");
    for _ in 0..50 {
        let url = b.client.current_url().await.unwrap();
        if url.path() == "/login" {
            assert_eq!(url.query(), Some("next=%2Fagent"));
            b.client.clone().close().await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the console stayed open after its session ended");
}

/// A visitor of the demo's Support chat on `served`, as the frame is.
async fn demo_visitor(served: &Served) -> crate::support::visitors::VisitorClient {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    crate::support::visitors::visitor_from_frame(client, served.url("/widget/v1/demo-support"))
        .await
}

/// The demo served from a new data directory on a free port, ready.
async fn serve_demo() -> (tempfile::TempDir, u16, Served) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = Served::start_at(dir.path(), port);
    served.wait_ready().await;
    (dir, port, served)
}

/// Stops `first` (which must exit cleanly) and serves its data directory on
/// its port again, ready.
async fn restart(mut first: Served, dir: &tempfile::TempDir, port: u16) -> Served {
    first.terminate();
    let exit = first.exits_within(Duration::from_secs(5)).await;
    assert!(exit.success(), "{}", first.log());
    let second = Served::start_at(dir.path(), port);
    second.wait_ready().await;
    second
}

#[actix_web::test]
async fn the_console_carries_on_across_a_restart_without_a_reload() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let (dir, port, first) = serve_demo().await;
    let v = demo_visitor(&first).await;
    v.say("before the restart").await;
    b.client
        .goto(&first.url("/login?next=/agent"))
        .await
        .unwrap();
    b.css("input[name=email]")
        .await
        .send_keys("agent@demo.test")
        .await
        .unwrap();
    b.css("input[name=password]")
        .await
        .send_keys(crate::support::PASSWORD)
        .await
        .unwrap();
    b.click("button[type=submit]").await;
    b.wait_text("#waiting", "Support").await;
    // The newest waiting conversation (the demo has one waiting already).
    b.click("#waiting li:last-child .queue-item").await;
    b.wait_text("#transcript", "before the restart").await;
    b.client
        .execute("window.__same_page = true;", vec![])
        .await
        .unwrap();

    let second = restart(first, &dir, port).await;
    v.say("after the restart").await;

    // The open console shows it, on the same page: its streams reconnected.
    b.wait_text("#transcript", "after the restart").await;
    let same = b
        .client
        .execute("return window.__same_page === true;", vec![])
        .await
        .unwrap();
    assert_eq!(same, serde_json::json!(true), "no reload");
    b.client.clone().close().await.unwrap();
    drop(second);
}

#[actix_web::test]
async fn the_visitors_chat_carries_on_across_a_restart() {
    use crate::support::served::demo_agent;
    let Some(b) = Browser::start().await else {
        return;
    };
    let (dir, port, first) = serve_demo().await;
    b.client.goto(&first.url("/demo")).await.unwrap();
    b.enter_chat().await;
    b.click("#launcher").await;
    b.send_message("Hello before the restart").await;

    let second = restart(first, &dir, port).await;

    // The agent answers on the new process; the open chat window shows it.
    let agent = demo_agent(&second).await;
    let home = crate::support::get_text(&agent, second.url("/")).await;
    let csrf = crate::support::csrf_in(&home).unwrap();
    let o = crate::support::get_json(&agent, second.url("/agent/api/overview")).await;
    // The visitor's is the newest (the demo has others open).
    let id = o["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .max()
        .unwrap();
    let r = agent
        .post(second.url(&format!("/agent/api/conversations/{id}/messages")))
        .header("x-csrf-token", csrf)
        .json(&serde_json::json!({ "text": "Welcome back" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    b.wait_text("#log", "Welcome back").await;
    assert!(!b.is_disabled("#input").await, "the chat window is live");
    b.client.clone().close().await.unwrap();
    drop(second);
}
