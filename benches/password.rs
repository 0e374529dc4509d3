//! Issue 5: the cost of one argon2id password hash (the time a login takes
//! on the server), at the default parameters (m = 64 MiB, t = 3, p = 1; the
//! issue asks for 100-300 ms on this machine) and at OWASP's minimum
//! (m = 19 MiB, t = 2, which the tests use).
//!
//! Run: `cargo bench --bench password`.

#![allow(clippy::expect_used)]

use cairn::auth::{HashCost, Hasher, Password};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn hashing(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let password = Password::parse("correct horse battery staple").expect("password");
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(10);
    for (name, cost) in [
        ("hash_m64MiB_t3", HashCost::DEFAULT),
        ("hash_m19MiB_t2", HashCost::MINIMUM),
    ] {
        let hasher = Hasher::new(1, cost).expect("hasher");
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime
                    .block_on(hasher.hash(black_box(&password)))
                    .expect("hash")
            })
        });
    }
    // A login: verifying against a stored hash.
    let hasher = Hasher::new(1, HashCost::DEFAULT).expect("hasher");
    let stored = runtime.block_on(hasher.hash(&password)).expect("hash");
    group.bench_function("verify_m64MiB_t3", |b| {
        b.iter(|| {
            runtime
                .block_on(hasher.verify("correct horse battery staple", Some(stored.clone())))
                .expect("verify")
        })
    });
    group.finish();
}

criterion_group!(benches, hashing);
criterion_main!(benches);
