//! The widget in a browser in German and in Arabic (right to left), and
//! driven by the keyboard alone, with axe-core on the frame closed and
//! open.

use std::time::Duration;

use chatgate::{
    domain::{file_policy::Refusal, language::Lang},
    l10n,
};
use fantoccini::Locator;

use crate::support::{axe::serious_violations, browser::Browser, fixtures::set_policy, *};

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// Evaluates `js` (an expression) in the current frame.
async fn eval(b: &Browser, js: &str) -> serde_json::Value {
    b.client
        .execute(&format!("return {js};"), vec![])
        .await
        .unwrap()
}

async fn focused_id(b: &Browser) -> String {
    eval(b, "document.activeElement && document.activeElement.id")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Presses `key` on the focused element and waits until the element
/// with id `then` has the focus.
async fn press_and_focus(b: &Browser, key: &str, then: &str) {
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(key)
        .await
        .unwrap();
    for _ in 0..50 {
        if focused_id(b).await == then {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(focused_id(b).await, then, "after {key:?}");
}

/// A visitor whose browser speaks `lang` opens the demo page's chat,
/// writes, and sends a file over the 1 MB limit: every text is in `lang`.
async fn journey_in(app: &TestApp, lang: Lang, dir: &str) {
    let Some(v) = Browser::start_with(&[
        format!("--lang={}", lang.code()),
        format!("--accept-lang={}", lang.code()),
    ])
    .await
    else {
        return;
    };
    v.client
        .goto(&app.url("/demo?case=acme-support"))
        .await
        .unwrap();
    v.enter_chat().await;
    v.css("#launcher").await;
    assert_eq!(eval(&v, "document.documentElement.lang").await, lang.code());
    assert_eq!(eval(&v, "document.dir").await, dir);
    v.click("#launcher").await;
    assert_eq!(
        v.css("#input")
            .await
            .attr("placeholder")
            .await
            .unwrap()
            .unwrap(),
        l10n::text(lang, "placeholder")
    );
    assert_eq!(v.text_of(".panel-sub").await, l10n::text(lang, "greeting"));
    // A file that starts the chat stands behind a line in their language.
    let files = tempfile::tempdir().unwrap();
    let small = files.path().join("order.pdf");
    std::fs::write(&small, b"%PDF-1.4\n%%EOF\n").unwrap();
    v.css("#file")
        .await
        .send_keys(small.to_str().unwrap())
        .await
        .unwrap();
    v.wait_text("#log", "order.pdf").await;
    v.wait_text("#log", &l10n::text(lang, "sent-a-file")).await;
    v.send_message("Hallo / مرحبا").await;

    let big = files.path().join("scan.pdf");
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(1_300_000, b'0');
    std::fs::write(&big, pdf).unwrap();
    v.css("#file")
        .await
        .send_keys(big.to_str().unwrap())
        .await
        .unwrap();
    let refused = Refusal::TooLarge { max: "1".into() };
    let expected = l10n::file_not_sent(lang, "scan.pdf", &refused);
    for _ in 0..100 {
        if v.css("#error").await.text().await.unwrap() == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(v.css("#error").await.text().await.unwrap(), expected);

    // The chat sits on the right, or on the left right to left.
    v.client.enter_parent_frame().await.unwrap();
    let left = eval(
        &v,
        "document.querySelector('iframe[data-chatgate]').getBoundingClientRect().left",
    )
    .await
    .as_f64()
    .unwrap();
    if dir == "rtl" {
        assert!(left < 40.0, "the chat is on the left: {left}");
    } else {
        assert!(left > 600.0, "the chat is on the right: {left}");
    }
    v.screenshot(&format!("widget-{}", lang.code())).await;
}

#[actix_web::test]
async fn the_widget_speaks_german_and_arabic_right_to_left() {
    let app = spawn_app().await;
    set_policy(&app, &app.acme, "custom", &["images", "documents"], "1").await;
    journey_in(&app, Lang::De, "ltr").await;
    journey_in(&app, Lang::Ar, "rtl").await;
}

#[actix_web::test]
async fn the_keyboard_alone_opens_writes_and_closes_and_axe_finds_nothing_serious() {
    let Some(v) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    v.client
        .goto(&app.url("/demo?case=acme-support"))
        .await
        .unwrap();
    v.enter_chat().await;
    v.css("#launcher").await;
    let closed = serious_violations(&v).await;
    assert!(closed.is_empty(), "the closed frame: {closed:#?}");
    v.client.enter_parent_frame().await.unwrap();

    // Tab from the page until the chat's button has the focus.
    let mut reached = false;
    for _ in 0..40 {
        v.client
            .active_element()
            .await
            .unwrap()
            .send_keys(TAB)
            .await
            .unwrap();
        if eval(&v, "document.activeElement.tagName").await == "IFRAME" {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the chat");
    v.enter_chat().await;
    assert_eq!(focused_id(&v).await, "launcher");

    // Enter opens the panel and puts the focus in the message box.
    press_and_focus(&v, ENTER, "input").await;
    assert_eq!(
        v.css("#launcher")
            .await
            .attr("aria-expanded")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let input = v.client.active_element().await.unwrap();
    input.send_keys("Typed with the keyboard").await.unwrap();
    input.send_keys(ENTER).await.unwrap();
    v.wait_text("#log", "Typed with the keyboard").await;
    let open = serious_violations(&v).await;
    assert!(open.is_empty(), "the open frame: {open:#?}");
    v.client.enter_parent_frame().await.unwrap();
    v.screenshot("widget-keyboard-open").await;
    v.enter_chat().await;

    // Escape closes it and gives the focus back to the button.
    press_and_focus(&v, ESCAPE, "launcher").await;
    let panel = v.client.find(Locator::Css("#panel")).await.unwrap();
    assert!(
        panel.attr("hidden").await.unwrap().is_some(),
        "the panel is closed"
    );

    // At 200% zoom (the 1280 × 900 window, half as many CSS pixels) the
    // open panel still shows the message box and Send inside the frame.
    v.client.enter_parent_frame().await.unwrap();
    v.client.set_window_size(640, 450).await.unwrap();
    v.enter_chat().await;
    v.click("#launcher").await;
    let fits = eval(
        &v,
        "['#input', '#send', '#minimise'].every(function (s) { \
           var r = document.querySelector(s).getBoundingClientRect(); \
           return r.width > 0 && r.top >= 0 && r.left >= 0 \
             && r.bottom <= window.innerHeight && r.right <= window.innerWidth; })",
    )
    .await;
    assert_eq!(fits, true, "the open panel fits at 200% zoom");
    v.client.enter_parent_frame().await.unwrap();
    v.screenshot("widget-zoom-200").await;
}
