//! Publishing (issue 7, first part): commits are pushed to the site's
//! remote, never forced; the remote's own hook builds the site.

use crate::support::*;
use std::path::Path;
use std::time::{Duration, Instant};

const PAGE: &str = "/collections/projects/ai-and-cities";

/// `git daemon` serving a folder on a loopback port, pushes allowed (its
/// `git-receive-pack` runs the repositories' hooks, as a server's would).
pub(crate) struct Daemon {
    child: std::process::Child,
    pub(crate) port: u16,
}

impl Daemon {
    fn start(base: &Path) -> Daemon {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Daemon::start_on(base, port)
    }

    fn start_on(base: &Path, port: u16) -> Daemon {
        Daemon::start_with(base, port, &[])
    }

    /// With `env` for the hooks it runs.
    fn start_with(base: &Path, port: u16, env: &[(&str, &Path)]) -> Daemon {
        // git-daemon itself (`git daemon` would run it as a child that
        // outlives a kill of `git`).
        let exec_path = std::process::Command::new("git")
            .arg("--exec-path")
            .output()
            .expect("git --exec-path");
        let exec_path = String::from_utf8(exec_path.stdout).expect("utf-8");
        let child = std::process::Command::new(Path::new(exec_path.trim()).join("git-daemon"))
            .args(["--reuseaddr", "--export-all", "--enable=receive-pack"])
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon");
        assert!(
            eventually(10, || std::net::TcpStream::connect(("127.0.0.1", port))
                .is_ok()),
            "git daemon listens"
        );
        Daemon { child, port }
    }

    fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bare "server" repository holding the demo site, served by `git
/// daemon` on loopback, and a checkout of it (its `origin`) for Cairn.
pub(crate) fn remote_and_checkout(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Daemon) {
    let src = dir.join("src");
    cairn::site::open_or_create(&src, true, 0).expect("demo site");
    let served = dir.join("served");
    std::fs::create_dir_all(&served).expect("mkdir");
    let bare = served.join("remote.git");
    bare_clone(&src, &bare);
    let daemon = Daemon::start(&served);
    let work = dir.join("work");
    succeed(
        std::process::Command::new("git")
            .args(["clone", "-q", &daemon.url("remote.git")])
            .arg(&work),
    );
    (bare, work, daemon)
}

/// Someone clones the remote elsewhere, `change`s the clone, commits and
/// pushes; returns the pushed commit.
pub(crate) fn push_from_elsewhere(
    dir: &Path,
    daemon: &Daemon,
    change: impl FnOnce(&Path),
) -> String {
    let other = dir.join("other");
    succeed(
        std::process::Command::new("git")
            .args(["clone", "-q", &daemon.url("remote.git")])
            .arg(&other),
    );
    change(&other);
    git(&other, &["add", "-A"]);
    git_commit(&other, "Outside change");
    git(&other, &["push", "-q", "origin", "main"]);
    git(&other, &["rev-parse", "HEAD"])
}

/// Polls `check` for up to `secs` seconds.
pub(crate) fn eventually(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    check()
}

#[tokio::test]
async fn a_save_is_pushed_and_the_remotes_hook_builds_the_new_value() {
    if !tool_available("jekyll") {
        return;
    }
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    // The team's server: the example post-receive hook (examples/), which
    // builds the pushed branch into SITE_DIR.
    let built = dir.path().join("built");
    let hook = bare.join("hooks/post-receive");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/post-receive"),
        &hook,
    )
    .expect("install the example hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let port = daemon.port;
    drop(daemon);
    let _daemon = Daemon::start_with(
        bare.parent().expect("served"),
        port,
        &[("SITE_DIR", built.as_path())],
    );

    let (server, browser) = site_with_editor(&work, &dir.path().join("data")).await;
    save_mission(&browser, "Published by Cairn").await;
    let head = git(&work, &["rev-parse", "HEAD"]);

    // Pushed (never forced): the remote's branch is the checkout's.
    assert!(
        eventually(20, || git(&bare, &["rev-parse", "main"]) == head),
        "the commit reached the remote"
    );
    let page = built.join("projects/ai-and-cities/index.html");
    assert!(
        eventually(60, || std::fs::read_to_string(&page)
            .is_ok_and(|p| p.contains("Published by Cairn"))),
        "the hook built the new value"
    );
    // The remote-tracking branch follows (once the push, which waits for
    // the hook, returns), and the dashboard says so.
    assert!(eventually(20, || git(&work, &["rev-parse", "origin/main"]) == head));
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;
    assert_fsck_clean(&bare);
    drop(server);
}

/// Changes `field: old` to `field: new` in the document at `path` of `dir`.
fn set_line(dir: &Path, path: &str, old: &str, new: &str) {
    let doc = dir.join(path);
    let text = std::fs::read_to_string(&doc).expect("read");
    assert!(text.contains(old), "{path} has {old:?}");
    std::fs::write(&doc, text.replacen(old, new, 1)).expect("write");
}

/// Someone else pushes to the remote while Cairn has commits it lacks:
/// another file and another field of the same document merge (a merge
/// commit, pushed); the same field pauses publishing, shows admins both
/// versions, and loses nothing on either side.
#[tokio::test]
async fn diverged_histories_merge_field_by_field_and_a_real_conflict_pauses() {
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let doc = "_projects/ai-and-cities.md";
    // Fetched only when a push is refused (the interval is an hour).
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[
            ("CAIRN_FETCH_INTERVAL_SECS", "3600"),
            ("CAIRN_WEBHOOK_SECRET", "hook secret"),
        ],
    );
    let browser = sign_in_as(&server, "ada", "admin").await;
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;
    let other = dir.path().join("other");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", &daemon.url("remote.git")])
        .arg(&other)
        .output()
        .expect("git clone");
    assert!(out.status.success());
    let push_other = |change: &dyn Fn(&Path), message: &str| {
        git(&other, &["pull", "-q", "--no-rebase", "origin", "main"]);
        change(&other);
        git(&other, &["add", "-A"]);
        git_commit(&other, message);
        git(&other, &["push", "-q", "origin", "main"]);
        git(&other, &["rev-parse", "HEAD"]).trim().to_string()
    };
    let wait_pushed = |what: &str| {
        let what = what.to_string();
        let (bare, work) = (bare.clone(), work.clone());
        async move {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let head = git(&work, &["rev-parse", "HEAD"]);
                if git(&bare, &["rev-parse", "main"]) == head {
                    return head.trim().to_string();
                }
                assert!(Instant::now() < deadline, "{what}: never pushed");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };

    // 1. Another file.
    let theirs = push_other(
        &|o| std::fs::write(o.join("NOTES.md"), "notes\n").expect("write"),
        "Notes",
    );
    save_mission(&browser, "Merged with a new file").await;
    let mine = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    let head = wait_pushed("another file").await;
    let parents = git(&work, &["log", "-1", "--format=%P", &head])
        .trim()
        .to_string();
    assert_eq!(parents, format!("{mine} {theirs}"), "a merge of both");
    assert!(
        git(&work, &["log", "-1", "--format=%s", &head])
            .starts_with("Merge the changes from origin")
    );
    assert_eq!(checked_out(&work, "NOTES.md"), "notes\n");
    assert_checkout_clean(&work);
    // Its page: what it merged, and no whole-merge revert button.
    let (_, page) = browser.get(&format!("/commits/{head}")).await;
    assert!(page.contains("Merge the changes from origin"), "{page}");
    assert!(
        page.contains("Taken from origin (main): NOTES.md"),
        "{page}"
    );
    assert!(!page.contains("Revert this change"), "{page}");

    // 2. Another field of the same document: merged field by field, the
    // file otherwise exactly as the remote wrote it.
    let before = git(&work, &["show", &format!("HEAD:{doc}")]);
    let theirs = push_other(
        &|o| set_line(o, doc, "category: research", "category: lab"),
        "Category",
    );
    save_mission(&browser, "Merged with another field").await;
    let mine = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    let head = wait_pushed("another field").await;
    assert_eq!(
        git(&work, &["log", "-1", "--format=%P", &head])
            .trim()
            .to_string(),
        format!("{mine} {theirs}")
    );
    let expected = before
        .replacen("category: research", "category: lab", 1)
        .replacen(
            "mission: Merged with a new file",
            "mission: Merged with another field",
            1,
        );
    assert_eq!(git(&bare, &["show", &format!("main:{doc}")]), expected);
    assert_eq!(checked_out(&work, doc).trim_end(), expected);
    let (_, html) = browser.get(PAGE).await;
    assert_eq!(Form::parse(&html, PAGE).get("f.category"), Some("lab"));

    // 3. The same field: paused, both sides kept, admins see both values.
    let theirs = push_other(
        &|o| {
            set_line(
                o,
                doc,
                "mission: Merged with another field",
                "mission: Theirs",
            )
        },
        "Their mission",
    );
    save_mission(&browser, "Ours").await;
    let mine = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    dashboard_says(
        &browser,
        "Publishing is paused: Cairn's version and the remote's disagree about AI & Cities.",
    )
    .await;
    dashboard_says(&browser, "Choose below which version to keep.").await;
    let (_, dash) = browser.get("/").await;
    assert!(dash.contains("What conflicts with the remote"), "{dash}");
    assert!(dash.contains("mission: Ours"), "{dash}");
    assert!(dash.contains("mission: Theirs"), "{dash}");
    assert!(
        dash.contains("Their mission"),
        "their commit is named: {dash}"
    );
    dashboard_says(&browser, "1 change waiting to publish.").await;
    assert_eq!(git(&bare, &["rev-parse", "main"]).trim(), theirs);
    assert_eq!(git(&work, &["rev-parse", "HEAD"]).trim(), mine);
    // Editors see the pause, not the conflict table.
    let editor = sign_in_editor(&server).await;
    let (_, dash) = editor.get("/").await;
    assert!(dash.contains("Publishing is paused"), "{dash}");
    assert!(
        dash.contains("An administrator has been asked to choose"),
        "editors are told who decides: {dash}"
    );
    assert!(!dash.contains("What conflicts with the remote"));

    // Nothing lost: every commit of both sides is in the repositories.
    let remote_log = git(&bare, &["log", "--format=%s", "main"]);
    for subject in ["Notes", "Category", "Their mission"] {
        assert!(
            remote_log.lines().any(|l| l == subject),
            "{subject} on the remote"
        );
    }
    let local_log = git(&work, &["log", "--format=%s", "HEAD"]);
    assert_eq!(
        local_log
            .lines()
            .filter(|l| *l == "Update projects/ai-and-cities: mission")
            .count(),
        3,
        "every save is in the local history"
    );
    assert!(local_log.lines().any(|l| l == "Category"));
    assert_fsck_clean(&bare);
    assert_fsck_clean(&work);

    // The remote agrees again (someone sets the same value there) and says
    // so through the webhook: merged and published, the pause is over.
    let agreed = push_other(
        &|o| set_line(o, doc, "mission: Theirs", "mission: Ours"),
        "Agree",
    );
    let hook = reqwest::Client::new()
        .post(server.url("/hooks/push"))
        .header("x-gitlab-token", "hook secret")
        .body("{}")
        .send()
        .await
        .expect("webhook");
    assert_eq!(hook.status().as_u16(), 202);
    let head = wait_pushed("after the remote agreed").await;
    assert_eq!(
        git(&work, &["log", "-1", "--format=%P", &head])
            .trim()
            .to_string(),
        format!("{mine} {agreed}")
    );
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;
    let (_, dash) = browser.get("/").await;
    assert!(!dash.contains("Publishing paused"), "{dash}");
    assert_fsck_clean(&bare);
    drop(server);
}

/// Waits (up to 20 s) until the dashboard shows `text`.
pub(crate) async fn dashboard_says(browser: &Browser, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, dash) = browser.get("/").await;
        if unescape(&dash).contains(text) {
            // One story at a time: exactly one line says where publishing stands.
            assert_eq!(
                dash.matches("<p class=\"state ").count(),
                1,
                "one publishing state line: {dash}"
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the dashboard never said {text:?}: {dash}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn saves_go_on_while_the_remote_is_down_and_are_pushed_in_order_when_it_is_back() {
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let port = daemon.port;
    let (_server, browser) = site_with_editor(&work, &dir.path().join("data")).await;
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;
    let served = bare.parent().expect("served").to_path_buf();
    drop(daemon);

    // Three saves while the remote is unreachable: all answered, all kept.
    for (i, mission) in ["One", "Two", "Three"].into_iter().enumerate() {
        let (_, html) = browser.get(PAGE).await;
        let form = Form::parse(&html, PAGE).with("f.mission", mission);
        assert_eq!(
            browser.post(PAGE, &form.fields).await.status().as_u16(),
            303,
            "save {i}"
        );
        dashboard_says(&browser, &format!("{} change", i + 1)).await;
    }
    dashboard_says(&browser, "3 changes waiting to publish.").await;
    dashboard_says(&browser, "The last attempt to publish failed").await;
    let mine = git(&work, &["rev-parse", "HEAD"]);

    // Back on the same port: everything is pushed, in order, nothing lost.
    let daemon = Daemon::start_on(&served, port);
    let deadline = Instant::now() + Duration::from_secs(90);
    while git(&bare, &["rev-parse", "main"]) != mine {
        assert!(
            Instant::now() < deadline,
            "never pushed after the remote came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let pushed = git(&bare, &["log", "--format=%s", "-3", "main"]);
    assert_eq!(
        pushed.lines().collect::<Vec<_>>(),
        vec![
            "Update projects/ai-and-cities: mission",
            "Update projects/ai-and-cities: mission",
            "Update projects/ai-and-cities: mission"
        ]
    );
    let missions: Vec<String> = (0..3)
        .map(|i| {
            git(
                &bare,
                &["show", &format!("main~{i}:_projects/ai-and-cities.md")],
            )
            .lines()
            .find(|l| l.starts_with("mission:"))
            .unwrap_or_default()
            .to_string()
        })
        .collect();
    assert_eq!(missions, ["mission: Three", "mission: Two", "mission: One"]);
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;
    assert_fsck_clean(&bare);
    drop(daemon);
}

#[tokio::test]
async fn changes_pushed_elsewhere_are_taken_in_and_a_later_save_is_pushed_on_top() {
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[("CAIRN_FETCH_INTERVAL_SECS", "1")],
    );
    let browser = sign_in_editor(&server).await;
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;

    // Someone pushes a new file and a change to a document's other field.
    let theirs = push_from_elsewhere(dir.path(), &daemon, |other| {
        std::fs::write(other.join("NOTES.md"), "notes\n").expect("write");
        let doc = other.join("_projects/ai-and-cities.md");
        let text = std::fs::read_to_string(&doc).expect("read");
        std::fs::write(&doc, text.replace("category: research", "category: lab")).expect("write");
    });

    // Taken in: the branch, the checkout (clean) and the admin show it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while git(&work, &["rev-parse", "HEAD"]) != theirs {
        assert!(
            Instant::now() < deadline,
            "the outside change was never taken in"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(checked_out(&work, "NOTES.md"), "notes\n");
    let (_, html) = browser.get(PAGE).await;
    assert_eq!(Form::parse(&html, PAGE).get("f.category"), Some("lab"));

    // A save after it is pushed on top: a fast-forward for the remote.
    let form = Form::parse(&html, PAGE).with("f.mission", "After the outside change");
    assert_eq!(
        browser.post(PAGE, &form.fields).await.status().as_u16(),
        303
    );
    let mine = git(&work, &["rev-parse", "HEAD"]);
    assert_eq!(git(&work, &["rev-parse", "HEAD~1"]), theirs);
    let deadline = Instant::now() + Duration::from_secs(30);
    while git(&bare, &["rev-parse", "main"]) != mine {
        assert!(Instant::now() < deadline, "the save was never pushed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_fsck_clean(&bare);
    assert_fsck_clean(&work);
}

#[tokio::test]
async fn taking_in_outside_changes_never_overwrites_local_edits_in_the_checkout() {
    let dir = tempdir();
    let (_bare, work, daemon) = remote_and_checkout(dir.path());
    // An uncommitted edit in Cairn's checkout.
    let doc = "_projects/urban-heat-commons.md";
    let local = format!(
        "{}\nA local, uncommitted line.\n",
        std::fs::read_to_string(work.join(doc)).expect("read")
    );
    std::fs::write(work.join(doc), &local).expect("write");
    let _server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[("CAIRN_FETCH_INTERVAL_SECS", "1")],
    );
    // The same file changed on the remote.
    let theirs = push_from_elsewhere(dir.path(), &daemon, |other| {
        let text = std::fs::read_to_string(other.join(doc)).expect("read");
        std::fs::write(other.join(doc), text.replace("category: ", "category: x")).expect("write");
    });

    let deadline = Instant::now() + Duration::from_secs(30);
    while git(&work, &["rev-parse", "HEAD"]) != theirs {
        assert!(
            Instant::now() < deadline,
            "the outside change was never taken in"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The branch moved; the edited file was left exactly as it was.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        std::fs::read_to_string(work.join(doc)).expect("read"),
        local
    );
}

/// HMAC-SHA256 of `body` with `key`, in hex (as GitHub and Gitea sign).
fn hmac_hex(key: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_signed_push_webhook_makes_cairn_fetch_at_once_and_others_get_401() {
    let dir = tempdir();
    let (_bare, work, daemon) = remote_and_checkout(dir.path());
    // Fetching on a timer is an hour away: only the webhook can bring the change.
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[
            ("CAIRN_FETCH_INTERVAL_SECS", "3600"),
            ("CAIRN_WEBHOOK_SECRET", "hook secret"),
        ],
    );
    let browser = sign_in_editor(&server).await;
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;
    let theirs = push_from_elsewhere(dir.path(), &daemon, |other| {
        std::fs::write(other.join("NOTES.md"), "notes\n").expect("write");
    });
    let before = git(&work, &["rev-parse", "HEAD"]);

    let body = br#"{"ref":"refs/heads/main"}"#;
    let hook = |headers: Vec<(&'static str, String)>| {
        let mut r = reqwest::Client::new()
            .post(server.url("/hooks/push"))
            .header("content-type", "application/json")
            .body(body.to_vec());
        for (k, v) in headers {
            r = r.header(k, v);
        }
        r.send()
    };
    // Unsigned, wrongly signed, a wrong GitLab token: 401, nothing fetched.
    for headers in [
        vec![],
        vec![(
            "x-hub-signature-256",
            format!("sha256={}", hmac_hex("wrong", body)),
        )],
        vec![("x-gitea-signature", hmac_hex("wrong", body))],
        vec![("x-gitlab-token", "wrong".to_string())],
    ] {
        let r = hook(headers).await.expect("POST");
        assert_eq!(r.status().as_u16(), 401);
    }
    // A signed push of another branch: answered, nothing fetched.
    let draft = br#"{"ref":"refs/heads/draft"}"#;
    let r = reqwest::Client::new()
        .post(server.url("/hooks/push"))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            format!("sha256={}", hmac_hex("hook secret", draft)),
        )
        .body(draft.to_vec())
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 202);
    assert!(
        r.text().await.expect("body").contains("another branch"),
        "says why nothing is fetched"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(git(&work, &["rev-parse", "HEAD"]), before);

    // GitHub's signature: fetched and taken in at once.
    let r = hook(vec![(
        "x-hub-signature-256",
        format!("sha256={}", hmac_hex("hook secret", body)),
    )])
    .await
    .expect("POST");
    assert_eq!(r.status().as_u16(), 202);
    let deadline = Instant::now() + Duration::from_secs(20);
    while git(&work, &["rev-parse", "HEAD"]) != theirs {
        assert!(
            Instant::now() < deadline,
            "the webhook did not bring the change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // GitLab's token and Gitea's signature are accepted too.
    let r = hook(vec![("x-gitlab-token", "hook secret".to_string())])
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 202);
    let r = hook(vec![("x-gitea-signature", hmac_hex("hook secret", body))])
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 202);

    // The API's status: everything published, nothing waiting.
    let api = crate::api::Api::new(
        &server,
        Some(&crate::api::token(
            &server.data,
            "monitor",
            &["--role", "reviewer"],
        )),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let status = api.json("/api/v1/status").await;
        if status["publishing"]["state"] == "published" {
            break status;
        }
        assert!(Instant::now() < deadline, "{status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["publishing"]["waiting"], 0, "{status}");
    assert_eq!(status["publishing"]["remote_branch"], "main", "{status}");
    assert_eq!(status["branch"], "main", "{status}");
    assert_eq!(status["builds"]["enabled"], false, "{status}");
    assert!(status["builds"]["last"].is_null(), "{status}");
}

#[tokio::test]
async fn a_remote_that_never_answers_times_out_and_saving_goes_on() {
    let dir = tempdir();
    // A "remote" that accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            held.push(stream);
        }
    });
    let work = dir.path().join("work");
    cairn::site::open_or_create(&work, true, 0).expect("demo site");
    git(
        &work,
        &[
            "remote",
            "add",
            "origin",
            &format!("git://127.0.0.1:{port}/site.git"),
        ],
    );
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[("CAIRN_REMOTE_TIMEOUT_SECS", "1")],
    );
    let browser = sign_in_editor(&server).await;
    dashboard_says(&browser, "The last attempt to publish failed").await;
    let started = Instant::now();
    save_mission(&browser, "Saved while the remote hangs").await;
    assert!(git(&work, &["log", "-1", "--format=%s"]).starts_with("Update projects/ai-and-cities"));
    // The demo's first commit and the save: the remote has neither.
    dashboard_says(&browser, "2 changes waiting to publish.").await;
    println!("saved and reported within {:?}", started.elapsed());
}

/// A save is pushed over `transport` (the remote's branch becomes the
/// checkout's), then a commit pushed elsewhere (`NOTES.md`: "over
/// {transport}") is fetched and taken in; returns that commit.
async fn push_and_fetch(
    browser: &Browser,
    dir: &Path,
    work: &Path,
    bare: &Path,
    daemon: &Daemon,
    transport: &str,
) -> String {
    save_mission(browser, &format!("Over {transport}")).await;
    let head = git(work, &["rev-parse", "HEAD"]);
    assert!(
        eventually(20, || git(bare, &["rev-parse", "main"]) == head),
        "pushed over {transport}"
    );
    dashboard_says(browser, "All changes are on the site (published just now).").await;
    let theirs = push_from_elsewhere(dir, daemon, |other| {
        std::fs::write(other.join("NOTES.md"), format!("over {transport}\n")).expect("write");
    });
    assert!(
        eventually(20, || git(work, &["rev-parse", "HEAD"]) == theirs),
        "fetched over {transport}"
    );
    theirs
}

/// `sshd` on a loopback port, logging to a file, letting in the holder of
/// one key (as the user running the tests).
struct Sshd {
    child: std::process::Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SSHD: &str = "/usr/sbin/sshd";

fn sshd_available() -> bool {
    let keygen = program_available("ssh-keygen", "openssh-client");
    keygen && required_or_skipped(Path::new(SSHD).exists(), "sshd", "openssh-server")
}

fn keygen(path: &Path) {
    succeed(
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(path),
    );
}

impl Sshd {
    /// Starts sshd for `authorized` (a public key file); `known_hosts` is
    /// written for its host key.
    fn start(dir: &Path, authorized: &Path, known_hosts: &Path) -> Sshd {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        keygen(&dir.join("host_key"));
        std::fs::copy(authorized, dir.join("authorized_keys")).expect("authorized_keys");
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_key\n\
             AuthorizedKeysFile {dir}/authorized_keys\nPubkeyAuthentication yes\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\n\
             PidFile {dir}/sshd.pid\nLogLevel VERBOSE\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config).expect("sshd_config");
        // Its privilege separation folder (made at boot on a real server).
        let _ = std::fs::create_dir_all("/run/sshd");
        let log = dir.join("sshd.log");
        let child = std::process::Command::new(SSHD)
            .arg("-D")
            .arg("-f")
            .arg(dir.join("sshd_config"))
            .arg("-E")
            .arg(&log)
            .spawn()
            .expect("sshd");
        assert!(
            eventually(10, || std::net::TcpStream::connect(("127.0.0.1", port))
                .is_ok()),
            "sshd listens"
        );
        let host = std::fs::read_to_string(dir.join("host_key.pub")).expect("host key");
        let mut parts = host.split_whitespace();
        let (kind, key) = (parts.next().expect("type"), parts.next().expect("key"));
        std::fs::create_dir_all(known_hosts.parent().expect("folder")).expect("mkdir");
        std::fs::write(known_hosts, format!("[127.0.0.1]:{port} {kind} {key}\n"))
            .expect("known_hosts");
        Sshd { child, port, log }
    }

    /// Connections refused at authentication so far.
    fn refused(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("Connection closed by authenticating user"))
            .count()
    }
}

/// Pushing and fetching over ssh on loopback with the key given; a wrong
/// key fails clearly after a bounded number of tries, and nothing is tried
/// again on a timer until the next change.
#[tokio::test]
async fn a_remote_over_ssh_works_with_the_right_key_and_fails_clearly_with_a_wrong_one() {
    if !sshd_available() {
        return;
    }
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).expect("mkdir");
    keygen(&keys.join("cairn"));
    keygen(&keys.join("wrong"));
    let home = dir.path().join("home");
    let sshd_dir = dir.path().join("sshd");
    std::fs::create_dir_all(&sshd_dir).expect("mkdir");
    let sshd = Sshd::start(
        &sshd_dir,
        &keys.join("cairn.pub"),
        &home.join(".ssh/known_hosts"),
    );
    let user = std::process::Command::new("id")
        .arg("-un")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .expect("id -un");
    let url = format!("ssh://{user}@127.0.0.1:{}{}", sshd.port, bare.display());
    git(&work, &["remote", "set-url", "origin", &url]);
    let home_str = home.to_str().expect("utf-8");

    // The right key: a save is pushed, someone else's push is fetched.
    let key = keys.join("cairn");
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[
            ("CAIRN_SSH_KEY", key.to_str().expect("utf-8")),
            ("HOME", home_str),
            ("CAIRN_FETCH_INTERVAL_SECS", "1"),
        ],
    );
    let browser = sign_in_editor(&server).await;
    let theirs = push_and_fetch(&browser, dir.path(), &work, &bare, &daemon, "ssh").await;
    assert_eq!(checked_out(&work, "NOTES.md"), "over ssh\n");
    assert_eq!(sshd.refused(), 0, "the right key is never refused");
    drop(server);

    // A wrong key: refused, shown, tried 3 times, then left alone (even
    // with fetching every second) until the next change.
    let wrong = keys.join("wrong");
    let server = Server::start_with(
        &dir.path().join("data2"),
        Some(&work),
        &[
            ("CAIRN_SSH_KEY", wrong.to_str().expect("utf-8")),
            ("HOME", home_str),
            ("CAIRN_FETCH_INTERVAL_SECS", "1"),
        ],
    );
    let browser = sign_in_editor(&server).await;
    save_mission(&browser, "Wrong key").await;
    dashboard_says(
        &browser,
        "authentication failed: the remote refused the SSH key",
    )
    .await;
    dashboard_says(&browser, "Cairn stopped trying after 3 refusals").await;
    dashboard_says(&browser, "1 change waiting to publish.").await;
    // sshd logs a refusal when the connection closes, just after Cairn
    // records the failure.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let tries = sshd.refused();
    assert!((1..=3).contains(&tries), "{tries} refused connections");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        sshd.refused(),
        tries,
        "no retries on a timer after a refused key"
    );
    assert_eq!(git(&bare, &["rev-parse", "main"]), theirs, "nothing pushed");
    drop(server);

