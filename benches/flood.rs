//! Flood control's check on the hot path, measured with criterion:
//! `cargo bench --bench flood`. See the README for the figures.
//!
//! 100,000 visitor networks have sent lately (each holds a message bucket;
//! a third of them a conversation bucket too), then each iteration checks
//! one of them: a hash lookup under one of 16 locks and integer
//! arithmetic. The network's blind index is the gate's (computed once per
//! request for its other checks too), so it is made before timing.

use std::hint::black_box;

use chatgate::{
    domain::flood::Sending,
    gate::{flood::Flood, NetworkIndex},
};
use criterion::{criterion_group, criterion_main, Criterion};

const NETWORKS: usize = 100_000;

fn networks() -> Vec<NetworkIndex> {
    // Distinct and evenly spread, like the keyed hashes they stand for.
    (0..NETWORKS as u64)
        .map(|i| {
            let mut n = [0u8; 32];
            let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i << 17);
            n[..8].copy_from_slice(&x.to_le_bytes());
            n[8..16].copy_from_slice(&i.to_le_bytes());
            n
        })
        .collect()
}

fn check(c: &mut Criterion) {
    let flood = Flood::default();
    let nets = networks();
    for (i, n) in nets.iter().enumerate() {
        flood.check(1, n, Sending::Message, 20, 0);
        if i % 3 == 0 {
            flood.check(1, n, Sending::Conversation, 6, 0);
        }
    }
    assert!(flood.len() > NETWORKS);
    let mut i = 0usize;
    let mut now = 1_000i64;
    c.bench_function("flood/check 100k networks", |b| {
        b.iter(|| {
            // A stride through the networks defeats the cache as real
            // traffic would; time moves so buckets refill.
            i = (i + 7_919) % NETWORKS;
            now += 1;
            black_box(flood.check(1, &nets[i], Sending::Message, 20, now))
        })
    });
}

criterion_group!(benches, check);
criterion_main!(benches);
