//! Collections and entries: read (filter, sort, fields, cursor, ETags,
//! `?ref=`, `?format=html`) and write (POST, PUT, PATCH, DELETE), each write
//! one commit through the site service.

use super::{Body, Caller, cached_json, if_match};
use crate::content::{CollectionName, Slug, label_of};
use crate::http::AppState;
use crate::http::Problem;
use crate::site::ObjectId;
use crate::site::entries::Entry;
use crate::site::{Action, Applied, Edit, Update, Value as FieldInput};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Entries per page unless `limit` says otherwise, and the most it may say.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

fn collection_name(c: &str) -> Result<CollectionName, Problem> {
    Ok(crate::site::collection_name(c)?)
}

/// The collection and slug of an entry's address.
fn names(c: &str, s: &str) -> Result<(CollectionName, Slug), Problem> {
    Ok(crate::site::document_name(c, s)?)
}

/// `GET /api/v1/collections`.
pub(super) async fn collections(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let summaries = state.site.collections().await?;
    let mut out = Vec::new();
    let mut versions = Vec::new();
    for c in summaries {
        let name = collection_name(&c.name)?;
        let list = state.site.entries(&name).await?;
        versions.push(list.tree.as_ref().map_or("-", |t| t.as_str()).to_string());
        out.push(json!({
            "name": c.name,
            "label": label_of(&c.name),
            "path": c.dir,
            "count": list.entries.iter().filter(|e| e.content.is_ok()).count(),
            "fields": list.schema.fields.iter().map(|f| json!({
                "name": f.key,
                "widget": f.widget.as_str(),
            })).collect::<Vec<_>>(),
        }));
    }
    let tag = short_hash(&versions.join(","));
    Ok(cached_json(
        &headers,
        &caller,
        &tag,
        || json!({ "collections": out }),
    ))
}

/// A stable short tag for text (an entity tag made of several versions).
fn short_hash(text: &str) -> String {
    let mut hash = crate::auth::sha256_hex(text);
    hash.truncate(32);
    hash
}

/// An entry as the API writes it (borrowing from the cached document).
#[derive(serde::Serialize)]
struct EntryOut<'a> {
    slug: &'a str,
    path: &'a str,
    fields: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    sha: &'a str,
    commit: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    /// Why the front matter cannot be read, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// An entry for the answer. `only`: just these fields, when given.
fn entry_out<'a>(
    entry: &'a Entry,
    commit: &'a ObjectId,
    only: Option<&[String]>,
    with_body: bool,
) -> EntryOut<'a> {
    let (fields, body, error) = match entry.content.as_ref() {
        Ok(doc) => (
            match only {
                Some(only) => only
                    .iter()
                    .filter_map(|k| Some((k.clone(), doc.json_field(k)?)))
                    .collect(),
                None => doc.json_fields(),
            },
            with_body.then(|| doc.body()),
            doc.front_matter_error().map(|e| e.to_string()),
        ),
        Err(e) => (Map::new(), with_body.then_some(""), Some(e.to_string())),
    };
    EntryOut {
        slug: &entry.slug,
        path: &entry.path,
        fields,
        body,
        sha: entry.blob.as_str(),
        commit: commit.as_str(),
        html: None,
        error,
    }
}

/// A page of a list.
#[derive(serde::Serialize)]
struct ListOut<'a> {
    entries: Vec<EntryOut<'a>>,
    total: usize,
    next_cursor: Option<String>,
}

/// Whether an entry's field matches a filter value: equal as text, or, for
/// a list, holding it.
fn matches(fields: &Map<String, Value>, key: &str, wanted: &str) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    };
    match fields.get(key) {
        None => wanted.is_empty(),
        Some(Value::Array(items)) => items.iter().any(|i| text(i).as_deref() == Some(wanted)),
        Some(v) => text(v).as_deref() == Some(wanted),
    }
}

/// Orders two field values: numbers by value, the rest as text; missing
/// and null last.
fn compare(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let key = |v: Option<&Value>| match v {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.clone()),
    };
    match (key(a), key(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(x), Some(y)) => {
            let s = |v: &Value| match v {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string(),
            };
            s(&x).cmp(&s(&y))
        }
    }
}

