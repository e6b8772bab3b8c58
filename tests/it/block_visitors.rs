//! Account Settings / Block Visitors: the page's sections, as a manager
//! uses them, and what each does to the gate at once.

use reqwest::StatusCode;

use crate::support::{
    blocking::{add_rule, bootstrap_shows},
    *,
};

const PAGE: &str = "/settings/block-visitors";

async fn manager(app: &TestApp) -> SignedIn {
    app.sign_in(&app.acme.manager).await
}

/// The id of the rule shown for `network` on the page.
fn rule_id(html: &str, network: &str) -> i64 {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("#ip-rules tbody tr").unwrap();
    let form = scraper::Selector::parse("form").unwrap();
    for row in doc.select(&sel) {
        if row.text().any(|t| t == network) {
            let action = row
                .select(&form)
                .next()
                .unwrap()
                .value()
                .attr("action")
                .unwrap();
            return action.split('/').nth(4).unwrap().parse().unwrap();
        }
    }
    panic!("no rule {network} on the page");
}

#[actix_web::test]
async fn a_rule_is_validated_saved_enforced_counted_and_removed() {
    let app = crate::support::blocking::proxied().await;
    let m = manager(&app).await;
    let empty = m.text(PAGE).await;
    assert!(empty.contains("No address rules yet"), "{empty}");

    // Bad input: a clear message, the typed text kept, nothing stored.
    for (typed, message) in [
        ("10.0.0.300", "300"),
        ("1.2.3.4/33", "32"),
        ("01.2.3.4", "leading zero"),
        ("203.0.113.5/24", "203.0.113.0/24"),
        ("", "address"),
    ] {
        let r = add_rule(&m, typed, "my note").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        let html = r.text().await.unwrap();
        assert!(
            html.to_lowercase().contains(&message.to_lowercase()),
            "{typed}: expected {message:?} in the message"
        );
        assert!(html.contains(&format!("value=\"{typed}\"")), "{typed} kept");
        assert!(html.contains("value=\"my note\""), "comment kept");
    }
    assert!(bootstrap_shows(&app, "203.0.113.7").await);

    let r = add_rule(&m, "203.0.113.0/24", "scraper <b>bot</b>").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The rule reaches the gate before the answer: no wait.
    assert!(!bootstrap_shows(&app, "203.0.113.7").await);
    assert!(!bootstrap_shows(&app, "203.0.113.255").await);
    assert!(bootstrap_shows(&app, "203.0.114.0").await);
    // Compressed IPv6 and an IPv4-mapped form of a blocked address.
    let r = add_rule(&m, "2001:DB8:0:0::/48", "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!bootstrap_shows(&app, "2001:db8::42").await);
    assert!(!bootstrap_shows(&app, "::ffff:203.0.113.9").await);
    assert!(bootstrap_shows(&app, "2001:db9::1").await);

    let html = m.text(PAGE).await;
    assert!(html.contains("<code>203.0.113.0/24</code>"), "{html}");
    assert!(html.contains("<code>2001:db8::/48</code>"), "normalised");
    assert!(
        html.contains("scraper &#60;b&#62;bot&#60;/b&#62;"),
        "comment escaped: {html}"
    );
    assert!(html.contains("acme manager"), "who added it");

    // A duplicate is reported, not stored twice.
    let r = add_rule(&m, "203.0.113.0/24", "again").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("already on the list"));
    let count = |app: &TestApp| {
        let mut conn = app.core.db.get().unwrap();
        use chatgate::db::schema::ip_rules;
        use diesel::prelude::*;
        ip_rules::table
            .filter(ip_rules::account_id.eq(app.acme.account_id))
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap()
    };
    assert_eq!(count(&app), 2);

    // Hits: three refused page views are counted, shown at once, and flushed.
    let id = rule_id(&html, "203.0.113.0/24");
    let html = m.text(PAGE).await;
    let hits_cell = |html: &str| {
        let doc = scraper::Html::parse_document(html);
        let sel = scraper::Selector::parse("#ip-rules tbody tr").unwrap();
        let td = scraper::Selector::parse("td").unwrap();
        doc.select(&sel)
            .find(|r| r.text().any(|t| t == "203.0.113.0/24"))
            .map(|r| r.select(&td).nth(3).unwrap().text().collect::<String>())
            .unwrap()
    };
    assert_eq!(hits_cell(&html), "3", "three refusals so far");
    chatgate::gate::load::flush_hits(&app.core.db, &app.core.gate)
        .await
        .unwrap();
    {
        let mut conn = app.core.db.get().unwrap();
        use chatgate::db::schema::ip_rules;
        use diesel::prelude::*;
        let stored: i64 = ip_rules::table
            .find(id)
            .select(ip_rules::hits)
            .first(&mut *conn)
            .unwrap();
        assert_eq!(stored, 3);
    }
    assert_eq!(hits_cell(&m.text(PAGE).await), "3", "not counted twice");

    // Agents cannot change rules; another account cannot remove this one.
    let agent = app.sign_in(&app.acme.agent).await;
    let r = add_rule(&agent, "198.51.100.1", "").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let other = app.sign_in(&app.globex.manager).await;
    let r = other
        .post(&format!("{PAGE}/ip-rules/{id}/remove"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!bootstrap_shows(&app, "203.0.113.7").await);

    let r = m.post(&format!("{PAGE}/ip-rules/{id}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(bootstrap_shows(&app, "203.0.113.7").await);
    assert_eq!(count(&app), 1);
    let audit = m.text("/audit").await;
    assert!(
        audit.contains("ip_rule.add") && audit.contains("ip_rule.remove"),
        "{audit}"
    );
}

#[actix_web::test]
async fn import_reports_bad_lines_and_export_round_trips() {
    let app = spawn_app().await;
    let m = manager(&app).await;
    add_rule(&m, "192.0.2.0/24", "already there").await;
    let list = "# office list\n\
                203.0.113.0/24 # scrapers\n\
                10.0.0.300\n\
                \n\
                2001:db8::/32, abuse desk\n\
                1.2.3.4/33\n\
                192.0.2.0/24\n\
                198.51.100.7 spam\n\
                203.0.113.0/24\n";
    let r = m
        .post(
            "/settings/block-visitors/ip-rules/import",
            &[("list", list)],
        )
        .await;
    assert_eq!(location(&r), "/settings/block-visitors#import");
    let html = m.shown(r).await;
    assert!(html.contains("Imported 3 rules"), "{html}");
    let doc = scraper::Html::parse_document(&html);
    let rows: Vec<Vec<String>> = doc
        .select(&scraper::Selector::parse("table.report tbody tr").unwrap())
        .map(|tr| {
            tr.select(&scraper::Selector::parse("td").unwrap())
                .map(|td| td.text().collect::<String>())
                .collect()
        })
        .collect();
    let lines: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(lines, ["3", "6", "7", "9"], "{rows:?}");
    assert!(rows[0][2].contains("300"), "{rows:?}");
    assert!(rows[1][2].contains("32"), "{rows:?}");
    assert!(rows[2][2].contains("Already on the list"), "{rows:?}");
    assert!(rows[3][2].contains("Duplicate of line 2"), "{rows:?}");
    assert!(html.contains("10.0.0.300"), "the list is kept as typed");
    // The report shows once: a refresh shows the page, and imports nothing.
    let again = m.text(PAGE).await;
    assert!(!again.contains("Imported 3 rules"), "{again}");
    assert!(!again.contains("10.0.0.300"), "{again}");

    let export = m.get("/settings/block-visitors/ip-rules.txt").await;
    assert!(export
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = export.text().await.unwrap();
    assert_eq!(
        text,
        "192.0.2.0/24 # already there\n203.0.113.0/24 # scrapers\n2001:db8::/32 # abuse desk\n198.51.100.7 # spam\n"
    );
    // The export imports cleanly into another account.
    let g = app.sign_in(&app.globex.manager).await;
    let r = g
        .post(
            "/settings/block-visitors/ip-rules/import",
            &[("list", &text)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = g.text(PAGE).await;
    assert!(page.contains("Imported 4 rules"), "{page}");

    // A list with nothing usable stores nothing and says so.
    let r = m
        .post(
            "/settings/block-visitors/ip-rules/import",
            &[("list", "nonsense\n")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn countries_allow_and_block_known_and_unknown_addresses() {
    let app = crate::support::blocking::proxied().await;
    let m = manager(&app).await;
    let html = m.text(PAGE).await;
    assert!(html.contains(">Germany</label>") || html.contains("> Germany</label>"));
    let save = |fields: Vec<(&'static str, &'static str)>| {
        let m = &m;
        async move { m.post("/settings/block-visitors/countries", &fields).await }
    };
    // Allow only Germany: DE shows, FR and a private address do not.
    let r = save(vec![("mode", "allow"), ("country", "DE")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(bootstrap_shows(&app, "203.0.113.1").await, "DE");
    assert!(bootstrap_shows(&app, "2001:db8:de::5").await, "DE v6");
    assert!(!bootstrap_shows(&app, "198.51.100.1").await, "FR");
    assert!(!bootstrap_shows(&app, "10.0.0.1").await, "unknown");
    // ... and the unknown location when selected.
    save(vec![("mode", "allow"), ("country", "DE"), ("unknown", "1")]).await;
    assert!(bootstrap_shows(&app, "10.0.0.1").await);
    // Block France and Germany.
    save(vec![
        ("mode", "block"),
        ("country", "FR"),
        ("country", "de"),
    ])
    .await;
    assert!(!bootstrap_shows(&app, "203.0.113.1").await);
    assert!(!bootstrap_shows(&app, "198.51.100.1").await);
    assert!(bootstrap_shows(&app, "192.0.2.1").await, "US");
    assert!(bootstrap_shows(&app, "10.0.0.1").await, "unknown is served");
    let html = m.text(PAGE).await;
    assert!(html.contains("value=\"FR\" checked") && html.contains("value=\"DE\" checked"));

    // Bad input is refused with the selection kept; the saved rules stand.
    let r = save(vec![
        ("mode", "block"),
        ("country", "FR"),
        ("country", "XX"),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Unknown country code: XX"), "{html}");
    let r = save(vec![("mode", "allow")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bootstrap_shows(&app, "203.0.113.1").await, "still blocked");

    save(vec![("mode", "off"), ("country", "FR")]).await;
    assert!(bootstrap_shows(&app, "198.51.100.1").await);
    let audit = m.text("/audit").await;
    assert!(audit.contains("countries.save"), "{audit}");
}

#[actix_web::test]
async fn test_a_visitor_shows_the_decision_and_the_rule() {
    let app = spawn_app().await;
    let m = manager(&app).await;
    add_rule(&m, "198.51.100.0/24", "reseller abuse").await;
    let probe = |address: &'static str, url: &'static str| {
        let m = &m;
        async move {
            m.post(
                "/settings/block-visitors/test",
                &[("address", address), ("url", url)],
            )
            .await
        }
    };
    let r = probe("198.51.100.20", "").await;
    assert_eq!(location(&r), "/settings/block-visitors#test");
    // Kept for the page after the redirect, the address is sealed.
    let kept: Vec<String> = {
        use chatgate::db::schema::sessions;
        use diesel::prelude::*;
        let mut conn = app.core.db.get().unwrap();
        sessions::table
            .select(sessions::state)
            .load(&mut *conn)
            .unwrap()
    };
    assert!(
        kept.iter().any(|s| s.contains("block_visitors_kept")),
        "{kept:?}"
    );
    assert!(
        !kept.iter().any(|s| s.contains("198.51.100.20")),
        "{kept:?}"
    );
    let html = m.shown(r).await;
    assert!(
        html.contains("does not see the chat: the IP rule 198.51.100.0/24"),
        "{html}"
    );
    assert!(html.contains("reseller abuse"));
    assert!(html.contains("France (FR)"), "{html}");
    let html = m
        .shown(probe("192.0.2.1", "https://shop.example/").await)
        .await;
    assert!(html.contains("This visitor sees the chat."), "{html}");
    assert!(
        !m.text(PAGE).await.contains("This visitor sees the chat."),
        "the answer shows once"
    );
    let r = probe("300.1.1.1", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("not an IPv4 or IPv6 address") && html.contains("value=\"300.1.1.1\""));
    // Testing counts nothing.
    let page = m.text(PAGE).await;
    let doc = scraper::Html::parse_document(&page);
    let td = scraper::Selector::parse("#ip-rules tbody tr td").unwrap();
    assert_eq!(
        doc.select(&td).nth(3).unwrap().text().collect::<String>(),
        "0"
    );
}
