//! Images and files from a document's form (issue 16): uploaded with the
//! document in one commit, described by their alt text, kept pending when
//! the save is refused, chosen from the library, stripped of a photo's
//! position, and read by a real `jekyll build` at the path the page uses.
//! Everything here is sent as a browser without JavaScript sends it: the
//! form's own fields, as `multipart/form-data`.

use crate::support::*;

const PAGE: &str = "/collections/projects/ai-and-cities";
const SEED: &str = "_projects/ai-and-cities.md";

/// A 1x1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

/// The lines a commit changed in `path`, `-` and `+` ones, in order.
fn changed_lines(site: &std::path::Path, path: &str) -> Vec<String> {
    git(site, &["show", "--format=", "-U0", "HEAD", "--", path])
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .map(str::to_string)
        .collect()
}

/// The `value` of the input named `name` in `html`.
fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = &html[html.find(&marker)? + marker.len()..];
    Some(unescape(&rest[..rest.find('"')?]))
}

#[tokio::test]
async fn an_image_uploaded_from_the_form_is_one_commit_with_the_document() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let (_, html) = browser.get(PAGE).await;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("name=\"u.featured_img\""), "{html}");
    assert!(html.contains("Choose from the library"), "{html}");
    let form = Form::parse(&html, PAGE).with(
        "f.alt",
        "Residents and researchers mapping a street together",
    );
    let before = commit_count(&site);
    let r = post_multipart(
        &browser,
        PAGE,
        &form.fields,
        &[("u.featured_img", "Atelier Rue.png", PNG)],
    )
    .await;
    assert_eq!(
        r.status().as_u16(),
        303,
        "{}",
        r.text().await.unwrap_or_default()
    );
    assert_eq!(commit_count(&site), before + 1, "one commit");
    let shown = git(
        &site,
        &["show", "--name-only", "--format=%an <%ae>|%s", "HEAD"],
    );
    let mut lines = shown.lines().filter(|l| !l.is_empty());
    assert_eq!(
        lines.next(),
        Some("Alice Martin <alice@example.org>|Update projects/ai-and-cities: featured_img, alt")
    );
    let mut files: Vec<&str> = lines.collect();
    files.sort();
    assert_eq!(
        files,
        [
            "_projects/ai-and-cities.md",
            "assets/images/atelier-rue.png"
        ]
    );
    assert_eq!(
        changed_lines(&site, SEED),
        [
            "-featured_img:",
            "+featured_img: /assets/images/atelier-rue.png",
            "-alt:",
            "+alt: Residents and researchers mapping a street together",
        ]
    );
    assert_fsck_clean(&site);
    assert_checkout_clean(&site);
    assert_eq!(
        std::fs::read(site.join("assets/images/atelier-rue.png")).expect("image"),
        PNG
    );
    // The form shows it, and its thumbnail is served.
    let (_, html) = browser.get(PAGE).await;
    assert!(
        html.contains("src=\"/media/file/assets/images/atelier-rue.png\""),
        "{html}"
    );
    let r = browser
        .get_response("/media/file/assets/images/atelier-rue.png")
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    // The library lists it, used by the project.
    let (_, library) = browser.get("/media").await;
    let library = unescape(&library);
    assert!(library.contains("atelier-rue.png"), "{library}");
    assert!(library.contains(">AI & Cities</a>"), "{library}");
}

