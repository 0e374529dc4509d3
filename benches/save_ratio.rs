//! Issue 18's save targets, as ratios to a floor measured in the same run
//! on the same repository, so they hold on any machine:
//!
//! - the **floor**: a bare libgit2 commit in this process (the blob, a
//!   `TreeUpdateBuilder` from the tip's tree, a commit with the tip as
//!   parent, the branch moved; fsync on; no HTTP, no index), on a bare
//!   clone of the site;
//! - a save over HTTP (`PATCH` of one field through the JSON API, fsync
//!   on, each verified to make exactly one commit) to the release `cairn`
//!   serving the site as a bare repository and as a checkout;
//! - at 2,000 and at 10,000 seed-shaped documents in one collection; the
//!   floor and the HTTP saves interleaved one for one.
//!
//! Targets: bare <= 1.2x the floor, checkout <= 1.5x, and bare under 10 ms
//! at 10,000 documents on the 2-core machine. Run:
//! `cargo bench --bench save_ratio` (`CAIRN_BENCH_SAVES=N`: saves per
//! measurement, default 200; `CAIRN_BENCH_SIZES=2000,10000`;
//! `CAIRN_BENCH_PAUSE_MS`: the rest before each timed operation, default
//! 150, so neither is timed while the other's background work runs; 0
//! measures them back to back).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;
#[path = "common/server.rs"]
mod server;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn bare_clone(from: &Path, to: &Path) {
    let out = Command::new("git")
        .args(["clone", "-q", "--bare", "--no-local"])
        .arg(from)
        .arg(to)
        .output()
        .expect("clone");
    assert!(out.status.success());
    git(to, &["remote", "remove", "origin"]);
}

/// The floor: one commit of `path` with `text`, in-process, no index.
fn floor_commit(repo: &git2::Repository, path: &str, text: &str) {
    let head = repo.head().unwrap();
    let parent = head.peel_to_commit().unwrap();
    let blob = repo.blob(text.as_bytes()).unwrap();
    let mut update = git2::build::TreeUpdateBuilder::new();
    update.upsert(path, blob, git2::FileMode::Blob);
    let tree_id = update
        .create_updated(repo, &parent.tree().unwrap())
        .unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let sig = git2::Signature::now("Floor", "floor@example.org").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "floor", &tree, &[&parent])
        .unwrap();
}

fn token(data: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["token", "create", "bench", "--role", "editor", "--data"])
        .arg(data)
        .output()
        .expect("token");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `saves` HTTP saves on `site` (served as it is), each followed by one
/// floor commit on `floor`: (http times, floor times).
#[allow(clippy::too_many_arguments)]
fn measure(
    rt: &tokio::runtime::Runtime,
    site: &Path,
    data: &Path,
    floor: &Path,
    documents: usize,
    saves: usize,
    label: &str,
    pause: Duration,
) -> (Vec<Duration>, Vec<Duration>) {
    std::fs::create_dir_all(data).unwrap();
    let token = token(data);
    let served = server::serve(
        Path::new(env!("CARGO_BIN_EXE_cairn")),
        site,
        data,
        &[("CAIRN_NO_PUSH", "true")],
    );
    let base = served.base.clone();
    let floor_repo = git2::Repository::open_bare(floor).unwrap();
    let count = |dir: &Path| -> usize {
        git(dir, &["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap()
    };
    let before = count(site);
    let client = reqwest::Client::new();
    let mut http = Vec::new();
    let mut floor_times = Vec::new();
    rt.block_on(async {
        // Warm up: the server reads the collection once.
        for w in 0..5 {
            let r = client
                .patch(format!(
                    "{base}/api/v1/collections/projects/entries/project-{:05}",
                    w
                ))
                .bearer_auth(&token)
                .header("content-type", "application/merge-patch+json")
                .body(format!(r#"{{"fields":{{"mission":"warm {label} {w}"}}}}"#))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
        }
        for n in 0..saves {
            let i = (n * 7919) % documents;
            let url = format!("{base}/api/v1/collections/projects/entries/project-{i:05}");
            let body = format!(r#"{{"fields":{{"mission":"{label} save {n}"}}}}"#);
            // Each measured on a machine at rest: what the last save started
            // in the background (the history and search indexes) has ended.
            tokio::time::sleep(pause).await;
            let start = Instant::now();
            let r = client
                .patch(&url)
                .bearer_auth(&token)
                .header("content-type", "application/merge-patch+json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let _ = r.bytes().await.unwrap();
            http.push(start.elapsed());
            assert_eq!(status, 200);
            let path = format!("_projects/project-{i:05}.md");
            let text = common::project(i).replace("Mission", &format!("Floor {label} {n}"));
            tokio::time::sleep(pause).await;
            let start = Instant::now();
            floor_commit(&floor_repo, &path, &text);
            floor_times.push(start.elapsed());
        }
    });
    assert_eq!(count(site), before + 5 + saves, "one commit per save");
    drop(served);
    (http, floor_times)
}

fn main() {
    // The same process-wide libgit2 options as the server: fsync on.
    cairn::git::options::init(60).expect("libgit2 options");
    let saves: usize = std::env::var("CAIRN_BENCH_SAVES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let sizes: Vec<usize> = std::env::var("CAIRN_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![2_000, 10_000]);
    let pause = Duration::from_millis(
        std::env::var("CAIRN_BENCH_PAUSE_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(150),
    );
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-save-ratio");
    let _ = std::fs::remove_dir_all(&root);
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!(
        "| documents | layout | save median | save p90 | floor median | floor p90 | ratio (medians) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for &documents in &sizes {
        let dir = root.join(documents.to_string());
        let checkout = dir.join("checkout");
        common::make_site_of(&checkout, documents);
        let bare = dir.join("site.git");
        bare_clone(&checkout, &bare);
        for (layout, site) in [("bare", &bare), ("checkout", &checkout)] {
            let floor = dir.join(format!("floor-{layout}.git"));
            bare_clone(site, &floor);
            let data = dir.join(format!("data-{layout}"));
            let (http, floor_times) =
                measure(&rt, site, &data, &floor, documents, saves, layout, pause);
            let (hm, fm) = (
                common::median(http.clone()),
                common::median(floor_times.clone()),
            );
            println!(
                "| {documents} | {layout} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2}x |",
                ms(hm),
                ms(common::p90(http)),
                ms(fm),
                ms(common::p90(floor_times)),
                ms(hm) / ms(fm)
            );
        }
    }
}
