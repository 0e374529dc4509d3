//! Site health (issue 17): `cairn check` and the administrators' page list
//! every file Jekyll reads differently from how it looks, with file and
//! line; a clean site exits 0.

use crate::fixture_site::fixture_repo;
use crate::support::*;
use serde_json::Value;
use std::path::Path;

fn check_json(site: &Path) -> (i32, Value) {
    let out = cairn(
        &[
            "check",
            "--site",
            site.to_str().expect("utf-8"),
            "--format",
            "json",
        ],
        "",
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON on standard output");
    (out.status.code().expect("exit code"), json)
}

/// (file, line, kind) of each finding.
fn findings(json: &Value) -> Vec<(String, u64, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["kind"].as_str().expect("kind").to_string(),
            )
        })
        .collect()
}

fn has(found: &[(String, u64, String)], file: &str, line: u64, kind: &str) -> bool {
    found
        .iter()
        .any(|(f, l, k)| f == file && *l == line && k == kind)
}

#[test]
fn the_fixture_sites_traps_are_listed_with_file_and_line() {
    let dir = tempdir();
    let site = fixture_repo(dir.path());
    let (code, json) = check_json(&site);
    assert_eq!(code, 1, "{json}");
    let found = findings(&json);
    assert!(
        has(&found, "_projects/17-bom.md", 1, "byte-order-mark"),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "_projects/18-broken-yaml.md",
            4,
            "broken-front-matter"
        ),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/19-duplicate-key.md", 4, "duplicate-key"),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/20-ruby-tag.md", 3, "yaml-tag"),
        "{found:?}"
    );
    // Shapes Jekyll reads well are not findings, however odd they look.
    for fine in [
        "02-comments",
        "06-crlf",
        "14-anchors",
        "28-static-no-front-matter",
        "31-deep-nesting",
    ] {
        assert!(
            !found.iter().any(|(f, _, _)| f.contains(fine)),
            "{fine}: {found:?}"
        );
    }
    // Each says what Jekyll does and what to do.
    for f in json["findings"].as_array().expect("findings") {
        for key in ["message", "jekyll", "fix"] {
            assert!(!f[key].as_str().unwrap_or_default().is_empty(), "{f}");
        }
    }
    // The text form: `file:line: what`, then Jekyll's part and the remedy.
    let out = cairn(&["check", "--site", site.to_str().expect("utf-8")], "");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("_projects/19-duplicate-key.md:4: A key is given twice: duplicate key `title`.\n  Jekyll keeps only the last value"),
        "{text}"
    );
    assert!(text.contains("To do: Keep one of the two lines"), "{text}");
    // Nothing in the site was touched.
    assert_eq!(git(&site, &["status", "--porcelain"]), "");
}

