//! Two instances on one PostgreSQL database, as two backends behind a load
//! balancer: what one of them writes is in force on the other in under a
//! second (notifications, not polling). SQLite has one instance, so these
//! tests say so and pass there.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{
    blocking::{add_rule, block, bootstrap_shows, chat_from, proxied},
    *,
};

/// The bound for anything crossing instances.
const CROSS: Duration = Duration::from_secs(1);

/// Two instances behind a trusted proxy, or `None` on SQLite.
async fn two_instances() -> Option<(TestApp, TestApp)> {
    if std::env::var("TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        eprintln!("skipped: several instances need PostgreSQL (TEST_DATABASE_URL)");
        return None;
    }
    let a = proxied().await;
    let b = a.another_instance().await;
    Some((a, b))
}

/// How long until `check` holds, checked every 5 ms; panics after 5 s.
async fn until<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: never");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    started.elapsed()
}

fn rule_id(app: &TestApp, network: &str) -> i64 {
    use chatgate::db::schema::ip_rules;
    use diesel::prelude::*;
    let mut conn = app.core.db.get().unwrap();
    ip_rules::table
        .filter(ip_rules::account_id.eq(app.acme.account_id))
        .filter(ip_rules::network.eq_any([network.to_owned(), format!("{network}/32")]))
        .select(ip_rules::id)
        .first(&mut *conn)
        .unwrap()
}

#[actix_web::test]
async fn chat_events_cross_instances_both_ways() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let agent = a.sign_in(&a.acme.agent).await;
    let (visitor, cid, id) = chat_from(&b, &agent, "198.51.100.40", "hello").await;
    let mut on_b = visitor.events(&format!("?conversation={cid}"), None).await;
    assert_eq!(on_b.event().await["body"]["text"], "hello");
    let mut on_a = agent.events(id, None).await;
    assert_eq!(on_a.event().await["body"]["text"], "hello");

    // The agent's reply, written on A, reaches the visitor's stream on B.
    let sent = Instant::now();
    let path = format!("/agent/api/conversations/{id}/messages");
    let r = agent.post_json(&path, json!({ "text": "from A" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(on_b.until("message").await["body"]["text"], "from A");
    let a_to_b = sent.elapsed();

    // The visitor's message, written on B, reaches the agent's stream on A.
    let sent = Instant::now();
    visitor.say("from B").await;
    while on_a.until("message").await["body"]["text"] != "from B" {}
    let b_to_a = sent.elapsed();
    assert!(a_to_b < CROSS, "A to B took {a_to_b:?}");
    assert!(b_to_a < CROSS, "B to A took {b_to_a:?}");
}

#[actix_web::test]
async fn a_rule_saved_on_one_instance_is_in_force_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let manager = a.sign_in(&a.acme.manager).await;
    // The account has rules, which both instances hold.
    add_rule(&manager, "192.0.2.0/24", "").await;
    until("B holds the rules", || async {
        !bootstrap_shows(&b, "192.0.2.1").await
    })
    .await;
    assert!(bootstrap_shows(&b, "203.0.113.50").await);

    let rebuilds = b.core.gate.rebuilds();
    let r = add_rule(&manager, "203.0.113.50", "spam").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let took = until("B refuses", || async {
        !bootstrap_shows(&b, "203.0.113.50").await
    })
    .await;
    assert!(took < CROSS, "the rule took {took:?}");
    // B added the one rule to what it held, as A did: no rebuild.
    assert_eq!(b.core.gate.rebuilds(), rebuilds);
    let version = |app: &TestApp| app.core.gate.policy(app.acme.account_id).unwrap().version;
    assert_eq!(version(&b), version(&a));

    let id = rule_id(&a, "203.0.113.50");
    let path = format!("/settings/block-visitors/ip-rules/{id}/remove");
    assert_eq!(
        manager.post(&path, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    let took = until("B serves", || async {
        bootstrap_shows(&b, "203.0.113.50").await
    })
    .await;
    assert!(took < CROSS, "the removal took {took:?}");
}

#[actix_web::test]
async fn a_block_on_one_instance_silences_the_chat_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let agent = a.sign_in(&a.acme.agent).await;
    let (visitor, cid, id) = chat_from(&b, &agent, "198.51.100.41", "hi").await;
    let mut on_b = visitor.events(&format!("?conversation={cid}"), None).await;
    assert_eq!(on_b.event().await["body"]["text"], "hi");

    let sent = Instant::now();
    assert_eq!(block(&agent, id, "abuse").await.status(), StatusCode::OK);
    // The visitor's open stream on B goes quiet: "unavailable", then nothing.
    loop {
        let frame = on_b.next(Duration::from_secs(5)).await.expect("a frame");
        if frame["type"] == "unavailable" {
            break;
        }
        assert_ne!(frame["kind"], "note", "the visitor never sees the reason");
    }
    let quiet = sent.elapsed();
    assert!(quiet < CROSS, "the stream went quiet after {quiet:?}");
    assert!(!bootstrap_shows(&b, "198.51.100.41").await);

    // Unblock now on A: B serves the visitor again.
    let manager = a.sign_in(&a.acme.manager).await;
    let r = manager
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let took = until("B serves", || async {
        bootstrap_shows(&b, "198.51.100.41").await
    })
    .await;
    assert!(took < CROSS, "the unblock took {took:?}");
}

#[actix_web::test]
async fn an_instance_whose_listening_connection_dies_catches_up() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let manager = a.sign_in(&a.acme.manager).await;
    let listeners = "SELECT pid FROM pg_stat_activity \
        WHERE application_name = 'chatgate-listen' AND datname = current_database()";
    a.sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM ({listeners}) l"
    ));
    // Saved while the listeners reconnect: the notice may be lost, the
    // catch-up finds the rule.
    let r = add_rule(&manager, "203.0.113.60", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let took = until("B refuses", || async {
        !bootstrap_shows(&b, "203.0.113.60").await
    })
    .await;
    assert!(took < CROSS, "the rule took {took:?}");
    // Both listen again.
    until("two listeners", || async { count(&a, listeners) == 2 }).await;
}

