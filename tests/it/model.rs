//! The content model (issue 15) from outside: a site with a Decap
//! `admin/config.yml` and a `_cairn.yml` that overrides it in French. The
//! form shows the configured labels, hints, options and required marks and
//! hides hidden fields; the rules are checked on the server, through the
//! admin and the API alike, and a refused save writes nothing.

use crate::api::{Api, problem, token};
use crate::support::*;
use serde_json::json;

const DECAP: &str = r#"backend:
  name: git-gateway
media_folder: assets/images
collections:
  - name: projects
    label: Projects
    label_singular: Project
    folder: _projects
    create: true
    fields:
      - {label: Project name, name: name, widget: string, hint: As shown on the site}
      - {label: Category, name: category, widget: select, options: [research, innovation, {label: Community work, value: community}]}
      - {label: Layout, name: layout, widget: hidden, default: projects}
      - {label: Code, name: code, widget: string, required: false, pattern: ['^[A-Z]{3}$', "Three capital letters, like ABC"]}
      - {label: Budget, name: budget, widget: number, value_type: int, min: 0, max: 1000000, required: false}
      - {label: Start, name: start_date, widget: date, required: false}
      - {label: Text, name: body, widget: markdown}
      - {label: Partners, name: partners, widget: relation, collection: people}
"#;

const CAIRN: &str = "collections:\n  projects:\n    fields:\n      - name: name\n        label: {fr: Nom du projet}\n        hint: {fr: Tel qu'il paraît sur le site}\n      - name: code\n        pattern: ['^[A-Z]{3}$', {fr: 'Trois majuscules, comme ABC', en: 'Three capital letters, like ABC'}]\n";

const DOC: &str = "---\nname: Street Trees\nlayout: projects\ncategory: research\ncode: STR\nbudget: 1200\n# kept as written\nlead: Jane\n---\nText.\n";

const PAGE: &str = "/collections/projects/street-trees";

fn modelled_site(dir: &std::path::Path) -> std::path::PathBuf {
    let site = dir.join("site");
    make_site(
        &site,
        &[
            (
                "_config.yml",
                "title: Lab\ncollections:\n  projects:\n    output: true\n",
            ),
            ("admin/config.yml", DECAP),
            ("_cairn.yml", CAIRN),
            ("_projects/street-trees.md", DOC),
        ],
    );
    site
}

#[tokio::test]
async fn the_form_follows_the_sites_configuration_in_each_language() {
    let dir = tempdir();
    let site = modelled_site(dir.path());
    let (server, english) = site_with_editor(&site, &dir.path().join("data")).await;
    let (status, html) = english.get(PAGE).await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    // Labels and hints from Decap, in Decap's order; required marked.
    assert!(
        html.contains(">Project name <span class=\"required\">(required)</span></label>"),
        "{html}"
    );
    assert!(html.contains("As shown on the site</small>"), "{html}");
    let name_at = html.find("Project name").expect("name");
    let category_at = html.find(">Category").expect("category");
    assert!(name_at < category_at, "configured order");
    // The hint and the requirement are told to assistive technology too.
    assert!(
        html.contains("name=\"f.name\" value=\"Street Trees\" aria-required=\"true\" aria-describedby=\"f-1-hint\""),
        "{html}"
    );
    // A select with the configured options and labels.
    assert!(
        html.contains("<select id=\"f-2\" name=\"f.category\""),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"research\" selected>research</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"community\">Community work</option>"),
        "{html}"
    );
    // Hidden: not on the form (and so kept as it is).
    assert!(!html.contains("name=\"f.layout\""), "{html}");
    // Not configured: inferred as before.
    assert!(html.contains("name=\"f.lead\""), "{html}");

    // French: the label and hint _cairn.yml gives; the rest from Decap.
    let french = Browser::speaking(&server, "fr");
    let r = french.login("alice", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = french.get(PAGE).await;
    let html = unescape(&html);
    assert!(
        html.contains(">Nom du projet <span class=\"required\">(obligatoire)</span>"),
        "{html}"
    );
    assert!(
        html.contains("Tel qu'il paraît sur le site</small>"),
        "{html}"
    );
    assert!(html.contains(">Category"), "no French given: Decap's label");

    // A select's value saved changes only that line.
    let form = Form::parse(&html, PAGE).with("f.category", "community");
    assert_eq!(french.post(PAGE, &form.fields).await.status().as_u16(), 303);
    let diff = git(
        &site,
        &[
            "diff",
            "HEAD~1",
            "HEAD",
            "--unified=0",
            "--",
            "_projects/street-trees.md",
        ],
    );
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        ["-category: research", "+category: community"],
        "{diff}"
    );
    let text = std::fs::read_to_string(site.join("_projects/street-trees.md")).expect("file");
    assert!(
        text.contains("layout: projects\n") && text.contains("# kept as written\n"),
        "{text}"
    );
}

