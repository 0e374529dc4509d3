//! The fixture site (tests/fixtures/site) served through the admin: what the
//! form does to every tricky shape, and what Jekyll builds afterwards.

use crate::fidelity::files_below;
use crate::support::*;
use std::path::{Path, PathBuf};

/// A git repository holding a copy of the fixture site.
pub(crate) fn fixture_repo(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    let site = dir.join("fixture-site");
    for file in files_below(&source) {
        let rel = file.strip_prefix(&source).expect("below");
        let target = site.join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&file, &target).expect("copy");
    }
    git(&site, &["init", "-q", "-b", "main"]);
    git(&site, &["-c", "core.autocrlf=false", "add", "-A"]);
    git_commit(&site, "Fixture site");
    site
}

/// The edit-page links of a collection listing.
fn document_pages(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with("/collections/projects/"))
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn every_fixture_saved_without_edits_keeps_its_bytes() {
    let dir = tempdir();
    let site = fixture_repo(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let head = git(&site, &["rev-parse", "HEAD"]);

    let (_, list) = browser.get("/collections/projects").await;
    let pages = document_pages(&list);
    assert!(pages.len() >= 25, "{} documents listed", pages.len());
    let mut saved = 0;
    for page in &pages {
        let (status, html) = browser.get(page).await;
        assert_eq!(status, 200, "{page}");
        if !html.contains(&format!("action=\"{page}\"")) {
            continue; // refused documents have no form
        }
        let form = Form::parse(&html, page);
        let r = browser.post(page, &form.fields).await;
        assert_eq!(r.status().as_u16(), 303, "{page}");
        saved += 1;
    }
    assert!(saved >= 20, "only {saved} fixtures had a form");
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "no commit");
    assert_eq!(
        git(&site, &["status", "--porcelain"]),
        "",
        "no file touched"
    );
}

#[tokio::test]
async fn documents_cairn_cannot_keep_are_shown_with_why_and_never_rewritten() {
    let dir = tempdir();
    let site = fixture_repo(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (_, good) = browser.get("/collections/projects/01-seed-style").await;
    let token = Form::parse(&good, "/collections/projects/01-seed-style")
        .get("_csrf")
        .expect("token")
        .to_string();
    for (slug, why) in [
        ("18-broken-yaml", "cannot be read (line"),
        ("19-duplicate-key", "duplicate key `title`"),
        ("20-ruby-tag", "tags are not supported"),
        ("17-bom", "byte order mark"),
        ("29-oversize", "larger than 256 KiB"),
        ("31-deep-nesting", "cannot be read (line 3"),
    ] {
        let page = format!("/collections/projects/{slug}");
        let (status, html) = browser.get(&page).await;
        assert_eq!(status, 200, "{slug}");
        assert!(unescape(&html).contains(why), "{slug}: {html}");
        assert!(!html.contains("name=\"body\""), "{slug} has no form");
        let path = format!("_projects/{slug}.md");
        let blob = git(&site, &["rev-parse", &format!("HEAD:{path}")]);
        let r = browser
            .post(
                &page,
                &[
                    ("_csrf".into(), token.clone()),
                    ("base".into(), blob.trim().into()),
                    ("f.title".into(), "Overwritten".into()),
                    ("body".into(), "Overwritten".into()),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 400, "{slug}");
    }
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    assert_checkout_clean(&site);
    // The static file is not listed as a document.
    let (_, list) = browser.get("/collections/projects").await;
    assert!(!list.contains("28-static-no-front-matter"));
}

#[tokio::test]
async fn a_round_of_edits_keeps_every_other_byte_and_builds_with_jekyll() {
    let dir = tempdir();
    let site = fixture_repo(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let original = |rel: &str| std::fs::read(site.join(rel)).expect("read");
    let before: Vec<(&str, Vec<u8>)> = [
        "_projects/06-crlf.md",
        "_projects/07-no-final-newline.md",
        "_projects/08-dots-terminator.md",
        "_projects/16-empty-front-matter.md",
    ]
    .into_iter()
    .map(|p| (p, original(p)))
    .collect();

    let edits = [
        ("06-crlf", "Edited through Cairn, CRLF"),
        ("07-no-final-newline", "Edited, no final newline"),
        ("08-dots-terminator", "Edited, dots"),
        // This document has no `mission` yet: the schema offers it.
        ("16-empty-front-matter", "Edited: a new key"),
    ];
    for (slug, mission) in edits {
        let page = format!("/collections/projects/{slug}");
        let (_, html) = browser.get(&page).await;
        let form = Form::parse(&html, &page).with("f.mission", mission);
        assert_eq!(
            browser.post(&page, &form.fields).await.status().as_u16(),
            303,
            "{slug}"
        );
    }
    let after = |rel: &str| checked_out(&site, rel);
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).expect("utf-8");
    assert_eq!(
        after(before[0].0),
        text(&before[0].1).replace("Every line ends in CRLF", "Edited through Cairn, CRLF"),
        "CRLF file stays CRLF"
    );
    assert_eq!(
        after(before[1].0),
        text(&before[1].1).replace("The body has none", "Edited, no final newline")
    );
    assert_eq!(
        after(before[2].0),
        text(&before[2].1).replace("Front matter ends with three dots", "Edited, dots")
    );
    assert_eq!(
        after(before[3].0),
        "---\nmission: \"Edited: a new key\"\n---\nOnly a body.\n"
    );
    assert_checkout_clean(&site);
    assert_fsck_clean(&site);

    if !tool_available("jekyll") {
        return;
    }
    let dest = jekyll_build_of_clone(&site, dir.path());
    for (slug, mission) in edits {
        let page = std::fs::read_to_string(dest.join(format!("projects/{slug}/index.html")))
            .expect("built");
        assert!(
            page.contains(&format!("<p class=\"mission\">{mission}</p>")),
            "{slug}: {page}"
        );
    }
}

#[tokio::test]
async fn posts_and_drafts_are_collections_as_jekyll_reads_them() {
    let dir = tempdir();
    let site = fixture_repo(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (_, dashboard) = browser.get("/").await;
    for c in ["projects", "posts", "drafts"] {
        assert!(
            dashboard.contains(&format!("href=\"/collections/{c}\"")),
            "{c}: {dashboard}"
        );
    }
    let (_, posts) = browser.get("/collections/posts").await;
    assert!(
        posts.contains("href=\"/collections/posts/2024-03-01-first-post\""),
        "{posts}"
    );
    assert!(!posts.contains("README"), "not a post for Jekyll: {posts}");
    assert_eq!(browser.get("/collections/posts/README").await.0, 404);

    let page = "/collections/drafts/an-idea";
    let (status, html) = browser.get(page).await;
    assert_eq!(status, 200);
    let form = Form::parse(&html, page).with("f.title", "A better idea");
    assert_eq!(
        browser.post(page, &form.fields).await.status().as_u16(),
        303
    );
    let file = git(&site, &["show", "HEAD:_drafts/an-idea.md"]);
    assert_eq!(
        file,
        "---\nlayout: item\ntitle: A better idea\ntags: [draft]\n---\nNot published yet.\n"
    );
    let subject = git(&site, &["log", "-1", "--format=%s"]);
    assert_eq!(subject.trim(), "Update drafts/an-idea: title");
}
