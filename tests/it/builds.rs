//! Builds Cairn runs itself (issue 7): a command in a clean checkout of each
//! published commit and a build hook, one at a time, coalesced, recorded,
//! time-limited, followed live; saving never waits for them.

use crate::publish::{dashboard_says, eventually, push_from_elsewhere, remote_and_checkout};
use crate::support::*;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The runs on `/builds`, newest first: (id, commit, status).
async fn builds(browser: &Browser) -> Vec<(String, String, String)> {
    let (status, html) = browser.get("/builds").await;
    assert_eq!(status, 200);
    let mut runs = Vec::new();
    for row in html.split("<tr>").skip(2) {
        let between = |start: &str, end: &str| {
            row.split_once(start)
                .and_then(|(_, rest)| rest.split_once(end))
                .map(|(v, _)| v.to_string())
                .unwrap_or_default()
        };
        let cells: Vec<String> = row
            .split("<td")
            .skip(1)
            .map(|c| {
                let c = c.split_once('>').map_or("", |(_, r)| r);
                c.split("</td>")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            })
            .collect();
        runs.push((
            between("href=\"/builds/", "\""),
            between("href=\"/commits/", "\""),
            cells.get(4).cloned().unwrap_or_default(),
        ));
    }
    runs
}

/// Waits until no build runs and the newest is of `commit`.
async fn settled_on(browser: &Browser, commit: &str) -> Vec<(String, String, String)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let runs = builds(browser).await;
        if runs.first().is_some_and(|r| r.1 == commit) && runs.iter().all(|r| r.2 != "Running") {
            return runs;
        }
        assert!(
            Instant::now() < deadline,
            "builds never settled on {commit}: {runs:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The hanging processes one test's build commands start, and only those:
/// the test passes `BUILD_TEST_OWNER` (its own temporary folder) to Cairn,
/// whose builds pass it on, and a command that hangs runs its `sleep` with
/// `BUILD_TEST_HANG` set to that value. Another test, or another copy of the
/// suite, has another folder. Whatever is still hanging is killed when the
/// test ends, passed or failed, so no run is ever failed by another's.
pub(crate) struct Hanging {
    owner: String,
}

impl Hanging {
    pub(crate) fn new(dir: &std::path::Path) -> Hanging {
        Hanging {
            owner: dir.to_str().expect("utf-8").to_string(),
        }
    }

    /// The variable to give Cairn.
    fn env(&self) -> (&'static str, &str) {
        ("BUILD_TEST_OWNER", &self.owner)
    }

    /// The process ids of this test's hanging processes.
    fn pids(&self) -> Vec<String> {
        let mark = format!("BUILD_TEST_HANG={}", self.owner);
        std::fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(|e| e.ok())
            .filter(|e| {
                std::fs::read(e.path().join("environ"))
                    .is_ok_and(|env| env.split(|b| *b == 0).any(|var| var == mark.as_bytes()))
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    pub(crate) fn running(&self) -> bool {
        !self.pids().is_empty()
    }
}

impl Drop for Hanging {
    fn drop(&mut self) {
        for pid in self.pids() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status();
        }
    }
}

/// A build command that fails, and one that hangs past its time limit: both
/// recorded as such, the hanging one killed with its children, its log
/// followed live; saves meanwhile answer as usual.
#[tokio::test]
async fn failing_and_hanging_builds_are_recorded_and_saving_goes_on() {
    let dir = tempdir();
    // No remote: each commit is built. The hanging one sleeps.
    let command = r#"echo "building $CAIRN_BUILD_COMMIT"; echo "secret: ${CAIRN_WEBHOOK_SECRET:-not given}"; grep '^mission:' _projects/ai-and-cities.md; if grep -q 'mission: Hang' _projects/ai-and-cities.md; then BUILD_TEST_HANG="$BUILD_TEST_OWNER" sleep 3171; fi; echo 'broken on purpose' >&2; exit 3"#;
    let hangs = Hanging::new(dir.path());
    let server = Server::start_with(
        &dir.path().join("data"),
        None,
        &[
            ("CAIRN_BUILD_COMMAND", command),
            ("CAIRN_BUILD_TIMEOUT_SECS", "5"),
            ("CAIRN_WEBHOOK_SECRET", "w3bhook-secret"),
            hangs.env(),
        ],
    );
    let browser = sign_in_editor(&server).await;
    let site = server.site();

    // A failing build.
    save_mission(&browser, "Fail").await;
    let failing = git(&site, &["rev-parse", "HEAD"]).trim().to_string();
    let runs = settled_on(&browser, &failing).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].2, "Failed");
    let (_, page) = browser.get(&format!("/builds/{}", runs[0].0)).await;
    assert!(page.contains("broken on purpose"), "{page}");
    assert!(page.contains("exit code 3"), "{page}");
    assert!(page.contains(&format!("building {failing}")), "{page}");
    assert!(
        page.contains("secret: not given"),
        "Cairn's secrets stay out of builds: {page}"
    );
    assert!(
        page.contains("mission: Fail"),
        "the clean checkout has the commit: {page}"
    );
    dashboard_says(&browser, "Last build failed").await;
    let (_, dash) = browser.get("/").await;
    assert!(
        dash.contains(&format!("href=\"/builds/{}\"", runs[0].0)),
        "{dash}"
    );
    // The API's status says the same, for a monitor.
    let reviewer = crate::api::token(&server.data, "monitor", &["--role", "reviewer"]);
    let status = crate::api::Api::new(&server, Some(&reviewer))
        .json("/api/v1/status")
        .await;
    assert_eq!(status["publishing"]["state"], "off", "{status}");
    assert_eq!(status["commit"], failing.as_str(), "{status}");
    assert_eq!(status["builds"]["enabled"], true, "{status}");
    let last = &status["builds"]["last"];
    assert_eq!(last["status"], "failed", "{status}");
    assert_eq!(last["exit_code"], 3, "{status}");
    assert_eq!(last["commit"], failing.as_str(), "{status}");
    assert_eq!(last["id"].to_string(), runs[0].0, "{status}");

    // A hanging build: followed live, then stopped at the limit.
    save_mission(&browser, "Hang").await;
    let hanging = git(&site, &["rev-parse", "HEAD"]).trim().to_string();
    let id = {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let runs = builds(&browser).await;
            if let Some(r) = runs.first().filter(|r| r.1 == hanging && r.2 == "Running") {
                break r.0.clone();
            }
            assert!(
                Instant::now() < deadline,
                "the hanging build never ran: {runs:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    // Without JavaScript the page refreshes itself and shows the log so far.
    let (_, page) = browser.get(&format!("/builds/{id}")).await;
    assert!(
        page.contains("<noscript><meta http-equiv=\"refresh\""),
        "{page}"
    );
    assert!(page.contains("/static/builds.js"), "{page}");
    // The live log, followed while it runs: the lines so far first.
    let mut events = browser
        .client
        .get(server.url(&format!("/builds/{id}/events?from=0")))
        .send()
        .await
        .expect("events");
    assert_eq!(
        events.headers()["content-type"]
            .to_str()
            .unwrap_or_default(),
        "text/event-stream"
    );
    let mut stream = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut read_until = async |what: &str, stream: &mut String| {
        while !stream.contains(what) {
            assert!(
                Instant::now() < deadline,
                "the stream never said {what:?}: {stream}"
            );
            match tokio::time::timeout(Duration::from_secs(20), events.chunk()).await {
                Ok(Ok(Some(bytes))) => stream.push_str(&String::from_utf8_lossy(&bytes)),
                other => panic!("the stream broke: {other:?} after {stream}"),
            }
        }
    };
    read_until("mission: Hang", &mut stream).await;
    assert!(stream.contains("event: line"), "{stream}");
    assert!(!stream.contains("event: end"), "{stream}");
    // Saving goes on while it runs: answered, committed, the build still
    // running (its stream has not ended).
    save_mission(&browser, "During the build").await;
    let during = git(&site, &["rev-parse", "HEAD"]).trim().to_string();
    assert_ne!(during, hanging);
    let runs = builds(&browser).await;
    assert!(
        runs.iter().any(|r| r.0 == id && r.2 == "Running"),
        "the save was answered while the build ran: {runs:?}"
    );
    // Then the end, at the time limit.
    read_until("event: end", &mut stream).await;
    assert!(stream.contains("data: timed_out"), "{stream}");

    // Recorded as timed out, its sleeping child killed; then one more build,
    // of the commit made during it.
    let runs = settled_on(&browser, &during).await;
    let hung = runs.iter().find(|r| r.0 == id).expect("the hanging run");
    assert_eq!(hung.2, "Timed out");
    assert!(
        eventually(10, || !hangs.running()),
        "the build's child process was killed"
    );
    assert_eq!(runs.len(), 3, "{runs:?}");
    let (_, page) = browser.get(&format!("/builds/{id}")).await;
    assert!(page.contains("longer than 5 s"), "{page}");
    dashboard_says(&browser, "Last build failed").await;
    // A run that does not exist, and one by a bad id.
    assert_eq!(browser.get("/builds/999").await.0, 404);
    assert_eq!(browser.get("/builds/x").await.0, 400);
    assert_fsck_clean(&site);
}

/// Records what a build hook receives (answers 200), on a loopback port.
fn hook_listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then Content-Length bytes of body.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break;
                    }
                }
            }
            seen.lock()
                .expect("lock")
                .push(String::from_utf8_lossy(&request).to_string());
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (
        format!("http://127.0.0.1:{port}/build_hooks/s3cr3t-hook-id"),
        got,
    )
}

