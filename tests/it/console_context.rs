//! The chat window's sidebar (`GET /agent/api/conversations/{id}/context`):
//! the visitor's country, pages, earlier conversations and protection
//! history, for agents of the account only, and never the address.

use std::time::Duration;

use chatgate::db::schema::{visitor_pages, visitor_refusals};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    blocking::{block, bootstrap_from, chat_from, newest_conversation, proxied, unblock},
    visitors::seat_get,
    SignedIn,
};

/// The visitor's address now (France in the test country table).
const HERE: &str = "198.51.100.40";
/// The address the same browser used before (Germany).
const BEFORE: &str = "203.0.113.9";

fn context_path(id: i64) -> String {
    format!("/agent/api/conversations/{id}/context")
}

/// The sidebar of conversation `id`, once `ready` holds (pages are recorded
/// and refusals flushed off the request path).
async fn context_when(agent: &SignedIn, id: i64, ready: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        let r = agent.get(&context_path(id)).await;
        assert_eq!(r.status(), StatusCode::OK);
        last = r.json().await.unwrap();
        if ready(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the sidebar never got there: {last:#}");
}

fn urls(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn the_sidebar_tells_what_an_agent_may_know_and_never_the_address() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let manager = app.sign_in(&app.acme.manager).await;

    // This browser, from another address, was blocked before (and still
    // is, there) ...
    let first = app.visitor_via("acme-support", Some(BEFORE)).await;
    first.say("You are all useless").await;
    let earlier_id = newest_conversation(&agent).await;
    assert_eq!(
        block(&agent, earlier_id, "rude to the team").await.status(),
        StatusCode::OK
    );
    // ... and was refused three times there since.
    for _ in 0..3 {
        let r = seat_get(&first.client, &first.base, &first.visitor, "/state").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    // Another browser at this address was blocked, refused twice on page
    // views, and unblocked early.
    let (_, _, other_id) = chat_from(&app, &agent, HERE, "buy cheap pills").await;
    assert_eq!(
        block(&agent, other_id, "spam links").await.status(),
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_eq!(bootstrap_from(&app, HERE).await.status(), StatusCode::OK);
    }
    assert_eq!(
        unblock(&manager, other_id).await.status(),
        StatusCode::SEE_OTHER
    );
    // A neighbour at another address is served: nothing to count.
    assert_eq!(
        bootstrap_from(&app, "198.51.100.41").await.status(),
        StatusCode::OK
    );

    // Now the browser is back, here, on two pages, and writes.
    let v = first.elsewhere(HERE);
    let _pricing = v.on_page(&app, "https://shop.example/pricing").await;
    let _checkout = v
        .on_page(&app, "https://shop.example/checkout?step=2")
        .await;
    v.say("I need help with my order").await;
    let id = newest_conversation(&agent).await;

    let body = agent.text(&context_path(id)).await;
    for secret in [HERE, BEFORE, "198.51.100.", "203.0.113."] {
        assert!(!body.contains(secret), "the address shows: {body}");
    }
    let c = context_when(&agent, id, |c| {
        c["pages"].as_array().unwrap().len() == 2 && c["refusals_7d"] == 5
    })
    .await;

    assert_eq!(c["country"]["code"], "FR");
    assert_eq!(c["country"]["name"], "France");
    assert_eq!(c["country"]["flag"], "\u{1F1EB}\u{1F1F7}");
    assert_eq!(
        urls(&c["pages"]),
        [
            "https://shop.example/pricing",
            "https://shop.example/checkout?step=2"
        ]
    );
    assert_eq!(c["page"]["url"], "https://shop.example/checkout?step=2");
    assert_eq!(c["online"], true);

    let earlier = c["earlier"].as_array().unwrap();
    assert_eq!(
        earlier.len(),
        1,
        "this browser's, not the other's: {earlier:?}"
    );
    assert_eq!(earlier[0]["id"], earlier_id);
    assert_eq!(earlier[0]["blocked"], true);
    assert_eq!(earlier[0]["messages"], 1);
    assert_eq!(earlier[0]["link"], format!("/conversations/{earlier_id}"));

    let blocks = c["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    let (network, browser) = (&blocks[0], &blocks[1]);
    assert_eq!(network["reason"], "spam links");
    assert_eq!(
        (&network["this_network"], &network["this_browser"]),
        (&Value::Bool(true), &Value::Bool(false))
    );
    assert_eq!(network["state"], "lifted");
    assert_eq!(network["lifted_by"], "acme manager");
    assert_eq!(network["link"], format!("/conversations/{other_id}"));
    assert_eq!(browser["reason"], "rude to the team");
    assert_eq!(
        (&browser["this_network"], &browser["this_browser"]),
        (&Value::Bool(false), &Value::Bool(true))
    );
    assert_eq!(browser["state"], "active");
    assert_eq!(browser["by"], "acme agent");
    assert!(
        browser["at"].as_str().unwrap().starts_with("20"),
        "a date: {browser}"
    );
    assert_eq!(c["refusals_7d"], 5);

    // Written to the database by the gate's flush, the count is the same.
    let now = app.core.clock.now();
    chatgate::gate::load::flush_refusals(&app.core.db, &app.core.gate, now)
        .await
        .unwrap();
    // (The app's own flush may hold some of them a moment longer.)
    let c = context_when(&agent, id, |c| c["refusals_7d"] == 5).await;
    let whole = serde_json::to_string(&c).unwrap();
    assert!(!whole.contains("198.51.100") && !whole.contains("203.0.113"));
}

#[actix_web::test]
async fn the_sidebar_is_the_accounts_agents_only() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, HERE, "hello").await;
    assert_eq!(agent.get(&context_path(id)).await.status(), StatusCode::OK);

    let other = app.sign_in(&app.globex.agent).await;
    let r = other.get(&context_path(id)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!r.text().await.unwrap().contains("France"));

    let r = app
        .client
        .get(app.url(&context_path(id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out");
    let to = r.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/login"), "{to}");
    assert!(r.text().await.unwrap().is_empty());
}

#[actix_web::test]
async fn pages_are_kept_once_per_change_twenty_at_most_and_purged_with_the_counts() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let v = app.visitor_via("acme-support", Some(HERE)).await;
    let mut conn = app.core.db.get().unwrap();
    let count = |conn: &mut chatgate::db::DbConn| -> (i64, i64) {
        let p = visitor_pages::table.count().get_result(conn).unwrap();
        let r = visitor_refusals::table.count().get_result(conn).unwrap();
        (p, r)
    };
    // A reload of the same page is not a new page.
    for page in ["a", "a", "b", "a"] {
        drop(
            v.on_page(&app, &format!("https://shop.example/{page}"))
                .await,
        );
    }
    assert_eq!(count(&mut conn).0, 3);
    for n in 0..20 {
        drop(v.on_page(&app, &format!("https://shop.example/n{n}")).await);
    }
    assert_eq!(count(&mut conn).0, 20, "the newest 20 are kept");
    v.say("hi").await;
    let id = newest_conversation(&agent).await;
    let c = agent.json(&context_path(id)).await;
    let pages = urls(&c["pages"]);
    assert_eq!(pages.len(), 20, "{pages:?}");
    assert_eq!(pages[0], "https://shop.example/n0");
    assert_eq!(pages[19], "https://shop.example/n19");
    let _ = bootstrap_from(&app, HERE).await;
    assert_eq!(block(&agent, id, "threats").await.status(), StatusCode::OK);
    assert_eq!(bootstrap_from(&app, HERE).await.status(), StatusCode::OK);
    let now = app.core.clock.now();
    chatgate::gate::load::flush_refusals(&app.core.db, &app.core.gate, now)
        .await
        .unwrap();

    // (The app's own flush may be writing its share a moment longer.)
    for _ in 0..100 {
        if count(&mut conn) == (20, 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(count(&mut conn), (20, 1));
    // The first six days they stay; after seven they are gone.
    let six = now + chrono::Duration::days(6);
    chatgate::db::purge::run(&mut conn, six, chrono::Duration::hours(12)).unwrap();
    assert_eq!(count(&mut conn), (20, 1));
    let eight = now + chrono::Duration::days(8);
    let r = chatgate::db::purge::run(&mut conn, eight, chrono::Duration::hours(12)).unwrap();
    assert_eq!(r.visit_records, 21);
    assert_eq!(count(&mut conn), (0, 0));
}