#[tokio::test]
async fn a_clean_site_exits_0_and_each_kind_of_trap_is_found() {
    let dir = tempdir();
    let site = dir.path().join("site");
    make_site(
        &site,
        &[
            (
                "_config.yml",
                "title: Clean\ncollections:\n  projects:\n    output: true\n    permalink: /projects/:name/\n",
            ),
            (
                "_cairn.yml",
                "collections:\n  projects:\n    fields:\n      - name: name\n        required: true\n",
            ),
            (
                "index.html",
                "---\ntitle: Home\n---\n<img src=\"/assets/images/logo.png\" alt=\"\">\n",
            ),
            ("assets/images/logo.png", "not really a PNG"),
            (
                "_projects/a.md",
                "---\nname: A\ndate: 2024-03-01\n---\n![Logo](/assets/images/logo.png)\n",
            ),
        ],
    );
    let server = Server::start(&dir.path().join("data"), Some(&site));
    let out = cairn(&["check", "--site", site.to_str().expect("utf-8")], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "a clean site: {text}");
    assert!(
        text.contains("Jekyll reads every one as it looks"),
        "{text}"
    );

    // Now commit traps of every other kind.
    let files: &[(&str, &str)] = &[
        (
            "_project/typo.md",
            "---\nname: In a folder no collection reads\n---\n",
        ),
        (
            "_projects/twin-a.md",
            "---\nname: A\npermalink: /same/\n---\n",
        ),
        (
            "_projects/twin-b.md",
            "---\nname: B\npermalink: /same/\n---\n",
        ),
        (
            "_projects/broken-links.md",
            "---\nname: Links\nfeatured_img: /assets/images/gone.jpg\ndate: next tuesday\n---\nText.\n\n![A photo](/assets/images/also-gone.png)\n",
        ),
        (
            "_projects/nameless.md",
            "---\nmission: No name, which the model requires\n---\n",
        ),
    ];
    for (path, text) in files {
        let target = site.join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(target, text).expect("write");
        git(&site, &["add", "--", path]);
    }
    git_commit(&site, "Traps");
    let (code, json) = check_json(&site);
    assert_eq!(code, 1);
    let found = findings(&json);
    assert!(
        has(&found, "_project/typo.md", 1, "outside-collections"),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/twin-a.md", 3, "permalink-collision"),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/twin-b.md", 3, "permalink-collision"),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/broken-links.md", 3, "missing-file"),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/broken-links.md", 8, "missing-file"),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/broken-links.md", 4, "not-a-date"),
        "{found:?}"
    );
    assert!(
        has(&found, "_projects/nameless.md", 1, "model-rule"),
        "{found:?}"
    );
    assert_eq!(
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["kind"] == "permalink-collision" && f["file"] == "_projects/twin-a.md")
            .expect("the collision")["message"],
        "This page and _projects/twin-b.md are all written at /same/."
    );

    // The administrators' page lists the same, in their language.
    let root = sign_in_as(&server, "root", "admin").await;
    let (status, page) = root.get("/site-health").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<code>_project/typo.md</code>, line 1"),
        "{page}"
    );
    assert!(
        page.contains("Jekyll ignores folders whose names start with"),
        "{page}"
    );
    assert!(
        page.contains("href=\"/collections/projects/broken-links\""),
        "{page}"
    );
    let french = Browser::speaking(&server, "fr");
    french.login("root", PASSWORD).await;
    let (_, page) = french.get("/site-health").await;
    assert!(page.contains("Santé du site"), "{page}");
    assert!(
        page.contains("qu’aucune collection du site ne lit"),
        "{page}"
    );
    // Editors do not see it.
    let editor = sign_in_editor(&server).await;
    assert_eq!(editor.get("/site-health").await.0, 403);
}

#[test]
fn the_real_corpus_findings_are_listed_with_file_and_line() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/real");
    if !corpus.is_dir() {
        eprintln!("skipped: {} is not here", corpus.display());
        return;
    }
    // Each folder of the corpus becomes a collection (its posts, posts).
    let dir = tempdir();
    let site = dir.path().join("corpus");
    let mut config = String::from("collections:\n");
    for folder in std::fs::read_dir(&corpus).expect("corpus") {
        let folder = folder.expect("entry").path();
        if !folder.is_dir() {
            continue;
        }
        let name = folder
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name != "posts" {
            config.push_str(&format!("  {name}:\n    output: true\n"));
        }
        for file in crate::fidelity::files_below(&folder) {
            let target = site
                .join(format!("_{name}"))
                .join(file.strip_prefix(&folder).expect("below"));
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&file, &target).expect("copy");
        }
    }
    std::fs::write(site.join("_config.yml"), config).expect("config");
    git(&site, &["init", "-q", "-b", "main"]);
    git(&site, &["-c", "core.autocrlf=false", "add", "-A"]);
    git_commit(&site, "Corpus");
    let (code, json) = check_json(&site);
    assert_eq!(code, 1);
    let found = findings(&json);
    assert!(
        has(
            &found,
            "_episodes/swc-shell-intro-duplicate-key.md",
            17,
            "duplicate-key"
        ),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "_fixtures/jekyll-exploit-ruby-tag.erb",
            2,
            "yaml-tag"
        ),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "_teaching/acadp-ocaml-tabs-four-dash-close.md",
            1,
            "broken-front-matter"
        ),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "_talks/acadp-eular-2024-ddmmyyyy-date.md",
            7,
            "not-a-date"
        ),
        "{found:?}"
    );
    // A file that starts with a BOM, however the corpus has it, is found.
    let bom = site.join("_articles/with-bom.md");
    std::fs::write(&bom, "\u{feff}---\ntitle: BOM\n---\n").expect("write");
    git(&site, &["add", "--", "_articles/with-bom.md"]);
    git_commit(&site, "A BOM");
    let (_, json) = check_json(&site);
    assert!(has(
        &findings(&json),
        "_articles/with-bom.md",
        1,
        "byte-order-mark"
    ));
}
