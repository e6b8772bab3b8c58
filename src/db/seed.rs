//! Demo data for a first run.

use chrono::NaiveDateTime;

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
    Db(#[from] diesel::result::Error),
}

/// Creates the demo account, its two business cases and its two users, but
/// only when the database has no account yet, then `history` in the same
/// transaction. Returns whether it seeded. Runs under the start-up lock,
/// so of several instances starting together on one empty database
/// exactly one seeds and the others see its account.
pub fn seed_demo(
    conn: &mut DbConn,
    password_hash: &str,
    now: NaiveDateTime,
    history: impl FnOnce(&mut DbConn, i64) -> diesel::QueryResult<()>,
) -> Result<bool, SeedError> {
    write_tx(conn, |conn| {
        lock_setup(conn)?;
        if accounts::any_account(conn)? {
            return Ok(false);
        }
        let account = accounts::create_account(conn, DEMO_ACCOUNT, now)?;
        accounts::create_case(conn, account.id, "Support", "demo-support", now)?;
        accounts::create_case(conn, account.id, "Sales", "demo-sales", now)?;
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
                now,
            )?;
        }
        audit::record(
            conn,
            account.id,
            audit::Actor::System,
            "account.seeded",
            "Demo account created",
            now,
        )?;
        history(conn, account.id)?;
        Ok(true)
    })
}
