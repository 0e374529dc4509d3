//! Media files served safely (issue 16, point 4's last part): from the
//! branch tip, to signed-in users only, only from inside the media folders,
//! typed by their bytes, with a policy that runs no script, and as a
//! download unless they are raster images.

use crate::support::*;
use std::path::Path;

/// A 1x1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

fn media_site(dir: &Path, cairn: Option<&str>) -> std::path::PathBuf {
    let site = dir.join("site");
    let mut files = vec![
        (
            "_config.yml",
            "title: Media\ncollections:\n  projects:\n    output: true\n",
        ),
        (
            "_projects/a.md",
            "---\nname: A\nfeatured_img: /assets/images/a.png\n---\n",
        ),
        ("assets/doc.pdf", "%PDF-1.7\n%\u{e2}\n1 0 obj\n"),
        (
            "assets/evil.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>",
        ),
        (
            "assets/fake.png",
            "<!DOCTYPE html><html><script>alert(3)</script></html>",
        ),
        ("uploads/b.txt", "not media"),
    ];
    if let Some(c) = cairn {
        files.push(("_cairn.yml", c));
    }
    make_site(&site, &files);
    std::fs::create_dir_all(site.join("assets/images")).expect("mkdir");
    std::fs::write(site.join("assets/images/a.png"), PNG).expect("png");
    std::fs::write(site.join("uploads/c.png"), PNG).expect("png");
    git(&site, &["add", "-A"]);
    git_commit(&site, "Add pictures");
    site
}

#[tokio::test]
async fn media_files_are_served_typed_by_their_bytes_and_never_run() {
    let dir = tempdir();
    let site = media_site(dir.path(), None);
    let (server, browser) = site_with_editor(&site, &dir.path().join("data")).await;

    let r = browser
        .get_response("/media/file/assets/images/a.png")
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let csp = h["content-security-policy"].to_str().expect("csp");
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "{csp}");
    assert!(
        h["content-disposition"]
            .to_str()
            .expect("cd")
            .starts_with("inline")
    );
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), PNG);

    // Not raster images: downloads, typed by their bytes, never run.
    for (path, mime) in [
        ("assets/doc.pdf", "application/pdf"),
        ("assets/evil.svg", "image/svg+xml"),
        ("assets/fake.png", "application/octet-stream"),
    ] {
        let r = browser.get_response(&format!("/media/file/{path}")).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], mime, "{path}");
        let cd = r.headers()["content-disposition"].to_str().expect("cd");
        assert!(cd.starts_with("attachment"), "{path}: {cd}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .expect("csp");
        assert!(csp.contains("sandbox"), "{path}: {csp}");
    }

    // Never outside the media folders (`assets` when none is configured).
    for path in [
        "_config.yml",
        "_projects/a.md",
        "uploads/c.png",
        "assets/../_config.yml",
        "assets/%2E%2E/_config.yml",
        "assets//images/a.png",
        "assets/.git/config",
        ".git/config",
        "assets/images/none.png",
    ] {
        let r = browser.get_response(&format!("/media/file/{path}")).await;
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    // Signed-in users only.
    let stranger = Browser::new(&server);
    let r = stranger
        .get_response("/media/file/assets/images/a.png")
        .await;
    assert!(is_login_redirect(&r));
}

#[tokio::test]
async fn the_configured_media_folder_is_the_one_served() {
    let dir = tempdir();
    let site = media_site(dir.path(), Some("media_folder: uploads\n"));
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let r = browser.get_response("/media/file/uploads/c.png").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    let r = browser
        .get_response("/media/file/assets/images/a.png")
        .await;
    assert_eq!(
        r.status().as_u16(),
        404,
        "assets is not a media folder here"
    );
    // A file of no accepted type inside it: a download, never sniffed.
    let r = browser.get_response("/media/file/uploads/b.txt").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .starts_with("attachment")
    );
}

#[tokio::test]
async fn the_library_lists_each_file_with_its_size_dimensions_and_the_pages_using_it() {
    let dir = tempdir();
    let site = media_site(dir.path(), None);
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (status, html) = browser.get("/media").await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    for wanted in [
        "4 files",
        "<a href=\"/media/file/assets/images/a.png\" id=\"media-4\">a.png</a>",
        "<code>/assets/images/a.png</code>",
        "1 × 1 px",
        // Used by the project whose featured_img names it.
        "<a href=\"/collections/projects/a\">A</a>",
        "<img src=\"/media/file/assets/images/a.png\" alt=\"\"",
        "Not used by any page",
    ] {
        assert!(html.contains(wanted), "{wanted} in:\n{html}");
    }
    // Not in a media folder: not listed.
    assert!(!html.contains("c.png"), "{html}");
    // An SVG or a fake image gets no thumbnail.
    assert!(!html.contains("<img src=\"/media/file/assets/evil.svg\""));
    assert!(!html.contains("<img src=\"/media/file/assets/fake.png\""));

    let french = Browser::speaking(&_server, "fr");
    french.login("alice", PASSWORD).await;
    let (_, html) = french.get("/media").await;
    let html = unescape(&html);
    assert!(
        html.contains("Médiathèque") && html.contains("4 fichiers"),
        "{html}"
    );
    // A page past the end shows the last one.
    let (status, _) = browser.get("/media?page=99").await;
    assert_eq!(status, 200);
}

