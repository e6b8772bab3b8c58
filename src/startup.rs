//! Builds the application from settings. Tests bind it to port 0.

use std::{net::TcpListener, sync::Arc, time::Duration};

use actix_session::{
    config::{BrowserSession, TtlExtensionPolicy},
    SessionMiddleware,
};
use actix_web::{
    cookie::{Key, SameSite},
    dev::Server,
    middleware::{from_fn, ErrorHandlers},
    web, App, HttpServer,
};
use anyhow::Context;

use crate::{
    chat::Hub,
    config::Settings,
    crypto::{KeyOrigin, Keys, MasterKey},
    db::{self, Db},
    domain::clock::Clock,
    gate::{self, country_table::CountryTable, Gate},
    metrics::Metrics,
    passwords,
    web::{
        abuse, agent, assets, auth, block_visitors, chat_window, conversations, csrf, errors,
        headers, input_guard, lifecycle, metrics, panel, profile, session_store::DbSessionStore,
        users, widget, AppState,
    },
};

/// What every command needs: the settings, an open and migrated database,
/// and the derived keys.
pub struct Core {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub keys: Arc<Keys>,
    pub clock: Arc<Clock>,
    pub gate: Arc<Gate>,
    pub hub: Arc<Hub>,
    /// The gate, hub, database and clock, kept in step with other instances.
    pub node: Arc<crate::cluster::Node>,
    /// This instance's Prometheus registry (`/metrics`).
    pub metrics: Arc<Metrics>,
}

impl Core {
    /// Loads (or, on an embedded start, generates) the master key, opens the
    /// pool and runs pending migrations.
    pub fn open(settings: Settings) -> anyhow::Result<Self> {
        let embedded = settings.database.is_sqlite();
        let (master, origin) = MasterKey::load_or_generate(&settings.master_key_file, embedded)?;
        if origin == KeyOrigin::Generated {
            tracing::warn!(
                file = %settings.master_key_file.display(),
                "generated a new master key; back it up, without it sealed visitor data cannot be read"
            );
        }
        tracing::info!(database = %settings.database.redacted(), "opening database");
        let db = Db::connect(&settings.database, settings.pool_size)?;
        let applied = db.migrate()?;
        if applied > 0 {
            tracing::info!(applied, "applied database migrations");
        }
        let keys = Arc::new(master.keys());
        let clock = Arc::new(Clock::default());
        let started = std::time::Instant::now();
        let countries = match &settings.geoip_db {
            Some(path) => CountryTable::cached(path)
                .with_context(|| format!("CHATGATE_GEOIP_DB {}", path.display()))?,
            None => CountryTable::shipped().context("the shipped IP-to-country database")?,
        };
        tracing::info!(
            ranges = countries.ranges(),
            ms = started.elapsed().as_millis() as u64,
            "loaded the IP-to-country table"
        );
        let (gate, hub) = (Arc::new(Gate::new(&keys, countries)), Arc::new(Hub::new()));
        let node = crate::cluster::Node::new(db.clone(), gate.clone(), hub.clone(), clock.clone());
        let metrics = Arc::new(Metrics::new().context("registering the metrics")?);
        Ok(Self {
            metrics,
            settings: Arc::new(settings),
            db,
            gate,
            keys,
            clock,
            hub,
            node: Arc::new(node),
        })
    }

    /// Seeds the demo account when the database is empty. Returns the
    /// password when it seeded.
    pub fn seed_demo(&self) -> anyhow::Result<Option<String>> {
        let password = self
            .settings
            .demo_password
            .clone()
            .unwrap_or_else(passwords::generate);
        let parsed = crate::domain::account::NewPassword::parse(&password)
            .map_err(|e| anyhow::anyhow!("CHATGATE_DEMO_PASSWORD: {e}"))?;
        let mut conn = self.db.get()?;
        if db::accounts::any_account(&mut conn)? {
            return Ok(None);
        }
        let hash = passwords::hash(&parsed).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
        let now = self.clock.now();
        let store = crate::chat::file_store::Store::for_db(&self.db, &self.settings.data_dir);
        let host = url::Url::parse(&self.settings.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let setting = crate::demo::Setting {
            keys: &self.keys,
            store: &store,
            public_host: &host,
            password_hash: &hash,
            now,
        };
        let history = |c: &mut db::DbConn, account| crate::demo::write(c, account, &setting);
        Ok(db::seed::seed_demo(&mut conn, &hash, now, history)?.then_some(password))
    }
}

pub struct Application {
    server: Server,
    port: u16,
    hub: Arc<Hub>,
}

/// How `Application::build_with` starts the background work.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Load the visitor gate now and keep it, and the event streams, in
    /// step with other instances ([`crate::cluster`]). Tests turn this off
    /// to see the instance before its gate has loaded, and load it
    /// themselves with `gate::reload`.
    pub gate_refresh: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { gate_refresh: true }
    }
}

/// After SIGTERM: how long `/readyz` answers 503 while the listener still
/// accepts (so a load balancer sees it), then how long in-flight requests
/// get to finish. Together well under the 5 seconds promised.
const DRAIN: Duration = Duration::from_millis(1000);
const GRACE: u64 = 3;

impl Application {
    pub fn build(core: &Core) -> anyhow::Result<Self> {
        Self::build_with(core, Options::default())
    }

