//! Browser journeys: every panel page a manager uses fits a 390 px phone
//! screen (and a 1280 px desktop) without widening the page, and axe-core
//! finds no serious or critical accessibility violation on it. Tables may
//! scroll inside their own box; the page itself never scrolls sideways. On
//! a phone the console shows the list, then the open chat full width, and
//! the visitor's chat opens full screen.

use crate::support::{
    axe::serious_violations,
    blocking::add_rule,
    blocking::{block, chat_from, proxied},
    browser::Browser,
};

/// A hint for the failure message: the outermost elements that reach past
/// the window's right edge (some may be clipped by a box that scrolls).
async fn sticking_out(b: &Browser) -> String {
    let script = "const w = window.innerWidth; const out = [];\
        for (const e of document.querySelectorAll('body *')) {\
          if (e.getBoundingClientRect().right <= w + 1) continue;\
          if (out.some(o => o.contains(e))) continue;\
          out.push(e);\
        }\
        return out.slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +\
          (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')).join(', ');";
    b.client
        .execute(script, vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A screenshot of the whole page: the window grows to the page's height
/// for the picture, then returns to its size.
async fn whole_page_screenshot(b: &Browser, name: &str, width: u32) {
    let (_, h) = b.client.get_window_size().await.unwrap();
    let v = b
        .client
        .execute(
            "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let page = v[0].as_u64().unwrap_or(h);
    let chrome = v[1].as_u64().unwrap_or(0);
    let full = (page + chrome).clamp(h, 6000);
    b.client.set_window_size(width, full as u32).await.unwrap();
    b.screenshot(name).await;
    b.client.set_window_size(width, h as u32).await.unwrap();
}

/// Checks that the page now shown is no wider than the window and that
/// axe-core finds no serious violation on it, and saves a whole-page
/// screenshot; returns what is wrong.
async fn check_here(b: &Browser, name: &str, width: u32) -> Vec<String> {
    let mut wrong: Vec<String> = serious_violations(b)
        .await
        .into_iter()
        .map(|v| format!("{name} at {width} px: axe: {v}"))
        .collect();
    wrong.extend(fits(b, name, width).await);
    wrong
}

/// Checks that the page now shown is no wider than the window and saves
/// a whole-page screenshot; returns what is wrong, if anything.
async fn fits(b: &Browser, name: &str, width: u32) -> Option<String> {
    let (scroll, inner) = b.page_widths().await;
    if width == 390 {
        assert!(inner <= 400, "the window is phone-sized: {inner} px");
    }
    let wrong = if scroll > inner {
        Some(format!(
            "{name} at {width} px: the page is {scroll} px wide in a {inner} px window; \
             reaching past the edge: {}",
            sticking_out(b).await
        ))
    } else {
        None
    };
    whole_page_screenshot(b, &format!("narrow-{name}-{width}"), width).await;
    wrong
}

#[actix_web::test]
async fn every_panel_page_fits_a_phone_and_a_desktop() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = proxied().await;

    // Something on every page: conversations, a block with a long reason,
    // address rules with long comments, audit entries.
    let agent = app.sign_in(&app.acme.agent).await;
    let (_v, _cid, calm) = chat_from(
        &app,
        &agent,
        "203.0.113.7",
        "Hello, I have a question about my order",
    )
    .await;
    let (_w, _cid, rude) = chat_from(
        &app,
        &agent,
        "2001:db8:85a3::8a2e:370:7334",
        "You are all useless!!!",
    )
    .await;
    let r = block(
        &agent,
        rude,
        "Abusive language repeated over several messages after two warnings from the agent",
    )
    .await;
    assert!(r.status().is_success(), "block: {}", r.status());
    let m = app.sign_in(&app.acme.manager).await;
    for (address, comment) in [
        ("198.51.100.0/24", "Scrapers hammering the pricing pages every few seconds, seen in the access logs for weeks"),
        ("2001:db8:1234:5678::/64", "An abusive visitor who keeps coming back from new addresses in this network"),
    ] {
        let r = add_rule(&m, address, comment).await;
        assert!(r.status().is_redirection(), "rule {address}: {}", r.status());
    }

    let case = app.acme.case.id;
    let pages = [
        ("/".to_owned(), "overview"),
        (format!("/cases/{case}/conversations"), "conversations"),
        (format!("/conversations/{calm}"), "transcript"),
        (format!("/conversations/{rude}"), "transcript-blocked"),
        ("/settings/block-visitors".to_owned(), "block-visitors"),
        ("/settings/chat-window".to_owned(), "chat-window"),
        ("/settings/abuse".to_owned(), "abuse"),
        ("/settings/users".to_owned(), "users"),
        ("/audit".to_owned(), "audit"),
        ("/profile".to_owned(), "profile"),
        ("/agent".to_owned(), "agent-console"),
    ];

    let mut wrong: Vec<String> = Vec::new();
    for (width, height) in [(390, 844), (1280, 900)] {
        b.client.set_window_size(width, height).await.unwrap();
        b.client.delete_all_cookies().await.unwrap();
        // The sign-in page, signed out.
        b.client.goto(&app.url("/login")).await.unwrap();
        b.css("input[name=email]").await;
        wrong.extend(check_here(&b, "login", width).await);
        b.sign_in(&app, &app.acme.manager, "/").await;
        b.wait_text("main h1", "Overview").await;
        for (path, name) in &pages {
            b.client.goto(&app.url(path)).await.unwrap();
            b.css("main").await;
            wrong.extend(check_here(&b, name, width).await);
        }
        // Block Visitors with an import report open (its tables included).
        b.client
            .goto(&app.url("/settings/block-visitors"))
            .await
            .unwrap();
        b.click("#import summary").await;
        b.css("#import textarea[name=list]")
            .await
            .send_keys("203.0.113.0/24 # scrapers\n198.51.100.0/24 # already there\n10.0.0.300 # a typo in a long comment that goes on\n")
            .await
            .unwrap();
        b.click("#import button[type=submit]").await;
        b.wait_text("#import .flash-error", "not imported").await;
        wrong.extend(check_here(&b, "import-report", width).await);
        // "Test a visitor" with its answer.
        b.css("#test input[name=address]")
            .await
            .send_keys("198.51.100.23")
            .await
            .unwrap();
        b.css("#test input[name=url]")
            .await
            .send_keys("https://shop.example.com/checkout/a-very-long-path-name/step-2")
            .await
            .unwrap();
        b.click("#test button[type=submit]").await;
        b.css("#test .probe").await;
        wrong.extend(check_here(&b, "test-a-visitor", width).await);
    }
    assert!(
        wrong.is_empty(),
        "pages wider than the window, or with accessibility violations:\n{}",
        wrong.join("\n")
    );
    b.client.clone().close().await.unwrap();
}

/// A width in CSS pixels the page gives, from a script's answer.
async fn number(b: &Browser, script: &str) -> f64 {
    let v = b.client.execute(script, vec![]).await.unwrap();
    v.as_f64()
        .unwrap_or_else(|| panic!("{script} answered {v}"))
}

#[actix_web::test]
async fn on_a_phone_the_console_takes_turns_and_the_chat_opens_full_screen() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_v, _cid, id) = chat_from(&app, &agent, "203.0.113.7", "Hello from my phone").await;
    b.client.set_window_size(390, 844).await.unwrap();

    // The panel's navigation folds into a Menu button.
    b.sign_in(&app, &app.acme.agent, "/agent").await;
    b.css("#waiting .queue-item").await;
    assert!(
        !b.css("#side-menu").await.is_displayed().await.unwrap(),
        "the navigation starts folded"
    );
    b.click(".nav-toggle").await;
    assert!(b.css("#side-menu").await.is_displayed().await.unwrap());
    assert_eq!(
        b.css(".nav-toggle")
            .await
            .attr("aria-expanded")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    b.click(".nav-toggle").await;

    // The list first, without the empty chat beside it.
    assert!(!b.css("#chat").await.is_displayed().await.unwrap());
    b.click(&format!("#waiting .queue-item[data-conversation='{id}']"))
        .await;
    b.wait_text("#transcript", "Hello from my phone").await;
    let chat = number(
        &b,
        "return document.getElementById('chat').getBoundingClientRect().width;",
    )
    .await;
    assert!(chat >= 300.0, "the chat pane is {chat} px wide");
    assert!(!b.css(".queue").await.is_displayed().await.unwrap());
    let scroll = number(&b, "return document.documentElement.scrollWidth;").await;
    assert!(scroll <= 390.0, "the console is {scroll} px wide");
    b.css("#reply-input")
        .await
        .send_keys("Hi! Happy to help. What is your order number?")
        .await
        .unwrap();
    b.click("#reply-send").await;
    b.wait_text("#transcript", "What is your order number?")
        .await;
    b.doc_screenshot("phone-console-chat-390").await;
    // Back shows the list again.
    b.click("#chat-back").await;
    assert!(b.css(".queue").await.is_displayed().await.unwrap());
    assert!(!b.css("#chat").await.is_displayed().await.unwrap());
    b.screenshot("phone-console-list-390").await;

    // The visitor's chat, opened on a phone, fills the screen.
    b.open_chat(&app).await;
    b.css("#panel:not([hidden])").await;
    b.client.enter_parent_frame().await.unwrap();
    let frame =
        "const r = document.querySelector('iframe[data-chatgate]').getBoundingClientRect();";
    let mut full = false;
    for _ in 0..50 {
        let w = number(&b, &format!("{frame} return r.width;")).await;
        let h = number(&b, &format!("{frame} return r.height;")).await;
        let inner = number(&b, "return window.innerHeight;").await;
        if w >= 389.0 && h >= inner - 1.0 {
            full = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(full, "the chat frame fills the phone's screen");
    b.enter_chat().await;
    let panel = number(
        &b,
        "return document.getElementById('panel').getBoundingClientRect().width;",
    )
    .await;
    assert!(panel >= 389.0, "the chat panel is {panel} px wide");
    b.client.enter_parent_frame().await.unwrap();
    b.doc_screenshot("phone-widget-open-390").await;
    // Minimised, it is the button in the corner again.
    b.enter_chat().await;
    b.click("#minimise").await;
    b.client.enter_parent_frame().await.unwrap();
    let mut small = false;
    for _ in 0..50 {
        if number(&b, &format!("{frame} return r.width;")).await < 200.0 {
            small = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(small, "the minimised chat is a button again");
    b.client.clone().close().await.unwrap();
}
