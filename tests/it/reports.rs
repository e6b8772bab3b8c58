//! The Conversations tab's blocking filter and the CSV export.

use chatgate::web::conversations::CSV_COLUMNS;
use reqwest::StatusCode;

use crate::support::{
    blocking::{block, chat_from, proxied},
    SignedIn,
};

/// The conversations of `case` the Conversations tab lists for `filter`.
async fn listed(who: &SignedIn, case: i64, filter: &str) -> Vec<i64> {
    let path = format!("/cases/{case}/conversations?blocking={filter}");
    listed_ids(&who.text(&path).await)
}

fn listed_ids(html: &str) -> Vec<i64> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("table.conversations tbody tr a[href^='/conversations/']")
        .unwrap();
    doc.select(&sel)
        .map(|a| {
            a.value()
                .attr("href")
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

#[actix_web::test]
async fn the_filter_and_the_csv_follow_the_blocks() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, c1) = chat_from(&app, &agent, "192.0.2.1", "one").await;
    let (_, _, c2) = chat_from(&app, &agent, "192.0.2.2", "two").await;
    let (_, _, c3) = chat_from(&app, &agent, "192.0.2.3", "three").await;
    assert_eq!(
        block(&agent, c1, "=HYPERLINK(\"http://evil.example\",\"x\")")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(block(&agent, c2, "spam").await.status(), StatusCode::OK);
    let boss = app.sign_in(&app.acme.manager).await;
    boss.post(&format!("/conversations/{c2}/unblock"), &[])
        .await;

    let case = app.acme.case.id;
    assert_eq!(listed(&boss, case, "blocked").await, [c1]);
    assert_eq!(
        listed(&boss, case, "not_blocked").await,
        [c3, c2],
        "newest first; a lifted block is not blocked"
    );
    assert_eq!(listed(&boss, case, "all").await, [c3, c2, c1]);

    let csv = boss
        .get(&format!("/cases/{case}/conversations.csv?blocking=all"))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        CSV_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let by_id = |id: i64| {
        rows.iter()
            .find(|r| r[0] == id.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(&by_id(c1)[7], "Blocked");
    assert_eq!(
        &by_id(c1)[8],
        "'=HYPERLINK(\"http://evil.example\",\"x\")",
        "formula neutralised"
    );
    assert_eq!(
        &by_id(c2)[7],
        "Blocked",
        "the status stays after an unblock"
    );
    assert_eq!(&by_id(c3)[7], "Not blocked");
    assert!(!text.contains("192.0.2."), "no address in the export");
    let blocked_only = boss
        .text(&format!("/cases/{case}/conversations.csv?blocking=blocked"))
        .await;
    assert_eq!(
        blocked_only.lines().count(),
        2,
        "header and the one blocked conversation"
    );

    // Seven days and a second later, nothing is blocked any more.
    app.core
        .clock
        .advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    // A week on, the manager's session has ended too: they sign in again.
    let boss = app.sign_in(&app.acme.manager).await;
    assert!(listed(&boss, case, "blocked").await.is_empty());
    assert_eq!(listed(&boss, case, "not_blocked").await, [c3, c2, c1]);
    let page = boss.text(&format!("/conversations/{c1}")).await;
    assert!(
        page.contains("Expired"),
        "an expired block is shown as such"
    );
    // Another account's case is a 404, and so is its export.
    let other = app.globex.case.id;
    assert_eq!(
        boss.get(&format!("/cases/{other}/conversations.csv"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
