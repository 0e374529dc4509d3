//! Issue 6's speed and memory targets, against the real `cairn serve` on a
//! generated 5,000-document site, over HTTP on loopback:
//! - `GET` one entry under 2 ms at the median;
//! - the full list with `fields=name` under 30 ms warm;
//! - at least 5,000 cached `GET` per second on 2 cores from a load
//!   generator in a second process (`wrk`, Debian's package), with the
//!   server's resident memory under 150 MB.
//!
//! Run: `cargo bench --bench api` (the throughput part runs when `wrk` is
//! installed: `apt-get install wrk`).

#![allow(clippy::expect_used)]

mod common;
#[path = "common/server.rs"]
mod server;

use common::{DOCUMENTS, make_site};
use criterion::{Criterion, criterion_group, criterion_main};
use server::serve;
use std::process::Command;

fn token(data: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["token", "create", "bench", "--role", "reviewer", "--data"])
        .arg(data)
        .output()
        .expect("token");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .last()
        .expect("the token")
        .to_string()
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn api(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    let data = dir.path().join("data");
    make_site(&site);
    let served = serve(
        std::path::Path::new(env!("CARGO_BIN_EXE_cairn")),
        &site,
        &data,
        &[],
    );
    let secret = token(&data);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = reqwest::Client::new();
    let get = |path: &str| {
        let url = format!("{}{path}", served.base);
        rt.block_on(async {
            let r = client
                .get(&url)
                .bearer_auth(&secret)
                .send()
                .await
                .expect("GET");
            assert_eq!(r.status().as_u16(), 200, "{url}");
            r.bytes().await.expect("body")
        })
    };
    let entry = "/api/v1/collections/projects/entries/project-02500";
    let list = "/api/v1/collections/projects/entries?fields=name&limit=10000";
    // Warm: every document parsed once.
    let body = get(list);
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["total"], DOCUMENTS);

    let mut group = c.benchmark_group("api_5000");
    group.sample_size(50);
    group.bench_function("get_entry", |b| b.iter(|| get(entry)));
    group.bench_function("list_fields_name_warm", |b| b.iter(|| get(list)));
    group.finish();

    let (rss, hwm) = memory_kib(served.child.id());
    println!("server memory after the latency runs: VmRSS {rss} KiB, VmHWM {hwm} KiB");
    let wrk = Command::new("wrk").arg("--version").output();
    if wrk.is_err() {
        println!("skipping the throughput run: wrk is not installed (apt-get install wrk)");
        return;
    }
    for (what, path) in [
        ("one entry", entry),
        (
            "list fields=name, 50 per page",
            "/api/v1/collections/projects/entries?fields=name&limit=50",
        ),
    ] {
        let out = Command::new("wrk")
            .args(["-t", "2", "-c", "32", "-d", "10s", "--latency", "-H"])
            .arg(format!("Authorization: Bearer {secret}"))
            .arg(format!("{}{path}", served.base))
            .output()
            .expect("wrk");
        let text = String::from_utf8_lossy(&out.stdout);
        println!("wrk, {what}:\n{text}");
        let (rss, hwm) = memory_kib(served.child.id());
        println!("server memory after wrk ({what}): VmRSS {rss} KiB, VmHWM {hwm} KiB");
    }
}

criterion_group!(benches, api);
criterion_main!(benches);
