//! Issue 3: hostile front matter is refused (or read without expansion)
//! fast and in bounded memory. Each input is parsed the way the admin reads
//! a file: `Document::parse`.
//!
//! Run: `cargo bench --bench hostile` (peak memory: prefix `/usr/bin/time -v`).

#![allow(clippy::expect_used)]

use cairn::content::Document;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn billion_laughs() -> String {
    let mut s = String::from("---\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s.push_str("---\nbody\n");
    s
}

fn hostile(c: &mut Criterion) {
    let inputs = [
        ("billion_laughs", billion_laughs()),
        (
            "nesting_200k",
            format!("---\na: {}\n---\n", "[".repeat(200_000)),
        ),
        (
            "one_mib_front_matter",
            format!("---\na: \"{}\"\n---\n", "x".repeat(1 << 20)),
        ),
        (
            "keys_to_the_limit",
            format!(
                "---\n{}---\n",
                (0..20_000)
                    .map(|i| format!("k{i}: v\n"))
                    .collect::<String>()
            ),
        ),
        ("deep_block_nesting", {
            let mut s = String::from("---\n");
            for depth in 0..1_000 {
                s.push_str(&" ".repeat(depth));
                s.push_str("k:\n");
            }
            s.push_str("---\n");
            s
        }),
    ];
    let mut group = c.benchmark_group("hostile");
    for (name, text) in &inputs {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let doc = Document::parse(black_box(text.as_bytes())).expect("has front matter");
                black_box(doc.fields().len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
