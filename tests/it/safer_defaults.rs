//! The safer defaults migration: accounts created from now on accept images
//! and documents with previews off; an account that existed before keeps
//! what it had (all files, previews on), on both databases.

use chatgate::db::{self, accounts, DbConn};
use diesel::{
    backend::Backend, sql_query, Connection, PgConnection, RunQueryDsl, SqliteConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

const SAFER: &str = "2026-11-29-000007";

/// Runs every migration before `SAFER`.
fn migrate_before<DB: Backend, C: MigrationHarness<DB>>(c: &mut C, all: EmbeddedMigrations) {
    for m in c.pending_migrations(all).unwrap() {
        if m.name().to_string().starts_with(SAFER) {
            break;
        }
        c.run_migration(&*m).unwrap();
    }
}

fn check(url: &str) {
    let mut conn = DbConn::establish(url).unwrap();
    let old = 1;
    let (before, after) = {
        let mut c = DbConn::establish(url).unwrap();
        let now = accounts::create_account(&mut c, "New Inc", chrono::Utc::now().naive_utc())
            .unwrap()
            .id;
        let b = db::chat_window::settings(&mut conn, old).unwrap();
        let a = db::chat_window::settings(&mut conn, now).unwrap();
        (b, a)
    };
    assert_eq!(
        before.summary(),
        "Visitors may send all files, up to 10 MB; image previews are shown by default",
        "an existing account keeps what it had"
    );
    assert_eq!(
        after.summary(),
        "Visitors may send images and documents, up to 10 MB; image previews are hidden by default"
    );
}

const OLD_ACCOUNT: &str =
    "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Old Ltd', '2026-01-01 00:00:00')";

#[test]
fn an_existing_account_keeps_its_settings_and_a_new_one_is_safer_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let mut c = SqliteConnection::establish(&url).unwrap();
    migrate_before(&mut c, db::SQLITE_MIGRATIONS);
    sql_query(OLD_ACCOUNT).execute(&mut c).unwrap();
    c.run_pending_migrations(db::SQLITE_MIGRATIONS).unwrap();
    // The rebuilt table still refuses rows of unknown accounts.
    sql_query("PRAGMA foreign_keys = ON")
        .execute(&mut c)
        .unwrap();
    let orphan =
        sql_query("INSERT INTO chat_window_settings (account_id) VALUES (999)").execute(&mut c);
    assert!(orphan.is_err());
    check(&url);
}

#[test]
fn an_existing_account_keeps_its_settings_and_a_new_one_is_safer_on_postgres() {
    let Some(admin) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return; // SQLite only in this run
    };
    let mut admin_url = url::Url::parse(&admin).unwrap();
    if !admin_url.query_pairs().any(|(k, _)| k == "sslmode") {
        admin_url
            .query_pairs_mut()
            .append_pair("sslmode", "disable");
    }
    let name = format!(
        "chatgate_m_{}",
        chatgate::crypto::random_token()[..12]
            .to_lowercase()
            .replace(['-', '_'], "x")
    );
    let mut a = PgConnection::establish(admin_url.as_str()).unwrap();
    sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut a)
        .unwrap();
    let mut url = admin_url.clone();
    url.set_path(&name);
    let result = std::panic::catch_unwind(|| {
        let mut c = PgConnection::establish(url.as_str()).unwrap();
        migrate_before(&mut c, db::POSTGRES_MIGRATIONS);
        sql_query(OLD_ACCOUNT).execute(&mut c).unwrap();
        sql_query("SELECT setval('accounts_id_seq', 1)")
            .execute(&mut c)
            .unwrap();
        c.run_pending_migrations(db::POSTGRES_MIGRATIONS).unwrap();
        check(url.as_str());
    });
    let _ = sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut a);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
