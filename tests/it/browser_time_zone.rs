//! Browser journey: a user without a time zone gets the browser's at first
//! sign-in (from the panel's script); then they choose Asia/Tokyo on My
//! profile, and the transcript and the agent console show times nine hours
//! after UTC.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use chatgate::db::schema::{conversations, users};

use crate::support::{
    blocking::{chat_from, proxied},
    browser::Browser,
    *,
};

fn stored_zone(app: &TestApp, user_id: i64) -> Option<String> {
    let mut c = app.core.db.get().unwrap();
    users::table
        .find(user_id)
        .select(users::time_zone)
        .first(&mut c)
        .unwrap()
}

fn started_at(app: &TestApp, id: i64) -> NaiveDateTime {
    let mut c = app.core.db.get().unwrap();
    conversations::table
        .find(id)
        .select(conversations::started_at)
        .first(&mut c)
        .unwrap()
}

#[actix_web::test]
async fn the_browsers_zone_first_then_tokyo_from_my_profile() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_v, _cid, id) = chat_from(&app, &agent, "203.0.113.5", "Konnichiwa").await;
    assert_eq!(stored_zone(&app, app.acme.manager_id), None);

    // First sign-in: the script reports the browser's zone.
    b.sign_in(&app, &app.acme.manager, "/").await;
    b.wait_text("main h1", "Overview").await;
    let browser_zone = b
        .client
        .execute(
            "return Intl.DateTimeFormat().resolvedOptions().timeZone;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!browser_zone.is_empty());
    let mut stored = None;
    for _ in 0..50 {
        stored = stored_zone(&app, app.acme.manager_id);
        if stored.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored.as_deref(), Some(browser_zone.as_str()));
    // The next page knows it and does not ask again.
    b.client.goto(&app.url("/profile")).await.unwrap();
    b.wait_text("main h1", "My profile").await;
    let body = b.css("body").await;
    assert_eq!(
        body.attr("data-time-zone").await.unwrap().as_deref(),
        Some(browser_zone.as_str())
    );
    assert_eq!(body.attr("data-time-zone-unset").await.unwrap(), None);

    // The profile page at both widths; never sideways at 390 px.
    for (width, height) in [(390, 844), (1280, 900)] {
        b.client.set_window_size(width, height).await.unwrap();
        b.client.refresh().await.unwrap();
        b.wait_text("main h1", "My profile").await;
        let (scroll, inner) = b.page_widths().await;
        assert!(scroll <= inner, "{width} px: {scroll} px wide in {inner}");
        b.screenshot(&format!("profile-{width}")).await;
    }

    // Tokyo, chosen through the form.
    let zone = b.css("input[name=time_zone]").await;
    zone.clear().await.unwrap();
    zone.send_keys("Asia/Tokyo").await.unwrap();
    b.click("#profile button[type=submit]").await;
    b.wait_text(".flash-ok", "Times now show in Asia/Tokyo.")
        .await;
    assert_eq!(
        stored_zone(&app, app.acme.manager_id).as_deref(),
        Some("Asia/Tokyo")
    );

    let started = started_at(&app, id);
    let tokyo = started + chrono::Duration::hours(9);
    b.client
        .goto(&app.url(&format!("/conversations/{id}")))
        .await
        .unwrap();
    let head = b.text_of(".page-head .muted").await;
    let expected = format!("Started {} JST", tokyo.format("%Y-%m-%d %H:%M"));
    assert!(head.starts_with(&expected), "{head:?} starts {expected:?}");
    b.screenshot("profile-tokyo-transcript").await;

    // The agent console draws message times in Tokyo too.
    b.client.goto(&app.url("/agent")).await.unwrap();
    b.click("#waiting .queue-item").await;
    b.wait_text("#transcript", "Konnichiwa").await;
    let at = b.css("#transcript .msg time.at").await;
    let shown = at.text().await.unwrap();
    let iso = at.attr("datetime").await.unwrap().unwrap();
    let sent = chrono::DateTime::parse_from_rfc3339(&iso)
        .unwrap()
        .naive_utc()
        + chrono::Duration::hours(9);
    let (h24, h12) = (
        sent.format("%H:%M").to_string(),
        sent.format("%I:%M %p").to_string(),
    );
    assert!(shown == h24 || shown == h12, "{shown:?} is {h24} or {h12}");
    b.client.clone().close().await.unwrap();
}
