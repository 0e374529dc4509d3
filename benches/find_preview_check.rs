//! Issue 17's targets: search on 10,000 documents (indexing from scratch,
//! one query's median and p90 under 10 ms, the index's size on disk), a
//! preview of one edited page of a 2,000-document site by the site's own
//! Jekyll (median, under 3 s warm), and `cairn check` of 10,000 documents
//! (under 5 s).
//!
//! Run: `cargo bench --bench find_preview_check` (the preview part needs
//! `jekyll`; it is skipped with a message without it).

// A benchmark that cannot set up should stop loudly.
#![allow(clippy::expect_used)]

use cairn::git::Repo;
use cairn::search::SearchQuery;
use cairn::site::{Action, Author, Edit, Site, Update, Value, default_committer};
use std::path::Path;
use std::time::{Duration, Instant};

/// Words the generated documents draw from, so queries find some of them.
const WORDS: [&str; 12] = [
    "inclusive",
    "mobility",
    "heat",
    "housing",
    "energy",
    "water",
    "transit",
    "forest",
    "commons",
    "governance",
    "climate",
    "archive",
];

fn project(i: usize) -> String {
    let w = |k: usize| WORDS[(i * 7 + k * 5) % WORDS.len()];
    format!(
        "---\nname: Project {i} on {} and {}\nmission: A mission for {} cities, number {i}\nlayout: projects\ncategory: research\naxes:\n    - {}\n    - {}\nstart_date: 2021-09-01\nend_date: Ongoing\n---\n\nThe project studies {} in {} neighbourhoods. {}\n",
        w(0),
        w(1),
        w(2),
        w(3),
        w(4),
        w(5),
        w(6),
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(6),
    )
}

