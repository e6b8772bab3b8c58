//! Browser journey: the chat window's menu (top left) works from the
//! keyboard, as a menu should: arrow keys round the items, Home and End,
//! Escape back to the button. "Block visitor…" is last, after a separator,
//! away from the harmless items.

use fantoccini::key::Key;

use crate::support::{browser::Browser, spawn_app};

async fn focused(b: &Browser) -> String {
    let v = b
        .client
        .execute("return document.activeElement.textContent.trim();", vec![])
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

async fn press(b: &Browser, key: Key) {
    let focused = b.client.active_element().await.unwrap();
    focused
        .send_keys(&String::from(char::from(key)))
        .await
        .unwrap();
}

#[actix_web::test]
async fn the_chat_menu_works_from_the_keyboard() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.visitor("acme-support").await.say("hello").await;
    b.sign_in(&app, &app.acme.agent, "/agent").await;
    b.click("#waiting .queue-item").await;
    b.wait_text("#transcript", "hello").await;

    b.css("#menu-button")
        .await
        .send_keys(&String::from(char::from(Key::Down)))
        .await
        .unwrap();
    assert_eq!(focused(&b).await, "Show image previews");
    press(&b, Key::Down).await;
    assert_eq!(focused(&b).await, "Send survey");
    press(&b, Key::End).await;
    assert_eq!(focused(&b).await, "Block visitor…");
    press(&b, Key::Down).await;
    assert_eq!(
        focused(&b).await,
        "Show image previews",
        "round to the first"
    );
    press(&b, Key::Up).await;
    assert_eq!(focused(&b).await, "Block visitor…", "round to the last");
    press(&b, Key::Home).await;
    assert_eq!(focused(&b).await, "Show image previews");
    b.screenshot("console-menu").await;
    press(&b, Key::Escape).await;
    assert!(b.css("#menu").await.attr("hidden").await.unwrap().is_some());
    let on_button = b
        .client
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap();
    assert_eq!(on_button, "menu-button", "the focus is back on the button");
    // The destructive items come after a separator.
    let order = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#menu > li')).map(li => \
             li.getAttribute('role') === 'separator' ? '|' : li.textContent.trim()).join(',');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        order,
        "Show image previews,Send survey,Request screen share,|,Close conversation,Block visitor…"
    );

    // Closing asks in the page, saying what will happen; Cancel keeps it.
    let close_from_menu = || async {
        b.click("#menu-button").await;
        b.click("#menu [data-action=close]").await;
        b.wait_text("dialog.confirm-dialog", "offered the survey")
            .await;
    };
    close_from_menu().await;
    b.screenshot("console-close-confirm").await;
    b.click("dialog.confirm-dialog button[value=cancel]").await;
    assert!(!b.is_disabled("#reply-input").await, "still open");
    close_from_menu().await;
    b.click("dialog.confirm-dialog button[value=ok]").await;
    b.wait_text("#transcript", "Conversation closed by acme agent")
        .await;
    b.client.clone().close().await.unwrap();
}