/// 20 saves in quick succession are pushed and built a few times, not 20;
/// the last build is of the last commit; each build also calls the hook.
#[tokio::test]
async fn twenty_quick_saves_lead_to_a_few_builds_and_the_last_is_of_the_last_commit() {
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let (hook_url, hooks) = hook_listener();
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&work),
        &[
            (
                "CAIRN_BUILD_COMMAND",
                "sleep 1; grep '^mission:' _projects/ai-and-cities.md",
            ),
            ("CAIRN_BUILD_HOOK_URL", &hook_url),
            ("CAIRN_FETCH_INTERVAL_SECS", "1"),
        ],
    );
    let browser = sign_in_editor(&server).await;
    dashboard_says(
        &browser,
        "All changes are on the site (published just now).",
    )
    .await;

    for i in 1..=20 {
        save_mission(&browser, &format!("Save {i}")).await;
    }
    let last = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    assert!(
        eventually(30, || git(&bare, &["rev-parse", "main"]).trim() == last),
        "the last save was pushed"
    );
    let runs = settled_on(&browser, &last).await;
    eprintln!("20 saves: {} builds", runs.len());
    assert!(
        (1..=8).contains(&runs.len()),
        "a few builds, not one per save: {runs:?}"
    );
    assert!(runs.iter().all(|r| r.2 == "Succeeded"), "{runs:?}");
    let (_, page) = browser.get(&format!("/builds/{}", runs[0].0)).await;
    assert!(page.contains("mission: Save 20"), "{page}");
    assert!(
        page.contains("The build hook at 127.0.0.1 answered 200 OK."),
        "{page}"
    );
    assert!(
        !page.contains("s3cr3t"),
        "the hook's secret path is not logged"
    );
    // One hook call per build, each naming its commit; the last is the last commit.
    let received = hooks.lock().expect("lock").clone();
    assert_eq!(received.len(), runs.len(), "{received:?}");
    assert!(
        received
            .iter()
            .all(|r| r.starts_with("POST /build_hooks/s3cr3t-hook-id "))
    );
    assert!(
        received
            .iter()
            .any(|r| r.contains(&format!("\"commit\":\"{last}\"")))
    );
    assert!(received.iter().all(|r| r.contains("\"trigger\":\"push\"")));

    // Commits pushed elsewhere and taken in are built too (nothing of
    // Cairn's is pushed for them).
    let theirs = push_from_elsewhere(dir.path(), &daemon, |other| {
        std::fs::write(other.join("NOTES.md"), "notes\n").expect("write");
    });
    let theirs = theirs.trim().to_string();
    let runs = settled_on(&browser, &theirs).await;
    assert_eq!(runs[0].2, "Succeeded", "{runs:?}");
    let (_, page) = browser.get(&format!("/builds/{}", runs[0].0)).await;
    assert!(page.contains("after taking in the remote"), "{page}");
}

