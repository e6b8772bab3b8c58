//! The Block Visitors rules at the widget: websites checked against the
//! browser's Origin and Referer, every endpoint stopped by an IP rule, and
//! the visitor blocks listed on the settings page.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    blocking::add_rule,
    blocking::{assert_every_endpoint_refused, block, chat_from, proxied},
    *,
};

const PAGE: &str = "/settings/block-visitors";

async fn bootstrap(app: &TestApp, url: &str, origin: Option<&str>) -> bool {
    let mut req = app.client.get(app.url(&format!(
        "/widget/v1/acme-support/bootstrap?url={}",
        url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
    )));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["show"].as_bool().unwrap()
}

async fn frame(app: &TestApp, url: &str, referer: Option<&str>) -> reqwest::Response {
    let mut req = app.other_client().get(app.url(&format!(
        "/widget/v1/acme-support/frame?url={}",
        url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
    )));
    if let Some(r) = referer {
        req = req.header("referer", r);
    }
    req.send().await.unwrap()
}

#[actix_web::test]
async fn website_rules_match_exact_hosts_and_the_browsers_origin() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let save = |mode: &'static str, list: &'static str| {
        let m = &m;
        async move {
            m.post(
                "/settings/block-visitors/websites",
                &[("mode", mode), ("list", list)],
            )
            .await
        }
    };
    // Bad lines: nothing saved, the list kept, each line explained.
    let r = save("allow", "shop.example\nexa mple.com\n*\n").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Line 2") && html.contains("Line 3"), "{html}");
    assert!(html.contains("exa mple.com"), "kept as typed");
    assert!(
        bootstrap(&app, "https://anything.example/", None).await,
        "not saved"
    );

    let r = save(
        "allow",
        "shop.example\n*.abc.com\nbücher.de\nexample.org/help",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for (url, origin, shows) in [
        (
            "https://shop.example/cart",
            Some("https://shop.example"),
            true,
        ),
        (
            "http://SHOP.example:8080/",
            Some("http://shop.example:8080"),
            true,
        ),
        (
            "https://shop.example.evil.net/",
            Some("https://shop.example.evil.net"),
            false,
        ),
        ("https://yyyshop.example/", None, false),
        ("https://x.abc.com/", Some("https://x.abc.com"), true),
        ("https://abc.com/", Some("https://abc.com"), false),
        (
            "https://xn--bcher-kva.de/",
            Some("https://xn--bcher-kva.de"),
            true,
        ),
        (
            "https://example.org/help/faq",
            Some("https://example.org"),
            true,
        ),
        (
            "https://example.org/helpdesk",
            Some("https://example.org"),
            false,
        ),
        // The page claims the shop but the browser says otherwise.
        ("https://shop.example/", Some("https://evil.example"), false),
        ("https://shop.example/", Some("null"), false),
    ] {
        assert_eq!(
            bootstrap(&app, url, origin).await,
            shows,
            "{url} from {origin:?}"
        );
    }
    // The frame checks its Referer the same way, and tells the browser
    // where it may be embedded.
    let ok = frame(&app, "https://shop.example/", Some("https://shop.example/")).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let csp = ok.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'self' http://shop.example:* https://shop.example:*"),
        "{csp}"
    );
    let bad = frame(&app, "https://shop.example/", Some("https://evil.example/")).await;
    assert_eq!(bad.status(), StatusCode::NOT_FOUND);

    // Block mode: the listed sites lose the chat, others keep it.
    save("block", "shop.example").await;
    assert!(!bootstrap(&app, "https://shop.example/", Some("https://shop.example")).await);
    assert!(
        bootstrap(
            &app,
            "https://other.example/",
            Some("https://other.example")
        )
        .await
    );
    let csp = frame(&app, "https://other.example/", None).await.headers()
        ["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.ends_with("frame-ancestors *"), "{csp}");
    save("off", "shop.example").await;
    assert!(bootstrap(&app, "https://shop.example/", Some("https://shop.example")).await);
    let html = m.text(PAGE).await;
    assert!(
        html.contains(">shop.example</textarea>"),
        "the list is kept when off"
    );
}