#[tokio::test]
async fn the_rules_refuse_bad_values_in_both_faces_and_write_nothing() {
    let dir = tempdir();
    let site = modelled_site(dir.path());
    let (server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (_, html) = browser.get(PAGE).await;

    // Bad inputs tried through the form: an empty required name, a code not
    // in its pattern, a category not among the options, a budget that is
    // not a number, one with a fraction, one below the minimum.
    for (field, value, says) in [
        ("f.name", "", "A value is required."),
        ("f.code", "abc", "Three capital letters, like ABC"),
        (
            "f.category",
            "sports",
            "“sports” is not one of the options.",
        ),
        ("f.budget", "lots", "“lots” is not a number."),
        ("f.budget", "12.5", "“12.5” is not a whole number."),
        ("f.budget", "-3", "At least 0."),
    ] {
        let form = Form::parse(&html, PAGE).with(field, value);
        let r = browser.post(PAGE, &form.fields).await;
        assert_eq!(r.status().as_u16(), 422, "{field}={value}");
        let page = unescape(&r.text().await.expect("page"));
        assert!(page.contains(says), "{field}={value}: {says} in {page}");
        assert!(
            page.contains("aria-invalid=\"true\""),
            "{field}: marked invalid"
        );
        assert!(
            page.contains(&format!("value=\"{value}\"")) || field == "f.category",
            "{field}: what was typed is kept"
        );
        assert_eq!(
            git(&site, &["rev-parse", "HEAD"]),
            head,
            "{field}: nothing committed"
        );
    }
    // In French, the configured message in French.
    let french = Browser::speaking(&server, "fr");
    french.login("alice", PASSWORD).await;
    let (_, html) = french.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.code", "ab");
    let r = french.post(PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("Trois majuscules, comme ABC")
    );

    // The API: the same rules, problem+json with each field.
    let editor = token(&server.data, "bot", &["--role", "editor"]);
    let api = Api::new(&server, Some(&editor));
    let entry = "/api/v1/collections/projects/entries/street-trees";
    for (body, field) in [
        (json!({"fields": {"name": ""}}), "name"),
        (json!({"fields": {"code": "abcd"}}), "code"),
        (json!({"fields": {"category": "sports"}}), "category"),
        (json!({"fields": {"budget": 2_000_000}}), "budget"),
        (
            json!({"fields": {"start_date": "2021-02-30"}}),
            "start_date",
        ),
        (json!({"fields": {"start_date": "soon"}}), "start_date"),
    ] {
        let p = problem(api.patch(entry, &body, None).await, 422).await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
        assert_eq!(
            git(&site, &["rev-parse", "HEAD"]),
            head,
            "{field}: nothing committed"
        );
    }
    // A rule only applies to the field changed: a document already
    // breaking one still saves its other fields.
    std::fs::write(
        site.join("_projects/street-trees.md"),
        DOC.replace("code: STR", "code: bad"),
    )
    .expect("write");
    git(
        &site,
        &["commit", "-qam", "A code outside the rule, made with git"],
    );
    let r = api
        .patch(entry, &json!({"fields": {"lead": "Ana"}}), None)
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let text = std::fs::read_to_string(site.join("_projects/street-trees.md")).expect("file");
    assert!(
        text.contains("code: bad\n") && text.contains("lead: Ana\n"),
        "{text}"
    );
}

#[tokio::test]
async fn a_broken_configuration_is_reported_and_the_inferred_form_is_used() {
    let dir = tempdir();
    let site = dir.path().join("site");
    make_site(
        &site,
        &[
            (
                "_config.yml",
                "collections:\n  projects:\n    output: true\n",
            ),
            ("_cairn.yml", "collections:\n  projects: [unclosed\n"),
            (
                "admin/config.yml",
                "collections:\n  - name: projects\n    folder: _projects\n    fields:\n      - {name: name, widget: carousel}\n",
            ),
            ("_projects/a.md", "---\nname: Alpha\ncount: 3\n---\nText.\n"),
        ],
    );
    let (server, _editor) = site_with_editor(&site, &dir.path().join("data")).await;
    let admin = sign_in_as(&server, "root", "admin").await;
    let (status, html) = admin.get("/").await;
    assert_eq!(status, 200, "the server keeps running");
    let html = unescape(&html);
    // The parser notices the unclosed list where the text ends: line 3.
    assert!(
        html.contains(
            "_cairn.yml, line 3: the file cannot be read as YAML (while parsing a flow sequence"
        ),
        "file and line: {html}"
    );
    assert!(
        html.contains("admin/config.yml, line 5") && html.contains("carousel"),
        "{html}"
    );
    // The form is the inferred one.
    let (status, form) = admin.get("/collections/projects/a").await;
    assert_eq!(status, 200);
    assert!(
        form.contains("name=\"f.name\"") && form.contains("name=\"f.count\""),
        "{form}"
    );
    // Editors are not told about the configuration.
    let (_, html) = _editor.get("/").await;
    assert!(!html.contains("_cairn.yml"), "{html}");
}

#[tokio::test]
async fn a_new_document_gets_the_configured_defaults() {
    let dir = tempdir();
    let site = modelled_site(dir.path());
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (_, html) = browser.get("/collections/projects/new").await;
    let form = Form::parse(&html, "/collections/projects/new").with("title", "Canopy Map");
    let r = browser
        .post("/collections/projects/new", &form.fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let text = std::fs::read_to_string(site.join("_projects/canopy-map.md")).expect("created");
    // The title in the collection's title field, and Decap's default layout.
    assert_eq!(
        text, "---\nname: Canopy Map\nlayout: projects\n---\n",
        "{text}"
    );
    assert_eq!(
        git(&site, &["rev-list", "--count", "HEAD"]).trim(),
        "2",
        "one commit"
    );
}

#[tokio::test]
async fn the_demo_names_its_collection_and_fields_in_each_language() {
    let (_dir, server, english) = demo_with_editor().await;
    let french = Browser::speaking(&server, "fr");
    assert_eq!(french.login("alice", PASSWORD).await.status().as_u16(), 303);
    for (browser, collection, name_label, hint) in [
        (
            &english,
            "Projects",
            "Project name",
            "As it appears on the site.",
        ),
        (
            &french,
            "Projets",
            "Nom du projet",
            "Tel qu'il paraît sur le site.",
        ),
    ] {
        let (_, dash) = browser.get("/").await;
        assert!(
            dash.contains(&format!(
                "<a href=\"/collections/projects\">{collection}</a>"
            )),
            "{dash}"
        );
        let (_, list) = browser.get("/collections/projects").await;
        assert!(list.contains(&format!("<h1>{collection}</h1>")), "{list}");
        let (_, form) = browser.get("/collections/projects/ai-and-cities").await;
        let form = unescape(&form);
        assert!(
            form.contains(&format!(
                "<a href=\"/collections/projects\">{collection}</a> /</nav>"
            )),
            "{form}"
        );
        assert!(
            form.contains(&format!(">{name_label} <span class=\"required\">")),
            "{form}"
        );
        assert!(form.contains(&format!("{hint}</small>")), "{form}");
        assert!(
            !form.contains("name=\"f.layout\""),
            "the layout is hidden: {form}"
        );
    }
}

#[tokio::test]
async fn create_false_and_delete_false_remove_the_buttons_and_refuse_the_requests() {
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
                "_cairn.yml",
                "collections:\n  projects:\n    create: false\n    delete: false\n",
            ),
            ("_projects/a.md", "---\ntitle: Alpha\n---\nText.\n"),
        ],
    );
    let (server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (_, list) = browser.get("/collections/projects").await;
    assert!(
        !list.contains("/collections/projects/new"),
        "no New button: {list}"
    );
    let (_, page) = browser.get("/collections/projects/a").await;
    assert!(
        !page.contains("/collections/projects/a/delete"),
        "no Delete link: {page}"
    );
    assert!(page.contains("name=\"f.title\""), "still editable");
    assert_eq!(browser.get("/collections/projects/new").await.0, 403);
    let (status, refused) = browser.get("/collections/projects/a/delete").await;
    assert_eq!(status, 403);
    assert!(refused.contains("does not let Cairn delete"), "{refused}");
    // Posted anyway (a form kept from before the setting): refused too.
    let csrf = Form::parse(&page, "/collections/projects/a")
        .get("_csrf")
        .expect("token")
        .to_string();
    let r = browser
        .post(
            "/collections/projects/new",
            &[
                ("_csrf".into(), csrf.clone()),
                ("title".into(), "Beta".into()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let base = Form::parse(&page, "/collections/projects/a")
        .get("base")
        .expect("base")
        .to_string();
    let r = browser
        .post(
            "/collections/projects/a/delete",
            &[("_csrf".into(), csrf), ("base".into(), base)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    // The API alike.
    let editor = token(&server.data, "bot", &["--role", "editor"]);
    let api = Api::new(&server, Some(&editor));
    let r = api
        .send_json(
            reqwest::Method::POST,
            "/api/v1/collections/projects/entries",
            &json!({"fields": {"title": "Gamma"}}),
        )
        .await;
    let p = problem(r, 403).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("does not allow"),
        "{p}"
    );
    let r = reqwest::Client::new()
        .delete(server.url("/api/v1/collections/projects/entries/a"))
        .bearer_auth(&editor)
        .send()
        .await
        .expect("DELETE");
    problem(r, 403).await;
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing written");
    assert!(site.join("_projects/a.md").exists());
}

#[tokio::test]
async fn the_collection_page_is_a_table_with_columns_that_sort() {
    let (_dir, _server, browser) = demo_with_editor().await;
    let (status, html) = browser.get("/collections/projects").await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    assert!(html.contains("<p class=\"meta\">4 documents</p>"), "{html}");
    assert!(
        html.contains(">New: Project</button>"),
        "the singular label: {html}"
    );
    // The shared short values (not the hidden layout), by their labels.
    let header = html
        .split_once("<thead>")
        .and_then(|(_, h)| h.split_once("</thead>"))
        .map(|(h, _)| h.to_string())
        .expect("a header");
    for label in ["Title", "Category", "Type", "End date"] {
        assert!(
            header.contains(&format!(">{label}</a></th>")),
            "{label}: {header}"
        );
    }
    assert!(!header.contains("Layout"), "{header}");
    assert!(
        header.contains(
            "aria-sort=\"ascending\"><a href=\"/collections/projects?sort=title&dir=desc\">Title"
        ),
        "{header}"
    );
    let titles = |html: &str| -> Vec<String> {
        html.split("<td><a href=\"/collections/projects/")
            .skip(1)
            .filter_map(|r| {
                r.split_once("\">")
                    .and_then(|(_, t)| t.split_once("</a>"))
                    .map(|(t, _)| t.to_string())
            })
            .collect()
    };
    assert_eq!(
        titles(&html),
        [
            "AI & Cities",
            "Civic Data Trusts",
            "Open Mobility Lab",
            "Urban Heat Commons"
        ]
    );
    let (_, by_category) = browser
        .get("/collections/projects?sort=category&dir=desc")
        .await;
    let by_category = unescape(&by_category);
    assert!(by_category.contains(
        "aria-sort=\"descending\"><a href=\"/collections/projects?sort=category&dir=asc\">Category"
    ));
    // research, research, policy, innovation (ties keep the title order).
    assert_eq!(
        titles(&by_category),
        [
            "AI & Cities",
            "Urban Heat Commons",
            "Civic Data Trusts",
            "Open Mobility Lab"
        ]
    );
    // A column that does not exist sorts by title.
    assert_eq!(browser.get("/collections/projects?sort=nope").await.0, 200);
}

#[tokio::test]
async fn a_long_collection_is_paged_with_its_values_on_every_page() {
    let dir = tempdir();
    let site = dir.path().join("site");
    let docs: Vec<(String, String)> = (0..205)
        .map(|i| {
            (
                format!("_projects/p{i:03}.md"),
                format!(
                    "---\ntitle: Project {i:03}\ncategory: {}\n---\n",
                    if i % 2 == 0 { "even" } else { "odd" }
                ),
            )
        })
        .collect();
    let mut files: Vec<(&str, &str)> = vec![(
        "_config.yml",
        "collections:\n  projects:\n    output: true\n",
    )];
    files.extend(docs.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    make_site(&site, &files);
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let (_, first) = browser.get("/collections/projects").await;
    let first = unescape(&first);
    assert!(first.contains("205 documents"), "{first}");
    assert!(first.contains("Documents 1–100 of 205"), "{first}");
    assert_eq!(
        first
            .matches("<td><a href=\"/collections/projects/p")
            .count(),
        100
    );
    assert!(
        first.contains("<td>even</td>") && first.contains("<td>odd</td>"),
        "values on page 1"
    );
    assert!(first.contains("page=2\" rel=\"next\""), "{first}");
    let (_, last) = browser.get("/collections/projects?page=3").await;
    let last = unescape(&last);
    assert!(last.contains("Documents 201–205 of 205"), "{last}");
    assert_eq!(
        last.matches("<td><a href=\"/collections/projects/p")
            .count(),
        5
    );
    assert!(
        last.contains("<td>even</td>"),
        "values on the last page too: {last}"
    );
    assert!(
        last.contains("page=2\" rel=\"prev\"") && !last.contains("rel=\"next\""),
        "{last}"
    );
    // Past the end: the last page, with its values.
    let (status, past) = browser.get("/collections/projects?page=99").await;
    assert_eq!(status, 200);
    assert!(unescape(&past).contains("Documents 201–205 of 205") && past.contains("<td>even</td>"));
}
