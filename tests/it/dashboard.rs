//! The gate's counters behind the dashboard (per account, hour, cause and
//! key; never an address), their flush and purge, and the Overview page's
//! dashboard for managers and agents.

use chatgate::{
    db::{counters, schema::counters as k},
    domain::cause::Cause,
    gate::counters::Counted,
};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{
    blocking::{add_rule, block, bootstrap_shows, chat_from},
    fixtures::select_text,
    SignedIn, TestApp,
};

/// Behind a trusted proxy, with the gate loaded by the test and no flush
/// of the app's own: the test flushes when it wants.
async fn held() -> TestApp {
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .hold_gate()
        .spawn()
        .await;
    chatgate::gate::reload(&app.core.db, &app.core.gate, app.core.clock.now())
        .await
        .unwrap();
    app
}

async fn flush(app: &TestApp) {
    chatgate::gate::load::flush_counters(&app.core.db, &app.core.gate)
        .await
        .unwrap();
}

type Row = (i64, NaiveDateTime, String, String, i64);

fn rows(app: &TestApp) -> Vec<Row> {
    let mut conn = app.core.db.get().unwrap();
    k::table
        .select((k::account_id, k::hour, k::cause, k::key, k::times))
        .order((k::cause, k::key, k::hour))
        .load(&mut *conn)
        .unwrap()
}

/// The stored times of `cause` (and `key`), all hours together.
fn times(rows: &[Row], cause: Cause, key: Option<&str>) -> i64 {
    rows.iter()
        .filter(|r| r.2 == cause.as_str() && key.is_none_or(|key| r.3 == key))
        .map(|r| r.4)
        .sum()
}

const RULE_IP: &str = "192.0.2.7";
const FR_IP: &str = "198.51.100.1";
const BLOCKED_IP: &str = "203.0.113.9";
const UNKNOWN_IP: &str = "10.0.0.1";

