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
    config::Settings,
    crypto::{KeyOrigin, Keys, MasterKey},
    db::{self, Db},
    passwords,
    web::{
        agent, assets, auth, csrf, errors, headers, panel, session_store::DbSessionStore, users,
        widget, AppState,
    },
};

/// What every command needs: the settings, an open and migrated database,
/// and the derived keys.
pub struct Core {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub keys: Arc<Keys>,
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
        Ok(Self {
            settings: Arc::new(settings),
            db,
            keys: Arc::new(master.keys()),
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
        Ok(db::seed::seed_demo(&mut conn, &hash)?.then_some(password))
    }
}

pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    pub fn build(core: &Core) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(core.settings.bind)
            .with_context(|| format!("cannot listen on {}", core.settings.bind))?;
        let port = listener.local_addr()?.port();
        let server = serve(core, listener)?;
        spawn_housekeeping(core.db.clone(), core.settings.session_absolute);
        Ok(Self { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn serve(core: &Core, listener: TcpListener) -> anyhow::Result<Server> {
    let state = web::Data::new(AppState {
        db: core.db.clone(),
        settings: core.settings.clone(),
        keys: core.keys.clone(),
        hub: Arc::new(crate::chat::Hub::new()),
    });
    let store = DbSessionStore::new(core.db.clone(), core.settings.session_absolute);
    let cookie_key = Key::from(core.keys.cookie_key());
    let secure = core.settings.secure_cookies();
    let idle =
        actix_web::cookie::time::Duration::seconds(core.settings.session_idle.as_secs() as i64);
    let server = HttpServer::new(move || {
        let session = SessionMiddleware::builder(store.clone(), cookie_key.clone())
            .cookie_name("chatgate_session".into())
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
            .wrap(from_fn(headers::security_headers))
            .wrap(from_fn(crate::telemetry::access_log))
            .app_data(widget::json_config())
            .configure(panel::public_routes)
            .configure(assets::routes)
            .configure(widget::routes)
            .service(
                web::scope("")
                    .wrap(ErrorHandlers::new().default_handler(errors::render_bare))
                    .wrap(from_fn(csrf::guard))
                    .wrap(session)
                    .configure(auth::routes)
                    .configure(users::routes)
                    .configure(panel::routes)
                    .configure(agent::routes)
                    .default_service(web::to(errors::not_found)),
            )
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Removes expired sessions and old login failures, now and every 10 minutes.
fn spawn_housekeeping(db: Db, absolute: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let absolute =
                chrono::Duration::from_std(absolute).unwrap_or(chrono::Duration::hours(12));
            let result = db
                .run(move |c| {
                    let t = db::now();
                    Ok(db::write_tx(c, |c| {
                        let s = db::sessions::purge_expired(c, t, t - absolute)?;
                        let f = db::throttle::purge(c, t - chrono::Duration::hours(1))?;
                        Ok::<_, diesel::result::Error>((s, f))
                    })?)
                })
                .await;
            match result {
                Ok((sessions, failures)) => {
                    tracing::debug!(sessions, failures, "housekeeping done")
                }
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    });
}
