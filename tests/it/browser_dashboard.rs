//! Browser journey: a manager opens the Overview dashboard, switches the
//! period, opens a chart's numbers, then goes on to the Conversations tab
//! and searches it; at 1280 and 390 px, without sideways scrolling and
//! without serious accessibility violations.

use chatgate::{domain::cause::Cause, gate::counters::Counted};
use chrono::Duration;

use crate::support::{
    axe,
    blocking::{add_rule, block, bootstrap_shows, chat_from, proxied},
    browser::Browser,
    TestApp,
};

/// A month of counted decisions for Acme, a few an hour, stored as the
/// gate's flush stores them.
fn a_month_of_counts(app: &TestApp, rule_id: &str) {
    let now = app.core.clock.now();
    let mut counted = Vec::new();
    for h in 0..(30 * 24) {
        let hour = chatgate::domain::visit::hour_of(now - Duration::hours(h));
        let wave = (h % 24 - 12).unsigned_abs();
        for (cause, key, times) in [
            (Cause::IpRule, rule_id, 1 + wave / 2),
            (Cause::Country, "FR", wave % 5),
            (Cause::Country, "CN", (h % 3) as u64),
            (Cause::VisitorBlock, "", (h % 4 == 0) as u64),
            (Cause::Website, "", (h % 7 == 0) as u64),
            (Cause::Allowed, "", 20 + wave),
        ] {
            if times > 0 {
                counted.push(Counted {
                    account_id: app.acme.account_id,
                    hour,
                    cause,
                    key: key.into(),
                    times,
                });
            }
        }
    }
    let mut conn = app.core.db.get().unwrap();
    chatgate::db::write_tx(&mut conn, |c| chatgate::db::counters::add(c, &counted)).unwrap();
}

async fn check_page(b: &Browser, name: &str, width: u32) {
    let (scroll, inner) = b.page_widths().await;
    assert!(
        scroll <= inner,
        "{name} at {width} px: {scroll} px wide in a {inner} px window"
    );
    let found = axe::serious_violations(b).await;
    assert!(found.is_empty(), "{name} at {width} px: {found:#?}");
}

#[actix_web::test]
async fn a_manager_reads_the_dashboard_switches_the_period_and_shows_the_numbers() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = proxied().await;
    let m = app.sign_in(&app.acme.manager).await;
    let agent = app.sign_in(&app.acme.agent).await;
    add_rule(&m, "192.0.2.0/24", "scrapers").await;
    let rule_id = {
        use chatgate::db::schema::ip_rules;
        use diesel::prelude::*;
        let mut conn = app.core.db.get().unwrap();
        ip_rules::table
            .select(ip_rules::id)
            .first::<i64>(&mut *conn)
            .unwrap()
    };
    for (ip, reason) in [
        ("203.0.113.9", "Rude to the team"),
        ("203.0.113.10", "spam links again"),
    ] {
        let (_v, _c, id) = chat_from(&app, &agent, ip, "hello").await;
        block(&agent, id, reason).await;
    }
    let (_v, _c, asked) = chat_from(&app, &agent, "10.0.0.8", "a question").await;
    assert!(!bootstrap_shows(&app, "192.0.2.7").await);
    a_month_of_counts(&app, &rule_id.to_string());

    b.client.set_window_size(1280, 900).await.unwrap();
    b.sign_in(&app, &app.acme.manager, "/").await;
    b.wait_text("h1", "Overview").await;
    b.wait_text("#period-title", "Last 24 hours").await;
    b.wait_text("#chart-refused h3", "Page views refused, by cause")
        .await;
    check_page(&b, "dashboard", 1280).await;
    b.doc_screenshot("dashboard-1280").await;

    // The period: a link, kept in the URL.
    b.click(".period a[href='/?period=7d']").await;
    b.wait_text("#period-title", "Last 7 days").await;
    let url = b.client.current_url().await.unwrap();
    assert!(url.as_str().ends_with("/?period=7d"), "{url}");
    b.text_of(".period [aria-current=page]").await;
    assert_eq!(
        b.text_of(".period [aria-current=page]").await,
        "Last 7 days"
    );

    // The numbers behind a chart, on demand.
    let rows = "#chart-refused details tbody tr";
    assert!(!b.css(rows).await.is_displayed().await.unwrap());
    b.click("#chart-refused details summary").await;
    assert!(b.css(rows).await.is_displayed().await.unwrap());
    let rule_link = b.css("#chart-rules details a").await;
    assert_eq!(
        rule_link.attr("href").await.unwrap().as_deref(),
        Some("/settings/block-visitors?q=192.0.2.0%2F24#ip-rules")
    );
    b.screenshot("dashboard-7d-numbers-1280").await;
    check_page(&b, "dashboard 7d", 1280).await;

    // On to the conversations, from the menu, and a search.
    let list = format!("/cases/{}/conversations", app.acme.case.id);
    b.click(&format!("nav a[href='{list}']")).await;
    b.wait_text("p.total", "3 conversations").await;
    b.css("input[name=q]")
        .await
        .send_keys("question\n")
        .await
        .unwrap();
    b.wait_text("p.total", "1 conversation").await;
    let url = b.client.current_url().await.unwrap();
    assert!(
        url.as_str().contains(&format!("{list}?q=question")),
        "{url}"
    );
    let found = b.css("table.conversations a.btn").await.attr("href").await;
    assert_eq!(
        found.unwrap(),
        Some(format!("/conversations/{asked}")),
        "the conversation that said it"
    );
    check_page(&b, "conversations searched", 1280).await;
    b.screenshot("dashboard-then-search-1280").await;

    // On a phone.
    b.client.set_window_size(390, 844).await.unwrap();
    b.client.goto(&app.url("/?period=30d")).await.unwrap();
    b.wait_text("#period-title", "Last 30 days").await;
    check_page(&b, "dashboard 30d", 390).await;
    b.screenshot("dashboard-390").await;
    b.client
        .execute(
            "document.querySelector('#chart-conversations').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    b.screenshot("dashboard-390-charts").await;
    b.client.set_window_size(1280, 900).await.unwrap();
}
