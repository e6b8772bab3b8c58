//! The pure parts of the rules service: parsing the forms, the import
//! report and the "Test a visitor" explanation.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

use super::{
    probe::{explain, Findings},
    *,
};
use crate::{
    domain::access::{ListMode, Page},
    gate::{Reason, Verdict},
};

fn typed(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

#[test]
fn the_country_form_says_what_to_correct() {
    let err = |mode, codes: &[&str], unknown| {
        parse_countries(mode, &typed(codes), unknown)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(None, &["DE"], false),
        "Choose how the country list applies"
    );
    assert_eq!(
        err(Some(ListMode::Block), &["FR", "XX", "ZZ"], false),
        "Unknown country code: XX, ZZ"
    );
    assert!(
        err(Some(ListMode::Allow), &[], false).starts_with("Select at least one country to allow")
    );
    assert_eq!(
        err(Some(ListMode::Block), &[], false),
        "Select at least one country to block, or choose Off"
    );
    let p = parse_countries(Some(ListMode::Allow), &typed(&[]), true).unwrap();
    assert!(p.countries.is_empty() && p.unknown);
    let p = parse_countries(Some(ListMode::Off), &typed(&["DE", "FR"]), false).unwrap();
    assert_eq!(p.countries.len(), 2);
}

#[test]
fn the_website_form_lists_the_form_first_then_its_lines() {
    let Err(RulesError::Websites(lines)) = parse_websites(None, "shop.example\nbad host") else {
        panic!("refused");
    };
    let shown: Vec<(usize, &str)> = lines.iter().map(|l| (l.line, l.text.as_str())).collect();
    assert_eq!(shown, [(0, ""), (2, "bad host")]);
    assert_eq!(lines[0].reason, "Choose how the website list applies");
    let Err(RulesError::Websites(lines)) = parse_websites(Some(ListMode::Allow), "\n# none\n")
    else {
        panic!("refused");
    };
    assert!(lines[0]
        .reason
        .starts_with("List at least one website to allow"));
    assert!(parse_websites(Some(ListMode::Block), "").is_ok());
    assert!(parse_websites(Some(ListMode::Allow), "shop.example").is_ok());
}

#[test]
fn an_import_list_sorts_its_refusals_and_keeps_what_to_correct() {
    assert!(matches!(
        ImportList::parse("# only a comment\n\n"),
        Err(RulesError::EmptyList)
    ));
    let list = "203.0.113.0/24\n10.0.0.300\n203.0.113.0/24\n";
    let parsed = ImportList::parse(list).unwrap();
    let report = &parsed.report;
    assert_eq!(report.refused.len(), 1, "the bad address is to correct");
    assert_eq!(report.skipped_total, 1, "the repeat needs nothing");
    assert!(!report.is_clean());
    assert_eq!(report.left_to_correct(list), "10.0.0.300");
    let whole = ImportReport::whole_list_refused("too long".into());
    assert_eq!(whole.whole_list(), Some("too long"));
    assert_eq!(whole.left_to_correct(list), "");
}

#[test]
fn a_probe_needs_an_address_and_a_full_page_address() {
    let err = |a, u| ProbeInput::parse(a, u, "").unwrap_err().to_string();
    assert_eq!(err(" ", ""), "Enter the visitor's IPv4 or IPv6 address");
    assert!(err("10.0.0.0/8", "").contains("without a /prefix"));
    assert!(err("10.0.0.1", "shop.example").contains("full http:// or https:// URL"));
    assert!(ProbeInput::parse("::ffff:10.0.0.1", "https://shop.example/", "").is_ok());
    assert!(ProbeInput::parse("10.0.0.1", "", " #12 ").is_ok());
    for bad in ["twelve", "0", "-3", "#1x"] {
        let e = ProbeInput::parse("10.0.0.1", "", bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a conversation number"), "{bad}: {e}");
    }
}

#[test]
fn the_explanation_names_each_step_and_what_decided() {
    let now = NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let found = Findings {
        verdict: Verdict::Refuse(Reason::VisitorBlock {
            until: now + Duration::hours(2),
            browser: false,
        }),
        rule: None,
        block_until: Some(now + Duration::hours(2)),
        browser: None,
        country: None,
        countries: None,
        sites: None,
    };
    let e = explain(&found, &Page::Unknown, now);
    assert!(!e.served);
    assert_eq!(
        e.headline,
        "This visitor does not see the chat: a visitor block."
    );
    let steps: Vec<&str> = e.steps.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(
        steps,
        [
            "No rule covers this address",
            "Blocked from a chat window: 2 hours 0 minutes left",
            "Unknown location (private, reserved or unlisted address): country rules are off",
            "Website rules are off",
        ]
    );
    let found = Findings {
        verdict: Verdict::Serve,
        rule: Some(("10.0.0.0/8".into(), Some("office".into()))),
        block_until: None,
        ..found
    };
    let e = explain(&found, &Page::Unknown, now);
    assert!(e.served);
    assert_eq!(e.headline, "This visitor sees the chat.");
    assert_eq!(
        e.steps[0].1,
        "Matches the rule 10.0.0.0/8 (office): blocked"
    );
    let by_browser = Findings {
        verdict: Verdict::Refuse(Reason::VisitorBlock {
            until: now + Duration::hours(3),
            browser: true,
        }),
        rule: None,
        browser: Some((41, Some(now + Duration::hours(3)))),
        ..found
    };
    let e = explain(&by_browser, &Page::Unknown, now);
    assert_eq!(
        e.headline,
        "This visitor does not see the chat: a visitor block of this browser (the browser index)."
    );
    assert_eq!(
        e.steps[1].1,
        "No active block covers this address; the browser of conversation #41 is blocked (the browser index): 3 hours 0 minutes left"
    );
    let other = Findings {
        verdict: Verdict::Serve,
        browser: Some((41, None)),
        ..by_browser
    };
    let e = explain(&other, &Page::Unknown, now);
    assert_eq!(
        e.steps[1].1,
        "No active block covers this address; no block covers the browser of conversation #41"
    );
}