#[actix_web::test]
async fn an_ip_rule_stops_every_widget_endpoint() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, _) = chat_from(&app, &agent, "198.51.100.23", "hello").await;
    let m = app.sign_in(&app.acme.manager).await;
    let r = add_rule(&m, "198.51.100.0/24", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!crate::support::blocking::bootstrap_shows(&app, "198.51.100.23").await);
    let r = v
        .client
        .get(format!("{}/frame?url=https://shop.example/", v.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_every_endpoint_refused(&v, &cid, "198.51.100.23").await;
}

#[actix_web::test]
async fn visitor_blocks_are_listed_and_can_be_lifted_from_settings() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_v, _cid, id) = chat_from(&app, &agent, "203.0.113.44", "hello").await;
    let r = block(&agent, id, "threatened the agent").await;
    assert_eq!(r.status(), StatusCode::OK);
    let m = app.sign_in(&app.acme.manager).await;
    let html = m.text(PAGE).await;
    assert!(html.contains("threatened the agent"), "{html}");
    assert!(html.contains("acme agent"), "{html}");
    assert!(!html.contains("203.0.113.44"), "never the address");
    assert!(
        html.contains("6 days 23 hours") || html.contains("7 days"),
        "{html}"
    );
    // The test tool names the block.
    let r = m
        .post(
            "/settings/block-visitors/test",
            &[("address", "203.0.113.44"), ("url", "")],
        )
        .await;
    assert!(m
        .shown(r)
        .await
        .contains("does not see the chat: a visitor block"));
    // Agents see no Unblock now and cannot use it.
    let r = agent
        .post(&format!("{PAGE}/blocks/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = m.post(&format!("{PAGE}/blocks/{id}/unblock"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).ends_with("#blocks"));
    assert!(crate::support::blocking::bootstrap_shows(&app, "203.0.113.44").await);
    let html = m.text(PAGE).await;
    assert!(html.contains("No visitor is blocked"), "{html}");
}

/// The loader asks `/widget/v1/bootstrap?key=…`; loaders cached from before
/// ask `/widget/v1/KEY/bootstrap`. Both give the same answers.
#[actix_web::test]
async fn both_bootstrap_addresses_answer_alike() {
    let app = proxied().await;
    let m = app.sign_in(&app.acme.manager).await;
    let r = add_rule(&m, "198.51.100.0/24", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ask = |path: String, ip: &'static str| {
        let req = app.client.get(app.url(&path)).header("x-forwarded-for", ip);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let page = "url=https%3A%2F%2Fshop.example%2F";
    for (ip, show) in [("203.0.113.5", true), ("198.51.100.9", false)] {
        let by_query = ask(format!("/widget/v1/bootstrap?key=acme-support&{page}"), ip).await;
        let by_path = ask(format!("/widget/v1/acme-support/bootstrap?{page}"), ip).await;
        assert_eq!(by_query, by_path, "{ip}");
        assert_eq!(by_query.0, StatusCode::OK);
        assert_eq!(by_query.1["show"], show, "{ip}: {:?}", by_query.1);
        if show {
            assert_eq!(by_query.1["frame"], "/widget/v1/acme-support/frame");
        } else {
            assert!(by_query.1.get("frame").is_none(), "{:?}", by_query.1);
        }
    }
    // An unknown or missing key: the same neutral answer as a refusal
    // elsewhere, for either address.
    for path in [
        format!("/widget/v1/bootstrap?key=nope&{page}"),
        format!("/widget/v1/bootstrap?{page}"),
        format!("/widget/v1/bootstrap?key=&{page}"),
        format!("/widget/v1/nope/bootstrap?{page}"),
    ] {
        let (status, body) = ask(path.clone(), "203.0.113.5").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["code"], "unavailable", "{path}");
    }
}
