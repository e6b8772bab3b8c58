//! actix-session state kept in the database, so a session can be revoked
//! server-side (logout, deactivation) and instances share sessions.
//!
//! The row id is the SHA-256 of the session key in the cookie. Idle expiry is
//! the row's `expires_at`, moved forward on use; the absolute limit is
//! `created_at` plus the configured maximum, checked on every load.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use chrono::{Duration, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::{
    db::{sessions, Db},
    domain::clock::Clock,
    error::AppError,
    users::sessions::absolute_limit,
};

/// The session key that holds the signed-in user's id.
pub const USER_ID: &str = "uid";

/// The session cookie's name.
pub const COOKIE: &str = "chatgate_session";

/// The session key under which a load puts who is signed in, read in the
/// same query as the session (`web::page::Who`); never stored.
pub const WHO: &str = "_who";

/// Sessions whose idle deadline this process knows are remembered up to
/// this many; past it the memory starts over.
const KNOWN_MAX: usize = 50_000;

/// The row id of the session this request's cookie names, read the way
/// the session middleware reads it (the cookie is encrypted with `key`).
pub fn request_row_id(req: &actix_web::HttpRequest, key: &[u8; 64]) -> Option<String> {
    let cookie = req.cookie(COOKIE)?;
    let mut jar = actix_web::cookie::CookieJar::new();
    jar.add_original(cookie);
    let key = actix_web::cookie::Key::from(key);
    let value = jar.private(&key).get(COOKIE)?;
    let session_key = SessionKey::try_from(value.value().to_owned()).ok()?;
    Some(row_id(&session_key))
}

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    clock: Arc<Clock>,
    absolute: Duration,
    /// The idle deadline each session had when this process last read or
    /// wrote it, so extending it by less than a minute costs no query.
    known: Arc<Mutex<HashMap<String, NaiveDateTime>>>,
}

impl DbSessionStore {
    pub fn new(db: Db, clock: Arc<Clock>, absolute: std::time::Duration) -> Self {
        Self {
            db,
            clock,
            absolute: absolute_limit(absolute),
            known: Arc::default(),
        }
    }

    fn know(&self, id: &str, expires: NaiveDateTime) {
        if let Ok(mut known) = self.known.lock() {
            if known.len() >= KNOWN_MAX {
                known.clear();
            }
            known.insert(id.to_owned(), expires);
        }
    }

    /// Whether the stored deadline is already within a minute of `expires`.
    fn fresh(&self, id: &str, expires: NaiveDateTime) -> bool {
        let known = self.known.lock().ok().and_then(|k| k.get(id).copied());
        known.is_some_and(|k| k >= expires - Duration::seconds(60))
    }

    /// The idle deadline of a session used now.
    fn expiry(&self, ttl: &CookieDuration) -> NaiveDateTime {
        self.clock.now() + Duration::seconds(ttl.whole_seconds().max(1))
    }
}

fn row_id(key: &SessionKey) -> String {
    hex::encode(Sha256::digest(key.as_ref().as_bytes()))
}

/// The state as stored: without what a load added.
fn stored(mut state: HashMap<String, String>) -> HashMap<String, String> {
    state.remove(WHO);
    state
}

fn user_of(state: &HashMap<String, String>) -> Option<i64> {
    state
        .get(USER_ID)
        .and_then(|v| serde_json::from_str(v).ok())
}

/// One error out of a write's two (the pool's or the query's).
fn flat<T, E: std::fmt::Display>(r: Result<Result<T, E>, AppError>) -> anyhow::Result<T> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(anyhow::anyhow!("{e}")),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

fn new_key() -> Result<SessionKey, anyhow::Error> {
    SessionKey::try_from(crate::crypto::random_token()).map_err(|e| anyhow::anyhow!("{e}"))
}

impl DbSessionStore {
    async fn insert_new(
        &self,
        state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, anyhow::Error> {
        let state = stored(state);
        let body = serde_json::to_string(&state)?;
        let key = new_key()?;
        let id = row_id(&key);
        let now = self.clock.now();
        let expires = self.expiry(ttl);
        let uid = user_of(&state);
        flat(
            self.db
                .write(move |c| sessions::insert(c, &id, uid, &body, now, expires))
                .await,
        )?;
        Ok(key)
    }
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let id = row_id(key);
        let now = self.clock.now();
        let created_after = now - self.absolute;
        let row_id = id.clone();
        let found = self
            .db
            .run(move |c| Ok(sessions::load_with_user(c, &row_id, now, created_after)?))
            .await
            .map_err(|e| LoadError::Other(anyhow::anyhow!("{e}")))?;
        let Some(found) = found else {
            return Ok(None);
        };
        self.know(&id, found.expires_at);
        let mut state: HashMap<String, String> =
            serde_json::from_str(&found.state).map_err(|e| LoadError::Deserialization(e.into()))?;
        match found.who {
            Some(who) => state.insert(WHO.to_owned(), who),
            None => state.remove(WHO),
        };
        Ok(Some(state))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        self.insert_new(state, ttl).await.map_err(SaveError::Other)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let state = stored(state);
        let body =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let id = row_id(&key);
        let expires = self.expiry(ttl);
        self.know(&id, expires);
        let uid = user_of(&state);
        let now = self.clock.now();
        let created_after = now - self.absolute;
        let changed = flat(
            self.db
                .write(move |c| sessions::update(c, &id, uid, &body, expires, now, created_after))
                .await,
        )
        .map_err(UpdateError::Other)?;
        if changed == 0 {
            // Revoked or timed out meanwhile (sign-out elsewhere, deactivation,
            // idle or absolute limit): never resurrect it. The browser gets a
            // fresh, anonymous session instead.
            return self
                .insert_new(HashMap::new(), ttl)
                .await
                .map_err(UpdateError::Other);
        }
        Ok(key)
    }

    async fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        let id = row_id(key);
        let expires = self.expiry(ttl);
        if self.fresh(&id, expires) {
            return Ok(());
        }
        self.know(&id, expires);
        flat(
            self.db
                .write(move |c| sessions::touch(c, &id, expires))
                .await,
        )
        .map(drop)
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let id = row_id(key);
        flat(self.db.write(move |c| sessions::delete(c, &id)).await).map(drop)
    }
}
