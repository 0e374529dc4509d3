//! Accounts, sessions and security (issue 5), from outside: over HTTP
//! against the real server, with the database and the `git` command to see
//! what changed.

use crate::support::*;
use cairn::auth::Role;
use std::time::Duration;

const EDIT_PAGE: &str = "/collections/projects/ai-and-cities";

/// A plain client that keeps no cookies: the cookie it sends is the one given.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// GET `path` with exactly the cookie `cookie` (`name=value`).
async fn get_with_cookie(base: &str, path: &str, cookie: &str) -> reqwest::Response {
    bare_client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET")
}

/// Logs in on a fresh browser and returns it with its session cookie.
async fn login_with_cookie(base: &str, name: &str, password: &str) -> (Browser, String) {
    let browser = Browser::at(base);
    let r = browser.login(name, password).await;
    assert_eq!(r.status().as_u16(), 303, "{name} logs in");
    let cookie = set_cookie(&r, "cairn_session").expect("a session cookie at login");
    (browser, cookie)
}

/// An admin fills in and sends the "add a user" form of `/users`.
async fn admin_adds(
    admin: &Browser,
    username: &str,
    display_name: &str,
    email: &str,
    role: &str,
) -> reqwest::Response {
    let (_, html) = admin.get("/users").await;
    let form = Form::parse(&html, "/users")
        .with("username", username)
        .with("display_name", display_name)
        .with("email", email)
        .with("role", role);
    admin.post("/users", &form.fields).await
}

/// The one-time set-password link a page shows (path and query).
fn link_in(html: &str) -> String {
    let start = html.find("/set-password?token=").expect("a link is shown");
    let end = start + html[start..].find('<').expect("link end");
    unescape(&html[start..end])
}

/// The answer with what legitimately differs removed: the date, and the
/// username echoed in the form.
async fn normalized(r: reqwest::Response, typed: &str) -> (u16, Vec<(String, String)>, String) {
    let status = r.status().as_u16();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str() != "date" && k.as_str() != "content-length")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    let body = r
        .text()
        .await
        .expect("body")
        .replace(&format!("value=\"{typed}\""), "value=\"NAME\"");
    (status, headers, body)
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_identical_answers() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(&server.data, "user0", "editor", "user0@example.org", "User");
    let browser = Browser::new(&server);
    let (_, html) = browser.get("/login").await;
    let form = Form::parse(&html, "/login");
    let attempt = |name: &str| {
        let fields = form
            .clone()
            .with("username", name)
            .with("password", "wrong password, long enough")
            .fields;
        let browser = &browser;
        async move { browser.post("/login", &fields).await }
    };
    // Status, headers and body are the same, but for the name typed.
    let known = normalized(attempt("user0").await, "user0").await;
    let unknown = normalized(attempt("nobody0").await, "nobody0").await;
    assert_eq!(known.0, 401);
    assert_eq!(
        known, unknown,
        "the answers tell known and unknown users apart"
    );
}

