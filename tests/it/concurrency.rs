//! Blocking and unblocking one conversation from many clients at once: every
//! acknowledged operation agrees with the gate, the table and Block Visitors.

use chatgate::db::schema::blocks;
use diesel::prelude::*;
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::support::{
    blocking::{block, bootstrap_shows, chat_from, proxied},
    *,
};

const IP: &str = "203.0.113.150";
const CLIENTS: usize = 6;

/// Sends one unblock as the manager signed in on `client`; true when the
/// page it leads to says the visitor is unblocked.
async fn unblock(client: &SignedIn, id: i64) -> bool {
    let r = client
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = client.text(&location(&r)).await;
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse(".flash").unwrap();
    let flash: String = doc.select(&sel).flat_map(|e| e.text()).collect();
    if flash.contains("is unblocked") {
        return true;
    }
    assert!(
        flash.contains("not blocked") || flash.contains("already ended"),
        "an unblock that lost says why: {flash:?}"
    );
    false
}

/// Sends one block; true when acknowledged. A loser gets the clear conflict.
async fn try_block(agent: &SignedIn, id: i64) -> bool {
    let r = block(agent, id, "racing").await;
    match r.status() {
        StatusCode::OK => true,
        StatusCode::CONFLICT => {
            let body = r.text().await.unwrap();
            assert!(body.contains("already blocked"), "{body}");
            false
        }
        other => panic!(
            "a concurrent block answered {other}: {}",
            r.text().await.unwrap()
        ),
    }
}

/// Blocks in force in the table, and as Block Visitors lists them.
async fn active_blocks(app: &TestApp, manager: &SignedIn) -> (i64, usize) {
    let now = app.core.clock.now();
    let in_table: i64 = {
        let mut conn = app.core.db.get().unwrap();
        blocks::table
            .filter(blocks::lifted_at.is_null())
            .filter(blocks::expires_at.gt(now))
            .count()
            .get_result(&mut *conn)
            .unwrap()
    };
    let html = manager.text("/settings/block-visitors").await;
    let doc = scraper::Html::parse_document(&html);
    let rows = scraper::Selector::parse("#blocks tbody tr").unwrap();
    (in_table, doc.select(&rows).count())
}

/// The gate, the table and Block Visitors all say `blocked`.
async fn assert_state(app: &TestApp, manager: &SignedIn, blocked: bool, when: &str) {
    let want = i64::from(blocked);
    assert_eq!(
        active_blocks(app, manager).await,
        (want, want as usize),
        "{when}: blocks in force (table, Block Visitors)"
    );
    assert_eq!(
        !bootstrap_shows(app, IP).await,
        blocked,
        "{when}: the gate's answer"
    );
}

#[actix_web::test]
async fn concurrent_blocks_and_unblocks_agree_with_the_gate() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, IP, "hello").await;
    let mut managers = Vec::new();
    for _ in 0..CLIENTS {
        managers.push(app.sign_in(&app.acme.manager).await);
    }
    let watcher = &managers[0];

    for round in 0..4 {
        // Everyone blocks at once: exactly one wins.
        let won = join_all((0..CLIENTS).map(|_| try_block(&agent, id))).await;
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "round {round}: blocks"
        );
        assert_state(&app, watcher, true, &format!("round {round} after blocks")).await;

        // Everyone unblocks at once: exactly one wins, and it holds.
        let won = join_all(managers.iter().map(|m| unblock(m, id))).await;
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "round {round}: unblocks"
        );
        assert_state(
            &app,
            watcher,
            false,
            &format!("round {round} after unblocks"),
        )
        .await;
    }

    for round in 0..4 {
        // Blocks and unblocks at once. Acknowledged operations alternate,
        // starting from "not blocked", so the state is their difference.
        let blocks = join_all((0..CLIENTS).map(|_| try_block(&agent, id)));
        let unblocks = join_all(managers.iter().map(|m| unblock(m, id)));
        let (b, u) = tokio::join!(blocks, unblocks);
        let (b, u) = (
            b.iter().filter(|w| **w).count() as i64,
            u.iter().filter(|w| **w).count() as i64,
        );
        assert!(
            b - u == 0 || b - u == 1,
            "round {round}: {b} acknowledged blocks, {u} unblocks"
        );
        let blocked = b - u == 1;
        assert_state(&app, watcher, blocked, &format!("mixed round {round}")).await;
        if blocked {
            assert!(unblock(watcher, id).await);
            assert_state(&app, watcher, false, &format!("mixed round {round}, reset")).await;
        }
    }
}

#[actix_web::test]
async fn a_block_that_ran_out_before_the_purge_does_not_stop_a_new_one() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, IP, "hello").await;
    assert!(try_block(&agent, id).await);
    app.core.clock.advance(chrono::Duration::days(7));
    app.core.clock.advance(chrono::Duration::seconds(1));
    // A week on, the agent's session has ended too: they sign in again.
    let agent = app.sign_in(&app.acme.agent).await;
    assert!(bootstrap_shows(&app, IP).await, "the block ran out");
    // No purge has run: the old block still holds its network.
    assert!(try_block(&agent, id).await, "blocked again");
    let manager = app.sign_in(&app.acme.manager).await;
    assert_state(&app, &manager, true, "after the second block").await;
    let mut conn = app.core.db.get().unwrap();
    let with_network: i64 = blocks::table
        .filter(blocks::network_index.is_not_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(with_network, 1, "the block that ran out keeps no network");
    let audit = manager.text("/audit").await;
    assert!(audit.contains("ended after 7 days"), "{audit}");
}
