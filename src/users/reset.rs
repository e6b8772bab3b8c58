//! `chatgate reset-password`: an operator sets a new password for a user
//! from the command line (a forgotten password, the demo's lost one).
//!
//! One write transaction: the new hash, every session of the user ended,
//! their sign-in limit cleared (so a locked-out user can sign in with the
//! new password at once), and an audit entry that says what happened,
//! never the password.

use chrono::NaiveDateTime;

use crate::{
    db::{
        accounts,
        audit::{self, Actor as AuditActor},
        sessions, throttle, DbConn,
    },
    domain::account::Email,
};

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("no user has the e-mail address {0}")]
    UnknownEmail(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// A reset to apply: the new hash (hashed before the transaction opens),
/// and the user's sign-in limit bucket (`login::user_bucket`).
#[derive(Debug, Clone)]
pub struct Reset {
    pub email: Email,
    pub password_hash: String,
    pub throttle_bucket: String,
}

/// What the reset did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetDone {
    pub name: String,
    pub active: bool,
    pub sessions_ended: usize,
}

/// Sets the user's password, ends all their sessions, clears their sign-in
/// limit and records it. Run inside [`crate::db::write_tx`].
pub fn reset_password(
    conn: &mut DbConn,
    reset: &Reset,
    now: NaiveDateTime,
) -> Result<ResetDone, ResetError> {
    let user = accounts::user_by_email(conn, &reset.email)?
        .ok_or_else(|| ResetError::UnknownEmail(reset.email.as_str().to_owned()))?;
    accounts::set_password_hash(conn, user.account_id, user.id, &reset.password_hash, now)?;
    let sessions_ended = sessions::delete_for_user(conn, user.id)?;
    throttle::clear(conn, &reset.throttle_bucket)?;
    let detail = format!(
        "{}'s password was reset from the command line; {} session{} signed out",
        user.name,
        sessions_ended,
        if sessions_ended == 1 { "" } else { "s" }
    );
    audit::record(
        conn,
        user.account_id,
        AuditActor::System,
        "user.password_reset",
        &detail,
        now,
    )?;
    Ok(ResetDone {
        name: user.name,
        active: user.active,
        sessions_ended,
    })
}
