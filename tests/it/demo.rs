//! The living demo: a first start on an empty database gives the demo
//! account 30 days of history, so every panel page shows something real,
//! and the demo's own visitor on `/demo` is still welcome.

use std::net::IpAddr;

use chrono::Duration;
use diesel::prelude::*;

use chatgate::{
    chat::service::ip_context,
    db::schema::{
        blocks, conversations, counters, events, files, gate_settings, ip_rules, site_rules,
    },
};

use crate::support::{fresh_db::FreshDb, served::Served, *};

#[test]
fn the_first_start_writes_thirty_days_of_history_once() {
    let fresh = FreshDb::create();
    let core = fresh.open();
    assert!(core.seed_demo().unwrap().is_some(), "seeded");
    let now = core.clock.now();
    let mut c = core.db.get().unwrap();

    let started: Vec<(String, chrono::NaiveDateTime, i64)> = conversations::table
        .select((
            conversations::status,
            conversations::started_at,
            conversations::case_id,
        ))
        .load(&mut *c)
        .unwrap();
    assert_eq!(started.len(), 300);
    assert!(started
        .iter()
        .all(|s| s.1 <= now && s.1 > now - Duration::days(31)));
    let cases: std::collections::BTreeSet<i64> = started.iter().map(|s| s.2).collect();
    assert_eq!(cases.len(), 2, "both business cases");
    for status in ["waiting", "active", "closed"] {
        assert!(started.iter().any(|s| s.0 == status), "{status}");
    }
    let n: i64 = events::table.count().get_result(&mut *c).unwrap();
    assert!(n > 1_000, "{n} events");
    let rated: i64 = conversations::table
        .filter(conversations::survey_rating.is_not_null())
        .count()
        .get_result(&mut *c)
        .unwrap();
    assert!(rated > 50, "{rated} rated");
    let n: i64 = files::table.count().get_result(&mut *c).unwrap();
    assert!(n >= 5, "{n} files");

    // Blocks: one lifted early, some in force (their network sealed), the
    // older ones expired with their network erased.
    let b: Vec<(
        Option<chrono::NaiveDateTime>,
        chrono::NaiveDateTime,
        Option<Vec<u8>>,
    )> = blocks::table
        .select((blocks::lifted_at, blocks::expires_at, blocks::network_index))
        .load(&mut *c)
        .unwrap();
    assert!(b.len() >= 10, "{} blocks", b.len());
    assert_eq!(b.iter().filter(|b| b.0.is_some()).count(), 1, "one lifted");
    let in_force = b.iter().filter(|b| b.0.is_none() && b.1 > now);
    assert!(in_force.clone().count() >= 1);
    assert!(in_force.clone().all(|b| b.2.is_some()));
    assert!(b
        .iter()
        .filter(|b| b.1 <= now || b.0.is_some())
        .all(|b| b.2.is_none()));

    // Addresses: sealed, documentation ones only, none kept past 7 days.
    let sealed: Vec<(String, chrono::NaiveDateTime, Option<Vec<u8>>)> = conversations::table
        .select((
            conversations::public_id,
            conversations::started_at,
            conversations::visitor_ip_sealed,
        ))
        .load(&mut *c)
        .unwrap();
    for (public_id, at, seal) in &sealed {
        match seal {
            Some(s) => {
                assert!(*at > now - Duration::days(7), "kept past 7 days");
                let plain = core.keys.open(s, ip_context(public_id)).unwrap();
                let ip: IpAddr = String::from_utf8(plain).unwrap().parse().unwrap();
                assert!(!ip.is_loopback(), "{ip}");
                let text = ip.to_string();
                assert!(
                    text.starts_with("203.0.113.")
                        || text.starts_with("198.51.100.")
                        || text.starts_with("2001:db8:"),
                    "{text}"
                );
            }
            None => assert!(*at <= now - Duration::days(7) + Duration::minutes(1)),
        }
    }

    // Rules and lists.
    let hits: Vec<i64> = ip_rules::table
        .select(ip_rules::hits)
        .load(&mut *c)
        .unwrap();
    assert_eq!(hits.len(), 12);
    assert!(hits.iter().all(|h| *h > 0));
    let (mode, countries, unknown): (String, String, bool) = gate_settings::table
        .select((
            gate_settings::country_mode,
            gate_settings::countries,
            gate_settings::country_unknown,
        ))
        .first(&mut *c)
        .unwrap();
    assert_eq!(mode, "block");
    assert!(!countries.is_empty());
    assert!(!unknown, "the demo's own loopback visitor is not refused");
    let sites: Vec<String> = site_rules::table
        .select(site_rules::pattern)
        .load(&mut *c)
        .unwrap();
    assert!(sites.iter().any(|s| s == "127.0.0.1/demo"), "{sites:?}");

    // The dashboard's counters: every hour of the 30 days, each cause.
    let causes: Vec<(String, chrono::NaiveDateTime)> = counters::table
        .select((counters::cause, counters::hour))
        .load(&mut *c)
        .unwrap();
    for cause in ["allowed", "ip_rule", "visitor_block", "country", "website"] {
        assert!(causes.iter().any(|k| k.0 == cause), "{cause}");
    }
    let hours: std::collections::BTreeSet<_> = causes.iter().map(|k| k.1).collect();
    assert_eq!(hours.len(), 30 * 24);
    drop(c);

    // Once only.
    assert!(core.seed_demo().unwrap().is_none());
    let mut c = core.db.get().unwrap();
    let n: i64 = conversations::table.count().get_result(&mut *c).unwrap();
    assert_eq!(n, 300);
}

#[actix_web::test]
async fn every_panel_page_shows_the_demo_and_its_own_visitor_is_welcome() {
    let served = Served::start();
    served.wait_ready().await;
    let c = client_with(std::sync::Arc::new(reqwest::cookie::Jar::default()));
    let r = sign_in_at(&c, &served.url("/login"), "manager@demo.test").await;
    assert_eq!(
        r.status(),
        reqwest::StatusCode::SEE_OTHER,
        "{}",
        served.log()
    );
    let home = get_text(&c, served.url("/")).await;
    let case = home
        .split("/cases/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    let list = get_text(&c, served.url(&format!("/cases/{case}/conversations"))).await;
    assert!(!list.contains("No conversations yet"), "{list}");
    let blocked = get_text(
        &c,
        served.url(&format!("/cases/{case}/conversations?blocking=blocked")),
    )
    .await;
    assert!(
        blocked.contains("Unblock now") || blocked.contains("Blocked"),
        "{blocked}"
    );
    let rules = get_text(&c, served.url("/settings/block-visitors")).await;
    assert!(
        rules.contains("Scrapers hammering the pricing page"),
        "{rules}"
    );
    assert!(!rules.contains("No visitor is blocked"), "a block in force");
    let audit = get_text(&c, served.url("/audit")).await;
    assert!(audit.contains("visitor.blocked"), "{audit}");
    // The demo page's visitor (loopback) sees the chat.
    let shown = get_text(
        &c,
        served.url("/widget/v1/bootstrap?key=demo-support&url=http%3A%2F%2F127.0.0.1%2Fdemo%3Fcase%3Ddemo-support"),
    )
    .await;
    assert!(shown.contains("\"show\":true"), "{shown}");
}
