//! Visitor blocks: enforcement on every widget endpoint, the /64, expiry by
//! the clock, the purge, who may unblock, the filter and the CSV.

use std::time::Duration;

use chatgate::db::schema::{blocks, conversations};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::blocking::{
    assert_every_endpoint_refused, assert_neutral, block, bootstrap_shows, chat_from, proxied,
};

#[actix_web::test]
async fn a_block_refuses_every_widget_endpoint_for_that_address_only() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, id) = chat_from(&app, &agent, "203.0.113.5", "hello").await;
    let mut stream = v.events(&format!("?conversation={cid}"), None).await;
    stream.event().await;

    let r = block(&agent, id, "   ").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("Give a reason"), "{body}");
    let r = block(&agent, id, &"x".repeat(501)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        block(&agent, id, "rude and threatening").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        block(&agent, id, "again").await.status(),
        StatusCode::CONFLICT
    );

    // The open stream goes quiet, without a word about why.
    let rest = stream.drain(Duration::from_millis(2500)).await;
    assert!(rest.iter().any(|m| m["type"] == "unavailable"), "{rest:?}");
    assert!(
        rest.iter().all(|m| m["kind"] != "note"),
        "the agents' note never reaches the visitor"
    );
    assert_neutral(&format!("{rest:?}"));

    // Every endpoint, for the same visitor and for a new one on the address.
    assert!(!bootstrap_shows(&app, "203.0.113.5").await);
    let fresh = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let base = app.url("/widget/v1/acme-support");
    let r = fresh
        .get(format!("{base}/frame"))
        .header("x-forwarded-for", "203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_neutral(&r.text().await.unwrap());
    assert_every_endpoint_refused(&v, &cid, "203.0.113.5").await;
    // Nothing the blocked visitor sent was stored.
    let mut conn = app.core.db.get().unwrap();
    let count: i32 = conversations::table
        .find(id)
        .select(conversations::message_count)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(count, 1);
    drop(conn);

    // Another address is unaffected, and so is another account.
    assert!(bootstrap_shows(&app, "203.0.113.6").await);
    let other = app.visitor_via("acme-support", Some("203.0.113.6")).await;
    other.say("I am someone else").await;
    let globex = app
        .client
        .get(app.url("/widget/v1/globex-support/bootstrap"))
        .header("x-forwarded-for", "203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(
        globex.json::<Value>().await.unwrap()["show"],
        true,
        "blocks are per account"
    );

    // The agent's chat shows the system line; the conversation ended.
    let mut a = agent.events(id, None).await;
    let note = a.until("note").await;
    assert_eq!(
        note["body"]["text"],
        "Visitor blocked by acme agent: rude and threatening"
    );
    let c: Value = agent.json(&format!("/agent/api/conversations/{id}")).await;
    assert_eq!(c["status"], "closed");
}

#[actix_web::test]
async fn an_ipv6_block_covers_the_slash_64() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, "2001:db8:1:2::10", "hi").await;
    assert_eq!(block(&agent, id, "spam").await.status(), StatusCode::OK);
    assert!(!bootstrap_shows(&app, "2001:db8:1:2::10").await);
    assert!(
        !bootstrap_shows(&app, "2001:db8:1:2:abcd::99").await,
        "neighbour in the /64"
    );
    assert!(
        bootstrap_shows(&app, "2001:db8:1:3::10").await,
        "the next /64"
    );
}

#[actix_web::test]
async fn a_block_ends_after_seven_days_by_the_clock_alone() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, "198.51.100.20", "hi").await;
    assert_eq!(block(&agent, id, "spam").await.status(), StatusCode::OK);
    app.core
        .clock
        .advance(chrono::Duration::days(7) - chrono::Duration::seconds(5));
    assert!(
        !bootstrap_shows(&app, "198.51.100.20").await,
        "still blocked just before the end"
    );
    app.core.clock.advance(chrono::Duration::seconds(6));
    assert!(
        bootstrap_shows(&app, "198.51.100.20").await,
        "unblocked at 7 days + 1 s, no purge run"
    );
    // The sealed network is still stored until the purge runs …
    let mut conn = app.core.db.get().unwrap();
    let live: i64 = blocks::table
        .filter(blocks::network_sealed.is_not_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(live, 1);
    // … which erases it, and the old conversation addresses, idempotently.
    let now = app.core.clock.now();
    let r = chatgate::db::purge::run(&mut conn, now, chrono::Duration::hours(12)).unwrap();
    assert_eq!(r.blocks_expired, 1);
    assert!(r.addresses_erased >= 1);
    let again = chatgate::db::purge::run(&mut conn, now, chrono::Duration::hours(12)).unwrap();
    assert_eq!((again.blocks_expired, again.addresses_erased), (0, 0));
    let sealed: i64 = blocks::table
        .filter(
            blocks::network_sealed
                .is_not_null()
                .or(blocks::network_index.is_not_null()),
        )
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(sealed, 0, "no row holds the sealed network or its index");
    let addresses: i64 = conversations::table
        .filter(
            conversations::visitor_ip_sealed
                .is_not_null()
                .or(conversations::visitor_ip_index.is_not_null()),
        )
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(
        addresses, 0,
        "conversation addresses older than 7 days are gone"
    );
    drop(conn);
    let boss = app.sign_in(&app.acme.manager).await;
    let audit = boss.text("/audit").await;
    assert!(
        audit.contains("visitor.blocked") && audit.contains("visitor.block_expired"),
        "{audit}"
    );
    assert!(!audit.contains("198.51.100.20"));
}

#[actix_web::test]
async fn only_managers_of_the_account_unblock() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, "198.51.100.30", "hi").await;
    assert_eq!(block(&agent, id, "insults").await.status(), StatusCode::OK);

    let page = agent.text(&format!("/conversations/{id}")).await;
    assert!(
        page.contains("insults") && page.contains("Unblocks in"),
        "agents see the details"
    );
    assert!(!page.contains("Unblock now"), "but not the button");
    let r = agent
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let globex = app.sign_in(&app.globex.manager).await;
    let r = globex
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        globex.get(&format!("/conversations/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        !bootstrap_shows(&app, "198.51.100.30").await,
        "still blocked"
    );

    let boss = app.sign_in(&app.acme.manager).await;
    let page = boss.text(&format!("/conversations/{id}")).await;
    assert!(page.contains("Unblock now") && page.contains("data-confirm"));
    let r = boss
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        bootstrap_shows(&app, "198.51.100.30").await,
        "unblocked at once"
    );
    let page = boss.text(&format!("/conversations/{id}")).await;
    assert!(
        page.contains("Lifted early") && page.contains("acme manager"),
        "shown as lifted, when and by whom"
    );
    assert!(!page.contains("Unblock now"));
    let mut conn = app.core.db.get().unwrap();
    let sealed: i64 = blocks::table
        .filter(blocks::network_sealed.is_not_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(sealed, 0, "unblocking erases the sealed network at once");
}
