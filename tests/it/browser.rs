//! The admin in a real browser (Debian's Chromium, driven over WebDriver by
//! chromedriver): every screen at 1280 px and at 390 px (a phone), in English
//! and in French, signed in as an administrator. Each screen must be in the
//! browser's language and no wider than the window; a screenshot of each is
//! saved to `target/screenshots/` for a person to look at.

use crate::support::*;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver on a loopback port, stopped on drop.
struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Driver {
    fn start() -> Driver {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
            l.local_addr().expect("addr").port()
        };
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver");
        Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            r = r.json(&body);
        }
        let answer: Value = r
            .send()
            .await
            .expect("webdriver")
            .json()
            .await
            .expect("json");
        assert!(answer["value"].get("error").is_none(), "{path}: {answer}");
        answer["value"].clone()
    }

    /// A new browser window speaking `lang`, `width` px wide (a phone's
    /// viewport, emulated, below 500 px: Chromium's windows are not narrower).
    async fn session(&self, lang: &str, width: u32) -> Session<'_> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self
            .http
            .get(format!("{}/status", self.base))
            .send()
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "chromedriver never answered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", format!("--lang={lang}")],
            "prefs": {"intl.accept_languages": lang},
        });
        if width < 500 {
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": 844, "pixelRatio": 1}});
        } else {
            options["args"]
                .as_array_mut()
                .expect("args")
                .push(json!(format!("--window-size={width},900")));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
        }}});
        let value = self
            .call(reqwest::Method::POST, "/session", Some(caps))
            .await;
        Session {
            driver: self,
            id: value["sessionId"].as_str().expect("session").to_string(),
            width,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Session<'d> {
    driver: &'d Driver,
    id: String,
    width: u32,
}

