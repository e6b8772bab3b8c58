//! Load generators for benchmarks and load tests (`chatgate seed-load`,
//! `benches/`): reproducible rule sets and addresses ([`generate`]), and
//! the database rows made from them ([`seed`]). They sit above both the
//! database and the gate, so neither depends on the other through them.

pub mod generate;
pub mod seed;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::{db::DbConn, gate::Gate};

/// Adds `n` conversations to the account and gives each generated block a
/// visitor network `gate` can index, so the gate's block check runs under
/// load. Returns how many conversations were blocked.
pub fn conversations_with_blocks(
    conn: &mut DbConn,
    gate: &Gate,
    account_id: i64,
    n: usize,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let blocked = seed::conversations(conn, account_id, n, now)?;
    let visitors = generate::visitors(blocked, 5);
    seed::index_blocks(conn, account_id, |k| {
        visitors
            .get(k)
            .map_or_else(Vec::new, |ip| gate.index_of(*ip).to_vec())
    })?;
    Ok(blocked)
}
