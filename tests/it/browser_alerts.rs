//! Browser journey: the agent console tells the agent that a visitor is
//! waiting. A new chat, or a visitor writing in a conversation that is not
//! on screen, plays the alert sound; the tab title counts the waiting
//! conversations; each waiting one shows how long it has waited. The
//! sound can be switched off, and stays off after a reload.

use std::time::Duration;

use crate::support::{browser::Browser, spawn_app};

/// How many times the console played the alert sound.
async fn played(b: &Browser) -> i64 {
    let v = b
        .client
        .execute(
            "return Number(document.getElementById('alert-sound').getAttribute('data-played') || 0);",
            vec![],
        )
        .await
        .unwrap();
    v.as_i64().unwrap()
}

/// Waits until the alert has played `n` times in all.
async fn until_played(b: &Browser, n: i64) {
    for _ in 0..100 {
        if played(b).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the alert played {} times, not {n}", played(b).await);
}

/// The title shows the number of waiting conversations.
async fn title_counts_waiting(b: &Browser) {
    for _ in 0..100 {
        let items = b
            .client
            .find_all(fantoccini::Locator::Css("#waiting .queue-item"))
            .await
            .unwrap()
            .len();
        let title = b.client.title().await.unwrap();
        if items > 0 && title.starts_with(&format!("({items}) Agent console")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("title {:?}", b.client.title().await.unwrap());
}

#[actix_web::test]
async fn a_new_chat_and_a_message_off_screen_ring_and_count_in_the_title() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let first = app.visitor("acme-support").await;
    first.say("First question").await;
    b.sign_in(&app, &app.acme.agent, "/agent").await;
    b.wait_text("#waiting", "waiting ").await;
    title_counts_waiting(&b).await;
    // What was there on arrival does not ring.
    assert_eq!(played(&b).await, 0);

    b.click("#waiting .queue-item").await;
    b.wait_text("#transcript", "First question").await;
    // Every message shows its time (in the browser's zone), the moment in full in `datetime`.
    let at = b.css("#transcript .msg time.at").await;
    let shown = at.text().await.unwrap();
    // In the browser's own format: "14:05" or "02:05 PM".
    let clock = shown.trim_end_matches(" AM").trim_end_matches(" PM");
    assert!(
        clock.len() == 5 && clock.as_bytes()[2] == b':',
        "a time like 14:05, not {shown:?}"
    );
    let iso = at.attr("datetime").await.unwrap().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(&iso).is_ok(), "{iso}");
    // A second visitor starts a chat while the first is on screen.
    let second = app.visitor("acme-support").await;
    second.say("Second question").await;
    until_played(&b, 1).await;
    title_counts_waiting(&b).await;
    // The conversation on screen writes: no alert, it is in view.
    first.say("Are you there?").await;
    b.wait_text("#transcript", "Are you there?").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(played(&b).await, 1, "the open conversation does not ring");
    // The other one writes: it rings.
    second.say("Hello?").await;
    until_played(&b, 2).await;
    b.screenshot("console-alerts").await;

    // Sound off, remembered across a reload: nothing plays.
    b.click("#sound-toggle").await;
    b.wait_text("#sound-toggle", "Sound off").await;
    b.client.refresh().await.unwrap();
    b.wait_text("#sound-toggle", "Sound off").await;
    b.wait_text("#waiting", "waiting ").await;
    let waiting: i64 = b.text_of("#count-waiting").await.parse().unwrap();
    let third = app.visitor("acme-support").await;
    third.say("Third question").await;
    b.wait_text("#count-waiting", &(waiting + 1).to_string())
        .await;
    title_counts_waiting(&b).await;
    assert_eq!(played(&b).await, 0, "the sound is off");
    b.client.clone().close().await.unwrap();
}
