//! Demo data for a first run, and the `create-user` command's work.

use super::{accounts, audit, lock_setup, write_tx, DbConn};
use crate::domain::account::{DisplayName, Email, InvalidInput, Role};

pub const DEMO_ACCOUNT: &str = "Demo Company";
pub const DEMO_MANAGER: &str = "manager@demo.test";
pub const DEMO_AGENT: &str = "agent@demo.test";

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Input(#[from] InvalidInput),
    #[error(transparent)]
    User(#[from] accounts::UserChangeError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Creates the demo account, its two business cases and its two users, but
/// only when the database has no account yet. Returns whether it seeded.
/// Runs under the start-up lock, so of several instances starting together
/// on one empty database exactly one seeds and the others see its account.
pub fn seed_demo(conn: &mut DbConn, password_hash: &str) -> Result<bool, SeedError> {
    write_tx(conn, |conn| {
        lock_setup(conn)?;
        if accounts::any_account(conn)? {
            return Ok(false);
        }
        let account = accounts::create_account(conn, DEMO_ACCOUNT)?;
        accounts::create_case(conn, account.id, "Support", "demo-support")?;
        accounts::create_case(conn, account.id, "Sales", "demo-sales")?;
        for (email, name, role) in [
            (DEMO_MANAGER, "Morgan Manager", Role::Manager),
            (DEMO_AGENT, "Alex Agent", Role::Agent),
        ] {
            accounts::create_user(
                conn,
                account.id,
                &Email::parse(email)?,
                &DisplayName::parse(name)?,
                role,
                password_hash,
            )?;
        }
        audit::record(
            conn,
            account.id,
            audit::Actor::System,
            "account.seeded",
            "Demo account created",
            super::now(),
        )?;
        Ok(true)
    })
}

/// Adds a user to the named account, creating the account (with a first
/// business case called "Support") when it does not exist yet.
pub fn create_user_in_account(
    conn: &mut DbConn,
    account_name: &str,
    email: &Email,
    name: &DisplayName,
    role: Role,
    password_hash: &str,
) -> Result<(i64, bool), SeedError> {
    write_tx(conn, |conn| {
        let (account, created) = match accounts::account_by_name(conn, account_name)? {
            Some(a) => (a, false),
            None => {
                let a = accounts::create_account(conn, account_name)?;
                let key = format!("case-{}", &crate::crypto::random_token()[..12]);
                accounts::create_case(conn, a.id, "Support", &key.to_lowercase())?;
                (a, true)
            }
        };
        let user = accounts::create_user(conn, account.id, email, name, role, password_hash)?;
        audit::record(
            conn,
            account.id,
            audit::Actor::System,
            "user.created",
            &format!(
                "{} ({}) added from the command line",
                user.name,
                role.label()
            ),
            super::now(),
        )?;
        Ok((account.id, created))
    })
}
