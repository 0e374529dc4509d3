//! Every document Jekyll reads, subfolders included (issue 15, point 6), on
//! `tests/fixtures/subfolders`: documents two folders deep, two documents
//! with the same file name in different folders, a post in a folder of
//! `_posts`, and a folder Jekyll skips (`_partials`). Each is listed,
//! opened, saved, renamed and deleted on its own, through the admin and the
//! API; the identifier is the path inside the collection without the
//! extension, its `/` written `%2F` in addresses.

use crate::api::{Api, problem, token};
use crate::support::*;
use serde_json::json;
use std::path::{Path, PathBuf};

fn subfolder_site(dir: &Path) -> PathBuf {
    fixture_copy("subfolders", dir)
}

#[tokio::test]
async fn documents_in_folders_are_listed_opened_saved_renamed_and_deleted_in_the_admin() {
    let dir = tempdir();
    let site = subfolder_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;

    // Listed, grouped by folder, each linking to its own page.
    let (status, html) = browser.get("/collections/docs").await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    for wanted in [
        "href=\"/collections/docs/index\">Welcome</a>",
        "<th scope=\"colgroup\" colspan=\"1\">configuration</th>",
        "href=\"/collections/docs/configuration%2Foptions\">Configuration options</a>",
        "<th scope=\"colgroup\" colspan=\"1\">configuration/advanced</th>",
        "href=\"/collections/docs/configuration%2Fadvanced%2Ftuning\">Tuning</a>",
        "href=\"/collections/docs/guides%2Foptions\">Guide options</a>",
    ] {
        assert!(html.contains(wanted), "{wanted} in:\n{html}");
    }
    assert!(
        !html.contains("Not a document"),
        "a folder Jekyll skips is not listed"
    );
    assert!(
        html.contains("4 documents") || html.contains(">4<"),
        "{html}"
    );

    // Opened and saved on its own: only that file changes, one commit.
    let page = "/collections/docs/guides%2Foptions";
    let (status, html) = browser.get(page).await;
    assert_eq!(status, 200, "{html}");
    assert!(unescape(&html).contains("_docs/guides/options.md"));
    let form = Form::parse(&html, page).with("f.title", "Guide options, revised");
    let r = browser.post(page, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], page);
    let changed = git(&site, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(changed.trim(), "_docs/guides/options.md");
    assert!(
        checked_out(&site, "_docs/configuration/options.md")
            .contains("title: Configuration options\n")
    );

    // Renamed across folders: one commit, git follows it as a rename.
    let (_, html) = browser.get(page).await;
    let action = format!("{page}/rename");
    let form = Form::parse(&html, &action).with("slug", "howto/options");
    let r = browser.post(&action, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/collections/docs/howto%2Foptions");
    let moved = git(&site, &["show", "-M", "--name-status", "--format=", "HEAD"]);
    assert!(
        moved.trim().starts_with('R')
            && moved.contains("_docs/guides/options.md\t_docs/howto/options.md"),
        "{moved}"
    );
    let (status, _) = browser.get("/collections/docs/howto%2Foptions").await;
    assert_eq!(status, 200);
    let (status, _) = browser.get(page).await;
    assert_eq!(status, 404, "the old address is gone");

    // Deleted on its own.
    let deep = "/collections/docs/configuration%2Fadvanced%2Ftuning";
    let (_, html) = browser.get(&format!("{deep}/delete")).await;
    let action = format!("{deep}/delete");
    let form = Form::parse(&html, &action);
    let r = browser.post(&action, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(!site.join("_docs/configuration/advanced/tuning.md").exists());
    assert!(site.join("_docs/configuration/options.md").exists());

    // Its history names it by title, linked by its address.
    let (_, html) = browser
        .get("/collections/docs/howto%2Foptions/history")
        .await;
    assert!(unescape(&html).contains("Guide options, revised"), "{html}");

    // A post in a folder of `_posts` is a post.
    let (status, html) = browser.get("/collections/posts").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/collections/posts/2024%2F2024-01-02-news\""),
        "{html}"
    );
    let (status, _) = browser
        .get("/collections/posts/2024%2F2024-01-02-news")
        .await;
    assert_eq!(status, 200);

    // `..`, empty segments and control characters stay refused.
    for bad in [
        "/collections/docs/..%2Fsecret",
        "/collections/docs/configuration%2F..%2F..%2F_config",
        "/collections/docs/a%2F%2Fb",
        "/collections/docs/%2Fetc",
        "/collections/docs/a%2F%07b",
        "/collections/docs/_partials%2Fnote",
    ] {
        let (status, _) = browser.get(bad).await;
        assert!([400, 404].contains(&status), "{bad}: {status}");
    }
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn documents_in_folders_are_read_written_renamed_and_deleted_through_the_api() {
    let dir = tempdir();
    let site = subfolder_site(dir.path());
    let (server, _browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let api = Api::new(
        &server,
        Some(&token(&server.data, "bot", &["--role", "editor"])),
    );
    let entries = "/api/v1/collections/docs/entries";

    let all = api.json(entries).await;
    let mut slugs: Vec<&str> = all["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["slug"].as_str().expect("slug"))
        .collect();
    slugs.sort();
    assert_eq!(
        slugs,
        [
            "configuration/advanced/tuning",
            "configuration/options",
            "guides/options",
            "index"
        ]
    );
    // Two files named options.md, each its own entry.
    let a = api
        .json(&format!("{entries}/configuration%2Foptions"))
        .await;
    let b = api.json(&format!("{entries}/guides%2Foptions")).await;
    assert_eq!(a["fields"]["title"], "Configuration options");
    assert_eq!(b["fields"]["title"], "Guide options");

    let r = api
        .patch(
            &format!("{entries}/configuration%2Foptions"),
            &json!({"fields": {"order": 2}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(checked_out(&site, "_docs/configuration/options.md").contains("order: 2\n"));
    assert!(checked_out(&site, "_docs/guides/options.md").contains("title: Guide options\n"));

    // Created in a folder that does not exist yet.
    let r = api
        .send_json(
            reqwest::Method::POST,
            entries,
            &json!({"slug": "reference/cli/serve", "fields": {"title": "cairn serve"}}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(
        r.headers()["location"],
        "/api/v1/collections/docs/entries/reference%2Fcli%2Fserve"
    );
    assert!(site.join("_docs/reference/cli/serve.md").exists());

    // Renamed to another folder, then deleted.
    let r = api
        .patch(
            &format!("{entries}/reference%2Fcli%2Fserve"),
            &json!({"slug": "cli/serve"}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(site.join("_docs/cli/serve.md").exists());
    assert!(
        !site.join("_docs/reference").exists(),
        "the emptied folder goes"
    );
    let r = api
        .request(reqwest::Method::DELETE, &format!("{entries}/cli%2Fserve"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status().as_u16(), 200);
    assert!(!site.join("_docs/cli/serve.md").exists());

    // A document in a folder Jekyll skips is no entry: not read, not written.
    let head = git(&site, &["rev-parse", "HEAD"]);
    let hidden = format!("{entries}/_partials%2Fnote");
    assert_eq!(api.get(&hidden).await.status().as_u16(), 404);
    let r = api
        .patch(&hidden, &json!({"fields": {"title": "x"}}), None)
        .await;
    problem(r, 404).await;
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);

    // Hostile identifiers are refused, nothing written.
    for bad in ["../escape", "a//b", "/abs", "a/./b", "x/\u{7}"] {
        let r = api
            .send_json(
                reqwest::Method::POST,
                entries,
                &json!({"slug": bad, "fields": {"title": "x"}}),
            )
            .await;
        let p = problem(r, 422).await;
        assert_eq!(p["errors"][0]["field"], "slug", "{bad:?}");
    }
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    assert_fsck_clean(&site);
}
