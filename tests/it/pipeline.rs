//! The one edit pipeline (issue 13): the admin creates and deletes like the
//! API does; a conflict, a bad name or a bad value gets the same status
//! through both faces, and a conflict names who made the other change; a
//! server asked to stop (SIGTERM) finishes what it answered and frees the
//! site at once.

use crate::api::{Api, problem, token};
use crate::support::*;
use serde_json::{Value, json};

const PROJECTS: &str = "/collections/projects";
const ENTRIES: &str = "/api/v1/collections/projects/entries";
const ENTRY: &str = "/api/v1/collections/projects/entries/ai-and-cities";
const PAGE: &str = "/collections/projects/ai-and-cities";

/// The New form of the projects collection, filled in.
async fn new_form(browser: &Browser, title: &str, slug: &str) -> Vec<(String, String)> {
    let (status, html) = browser.get(&format!("{PROJECTS}/new")).await;
    assert_eq!(status, 200, "{html}");
    Form::parse(&html, &format!("{PROJECTS}/new"))
        .with("title", title)
        .with("slug", slug)
        .fields
}

fn head(site: &std::path::Path) -> String {
    git(site, &["rev-parse", "HEAD"]).trim().to_string()
}

#[tokio::test]
async fn the_admin_creates_and_deletes_documents_each_one_commit_by_the_editor() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let (_, list) = browser.get(PROJECTS).await;
    assert!(
        list.contains(&format!("action=\"{PROJECTS}/new\"")),
        "the collection page offers a new page"
    );
    let before = commit_count(&site);

    // Refused, with the typed values kept and nothing written: no title; an
    // address with `..`, a control character, a slash; one too long for a
    // file name; an address taken.
    for (title, slug, status, says) in [
        ("", "kept-address", 422, "Give the new page a title."),
        (
            "Kept title",
            "..",
            422,
            "can only hold letters, digits and dashes",
        ),
        (
            "Kept title",
            "a\u{7}b",
            422,
            "can only hold letters, digits and dashes",
        ),
        (
            "Kept title",
            "a//b",
            422,
            "can only hold letters, digits and dashes",
        ),
        // 150 accented letters: 150 characters, 300 bytes in a file name.
        (
            "Kept title",
            &"é".repeat(150),
            422,
            "This address is too long",
        ),
        (
            "Kept title",
            &"e".repeat(201),
            422,
            "This address is too long",
        ),
        ("Kept title", "ai-and-cities", 409, "already exists"),
        ("!!!", "", 422, "no letters or digits"),
    ] {
        let form = new_form(&browser, title, slug).await;
        let r = browser.post(&format!("{PROJECTS}/new"), &form).await;
        assert_eq!(r.status().as_u16(), status, "{title:?} {slug:?}");
        let html = unescape(&r.text().await.expect("body"));
        assert!(html.contains(says), "{title:?} {slug:?}: {html}");
        let kept = Form::parse(&html, &format!("{PROJECTS}/new"));
        assert_eq!(kept.get("title"), Some(title), "the title typed is kept");
        assert_eq!(kept.get("slug"), Some(slug), "the address typed is kept");
        assert!(
            html.contains("aria-invalid=\"true\""),
            "the field is marked"
        );
    }
    assert_eq!(commit_count(&site), before, "nothing refused was written");

    // Created: the address made from the title, one commit by Alice.
    let form = new_form(&browser, "Street Trees: a Census", "").await;
    let r = browser.post(&format!("{PROJECTS}/new"), &form).await;
    assert_eq!(r.status().as_u16(), 303);
    let page = "/collections/projects/street-trees-a-census";
    assert_eq!(r.headers()["location"], page);
    assert_eq!(commit_count(&site), before + 1);
    assert_eq!(
        git(&site, &["log", "-1", "--format=%an <%ae>|%s"]).trim(),
        "Alice Martin <alice@example.org>|Create projects/street-trees-a-census"
    );
    assert_eq!(
        git(&site, &["show", "--name-status", "--format=", "HEAD"]).trim(),
        "A\t_projects/street-trees-a-census.md"
    );
    let file = git(&site, &["show", "HEAD:_projects/street-trees-a-census.md"]);
    assert_eq!(file, "---\nname: \"Street Trees: a Census\"\n---\n");
    let (status, html) = browser.get(page).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Street Trees: a Census</h1>"), "{html}");

    // Deleted after a confirmation page; a confirmation made before the
    // page changed deletes nothing.
    let (status, confirm) = browser.get(&format!("{page}/delete")).await;
    assert_eq!(status, 200);
    let delete = Form::parse(&confirm, &format!("{page}/delete"));
    assert!(delete.get("base").is_some_and(|b| b.len() == 40));
    let stale = delete.clone();
    let (_, html) = browser.get(page).await;
    let edit = Form::parse(&html, page).with("f.mission", "Count every tree");
    assert_eq!(browser.post(page, &edit.fields).await.status(), 303);
    let after_edit = head(&site);
    let r = browser.post(&format!("{page}/delete"), &stale.fields).await;
    assert_eq!(r.status().as_u16(), 412);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("nothing was deleted")
    );
    assert_eq!(head(&site), after_edit, "nothing deleted");

    let (_, confirm) = browser.get(&format!("{page}/delete")).await;
    let delete = Form::parse(&confirm, &format!("{page}/delete"));
    let r = browser
        .post(&format!("{page}/delete"), &delete.fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], PROJECTS);
    assert_eq!(
        git(&site, &["log", "-1", "--format=%an <%ae>|%s"]).trim(),
        "Alice Martin <alice@example.org>|Delete projects/street-trees-a-census"
    );
    assert_eq!(
        git(&site, &["show", "--name-status", "--format=", "HEAD"]).trim(),
        "D\t_projects/street-trees-a-census.md"
    );
    assert_eq!(browser.get(page).await.0, 404);
    let count = commit_count(&site);

    // A reviewer is refused all of it, and nothing is written.
    let reviewer = sign_in_as(&server, "rita", "reviewer").await;
    let (_, list) = reviewer.get(PROJECTS).await;
    assert!(!list.contains("/new"), "no New button for a reviewer");
    assert_eq!(reviewer.get(&format!("{PROJECTS}/new")).await.0, 403);
    assert_eq!(reviewer.get(&format!("{PAGE}/delete")).await.0, 403);
    let (_, html) = reviewer.get(PAGE).await;
    assert!(!html.contains("/delete"), "no delete link for a reviewer");
    let csrf = Form::parse(&html, "/logout")
        .get("_csrf")
        .expect("token")
        .to_string();
    let r = reviewer
        .post(
            &format!("{PROJECTS}/new"),
            &[
                ("_csrf".into(), csrf.clone()),
                ("title".into(), "Sneaky".into()),
                ("slug".into(), String::new()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let blob = git(&site, &["rev-parse", "HEAD:_projects/ai-and-cities.md"]);
    let r = reviewer
        .post(
            &format!("{PAGE}/delete"),
            &[
                ("_csrf".into(), csrf),
                ("base".into(), blob.trim().to_string()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(commit_count(&site), count, "a reviewer writes nothing");
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn the_same_conflict_through_the_admin_and_the_api_is_409_and_names_who_and_when() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let site = server.site();
    let alice = sign_in_editor(&server).await;
    add_user(
        &server.data,
        "bob",
        "editor",
        "bob@example.org",
        "Bob Tremblay",
    );
    let bob = token(
        dir.path(),
        "bob's script",
        &["--role", "editor", "--user", "bob"],
    );
    let api = Api::new(&server, Some(&bob));

    // The admin: Alice opens the form; Bob changes the mission through the
    // API; Alice saves her mission from the form she opened.
    let (_, html) = alice.get(PAGE).await;
    let stale = Form::parse(&html, PAGE);
    let r = api
        .patch(
            ENTRY,
            &json!({"fields": {"mission": "Bob's mission"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let bobs = head(&site);
    let r = alice
        .post(PAGE, &stale.with("f.mission", "Alice's mission").fields)
        .await;
    assert_eq!(r.status().as_u16(), 409);
    let html = unescape(&r.text().await.expect("body"));
    let secs: i64 = git(&site, &["log", "-1", "--format=%at", &bobs])
        .trim()
        .parse()
        .expect("time");
    let when = cairn::i18n::Lang::En.when(&cairn::i18n::Zone::default(), secs);
    assert!(
        html.contains(&format!("changed by Bob Tremblay at {}", when.local)),
        "the admin names who and when: {html}"
    );
    assert!(html.contains("Bob&#x27;s mission") || html.contains("Bob's mission"));
    assert_eq!(head(&site), bobs, "nothing saved");

    // The API: Bob read the entry; Alice changes the mission in the admin;
    // Bob's patch from what he read changes the same field.
    let sha = api.json(ENTRY).await["sha"]
        .as_str()
        .expect("sha")
        .to_string();
    save_mission(&alice, "Alice's mission").await;
    let alices = head(&site);
    let r = api
        .patch(
            ENTRY,
            &json!({"sha": sha, "fields": {"mission": "Bob's second mission"}}),
            None,
        )
        .await;
    let p = problem(r, 409).await;
    let conflict = &p["conflicts"][0];
    assert_eq!(conflict["field"], "mission");
    assert_eq!(conflict["yours"], "Bob's second mission");
    assert_eq!(conflict["theirs"], "Alice's mission");
    assert_eq!(conflict["changed_by"]["name"], "Alice Martin");
    assert_eq!(conflict["changed_by"]["commit"], alices.as_str());
    let when = git(
        &site,
        &[
            "log",
            "-1",
            "--date=format-local:%Y-%m-%dT%H:%M:%SZ",
            "--format=%ad",
            &alices,
        ],
    );
    assert_eq!(conflict["changed_by"]["time"], when.trim());
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Alice Martin") && d.contains(when.trim())),
        "{p}"
    );
    assert_eq!(head(&site), alices, "nothing written");
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn the_same_bad_input_gets_the_same_status_through_both_faces() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let site = server.site();
    let browser = sign_in_editor(&server).await;
    let api = Api::new(
        &server,
        Some(&token(
            dir.path(),
            "script",
            &["--role", "editor", "--user", "alice"],
        )),
    );
    let count = commit_count(&site);

    // Names in the address that can be no document: `..`, control
    // characters, a leading dot; and an unknown collection.
    for (admin, api_path) in [
        ("/collections/projects/%2e%2e", format!("{ENTRIES}/%2e%2e")),
        ("/collections/projects/a%01b", format!("{ENTRIES}/a%01b")),
        ("/collections/projects/a%00b", format!("{ENTRIES}/a%00b")),
        (
            "/collections/projects/.hidden",
            format!("{ENTRIES}/.hidden"),
        ),
        (
            "/collections/nope/ai-and-cities",
            "/api/v1/collections/nope/entries/ai-and-cities".to_string(),
        ),
        (
            "/collections/nope",
            "/api/v1/collections/nope/entries".to_string(),
        ),
    ] {
        let (admin_status, _) = browser.get(admin).await;
        let r = api.get(&api_path).await;
        let api_status = r.status().as_u16();
        assert_eq!(admin_status, 404, "{admin}");
        assert_eq!(api_status, admin_status, "{api_path}");
        problem(r, 404).await;
    }

    // A new document's name with `..` or a control character: 422 in
    // both; in an unknown collection: 404 in both.
    for slug in ["..", "a\u{1}b", "a\nb"] {
        let form = new_form(&browser, "Title", slug).await;
        let admin = browser.post(&format!("{PROJECTS}/new"), &form).await;
        let r = api
            .send_json(
                reqwest::Method::POST,
                ENTRIES,
                &json!({"slug": slug, "fields": {"name": "Title"}}),
            )
            .await;
        assert_eq!(admin.status().as_u16(), 422, "{slug:?}");
        let p = problem(r, 422).await;
        assert_eq!(p["errors"][0]["field"], "slug");
    }
    let (_, html) = browser.get(&format!("{PROJECTS}/new")).await;
    let token = Form::parse(&html, &format!("{PROJECTS}/new"))
        .get("_csrf")
        .expect("token")
        .to_string();
    let admin = browser
        .post(
            "/collections/nope/new",
            &[
                ("_csrf".into(), token),
                ("title".into(), "Title".into()),
                ("slug".into(), String::new()),
            ],
        )
        .await;
    let r = api
        .send_json(
            reqwest::Method::POST,
            "/api/v1/collections/nope/entries",
            &json!({"fields": {"name": "Title"}}),
        )
        .await;
    assert_eq!(admin.status().as_u16(), 404);
    problem(r, 404).await;

    // A value that cannot be written (a nested object through the API; a
    // field whose name YAML cannot hold through the form): 422 in both,
    // with the field named, nothing written, the form's input kept.
    let r = api
        .patch(
            ENTRY,
            &json!({"fields": {"mission": {"nested": true}}}),
            None,
        )
        .await;
    let p = problem(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "mission");
    let (_, html) = browser.get(PAGE).await;
    let form = Form::parse(&html, PAGE)
        .with("f.mission", "Typed before the refusal")
        .with("f.bad: key", "x");
    let r = browser.post(PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = unescape(&r.text().await.expect("body"));
    assert!(html.contains("Typed before the refusal"), "input kept");
    assert!(html.contains("is not a valid field name"), "{html}");
    assert_eq!(commit_count(&site), count, "nothing written");
}

/// SIGTERM while saves keep coming: every save answered 2xx is a commit on
/// the branch, the server exits 0 within a few seconds, and a new server
/// on the same site starts at once (the writer lock is free).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_saves_keeps_every_answered_save_and_frees_the_site() {
    let dir = tempdir();
    let mut server = Server::start(dir.path(), None);
    let site = server.site();
    add_user(&server.data, "alice", "editor", "a@example.org", "Alice");
    let secret = token(
        dir.path(),
        "script",
        &["--role", "editor", "--user", "alice"],
    );
    let api = Api::new(&server, Some(&secret));
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let saves = {
        let answered = answered.clone();
        tokio::spawn(async move {
            // Bounded: at most 2,000 saves or 60 s.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            for n in 0..2_000 {
                if std::time::Instant::now() > deadline {
                    break;
                }
                let body = json!({"fields": {"mission": format!("Save {n}")}});
                let r = api.request_patch(ENTRY, &body).await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let v: Value = r.json().await.expect("json");
                        let commit = v["commit"].as_str().expect("commit").to_string();
                        answered.lock().expect("lock").push(commit);
                    }
                    // Refused or cut off once the server stops.
                    Ok(r) => assert!(r.status().is_server_error(), "unexpected {}", r.status()),
                    Err(_) => break,
                }
            }
        })
    };
    // Stop once saves are flowing.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while answered.lock().expect("lock").len() < 20 {
        assert!(std::time::Instant::now() < deadline, "saves never flowed");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let status = server.terminate(10).expect("exited within 10 s");
    assert!(status.success(), "exit status {status}");
    saves.await.expect("the save loop");
    let answered = answered.lock().expect("lock").clone();
    assert!(answered.len() >= 20);
    let on_branch = git(&site, &["rev-list", "HEAD"]);
    for commit in &answered {
        assert!(
            on_branch.lines().any(|c| c == commit),
            "an answered save is missing: {commit}"
        );
    }
    eprintln!("{} saves answered before the stop", answered.len());
    assert_fsck_clean(&site);

    // The same site serves again at once, and saves.
    let again = Server::start(dir.path(), None);
    let api = Api::new(&again, Some(&secret));
    let r = api
        .patch(
            ENTRY,
            &json!({"fields": {"mission": "After the restart"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_checkout_clean(&site);
}

/// Serving in this process (as tests do, many times over): once `run` has
/// returned, nothing it started still holds the site (its writer lock is
/// free), and a build running at the stop was stopped with its whole
/// process group and recorded as interrupted (before, the builds task ran
/// until the process ended).
#[tokio::test]
async fn a_server_stopped_in_process_stops_its_build_and_frees_the_site() {
    let dir = tempdir();
    let hanging = crate::builds::Hanging::new(dir.path());
    let command = format!(
        "BUILD_TEST_HANG='{}' sleep 4321",
        dir.path().to_str().expect("utf-8")
    );
    let clock = ManualClock::new();
    let server = InProcess::start(dir.path(), clock.clone(), &["--build-command", &command]).await;
    let edit = cairn::site::Edit {
        collection: cairn::site::collection_name("projects").expect("name"),
        slug: cairn::content::Slug::parse("ai-and-cities").expect("slug"),
        base: None,
        expected: None,
        attach: Vec::new(),
        action: cairn::site::Action::Update(cairn::site::Update {
            set: vec![(
                "mission".into(),
                cairn::site::Value::Json("Built, then stopped".into()),
            )],
            ..Default::default()
        }),
    };
    let author = cairn::site::Author {
        user_id: None,
        token_id: None,
        identity: cairn::site::Identity {
            name: "Test".into(),
            email: "test@example.org".into(),
        },
    };
    let applied = server
        .state
        .site
        .apply(edit, author, 1_795_000_000)
        .await
        .expect("saved");
    assert!(applied.committed);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !hanging.running() {
        assert!(
            std::time::Instant::now() < deadline,
            "the build never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let builds = server.state.builds.clone();
    server.stop().await;
    assert!(!hanging.running(), "the build's processes were stopped");
    let runs = builds.recent(10).await.expect("runs");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, "interrupted");
    drop(builds);
    let open = cairn::git::Repo::open(&dir.path().join("site"));
    assert!(open.is_ok(), "the writer lock is free: {:?}", open.err());
}

/// A `slug` in a PATCH renames the entry in one commit (with the fields it
/// also changes); a slug already taken is a 409 and nothing moves.
#[tokio::test]
async fn a_patch_with_a_new_slug_renames_the_entry_in_one_commit() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let site = server.site();
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let api = Api::new(
        &server,
        Some(&token(
            dir.path(),
            "script",
            &["--role", "editor", "--user", "alice"],
        )),
    );
    let before = commit_count(&site);
    let old = git(&site, &["show", "HEAD:_projects/ai-and-cities.md"]);

    let r = api
        .patch(
            ENTRY,
            &json!({"slug": "open-mobility-lab", "fields": {"lead": "x"}}),
            None,
        )
        .await;
    let p = problem(r, 409).await;
    assert_eq!(p["type"], "urn:cairn:problem:exists");
    assert_eq!(commit_count(&site), before, "nothing moved");

    let r = api
        .patch(
            ENTRY,
            &json!({"slug": "cities-and-ai", "fields": {"lead": "Jo"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let w: Value = r.json().await.expect("json");
    assert_eq!(w["slug"], "cities-and-ai");
    assert_eq!(w["path"], "_projects/cities-and-ai.md");
    assert_eq!(w["changed"], json!(["lead", "slug"]));
    assert_eq!(commit_count(&site), before + 1);
    assert_eq!(
        git(&site, &["log", "-1", "--format=%an|%s"]).trim(),
        "Alice Martin|Rename projects/ai-and-cities to projects/cities-and-ai: lead"
    );
    let status = git(&site, &["show", "-M", "--name-status", "--format=", "HEAD"]);
    assert!(
        status.starts_with("R")
            && status.contains("_projects/ai-and-cities.md\t_projects/cities-and-ai.md"),
        "{status}"
    );
    let new = git(&site, &["show", "HEAD:_projects/cities-and-ai.md"]);
    assert_eq!(
        new,
        old.replace("\nlead:\n", "\nlead: Jo\n"),
        "only the lead line changed"
    );
    problem(api.get(ENTRY).await, 404).await;
    assert_fsck_clean(&site);
}
