//! Accounts, business cases and users. Every function that reads or changes a
//! user or case takes the account id and filters by it.

use diesel::prelude::*;

use super::{models::*, now, schema::*, DbConn};
use crate::domain::account::{DisplayName, Email, Role};

// RETURNING works per column with a multi-backend connection, so inserts
// return the id and the row is read back.
pub fn create_account(conn: &mut DbConn, name: &str) -> QueryResult<Account> {
    let id = diesel::insert_into(accounts::table)
        .values((accounts::name.eq(name), accounts::created_at.eq(now())))
        .returning(accounts::id)
        .get_result::<i64>(conn)?;
    accounts::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
}

pub fn account(conn: &mut DbConn, account_id: i64) -> QueryResult<Option<Account>> {
    accounts::table
        .find(account_id)
        .select(Account::as_select())
        .first(conn)
        .optional()
}

pub fn account_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::name.eq(name))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

pub fn any_account(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(accounts::table.select(accounts::id))).get_result(conn)
}

pub fn create_case(
    conn: &mut DbConn,
    account_id: i64,
    name: &str,
    widget_key: &str,
) -> QueryResult<BusinessCase> {
    let id = diesel::insert_into(business_cases::table)
        .values((
            business_cases::account_id.eq(account_id),
            business_cases::name.eq(name),
            business_cases::widget_key.eq(widget_key),
            business_cases::created_at.eq(now()),
        ))
        .returning(business_cases::id)
        .get_result::<i64>(conn)?;
    business_cases::table
        .find(id)
        .select(BusinessCase::as_select())
        .first(conn)
}

pub fn cases(conn: &mut DbConn, account_id: i64) -> QueryResult<Vec<BusinessCase>> {
    business_cases::table
        .filter(business_cases::account_id.eq(account_id))
        .order((business_cases::name, business_cases::id))
        .select(BusinessCase::as_select())
        .load(conn)
}

pub fn case(conn: &mut DbConn, account_id: i64, case_id: i64) -> QueryResult<Option<BusinessCase>> {
    business_cases::table
        .filter(business_cases::account_id.eq(account_id))
        .filter(business_cases::id.eq(case_id))
        .select(BusinessCase::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, thiserror::Error)]
pub enum UserChangeError {
    #[error("A user with this e-mail address already exists.")]
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
    Db(#[from] diesel::result::Error),
}

pub fn create_user(
    conn: &mut DbConn,
    account_id: i64,
    email: &Email,
    name: &DisplayName,
    role: Role,
    password_hash: &str,
) -> Result<User, UserChangeError> {
    let t = now();
    let id = diesel::insert_into(users::table)
        .values((
            users::account_id.eq(account_id),
            users::email.eq(email.as_str()),
            users::name.eq(name.as_str()),
            users::role.eq(role.as_str()),
            users::password_hash.eq(password_hash),
            users::active.eq(true),
            users::created_at.eq(t),
            users::updated_at.eq(t),
        ))
        .returning(users::id)
        .get_result::<i64>(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => UserChangeError::DuplicateEmail,
            other => other.into(),
        })?;
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

/// Sign-in look-up: e-mail addresses are unique across accounts.
pub fn user_by_email(conn: &mut DbConn, email: &Email) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn user(conn: &mut DbConn, account_id: i64, user_id: i64) -> QueryResult<Option<User>> {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::id.eq(user_id))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn users(conn: &mut DbConn, account_id: i64) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::account_id.eq(account_id))
        .order((users::active.desc(), users::name, users::id))
        .select(User::as_select())
        .load(conn)
}

/// Re-checks, inside the write transaction, that the acting user is still
/// an active manager of the account.
pub fn require_active_manager(
    conn: &mut DbConn,
    account_id: i64,
    actor_id: i64,
) -> Result<(), UserChangeError> {
    match user(conn, account_id, actor_id)? {
        Some(u) if u.active && u.role() == Role::Manager => Ok(()),
        _ => Err(UserChangeError::NotAllowed),
    }
}

fn other_active_managers(conn: &mut DbConn, account_id: i64, user_id: i64) -> QueryResult<i64> {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::id.ne(user_id))
        .filter(users::role.eq(Role::Manager.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

/// Changes a user's role. Call inside a write transaction.
pub fn set_role(
    conn: &mut DbConn,
    account_id: i64,
    user_id: i64,
    role: Option<Role>,
) -> Result<User, UserChangeError> {
    // Serialise user changes per account, so two managers demoting each
    // other at once cannot leave the account without one.
    super::lock(conn, "account-users", &account_id.to_string())?;
    let current = user(conn, account_id, user_id)?.ok_or(UserChangeError::NotFound)?;
    let role = role.ok_or(UserChangeError::InvalidRole)?;
    if current.role() == Role::Manager
        && role != Role::Manager
        && current.active
        && other_active_managers(conn, account_id, user_id)? == 0
    {
        return Err(UserChangeError::LastManager);
    }
    diesel::update(
        users::table
            .filter(users::account_id.eq(account_id))
            .filter(users::id.eq(user_id)),
    )
    .set((users::role.eq(role.as_str()), users::updated_at.eq(now())))
    .execute(conn)?;
    user(conn, account_id, user_id)?.ok_or(UserChangeError::NotFound)
}

/// Activates or deactivates a user; deactivation ends all their sessions.
/// Call inside a write transaction.
pub fn set_active(
    conn: &mut DbConn,
    account_id: i64,
    actor_id: i64,
    user_id: i64,
    active: bool,
) -> Result<User, UserChangeError> {
    super::lock(conn, "account-users", &account_id.to_string())?;
    let current = user(conn, account_id, user_id)?.ok_or(UserChangeError::NotFound)?;
    if !active {
        if user_id == actor_id {
            return Err(UserChangeError::SelfDeactivation);
        }
        if current.role() == Role::Manager && other_active_managers(conn, account_id, user_id)? == 0
        {
            return Err(UserChangeError::LastManager);
        }
    }
    diesel::update(
        users::table
            .filter(users::account_id.eq(account_id))
            .filter(users::id.eq(user_id)),
    )
    .set((users::active.eq(active), users::updated_at.eq(now())))
    .execute(conn)?;
    if !active {
        super::sessions::delete_for_user(conn, user_id)?;
    }
    user(conn, account_id, user_id)?.ok_or(UserChangeError::NotFound)
}