/// Posts the library's upload form as a browser does (multipart, the CSRF
/// token first), with `file` named `name`.
async fn upload(browser: &Browser, name: &str, bytes: &[u8]) -> (u16, String) {
    let (_, html) = browser.get("/media").await;
    let fields = [
        ("_csrf".to_string(), csrf_of(&html)),
        ("file".to_string(), String::new()),
    ];
    let r = post_multipart(browser, "/media", &fields, &[("file", name, bytes)]).await;
    let status = r.status().as_u16();
    (status, unescape(&r.text().await.unwrap_or_default()))
}

#[tokio::test]
async fn a_file_added_to_the_library_is_one_commit_by_the_editor_and_served_back() {
    let dir = tempdir();
    let site = media_site(dir.path(), None);
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let commits = commit_count(&site);
    let (status, _) = upload(&browser, "Photo Été.PNG", PNG).await;
    assert_eq!(status, 303);
    assert_eq!(commit_count(&site), commits + 1);
    let shown = git(
        &site,
        &["show", "--name-only", "--format=%an <%ae>|%s", "HEAD"],
    );
    assert!(
        shown.starts_with("Alice Martin <alice@example.org>|Add assets/photo-ete.png"),
        "{shown}"
    );
    assert!(
        shown.trim_end().ends_with("assets/photo-ete.png"),
        "{shown}"
    );
    assert_fsck_clean(&site);
    let r = browser
        .get_response("/media/file/assets/photo-ete.png")
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), PNG);
    let (_, html) = browser.get("/media").await;
    assert!(
        unescape(&html).contains("Added: the site shows it at /assets/photo-ete.png."),
        "{html}"
    );
    // The same name again: a suffix, never an overwrite.
    let (status, _) = upload(&browser, "photo-ete.png", PNG).await;
    assert_eq!(status, 303);
    assert!(site.join("assets/photo-ete-2.png").exists());
    assert_eq!(commit_count(&site), commits + 2);
}

