//! The Conversations tab's search box, date range, status and agent
//! filters, total count, and the CSV export under the same filters.

use chatgate::db::schema::conversations;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{spawn_app, SignedIn, TestApp};

/// Acme's three conversations and Globex's look-alike.
struct Seeded {
    app: TestApp,
    boss: SignedIn,
    /// Ada: "refund for order 4711", answered and closed by acme agent,
    /// started 2026-11-10 10:00 UTC.
    ada: i64,
    /// Zoë: French, waiting, no agent, 2026-11-19 16:00 UTC (the 20th in
    /// Tokyo).
    zoe: i64,
    /// Bob: FTS syntax in the text, answered by acme manager (active),
    /// 2026-11-25 09:00 UTC.
    bob: i64,
    /// Globex's conversation that matches every search above.
    other: i64,
}

fn id_of(app: &TestApp, public_id: &str) -> i64 {
    let mut conn = app.core.db.get().unwrap();
    conversations::table
        .filter(conversations::public_id.eq(public_id))
        .select(conversations::id)
        .first(&mut *conn)
        .unwrap()
}

/// A visitor of `case_key` says `text`; its label and start are then set.
async fn conversation(app: &TestApp, case_key: &str, text: &str, label: &str, at: &str) -> i64 {
    let v = app.visitor(case_key).await;
    let id = id_of(app, &v.say(text).await);
    app.sql(&format!(
        "UPDATE conversations SET visitor_label = '{label}', started_at = '{at}' WHERE id = {id}"
    ));
    id
}

async fn reply(who: &SignedIn, id: i64, text: &str) {
    let r = who
        .post_json(
            &format!("/agent/api/conversations/{id}/messages"),
            json!({ "text": text }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "the reply is sent");
}

async fn seeded() -> Seeded {
    let app = spawn_app().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let boss = app.sign_in(&app.acme.manager).await;
    let ada = conversation(
        &app,
        "acme-support",
        "Where is my refund for order 4711?",
        "Ada Lovelace",
        "2026-11-10 10:00:00",
    )
    .await;
    reply(&agent, ada, "Looking into it now").await;
    assert_eq!(agent.act(ada, "close").await.status(), StatusCode::OK);
    let zoe = conversation(
        &app,
        "acme-support",
        "Bonjour, ma commande est arrivée cassée",
        "Zoë Quinn",
        "2026-11-19 16:00:00",
    )
    .await;
    let bob = conversation(
        &app,
        "acme-support",
        "refund NOT \"quoted\" (urgent) -- * OR NEAR",
        "Bob Builder",
        "2026-11-25 09:00:00",
    )
    .await;
    reply(&boss, bob, "Understood").await;
    let other = conversation(
        &app,
        "globex-support",
        "refund for order 4711 bonjour urgent",
        "Ada Lovelace",
        "2026-11-20 10:00:00",
    )
    .await;
    let globex = app.sign_in(&app.globex.agent).await;
    reply(&globex, other, "acme agent here, refund Looking").await;
    Seeded {
        app,
        boss,
        ada,
        zoe,
        bob,
        other,
    }
}

fn ids(html: &str) -> Vec<i64> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("table.conversations tbody tr a[href^='/conversations/']")
        .unwrap();
    doc.select(&sel)
        .map(|a| a.value().attr("href").unwrap()[15..].parse().unwrap())
        .collect()
}

fn text_of(html: &str, css: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .flat_map(|e| e.text())
        .collect::<String>()
        .trim()
        .to_owned()
}

impl Seeded {
    fn path(&self, query: &str) -> String {
        format!("/cases/{}/conversations?{query}", self.app.acme.case.id)
    }

    async fn page(&self, query: &str) -> String {
        let r = self.boss.get(&self.path(query)).await;
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        r.text().await.unwrap()
    }

    async fn listed(&self, query: &str) -> Vec<i64> {
        ids(&self.page(query).await)
    }