#[tokio::test]
async fn an_image_without_alt_text_is_refused_and_the_file_is_kept_for_the_next_try() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let (_, html) = browser.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.mission", "Cities that listen");
    let before = commit_count(&site);
    let r = post_multipart(
        &browser,
        PAGE,
        &form.fields,
        &[("u.featured_img", "street.png", PNG)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = unescape(&r.text().await.unwrap_or_default());
    assert!(
        html.contains(
            "Describe the image, or tick “Decorative image” if it adds nothing to the text."
        ),
        "{html}"
    );
    assert!(
        html.contains("street.png will be added when you save."),
        "{html}"
    );
    assert!(
        html.contains("Cities that listen"),
        "what was typed is kept"
    );
    assert_eq!(commit_count(&site), before, "nothing written");
    assert!(!site.join("assets/images/street.png").exists());
    let pending = input_value(&html, "p.featured_img").expect("the file is kept pending");
    assert_eq!(pending.len(), 32);

    // Someone else cannot commit that upload.
    let other = sign_in_as(&server, "bob", "editor").await;
    let (_, theirs) = other.get(PAGE).await;
    let stolen = Form::parse(&theirs, PAGE)
        .with("p.featured_img", &pending)
        .with("f.img_credit", "Bob");
    let r = post_multipart(&other, PAGE, &stolen.fields, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(!site.join("assets/images/street.png").exists());

    // Again, without choosing the file: ticked decorative, it is saved.
    let again = Form::parse(&html, PAGE).with("d.featured_img", "1");
    let r = post_multipart(&browser, PAGE, &again.fields, &[]).await;
    assert_eq!(
        r.status().as_u16(),
        303,
        "{}",
        r.text().await.unwrap_or_default()
    );
    assert_eq!(
        std::fs::read(site.join("assets/images/street.png")).expect("png"),
        PNG
    );
    let text = checked_out(&site, SEED);
    assert!(
        text.contains("\nfeatured_img: /assets/images/street.png\n"),
        "{text}"
    );
    assert!(
        text.contains("\nalt: \"\"\n"),
        "decorative: an empty alt on purpose\n{text}"
    );
    assert!(text.contains("\nmission: Cities that listen\n"), "{text}");
    assert_fsck_clean(&site);
    // Shown again as decorative.
    let (_, html) = browser.get(PAGE).await;
    assert!(
        html.contains("name=\"d.featured_img\" value=\"1\" checked"),
        "{html}"
    );
}

#[tokio::test]
async fn bad_files_from_the_form_are_refused_with_their_message_and_the_values_kept() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let (_, html) = browser.get(PAGE).await;
    let form = Form::parse(&html, PAGE)
        .with("f.mission", "Typed before the refusal")
        .with("f.alt", "A street");
    let before = commit_count(&site);
    let big = vec![0u8; 25 * 1024 * 1024];
    let html_page = b"<!DOCTYPE html><html><script>alert(1)</script></html>".as_slice();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>"
        .as_slice();
    for (name, bytes, status, message) in [
        (
            "huge.png",
            big.as_slice(),
            413,
            "The file is larger than 20 MB, the largest the site takes.",
        ),
        (
            "page.png",
            html_page,
            422,
            "“page.png” is not what its name says",
        ),
        (
            "drawing.svg",
            svg,
            422,
            "This SVG drawing contains a script",
        ),
        ("../../_config.yml", PNG, 422, "cannot be a file name"),
        ("a/b.png", PNG, 422, "cannot be a file name"),
        ("empty.png", b"".as_slice(), 422, "The file is empty."),
        (
            "photo.jpg",
            PNG,
            422,
            "is named like another kind of file than it is",
        ),
    ] {
        let r = post_multipart(
            &browser,
            PAGE,
            &form.fields,
            &[("u.featured_img", name, bytes)],
        )
        .await;
        assert_eq!(r.status().as_u16(), status, "{name}");
        let page = unescape(&r.text().await.unwrap_or_default());
        assert!(page.contains(message), "{name}: {page}");
        assert!(
            page.contains("Typed before the refusal"),
            "{name}: the values are kept"
        );
        assert_eq!(commit_count(&site), before, "{name}: nothing written");
    }
    assert!(!site.join("assets").exists(), "no file written");
    // A reviewer cannot save the form at all.
    let reviewer = sign_in_as(&server, "rita", "reviewer").await;
    let (_, theirs) = reviewer.get("/media").await;
    let csrf = csrf_of(&theirs);
    let r = post_multipart(
        &reviewer,
        PAGE,
        &[
            ("_csrf".into(), csrf),
            ("u.featured_img".into(), String::new()),
        ],
        &[("u.featured_img", "x.png", PNG)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(commit_count(&site), before);
    // In French, the refusal is French.
    let french = Browser::speaking(&server, "fr");
    french.login("alice", PASSWORD).await;
    let (_, html) = french.get(PAGE).await;
    let form = Form::parse(&html, PAGE);
    let r = post_multipart(
        &french,
        PAGE,
        &form.fields,
        &[("u.featured_img", "rue.png", PNG)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let page = unescape(&r.text().await.unwrap_or_default());
    assert!(
        page.contains("Décrivez l’image, ou cochez «\u{a0}Image décorative\u{a0}» si elle n’apporte rien au texte."),
        "{page}"
    );
    assert!(
        page.contains("rue.png sera ajouté à l’enregistrement."),
        "{page}"
    );
    assert!(
        page.contains("Si l’image dépasse 2\u{a0}560 pixels"),
        "French numbers: {page}"
    );
}

#[tokio::test]
async fn a_photo_is_committed_without_its_gps_position() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let photo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/gps.jpg"),
    )
    .expect("fixture");
    let exif_of = |bytes: &[u8]| {
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(bytes))
            .ok()
    };
    let original = exif_of(&photo).expect("exif");
    assert!(
        original
            .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    let (_, html) = browser.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.alt", "The square at noon");
    let r = post_multipart(
        &browser,
        PAGE,
        &form.fields,
        &[("u.featured_img", "Square.JPEG", &photo)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    // As committed (read from git, not the checkout).
    let committed = std::process::Command::new("git")
        .arg("-C")
        .arg(&site)
        .args(["show", "HEAD:assets/images/square.jpg"])
        .output()
        .expect("git show")
        .stdout;
    assert!(committed.starts_with(&[0xFF, 0xD8]));
    let exif = exif_of(&committed).expect("the orientation is kept");
    let tags: Vec<String> = exif.fields().map(|f| f.tag.to_string()).collect();
    assert_eq!(tags, ["Orientation"], "no GPS, camera or date: {tags:?}");
    assert!(!committed.windows(8).any(|w| w == b"CairnCam"));

    // Asked to, the metadata stays.
    let (_, html) = browser.get("/collections/projects/civic-data-trusts").await;
    let form = Form::parse(&html, "/collections/projects/civic-data-trusts")
        .with("f.alt", "A meeting")
        .with("keep_metadata", "1");
    let r = post_multipart(
        &browser,
        "/collections/projects/civic-data-trusts",
        &form.fields,
        &[("u.featured_img", "meeting.jpg", &photo)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        std::fs::read(site.join("assets/images/meeting.jpg")).expect("kept"),
        photo
    );
}

#[tokio::test]
async fn a_file_chosen_from_the_library_offers_the_alt_text_it_already_has() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let (_, html) = browser.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.alt", "Residents mapping a street");
    let r = post_multipart(
        &browser,
        PAGE,
        &form.fields,
        &[("u.featured_img", "street.png", PNG)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);

    // Another project: "Choose from the library" shows the file to pick.
    let other = "/collections/projects/open-mobility-lab";
    let (_, html) = browser.get(other).await;
    let form = Form::parse(&html, other).with("op", "media:featured_img");
    let r = post_multipart(&browser, other, &form.fields, &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = unescape(&r.text().await.unwrap_or_default());
    assert!(
        html.contains("value=\"/assets/images/street.png\""),
        "the library's image is offered: {html}"
    );
    assert!(
        html.contains("street.png · “Residents mapping a street”"),
        "{html}"
    );
    // Picked, saved without alt text: refused, with the known one filled in.
    let before = commit_count(&site);
    let picked = Form::parse(&html, other)
        .without("op")
        .with("f.featured_img", "/assets/images/street.png");
    let r = post_multipart(&browser, other, &picked.fields, &[]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = unescape(&r.text().await.unwrap_or_default());
    assert!(
        html.contains("Filled in from another page that uses this image"),
        "{html}"
    );
    assert!(
        html.contains(">\nResidents mapping a street</textarea>"),
        "{html}"
    );
    assert_eq!(commit_count(&site), before);
    // Saved as offered: the document alone changes (the file is there).
    let form = Form::parse(&html, other);
    let r = post_multipart(&browser, other, &form.fields, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let shown = git(&site, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(shown.trim(), "_projects/open-mobility-lab.md");
    let text = checked_out(&site, "_projects/open-mobility-lab.md");
    assert!(
        text.contains("\nfeatured_img: /assets/images/street.png\n"),
        "{text}"
    );
    assert!(
        text.contains("\nalt: Residents mapping a street\n"),
        "{text}"
    );

    // "Remove": the field is emptied; the file stays in the library.
    let (_, html) = browser.get(other).await;
    let form = Form::parse(&html, other).with("r.featured_img", "1");
    let r = post_multipart(&browser, other, &form.fields, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let text = checked_out(&site, "_projects/open-mobility-lab.md");
    assert!(text.contains("\nfeatured_img:\n"), "{text}");
    assert!(site.join("assets/images/street.png").exists());
}

#[tokio::test]
async fn jekyll_builds_the_page_with_the_uploaded_image_at_the_path_it_uses() {
    if !tool_available("jekyll") {
        return;
    }
    let (dir, server, browser) = demo_with_editor().await;
    let (_, html) = browser.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.alt", "A street mapped by its residents");
    let r = post_multipart(
        &browser,
        PAGE,
        &form.fields,
        &[("u.featured_img", "map.png", PNG)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let dest = jekyll_build_of_clone(&server.site(), dir.path());
    let page =
        std::fs::read_to_string(dest.join("projects/ai-and-cities/index.html")).expect("page");
    assert!(
        page.contains(
            "<img src=\"/assets/images/map.png\" alt=\"A street mapped by its residents\">"
        ),
        "{page}"
    );
    assert_eq!(
        std::fs::read(dest.join("assets/images/map.png")).expect("the image is in the built site"),
        PNG
    );
}

#[tokio::test]
async fn the_api_adds_lists_and_deletes_media_and_commits_an_upload_with_an_entry() {
    use crate::api::{Api, demo, problem, token};
    use serde_json::{Value, json};
    let (dir, server, editor, reviewer) = demo();
    let site = server.site();
    let bot = token(dir.path(), "bot", &["--role", "editor"]);
    let api = Api::new(&server, Some(&editor));
    let before = commit_count(&site);

    // A raw body with its name: its own commit by the token's owner.
    let r = api
        .post_bytes("/api/v1/media?filename=Plan%20B.png", PNG.to_vec())
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let added: Value = r.json().await.expect("json");
    assert_eq!(added["path"], "assets/plan-b.png");
    assert_eq!(added["public"], "/assets/plan-b.png");
    assert_eq!(commit_count(&site), before + 1);
    assert_eq!(
        git(&site, &["log", "-1", "--format=%an|%s"]).trim(),
        "Alice Martin|Add assets/plan-b.png"
    );
    // A multipart form, the same.
    let mut form =
        b"--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"second.png\"\r\n\r\n"
            .to_vec();
    form.extend_from_slice(PNG);
    form.extend_from_slice(b"\r\n--b0--\r\n");
    let r = api
        .request(reqwest::Method::POST, "/api/v1/media")
        .header("content-type", "multipart/form-data; boundary=b0")
        .body(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(commit_count(&site), before + 2);

    // Listed.
    let list = api.json("/api/v1/media").await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["files"][0]["path"], "assets/plan-b.png");
    assert_eq!(list["files"][0]["type"], "image/png");
    assert_eq!(list["files"][0]["width"], 1);

    // Bad inputs: problem+json, nothing written.
    let bad = [
        (
            "/api/v1/media?filename=page.png",
            b"<!DOCTYPE html><html></html>".to_vec(),
            422,
        ),
        (
            "/api/v1/media?filename=..%2F..%2F_config.yml",
            PNG.to_vec(),
            422,
        ),
        ("/api/v1/media?filename=empty.png", Vec::new(), 422),
        ("/api/v1/media", PNG.to_vec(), 422),
        (
            "/api/v1/media?filename=huge.png",
            vec![0u8; 21 * 1024 * 1024],
            413,
        ),
    ];
    for (path, body, status) in bad {
        problem(api.post_bytes(path, body).await, status).await;
    }
    let r = Api::new(&server, Some(&reviewer))
        .post_bytes("/api/v1/media?filename=x.png", PNG.to_vec())
        .await;
    problem(r, 403).await;
    assert_eq!(commit_count(&site), before + 2, "nothing written");

    // Pending, then named by an entry's write: one commit holds both.
    let r = api
        .post_bytes(
            "/api/v1/media?filename=cover.png&pending=true",
            PNG.to_vec(),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let pending: Value = r.json().await.expect("json");
    let id = pending["upload"].as_str().expect("id").to_string();
    assert_eq!(commit_count(&site), before + 2, "pending: not committed");
    // Another token cannot use it.
    let r = Api::new(&server, Some(&bot))
        .patch(
            "/api/v1/collections/projects/entries/ai-and-cities",
            &json!({"fields": {"alt": "Cover"}, "uploads": {"featured_img": id}}),
            None,
        )
        .await;
    problem(r, 422).await;
    // Without alt text: refused, as on the form.
    let entry = "/api/v1/collections/projects/entries/ai-and-cities";
    let r = api
        .patch(entry, &json!({"uploads": {"featured_img": id}}), None)
        .await;
    let p = problem(r, 422).await;
    assert!(p.to_string().contains("Describe the image"), "{p}");
    let r = api
        .patch(
            entry,
            &json!({"fields": {"alt": "The cover of the report"}, "uploads": {"featured_img": id}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(commit_count(&site), before + 3);
    let files = git(&site, &["show", "--name-only", "--format=", "HEAD"]);
    let mut files: Vec<&str> = files.lines().filter(|l| !l.is_empty()).collect();
    files.sort();
    assert_eq!(
        files,
        ["_projects/ai-and-cities.md", "assets/images/cover.png"]
    );
    let read = api.json(entry).await;
    assert_eq!(read["fields"]["featured_img"], "/assets/images/cover.png");
    assert_fsck_clean(&site);

    // Delete: refused while used (with the entry), else a commit.
    let r = api.delete("/api/v1/media/assets/images/cover.png").await;
    let p = problem(r, 422).await;
    assert!(p.to_string().contains("AI & Cities"), "{p}");
    let r = api.delete("/api/v1/media/assets/second.png").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(!site.join("assets/second.png").exists());
    let r = api.delete("/api/v1/media/_config.yml").await;
    problem(r, 404).await;
    assert!(site.join("_config.yml").exists());
}

#[tokio::test]
async fn a_large_photo_is_resized_when_the_editor_asks_and_kept_when_not() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let picture = image::RgbImage::from_fn(3000, 1200, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    });
    let mut jpeg = Vec::new();
    picture
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut jpeg, 80,
        ))
        .expect("jpeg");
    let (_, html) = browser.get(PAGE).await;
    assert!(
        html.contains("name=\"resize\" value=\"1\" checked"),
        "offered, ticked"
    );
    assert!(
        unescape(&html).contains("larger than 2,560 pixels"),
        "English numbers"
    );
    // Ticked (as the form comes): a copy of 2,560 px on its longest side.
    let form = Form::parse(&html, PAGE).with("f.alt", "A long street");
    assert_eq!(form.get("resize"), Some("1"));
    let r = post_multipart(
        &browser,
        PAGE,
        &form.fields,
        &[("u.featured_img", "long.jpg", &jpeg)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let committed = std::fs::read(site.join("assets/images/long.jpg")).expect("committed");
    let size = imagesize::blob_size(&committed).expect("a JPEG");
    assert_eq!((size.width, size.height), (2560, 1024));
    assert_fsck_clean(&site);
    // Unticked: the file as it came.
    let other = "/collections/projects/civic-data-trusts";
    let (_, html) = browser.get(other).await;
    let form = Form::parse(&html, other)
        .with("f.alt", "A long street")
        .without("resize");
    let r = post_multipart(
        &browser,
        other,
        &form.fields,
        &[("u.featured_img", "long.jpg", &jpeg)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let kept = std::fs::read(site.join("assets/images/long-2.jpg")).expect("committed");
    let size = imagesize::blob_size(&kept).expect("a JPEG");
    assert_eq!((size.width, size.height), (3000, 1200));
}
