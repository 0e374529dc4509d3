//! Media files served safely (issue 16, point 4's last part): from the
//! branch tip, to signed-in users only, only from inside the media folders,
//! typed by their bytes, with a policy that runs no script, and as a
//! download unless they are raster images.

use crate::support::*;
use std::path::Path;

/// A 1x1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\x01\x01\x01\0\x18\xdd\x8d\xb4\0\0\0\0IEND\xaeB`\x82";

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
        "<a href=\"/media/file/assets/images/a.png\">a.png</a>",
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
