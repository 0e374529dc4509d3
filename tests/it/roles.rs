//! Every route with every role and with no session, against the access the
//! issue asks for (written out here, independently of the code's table), and
//! escaping of hostile text everywhere it is shown.

use crate::support::*;
use cairn::auth::Access;

/// Who may use a route, as the product requires it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anyone,
    SignedIn,
    Readers,
    Editors,
    Admins,
}

/// The required access of every route (issue 5, point 2; PRODUCT.md).
const EXPECTED: &[(&str, &str, Who)] = &[
    ("GET", "/login", Who::Anyone),
    ("POST", "/login", Who::Anyone),
    ("POST", "/logout", Who::SignedIn),
    ("GET", "/setup", Who::Anyone),
    ("POST", "/setup", Who::Anyone),
    ("GET", "/set-password", Who::Anyone),
    ("POST", "/set-password", Who::Anyone),
    ("GET", "/healthz", Who::Anyone),
    ("POST", "/hooks/push", Who::Anyone),
    ("GET", "/static/style.css", Who::Anyone),
    ("GET", "/static/builds.js", Who::Anyone),
    ("GET", "/static/edit.js", Who::Anyone),
    ("GET", "/", Who::Readers),
    ("GET", "/search", Who::Readers),
    ("GET", "/collections/{collection}", Who::Readers),
    ("GET", "/collections/{collection}/new", Who::Editors),
    ("POST", "/collections/{collection}/new", Who::Editors),
    ("GET", "/collections/{collection}/{slug}", Who::Readers),
    ("POST", "/collections/{collection}/{slug}", Who::Editors),
    (
        "GET",
        "/collections/{collection}/{slug}/delete",
        Who::Editors,
    ),
    (
        "POST",
        "/collections/{collection}/{slug}/delete",
        Who::Editors,
    ),
    (
        "GET",
        "/collections/{collection}/{slug}/history",
        Who::Readers,
    ),
    (
        "GET",
        "/collections/{collection}/{slug}/restore",
        Who::Editors,
    ),
    (
        "POST",
        "/collections/{collection}/{slug}/restore",
        Who::Editors,
    ),
    ("GET", "/choices/{collection}/{field}", Who::Readers),
    ("POST", "/preview", Who::Editors),
    (
        "POST",
        "/collections/{collection}/{slug}/rename",
        Who::Editors,
    ),
    ("GET", "/media", Who::Readers),
    ("POST", "/media", Who::Editors),
    ("POST", "/media/delete", Who::Editors),
    ("GET", "/media/file/{*path}", Who::Readers),
    ("GET", "/site-preview/{key}/{*path}", Who::Anyone),
    ("GET", "/media/pending/{id}", Who::Editors),
    ("POST", "/media/rename", Who::Editors),
    ("GET", "/history", Who::Readers),
    ("POST", "/publishing/settle", Who::Admins),
    ("GET", "/builds", Who::Readers),
    ("GET", "/builds/{id}", Who::Readers),
    ("GET", "/builds/{id}/events", Who::Readers),
    ("GET", "/commits/{sha}", Who::Readers),
    ("GET", "/commits/{sha}/revert", Who::Editors),
    ("POST", "/commits/{sha}/revert", Who::Editors),
    ("GET", "/account", Who::SignedIn),
    ("POST", "/account", Who::SignedIn),
    ("POST", "/account/password", Who::SignedIn),
    ("POST", "/account/language", Who::SignedIn),
    ("POST", "/account/timezone", Who::SignedIn),
    ("GET", "/users", Who::Admins),
    ("POST", "/users", Who::Admins),
    ("GET", "/users/{username}", Who::Admins),
    ("POST", "/users/{username}/role", Who::Admins),
    ("POST", "/users/{username}/disable", Who::Admins),
    ("POST", "/users/{username}/enable", Who::Admins),
    ("POST", "/users/{username}/reset-password", Who::Admins),
    ("GET", "/security-log", Who::Admins),
    ("GET", "/site-health", Who::Admins),
    ("GET", "/tokens", Who::Admins),
    ("POST", "/tokens", Who::Admins),
    ("POST", "/tokens/{id}/revoke", Who::Admins),
];

fn admits(who: Who, role: Option<&str>) -> bool {
    match (who, role) {
        (Who::Anyone, _) => true,
        (_, None) => false,
        (Who::SignedIn | Who::Readers, Some(_)) => true,
        (Who::Editors, Some(r)) => r == "admin" || r == "editor",
        (Who::Admins, Some(r)) => r == "admin",
    }
}

fn same_access(who: Who, access: Access) -> bool {
    use cairn::auth::policy::{ADMINS, EDITORS, READERS};
    match who {
        Who::Anyone => access == Access::Public,
        Who::SignedIn => access == Access::SignedIn,
        Who::Readers => access == READERS,
        Who::Editors => access == EDITORS,
        Who::Admins => access == ADMINS,
    }
}

#[test]
fn the_route_table_is_the_required_one() {
    let table = cairn::web::routes::table();
    for (method, path, access) in table {
        let expected = EXPECTED
            .iter()
            .find(|(m, p, _)| *m == method.as_str() && p == path)
            .unwrap_or_else(|| panic!("{method} {path} is served but not in this test's matrix"));
        assert!(
            same_access(expected.2, *access),
            "{method} {path}: {access:?}, expected {:?}",
            expected.2
        );
    }
    assert_eq!(table.len(), EXPECTED.len(), "a required route is missing");
}

