//! The instance's one listening connection: a PostgreSQL connection of its
//! own, outside the pool, on a thread of its own. It runs `LISTEN chatgate`
//! and hands each notice to the instance's follower in order. libpq reads
//! what has arrived without a round trip (`PQconsumeInput`), so listening
//! costs no statement; a `SELECT 1` every 30 seconds finds a connection
//! that died silently. On any failure it reconnects (with a growing pause)
//! and says so, and the follower catches up from the database.

use std::{
    thread,
    time::{Duration, Instant},
};

use diesel::{Connection, PgConnection, RunQueryDsl};
use tokio::sync::mpsc::UnboundedSender;

use crate::domain::notice::{Notice, CHANNEL};

/// What the listening thread tells the follower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Listening (again): notices may have been missed before this.
    Listening,
    /// The connection dropped; reconnecting.
    Lost,
    Notice(Notice),
}

/// How long the thread sleeps between reads of the socket: the most a
/// notice waits once it has arrived.
const READ_EVERY: Duration = Duration::from_millis(5);
const CHECK_EVERY: Duration = Duration::from_secs(30);
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// Starts the listening thread. It ends when the follower is gone (the
/// server stopped).
pub fn spawn(url: String, tx: UnboundedSender<Heard>) {
    let started = thread::Builder::new()
        .name("chatgate-listen".into())
        .spawn(move || run(&url, &tx));
    if let Err(e) = started {
        tracing::error!(error = %e, "cannot start the notification listener; polling instead");
    }
}

fn run(url: &str, tx: &UnboundedSender<Heard>) {
    const FIRST_PAUSE: Duration = Duration::from_millis(100);
    let mut pause = FIRST_PAUSE;
    while !tx.is_closed() {
        match connect(url) {
            Ok(mut conn) => {
                tracing::info!("listening for other instances' changes");
                if tx.send(Heard::Listening).is_err() {
                    return;
                }
                let opened = Instant::now();
                match listen(&mut conn, tx) {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "the notification connection dropped; reconnecting");
                        if tx.send(Heard::Lost).is_err() {
                            return;
                        }
                    }
                }
                // A connection that held a while starts the pauses afresh;
                // one dropped at once does not make the next attempt sooner.
                if opened.elapsed() >= CHECK_EVERY {
                    pause = FIRST_PAUSE;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot open the notification connection; retrying")
            }
        }
        thread::sleep(pause);
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// The listening connection's `application_name` in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "chatgate-listen";

fn connect(url: &str) -> diesel::ConnectionResult<PgConnection> {
    let mut conn = PgConnection::establish(&named(url))?;
    diesel::sql_query(format!("LISTEN {CHANNEL}"))
        .execute(&mut conn)
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

/// `url` with the listener's `application_name`, a connect timeout and TCP
/// keep-alives (a connection that died silently is found in about a
/// minute, not when the kernel gives up), unless it sets them.
fn named(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let set: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let defaults = [
        ("application_name", APPLICATION_NAME),
        ("connect_timeout", "10"),
        ("keepalives", "1"),
        ("keepalives_idle", "30"),
        ("keepalives_interval", "10"),
        ("keepalives_count", "3"),
    ];
    for (k, v) in defaults {
        if !set.iter().any(|s| s == k) {
            u.query_pairs_mut().append_pair(k, v);
        }
    }
    u.to_string()
}

/// Hands on notices until the follower is gone (`Ok`) or the connection
/// fails (`Err`).
fn listen(conn: &mut PgConnection, tx: &UnboundedSender<Heard>) -> diesel::QueryResult<()> {
    let mut checked = Instant::now();
    loop {
        for heard in conn.notifications_iter() {
            let payload = heard?.payload;
            match payload.parse::<Notice>() {
                Ok(n) => {
                    if tx.send(Heard::Notice(n)).is_err() {
                        return Ok(());
                    }
                }
                Err(e) => tracing::warn!(error = %e, "ignored a notice"),
            }
        }
        if tx.is_closed() {
            return Ok(());
        }
        if checked.elapsed() >= CHECK_EVERY {
            diesel::sql_query("SELECT 1").execute(conn)?;
            checked = Instant::now();
        }
        thread::sleep(READ_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listener_names_itself_unless_told_otherwise() {
        const REST: &str = "connect_timeout=10&keepalives=1&keepalives_idle=30\
            &keepalives_interval=10&keepalives_count=3";
        assert_eq!(
            named("postgres://u:p@db/chat?sslmode=require"),
            format!(
                "postgres://u:p@db/chat?sslmode=require&application_name=chatgate-listen&{REST}"
            )
        );
        assert_eq!(
            named("postgres://db/chat?application_name=mine&connect_timeout=10&keepalives=1&keepalives_idle=30&keepalives_interval=10&keepalives_count=3"),
            "postgres://db/chat?application_name=mine&connect_timeout=10&keepalives=1&keepalives_idle=30&keepalives_interval=10&keepalives_count=3"
        );
    }
}
