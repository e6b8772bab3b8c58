//! Pages as a browser sees them: assets, security headers, error pages.

use reqwest::StatusCode;

use crate::support::*;

#[actix_web::test]
async fn every_file_in_static_is_served() {
    let app = spawn_app().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    let mut count = 0;
    for entry in walk(&dir) {
        let rel = entry
            .strip_prefix(&dir)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        let r = app.get(&format!("/static/{rel}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{rel}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = match entry.extension().and_then(|e| e.to_str()) {
            Some("css") => "text/css",
            Some("js") => "text/javascript",
            Some("svg") => "image/svg+xml",
            _ => "",
        };
        assert!(ct.starts_with(expected), "{rel}: {ct}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            r.bytes().await.unwrap(),
            std::fs::read(&entry).unwrap(),
            "{rel} content"
        );
        count += 1;
    }
    assert!(count >= 3, "static/ has the panel's css, js and icon");
    assert_eq!(
        app.get("/static/nope.css").await.status(),
        StatusCode::NOT_FOUND
    );
    // Path traversal, sent raw: an HTTP client would normalise the dots away.
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/..%2fCargo.toml",
    ] {
        let status = raw_get_status(&app.address, path);
        assert_eq!(status, 404, "{path}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn assert_strict_headers(r: &reqwest::Response, what: &str) {
    let h = r.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert!(h.contains_key("referrer-policy"), "{what}");
}

/// No inline script: every <script> has a src, no on* handler attributes.
fn assert_no_inline_script(html: &str, what: &str) {
    let doc = scraper::Html::parse_document(html);
    for s in doc.select(&scraper::Selector::parse("script").unwrap()) {
        assert!(s.value().attr("src").is_some(), "{what}: inline <script>");
    }
    for el in doc.select(&scraper::Selector::parse("*").unwrap()) {
        for (name, _) in el.value().attrs() {
            assert!(!name.starts_with("on"), "{what}: inline handler {name}");
        }
    }
}

#[actix_web::test]
async fn every_page_has_a_strict_csp_and_no_inline_script() {
    let app = spawn_app().await;
    let r = app.get("/login").await;
    assert_strict_headers(&r, "/login");
    assert_no_inline_script(&r.text().await.unwrap(), "/login");
    app.login_ok(&app.acme.manager).await;
    let case = format!("/cases/{}/conversations", app.acme.case.id);
    for path in [
        "/",
        "/agent",
        "/settings/users",
        "/settings/block-visitors",
        "/settings/chat-window",
        "/audit",
        case.as_str(),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_strict_headers(&r, path);
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        assert_no_inline_script(&r.text().await.unwrap(), path);
    }
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_strict_headers(&r, "/healthz");
}

#[actix_web::test]
async fn errors_are_html_pages() {
    let app = spawn_app().await;
    app.login_ok(&app.acme.manager).await;
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_strict_headers(&r, "404");
    let html = r.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    // A malformed id in a path.
    let r = app.get("/cases/abc/conversations").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("<html"));
    // A method no route takes is an unknown page.
    let r = app
        .client
        .delete(app.url("/settings/users"))
        .header("x-csrf-token", app.csrf().await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("<html"));
    // A form sent as something else is refused with a page, not the parser's message.
    let r = app
        .client
        .post(app.url(&format!("/settings/users/{}/role", app.acme.agent_id)))
        .header("x-csrf-token", app.csrf().await)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let html = r.text().await.unwrap();
    assert!(html.contains("format") && html.contains("<html"), "{html}");
}

#[actix_web::test]
async fn healthz_answers_200_without_a_session() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("set-cookie").is_none());
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[actix_web::test]
async fn conversations_filter_stays_in_the_url() {
    let app = spawn_app().await;
    app.login_ok(&app.acme.agent).await;
    let path = format!("/cases/{}/conversations?blocking=blocked", app.acme.case.id);
    let html = app.page(&path, StatusCode::OK).await;
    assert!(
        html.contains(r#"<option value="blocked" selected>"#),
        "{html}"
    );
    let path = format!(
        "/cases/{}/conversations?blocking=nonsense",
        app.acme.case.id
    );
    let html = app.page(&path, StatusCode::OK).await;
    assert!(html.contains(r#"<option value="all" selected>"#));
}

fn raw_get_status(address: &str, path: &str) -> u16 {
    use std::io::{Read, Write};
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.split_whitespace().nth(1).unwrap().parse().unwrap()
}
