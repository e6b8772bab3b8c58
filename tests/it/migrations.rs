//! The one-active-block migration on a database that holds duplicate
//! blocks in force, as two agents racing on PostgreSQL could leave it.

use chatgate::{
    chat::{blocking, service::AgentRef},
    db::{
        blocks as block_store,
        schema::{accounts, blocks, business_cases, conversations, users},
        write_tx, Db, DbConn, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS,
    },
};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;

use crate::support::fresh_db::FreshDb;

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// Runs the migrations before the one-active-block one.
fn migrate_to_before(conn: &mut DbConn) {
    for _ in 0..5 {
        match conn {
            DbConn::Sqlite(c) => c.run_next_migration(SQLITE_MIGRATIONS).map(|_| ()),
            DbConn::Pg(c) => c.run_next_migration(POSTGRES_MIGRATIONS).map(|_| ()),
        }
        .unwrap();
    }
}

/// A fresh database with conversations 1 and 2 and what `seed` wrote, as
/// the schema before the one-active-block migration held them, then
/// migrated to the end; with the `now` they were written at.
fn migrated_after(seed: fn(&mut DbConn, NaiveDateTime)) -> (FreshDb, Db, NaiveDateTime) {
    let fresh = FreshDb::create();
    let db = Db::connect(&fresh.settings().database, 1).unwrap();
    // Microseconds, as PostgreSQL keeps them.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now().naive_utc(), 6);
    {
        let mut conn = db.get().unwrap();
        migrate_to_before(&mut conn);
        insert_conversations(&mut conn, now);
        seed(&mut conn, now);
    }
    db.migrate().unwrap();
    (fresh, db, now)
}

/// The block conversation 1 points at, and until when it is blocked.
fn conversation_1_block(conn: &mut DbConn) -> (Option<i64>, Option<NaiveDateTime>) {
    conversations::table
        .find(1)
        .select((conversations::block_id, conversations::block_until))
        .first(conn)
        .unwrap()
}

