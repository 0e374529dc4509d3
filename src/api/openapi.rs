//! The OpenAPI 3.1 document, made from the API's route table (so every
//! route is in it), served at `/api/v1/openapi.json`.

use axum::Json;
use axum::http::Method;
use serde_json::{Map, Value, json};

/// Query parameters a route takes, by (method, path).
fn query_parameters(method: &Method, path: &str) -> Vec<Value> {
    let q = |name: &str, description: &str| {
        json!({"name": name, "in": "query", "required": false,
               "description": description, "schema": {"type": "string"}})
    };
    match (method.as_str(), path) {
        ("GET", "/api/v1/collections/{collection}/entries") => vec![
            json!({"name": "filter", "in": "query", "style": "deepObject", "explode": true,
                   "description": "filter[field]=value: entries whose field equals value (or whose list holds it)",
                   "schema": {"type": "object", "additionalProperties": {"type": "string"}}}),
            q(
                "sort",
                "field names, comma-separated; a leading - sorts descending",
            ),
            q("fields", "the fields to include, comma-separated"),
            q("limit", "entries per page, 1 to 10000 (default 100)"),
            q("cursor", "the next_cursor of the previous page"),
        ],
        ("GET", "/api/v1/collections/{collection}/entries/{slug}") => vec![
            q(
                "ref",
                "a full commit id: the entry as it was in that commit",
            ),
            q(
                "format",
                "html: add `html`, the body rendered and sanitized",
            ),
        ],
        ("GET", "/api/v1/history") => vec![
            q("path", "changes to this file"),
            q("author", "changes by this author (name or email)"),
            q("since", "YYYY-MM-DD, inclusive"),
            q("until", "YYYY-MM-DD, inclusive"),
            q("cursor", "the next_cursor of the previous page"),
        ],
        ("GET", "/api/v1/search") => vec![
            q(
                "q",
                "words (French and English forms, accents ignored) and \"quoted phrases\"; all must be found",
            ),
            q("collection", "only this collection"),
            q("field", "only this front matter field, or body"),
            q("page", "the page, from 1 to 500"),
            q("per_page", "results per page, 1 to 100 (default 20)"),
        ],
        ("GET", "/api/v1/media") => vec![
            q("page", "the page, from 1"),
            q("per_page", "files per page, 1 to 500 (default 100)"),
        ],
        ("POST", "/api/v1/media") => vec![
            q(
                "filename",
                "a raw body's file name (a multipart form names its `file`)",
            ),
            q(
                "folder",
                "the media folder to add it to (default: the first)",
            ),
            q(
                "replace",
                "true: a file of the same name is replaced (a new commit), not suffixed",
            ),
            q(
                "keep_metadata",
                "true: keep a photo's metadata (GPS position, camera)",
            ),
            q(
                "resize",
                "true (raw body; `resize=1` in a form): an image larger than --max-image-pixels is committed as a copy of that size",
            ),
            q(
                "pending",
                "true: keep the file uncommitted and answer its `upload` id, for an entry's write to name in `uploads`",
            ),
        ],
        _ => Vec::new(),
    }
}

fn problem(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

/// The document.
pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (method, path, summary) in super::table() {
        let mut parameters: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(query_parameters(method, path));
        let writes = *method != Method::GET;
        if writes && path.ends_with("{slug}") {
            parameters.push(json!({"name": "If-Match", "in": "header", "required": false,
                "description": "the entry's sha (ETag): the write is refused with 412 if it changed",
                "schema": {"type": "string"}}));
        }
        let mut responses = json!({
            "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": problem("Malformed request"),
            "401": problem("No or bad token"),
            "404": problem("Not found"),
            "429": problem("Too many failed attempts"),
        });
        if *method == Method::GET {
            responses["304"] = json!({"description": "Not modified (If-None-Match)"});
        } else {
            responses["201"] = json!({"description": "Created"});
            responses["403"] = problem("The caller may not write");
            responses["409"] =
                problem("Conflict: the slug is taken, or both sides changed a field");
            responses["412"] = problem("If-Match names another version");
            responses["413"] = problem("Body too large");
            responses["415"] = problem("Wrong content type");
            responses["422"] = problem("Invalid field values");
        }
        let mut op = json!({
            "summary": summary,
            "operationId": format!("{}{}", method.as_str().to_lowercase(),
                path.trim_start_matches("/api/v1").replace(['/', '{', '}', '.'], "_")),
            "parameters": parameters,
            "responses": responses,
        });
        if *path == "/api/v1/media" && writes {
            op["requestBody"] = json!({"required": true, "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "folder": {"type": "string"}, "replace": {"type": "string"},
                    "keep_metadata": {"type": "string"}}, "required": ["file"]}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
        } else if writes && *method != Method::DELETE {
            let media = super::expected_type(method);
            op["requestBody"] = json!({"required": true, "content": {media: {"schema": {"$ref": "#/components/schemas/EntryInput"}}}});
        }
        let item = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        item[method.as_str().to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Cairn", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The content of a Jekyll site kept in git: every write is one commit."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cairn_session"}
            },
            "schemas": {
                "Entry": {"type": "object", "properties": {
                    "slug": {"type": "string", "description": "The path inside the collection without the extension (`configuration/options` for a document in a folder); in a URL its `/` is written `%2F`"},
                    "path": {"type": "string"},
                    "fields": {"type": "object", "description": "Front matter: texts, numbers, booleans, null, lists, and nested maps and lists of maps"},
                    "body": {"type": "string"},
                    "sha": {"type": "string"}, "commit": {"type": "string"},
                    "html": {"type": "string"}}},
                "EntryInput": {"type": "object", "properties": {
                    "slug": {"type": "string", "description": "POST: the new entry's slug, `/` between folders (else made from title or name); PATCH: a new slug, renaming or moving the entry"},
                    "sha": {"type": "string", "description": "PATCH: the version read; what changed since is merged field by field"},
                    "fields": {"type": "object", "description": "PATCH: JSON Merge Patch; a map merges member by member, a list replaces the list"},
                    "body": {"type": "string"},
                    "uploads": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "field name to an upload id from POST /api/v1/media?pending=true: the file becomes the field's value (its address on the site), committed with the entry"}}},
                "Problem": {"type": "object", "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"},
                    "status": {"type": "integer"}, "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "field": {"type": "string"}, "message": {"type": "string"}}}},
                    "conflicts": {"type": "array", "items": {"type": "object", "properties": {
                        "field": {"type": "string"}, "yours": {}, "theirs": {},
                        "changed_by": {"type": "object", "properties": {
                            "name": {"type": "string"},
                            "time": {"type": "string", "format": "date-time"},
                            "commit": {"type": "string"}}}}}}}}
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub(super) async fn document() -> Json<Value> {
    Json(build())
}