/// A page view refused for each cause (the rule's twice) and one shown;
/// returns the rule's id.
async fn refuse_each_cause(app: &TestApp, m: &SignedIn, agent: &SignedIn) -> i64 {
    let r = add_rule(m, "192.0.2.0/24", "spam network").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rule_id = {
        use chatgate::db::schema::ip_rules;
        let mut conn = app.core.db.get().unwrap();
        ip_rules::table
            .filter(ip_rules::network.eq("192.0.2.0/24"))
            .select(ip_rules::id)
            .first::<i64>(&mut *conn)
            .unwrap()
    };
    let r = m
        .post(
            "/settings/block-visitors/countries",
            &[("mode", "block"), ("country", "FR")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_v, _cid, id) = chat_from(app, agent, BLOCKED_IP, "you are all useless").await;
    assert_eq!(
        block(agent, id, "Rude to the team!").await.status(),
        StatusCode::OK
    );
    assert!(!bootstrap_shows(app, RULE_IP).await);
    assert!(!bootstrap_shows(app, RULE_IP).await);
    assert!(!bootstrap_shows(app, FR_IP).await);
    assert!(!bootstrap_shows(app, BLOCKED_IP).await);
    assert!(bootstrap_shows(app, UNKNOWN_IP).await, "shown");
    let r = m
        .post(
            "/settings/block-visitors/websites",
            &[("mode", "block"), ("list", "shop.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!bootstrap_shows(app, UNKNOWN_IP).await, "the website");
    rule_id
}

#[actix_web::test]
async fn refused_page_views_are_counted_by_cause_and_key_never_by_address() {
    let app = held().await;
    let m = app.sign_in(&app.acme.manager).await;
    let agent = app.sign_in(&app.acme.agent).await;
    let rule_id = refuse_each_cause(&app, &m, &agent).await;
    assert!(rows(&app).is_empty(), "counted in memory until the flush");
    flush(&app).await;
    let stored = rows(&app);
    assert_eq!(times(&stored, Cause::IpRule, Some(&rule_id.to_string())), 2);
    assert_eq!(times(&stored, Cause::Country, Some("FR")), 1);
    assert_eq!(times(&stored, Cause::VisitorBlock, Some("")), 1);
    assert_eq!(times(&stored, Cause::Website, Some("")), 1);
    assert_eq!(times(&stored, Cause::Allowed, Some("")), 1);
    assert!(stored.iter().all(|r| r.0 == app.acme.account_id));
    // Whole hours, and nothing that holds an address.
    let now = app.core.clock.now();
    for (_, hour, cause, key, _) in &stored {
        assert_eq!(hour.format("%M:%S").to_string(), "00:00");
        assert!(*hour <= now && now - *hour < Duration::hours(2));
        assert!(Cause::parse(cause).is_some(), "{cause}");
        for ip in [
            RULE_IP,
            FR_IP,
            BLOCKED_IP,
            UNKNOWN_IP,
            "192.0.2",
            "203.0.113",
        ] {
            assert!(!key.contains(ip) && !cause.contains(ip), "{key}");
        }
        assert!(key.is_empty() || key == "FR" || key.parse::<i64>().is_ok());
    }
    // A second flush adds to the same rows.
    assert!(!bootstrap_shows(&app, RULE_IP).await);
    flush(&app).await;
    let again = rows(&app);
    assert_eq!(times(&again, Cause::IpRule, None), 3);
    // One row per hour (two only if the test crossed an hour).
    let rule_rows: Vec<&Row> = again.iter().filter(|r| r.2 == "ip_rule").collect();
    let hours: std::collections::BTreeSet<_> = rule_rows.iter().map(|r| r.1).collect();
    assert_eq!(rule_rows.len(), hours.len());
}

#[actix_web::test]
async fn a_flush_adds_to_the_stored_hour_and_the_purge_keeps_the_retention() {
    let app = held().await;
    // The app's own purge runs once at start: let it pass first, or it
    // may take the old hour before the purge below counts it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.core.metrics.purge_runs() == 0 {
        assert!(std::time::Instant::now() < deadline, "the first purge runs");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let now = app.core.clock.now();
    let hour = |ago: i64| chatgate::domain::visit::hour_of(now - Duration::days(ago));
    let counted = |hour, times| Counted {
        account_id: app.acme.account_id,
        hour,
        cause: Cause::Country,
        key: "DE".into(),
        times,
    };
    let mut conn = app.core.db.get().unwrap();
    for times in [2, 3] {
        chatgate::db::write_tx(&mut conn, |c| {
            counters::add(c, &[counted(hour(0), times), counted(hour(10), 1)])
        })
        .unwrap();
    }
    chatgate::db::write_tx(&mut conn, |c| counters::add(c, &[counted(hour(401), 7)])).unwrap();
    drop(conn);
    let stored = rows(&app);
    assert_eq!(stored.len(), 3, "one row per account, hour, cause and key");
    assert!(stored.iter().any(|r| r.1 == hour(0) && r.4 == 5), "2 + 3");
    assert!(stored.iter().any(|r| r.1 == hour(10) && r.4 == 2));

    let mut conn = app.core.db.get().unwrap();
    let r = chatgate::db::purge::run(&mut conn, now, Duration::hours(12)).unwrap();
    assert_eq!(r.counters, 1, "older than 400 days");
    let left: Vec<NaiveDateTime> = rows(&app).iter().map(|r| r.1).collect();
    assert!(!left.contains(&hour(401)) && left.len() == 2);
    // A shorter retention, as configured.
    let r = chatgate::db::purge::run_with(&mut conn, now, Duration::hours(12), Duration::days(5))
        .unwrap();
    assert_eq!(r.counters, 1);
    assert_eq!(rows(&app).len(), 1);
    assert_eq!(
        chatgate::db::purge::run(&mut conn, now, Duration::hours(12))
            .unwrap()
            .counters,
        0,
        "idempotent"
    );
}

#[actix_web::test]
async fn the_retention_is_configured_in_days() {
    let app = TestApp::builder()
        .env("CHATGATE_COUNTER_RETENTION_DAYS", "30")
        .spawn()
        .await;
    assert_eq!(
        app.core.settings.counter_retention,
        std::time::Duration::from_secs(30 * 86_400)
    );
}

fn one(html: &str, css: &str) -> String {
    let found = select_text(html, css);
    assert_eq!(found.len(), 1, "{css}");
    found[0].clone()
}

#[actix_web::test]
async fn a_manager_sees_the_numbers_and_charts_of_the_period() {
    let app = held().await;
    let m = app.sign_in(&app.acme.manager).await;
    let agent = app.sign_in(&app.acme.agent).await;
    // A conversation the agent answers (active), and one waiting (before
    // the website rule refuses the shop's pages).
    chat_from(&app, &agent, "10.0.0.4", "hello?").await;
    let (_w, _c2, taken) = chat_from(&app, &agent, "10.0.0.5", "a question").await;
    let r = agent
        .post_json(
            &format!("/agent/api/conversations/{taken}/messages"),
            json!({ "text": "Hello!" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    refuse_each_cause(&app, &m, &agent).await;
    flush(&app).await;

    let html = m.text("/").await;
    assert_eq!(one(&html, "#stat-refused"), "5");
    assert_eq!(one(&html, "#stat-blocks"), "1");
    assert_eq!(one(&html, "#stat-active"), "1");
    assert_eq!(
        one(&html, "#stat-waiting"),
        "1",
        "the blocked one is closed"
    );
    assert!(html.contains("Last 24 hours"));
    // Refused by cause: the table's totals.
    let refused = select_text(&html, "#chart-refused tbody tr td:last-child");
    assert_eq!(refused.len(), 24);
    let sum: i64 = refused.iter().map(|v| v.parse::<i64>().unwrap()).sum();
    assert_eq!(sum, 5);
    let heads = select_text(&html, "#chart-refused thead th");
    assert_eq!(
        heads,
        [
            "Hour",
            "IP rule",
            "Visitor block",
            "Country",
            "Website",
            "Flood",
            "Total"
        ]
    );
    // Each bar tells its value; the drawing has a name.
    assert!(html.contains("role=\"img\""));
    assert!(!select_text(&html, "#chart-refused svg rect title").is_empty());
    assert_eq!(select_text(&html, "#chart-refused .legend li").len(), 5);
    // Rankings.
    assert_eq!(
        select_text(&html, "#chart-rules tbody th a"),
        ["192.0.2.0/24"]
    );
    assert!(html.contains("href=\"/settings/block-visitors?q=192.0.2.0%2F24#ip-rules\""));
    assert_eq!(select_text(&html, "#chart-rules tbody td"), ["2"]);
    assert_eq!(
        select_text(&html, "#chart-countries tbody th"),
        ["France (FR)"]
    );
    assert_eq!(
        select_text(&html, "#chart-by-agent tbody th"),
        ["acme agent"]
    );
    assert_eq!(
        select_text(&html, "#chart-reasons tbody th"),
        ["rude to the"]
    );
    let conv = select_text(&html, "#chart-conversations tbody td");
    let started: i64 = conv
        .iter()
        .step_by(2)
        .map(|v| v.parse::<i64>().unwrap())
        .sum();
    let blocked: i64 = conv
        .iter()
        .skip(1)
        .step_by(2)
        .map(|v| v.parse::<i64>().unwrap())
        .sum();
    assert_eq!((started, blocked), (3, 1));
    // Each in the row of the hour it started.
    let hours: Vec<String> = {
        use chatgate::db::schema::conversations as cv;
        let mut conn = app.core.db.get().unwrap();
        let at: Vec<NaiveDateTime> = cv::table
            .filter(cv::account_id.eq(app.acme.account_id))
            .select(cv::started_at)
            .load(&mut *conn)
            .unwrap();
        at.iter().map(|t| t.format("%H:00").to_string()).collect()
    };
    let doc = scraper::Html::parse_document(&html);
    let tr = scraper::Selector::parse("#chart-conversations tbody tr").unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    for row in doc.select(&tr) {
        let cells: Vec<String> = row.select(&cell).map(|c| c.text().collect()).collect();
        let expected = hours.iter().filter(|h| **h == cells[0]).count();
        assert_eq!(cells[1], expected.to_string(), "started at {}", cells[0]);
    }
    // The widget snippets are still there.
    assert!(html.contains("data-case=\"acme-support\""));
    // Another account's manager sees none of it.
    let g = app.sign_in(&app.globex.manager).await;
    let other = g.text("/").await;
    assert_eq!(one(&other, "#stat-refused"), "0");
    assert_eq!(one(&other, "#stat-blocks"), "0");
    assert!(select_text(&other, "#chart-rules tbody th a").is_empty());
}

#[actix_web::test]
async fn the_period_is_kept_in_the_url_and_a_bad_one_is_a_day() {
    let app = held().await;
    let m = app.sign_in(&app.acme.manager).await;
    for (query, label, rows) in [
        ("?period=7d", "Last 7 days", 7),
        ("?period=30d", "Last 30 days", 30),
        ("?period=24h", "Last 24 hours", 24),
        ("", "Last 24 hours", 24),
        ("?period=365d", "Last 24 hours", 24),
        ("?period=%FF%FE", "Last 24 hours", 24),
        ("?period[]=7d&period=", "Last 24 hours", 24),
        ("?period=<b>", "Last 24 hours", 24),
    ] {
        let r = m.get(&format!("/{query}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let html = r.text().await.unwrap();
        assert_eq!(one(&html, "#period-title"), label, "{query}");
        assert_eq!(one(&html, ".period [aria-current=page]"), label, "{query}");
        assert_eq!(
            select_text(&html, "#chart-refused tbody tr").len(),
            rows,
            "{query}"
        );
        assert_eq!(
            select_text(&html, "#chart-conversations tbody tr").len(),
            rows
        );
    }
    let html = m.text("/?period=7d").await;
    assert_eq!(
        select_text(&html, "#chart-refused thead th")
            .first()
            .map(String::as_str),
        Some("Day")
    );
}

#[actix_web::test]
async fn an_agent_sees_their_day_and_the_waiting_queue_only() {
    let app = held().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_v, _c, taken) = chat_from(&app, &agent, "10.0.0.5", "a question").await;
    let r = agent
        .post_json(
            &format!("/agent/api/conversations/{taken}/messages"),
            json!({ "text": "Hello!" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_w, _c2, _) = chat_from(&app, &agent, "10.0.0.6", "anyone there?").await;
    let html = agent.text("/?period=30d").await;
    assert_eq!(one(&html, "#stat-mine"), "1");
    assert_eq!(one(&html, "#stat-waiting"), "1");
    assert_eq!(
        select_text(&html, "#today-title ~ .table-scroll tbody tr").len(),
        1
    );
    for manager_only in [
        "stat-refused",
        "stat-blocks",
        "chart-refused",
        "Show numbers",
    ] {
        assert!(!html.contains(manager_only), "{manager_only}");
    }
    assert!(html.contains("href=\"/agent\""));
}

/// Conversations started in an hour of an account: (account, hour, n).
type Hours = Vec<(i64, NaiveDateTime, i64)>;

/// Conversations started per account and hour, as the triggers keep them
/// (`conversation_hours`), and as counted from `conversations` itself.
fn hours_kept_and_counted(app: &TestApp) -> (Hours, Hours) {
    use chatgate::db::schema::{conversation_hours as ch, conversations as cv};
    let mut conn = app.core.db.get().unwrap();
    let kept: Hours = ch::table
        .filter(ch::started.ne(0))
        .select((ch::account_id, ch::hour, ch::started))
        .order((ch::account_id, ch::hour))
        .load(&mut *conn)
        .unwrap();
    let mut counted = std::collections::BTreeMap::new();
    for (a, at) in cv::table
        .select((cv::account_id, cv::started_at))
        .load::<(i64, NaiveDateTime)>(&mut *conn)
        .unwrap()
    {
        *counted
            .entry((a, chatgate::domain::visit::hour_of(at)))
            .or_insert(0i64) += 1;
    }
    let counted = counted.into_iter().map(|((a, h), n)| (a, h, n)).collect();
    (kept, counted)
}

#[actix_web::test]
async fn the_hourly_count_of_conversations_follows_starts_moves_and_deletes() {
    let app = held().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let mut ids = Vec::new();
    for ip in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        ids.push(chat_from(&app, &agent, ip, "hello").await.2);
    }
    let (kept, counted) = hours_kept_and_counted(&app);
    assert_eq!(kept, counted);
    assert_eq!(kept.iter().map(|r| r.2).sum::<i64>(), 3);
    // Moved to three days ago (as a test or an import might), and deleted.
    {
        use chatgate::db::schema::conversations as cv;
        let mut conn = app.core.db.get().unwrap();
        let at: NaiveDateTime = cv::table
            .find(ids[0])
            .select(cv::started_at)
            .first(&mut *conn)
            .unwrap();
        diesel::update(cv::table.find(ids[0]))
            .set(cv::started_at.eq(at - Duration::days(3)))
            .execute(&mut *conn)
            .unwrap();
    }
    app.sql(&format!(
        "DELETE FROM events WHERE conversation_id = {}",
        ids[1]
    ));
    app.sql(&format!("DELETE FROM conversations WHERE id = {}", ids[1]));
    let (kept, counted) = hours_kept_and_counted(&app);
    assert_eq!(kept, counted);
    assert_eq!(kept.iter().map(|r| r.2).sum::<i64>(), 2);
}