/// `GET /api/v1/collections/{c}/entries`: `filter[field]=value` (any
/// number), `sort=field,-other`, `fields=a,b`, `limit`, `cursor`.
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(collection): Path<String>,
    super::ApiQuery(query): super::ApiQuery<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let name = collection_name(&collection)?;
    let mut filters = Vec::new();
    let mut params: HashMap<&str, &str> = HashMap::new();
    for (k, v) in &query {
        if let Some(field) = k.strip_prefix("filter[").and_then(|f| f.strip_suffix(']')) {
            if field.contains(['[', ']']) {
                return Err(Problem::bad_request(format!(
                    "`{k}`: a filter names one field, filter[field]=value."
                )));
            }
            filters.push((field.to_string(), v.clone()));
        } else if matches!(k.as_str(), "sort" | "fields" | "limit" | "cursor") {
            params.insert(k, v);
        } else {
            return Err(Problem::bad_request(format!(
                "Unknown query parameter `{k}` (use filter[field], sort, fields, limit, cursor)."
            )));
        }
    }
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| Problem::bad_request(format!("limit must be 1 to {MAX_LIMIT}.")))?,
    };
    let offset = match params.get("cursor") {
        None => 0,
        // At most i64's largest, as the document says.
        Some(c) => c
            .parse::<i64>()
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| Problem::bad_request("That cursor is not one this API gave."))?,
    };
    let only: Option<Vec<String>> = params.get("fields").map(|f| {
        f.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let sort: Vec<(String, bool)> = params
        .get("sort")
        .map(|s| {
            s.split(',')
                .filter(|k| !k.trim().is_empty())
                .map(|k| {
                    let k = k.trim();
                    match k.strip_prefix('-') {
                        Some(k) => (k.to_string(), true),
                        None => (k.to_string(), false),
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    let listing = state.site.entries(&name).await?;
    let tag = match &listing.tree {
        Some(tree) => tree.as_str().to_string(),
        None => "empty".to_string(),
    };
    if super::not_modified(&headers, &tag) {
        return Ok(cached_json(&headers, &caller, &tag, || ()));
    }
    // Only the fields filters and sorts need are read from each document;
    // the page's entries are written out in full afterwards.
    let needed: Vec<&str> = filters
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(
            sort.iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| *k != "slug"),
        )
        .collect();
    let mut rows: Vec<(&Entry, Map<String, Value>)> = listing
        .entries
        .iter()
        .filter_map(|e| {
            let doc = e.content.as_ref().as_ref().ok()?;
            let fields: Map<String, Value> = needed
                .iter()
                .filter_map(|k| Some((k.to_string(), doc.json_field(k)?)))
                .collect();
            filters
                .iter()
                .all(|(k, v)| matches(&fields, k, v))
                .then_some((e, fields))
        })
        .collect();
    rows.sort_by(|(a, fa), (b, fb)| {
        sort.iter()
            .map(|(key, desc)| {
                let o = if key == "slug" {
                    a.slug.cmp(&b.slug)
                } else {
                    compare(fa.get(key), fb.get(key))
                };
                if *desc { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.slug.cmp(&b.slug))
    });
    let total = rows.len();
    let next = (offset + limit < total).then_some(offset + limit);
    let body = ListOut {
        entries: rows
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(e, _)| entry_out(e, &listing.commit, only.as_deref(), false))
            .collect(),
        total,
        next_cursor: next.map(|n| n.to_string()),
    };
    let mut response = cached_json(&headers, &caller, &tag, || body);
    // The next page's address, for clients that follow links.
    if let Some(next) = next {
        let mut query: Vec<(String, String)> =
            query.into_iter().filter(|(k, _)| k != "cursor").collect();
        query.push(("cursor".into(), next.to_string()));
        let qs = serde_urlencoded::to_string(&query).unwrap_or_default();
        if let Ok(link) = HeaderValue::from_str(&format!(
            "</api/v1/collections/{collection}/entries?{qs}>; rel=\"next\""
        )) {
            response.headers_mut().insert(header::LINK, link);
        }
    }
    Ok(response)
}

#[derive(serde::Deserialize)]
pub(super) struct ReadQuery {
    #[serde(rename = "ref")]
    at: Option<String>,
    format: Option<String>,
}

/// Markdown to sanitized HTML; Liquid tags stay as text.
fn render_html(body: &str) -> String {
    crate::content::markdown::to_html(body, crate::content::markdown::Ids::AsKramdown)
}

/// `GET /api/v1/collections/{c}/entries/{slug}`.
pub(super) async fn read(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((collection, slug)): Path<(String, String)>,
    super::ApiQuery(q): super::ApiQuery<ReadQuery>,
) -> Result<Response, Problem> {
    let (name, slug) = names(&collection, &slug)?;
    let at = match &q.at {
        None => None,
        Some(r) => Some(ObjectId::parse(r).ok_or_else(|| {
            Problem::bad_request("ref must be a full commit id (40 hexadecimal digits).")
        })?),
    };
    let html = match q.format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(other) => {
            return Err(Problem::bad_request(format!(
                "format must be html (got `{other}`)."
            )));
        }
    };
    let found = state.site.entry(&name, &slug, at).await?;
    let tag = if html {
        format!("{}-html", found.entry.blob)
    } else {
        found.entry.blob.as_str().to_string()
    };
    Ok(cached_json(&headers, &caller, &tag, || {
        let mut out = entry_out(&found.entry, &found.commit, None, true);
        if html && let Ok(doc) = found.entry.content.as_ref() {
            out.html = Some(render_html(doc.body()));
        }
        out
    }))
}

/// Fields as a write's body gives them, in order.
type JsonFields = Vec<(String, Value)>;

/// What a write's body holds.
struct Parts {
    fields: JsonFields,
    body: Option<String>,
    /// For a new entry.
    slug: Option<String>,
    /// The version a patch was made from (its `sha`), to merge against.
    base: Option<ObjectId>,
    /// Pending uploads (`POST /api/v1/media?pending=true`) that become
    /// fields' values, committed with the entry.
    uploads: Vec<crate::site::Attach>,
}

/// The members each write takes.
const CREATE: &[&str] = &["slug", "fields", "body", "uploads"];
const REPLACE: &[&str] = &["fields", "body", "uploads"];
const PATCH: &[&str] = &["slug", "sha", "fields", "body", "uploads"];

/// `{fields, body, slug?, sha?}` from a request body; a member that is not
/// in `takes` (the write's own list) is refused, not ignored.
fn fields_and_body(body: Value, takes: &[&str]) -> Result<Parts, Problem> {
    let Value::Object(mut obj) = body else {
        return Err(Problem::invalid(vec![(
            "".into(),
            "expected an object with `fields` and `body`".into(),
        )]));
    };
    let mut errors = Vec::new();
    let unknown: Vec<String> = obj
        .keys()
        .filter(|k| !takes.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        obj.remove(&key);
        errors.push((
            key,
            format!(
                "unknown member: this write takes {}",
                takes
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let fields: JsonFields = match obj.remove("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map.into_iter().collect(),
        Some(_) => {
            errors.push(("fields".to_string(), "expected an object".to_string()));
            Vec::new()
        }
    };
    let text = |key: &str, v: Option<Value>, errors: &mut Vec<(String, String)>| match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            errors.push((key.to_string(), "expected a string".to_string()));
            None
        }
    };
    let uploads = match obj.remove("uploads") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .into_iter()
            .filter_map(|(field, id)| match id {
                Value::String(upload) => Some(crate::site::Attach { field, upload }),
                _ => {
                    errors.push((
                        format!("uploads.{field}"),
                        "expected an upload's id (from POST /api/v1/media?pending=true)".into(),
                    ));
                    None
                }
            })
            .collect(),
        Some(_) => {
            errors.push(("uploads".to_string(), "expected an object".to_string()));
            Vec::new()
        }
    };
    let body = text("body", obj.remove("body"), &mut errors);
    let slug = text("slug", obj.remove("slug"), &mut errors);
    let sha = text("sha", obj.remove("sha"), &mut errors);
    let base = match sha {
        None => None,
        Some(s) => match ObjectId::parse(&s) {
            Some(id) => Some(id),
            None => {
                errors.push((
                    "sha".into(),
                    "expected an entry's sha (40 hexadecimal digits)".into(),
                ));
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(Parts {
            fields,
            body,
            slug,
            base,
            uploads,
        })
    } else {
        Err(Problem::invalid(errors))
    }
}

/// Makes the edit as the caller; answers with `status` and the result.
async fn apply(
    state: &AppState,
    caller: &Caller,
    edit: Edit,
    status: StatusCode,
    collection: &str,
) -> Result<Response, Problem> {
    let applied = state
        .site
        .apply(edit, caller.author()?, state.clock.now())
        .await?;
    Ok(written(status, &applied, collection))
}

/// The answer to a write: the entry's new `sha` and the `commit`.
fn written(status: StatusCode, w: &Applied, collection: &str) -> Response {
    let body = json!({
        "slug": w.slug,
        "path": w.path,
        "sha": w.blob.as_ref().map(|b| b.as_str()),
        "commit": w.commit.as_str(),
        "changed": w.changed,
        "committed": w.committed,
    });
    let mut response = (status, axum::Json(body)).into_response();
    let h = response.headers_mut();
    if let Some(blob) = &w.blob
        && let Ok(etag) = HeaderValue::from_str(&format!("\"{blob}\""))
    {
        h.insert(header::ETAG, etag);
    }
    if status == StatusCode::CREATED
        && let Ok(loc) = HeaderValue::from_str(&format!(
            "/api/v1/collections/{collection}/entries/{}",
            crate::http::url_slug(&w.slug)
        ))
    {
        h.insert(header::LOCATION, loc);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Fields as the edit pipeline takes them.
fn inputs(fields: JsonFields) -> Vec<(String, FieldInput)> {
    fields
        .into_iter()
        .map(|(k, v)| (k, FieldInput::Json(v)))
        .collect()
}

/// A slug the caller gave, checked.
fn given_slug(slug: &str) -> Result<Slug, Problem> {
    Ok(crate::site::new_slug(slug)?)
}

/// `POST /api/v1/collections/{c}/entries`: `{slug?, fields, body}`.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(collection): Path<String>,
    Body(body): Body,
) -> Result<Response, Problem> {
    let name = collection_name(&collection)?;
    let Parts {
        fields,
        body,
        slug,
        uploads,
        ..
    } = fields_and_body(body, CREATE)?;
    let slug = match slug {
        Some(s) => s,
        None => {
            let title = fields
                .iter()
                .find(|(k, _)| k == "title" || k == "name")
                .and_then(|(_, v)| v.as_str())
                .map(crate::site::slug_from_title)
                .unwrap_or_default();
            if title.is_empty() {
                return Err(Problem::invalid(vec![(
                    "slug".into(),
                    "give a slug, or a title or name to make one from".into(),
                )]));
            }
            title
        }
    };
    let edit = Edit {
        collection: name,
        slug: given_slug(&slug)?,
        base: None,
        expected: None,
        attach: uploads,
        action: Action::Create {
            fields: inputs(fields),
            body: body.unwrap_or_default(),
        },
    };
    apply(&state, &caller, edit, StatusCode::CREATED, &collection).await
}

/// `PUT .../entries/{slug}`: replaces fields and body (keys not given are
/// removed).
pub(super) async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((collection, slug)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Response, Problem> {
    let (name, slug) = names(&collection, &slug)?;
    let expected = if_match(&headers)?;
    let Parts {
        fields,
        body,
        uploads,
        ..
    } = fields_and_body(body, REPLACE)?;
    let edit = Edit {
        collection: name,
        slug,
        base: None,
        expected,
        attach: uploads,
        action: Action::Update(Update {
            set: inputs(fields),
            only_these: true,
            body,
            ..Update::default()
        }),
    };
    apply(&state, &caller, edit, StatusCode::OK, &collection).await
}

/// `PATCH .../entries/{slug}`: JSON Merge Patch on `{fields, body}` (a
/// field set to null is removed); `slug` renames the entry; `sha` (the
/// version read) merges with what changed since.
pub(super) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((collection, slug)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Response, Problem> {
    let (name, slug) = names(&collection, &slug)?;
    let expected = if_match(&headers)?;
    let Parts {
        fields,
        body,
        base,
        slug: rename,
        uploads,
    } = fields_and_body(body, PATCH)?;
    let rename = rename.as_deref().map(given_slug).transpose()?;
    let (removed, set): (JsonFields, JsonFields) =
        fields.into_iter().partition(|(_, v)| v.is_null());
    let edit = Edit {
        collection: name,
        slug,
        base,
        expected,
        attach: uploads,
        action: Action::Update(Update {
            set: set
                .into_iter()
                .map(|(k, v)| (k, FieldInput::Patch(v)))
                .collect(),
            remove: removed.into_iter().map(|(k, _)| k).collect(),
            only_these: false,
            body,
            rename,
        }),
    };
    apply(&state, &caller, edit, StatusCode::OK, &collection).await
}

/// `DELETE .../entries/{slug}`.
pub(super) async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((collection, slug)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let (name, slug) = names(&collection, &slug)?;
    let expected = if_match(&headers)?;
    let edit = Edit {
        collection: name,
        slug,
        base: None,
        expected,
        attach: Vec::new(),
        action: Action::Delete,
    };
    apply(&state, &caller, edit, StatusCode::OK, &collection).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_sanitized_and_liquid_kept() {
        let html = render_html(
            "Hello *you* {{ site.title }}\n\n<script>alert(1)</script>\n\n<a href=\"javascript:x\" onclick=\"y\">l</a>",
        );
        assert!(html.contains("<em>you</em>"));
        assert!(html.contains("{{ site.title }}"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("onclick"));
        assert!(!html.contains("javascript:"));
    }
}
