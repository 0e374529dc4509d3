//! Issue 4's speed targets, measured from outside like a user: the release
//! `cairn` binary serving a generated site of 10,000 documents and 50,000
//! commits on loopback, fsync on.
//!
//! - a save answered over HTTP: target under 10 ms at the median;
//! - one document's history, first page: under 50 ms;
//! - the site-wide history, first page: under 50 ms;
//! - and, for comparison, `git log -- <path>` on the same repository.
//!
//! Run: `cargo bench --bench store`. The generated repository is kept in
//! `target/bench-store/` and reused. `CAIRN_BENCH_SAVES_ONLY=1` stops after
//! the saves (the `git log` comparison takes minutes).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;
use common::{median, p90};

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DOCUMENTS: usize = 10_000;
const COMMITS: usize = 50_000;
const PASSWORD: &str = "benchmark password here";

fn document(i: usize, rev: usize) -> String {
    format!(
        "---\nname: Project {i}\nmission: Mission {i}, revision {rev}\nlayout: projects\ncategory: research\naxes:\n    - digitization\n    - axis {}\nstart_date: 2021-09-01\nend_date: Ongoing\nlead:\n---\n\nBody of project {i}.\n",
        i % 17
    )
}

/// Builds the repository with `git fast-import` (once; reused afterwards).
fn generate(site: &Path) {
    if site.join(".git").exists() {
        return;
    }
    let tmp = site.with_extension("tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&tmp)
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    let mut child = Command::new("git")
        .arg("-C")
        .arg(&tmp)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufWriter::new(child.stdin.take().unwrap());
    let data = |out: &mut dyn Write, text: &str| {
        write!(out, "data {}\n{text}\n", text.len()).unwrap();
    };
    let start = 1_600_000_000i64;
    for c in 0..COMMITS {
        writeln!(out, "commit refs/heads/main").unwrap();
        let who = if c % 3 == 0 {
            "Ada <ada@example.org>"
        } else {
            "Bo <bo@example.org>"
        };
        writeln!(out, "author {who} {} +0000", start + c as i64 * 60).unwrap();
        writeln!(out, "committer {who} {} +0000", start + c as i64 * 60).unwrap();
        data(&mut out, &format!("Change {c}"));
        if c == 0 {
            writeln!(out, "M 100644 inline _config.yml").unwrap();
            data(
                &mut out,
                "title: Bench\ncollections:\n  projects:\n    output: true\n",
            );
            for i in 0..DOCUMENTS {
                writeln!(out, "M 100644 inline _projects/project-{i:05}.md").unwrap();
                data(&mut out, &document(i, 0));
            }
        } else {
            let i = (c * 7919) % DOCUMENTS;
            writeln!(out, "M 100644 inline _projects/project-{i:05}.md").unwrap();
            data(&mut out, &document(i, c));
        }
    }
    drop(out);
    assert!(child.wait().unwrap().success());
    git(&["checkout", "-q", "-f", "main"]);
    std::fs::rename(&tmp, site).unwrap();
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-store");
    let site = root.join("site");
    std::fs::create_dir_all(&root).unwrap();
    let t = Instant::now();
    generate(&site);
    println!(
        "repository: {DOCUMENTS} documents, {COMMITS} commits ({:.1?} to generate or find)",
        t.elapsed()
    );

    // The database (and its history index) is kept beside the repository:
    // indexing 50,000 commits is measured once, on the first run.
    let data = root.join("data");
    let first_run = !data.join("cairn.db").exists();
    let bin = env!("CARGO_BIN_EXE_cairn");
    let d = data.to_str().unwrap();
    let s = site.to_str().unwrap();
    if first_run {
        let mut add = Command::new(bin)
            .args([
                "user",
                "add",
                "bench",
                "--role",
                "editor",
                "--email",
                "bench@example.org",
                "--password-stdin",
                "--data",
                d,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        add.stdin
            .take()
            .unwrap()
            .write_all(PASSWORD.as_bytes())
            .unwrap();
        assert!(add.wait().unwrap().success());

        let t = Instant::now();
        let out = Command::new(bin)
            .args(["reindex", "--data", d, "--site", s])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!(
            "cairn reindex: {} in {:.1?}",
            String::from_utf8_lossy(&out.stdout).trim(),
            t.elapsed()
        );
    }
    let count = || -> usize {
        let out = Command::new("git")
            .arg("-C")
            .arg(&site)
            .args(["rev-list", "--count", "HEAD"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    let mut commits_before = count();
    println!("commits on the branch now: {commits_before}");
    // Values unique to this run: a save of a value already there commits
    // nothing and would measure a no-op.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();

    let mut server = Command::new(bin)
        .args(["serve", "--data", d, "--site", s, "--listen", "127.0.0.1:0"])
        .env("CAIRN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(addr) = line.strip_prefix("Cairn is listening on ") {
            break addr.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let token_of = |html: &str| {
            let i = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
            html[i..i + 64].to_string()
        };
        let page_text = |url: String| {
            let client = &client;
            async move { client.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let login = page_text(format!("{base}/login")).await;
        let r = client
            .post(format!("{base}/login"))
            .header("origin", &base)
            .form(&[
                ("_csrf", token_of(&login)),
                ("username", "bench".into()),
                ("password", PASSWORD.into()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);

        // Saves: the form is loaded first (not timed), the POST is timed.
        // Two rounds: as an editor works (a pause between loading the form
        // and saving it, in which the previous save's history indexing
        // finishes), and back to back.
        for (round, think) in [("with 200 ms to edit", 200), ("back to back", 0)] {
            let mut saves = Vec::new();
            for n in 0..200 {
                let i = (n * 104_729) % DOCUMENTS;
                let page = format!("{base}/collections/projects/project-{i:05}");
                let html = page_text(page.clone()).await;
                let base_blob = {
                    let k = html.find("name=\"base\" value=\"").unwrap() + 19;
                    html[k..k + 40].to_string()
                };
                let form = [
                    ("_csrf".to_string(), token_of(&html)),
                    ("base".to_string(), base_blob),
                    (
                        "f.mission".to_string(),
                        format!("Benchmark run {run} {round} save {n}"),
                    ),
                ];
                tokio::time::sleep(Duration::from_millis(think)).await;
                let t = Instant::now();
                let r = client
                    .post(&page)
                    .header("origin", &base)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                saves.push(t.elapsed());
                assert_eq!(r.status().as_u16(), 303, "save {n}");
            }
            let commits_now = count();
            assert_eq!(
                commits_now,
                commits_before + 200,
                "every save made one commit"
            );
            commits_before = commits_now;
            println!(
                "save over HTTP, {round} (200 saves, each one commit, fsync on): median {}, p90 {}",
                ms(median(saves.clone())),
                ms(p90(saves))
            );
        }

        if std::env::var_os("CAIRN_BENCH_SAVES_ONLY").is_some() {
            return;
        }
        let mut doc = Vec::new();
        let mut gitlog = Vec::new();
        for n in 0..50 {
            let i = (n * 7_877) % DOCUMENTS;
            let t = Instant::now();
            let r = client
                .get(format!(
                    "{base}/collections/projects/project-{i:05}/history"
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            r.text().await.unwrap();
            doc.push(t.elapsed());
            // `git log -- <path>` walks every commit: seconds each, so 5 samples.
            if n < 5 {
                let t = Instant::now();
                let out = Command::new("git")
                    .arg("-C")
                    .arg(&site)
                    .args([
                        "log",
                        "--format=%H %an %s",
                        "-n",
                        "50",
                        "--",
                        &format!("_projects/project-{i:05}.md"),
                    ])
                    .output()
                    .unwrap();
                assert!(out.status.success());
                gitlog.push(t.elapsed());
            }
        }
        println!(
            "one document's history, first page (50 documents): median {}, p90 {}",
            ms(median(doc.clone())),
            ms(p90(doc))
        );
        println!(
            "git log -n 50 -- <path> on the same repository: median {}, p90 {}",
            ms(median(gitlog.clone())),
            ms(p90(gitlog))
        );

        let mut all = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let r = client.get(format!("{base}/history")).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
            r.text().await.unwrap();
            all.push(t.elapsed());
        }
        println!(
            "site-wide history, first page (50 requests): median {}, p90 {}",
            ms(median(all.clone())),
            ms(p90(all))
        );
    });
    let _ = server.kill();
    let _ = server.wait();
}
