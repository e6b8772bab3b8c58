//! The Conversations CSV explains its blocked rows: when each block ends or
//! ended and its state now, with every time in ISO 8601 UTC.

use chrono::{DateTime, Duration};
use reqwest::StatusCode;

use crate::blocking::{block, chat_from, proxied};

const HEADER: [&str; 13] = [
    "id",
    "business case",
    "started at",
    "ended at",
    "agent",
    "message count",
    "survey rating",
    "blocking status",
    "blocking reason",
    "blocked at",
    "block ends at",
    "block state",
    "block lifted by",
];

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
    let app = proxied().await;
    let (agent, csrf) = app.login_as(&app.acme.agent).await;
    let (boss, boss_csrf) = app.login_as(&app.acme.manager).await;

    // An old block that has run its seven days.
    let (_, _, expired) = chat_from(&app, &agent, "192.0.2.1", "one").await;
    let r = block(&app, &agent, &csrf, expired, "=old spam").await;
    assert_eq!(r.status(), StatusCode::OK);
    app.core.clock.advance(Duration::days(8));
    // One in force, and one lifted early by the manager an hour in.
    let (_, _, active) = chat_from(&app, &agent, "192.0.2.2", "two").await;
    let (_, _, lifted) = chat_from(&app, &agent, "192.0.2.3", "three").await;
    let (_, _, never) = chat_from(&app, &agent, "192.0.2.4", "four").await;
    for id in [active, lifted] {
        let r = block(&app, &agent, &csrf, id, "abuse").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    app.core.clock.advance(Duration::hours(1));
    app.form(
        &boss,
        &boss_csrf,
        &format!("/conversations/{lifted}/unblock"),
    )
    .await;

    let case = app.acme.case.id;
    let text = app
        .text(
            &boss,
            &format!("/cases/{case}/conversations.csv?blocking=all"),
        )
        .await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |id: i64| rows.iter().find(|r| r[0] == id.to_string()).unwrap();

    // Every time column carries its zone.
    for r in &rows {
        for col in [2, 3, 9, 10] {
            if !r[col].is_empty() {
                parse(&r[col]);
            }
        }
    }
    let (e, a, l, n) = (row(expired), row(active), row(lifted), row(never));
    assert_eq!(&e[7], "Blocked", "the historical status stays");
    assert_eq!(&e[8], "'=old spam", "formula safety kept");
    assert_eq!(&e[11], "Expired");
    assert_eq!(&e[12], "");
    assert_eq!(parse(&e[10]) - parse(&e[9]), Duration::days(7));

    assert_eq!(&a[7], "Blocked");
    assert_eq!(&a[11], "Active");
    assert_eq!(parse(&a[10]) - parse(&a[9]), Duration::days(7));

    assert_eq!(&l[7], "Blocked", "an unblock leaves the status as it was");
    assert_eq!(&l[11], "Lifted early");
    assert_eq!(&l[12], "acme manager");
    assert_eq!(parse(&l[10]) - parse(&l[9]), Duration::hours(1));

    assert_eq!(&n[7], "Not blocked");
    assert_eq!((&n[9], &n[10], &n[11], &n[12]), ("", "", "", ""));

    // A "Not blocked" export explains its "Blocked" rows.
    let text = app
        .text(
            &boss,
            &format!("/cases/{case}/conversations.csv?blocking=not_blocked"),
        )
        .await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let states: Vec<(String, String)> = reader
        .records()
        .map(Result::unwrap)
        .map(|r| (r[0].to_owned(), r[11].to_owned()))
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
