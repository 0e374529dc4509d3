//! The OpenAPI 3.1 document, made from the API's route table (so every
//! route is in it), served at `/api/v1/openapi.json`.

use axum::Json;
use axum::http::Method;
use serde_json::{Map, Value, json};

/// A slug segment: no `/`, `\`, control character or leading dot, at most
/// 200 characters (`Slug::parse`'s rule; a new name must also fit a file
/// system, 200 bytes a segment, which JSON Schema cannot count: 422).
const SEGMENT: &str = r"[^./\\\x00-\x1f\x7f-\x9f][^/\\\x00-\x1f\x7f-\x9f]{0,199}";
/// A full object id (SHA-1).
const OBJECT_ID: &str = "^[0-9a-fA-F]{40}$";

fn slug_schema() -> Value {
    json!({"type": "string", "minLength": 1,
           "pattern": format!("^{SEGMENT}(/{SEGMENT}){{0,15}}$")})
}

/// Query parameters a route takes, by (method, path).
fn query_parameters(method: &Method, path: &str, collections: &[String]) -> Vec<Value> {
    let q = |name: &str, description: &str, schema: Value| {
        json!({"name": name, "in": "query", "required": false,
               "description": description, "schema": schema})
    };
    let text = || json!({"type": "string"});
    let int = |min: u64, max: Option<u64>| match max {
        Some(max) => json!({"type": "integer", "minimum": min, "maximum": max}),
        None => json!({"type": "integer", "minimum": min}),
    };
    let flag = || json!({"type": "string", "enum": ["true", "false"]});
    // A query string's values are texts: a filter's `5`, `true` and `null`
    // are the texts themselves, and a value given twice must hold twice.
    let scalar = || json!({"type": ["string", "number", "boolean", "null"]});
    // A value that may also be given empty (then absent: the default).
    let or_empty = |schema: Value| json!({"anyOf": [schema, {"type": "string", "maxLength": 0}]});
    match (method.as_str(), path) {
        ("GET", "/api/v1/collections/{collection}/entries") => vec![
            json!({"name": "filter", "in": "query", "style": "deepObject", "explode": true,
                   "description": "filter[field]=value: entries whose field equals value (or whose list holds it); a field name has no `[` or `]`",
                   "schema": {"type": "object", "propertyNames": {"pattern": "^[^\\[\\]]*$"},
                              "additionalProperties": {"anyOf": [scalar(), {"type": "array", "items": scalar()}]}}}),
            q(
                "sort",
                "field names, comma-separated; a leading - sorts descending",
                text(),
            ),
            q("fields", "the fields to include, comma-separated", text()),
            q(
                "limit",
                "entries per page (default 100)",
                int(1, Some(10_000)),
            ),
            q(
                "cursor",
                "the next_cursor of the previous page",
                int(0, Some(i64::MAX as u64)),
            ),
        ],
        ("GET", "/api/v1/collections/{collection}/entries/{slug}") => vec![
            q(
                "ref",
                "a full commit id: the entry as it was in that commit",
                json!({"type": "string", "pattern": OBJECT_ID}),
            ),
            q(
                "format",
                "html: add `html`, the body rendered and sanitized",
                json!({"type": "string", "enum": ["json", "html"]}),
            ),
        ],
        ("GET", "/api/v1/history") => vec![
            q("path", "changes to this file", text()),
            q("author", "changes by this author (name or email)", text()),
            q(
                "since",
                "inclusive",
                or_empty(json!({"type": "string", "format": "date"})),
            ),
            q(
                "until",
                "inclusive",
                or_empty(json!({"type": "string", "format": "date"})),
            ),
            q(
                "cursor",
                "the next_cursor of the previous page (empty: the first)",
                or_empty(json!({"type": "integer", "format": "int64"})),
            ),
        ],
        ("GET", "/api/v1/search") => vec![
            q(
                "q",
                "words (French and English forms, accents ignored) and \"quoted phrases\"; all must be found",
                text(),
            ),
            q(
                "collection",
                "only this collection (empty: every one)",
                json!({"type": "string", "enum": collections.iter().map(String::as_str).chain([""]).collect::<Vec<_>>()}),
            ),
            q("field", "only this front matter field, or body", text()),
            q(
                "page",
                "the page (empty: the first)",
                or_empty(int(1, Some(500))),
            ),
            q(
                "per_page",
                "results per page (default 20, also when empty)",
                or_empty(int(1, Some(100))),
            ),
        ],
        ("GET", "/api/v1/media") => vec![
            q("page", "the page (0 and 1 are the first)", int(0, None)),
            q(
                "per_page",
                "files per page (default 100; 0 is 1, more than 500 is 500)",
                int(0, None),
            ),
        ],
        ("POST", "/api/v1/media") => vec![
            q(
                "filename",
                "a raw body's file name (a multipart form names its `file`)",
                text(),
            ),
            q(
                "folder",
                "the media folder to add it to (default: the first)",
                text(),
            ),
            q(
                "replace",
                "true: a file of the same name is replaced (a new commit), not suffixed",
                flag(),
            ),
            q(
                "keep_metadata",
                "true: keep a photo's metadata (GPS position, camera)",
                flag(),
            ),
            q(
                "resize",
                "true: an image larger than --max-image-pixels is committed as a copy of that size",
                flag(),
            ),
            q(
                "pending",
                "true: keep the file uncommitted and answer its `upload` id, for an entry's write to name in `uploads`",
                flag(),
            ),
        ],
        _ => Vec::new(),
    }
}