/// The time a refused login takes is one argon2id computation at the
/// server's parameters, whatever the reason: counted here, not timed (the
/// times of both, measured in the same run, are in BENCHMARKS.md:
/// `cargo bench --bench password -- login`).
#[tokio::test]
async fn every_refused_login_costs_exactly_one_hash_at_the_same_parameters() {
    use cairn::auth::accounts::{self, NewUser};
    let dir = tempdir();
    let pool = cairn::db::open(&dir.path().join("cairn.db"))
        .await
        .expect("db");
    let hasher = cairn::auth::Hasher::new(1, cairn::auth::HashCost::MINIMUM).expect("hasher");
    hasher.warm_up().await.expect("dummy hash");
    let make = |name: &str, password: Option<&str>| {
        NewUser::parse(name, None, None, Role::Editor, password).expect("user")
    };
    accounts::create(&pool, &hasher, &make("known", Some(PASSWORD)), 0)
        .await
        .expect("create");
    accounts::create(&pool, &hasher, &make("waiting", None), 0)
        .await
        .expect("create");
    let disabled = accounts::create(&pool, &hasher, &make("gone", Some(PASSWORD)), 0)
        .await
        .expect("create");
    accounts::set_disabled(&pool, &disabled, true)
        .await
        .expect("disable");

    let cases = [
        ("an unknown user", "nobody", PASSWORD),
        ("a wrong password", "known", "wrong password, long enough"),
        ("an account without a password", "waiting", PASSWORD),
        ("a disabled account, right password", "gone", PASSWORD),
        (
            "a known name typed with spaces",
            "  known ",
            "wrong password, long enough",
        ),
    ];
    for (what, name, password) in cases {
        let before = hasher.runs();
        let user = accounts::authenticate(&pool, &hasher, name, password, 1)
            .await
            .expect("authenticate");
        assert!(user.is_none(), "{what} was let in");
        assert_eq!(
            hasher.runs() - before,
            1,
            "{what} did not cost exactly one hash"
        );
    }
    // And the hash checked for a missing one has the parameters of a real one.
    let stored = cairn::db::users::by_username(&pool, "known")
        .await
        .expect("read")
        .expect("row")
        .password_hash;
    assert!(
        !hasher.needs_rehash(&stored),
        "accounts are hashed with the server's parameters"
    );
    let before = hasher.runs();
    let user = accounts::authenticate(&pool, &hasher, "known", PASSWORD, 1)
        .await
        .expect("authenticate");
    assert!(user.is_some(), "the right password is let in");
    assert_eq!(hasher.runs() - before, 1, "a login is one hash");
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_old_cookies_die_everywhere() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(&server.data, "admin", "admin", "admin@example.org", "Admin");
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice",
    );
    let base = server.base.clone();

    // The pre-login session (it carries the login form's CSRF token) is not
    // the signed-in one, and is dead after login.
    let browser = Browser::new(&server);
    let r = browser.get_response("/login").await;
    let before = set_cookie(&r, "cairn_session").expect("a pre-session cookie");
    let html = r.text().await.expect("body");
    let form = Form::parse(&html, "/login")
        .with("username", "alice")
        .with("password", PASSWORD);
    let r = browser.post("/login", &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let after = set_cookie(&r, "cairn_session").expect("a new cookie at login");
    assert_ne!(before, after, "the session id is rotated at login");
    assert_eq!(get_with_cookie(&base, "/", &after).await.status(), 200);
    let r = get_with_cookie(&base, "/", &before).await;
    assert!(is_login_redirect(&r), "the old id does not sign in");

    // Logout: the cookie is dead.
    let (browser, cookie) = login_with_cookie(&base, "alice", PASSWORD).await;
    let (_, html) = browser.get("/").await;
    let logout = Form::parse(&html, "/logout");
    assert_eq!(browser.post("/logout", &logout.fields).await.status(), 303);
    assert!(is_login_redirect(
        &get_with_cookie(&base, "/", &cookie).await
    ));

    // A password change ends every session, the other browser's too; the
    // browser that changed it stays signed in under a new id.
    let (_, other) = login_with_cookie(&base, "alice", PASSWORD).await;
    let (browser, old) = login_with_cookie(&base, "alice", PASSWORD).await;
    let (_, html) = browser.get("/account").await;
    let form = Form::parse(&html, "/account/password")
        .with("current_password", PASSWORD)
        .with("password", "a brand new passphrase")
        .with("password_again", "a brand new passphrase");
    let r = browser.post("/account/password", &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let renewed = set_cookie(&r, "cairn_session").expect("new id after the change");
    for dead in [&other, &old] {
        assert!(is_login_redirect(&get_with_cookie(&base, "/", dead).await));
    }
    assert_eq!(get_with_cookie(&base, "/", &renewed).await.status(), 200);
    assert_eq!(browser.get("/").await.0, 200);
    assert_eq!(
        Browser::at(&base)
            .login("alice", PASSWORD)
            .await
            .status()
            .as_u16(),
        401,
        "the old password is gone"
    );

    // The command line's passwd does the same.
    let (_, cookie) = login_with_cookie(&base, "alice", "a brand new passphrase").await;
    let data = dir.path().to_str().expect("path");
    let out = cairn(
        &[
            "user",
            "passwd",
            "alice",
            "--password-stdin",
            "--data",
            data,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    assert!(is_login_redirect(
        &get_with_cookie(&base, "/", &cookie).await
    ));

    // Disabling by an admin: refused everywhere, at once.
    let (alice, cookie) = login_with_cookie(&base, "alice", PASSWORD).await;
    let (admin, _) = login_with_cookie(&base, "admin", PASSWORD).await;
    let (_, html) = admin.get("/users/alice").await;
    let form = Form::parse(&html, "/users/alice/disable");
    assert_eq!(
        admin
            .post("/users/alice/disable", &form.fields)
            .await
            .status(),
        303
    );
    assert!(is_login_redirect(
        &get_with_cookie(&base, "/", &cookie).await
    ));
    assert!(is_login_redirect(&alice.get_response(EDIT_PAGE).await));
    assert_eq!(
        Browser::at(&base)
            .login("alice", PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
}

#[tokio::test]
async fn cookie_attributes_over_http_and_https() {
    for (secure, name) in [(false, "cairn_session"), (true, "__Host-cairn_session")] {
        let dir = tempdir();
        let flag = if secure { "true" } else { "false" };
        let server = Server::start_with(dir.path(), None, &[("CAIRN_SECURE_COOKIES", flag)]);
        let r = Browser::new(&server).get_response("/login").await;
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie"))
            .to_string();
        let attrs: Vec<String> = cookie
            .split(';')
            .skip(1)
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        assert!(attrs.contains(&"httponly".to_string()), "{cookie}");
        assert!(attrs.contains(&"samesite=lax".to_string()), "{cookie}");
        assert!(attrs.contains(&"path=/".to_string()), "{cookie}");
        assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{cookie}");
        assert_eq!(attrs.contains(&"secure".to_string()), secure, "{cookie}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_30_idle_minutes_and_8_hours_on_a_controlled_clock() {
    let dir = tempdir();
    let clock = ManualClock::new();
    let server = InProcess::start(dir.path(), clock.clone(), &[]).await;
    server.add_user("alice", Role::Editor).await;

    // Idle: 29 minutes between requests is fine, 31 is not.
    let (browser, _) = login_with_cookie(&server.base, "alice", PASSWORD).await;
    for _ in 0..3 {
        clock.advance(29 * 60);
        assert_eq!(browser.get("/").await.0, 200);
    }
    clock.advance(31 * 60);
    let r = browser.get_response("/").await;
    assert!(is_login_redirect(&r), "idle for 31 minutes");
    clock.advance(-31 * 60);
    assert!(
        is_login_redirect(&browser.get_response("/").await),
        "the ended session stays ended"
    );

    // Absolute: active every 20 minutes, still ended at 8 hours.
    let (browser, _) = login_with_cookie(&server.base, "alice", PASSWORD).await;
    for _ in 0..23 {
        clock.advance(20 * 60);
        assert_eq!(browser.get("/").await.0, 200);
    }
    // 7 h 40 min so far.
    clock.advance(19 * 60);
    assert_eq!(browser.get("/").await.0, 200, "7 h 59 min");
    clock.advance(2 * 60);
    assert!(
        is_login_redirect(&browser.get_response("/").await),
        "8 h 01 min"
    );

    // Both are configurable.
    drop(server);
    let dir = tempdir();
    let server = InProcess::start(
        dir.path(),
        clock.clone(),
        &["--session-idle-minutes", "5", "--session-max-hours", "1"],
    )
    .await;
    server.add_user("bob", Role::Reviewer).await;
    let (browser, _) = login_with_cookie(&server.base, "bob", PASSWORD).await;
    clock.advance(6 * 60);
    assert!(is_login_redirect(&browser.get_response("/").await));
    let (browser, _) = login_with_cookie(&server.base, "bob", PASSWORD).await;
    for _ in 0..15 {
        clock.advance(4 * 60);
        assert_eq!(browser.get("/").await.0, 200);
    }
    clock.advance(4 * 60);
    assert!(is_login_redirect(&browser.get_response("/").await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_password_links_work_once_and_for_24_hours() {
    let dir = tempdir();
    let clock = ManualClock::new();
    let server = InProcess::start(dir.path(), clock.clone(), &[]).await;
    server.add_user("root", Role::Admin).await;

    let create = |name: &'static str| {
        let base = server.base.clone();
        async move {
            let (admin, _) = login_with_cookie(&base, "root", PASSWORD).await;
            let email = format!("{name}@example.org");
            let r = admin_adds(&admin, name, "New Person", &email, "editor").await;
            assert_eq!(r.status().as_u16(), 200);
            link_in(&r.text().await.expect("body"))
        }
    };

    // Used within 24 h: works once.
    let link = create("carol").await;
    clock.advance(23 * 3600);
    let visitor = Browser::at(&server.base);
    let (status, html) = visitor.get(&link).await;
    assert_eq!(status, 200);
    let form = Form::parse(&html, "/set-password")
        .with("password", "carol's own passphrase")
        .with("password_again", "carol's own passphrase");
    assert_eq!(
        visitor.post("/set-password", &form.fields).await.status(),
        303
    );
    assert_eq!(visitor.get(&link).await.0, 404, "a link works once");
    assert_eq!(
        visitor.post("/set-password", &form.fields).await.status(),
        404
    );
    let r = Browser::at(&server.base)
        .login("carol", "carol's own passphrase")
        .await;
    assert_eq!(r.status().as_u16(), 303);

    // Older than 24 h: dead.
    let link = create("dave").await;
    clock.advance(24 * 3600 + 1);
    let (status, html) = Browser::at(&server.base).get(&link).await;
    assert_eq!(status, 404);
    assert!(html.contains("more than 24 hours old"), "{html}");
    // Until then the account has no password at all.
    let r = Browser::at(&server.base).login("dave", "").await;
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn posts_without_the_token_with_another_sessions_token_or_from_elsewhere_are_refused() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(&server.data, "root", "admin", "root@example.org", "Root");
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (admin, _) = login_with_cookie(&server.base, "root", PASSWORD).await;
    let (other, _) = login_with_cookie(&server.base, "root", PASSWORD).await;
    let (_, html) = other.get("/users").await;
    let foreign_token = Form::parse(&html, "/users")
        .get("_csrf")
        .expect("token")
        .to_string();

    let (_, html) = admin.get("/users").await;
    let create = Form::parse(&html, "/users")
        .with("username", "mallory")
        .with("display_name", "Mallory")
        .with("email", "m@example.org")
        .with("role", "admin");
    let (_, html) = admin.get(EDIT_PAGE).await;
    let edit = Form::parse(&html, EDIT_PAGE).with("f.mission", "Hijacked");
    for (path, form) in [("/users", create), (EDIT_PAGE, edit)] {
        let cases = [
            ("no token", form.clone().without("_csrf"), None, None),
            (
                "another session's token",
                form.clone().with("_csrf", &foreign_token),
                None,
                None,
            ),
            (
                "a foreign Origin",
                form.clone(),
                Some("http://evil.example"),
                None,
            ),
            (
                "Sec-Fetch-Site: cross-site",
                form.clone(),
                None,
                Some("cross-site"),
            ),
        ];
        for (what, form, origin, fetch_site) in cases {
            let mut request = admin
                .client
                .post(server.url(path))
                .header("origin", origin.unwrap_or(&server.base))
                .form(&form.fields);
            if let Some(site) = fetch_site {
                request = request.header("sec-fetch-site", site);
            }
            let r = request.send().await.expect("POST");
            assert_eq!(r.status().as_u16(), 403, "{path}: {what}");
        }
    }
    // The login form: with another session's token, no session starts.
    let anonymous = Browser::new(&server);
    let (_, html) = anonymous.get("/login").await;
    let login = Form::parse(&html, "/login")
        .with("username", "root")
        .with("password", PASSWORD);
    let stranger = Browser::new(&server);
    let r = stranger.post("/login", &login.fields).await;
    assert_eq!(
        r.status().as_u16(),
        403,
        "login with another session's token"
    );
    assert!(is_login_redirect(&stranger.get_response("/").await));
    let r = anonymous
        .post("/login", &login.clone().without("_csrf").fields)
        .await;
    assert_eq!(r.status().as_u16(), 403, "login without a token");

    // Nothing changed.
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    let (_, html) = admin.get("/users").await;
    assert!(!html.contains("mallory"), "no user was created");
    // State never changes on GET: the actions answer only POST.
    assert_eq!(admin.get("/logout").await.0, 405);
    assert_eq!(admin.get("/users/root/disable").await.0, 405);
    assert_eq!(admin.get("/").await.0, 200, "still signed in");
}

#[tokio::test]
async fn five_failures_delay_an_account_and_each_address_is_limited() {
    let dir = tempdir();
    let server = Server::start_with(
        dir.path(),
        None,
        &[("CAIRN_LOGIN_FAILURES_PER_ADDRESS", "12")],
    );
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice",
    );
    let browser = Browser::new(&server);
    for i in 0..5 {
        let r = browser.login("alice", "not the password at all").await;
        assert_eq!(r.status().as_u16(), 401, "failure {i}");
    }
    // Now even the right password waits, and the answer says how long.
    let r = browser.login("alice", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    // An unknown name is delayed the same way (nothing tells them apart).
    for _ in 0..5 {
        assert_eq!(
            browser
                .login("ghost", "not the password at all")
                .await
                .status(),
            401
        );
    }
    let r = browser.login("ghost", "not the password at all").await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    // After the delay, the next failure doubles it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        browser.login("alice", "still not it, sorry").await.status(),
        401
    );
    let r = browser.login("alice", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(browser.login("alice", PASSWORD).await.status(), 303);
    // The security log has every failure and the start of the delay, once:
    // refused attempts are not logged one by one.
    let pool = cairn::db::open(&dir.path().join("cairn.db"))
        .await
        .expect("db");
    let events = cairn::db::security_log::page(&pool, None, 1000)
        .await
        .expect("log");
    let count = |event: &str, user: &str| {
        events
            .iter()
            .filter(|e| e.event == event && e.username == user)
            .count()
    };
    assert_eq!(count("login failed", "alice"), 6);
    assert_eq!(count("login throttled", "alice"), 1);
    assert_eq!(count("login throttled", "ghost"), 1);
    assert_eq!(count("login", "alice"), 1);

    // The address: 11 failures so far; the 12th is answered, then 429 for
    // any name, even with the right password.
    assert_eq!(
        Browser::new(&server)
            .login("someone", "wrong wrong wrong")
            .await
            .status(),
        401
    );
    let r = Browser::new(&server).login("alice", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!(wait > 800 && wait <= 900, "{wait}");
    let html = r.text().await.expect("body");
    assert!(html.contains("Too many failed logins"), "{html}");

    // A 1 MB password is refused like any wrong one (unhashed: see the
    // unit test `over_long_passwords_are_refused_without_hashing`).
    let other = tempdir();
    let server = Server::start(other.path(), None);
    add_user(&server.data, "bob", "editor", "bob@example.org", "Bob");
    let r = Browser::new(&server)
        .login("bob", &"x".repeat(1_000_000))
        .await;
    assert_eq!(r.status().as_u16(), 401);
    let r = Browser::new(&server).login("bob", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "the server is fine");
}

/// Peak resident memory of a process, from /proc (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_parallel_logins_get_no_server_error_and_bounded_memory() {
    let _alone = exclusive().await;
    let dir = tempdir();
    // The production cost (64 MiB per hash): unbounded, 100 hashes at once
    // would need 6.4 GB.
    let server = Server::start_with(
        dir.path(),
        None,
        &[
            ("CAIRN_ARGON2_MEMORY_KIB", "65536"),
            ("CAIRN_ARGON2_ITERATIONS", "3"),
            ("CAIRN_LOGIN_FAILURES_PER_ADDRESS", "1000"),
        ],
    );
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice",
    );
    let mut tasks = Vec::new();
    for i in 0..100 {
        let base = server.base.clone();
        tasks.push(tokio::spawn(async move {
            let browser = Browser::at(&base);
            let (name, password) = if i % 2 == 0 {
                ("alice".to_string(), PASSWORD.to_string())
            } else {
                (format!("nobody{i}"), "wrong password here".to_string())
            };
            (i, browser.login(&name, &password).await.status().as_u16())
        }));
    }
    for task in tasks {
        let (i, status) = task.await.expect("task");
        let expected = if i % 2 == 0 { 303 } else { 401 };
        assert_eq!(status, expected, "login {i}");
    }
    if let Some(peak) = peak_rss_kib(server.pid()) {
        // One 64 MiB buffer per core (the hashing permits), plus the server.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        let bound = cores * 64 * 1024 + 128 * 1024;
        println!(
            "peak memory of the server over 100 parallel logins: {peak} KiB (bound {bound} KiB)"
        );
        assert!(
            peak < bound,
            "peak memory {peak} KiB over {bound} KiB: hashing is not bounded"
        );
    }
}

#[tokio::test]
async fn a_password_hash_with_old_parameters_is_replaced_at_login() {
    let dir = tempdir();
    let data = dir.path().to_str().expect("path");
    // Made with the production cost; the server runs at the tests' lighter one.
    let out = cairn(
        &[
            "user",
            "add",
            "alice",
            "--role",
            "editor",
            "--password-stdin",
            "--data",
            data,
            "--argon2-memory-kib",
            "65536",
            "--argon2-iterations",
            "3",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success(), "{out:?}");
    let hash = || async {
        let pool = cairn::db::open(&dir.path().join("cairn.db"))
            .await
            .expect("db");
        cairn::db::users::by_username(&pool, "alice")
            .await
            .expect("query")
            .expect("alice")
            .password_hash
    };
    assert!(hash().await.contains("$m=65536,t=3,p=1$"));
    let server = Server::start(dir.path(), None);
    let r = Browser::new(&server).login("alice", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    let new = hash().await;
    assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
    // Still the same password.
    assert_eq!(
        Browser::new(&server)
            .login("alice", PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
    // Sessions survive a rehash (it is not a password change).
    drop(server);
    // Parameters below OWASP's minimum are refused with one line.
    let out = cairn(
        &[
            "user",
            "list",
            "--data",
            data,
            "--argon2-memory-kib",
            "4096",
        ],
        "",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("below OWASP's minimum"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[tokio::test]
async fn admins_manage_users_and_see_the_security_log() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(&server.data, "root", "admin", "root@example.org", "Root");
    let (admin, _) = login_with_cookie(&server.base, "root", PASSWORD).await;

    // Bad input comes back with the input and a message per field.
    let r = admin_adds(
        &admin,
        "bad name!",
        "Erin <Admin>",
        "not-an-email",
        "superuser",
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    for field in ["username", "display_name", "email", "role"] {
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    assert!(html.contains("value=\"bad name!\""), "input kept");
    assert!(html.contains("value=\"not-an-email\""), "input kept");

    // Create: no password is typed by the admin; the user sets it.
    let r = admin_adds(&admin, "erin", "Erin Example", "erin@example.org", "editor").await;
    assert_eq!(r.status().as_u16(), 200);
    let link = link_in(&r.text().await.expect("body"));
    let erin = Browser::new(&server);
    let (_, html) = erin.get(&link).await;
    // Two different passwords: a message on the second field, nothing set.
    let form = Form::parse(&html, "/set-password")
        .with("password", "erin's passphrase one")
        .with("password_again", "erin's passphrase two");
    let r = erin.post("/set-password", &form.fields).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("password_again-error")
    );
    let form = form.with("password_again", "erin's passphrase one");
    assert_eq!(erin.post("/set-password", &form.fields).await.status(), 303);
    assert_eq!(
        erin.login("erin", "erin's passphrase one").await.status(),
        303
    );
    assert_eq!(erin.get(EDIT_PAGE).await.0, 200);

    // Role change: her session ends; as a reviewer she cannot save.
    let (_, html) = admin.get("/users/erin").await;
    let form = Form::parse(&html, "/users/erin/role").with("role", "reviewer");
    assert_eq!(
        admin.post("/users/erin/role", &form.fields).await.status(),
        303
    );
    assert!(is_login_redirect(&erin.get_response("/").await));
    assert_eq!(
        erin.login("erin", "erin's passphrase one").await.status(),
        303
    );
    let (_, html) = erin.get(EDIT_PAGE).await;
    let save = Form::parse(&html, EDIT_PAGE).with("f.mission", "Changed by a reviewer");
    let head = git(&server.site(), &["rev-parse", "HEAD"]);
    assert_eq!(erin.post(EDIT_PAGE, &save.fields).await.status(), 403);
    assert_eq!(git(&server.site(), &["rev-parse", "HEAD"]), head);

    // Reset: the old password stops working, a new link works.
    let (_, html) = admin.get("/users/erin").await;
    let form = Form::parse(&html, "/users/erin/reset-password");
    let r = admin.post("/users/erin/reset-password", &form.fields).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("/set-password?token="));
    assert!(is_login_redirect(&erin.get_response("/").await));
    assert_eq!(
        erin.login("erin", "erin's passphrase one").await.status(),
        401
    );

    // The last admin can neither demote nor disable themself.
    let (_, html) = admin.get("/users/root").await;
    let form = Form::parse(&html, "/users/root/role").with("role", "editor");
    assert_eq!(
        admin.post("/users/root/role", &form.fields).await.status(),
        303
    );
    let (_, html) = admin.get("/users/root").await;
    assert!(html.contains("at least one active administrator"), "{html}");
    let form = Form::parse(&html, "/users/root/disable");
    admin.post("/users/root/disable", &form.fields).await;
    assert_eq!(admin.get("/users").await.0, 200, "still an admin");

    // Everyone can change their own name and email (their commit author).
    let (_, html) = admin.get("/account").await;
    let form = Form::parse(&html, "/account")
        .with("display_name", "Root Renamed")
        .with("email", "bad email");
    let r = admin.post("/account", &form.fields).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("email-error"));
    let form = form.with("email", "root@new.example.org");
    assert_eq!(admin.post("/account", &form.fields).await.status(), 303);
    let (_, html) = admin.get(EDIT_PAGE).await;
    let save = Form::parse(&html, EDIT_PAGE).with("f.mission", "A mission by root");
    assert_eq!(admin.post(EDIT_PAGE, &save.fields).await.status(), 303);
    let author = git(&server.site(), &["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), "Root Renamed <root@new.example.org>");

    // A failed login with a hostile name, then the log.
    assert_eq!(
        Browser::new(&server)
            .login("<script>alert(1)</script>", "whatever you like")
            .await
            .status(),
        401
    );
    let (status, html) = admin.get("/security-log").await;
    assert_eq!(status, 200);
    for event in [
        "<td>login</td>",
        "<td>login failed</td>",
        "<td>user created</td>",
        "<td>password link created</td>",
        "<td>password set with a link</td>",
        "<td>role changed</td>",
        "<td>profile changed</td>",
    ] {
        assert!(html.contains(event), "{event} missing from the log");
    }
    assert!(html.contains("<td>127.0.0.1</td>"), "client address");
    assert!(unescape(&html).contains("<td>editor -> reviewer</td>"));
    assert!(!html.contains("<script>alert"), "escaped");
    assert!(unescape(&html).contains("<td><script>alert(1)</script></td>"));
    assert!(!html.contains(PASSWORD), "no password in the log");
    // Only admins see it.
    let erin = Browser::new(&server);
    add_user(
        &server.data,
        "frank",
        "editor",
        "frank@example.org",
        "Frank",
    );
    assert_eq!(erin.login("frank", PASSWORD).await.status(), 303);
    assert_eq!(erin.get("/security-log").await.0, 403);
    assert_eq!(erin.get("/users").await.0, 403);
}

#[tokio::test]
async fn bodies_over_the_configured_size_get_413_and_change_nothing() {
    let dir = tempdir();
    let server = Server::start_with(dir.path(), None, &[("CAIRN_MAX_BODY", "20000")]);
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice",
    );
    let (browser, _) = login_with_cookie(&server.base, "alice", PASSWORD).await;
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (_, html) = browser.get(EDIT_PAGE).await;
    let form = Form::parse(&html, EDIT_PAGE).with("body", &"long text ".repeat(3000));
    let r = browser.post(EDIT_PAGE, &form.fields).await;
    assert_eq!(r.status().as_u16(), 413);
    let text = r.text().await.expect("body");
    assert!(text.contains("too large"), "{text}");
    let r = browser.login("alice", &"y".repeat(30_000)).await;
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    assert_eq!(browser.get(EDIT_PAGE).await.0, 200, "still serving");
}

#[tokio::test]
async fn security_headers_on_every_html_answer_and_same_site_redirects_only() {
    let dir = tempdir();
    let server = Server::start_with(dir.path(), None, &[("CAIRN_MAX_BODY", "5000")]);
    add_user(&server.data, "rita", "reviewer", "rita@example.org", "Rita");
    let anonymous = Browser::new(&server);
    let (rita, _) = login_with_cookie(&server.base, "rita", PASSWORD).await;
    let csp = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    let mut answers = vec![
        ("login page", anonymous.get_response("/login").await),
        ("404", anonymous.get_response("/nowhere").await),
        ("dashboard", rita.get_response("/").await),
        ("403", rita.get_response("/users").await),
        ("404 signed in", rita.get_response("/commits/abc").await),
    ];
    answers.push(("413", anonymous.login("rita", &"z".repeat(6000)).await));
    for (what, r) in &answers {
        let h = r.headers();
        assert_eq!(h["content-security-policy"], csp, "{what}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert!(h.contains_key("referrer-policy"), "{what}");
        assert_eq!(h["cache-control"], "no-store", "{what}");
        assert!(
            h["content-type"]
                .to_str()
                .expect("text")
                .starts_with("text/html"),
            "{what}"
        );
    }
    assert_eq!(answers[3].1.status().as_u16(), 403);
    assert_eq!(answers[5].1.status().as_u16(), 413);
    let css = anonymous.get_response("/static/style.css").await;
    assert_eq!(css.headers()["x-content-type-options"], "nosniff");

    // After login, only a same-site path is followed.
    for (next, expected) in [
        ("/history", "/history"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let browser = Browser::new(&server);
        let (_, html) = browser.get("/login").await;
        let form = Form::parse(&html, "/login")
            .with("username", "rita")
            .with("password", PASSWORD)
            .with("next", next);
        let r = browser.post("/login", &form.fields).await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], expected, "next={next}");
    }
}

/// Behind a trusted proxy each forwarded client is throttled on its own;
/// from an untrusted peer the same headers are ignored.
#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_throttled_by_their_forwarded_address() {
    let failures = |browser: Browser| async move {
        for i in 0..3 {
            let r = browser.login("someone", "wrong wrong wrong").await;
            assert_eq!(r.status().as_u16(), 401, "failure {i}");
        }
        let r = browser.login("alice", PASSWORD).await;
        assert_eq!(r.status().as_u16(), 429, "the address is limited");
    };

    let dir = tempdir();
    let server = Server::start_with(
        dir.path(),
        None,
        &[
            ("CAIRN_LOGIN_FAILURES_PER_ADDRESS", "3"),
            // The test client connects from 127.0.0.1: it is the proxy.
            ("CAIRN_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"),
        ],
    );
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice",
    );
    // A client forging its own first hop is still seen as what its proxy
    // appended (the right-most untrusted address).
    failures(Browser::sending(
        &server,
        "x-forwarded-for",
        "198.51.100.77, 203.0.113.1",
    ))
    .await;
    // Another client behind the same proxy is not locked out.
    let other = Browser::sending(&server, "x-forwarded-for", "203.0.113.2, 10.0.0.5");
    assert_eq!(other.login("alice", PASSWORD).await.status(), 303);
    let forwarded = Browser::sending(&server, "forwarded", "for=\"[2001:db8::9]:443\"");
    assert_eq!(forwarded.login("alice", PASSWORD).await.status(), 303);
    // The proxy's own requests (no header) are a third address.
    assert_eq!(
        Browser::new(&server)
            .login("alice", PASSWORD)
            .await
            .status(),
        303
    );
    let pool = cairn::db::open(&dir.path().join("cairn.db"))
        .await
        .expect("db");
    let events = cairn::db::security_log::page(&pool, None, 1000)
        .await
        .expect("log");
    let addresses = |event: &str| {
        let mut seen: Vec<String> = events
            .iter()
            .filter(|e| e.event == event)
            .map(|e| e.address.clone())
            .collect();
        seen.sort();
        seen.dedup();
        seen
    };
    assert_eq!(addresses("login failed"), ["203.0.113.1"]);
    assert_eq!(
        addresses("login"),
        ["127.0.0.1", "2001:db8::9", "203.0.113.2"]
    );

    // Without --trusted-proxies the headers are the client's own words.
    let dir = tempdir();
    let server = Server::start_with(
        dir.path(),
        None,
        &[("CAIRN_LOGIN_FAILURES_PER_ADDRESS", "3")],
    );
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice",
    );
    failures(Browser::sending(&server, "x-forwarded-for", "203.0.113.1")).await;
    let other = Browser::sending(&server, "x-forwarded-for", "203.0.113.2");
    assert_eq!(other.login("alice", PASSWORD).await.status(), 429);
}

/// The security log keeps `--keep-security-log-days` of events, the build
/// records the newest 1,000 runs: older ones are deleted at start (and
/// every hour).
#[tokio::test]
async fn old_security_log_events_and_build_records_are_deleted() {
    let dir = tempdir();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    let day = 86_400;
    {
        std::fs::create_dir_all(dir.path()).expect("mkdir");
        let pool = cairn::db::open(&dir.path().join("cairn.db"))
            .await
            .expect("db");
        for (age, name) in [(400, "ancient"), (31, "old"), (29, "recent"), (0, "today")] {
            let event = cairn::db::security_log::NewEvent {
                at: now - age * day,
                event: "login",
                username: name,
                actor: name,
                address: "192.0.2.1",
                detail: "",
            };
            cairn::db::security_log::insert(&pool, &event)
                .await
                .expect("insert");
        }
        for i in 0..1_005 {
            let id =
                cairn::db::builds::start(&pool, &format!("{i:040}"), "commit", now - 5_000 + i)
                    .await
                    .expect("build");
            cairn::db::builds::finish(&pool, id, "succeeded", Some(0), "", now - 5_000 + i)
                .await
                .expect("finish");
        }
        pool.close().await;
    }
    let server = Server::start_with(dir.path(), None, &[("CAIRN_KEEP_SECURITY_LOG_DAYS", "30")]);
    let pool = cairn::db::open(&dir.path().join("cairn.db"))
        .await
        .expect("db");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let names: Vec<String> = cairn::db::security_log::page(&pool, None, 100)
            .await
            .expect("log")
            .into_iter()
            .map(|e| e.username)
            .collect();
        let builds = cairn::db::builds::recent(&pool, 5_000)
            .await
            .expect("builds");
        if !names.iter().any(|n| n == "old") && builds.len() == 1_000 {
            assert!(!names.iter().any(|n| n == "ancient"), "{names:?}");
            for kept in ["recent", "today"] {
                assert!(names.iter().any(|n| n == kept), "{kept} kept: {names:?}");
            }
            // The newest runs are the ones kept.
            assert_eq!(builds[0].commit_id, format!("{:040}", 1_004));
            assert_eq!(builds[999].commit_id, format!("{:040}", 5));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not pruned: {names:?}, {} builds",
            builds.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
}
