//! Issue 14: the cost of localization on a page. The real `cairn serve` on
//! a generated 5,000-document site renders, over HTTP on loopback, the
//! collection's list and one document's edit form, asked for in English and
//! in French (`Accept-Language`), signed in as an administrator.
//!
//! The same run measures a second binary when `CAIRN_BEFORE_BIN` names one:
//! Cairn built at the commit before the catalogues came (62beb0d^), so both
//! sides are timed on the same machine, the same site and the same load.
//!
//! Run: `cargo bench --bench render` (with, for both sides,
//! `git worktree add /tmp/before 62beb0d^ && cargo build --release
//! --manifest-path /tmp/before/Cargo.toml` and
//! `CAIRN_BEFORE_BIN=/tmp/before/target/release/cairn`).

#![allow(clippy::expect_used)]

mod common;
#[path = "common/server.rs"]
mod server;

use common::make_site;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};

/// A server, and a client signed in to it.
struct Served {
    server: server::Served,
    client: reqwest::Client,
}

/// `cairn serve` of `bin` on its own copy of the site, an admin signed in.
fn serve(rt: &tokio::runtime::Runtime, bin: &Path, dir: &Path) -> Served {
    let (site, data) = (dir.join("site"), dir.join("data"));
    make_site(&site);
    let (server, client) = server::serve_signed_in(rt, bin, &site, &data);
    Served { server, client }
}

fn render(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sides: Vec<(&str, PathBuf)> = Vec::new();
    if let Ok(before) = std::env::var("CAIRN_BEFORE_BIN") {
        sides.push(("before", PathBuf::from(before)));
    }
    sides.push(("after", PathBuf::from(env!("CARGO_BIN_EXE_cairn"))));
    let served: Vec<(&str, Served)> = sides
        .iter()
        .map(|(name, bin)| (*name, serve(&rt, bin, &dir.path().join(name))))
        .collect();
    let mut group = c.benchmark_group("render_5000");
    group.sample_size(30);
    for (page, path) in [
        ("list", "/collections/projects"),
        ("form", "/collections/projects/project-02500"),
    ] {
        for lang in ["en", "fr"] {
            for (side, s) in &served {
                let url = format!("{}{path}", s.server.base);
                // Warm: the collection is read and cached once first.
                let get = || async {
                    let r = s
                        .client
                        .get(&url)
                        .header("accept-language", lang)
                        .send()
                        .await
                        .expect("GET");
                    assert_eq!(r.status().as_u16(), 200, "{url}");
                    r.bytes().await.expect("body").len()
                };
                assert!(rt.block_on(get()) > 1000);
                group.bench_function(format!("{page}_{lang}_{side}"), |b| {
                    b.iter(|| rt.block_on(get()))
                });
            }
        }
    }
    group.finish();
    drop(served);
    if sides.len() == 2 {
        interleaved(&rt, &sides, dir.path());
    }
}

/// Both sides asked in turn, so drift in the machine's load touches both
/// alike; and each side as three processes of its own (one process's heap
/// layout and hash seeds move its times by up to 15 % against another's of
/// the same binary): the median of all of a side's answers, and each
/// process's median.
fn interleaved(rt: &tokio::runtime::Runtime, sides: &[(&str, PathBuf)], dir: &Path) {
    const PROCESSES: usize = 3;
    const ROUNDS: usize = 300;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let servers: Vec<(usize, Served)> = (0..PROCESSES)
        .flat_map(|k| {
            sides
                .iter()
                .enumerate()
                .map(move |(i, (name, bin))| (i, serve(rt, bin, &dir.join(format!("{name}-{k}")))))
        })
        .collect();
    for (page, path) in [
        ("list", "/collections/projects"),
        ("form", "/collections/projects/project-02500"),
    ] {
        for lang in ["en", "fr"] {
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
            for round in 0..ROUNDS {
                // Each round in another order.
                let n = servers.len();
                for j in 0..n {
                    let i = (j + round) % n;
                    let s = &servers[i].1;
                    let url = format!("{}{path}", s.server.base);
                    let start = std::time::Instant::now();
                    rt.block_on(async {
                        let r = s
                            .client
                            .get(&url)
                            .header("accept-language", lang)
                            .send()
                            .await
                            .expect("GET");
                        r.bytes().await.expect("body").len()
                    });
                    times[i].push(start.elapsed().as_secs_f64() * 1e6);
                }
            }
            let mut line = format!("interleaved {page} {lang}:");
            let mut overall = [0.0; 2];
            for (side, (name, _)) in sides.iter().enumerate() {
                let mine: Vec<usize> = (0..servers.len())
                    .filter(|&i| servers[i].0 == side)
                    .collect();
                let all: Vec<f64> = mine.iter().flat_map(|&i| times[i].clone()).collect();
                overall[side] = median(all);
                let each: Vec<String> = mine
                    .iter()
                    .map(|&i| format!("{:.0}", median(times[i].clone())))
                    .collect();
                line.push_str(&format!(
                    " {name} {:.0} µs (processes {})",
                    overall[side],
                    each.join(", ")
                ));
            }
            line.push_str(&format!(
                "; after/before {:+.1} %",
                (overall[1] - overall[0]) / overall[0] * 100.0
            ));
            println!("{line}");
        }
    }
}

criterion_group!(benches, render);
criterion_main!(benches);
