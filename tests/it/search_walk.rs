//! A search walks the full-text index's matches newest first, a chunk at a
//! time (`db::search`), and narrows each chunk by account, case and the
//! other filters (`db::reports`). What it lists must be exactly the
//! matches that pass the filters, newest first, across chunk boundaries
//! and pages, whether the walk or the few conversations the other filters
//! leave (`reports::FEW`) lead; the count is exact for few matches and
//! otherwise stops at "More than 1,000"; the CSV always has every match.
//! The index holds the case, and a search in one case never sees another's.

use chatgate::{
    db::{
        accounts,
        reports::{self, COUNT_CAP, FEW},
        search::{EXACT_UP_TO, MAX_CHUNK},
        DbConn,
    },
    domain::{
        conversation_search::{Cursor, Filters, Form, Key, Total},
        time_zone::TimeZone,
    },
};
use chrono::NaiveDateTime;
use diesel::{prelude::*, sql_types::BigInt};

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

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Every conversation the index matches, in every account, read at once.
fn all_matches(app: &TestApp, f: &Filters) -> Vec<i64> {
    let mut conn = app.core.db.get().unwrap();
    let ids: Vec<Id> = match &mut *conn {
        DbConn::Sqlite(c) => diesel::sql_query(format!(
            "SELECT rowid AS id FROM conversation_search WHERE conversation_search MATCH '{}'",
            f.fts5().unwrap().replace('\'', "''")
        ))
        .load(c)
        .unwrap(),
        DbConn::Pg(c) => diesel::sql_query(format!(
            "SELECT conversation_id AS id FROM conversation_search \
             WHERE doc @@ to_tsquery('chatgate_search', '{}')",
            f.tsquery().unwrap().replace('\'', "''")
        ))
        .load(c)
        .unwrap(),
    };
    ids.into_iter().map(|i| i.id).collect()
}