    // The right key, but a host Cairn does not know (no known_hosts entry):
    // refused before any key is offered.
    let stranger = dir.path().join("stranger");
    std::fs::create_dir_all(&stranger).expect("mkdir");
    let server = Server::start_with(
        &dir.path().join("data3"),
        Some(&work),
        &[
            ("CAIRN_SSH_KEY", key.to_str().expect("utf-8")),
            ("HOME", stranger.to_str().expect("utf-8")),
        ],
    );
    let browser = sign_in_editor(&server).await;
    dashboard_says(&browser, "The last attempt to publish failed").await;
    let (_, dash) = browser.get("/").await;
    assert!(dash.to_lowercase().contains("host"), "{dash}");
    assert_eq!(git(&bare, &["rev-parse", "main"]), theirs, "nothing pushed");
    assert_fsck_clean(&bare);
    drop(server);
}

/// Someone rewrites the remote's history (a forced push dropping Cairn's
/// pushed commit): Cairn is refused as for any other divergence, never
/// forces, and merges, so its commits and the rewritten ones are all on
/// the remote afterwards.
#[tokio::test]
async fn a_rewritten_remote_history_is_merged_not_overwritten() {
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let (_server, browser) = site_with_editor(&work, &dir.path().join("data")).await;
    save_mission(&browser, "Pushed, then dropped").await;
    let dropped = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    assert!(eventually(20, || git(&bare, &["rev-parse", "main"]).trim() == dropped));

    // The rewrite: the remote's branch goes back one commit and on another way.
    let other = dir.path().join("rewriter");
    git(
        dir.path(),
        &["clone", "-q", &daemon.url("remote.git"), "rewriter"],
    );
    git(&other, &["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(other.join("REWRITTEN.md"), "rewritten\n").expect("write");
    git(&other, &["add", "REWRITTEN.md"]);
    git_commit(&other, "Rewritten history");
    git(&other, &["push", "-q", "--force", "origin", "main"]);
    let rewritten = git(&other, &["rev-parse", "HEAD"]).trim().to_string();

    save_mission(&browser, "After the rewrite").await;
    let mine = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    assert!(
        eventually(30, || git(&bare, &["rev-parse", "main"]).trim()
            != rewritten),
        "published after the rewrite"
    );
    let head = git(&bare, &["rev-parse", "main"]).trim().to_string();
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%P", &head]).trim(),
        format!("{mine} {rewritten}")
    );
    for commit in [&dropped, &mine, &rewritten] {
        let kept = std::process::Command::new("git")
            .arg("-C")
            .arg(&bare)
            .args(["merge-base", "--is-ancestor", commit, "main"])
            .status()
            .expect("git merge-base");
        assert!(kept.success(), "{commit} is on the remote's branch");
    }
    let file = git(&bare, &["show", "main:_projects/ai-and-cities.md"]);
    assert!(file.contains("mission: After the rewrite"), "{file}");
    assert_eq!(git(&bare, &["show", "main:REWRITTEN.md"]), "rewritten\n");
    assert_fsck_clean(&bare);
}

/// A conflict an admin settles on the dashboard: keeping Cairn's value for
/// the field both changed, the remote's other change merged too; the merge
/// commit is authored by the admin and pushed.
#[tokio::test]
async fn an_admin_settles_a_conflict_by_choosing_a_version() {
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let doc = "_projects/ai-and-cities.md";
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[("CAIRN_FETCH_INTERVAL_SECS", "3600")],
    );
    let admin = sign_in_as(&server, "ada", "admin").await;
    dashboard_says(&admin, "All changes are on the site (published just now).").await;
    let theirs = push_from_elsewhere(dir.path(), &daemon, |other| {
        set_line(other, doc, "category: research", "category: lab");
        let text = std::fs::read_to_string(other.join(doc)).expect("read");
        let mission = text
            .lines()
            .find(|l| l.starts_with("mission:"))
            .expect("a mission line")
            .to_string();
        set_line(other, doc, &mission, "mission: Theirs");
    });
    let theirs = theirs.trim().to_string();
    save_mission(&admin, "Ours").await;
    let mine = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    dashboard_says(&admin, "Publishing is paused").await;

    let (_, dash) = admin.get("/").await;
    let form = Form::parse(&dash, "/publishing/settle");
    assert_eq!(form.get("path.0"), Some(doc));
    assert_eq!(form.get("part.0"), Some("the field `mission`"));
    // A choice that is not one: refused, nothing merged.
    let bad = form.clone().without("side.0").with("side.0", "both");
    assert_eq!(
        admin
            .post("/publishing/settle", &bad.fields)
            .await
            .status()
            .as_u16(),
        400
    );
    // No choice: nothing merged, said so.
    let none = form.clone().without("side.0");
    assert_eq!(
        admin
            .post("/publishing/settle", &none.fields)
            .await
            .status()
            .as_u16(),
        303
    );
    dashboard_says(&admin, "Nothing was merged: choose which version").await;
    assert_eq!(git(&work, &["rev-parse", "HEAD"]).trim(), mine);
    // Keep Cairn's.
    let keep = form.without("side.0").with("side.0", "ours");
    assert_eq!(
        admin
            .post("/publishing/settle", &keep.fields)
            .await
            .status()
            .as_u16(),
        303
    );
    dashboard_says(&admin, "Merged with your choices; publishing goes on.").await;
    assert!(
        eventually(30, || {
            let head = git(&work, &["rev-parse", "HEAD"]);
            git(&bare, &["rev-parse", "main"]) == head && head.trim() != mine
        }),
        "the merge was pushed"
    );
    let head = git(&bare, &["rev-parse", "main"]).trim().to_string();
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%P", &head]).trim(),
        format!("{mine} {theirs}")
    );
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%an", &head]).trim(),
        "ada"
    );
    assert!(
        git(&bare, &["log", "-1", "--format=%B", &head])
            .contains("- _projects/ai-and-cities.md: the field `mission`: kept Cairn's")
    );
    let file = git(&bare, &["show", &format!("main:{doc}")]);
    assert!(file.contains("mission: Ours"), "{file}");
    assert!(file.contains("category: lab"), "{file}");
    let (_, dash) = admin.get("/").await;
    assert!(!dash.contains("Publishing paused"), "{dash}");
    assert_checkout_clean(&work);
    assert_fsck_clean(&bare);
}

