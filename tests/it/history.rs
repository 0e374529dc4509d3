//! History for reviewers: site-wide and per-document history (including
//! commits made with git, following renames), field-level diffs, restore and
//! revert as new commits, and the rebuildable index.

use crate::support::*;

const PAGE: &str = "/collections/projects/ai-and-cities";
const SEED: &str = "_projects/ai-and-cities.md";

async fn edit(browser: &Browser, page: &str, pairs: &[(&str, &str)]) {
    let (_, html) = browser.get(page).await;
    let mut form = Form::parse(&html, page);
    for (k, v) in pairs {
        form = form.with(k, v);
    }
    assert_eq!(
        browser.post(page, &form.fields).await.status().as_u16(),
        303
    );
}

fn head(site: &std::path::Path) -> String {
    git(site, &["rev-parse", "HEAD"]).trim().to_string()
}

#[tokio::test]
async fn history_shows_every_change_with_its_author_including_outside_commits() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    edit(&browser, PAGE, &[("f.mission", "A new mission")]).await;
    let trailer = git(
        &site,
        &["log", "-1", "--format=%(trailers:key=Cairn-User,valueonly)"],
    );
    assert_eq!(
        trailer.trim(),
        "1",
        "the Cairn-User trailer names the user id"
    );
    // Someone commits with git, outside Cairn.
    let other = site.join("_projects/open-mobility-lab.md");
    let text = std::fs::read_to_string(&other).expect("read");
    std::fs::write(
        &other,
        text.replace("Transparent algorithms", "Open algorithms"),
    )
    .expect("write");
    git(&site, &["add", "_projects/open-mobility-lab.md"]);
    git_commit(&site, "Tweak the mobility mission");

    let (status, html) = browser.get("/history").await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    // Cairn's own changes are told in the reader's words, by title.
    assert!(html.contains("Changed “AI & Cities”"), "{html}");
    assert!(
        !html.contains("Update projects/ai-and-cities"),
        "Cairn's recorded summary is not what a reader sees: {html}"
    );
    assert!(html.contains("Alice Martin"));
    assert!(html.contains("Tweak the mobility mission"));
    assert!(html.contains("Outside Dev"));
    assert!(
        html.contains(
            "Changed <a href=\"/collections/projects/open-mobility-lab\">Open Mobility Lab</a> — Mission"
        ),
        "fields of outside commits too, by label, linked to the page: {html}"
    );
    assert!(!html.contains("_projects/"), "no file paths: {html}");
    assert!(html.contains("Create the demo site"));

    let (_, mine) = browser.get("/history?author=alice%40example.org").await;
    let mine = unescape(&mine);
    assert!(mine.contains("Changed “AI & Cities”") && !mine.contains("Tweak the mobility"));
    // Part of a name, in any case, finds the same.
    let (_, part) = browser.get("/history?author=MARTIN").await;
    assert!(unescape(&part).contains("Changed “AI & Cities”"));
    let (_, none) = browser.get("/history?since=2100-01-01").await;
    assert!(none.contains("No changes found."));
    let (_, projects) = browser
        .get("/history?collection=projects&until=2100-01-01")
        .await;
    assert!(projects.contains("Tweak the mobility"));
    let (_, doc) = browser
        .get("/history?collection=projects&document=open-mobility-lab")
        .await;
    assert!(
        doc.contains("Tweak the mobility") && !unescape(&doc).contains("“AI & Cities”"),
        "{doc}"
    );
    assert_eq!(
        browser.get("/history?document=open-mobility-lab").await.0,
        400
    );
    assert_eq!(browser.get("/history?since=yesterday").await.0, 400);
    assert_eq!(browser.get("/history?collection=..").await.0, 404);
}

