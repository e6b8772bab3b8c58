//! The gate the benchmarks decide with: `rules` generated subnet rules,
//! `blocks` visitor blocks and, when `full`, the shipped country table with
//! an allow list and 1,000 website rules in allow mode; and the probes, half
//! hits and half misses of the rules.

use std::sync::Arc;

use chatgate::{
    crypto::MasterKey,
    domain::{
        access::{CountryPolicy, ListMode, SitePolicy},
        country::CountryCode,
        website::SiteList,
    },
    gate::{country_table::CountryTable, policy::Policy, Blocks, Gate},
    load::generate,
};

pub const PROBES: usize = 4096;

pub fn gate_with(rules: usize, blocks: usize, full: bool) -> (Gate, Vec<std::net::IpAddr>) {
    let table = if full {
        CountryTable::shipped().expect("the shipped country table")
    } else {
        Arc::new(CountryTable::empty())
    };
    let gate = Gate::new(&MasterKey::random().keys(), table);
    let set = generate::ip_rules(rules, 1);
    let probes = generate::probes(&set, PROBES, 2);
    let now = chrono::Utc::now().naive_utc();
    let until = now + chrono::Duration::days(7);
    let visitors = generate::visitors(blocks, 3);
    gate.replace_blocks(Blocks::of_addresses(
        visitors.iter().map(|ip| (1, Some(*ip), None, until)),
    ));
    let (countries, sites) = if full {
        let allowed = ["US", "DE", "FR", "GB", "NL", "JP", "BR", "IN", "CA", "AU"]
            .iter()
            .filter_map(|c| CountryCode::parse(c))
            .collect();
        (
            CountryPolicy {
                mode: ListMode::Allow,
                countries: allowed,
                unknown: false,
            },
            SitePolicy {
                mode: ListMode::Allow,
                sites: SiteList::new(generate::site_patterns(1000, 4)),
            },
        )
    } else {
        (CountryPolicy::default(), SitePolicy::default())
    };
    gate.set_policy(
        1,
        Policy::new(
            1,
            set.into_iter().enumerate().map(|(i, r)| (i as i64 + 1, r)),
            countries,
            sites,
        ),
    );
    (gate, probes)
}
