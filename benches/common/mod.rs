//! The generated seed-shaped sites and the statistics the benchmarks share
//! (each bench uses some of them).

#![allow(dead_code)]

use cairn::git::Repo;
use cairn::site::default_committer;
use std::path::Path;

pub const DOCUMENTS: usize = 5_000;

/// A project document shaped like the seed, with varied values.
pub fn project(i: usize) -> String {
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

pub fn make_site(path: &Path) {
    make_site_of(path, DOCUMENTS);
}

/// A site of `documents` seed-shaped projects in one collection, one commit.
pub fn make_site_of(path: &Path, documents: usize) {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "_config.yml".into(),
        b"title: Bench\ncollections:\n  projects:\n    output: true\n".to_vec(),
    )];
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
    Repo::create(path, &refs, &default_committer(), "Bench site", 0)
        .expect("create the bench site");
}

/// The middle of `v` once sorted.
pub fn median(mut v: Vec<std::time::Duration>) -> std::time::Duration {
    v.sort();
    v[v.len() / 2]
}

/// The 90th percentile of `v`.
pub fn p90(mut v: Vec<std::time::Duration>) -> std::time::Duration {
    v.sort();
    v[v.len() * 9 / 10]
}
