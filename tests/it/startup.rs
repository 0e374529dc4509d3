//! Starting Cairn: the demo site on first run, and clear refusals of bad
//! configuration.

use crate::support::*;

#[tokio::test]
async fn first_run_creates_the_demo_site_with_one_commit_and_the_seed_byte_for_byte() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let site = server.site();
    assert_eq!(commit_count(&site), 1);
    assert!(dir.path().join("cairn.db").is_file(), "SQLite file created");
    let files = git(&site, &["ls-tree", "-r", "--name-only", "HEAD"]);
    for f in [
        "_config.yml",
        "_layouts/projects.html",
        "index.html",
        "_projects/ai-and-cities.md",
    ] {
        assert!(files.lines().any(|l| l == f), "{f} in {files}");
    }
    assert!(
        files
            .lines()
            .filter(|l| l.starts_with("_projects/"))
            .count()
            >= 3
    );
    let config = git(&site, &["show", "HEAD:_config.yml"]);
    assert!(config.contains("projects:\n    output: true\n    permalink:"));
    assert_checkout_clean(&site);
    assert_fsck_clean(&site);

    let seed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds/ai-and-cities.md");
    match std::fs::read(&seed) {
        Ok(expected) => {
            let committed = std::process::Command::new("git")
                .arg("-C")
                .arg(&site)
                .args(["cat-file", "blob", "HEAD:_projects/ai-and-cities.md"])
                .output()
                .expect("git cat-file");
            assert_eq!(committed.stdout, expected, "the seed, byte for byte");
        }
        Err(_) => eprintln!(
            "skipping the seed comparison: {} is not here",
            seed.display()
        ),
    }

    // A second start reuses the site.
    drop(server);
    let _again = Server::start(dir.path(), None);
    assert_eq!(commit_count(&site), 1);
}

fn serve_fails(args: &[&str]) -> String {
    let out = cairn(args, "");
    assert_eq!(out.status.code(), Some(1), "exit status 1 for {args:?}");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("cairn:")).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    lines[0].to_string()
}

#[test]
fn serve_refuses_a_site_that_is_not_a_git_repository_or_has_no_config() {
    let dir = tempdir();
    let data = dir.path().join("data");
    let data = data.to_str().expect("path");

    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).expect("mkdir");
    let nojekyll = dir.path().join("nojekyll");
    make_site(&nojekyll, &[("README.md", "hello\n")]);
    let missing = dir.path().join("missing");
    for (site, why) in [
        (&plain, "not a git repository"),
        (&missing, "not a git repository"),
        (&nojekyll, "no _config.yml"),
    ] {
        let site = site.to_str().expect("path");
        let line = serve_fails(&[
            "serve",
            "--data",
            data,
            "--listen",
            "127.0.0.1:0",
            "--site",
            site,
        ]);
        assert!(line.contains(why), "{site}: {line}");
    }
}

/// Bad publishing settings: a token file that cannot be read, a token given
/// twice, an SSH key that is not a file, each refused at start with one line
/// (and never echoing a token).
#[test]
fn serve_refuses_bad_remote_credentials_with_one_line() {
    let dir = tempdir();
    let data = dir.path().join("data");
    let data = data.to_str().expect("path");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret-token\n").expect("write");
    let token_file = token_file.to_str().expect("path");
    let missing = dir.path().join("missing");
    let missing = missing.to_str().expect("path");
    let base = ["serve", "--data", data, "--listen", "127.0.0.1:0"];
    for (extra, why) in [
        (
            vec!["--remote-token-file", missing],
            "cannot read the remote's token from",
        ),
        (
            vec![
                "--remote-token",
                "s3cret-token",
                "--remote-token-file",
                token_file,
            ],
            "give the remote's token once",
        ),
        (vec!["--ssh-key", missing], "is not a readable file"),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let line = serve_fails(&args);
        assert!(line.contains(why), "{args:?}: {line}");
        assert!(!line.contains("s3cret-token"), "{line}");
    }
}

#[test]
fn user_add_refuses_bad_input_with_one_line() {
    let dir = tempdir();
    let data = dir.path().to_str().expect("path");
    let out = cairn(
        &[
            "user",
            "add",
            "bob",
            "--role",
            "editor",
            "--password-stdin",
            "--data",
            data,
        ],
        "short\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12 characters"));

    let out = cairn(
        &[
            "user",
            "add",
            "bob",
            "--role",
            "boss",
            "--password-stdin",
            "--data",
            data,
        ],
        "",
    );
    assert_ne!(out.status.code(), Some(0));

    let long = "x".repeat(2000);
    let out = cairn(
        &[
            "user",
            "add",
            "bob",
            "--role",
            "editor",
            "--password-stdin",
            "--data",
            data,
        ],
        &long,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("longer than 1024 bytes"));

    let out = cairn(
        &[
            "user",
            "add",
            "bob",
            "--role",
            "editor",
            "--password-stdin",
            "--data",
            data,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    let out = cairn(
        &[
            "user",
            "add",
            "bob",
            "--role",
            "editor",
            "--password-stdin",
            "--data",
            data,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}