/// The TLS git server of `tests/fixtures/tools/git-https-server.py`.
struct HttpsGit {
    child: std::process::Child,
    port: u16,
    refused_log: std::path::PathBuf,
}

impl Drop for HttpsGit {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl HttpsGit {
    /// Serves `root` over https on loopback, for `user` with `token`;
    /// returns the server and the certificate to trust.
    fn start(root: &Path, dir: &Path, user: &str, token: &str) -> (HttpsGit, std::path::PathBuf) {
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let out = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .args(["-nodes", "-days", "1", "-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port_file = dir.join("port");
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tools/git-https-server.py");
        let child = std::process::Command::new("python3")
            .arg(script)
            .arg(root)
            .arg(&cert)
            .arg(&key)
            .arg(user)
            .arg(token)
            .arg(&port_file)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3");
        assert!(
            eventually(20, || port_file.exists()),
            "the https server started"
        );
        let port = std::fs::read_to_string(&port_file)
            .expect("port")
            .trim()
            .parse()
            .expect("a port");
        let server = HttpsGit {
            child,
            port,
            refused_log: root.join("refused.log"),
        };
        (server, cert)
    }

    fn refused(&self) -> usize {
        std::fs::read_to_string(&self.refused_log)
            .unwrap_or_default()
            .lines()
            .count()
    }
}

/// Pushing and fetching over https (TLS, a certificate the server's
/// operator trusts) with a token from a file; a wrong token fails clearly
/// after a bounded number of tries.
#[tokio::test]
async fn a_remote_over_https_works_with_the_right_token_and_fails_clearly_with_a_wrong_one() {
    if !program_available("python3", "python3") || !program_available("openssl", "openssl") {
        return;
    }
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let tls = dir.path().join("tls");
    std::fs::create_dir_all(&tls).expect("mkdir");
    let (https, cert) = HttpsGit::start(
        bare.parent().expect("served"),
        &tls,
        "cairn-bot",
        "t0ken-right",
    );
    let url = format!("https://localhost:{}/remote.git", https.port);
    git(&work, &["remote", "set-url", "origin", &url]);
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "t0ken-right\n").expect("token file");
    let cert_str = cert.to_str().expect("utf-8");

    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[
            (
                "CAIRN_REMOTE_TOKEN_FILE",
                token_file.to_str().expect("utf-8"),
            ),
            ("CAIRN_REMOTE_USERNAME", "cairn-bot"),
            ("SSL_CERT_FILE", cert_str),
            ("CAIRN_FETCH_INTERVAL_SECS", "1"),
        ],
    );
    let browser = sign_in_editor(&server).await;
    let theirs = push_and_fetch(&browser, dir.path(), &work, &bare, &daemon, "https").await;
    drop(server);