#[tokio::test]
async fn a_documents_history_follows_renames_and_shows_field_changes() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    edit(&browser, PAGE, &[("f.mission", "Before the rename")]).await;
    git(&site, &["mv", SEED, "_projects/cities-and-ai.md"]);
    git_commit(&site, "Rename the AI project");
    let page = "/collections/projects/cities-and-ai";
    edit(
        &browser,
        page,
        &[
            ("f.mission", "After the rename"),
            ("f.axes", "digitization\r\nbiodiversity\r\nmobility"),
        ],
    )
    .await;

    let (status, html) = browser.get(&format!("{page}/history")).await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    for summary in [
        // The labels the site's _cairn.yml gives (as on the form).
        "Changed: Mission, Research axes",
        "Rename the AI project",
        "Changed: Mission",
        "Create the demo site",
    ] {
        assert!(html.contains(summary), "{summary} in:\n{html}");
    }
    assert_eq!(html.matches("Changed “AI & Cities”").count(), 2, "{html}");
    assert!(html.contains("<title>History of “AI & Cities”"), "{html}");
    assert!(!html.contains("open-mobility-lab"), "only this document");

    // The last change, field by field.
    let sha = head(&site);
    let (status, commit) = browser.get(&format!("/commits/{sha}")).await;
    assert_eq!(status, 200);
    let commit = unescape(&commit);
    assert!(
        commit.contains(
            "<th scope=\"row\">Mission</th><td>\"Before the rename\" → \"After the rename\"</td>"
        ),
        "{commit}"
    );
    assert!(
        commit.contains(
            "<th scope=\"row\">Research axes</th><td>+ mobility, − social inclusion</td>"
        ),
        "{commit}"
    );
    assert!(commit.contains("By Alice Martin · "), "{commit}");
    // It links back to the page it changed.
    assert!(
        commit
            .contains("Changed · <a href=\"/collections/projects/cities-and-ai\">AI & Cities</a>"),
        "{commit}"
    );
    // Hashes, the trailer and the committer are folded under "Details".
    let (shown, details) = commit.split_once("<details").expect("details");
    // What is read, not the addresses in links and forms.
    let shown: String = shown
        .split('<')
        .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
        .collect();
    for technical in [
        sha.as_str(),
        "Cairn-User:",
        "alice@example.org",
        "_projects/cities-and-ai.md",
    ] {
        assert!(
            !shown.contains(technical),
            "{technical} before the details: {shown}"
        );
        assert!(
            details.contains(technical),
            "{technical} in the details: {details}"
        );
    }
    assert_eq!(
        browser
            .get("/commits/0000000000000000000000000000000000000000")
            .await
            .0,
        404
    );
    assert_eq!(browser.get("/commits/not-a-sha").await.0, 404);
}

