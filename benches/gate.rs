//! The visitor gate's decision, measured with criterion:
//! `cargo bench --bench gate`. See the README for the figures.
//!
//! - `ip_rules/1k` and `ip_rules/1M`: subnet rules only (80% IPv4), a
//!   probe mix of half hits and half misses;
//! - `full/1M`: 1M subnet rules, 100,000 visitor blocks, the shipped
//!   country table with an allow list, and 1,000 website rules in allow
//!   mode, over the same probe mix on listed and unlisted pages.

use std::{hint::black_box, sync::Arc, time::Duration};

use chatgate::{
    domain::{access::Page, website::PageUrl},
    gate::Visit,
    load::generate,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

#[path = "common/gate_setup.rs"]
mod setup;

use setup::{gate_with, PROBES};

fn bench(c: &mut Criterion) {
    let now = chrono::Utc::now().naive_utc();
    let listed = Page::Known(Arc::new(
        PageUrl::parse("https://site7.example.net/cart").unwrap(),
    ));
    let unlisted = Page::Known(Arc::new(
        PageUrl::parse("https://elsewhere.example.org/").unwrap(),
    ));
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    for (name, rules, blocks, full) in [
        ("ip_rules/1k", 1_000, 0, false),
        ("ip_rules/100k", 100_000, 0, false),
        ("ip_rules/1M", 1_000_000, 0, false),
        ("ip_rules/4M", 4_000_000, 0, false),
        ("full/1M", 1_000_000, 100_000, true),
    ] {
        // `ONLY=4M cargo bench --bench gate` builds just the gates named so.
        if std::env::var("ONLY").is_ok_and(|only| !name.contains(&only)) {
            continue;
        }
        let (gate, probes) = gate_with(rules, blocks, full);
        let mut i = 0usize;
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                i = (i + 1) % PROBES;
                let page = if i % 4 == 0 { &unlisted } else { &listed };
                black_box(gate.admit(&Visit {
                    account_id: 1,
                    ip: probes[i],
                    page,
                    now,
                    browser: None,
                }))
            })
        });
    }
    group.finish();
}

/// A rule saved on the settings page reaching the gate: deriving the
/// account's next policy from the one held (the 1M-rule table is shared;
/// the rules added since the last full build are rebuilt into a small
/// trie) and swapping it in. With none and with 4,000 rules added before.
fn apply(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply_saved_rule");
    group.measurement_time(Duration::from_secs(5));
    for added in [0usize, 4000] {
        let (gate, _) = gate_with(1_000_000, 0, false);
        let extra = generate::ip_rules(added + 1, 9);
        let Some(held) = gate.policy(1) else { return };
        let mut base = held.at(1);
        for (i, r) in extra.iter().take(added).enumerate() {
            base = base
                .with_rule(1, 2_000_000 + i as i64, *r)
                .expect("room for the rule");
        }
        let base = Arc::new(base);
        let rule = extra[added];
        // Versions only go up (a policy older than the one held is never
        // swapped in), across all of criterion's calls.
        let mut version = 1;
        group.bench_function(
            BenchmarkId::new("1M_rules", format!("{added}_added")),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for i in 0..iters {
                        version += 2;
                        gate.set_policy(1, base.at(version));
                        if i % 256 == 255 {
                            // Drop the replaced policies the gate keeps for
                            // their hit counts (untimed).
                            let _ = gate.take_hits();
                        }
                        let start = std::time::Instant::now();
                        let applied = gate.apply(1, version + 1, |p| {
                            p.with_rule(version + 1, 3_000_000, rule)
                        });
                        total += start.elapsed();
                        assert!(applied);
                    }
                    total
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench, apply);
criterion_main!(benches);
