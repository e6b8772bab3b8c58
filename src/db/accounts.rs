//! Accounts, business cases and users. Every function that reads or changes a
//! user or case takes the account id and filters by it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{models::*, schema::*, DbConn};
use crate::domain::account::{DisplayName, Email, Role};

// RETURNING works per column with a multi-backend connection, so inserts
// return the id and the row is read back.
pub fn create_account(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> QueryResult<Account> {
    let id = diesel::insert_into(accounts::table)
        .values((accounts::name.eq(name), accounts::created_at.eq(now)))
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
    now: NaiveDateTime,
) -> QueryResult<BusinessCase> {
    let id = diesel::insert_into(business_cases::table)
        .values((
            business_cases::account_id.eq(account_id),
            business_cases::name.eq(name),
            business_cases::widget_key.eq(widget_key),
            business_cases::created_at.eq(now),
        ))
        .returning(business_cases::id)
        .get_result::<i64>(conn)?;
    // Other instances find the new widget key.
    super::notify::send(
        conn,
        crate::domain::notice::Notice::new(account_id, crate::domain::notice::Kind::Case, id, 0),
    )?;
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

/// Inserts a user. A taken e-mail address is the database's unique
/// violation, which the caller turns into its own error.
pub fn create_user(
    conn: &mut DbConn,
    account_id: i64,
    email: &Email,
    name: &DisplayName,
    role: Role,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<User> {
    let id = diesel::insert_into(users::table)
        .values((
            users::account_id.eq(account_id),
            users::email.eq(email.as_str()),
            users::name.eq(name.as_str()),
            users::role.eq(role.as_str()),
            users::password_hash.eq(password_hash),
            users::active.eq(true),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::id)
        .get_result::<i64>(conn)?;
    users::table.find(id).select(User::as_select()).first(conn)
}

/// Sign-in look-up: e-mail addresses are unique across accounts.
pub fn user_by_email(conn: &mut DbConn, email: &Email) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The user `user_id` of the account, as a query to read or change.
type UserRow = diesel::dsl::Filter<
    diesel::dsl::Filter<users::table, diesel::dsl::Eq<users::account_id, i64>>,
    diesel::dsl::Eq<users::id, i64>,
>;

fn user_row(account_id: i64, user_id: i64) -> UserRow {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::id.eq(user_id))
}

pub fn user(conn: &mut DbConn, account_id: i64, user_id: i64) -> QueryResult<Option<User>> {
    user_row(account_id, user_id)
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

/// Serialises changes to the account's users until the transaction ends,
/// so two managers demoting each other at once cannot leave the account
/// without one. Call inside a write transaction.
pub fn lock_users(conn: &mut DbConn, account_id: i64) -> QueryResult<()> {
    super::lock(conn, "account-users", &account_id.to_string())
}

/// How many active managers the account has besides `user_id`.
pub fn other_active_managers(conn: &mut DbConn, account_id: i64, user_id: i64) -> QueryResult<i64> {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::id.ne(user_id))
        .filter(users::role.eq(Role::Manager.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

/// Writes a user's role. A query only: change roles through
/// `users::change_role`, which takes the users' lock and keeps the account's
/// last active manager, inside one write transaction.
pub fn set_role(
    conn: &mut DbConn,
    account_id: i64,
    user_id: i64,
    role: Role,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(user_row(account_id, user_id))
        .set((users::role.eq(role.as_str()), users::updated_at.eq(now)))
        .execute(conn)
}

/// Writes whether a user is active. A query only: go through
/// `users::set_active`, which takes the users' lock, keeps the last active
/// manager and ends a deactivated user's sessions in the same transaction.
pub fn set_active(
    conn: &mut DbConn,
    account_id: i64,
    user_id: i64,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(user_row(account_id, user_id))
        .set((users::active.eq(active), users::updated_at.eq(now)))
        .execute(conn)
}

/// Writes a user's own name and time zone. A query only: go through
/// `users::profile::save`, which also records the change.
pub fn set_name_and_zone(
    conn: &mut DbConn,
    account_id: i64,
    user_id: i64,
    name: &DisplayName,
    time_zone: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(user_row(account_id, user_id))
        .set((
            users::name.eq(name.as_str()),
            users::time_zone.eq(time_zone),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Writes a user's password hash. A query only: go through
/// `users::profile::save`, which checks the current password and ends the
/// user's other sessions in the same transaction.
pub fn set_password_hash(
    conn: &mut DbConn,
    account_id: i64,
    user_id: i64,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(user_row(account_id, user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Sets a user's time zone only if they have none yet; returns the rows
/// changed (0: one was already set, and stays).
pub fn set_time_zone_if_unset(
    conn: &mut DbConn,
    account_id: i64,
    user_id: i64,
    time_zone: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(user_row(account_id, user_id).filter(users::time_zone.is_null()))
        .set((users::time_zone.eq(time_zone), users::updated_at.eq(now)))
        .execute(conn)
}
