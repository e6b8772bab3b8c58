//! A user's own profile ("My profile"): their name, their time zone and
//! their password, and the time zone their browser reports at first
//! sign-in.
//!
//! A password change needs the current password. It is checked, and the
//! new one hashed, on the blocking pool before the write transaction
//! opens; the transaction then checks that the password is still the one
//! that was verified, writes everything, records one audit entry per
//! change (never the password) and ends the user's other sessions, so it
//! all commits together or none of it does.

use chrono::{Duration, NaiveDateTime};
use diesel::result::Error as DbError;

use crate::{
    actor::Actor,
    crypto::Keys,
    db::{accounts, audit, models::User, sessions, Db, DbConn},
    domain::{
        account::{DisplayName, NewPassword},
        login_limit::minutes_text,
        time_zone::TimeZone,
    },
    error::AppError,
    passwords,
    users::login::{self, Confirmed},
};

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("Your current password is not correct.")]
    WrongPassword,
    /// Too many wrong passwords, here or at sign-in: the user's sign-in
    /// limit holds for this long.
    #[error("Too many wrong passwords. Try again in {}.", minutes_text(*.0))]
    Limited(Duration),
    /// The user is gone or was deactivated meanwhile.
    #[error("No such user.")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A password change as typed: the current password (checked, never
/// stored) and the new one.
pub struct PasswordChange {
    pub current: String,
    pub new: NewPassword,
}

/// The profile form, parsed.
pub struct ProfileInput {
    pub name: DisplayName,
    pub time_zone: TimeZone,
    pub password: Option<PasswordChange>,
}

/// What a save changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Saved {
    pub renamed: bool,
    pub time_zone_changed: bool,
    pub password_changed: bool,
    /// How many of the user's other sessions ended with the password change.
    pub sessions_ended: usize,
}

/// The parsed form with the password work done: `verified` is the stored
/// hash the current password was checked against, `hash` the new one's.
struct Checked {
    name: DisplayName,
    time_zone: TimeZone,
    password: Option<(String, String)>,
}

/// Saves `input` for `actor` (themselves). `keep` is the row id of the
/// session making the change: a password change ends every other one.
pub async fn save(
    db: &Db,
    keys: &Keys,
    actor: Actor,
    input: ProfileInput,
    keep: Option<String>,
    now: NaiveDateTime,
) -> Result<Result<Saved, ProfileError>, AppError> {
    let ProfileInput {
        name,
        time_zone,
        password,
    } = input;
    let password = match password {
        None => None,
        Some(change) => match check_password(db, keys, &actor, change, now).await? {
            Ok(hashes) => Some(hashes),
            Err(e) => return Ok(Err(e)),
        },
    };
    let checked = Checked {
        name,
        time_zone,
        password,
    };
    db.write(move |c| apply(c, &actor, &checked, keep.as_deref(), now))
        .await
}

/// Verifies the current password and hashes the new one, off the async
/// workers. Returns (the hash verified against, the new hash).
/// The current password counts in the user's sign-in limit
/// (`login::confirm_password`).
async fn check_password(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    change: PasswordChange,
    now: NaiveDateTime,
) -> Result<Result<(String, String), ProfileError>, AppError> {
    let (aid, uid) = (actor.account_id, actor.user_id);
    let Some(user) = db.run(move |c| Ok(accounts::user(c, aid, uid)?)).await? else {
        return Ok(Err(ProfileError::NotFound));
    };
    let bucket = login::user_bucket(keys, &user.email);
    let stored = user.password_hash;
    let (current, against) = (change.current, stored.clone());
    let check = move || passwords::verify(&current, &against);
    match login::confirm_password(db, bucket, now, check).await? {
        Confirmed::Right => {}
        Confirmed::Wrong => return Ok(Err(ProfileError::WrongPassword)),
        Confirmed::Limited(wait) => return Ok(Err(ProfileError::Limited(wait))),
    }
    let hash = actix_web::web::block(move || passwords::hash(&change.new))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing: {e}")))?;
    Ok(Ok((stored, hash)))
}

/// Writes the checked change. Call inside a write transaction.
fn apply(
    conn: &mut DbConn,
    actor: &Actor,
    input: &Checked,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> Result<Saved, ProfileError> {
    let (aid, uid) = (actor.account_id, actor.user_id);
    let user = accounts::user(conn, aid, uid)?
        .filter(|u| u.active)
        .ok_or(ProfileError::NotFound)?;
    if let Some((verified, _)) = &input.password {
        // Changed since it was checked (another session, at the same
        // time): the password typed as current no longer is.
        if &user.password_hash != verified {
            return Err(ProfileError::WrongPassword);
        }
    }
    let mut saved = Saved {
        renamed: user.name != input.name.as_str(),
        // No zone yet reads as UTC, and the form shows it: UTC sent back
        // leaves it unset, for the browser's zone to be taken.
        time_zone_changed: user.time_zone.as_deref().unwrap_or(TimeZone::UTC.name())
            != input.time_zone.name(),
        ..Saved::default()
    };
    if saved.renamed || saved.time_zone_changed {
        let zone = if saved.time_zone_changed {
            Some(input.time_zone.name())
        } else {
            user.time_zone.as_deref()
        };
        accounts::set_name_and_zone(conn, aid, uid, &input.name, zone, now)?;
    }
    record_changes(conn, actor, &user, input, &saved, now)?;
    if let Some((_, hash)) = &input.password {
        accounts::set_password_hash(conn, aid, uid, hash, now)?;
        saved.password_changed = true;
        saved.sessions_ended = match keep {
            Some(id) => sessions::delete_for_user_except(conn, aid, uid, id)?,
            None => sessions::delete_for_user(conn, uid)?,
        };
        let detail = format!(
            "{} changed their password; {} other session{} signed out",
            input.name.as_str(),
            saved.sessions_ended,
            if saved.sessions_ended == 1 { "" } else { "s" }
        );
        audit::record(
            conn,
            aid,
            actor.audit(),
            "user.password_changed",
            &detail,
            now,
        )?;
    }
    Ok(saved)
}

/// One audit entry for the name, one for the time zone, if they changed.
fn record_changes(
    conn: &mut DbConn,
    actor: &Actor,
    before: &User,
    input: &Checked,
    saved: &Saved,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let aid = actor.account_id;
    let new_name = input.name.as_str();
    if saved.renamed {
        let detail = format!("{} changed their name to {new_name}", before.name);
        audit::record(conn, aid, actor.audit(), "user.renamed", &detail, now)?;
    }
    if saved.time_zone_changed {
        let old = before.time_zone.as_deref().unwrap_or("none (UTC)");
        let detail = format!(
            "{new_name} changed their time zone from {old} to {}",
            input.time_zone.name()
        );
        audit::record(
            conn,
            aid,
            actor.audit(),
            "user.time_zone_changed",
            &detail,
            now,
        )?;
    }
    Ok(())
}

/// Sets the time zone the browser reported, only if the user has none
/// yet. Returns whether it was set (false: one was set already, and stays).
pub fn set_first_time_zone(
    conn: &mut DbConn,
    actor: &Actor,
    zone: TimeZone,
    now: NaiveDateTime,
) -> Result<bool, ProfileError> {
    let (aid, uid) = (actor.account_id, actor.user_id);
    if accounts::set_time_zone_if_unset(conn, aid, uid, zone.name(), now)? == 0 {
        return Ok(false);
    }
    let detail = format!(
        "{}'s time zone was set to {} from their browser",
        actor.name,
        zone.name()
    );
    audit::record(conn, aid, actor.audit(), "user.time_zone_set", &detail, now)?;
    Ok(true)
}