#[tokio::test]
async fn bad_uploads_are_refused_with_their_message_and_nothing_is_written() {
    let dir = tempdir();
    let site = media_site(dir.path(), None);
    let (server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let head = git(&site, &["rev-parse", "HEAD"]);
    let big = vec![0u8; 25 * 1024 * 1024];
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>";
    for (name, bytes, status, says) in [
        ("big.png", &big[..], 413, "larger than 20 MB"),
        (
            "page.png",
            &b"<!DOCTYPE html><html><script>alert(1)</script></html>"[..],
            422,
            "is not what its name says",
        ),
        ("drawing.svg", &svg[..], 422, "contains a script"),
        ("../../_config.yml", PNG, 422, "cannot be a file name"),
        // A NUL in the part's header: the form itself cannot be read.
        ("a\u{0}b.png", PNG, 400, "The form could not be read"),
        ("sub/dir.png", PNG, 422, "cannot be a file name"),
        ("empty.png", &b""[..], 422, "The file is empty"),
        ("photo.jpg", PNG, 422, "named like another kind of file"),
        ("tool.exe", PNG, 422, "is not a kind of file the site takes"),
    ] {
        let (got, html) = upload(&browser, name, bytes).await;
        assert_eq!(got, status, "{name}: {html}");
        assert!(html.contains(says), "{name}: {says} in:\n{html}");
    }
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing written");
    // Without the token: refused.
    let r = browser
        .client
        .post(server.url("/media"))
        .header("origin", server.base.clone())
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nx\r\n--x--\r\n")
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    // A reviewer may not add files.
    let reviewer = sign_in_as(&server, "rita", "reviewer").await;
    let (status, _) = upload(&reviewer, "ok.png", PNG).await;
    assert_eq!(status, 403);
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing written");
}

#[tokio::test]
async fn a_used_file_is_not_deleted_and_an_unused_one_is_one_commit() {
    let dir = tempdir();
    let site = media_site(dir.path(), None);
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (_, html) = browser.get("/media").await;
    let csrf = Form::parse(&html, "/media/delete")
        .get("_csrf")
        .expect("csrf")
        .to_string();
    let delete = |path: &str| {
        vec![
            ("_csrf".to_string(), csrf.clone()),
            ("path".to_string(), path.to_string()),
        ]
    };
    // Used by the project whose featured_img names it: refused, listed.
    let r = browser
        .post("/media/delete", &delete("assets/images/a.png"))
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let text = unescape(&r.text().await.expect("text"));
    assert!(
        text.contains("a.png cannot be deleted: the page “A” uses it."),
        "{text}"
    );
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing deleted");
    // No delete button for it either.
    assert!(!html.contains("name=\"path\" value=\"assets/images/a.png\"><button"));
    assert!(html.contains("name=\"path\" value=\"assets/doc.pdf\"><button"));
    // Outside the media folders, or missing: not found.
    for path in ["_config.yml", "assets/none.png", "assets/../_config.yml"] {
        let r = browser.post("/media/delete", &delete(path)).await;
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    // Unused: one commit by the editor, the file gone.
    let r = browser
        .post("/media/delete", &delete("assets/doc.pdf"))
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let shown = git(&site, &["show", "--name-status", "--format=%an|%s", "HEAD"]);
    assert!(
        shown.starts_with("Alice Martin|Delete assets/doc.pdf"),
        "{shown}"
    );
    assert!(shown.contains("D\tassets/doc.pdf"), "{shown}");
    assert!(!site.join("assets/doc.pdf").exists());
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn a_refused_upload_is_explained_in_the_readers_language() {
    let dir = tempdir();
    let site = media_site(dir.path(), None);
    let (server, _browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let french = Browser::speaking(&server, "fr");
    french.login("alice", PASSWORD).await;
    let (status, html) = upload(&french, "vide.png", b"").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Le fichier est vide. Rien n’a été ajouté."),
        "{html}"
    );
}

#[tokio::test]
async fn a_renamed_file_keeps_its_pages_and_a_replaced_one_keeps_its_history() {
    let dir = tempdir();
    let site = media_site(dir.path(), None);
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (_, html) = browser.get("/media").await;
    let csrf = csrf_of(&html);
    let before = commit_count(&site);
    // Used by _projects/a.md: renamed there too, in the same commit.
    let form = vec![
        ("_csrf".to_string(), csrf.clone()),
        ("path".to_string(), "assets/images/a.png".to_string()),
        ("name".to_string(), "Façade Nord.PNG".to_string()),
    ];
    let r = browser.post("/media/rename", &form).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(commit_count(&site), before + 1);
    assert!(site.join("assets/images/facade-nord.png").exists());
    assert!(!site.join("assets/images/a.png").exists());
    assert_eq!(
        checked_out(&site, "_projects/a.md"),
        "---\nname: A\nfeatured_img: /assets/images/facade-nord.png\n---\n",
        "only the address changed"
    );
    let shown = git(
        &site,
        &["show", "--name-status", "--format=%an|%s", "-M", "HEAD"],
    );
    assert!(
        shown.starts_with(
            "Alice Martin|Rename assets/images/a.png to assets/images/facade-nord.png"
        ),
        "{shown}"
    );
    assert_fsck_clean(&site);
    // Refused: a name taken, a change of type; nothing written.
    for (name, message) in [
        ("c.pdf", "would change the kind of file"),
        ("../x.png", "cannot be a file name"),
    ] {
        let form = vec![
            ("_csrf".to_string(), csrf.clone()),
            (
                "path".to_string(),
                "assets/images/facade-nord.png".to_string(),
            ),
            ("name".to_string(), name.to_string()),
        ];
        let r = browser.post("/media/rename", &form).await;
        assert_eq!(r.status().as_u16(), 422, "{name}");
        let page = unescape(&r.text().await.unwrap_or_default());
        assert!(page.contains(message), "{name}: {page}");
    }
    std::fs::write(site.join("assets/images/b.png"), PNG).expect("png");
    git(&site, &["add", "-A"]);
    git_commit(&site, "b");
    let form = vec![
        ("_csrf".to_string(), csrf.clone()),
        ("path".to_string(), "assets/images/b.png".to_string()),
        ("name".to_string(), "facade-nord.png".to_string()),
    ];
    let r = browser.post("/media/rename", &form).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        unescape(&r.text().await.unwrap_or_default()).contains("is already the name of a file")
    );

    // "Replace": the same name, a new commit; the history has both.
    let fields = vec![
        ("_csrf".to_string(), csrf.clone()),
        ("folder".to_string(), "assets".to_string()),
        ("replace".to_string(), "1".to_string()),
        ("file".to_string(), String::new()),
    ];
    let count = commit_count(&site);
    let r = post_multipart(
        &browser,
        "/media",
        &fields,
        &[("file", "doc.pdf", b"%PDF-1.7\n% replaced\n")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(commit_count(&site), count + 1);
    assert_eq!(
        std::fs::read(site.join("assets/doc.pdf")).expect("pdf"),
        b"%PDF-1.7\n% replaced\n"
    );
    assert!(!site.join("assets/doc-2.pdf").exists());
    let log = git(&site, &["log", "--format=%s", "--", "assets/doc.pdf"]);
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.starts_with("Replace assets/doc.pdf"), "{log}");
}

#[tokio::test]
async fn the_site_can_narrow_the_kinds_of_file_it_takes() {
    let dir = tempdir();
    let site = media_site(dir.path(), Some("media_types: [jpeg, pdf, exe]\n"));
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let before = commit_count(&site);
    let (status, html) = upload(&browser, "x.png", PNG).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("“x.png” is a kind of file this site does not take. It takes: jpg, pdf."),
        "{html}"
    );
    assert_eq!(commit_count(&site), before);
    let (status, _) = upload(&browser, "plan.pdf", b"%PDF-1.7\n%\xe2\n1 0 obj\n").await;
    assert_eq!(status, 303);
    assert_eq!(commit_count(&site), before + 1);
}
