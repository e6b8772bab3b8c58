//! Blocks that follow the browser (Account settings → Abuse protection):
//! with the option on, a block also refuses the blocked visitor's browser
//! on any address, on the frame and every widget endpoint after it, as
//! silently as on the blocked network; it is shown where blocks are, told
//! by the Test a visitor tool, stops at once when the option is turned
//! off, and is erased with the network when the block ends.

use chatgate::db::schema::blocks;
use diesel::prelude::*;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::support::{
    blocking::{assert_every_endpoint_refused, assert_neutral, block, chat_from, proxied, unblock},
    visitors::VisitorClient,
    SignedIn, TestApp,
};

const BLOCKED_AT: &str = "203.0.113.20";
const ELSEWHERE: &str = "198.51.100.9";

async fn set_option(m: &SignedIn, on: bool) {
    let fields: &[(&str, &str)] = if on { &[("block_browser", "1")] } else { &[] };
    let r = m.post("/settings/abuse/browser", fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// The frame, opened by the browser holding the visitor's cookie, at `ip`.
async fn frame_status(app: &TestApp, v: &VisitorClient, ip: &str) -> (StatusCode, String) {
    let r = reqwest::Client::new()
        .get(app.url("/widget/v1/acme-support/frame?url=https://shop.example/p"))
        .header("x-forwarded-for", ip)
        .header("cookie", format!("cg_vid={}", v.visitor))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The browser indexes the account's blocks hold.
fn browser_indexes(app: &TestApp) -> Vec<Vec<u8>> {
    let mut conn = app.core.db.get().unwrap();
    blocks::table
        .filter(blocks::browser_index.is_not_null())
        .select(blocks::browser_index.assume_not_null())
        .load(&mut *conn)
        .unwrap()
}

#[actix_web::test]
async fn with_the_option_on_a_block_refuses_the_browser_on_any_address() {
    let app = proxied().await;
    let m = app.sign_in(&app.acme.manager).await;
    let page = m.text("/settings/abuse").await;
    assert!(page.contains("A block also covers the visitor's browser"));
    assert!(
        !page.contains(r#"name="block_browser" value="1" checked"#),
        "off by default"
    );
    set_option(&m, true).await;
    assert!(m
        .text("/settings/abuse")
        .await
        .contains(r#"name="block_browser" value="1" checked"#));
    assert!(m.text("/audit").await.contains("browser_block.save"));

    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, id) = chat_from(&app, &agent, BLOCKED_AT, "abuse").await;
    // The same browser already chatting from another address (a second
    // tab on a VPN): its open stream goes quiet when the block lands.
    let moved = v.elsewhere(ELSEWHERE);
    let mut stream = moved.events("", None).await;
    assert_eq!(
        block(&agent, id, "Spam from rotating VPNs").await.status(),
        StatusCode::OK
    );
    let rest = stream.drain(std::time::Duration::from_millis(2500)).await;
    assert!(rest.iter().any(|e| e["type"] == "unavailable"), "{rest:?}");

    // The key is keyed: not the stored visitor key, nor its bytes.
    let stored = browser_indexes(&app);
    assert_eq!(stored.len(), 1);
    let visitor_key = hex::encode(Sha256::digest(v.visitor.as_bytes()));
    assert_ne!(stored[0], hex::decode(&visitor_key).unwrap());
    assert_ne!(stored[0], visitor_key.as_bytes());

    // On another address: the frame and every endpoint, as on the network.
    let (status, body) = frame_status(&app, &v, ELSEWHERE).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_neutral(&body);
    assert_every_endpoint_refused(&moved, &cid, ELSEWHERE).await;
    // Another browser at that address is served.
    let other = app.visitor_via("acme-support", Some(ELSEWHERE)).await;
    other.say("hello from next door").await;
    // Another account's widget serves the browser.
    let globex = app.visitor_via("globex-support", Some(ELSEWHERE)).await;
    globex.say("hi").await;

    // Where it shows: the transcript, the list, the test tool.
    let transcript = m.text(&format!("/conversations/{id}")).await;
    assert!(
        transcript.contains("The visitor's network and their browser, on any address"),
        "{transcript}"
    );
    let listed = m.text("/settings/block-visitors").await;
    assert!(listed.contains("This block also refuses the visitor"));
    let tested = m
        .shown(
            m.post(
                "/settings/block-visitors/test",
                &[
                    ("address", ELSEWHERE),
                    ("url", ""),
                    ("conversation", &id.to_string()),
                ],
            )
            .await,
        )
        .await;
    assert!(
        tested.contains("a visitor block of this browser (the browser index)"),
        "{tested}"
    );
    assert!(tested.contains(&format!("the browser of conversation #{id} is blocked")));
    let without = m
        .shown(
            m.post(
                "/settings/block-visitors/test",
                &[("address", ELSEWHERE), ("url", ""), ("conversation", "")],
            )
            .await,
        )
        .await;
    assert!(without.contains("This visitor sees the chat."), "{without}");
    // No page shows the index.
    for page in [&transcript, &listed, &tested] {
        assert!(!page.contains(&hex::encode(&stored[0])));
        assert!(!page.contains(&visitor_key));
    }

    // Turned off: the browser is served again at once, and warned of.
    set_option(&m, false).await;
    let (status, _) = frame_status(&app, &v, ELSEWHERE).await;
    assert_eq!(status, StatusCode::OK);
    moved.say("back again").await;
    // On the blocked network it is still refused.
    let (status, _) = frame_status(&app, &v, BLOCKED_AT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Back on, then Unblock now: the index is erased with the network.
    set_option(&m, true).await;
    let (status, _) = frame_status(&app, &v, ELSEWHERE).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unblock(&m, id).await.status(), StatusCode::SEE_OTHER);
    assert!(browser_indexes(&app).is_empty());
    let (status, _) = frame_status(&app, &v, ELSEWHERE).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn with_the_option_off_the_browser_is_served_elsewhere_and_nothing_is_kept() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, _, id) = chat_from(&app, &agent, BLOCKED_AT, "abuse").await;
    assert_eq!(block(&agent, id, "Insults").await.status(), StatusCode::OK);
    assert!(browser_indexes(&app).is_empty());
    let (status, _) = frame_status(&app, &v, ELSEWHERE).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = frame_status(&app, &v, BLOCKED_AT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let m = app.sign_in(&app.acme.manager).await;
    let transcript = m.text(&format!("/conversations/{id}")).await;
    assert!(transcript.contains("The visitor's network (the address, or its /64)"));
    assert!(!m
        .text("/settings/block-visitors")
        .await
        .contains("This block also refuses the visitor"));
}

#[actix_web::test]
async fn the_browser_index_is_purged_with_the_network_when_the_block_ends() {
    let app = proxied().await;
    let m = app.sign_in(&app.acme.manager).await;
    set_option(&m, true).await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, _, id) = chat_from(&app, &agent, BLOCKED_AT, "abuse").await;
    assert_eq!(block(&agent, id, "Threats").await.status(), StatusCode::OK);
    assert_eq!(browser_indexes(&app).len(), 1);
    app.core
        .clock
        .advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    // Ended on time, before any purge.
    let (status, _) = frame_status(&app, &v, ELSEWHERE).await;
    assert_eq!(status, StatusCode::OK);
    let mut conn = app.core.db.get().unwrap();
    let now = app.core.clock.now();
    let r = chatgate::db::purge::run(&mut conn, now, chrono::Duration::hours(12)).unwrap();
    assert_eq!(r.blocks_expired, 1);
    drop(conn);
    assert!(browser_indexes(&app).is_empty());
}

#[actix_web::test]
async fn the_test_tool_refuses_a_conversation_of_another_account_keeping_what_was_typed() {
    let app = proxied().await;
    let agent = app.sign_in(&app.globex.agent).await;
    let (_, _, theirs) = {
        let v = app.visitor_via("globex-support", Some(BLOCKED_AT)).await;
        let cid = v.say("hello").await;
        let id = crate::support::blocking::newest_conversation(&agent).await;
        (v, cid, id)
    };
    let m = app.sign_in(&app.acme.manager).await;
    let r = m
        .post(
            "/settings/block-visitors/test",
            &[
                ("address", ELSEWHERE),
                ("url", ""),
                ("conversation", &theirs.to_string()),
            ],
        )
        .await;
    let shown = m.shown(r).await;
    assert!(
        shown.contains(&format!(
            "There is no conversation #{theirs} in this account"
        )),
        "{shown}"
    );
    let r = m
        .post(
            "/settings/block-visitors/test",
            &[("address", ELSEWHERE), ("url", ""), ("conversation", "abc")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("abc is not a conversation number"), "{body}");
    assert!(
        body.contains(&format!(r#"value="{ELSEWHERE}""#)),
        "kept as typed"
    );
}
