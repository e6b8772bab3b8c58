//! The widget as a customer embeds it: on `https://shop.test`, another site
//! than the chat's `https://chat.test`, both behind a local TLS proxy, in a
//! Chromium that blocks third-party cookies.

use chatgate::db::schema::conversations;
use diesel::prelude::*;
use fantoccini::Locator;

use crate::support::{
    browser::Browser,
    tls_sites::{available, free_port, TlsSites},
    *,
};

/// A page of the shop with the widget's script tag, as the panel gives it.
fn shop_page(chat: &str, title: &str, next: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p><a id="next" href="{next}">Next page</a></p>
<script src="{chat}/widget.js" data-case="acme-support" async></script></body></html>"#
    )
}

fn conversations_of_acme(app: &TestApp) -> Vec<(String, i32)> {
    let mut conn = app.core.db.get().unwrap();
    conversations::table
        .filter(conversations::account_id.eq(app.acme.account_id))
        .order(conversations::id.asc())
        .select((conversations::public_id, conversations::message_count))
        .load(&mut *conn)
        .unwrap()
}

/// Opens the chat on the current page and sends `text`.
async fn chat_says(b: &Browser, text: &str) {
    b.enter_chat().await;
    b.click("#launcher").await;
    b.send_message(text).await;
    b.client.enter_parent_frame().await.unwrap();
}

#[actix_web::test]
async fn the_chat_on_another_site_over_https_keeps_the_conversation_across_pages() {
    if !available() {
        return;
    }
    let port = free_port();
    let app = TestApp::builder()
        .env("CHATGATE_PUBLIC_URL", &format!("https://chat.test:{port}"))
        .spawn()
        .await;
    let app_port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let chat = format!("https://chat.test:{port}");
    let sites = TlsSites::start(
        port,
        app_port,
        &[
            (
                "shop.test",
                vec![
                    ("page1.html", shop_page(&chat, "Tents", "/page2.html")),
                    ("page2.html", shop_page(&chat, "Checkout", "/page1.html")),
                ],
            ),
            (
                "blog.test",
                vec![("index.html", shop_page(&chat, "Blog", "/"))],
            ),
        ],
    );
    let mut args = sites.chromium_args(&["chat.test", "shop.test", "blog.test"]);
    // Third-party cookies blocked, as Chromium is going to by default.
    args.push("--test-third-party-cookie-phaseout".into());
    let Some(b) = Browser::start_with(&args).await else {
        return;
    };
    let c = &b.client;

    c.goto(&format!("{}/page1.html", sites.origin("shop.test")))
        .await
        .unwrap();
    chat_says(&b, "Do you have this tent in green?").await;
    let convs = conversations_of_acme(&app);
    assert_eq!(convs.len(), 1, "the message reached the agents");
    assert_eq!(convs[0].1, 1);

    // Another page of the same site: the conversation continues.
    c.find(Locator::Css("#next"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("h1", "Checkout").await;
    b.enter_chat().await;
    b.click("#launcher").await;
    b.wait_text("#log", "Do you have this tent in green?").await;
    b.send_message("Found it, thanks").await;
    b.screenshot("embed-shop-page2").await;
    b.client.enter_parent_frame().await.unwrap();
    let convs = conversations_of_acme(&app);
    assert_eq!(convs.len(), 1, "one conversation: {convs:?}");
    assert_eq!(convs[0].1, 2);

    // Another top-level site: another visitor, with a log of its own.
    c.goto(&format!("{}/index.html", sites.origin("blog.test")))
        .await
        .unwrap();
    b.enter_chat().await;
    b.click("#launcher").await;
    b.css("#input")
        .await
        .send_keys("A question from the blog")
        .await
        .unwrap();
    b.click("#send").await;
    // The blog's own message in the log is the signal that its stream is
    // open and replayed; the shop's conversation is not in it.
    b.wait_text("#log", "A question from the blog").await;
    let log = b.css("#log").await.text().await.unwrap();
    assert!(!log.contains("tent"), "the shop's conversation: {log}");
    b.client.enter_parent_frame().await.unwrap();
    let convs = conversations_of_acme(&app);
    assert_eq!(convs.len(), 2, "a conversation of its own: {convs:?}");

    c.clone().close().await.unwrap();
    drop(sites);
}
