//! Issue 18's disk target: after 10,000 saves on a 10,000-document site,
//! the repository with Cairn's packing within 2x of what `git gc` makes of
//! the same history.
//!
//! The saves are made in this process through Cairn's own writer (the
//! same `Writer::commit` a save uses: loose, uncompressed objects, fsync
//! on), one document changed each; after each save the packer's rule runs
//! as the server's does (`PackPolicy::default()`: 2,000 loose objects or
//! 64 MiB since the last round), and a round is `Repo::pack_loose_objects`.
//! Then a copy of the repository gets `git gc --aggressive`-free plain
//! `git gc --prune=now`, and both are measured (`du` of `objects/`).
//!
//! Run: `cargo bench --bench packing` (`CAIRN_BENCH_DOCS`, `CAIRN_BENCH_SAVES`:
//! default 10,000 each).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use cairn::git::{Change, CommitRequest, Identity, Repo};
use cairn::site::default_committer;
use cairn::site::packing::PackPolicy;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn size_of(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    cairn::git::options::init(60).expect("libgit2 options");
    let documents = env_or("CAIRN_BENCH_DOCS", 10_000);
    let saves = env_or("CAIRN_BENCH_SAVES", 10_000);
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-packing");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let checkout = root.join("checkout");
    common::make_site_of(&checkout, documents);
    let site = root.join("site.git");
    let out = Command::new("git")
        .args(["clone", "-q", "--bare", "--no-local"])
        .arg(&checkout)
        .arg(&site)
        .output()
        .unwrap();
    assert!(out.status.success());
    let start_size = size_of(&site.join("objects"));

    let repo = Repo::open(&site).expect("open");
    let policy = PackPolicy::default();
    let who = Identity {
        name: "Ada".into(),
        email: "ada@example.org".into(),
    };
    let mut left = repo.loose_objects().unwrap();
    let mut rounds = Vec::new();
    let mut consolidations = 0;
    let mut commit_time = Duration::ZERO;
    let mut peak_loose = 0u64;
    for n in 0..saves {
        let i = (n * 7919) % documents;
        let text = common::project(i).replace("Mission", &format!("Saved {n}"));
        let parent = repo.tip().unwrap();
        let started = Instant::now();
        let mut writer = repo.write_lock().unwrap();
        let outcome = writer
            .commit(&CommitRequest {
                parent,
                changes: vec![Change {
                    path: format!("_projects/project-{i:05}.md"),
                    content: Some(text.into_bytes().into()),
                }],
                author: who.clone(),
                committer: default_committer(),
                message: format!("Update project {i}"),
                time: 1_700_000_000 + n as i64,
            })
            .unwrap();
        drop(writer);
        commit_time += started.elapsed();
        assert!(matches!(
            outcome,
            cairn::git::CommitOutcome::Committed { .. }
        ));
        let loose = repo.loose_objects().unwrap();
        peak_loose = peak_loose.max(loose.bytes);
        if policy.due(loose, left) {
            let started = Instant::now();
            let packed = repo.pack_loose_objects(policy.max_packs).unwrap();
            rounds.push(started.elapsed());
            consolidations += usize::from(packed.consolidated);
            left = packed.unpacked;
        }
        if (n + 1) % 1000 == 0 {
            eprintln!(
                "{} saves, {} rounds, objects {:.1} MiB",
                n + 1,
                rounds.len(),
                size_of(&site.join("objects")) as f64 / 1048576.0
            );
        }
    }
    drop(repo);
    let cairn_size = size_of(&site.join("objects"));
    let loose_left = {
        let r = Repo::open_reader(&site).unwrap();
        r.loose_objects().unwrap()
    };
    let gc_copy = root.join("gc.git");
    let out = Command::new("cp")
        .arg("-a")
        .arg(&site)
        .arg(&gc_copy)
        .output()
        .unwrap();
    assert!(out.status.success());
    let started = Instant::now();
    let out = Command::new("git")
        .arg("-C")
        .arg(&gc_copy)
        .args(["gc", "-q", "--prune=now"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let gc_time = started.elapsed();
    let gc_size = size_of(&gc_copy.join("objects"));
    let fsck = Command::new("git")
        .arg("-C")
        .arg(&site)
        .args(["fsck", "--full", "--strict", "--no-progress"])
        .output()
        .unwrap();
    assert!(fsck.status.success(), "{fsck:?}");
    let mib = |b: u64| b as f64 / 1048576.0;
    let mut sorted = rounds.clone();
    sorted.sort();
    println!("documents: {documents}, saves: {saves}");
    println!("objects at the start: {:.1} MiB", mib(start_size));
    println!(
        "with Cairn's packing: {:.1} MiB ({} loose objects, {:.1} MiB loose, left); peak loose {:.1} MiB",
        mib(cairn_size),
        loose_left.count,
        mib(loose_left.bytes),
        mib(peak_loose)
    );
    println!(
        "after git gc --prune=now on a copy: {:.1} MiB ({:.1} s)",
        mib(gc_size),
        gc_time.as_secs_f64()
    );
    println!("ratio: {:.2}x", cairn_size as f64 / gc_size as f64);
    if !sorted.is_empty() {
        println!(
            "packing rounds: {} ({} made the packs one); median {:.2} s, longest {:.2} s",
            sorted.len(),
            consolidations,
            sorted[sorted.len() / 2].as_secs_f64(),
            sorted[sorted.len() - 1].as_secs_f64()
        );
    }
    println!(
        "commits: {:.2} ms each on average (fsync on)",
        commit_time.as_secs_f64() * 1000.0 / saves as f64
    );
    println!("git fsck --full --strict: clean");
}
