//! The shared harness: an app on port 0 with a fresh database of its own (a
//! temp SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL
//! is set), seeded with two accounts, and a cookie-keeping client.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use chatgate::{
    config::Settings,
    db::{accounts, models::BusinessCase, DbConn},
    domain::account::{DisplayName, Email, NewPassword, Role},
    passwords,
    startup::{Application, Core},
};
use diesel::{Connection, RunQueryDsl};
use reqwest::{cookie::CookieStore, Response, StatusCode};

use super::http::{client_with, csrf_in};

pub const PASSWORD: &str = "correct horse battery";

/// Test clients drop an idle connection well before the server's 5-second
/// keep-alive closes it: a request sent on a connection the server is
/// closing at that moment fails with `IncompleteMessage` (seen under load).
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(2);

/// One account of the seeded pair.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub account_id: i64,
    pub manager: String,
    pub manager_id: i64,
    pub agent: String,
    pub agent_id: i64,
    pub case: BusinessCase,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub core: Core,
    pub acme: Tenant,
    pub globex: Tenant,
    _dir: tempfile::TempDir,
    pg: Option<PgTestDb>,
    /// The settings it was built with (for another instance).
    env: HashMap<String, String>,
}

#[derive(Default)]
pub struct TestAppBuilder {
    env: HashMap<String, String>,
    hold_gate: bool,
}

impl TestAppBuilder {
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Starts without loading the visitor gate (no refresh task): the test
    /// loads it with `chatgate::gate::reload` when it wants.
    pub fn hold_gate(mut self) -> Self {
        self.hold_gate = true;
        self
    }

    pub fn trusted_proxies(self, cidrs: &str) -> Self {
        self.env("CHATGATE_TRUSTED_PROXIES", cidrs)
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let pg = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .map(|u| PgTestDb::create(&u));
        let db_url = match &pg {
            Some(p) => p.url.clone(),
            None => format!("sqlite://{}", dir.path().join("test.db").display()),
        };
        let core = open_core(&self, &db_url, dir.path());
        let (acme, globex) = {
            let mut conn = core.db.get().unwrap();
            (
                seed_tenant(&mut conn, "acme"),
                seed_tenant(&mut conn, "globex"),
            )
        };
        let address = launch(&self, &core).await;
        let env = self.env.clone();
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = client_with(jar.clone());
        TestApp {
            address,
            client,
            jar,
            core,
            acme,
            globex,
            _dir: dir,
            pg,
            env,
        }
    }
}

