//! `chatgate seed-load`: many realistic conversations for measuring the
//! Conversations tab and the CSV export, each with a first message and
//! most with an agent. Spread over the past 90 days and, in turn, over
//! the account's cases; every case alike: 5% blocked, about a tenth of
//! those within the last seven days (so still in force), the same share
//! with an agent and the same block reasons. Generated values only,
//! written as multi-row inserts for speed. Addresses are left out, as the
//! purge would have erased them for all but the last week anyway.

use chrono::{Duration, NaiveDateTime};
use diesel::{connection::SimpleConnection, prelude::*};
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::db::{
    accounts,
    models::BusinessCase,
    rules,
    schema::{blocks, conversations},
    write_tx, DbConn,
};

const BATCH: usize = 1000;
const REASONS: [&str; 5] = [
    "Abusive language towards the agent",
    "Spam links",
    "Threats",
    "Repeated harassment after warnings",
    "=HYPERLINK(\"http://phish.example\") pasted again and again",
];
const TEXTS: [&str; 8] = [
    "Where is my refund for the returned shoes",
    "The delivery is late again",
    "I cannot reset my password",
    "The invoice shows the wrong address",
    "Do you ship to Norway",
    "The product arrived broken",
    "How do I cancel my subscription",
    "Thanks for the quick help",
];
const AGENTS: [&str; 4] = ["Alex Agent", "Sam Support", "Robin Rivera", "Kim Okafor"];

