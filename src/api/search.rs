//! `GET /api/v1/search?q=&collection=&field=&page=&per_page=`: the same
//! search as the admin's `/search`, as JSON.

use super::Caller;
use crate::http::AppState;
use crate::http::Problem;
use crate::search::SearchQuery;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(serde::Deserialize)]
pub(super) struct SearchParams {
    q: Option<String>,
    collection: Option<String>,
    field: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

fn number(
    value: &Option<String>,
    what: &str,
    range: std::ops::RangeInclusive<usize>,
    default: usize,
) -> Result<usize, Problem> {
    match value.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "{what} must be a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

/// `GET /api/v1/search`.
pub(super) async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    super::ApiQuery(p): super::ApiQuery<SearchParams>,
) -> Result<Response, Problem> {
    let text = crate::search::cut_query(p.q.as_deref().unwrap_or_default());
    let page = number(&p.page, "page", 1..=500, 1)?;
    let per_page = number(&p.per_page, "per_page", 1..=100, 20)?;
    let collection = p
        .collection
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from);
    let field = p
        .field
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from);
    let found = state
        .site
        .search(SearchQuery {
            text: text.clone(),
            collection,
            field: field.clone(),
            offset: (page - 1) * per_page,
            limit: per_page,
        })
        .await?;
    let results: Vec<_> = found
        .hits
        .iter()
        .map(|h| {
            json!({
                "collection": h.collection,
                "slug": h.slug,
                "path": h.path,
                "title": h.title,
                "score": h.score,
                "field": h.field,
                "snippet": h.snippet,
                "entry": format!(
                    "/api/v1/collections/{}/entries/{}",
                    h.collection,
                    crate::http::url_slug(&h.slug)
                ),
                "edit": format!("/collections/{}/{}", h.collection, crate::http::url_slug(&h.slug)),
            })
        })
        .collect();
    Ok(axum::Json(json!({
        "q": text,
        "collection": p.collection,
        "field": field,
        "page": page,
        "per_page": per_page,
        "total": found.total,
        "results": results,
    }))
    .into_response())
}
