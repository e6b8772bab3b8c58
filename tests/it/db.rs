//! The database layer under load.

use std::sync::{Arc, Barrier};

use chatgate::db::{audit, write_tx};

use crate::support::*;

/// 16 threads writing at once must all succeed: no "database is locked".
#[actix_web::test]
async fn sixteen_concurrent_writers_never_see_database_is_locked() {
    let app = spawn_app().await;
    let account = app.acme.account_id;
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|t| {
            let db = app.core.db.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = db.get().expect("a pooled connection");
                barrier.wait();
                for i in 0..25 {
                    write_tx(&mut conn, |c| {
                        // Read first, then write: the pattern that fails with
                        // a deferred transaction on SQLite.
                        let (_, before, _) = audit::page(c, account, 1, 1)?;
                        audit::record(
                            c,
                            account,
                            audit::Actor::System,
                            "test.write",
                            &format!("{t}/{i}/{before}"),
                            chrono::Utc::now().naive_utc(),
                        )
                    })
                    .map_err(|e| format!("writer {t} write {i}: {e}"))?;
                }
                Ok::<_, String>(())
            })
        })
        .collect();
    let errors: Vec<String> = handles
        .into_iter()
        .filter_map(|h| h.join().unwrap().err())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let mut conn = app.core.db.get().unwrap();
    let (_, total, _) = audit::page(&mut conn, account, 1, 1).unwrap();
    assert_eq!(total, 16 * 25);
}

#[actix_web::test]
async fn a_failed_write_transaction_leaves_nothing_behind() {
    let app = spawn_app().await;
    let account = app.acme.account_id;
    let mut conn = app.core.db.get().unwrap();
    let result: Result<(), diesel::result::Error> = write_tx(&mut conn, |c| {
        audit::record(
            c,
            account,
            audit::Actor::System,
            "test.half",
            "first half",
            app.core.clock.now(),
        )?;
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(result.is_err());
    let (rows, _, _) = audit::page(&mut conn, account, 1, 100).unwrap();
    assert!(rows.iter().all(|r| r.action != "test.half"));
}

#[actix_web::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    use diesel::{sql_types::Text, QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    let app = spawn_app().await;
    if !app.core.db.is_sqlite() {
        return; // PostgreSQL has neither setting
    }
    let mut conn = app.core.db.get().unwrap();
    let m: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(m.journal_mode, "wal");
    // foreign_keys = ON: a user of a missing account is refused.
    let r = diesel::sql_query(
        "INSERT INTO users (account_id, email, name, role, password_hash, active, created_at, updated_at) \
         VALUES (999999, 'x@y.test', 'x', 'agent', 'h', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .execute(&mut *conn);
    assert!(r.is_err(), "foreign keys are enforced");
}

/// Flushed hits reach their own rules only, in one statement per 500 rules,
/// a rule named twice in one flush (a policy swapped out and the one held)
/// gets both counts, and a pair naming another account's rule adds nothing.
#[actix_web::test]
async fn hits_are_added_to_their_own_rules_in_few_statements() {
    use chatgate::db::{rules::add_hits, schema::ip_rules};
    use diesel::prelude::*;
    let app = spawn_app().await;
    let mut conn = app.core.db.get().unwrap();
    let mut add = |account_id: i64, network: &str| -> i64 {
        diesel::insert_into(ip_rules::table)
            .values((
                ip_rules::account_id.eq(account_id),
                ip_rules::network.eq(network),
                ip_rules::created_by_name.eq("test"),
                ip_rules::created_at.eq(app.core.clock.now()),
            ))
            .returning(ip_rules::id)
            .get_result(&mut *conn)
            .unwrap()
    };
    let (acme, globex) = (app.acme.account_id, app.globex.account_id);
    let a = add(acme, "192.0.2.0/24");
    let g = add(globex, "198.51.100.0/24");
    let many: Vec<i64> = (0..600)
        .map(|i| add(acme, &format!("10.{}.{}.0/24", i / 250, i % 250)))
        .collect();
    let mut hits = vec![(acme, a, 5), (globex, a, 7), (globex, g, 2), (acme, a, 1)];
    hits.extend(many.iter().map(|id| (acme, *id, 3)));
    write_tx(&mut conn, |c| add_hits(c, &hits)).unwrap();
    let stored = |conn: &mut chatgate::db::DbConn, id: i64| -> i64 {
        ip_rules::table
            .find(id)
            .select(ip_rules::hits)
            .first(conn)
            .unwrap()
    };
    assert_eq!(stored(&mut conn, a), 6, "5 and 1, not globex's 7");
    assert_eq!(stored(&mut conn, g), 2);
    assert!(many.iter().all(|id| stored(&mut conn, *id) == 3));
}