impl Session<'_> {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
            .await
    }

    async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn run(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Runs axe-core (already read from disk) on the page: its violations
    /// of WCAG 2.2 A and AA and of its best practices, one line each.
    async fn axe(&self, source: &str) -> Vec<String> {
        let script = format!(
            "{source}\n;const done = arguments[arguments.length - 1];\
             axe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}}}})\
             .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\
             .catch(e => done(['axe failed: ' + e]));"
        );
        let found = self
            .cmd(
                reqwest::Method::POST,
                "/execute/async",
                Some(json!({"script": script, "args": []})),
            )
            .await;
        found
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Checks the page reached as every browser test does (in `lang`, no
    /// wider than the window, no axe-core violation), saves its screenshot
    /// to `shot`, and says what is wrong, one line each.
    async fn look(&self, axe: &str, lang: &str, shot: &std::path::Path) -> Vec<String> {
        let seen = self
            .run("return [document.documentElement.lang, document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            .await;
        let mut problems = Vec::new();
        if seen[0] != lang {
            problems.push(format!("not in {lang}: {seen}"));
        }
        if seen[1].as_u64() > seen[2].as_u64() {
            problems.push(format!("wider than the window: {seen}"));
        }
        problems.extend(self.axe(axe).await);
        self.screenshot(shot).await;
        problems
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT].as_str().expect("element").to_string()
    }

    async fn type_in(&self, css: &str, text: &str) {
        let e = self.element(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Empties a field, then types `text` into it, as a person would.
    async fn replace_text(&self, css: &str, text: &str) {
        let e = self.element(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/clear"),
            Some(json!({})),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// The page's address and whether `css` matches something on it.
    async fn has(&self, css: &str) -> bool {
        self.run(&format!(
            "return document.querySelector({}) !== null",
            json!(css)
        ))
        .await
        .as_bool()
        .unwrap_or(false)
    }

    async fn path(&self) -> String {
        self.run("return location.pathname")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn text(&self) -> String {
        self.run("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Clicks what sends a form or follows a link, and waits for the next
    /// page to have loaded (a mark left on this one is gone).
    async fn click_and_wait(&self, css: &str) {
        self.run("window.cairnOldPage = true").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let done = self
                .run("return window.cairnOldPage === undefined && document.readyState === 'complete'")
                .await;
            if done.as_bool() == Some(true) {
                break;
            }
            assert!(Instant::now() < deadline, "{css}: no new page came");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks `css` after bringing it to the middle of the window, as a
    /// person scrolls to a button (the sticky save bar covers the bottom).
    async fn click(&self, css: &str) {
        let e = self.element(css).await;
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({
                "script": "arguments[0].scrollIntoView({block: 'center'})",
                "args": [{ ELEMENT: e }]
            })),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Saves the whole page (as tall as it is, on a desktop window).
    async fn screenshot(&self, file: &std::path::Path) {
        if self.width >= 500 {
            // Back to a window's height first: the page's own height is
            // measured, not the last screenshot's.
            self.cmd(
                reqwest::Method::POST,
                "/window/rect",
                Some(json!({"width": self.width, "height": 900})),
            )
            .await;
            let height = self
                .run("return document.documentElement.scrollHeight")
                .await
                .as_u64()
                .unwrap_or(900)
                .min(6000);
            self.cmd(
                reqwest::Method::POST,
                "/window/rect",
                Some(json!({"width": self.width, "height": height + 120})),
            )
            .await;
        }
        let png = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("base64"))
            .expect("png");
        std::fs::write(file, bytes).expect("write the screenshot");
    }

    async fn close(self) {
        self.cmd(reqwest::Method::DELETE, "", None).await;
    }
}

/// axe-core's script, installed by `npm ci --prefix tests/browser` (which
/// `.ci/run` does); `None`, with the reason printed, when it is not.
fn axe_source() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path).ok();
    required_or_skipped(
        source.is_some(),
        "axe-core",
        "npm; then npm ci --prefix tests/browser",
    )
    .then_some(source)
    .flatten()
}

#[tokio::test]
async fn every_screen_speaks_the_browser_s_language_and_fits_at_1280_and_390_px() {
    if !program_available("chromedriver", "chromium-driver")
        || !program_available("chromium", "chromium")
    {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(
        &server.data,
        "root",
        "admin",
        "root@example.org",
        "Root Admin",
    );
    let first = git(&server.site(), &["rev-list", "--max-parents=0", "HEAD"]);
    let first = first.trim();
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let page = "/collections/projects/ai-and-cities";
    let screens = [
        ("dashboard", "/".to_string()),
        ("collection", "/collections/projects".to_string()),
        ("new", "/collections/projects/new".to_string()),
        ("document", page.to_string()),
        ("delete", format!("{page}/delete")),
        ("page-history", format!("{page}/history")),
        (
            "restore",
            format!("{page}/restore?sha={first}&path=_projects/ai-and-cities.md"),
        ),
        ("history", "/history".to_string()),
        ("search", "/search?q=inclusive+cities".to_string()),
        ("media", "/media".to_string()),
        ("change", format!("/commits/{first}")),
        ("builds", "/builds".to_string()),
        ("account", "/account".to_string()),
        ("users", "/users".to_string()),
        ("user", "/users/root".to_string()),
        ("tokens", "/tokens".to_string()),
        ("security-log", "/security-log".to_string()),
        ("site-health", "/site-health".to_string()),
        ("not-found", "/collections/nope".to_string()),
    ];
    // A reviewer sees the form read-only, and a page not theirs refused,
    // with the navigation kept.
    add_user(
        &server.data,
        "rita",
        "reviewer",
        "rita@example.org",
        "Rita Reviewer",
    );
    let reviewing = [
        ("reviewer-dashboard", "/".to_string()),
        ("reviewer-document", page.to_string()),
        ("reviewer-forbidden", "/users".to_string()),
    ];
    let driver = Driver::start();
    let mut problems = Vec::new();
    for lang in ["en", "fr"] {
        for width in [1280, 390] {
            for (user, screens) in [("root", &screens[..]), ("rita", &reviewing[..])] {
                let s = driver.session(lang, width).await;
                s.go(&server.url("/login")).await;
                if user == "root" {
                    let shot = shots.join(format!("login-{lang}-{width}.png"));
                    for p in s.look(&axe, lang, &shot).await {
                        problems.push(format!("login {lang} {width}: {p}"));
                    }
                }
                s.type_in("#username", user).await;
                s.type_in("#password", PASSWORD).await;
                s.click_and_wait("form[action='/login'] button").await;
                for (name, path) in screens {
                    s.go(&server.url(path)).await;
                    let seen = s
                        .run("return [document.documentElement.lang, location.pathname, document.querySelector('nav[aria-label] a[href=\"/history\"]') !== null]")
                        .await;
                    assert_eq!(seen[0], lang, "{name} in {lang}: {seen}");
                    assert_ne!(seen[1], "/login", "{name}: signed in");
                    assert_eq!(seen[2], true, "{name}: the navigation is there: {seen}");
                    let shot = shots.join(format!("{name}-{lang}-{width}.png"));
                    for p in s.look(&axe, lang, &shot).await {
                        problems.push(format!("{name} {lang} {width}: {p}"));
                    }
                }
                s.close().await;
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems (too wide, or axe-core violations):\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!("screenshots in {}", shots.display());
}

/// What a person does, in a real browser, in both languages at both widths:
/// sign in through the form, edit and save, meet a conflict with another
/// editor's save, restore an old version after its preview, add a user,
/// make an API token, and follow a build. Every page reached is checked by
/// axe-core and for its width, and saved as a screenshot.
#[tokio::test]
async fn a_person_signs_in_edits_meets_a_conflict_restores_and_manages_users_tokens_and_builds() {
    if !program_available("chromedriver", "chromium-driver")
        || !program_available("chromium", "chromium")
    {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let dir = tempdir();
    // No remote: every commit is built; the build prints the commit.
    let server = Server::start_with(
        dir.path(),
        None,
        &[(
            "CAIRN_BUILD_COMMAND",
            "echo \"building $CAIRN_BUILD_COMMIT\"",
        )],
    );
    add_user(
        &server.data,
        "root",
        "admin",
        "root@example.org",
        "Root Admin",
    );
    // Another editor, saving the same page meanwhile (over HTTP).
    let other = sign_in_as(&server, "bea", "editor").await;
    let site = server.site();
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let page = "/collections/projects/ai-and-cities";
    let mission = "textarea[name='f.mission'], input[name='f.mission']";
    let driver = Driver::start();
    let mut problems = Vec::new();
    for lang in ["en", "fr"] {
        for width in [1280, 390] {
            let s = driver.session(lang, width).await;
            let tag = format!("{lang}-{width}");
            // Checks the page reached and saves it.
            let mut look = async |s: &Session<'_>, name: &str| {
                let shot = shots.join(format!("flow-{name}-{tag}.png"));
                for p in s.look(&axe, lang, &shot).await {
                    problems.push(format!("{name} {tag}: {p}"));
                }
            };

            // Sign in through the form.
            s.go(&server.url("/login")).await;
            s.type_in("#username", "root").await;
            s.type_in("#password", PASSWORD).await;
            s.click_and_wait("form[action='/login'] button").await;
            assert_eq!(s.path().await, "/", "{tag}: signed in, on the dashboard");

            // Edit and save.
            s.go(&server.url(page)).await;
            let saved = format!("Saved from the browser ({tag})");
            s.replace_text(mission, &saved).await;
            s.click_and_wait(".save-bar button").await;
            assert!(
                s.has("p.flash[role=status]").await,
                "{tag}: a success notice"
            );
            look(&s, "saved").await;
            let file = std::fs::read_to_string(site.join("_projects/ai-and-cities.md"))
                .expect("the page's file");
            assert!(file.contains(&format!("mission: {saved}")), "{tag}: {file}");
            assert_eq!(
                git(&site, &["log", "-1", "--format=%an"]).trim(),
                "Root Admin",
                "{tag}: authored by the person"
            );

            // A conflict: Bea saves the mission while the form is open.
            s.go(&server.url(page)).await;
            let (_, html) = other.get(page).await;
            let theirs = format!("Bea's mission ({tag})");
            let form = Form::parse(&html, page).with("f.mission", &theirs);
            assert_eq!(other.post(page, &form.fields).await.status().as_u16(), 303);
            let mine = format!("My mission ({tag})");
            s.replace_text(mission, &mine).await;
            s.click_and_wait(".save-bar button").await;
            assert!(
                s.has("section.conflicts").await,
                "{tag}: the conflict is shown"
            );
            let text = s.text().await;
            assert!(
                text.contains(&theirs) && text.contains(&mine),
                "{tag}: both values: {text}"
            );
            look(&s, "conflict").await;
            let file = std::fs::read_to_string(site.join("_projects/ai-and-cities.md"))
                .expect("the page's file");
            assert!(
                file.contains(&format!("mission: {theirs}")),
                "{tag}: Bea's save kept"
            );

            // Restore the first version, after its preview.
            s.go(&server.url(&format!("{page}/history"))).await;
            look(&s, "page-history").await;
            s.click_and_wait("ol.history > li:last-child button").await;
            assert!(
                s.path().await.ends_with("/restore"),
                "{tag}: a preview first"
            );
            look(&s, "restore-preview").await;
            let before = git(&site, &["rev-parse", "HEAD"]);
            s.click_and_wait("form.actions button").await;
            assert_eq!(s.path().await, page, "{tag}: back on the page");
            assert!(s.has("p.flash[role=status]").await, "{tag}: restored");
            assert_ne!(
                git(&site, &["rev-parse", "HEAD"]),
                before,
                "{tag}: a new commit"
            );
            assert!(
                git(&site, &["log", "-1", "--format=%s"]).starts_with("Restore"),
                "{tag}: the restore is its own commit"
            );

            // The change, as a reviewer reads it.
            s.go(&server.url("/history")).await;
            s.click_and_wait("ol.history > li:first-child p.headline a")
                .await;
            assert!(
                s.path().await.starts_with("/commits/"),
                "{tag}: a change's page"
            );
            look(&s, "change").await;

            // Add a user: the one-time link is shown.
            s.go(&server.url("/users")).await;
            s.type_in("#username", &format!("new-{tag}")).await;
            s.type_in("#display_name", &format!("New {tag}")).await;
            s.type_in("#email", &format!("new-{tag}@example.org")).await;
            s.click_and_wait("form[action='/users'] button").await;
            assert!(
                s.text().await.contains("/set-password?token="),
                "{tag}: the set-password link"
            );
            look(&s, "user-added").await;

            // Make an API token: its secret is shown once.
            s.go(&server.url("/tokens")).await;
            s.type_in("#name", &format!("Script {tag}")).await;
            s.click_and_wait("form[action='/tokens'] button").await;
            assert!(s.has("code.token").await, "{tag}: the secret");
            look(&s, "token-made").await;

            // Builds: the newest one's log.
            s.go(&server.url("/builds")).await;
            s.click_and_wait("table.builds a[href^='/builds/']").await;
            assert!(
                s.path().await.starts_with("/builds/"),
                "{tag}: a build's page"
            );
            look(&s, "build").await;
            s.close().await;
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The content model's widgets in a real browser, in both languages at both
/// widths: the form of `tests/fixtures/widgets` (a list of objects, an
/// object, relations, boxes, the Markdown editor), an item added with its
/// button (the focus goes to it), the text previewed as it is typed, and
/// the save. Every page is checked by axe-core and for its width.
#[tokio::test]
async fn the_widgets_add_items_preview_the_text_and_save_in_a_real_browser() {
    if !program_available("chromedriver", "chromium-driver")
        || !program_available("chromium", "chromium")
    {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let dir = tempdir();
    let site = crate::widgets::widgets_site(dir.path());
    let server = Server::start(&dir.path().join("data"), Some(&site));
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let page = "/collections/projects/street-trees";
    let driver = Driver::start();
    let mut problems = Vec::new();
    for lang in ["en", "fr"] {
        for width in [1280, 390] {
            let tag = format!("{lang}-{width}");
            let s = driver.session(lang, width).await;
            s.go(&server.url("/login")).await;
            s.type_in("#username", "alice").await;
            s.type_in("#password", PASSWORD).await;
            s.click_and_wait("form[action='/login'] button").await;
            s.go(&server.url(page)).await;
            for p in s
                .look(&axe, lang, &shots.join(format!("widgets-{tag}.png")))
                .await
            {
                problems.push(format!("widgets {tag}: {p}"));
            }
            // The toolbar and the preview come with the script.
            assert!(s.has(".md-toolbar button").await, "{tag}: a toolbar");
            assert_eq!(
                s.run("return document.querySelectorAll('.md-toolbar').length")
                    .await,
                2,
                "{tag}: the body's and the Markdown field's"
            );
            s.type_in("#body", "\n\n## Shade {{ site.title }}").await;
            let deadline = Instant::now() + Duration::from_secs(10);
            while !s
                .run("return document.getElementById('body').closest('.markdown').querySelector('section.preview .rendered').innerHTML")
                .await
                .as_str()
                .unwrap_or_default()
                .contains("<h2 id=\"preview-shade-")
            {
                assert!(
                    Instant::now() < deadline,
                    "{tag}: the preview follows the text"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // Add a partner: the page comes back with a third item, the
            // focus in its first box, and the text typed kept.
            s.click_and_wait("button[value='add:partners']").await;
            // `autofocus` applies once the page is shown: on a loaded
            // machine, a moment after it has loaded.
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut focused = s.run("return document.activeElement.name").await;
            while focused != "n:partners[2].name" && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(100)).await;
                focused = s.run("return document.activeElement.name").await;
            }
            assert_eq!(focused, "n:partners[2].name", "{tag}");
            assert!(
                s.run("return document.querySelector('#body').value")
                    .await
                    .as_str()
                    .unwrap_or_default()
                    .contains("## Shade"),
                "{tag}: the text typed is kept"
            );
            let name = format!("Bees {tag}");
            s.type_in("input[name='n:partners[2].name']", &name).await;
            for p in s
                .look(&axe, lang, &shots.join(format!("widgets-added-{tag}.png")))
                .await
            {
                problems.push(format!("widgets-added {tag}: {p}"));
            }
            s.click_and_wait(".save-bar button").await;
            let text = checked_out(&site, "_projects/street-trees.md");
            assert!(
                text.contains(&format!("  - name: {name}\n")),
                "{tag}: {text}"
            );
            assert!(text.contains("## Shade {{ site.title }}"), "{tag}");
            for p in s
                .look(&axe, lang, &shots.join(format!("widgets-saved-{tag}.png")))
                .await
            {
                problems.push(format!("widgets-saved {tag}: {p}"));
            }
            // Remove it again, for the next round.
            s.click_and_wait("button[value='remove:partners[2]']").await;
            s.click_and_wait(".save-bar button").await;
            // The address can be changed from the page (a folder with a /).
            s.click("details.rename summary").await;
            assert!(
                s.has("details.rename[open] input[name=slug]").await,
                "{tag}"
            );
            for p in s
                .look(&axe, lang, &shots.join(format!("widgets-rename-{tag}.png")))
                .await
            {
                problems.push(format!("widgets-rename {tag}: {p}"));
            }
            // The collection's rows named by its summary.
            s.go(&server.url("/collections/projects")).await;
            for p in s
                .look(
                    &axe,
                    lang,
                    &shots.join(format!("widgets-collection-{tag}.png")),
                )
                .await
            {
                problems.push(format!("widgets-collection {tag}: {p}"));
            }
            s.close().await;
        }
    }
    assert_fsck_clean(&site);
    assert!(
        problems.is_empty(),
        "{} problems (too wide, or axe-core violations):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// "Preview on the site" in a real browser: the built page shows in its
/// frame with the site's stylesheet, in a sandbox the admin's scripts (and
/// so the site's) cannot cross; the screen checked at both widths.
#[tokio::test]
async fn the_site_preview_shows_the_built_page_in_a_sandboxed_frame() {
    if !program_available("chromedriver", "chromium-driver")
        || !program_available("chromium", "chromium")
        || !tool_available("jekyll")
    {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let page = "/collections/projects/ai-and-cities";
    let driver = Driver::start();
    let mut problems = Vec::new();
    for lang in ["en", "fr"] {
        for width in [1280, 390] {
            let tag = format!("{lang}-{width}");
            let s = driver.session(lang, width).await;
            s.go(&server.url("/login")).await;
            s.type_in("#username", "alice").await;
            s.type_in("#password", PASSWORD).await;
            s.click_and_wait("form[action='/login'] button").await;
            s.go(&server.url(page)).await;
            let mission = format!("Mission seen before saving ({tag})");
            s.replace_text("[name='f.mission']", &mission).await;
            s.click_and_wait("button[value='site-preview']").await;
            assert!(s.has("#site-preview iframe").await, "{tag}: a frame");
            // The frame is another origin: the page cannot reach into it.
            assert_eq!(
                s.run(
                    "return document.querySelector('#site-preview iframe').contentDocument === null"
                )
                .await,
                true,
                "{tag}: sandboxed"
            );
            let frame = s.element("#site-preview iframe").await;
            s.cmd(
                reqwest::Method::POST,
                "/frame",
                Some(json!({"id": {ELEMENT: frame}})),
            )
            .await;
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let shown = s
                    .run("return document.querySelector('.mission') && document.querySelector('.mission').textContent")
                    .await;
                if shown.as_str() == Some(mission.as_str()) {
                    break;
                }
                assert!(Instant::now() < deadline, "{tag}: the frame shows {shown}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // The site's own stylesheet, served from the preview.
            assert_eq!(
                s.run("return getComputedStyle(document.querySelector('header')).backgroundColor")
                    .await,
                "rgb(18, 60, 74)",
                "{tag}: the site's stylesheet"
            );
            s.cmd(reqwest::Method::POST, "/frame", Some(json!({"id": null})))
                .await;
            // The form still holds what was typed, not saved.
            assert_eq!(
                s.run("return document.querySelector(\"[name='f.mission']\").value")
                    .await,
                mission.as_str(),
                "{tag}"
            );
            s.run("document.getElementById('site-preview').scrollIntoView()")
                .await;
            for p in s
                .look(&axe, lang, &shots.join(format!("site-preview-{tag}.png")))
                .await
            {
                problems.push(format!("site-preview {tag}: {p}"));
            }
            s.close().await;
        }
    }
    assert_eq!(git(&server.site(), &["status", "--porcelain"]), "");
    assert!(
        problems.is_empty(),
        "{} problems (too wide, or axe-core violations):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
