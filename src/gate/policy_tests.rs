//! Tests of [`super::Policy`]'s rule tables.

use super::*;

fn policy(rules: &[(i64, &str)]) -> Policy {
    Policy::new(
        1,
        rules.iter().map(|(id, r)| (*id, IpRule::parse(r).unwrap())),
        CountryPolicy::default(),
        SitePolicy::default(),
    )
}

fn hit(p: &Policy, ip: &str) -> Option<(i64, String)> {
    p.rule_for(ip.parse().unwrap())
        .map(|m| (m.id, m.network.to_string()))
}

#[test]
fn most_specific_rule_wins_across_families() {
    let p = policy(&[
        (1, "10.0.0.0/8"),
        (2, "10.1.0.0/16"),
        (3, "10.1.2.3"),
        (4, "2001:db8::/32"),
        (5, "2001:db8:0:1::/64"),
        (6, "::1"),
    ]);
    assert_eq!(hit(&p, "10.200.0.1"), Some((1, "10.0.0.0/8".into())));
    assert_eq!(hit(&p, "10.1.9.9"), Some((2, "10.1.0.0/16".into())));
    assert_eq!(hit(&p, "10.1.2.3"), Some((3, "10.1.2.3/32".into())));
    assert_eq!(hit(&p, "::ffff:10.1.2.3"), Some((3, "10.1.2.3/32".into())));
    assert_eq!(hit(&p, "11.0.0.0"), None);
    assert_eq!(hit(&p, "9.255.255.255"), None);
    assert_eq!(
        hit(&p, "2001:db8:0:1:ffff::"),
        Some((5, "2001:db8:0:1::/64".into()))
    );
    assert_eq!(
        hit(&p, "2001:DB8:ffff::1"),
        Some((4, "2001:db8::/32".into()))
    );
    assert_eq!(hit(&p, "2001:db9::"), None);
    assert_eq!(hit(&p, "::1"), Some((6, "::1/128".into())));
    assert_eq!(hit(&p, "::2"), None);
}

#[test]
fn catch_all_rules_cover_a_family_only() {
    let p = policy(&[(1, "0.0.0.0/0")]);
    assert_eq!(hit(&p, "255.255.255.255").map(|h| h.0), Some(1));
    assert_eq!(hit(&p, "0.0.0.0").map(|h| h.0), Some(1));
    assert_eq!(hit(&p, "2001:db8::1"), None);
    let p = policy(&[(2, "::/0")]);
    assert_eq!(hit(&p, "2001:db8::1").map(|h| h.0), Some(2));
    assert_eq!(hit(&p, "192.0.2.1"), None, "IPv4 visitors are canonical v4");
}

#[test]
fn hits_are_counted_and_taken_once() {
    let p = policy(&[(7, "192.0.2.0/24"), (8, "198.51.100.0/24")]);
    let m = p.rule_for("192.0.2.9".parse().unwrap()).unwrap();
    p.count(&m);
    p.count(&m);
    assert_eq!(p.pending(7), 2);
    assert_eq!(p.pending(8), 0);
    let mut out = vec![];
    p.take_hits(&mut out);
    assert_eq!(out, vec![(7, 2)]);
    out.clear();
    p.take_hits(&mut out);
    assert!(out.is_empty());
}

#[test]
fn hits_counted_while_they_are_taken_are_never_lost() {
    let rules: Vec<(i64, String)> = (0..200)
        .map(|i| (i + 1, format!("10.0.{i}.0/24")))
        .collect();
    let refs: Vec<(i64, &str)> = rules.iter().map(|(i, r)| (*i, r.as_str())).collect();
    let p = Arc::new(policy(&refs));
    let counters: Vec<_> = (0..4)
        .map(|t| {
            let p = p.clone();
            std::thread::spawn(move || {
                for n in 0..5_000u32 {
                    let ip = format!("10.0.{}.{}", (n * 7 + t) % 200, n % 250);
                    let m = p.rule_for(ip.parse().unwrap()).unwrap();
                    p.count(&m);
                }
            })
        })
        .collect();
    let mut taken: std::collections::HashMap<i64, u64> = std::collections::HashMap::new();
    let mut take = |p: &Policy| {
        let mut out = vec![];
        p.take_hits(&mut out);
        for (id, n) in out {
            *taken.entry(id).or_default() += n;
        }
    };
    while counters.iter().any(|c| !c.is_finished()) {
        take(&p);
    }
    for c in counters {
        c.join().unwrap();
    }
    take(&p);
    assert_eq!(taken.values().sum::<u64>(), 20_000);
    assert_eq!(taken.len(), 200, "every rule was hit");
    let mut out = vec![];
    p.take_hits(&mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn added_and_removed_rules_apply_without_a_rebuild() {
    let p = policy(&[(1, "10.0.0.0/8"), (2, "10.1.0.0/16")]);
    let p = p
        .with_rule(2, 3, IpRule::parse("10.1.2.0/24").unwrap())
        .unwrap();
    assert_eq!(hit(&p, "10.1.2.3"), Some((3, "10.1.2.0/24".into())));
    assert_eq!(hit(&p, "10.1.3.3"), Some((2, "10.1.0.0/16".into())));
    let p = p.without_rule(3, 2);
    assert_eq!(
        hit(&p, "10.1.3.3"),
        Some((1, "10.0.0.0/8".into())),
        "falls back to the wider rule"
    );
    assert_eq!(hit(&p, "10.1.2.3"), Some((3, "10.1.2.0/24".into())));
    let p = p.without_rule(4, 3);
    assert_eq!(hit(&p, "10.1.2.3"), Some((1, "10.0.0.0/8".into())));
    let p = p.without_rule(5, 1);
    assert_eq!(hit(&p, "10.1.2.3"), None);
    assert_eq!(p.rule_count(), 0);
    assert_eq!(p.version, 5);
    // Hits on the shared table are counted once.
    let p = policy(&[(1, "10.0.0.0/8")]);
    let q = p
        .with_rule(2, 9, IpRule::parse("192.0.2.1").unwrap())
        .unwrap();
    let m = q.rule_for("10.9.9.9".parse().unwrap()).unwrap();
    q.count(&m);
    let m = q.rule_for("192.0.2.1".parse().unwrap()).unwrap();
    q.count(&m);
    assert_eq!(p.pending(1), 1, "the old policy shares the table");
    let mut out = vec![];
    q.take_hits(&mut out);
    assert_eq!(out, vec![(1, 1), (9, 1)]);
}

#[test]
fn duplicate_networks_are_kept_once() {
    let p = policy(&[(1, "192.0.2.0/24"), (2, "192.0.2.0/24")]);
    assert_eq!(p.rule_count(), 1);
    assert_eq!(hit(&p, "192.0.2.1").map(|h| h.0), Some(1));
}
