//! Browser journey: every panel page a manager uses fits a 390 px phone
//! screen (and a 1280 px desktop) without widening the page. Tables may
//! scroll inside their own box; the page itself never scrolls sideways.

use crate::support::{
    blocking::add_rule,
    blocking::{block, chat_from, proxied},
    browser::Browser,
};

/// The page's width against the window's, after the page has loaded.
async fn widths(b: &Browser) -> (i64, i64) {
    let v = b
        .client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
}

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

/// Checks that the page now shown is no wider than the window and saves
/// a whole-page screenshot; returns what is wrong, if anything.
async fn check_here(b: &Browser, name: &str, width: u32) -> Option<String> {
    let (scroll, inner) = widths(b).await;
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
        ("/settings/users".to_owned(), "users"),
        ("/audit".to_owned(), "audit"),
        ("/profile".to_owned(), "profile"),
        ("/agent".to_owned(), "agent-console"),
    ];

    let mut wide = Vec::new();
    for (width, height) in [(390, 844), (1280, 900)] {
        b.client.set_window_size(width, height).await.unwrap();
        b.client.delete_all_cookies().await.unwrap();
        // The sign-in page, signed out.
        b.client.goto(&app.url("/login")).await.unwrap();
        b.css("input[name=email]").await;
        wide.extend(check_here(&b, "login", width).await);
        b.sign_in(&app, &app.acme.manager, "/").await;
        b.wait_text("main h1", "Overview").await;
        for (path, name) in &pages {
            b.client.goto(&app.url(path)).await.unwrap();
            b.css("main").await;
            wide.extend(check_here(&b, name, width).await);
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
        wide.extend(check_here(&b, "import-report", width).await);
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
        wide.extend(check_here(&b, "test-a-visitor", width).await);
    }
    assert!(
        wide.is_empty(),
        "pages wider than the window:\n{}",
        wide.join("\n")
    );
    b.client.clone().close().await.unwrap();
}
