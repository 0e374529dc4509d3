//! The widgets of the content model from outside, on
//! `tests/fixtures/widgets`: a site whose Decap `admin/config.yml` uses every
//! widget Cairn reads and whose `_cairn.yml` names fields in French. Each
//! save through the form (no JavaScript) or the API changes only the bytes
//! of what changed (checked with `git show`), and Ruby reads the result as
//! entered.

use crate::api::{Api, token};
use crate::oracle::ruby_read;
use crate::support::*;
use serde_json::json;
use std::path::{Path, PathBuf};

const PAGE: &str = "/collections/projects/street-trees";
const FILE: &str = "_projects/street-trees.md";

/// A copy of the fixture site, committed.
pub(crate) fn widgets_site(dir: &Path) -> PathBuf {
    fixture_copy("widgets", dir)
}

/// The lines the last commit removed and added in `file`.
fn last_change(site: &Path) -> (Vec<String>, Vec<String>) {
    let diff = git(site, &["show", "--format=", "-U0", "HEAD", "--", FILE]);
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for line in diff.lines() {
        if line.starts_with("---") || line.starts_with("+++") {
            continue;
        }
        if let Some(l) = line.strip_prefix('-') {
            removed.push(l.to_string());
        } else if let Some(l) = line.strip_prefix('+') {
            added.push(l.to_string());
        }
    }
    (removed, added)
}

/// Posts the form with `changes` (name, value) and, when given, a button.
async fn post(browser: &Browser, changes: &[(&str, &str)], op: Option<&str>) -> (u16, String) {
    let (_, html) = browser.get(PAGE).await;
    let mut form = Form::parse(&html, PAGE);
    for (name, value) in changes {
        assert!(
            form.get(name).is_some() || name.starts_with("n:"),
            "{name} is on the form"
        );
        form = form.with(name, value);
    }
    if let Some(op) = op {
        form = form.with("op", op);
    }
    let r = browser.post(PAGE, &form.fields).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn each_widget_is_shown_as_configured_in_each_language() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (server, english) = site_with_editor(&site, &dir.path().join("data")).await;
    let (status, html) = english.get(PAGE).await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    for wanted in [
        ">Project name <span class=\"required\">(required)</span></label>",
        "As shown on the site</small>",
        "type=\"date\" value=\"2024-05-01\"",
        // The list of objects: a group, a box per item, its buttons.
        "<legend>Partners</legend>",
        "<legend id=\"f-9-1-legend\">Partner 1</legend>",
        "name=\"n:partners[0].name\" value=\"City Parks\"",
        "name=\"n:partners[1].url\" value=\"https://trees.example.org\"",
        "name=\"o:partners[1]\" value=\"1\"",
        "value=\"down:partners[0]\"",
        "value=\"add:partners\">Add: Partner</button>",
        // The object.
        "<legend>Contact</legend>",
        "name=\"n:contact.phone\" value=\"+33 1 00 00 00 00\"",
        "<option value=\"community\">Community work</option>",
        // Numbers step as configured (whole numbers by 1).
        "name=\"f.budget\" type=\"number\" step=\"1\" value=\"1200\"",
        "name=\"f.rating\" type=\"number\" step=\"0.5\" value=\"4.5\"",
        "type=\"date\" value=\"2026-12-31\"",
    ] {
        assert!(html.contains(wanted), "{wanted} in:\n{html}");
    }
    // The hidden field is not on the form at all.
    assert!(!html.contains("f.layout"), "{html}");
    // Moving the first item up and the last down are not offered.
    assert!(html.contains("value=\"up:partners[0]\" aria-describedby=\"f-9-1-legend\" disabled"));

    let french = Browser::speaking(&server, "fr");
    french.login("alice", PASSWORD).await;
    let (_, html) = french.get(PAGE).await;
    let html = unescape(&html);
    for wanted in [
        ">Nom du projet <span class=\"required\">(obligatoire)</span></label>",
        "Tel qu'il paraît sur le site</small>",
        "<legend>Partenaires</legend>",
        ">Partenaire 1</legend>",
        ">Ajouter\u{a0}: Partenaire</button>",
        ">Monter</button>",
    ] {
        assert!(html.contains(wanted), "{wanted} in:\n{html}");
    }
}