/// Opens (and migrates) the database at `db_url` with the test master key.
fn open_core(b: &TestAppBuilder, db_url: &str, dir: &std::path::Path) -> Core {
    let key_file = dir.join("master.key");
    if !key_file.exists() {
        std::fs::write(&key_file, hex_key()).unwrap();
    }
    let mut env: HashMap<String, String> = [
        ("CHATGATE_BIND", "127.0.0.1:0".to_owned()),
        ("DATABASE_URL", db_url.to_owned()),
        ("CHATGATE_DATA_DIR", dir.display().to_string()),
        ("CHATGATE_MASTER_KEY_FILE", key_file.display().to_string()),
        ("CHATGATE_DB_POOL_SIZE", "20".to_owned()),
        // A small country table the tests know by heart (tests/data).
        (
            "CHATGATE_GEOIP_DB",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/country-code.mmdb").to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    env.extend(b.env.clone());
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).unwrap();
    Core::open(settings).unwrap()
}

/// Starts the app on port 0 and waits for its gate (unless held); returns
/// its address.
async fn launch(b: &TestAppBuilder, core: &Core) -> String {
    let options = chatgate::startup::Options {
        gate_refresh: !b.hold_gate,
    };
    let app = Application::build_with(core, options).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    if !b.hold_gate {
        // Ready as a load balancer would wait for: the gate has loaded.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !core.gate.is_ready() {
            assert!(std::time::Instant::now() < deadline, "the gate loads");
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    address
}

fn hex_key() -> String {
    (0..32)
        .map(|i| format!("{:02x}", (i * 7 + 3) as u8))
        .collect()
}

/// Hashing is slow on purpose; the seeded users share one hash.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| passwords::hash(&NewPassword::parse(PASSWORD).unwrap()).unwrap())
}

fn seed_tenant(conn: &mut DbConn, slug: &str) -> Tenant {
    let now = chrono::Utc::now().naive_utc();
    let account = accounts::create_account(conn, &format!("{slug} Inc"), now).unwrap();
    let case = accounts::create_case(conn, account.id, "Support", &format!("{slug}-support"), now)
        .unwrap();
    let mut user = |who: &str, role| {
        let email = format!("{who}@{slug}.test");
        let u = accounts::create_user(
            conn,
            account.id,
            &Email::parse(&email).unwrap(),
            &DisplayName::parse(&format!("{slug} {who}")).unwrap(),
            role,
            password_hash(),
            now,
        )
        .unwrap();
        (email, u.id)
    };
    let (manager, manager_id) = user("manager", Role::Manager);
    let (agent, agent_id) = user("agent", Role::Agent);
    // Every test visitor comes from 127.0.0.1, one network: flood control
    // starts off here, and the tests of it turn it on (`tests/it/flood.rs`).
    let off = chatgate::domain::flood::FloodLimits {
        messages: None,
        conversations: None,
        files: None,
    };
    chatgate::db::rules::save_flood(conn, account.id, &off, now).unwrap();
    Tenant {
        account_id: account.id,
        manager,
        manager_id,
        agent,
        agent_id,
        case,
    }
}

pub async fn spawn_app() -> TestApp {
    TestApp::builder().spawn().await
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET a page and return its HTML, asserting the status.
    pub async fn page(&self, path: &str, status: StatusCode) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status(), status, "GET {path}");
        r.text().await.unwrap()
    }

    /// The CSRF token of the current session, read from a page's form.
    pub async fn csrf(&self) -> String {
        let html = self.get("/login").await.text().await.unwrap();
        if let Some(t) = csrf_in(&html) {
            return t;
        }
        csrf_in(&self.page("/", StatusCode::OK).await).expect("a csrf token on the page")
    }

    /// Signs in with the app's own client; the answer, for the caller to check.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        let token = self.csrf().await;
        let form = [
            ("email", email),
            ("password", password),
            ("csrf_token", &token),
        ];
        self.client
            .post(self.url("/login"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    pub fn session_cookie(&self) -> Option<String> {
        let url = self.address.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .find(|c| c.starts_with("chatgate_session="))
            .map(str::to_owned)
    }

    /// A second browser: same server, its own cookies.
    pub fn other_client(&self) -> reqwest::Client {
        client_with(Arc::new(reqwest::cookie::Jar::default()))
    }

    /// A second instance of the app on the same database (PostgreSQL; on
    /// SQLite the same file), with its own data directory, process state
    /// and cookies, as a load balancer's second backend would be.
    pub async fn another_instance(&self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_url = self.core.settings.database.url();
        let b = TestAppBuilder {
            env: self.env.clone(),
            hold_gate: false,
        };
        let core = open_core(&b, &db_url, dir.path());
        let address = launch(&b, &core).await;
        let jar = Arc::new(reqwest::cookie::Jar::default());
        TestApp {
            address,
            client: client_with(jar.clone()),
            jar,
            core,
            acme: self.acme.clone(),
            globex: self.globex.clone(),
            _dir: dir,
            pg: None,
            env: b.env,
        }
    }

    pub fn sql(&self, statement: &str) {
        let mut conn = self.core.db.get().unwrap();
        diesel::sql_query(statement).execute(&mut *conn).unwrap();
    }
}

/// A PostgreSQL database created for one test and dropped after it.
struct PgTestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl PgTestDb {
    fn create(admin_url: &str) -> Self {
        // A local test server needs no TLS, and without it libpq never
        // starts OpenSSL: OpenSSL's clean-up at exit can race connection
        // attempts still running on pool threads and abort the process
        // ("double free or corruption") after every test has passed.
        // An explicit `sslmode` in the URL is kept.
        let mut admin = url::Url::parse(admin_url).unwrap();
        if !admin.query_pairs().any(|(k, _)| k == "sslmode") {
            admin.query_pairs_mut().append_pair("sslmode", "disable");
        }
        let admin_url = admin.as_str();
        let name = format!(
            "chatgate_t_{}",
            chatgate::crypto::random_token()[..12]
                .to_lowercase()
                .replace(['-', '_'], "x")
        );
        let mut conn =
            diesel::PgConnection::establish(admin_url).expect("TEST_DATABASE_URL reachable");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap();
        let mut url = url::Url::parse(admin_url).unwrap();
        url.set_path(&name);
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(mut conn) = diesel::PgConnection::establish(&admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        })
        .join();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Dropped explicitly last so the database outlives the app's use of it.
        let _ = self.pg.take();
    }
}
