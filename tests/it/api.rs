//! The headless API (issue 6) over real HTTP against a temporary site, with
//! the `git` command to check every write.

use crate::support::*;
use serde_json::{Value, json};

const SEED: &str = "_projects/ai-and-cities.md";
const ENTRIES: &str = "/api/v1/collections/projects/entries";
const ENTRY: &str = "/api/v1/collections/projects/entries/ai-and-cities";

/// Creates an API token with the CLI; returns the secret (its last line).
pub(crate) fn token(data: &std::path::Path, name: &str, extra: &[&str]) -> String {
    let data = data.to_str().expect("path");
    let mut args = vec!["token", "create", name, "--data", data];
    args.extend_from_slice(extra);
    let out = cairn(&args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let last = stdout.lines().last().expect("a line").to_string();
    assert!(last.starts_with("cairn_"), "{stdout}");
    last
}

/// An API client with a bearer token (or none).
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub(crate) fn new(server: &Server, token: Option<&str>) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: server.base.clone(),
            token: token.map(String::from),
        }
    }

    pub(crate) fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.client.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub(crate) async fn json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        r.json().await.expect("json")
    }

    /// PATCH with a merge patch, and an `If-Match` when given.
    pub(crate) async fn patch(
        &self,
        path: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut r = self
            .request(reqwest::Method::PATCH, path)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(sha) = if_match {
            r = r.header("if-match", format!("\"{sha}\""));
        }
        r.send().await.expect("PATCH")
    }

    /// A merge patch whose failure to connect is the caller's to handle.
    pub(crate) async fn request_patch(
        &self,
        path: &str,
        body: &Value,
    ) -> reqwest::Result<reqwest::Response> {
        self.request(reqwest::Method::PATCH, path)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
            .await
    }

    /// POST of `body` as it is (a file), without a content type.
    pub(crate) async fn post_bytes(&self, path: &str, body: Vec<u8>) -> reqwest::Response {
        self.request(reqwest::Method::POST, path)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    pub(crate) async fn delete(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::DELETE, path)
            .send()
            .await
            .expect("DELETE")
    }

    pub(crate) async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.request(method, path)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("send")
    }
}

