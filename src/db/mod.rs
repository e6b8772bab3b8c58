//! The database: one connection type for SQLite and PostgreSQL, chosen at run
//! time, an r2d2 pool, embedded migrations for each backend, and the write
//! transaction helper.
//!
//! Rules for callers:
//! * every diesel call runs inside [`Db::run`] (which uses `web::block`);
//! * every write runs inside [`write_tx`], which is `BEGIN IMMEDIATE` on
//!   SQLite, so concurrent writers queue on `busy_timeout` instead of failing
//!   with "database is locked" when a read transaction tries to upgrade;
//! * every query on account data filters by account id.

pub mod accounts;
pub mod audit;
pub mod blocks;
pub mod chat;
pub mod chat_window;
pub mod counters;
pub mod dashboard;
pub mod file_chunks;
pub mod models;
pub mod notify;
pub mod prepared;
pub mod presence;
pub mod purge;
pub mod refusals;
pub mod reports;
pub mod rules;
pub mod schema;
pub mod screen_share;
pub mod search;
pub mod seed;
pub mod sessions;
pub mod throttle;
pub mod visits;

use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::Duration,
};

use diesel::{
    connection::{AnsiTransactionManager, SimpleConnection, TransactionManager},
    prelude::*,
    r2d2::{ConnectionManager, CustomizeConnection, Pool},
    sqlite::SqliteConnection,
    PgConnection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::{config::DatabaseUrl, error::AppError};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConn>>;

/// Pragmas every SQLite connection sets. `busy_timeout` comes first so the
/// others wait instead of failing while another connection writes. WAL mode
/// is a property of the file and is set once, before the pool opens: asking
/// for it on every new connection can fail while another one writes.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 15000;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
PRAGMA secure_delete = ON;";

#[derive(Debug, Clone, Copy)]
struct Pragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute(SQLITE_PRAGMAS)
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The pool plus what kind of database it is.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    sqlite: bool,
    /// Callers of [`Db::run`] waiting for a connection (r2d2 does not
    /// count its waiters).
    waiting: Arc<AtomicI64>,
}

/// The pool as `/metrics` shows it.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub connections: u32,
    pub idle_connections: u32,
    pub waiting: i64,
}

/// Counts one waiter until dropped (also when `get` fails or panics).
struct Waiting<'a>(&'a AtomicI64);

impl<'a> Waiting<'a> {
    fn start(n: &'a AtomicI64) -> Self {
        n.fetch_add(1, Ordering::Relaxed);
        Self(n)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot create the database directory {0}: {1}")]
    Dir(String, std::io::Error),
    #[error("cannot open the database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migrations failed: {0}")]
    Migrate(String),
}

impl Db {
    /// Opens a pool of `size` connections. For SQLite the file's directory is
    /// created if needed.
    pub fn connect(url: &DatabaseUrl, size: u32) -> Result<Self, DbSetupError> {
        let (conn_url, sqlite) = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| DbSetupError::Dir(dir.display().to_string(), e))?;
                }
                let url = format!("sqlite://{}", path.display());
                let mut first = SqliteConnection::establish(&url).map_err(|e| {
                    DbSetupError::Migrate(format!("cannot open {}: {e}", path.display()))
                })?;
                first
                    .batch_execute("PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL;")
                    .map_err(|e| DbSetupError::Migrate(e.to_string()))?;
                (url, true)
            }
            DatabaseUrl::Postgres(u) => (u.clone(), false),
        };
        // Connections open as they are needed, up to `size`, and are not
        // tested on every checkout (a `SELECT 1` each time): a broken one
        // fails its query, and r2d2 drops it when it comes back.
        let pool = Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(30))
            .connection_customizer(Box::new(Pragmas))
            .build(ConnectionManager::<DbConn>::new(conn_url))?;
        Ok(Self {
            pool,
            sqlite,
            waiting: Arc::default(),
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// Connections open and idle (r2d2's `state()`), and the callers of
    /// [`Db::run`] waiting for one.
    pub fn pool_state(&self) -> PoolState {
        let s = self.pool.state();
        PoolState {
            connections: s.connections,
            idle_connections: s.idle_connections,
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }

    pub fn get(
        &self,
    ) -> Result<diesel::r2d2::PooledConnection<ConnectionManager<DbConn>>, diesel::r2d2::PoolError>
    {
        self.pool.get()
    }

    /// Runs pending migrations for the backend in use. On PostgreSQL an
    /// advisory lock keeps several instances starting at once from racing.
    pub fn migrate(&self) -> Result<usize, DbSetupError> {
        let mut conn = self.pool.get()?;
        let m = |e: Box<dyn std::error::Error + Send + Sync>| DbSetupError::Migrate(e.to_string());
        match &mut *conn {
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.len())
                .map_err(m),
            DbConn::Pg(c) => {
                const LOCK: i64 = SETUP_LOCK;
                diesel::sql_query(format!("SELECT pg_advisory_lock({LOCK})"))
                    .execute(c)
                    .map_err(|e| DbSetupError::Migrate(e.to_string()))?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.len())
                    .map_err(m);
                let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({LOCK})")).execute(c);
                result
            }
        }
    }

    /// Runs blocking database work on the thread pool, off the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waiting) = (self.pool.clone(), self.waiting.clone());
        actix_web::web::block(move || {
            let mut conn = {
                let _waiting = Waiting::start(&waiting);
                pool.get()?
            };
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction ([`write_tx`]) on the thread pool.
    /// The outer error is the pool's or the thread's; the inner one is `f`'s,
    /// and when it is returned nothing `f` wrote is kept.
    pub async fn write<T, E, F>(&self, f: F) -> Result<Result<T, E>, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |c| Ok(write_tx(c, f))).await
    }
}

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite, a normal
/// transaction on PostgreSQL. Nested transactions inside `f` become
/// savepoints as usual.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let sqlite_top_level = match conn {
        DbConn::Sqlite(c) => {
            let depth =
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?;
            if depth.is_none() {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
                true
            } else {
                false
            }
        }
        DbConn::Pg(_) => false,
    };
    if !sqlite_top_level {
        return conn.transaction(f);
    }
    match f(conn) {
        Ok(v) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(v)
        }
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// The PostgreSQL advisory lock of start-up work: the migrations and the
/// demo seed. Instances starting together take turns on it.
pub const SETUP_LOCK: i64 = 0x6368_6174_6761_7465; // "chatgate"

/// Takes the start-up lock until the transaction ends (PostgreSQL; SQLite's
/// `BEGIN IMMEDIATE` already serialises writers). Call inside [`write_tx`].
pub fn lock_setup(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(SETUP_LOCK)
            .execute(c)?;
    }
    Ok(())
}

/// Serialises writers on one logical key until the transaction ends. SQLite's
/// `BEGIN IMMEDIATE` already serialises every writer; on PostgreSQL a
/// transaction-scoped advisory lock does it. Call inside [`write_tx`].
pub fn lock(conn: &mut DbConn, scope: &str, key: &str) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{scope}\u{0}{key}").as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(i64::from_be_bytes(id))
            .execute(c)?;
    }
    Ok(())
}

/// A trivial query: whether the database answers (`/healthz`).
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(drop)
}
