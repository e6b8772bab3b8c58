//! Harness for the integrity tests: a fresh empty database that several
//! cores can open at once, and raw HTTP over TCP for bodies that a normal
//! client would never send.

use std::{
    collections::HashMap,
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    time::{Duration, Instant},
};

use chatgate::{config::Settings, startup::Core};
use diesel::{Connection, RunQueryDsl};

/// An empty database (a temp SQLite file, or a fresh PostgreSQL database
/// when TEST_DATABASE_URL is set) with the settings to open it.
pub struct FreshDb {
    dir: tempfile::TempDir,
    pub url: String,
    pg: Option<(String, String)>,
}

impl FreshDb {
    pub fn create() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("master.key"), "ab".repeat(32)).unwrap();
        let admin = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        let Some(admin) = admin else {
            let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
            return Self { dir, url, pg: None };
        };
        let mut admin = url::Url::parse(&admin).unwrap();
        if !admin.query_pairs().any(|(k, _)| k == "sslmode") {
            admin.query_pairs_mut().append_pair("sslmode", "disable");
        }
        let name = format!(
            "chatgate_f_{}",
            chatgate::crypto::random_token()[..12]
                .to_lowercase()
                .replace(['-', '_'], "x")
        );
        let mut conn = diesel::PgConnection::establish(admin.as_str()).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap();
        let mut url = admin.clone();
        url.set_path(&name);
        Self {
            dir,
            url: url.to_string(),
            pg: Some((admin.to_string(), name)),
        }
    }

    pub fn settings(&self) -> Settings {
        let env: HashMap<&str, String> = [
            ("CHATGATE_BIND", "127.0.0.1:0".to_owned()),
            ("DATABASE_URL", self.url.clone()),
            ("CHATGATE_DATA_DIR", self.dir.path().display().to_string()),
            (
                "CHATGATE_MASTER_KEY_FILE",
                self.dir.path().join("master.key").display().to_string(),
            ),
            ("CHATGATE_DB_POOL_SIZE", "2".to_owned()),
            (
                "CHATGATE_DEMO_PASSWORD",
                crate::support::PASSWORD.to_owned(),
            ),
            (
                "CHATGATE_GEOIP_DB",
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/country-code.mmdb").to_owned(),
            ),
        ]
        .into_iter()
        .collect();
        Settings::from_lookup(|k| env.get(k).cloned()).unwrap()
    }

    pub fn open(&self) -> Core {
        Core::open(self.settings()).unwrap()
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            if let Ok(mut conn) = diesel::PgConnection::establish(&admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// The SQLite file of a test app, or `None` on PostgreSQL.
pub fn sqlite_file(app: &crate::support::TestApp) -> Option<PathBuf> {
    match &app.core.settings.database {
        chatgate::config::DatabaseUrl::Sqlite(p) => Some(p.clone()),
        chatgate::config::DatabaseUrl::Postgres(_) => None,
    }
}

/// Writes `head` and `body` on a new connection to the app, keeps the
/// socket open, and returns the status line answered within `wait`, or
/// `None` when nothing came.
pub async fn raw_request(address: &str, head: &str, body: &[u8], wait: Duration) -> Option<String> {
    let host = address.trim_start_matches("http://").to_owned();
    let (head, body) = (head.to_owned(), body.to_vec());
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(host).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body).unwrap();
        s.flush().unwrap();
        let deadline = Instant::now() + wait;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while Instant::now() < deadline && !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            s.set_read_timeout(Some(
                deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1)),
            ))
            .unwrap();
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let text = String::from_utf8_lossy(&buf).into_owned();
        text.lines()
            .next()
            .filter(|l| l.starts_with("HTTP/"))
            .map(str::to_owned)
    })
    .await
    .unwrap()
}
