//! Search (issue 17): the admin's `/search` and `GET /api/v1/search` over a
//! real server, its index kept in step with saves, creations, deletions and
//! commits fetched from the remote, rebuilt when deleted.

use crate::api::{Api, token};
use crate::publish::{eventually, push_from_elsewhere, remote_and_checkout};
use crate::support::*;
use serde_json::{Value, json};

const ENTRIES: &str = "/api/v1/collections/projects/entries";

async fn found(api: &Api, q: &str) -> Vec<String> {
    let path = format!(
        "/api/v1/search?{}",
        serde_urlencoded::to_string([("q", q)]).expect("query")
    );
    let answer = api.json(&path).await;
    answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["slug"].as_str().expect("slug").to_string())
        .collect()
}

#[tokio::test]
async fn search_finds_word_forms_in_both_languages_and_follows_every_change() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    let api = Api::new(
        &server,
        Some(&token(dir.path(), "robot", &["--role", "editor"])),
    );

    // The seed project, by a word of its mission; the answer links its form.
    let answer = api.json("/api/v1/search?q=inclusive").await;
    assert_eq!(answer["results"][0]["slug"], "ai-and-cities", "{answer}");
    assert_eq!(
        answer["results"][0]["edit"],
        "/collections/projects/ai-and-cities"
    );
    assert!(
        answer["results"][0]["snippet"]
            .as_array()
            .expect("snippet")
            .iter()
            .any(|p| p["highlight"] == true),
        "{answer}"
    );

    // A French document: plural and singular, accents folded both ways.
    let created = api
        .send_json(
            reqwest::Method::POST,
            ENTRIES,
            &json!({"slug": "ville-inclusive", "fields": {
                "name": "Vers une ville inclusive",
                "mission": "Une école pour la forêt urbaine"
            }, "body": "Une ecologie des quartiers."}),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(found(&api, "villes inclusives").await, ["ville-inclusive"]);
    assert_eq!(found(&api, "ecole").await, ["ville-inclusive"]);
    assert_eq!(found(&api, "foret").await, ["ville-inclusive"]);
    assert_eq!(found(&api, "écologie").await, ["ville-inclusive"]);
    // Only the mission field; only another collection.
    let by_field = api.json("/api/v1/search?q=ecologie&field=mission").await;
    assert_eq!(by_field["total"], 0, "{by_field}");
    let in_body = api.json("/api/v1/search?q=ecologie&field=body").await;
    assert_eq!(in_body["total"], 1, "{in_body}");
    let in_projects = api.json("/api/v1/search?q=ecole&collection=projects").await;
    assert_eq!(in_projects["total"], 1, "{in_projects}");

    // A save through the admin form is found at once.
    let browser = sign_in_editor(&server).await;
    save_mission(&browser, "Cartographier la chaleur des toits").await;
    assert_eq!(found(&api, "toit").await, ["ai-and-cities"]);
    let old = api.json("/api/v1/search?q=inclusive&field=mission").await;
    assert_eq!(old["total"], 0, "the old mission is gone: {old}");

    // A deletion is not found any more.
    let gone = api
        .delete("/api/v1/collections/projects/entries/ville-inclusive")
        .await;
    assert!(gone.status().is_success(), "{}", gone.status());
    assert!(found(&api, "ecole").await.is_empty());

    // Anything a person may type is answered, never a server error.
    let long = "ville ".repeat(1700);
    for q in [
        "\"",
        "*",
        "AND(",
        "title:(",
        "-",
        "\"\"\"",
        "",
        "'",
        "\\",
        long.as_str(),
    ] {
        let path = format!(
            "/api/v1/search?{}",
            serde_urlencoded::to_string([("q", q)]).expect("query")
        );
        assert_eq!(api.get(&path).await.status().as_u16(), 200, "{q:.20}");
        let (status, html) = browser.get(&path.replace("/api/v1", "")).await;
        assert_eq!(status, 200, "{q:.20}");
        assert!(html.contains("<h1>Search</h1>"), "{q:.20}");
    }
    // Bad filters: a clear problem, not a 500.
    let bad = api.get("/api/v1/search?q=x&collection=nope").await;
    assert_eq!(bad.status().as_u16(), 404);
    let bad = api.get("/api/v1/search?q=x&page=0").await;
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn the_search_page_highlights_and_links_in_the_readers_language() {
    let (_dir, server, _editor) = demo_with_editor().await;
    let french = Browser::speaking(&server, "fr");
    let response = french.login("alice", PASSWORD).await;
    assert!(response.status().is_redirection() || response.status().is_success());
    let (status, html) = french.get("/search?q=inclusion").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Recherche</h1>"), "{html}");
    assert!(
        html.contains("href=\"/collections/projects/ai-and-cities\""),
        "{html}"
    );
    assert!(html.contains("<mark>inclusion</mark>"), "{html}");
    assert!(html.contains("trouvée"), "{html}");
    let (status, html) = french.get("/search?q=x&collection=nope").await;
    assert_eq!(status, 404);
    assert!(html.contains("Il n&#39;y a pas de collection"), "{html}");
}

#[tokio::test]
async fn a_deleted_index_is_rebuilt_at_start_and_fetched_commits_are_indexed() {
    let dir = tempdir();
    let (bare, work, daemon) = remote_and_checkout(dir.path());
    let data = dir.path().join("data");
    let mut server = Server::start_with(&data, Some(&work), &[("CAIRN_FETCH_INTERVAL_SECS", "1")]);
    let api = Api::new(
        &server,
        Some(&token(&data, "robot", &["--role", "reviewer"])),
    );
    assert!(
        found(&api, "inclusive")
            .await
            .contains(&"ai-and-cities".to_string())
    );

    // Someone pushes a new project to the remote; Cairn fetches it.
    let theirs = push_from_elsewhere(dir.path(), &daemon, |other| {
        std::fs::write(
            other.join("_projects/glaciers.md"),
            "---\nname: Glaciers\nmission: Mesurer la fonte des glaciers alpins\n---\nTexte.\n",
        )
        .expect("write");
    });
    assert!(
        eventually(20, || git(&work, &["rev-parse", "HEAD"]) == theirs),
        "fetched"
    );
    assert_eq!(found(&api, "glacier").await, ["glaciers"]);
    let _ = bare;

    // The index is a cache: deleted while stopped, it is made again at start.
    server.terminate(10);
    std::fs::remove_dir_all(data.join("search")).expect("delete the index");
    let server = Server::start_with(&data, Some(&work), &[]);
    let api = Api::new(
        &server,
        Some(&token(&data, "robot2", &["--role", "reviewer"])),
    );
    assert_eq!(found(&api, "glaciers alpins").await, ["glaciers"]);
    assert!(data.join("search/meta.json").exists());
    let _: Value = api.json("/api/v1/search?q=fonte").await;
}
