//! The walking skeleton end to end: start, log in, edit, and find the change
//! as a git commit authored by the editor.

use crate::support::*;

const SEED_PATH: &str = "_projects/ai-and-cities.md";
const EDIT_PAGE: &str = "/collections/projects/ai-and-cities";

#[tokio::test]
async fn editing_the_mission_makes_one_commit_authored_by_the_editor() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let before = commit_count(&site);
    let original = std::fs::read_to_string(site.join(SEED_PATH)).expect("seed");

    let (status, html) = browser.get(EDIT_PAGE).await;
    assert_eq!(status, 200);
    let form = Form::parse(&html, EDIT_PAGE);
    assert_eq!(
        form.get("f.mission"),
        Some("Safer artificial intelligence by design for inclusive cities")
    );
    let form = form.with("f.mission", "Trustworthy AI for fair and inclusive cities");
    let r = browser.post(EDIT_PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], EDIT_PAGE);

    // Exactly one new commit, authored by the editor, with a message naming the field.
    assert_eq!(commit_count(&site), before + 1);
    let author = git(&site, &["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), "Alice Martin <alice@example.org>");
    let committer = git(&site, &["log", "-1", "--format=%cn <%ce>"]);
    assert_eq!(committer.trim(), "Cairn <cairn@localhost>");
    let subject = git(&site, &["log", "-1", "--format=%s"]);
    assert_eq!(subject.trim(), "Update projects/ai-and-cities: mission");

    // Only the seed file, one line added and one removed.
    let numstat = git(&site, &["show", "--numstat", "--format=", "HEAD"]);
    assert_eq!(numstat.trim(), format!("1\t1\t{SEED_PATH}"));
    let stat = git(&site, &["show", "--stat", "--format=", "HEAD"]);
    assert!(
        stat.contains("1 file changed, 1 insertion(+), 1 deletion(-)"),
        "{stat}"
    );

    // The file is the original with that one value replaced, byte for byte.
    let committed = git(&site, &["show", &format!("HEAD:{SEED_PATH}")]);
    assert_eq!(
        committed,
        original.replace(
            "mission: Safer artificial intelligence by design for inclusive cities",
            "mission: Trustworthy AI for fair and inclusive cities"
        )
    );

    // The working tree matches HEAD and the repository is sound.
    assert_checkout_clean(&site);
    assert_eq!(
        std::fs::read_to_string(site.join(SEED_PATH)).expect("file"),
        committed
    );
    assert_fsck_clean(&site);

    // The page shows the saved value and says what was saved.
    let (_, html) = browser.get(EDIT_PAGE).await;
    assert!(html.contains("Saved: Mission."), "{html}");
    assert_eq!(
        Form::parse(&html, EDIT_PAGE).get("f.mission"),
        Some("Trustworthy AI for fair and inclusive cities")
    );
}

#[tokio::test]
async fn saving_without_edits_makes_no_commit() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);
    let original = std::fs::read(site.join(SEED_PATH)).expect("seed");

    // Every project of the demo, saved as the browser sent it back.
    for slug in [
        "ai-and-cities",
        "urban-heat-commons",
        "open-mobility-lab",
        "civic-data-trusts",
    ] {
        let page = format!("/collections/projects/{slug}");
        let (status, html) = browser.get(&page).await;
        assert_eq!(status, 200, "{slug}");
        let form = Form::parse(&html, &page);
        let r = browser.post(&page, &form.fields).await;
        assert_eq!(r.status().as_u16(), 303, "{slug}");
    }

    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    assert_eq!(std::fs::read(site.join(SEED_PATH)).expect("seed"), original);
    let (_, html) = browser.get(EDIT_PAGE).await;
    assert!(html.contains("No changes to save."));
}

