//! Whether a signed-in session still holds, for what outlives a request
//! (an agent's event stream): the row must be in force and its user still
//! active in the same role.

use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;

use crate::{
    db::{accounts, sessions, DbConn},
    domain::account::Role,
};

/// The user a session was signed in as, and the role it was opened with.
#[derive(Debug, Clone)]
pub struct Holder {
    pub account_id: i64,
    pub user_id: i64,
    pub role: Role,
}

/// Whether session row `id` is still in force for `holder`: not signed
/// out, idled out or past the `absolute` limit, and the user still active
/// in the same role.
pub fn still_valid(
    conn: &mut DbConn,
    id: &str,
    holder: &Holder,
    absolute: Duration,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if sessions::load(conn, id, now, now - absolute)?.is_none() {
        return Ok(false);
    }
    Ok(accounts::user(conn, holder.account_id, holder.user_id)?
        .is_some_and(|u| u.active && u.role() == holder.role))
}

/// The configured absolute session limit as a `chrono` duration (12 hours
/// when it does not fit).
pub fn absolute_limit(limit: std::time::Duration) -> Duration {
    Duration::from_std(limit).unwrap_or(Duration::hours(12))
}
