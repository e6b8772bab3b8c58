//! The dashboard's three charts about blocks (conversations blocked per
//! bucket, blocks by agent, reasons by their first words) come from one
//! grouped read of the period's blocks (`db::dashboard::blocks_made`):
//! each chart must still count what it did when each had its own query.

use chrono::Duration;

use crate::support::{fixtures::select_text, spawn_app};

/// The chart's table as (row heading, its last cell) pairs.
fn rows(html: &str, chart: &str) -> Vec<(String, String)> {
    let heads = select_text(html, &format!("#chart-{chart} tbody th"));
    let cells = select_text(html, &format!("#chart-{chart} tbody td:last-child"));
    heads.into_iter().zip(cells).collect()
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[actix_web::test]
async fn the_block_charts_count_by_agent_reason_and_conversation() {
    let app = spawn_app().await;
    let now = app.core.clock.now();
    let (a, case) = (app.acme.account_id, app.acme.case.id);
    let at = |ago: Duration| (now - ago).format("%Y-%m-%d %H:%M:%S").to_string();
    app.sql(&format!(
        "INSERT INTO conversations (account_id, case_id, public_id, visitor_key, \
         visitor_label, status, started_at) \
         VALUES ({a}, {case}, 'c-1', 'c-1', 'Visitor one', 'closed', '{}')",
        at(Duration::hours(3))
    ));
    // (agent, reason, from the conversation, how long ago)
    let made = [
        ("Ann", "Rude to the team", true, Duration::hours(2)),
        ("Ann", "rude to the agent!", true, Duration::hours(2)),
        ("Ann", "Spam links", true, Duration::hours(1)),
        ("Bob", "spam", false, Duration::hours(1)),
        ("Bob", "Spam!!", false, Duration::minutes(10)),
        ("Cy", "threats", true, Duration::days(2)),
    ];
    for (i, (who, reason, from_conversation, ago)) in made.iter().enumerate() {
        let conversation = if *from_conversation {
            "(SELECT id FROM conversations WHERE public_id = 'c-1')".to_owned()
        } else {
            "NULL".to_owned()
        };
        app.sql(&format!(
            "INSERT INTO blocks (account_id, conversation_id, public_id, reason, \
             blocked_by_name, created_at, expires_at) \
             VALUES ({a}, {conversation}, 'b-{i}', '{reason}', '{who}', '{}', '{}')",
            at(*ago),
            at(*ago - Duration::days(7)),
        ));
    }
    // Another account's block never counts.
    app.sql(&format!(
        "INSERT INTO blocks (account_id, public_id, reason, blocked_by_name, created_at, expires_at) \
         VALUES ({}, 'g-1', 'spam', 'Ann', '{}', '{}')",
        app.globex.account_id,
        at(Duration::hours(1)),
        at(Duration::hours(1) - Duration::days(7)),
    ));
    let m = app.sign_in(&app.acme.manager).await;

    let html = m.text("/?period=24h").await;
    assert_eq!(
        rows(&html, "by-agent"),
        pairs(&[("Ann", "3"), ("Bob", "2")])
    );
    assert_eq!(
        rows(&html, "reasons"),
        pairs(&[("rude to the", "2"), ("spam", "2"), ("spam links", "1")])
    );
    // "Blocked" counts the blocks made from a conversation only.
    let blocked: i64 = select_text(&html, "#chart-conversations tbody td:last-child")
        .iter()
        .map(|v| v.parse::<i64>().unwrap())
        .sum();
    assert_eq!(blocked, 3);

    let html = m.text("/?period=7d").await;
    assert_eq!(
        rows(&html, "by-agent"),
        pairs(&[("Ann", "3"), ("Bob", "2"), ("Cy", "1")])
    );
    let blocked: i64 = select_text(&html, "#chart-conversations tbody td:last-child")
        .iter()
        .map(|v| v.parse::<i64>().unwrap())
        .sum();
    assert_eq!(blocked, 4);
}