    pub fn build_with(core: &Core, options: Options) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(core.settings.bind)
            .with_context(|| format!("cannot listen on {}", core.settings.bind))?;
        let port = listener.local_addr()?.port();
        let server = serve(core, listener)?;
        spawn_housekeeping(core);
        if options.gate_refresh {
            let listen = match &core.settings.database {
                crate::config::DatabaseUrl::Postgres(url) => Some(url.clone()),
                crate::config::DatabaseUrl::Sqlite(_) => None,
            };
            crate::cluster::start(core.node.clone(), listen);
        }
        Ok(Self {
            server,
            port,
            hub: core.hub.clone(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until SIGTERM or SIGINT, then shuts down in seconds:
    /// `/readyz` turns 503, every open event stream gets a final
    /// "reconnect" event, in-flight requests finish, and the log says
    /// "shutting down" and "stopped".
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let hub = self.hub.clone();
        actix_web::rt::spawn(async move {
            let signal = stop_signal().await;
            tracing::info!(signal, "shutting down");
            hub.shut_down();
            actix_web::rt::time::sleep(DRAIN).await;
            handle.stop(true).await;
        });
        let result = self.server.await;
        tracing::info!("stopped");
        result
    }
}

/// Waits for SIGTERM or SIGINT (Ctrl-C) and names it.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = actix_web::rt::signal::ctrl_c() => "SIGINT",
            };
        }
    }
    let _ = actix_web::rt::signal::ctrl_c().await;
    "SIGINT"
}

fn serve(core: &Core, listener: TcpListener) -> anyhow::Result<Server> {
    let state = web::Data::new(AppState {
        db: core.db.clone(),
        files: crate::chat::file_store::Store::for_db(&core.db, &core.settings.data_dir),
        settings: core.settings.clone(),
        keys: core.keys.clone(),
        hub: core.hub.clone(),
        gate: core.gate.clone(),
        clock: core.clock.clone(),
        node: core.node.clone(),
        metrics: core.metrics.clone(),
        own_origin: crate::domain::website::origin_of(&core.settings.public_url),
        pages: widget::PageCache::default(),
    });
    let store = DbSessionStore::new(
        core.db.clone(),
        core.clock.clone(),
        core.settings.session_absolute,
    );
    let cookie_key = Key::from(core.keys.cookie_key());
    let secure = core.settings.secure_cookies();
    let idle =
        actix_web::cookie::time::Duration::seconds(core.settings.session_idle.as_secs() as i64);
    let server = HttpServer::new(move || {
        let session = SessionMiddleware::builder(store.clone(), cookie_key.clone())
            .cookie_name(crate::web::session_store::COOKIE.into())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Strict)
            .cookie_secure(secure)
            .cookie_path("/".into())
            .session_lifecycle(
                BrowserSession::default()
                    .state_ttl(idle)
                    .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
            )
            .build();
        App::new()
            .app_data(state.clone())
            .app_data(web::FormConfig::default().limit(256 * 1024))
            .wrap(from_fn(input_guard::guard))
            .wrap(from_fn(headers::security_headers))
            .wrap(from_fn(crate::telemetry::access_log))
            .wrap(from_fn(crate::metrics::http_metrics))
            .app_data(widget::json_config())
            .configure(panel::public_routes)
            .configure(lifecycle::routes)
            .configure(metrics::routes)
            // The widget's routes come before the static files' catch-all
            // pattern, so the hot bootstrap request is matched first.
            .configure(widget::routes)
            .configure(assets::routes)
            .service(
                web::scope("")
                    .wrap(ErrorHandlers::new().default_handler(errors::render_bare))
                    .wrap(from_fn(csrf::guard))
                    .wrap(session)
                    .configure(auth::routes)
                    .configure(users::routes)
                    .configure(profile::routes)
                    .configure(block_visitors::routes)
                    .configure(chat_window::routes)
                    .configure(abuse::routes)
                    .configure(panel::routes)
                    .configure(agent::routes)
                    .configure(conversations::routes)
                    .default_service(web::to(errors::not_found)),
            )
    })
    // Signals are handled by `run_until_signalled`, which drains first.
    .disable_signals()
    .shutdown_timeout(GRACE)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The privacy purge (expired blocks, old visitor addresses, sessions,
/// login failures): now, then every 10 minutes.
fn spawn_housekeeping(core: &Core) {
    let (db, clock, gate) = (core.db.clone(), core.clock.clone(), core.gate.clone());
    let metrics = core.metrics.clone();
    let session_max = crate::users::sessions::absolute_limit(core.settings.session_absolute);
    let counter_retention = chrono::Duration::from_std(core.settings.counter_retention)
        .unwrap_or_else(|_| chrono::Duration::days(db::purge::COUNTER_RETENTION_DAYS as i64));
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            // A failure is logged and counted; the next tick tries again.
            let _ = purge_once(&db, &clock, &metrics, (session_max, counter_retention)).await;
            // Expired blocks leave the gate's snapshot (the full reload,
            // which also marks the gate ready, is the safety poll's).
            if let Err(e) = gate::load::reload_blocks(&db, &gate, clock.now()).await {
                tracing::warn!(error = %e, "gate block reload after the purge failed");
            }
        }
    });
}

/// One privacy purge run, logged and counted in `metrics`.
pub async fn purge_once(
    db: &Db,
    clock: &Clock,
    metrics: &Metrics,
    (session_max, counter_retention): (chrono::Duration, chrono::Duration),
) -> Result<db::purge::Report, crate::error::AppError> {
    let now = clock.now();
    let result = db
        .run(move |c| Ok(db::purge::run_with(c, now, session_max, counter_retention)?))
        .await;
    match &result {
        Ok(r) => tracing::info!(
            blocks_expired = r.blocks_expired,
            addresses_erased = r.addresses_erased,
            sessions = r.sessions,
            visit_records = r.visit_records,
            counters = r.counters,
            "privacy purge done"
        ),
        Err(e) => tracing::warn!(error = %e, "privacy purge failed"),
    }
    metrics.purge_done(result.as_ref().ok());
    result
}