#[tokio::test]
async fn changing_a_list_and_the_body_keeps_every_other_line() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let original = std::fs::read_to_string(site.join(SEED_PATH)).expect("seed");
    let (_, html) = browser.get(EDIT_PAGE).await;
    let form = Form::parse(&html, EDIT_PAGE);
    let body = form.get("body").expect("body").to_string();
    assert!(
        body.starts_with("\r\nThe AI & Cities partnership"),
        "leading blank line kept"
    );
    let form = form
        .with(
            "f.axes",
            "digitization\r\nsocial inclusion\r\nbiodiversity\r\nmobility\r\n",
        )
        .with("f.lead", "Jane Doe")
        .with(
            "body",
            &body.replace("international initiative", "global initiative"),
        );
    let r = browser.post(EDIT_PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);

    let committed = git(&site, &["show", &format!("HEAD:{SEED_PATH}")]);
    let expected = original
        .replace(
            "    - biodiversity\n",
            "    - biodiversity\n    - mobility\n",
        )
        .replace("lead:\n", "lead: Jane Doe\n")
        .replace("international initiative", "global initiative");
    assert_eq!(committed, expected, "LF kept, no final newline added");
    let subject = git(&site, &["log", "-1", "--format=%s"]);
    assert_eq!(
        subject.trim(),
        "Update projects/ai-and-cities: axes, lead, body"
    );
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn posts_without_a_valid_csrf_token_or_from_another_origin_are_refused() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (_, html) = browser.get(EDIT_PAGE).await;
    let form = Form::parse(&html, EDIT_PAGE).with("f.mission", "Hijacked");

    // No token.
    let r = browser
        .post(EDIT_PAGE, &form.clone().without("_csrf").fields)
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let text = r.text().await.expect("body");
    assert!(text.contains("did not come from this site"), "{text}");
    // A wrong token.
    let r = browser
        .post(EDIT_PAGE, &form.clone().with("_csrf", "0000").fields)
        .await;
    assert_eq!(r.status().as_u16(), 403);
    // The right token from a foreign origin.
    let r = browser
        .client
        .post(server.url(EDIT_PAGE))
        .header("origin", "http://evil.example")
        .form(&form.fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    // The login form too.
    let anonymous = Browser::new(&server);
    let r = anonymous
        .post(
            "/login",
            &[
                ("username".into(), "alice".into()),
                ("password".into(), PASSWORD.into()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);

    assert_eq!(
        git(&site, &["rev-parse", "HEAD"]),
        head,
        "nothing committed"
    );
    assert_checkout_clean(&site);
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_login() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);
    let browser = Browser::new(&server);
    for path in [
        "/",
        "/collections/projects",
        EDIT_PAGE,
        "/collections/nope/nothing",
    ] {
        let r = browser.get_response(path).await;
        assert_eq!(r.status().as_u16(), 303, "{path}");
        let location = r.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        assert!(location.starts_with("/login"), "{path} -> {location}");
    }
    let r = browser.get_response(EDIT_PAGE).await;
    assert_eq!(
        r.headers()["location"],
        "/login?next=/collections/projects/ai-and-cities"
    );
    // A POST without a session is refused before anything is read.
    let r = browser
        .post(EDIT_PAGE, &[("f.mission".into(), "x".into())])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    // The login page and health check need no session.
    assert_eq!(browser.get("/login").await.0, 200);
    assert_eq!(browser.get("/healthz").await.0, 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(
        dir.path(),
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let browser = Browser::new(&server);

    let wrong = browser.login("alice", "not the right password").await;
    let (wrong_status, wrong_type) = (wrong.status(), wrong.headers()["content-type"].clone());
    let wrong_body = wrong.text().await.expect("body");
    let unknown = browser.login("mallory", "not the right password").await;
    let (unknown_status, unknown_type) =
        (unknown.status(), unknown.headers()["content-type"].clone());
    let unknown_body = unknown.text().await.expect("body");

    assert_eq!(wrong_status.as_u16(), 401);
    assert_eq!(wrong_status, unknown_status);
    assert_eq!(wrong_type, unknown_type);
    // The pages differ only in the username echoed back and the CSRF token.
    let normalize = |body: &str, name: &str| {
        let form = Form::parse(body, "/login");
        let token = form.get("_csrf").expect("token").to_string();
        body.replace(&token, "TOKEN").replace(name, "NAME")
    };
    assert_eq!(
        normalize(&wrong_body, "alice"),
        normalize(&unknown_body, "mallory")
    );
    assert!(wrong_body.contains("do not match an account"));

    // A disabled account answers the same way.
    let data = dir.path().to_str().expect("path");
    let out = cairn(&["user", "disable", "alice", "--data", data], "");
    assert!(out.status.success());
    let disabled = browser.login("alice", PASSWORD).await;
    assert_eq!(disabled.status().as_u16(), 401);
}

#[tokio::test]
async fn unknown_collections_and_documents_are_404_pages() {
    let (_dir, _server, browser) = demo_with_editor().await;
    for path in [
        "/collections/nope",
        "/collections/nope/ai-and-cities",
        "/collections/projects/nope",
        "/collections/projects/..",
        "/collections/projects/%2e%2e",
        "/collections/projects/.hidden",
        "/collections/projects/a%00b",
        "/no/such/page",
    ] {
        let (status, html) = browser.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("<h1>Not Found</h1>"), "{path}: {html}");
    }
}

#[tokio::test]
async fn reviewers_can_read_but_not_save() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let browser = sign_in_as(&server, "rita", "reviewer").await;
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);

    let (status, html) = browser.get(EDIT_PAGE).await;
    assert_eq!(status, 200);
    assert!(!html.contains(">Save</button>"));
    assert!(html.contains("can read this page but not change it"));
    // A hand-made POST is refused on the server.
    let form = Form::parse(&html, EDIT_PAGE)
        .with("f.mission", "Changed by a reviewer")
        .with("k.mission", "text");
    let r = browser.post(EDIT_PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
}

#[tokio::test]
async fn the_setup_link_creates_the_first_admin_once() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let setup = server.setup_url.clone().expect("setup link printed");
    let path = setup.trim_start_matches(&server.base).to_string();
    assert!(path.starts_with("/setup?token="));
    let browser = Browser::new(&server);

    assert_eq!(browser.get("/setup?token=wrong").await.0, 404);
    let (status, html) = browser.get(&path).await;
    assert_eq!(status, 200);
    let form = Form::parse(&html, "/setup")
        .with("username", "ada")
        .with("display_name", "Ada Admin")
        .with("email", "ada@example.org");
    // A short password is refused with a message, and the link stays usable.
    let r = browser
        .post("/setup", &form.clone().with("password", "short").fields)
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("at least 12 characters")
    );
    let r = browser
        .post("/setup", &form.clone().with("password", PASSWORD).fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(browser.get("/").await.0, 200, "signed in as the new admin");

    // The token is dead now.
    let other = Browser::new(&server);
    assert_eq!(other.get(&path).await.0, 404);
    let out = cairn(
        &["user", "list", "--data", dir.path().to_str().expect("path")],
        "",
    );
    let list = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        list.contains("ada\tadmin\tactive\tAda Admin\tada@example.org"),
        "{list}"
    );

    // No setup link is printed once a user exists.
    drop(server);
    let again = Server::start(dir.path(), None);
    assert!(again.setup_url.is_none());
}