#[tokio::test]
async fn nested_values_are_edited_added_moved_and_removed_through_the_form() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let commits = commit_count(&site);

    // One leaf of one item: only its line changes.
    let (status, _) = post(
        &browser,
        &[("n:partners[1].url", "https://trees.example.net")],
        None,
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        last_change(&site),
        (
            vec!["    url: 'https://trees.example.org'".to_string()],
            vec!["    url: 'https://trees.example.net'".to_string()]
        )
    );
    // One member of the object.
    let (status, _) = post(&browser, &[("n:contact.phone", "+33 1 11 11 11 11")], None).await;
    assert_eq!(status, 303);
    assert_eq!(
        last_change(&site),
        (
            vec!["  phone: \"+33 1 00 00 00 00\"".to_string()],
            vec!["  phone: \"+33 1 11 11 11 11\"".to_string()]
        )
    );
    assert_eq!(commit_count(&site), commits + 2);

    // "Add": the form again, with an empty third item and the focus in it;
    // what was typed elsewhere is kept; nothing is saved.
    let (status, html) = post(
        &browser,
        &[("f.summary", "Typed, not saved yet.")],
        Some("add:partners"),
    )
    .await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    assert!(html.contains("Typed, not saved yet."), "{html}");
    assert!(html.contains(">Partner 3</legend>"), "{html}");
    assert!(
        html.contains("name=\"n:partners[2].name\" value=\"\" autofocus"),
        "{html}"
    );
    assert_eq!(commit_count(&site), commits + 2, "a button saves nothing");
    let form = Form::parse(&html, PAGE)
        .with("n:partners[2].name", "Bee Friends")
        .with("n:partners[2].url", "https://bees.example.org");
    let r = browser.post(PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (removed, added) = last_change(&site);
    assert_eq!(
        added,
        vec![
            "summary: Typed, not saved yet.".to_string(),
            "  - name: Bee Friends".into(),
            "    url: https://bees.example.org".into()
        ]
    );
    assert_eq!(
        removed,
        vec!["summary: Counting the trees of a city.".to_string()]
    );

    // "Move up" on the third item, then save: only those lines move, with
    // the comment that belongs to the item above.
    let before = checked_out(&site, FILE);
    let (status, html) = post(&browser, &[], Some("up:partners[2]")).await;
    assert_eq!(status, 200);
    let form = Form::parse(&unescape(&html), PAGE);
    assert_eq!(form.get("n:partners[1].name"), Some("Bee Friends"));
    let r = browser.post(PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let after = checked_out(&site, FILE);
    let mut a: Vec<&str> = before.lines().collect();
    let mut b: Vec<&str> = after.lines().collect();
    assert_ne!(a, b);
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same lines, reordered:\n{after}");
    assert!(
        after.contains("  - name: Bee Friends\n    url: https://bees.example.org\n  - name: Tree Society   # since 2020\n"),
        "{after}"
    );

    // "Remove" the first item, then save: its lines (and its comment) go.
    let (_, html) = post(&browser, &[], Some("remove:partners[0]")).await;
    let form = Form::parse(&unescape(&html), PAGE);
    assert!(form.get("n:partners[2].name").is_none());
    let r = browser.post(PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (removed, added) = last_change(&site);
    assert!(added.is_empty(), "{added:?}");
    assert_eq!(
        removed,
        vec![
            "  # founding partners".to_string(),
            "  - name: City Parks".into(),
            "    url: https://parks.example.org".into()
        ]
    );
    assert_fsck_clean(&site);

    // Ruby (Jekyll's YAML) reads the list as entered, and the rest as before.
    if tool_available("ruby") {
        let scratch = tempdir();
        let path = site.join(FILE);
        let read = ruby_read(std::slice::from_ref(&path), scratch.path());
        let doc = &read[&path.display().to_string()];
        let names: Vec<&str> = doc["partners"]["v"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| {
                item["v"]
                    .as_array()
                    .expect("a map")
                    .iter()
                    .find(|pair| pair[0] == "name")
                    .and_then(|pair| pair[1]["v"].as_str())
                    .expect("a name")
            })
            .collect();
        assert_eq!(names, ["Bee Friends", "Tree Society"]);
        assert_eq!(doc["start_date"], json!({"t": "date", "v": "2024-05-01"}));
        assert_eq!(doc["budget"], json!({"t": "int", "v": 1200}));
    }
}

#[tokio::test]
async fn the_api_edits_nested_values_by_merge_patch_and_by_replacement() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (server, _browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let api = Api::new(
        &server,
        Some(&token(&server.data, "bot", &["--role", "editor"])),
    );
    let entry = "/api/v1/collections/projects/entries/street-trees";

    // RFC 7396: an object merges member by member.
    let r = api
        .patch(
            entry,
            &json!({"fields": {"contact": {"phone": null, "office": "B12"}}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let (removed, added) = last_change(&site);
    assert_eq!(removed, vec!["  phone: \"+33 1 00 00 00 00\"".to_string()]);
    assert_eq!(added, vec!["  office: B12".to_string()]);

    // A list is replaced as a whole; items that stay keep their lines.
    let r = api
        .patch(
            entry,
            &json!({"fields": {"partners": [
                {"name": "Tree Society", "url": "https://trees.example.org"},
                {"name": "City Parks", "url": "https://parks.example.org", "since": 2019}
            ]}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let text = checked_out(&site, FILE);
    assert!(
        text.contains("  - name: Tree Society   # since 2020\n    url: 'https://trees.example.org'\n  # founding partners\n  - name: City Parks\n    url: https://parks.example.org\n    since: 2019\n"),
        "{text}"
    );
    let read = api.json(entry).await;
    assert_eq!(read["fields"]["partners"][1]["since"], 2019);

    // A list of objects is held to its count (`max: 3`).
    let head = git(&site, &["rev-parse", "HEAD"]);
    let four: Vec<serde_json::Value> = (0..4).map(|i| json!({"name": format!("P{i}")})).collect();
    let r = api
        .patch(entry, &json!({"fields": {"partners": four}}), None)
        .await;
    let p = crate::api::problem(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "partners");
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);

    // An object where the field holds one text is refused, nothing written.
    let head = git(&site, &["rev-parse", "HEAD"]);
    let r = api
        .patch(entry, &json!({"fields": {"name": {"fr": "Arbres"}}}), None)
        .await;
    let p = crate::api::problem(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "name");
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
}

#[tokio::test]
async fn relations_pick_entries_flag_missing_ones_and_refuse_unknown_ones() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (_, html) = browser.get(PAGE).await;
    let html = unescape(&html);
    // One entry of a collection: a select of its entries by name.
    assert!(
        html.contains("<option value=\"ada-lovelace\" selected>Ada Lovelace</option>"),
        "{html}"
    );
    assert!(html.contains("<option value=\"grace-hopper\">Grace Hopper</option>"));
    // An entry of a data file.
    assert!(html.contains("<option value=\"ERC\">European Research Council</option>"));
    // Several: boxes; an entry that no longer exists is kept, ticked, and said.
    assert!(html.contains("name=\"f.team\" value=\"ada-lovelace\" checked> Ada Lovelace"));
    assert!(html.contains("name=\"f.team\" value=\"grace-hopper\"> Grace Hopper"));
    assert!(html.contains("value=\"gone-person\" checked> gone-person (no longer exists)"));
    assert!(
        html.contains("“gone-person” is no longer among the entries"),
        "{html}"
    );
    // Several options of a select: boxes too.
    assert!(html.contains("name=\"f.themes\" value=\"cities\" checked> cities"));

    // Saving other fields keeps the missing entry, untouched.
    let (status, _) = post(&browser, &[("f.summary", "New summary.")], None).await;
    assert_eq!(status, 303);
    assert!(checked_out(&site, FILE).contains("team:\n  - ada-lovelace\n  - gone-person\n"));

    // Ticking a second box adds one line; unticking removes one.
    let (_, html) = browser.get(PAGE).await;
    let mut form = Form::parse(&html, PAGE);
    form.fields.push(("f.team".into(), "grace-hopper".into()));
    let r = browser.post(PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        last_change(&site),
        (vec![], vec!["  - grace-hopper".to_string()])
    );
    let (_, html) = browser.get(PAGE).await;
    let mut form = Form::parse(&html, PAGE);
    form.fields
        .retain(|(k, v)| !(k == "f.themes" && v == "cities"));
    let r = browser.post(PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (removed, added) = last_change(&site);
    assert_eq!(removed, vec!["themes: [cities]".to_string()]);
    assert_eq!(added, vec!["themes: []".to_string()]);

    // A value that is no entry is refused with a message, nothing written;
    // through the API too.
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (status, html) = post(&browser, &[("f.lead", "nobody-here")], None).await;
    assert_eq!(status, 422);
    assert!(
        unescape(&html).contains("“nobody-here” is not among the entries to choose from."),
        "{html}"
    );
    let api = Api::new(
        &server,
        Some(&token(&server.data, "bot", &["--role", "editor"])),
    );
    let r = api
        .patch(
            "/api/v1/collections/projects/entries/street-trees",
            &json!({"fields": {"funder": "XYZ"}}),
            None,
        )
        .await;
    let p = crate::api::problem(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "funder");
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing written");
    let r = api
        .patch(
            "/api/v1/collections/projects/entries/street-trees",
            &json!({"fields": {"funder": "ERC"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);

    // The entries as you type, for the form's script: folded, ranked.
    let (status, found) = browser.get("/choices/projects/team?q=GRACE").await;
    assert_eq!(status, 200);
    let found: serde_json::Value = serde_json::from_str(&found).expect("json");
    assert_eq!(
        found,
        json!([{"value": "grace-hopper", "label": "Grace Hopper"}])
    );
    let (status, _) = browser.get("/choices/projects/name?q=x").await;
    assert_eq!(status, 404, "not a relation");
    let long = "a".repeat(10_000);
    let (status, _) = browser
        .get(&format!("/choices/projects/team?q={long}\"*AND("))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_preview_renders_the_text_as_the_site_would_without_running_anything() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let commits = commit_count(&site);
    // Without JavaScript: the Preview button shows it under the text, kept.
    let body = "# Hello\n\nSome *words* and {{ site.title }}.\n\n<script>alert(1)</script>\n";
    let (status, html) = post(&browser, &[("body", body)], Some("preview")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<h1 id=\"preview-hello\">Hello</h1>"),
        "{html}"
    );
    assert!(html.contains("<em>words</em>"));
    assert!(html.contains("{{ site.title }}"));
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("data-unsaved=\"1\""));
    assert_eq!(commit_count(&site), commits, "a preview saves nothing");
    // The fragment the script asks for, CSRF-checked like every form.
    let (_, page) = browser.get(PAGE).await;
    let csrf = Form::parse(&page, PAGE)
        .get("_csrf")
        .expect("csrf")
        .to_string();
    let r = browser
        .post(
            "/preview",
            &[("_csrf".into(), csrf), ("text".into(), "**b**".into())],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.text().await.expect("text").trim(),
        "<p><strong>b</strong></p>"
    );
    let r = browser
        .post("/preview", &[("text".into(), "x".into())])
        .await;
    assert_eq!(r.status().as_u16(), 403, "no CSRF token");
}

#[tokio::test]
async fn each_scalar_widget_changes_only_its_line_and_ruby_reads_it_as_entered() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    // (control, value entered, line before, line after, Ruby's reading)
    let cases = [
        (
            "f.name",
            "Street Trees: phase 2",
            "name: Street Trees",
            "name: \"Street Trees: phase 2\"",
            json!({"t": "str", "v": "Street Trees: phase 2"}),
        ),
        (
            "f.start_date",
            "2025-02-03",
            "start_date: 2024-05-01",
            "start_date: 2025-02-03",
            json!({"t": "date", "v": "2025-02-03"}),
        ),
        (
            "f.featured",
            "true",
            "featured: false",
            "featured: true",
            json!({"t": "bool", "v": true}),
        ),
        (
            "f.budget",
            "1500",
            "budget: 1200",
            "budget: 1500",
            json!({"t": "int", "v": 1500}),
        ),
        (
            "f.category",
            "community",
            "category: research",
            "category: community",
            json!({"t": "str", "v": "community"}),
        ),
        (
            "f.lead",
            "grace-hopper",
            "lead: ada-lovelace",
            "lead: grace-hopper",
            json!({"t": "str", "v": "grace-hopper"}),
        ),
        (
            "f.funder",
            "ERC",
            "funder: ANR",
            "funder: ERC",
            json!({"t": "str", "v": "ERC"}),
        ),
        (
            "f.summary",
            "no",
            "summary: Counting the trees of a city.",
            "summary: \"no\"",
            json!({"t": "str", "v": "no"}),
        ),
        (
            "f.end_date",
            "2027-06-30",
            "end_date: 2026-12-31",
            "end_date: 2027-06-30",
            json!({"t": "date", "v": "2027-06-30"}),
        ),
        (
            "f.report",
            "/files/report-2.pdf",
            "report: /files/report.pdf",
            "report: /files/report-2.pdf",
            json!({"t": "str", "v": "/files/report-2.pdf"}),
        ),
        (
            "f.rating",
            "3.5",
            "rating: 4.5",
            "rating: 3.5",
            json!({"t": "float", "v": "3.5"}),
        ),
    ];
    for (control, value, before, after, _) in &cases {
        let (status, html) = post(&browser, &[(control, value)], None).await;
        assert_eq!(status, 303, "{control}: {html}");
        assert_eq!(
            last_change(&site),
            (vec![before.to_string()], vec![after.to_string()]),
            "{control}"
        );
    }
    if tool_available("ruby") {
        let scratch = tempdir();
        let path = site.join(FILE);
        let read = ruby_read(std::slice::from_ref(&path), scratch.path());
        let doc = &read[&path.display().to_string()];
        for (control, _, _, _, expected) in &cases {
            let key = control.trim_start_matches("f.");
            assert_eq!(&doc[key], expected, "{key}");
        }
    }
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn new_documents_are_named_by_the_collections_template_and_listed_by_its_summary() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    // The collection's page names each row by its summary.
    let (_, html) = browser.get("/collections/projects").await;
    assert!(
        unescape(&html).contains(">Street Trees · research</a>"),
        "{html}"
    );

    // `slug: "{{year}}-{{slug}}"`: the year, then the title folded.
    let year = time::OffsetDateTime::now_utc().year();
    let commits = commit_count(&site);
    let new = "/collections/projects/new";
    let (_, html) = browser.get(new).await;
    let form = Form::parse(&html, new).with("title", "École des données & IA");
    let r = browser.post(new, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let slug = format!("{year}-ecole-des-donnees-ia");
    assert_eq!(
        r.headers()["location"].to_str().expect("location"),
        format!("/collections/projects/{slug}")
    );
    assert_eq!(commit_count(&site), commits + 1);
    let text = checked_out(&site, &format!("_projects/{slug}.md"));
    assert!(text.contains("name: École des données & IA\n"), "{text}");
    assert!(
        text.contains("layout: project\n"),
        "the hidden field's default: {text}"
    );
    // The same title again: the address is taken, said, nothing written.
    let (_, html) = browser.get(new).await;
    let form = Form::parse(&html, new).with("title", "École des données & IA");
    let r = browser.post(new, &form.fields).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(unescape(&r.text().await.expect("text")).contains(&slug));
    assert_eq!(commit_count(&site), commits + 1);

    // A post is named by its date, as Jekyll reads posts.
    let new = "/collections/posts/new";
    let (status, html) = browser.get(new).await;
    assert_eq!(status, 200, "{html}");
    let form = Form::parse(&html, new).with("title", "Hello, world");
    let r = browser.post(new, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let now = time::OffsetDateTime::now_utc();
    let name = format!(
        "_posts/{:04}-{:02}-{:02}-hello-world.md",
        now.year(),
        u8::from(now.month()),
        now.day()
    );
    assert!(site.join(&name).exists(), "{name}");
}

#[tokio::test]
async fn a_document_breaking_a_rule_is_shown_with_the_message_and_saved_for_its_other_fields() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    // Edited with git: a budget below the minimum, a category not offered.
    let text = std::fs::read_to_string(site.join(FILE))
        .expect("read")
        .replace("budget: 1200", "budget: -5")
        .replace("category: research", "category: secret");
    std::fs::write(site.join(FILE), text).expect("write");
    git(&site, &["commit", "-qam", "Edited with git"]);
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (status, html) = browser.get(PAGE).await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    assert!(
        html.contains("<p class=\"field-warning\" id=\"f-5-warning\">At least 0.</p>"),
        "{html}"
    );
    assert!(
        html.contains("“secret” is not one of the options."),
        "{html}"
    );
    // Another field saves; the file's other lines stay as they are.
    let (status, _) = post(&browser, &[("f.summary", "Still counting.")], None).await;
    assert_eq!(status, 303);
    let (removed, added) = last_change(&site);
    assert_eq!(
        removed,
        vec!["summary: Counting the trees of a city.".to_string()]
    );
    assert_eq!(added, vec!["summary: Still counting.".to_string()]);
    // Changing the broken field to another broken value is refused.
    let (status, html) = post(&browser, &[("f.budget", "-7")], None).await;
    assert_eq!(status, 422);
    assert!(unescape(&html).contains("At least 0."));
}

#[tokio::test]
async fn the_collection_page_filters_by_title_and_columns_accents_folded() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    for (q, found) in [
        ("STREET", true),
        ("rÉsearch trees", true),
        ("zzz", false),
        ("\"*AND(", false),
    ] {
        let (status, html) = browser
            .get(&format!(
                "/collections/projects?q={}",
                q.replace(' ', "+")
                    .replace('"', "%22")
                    .replace('*', "%2A")
                    .replace('(', "%28")
            ))
            .await;
        assert_eq!(status, 200, "{q}");
        let html = unescape(&html);
        assert_eq!(
            html.contains(">Street Trees · research</a>"),
            found,
            "{q}: {html}"
        );
        if found {
            assert!(html.contains("One document matches."), "{html}");
        } else {
            assert!(html.contains("No document matches this filter."), "{html}");
        }
    }
    let long = "a".repeat(10_000);
    let (status, _) = browser
        .get(&format!("/collections/projects?q={long}"))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn hostile_nested_names_and_buttons_are_answered_without_harm() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let before = checked_out(&site, FILE);
    let commits = commit_count(&site);
    let deep = format!("n:partners{}", "[0]".repeat(40));
    for (name, value) in [
        ("n:", "x"),
        ("n:[0]", "x"),
        ("n:partners[", "x"),
        ("n:partners[0", "x"),
        ("n:partners[a b]", "x"),
        ("n:partners%zz", "x"),
        ("o:partners[0]", "not a number"),
        ("o:partners[1]", "99"),
        ("t:nosuchfield", "list"),
        (deep.as_str(), "x"),
    ] {
        let (_, html) = browser.get(PAGE).await;
        let form = Form::parse(&html, PAGE).with(name, value);
        let r = browser.post(PAGE, &form.fields).await;
        let status = r.status().as_u16();
        assert!(status < 500, "{name}={value}: {status}");
    }
    for op in [
        "explode:partners",
        "up:partners[99]",
        "down:partners[1]",
        "remove:nosuch[0]",
        "add:contact",
        "find:",
        "up:",
    ] {
        let (status, _) = post(&browser, &[], Some(op)).await;
        assert!(status < 500, "{op}: {status}");
    }
    // None of it changed the partners or anything else but what a save of
    // the same values writes: nothing.
    assert_eq!(checked_out(&site, FILE), before);
    assert_eq!(commit_count(&site), commits);
}

#[tokio::test]
async fn a_configured_object_the_document_lacks_is_offered_and_written_only_when_filled() {
    let dir = tempdir();
    let site = widgets_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let page = "/collections/projects/minimal";
    let file = "_projects/minimal.md";
    let (_, html) = browser.get(page).await;
    let html = unescape(&html);
    assert!(html.contains("<legend>Contact</legend>"), "{html}");
    assert!(
        html.contains("name=\"n:contact.email\" value=\"\""),
        "{html}"
    );
    assert!(html.contains("<legend>Partners</legend>"), "{html}");
    // Saved untouched: nothing to write, no commit.
    let commits = commit_count(&site);
    let form = Form::parse(&html, page);
    let r = browser.post(page, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(commit_count(&site), commits, "empty controls add nothing");
    // One member filled: the object is written with that member alone.
    let form = form.with("n:contact.email", "min@example.org");
    let r = browser.post(page, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let text = checked_out(&site, file);
    assert!(
        text.ends_with("layout: project\ncontact:\n  email: min@example.org\n---\nShort.\n"),
        "{text}"
    );
}