fn make_site(path: &Path, documents: usize, demo_layouts: bool) {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "_config.yml".into(),
        b"title: Bench\ncollections:\n  projects:\n    output: true\n    permalink: /projects/:name/\ndefaults:\n  - scope:\n      path: \"\"\n      type: projects\n    values:\n      layout: projects\n".to_vec(),
    )];
    if demo_layouts {
        for (p, bytes) in cairn::site::demo::FILES {
            if p.starts_with("_layouts/") || p.ends_with(".css") || *p == "index.html" {
                files.push((p.to_string(), bytes.to_vec()));
            }
        }
    }
    for i in 0..documents {
        files.push((
            format!("_projects/project-{i:05}.md"),
            project(i).into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    Repo::create(path, &refs, &default_committer(), "Bench site", 0).expect("create the site");
}

fn open(rt: &tokio::runtime::Runtime, dir: &Path, site: &Path) -> Site {
    std::fs::create_dir_all(dir).expect("data folder");
    let db = rt
        .block_on(cairn::db::open(&dir.join("cairn.db")))
        .expect("database");
    Site::new(
        Repo::open(site).expect("open"),
        db,
        default_committer(),
        cairn::site::uploads::Uploads::open(&dir.join("uploads")).expect("uploads"),
        cairn::search::SearchIndex::open(&dir.join("search")).expect("search"),
    )
}

fn disk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() {
                        disk_bytes(&path)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// (median, p90) of `samples`, in milliseconds.
fn spread(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.9))
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");

    // Search and check: 10,000 documents.
    let big = dir.path().join("big");
    make_site(&big, 10_000, false);
    let mut indexing = Vec::new();
    for round in 0..3 {
        let data = dir.path().join(format!("data-{round}"));
        let site = open(&rt, &data, &big);
        let start = Instant::now();
        let n = rt.block_on(site.rebuild_search()).expect("index");
        indexing.push(start.elapsed());
        assert_eq!(n, 10_000);
    }
    indexing.sort();
    let size = disk_bytes(&dir.path().join("data-0/search"));
    println!(
        "search: indexing 10,000 documents from scratch: {:.2} s (median of 3: {:?})",
        indexing[1].as_secs_f64(),
        indexing
    );
    println!(
        "search: index on disk: {:.1} MiB ({size} bytes)",
        size as f64 / 1024.0 / 1024.0
    );
    let site = open(&rt, &dir.path().join("data-0"), &big);
    let queries = [
        "inclusive cities",
        "mobility",
        "\"lorem ipsum dolor\"",
        "forests",
        "governance archive",
        "project 4242",
        "climate commons water",
        "neighbourhood",
    ];
    for q in queries {
        // Warm: the first search after opening catches up with the tip.
        rt.block_on(site.search(query(q))).expect("search");
    }
    let mut through_site = Vec::new();
    for i in 0..800 {
        let q = queries[i % queries.len()];
        let start = Instant::now();
        let found = rt.block_on(site.search(query(q))).expect("search");
        through_site.push(start.elapsed());
        assert!(found.total > 0, "{q}");
    }
    let mut by_text: Vec<(&str, Vec<Duration>)> =
        queries.iter().map(|q| (*q, Vec::new())).collect();
    for (i, d) in through_site.iter().enumerate() {
        by_text[i % queries.len()].1.push(*d);
    }
    let (median, p90) = spread(through_site);
    println!(
        "search: one query on 10,000 documents (Site::search, as /api/v1/search and /search run it, 800 queries over 8 texts, 20 results with extracts): median {median:.2} ms, p90 {p90:.2} ms"
    );
    for (q, samples) in by_text {
        let (m, p) = spread(samples);
        println!("search:   {q}: median {m:.2} ms, p90 {p:.2} ms");
    }

    let repo = Repo::open_reader(&big).expect("open");
    let mut checks = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let report = cairn::site::check::check_repo(&repo).expect("check");
        checks.push(start.elapsed());
        assert!(report.files >= 10_000);
    }
    let (median, _) = spread(checks.clone());
    println!(
        "check: cairn check's work on 10,000 documents: median {:.0} ms (5 runs: {checks:?})",
        median
    );
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/cairn");
    if bin.exists() {
        let mut runs = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let out = std::process::Command::new(&bin)
                .args(["check", "--site"])
                .arg(&big)
                .output()
                .expect("cairn check");
            runs.push(start.elapsed());
            assert!(out.status.code().is_some());
        }
        runs.sort();
        println!(
            "check: `cairn check --site` (the release binary, the whole process) on 10,000 documents: median {:.0} ms ({runs:?})",
            runs[1].as_secs_f64() * 1000.0
        );
    }

    // Preview: one page of a 2,000-document site.
    if std::process::Command::new("jekyll")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("preview: skipped, jekyll is not installed");
        return;
    }
    let middle = dir.path().join("middle");
    make_site(&middle, 2_000, true);
    let site = open(&rt, &dir.path().join("data-preview"), &middle);
    let previews =
        cairn::preview::Previews::new("jekyll", &dir.path().join("data-preview/preview"), site)
            .expect("previews");
    let edit = |i: usize| Edit {
        collection: cairn::site::collection_name("projects").expect("name"),
        slug: cairn::site::new_slug("project-01234").expect("slug"),
        base: None,
        expected: None,
        attach: Vec::new(),
        action: Action::Update(Update {
            set: vec![(
                "mission".into(),
                Value::Json(serde_json::Value::String(format!("Unsaved mission {i}"))),
            )],
            ..Update::default()
        }),
    };
    let author = Author {
        user_id: Some(1),
        token_id: None,
        identity: default_committer(),
    };
    let start = Instant::now();
    rt.block_on(previews.preview(edit(0), author.clone(), 1))
        .expect("first preview");
    println!(
        "preview: the first, Jekyll started and the 2,000-document site read: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let mut warm = Vec::new();
    for i in 1..=15 {
        let start = Instant::now();
        let built = rt
            .block_on(previews.preview(edit(i), author.clone(), 1))
            .expect("preview");
        warm.push(start.elapsed());
        let page = previews.page(&built.id, 1).expect("page");
        let html = std::fs::read_to_string(page).expect("built page");
        assert!(html.contains(&format!("Unsaved mission {i}")));
    }
    let (median, p90) = spread(warm);
    println!(
        "preview: one edited page of a 2,000-document site, warm (15 previews): median {:.2} s, p90 {:.2} s",
        median / 1000.0,
        p90 / 1000.0
    );
    let start = Instant::now();
    let out = std::process::Command::new("jekyll")
        .args(["build", "--quiet", "--source"])
        .arg(dir.path().join("data-preview/preview/tree"))
        .arg("--destination")
        .arg(dir.path().join("full-build"))
        .output()
        .expect("jekyll build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "preview: for comparison, `jekyll build` of the same 2,000-document site: {:.2} s",
        start.elapsed().as_secs_f64()
    );
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_string(),
        collection: None,
        field: None,
        offset: 0,
        limit: 20,
    }
}
