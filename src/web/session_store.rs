//! actix-session state kept in the database, so a session can be revoked
//! server-side (logout, deactivation) and instances share sessions.
//!
//! The row id is the SHA-256 of the session key in the cookie. Idle expiry is
//! the row's `expires_at`, moved forward on use; the absolute limit is
//! `created_at` plus the configured maximum, checked on every load.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use chrono::{Duration, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::db::{now, sessions, write_tx, Db};

/// The session key that holds the signed-in user's id.
pub const USER_ID: &str = "uid";

/// The session cookie's name.
pub const COOKIE: &str = "chatgate_session";

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

/// Whether session row `id` is still in force for this user with this
/// role: not signed out, idled out or past the absolute limit, and the
/// user still active in the same role.
pub fn still_valid(
    conn: &mut crate::db::DbConn,
    id: &str,
    user: &crate::web::page::CurrentUser,
    absolute: std::time::Duration,
) -> diesel::QueryResult<bool> {
    let absolute = Duration::from_std(absolute).unwrap_or(Duration::hours(12));
    let t = now();
    if sessions::load(conn, id, t, t - absolute)?.is_none() {
        return Ok(false);
    }
    Ok(crate::db::accounts::user(conn, user.account_id, user.id)?
        .is_some_and(|u| u.active && u.role() == user.role))
}

/// Deletes session row `id` (sign-out), before the middleware forgets it,
/// so the session's open streams end at once.
pub fn revoke(conn: &mut crate::db::DbConn, id: &str) -> diesel::QueryResult<usize> {
    write_tx(conn, |c| sessions::delete(c, id))
}

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    absolute: Duration,
}

impl DbSessionStore {
    pub fn new(db: Db, absolute: std::time::Duration) -> Self {
        let absolute = Duration::from_std(absolute).unwrap_or(Duration::hours(12));
        Self { db, absolute }
    }
}

fn row_id(key: &SessionKey) -> String {
    hex::encode(Sha256::digest(key.as_ref().as_bytes()))
}

fn user_of(state: &HashMap<String, String>) -> Option<i64> {
    state
        .get(USER_ID)
        .and_then(|v| serde_json::from_str(v).ok())
}

fn expiry(ttl: &CookieDuration) -> NaiveDateTime {
    now() + Duration::seconds(ttl.whole_seconds().max(1))
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
        let body = serde_json::to_string(&state)?;
        let key = new_key()?;
        let id = row_id(&key);
        let expires = expiry(ttl);
        self.db
            .run(move |c| {
                write_tx(c, |c| {
                    sessions::insert(c, &id, user_of(&state), &body, now(), expires)
                })
                .map_err(Into::into)
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(key)
    }
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let id = row_id(key);
        let absolute = self.absolute;
        let body = self
            .db
            .run(move |c| {
                let t = now();
                sessions::load(c, &id, t, t - absolute).map_err(Into::into)
            })
            .await
            .map_err(|e| LoadError::Other(anyhow::anyhow!("{e}")))?;
        match body {
            None => Ok(None),
            Some(b) => serde_json::from_str(&b)
                .map(Some)
                .map_err(|e| LoadError::Deserialization(e.into())),
        }
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
        let body =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let id = row_id(&key);
        let expires = expiry(ttl);
        let uid = user_of(&state);
        let absolute = self.absolute;
        let changed = self
            .db
            .run(move |c| {
                let t = now();
                write_tx(c, |c| {
                    sessions::update(c, &id, uid, &body, expires, t, t - absolute)
                })
                .map_err(Into::into)
            })
            .await
            .map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")))?;
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
        let expires = expiry(ttl);
        self.db
            .run(move |c| write_tx(c, |c| sessions::touch(c, &id, expires)).map_err(Into::into))
            .await
            .map(drop)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let id = row_id(key);
        self.db
            .run(move |c| write_tx(c, |c| sessions::delete(c, &id)).map_err(Into::into))
            .await
            .map(drop)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}
