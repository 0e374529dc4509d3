//! Issue 5: the cost of one argon2id password hash (the time a login takes
//! on the server), at the default parameters (m = 64 MiB, t = 3, p = 1; the
//! issue asks for 100-300 ms on this machine) and at OWASP's minimum
//! (m = 19 MiB, t = 2, which the tests use).
//!
//! Also the time of a refused login, a wrong password against an unknown
//! user, in the same run on the same database (issue 5: an attacker must
//! not tell them apart by time).
//!
//! Run: `cargo bench --bench password` (`-- login` for the second part).

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

/// A refused login through `accounts::authenticate`, as the login page runs
/// it (a SQLite read, then one argon2id computation), at the default cost:
/// a wrong password for a real account, and a name no account has.
fn refused_logins(c: &mut Criterion) {
    use cairn::auth::Role;
    use cairn::auth::accounts::{self, NewUser};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (pool, hasher) = runtime.block_on(async {
        let pool = cairn::db::open(&dir.path().join("cairn.db"))
            .await
            .expect("db");
        let hasher = Hasher::new(1, HashCost::DEFAULT).expect("hasher");
        hasher.warm_up().await.expect("dummy hash");
        for i in 0..50 {
            let new = NewUser::parse(
                &format!("user{i}"),
                None,
                None,
                Role::Editor,
                Some("correct horse battery staple"),
            )
            .expect("user");
            accounts::create(&pool, &hasher, &new, 0)
                .await
                .expect("create");
        }
        (pool, hasher)
    });
    let mut group = c.benchmark_group("login");
    group.sample_size(20);
    let mut i = 0u32;
    for (name, known) in [("wrong_password", true), ("unknown_user", false)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                let user = if known {
                    format!("user{}", i % 50)
                } else {
                    format!("nobody{i}")
                };
                let found = runtime
                    .block_on(accounts::authenticate(
                        &pool,
                        &hasher,
                        black_box(&user),
                        "wrong password, long enough",
                        0,
                    ))
                    .expect("authenticate");
                assert!(found.is_none());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hashing, refused_logins);
criterion_main!(benches);