/// The problem+json of an error answer, after checking its status.
pub(crate) async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status);
    assert_eq!(
        r.headers()["content-type"],
        "application/problem+json",
        "errors are problem+json"
    );
    let p: Value = r.json().await.expect("json");
    assert_eq!(p["status"], status);
    assert!(p["type"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(p["title"].as_str().is_some());
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
    p
}

/// A demo site with an editor token owned by `alice` and a reviewer token.
pub(crate) fn demo() -> (tempfile::TempDir, Server, String, String) {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let editor = token(
        dir.path(),
        "alice's script",
        &["--role", "editor", "--user", "alice"],
    );
    let reviewer = token(dir.path(), "dashboard", &["--role", "reviewer"]);
    (dir, server, editor, reviewer)
}

#[tokio::test]
async fn reading_collections_and_entries_with_filters_sort_fields_pages_and_etags() {
    let (_dir, server, _, reviewer) = demo();
    let api = Api::new(&server, Some(&reviewer));
    let site = server.site();

    let c = api.json("/api/v1/collections").await;
    let projects = &c["collections"][0];
    assert_eq!(projects["name"], "projects");
    assert_eq!(projects["path"], "_projects");
    assert_eq!(projects["count"], 4);
    let fields: Vec<&str> = projects["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(fields.contains(&"mission") && fields.contains(&"axes"));

    // One entry: the fields with the types Jekyll reads.
    let r = api.get(ENTRY).await;
    assert_eq!(r.status().as_u16(), 200);
    let etag = r.headers()["etag"].to_str().expect("etag").to_string();
    let e: Value = r.json().await.expect("json");
    let blob = git(&site, &["rev-parse", &format!("HEAD:{SEED}")]);
    assert_eq!(e["sha"], blob.trim());
    assert_eq!(etag, format!("\"{}\"", blob.trim()));
    assert_eq!(e["commit"], git(&site, &["rev-parse", "HEAD"]).trim());
    assert_eq!(e["path"], SEED);
    assert_eq!(e["fields"]["start_date"], "2021-09-01");
    assert_eq!(
        e["fields"]["axes"],
        json!(["digitization", "social inclusion", "biodiversity"])
    );
    assert_eq!(e["fields"]["lead"], Value::Null);
    assert!(
        e["body"]
            .as_str()
            .expect("body")
            .contains("The AI & Cities partnership")
    );
    // If-None-Match: 304, no body.
    let r = api
        .request(reqwest::Method::GET, ENTRY)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 304);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .expect("cc")
            .contains("private")
    );

    // The list: filter, sort, fields, pages with a cursor and a Link header.
    let all = api.json(&format!("{ENTRIES}?fields=name")).await;
    assert_eq!(all["total"], 4);
    for entry in all["entries"].as_array().expect("entries") {
        let keys: Vec<&String> = entry["fields"]
            .as_object()
            .expect("fields")
            .keys()
            .collect();
        assert_eq!(keys, vec!["name"]);
        assert!(entry.get("body").is_none());
    }
    let research = api
        .json(&format!(
            "{ENTRIES}?filter[category]=research&fields=name,category"
        ))
        .await;
    for entry in research["entries"].as_array().expect("entries") {
        assert_eq!(entry["fields"]["category"], "research");
    }
    let by_axis = api
        .json(&format!("{ENTRIES}?filter[axes]=biodiversity"))
        .await;
    assert!(
        by_axis["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["slug"] == "ai-and-cities")
    );
    let sorted = api
        .json(&format!("{ENTRIES}?sort=-start_date&fields=start_date"))
        .await;
    let dates: Vec<String> = sorted["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["fields"]["start_date"].as_str().unwrap_or("").to_string())
        .collect();
    let mut expected = dates.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, expected, "sorted by start_date, newest first");

    let r = api.get(&format!("{ENTRIES}?limit=3&sort=slug")).await;
    let link = r.headers()["link"].to_str().expect("link").to_string();
    let list_etag = r.headers()["etag"].to_str().expect("etag").to_string();
    let page1: Value = r.json().await.expect("json");
    assert_eq!(page1["entries"].as_array().expect("entries").len(), 3);
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .expect("url")
        .to_string();
    assert!(link.ends_with("rel=\"next\""), "{link}");
    let page2 = api.json(&next).await;
    assert_eq!(page2["entries"].as_array().expect("entries").len(), 1);
    assert_eq!(page2["next_cursor"], Value::Null);
    let slugs: Vec<&str> = page1["entries"]
        .as_array()
        .into_iter()
        .chain(page2["entries"].as_array())
        .flatten()
        .filter_map(|e| e["slug"].as_str())
        .collect();
    assert_eq!(slugs.len(), 4);
    // The list's ETag is the collection folder's tree.
    let tree = git(&site, &["rev-parse", "HEAD:_projects"]);
    assert_eq!(list_etag, format!("\"{}\"", tree.trim()));
    let r = api
        .request(reqwest::Method::GET, ENTRIES)
        .header("if-none-match", &list_etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 304);

    // Body as sanitized HTML.
    let html = api.json(&format!("{ENTRY}?format=html")).await;
    let rendered = html["html"].as_str().expect("html");
    assert!(
        rendered.contains("<p>The AI &amp; Cities partnership"),
        "{rendered}"
    );

    // Unknown things are 404 problems; bad parameters 400.
    problem(api.get("/api/v1/collections/nope/entries").await, 404).await;
    problem(api.get(&format!("{ENTRIES}/nope")).await, 404).await;
    problem(api.get("/api/v1/nothing-here").await, 404).await;
    problem(api.get(&format!("{ENTRIES}?limit=0")).await, 400).await;
    problem(api.get(&format!("{ENTRIES}?bogus=1")).await, 400).await;
    problem(api.get(&format!("{ENTRY}?ref=abc")).await, 400).await;
}

#[tokio::test]
async fn a_patch_of_one_field_changes_one_line_in_one_commit_by_the_tokens_owner() {
    let (_dir, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    let site = server.site();
    let before = commit_count(&site);
    let original = std::fs::read_to_string(site.join(SEED)).expect("seed");
    let e = api.json(ENTRY).await;
    let old_commit = git(&site, &["rev-parse", "HEAD"]);

    let r = api
        .patch(
            ENTRY,
            &json!({"fields": {"mission": "Fair AI for cities"}}),
            e["sha"].as_str(),
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let w: Value = r.json().await.expect("json");
    assert_eq!(commit_count(&site), before + 1);
    assert_eq!(w["commit"], git(&site, &["rev-parse", "HEAD"]).trim());
    assert_eq!(
        w["sha"],
        git(&site, &["rev-parse", &format!("HEAD:{SEED}")]).trim()
    );
    let numstat = git(&site, &["show", "--numstat", "--format=", "HEAD"]);
    assert_eq!(numstat.trim(), format!("1\t1\t{SEED}"));
    let committed = git(&site, &["show", &format!("HEAD:{SEED}")]);
    assert_eq!(
        committed,
        original.replace(
            "mission: Safer artificial intelligence by design for inclusive cities",
            "mission: Fair AI for cities"
        )
    );
    let author = git(&site, &["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), "Alice Martin <alice@example.org>");
    let body = git(&site, &["log", "-1", "--format=%B"]);
    assert!(
        body.starts_with("Update projects/ai-and-cities: mission"),
        "{body}"
    );
    assert!(body.contains("Cairn-Token: "), "{body}");
    assert_eq!(checked_out(&site, SEED), committed);
    assert_fsck_clean(&site);

    // The same value again: no commit. A past version by ?ref.
    let r = api
        .patch(
            ENTRY,
            &json!({"fields": {"mission": "Fair AI for cities"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(commit_count(&site), before + 1);
    let old = api
        .json(&format!("{ENTRY}?ref={}", old_commit.trim()))
        .await;
    assert_eq!(
        old["fields"]["mission"],
        "Safer artificial intelligence by design for inclusive cities"
    );
    assert_eq!(old["commit"], old_commit.trim());
}

#[tokio::test]
async fn two_patches_with_the_same_if_match_make_one_commit_and_one_412() {
    let (_dir, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    let site = server.site();
    let before = commit_count(&site);
    let sha = api.json(ENTRY).await["sha"]
        .as_str()
        .expect("sha")
        .to_string();
    let (first, second) = (
        json!({"fields": {"mission": "First"}}),
        json!({"fields": {"lead": "Second"}}),
    );
    let (a, b) = tokio::join!(
        api.patch(ENTRY, &first, Some(&sha)),
        api.patch(ENTRY, &second, Some(&sha)),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
    let loser = if a.status().as_u16() == 412 { a } else { b };
    let p = problem(loser, 412).await;
    assert_eq!(
        p["sha"],
        git(&site, &["rev-parse", &format!("HEAD:{SEED}")]).trim()
    );
    assert_eq!(commit_count(&site), before + 1);

    // Without If-Match, a PATCH merges onto the current version: the other
    // field's change is kept.
    let r = api
        .patch(ENTRY, &json!({"fields": {"category": "lab"}}), None)
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let now = api.json(ENTRY).await;
    assert_eq!(now["fields"]["category"], "lab");
    assert!(now["fields"]["mission"] == "First" || now["fields"]["lead"] == "Second");
    assert_eq!(commit_count(&site), before + 2);
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn put_replaces_post_creates_and_delete_removes_each_in_one_commit() {
    let (_dir, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    let site = server.site();
    let mut count = commit_count(&site);

    // POST: a slug from the name; the file as Jekyll reads it.
    let r = api
        .send_json(
            reqwest::Method::POST,
            ENTRIES,
            &json!({"fields": {"name": "Street Trees: A Census", "start_date": "2026-03-01",
                               "axes": ["biodiversity"], "category": "research"},
                    "body": "Counting trees.\n"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(
        r.headers()["location"],
        "/api/v1/collections/projects/entries/street-trees-a-census"
    );
    let w: Value = r.json().await.expect("json");
    count += 1;
    assert_eq!(commit_count(&site), count);
    let path = "_projects/street-trees-a-census.md";
    assert_eq!(w["path"], path);
    assert_eq!(
        git(&site, &["log", "-1", "--format=%s"]).trim(),
        "Create projects/street-trees-a-census"
    );
    let created = api.json(&format!("{ENTRIES}/street-trees-a-census")).await;
    assert_eq!(created["fields"]["start_date"], "2026-03-01");
    assert_eq!(created["fields"]["name"], "Street Trees: A Census");
    assert_eq!(created["body"], "Counting trees.\n");
    assert_eq!(
        checked_out(&site, path),
        git(&site, &["show", &format!("HEAD:{path}")])
    );
    // Taken: 409, nothing written.
    let r = api
        .send_json(
            reqwest::Method::POST,
            ENTRIES,
            &json!({"slug": "street-trees-a-census", "fields": {}}),
        )
        .await;
    problem(r, 409).await;
    assert_eq!(commit_count(&site), count);

    // PUT: fields not given are removed, the body replaced.
    let sha = created["sha"].as_str().expect("sha");
    let r = api
        .request(reqwest::Method::PUT, &format!("{ENTRIES}/street-trees-a-census"))
        .header("content-type", "application/json")
        .header("if-match", format!("\"{sha}\""))
        .body(json!({"fields": {"name": "Street Trees", "start_date": "2026-03-01"}, "body": "Done.\n"}).to_string())
        .send()
        .await
        .expect("PUT");
    assert_eq!(r.status().as_u16(), 200);
    count += 1;
    let text = git(&site, &["show", &format!("HEAD:{path}")]);
    // The value keeps the quoting it had (only its text changes).
    assert_eq!(
        text,
        "---\nname: \"Street Trees\"\nstart_date: 2026-03-01\n---\nDone.\n"
    );

    // DELETE: gone from the branch and the checkout.
    let r = api
        .request(
            reqwest::Method::DELETE,
            &format!("{ENTRIES}/street-trees-a-census"),
        )
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status().as_u16(), 200);
    count += 1;
    assert_eq!(commit_count(&site), count);
    assert_eq!(
        git(&site, &["log", "-1", "--format=%s"]).trim(),
        "Delete projects/street-trees-a-census"
    );
    assert!(
        git(&site, &["ls-tree", "HEAD", "_projects/"])
            .lines()
            .all(|l| !l.contains("street-trees"))
    );
    assert_checkout_clean(&site);
    assert!(!site.join(path).exists());
    problem(
        api.get(&format!("{ENTRIES}/street-trees-a-census")).await,
        404,
    )
    .await;
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn reviewer_revoked_expired_and_missing_tokens_are_refused() {
    let (dir, server, _, reviewer) = demo();
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);
    let api = Api::new(&server, Some(&reviewer));
    assert_eq!(api.get(ENTRY).await.status().as_u16(), 200);
    problem(
        api.patch(ENTRY, &json!({"fields": {"mission": "x"}}), None)
            .await,
        403,
    )
    .await;
    problem(
        api.send_json(reqwest::Method::POST, ENTRIES, &json!({"slug": "x"}))
            .await,
        403,
    )
    .await;
    problem(
        api.request(reqwest::Method::DELETE, ENTRY)
            .send()
            .await
            .expect("DELETE"),
        403,
    )
    .await;

    // No token, a wrong one, an expired one, a revoked one.
    let none = Api::new(&server, None);
    let r = none.get(ENTRY).await;
    assert!(r.headers().contains_key("www-authenticate"));
    problem(r, 401).await;
    problem(Api::new(&server, Some("cairn_0000")).get(ENTRY).await, 401).await;
    let expired = token(
        dir.path(),
        "old",
        &["--role", "editor", "--expires-days", "0"],
    );
    problem(Api::new(&server, Some(&expired)).get(ENTRY).await, 401).await;
    let data = dir.path().to_str().expect("path");
    let list =
        String::from_utf8(cairn(&["token", "list", "--data", data], "").stdout).expect("utf-8");
    let id = list
        .lines()
        .find(|l| l.contains("dashboard"))
        .and_then(|l| l.split('\t').next())
        .expect("the reviewer token is listed")
        .to_string();
    assert!(!list.contains(&reviewer), "secrets are never listed");
    assert!(
        cairn(&["token", "revoke", &id, "--data", data], "")
            .status
            .success()
    );
    // Revoked from another process: refused within a second (the server
    // trusts a checked token for at most that long).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    problem(api.get(ENTRY).await, 401).await;
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing written");

    // A reviewer's token cannot be made for writing.
    add_user(&server.data, "rita", "reviewer", "rita@example.org", "Rita");
    let out = cairn(
        &[
            "token", "create", "x", "--role", "editor", "--user", "rita", "--data", data,
        ],
        "",
    );
    assert!(!out.status.success());
}

#[tokio::test]
async fn bad_input_is_refused_with_a_clear_problem_and_nothing_is_written() {
    let dir = tempdir();
    let server = Server::start_with(
        dir.path(),
        None,
        &[("CAIRN_LOGIN_FAILURES_PER_ADDRESS", "3")],
    );
    let editor = token(dir.path(), "bot", &["--role", "editor"]);
    let api = Api::new(&server, Some(&editor));
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);

    // Malformed JSON, a wrong content type, a 10 MB body.
    let r = api
        .request(reqwest::Method::PATCH, ENTRY)
        .header("content-type", "application/merge-patch+json")
        .body("{\"fields\": {")
        .send()
        .await
        .expect("PATCH");
    problem(r, 400).await;
    let r = api
        .request(reqwest::Method::PATCH, ENTRY)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("PATCH");
    problem(r, 415).await;
    // The server answers 413 as soon as the body passes its limit and
    // closes the connection: the client may still be writing the rest and
    // see a broken pipe instead of the answer. Either way nothing is written
    // (checked below), and an answer that does arrive is the 413.
    let big = json!({"body": "x".repeat(10 * 1024 * 1024)});
    match api
        .request(reqwest::Method::PUT, ENTRY)
        .header("content-type", "application/json")
        .body(big.to_string())
        .send()
        .await
    {
        Ok(r) => {
            problem(r, 413).await;
        }
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    // Just over the limit (1 MiB): small enough to be sent whole, so the
    // 413 is always seen.
    let over = json!({"body": "x".repeat(1024 * 1024 + 100)});
    problem(api.send_json(reqwest::Method::PUT, ENTRY, &over).await, 413).await;

    // Hostile slugs in the path and in a new entry.
    for bad in ["%2e%2e", "..%2Fsecret", "a%2Fb", "a%00b", ".hidden"] {
        let r = api.get(&format!("{ENTRIES}/{bad}")).await;
        assert!(
            [400, 404].contains(&r.status().as_u16()),
            "{bad}: {}",
            r.status()
        );
        let r = api
            .patch(
                &format!("{ENTRIES}/{bad}"),
                &json!({"fields": {"x": "y"}}),
                None,
            )
            .await;
        assert!([400, 404].contains(&r.status().as_u16()), "{bad}");
    }
    for bad in ["..", "../x", "a//b", "a/../b", "/a", ".x", "a\u{0}b", ""] {
        let r = api
            .send_json(
                reqwest::Method::POST,
                ENTRIES,
                &json!({"slug": bad, "fields": {"name": "x"}}),
            )
            .await;
        let p = problem(r, 422).await;
        assert_eq!(p["errors"][0]["field"], "slug", "{bad:?}");
    }

    // An object where a string is expected; an unknown member.
    let r = api
        .patch(
            ENTRY,
            &json!({"fields": {"mission": {"nested": true}}}),
            None,
        )
        .await;
    let p = problem(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "mission");
    let r = api.patch(ENTRY, &json!({"title": "x"}), None).await;
    problem(r, 422).await;
    // A stale If-Match that is not even a sha.
    let r = api
        .request(reqwest::Method::PATCH, ENTRY)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "\"nope\"")
        .body("{}")
        .send()
        .await
        .expect("PATCH");
    problem(r, 412).await;
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head, "nothing written");

    // Unknown fields are kept as given (the schema does not drop them).
    let r = api
        .patch(
            ENTRY,
            &json!({"fields": {"funding_note": "Seed grant"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let text = git(&site, &["show", &format!("HEAD:{SEED}")]);
    assert!(text.contains("\nfunding_note: Seed grant\n"), "{text}");

    // Bad tokens from one address: 401, then 429 with Retry-After.
    let bad = Api::new(&server, Some("cairn_bad"));
    for _ in 0..3 {
        problem(bad.get(ENTRY).await, 401).await;
    }
    let r = bad.get(ENTRY).await;
    assert!(r.headers().contains_key("retry-after"));
    problem(r, 429).await;
    assert_eq!(
        Api::new(&server, Some(&editor))
            .get("/healthz")
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn browser_sessions_write_only_with_the_csrf_header() {
    let (dir, server, _, _) = demo();
    let _ = dir;
    let browser = sign_in_as(&server, "edna", "editor").await;
    let site = server.site();
    let head = git(&site, &["rev-parse", "HEAD"]);
    let (_, html) = browser.get("/account").await;
    let token = Form::parse(&html, "/account")
        .get("_csrf")
        .expect("token")
        .to_string();
    // Reading works with the session alone.
    let r = browser.get_response(ENTRY).await;
    assert_eq!(r.status().as_u16(), 200);
    let patch = |with_token: bool| {
        let mut r = browser
            .client
            .patch(server.url(ENTRY))
            .header("origin", server.base.clone())
            .header("content-type", "application/merge-patch+json")
            .body(json!({"fields": {"lead": "Edna"}}).to_string());
        if with_token {
            r = r.header("x-csrf-token", token.clone());
        }
        r.send()
    };
    problem(patch(false).await.expect("PATCH"), 403).await;
    assert_eq!(git(&site, &["rev-parse", "HEAD"]), head);
    assert_eq!(patch(true).await.expect("PATCH").status().as_u16(), 200);
    let author = git(&site, &["log", "-1", "--format=%an"]);
    assert_eq!(author.trim(), "edna");
}

#[tokio::test]
async fn history_and_commits_with_per_field_changes() {
    let (_dir, server, editor, reviewer) = demo();
    let writer = Api::new(&server, Some(&editor));
    let reader = Api::new(&server, Some(&reviewer));
    let r = writer
        .patch(
            ENTRY,
            &json!({"fields": {"mission": "Changed", "axes": ["digitization", "mobility"]}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let sha = git(&server.site(), &["rev-parse", "HEAD"]);

    let h = reader.json(&format!("/api/v1/history?path={SEED}")).await;
    let first = &h["entries"][0];
    assert_eq!(first["sha"], sha.trim());
    assert_eq!(first["author"]["name"], "Alice Martin");
    assert_eq!(first["files"][0]["path"], SEED);
    assert_eq!(first["files"][0]["fields"], json!(["mission", "axes"]));
    let by_author = reader.json("/api/v1/history?author=Alice%20Martin").await;
    assert_eq!(by_author["entries"].as_array().expect("entries").len(), 1);
    let none = reader.json("/api/v1/history?until=2000-01-01").await;
    assert_eq!(none["entries"].as_array().expect("entries").len(), 0);
    problem(reader.get("/api/v1/history?since=yesterday").await, 400).await;

    let c = reader
        .json(&format!("/api/v1/commits/{}", sha.trim()))
        .await;
    assert_eq!(c["sha"], sha.trim());
    let file = &c["files"][0];
    assert_eq!(file["path"], SEED);
    let mission = &file["fields"][0];
    assert_eq!(mission["field"], "mission");
    assert_eq!(
        mission["before"],
        "Safer artificial intelligence by design for inclusive cities"
    );
    assert_eq!(mission["after"], "Changed");
    let axes = &file["fields"][1];
    assert_eq!(axes["added"], json!(["mobility"]));
    assert_eq!(axes["removed"], json!(["social inclusion", "biodiversity"]));
    problem(
        reader
            .get("/api/v1/commits/0123456789012345678901234567890123456789")
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let (_dir, server, _, _) = demo();
    // Served without a token.
    let doc = Api::new(&server, None).json("/api/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let table = cairn::api::table();
    assert!(table.len() >= 10);
    for (method, path, _) in table {
        let op = &doc["paths"][path.replace("{*path}", "{path}")][method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
        assert!(op["responses"].is_object());
        assert!(op["responses"]["401"].is_object(), "{method} {path}: 401");
    }
    // It says what the server accepts: the site's collections, the slug's
    // pattern, no unknown members in a write, every status, links.
    let entry = &doc["paths"]["/api/v1/collections/{collection}/entries/{slug}"];
    let params = entry["get"]["parameters"].as_array().expect("parameters");
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    assert_eq!(param("collection")["schema"]["enum"], json!(["projects"]));
    assert!(param("slug")["schema"]["pattern"].is_string());
    assert_eq!(param("format")["schema"]["enum"], json!(["json", "html"]));
    for status in ["200", "400", "401", "404", "409", "412", "415", "422"] {
        assert!(
            entry["patch"]["responses"][status].is_object(),
            "PATCH {status}"
        );
    }
    let schemas = &doc["components"]["schemas"];
    for name in ["NewEntry", "EntryReplacement", "EntryPatch"] {
        assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
    }
    assert!(schemas["EntryReplacement"]["properties"]["slug"].is_null());
    let created =
        &doc["paths"]["/api/v1/collections/{collection}/entries"]["post"]["responses"]["201"];
    assert_eq!(
        created["links"]["ReadCreated"]["parameters"]["slug"],
        "$response.body#/slug"
    );

    // What it refuses, the server refuses: a member a PUT does not take,
    // an If-Match that is no entity tag.
    let (_dir2, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    problem(
        api.send_json(
            reqwest::Method::PUT,
            ENTRY,
            &json!({"slug": "elsewhere", "fields": {}}),
        )
        .await,
        422,
    )
    .await;
    let r = api
        .request(reqwest::Method::PATCH, ENTRY)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "")
        .body("{}")
        .send()
        .await
        .expect("PATCH");
    problem(r, 400).await;
    // An entity tag that is no sha never matches, but an unknown
    // collection or entry is still not found.
    for path in [
        "/api/v1/collections/nope/entries/ai-and-cities",
        "/api/v1/collections/projects/entries/nope",
    ] {
        let r = api
            .request(reqwest::Method::DELETE, path)
            .header("if-match", "\"\"")
            .send()
            .await
            .expect("DELETE");
        problem(r, 404).await;
    }
    let r = api
        .get("/api/v1/collections/projects/entries?filter[a][b]=c")
        .await;
    problem(r, 400).await;
    // A cursor past the document's int64 maximum (usize would take it).
    let r = api
        .get("/api/v1/collections/projects/entries?cursor=9223372036854775808")
        .await;
    problem(r, 400).await;
    let r = api
        .get("/api/v1/collections/projects/entries?cursor=9223372036854775807")
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let r = api.get(&format!("{ENTRY}?ref=x&ref=y")).await;
    problem(r, 400).await;
}

/// The document's slug pattern is the server's rule, on both sides of each
/// limit: what it refuses the server refuses, what it allows the server
/// takes, but for a new name too long in bytes for a file system (a 422 that
/// says so; JSON Schema counts characters).
#[tokio::test]
async fn the_slug_pattern_is_the_servers_rule() {
    let (dir, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    let doc = api.json("/api/v1/openapi.json").await;
    let entry = &doc["paths"]["/api/v1/collections/{collection}/entries/{slug}"];
    let params = entry["get"]["parameters"].as_array().expect("parameters");
    let slug = params.iter().find(|p| p["name"] == "slug").expect("slug");
    let pattern = slug["schema"]["pattern"].as_str().expect("pattern");
    let pattern = regex::Regex::new(pattern).expect("a regex");
    let new_slug = &doc["components"]["schemas"]["NewEntry"]["properties"]["slug"];
    // The body's slug (within "or null") has the same pattern.
    let same = json!(pattern.as_str()).to_string();
    assert!(new_slug.to_string().contains(&same), "{new_slug}");

    let segments = |n: usize| vec!["a"; n].join("/");
    let too_long = "is too long";
    // (slug, the pattern allows it, the server's answer to a POST)
    let cases: Vec<(String, bool, Option<&str>)> = vec![
        ("e".repeat(200), true, None),
        ("e".repeat(201), false, Some(too_long)),
        ("é".repeat(100), true, None),
        ("é".repeat(200), true, Some(too_long)),
        (vec!["e".repeat(150); 3].join("/"), true, Some(too_long)),
        (segments(16), true, None),
        (segments(17), false, Some(too_long)),
        ("with space".into(), true, None),
        (".hidden".into(), false, Some("empty folder name")),
        ("a\u{85}b".into(), false, Some("empty folder name")),
        ("a/\\b".into(), false, Some("empty folder name")),
        ("a//b".into(), false, Some("empty folder name")),
    ];
    let site = server.site();
    for (slug, allowed, refused) in &cases {
        assert_eq!(pattern.is_match(slug), *allowed, "pattern on {slug:?}");
        let r = api
            .send_json(
                reqwest::Method::POST,
                ENTRIES,
                &json!({"slug": slug, "fields": {"name": "x"}}),
            )
            .await;
        match refused {
            None => {
                assert_eq!(r.status().as_u16(), 201, "{slug:?}");
                let file = site.join("_projects").join(format!("{slug}.md"));
                assert!(file.is_file(), "{slug:?} written");
            }
            Some(words) => {
                let p = problem(r, 422).await;
                assert_eq!(p["errors"][0]["field"], "slug", "{slug:?}");
                let message = p["errors"][0]["message"].as_str().unwrap_or_default();
                assert!(message.contains(words), "{slug:?}: {message}");
            }
        }
        // Read back: a name the pattern refuses is no entry (404), as one
        // not written.
        let r = api
            .get(&format!(
                "{ENTRIES}/{}",
                percent_encoding::utf8_percent_encode(slug, percent_encoding::NON_ALPHANUMERIC)
            ))
            .await;
        let expected = if refused.is_none() { 200 } else { 404 };
        assert_eq!(r.status().as_u16(), expected, "GET {slug:?}");
    }
    assert_fsck_clean(&site);
    drop(dir);
}

#[tokio::test]
async fn reads_can_be_public_and_cors_is_per_origin() {
    let dir = tempdir();
    let server = Server::start_with(
        dir.path(),
        None,
        &[
            ("CAIRN_API_PUBLIC_READ", "true"),
            ("CAIRN_API_CORS_ORIGINS", "https://front.example"),
        ],
    );
    let anonymous = Api::new(&server, None);
    let r = anonymous.get(ENTRY).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .expect("cc")
            .contains("public")
    );
    problem(
        anonymous
            .patch(ENTRY, &json!({"fields": {"x": "y"}}), None)
            .await,
        401,
    )
    .await;
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, server.url(ENTRY))
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .send()
    };
    let ok = preflight("https://front.example").await.expect("OPTIONS");
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://front.example"
    );
    let other = preflight("https://evil.example").await.expect("OPTIONS");
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    // Off by default: private reads, no CORS.
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    problem(Api::new(&server, None).get(ENTRY).await, 401).await;
    let r = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, server.url(ENTRY))
        .header("origin", "https://front.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("OPTIONS");
    assert!(!r.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn admins_make_and_revoke_tokens_on_the_tokens_page() {
    let dir = tempdir();
    let server = Server::start(dir.path(), None);
    add_user(
        &server.data,
        "alice",
        "editor",
        "alice@example.org",
        "Alice Martin",
    );
    let admin = sign_in_as(&server, "root", "admin").await;
    let (_, html) = admin.get("/tokens").await;
    // Bad input: a message per field, nothing made.
    let form = Form::parse(&html, "/tokens")
        .with("name", "")
        .with("role", "admin")
        .with("owner", "nobody")
        .with("expires_days", "soon");
    let r = admin.post("/tokens", &form.fields).await;
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.expect("body");
    for field in ["name", "role", "owner", "expires_days"] {
        assert!(page.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    let form = form
        .with("name", "front end")
        .with("role", "editor")
        .with("owner", "alice")
        .with("expires_days", "30");
    let r = admin.post("/tokens", &form.fields).await;
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.expect("body");
    let start = page.find("cairn_").expect("the secret is shown once");
    let secret: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let (_, again) = admin.get("/tokens").await;
    assert!(!again.contains(&secret), "shown only once");
    assert!(again.contains("front end") && again.contains("alice"));

    let api = Api::new(&server, Some(&secret));
    let r = api
        .patch(ENTRY, &json!({"fields": {"lead": "Alice"}}), None)
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let author = git(&server.site(), &["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), "Alice Martin <alice@example.org>");

    let (_, html) = admin.get("/tokens").await;
    let form = Form::parse(&html, "/tokens/1/revoke");
    assert_eq!(
        admin.post("/tokens/1/revoke", &form.fields).await.status(),
        303
    );
    problem(api.get(ENTRY).await, 401).await;
    let (_, log) = admin.get("/security-log").await;
    assert!(log.contains("<td>token created</td>") && log.contains("<td>token revoked</td>"));
}

#[tokio::test]
async fn a_patch_with_the_sha_it_read_merges_like_the_admin_or_answers_409_with_both_values() {
    let (_dir, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    let site = server.site();
    let sha = api.json(ENTRY).await["sha"]
        .as_str()
        .expect("sha")
        .to_string();
    // Someone else changes the mission.
    let r = api
        .patch(ENTRY, &json!({"fields": {"mission": "Theirs"}}), None)
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let count = commit_count(&site);

    // Another field, from the version read before: merged, and said so.
    let r = api
        .patch(
            ENTRY,
            &json!({"sha": sha, "fields": {"lead": "Mine"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(commit_count(&site), count + 1);
    let message = git(&site, &["log", "-1", "--format=%B"]);
    assert!(message.contains("Merged field by field"), "{message}");
    let now = api.json(ENTRY).await;
    assert_eq!(now["fields"]["mission"], "Theirs");
    assert_eq!(now["fields"]["lead"], "Mine");

    // The same field, differently: 409 with both values, nothing written.
    let r = api
        .patch(
            ENTRY,
            &json!({"sha": sha, "fields": {"mission": "Mine"}}),
            None,
        )
        .await;
    let p = problem(r, 409).await;
    let conflicts = p["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{p}");
    assert_eq!(conflicts[0]["field"], "mission");
    assert_eq!(conflicts[0]["yours"], "Mine");
    assert_eq!(conflicts[0]["theirs"], "Theirs");
    assert_eq!(commit_count(&site), count + 1);
    // The same value both ways is no conflict, and no commit.
    let r = api
        .patch(
            ENTRY,
            &json!({"sha": sha, "fields": {"mission": "Theirs"}}),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(commit_count(&site), count + 1);
    // A sha that is no version at all.
    let r = api
        .patch(
            ENTRY,
            &json!({"sha": "0123456789012345678901234567890123456789", "fields": {"lead": "x"}}),
            None,
        )
        .await;
    problem(r, 422).await;
    assert_fsck_clean(&site);
}

#[tokio::test]
async fn reviewers_can_revert_an_entry_made_or_deleted_through_the_api() {
    let (_dir, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    let site = server.site();
    let admin = sign_in_as(&server, "root", "admin").await;
    let revert = |sha: String| {
        let admin = &admin;
        async move {
            let action = format!("/commits/{sha}/revert");
            let (_, html) = admin.get(&action).await;
            let form = Form::parse(&html, &action);
            admin.post(&action, &form.fields).await.status().as_u16()
        }
    };
    let head = || git(&site, &["rev-parse", "HEAD"]).trim().to_string();

    // Created, then the creation reverted: the file is gone again.
    let r = api
        .send_json(
            reqwest::Method::POST,
            ENTRIES,
            &json!({"slug": "fresh", "fields": {"name": "Fresh"}}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(revert(head()).await, 303);
    assert!(
        git(&site, &["log", "-1", "--format=%s"]).starts_with("Revert \"Create projects/fresh\"")
    );
    assert!(git(&site, &["ls-tree", "HEAD", "_projects/fresh.md"]).is_empty());
    assert_checkout_clean(&site);
    assert!(!site.join("_projects/fresh.md").exists());

    // Deleted, then the deletion reverted: the same bytes are back.
    let before = git(&site, &["show", &format!("HEAD:{SEED}")]);
    let r = api
        .request(reqwest::Method::DELETE, ENTRY)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(revert(head()).await, 303);
    assert_eq!(git(&site, &["show", &format!("HEAD:{SEED}")]), before);
    assert_eq!(checked_out(&site, SEED), before);
    assert_fsck_clean(&site);
}

/// Page numbers past any end (found by schemathesis: an overflow dropped
/// the connection) answer the last page, on the API and in the admin.
#[tokio::test]
async fn huge_page_numbers_answer_the_last_page() {
    let (_dir, server, editor, _) = demo();
    let api = Api::new(&server, Some(&editor));
    for path in [
        "/api/v1/media?page=36893488147419104&per_page=500",
        "/api/v1/media?page=18446744073709551615",
    ] {
        assert_eq!(api.get(path).await.status().as_u16(), 200, "{path}");
    }
    let browser = sign_in_as(&server, "rob", "editor").await;
    for path in [
        "/media?page=18446744073709551615",
        "/collections/projects?page=18446744073709551615",
    ] {
        assert_eq!(browser.get(path).await.0, 200, "{path}");
    }
    assert_eq!(
        api.get("/api/v1/status").await.status().as_u16(),
        200,
        "still serving"
    );
}
