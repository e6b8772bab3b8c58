//! Telling other instances what changed: `pg_notify` inside the writing
//! transaction, so the notice goes out at commit, in commit order, and not
//! at all when the transaction rolls back. SQLite has one instance and
//! sends nothing (its in-process hub is told by the caller after commit).

use diesel::{prelude::*, sql_types::Text};

use super::DbConn;
use crate::domain::notice::{Notice, CHANNEL};

/// Sends `notice` to every listening instance when the transaction commits.
/// Call inside a write transaction.
pub fn send(conn: &mut DbConn, notice: Notice) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(notice.to_string())
            .execute(c)?;
    }
    Ok(())
}