#[tokio::test]
async fn dashboard_and_collection_list_show_the_site() {
    let (_dir, _server, browser) = demo_with_editor().await;
    let (status, html) = browser.get("/").await;
    assert_eq!(status, 200);
    assert!(
        unescape(&html).contains("<h1>Cities & AI Research Chair</h1>"),
        "{html}"
    );
    assert!(html.contains("href=\"/collections/projects\""));
    let (status, html) = browser.get("/collections/projects").await;
    assert_eq!(status, 200);
    let html = unescape(&html);
    let titles = [
        ">AI & Cities<",
        ">Civic Data Trusts<",
        ">Open Mobility Lab<",
        ">Urban Heat Commons<",
    ];
    let positions: Vec<usize> = titles
        .iter()
        .map(|t| {
            html.find(t)
                .unwrap_or_else(|| panic!("{t} missing: {html}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "sorted by title");
}

#[tokio::test]
async fn the_form_offers_every_field_of_the_collection_with_its_widget() {
    let (_dir, server, browser) = demo_with_editor().await;
    let site = server.site();
    let original = std::fs::read_to_string(site.join(SEED_PATH)).expect("seed");
    let (_, html) = browser.get(EDIT_PAGE).await;
    // `communities` is empty here but a list in another project: a list box.
    assert!(
        html.contains("name=\"k.communities\" value=\"list\""),
        "{html}"
    );
    // Every project's start date is a date: a date picker.
    assert!(html.contains("name=\"f.start_date\" type=\"date\" value=\"2021-09-01\""));
    // `end_date` mixes dates and `Ongoing`: plain text.
    assert!(html.contains("name=\"f.end_date\" value=\"Ongoing\""));

    let form = Form::parse(&html, EDIT_PAGE)
        .with("f.communities", "Bergen residents\r\nMontréal residents")
        .with("f.start_date", "2021-10-01");
    assert_eq!(
        browser
            .post(EDIT_PAGE, &form.fields)
            .await
            .status()
            .as_u16(),
        303
    );
    let committed = git(&site, &["show", &format!("HEAD:{SEED_PATH}")]);
    assert_eq!(
        committed,
        original
            .replace("start_date: 2021-09-01", "start_date: 2021-10-01")
            .replace(
                "communities:\n",
                "communities:\n    - Bergen residents\n    - Montréal residents\n"
            )
    );
}
