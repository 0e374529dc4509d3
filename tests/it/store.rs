//! The git store under pressure: concurrent writers, locks held by other
//! programs or left by dead ones, and kill -9 in the middle of saves. Every
//! save answered 2xx must be a commit on the branch, and the repository must
//! stay sound (`git fsck --full --strict`).

use crate::support::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A site with one shared project and `others` more, made with git.
fn site_with_projects(dir: &Path, others: usize) -> PathBuf {
    let site = dir.join("site");
    let mut files = vec![
        (
            "_config.yml".to_string(),
            "title: Store\ncollections:\n  projects:\n    output: true\n".to_string(),
        ),
        (
            "_projects/shared.md".to_string(),
            "---\ntitle: Shared\nmission: Everyone edits this one\n---\nBody.\n".to_string(),
        ),
    ];
    for j in 0..others {
        files.push((
            format!("_projects/p{j}.md"),
            format!("---\ntitle: Project {j}\nmission: Mission {j}\n---\nBody {j}.\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    make_site(&site, &refs);
    site
}

/// Loads the edit form of `page` and saves it with `field` set to `value`;
/// returns the status, or `None` when the connection dropped (the server
/// was killed): not acknowledged.
async fn save(browser: &Browser, page: &str, field: &str, value: &str) -> Option<u16> {
    let url = format!("{}{page}", browser.base());
    let html = browser
        .client
        .get(&url)
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let form = Form::parse(&html, page).with(&format!("f.{field}"), value);
    let r = browser
        .client
        .post(&url)
        .header("origin", browser.base())
        .form(&form.fields)
        .send()
        .await
        .ok()?;
    Some(r.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_writers_lose_no_acknowledged_save() {
    let dir = tempdir();
    let site = site_with_projects(dir.path(), WRITERS / 2);
    let _server = fifty_writers(&site, &dir.path().join("data"), &[]).await;
    assert_checkout_clean(&site);
}

/// The same fifty writers on a bare repository (the server layout), with
/// packing set to start every 100 loose objects: packing runs while they
/// save and readers read; nothing is lost, no read fails, fsck is clean,
/// and the loose objects end below the threshold.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn packing_runs_under_fifty_writers_and_loses_nothing() {
    if !tool_available("git") {
        return;
    }
    let dir = tempdir();
    let checkout = site_with_projects(dir.path(), WRITERS / 2);
    let site = dir.path().join("site.git");
    bare_clone(&checkout, &site);
    // Cairn's own clone, publishing nowhere.
    git(&site, &["remote", "remove", "origin"]);
    let packs = site.join("objects/pack");
    let count_packs = |dir: &Path| {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
                .count()
        })
    };
    let packs_at_start = count_packs(&packs);
    let packed_during = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (packs, seen, watching) = (packs.clone(), packed_during.clone(), watching.clone());
        tokio::spawn(async move {
            while watching.load(std::sync::atomic::Ordering::SeqCst) {
                let n = count_packs(&packs);
                seen.fetch_max(n, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let _server = fifty_writers(
        &site,
        &dir.path().join("data"),
        &[("CAIRN_PACK_LOOSE_OBJECTS", "100")],
    )
    .await;
    watching.store(false, std::sync::atomic::Ordering::SeqCst);
    watcher.await.expect("watcher");
    assert!(
        packed_during.load(std::sync::atomic::Ordering::SeqCst) > packs_at_start,
        "a pack was written while the writers saved"
    );
    // Packing catches up after the last saves: below the threshold.
    let loose = || {
        std::fs::read_dir(site.join("objects")).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.file_name().len() == 2)
                .map(|e| std::fs::read_dir(e.path()).map_or(0, |f| f.count()))
                .sum::<usize>()
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while loose() >= 100 {
        assert!(Instant::now() < deadline, "{} loose objects left", loose());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_fsck_clean(&site);
}

const WRITERS: usize = 50;

/// Fifty writers, twenty saves each, half on one shared document, with
/// readers reading meanwhile (every read must answer 200): every
/// acknowledged save is one commit, every last value is there, fsck clean.
async fn fifty_writers(site: &Path, data: &Path, env: &[(&str, &str)]) -> Server {
    const SAVES: usize = 20;
    let server = Server::start_with(data, Some(site), env);
    add_user(data, "alice", "editor", "alice@example.org", "Alice Martin");
    let before = commit_count(site);
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut readers = Vec::new();
    for r in 0..4 {
        let browser = Browser::new(&server);
        let writing = writing.clone();
        readers.push(tokio::spawn(async move {
            assert_eq!(
                browser.login("alice", PASSWORD).await.status().as_u16(),
                303
            );
            let mut reads = 0;
            while writing.load(std::sync::atomic::Ordering::SeqCst) {
                let page = if r % 2 == 0 {
                    "/collections/projects/shared".to_string()
                } else {
                    format!("/collections/projects/p{r}")
                };
                let (status, _) = browser.get(&page).await;
                assert_eq!(status, 200, "a read while saving");
                let (status, _) = browser.get("/collections/projects").await;
                assert_eq!(status, 200, "a listing while saving");
                reads += 2;
            }
            reads
        }));
    }
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let browser = Browser::new(&server);
        tasks.push(tokio::spawn(async move {
            assert_eq!(
                browser.login("alice", PASSWORD).await.status().as_u16(),
                303
            );
            // Half the writers share one document, each with a field of its own.
            let (page, field) = if w % 2 == 0 {
                ("/collections/projects/shared".to_string(), format!("w{w}"))
            } else {
                (
                    format!("/collections/projects/p{}", w / 2),
                    "mission".to_string(),
                )
            };
            let mut answers = Vec::new();
            for n in 0..SAVES {
                let value = format!("w{w} save {n}");
                answers.push(
                    save(&browser, &page, &field, &value)
                        .await
                        .expect("an answer"),
                );
            }
            answers
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for task in tasks {
        for status in task.await.expect("writer") {
            match status {
                303 => ok += 1,
                409 => conflicts += 1,
                other => panic!("unexpected answer {other}"),
            }
        }
    }
    eprintln!("{ok} saves answered 303, {conflicts} conflicts");
    // Every acknowledged save is exactly one commit; refusals commit nothing.
    assert_eq!(commit_count(site), before + ok);
    assert_eq!(ok + conflicts, WRITERS * SAVES);
    // Every writer's last value is in the final files.
    let shared = git(site, &["show", "HEAD:_projects/shared.md"]);
    for w in (0..WRITERS).step_by(2) {
        assert!(
            shared.contains(&format!("w{w}: w{w} save {}\n", SAVES - 1)),
            "w{w} in:\n{shared}"
        );
    }
    for w in (1..WRITERS).step_by(2) {
        let file = git(site, &["show", &format!("HEAD:_projects/p{}.md", w / 2)]);
        assert!(
            file.contains(&format!("mission: w{w} save {}\n", SAVES - 1)),
            "{file}"
        );
    }
    writing.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut reads = 0;
    for reader in readers {
        reads += reader.await.expect("reader");
    }
    eprintln!("{reads} reads meanwhile, all answered 200");
    assert_fsck_clean(site);
    server
}

#[tokio::test]
async fn a_lock_left_by_a_dead_writer_is_cleared_at_start_up() {
    let dir = tempdir();
    let site = site_with_projects(dir.path(), 1);
    let head = git(&site, &["rev-parse", "HEAD"]);
    let lock = site.join(".git/refs/heads/main.lock");
    std::fs::write(&lock, &head).expect("write lock");
    let index_lock = site.join(".git/index.lock");
    std::fs::write(&index_lock, "").expect("write lock");

    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    let start = Instant::now();
    while (lock.exists() || index_lock.exists()) && start.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !lock.exists() && !index_lock.exists(),
        "stale locks removed"
    );
    let status = save(
        &browser,
        "/collections/projects/p0",
        "mission",
        "After the crash",
    )
    .await;
    assert_eq!(status, Some(303));
    assert!(git(&site, &["show", "HEAD:_projects/p0.md"]).contains("mission: After the crash"));
    assert_checkout_clean(&site);
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn a_lock_another_program_holds_is_waited_for_then_answered_503() {
    let dir = tempdir();
    let site = site_with_projects(dir.path(), 1);
    let (_server, browser) = site_with_editor(&site, &dir.path().join("data")).await;
    // Wait out start-up's stale-lock check, then take the branch's lock the
    // way a running `git` command does.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let head = git(&site, &["rev-parse", "HEAD"]);
    let lock = site.join(".git/refs/heads/main.lock");
    std::fs::write(&lock, &head).expect("write lock");

    let page = "/collections/projects/p0";
    let (_, html) = browser.get(page).await;
    let form = Form::parse(&html, page).with("f.mission", "While locked");
    let r = browser.post(page, &form.fields).await;
    assert_eq!(r.status().as_u16(), 503);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("Another program is writing")
    );
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing written");
    assert!(lock.exists(), "a live program's lock is never removed");

    std::fs::remove_file(&lock).expect("unlock");
    let r = browser.post(page, &form.fields).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(git(&site, &["show", "HEAD:_projects/p0.md"]).contains("mission: While locked"));
    // Restore commits through the same store: it waits for the lock too,
    // then answers 503 with nothing written.
    let first = git(&site, &["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_string();
    let locked_head = git(&site, &["rev-parse", "HEAD"]);
    std::fs::write(&lock, &locked_head).expect("write lock");
    let token = form.get("_csrf").expect("token").to_string();
    let r = browser
        .post(
            "/collections/projects/p0/restore",
            &[
                ("_csrf".into(), token),
                ("sha".into(), first),
                ("path".into(), "_projects/p0.md".into()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(
        git(&site, &["rev-parse", "HEAD"]),
        locked_head,
        "nothing written"
    );
    std::fs::remove_file(&lock).expect("unlock");
    assert_fsck_clean(&site);
}

#[test]
fn two_servers_cannot_serve_one_site() {
    let dir = tempdir();
    let site = site_with_projects(dir.path(), 1);
    let _first = Server::start(&dir.path().join("data1"), Some(&site));
    let data2 = dir.path().join("data2");
    let out = cairn(
        &[
            "serve",
            "--data",
            data2.to_str().expect("path"),
            "--listen",
            "127.0.0.1:0",
            "--site",
            site.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another Cairn process is serving this site"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_saves_never_loses_an_acknowledged_save() {
    const ROUNDS: usize = 20;
    let dir = tempdir();
    let site = site_with_projects(dir.path(), 1);
    let data = dir.path().join("data");
    add_user(
        &data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let page = "/collections/projects/p0";
    let mut acknowledged = Vec::new();

    for round in 0..ROUNDS {
        let mut server = Server::start(&data, Some(&site));
        let browser = Browser::new(&server);
        // Right after a crash, saves may wait for stale locks to clear.
        assert_eq!(
            browser.login("alice", PASSWORD).await.status().as_u16(),
            303
        );
        let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = answered.clone();
        let saves = tokio::spawn(async move {
            let mut ok = Vec::new();
            for n in 0.. {
                let value = format!("round {round} save {n}");
                let answer = tokio::time::timeout(
                    Duration::from_secs(5),
                    save(&browser, page, "mission", &value),
                )
                .await;
                match answer {
                    Ok(Some(303)) => {
                        ok.push(value);
                        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    // A 503 while stale locks clear after the last crash: go on.
                    Ok(Some(503)) => {}
                    _ => break,
                }
            }
            ok
        });
        // Once saves are flowing, kill at a different moment each round.
        let start = Instant::now();
        while answered.load(std::sync::atomic::Ordering::SeqCst) == 0
            && start.elapsed() < Duration::from_secs(30)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(37 * round as u64 % 300)).await;
        server.kill();
        let ok = saves.await.expect("save loop");
        acknowledged.extend(ok);
        assert_fsck_clean(&site);
    }
    assert!(
        acknowledged.len() >= ROUNDS,
        "only {} saves were answered",
        acknowledged.len()
    );
    let history = git(&site, &["log", "-p", "--format=", "--", "_projects/p0.md"]);
    for value in &acknowledged {
        assert!(
            history.contains(&format!("+mission: {value}\n")),
            "lost: {value}"
        );
    }
    // Once restarted, the checkout catches up with every commit a kill left
    // it behind on (the journal), and nothing is reported as a local edit.
    let server = Server::start(&data, Some(&site));
    assert_checkout_clean(&site);
    let browser = Browser::new(&server);
    assert_eq!(
        browser.login("alice", PASSWORD).await.status().as_u16(),
        303
    );
    assert_eq!(
        save(&browser, page, "mission", "after the crashes").await,
        Some(303)
    );
    let (_, html) = browser.get(page).await;
    assert!(!html.contains("local edits"), "{html}");
    assert_eq!(
        checked_out(&site, "_projects/p0.md")
            .lines()
            .find(|l| l.starts_with("mission:")),
        Some("mission: after the crashes")
    );
    eprintln!(
        "{} acknowledged saves over {ROUNDS} kill -9 rounds, none lost",
        acknowledged.len()
    );
}

/// A simulated power cut in a checkout: the commit and its journal were on
/// disk (synced before the branch moved), but the checkout's file and its
/// index entry were not (the page cache lost them). After restart the
/// journal brings both forward: `git status` clean, the acknowledged save in
/// the file and the history, fsck clean.
#[tokio::test]
async fn a_power_cut_that_loses_the_checkout_update_is_repaired_from_the_journal() {
    let dir = tempdir();
    let site = site_with_projects(dir.path(), 1);
    let data = dir.path().join("data");
    add_user(
        &data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let page = "/collections/projects/p0";
    let path = "_projects/p0.md";
    let mut server = Server::start(&data, Some(&site));
    let browser = Browser::new(&server);
    assert_eq!(
        browser.login("alice", PASSWORD).await.status().as_u16(),
        303
    );
    assert_eq!(
        save(&browser, page, "mission", "before the cut").await,
        Some(303)
    );
    assert_checkout_clean(&site);
    // What the disk held before the last save.
    let index = std::fs::read(site.join(".git/index")).expect("index");
    let file = std::fs::read(site.join(path)).expect("file");
    let old = git(&site, &["rev-parse", &format!("HEAD:{path}")]);
    assert_eq!(
        save(&browser, page, "mission", "answered, then the power went").await,
        Some(303)
    );
    let new = git(&site, &["rev-parse", &format!("HEAD:{path}")]);
    server.kill();
    // The cut: the index and the file as they were; the journal, synced
    // with the commit, as it was then.
    std::fs::write(site.join(".git/index"), &index).expect("index");
    std::fs::write(site.join(path), &file).expect("file");
    std::fs::write(
        site.join(".git/cairn-worktree"),
        format!("{} {} {path}\n", old.trim(), new.trim()),
    )
    .expect("journal");
    let status = git(&site, &["--no-optional-locks", "status", "--porcelain"]);
    assert!(
        !status.trim().is_empty(),
        "the cut left the checkout behind"
    );

    let server = Server::start(&data, Some(&site));
    assert_checkout_clean(&site);
    assert!(
        checked_out(&site, path).contains("mission: answered, then the power went\n"),
        "the acknowledged save is in the checkout"
    );
    assert!(!site.join(".git/cairn-worktree").exists(), "journal done");
    assert_fsck_clean(&site);
    // And the next save works as usual.
    let browser = Browser::new(&server);
    assert_eq!(
        browser.login("alice", PASSWORD).await.status().as_u16(),
        303
    );
    assert_eq!(
        save(&browser, page, "mission", "after the cut").await,
        Some(303)
    );
    assert_checkout_clean(&site);
}
