//! Existing sites opened with `--site`: their files are only ever changed
//! where an editor changed them.

use crate::support::*;

const CONFIG: &str = "title: Lab\ncollections:\n  projects:\n    output: true\n";
const GOOD: &str =
    "---\n# Shown on the home page\nname: 'Good one'\nmission: Be good\ntags: [a, b]\n---\nBody.\n";
const BROKEN: &str = "---\nname: Broken\nmission: [unclosed\n---\nBody that must stay.\n";

fn lab(dir: &std::path::Path) -> std::path::PathBuf {
    let site = dir.join("lab");
    make_site(
        &site,
        &[
            ("_config.yml", CONFIG),
            ("_projects/good.md", GOOD),
            ("_projects/broken.md", BROKEN),
            ("_projects/notes.txt", "not a document"),
        ],
    );
    site
}

#[tokio::test]
async fn broken_front_matter_is_shown_with_its_error_and_never_rewritten() {
    let dir = tempdir();
    let site = lab(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let head = git(&site, &["rev-parse", "HEAD"]);

    let (_, list) = browser.get("/collections/projects").await;
    assert!(list.contains("cannot be edited"), "{list}");
    let (status, html) = browser.get("/collections/projects/broken").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("cannot be read (line ") && html.contains("flow sequence"),
        "{html}"
    );
    assert!(html.contains("Body that must stay."));
    assert!(
        !html.contains("name=\"body\""),
        "no form for a broken document"
    );

    // A hand-made save of the body is refused and writes nothing.
    let blob = git(&site, &["rev-parse", "HEAD:_projects/broken.md"]);
    let (_, good) = browser.get("/collections/projects/good").await;
    let token = Form::parse(&good, "/collections/projects/good")
        .get("_csrf")
        .expect("token")
        .to_string();
    let r = browser
        .post(
            "/collections/projects/broken",
            &[
                ("_csrf".into(), token),
                ("base".into(), blob.trim().into()),
                ("body".into(), "Overwritten".into()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    assert_eq!(
        std::fs::read_to_string(site.join("_projects/broken.md")).expect("file"),
        BROKEN
    );
}

#[tokio::test]
async fn comments_quotes_and_flow_lists_survive_an_edit() {
    let dir = tempdir();
    let site = lab(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let page = "/collections/projects/good";
    let (_, html) = browser.get(page).await;
    let form = Form::parse(&html, page)
        .with("f.name", "It's better")
        .with("f.tags", "a\r\nb\r\nc, d");
    assert_eq!(
        browser.post(page, &form.fields).await.status().as_u16(),
        303
    );
    let file = checked_out(&site, "_projects/good.md");
    assert_eq!(
        file,
        "---\n# Shown on the home page\nname: 'It''s better'\nmission: Be good\ntags: [a, b, \"c, d\"]\n---\nBody.\n"
    );
    assert_checkout_clean(&site);
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn a_change_made_with_git_meanwhile_is_merged_or_refused_never_overwritten() {
    let dir = tempdir();
    let site = lab(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let page = "/collections/projects/good";
    let (_, html) = browser.get(page).await;
    let stale = Form::parse(&html, page);

    // Someone changes `mission` with git after the editor loaded the form.
    std::fs::write(
        site.join("_projects/good.md"),
        GOOD.replace("mission: Be good", "mission: Be very good"),
    )
    .expect("write");
    git(&site, &["add", "_projects/good.md"]);
    git_commit(&site, "Sharpen the mission");

    // The editor changes another field: merged, both changes kept.
    let r = browser
        .post(page, &stale.clone().with("f.name", "Good two").fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let file = git(&site, &["show", "HEAD:_projects/good.md"]);
    assert!(
        file.contains("name: 'Good two'\nmission: Be very good\n"),
        "{file}"
    );
    let message = git(&site, &["log", "-1", "--format=%B"]);
    assert!(message.contains("Merged field by field"), "{message}");
    let head = git(&site, &["rev-parse", "HEAD"]);

    // The editor changes the same field from the same stale form: refused.
    let r = browser
        .post(page, &stale.clone().with("f.mission", "Be great").fields)
        .await;
    assert_eq!(r.status().as_u16(), 409);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("Be very good") && html.contains("Be great"),
        "both values shown"
    );
    assert!(
        html.contains("changed by Outside Dev at "),
        "who made the other change"
    );
    assert_eq!(
        git(&site, &["rev-parse", "HEAD"]),
        head,
        "nothing committed"
    );

    // The conflict page's form is based on the new version: saving it keeps the editor's value.
    let form = Form::parse(&html, page);
    assert_eq!(form.get("f.mission"), Some("Be great"));
    assert_eq!(
        browser.post(page, &form.fields).await.status().as_u16(),
        303
    );
    let file = git(&site, &["show", "HEAD:_projects/good.md"]);
    assert!(
        file.contains("name: 'Good two'\nmission: Be great\n"),
        "{file}"
    );
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn local_edits_and_untracked_files_in_the_checkout_are_left_alone() {
    let dir = tempdir();
    let site = lab(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let page = "/collections/projects/good";
    let local = GOOD.replace("Body.", "Body with a local draft.");
    std::fs::write(site.join("_projects/good.md"), &local).expect("write");
    std::fs::write(
        site.join("_projects/untracked.md"),
        "---\nname: Draft\n---\n",
    )
    .expect("write");

    let (_, html) = browser.get(page).await;
    let form = Form::parse(&html, page).with("f.mission", "Committed anyway");
    let r = browser.post(page, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = browser.get(page).await;
    assert!(html.contains("local edits to this file"), "{html}");

    // The commit landed, with only the edited file.
    let committed = git(&site, &["show", "HEAD:_projects/good.md"]);
    assert!(committed.contains("mission: Committed anyway"));
    let files = git(&site, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.trim(), "_projects/good.md");
    // The working tree keeps the local draft and the untracked file.
    assert_eq!(
        std::fs::read_to_string(site.join("_projects/good.md")).expect("file"),
        local
    );
    assert!(site.join("_projects/untracked.md").exists());
    assert_fsck_clean(&site);
}
