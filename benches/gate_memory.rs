//! Memory of the gate's state at scale: `cargo bench --bench gate_memory`.
//! Prints the resident set size before and after building 1,000,000
//! subnet rules, 100,000 visitor blocks, 1,000 website rules and the
//! shipped country table (Linux only: reads /proc/self/statm).

use std::sync::Arc;

use chatgate::{
    crypto::MasterKey,
    domain::access::{CountryPolicy, ListMode, SitePolicy},
    domain::website::SiteList,
    gate::{country_table::CountryTable, policy::Policy, Blocks, Gate},
    load::generate,
};

fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1_048_576.0
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let rules = generate::ip_rules(1_000_000, 1);
    let visitors = generate::visitors(100_000, 3);
    let sites = generate::site_patterns(1000, 4);
    let before = rss_mb();
    let countries = CountryTable::shipped().expect("shipped table");
    let with_countries = rss_mb();
    let gate = Gate::new(&MasterKey::random().keys(), countries);
    let until = chrono::Utc::now().naive_utc() + chrono::Duration::days(7);
    gate.replace_blocks(Blocks::of_addresses(
        visitors.iter().map(|ip| (1, Some(*ip), None, until)),
    ));
    let with_blocks = rss_mb();
    gate.set_policy(
        1,
        Policy::new(
            1,
            rules.iter().enumerate().map(|(i, r)| (i as i64 + 1, *r)),
            CountryPolicy::default(),
            SitePolicy {
                mode: ListMode::Allow,
                sites: SiteList::new(sites),
            },
        ),
    );
    let after = rss_mb();
    println!("country table: {:.1} MB", with_countries - before);
    println!(
        "100k visitor blocks: {:.1} MB",
        with_blocks - with_countries
    );
    println!(
        "1M subnet rules + 1k website rules: {:.1} MB",
        after - with_blocks
    );
    println!("whole gate state: {:.1} MB", after - before);
    drop(Arc::new(gate));
}
