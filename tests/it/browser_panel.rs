//! Browser journeys from the manager's seat: the country count follows the
//! ticks before any save, the confirmation of a save is in view, and the
//! Live Chat Window's category boxes follow the "Accept" choice.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::{browser::Browser, *};

/// Whether the element is inside the visible part of the page.
async fn in_view(b: &Browser, css: &str) -> bool {
    let script = "const r = document.querySelector(arguments[0]).getBoundingClientRect();\
                  return r.top >= 0 && r.bottom <= window.innerHeight;";
    b.client
        .execute(script, vec![serde_json::json!(css)])
        .await
        .unwrap()
        .as_bool()
        .unwrap()
}

#[actix_web::test]
async fn the_country_count_follows_the_ticks_and_the_confirmation_is_in_view() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    b.sign_in(&app, &app.acme.manager, "/settings/block-visitors")
        .await;
    b.wait_text("h1", "Block Visitors").await;
    let count = "#countries [data-checked-count]";
    b.wait_text(count, "0").await;
    b.click("#country-list input[value=DE]").await;
    b.wait_text(count, "1").await;
    b.click("#country-list input[value=FR]").await;
    b.wait_text(count, "2").await;
    b.click("#country-list input[value=DE]").await;
    b.wait_text(count, "1").await;
    // Filtering the list hides names, not ticks.
    b.css("input[data-filter-list=country-list]")
        .await
        .send_keys("ger")
        .await
        .unwrap();
    b.wait_text(count, "1").await;
    b.click("#countries input[name=mode][value=block]").await;
    b.click("#countries button[type=submit]").await;
    b.wait_text("#countries .flash-ok", "Saved: visitors from the 1")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        in_view(&b, "#countries .flash-ok").await,
        "the confirmation is where the manager is looking"
    );
    b.screenshot("panel-countries-saved").await;
    b.wait_text(count, "1").await;

    // On a phone: an import with a mistake shows the green summary, the red
    // line, and keeps only that line in the box.
    b.client.set_window_size(390, 844).await.unwrap();
    b.click("#import summary").await;
    b.css("#import textarea[name=list]")
        .await
        .send_keys("203.0.113.0/24 # scrapers\n10.0.0.300 # typo\n")
        .await
        .unwrap();
    b.click("#import button[type=submit]").await;
    b.wait_text("#import .flash-ok", "Imported 1 rule.").await;
    b.wait_text("#import .flash-error", "1 line was not imported")
        .await;
    let boxed = b
        .css("#import textarea[name=list]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(boxed.as_deref(), Some("10.0.0.300 # typo"));
    b.screenshot("panel-import-report-390").await;
    b.client.set_window_size(1280, 900).await.unwrap();

    // Live Chat Window: "Images only" disables the boxes, "Only the types
    // I choose" enables them again.
    b.client
        .goto(&app.url("/settings/chat-window"))
        .await
        .unwrap();
    let boxes = "#categories input[value=archives]";
    assert!(b.css(boxes).await.is_enabled().await.unwrap());
    b.click("input[name=file_mode][value=images]").await;
    for _ in 0..50 {
        if !b.css(boxes).await.is_enabled().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!b.css(boxes).await.is_enabled().await.unwrap(), "disabled");
    b.screenshot("panel-chat-window-images-only").await;
    b.click("input[name=file_mode][value=custom]").await;
    b.css(boxes).await.click().await.unwrap();
    assert!(b
        .client
        .find(Locator::Css("#categories input[value=archives]:checked"))
        .await
        .is_ok());
    b.click("form.window-form button[type=submit]").await;
    b.wait_text(".flash-ok", "images, documents and archives")
        .await;
    b.client.clone().close().await.unwrap();
}
