//! Issue 15's speed targets, on the real `cairn serve` over HTTP on
//! loopback, warm, signed in as an administrator, in one run:
//! - the edit form of a document of 40 fields (scalars, lists, a list of
//!   objects, an object, relations, all named in `_cairn.yml`);
//! - the collection page of 5,000 entries;
//! - a relation search (`/choices/...?q=`) over 10,000 people;
//! - and `/healthz`, the floor of one request over HTTP here, so that what
//!   the server spends is the difference.
//!
//! Run: `cargo bench --bench model`

#![allow(clippy::expect_used)]

mod common;
#[path = "common/server.rs"]
mod server;

use cairn::git::Repo;
use cairn::site::default_committer;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;

const PEOPLE: usize = 10_000;

/// The 40-field document: 30 scalars of every type, lists, relations, a
/// list of objects and an object.
fn wide_document() -> String {
    let mut s = String::from("---\nname: Wide project\n");
    for i in 0..24 {
        s.push_str(&format!("text_{i:02}: Value number {i}, some words\n"));
    }
    s.push_str("start_date: 2024-05-01\nbudget: 1200\nfeatured: false\ncategory: research\n");
    s.push_str("keywords:\n  - trees\n  - shade\nthemes: [cities, health]\n");
    s.push_str("lead: person-00042\nteam:\n  - person-00001\n  - person-09999\n");
    s.push_str("partners:\n");
    for i in 0..6 {
        s.push_str(&format!(
            "  - name: Partner {i}\n    url: https://p{i}.example.org\n"
        ));
    }
    s.push_str("contact:\n  email: team@example.org\n  phone: \"+33 1 00 00 00 00\"\n");
    s.push_str("layout: project\nimage: /assets/images/wide.jpg\n---\nBody **text**.\n");
    s
}

fn cairn_config() -> String {
    let mut s = String::from(
        "collections:\n  projects:\n    label: {en: Projects, fr: Projets}\n    fields:\n      - {name: name, label: {en: Name, fr: Nom}, required: true}\n",
    );
    for i in 0..24 {
        s.push_str(&format!(
            "      - {{name: text_{i:02}, label: {{en: Text {i}, fr: Texte {i}}}, hint: {{en: Some help, fr: Une aide}}}}\n"
        ));
    }
    s.push_str("      - {name: start_date, widget: date}\n      - {name: budget, widget: number, value_type: int, min: 0}\n      - {name: featured, widget: boolean}\n      - {name: category, widget: select, options: [research, innovation]}\n      - {name: keywords, widget: list}\n      - {name: themes, widget: select, multiple: true, options: [cities, health, climate]}\n      - {name: lead, widget: relation, collection: people, value_field: \"{{slug}}\", search_fields: [name, role], display_fields: [name]}\n      - {name: team, widget: relation, multiple: true, collection: people, value_field: \"{{slug}}\", search_fields: [name, role], display_fields: [name]}\n      - name: partners\n        widget: list\n        fields:\n          - {name: name, label: Name}\n          - {name: url, label: Website}\n      - name: contact\n        widget: object\n        fields:\n          - {name: email}\n          - {name: phone}\n      - {name: layout, widget: hidden}\n      - {name: image, widget: image}\n");
    s
}

fn make_site(path: &Path) {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "_config.yml".into(),
            b"title: Bench\ncollections:\n  projects:\n    output: true\n  people:\n    output: false\n"
                .to_vec(),
        ),
        ("_cairn.yml".into(), cairn_config().into_bytes()),
        ("_projects/wide.md".into(), wide_document().into_bytes()),
    ];
    for i in 0..common::DOCUMENTS {
        files.push((
            format!("_projects/project-{i:05}.md"),
            common::project(i).into_bytes(),
        ));
    }
    const FIRST: [&str; 10] = [
        "Ada", "Grace", "Hélène", "Marie", "Jean", "Chloé", "Amina", "Noah", "Léa", "Omar",
    ];
    for i in 0..PEOPLE {
        files.push((
            format!("_people/person-{i:05}.md"),
            format!(
                "---\nname: {} Person{i}\nrole: Role {}\n---\n",
                FIRST[i % FIRST.len()],
                i % 37
            )
            .into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    Repo::create(path, &refs, &default_committer(), "Bench site", 0).expect("create the site");
}

fn model(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (site, data) = (dir.path().join("site"), dir.path().join("data"));
    make_site(&site);
    let bin = Path::new(env!("CARGO_BIN_EXE_cairn"));
    let (served, client) = server::serve_signed_in(&rt, bin, &site, &data);
    let base = served.base.clone();
    let get = |path: String, check: &'static str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let r = client.get(&url).send().await.expect("GET");
            assert_eq!(r.status().as_u16(), 200, "{url}");
            let body = r.text().await.expect("body");
            assert!(body.contains(check), "{url}: {check}");
            body.len()
        }
    };
    // Warm: each page once first.
    let form = "/collections/projects/wide".to_string();
    let html = rt.block_on(get(form.clone(), "Text 23"));
    assert!(html > 10_000);
    rt.block_on(get("/collections/projects".into(), "Documents 1"));
    rt.block_on(get("/choices/projects/lead?q=ada".into(), "person-"));

    let mut group = c.benchmark_group("model");
    group.sample_size(50);
    group.bench_function("healthz_floor", |b| {
        b.iter(|| rt.block_on(get("/healthz".into(), "")))
    });
    group.bench_function("form_40_fields", |b| {
        b.iter(|| rt.block_on(get(form.clone(), "Text 23")))
    });
    group.bench_function("collection_5000", |b| {
        b.iter(|| rt.block_on(get("/collections/projects".into(), "Documents 1")))
    });
    let queries = [
        "ada",
        "hélène person12",
        "role 7",
        "léa",
        "PERSON999",
        "zz-nothing",
    ];
    let mut n = 0usize;
    group.bench_function("relation_search_10000", |b| {
        b.iter(|| {
            n += 1;
            let q = queries[n % queries.len()];
            rt.block_on(get(format!("/choices/projects/team?q={q}"), "["))
        })
    });
    group.finish();
}

criterion_group!(benches, model);
criterion_main!(benches);