/// The CSRF token of a browser's session, from a page with a form.
async fn token_of(browser: &Browser, signed_in: bool) -> String {
    let (page, action) = if signed_in {
        ("/account", "/account")
    } else {
        ("/login", "/login")
    };
    let (_, html) = browser.get(page).await;
    Form::parse(&html, action)
        .get("_csrf")
        .expect("token")
        .to_string()
}

#[tokio::test]
async fn every_route_with_every_role_and_without_a_session() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let site = server.site();
    add_user(&server.data, "target", "editor", "t@example.org", "Target");
    let mut visitors = vec![(None, Browser::new(&server))];
    for role in ["reviewer", "editor", "admin"] {
        visitors.push((
            Some(role),
            sign_in_as(&server, &format!("a-{role}"), role).await,
        ));
    }
    let head = git(&site, &["rev-parse", "HEAD"]);
    let fill = |path: &str, method: &str| {
        path.replace("{collection}", "projects")
            .replace("{slug}", "ai-and-cities")
            .replace("{username}", "target")
            .replace("{field}", "name")
            .replace("{*path}", "assets/none.png")
            .replace("{id}", "999")
            .replace(
                "{sha}",
                if method == "GET" {
                    head.trim()
                } else {
                    // Reverting a real commit is not this test's business.
                    "0123456789012345678901234567890123456789"
                },
            )
    };
    // Logout last: it ends the session the other checks use.
    let mut routes: Vec<_> = cairn::web::routes::table().iter().collect();
    routes.sort_by_key(|(_, path, _)| *path == "/logout");
    let mut checked = 0;
    for (role, browser) in &visitors {
        let token = token_of(browser, role.is_some()).await;
        for (method, pattern, _) in &routes {
            let who = EXPECTED
                .iter()
                .find(|(m, p, _)| *m == method.as_str() && p == pattern)
                .map(|e| e.2)
                .expect("in the matrix");
            let path = fill(pattern, method.as_str());
            let r = if *method == "GET" {
                browser.get_response(&path).await
            } else {
                browser
                    .post(&path, &[("_csrf".to_string(), token.clone())])
                    .await
            };
            let status = r.status().as_u16();
            let what = format!("{method} {path} as {}", role.unwrap_or("nobody"));
            assert!(status < 500, "{what}: {status}");
            if admits(who, *role) && *pattern == "/logout" {
                // Its answer is the login page, and the session is over.
                assert_eq!(status, 303, "{what}");
                assert!(is_login_redirect(&browser.get_response("/").await));
            } else if admits(who, *role) {
                assert_ne!(status, 403, "{what} is refused");
                assert!(!is_login_redirect(&r), "{what} asks to log in");
            } else if role.is_none() {
                assert!(
                    is_login_redirect(&r),
                    "{what}: {status}, not sent to log in"
                );
            } else {
                assert_eq!(status, 403, "{what} is allowed");
                let html = r.text().await.expect("body");
                assert!(html.contains("cannot open this page"), "{what}: {html}");
            }
            checked += 1;
        }
        // Nothing routed elsewhere.
        assert_eq!(browser.get("/no/such/page").await.0, 404);
    }
    assert_eq!(checked, 4 * EXPECTED.len());
    assert_eq!(
        git(&site, &["rev-parse", "HEAD"]),
        head,
        "nothing committed"
    );
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn script_in_a_title_or_body_is_escaped_everywhere_it_is_shown() {
    let (_dir, server, browser) = demo_with_editor().await;
    let page = "/collections/projects/ai-and-cities";
    let (_, html) = browser.get(page).await;
    let form = Form::parse(&html, page);
    let body = form.get("body").expect("body").to_string();
    let form = form
        .with("f.name", "<script>alert('name')</script>")
        .with("f.mission", "\"><script>alert('mission')</script>")
        .with(
            "body",
            &format!("{body}\r\n<script>alert('body')</script>\r\n"),
        );
    assert_eq!(browser.post(page, &form.fields).await.status(), 303);
    let sha = git(&server.site(), &["rev-parse", "HEAD"]);
    // The file holds exactly what was typed: escaping is the pages' job.
    let file = git(&server.site(), &["show", "HEAD:_projects/ai-and-cities.md"]);
    assert!(file.contains("<script>alert('body')</script>"));

    let pages = [
        page.to_string(),
        "/".to_string(),
        "/collections/projects".to_string(),
        "/history".to_string(),
        format!("{page}/history"),
        format!("/commits/{}", sha.trim()),
        "/collections/projects/%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/collections/%3Cscript%3E/x".to_string(),
        "/history?author=%3Cscript%3Ealert(1)%3C/script%3E".to_string(),
    ];
    for path in pages {
        let (status, html) = browser.get(&path).await;
        assert!(status < 500, "{path}: {status}");
        // Cairn's pages have no script element but their own static files'
        // (the CSP forbids inline script): any other `<script` is injected.
        let own = html
            .replace("<script src=\"/static/edit.js\" defer></script>", "")
            .replace("<script src=\"/static/builds.js\" defer></script>", "");
        assert!(
            !own.contains("<script"),
            "{path} has a raw <script>:\n{html}"
        );
    }
    let (_, html) = browser.get(page).await;
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
    let (_, html) = browser.get(&format!("/commits/{}", sha.trim())).await;
    assert!(
        unescape(&html).contains("<script>alert('body')</script>"),
        "the diff shows the text, escaped"
    );
}
