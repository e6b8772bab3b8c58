use super::*;
use crate::{
    crypto::MasterKey,
    domain::{
        access::{CountryPolicy, ListMode, SitePolicy},
        ip_rule::IpRule,
        website::{PageUrl, SiteList, SitePattern},
    },
};
use chrono::Duration;

const TEST_DB: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/country-code.mmdb"
));

fn gate() -> Gate {
    let table = CountryTable::from_bytes(TEST_DB).unwrap();
    Gate::new(&MasterKey::random().keys(), Arc::new(table))
}

/// The time the tests run at, from the application's clock.
fn current() -> NaiveDateTime {
    crate::domain::clock::Clock::default().now()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn page(url: &str) -> Page {
    Page::Known(Arc::new(PageUrl::parse(url).unwrap()))
}

fn verdict(g: &Gate, account: i64, addr: &str, p: &Page) -> Verdict {
    g.decide(&Visit {
        account_id: account,
        ip: ip(addr),
        page: p,
        now: current(),
        browser: None,
    })
}

fn policy(rules: &[(i64, &str)], countries: CountryPolicy, sites: SitePolicy) -> Policy {
    Policy::new(
        1,
        rules.iter().map(|(i, r)| (*i, IpRule::parse(r).unwrap())),
        countries,
        sites,
    )
}

fn codes(list: &[&str]) -> std::collections::BTreeSet<CountryCode> {
    list.iter()
        .map(|c| CountryCode::parse(c).unwrap())
        .collect()
}

#[test]
fn blocks_cover_the_network_until_they_end() {
    let g = gate();
    let now = current();
    let until = now + Duration::days(7);
    let v6 = ip("2001:db8:1:2::10");
    let v4 = ip("203.0.113.7");
    g.replace_blocks(Blocks::of_addresses([
        (1, Some(v6), None, until),
        (1, Some(v4), None, until),
    ]));
    let at = |a: i64, addr: &str, t: NaiveDateTime| {
        g.decide(&Visit {
            account_id: a,
            ip: ip(addr),
            page: &Page::Unknown,
            now: t,
            browser: None,
        })
    };
    let blocked = Verdict::Refuse(Reason::VisitorBlock {
        until,
        browser: false,
    });
    assert_eq!(at(1, "2001:db8:1:2::10", now), blocked);
    assert_eq!(at(1, "2001:db8:1:2:ffff::1", now), blocked, "same /64");
    assert_eq!(at(1, "2001:db8:1:3::10", now), Verdict::Serve, "next /64");
    assert_eq!(at(1, "::ffff:203.0.113.7", now), blocked);
    assert_eq!(at(1, "203.0.113.8", now), Verdict::Serve);
    assert_eq!(at(2, "203.0.113.7", now), Verdict::Serve, "another account");
    assert_eq!(at(1, "203.0.113.7", until - Duration::seconds(1)), blocked);
    assert_eq!(at(1, "203.0.113.7", until), Verdict::Serve, "ends on time");
}

#[test]
fn indexes_match_the_stored_blind_index() {
    let keys = MasterKey::random().keys();
    let g = Gate::new(&keys, Arc::new(CountryTable::empty()));
    let a = ip("2001:db8:1:2::10");
    let stored = keys.ip_index(&crate::domain::block::network_of(a).to_string());
    assert_eq!(g.index_of(a).to_vec(), stored);
}

#[test]
fn a_network_s_index_is_its_addresses_index() {
    let g = gate();
    for a in [
        "203.0.113.7",
        "0.0.0.0",
        "::ffff:198.51.100.1",
        "2001:db8:1:2::10",
        "::1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ] {
        let a = ip(a);
        assert_eq!(g.index_of_network(network_key(a)), g.index_of(a), "{a}");
    }
}

#[test]
fn refusals_are_written_by_the_blind_index_of_their_network() {
    let g = gate();
    g.count_refusal(1, ip("2001:db8:1:2::10"), None);
    g.count_refusal(1, ip("2001:db8:1:2::99"), None);
    let taken = g.refusals().take(|n| g.index_of_network(n));
    assert_eq!(taken.len(), 1, "one /64");
    assert_eq!(taken[0].network_index, g.index_of(ip("2001:db8:1:2::1")));
    assert_eq!(taken[0].times, 2);
}

#[test]
fn precedence_is_rules_then_blocks_then_countries_then_websites() {
    let g = gate();
    let until = current() + Duration::days(7);
    g.replace_blocks(Blocks::of_addresses([(
        1,
        Some(ip("203.0.113.9")),
        None,
        until,
    )]));
    let sites = SitePolicy {
        mode: ListMode::Allow,
        sites: SiteList::new([SitePattern::parse("shop.example").unwrap()]),
    };
    let countries = CountryPolicy {
        mode: ListMode::Allow,
        countries: codes(&["DE"]),
        unknown: false,
    };
    g.set_policy(1, policy(&[(5, "203.0.113.0/28")], countries, sites));
    let shop = page("https://shop.example/cart");
    // 203.0.113.9 is in the rule, blocked, and German: the rule decides.
    let r = verdict(&g, 1, "203.0.113.9", &shop);
    assert!(
        matches!(r, Verdict::Refuse(Reason::IpRule { id: 5, .. })),
        "{r:?}"
    );
    // 203.0.113.20 is outside the rule, German, on the shop: served.
    assert_eq!(verdict(&g, 1, "203.0.113.20", &shop), Verdict::Serve);
    // French: refused by countries even on an allowed site.
    let fr = CountryCode::parse("FR");
    assert_eq!(
        verdict(&g, 1, "198.51.100.1", &shop),
        Verdict::Refuse(Reason::Country(fr))
    );
    // German on another site: refused by websites.
    assert_eq!(
        verdict(&g, 1, "203.0.113.20", &page("https://other.example/")),
        Verdict::Refuse(Reason::Website)
    );
    assert_eq!(
        verdict(&g, 1, "203.0.113.20", &Page::Mismatch),
        Verdict::Refuse(Reason::Website)
    );
    // Unknown location (private address) is not allowed unless selected.
    assert_eq!(
        verdict(&g, 1, "10.0.0.1", &shop),
        Verdict::Refuse(Reason::Country(None))
    );
    // Another account has no rules at all.
    assert_eq!(
        verdict(&g, 2, "203.0.113.9", &Page::Unknown),
        Verdict::Serve
    );
}

#[test]
fn a_block_refuses_even_an_allowed_country() {
    let g = gate();
    let until = current() + Duration::days(7);
    g.replace_blocks(Blocks::of_addresses([(
        1,
        Some(ip("203.0.113.9")),
        None,
        until,
    )]));
    let countries = CountryPolicy {
        mode: ListMode::Allow,
        countries: codes(&["DE"]),
        unknown: false,
    };
    g.set_policy(1, policy(&[], countries, SitePolicy::default()));
    assert!(matches!(
        verdict(&g, 1, "203.0.113.9", &Page::Unknown),
        Verdict::Refuse(Reason::VisitorBlock { .. })
    ));
}

#[test]
fn country_lists_allow_and_deny_known_and_unknown() {
    let g = gate();
    let check = |mode, unknown, addr: &str| {
        g.set_policy(
            1,
            policy(
                &[],
                CountryPolicy {
                    mode,
                    countries: codes(&["DE"]),
                    unknown,
                },
                SitePolicy::default(),
            ),
        );
        !verdict(&g, 1, addr, &Page::Unknown).refused()
    };
    // (mode, unknown selected, address, served)
    for (mode, unknown, addr, served) in [
        (ListMode::Allow, false, "203.0.113.1", true),
        (ListMode::Allow, false, "2001:db8:de::1", true),
        (ListMode::Allow, false, "198.51.100.1", false),
        (ListMode::Allow, false, "127.0.0.1", false),
        (ListMode::Allow, true, "127.0.0.1", true),
        (ListMode::Block, false, "203.0.113.1", false),
        (ListMode::Block, false, "::ffff:203.0.113.1", false),
        (ListMode::Block, false, "198.51.100.1", true),
        (ListMode::Block, false, "10.1.1.1", true),
        (ListMode::Block, true, "10.1.1.1", false),
        (ListMode::Off, false, "198.51.100.1", true),
    ] {
        assert_eq!(
            check(mode, unknown, addr),
            served,
            "{mode:?} unknown={unknown} {addr}"
        );
    }
}

#[test]
fn hits_survive_a_policy_swap_until_taken() {
    let g = gate();
    g.set_policy(
        1,
        policy(
            &[(9, "192.0.2.0/24")],
            CountryPolicy::default(),
            SitePolicy::default(),
        ),
    );
    let visit = |g: &Gate| {
        g.admit(&Visit {
            account_id: 1,
            ip: ip("192.0.2.1"),
            page: &Page::Unknown,
            now: current(),
            browser: None,
        })
    };
    assert!(visit(&g).refused());
    let looked = g.decide(&Visit {
        account_id: 1,
        ip: ip("192.0.2.1"),
        page: &Page::Unknown,
        now: current(),
        browser: None,
    });
    assert!(looked.refused());
    assert_eq!(g.pending_hits(1, 9), 1, "decide does not count");
    // A change swaps the policy; the counted hit is kept for the flush.
    g.set_policy(
        1,
        policy(
            &[(9, "192.0.2.0/24")],
            CountryPolicy::default(),
            SitePolicy::default(),
        ),
    );
    assert!(visit(&g).refused());
    assert_eq!(g.pending_hits(1, 9), 2);
    assert_eq!(g.take_hits(), vec![(1, 9, 1), (1, 9, 1)]);
    assert!(g.take_hits().is_empty());
    assert_eq!(g.pending_hits(1, 9), 0);
}

#[test]
fn cases_are_found_by_widget_key() {
    let g = gate();
    assert!(g.case("k").is_none());
    let case = BusinessCase {
        id: 3,
        account_id: 1,
        name: "Support".into(),
        widget_key: "k".into(),
        created_at: current(),
    };
    g.set_cases([("k".to_owned(), Arc::new(case))].into_iter().collect());
    assert_eq!(g.case("k").map(|c| c.id), Some(3));
}

#[test]
fn a_reload_that_finishes_late_never_overwrites_a_newer_one() {
    let g = gate();
    let until = current() + Duration::days(7);
    let v4 = ip("203.0.113.7");
    // Two reloads start (a block, then an unblock, each reloading); the
    // second one's read (no block) lands first.
    let first = g.block_read_ticket();
    let second = g.block_read_ticket();
    assert!(g.replace_blocks_read(second, Blocks::default()));
    let stale = Blocks::of_addresses([(1, Some(v4), None, until)]);
    assert!(
        !g.replace_blocks_read(first, stale),
        "the stale read is dropped"
    );
    assert!(g.blocks.load().is_empty());
    let third = g.block_read_ticket();
    let fresh = Blocks::of_addresses([(1, Some(v4), None, until)]);
    assert!(g.replace_blocks_read(third, fresh));
    assert_eq!(g.blocks.load().len(), 1);
}

#[test]
fn an_account_without_a_policy_gets_the_default_flood_limits_and_shield() {
    use crate::domain::flood::Sending;
    let g = gate();
    assert!(g.policy(99).is_none());
    let ip = "203.0.113.9".parse().unwrap();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap();
    for _ in 0..Sending::Message.default_limit() {
        assert!(!g.flood(99, ip, Sending::Message, now).refused());
    }
    assert!(g.flood(99, ip, Sending::Message, now).refused());
    assert!(!g.shield(99).find("you cunt").is_empty());
}

#[test]
fn a_block_of_the_browser_refuses_it_anywhere_while_the_option_is_on() {
    let keys = MasterKey::random().keys();
    let g = Gate::new(&keys, Arc::new(CountryTable::empty()));
    let now = current();
    let until = now + Duration::days(7);
    let (blocked, other) = ("a".repeat(64), "b".repeat(64));
    g.replace_blocks(Blocks::of_addresses([(
        1,
        Some(ip("203.0.113.9")),
        Some(keys.browser_index(&blocked)),
        until,
    )]));
    let at = |browser: Option<&str>, account: i64, t: NaiveDateTime| {
        g.decide(&Visit {
            account_id: account,
            ip: ip("198.51.100.4"),
            page: &Page::Unknown,
            now: t,
            browser,
        })
    };
    let by_browser = Verdict::Refuse(Reason::VisitorBlock {
        until,
        browser: true,
    });
    // No policy held, or the option off: the browser is served.
    assert_eq!(at(Some(&blocked), 1, now), Verdict::Serve);
    let p = |on: bool| Policy::default().with_block_browser(1, on);
    g.set_policy(1, p(false));
    assert!(!g.blocks_browsers(1));
    assert_eq!(at(Some(&blocked), 1, now), Verdict::Serve);
    g.set_policy(1, p(true));
    assert!(g.blocks_browsers(1));
    assert_eq!(at(Some(&blocked), 1, now), by_browser);
    assert_eq!(at(Some(&other), 1, now), Verdict::Serve, "another browser");
    assert_eq!(at(None, 1, now), Verdict::Serve, "no browser named");
    g.set_policy(2, p(true));
    assert_eq!(
        at(Some(&blocked), 2, now),
        Verdict::Serve,
        "another account"
    );
    assert_eq!(at(Some(&blocked), 1, until), Verdict::Serve, "ends on time");
    // The blocked network still decides first, as a block of the network.
    let on_network = g.decide(&Visit {
        account_id: 1,
        ip: ip("203.0.113.9"),
        page: &Page::Unknown,
        now,
        browser: Some(&blocked),
    });
    assert_eq!(
        on_network,
        Verdict::Refuse(Reason::VisitorBlock {
            until,
            browser: false
        })
    );
    assert_eq!(on_network.cause(), by_browser.cause(), "one cause: blocks");
}
