//! The client address through HTTP. Pages never show an address, so these
//! tests watch the per-address sign-in limit: it counts whichever address
//! the server believes is the client.

use reqwest::StatusCode;

use crate::support::*;

/// 20 failed sign-ins with different e-mail addresses, each carrying `xff`.
async fn exhaust_address_limit(app: &TestApp, xff: &str) {
    for i in 0..20 {
        let token = app.csrf().await;
        let email = format!("guess{i}@nowhere.test");
        let r = app
            .client
            .post(app.url("/login"))
            .header("x-forwarded-for", xff)
            // A client-supplied Forwarded header is not what the proxy sets.
            .header("forwarded", format!("for=192.0.2.{i}"))
            .form(&[
                ("email", email.as_str()),
                ("password", "wrong password"),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .unwrap();
        assert!(matches!(
            r.status(),
            StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
        ));
    }
}

async fn attempt(app: &TestApp, xff: &str) -> StatusCode {
    let token = app.csrf().await;
    app.client
        .post(app.url("/login"))
        .header("x-forwarded-for", xff)
        .form(&[
            ("email", app.acme.manager.as_str()),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[actix_web::test]
async fn spoofed_headers_from_an_untrusted_peer_are_ignored() {
    let app = spawn_app().await; // no trusted proxies
    exhaust_address_limit(&app, "203.0.113.1").await;
    // A different spoofed address does not escape: the peer is what counts.
    assert_eq!(
        attempt(&app, "198.51.100.99").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn forwarded_client_counts_behind_a_trusted_proxy() {
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .spawn()
        .await;
    exhaust_address_limit(&app, "203.0.113.1").await;
    assert_eq!(
        attempt(&app, "203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is a different address.
    assert_eq!(attempt(&app, "198.51.100.99").await, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_forged_left_hop_does_not_help_behind_a_trusted_proxy() {
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .spawn()
        .await;
    exhaust_address_limit(&app, "203.0.113.1").await;
    // The client prepends a fake address; the proxy appends the real one.
    assert_eq!(
        attempt(&app, "10.9.9.9, 203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // IPv4-mapped IPv6 is the same visitor.
    assert_eq!(
        attempt(&app, "::ffff:203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn only_the_configured_header_counts() {
    // Proxies that set Forwarded: X-Forwarded-For is the client's own text.
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .env("CHATGATE_FORWARDED_HEADER", "forwarded")
        .spawn()
        .await;
    for i in 0..20 {
        let token = app.csrf().await;
        let email = format!("guess{i}@nowhere.test");
        app.client
            .post(app.url("/login"))
            .header("forwarded", "for=203.0.113.1")
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .form(&[
                ("email", email.as_str()),
                ("password", "wrong password"),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .unwrap();
    }
    let token = app.csrf().await;
    let r = app
        .client
        .post(app.url("/login"))
        .header("forwarded", "for=203.0.113.1")
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[
            ("email", app.acme.manager.as_str()),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