fn count(app: &TestApp, query: &str) -> i64 {
    use diesel::{prelude::*, sql_types::BigInt};
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = app.core.db.get().unwrap();
    diesel::sql_query(format!("SELECT count(*) AS n FROM ({query}) q"))
        .get_result::<N>(&mut *conn)
        .unwrap()
        .n
}

#[actix_web::test]
async fn abuse_settings_saved_on_one_instance_are_in_force_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let manager = a.sign_in(&a.acme.manager).await;
    let r = manager
        .post(
            "/settings/abuse/flood",
            &[("messages_on", "1"), ("messages", "7")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let policy = |app: &TestApp| app.core.gate.policy(app.acme.account_id);
    let took = until("B holds the flood limit", || async {
        policy(&b).is_some_and(|p| p.flood.messages == Some(7))
    })
    .await;
    assert!(took < CROSS, "the flood limit took {took:?}");
    let r = manager
        .post(
            "/settings/abuse/shield",
            &[
                ("shield_on", "1"),
                ("list", "meanword"),
                ("strikes", "2"),
                ("action", "warn"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let took = until("B holds the shield", || async {
        policy(&b).is_some_and(|p| p.shield.strikes == 2 && !p.shield.find("a meanword").is_empty())
    })
    .await;
    assert!(took < CROSS, "the shield took {took:?}");
    assert!(policy(&b).is_some_and(|p| !p.block_browser));
    let r = manager
        .post("/settings/abuse/browser", &[("block_browser", "1")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let took = until("B has blocks cover the browser", || async {
        policy(&b).is_some_and(|p| p.block_browser && p.shield.strikes == 2)
    })
    .await;
    assert!(took < CROSS, "the browser option took {took:?}");
}
