//! Review of the manager-panel work on issue 11: a list over the line limit
//! is refused whole, a page view leaves the session alone, the CSRF guard
//! refuses an anonymous form before reading it, and the import report lists
//! the first skipped lines by line number.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::{
    fixtures::{rule_count, select_text, BLOCK_VISITORS as PAGE, IMPORT},
    *,
};

/// `n` distinct IPv4 addresses, one a line, from 10.0.0.0.
fn addresses(n: usize) -> String {
    let mut s = String::with_capacity(n * 14);
    for i in 0..n {
        let (a, b, c) = (i / 65536, (i / 256) % 256, i % 256);
        s.push_str(&format!("10.{a}.{b}.{c}\n"));
    }
    s
}

#[actix_web::test]
async fn a_list_over_the_line_limit_is_refused_whole_and_kept_in_the_box() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let list = addresses(100_050);
    let r = m.post(IMPORT, &[("list", &list)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let error = select_text(&html, "#import .flash-error").join(" ");
    assert!(error.contains("100000 lines"), "names the limit: {error}");
    assert!(error.contains("Nothing was imported"), "{error}");
    assert!(select_text(&html, "#import .flash-ok").is_empty(), "{html}");
    let boxed = select_text(&html, "#import textarea[name=list]");
    assert_eq!(boxed[0].lines().count(), 100_050, "the whole list is kept");
    assert_eq!(boxed[0].trim(), list.trim());
    assert_eq!(rule_count(&m.text(PAGE).await), 0, "nothing imported");
}

#[actix_web::test]
async fn a_plain_page_view_does_not_rewrite_the_session() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    // The first views may create the CSRF token; after that, views only read.
    for path in ["/", PAGE] {
        m.get(path).await;
    }
    for path in ["/", PAGE, PAGE] {
        let r = m.get(path).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers().get("set-cookie").is_none(),
            "GET {path} rewrote the session: {:?}",
            r.headers().get("set-cookie")
        );
    }
}

/// Sends the head of a form POST of `declared` bytes and a first part of
/// its body, then stalls; returns the status line answered within 3 s.
async fn stalled_form_post(app: &TestApp, path: &str, declared: usize) -> Option<String> {
    let addr = app.address.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {declared}\r\n\r\nlist="
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all("1.2.3.4%0A".repeat(6000).as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await;
    let n = read.ok()?.ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    text.lines().next().map(str::to_owned)
}

#[actix_web::test]
async fn an_anonymous_form_post_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    let status = stalled_form_post(&app, IMPORT, 3 * 1024 * 1024).await;
    assert_eq!(status.as_deref(), Some("HTTP/1.1 403 Forbidden"));
    // A signed-out browser with a session but no token is refused too.
    let status = stalled_form_post(&app, "/logout", 3 * 1024 * 1024).await;
    assert_eq!(status.as_deref(), Some("HTTP/1.1 403 Forbidden"));
    // The sign-in form reads at most 64 KiB: a larger one is refused at once.
    let status = stalled_form_post(&app, "/login", 3 * 1024 * 1024).await;
    assert_eq!(status.as_deref(), Some("HTTP/1.1 413 Payload Too Large"));
}

#[actix_web::test]
async fn the_skipped_lines_listed_are_the_first_500_by_line_number() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let first = addresses(10);
    let r = m.post(IMPORT, &[("list", &first)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Lines 1-10 are on the list already; line 11 is new; lines 12-611
    // repeat line 11.
    let list = format!("{first}192.0.2.1\n{}", "192.0.2.1\n".repeat(600));
    let r = m.post(IMPORT, &[("list", &list)]).await;
    let html = m.shown(r).await;
    let doc = scraper::Html::parse_document(&html);
    let row =
        scraper::Selector::parse("#import table.report-skipped tbody tr td:first-child").unwrap();
    let lines: Vec<usize> = doc
        .select(&row)
        .map(|td| td.text().collect::<String>().trim().parse().unwrap())
        .collect();
    let want: Vec<usize> = (1..=10).chain(12..=501).collect();
    assert_eq!(lines, want);
    let ok = select_text(&html, "#import .flash-ok").join(" ");
    assert!(ok.contains("610 lines needed nothing"), "{ok}");
}

/// An import's report waits in the session for the page after the
/// redirect, unless it is too large for a session row: then the page
/// shows it at once, every refused line still in the box.
#[actix_web::test]
async fn a_report_too_large_for_the_session_is_shown_at_once() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let bad: String = (0..5_000)
        .map(|i| format!("10.0.{i}.300 # typo\n"))
        .collect();
    let list = format!("192.0.2.1\n{bad}");
    let r = m.post(IMPORT, &[("list", &list)]).await;
    assert_eq!(r.status(), StatusCode::OK, "shown at once, not kept");
    let html = r.text().await.unwrap();
    let ok = select_text(&html, "#import .flash-ok").join(" ");
    assert!(ok.contains("Imported 1 rule"), "{ok}");
    let boxed = select_text(&html, "#import textarea[name=list]");
    assert_eq!(boxed[0].lines().count(), 5_000, "every refused line kept");
    let sessions: Vec<String> = {
        use chatgate::db::schema::sessions;
        use diesel::prelude::*;
        let mut conn = app.core.db.get().unwrap();
        sessions::table
            .select(sessions::state)
            .load(&mut *conn)
            .unwrap()
    };
    assert!(
        sessions.iter().all(|s| s.len() < 64 * 1024),
        "no session row holds the report"
    );
}
