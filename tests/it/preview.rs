//! "Preview on the site" (issue 17): the edit form's button builds the page
//! with the site's own Jekyll from Cairn's preview copy, the form's unsaved
//! values applied; the site's repository and working tree never change.

use crate::support::*;

const PAGE: &str = "/collections/projects/ai-and-cities";

/// The address of the built page on a form answered after "Preview on the site".
fn frame_of(html: &str) -> Option<String> {
    let at = html.find("<iframe src=\"")? + "<iframe src=\"".len();
    let rest = &html[at..];
    Some(
        rest[..rest.find('"')?]
            .replace("&amp;", "&")
            .replace("&#x3D;", "="),
    )
}

/// Presses "Preview on the site" with `changes` typed into the form.
async fn preview(browser: &Browser, changes: &[(&str, &str)]) -> (u16, String) {
    let (_, html) = browser.get(PAGE).await;
    let mut form = Form::parse(&html, PAGE);
    for (name, value) in changes {
        form = form.with(name, value);
    }
    form = form.with("op", "site-preview");
    let answer = browser.post(PAGE, &form.fields).await;
    let status = answer.status().as_u16();
    (status, answer.text().await.expect("body"))
}

#[tokio::test]
async fn the_unsaved_page_is_built_by_the_sites_jekyll_and_nothing_is_saved() {
    if !tool_available("jekyll") {
        return;
    }
    let (_dir, server, alice) = demo_with_editor().await;
    let site = server.site();
    let tip = git(&site, &["rev-parse", "HEAD"]);
    let file = std::fs::read(site.join("_projects/ai-and-cities.md")).expect("read");

    let (status, html) = preview(
        &alice,
        &[("f.mission", "Une mission pas encore enregistrée")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    // The form keeps what was typed; the page is in a sandboxed frame.
    assert!(
        html.contains("Une mission pas encore enregistrée"),
        "{html}"
    );
    assert!(
        html.contains("sandbox=\"allow-scripts allow-popups\""),
        "{html}"
    );
    let address = frame_of(&html).expect("a frame with the built page");
    assert!(address.starts_with("/site-preview/"), "{address}");

    let answer = alice.get_response(&address).await;
    assert_eq!(answer.status().as_u16(), 200);
    let policy = answer.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(policy.starts_with("sandbox allow-scripts"), "{policy}");
    let built = answer.text().await.expect("body");
    // Inside the site's own layouts (projects, then default), with the
    // site's stylesheet addressed below the preview.
    assert!(
        built.contains("<p class=\"mission\">Une mission pas encore enregistrée</p>"),
        "{built}"
    );
    assert!(
        built.contains("<header><a href=\"/site-preview/"),
        "{built}"
    );
    assert!(built.contains("<article class=\"project\">"), "{built}");
    let css = built
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the stylesheet's address")
        .to_string();
    // The frame runs in a sandbox and sends no cookie: the site's files
    // come with the preview key alone.
    let stranger = Browser::new(&server);
    let sheet = stranger.get_response(&css).await;
    assert_eq!(sheet.status().as_u16(), 200, "{css}");
    assert!(
        sheet.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/css")
    );
    // The page itself is only for the person who asked for it.
    assert_eq!(stranger.get(&address).await.0, 404);
    let wrong_key = address.replacen("/site-preview/", "/site-preview/0", 1);
    assert_eq!(alice.get(&wrong_key).await.0, 404);
    let key = address.split('/').nth(2).expect("key");
    for sneaky in [
        "../../_config.yml",
        "..%2F..%2F_config.yml",
        "tree/_config.yml",
    ] {
        let (status, _) = alice.get(&format!("/site-preview/{key}/{sneaky}")).await;
        assert_eq!(status, 404, "{sneaky}");
    }

    // Nothing saved: the branch, the working tree and the file as they were.
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), tip);
    assert_eq!(git(&site, &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read(site.join("_projects/ai-and-cities.md")).expect("read"),
        file
    );
    assert_fsck_clean(&site);

    // A Liquid error in the text: Jekyll's own message, the form kept.
    let (status, html) = preview(&alice, &[("body", "Avant {% for %} après")]).await;
    assert_eq!(status, 200);
    assert!(frame_of(&html).is_none(), "no page to show");
    let printed = html
        .split("<pre class=\"jekyll-output\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .expect("what Jekyll printed");
    assert!(printed.contains("Liquid syntax error"), "{printed}");
    assert!(printed.contains("_projects/ai-and-cities.md"), "{printed}");
    assert!(
        !printed.contains("/preview/tree"),
        "paths are the site's: {printed}"
    );
    assert!(
        html.contains("Avant {% for %} après"),
        "the text typed is kept"
    );

    // Fixed: the next preview works again (the same Jekyll, warm).
    let (_, html) = preview(&alice, &[("f.mission", "Deuxième essai")]).await;
    let address = frame_of(&html).expect("built again");
    let (_, built) = alice.get(&address).await;
    assert!(built.contains("Deuxième essai"), "{built}");
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), tip);
    assert_eq!(git(&site, &["status", "--porcelain"]), "");

    // A save meanwhile: the next preview starts from the new tip.
    save_mission(&alice, "Enregistrée pour de bon").await;
    let (_, html) = preview(&alice, &[("f.category", "policy")]).await;
    let (_, built) = alice.get(&frame_of(&html).expect("built")).await;
    assert!(built.contains("Enregistrée pour de bon"), "{built}");
    assert!(built.contains("<dd>policy</dd>"), "{built}");
}

