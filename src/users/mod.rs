//! The people of an account: managers add agents and managers, change
//! their roles, and deactivate or reactivate them; people sign in
//! ([`login`]) and their sessions hold while they stay as they were
//! ([`sessions`]).
//!
//! Each action runs inside one write transaction opened by the caller
//! (`Db::write`): it re-checks that the actor is still an active manager,
//! changes the user, writes the audit entry and ends a deactivated user's
//! sessions, so all of it commits together or none of it does. Queries
//! live in `db::accounts`; the messages a manager sees live here.

pub mod login;
pub mod profile;
pub mod reset;
pub mod sessions;

use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error as DbError};

use crate::{
    db::{
        accounts,
        audit::{self, Actor as AuditActor},
        models::User,
        DbConn,
    },
    domain::account::{DisplayName, Email, Role},
};

/// Shown beside the e-mail field when the address is taken.
pub const DUPLICATE_EMAIL: &str = "A user with this e-mail address already exists.";

#[derive(Debug, thiserror::Error)]
pub enum UserChangeError {
    #[error("{}", DUPLICATE_EMAIL)]
    DuplicateEmail,
    #[error("The account must keep at least one active manager.")]
    LastManager,
    #[error("You cannot deactivate your own account.")]
    SelfDeactivation,
    #[error("No such user.")]
    NotFound,
    #[error("Choose a role: agent or manager.")]
    InvalidRole,
    #[error("You are no longer allowed to manage users.")]
    NotAllowed,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The signed-in user acting on the account's users.
pub use crate::actor::Actor;
pub use reset::{reset_password, Reset, ResetDone, ResetError};

/// A user to add, parsed; the password is already hashed (hashing is slow
/// and runs off the async workers before the transaction opens).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: DisplayName,
    pub email: Email,
    pub role: Role,
    pub password_hash: String,
}

/// A role change: the user as they are now, and whether the role moved.
#[derive(Debug)]
pub struct RoleChange {
    pub user: User,
    pub changed: bool,
}

/// Re-checks, inside the write transaction, that the acting user is still
/// an active manager of the account.
pub fn require_active_manager(
    conn: &mut DbConn,
    account_id: i64,
    actor_id: i64,
) -> Result<(), UserChangeError> {
    match accounts::user(conn, account_id, actor_id)? {
        Some(u) if u.active && u.role() == Role::Manager => Ok(()),
        _ => Err(UserChangeError::NotAllowed),
    }
}

/// Adds a user to the actor's account.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    input: &NewUser,
    now: NaiveDateTime,
) -> Result<User, UserChangeError> {
    require_active_manager(conn, actor.account_id, actor.user_id)?;
    let u = insert(conn, actor.account_id, input, now)?;
    audit::record(
        conn,
        actor.account_id,
        actor.audit(),
        "user.created",
        &format!("Added {} <{}> as {}", u.name, u.email, input.role.label()),
        now,
    )?;
    Ok(u)
}

/// Adds a user from the command line (no one signed in), creating the
/// named account, with a first business case called "Support", when it
/// does not exist yet. Returns the account's id and whether it was created.
pub fn create_from_command_line(
    conn: &mut DbConn,
    account_name: &str,
    input: &NewUser,
    now: NaiveDateTime,
) -> Result<(i64, bool), UserChangeError> {
    let (account, created) = match accounts::account_by_name(conn, account_name)? {
        Some(a) => (a, false),
        None => {
            let a = accounts::create_account(conn, account_name, now)?;
            let key = format!("case-{}", &crate::crypto::random_token()[..12]);
            accounts::create_case(conn, a.id, "Support", &key.to_lowercase(), now)?;
            (a, true)
        }
    };
    let user = insert(conn, account.id, input, now)?;
    audit::record(
        conn,
        account.id,
        AuditActor::System,
        "user.created",
        &format!(
            "{} ({}) added from the command line",
            user.name,
            input.role.label()
        ),
        now,
    )?;
    Ok((account.id, created))
}

fn insert(
    conn: &mut DbConn,
    account_id: i64,
    u: &NewUser,
    now: NaiveDateTime,
) -> Result<User, UserChangeError> {
    accounts::create_user(
        conn,
        account_id,
        &u.email,
        &u.name,
        u.role,
        &u.password_hash,
        now,
    )
    .map_err(|e| match e {
        DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            UserChangeError::DuplicateEmail
        }
        other => other.into(),
    })
}

/// The user a row action changes, after checking that the actor may
/// still manage users and taking the account's user lock.
fn target(conn: &mut DbConn, actor: &Actor, user_id: i64) -> Result<User, UserChangeError> {
    require_active_manager(conn, actor.account_id, actor.user_id)?;
    accounts::lock_users(conn, actor.account_id)?;
    accounts::user(conn, actor.account_id, user_id)?.ok_or(UserChangeError::NotFound)
}

/// Changes a user's role (`None`: the form named no valid role). The last
/// active manager keeps theirs.
pub fn change_role(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    role: Option<Role>,
    now: NaiveDateTime,
) -> Result<RoleChange, UserChangeError> {
    let aid = actor.account_id;
    let before = target(conn, actor, user_id)?;
    let role = role.ok_or(UserChangeError::InvalidRole)?;
    if before.role() == Role::Manager
        && role != Role::Manager
        && before.active
        && accounts::other_active_managers(conn, aid, user_id)? == 0
    {
        return Err(UserChangeError::LastManager);
    }
    accounts::set_role(conn, aid, user_id, role, now)?;
    let user = accounts::user(conn, aid, user_id)?.ok_or(UserChangeError::NotFound)?;
    let changed = before.role() != role;
    if changed {
        let detail = format!(
            "{} changed from {} to {}",
            user.name,
            before.role().label(),
            role.label()
        );
        audit::record(conn, aid, actor.audit(), "user.role_changed", &detail, now)?;
        crate::db::sessions::ended(conn, aid, user_id)?;
    }
    Ok(RoleChange { user, changed })
}

/// Activates or deactivates a user. A deactivated user's sessions end with
/// the change; no one deactivates themselves or the last active manager.
pub fn set_active(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    active: bool,
    now: NaiveDateTime,
) -> Result<User, UserChangeError> {
    let aid = actor.account_id;
    let current = target(conn, actor, user_id)?;
    if !active {
        if user_id == actor.user_id {
            return Err(UserChangeError::SelfDeactivation);
        }
        if current.role() == Role::Manager
            && accounts::other_active_managers(conn, aid, user_id)? == 0
        {
            return Err(UserChangeError::LastManager);
        }
    }
    accounts::set_active(conn, aid, user_id, active, now)?;
    if !active {
        crate::db::sessions::delete_for_user(conn, user_id)?;
    }
    let user = accounts::user(conn, aid, user_id)?.ok_or(UserChangeError::NotFound)?;
    let (action, verb) = if active {
        ("user.reactivated", "reactivated")
    } else {
        ("user.deactivated", "deactivated")
    };
    let detail = format!("{} was {verb}", user.name);
    audit::record(conn, aid, actor.audit(), action, &detail, now)?;
    Ok(user)
}