#[tokio::test]
async fn restore_puts_back_the_old_bytes_in_a_new_commit() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let original = std::fs::read(site.join(SEED)).expect("seed");
    let first = head(&site);
    edit(&browser, PAGE, &[("f.mission", "One")]).await;
    edit(&browser, PAGE, &[("f.lead", "Jane Doe")]).await;
    let before_restore = git(&site, &["rev-list", "HEAD"]);

    // The history's button opens a preview of what restoring changes;
    // nothing is written until it is confirmed.
    let (_, html) = browser.get(&format!("{PAGE}/history")).await;
    assert!(html.contains("method=\"get\" action=\"/collections/projects/ai-and-cities/restore\""));
    let (status, preview) = browser
        .get(&format!("{PAGE}/restore?sha={first}&path={SEED}"))
        .await;
    assert_eq!(status, 200);
    assert!(unescape(&preview).contains("\"One\" →"), "{preview}");
    assert_eq!(
        git(&site, &["rev-list", "HEAD"]),
        before_restore,
        "a preview writes nothing"
    );
    let form = Form::parse(&preview, "/collections/projects/ai-and-cities/restore");
    let token = form.get("_csrf").expect("token").to_string();
    assert_eq!(form.get("sha"), Some(first.as_str()));
    let r = browser
        .post(
            "/collections/projects/ai-and-cities/restore",
            &[
                ("_csrf".into(), token),
                ("sha".into(), first.clone()),
                ("path".into(), SEED.into()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_checkout_clean(&site);
    assert_eq!(
        std::fs::read(site.join(SEED)).expect("file"),
        original,
        "byte for byte"
    );
    let subject = git(&site, &["log", "-1", "--format=%s"]);
    assert_eq!(
        subject.trim(),
        format!("Restore projects/ai-and-cities to {}", &first[..7])
    );
    // History is never rewritten: every earlier commit is still there.
    let after = git(&site, &["rev-list", "HEAD"]);
    assert!(after.ends_with(&before_restore));
    assert_eq!(after.lines().count(), before_restore.lines().count() + 1);
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn revert_undoes_one_change_keeps_later_ones_and_refuses_conflicts() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let original = std::fs::read_to_string(site.join(SEED)).expect("seed");
    edit(&browser, PAGE, &[("f.mission", "Changed mission")]).await;
    let mission_change = head(&site);
    edit(&browser, PAGE, &[("f.lead", "Jane Doe")]).await;

    // The change's page leads to a preview of what undoing it changes.
    let (_, page) = browser.get(&format!("/commits/{mission_change}")).await;
    assert!(page.contains(&format!(
        "method=\"get\" action=\"/commits/{mission_change}/revert\""
    )));
    let (_, html) = browser
        .get(&format!("/commits/{mission_change}/revert"))
        .await;
    assert!(html.contains("Changed mission"), "{html}");
    let form = Form::parse(&html, &format!("/commits/{mission_change}/revert"));
    let r = browser
        .post(&format!("/commits/{mission_change}/revert"), &form.fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let file = checked_out(&site, SEED);
    assert_eq!(
        file,
        original.replace("lead:\n", "lead: Jane Doe\n"),
        "mission back, lead kept"
    );
    let message = git(&site, &["log", "-1", "--format=%B"]);
    assert!(
        message.starts_with("Revert \"Update projects/ai-and-cities: mission\""),
        "{message}"
    );
    assert!(message.contains(&format!("This reverts commit {mission_change}.")));

    // Reverting the lead change after the lead changed again: a conflict.
    let lead_change = git(&site, &["rev-parse", "HEAD~1"]).trim().to_string();
    edit(&browser, PAGE, &[("f.lead", "John Roe")]).await;
    let before = head(&site);
    let r = browser
        .post(&format!("/commits/{lead_change}/revert"), &form.fields)
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("lead changed again since")
    );
    assert_eq!(head(&site), before, "nothing committed");
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn reviewers_read_history_but_cannot_restore_or_revert() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let browser = sign_in_as(&server, "rita", "reviewer").await;
    let site = server.site();
    let sha = head(&site);
    assert_eq!(browser.get("/history").await.0, 200);
    let (status, html) = browser.get(&format!("{PAGE}/history")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("Restore this version"));
    let (status, html) = browser.get(&format!("/commits/{sha}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("Revert this change"));
    let token = Form::parse(&browser.get(PAGE).await.1, PAGE)
        .get("_csrf")
        .expect("token")
        .to_string();
    let r = browser
        .post(
            "/collections/projects/ai-and-cities/restore",
            &[
                ("_csrf".into(), token.clone()),
                ("sha".into(), sha.clone()),
                ("path".into(), SEED.into()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let r = browser
        .post(
            &format!("/commits/{sha}/revert"),
            &[("_csrf".into(), token)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(head(&site), sha);
}

#[tokio::test]
async fn reindex_rebuilds_the_index_from_the_repository() {
    let (dir, server, browser) = demo_with_editor().await;
    edit(&browser, PAGE, &[("f.mission", "Indexed twice")]).await;
    let data = dir.path().to_str().expect("path");
    let out = cairn(&["reindex", "--data", data], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        // The history index, then the search index (the demo's four projects),
        // rebuilt while the server runs.
        "Indexed 2 commits\nIndexed 4 documents for search"
    );
    let (_, html) = browser.get("/history").await;
    assert_eq!(
        html.matches("<p class=\"headline\"><a href=\"/commits/")
            .count(),
        2,
        "{html}"
    );
    drop(server);
}

#[tokio::test]
async fn a_documents_history_pages_cross_a_rename_without_losing_a_commit() {
    let dir = tempdir();
    let site = dir.path().join("site");
    make_site(
        &site,
        &[
            (
                "_config.yml",
                "collections:\n  projects:\n    output: true\n",
            ),
            (
                "_projects/a.md",
                "---\ntitle: A\nmission: rev 0\n---\nBody.\n",
            ),
        ],
    );
    let write = |path: &str, rev: usize| {
        let text = format!("---\ntitle: A\nmission: rev {rev}\n---\nBody.\n");
        std::fs::write(site.join(path), text).expect("write");
        git(&site, &["add", "-A"]);
        git_commit(&site, &format!("Edit {rev}"));
    };
    for rev in 1..=3 {
        write("_projects/a.md", rev);
    }
    git(&site, &["mv", "_projects/a.md", "_projects/b.md"]);
    git_commit(&site, "Rename a to b");
    // Exactly one page (50) of changes after the rename: the rename is the
    // first entry of page 2.
    for rev in 4..54 {
        write("_projects/b.md", rev);
    }
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;

    let mut summaries = Vec::new();
    let mut next = Some("/collections/projects/b/history".to_string());
    while let Some(url) = next.take() {
        let (status, html) = browser.get(&url).await;
        assert_eq!(status, 200, "{url}");
        let html = unescape(&html);
        for part in html
            .split("<p class=\"headline\"><a href=\"/commits/")
            .skip(1)
        {
            let (_, rest) = part.split_once("\">").expect("link");
            summaries.push(rest.split("</a>").next().expect("summary").to_string());
        }
        next = html
            .split("<a href=\"")
            .filter_map(|p| p.split_once("\">Older changes</a>"))
            .map(|(href, _)| format!("/collections/projects/b/history{href}"))
            .next();
    }
    let expected: Vec<String> = git(
        &site,
        &["log", "--follow", "--format=%s", "--", "_projects/b.md"],
    )
    .lines()
    .map(String::from)
    .collect();
    assert_eq!(summaries.len(), 55);
    assert_eq!(
        summaries, expected,
        "every commit, newest first, across pages and the rename"
    );
}

#[tokio::test]
async fn a_change_to_the_text_shows_its_lines_in_context() {
    let dir = tempdir();
    let site = dir.path().join("site");
    let body: String = (1..=20).map(|i| format!("Paragraph {i}.\n")).collect();
    make_site(
        &site,
        &[
            (
                "_config.yml",
                "collections:\n  projects:\n    output: true\n",
            ),
            ("_projects/a.md", &format!("---\ntitle: Alpha\n---\n{body}")),
        ],
    );
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let page = "/collections/projects/a";
    let changed = body.replace("Paragraph 10.", "Paragraph ten, rewritten.");
    edit(&browser, page, &[("body", &changed)]).await;

    let (status, html) = browser.get(&format!("/commits/{}", head(&site))).await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    let diff = html
        .split_once("<pre class=\"diff\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(d, _)| d.to_string())
        .expect("a text diff");
    // The change, both sides said in words for screen readers.
    assert!(
        diff.contains(
            "<span class=\"del\"><span class=\"sr-only\">removed:</span>− Paragraph 10.</span>"
        ),
        "{diff}"
    );
    assert!(
        diff.contains("<span class=\"add\"><span class=\"sr-only\">added:</span>+ Paragraph ten, rewritten.</span>"),
        "{diff}"
    );
    // Three unchanged lines on each side (blank lines count), and the
    // rest left out, said once before and once after.
    for near in ["Paragraph 9.", "Paragraph 11."] {
        assert!(
            diff.contains(&format!("<span class=\"same\">  {near}</span>")),
            "{near}: {diff}"
        );
    }
    for far in [
        "Paragraph 1.",
        "Paragraph 5.",
        "Paragraph 15.",
        "Paragraph 20.",
    ] {
        assert!(!diff.contains(far), "{far} is far from the change: {diff}");
    }
    assert_eq!(
        diff.matches("unchanged lines left out").count(),
        2,
        "{diff}"
    );
    // The text's label, not the key `body`.
    assert!(html.contains("Changes in the text"), "{html}");
}

#[tokio::test]
async fn the_dashboard_lists_the_last_changes_and_links_to_the_live_site() {
    let (_dir, server, browser) = demo_with_editor().await;
    // The demo site says no `url`: no link to a site that is nowhere.
    let (_, html) = browser.get("/").await;
    assert!(!html.contains("View the site"), "{html}");
    edit(&browser, PAGE, &[("f.mission", "Seen on the dashboard")]).await;
    let (_, html) = browser.get("/").await;
    let html = unescape(&html);
    let recent = html
        .split_once("<ul class=\"recent\">")
        .and_then(|(_, r)| r.split_once("</ul>"))
        .map(|(r, _)| r.to_string())
        .expect("the last changes");
    let first = recent.split("<li>").nth(1).expect("a change");
    let sha = head(&server.site());
    assert!(
        first.contains(&format!(
            "<a href=\"/commits/{sha}\">Changed “AI & Cities”</a>"
        )),
        "newest first, by title: {first}"
    );
    assert!(first.contains("Alice Martin"), "who: {first}");
    assert!(first.contains("<time datetime="), "when: {first}");
    assert!(recent.contains("Create the demo site"), "{recent}");

    // With `url` (and `baseurl`) in _config.yml, the live site is linked.
    let dir = tempdir();
    let site = dir.path().join("site");
    make_site(
        &site,
        &[
            (
                "_config.yml",
                "title: Lab\nurl: \"https://lab.example.org\"\nbaseurl: /chair\ncollections:\n  projects:\n    output: true\n",
            ),
            ("_projects/a.md", "---\ntitle: Alpha\n---\nText.\n"),
        ],
    );
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (_, html) = browser.get("/").await;
    assert!(
        html.contains(
            "<a href=\"https://lab.example.org/chair/\" rel=\"noopener\">View the site</a>"
        ),
        "{html}"
    );
}
