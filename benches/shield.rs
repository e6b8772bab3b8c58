//! The offensive-language shield's check of one message, measured with
//! criterion: `cargo bench --bench shield`. See the README for the figures.
//!
//! 5,000 patterns (the bundled default list, about 1,000, and made-up
//! words to fill it up) against a message of 2,000 characters of ordinary
//! text with a few listed words in it, disguised.

use std::hint::black_box;

use chatgate::domain::shield::{default_patterns, Shield};
use criterion::{criterion_group, criterion_main, Criterion};

fn patterns() -> Vec<String> {
    let mut all = default_patterns();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    while all.len() < 5_000 {
        // xorshift: made-up words of 5 to 10 letters.
        let mut w = String::new();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for k in 0..(5 + x % 6) {
            w.push((b'a' + ((x >> (k * 5)) % 26) as u8) as char);
        }
        all.push(w);
    }
    all
}

fn message() -> String {
    let line = "Hello, I ordered a tent last week and it still has not arrived. \
                Could you tell me where my parcel is? This is sh1t service, f u c k. ";
    line.repeat(2_000 / line.len() + 1)
        .chars()
        .take(2_000)
        .collect()
}

fn check(c: &mut Criterion) {
    let shield = Shield::new(&patterns());
    let text = message();
    assert!(!shield.find(&text).is_empty());
    c.bench_function("shield/2000 chars, 5000 patterns", |b| {
        b.iter(|| black_box(shield.find(black_box(&text))))
    });
}

criterion_group!(benches, check);
criterion_main!(benches);
