//! Never losing an edit (issue 14, point 3): a form posted after the
//! session ended is kept for that account only and saved once they sign in
//! again, checked against the version it was based on.

use crate::support::*;
use cairn::auth::Role;

const PAGE: &str = "/collections/projects/ai-and-cities";
const SEED: &str = "_projects/ai-and-cities.md";

async fn signed_in(base: &str, name: &str) -> Browser {
    let browser = Browser::at(base);
    assert_eq!(browser.login(name, PASSWORD).await.status().as_u16(), 303);
    browser
}

fn mission(site: &std::path::Path) -> String {
    git(site, &["show", &format!("HEAD:{SEED}")])
        .lines()
        .find(|l| l.starts_with("mission:"))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_after_the_session_ended_is_kept_and_lands_after_signing_in_again() {
    let dir = tempdir();
    let clock = ManualClock::new();
    let server = InProcess::start(dir.path(), clock.clone(), &[]).await;
    server.add_user("alice", Role::Editor).await;
    server.add_user("bob", Role::Editor).await;
    let site = dir.path().join("site");
    let before = commit_count(&site);

    // Alice types for 31 minutes, then saves.
    let alice = signed_in(&server.base, "alice").await;
    let (_, html) = alice.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.mission", "Typed while idle");
    clock.advance(31 * 60);
    let r = alice.post(PAGE, &form.fields).await;
    assert!(is_login_redirect(&r), "sent to sign in again");
    let location = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert_eq!(location, format!("/login?next={PAGE}"));
    assert!(!location.contains("pending"), "nothing kept in the URL");
    assert_eq!(commit_count(&site), before, "nothing saved yet");
    let (_, login) = alice.get(&location).await;
    assert!(
        unescape(&login).contains("Your session ended; sign in again to save your changes"),
        "{login}"
    );
    // Signing in saves it, as Alice.
    let r = alice.login("alice", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], PAGE);
    assert_eq!(commit_count(&site), before + 1);
    assert_eq!(mission(&site), "mission: Typed while idle");
    assert_eq!(
        git(&site, &["log", "-1", "--format=%an"]).trim(),
        "alice",
        "authored by the person who typed it"
    );
    let (_, html) = alice.get(PAGE).await;
    assert!(html.contains("Saved: Mission."), "{html}");

    // Kept edits belong to their account: Bob signing in on that browser
    // does not save Alice's, and it is gone for her too afterwards.
    let (_, html) = alice.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.mission", "Alice's second try");
    clock.advance(31 * 60);
    assert!(is_login_redirect(&alice.post(PAGE, &form.fields).await));
    let count = commit_count(&site);
    let r = alice.login("bob", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/");
    assert_eq!(commit_count(&site), count, "Bob cannot pick it up");
    assert!(
        alice
            .post(
                "/logout",
                &Form::parse(&alice.get("/").await.1, "/logout").fields
            )
            .await
            .status()
            .is_redirection()
    );
    alice.login("alice", PASSWORD).await;
    assert_eq!(commit_count(&site), count, "tried once, for its owner only");

    // A form from another site is never kept, even with the session's cookie.
    let alice = signed_in(&server.base, "alice").await;
    let (_, html) = alice.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.mission", "From elsewhere");
    clock.advance(31 * 60);
    let r = alice
        .client
        .post(format!("{}{PAGE}", server.base))
        .header("origin", "http://evil.example")
        .form(&form.fields)
        .send()
        .await
        .expect("POST");
    assert!(is_login_redirect(&r));
    let (_, login) = alice.get("/login").await;
    assert!(
        !login.contains("Your session ended"),
        "nothing said, nothing kept"
    );
    alice.login("alice", PASSWORD).await;
    assert_eq!(commit_count(&site), count);

    // Someone changed the same field meanwhile: after signing in, the
    // conflict is shown with what she typed, nothing overwritten.
    let (_, html) = alice.get(PAGE).await;
    let form = Form::parse(&html, PAGE).with("f.mission", "Mine, typed long ago");
    let bob = signed_in(&server.base, "bob").await;
    clock.advance(20 * 60);
    let (_, bob_html) = bob.get(PAGE).await;
    let bob_form = Form::parse(&bob_html, PAGE).with("f.mission", "Bob's, saved meanwhile");
    assert_eq!(
        bob.post(PAGE, &bob_form.fields).await.status().as_u16(),
        303
    );
    clock.advance(11 * 60);
    assert!(is_login_redirect(&alice.post(PAGE, &form.fields).await));
    let r = alice.login("alice", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 409);
    let html = unescape(&r.text().await.expect("body"));
    assert!(html.contains("Mine, typed long ago") && html.contains("Bob's, saved meanwhile"));
    assert_eq!(mission(&site), "mission: Bob's, saved meanwhile");
    assert_fsck_clean(&site);
}
