//! The two ways a search runs (`db::search`): reading the index's matches
//! first (`Candidates`, for words few conversations hold) and testing each
//! conversation on the way (`Probe`, for common words). Both must select
//! exactly the same conversations; the plan picks by how common the words
//! are; a common search counts up to 1,000 and the CSV still has them all.

use chatgate::{
    db::{
        reports::{self, COUNT_CAP},
        search::{self, Plan, COMMON},
    },
    domain::{
        conversation_search::{Filters, Form, Total},
        time_zone::TimeZone,
    },
};
use chrono::NaiveDateTime;

use crate::support::{spawn_app, TestApp};

fn filters(app: &TestApp, query: &str) -> Filters {
    let mut conn = app.core.db.get().unwrap();
    let agents: Vec<i64> = reports::agents(&mut conn, app.acme.account_id)
        .unwrap()
        .into_iter()
        .map(|a| a.0)
        .collect();
    Form::from_query(query)
        .0
        .parse(TimeZone::UTC, &agents)
        .unwrap_or_else(|e| panic!("{query}: {e:?}"))
}

fn selected(app: &TestApp, f: &Filters, plan: Plan, now: NaiveDateTime) -> (Vec<i64>, Total) {
    let mut conn = app.core.db.get().unwrap();
    let (a, c) = (app.acme.account_id, app.acme.case.id);
    let rows = reports::rows(&mut conn, a, c, f, plan, now, None, 0, 100_000).unwrap();
    let total = reports::count(&mut conn, a, c, f, plan, now).unwrap();
    (rows.into_iter().map(|r| r.id).collect(), total)
}

#[actix_web::test]
async fn both_plans_select_the_same_conversations_in_the_same_order() {
    let app = spawn_app().await;
    let now = app.core.clock.now();
    {
        let mut conn = app.core.db.get().unwrap();
        chatgate::load::seed::conversations(&mut conn, app.acme.account_id, 600, now).unwrap();
        // Globex holds the same words: never listed for Acme.
        chatgate::load::seed::conversations(&mut conn, app.globex.account_id, 200, now).unwrap();
    }
    let agent = app.acme.agent_id;
    let from = (now - chrono::Duration::days(30)).format("%Y-%m-%d");
    let queries = [
        "q=refund".to_owned(),
        "q=refu".to_owned(),
        "q=visitor".to_owned(),
        "q=order+4".to_owned(),
        "q=delivery+late".to_owned(),
        "q=norway&status=closed".to_owned(),
        format!("q=visitor&agent={agent}"),
        format!("q=password&from={from}"),
        "q=refund&blocking=blocked".to_owned(),
        "q=shoes&blocking=not_blocked".to_owned(),
        "q=nothinglikethis".to_owned(),
    ];
    for query in &queries {
        let f = filters(&app, query);
        let (by_index, n_index) = selected(&app, &f, Plan::Candidates, now);
        let (by_probe, n_probe) = selected(&app, &f, Plan::Probe, now);
        assert_eq!(by_index, by_probe, "{query}");
        assert_eq!(n_index.n, by_index.len() as i64, "{query}");
        assert_eq!(n_probe, n_index, "{query}: below the cap both are exact");
    }
    // The common words were common enough to test both plans on many rows.
    let (refund, _) = selected(&app, &filters(&app, "q=refund"), Plan::Probe, now);
    assert!(refund.len() > 30, "{}", refund.len());
    let (visitors, _) = selected(&app, &filters(&app, "q=visitor"), Plan::Probe, now);
    let (all, _) = selected(&app, &filters(&app, ""), Plan::None, now);
    assert_eq!(visitors, all, "every label says Visitor");
    assert_eq!(all.len(), 600);
}

#[actix_web::test]
async fn a_common_search_is_probed_counted_to_a_thousand_and_exported_whole() {
    let app = spawn_app().await;
    let (a, c) = (app.acme.account_id, app.acme.case.id);
    let n = COMMON + 20;
    app.sql(&format!(
        "INSERT INTO conversations (account_id, case_id, public_id, visitor_key, \
         visitor_label, status, started_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         SELECT {a}, {c}, 'bulk-' || i, 'bulk-' || i, 'Bulk visitor ' || i, 'closed', \
         '2026-11-01 00:00:00' FROM n"
    ));
    let plan = |query: &str| {
        let f = filters(&app, query);
        let mut conn = app.core.db.get().unwrap();
        search::plan(&mut conn, &f).unwrap()
    };
    assert_eq!(plan("q=bulk"), Plan::Probe);
    assert_eq!(plan("q=777+bulk"), Plan::Candidates);
    assert_eq!(plan(""), Plan::None);

    let boss = app.sign_in(&app.acme.manager).await;
    let list = format!("/cases/{c}/conversations");
    let html = boss.text(&format!("{list}?q=bulk")).await;
    assert_eq!(COUNT_CAP, 1_000);
    assert!(
        html.contains(">More than 1,000 conversations<"),
        "the total stops at the cap"
    );
    assert_eq!(
        html.matches("Bulk visitor ").count(),
        50,
        "a full first page"
    );
    assert!(html.contains("rel=\"next\""));
    // Below the cap a common search is counted exactly.
    let html = boss.text(&format!("{list}?q=bulk&status=waiting")).await;
    assert!(html.contains("0 conversations"), "none waiting");
    let html = boss.text(&format!("{list}?q=777+bulk")).await;
    assert!(html.contains(">1 conversation<"), "a rare search is exact");
    // The export is never capped.
    let csv = boss.text(&format!("{list}.csv?q=bulk")).await;
    assert_eq!(
        csv.lines().count() as i64,
        n + 1,
        "every match and the header"
    );
}