/// An account with a case and conversations 1 and 2.
fn insert_conversations(conn: &mut DbConn, now: NaiveDateTime) {
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(1),
            accounts::name.eq("a"),
            accounts::created_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(business_cases::table)
        .values((
            business_cases::id.eq(1),
            business_cases::account_id.eq(1),
            business_cases::name.eq("s"),
            business_cases::widget_key.eq("k"),
            business_cases::created_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    for id in [1i64, 2] {
        diesel::insert_into(conversations::table)
            .values((
                conversations::id.eq(id),
                conversations::account_id.eq(1),
                conversations::case_id.eq(1),
                conversations::public_id.eq(format!("c{id}")),
                conversations::visitor_key.eq("v"),
                conversations::visitor_label.eq("Visitor"),
                conversations::status.eq("closed"),
                conversations::started_at.eq(now - days(1)),
            ))
            .execute(conn)
            .unwrap();
    }
}

/// When a block was lifted and by whom (`None`: it was not).
struct Lifted {
    at: Option<NaiveDateTime>,
    by: Option<&'static str>,
}

/// Block `id` of conversation `conv`, stored at `at` for seven days, with
/// its network until it was lifted.
fn insert_block(conn: &mut DbConn, (id, conv): (i64, i64), at: NaiveDateTime, lifted: Lifted) {
    let kept = lifted.at.is_none();
    diesel::insert_into(blocks::table)
        .values((
            blocks::id.eq(id),
            blocks::account_id.eq(1),
            blocks::conversation_id.eq(Some(conv)),
            blocks::public_id.eq(format!("b{id}")),
            blocks::network_sealed.eq(kept.then(|| vec![id as u8; 4])),
            blocks::network_index.eq(kept.then(|| vec![id as u8; 8])),
            blocks::reason.eq("r"),
            blocks::blocked_by_name.eq("agent"),
            blocks::created_at.eq(at),
            blocks::expires_at.eq(at + days(7)),
            blocks::lifted_at.eq(lifted.at),
            blocks::lifted_by_name.eq(lifted.by),
        ))
        .execute(conn)
        .unwrap();
}

/// Conversation 1 holds three blocks with a network (one ran out, two in
/// force); conversation 2 one lifted and one in force.
fn insert_blocks(conn: &mut DbConn, now: NaiveDateTime) {
    // (id, conversation, created days ago, lifted)
    for (id, conv, ago, lifted) in [
        (1i64, 1i64, 9i64, false), // ran out, not purged yet
        (2, 1, 2, false),
        (3, 1, 1, false), // the newest: stays in force
        (4, 2, 1, true),
        (5, 2, 0, false), // the only one of conversation 2
    ] {
        let lifted = Lifted {
            at: lifted.then_some(now),
            by: None,
        };
        insert_block(conn, (id, conv), now - days(ago), lifted);
    }
    // The conversation points at the older duplicate.
    diesel::update(conversations::table.filter(conversations::id.eq(1)))
        .set((
            conversations::block_id.eq(Some(2i64)),
            conversations::block_until.eq(Some(now + days(5))),
        ))
        .execute(conn)
        .unwrap();
}

fn second_block_in_force(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(blocks::table)
        .values((
            blocks::account_id.eq(1),
            blocks::conversation_id.eq(Some(1i64)),
            blocks::public_id.eq("b6"),
            blocks::network_index.eq(Some(vec![6u8; 8])),
            blocks::reason.eq("r"),
            blocks::blocked_by_name.eq("agent"),
            blocks::created_at.eq(now),
            blocks::expires_at.eq(now + days(7)),
        ))
        .execute(conn)
}

#[test]
fn the_migration_keeps_the_newest_of_duplicate_blocks_in_force() {
    let (_fresh, db, now) = migrated_after(insert_blocks);
    let mut conn = db.get().unwrap();
    let rows: Vec<(i64, Option<Vec<u8>>, Option<NaiveDateTime>)> = blocks::table
        .order(blocks::id)
        .select((blocks::id, blocks::network_index, blocks::lifted_at))
        .load(&mut *conn)
        .unwrap();
    let in_force: Vec<i64> = rows
        .iter()
        .filter(|(_, index, _)| index.is_some())
        .map(|r| r.0)
        .collect();
    assert_eq!(in_force, [3, 5], "{rows:?}");
    assert!(
        rows[0].2.is_none(),
        "the block that ran out is not 'lifted'"
    );
    assert!(rows[1].2.is_some(), "the older duplicate is lifted");
    let (block_id, until) = conversation_1_block(&mut conn);
    assert_eq!(block_id, Some(3));
    assert_eq!(until, Some(now - days(1) + days(7)));
    assert_unique_violation(second_block_in_force(&mut conn, now));
}

fn assert_unique_violation(r: QueryResult<usize>) {
    assert!(
        matches!(
            r,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        ),
        "a second block in force must break the unique index: {r:?}"
    );
}

/// What the old race really left: two blocks stored at once, and Unblock
/// now lifted the one the conversation points at, so it points at a lifted
/// block while the other stays in force (one in force, no duplicate left).
fn insert_the_lost_unblock(conn: &mut DbConn, now: NaiveDateTime) {
    let at = now - days(1);
    for (id, lifted) in [(1i64, false), (2, true)] {
        let lifted = Lifted {
            at: lifted.then_some(now - Duration::hours(1)),
            by: lifted.then_some("boss"),
        };
        insert_block(conn, (id, 1), at, lifted);
    }
    diesel::update(conversations::table.filter(conversations::id.eq(1)))
        .set((
            conversations::block_id.eq(Some(2i64)),
            conversations::blocked_at.eq(Some(at)),
            conversations::block_reason.eq(Some("r")),
            conversations::block_until.eq(Some(now - Duration::hours(1))),
        ))
        .execute(conn)
        .unwrap();
}

#[test]
fn the_migration_repoints_a_conversation_whose_block_was_lifted_while_a_duplicate_runs() {
    let (_fresh, db, now) = migrated_after(insert_the_lost_unblock);
    let mut conn = db.get().unwrap();
    let (block_id, until) = conversation_1_block(&mut conn);
    assert_eq!(
        block_id,
        Some(1),
        "the conversation points at the block in force"
    );
    assert_eq!(until, Some(now - days(1) + days(7)));
    assert_eq!(block_store::live(&mut conn, now).unwrap().len(), 1);

    // Unblock now works, and nothing stays in force.
    let boss = AgentRef {
        account_id: 1,
        user_id: 1,
        name: "boss",
    };
    diesel::insert_into(users::table)
        .values((
            users::id.eq(1),
            users::account_id.eq(1),
            users::email.eq("boss@a.test"),
            users::name.eq("boss"),
            users::role.eq("manager"),
            users::password_hash.eq("x"),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(&mut *conn)
        .unwrap();
    let later = now + Duration::minutes(1);
    write_tx(&mut conn, |c| blocking::unblock(c, boss, 1, later))
        .unwrap_or_else(|e| panic!("Unblock now: {e:?}"));
    assert!(block_store::live(&mut conn, later).unwrap().is_empty());
    let sealed: i64 = blocks::table
        .filter(blocks::network_sealed.is_not_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(sealed, 0, "the lifted block keeps no network");
}
