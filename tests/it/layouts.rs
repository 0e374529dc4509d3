//! The two layouts a site may have: a checkout (the demo's) and a bare
//! repository (what the README recommends for a server). The same story runs
//! on both: a save, the history, a restore, an API write, a build of each
//! commit, a search; each checked with `git` in the repository.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PAGE: &str = "/collections/projects/ai-and-cities";
const SEED: &str = "_projects/ai-and-cities.md";

/// The demo site as a checkout, or a bare clone of it (no remote).
fn site(dir: &Path, bare: bool) -> PathBuf {
    let checkout = dir.join("checkout");
    cairn::site::open_or_create(&checkout, true, 0).expect("demo site");
    if !bare {
        return checkout;
    }
    let site = dir.join("site.git");
    bare_clone(&checkout, &site);
    git(&site, &["remote", "remove", "origin"]);
    site
}

fn show(site: &Path, what: &str) -> String {
    git(site, &["show", what])
}

async fn the_same_story(bare: bool) {
    let dir = tempdir();
    let site = site(dir.path(), bare);
    let data = dir.path().join("data");
    let built = dir.path().join("built");
    std::fs::create_dir_all(&built).expect("mkdir");
    let command = format!(
        "grep '^mission:' _projects/ai-and-cities.md >> '{}/log'",
        built.display()
    );
    let server = Server::start_with(&data, Some(&site), &[("CAIRN_BUILD_COMMAND", &command)]);
    add_user(&data, "rita", "reviewer", "rita@example.org", "Rita");
    add_user(
        &data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let editor = Browser::new(&server);
    assert_eq!(editor.login("alice", PASSWORD).await.status().as_u16(), 303);
    let original = show(&site, &format!("HEAD:{SEED}"));
    let first = git(&site, &["rev-parse", "HEAD"]).trim().to_string();

    // A save: one commit, authored by the editor, one line changed.
    save_mission(&editor, "Saved on this layout").await;
    let file = show(&site, &format!("HEAD:{SEED}"));
    assert!(file.contains("mission: Saved on this layout\n"), "{file}");
    assert_eq!(
        git(&site, &["log", "-1", "--format=%an <%ae>"]).trim(),
        "Alice Martin <alice@example.org>"
    );
    let diff = git(&site, &["diff", "--numstat", "HEAD~1", "HEAD"]);
    assert_eq!(diff.trim(), format!("1\t1\t{SEED}"));

    // The history shows it; a restore puts the old bytes back in a new commit.
    let (status, history) = editor.get(&format!("{PAGE}/history")).await;
    assert_eq!(status, 200);
    assert!(history.contains("Alice Martin"), "{history}");
    let (_, preview) = editor
        .get(&format!("{PAGE}/restore?sha={first}&path={SEED}"))
        .await;
    let form = Form::parse(&preview, &format!("{PAGE}/restore"));
    assert_eq!(
        editor
            .post(&format!("{PAGE}/restore"), &form.fields)
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(
        show(&site, &format!("HEAD:{SEED}")),
        original,
        "byte for byte"
    );

    // An API write.
    let token = crate::api::token(&data, "front end", &["--role", "editor", "--user", "alice"]);
    let api = crate::api::Api::new(&server, Some(&token));
    let r = api
        .patch(
            "/api/v1/collections/projects/entries/ai-and-cities",
            &serde_json::json!({"fields": {"mission": "Written through the API"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let tip = git(&site, &["rev-parse", "HEAD"]).trim().to_string();
    assert!(show(&site, &format!("HEAD:{SEED}")).contains("mission: Written through the API\n"));

    // Each commit is built (no remote), the last one with the API's value.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = api.json("/api/v1/status").await;
        let last = &status["builds"]["last"];
        if last["commit"] == tip.as_str() && last["status"] == "succeeded" {
            break;
        }
        assert!(Instant::now() < deadline, "{status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = std::fs::read_to_string(built.join("log")).expect("build log");
    assert!(log.ends_with("mission: Written through the API\n"), "{log}");

    // A reviewer reads the history; search finds the new words.
    let reviewer = Browser::new(&server);
    assert_eq!(
        reviewer.login("rita", PASSWORD).await.status().as_u16(),
        303
    );
    let (status, site_history) = reviewer.get("/history").await;
    assert_eq!(status, 200);
    assert!(
        site_history.contains("Restored an earlier version of"),
        "{site_history}"
    );
    let found = api.json("/api/v1/search?q=written").await;
    assert!(found.to_string().contains("ai-and-cities"), "{found}");

    assert_eq!(git(&site, &["rev-list", "--count", "HEAD"]).trim(), "4");
    assert_fsck_clean(&site);
    if !bare {
        assert_checkout_clean(&site);
    }
}

#[tokio::test]
async fn a_checkout_saves_restores_writes_through_the_api_and_builds() {
    the_same_story(false).await;
}

#[tokio::test]
async fn a_bare_repository_saves_restores_writes_through_the_api_and_builds() {
    the_same_story(true).await;
}