/// Cairn killed (kill -9) during a build: at the next start what the build
/// left running is stopped, the run is recorded as interrupted, and the
/// same commit is built again.
#[tokio::test]
async fn a_build_cut_short_by_a_crash_is_stopped_and_run_again_at_start() {
    let dir = tempdir();
    let data = dir.path().join("data");
    let marker = dir.path().join("quick");
    let marker_str = marker.to_str().expect("utf-8");
    // Hangs until the marker exists, then is quick.
    let command = r#"if [ -f "$BUILD_TEST_MARKER" ]; then echo "quick build"; else BUILD_TEST_HANG="$BUILD_TEST_OWNER" sleep 4243; fi"#;
    let hanging = Hanging::new(dir.path());
    let env = [
        ("CAIRN_BUILD_COMMAND", command),
        ("BUILD_TEST_MARKER", marker_str),
        hanging.env(),
    ];
    let mut server = Server::start_with(&data, None, &env);
    let browser = sign_in_editor(&server).await;
    save_mission(&browser, "Built after a crash").await;
    let commit = git(&server.site(), &["rev-parse", "HEAD"])
        .trim()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !hanging.running() {
        assert!(Instant::now() < deadline, "the build never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill();
    // The build outlived Cairn.
    assert!(hanging.running(), "a crash leaves the build running");

    std::fs::write(&marker, "").expect("marker");
    let server = Server::start_with(&data, None, &env);
    let browser = Browser::new(&server);
    assert_eq!(
        browser.login("alice", PASSWORD).await.status().as_u16(),
        303
    );
    assert!(
        eventually(20, || !hanging.running()),
        "the left-over build was stopped"
    );
    let runs = settled_on(&browser, &commit).await;
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[1].2, "Interrupted (Cairn stopped during the build)");
    assert_eq!(runs[0].2, "Succeeded");
    assert_eq!(runs[0].1, runs[1].1, "the same commit, built again");
    let (_, page) = browser.get(&format!("/builds/{}", runs[0].0)).await;
    assert!(page.contains("again after a restart"), "{page}");
    assert!(page.contains("quick build"), "{page}");
}
