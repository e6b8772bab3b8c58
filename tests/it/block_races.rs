//! Blocks under contention: a block row already in force, the purge's
//! checkpoint while readers hold the write-ahead log, and purges that run
//! at once on one database.

use std::{
    sync::Barrier,
    time::{Duration, Instant},
};

use chatgate::db::{
    purge,
    schema::{accounts, audit_log, blocks, conversations},
    Db, DbConn,
};
use chrono::NaiveDateTime;
use diesel::{connection::SimpleConnection, prelude::*};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    blocking::{block, bootstrap_shows, chat_from, proxied},
    fresh_db::{sqlite_file, FreshDb},
    *,
};

fn insert_block(conn: &mut DbConn, account: i64, conv: Option<i64>, n: i64, at: NaiveDateTime) {
    diesel::insert_into(blocks::table)
        .values((
            blocks::account_id.eq(account),
            blocks::conversation_id.eq(conv),
            blocks::public_id.eq(format!("raced-{n}")),
            blocks::network_sealed.eq(Some(vec![7u8; 4])),
            blocks::network_index.eq(Some(n.to_be_bytes().to_vec())),
            blocks::reason.eq("r"),
            blocks::blocked_by_name.eq("agent"),
            blocks::created_at.eq(at),
            blocks::expires_at.eq(at + chrono::Duration::days(7)),
        ))
        .execute(conn)
        .unwrap();
}

/// Account 1, for the tests that write blocks straight into a fresh database.
fn insert_account(conn: &mut DbConn, now: NaiveDateTime) {
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(1),
            accounts::name.eq("a"),
            accounts::created_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
}

/// A block in force that the conversation does not know of (as a racing
/// writer could leave it): the unique index refuses the second one, and
/// the agent is told the visitor is already blocked, not a server error.
#[actix_web::test]
async fn a_block_already_stored_for_the_conversation_answers_already_blocked() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, "203.0.113.41", "hello").await;
    {
        let mut conn = app.core.db.get().unwrap();
        let now = app.core.clock.now();
        insert_block(&mut conn, app.acme.account_id, Some(id), 1, now);
    }
    let r = block(&agent, id, "spam").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["error"], "This visitor is already blocked.");
    let mut conn = app.core.db.get().unwrap();
    let stored: i64 = blocks::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(stored, 1, "nothing half-written");
    let block_id: Option<i64> = conversations::table
        .find(id)
        .select(conversations::block_id)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(block_id, None);
    drop(conn);
    // The row was inserted behind the gate's back: the address still chats.
    assert!(bootstrap_shows(&app, "203.0.113.41").await);
}

/// While a reader holds an old snapshot, the checkpoint cannot truncate the
/// write-ahead log: it gives up quickly (not after the 15 s busy timeout)
/// and says so; once the reader is gone it truncates.
#[actix_web::test]
async fn the_checkpoint_reports_a_busy_log_quickly_and_truncates_once_free() {
    let app = spawn_app().await;
    let Some(file) = sqlite_file(&app) else {
        return; // PostgreSQL has no write-ahead log of ours.
    };
    // A write that changes the row: SQLite skips writing a page whose
    // content would stay the same, which would leave the log empty.
    let touch = |conn: &mut DbConn| {
        diesel::update(accounts::table)
            .set(accounts::name.eq(accounts::name.concat(".")))
            .execute(conn)
            .unwrap();
    };
    let mut conn = app.core.db.get().unwrap();
    touch(&mut conn);
    let mut reader = SqliteConnection::establish(file.to_str().unwrap()).unwrap();
    reader
        .batch_execute("BEGIN; SELECT COUNT(*) FROM accounts;")
        .unwrap();
    touch(&mut conn);

    let started = Instant::now();
    let truncated = purge::checkpoint(&mut conn).unwrap();
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(3), "held for {waited:?}");
    assert!(!truncated, "a reader holds the log");

    reader.batch_execute("COMMIT;").unwrap();
    assert!(purge::checkpoint(&mut conn).unwrap());
    let wal = std::fs::metadata(file.with_extension("db-wal")).unwrap();
    assert_eq!(wal.len(), 0, "the log is truncated");
}

/// Purges running at once (several instances, or the start-up purge beside
/// the periodic one) write the "ended after 7 days" entry once per block.
#[test]
fn purges_at_once_audit_each_ended_block_once() {
    const PURGES: usize = 6;
    const BLOCKS: i64 = 25;
    let fresh = FreshDb::create();
    let db = Db::connect(&fresh.settings().database, PURGES as u32 + 1).unwrap();
    db.migrate().unwrap();
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now().naive_utc(), 6);
    let mut conn = db.get().unwrap();
    insert_account(&mut conn, now);
    for round in 0..4i64 {
        for n in 0..BLOCKS {
            insert_block(
                &mut conn,
                1,
                None,
                round * BLOCKS + n,
                now - chrono::Duration::days(8),
            );
        }
        let barrier = Barrier::new(PURGES);
        let expired: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..PURGES)
                .map(|_| {
                    let (db, barrier) = (&db, &barrier);
                    s.spawn(move || {
                        let mut c = db.get().unwrap();
                        barrier.wait();
                        purge::run(&mut c, now, chrono::Duration::hours(12))
                            .unwrap()
                            .blocks_expired
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        let audited: i64 = audit_log::table
            .filter(audit_log::action.eq("visitor.block_expired"))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(audited, (round + 1) * BLOCKS, "round {round}");
        assert_eq!(expired as i64, BLOCKS, "round {round}: reported once");
    }
}

/// A purge that finds more ended blocks than SQLite binds in one statement
/// (32,766), after days without a purge on a busy account, still erases
/// every network and reports each block once. (It failed with "too many
/// SQL variables", and went on failing, so no address was ever erased.)
#[test]
fn a_purge_of_more_ended_blocks_than_one_statement_binds_erases_them_all() {
    const BLOCKS: i64 = 40_000;
    let fresh = FreshDb::create();
    let db = Db::connect(&fresh.settings().database, 2).unwrap();
    db.migrate().unwrap();
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now().naive_utc(), 6);
    let at = now - chrono::Duration::days(8);
    let mut conn = db.get().unwrap();
    insert_account(&mut conn, now);
    conn.transaction::<_, diesel::result::Error, _>(|c| {
        for n in 0..BLOCKS {
            insert_block(c, 1, None, n, at);
        }
        Ok(())
    })
    .unwrap();
    let report = purge::run(&mut conn, now, chrono::Duration::hours(12)).unwrap();
    assert_eq!(report.blocks_expired, BLOCKS as usize);
    let kept: i64 = blocks::table
        .filter(blocks::network_sealed.is_not_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(kept, 0, "every ended block's network is erased");
}
