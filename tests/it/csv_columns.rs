//! The Conversations CSV explains its blocked rows: when each block ends or
//! ended and its state now, with every time in ISO 8601 UTC.

use chrono::{DateTime, Duration};
use reqwest::StatusCode;

use chatgate::web::conversations::CSV_COLUMNS;

use crate::support::{
    blocking::{block, chat_from},
    TestApp,
};

/// The index of the CSV column `name`.
fn col(name: &str) -> usize {
    CSV_COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("no column {name:?}"))
}

fn parse(t: &str) -> DateTime<chrono::Utc> {
    assert!(
        t.ends_with('Z') && t.contains('T'),
        "ISO 8601 with Z: {t:?}"
    );
    DateTime::parse_from_rfc3339(t)
        .unwrap_or_else(|e| panic!("{t:?}: {e}"))
        .to_utc()
}

#[actix_web::test]
async fn each_block_says_when_it_ends_and_what_it_is_now() {
    // The manager's session outlasts the hour the test skips below.
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .env("CHATGATE_SESSION_IDLE_MINUTES", "120")
        .spawn()
        .await;
    let agent = app.sign_in(&app.acme.agent).await;

    // An old block that has run its seven days.
    let (_, _, expired) = chat_from(&app, &agent, "192.0.2.1", "one").await;
    let r = block(&agent, expired, "=old spam").await;
    assert_eq!(r.status(), StatusCode::OK);
    app.core.clock.advance(Duration::days(8));
    // Eight days on, the agent's session has ended too: they sign in again.
    let agent = app.sign_in(&app.acme.agent).await;
    let boss = app.sign_in(&app.acme.manager).await;
    // One in force, and one lifted early by the manager an hour in.
    let (_, _, active) = chat_from(&app, &agent, "192.0.2.2", "two").await;
    let (_, _, lifted) = chat_from(&app, &agent, "192.0.2.3", "three").await;
    let (_, _, never) = chat_from(&app, &agent, "192.0.2.4", "four").await;
    for id in [active, lifted] {
        let r = block(&agent, id, "abuse").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    app.core.clock.advance(Duration::hours(1));
    boss.post(&format!("/conversations/{lifted}/unblock"), &[])
        .await;

    let case = app.acme.case.id;
    let text = boss
        .text(&format!("/cases/{case}/conversations.csv?blocking=all"))
        .await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        CSV_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |id: i64| {
        rows.iter()
            .find(|r| r[col("id")] == id.to_string())
            .unwrap()
    };

    // Every time column carries its zone.
    for r in &rows {
        for name in ["started at", "ended at", "blocked at", "block ends at"] {
            if !r[col(name)].is_empty() {
                parse(&r[col(name)]);
            }
        }
    }
    let (e, a, l, n) = (row(expired), row(active), row(lifted), row(never));
    assert_eq!(
        &e[col("blocking status")],
        "Blocked",
        "the historical status stays"
    );
    assert_eq!(
        &e[col("blocking reason")],
        "'=old spam",
        "formula safety kept"
    );
    assert_eq!(&e[col("block state")], "Expired");
    assert_eq!(&e[col("block lifted by")], "");
    assert_eq!(
        parse(&e[col("block ends at")]) - parse(&e[col("blocked at")]),
        Duration::days(7)
    );

    assert_eq!(&a[col("blocking status")], "Blocked");
    assert_eq!(&a[col("block state")], "Active");
    assert_eq!(
        parse(&a[col("block ends at")]) - parse(&a[col("blocked at")]),
        Duration::days(7)
    );

    assert_eq!(
        &l[col("blocking status")],
        "Blocked",
        "an unblock leaves the status as it was"
    );
    assert_eq!(&l[col("block state")], "Lifted early");
    assert_eq!(&l[col("block lifted by")], "acme manager");
    assert_eq!(
        parse(&l[col("block ends at")]) - parse(&l[col("blocked at")]),
        Duration::hours(1)
    );

    assert_eq!(&n[col("blocking status")], "Not blocked");
    assert_eq!(
        (
            &n[col("blocked at")],
            &n[col("block ends at")],
            &n[col("block state")],
            &n[col("block lifted by")]
        ),
        ("", "", "", "")
    );

    // A "Not blocked" export explains its "Blocked" rows.
    let text = boss
        .text(&format!(
            "/cases/{case}/conversations.csv?blocking=not_blocked"
        ))
        .await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let states: Vec<(String, String)> = reader
        .records()
        .map(Result::unwrap)
        .map(|r| (r[col("id")].to_owned(), r[col("block state")].to_owned()))
        .collect();
    assert_eq!(
        states,
        [
            (never.to_string(), String::new()),
            (lifted.to_string(), "Lifted early".to_owned()),
            (expired.to_string(), "Expired".to_owned()),
        ]
    );
}

/// Every column of the CSV is explained in the README's table.
#[test]
fn the_readme_documents_every_column() {
    let readme = include_str!("../../README.md");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
    for name in CSV_COLUMNS {
        let quoted = format!("`{name}`");
        assert!(
            rows.iter()
                .any(|r| r.split(" | ").next().unwrap().contains(&quoted)),
            "the README's CSV table lacks {quoted}"
        );
    }
}
