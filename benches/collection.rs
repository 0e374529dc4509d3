//! Issue 3's speed targets, on a generated 5,000-document collection in a
//! real git repository: parse and infer cold (nothing cached) under 200 ms,
//! list warm under 20 ms.
//!
//! Run: `cargo bench --bench collection`

// A benchmark that cannot set up should stop loudly.
#![allow(clippy::expect_used)]

mod common;

use cairn::content::CollectionName;
use cairn::git::Repo;
use cairn::site::{Site, default_committer};
use common::{DOCUMENTS, make_site};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

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
            cairn::site::uploads::Uploads::open(&dir.path().join("uploads")).expect("uploads"),
            cairn::search::SearchIndex::open(&dir.path().join("search")).expect("search"),
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
