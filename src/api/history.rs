//! `GET /api/v1/history` and `GET /api/v1/commits/{sha}`: the same index and
//! diffs as the reviewers' pages.

use super::{Caller, cached_json};
use crate::content::FieldView;
use crate::content::diff::Line;
use crate::http::AppState;
use crate::http::Problem;
use crate::http::problem::rfc3339;
use crate::site::ObjectId;
use crate::site::history::{HistoryQuery, parse_day};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(serde::Deserialize)]
pub(super) struct HistoryParams {
    path: Option<String>,
    author: Option<String>,
    since: Option<String>,
    until: Option<String>,
    cursor: Option<String>,
}

/// A `since`/`until` value as seconds, or a 400 naming it.
fn day(s: &str, what: &str) -> Result<i64, Problem> {
    parse_day(s)
        .ok_or_else(|| Problem::bad_request(format!("{what} must be a date like 2026-01-31.")))
}

/// `GET /api/v1/history?path=&author=&since=&until=&cursor=`.
pub(super) async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    super::ApiQuery(p): super::ApiQuery<HistoryParams>,
) -> Result<Response, Problem> {
    let non_empty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let query = HistoryQuery {
        path: non_empty(&p.path),
        author: non_empty(&p.author),
        since: non_empty(&p.since).map(|s| day(&s, "since")).transpose()?,
        until: non_empty(&p.until)
            .map(|s| day(&s, "until").map(|d| d + 86_400))
            .transpose()?,
        before: match non_empty(&p.cursor) {
            None => None,
            Some(c) => Some(
                c.parse()
                    .map_err(|_| Problem::bad_request("That cursor is not one this API gave."))?,
            ),
        },
        ..HistoryQuery::default()
    };
    let page = state.site.history(&query).await?;
    let entries: Vec<Value> = page
        .entries
        .iter()
        .map(|e| {
            json!({
                "sha": e.sha,
                "author": {"name": e.author_name, "email": e.author_email},
                "time": rfc3339(e.time),
                "summary": e.summary,
                "files": e.files.iter().map(|f| json!({
                    "path": f.path,
                    "old_path": f.old_path,
                    "change": f.change,
                    "fields": f.fields,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut response =
        axum::Json(json!({"entries": entries, "next_cursor": page.next})).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if let Some(next) = &page.next {
        let mut q: Vec<(&str, String)> = [
            ("path", &p.path),
            ("author", &p.author),
            ("since", &p.since),
            ("until", &p.until),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect();
        q.push(("cursor", next.clone()));
        let qs = serde_urlencoded::to_string(&q).unwrap_or_default();
        if let Ok(link) = HeaderValue::from_str(&format!("</api/v1/history?{qs}>; rel=\"next\"")) {
            h.insert(header::LINK, link);
        }
    }
    Ok(response)
}

fn view_json(v: &Option<FieldView>) -> Value {
    match v {
        None | Some(FieldView::Empty) => Value::Null,
        Some(FieldView::Text(s) | FieldView::MultiLine(s) | FieldView::ReadOnly(s)) => {
            Value::String(s.clone())
        }
        Some(FieldView::List(items)) => json!(items),
    }
}

/// `GET /api/v1/commits/{sha}`: the commit, and per file its field changes
/// and the body's (or file's) line diff.
pub(super) async fn commit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Result<Response, Problem> {
    let id = ObjectId::parse(&sha)
        .ok_or_else(|| Problem::not_found(format!("There is no commit `{sha}`.")))?;
    let detail = state.site.commit_detail(&id).await?;
    let info = &detail.info;
    let files: Vec<Value> = detail
        .files
        .iter()
        .map(|f| {
            let fields: Vec<Value> = f
                .document
                .as_ref()
                .map(|d| {
                    d.fields
                        .iter()
                        .map(|c| {
                            let mut v = json!({
                                "field": c.key,
                                "before": view_json(&c.before),
                                "after": view_json(&c.after),
                            });
                            if let Some((added, removed)) = c.list_changes() {
                                v["added"] = json!(added);
                                v["removed"] = json!(removed);
                            }
                            v
                        })
                        .collect()
                })
                .unwrap_or_default();
            let lines: Vec<Value> = f
                .lines
                .iter()
                .map(|l| match l {
                    Line::Same(t) => json!({"op": " ", "text": t}),
                    Line::Added(t) => json!({"op": "+", "text": t}),
                    Line::Removed(t) => json!({"op": "-", "text": t}),
                })
                .collect();
            json!({
                "path": f.path,
                "old_path": f.old_path,
                "change": f.change.as_str(),
                "fields": fields,
                "body_changed": f.document.as_ref().is_some_and(|d| d.body_changed),
                "binary": f.binary,
                "lines": lines,
            })
        })
        .collect();
    let body = json!({
        "sha": info.id.as_str(),
        "parents": info.parents.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "author": {"name": info.author.name, "email": info.author.email},
        "committer": {"name": info.committer.name, "email": info.committer.email},
        "time": rfc3339(info.time),
        "message": info.message,
        "files": files,
    });
    Ok(cached_json(&headers, &caller, info.id.as_str(), || body))
}