fn ts(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

/// Adds `n` conversations to the account; returns how many were blocked.
pub fn conversations(
    conn: &mut DbConn,
    account_id: i64,
    n: usize,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let cases = accounts::cases(conn, account_id)?;
    if cases.is_empty() {
        return Ok(0);
    }
    // Two in three conversations were answered by one of the account's
    // users (the agent filter and the agent's name in search).
    let agents: Vec<i64> = accounts::users(conn, account_id)?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let mut rng = StdRng::seed_from_u64(42);
    let mut blocked = 0;
    let mut done = 0;
    while done < n {
        let take = BATCH.min(n - done);
        let rows: Vec<String> = (done..done + take)
            .map(|k| {
                // The k-th conversation goes to case k mod cases, as its
                // j-th: what a case holds is decided by j alone, so every
                // case gets its share of agents and blocks.
                let (case, j) = (&cases[k % cases.len()], k / cases.len());
                let agent = match agents.len() {
                    0 => None,
                    a => (j % 3 != 0).then(|| agents[(j / 3) % a]),
                };
                let row = conversation_row(&mut rng, account_id, case, (k, j, n), now);
                blocked += usize::from(row.blocked);
                row.sql.replacen(
                    "(",
                    &format!("({}, ", agent.map_or("NULL".into(), |a| a.to_string())),
                    1,
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO conversations (agent_user_id, account_id, case_id, public_id, visitor_key, visitor_label, status, page_url, \
             message_count, screen_share, survey_rating, survey_offered, started_at, ended_at, blocked_at, block_reason, block_until) VALUES {}",
            rows.join(",")
        );
        write_tx(conn, |c| {
            let before: Option<i64> = conversations::table
                .select(diesel::dsl::max(conversations::id))
                .first(c)?;
            c.batch_execute(&sql)?;
            c.batch_execute(&first_messages(account_id, before.unwrap_or(0)))
        })?;
        done += take;
    }
    link_blocks(conn, account_id)?;
    analyze(conn)?;
    Ok(blocked)
}

/// The visitor's first message for every conversation of the account
/// after `after`: one of eight requests and an order number (the search
/// finds them).
fn first_messages(account_id: i64, after: i64) -> String {
    let texts = TEXTS
        .iter()
        .enumerate()
        .map(|(i, t)| format!("WHEN {i} THEN '{t}'"))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "INSERT INTO events (conversation_id, seq, kind, author, author_name, body, created_at) \
         SELECT id, 1, 'message', 'visitor', visitor_label, \
         '{{\"text\":\"' || CASE id % {n} {texts} END || ', order ' || (id % 100000) || '\"}}', started_at \
         FROM conversations WHERE account_id = {account_id} AND id > {after};
         UPDATE conversations SET last_seq = 1 WHERE account_id = {account_id} AND id > {after};",
        n = TEXTS.len()
    )
}

/// One generated conversation as an SQL row, and whether it is blocked.
struct Row {
    sql: String,
    blocked: bool,
}

/// The `k`-th conversation of `n`, the `j`-th of its `case`: closed,
/// started in the last 90 days, each after the one before (as
/// conversations get their ids as they start). Every twentieth of the case
/// is blocked, one in ten of those recently enough to be in force, the
/// reasons in turn.
fn conversation_row(
    rng: &mut StdRng,
    account_id: i64,
    case: &BusinessCase,
    (k, j, n): (usize, usize, usize),
    now: NaiveDateTime,
) -> Row {
    let span = 90 * 86_400;
    let step = (span / n.max(1) as i64).max(1);
    let age = Duration::seconds(span - k as i64 * span / n.max(1) as i64 - rng.gen_range(0..step));
    let started = now - age;
    let ended = started + Duration::seconds(rng.gen_range(60..3600));
    let messages: i32 = rng.gen_range(1..40);
    let rating = if rng.gen_bool(0.3) {
        rng.gen_range(1..=5).to_string()
    } else {
        "NULL".into()
    };
    let blocked = j % 20 == 7;
    let (block_at, reason, until) = if blocked {
        let at = if j % 200 == 7 {
            now - Duration::seconds(rng.gen_range(0..6 * 86_400))
        } else {
            ended
        };
        let started_ok = at.max(started);
        (
            ts(started_ok),
            format!(
                "'{}'",
                REASONS[(j / 20) % REASONS.len()].replace('\'', "''")
            ),
            ts(started_ok + Duration::days(7)),
        )
    } else {
        ("NULL".into(), "NULL".into(), "NULL".into())
    };
    let sql = format!(
        "({account_id}, {case_id}, 'load-{account_id}-{k}', 'loadvisitor{k:08x}', 'Visitor {tag:04X}', 'closed', \
         'https://shop.example/p/{p}', {messages}, 'none', {rating}, false, {started}, {ended}, {block_at}, {reason}, {until})",
        case_id = case.id,
        tag = k % 65_536,
        p = k % 500,
        started = ts(started),
        ended = ts(ended),
    );
    Row { sql, blocked }
}

/// A block row for every generated blocked conversation, linked back.
fn link_blocks(conn: &mut DbConn, account_id: i64) -> QueryResult<()> {
    let agent = format!("'{}'", AGENTS[0]);
    write_tx(conn, |c| {
        c.batch_execute(&format!(
            "INSERT INTO blocks (account_id, conversation_id, public_id, reason, blocked_by_name, created_at, expires_at) \
             SELECT account_id, id, 'load-block-' || public_id, block_reason, {agent}, blocked_at, block_until \
             FROM conversations WHERE account_id = {account_id} AND block_until IS NOT NULL AND block_id IS NULL \
             AND public_id LIKE 'load-%';
             UPDATE conversations SET block_id = (SELECT b.id FROM blocks b WHERE b.conversation_id = conversations.id) \
             WHERE account_id = {account_id} AND block_until IS NOT NULL AND block_id IS NULL;",
        ))
    })
}

/// Fresh planner statistics after a bulk load. On PostgreSQL a VACUUM
/// too, as autovacuum would soon do after the inserts: until the
/// visibility map is set, a count cannot read an index alone.
fn analyze(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        // One statement at a time: several in one string run as one
        // transaction, where VACUUM cannot.
        DbConn::Pg(c) => ["conversations", "blocks", "events", "conversation_search"]
            .iter()
            .try_for_each(|t| c.batch_execute(&format!("VACUUM ANALYZE {t}"))),
        DbConn::Sqlite(c) => c.batch_execute("ANALYZE;"),
    }
}

/// Gives the generated blocks that have no network one: `index_of(k)` is
/// the blind index of the k-th (a generated visitor address; the sealed
/// address stays empty, as after the privacy purge). So the gate holds
/// the blocks in force, and its block check runs under load.
pub fn index_blocks(
    conn: &mut DbConn,
    account_id: i64,
    index_of: impl Fn(usize) -> Vec<u8>,
) -> QueryResult<usize> {
    write_tx(conn, |c| {
        let ids: Vec<i64> = blocks::table
            .filter(blocks::account_id.eq(account_id))
            .filter(blocks::network_index.is_null())
            .filter(blocks::public_id.like("load-block-%"))
            .select(blocks::id)
            .load(c)?;
        for (k, id) in ids.iter().enumerate() {
            diesel::update(blocks::table.find(id))
                .set(blocks::network_index.eq(Some(index_of(k))))
                .execute(c)?;
        }
        Ok(ids.len())
    })
}

/// Adds `n` generated IP and subnet rules (80% IPv4) to the account, for
/// measuring the gate at scale; bumps the account's rule version once.
/// Networks the account already has are skipped.
pub fn ip_rules(
    conn: &mut DbConn,
    account_id: i64,
    n: usize,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let generated = super::generate::ip_rules(n, 1);
    let mut added = 0;
    for chunk in generated.chunks(BATCH) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|r| {
                format!(
                    "({account_id}, '{r}', 'generated', 'seed-load', {})",
                    ts(now)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO ip_rules (account_id, network, comment, created_by_name, created_at) VALUES {} \
             ON CONFLICT (account_id, network) DO NOTHING",
            rows.join(",")
        );
        write_tx(conn, |c| c.batch_execute(&sql))?;
        added += chunk.len();
    }
    write_tx(conn, |c| rules::bump(c, account_id, now))?;
    Ok(added)
}