fn listed(app: &TestApp, f: &Filters, now: NaiveDateTime, at: Cursor, limit: i64) -> Vec<i64> {
    let mut conn = app.core.db.get().unwrap();
    let scope = (app.acme.account_id, app.acme.case.id);
    reports::rows(&mut conn, scope, f, now, at, limit)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// The cursor of conversation `id` (a search reads its id alone).
fn key(id: i64) -> Key {
    Key {
        started_at: NaiveDateTime::default(),
        id,
    }
}

fn counted(app: &TestApp, f: &Filters, now: NaiveDateTime) -> Total {
    let mut conn = app.core.db.get().unwrap();
    reports::count(&mut conn, app.acme.account_id, app.acme.case.id, f, now).unwrap()
}

/// What a search must list: the conversations the other filters list
/// that the index matches, highest id (newest) first.
fn expected(app: &TestApp, query: &str, now: NaiveDateTime) -> Vec<i64> {
    let with_words = filters(app, query);
    let without = Filters {
        words: vec![],
        ..with_words.clone()
    };
    let matches = all_matches(app, &with_words);
    let mut ids: Vec<i64> = listed(app, &without, now, Cursor::Newest, 1_000_000)
        .into_iter()
        .filter(|id| matches.contains(id))
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids
}

#[actix_web::test]
async fn a_search_lists_exactly_the_filtered_matches_newest_first_across_chunks() {
    let app = spawn_app().await;
    let now = app.core.clock.now();
    {
        // Globex's conversations hold the same words, newer than Acme's:
        // the walk reads them first and finds nothing of Acme's there.
        let mut conn = app.core.db.get().unwrap();
        let load = chatgate::load::seed::conversations;
        load(&mut conn, app.acme.account_id, 12_000, now).unwrap();
        load(&mut conn, app.globex.account_id, 2_500, now).unwrap();
    }
    let agent = app.acme.agent_id;
    let from = (now - chrono::Duration::days(30)).format("%Y-%m-%d");
    let to = (now - chrono::Duration::days(10)).format("%Y-%m-%d");
    let queries = [
        "q=visitor".to_owned(),
        "q=refund".to_owned(),
        "q=refu*".to_owned(),
        "q=refu".to_owned(),
        "q=order+4*".to_owned(),
        "q=delivery+late".to_owned(),
        "q=norway&status=closed".to_owned(),
        format!("q=visitor&agent={agent}"),
        format!("q=password&from={from}"),
        format!("q=visitor&from={from}&to={to}"),
        format!("q=order&to={to}"),
        "q=refund&blocking=blocked".to_owned(),
        "q=shoes&blocking=not_blocked".to_owned(),
        "q=nothinglikethis".to_owned(),
    ];
    for query in &queries {
        // Which way this one goes: the other filters alone leave more
        // than FEW (the walk leads) or at most FEW (each is looked up).
        let rest = Filters {
            words: vec![],
            ..filters(&app, query)
        };
        let left = counted(&app, &rest, now).n;
        println!("{query}: the other filters leave {left}, FEW is {FEW}");
        let want = expected(&app, query, now);
        let f = filters(&app, query);
        assert_eq!(
            listed(&app, &f, now, Cursor::Newest, 1_000_000),
            want,
            "{query}"
        );
        let total = counted(&app, &f, now);
        assert_eq!(
            total,
            Total {
                n: want.len() as i64,
                more: false
            },
            "{query}"
        );
        // A page anywhere, a chunk boundary included, is that slice: the
        // rows after a row ("Older"), and the rows nearest above it
        // ("Newer"), whether the walk goes down or up.
        for at in [40, 1_990, 4_500, 9_000].map(|i: usize| i.min(want.len())) {
            if at == 0 {
                continue;
            }
            let older = listed(&app, &f, now, Cursor::Older(key(want[at - 1])), 51);
            let slice: Vec<i64> = want.iter().skip(at).take(51).copied().collect();
            assert_eq!(older, slice, "{query} after {at}");
            let Some(&id) = want.get(at) else { continue };
            let newer = listed(&app, &f, now, Cursor::Newer(key(id)), 51);
            assert_eq!(
                newer,
                want[at.saturating_sub(51)..at],
                "{query} before {at}"
            );
        }
        let first: Vec<i64> = want.iter().take(51).copied().collect();
        assert_eq!(listed(&app, &f, now, Cursor::Newest, 51), first, "{query}");
    }
    // "visitor" is in every label: the pages above walked growing chunks
    // of the index (12,000 of Acme's).
    assert!(expected(&app, "q=visitor", now).len() as i64 > MAX_CHUNK);
    // Both ways ran: the status filter leaves more than FEW, the agent
    // and the blocked filters fewer.
    let left = |q: &str| counted(&app, &filters(&app, q), now).n;
    assert!(left("status=closed") > FEW);
    assert!(left("blocking=not_blocked") > FEW);
    assert!(left(&format!("agent={agent}")) <= FEW);
    assert!(left("blocking=blocked") <= FEW);
    // Newest first is the order they started in.
    let f = filters(&app, "q=visitor");
    let mut conn = app.core.db.get().unwrap();
    let scope = (app.acme.account_id, app.acme.case.id);
    let rows = reports::rows(&mut conn, scope, &f, now, Cursor::Newest, 200).unwrap();
    assert!(rows.windows(2).all(|w| w[0].started_at >= w[1].started_at));
}

#[actix_web::test]
async fn a_common_search_counts_to_a_thousand_and_the_csv_has_every_match() {
    let app = spawn_app().await;
    let (a, c) = (app.acme.account_id, app.acme.case.id);
    let n = EXACT_UP_TO + 20;
    app.sql(&format!(
        "INSERT INTO conversations (account_id, case_id, public_id, visitor_key, \
         visitor_label, status, started_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         SELECT {a}, {c}, 'bulk-' || i, 'bulk-' || i, 'Bulk visitor ' || i, 'closed', \
         '2026-11-01 00:00:00' FROM n"
    ));
    let boss = app.sign_in(&app.acme.manager).await;
    let list = format!("/cases/{c}/conversations");
    let html = boss.text(&format!("{list}?q=bulk")).await;
    assert_eq!(COUNT_CAP, 1_000);
    assert!(
        html.contains(">More than 1,000 conversations<"),
        "the total stops at the cap"
    );
    assert!(html.contains("add a word, a date range or a status to count them all"));
    assert_eq!(
        html.matches("Bulk visitor ").count(),
        50,
        "a full first page"
    );
    assert!(
        html.contains(&format!("Bulk visitor {n}<")),
        "the newest first"
    );
    assert!(html.contains("rel=\"next\""));
    let mut page3 = html.clone();
    for _ in 0..2 {
        let doc = scraper::Html::parse_document(&page3);
        let older = scraper::Selector::parse("a[rel=next]").unwrap();
        let href = doc.select(&older).next().unwrap().value().attr("href");
        page3 = boss.text(href.unwrap()).await;
    }
    assert!(page3.contains(&format!("Bulk visitor {}<", n - 100)));
    // Below the cap a common search is counted exactly.
    let html = boss.text(&format!("{list}?q=bulk&status=waiting")).await;
    assert!(html.contains(">0 conversations<"), "none waiting");
    let html = boss.text(&format!("{list}?q=777+bulk")).await;
    assert!(html.contains(">1 conversation<"), "a rare search is exact");
    // The export is never capped, and follows the same order.
    let csv = boss.text(&format!("{list}.csv?q=bulk")).await;
    assert_eq!(
        csv.lines().count() as i64,
        n + 1,
        "every match and the header"
    );
}

#[actix_web::test]
async fn the_index_narrows_a_search_by_case_and_follows_a_conversation_moved() {
    let app = spawn_app().await;
    let now = app.core.clock.now();
    let (a, one) = (app.acme.account_id, app.acme.case.id);
    let two = {
        let mut conn = app.core.db.get().unwrap();
        accounts::create_case(&mut conn, a, "Sales", "acme-sales", now)
            .unwrap()
            .id
    };
    for (label, case) in [("Zebra first", one), ("Zebra second", two)] {
        app.sql(&format!(
            "INSERT INTO conversations (account_id, case_id, public_id, visitor_key, \
             visitor_label, status, started_at) \
             VALUES ({a}, {case}, '{label}', '{label}', '{label}', 'waiting', '2026-11-01 00:00:00')"
        ));
    }
    let found = |case: i64, query: &str| -> Vec<String> {
        let f = filters(&app, query);
        let mut conn = app.core.db.get().unwrap();
        let rows = reports::rows(&mut conn, (a, case), &f, now, Cursor::Newest, 100).unwrap();
        let n = reports::count(&mut conn, a, case, &f, now).unwrap();
        assert_eq!(n.n, rows.len() as i64, "{query}: the count agrees");
        rows.into_iter().map(|r| r.visitor_label).collect()
    };
    // Walked, and looked up among the few waiting ones: the same.
    for q in ["q=zebra", "q=zebra&status=waiting"] {
        assert_eq!(found(one, q), ["Zebra first"], "{q}");
        assert_eq!(found(two, q), ["Zebra second"], "{q}");
    }
    // The case is in the index, yet typing its token finds nothing.
    assert!(found(one, &format!("q=c{one}")).is_empty());
    assert!(found(one, &format!("q=case+{one}")).is_empty());
    app.sql(&format!(
        "UPDATE conversations SET case_id = {two} WHERE visitor_label = 'Zebra first'"
    ));
    for q in ["q=zebra", "q=zebra&status=waiting"] {
        assert!(found(one, q).is_empty(), "{q}: moved away");
        assert_eq!(found(two, q), ["Zebra second", "Zebra first"], "{q}");
    }
}
