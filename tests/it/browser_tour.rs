//! The README's five-minute tour, taken on the real binary's living demo
//! (`chatgate serve` on an empty database): the pictures in
//! `docs/screenshots/tour-*.png` come from here (`CHATGATE_UPDATE_DOCS=1`).
//! On the way it checks that each stop shows the demo's history.

use crate::support::{browser::Browser, served::Served, PASSWORD};

/// Signs in on the served demo as `email`, landing on `path`.
async fn sign_in(b: &Browser, s: &Served, email: &str, path: &str) {
    b.client
        .goto(&s.url(&format!("/login?next={path}")))
        .await
        .unwrap();
    b.css("input[name=email]")
        .await
        .send_keys(email)
        .await
        .unwrap();
    b.css("input[name=password]")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    b.click("button[type=submit]").await;
}

#[actix_web::test]
async fn the_tour_of_the_living_demo() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let s = Served::start();
    s.wait_ready().await;
    b.client.set_window_size(1280, 900).await.unwrap();

    // 1. The dashboard: what the protection did in the last 7 days.
    sign_in(&b, &s, "manager@demo.test", "/?period=7d").await;
    b.wait_text("main h1", "Overview").await;
    b.css("main svg").await;
    b.doc_screenshot("tour-1-dashboard").await;

    // 2. The Support case's conversations, blocked ones marked.
    b.click("nav a.sub").await;
    b.css("main table").await;
    b.doc_screenshot("tour-2-conversations").await;

    // 3. Block Visitors: rules with their hits, the blocks in force.
    b.client
        .goto(&s.url("/settings/block-visitors"))
        .await
        .unwrap();
    b.wait_text("#ip-rules", "Scrapers hammering the pricing page")
        .await;
    b.doc_screenshot("tour-3-block-visitors").await;

    // 4. The agent console with the waiting visitor open.
    b.client.goto(&s.url("/agent")).await.unwrap();
    b.css("#waiting .queue-item").await;
    b.click("#waiting .queue-item").await;
    b.css("#visitor-context").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    b.doc_screenshot("tour-4-console").await;
    b.client.clone().close().await.unwrap();
}