    async fn csv_ids(&self, query: &str) -> Vec<i64> {
        let path = format!("/cases/{}/conversations.csv?{query}", self.app.acme.case.id);
        let r = self.boss.get(&path).await;
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let text = r.text().await.unwrap();
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap()[0].parse().unwrap())
            .collect()
    }
}

#[actix_web::test]
async fn every_filter_narrows_and_they_combine() {
    let s = seeded().await;
    let (ada, zoe, bob) = (s.ada, s.zoe, s.bob);
    assert_eq!(s.listed("").await, [bob, zoe, ada], "newest first");
    assert_eq!(text_of(&s.page("").await, "p.total"), "3 conversations");

    // Search: message text, visitor label, agent name, prefix, unicode,
    // any case, every word required (across label and messages).
    assert_eq!(s.listed("q=refund").await, [bob, ada]);
    assert_eq!(s.listed("q=4711").await, [ada]);
    assert_eq!(s.listed("q=lovelace").await, [ada]);
    assert_eq!(s.listed("q=Zoë").await, [zoe]);
    assert_eq!(s.listed("q=arrivée").await, [zoe]);
    // Accents are folded the same way on both databases, both ways.
    assert_eq!(s.listed("q=arrivee+cassee").await, [zoe]);
    assert_eq!(s.listed("q=zoe").await, [zoe]);
    assert_eq!(s.listed("q=ZOË+QUINN").await, [zoe]);
    assert_eq!(s.listed("q=lövelace").await, [ada]);
    assert_eq!(s.listed("q=acme+agent").await, [ada], "the agent's name");
    assert_eq!(s.listed("q=acme+manager").await, [bob]);
    assert_eq!(s.listed("q=look*").await, [ada], "a prefix, asked for");
    assert_eq!(s.listed("q=look").await, Vec::<i64>::new(), "whole words");
    assert_eq!(s.listed("q=lov*+ref*").await, [ada], "two prefixes");
    assert_eq!(s.listed("q=ada+refund").await, [ada], "label and message");
    assert_eq!(s.listed("q=ada+bonjour").await, Vec::<i64>::new());
    let none = s.page("q=nothinglikethis").await;
    assert_eq!(text_of(&none, "p.total"), "0 conversations");
    assert!(none.contains("No conversations match"), "{none}");
    assert_eq!(
        text_of(&s.page("q=4711").await, "p.total"),
        "1 conversation"
    );

    // Status, agent, blocking.
    assert_eq!(s.listed("status=closed").await, [ada]);
    assert_eq!(s.listed("status=waiting").await, [zoe]);
    assert_eq!(s.listed("status=active").await, [bob]);
    let agent = s.app.acme.agent_id;
    let manager = s.app.acme.manager_id;
    assert_eq!(s.listed(&format!("agent={agent}")).await, [ada]);
    assert_eq!(s.listed(&format!("agent={manager}")).await, [bob]);
    assert_eq!(s.listed("blocking=blocked").await, Vec::<i64>::new());

    // Dates are days in the user's zone: Zoë started on the 19th in UTC,
    // on the 20th in Tokyo.
    assert_eq!(s.listed("from=2026-11-19&to=2026-11-19").await, [zoe]);
    assert_eq!(s.listed("from=2026-11-20").await, [bob]);
    assert_eq!(s.listed("to=2026-11-10").await, [ada], "the To day counts");
    s.app.sql(&format!(
        "UPDATE users SET time_zone = 'Asia/Tokyo' WHERE id = {manager}"
    ));
    assert_eq!(s.listed("from=2026-11-20&to=2026-11-20").await, [zoe]);
    assert_eq!(s.listed("to=2026-11-19").await, [ada]);

    // All together, and the form shows them back.
    let all = format!(
        "q=refund&status=closed&agent={agent}&from=2026-11-01&to=2026-11-30&blocking=not_blocked"
    );
    assert_eq!(s.listed(&all).await, [ada]);
    let html = s.page(&all).await;
    assert!(html.contains(r#"name="q" value="refund""#), "{html}");
    assert!(html.contains(r#"name="from" value="2026-11-01""#));
    assert!(html.contains(r#"<option value="closed" selected>"#));
    assert!(html.contains(&format!(r#"<option value="{agent}" selected>"#)));
    assert_eq!(
        s.listed(&all.replace("closed", "active")).await,
        Vec::<i64>::new()
    );
}

#[actix_web::test]
async fn the_csv_follows_the_same_filters_as_the_list() {
    let s = seeded().await;
    let query = "q=refund&from=2026-11-01&to=2026-11-30&blocking=all";
    let html = s.page(query).await;
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("a[download]").unwrap();
    let href = doc
        .select(&sel)
        .next()
        .unwrap()
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert_eq!(
        href,
        format!("/cases/{}/conversations.csv?{query}", s.app.acme.case.id),
        "the link carries the filters"
    );
    assert_eq!(s.csv_ids(query).await, [s.bob, s.ada]);
    assert_eq!(s.csv_ids("q=refund&status=active").await, [s.bob]);
    let agent = s.app.acme.agent_id;
    assert_eq!(s.csv_ids(&format!("agent={agent}")).await, [s.ada]);
    assert_eq!(s.csv_ids("").await, [s.bob, s.zoe, s.ada]);
    let r = s
        .boss
        .get(&format!(
            "/cases/{}/conversations.csv?status=gone",
            s.app.acme.case.id
        ))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "refused, not a 500");
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, s.path("status=gone"), "the list says why");
    let r = s.boss.get(&to).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Choose a status"));
}

#[actix_web::test]
async fn another_accounts_conversations_never_show() {
    let s = seeded().await;
    for q in ["refund", "lovelace", "globex", "bonjour", "4711", "urgent"] {
        let listed = s.listed(&format!("q={q}")).await;
        assert!(!listed.contains(&s.other), "{q}: {listed:?}");
        let csv = s.csv_ids(&format!("q={q}")).await;
        assert!(!csv.contains(&s.other), "{q}: {csv:?}");
    }
    assert_eq!(s.listed("q=globex").await, Vec::<i64>::new());
    // Globex's agent is not one of Acme's: refused.
    let r = s
        .boss
        .get(&s.path(&format!("agent={}", s.app.globex.agent_id)))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Choose an agent from the list."));
    // And Globex's manager sees only its own.
    let globex = s.app.sign_in(&s.app.globex.manager).await;
    let path = format!("/cases/{}/conversations?q=refund", s.app.globex.case.id);
    assert_eq!(ids(&globex.text(&path).await), [s.other]);
}

#[actix_web::test]
async fn bad_filters_are_explained_and_what_was_typed_stays() {
    let s = seeded().await;
    let cases = [
        ("status=deleted", "Choose a status from the list"),
        ("from=2026-02-30", "The From date is not a date"),
        ("to=tomorrow", "The To date is not a date"),
        (
            "from=2026-11-29&to=2026-11-01",
            "The From date is after the To date.",
        ),
        ("agent=999999", "Choose an agent from the list."),
        ("agent=x", "Choose an agent from the list."),
        ("q=%22*()-", "Type a word or a name"),
    ];
    for (query, says) in cases {
        let r = s.boss.get(&s.path(query)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let html = r.text().await.unwrap();
        assert!(
            text_of(&html, ".flash-error").contains(says),
            "{query}: {html}"
        );
        assert!(ids(&html).is_empty(), "{query}: nothing listed");
        assert!(!html.contains("download>Download CSV"), "{query}");
    }
    let html = s
        .boss
        .text(&s.path("from=2026-11-29&to=not-a-day&q=keep+me"))
        .await;
    assert!(html.contains(r#"name="to" value="not-a-day""#), "{html}");
    assert!(html.contains(r#"name="q" value="keep me""#), "{html}");
    assert!(html.contains(r#"name="from" value="2026-11-29""#), "{html}");
}

#[actix_web::test]
async fn search_syntax_is_plain_text_and_never_a_500() {
    let s = seeded().await;
    let nasty = [
        "\"",
        "\"\"",
        "\"refund",
        "refund\"",
        "*",
        "refund*",
        "-refund",
        "refund -bob",
        "OR",
        "refund OR",
        "OR refund",
        "AND",
        "NOT",
        "NOT refund",
        "NEAR(refund bob)",
        "(",
        ")",
        "(refund",
        "refund)",
        "a:b",
        "names:ada",
        "^refund",
        "'",
        "''",
        "\\",
        "refund & bob",
        "refund | bob",
        "!refund",
        "refund:*",
        "<->",
        "日本語",
        "🙂",
        "über",
        "'; DROP TABLE conversations; --",
        "%",
        "_",
        "{}",
        "[x]",
        "+refund",
    ];
    for q in nasty {
        let path = s.path(&serde_urlencoded::to_string([("q", q)]).unwrap());
        let r = s.boss.get(&path).await;
        assert!(
            r.status() == StatusCode::OK || r.status() == StatusCode::UNPROCESSABLE_ENTITY,
            "{q:?}: {}",
            r.status()
        );
        let csv = format!(
            "/cases/{}/conversations.csv?{}",
            s.app.acme.case.id,
            serde_urlencoded::to_string([("q", q)]).unwrap()
        );
        let r = s.boss.get(&csv).await;
        assert!(
            r.status() == StatusCode::OK || r.status() == StatusCode::SEE_OTHER,
            "CSV {q:?}: {}",
            r.status()
        );
        let _ = r.text().await;
    }
    // A field given twice keeps its last value: no framework error page.
    assert_eq!(s.listed("q=nothinglikethis&q=refund").await, [s.bob, s.ada]);
    assert_eq!(
        s.csv_ids("q=nothinglikethis&q=refund").await,
        [s.bob, s.ada]
    );
    assert_eq!(s.listed("page=x&page=1&q=4711").await, [s.ada]);
    // Operators are words: "OR" does not widen, "-" does not exclude.
    assert_eq!(s.listed("q=refund+-bob").await, [s.bob]);
    assert_eq!(s.listed("q=%22quoted%22+(urgent)").await, [s.bob]);
    assert_eq!(s.listed("q=ada+OR+bob").await, Vec::<i64>::new());
    assert_eq!(s.listed("q=NEAR").await, [s.bob]);
}

#[actix_web::test]
async fn the_total_reads_in_thousands_and_paging_keeps_the_filters() {
    let s = seeded().await;
    let (a, c) = (s.app.acme.account_id, s.app.acme.case.id);
    s.app.sql(&format!(
        "INSERT INTO conversations (account_id, case_id, public_id, visitor_key, \
         visitor_label, status, started_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234) \
         SELECT {a}, {c}, 'bulk-' || i, 'bulk-' || i, 'Bulk visitor', 'closed', \
         '2026-11-01 00:00:00' FROM n"
    ));
    // Every page by "Older", then back by "Newer": the same pages, every
    // row once, newest first, ties of one start broken by id. A search
    // among the few closed ones is counted exactly; without words the
    // list counts up to 1,000.
    for (query, total, n) in [
        ("q=bulk&status=closed", "1,234 conversations", 1234),
        ("status=closed", "More than 1,000 conversations", 1235),
        ("", "More than 1,000 conversations", 1237),
    ] {
        let first = s.page(query).await;
        assert_eq!(text_of(&first, "p.total"), total, "{query}");
        assert!(link(&first, "prev").is_none(), "{query}: nothing newer");
        let mut pages = vec![ids(&first)];
        let mut at = first;
        while let Some(next) = link(&at, "next") {
            assert!(next.starts_with(&format!("/cases/{c}/conversations?")));
            assert!(next.contains(query), "{next} keeps {query}");
            at = s.boss.text(&next).await;
            assert_eq!(text_of(&at, "p.total"), total, "{query}");
            pages.push(ids(&at));
        }
        let all: Vec<i64> = pages.concat();
        assert_eq!(all.len(), n, "{query}: every row once");
        assert!(pages[..pages.len() - 1].iter().all(|p| p.len() == 50));
        let mut sorted = all.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(sorted.len(), n, "{query}: no row twice");
        // Back up: each page is the one seen on the way down.
        for want in pages.iter().rev().skip(1) {
            let prev = link(&at, "prev").expect("a newer page");
            at = s.boss.text(&prev).await;
            assert_eq!(&ids(&at), want, "{query}: {prev}");
        }
        assert!(link(&at, "prev").is_none(), "{query}: back at the newest");
    }
    // A cursor that does not read, or an old page number, is the newest.
    let newest = ids(&s.page("").await);
    for q in ["older=nonsense", "newer=1.x", "page=3"] {
        assert_eq!(ids(&s.page(q).await), newest, "{q}");
    }
    // "Newer" from near the top shows the full newest page (a search
    // reads the cursor's id alone).
    let first = ids(&s.page("q=bulk").await);
    let near_top = s.page(&format!("q=bulk&newer=1.{}", first[3])).await;
    assert_eq!(ids(&near_top), first);
    assert!(link(&near_top, "prev").is_none());
}

/// The pager's link, `rel` "next" (Older) or "prev" (Newer).
fn link(html: &str, rel: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("a[rel={rel}]")).unwrap();
    let href = doc.select(&sel).next()?.value().attr("href")?.to_owned();
    Some(href)
}

#[actix_web::test]
async fn renamed_labels_and_agents_are_found_by_their_new_names() {
    let s = seeded().await;
    s.app.sql(&format!(
        "UPDATE conversations SET visitor_label = 'Grace Hopper' WHERE id = {}",
        s.zoe
    ));
    s.app.sql(&format!(
        "UPDATE users SET name = 'Margaret Hamilton' WHERE id = {}",
        s.app.acme.agent_id
    ));
    assert_eq!(s.listed("q=grace").await, [s.zoe]);
    assert_eq!(s.listed("q=zoë").await, Vec::<i64>::new());
    assert_eq!(s.listed("q=hamilton").await, [s.ada]);
    assert_eq!(s.listed("q=acme+agent").await, Vec::<i64>::new());
    // A message sent now is found too.
    let v = s.app.visitor("acme-support").await;
    let id = id_of(&s.app, &v.say("a brand new xylophone question").await);
    assert_eq!(s.listed("q=xylophone").await, [id]);
}

#[actix_web::test]
async fn the_load_seed_writes_searchable_conversations() {
    let app = spawn_app().await;
    let now = app.core.clock.now();
    {
        let mut conn = app.core.db.get().unwrap();
        chatgate::load::seed::conversations(&mut conn, app.acme.account_id, 80, now).unwrap();
    }
    let boss = app.sign_in(&app.acme.manager).await;
    let case = app.acme.case.id;
    let total = |html: &str| text_of(html, "p.total");
    let all = boss.text(&format!("/cases/{case}/conversations")).await;
    assert_eq!(total(&all), "80 conversations");
    // One in eight asks for a refund; the number after "order" is unique.
    let refund = boss
        .text(&format!("/cases/{case}/conversations?q=refund"))
        .await;
    assert_eq!(total(&refund), "10 conversations");
    let one = ids(&refund)[0];
    // The number first: only the last word is also a prefix.
    let order = format!("q={}+order", one % 100_000);
    let found = boss
        .text(&format!("/cases/{case}/conversations?{order}"))
        .await;
    assert_eq!(ids(&found), [one]);
    let agent = app.acme.agent_id;
    let by_agent = boss
        .text(&format!("/cases/{case}/conversations?agent={agent}"))
        .await;
    assert!(!ids(&by_agent).is_empty() && ids(&by_agent).len() < 80);
}
