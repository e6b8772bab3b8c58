//! Browser journey for the Block Visitors page: a manager adds a subnet, a
//! country rule and a website rule; a visitor behind a trusted proxy (which
//! sets X-Forwarded-For) loses the chat button and gets it back each time
//! the rule is removed.

use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use fantoccini::Locator;

use crate::support::browser::Browser;

/// A reverse proxy on a free port that forwards to `upstream`, adding
/// `X-Forwarded-For: client_ip`. Returns its base URL.
fn spawn_proxy(upstream: String, client_ip: &'static str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Idle connections are dropped before the app's keep-alive closes
    // them (`IDLE`): a request sent on one being closed fails.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(crate::support::IDLE)
        .build()
        .unwrap();
    let server = HttpServer::new(move || {
        let (http, upstream) = (http.clone(), upstream.clone());
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let (http, upstream) = (http.clone(), upstream.clone());
            async move {
                let url = format!("{upstream}{}", req.uri());
                let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
                let mut out = http.request(method, url).body(body.to_vec());
                for (k, v) in req.headers() {
                    if k != "host" && k != "x-forwarded-for" {
                        out = out.header(k.as_str(), v.as_bytes());
                    }
                }
                let resp = out
                    .header("x-forwarded-for", client_ip)
                    .send()
                    .await
                    .unwrap();
                let mut back = HttpResponse::build(
                    actix_web::http::StatusCode::from_u16(resp.status().as_u16()).unwrap(),
                );
                for (k, v) in resp.headers() {
                    if k != "content-length" && k != "transfer-encoding" {
                        back.append_header((k.as_str(), v.as_bytes()));
                    }
                }
                back.streaming(resp.bytes_stream())
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}")
}

/// Whether the chat button appears on the demo page (the loader asks the
/// server first, so give it time to answer).
async fn button_shows(b: &Browser, page: &str) -> bool {
    b.client.goto(page).await.unwrap();
    for _ in 0..30 {
        if b.client
            .find(Locator::Css("iframe[data-chatgate]"))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn save_section(b: &Browser, form: &str, confirmation: &str) {
    b.click(&format!("{form} button[type=submit]")).await;
    b.wait_text(".flash", confirmation).await;
}

#[actix_web::test]
async fn a_manager_blocks_by_subnet_country_and_website_and_undoes_it() {
    let Some(staff) = Browser::start().await else {
        return;
    };
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let app = crate::support::blocking::proxied().await;
    // 203.0.113.0/24 is Germany in the test country table.
    let proxy = spawn_proxy(app.address.clone(), "203.0.113.50");
    let demo = format!("{proxy}/demo?case=acme-support");
    assert!(button_shows(&visitor, &demo).await, "no rule yet");

    staff
        .sign_in(&app, &app.acme.manager, "/settings/block-visitors")
        .await;
    staff.wait_text("h1", "Block Visitors").await;

    // 1. A subnet.
    staff
        .css("#ip-rules input[name=address]")
        .await
        .send_keys("203.0.113.0/24")
        .await
        .unwrap();
    staff
        .css("#ip-rules input[name=comment]")
        .await
        .send_keys("test journey")
        .await
        .unwrap();
    save_section(
        &staff,
        "#ip-rules form[action$='/ip-rules']",
        "no longer see the chat",
    )
    .await;
    staff.wait_text("#ip-rules table", "203.0.113.0/24").await;
    staff.screenshot("block-visitors-rule").await;
    assert!(
        !button_shows(&visitor, &demo).await,
        "the subnet hides the chat"
    );
    staff.wait_text("#ip-rules table", "test journey").await;
    staff.click("#ip-rules tbody form button").await;
    staff
        .confirm_in_page("Visitors from it can chat again")
        .await;
    staff.wait_text(".flash", "Removed the rule").await;
    assert!(button_shows(&visitor, &demo).await, "back after removal");

    // 2. A country: block Germany.
    staff
        .click("#countries input[name=mode][value=block]")
        .await;
    staff
        .css("#countries .country-filter")
        .await
        .send_keys("germ")
        .await
        .unwrap();
    staff
        .click("#countries input[name=country][value=DE]")
        .await;
    save_section(&staff, "#countries form", "selected country no longer").await;
    assert!(!button_shows(&visitor, &demo).await, "Germany is blocked");
    staff.click("#countries input[name=mode][value=off]").await;
    save_section(&staff, "#countries form", "country rules are off").await;
    assert!(button_shows(&visitor, &demo).await, "country rules off");

    // 3. A website: block the host the demo page is on.
    staff.click("#websites input[name=mode][value=block]").await;
    staff
        .css("#websites textarea[name=list]")
        .await
        .send_keys("127.0.0.1")
        .await
        .unwrap();
    save_section(&staff, "#websites form", "no longer shows").await;
    assert!(!button_shows(&visitor, &demo).await, "the site is blocked");
    staff.click("#websites input[name=mode][value=off]").await;
    save_section(&staff, "#websites form", "website rules are off").await;
    assert!(button_shows(&visitor, &demo).await, "website rules off");

    // The test tool explains a decision.
    staff
        .css("#test input[name=address]")
        .await
        .send_keys("203.0.113.50")
        .await
        .unwrap();
    staff.click("#test button[type=submit]").await;
    staff
        .wait_text("#test .probe", "This visitor sees the chat.")
        .await;
    staff.wait_text("#test .probe", "Germany (DE)").await;
    staff.screenshot("block-visitors-test").await;
    staff.client.clone().close().await.unwrap();
    visitor.client.clone().close().await.unwrap();
}