#[tokio::test]
async fn two_editors_previewing_at_once_each_see_their_own_changes() {
    if !tool_available("jekyll") {
        return;
    }
    let (_dir, server, alice) = demo_with_editor().await;
    let bob = sign_in_as(&server, "bob", "editor").await;
    let (a, b) = tokio::join!(
        preview(&alice, &[("f.mission", "La version d'Alice")]),
        preview(&bob, &[("f.mission", "La version de Bob")]),
    );
    let (a, b) = (
        frame_of(&a.1).expect("Alice's page"),
        frame_of(&b.1).expect("Bob's page"),
    );
    let (_, alice_sees) = alice.get(&a).await;
    let (_, bob_sees) = bob.get(&b).await;
    assert!(
        alice_sees.contains("La version d&#39;Alice") || alice_sees.contains("La version d'Alice"),
        "{alice_sees}"
    );
    assert!(!alice_sees.contains("Bob"), "{alice_sees}");
    assert!(bob_sees.contains("La version de Bob"), "{bob_sees}");
    assert!(!bob_sees.contains("Alice"), "{bob_sees}");
    // Neither can open the other's.
    assert_eq!(alice.get(&b).await.0, 404);
    assert_eq!(bob.get(&a).await.0, 404);
    assert_eq!(git(&server.site(), &["status", "--porcelain"]), "");
}

#[tokio::test]
async fn without_jekyll_the_button_says_what_is_missing() {
    let dir = tempdir();
    let server = Server::start_with(
        dir.path(),
        None,
        &[("CAIRN_JEKYLL_COMMAND", "/nonexistent/jekyll")],
    );
    let alice = sign_in_editor(&server).await;
    let (_, form) = alice.get(PAGE).await;
    assert!(
        form.contains("Preview on the site needs Jekyll, which is not installed on this server"),
        "{form}"
    );
    assert!(form.contains("aria-describedby=\"site-preview-missing\""));
    let (status, html) = preview(&alice, &[("f.mission", "Tapée, gardée")]).await;
    assert_eq!(status, 200);
    assert!(frame_of(&html).is_none());
    assert!(
        html.contains("role=\"alert\">Preview on the site needs Jekyll"),
        "{html}"
    );
    assert!(html.contains("Tapée, gardée"), "what was typed is kept");

    // In French too.
    let french = Browser::speaking(&server, "fr");
    french.login("alice", PASSWORD).await;
    let (_, form) = french.get(PAGE).await;
    assert!(
        form.contains("L’aperçu sur le site a besoin de Jekyll"),
        "{form}"
    );
}

#[tokio::test]
async fn a_jekyll_that_fails_to_start_is_shown_and_the_next_preview_tries_again() {
    let dir = tempdir();
    // A command that is found but prints an error and stops, as a Jekyll
    // missing a gem of the site's would.
    let server = Server::start_with(
        dir.path(),
        None,
        &[(
            "CAIRN_JEKYLL_COMMAND",
            "sh -c 'echo \"Could not find gem jekyll-feed\" >&2; exit 3' --",
        )],
    );
    let alice = sign_in_editor(&server).await;
    for _ in 0..2 {
        let (status, html) = preview(&alice, &[("f.mission", "Gardée malgré tout")]).await;
        assert_eq!(status, 200);
        assert!(frame_of(&html).is_none());
        assert!(html.contains("Jekyll could not build the page"), "{html}");
        assert!(html.contains("Could not find gem jekyll-feed"), "{html}");
        assert!(
            html.contains("Gardée malgré tout"),
            "what was typed is kept"
        );
    }
    // The server goes on; nothing was written.
    assert_eq!(alice.get("/healthz").await.0, 200);
    assert_eq!(git(&server.site(), &["status", "--porcelain"]), "");
}