fn problem(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

fn ok(schema: &str) -> Value {
    json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

/// Every status an operation answers, as the handlers and the layers
/// around them (authentication, body limits) do.
fn responses(method: &Method, path: &str) -> Value {
    let mut r = json!({
        "401": problem("No or bad token"),
        "429": problem("Too many failed attempts from this address"),
    });
    let reads_entries = path.starts_with("/api/v1/collections");
    match (method.as_str(), path) {
        ("GET", "/api/v1/openapi.json") => {
            r["200"] = json!({"description": "This document", "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        ("GET", "/api/v1/collections") => {
            r["200"] = ok("Collections");
            r["304"] = json!({"description": "Not modified (If-None-Match)"});
        }
        ("GET", "/api/v1/collections/{collection}/entries") => {
            r["200"] = ok("EntryList");
            r["304"] = json!({"description": "Not modified (If-None-Match)"});
            r["400"] = problem("A query parameter is malformed or unknown");
        }
        ("GET", "/api/v1/collections/{collection}/entries/{slug}") => {
            r["200"] = ok("Entry");
            r["304"] = json!({"description": "Not modified (If-None-Match)"});
            r["400"] = problem("ref or format is malformed");
        }
        ("POST", "/api/v1/collections/{collection}/entries") => {
            r["201"] = json!({"description": "Created",
                "headers": {"Location": {"schema": {"type": "string"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Written"}}},
                "links": {"ReadCreated": {"operationId": "get_collections__collection__entries__slug_",
                    "parameters": {"collection": "$request.path.collection", "slug": "$response.body#/slug"}},
                    "PatchCreated": {"operationId": "patch_collections__collection__entries__slug_",
                    "parameters": {"collection": "$request.path.collection", "slug": "$response.body#/slug"}}}});
        }
        ("PUT" | "PATCH" | "DELETE", "/api/v1/collections/{collection}/entries/{slug}") => {
            r["200"] = json!({"description": "Written",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Written"}}},
                "links": {"ReadWritten": {"operationId": "get_collections__collection__entries__slug_",
                    "parameters": {"collection": "$request.path.collection", "slug": "$response.body#/slug"}}}});
            r["412"] = problem("If-Match names another version");
        }
        ("GET", "/api/v1/history") => {
            r["200"] = ok("HistoryPage");
            r["400"] = problem("since, until or cursor is malformed");
        }
        ("GET", "/api/v1/commits/{sha}") => {
            r["200"] = ok("Commit");
            r["400"] = problem("Not a commit id");
        }
        ("GET", "/api/v1/search") => {
            r["200"] = ok("SearchPage");
            r["400"] = problem("A number is out of range");
            r["404"] = problem("No such collection");
        }
        ("GET", "/api/v1/status") => {
            r["200"] = ok("Status");
        }
        ("GET", "/api/v1/media") => {
            r["200"] = ok("MediaPage");
            r["400"] = problem("A number is out of range");
        }
        ("POST", "/api/v1/media") => {
            r["201"] = json!({"description": "Added (committed, or kept pending)",
                "content": {"application/json": {"schema": {"type": "object"}}}});
            r["400"] = problem("Not a multipart form, or no file in it");
            r["409"] = problem("The name is taken and replace was not asked");
            r["422"] = problem("Not a file type the media library takes");
        }
        ("DELETE", "/api/v1/media/{*path}") => {
            r["200"] = json!({"description": "Deleted", "content": {"application/json": {"schema": {"type": "object"}}}});
            r["409"] = problem("An entry uses the file");
        }
        _ => {
            r["200"] = json!({"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}});
        }
    }
    if reads_entries || path.starts_with("/api/v1/commits") || path.starts_with("/api/v1/media/") {
        r["404"] = problem("No such collection, entry, commit or file");
    }
    if *method != Method::GET {
        r["400"] = problem("A malformed request: the body, or If-Match not an entity tag");
        r["403"] = problem("The caller may not write");
        r["413"] = problem("Body too large");
        r["503"] = problem("The repository is locked by another program; try again");
        if path.ends_with("/entries") || path.ends_with("{slug}") {
            if *method != Method::DELETE {
                r["400"] = problem("The body is not JSON");
                r["415"] = problem("Wrong content type");
                r["422"] = problem("Invalid field values, or a field the content model refuses");
            }
            r["404"] = problem("No such collection or entry");
            r["409"] = problem("Conflict: the slug is taken, or both sides changed a field");
        }
        if path == "/api/v1/media" {
            r["415"] = problem("Wrong content type");
        }
    }
    r
}

/// The document, with the site's `collections` named where a collection goes.
pub fn build(collections: &[String]) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (method, path, summary) in super::table() {
        let mut parameters: Vec<Value> = Vec::new();
        if path.contains("{collection}") {
            parameters.push(json!({"name": "collection", "in": "path", "required": true,
                "schema": {"type": "string", "enum": collections}}));
        }
        if path.contains("{slug}") {
            parameters.push(json!({"name": "slug", "in": "path", "required": true,
                "description": "`/` between folders, written `%2F`", "schema": slug_schema()}));
        }
        if path.contains("{sha}") {
            parameters.push(json!({"name": "sha", "in": "path", "required": true,
                "schema": {"type": "string", "pattern": OBJECT_ID}}));
        }
        if path.contains("{*path}") {
            parameters.push(json!({"name": "path", "in": "path", "required": true,
                "description": "the file's path in the site", "schema": {"type": "string", "minLength": 1}}));
        }
        parameters.extend(query_parameters(method, path, collections));
        let writes = *method != Method::GET;
        if writes && path.ends_with("{slug}") {
            parameters.push(json!({"name": "If-Match", "in": "header", "required": false,
                "description": "the entry's sha (ETag): the write is refused with 412 if it changed",
                "schema": {"type": "string", "pattern": "^(W/)?\"[^\"]*\"$|^[0-9a-fA-F]{40}$"}}));
        }
        let mut op = json!({
            "summary": summary,
            "operationId": format!("{}{}", method.as_str().to_lowercase(),
                path.trim_start_matches("/api/v1").replace(['/', '{', '}', '.', '*'], "_")),
            "parameters": parameters,
            "responses": responses(method, path),
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
            let schema = if *method == Method::POST {
                "NewEntry"
            } else if *method == Method::PUT {
                "EntryReplacement"
            } else {
                "EntryPatch"
            };
            op["requestBody"] = json!({"required": true, "content": {media: {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        let key = path.replace("{*path}", "{path}");
        let item = paths.entry(key).or_insert_with(|| json!({}));
        item[method.as_str().to_lowercase()] = op;
    }
    let fields = json!({"type": "object",
        "description": "Front matter: texts, numbers, booleans, null, lists, and nested maps and lists of maps; a field the collection types (a text, a list) takes that type",
        "additionalProperties": {"$ref": "#/components/schemas/FieldValue"}});
    let uploads = json!({"type": "object", "additionalProperties": {"type": "string"},
        "description": "field name to an upload id from POST /api/v1/media?pending=true: the file becomes the field's value (its address on the site), committed with the entry"});
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
            "schemas": schemas(fields, uploads),
        }
    })
}

/// The document's schemas.
fn schemas(fields: Value, uploads: Value) -> Value {
    let mut out = Map::new();
    out.insert("FieldValue".into(), json!({"description": "A front matter value as JSON: a text, number, boolean, null, list or map. A field the content model types (a date, a number, a choice, a list of people) must have a value of that type, else 422"}));
    out.insert("Entry".into(), json!({"type": "object", "required": ["slug", "path", "sha", "commit"], "properties": {
                    "slug": {"type": "string", "description": "The path inside the collection without the extension (`configuration/options` for a document in a folder); in a URL its `/` is written `%2F`"},
                    "path": {"type": "string"},
                    "fields": {"type": "object"},
                    "body": {"type": "string"},
                    "sha": {"type": "string"}, "commit": {"type": "string"},
                    "html": {"type": "string"}}}));
    out.insert(
        "EntryList".into(),
        json!({"type": "object", "required": ["entries"], "properties": {
                    "entries": {"type": "array", "items": {"type": "object"}},
                    "next_cursor": {"type": ["integer", "string", "null"]}}}),
    );
    out.insert("Collections".into(), json!({"type": "object", "required": ["collections"], "properties": {
                    "collections": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "label": {"type": "string"}, "path": {"type": "string"},
                        "count": {"type": "integer"}, "fields": {"type": "array"}}}}}}));
    out.insert(
        "Written".into(),
        json!({"type": "object", "required": ["slug", "commit"], "properties": {
                    "slug": {"type": "string"}, "path": {"type": "string"},
                    "sha": {"type": ["string", "null"]}, "commit": {"type": "string"},
                    "changed": {}, "committed": {"type": "boolean"}}}),
    );
    let nullable = |v: Value| json!({"anyOf": [v, {"type": "null"}]});
    let members = |names: &[&str]| {
        let mut props = Map::new();
        for name in names {
            let schema = match *name {
                "slug" => {
                    json!({"allOf": [slug_schema()], "description": "POST: the new entry's slug, `/` between folders (else made from title or name); PATCH: a new slug, renaming or moving the entry"})
                }
                "sha" => {
                    json!({"type": "string", "pattern": OBJECT_ID, "description": "PATCH: the version read; what changed since is merged field by field"})
                }
                "fields" => fields.clone(),
                "uploads" => uploads.clone(),
                _ => json!({"type": "string"}),
            };
            props.insert((*name).to_string(), nullable(schema));
        }
        json!({"type": "object", "additionalProperties": false, "properties": props})
    };
    out.insert(
        "NewEntry".into(),
        members(&["slug", "fields", "body", "uploads"]),
    );
    out.insert(
        "EntryReplacement".into(),
        members(&["fields", "body", "uploads"]),
    );
    out.insert(
        "EntryPatch".into(),
        members(&["slug", "sha", "fields", "body", "uploads"]),
    );
    out.insert(
        "HistoryPage".into(),
        json!({"type": "object", "required": ["entries"], "properties": {
                    "entries": {"type": "array"}, "next_cursor": {}}}),
    );
    out.insert("Commit".into(), json!({"type": "object"}));
    out.insert("SearchPage".into(), json!({"type": "object"}));
    out.insert("MediaPage".into(), json!({"type": "object"}));
    out.insert("Status".into(), json!({"type": "object", "required": ["branch", "commit", "publishing", "builds"], "properties": {
                    "branch": {"type": "string"}, "commit": {"type": "string"},
                    "publishing": {"type": "object", "required": ["state", "waiting"], "properties": {
                        "state": {"type": "string", "enum": ["off", "paused", "failing", "waiting", "published", "unpublished"]},
                        "remote": {"type": ["string", "null"]}, "remote_branch": {"type": ["string", "null"]},
                        "waiting": {"type": "integer"}, "published": {}, "stopped": {"type": "boolean"},
                        "conflicts": {"type": "integer"}, "reason": {"type": ["string", "null"]}}},
                    "builds": {"type": "object", "properties": {"enabled": {"type": "boolean"}, "last": {}}}}}));
    out.insert(
        "Problem".into(),
        json!({"type": "object", "required": ["type", "title", "status"], "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"},
                    "status": {"type": "integer"}, "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "field": {"type": "string"}, "message": {"type": "string"}}}},
                    "conflicts": {"type": "array", "items": {"type": "object", "properties": {
                        "field": {"type": "string"}, "yours": {}, "theirs": {},
                        "changed_by": {"type": "object", "properties": {
                            "name": {"type": "string"},
                            "time": {"type": "string", "format": "date-time"},
                            "commit": {"type": "string"}}}}}}}}),
    );
    Value::Object(out)
}

/// `GET /api/v1/openapi.json`, naming the site's collections.
pub(super) async fn document(
    axum::extract::State(state): axum::extract::State<crate::http::AppState>,
) -> Result<Json<Value>, crate::http::Problem> {
    let names: Vec<String> = state
        .site
        .collections()
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    Ok(Json(build(&names)))
}
