//! Instructions per decision, counted rather than timed: run under
//! callgrind by `bench/gate_instructions.sh`, which counts only inside
//! `decide_one` and divides by the number of decisions. The gate is the
//! criterion benchmark's `full/1M` (1M subnet rules, 100,000 visitor
//! blocks, the country table with an allow list, 1,000 website rules),
//! over the same probe mix on listed and unlisted pages.

use std::{hint::black_box, sync::Arc};

use chatgate::{
    domain::{access::Page, website::PageUrl},
    gate::{Gate, Verdict, Visit},
};

#[path = "common/gate_setup.rs"]
mod setup;

use setup::{gate_with, PROBES};

#[inline(never)]
fn decide_one(gate: &Gate, v: &Visit<'_>) -> Verdict {
    gate.admit(v)
}

fn main() {
    let n: usize = std::env::var("DECISIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let now = chrono::Utc::now().naive_utc();
    let listed = Page::Known(Arc::new(
        PageUrl::parse("https://site7.example.net/cart").expect("a page"),
    ));
    let unlisted = Page::Known(Arc::new(
        PageUrl::parse("https://elsewhere.example.org/").expect("a page"),
    ));
    let (gate, probes) = gate_with(1_000_000, 100_000, true);
    gate.set_ready();
    for i in 0..n {
        let page = if i % 4 == 0 { &unlisted } else { &listed };
        let v = Visit {
            account_id: 1,
            ip: probes[i % PROBES],
            page,
            now,
            browser: None,
        };
        black_box(decide_one(&gate, &v));
    }
    println!("{n} decisions");
}
