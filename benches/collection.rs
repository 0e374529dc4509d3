//! Issue 3's speed targets, on a generated 5,000-document collection in a
//! real git repository: parse and infer cold (nothing cached) under 200 ms,
//! list warm under 20 ms.
//!
//! Run: `cargo bench --bench collection`

// A benchmark that cannot set up should stop loudly.
#![allow(clippy::expect_used)]

use cairn::content::CollectionName;
use cairn::git::Repo;
use cairn::site::{Site, default_committer};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::path::Path;

const DOCUMENTS: usize = 5_000;

/// A project document shaped like the seed, with varied values.
fn project(i: usize) -> String {
    format!(
        "---\nname: Project {i}\nmission: Mission statement number {i}, for cities\nlayout: projects\ncategory: {}\ntype: partnership\naxes:\n    - digitization\n    - axis {}\nstart_date: 20{:02}-0{}-1{}\nend_date: Ongoing\ndirection:\n    - Person {}\nlead:\ncommunities:\npartners:\nfeatured_img: /assets/img/{i}.jpg\nalt:\nvideo_path:\n---\n\nBody of project {i}. {}\n",
        if i.is_multiple_of(3) {
            "research"
        } else {
            "innovation"
        },
        i % 17,
        i % 25,
        1 + i % 9,
        i % 10,
        i % 40,
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(8),
    )
}

fn make_site(path: &Path) {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "_config.yml".into(),
        b"title: Bench\ncollections:\n  projects:\n    output: true\n".to_vec(),
    )];
    for i in 0..DOCUMENTS {
        files.push((
            format!("_projects/project-{i:05}.md"),
            project(i).into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    Repo::create(path, &refs, &default_committer(), "Bench site", 0)
        .expect("create the bench site");
}

fn collection(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("site");
    make_site(&path);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let projects = CollectionName::parse("projects").expect("name");
    let db = rt
        .block_on(cairn::db::open(&dir.path().join("cairn.db")))
        .expect("database");
    let open = || {
        Site::new(
            Repo::open(&path).expect("open"),
            db.clone(),
            default_committer(),
        )
    };

    let mut group = c.benchmark_group("collection_5000");
    group.sample_size(20);
    group.bench_function("cold_parse_and_infer", |b| {
        b.iter_batched(
            open,
            |site| {
                rt.block_on(async {
                    let schema = site.schema(&projects).await.expect("schema");
                    assert!(schema.fields.len() > 10);
                    let docs = site.documents(&projects).await.expect("documents");
                    assert_eq!(docs.len(), DOCUMENTS);
                })
            },
            BatchSize::PerIteration,
        )
    });
    let site = open();
    rt.block_on(site.documents(&projects)).expect("warm up");
    group.bench_function("warm_list", |b| {
        b.iter(|| {
            let docs = rt.block_on(site.documents(&projects)).expect("documents");
            assert_eq!(docs.len(), DOCUMENTS);
        })
    });
    group.finish();
}

criterion_group!(benches, collection);
criterion_main!(benches);