    // A wrong token: refused, shown, a bounded number of tries.
    let refused_before = https.refused();
    let server = Server::start_with(
        &dir.path().join("data2"),
        Some(&work),
        &[
            ("CAIRN_REMOTE_TOKEN", "t0ken-wrong"),
            ("SSL_CERT_FILE", cert_str),
            ("CAIRN_FETCH_INTERVAL_SECS", "1"),
        ],
    );
    let browser = sign_in_editor(&server).await;
    save_mission(&browser, "Wrong token").await;
    dashboard_says(
        &browser,
        "authentication failed: the remote refused the token",
    )
    .await;
    dashboard_says(&browser, "Cairn stopped trying after 3 refusals").await;
    let (_, dash) = browser.get("/").await;
    assert!(!dash.contains("t0ken-wrong"), "the token is never shown");
    let tries = https.refused() - refused_before;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        https.refused() - refused_before,
        tries,
        "no retries on a timer"
    );
    // Each try: the request without credentials, then once with the token.
    assert!((1..=6).contains(&tries), "{tries} refused requests");
    assert_eq!(git(&bare, &["rev-parse", "main"]), theirs, "nothing pushed");
    assert_fsck_clean(&bare);
    drop(server);
}

/// The most common self-hosted setup: the team's bare repository on the
/// same server, given as a local path, with hooks. Cairn serves its own
/// bare clone (the layout the README recommends). The remote's hooks run
/// on each push, as `git push` to a local path runs them; a hook that
/// refuses the push is reported, and nothing is lost.
#[tokio::test]
async fn a_local_path_remote_runs_its_hooks_on_each_push() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let src = dir.path().join("src");
    cairn::site::open_or_create(&src, true, 0).expect("demo site");
    let team = dir.path().join("team.git");
    let cairns = dir.path().join("cairn.git");
    for (from, to) in [(&src, &team), (&team, &cairns)] {
        bare_clone(from, to);
    }
    let marker = dir.path().join("marker");
    let hook = |name: &str, script: &str| {
        let path = team.join("hooks").join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("hook");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    };
    let m = marker.display();
    hook(
        "pre-receive",
        &format!("while read old new ref; do echo \"pre $ref $new\" >> '{m}'; done"),
    );
    hook("update", &format!("echo \"update $1 $3\" >> '{m}'"));
    hook(
        "post-receive",
        &format!(
            "while read old new ref; do echo \"post $ref $new\" >> '{m}'; done; echo \"secret: ${{CAIRN_WEBHOOK_SECRET:-not given}}\" >> '{m}'"
        ),
    );

    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&cairns),
        &[("CAIRN_WEBHOOK_SECRET", "not for hooks")],
    );
    let browser = sign_in_editor(&server).await;
    save_mission(&browser, "Pushed through the hooks").await;
    let head = git(&cairns, &["rev-parse", "main"]);
    let head = head.trim();
    assert!(
        eventually(20, || git(&team, &["rev-parse", "main"]).trim() == head),
        "the commit reached the team's repository"
    );
    assert!(
        eventually(20, || std::fs::read_to_string(&marker)
            .is_ok_and(|t| t.contains(&format!("post refs/heads/main {head}")))),
        "post-receive ran"
    );
    let said = std::fs::read_to_string(&marker).expect("marker");
    assert!(
        said.contains(&format!("pre refs/heads/main {head}")),
        "{said}"
    );
    assert!(
        said.contains(&format!("update refs/heads/main {head}")),
        "{said}"
    );
    assert!(
        said.contains("secret: not given"),
        "Cairn's settings stay out of hooks: {said}"
    );
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;

    // A pre-receive hook that refuses: the commit stays with Cairn, the
    // dashboard tells why, saving goes on.
    hook(
        "pre-receive",
        "echo 'pushes are closed for the audit' >&2; exit 1",
    );
    save_mission(&browser, "Refused by the hook").await;
    let refused = git(&cairns, &["rev-parse", "main"]);
    assert_ne!(refused, head);
    dashboard_says(&browser, "pushes are closed for the audit").await;
    assert_eq!(git(&team, &["rev-parse", "main"]).trim(), head);
    assert!(
        git(&cairns, &["log", "--format=%s", "-1"]).contains("mission"),
        "the refused commit is kept"
    );
    assert_fsck_clean(&team);
    assert_fsck_clean(&cairns);
}
