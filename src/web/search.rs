//! `/search?q=&collection=&field=&page=`: every collection searched at once,
//! each result linked to its edit form, with the words found highlighted.

use crate::content::CollectionName;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::error::AppError;
use crate::http::page::{Layout, render};
use crate::i18n::ToArg;
use crate::search::{Part, SearchQuery};
use crate::site::SiteError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Results per page.
const PER_PAGE: usize = 20;
/// The furthest page offered.
const MAX_PAGE: usize = 50;

#[derive(Debug, Deserialize, Default)]
pub(super) struct Params {
    #[serde(default)]
    q: String,
    #[serde(default)]
    collection: String,
    #[serde(default)]
    field: String,
    page: Option<String>,
}

/// A choice in a filter's list.
struct Choice {
    value: String,
    label: String,
}

/// A result as shown.
struct Row {
    title: String,
    link: String,
    collection: String,
    /// Where the extract comes from, when it is a field.
    field: Option<String>,
    snippet: Vec<Part>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Layout,
    q: String,
    collection: String,
    field: String,
    collections: Vec<Choice>,
    fields: Vec<Choice>,
    rows: Vec<Row>,
    /// "12 results for …", when something was asked.
    summary: Option<String>,
    problem: Option<String>,
    previous: Option<String>,
    next: Option<String>,
}

fn link(p: &Params, page: usize) -> String {
    let query = serde_urlencoded::to_string([
        ("q", p.q.as_str()),
        ("collection", p.collection.as_str()),
        ("field", p.field.as_str()),
        ("page", &page.to_string()),
    ])
    .unwrap_or_default();
    format!("/search?{query}")
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let lang = current.lang;
    let config = state.site.config().await?;
    let q = crate::search::cut_query(&p.q);
    let collection = p.collection.trim().to_string();
    let field = p.field.trim().to_string();
    let page = p
        .page
        .as_deref()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_PAGE);
    let mut status = StatusCode::OK;
    let mut problem = None;
    let collections = config
        .collections
        .iter()
        .map(|c| Choice {
            value: c.name.clone(),
            label: super::collection_label(config.model.collection(&c.name), &c.name, lang),
        })
        .collect();
    // The fields offered: the chosen collection's (all collections' when
    // none is chosen), as the form labels them, and the text.
    let mut fields: Vec<Choice> = Vec::new();
    for c in config
        .collections
        .iter()
        .filter(|c| collection.is_empty() || c.name == collection)
    {
        let Ok(name) = CollectionName::parse(&c.name) else {
            continue;
        };
        let schema = state.site.schema(&name).await?;
        for key in schema.fields.iter().map(|f| f.key.as_str()) {
            if !fields.iter().any(|f| f.value == key) {
                fields.push(Choice {
                    value: key.to_string(),
                    label: super::field_label(config.model.collection(&c.name), key, lang),
                });
            }
        }
    }
    fields.sort_by_key(|f| f.label.to_lowercase());
    fields.insert(
        0,
        Choice {
            value: "body".into(),
            label: lang.t("doc-body"),
        },
    );
    let mut rows = Vec::new();
    let (mut summary, mut previous, mut next) = (None, None, None);
    let asked = SearchQuery {
        text: q.clone(),
        collection: (!collection.is_empty()).then(|| collection.clone()),
        field: (!field.is_empty()).then(|| field.clone()),
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let found = if q.trim().is_empty() {
        None
    } else {
        match state.site.search(asked).await {
            Ok(found) => Some(found),
            // Said beside the form, which keeps what was typed.
            Err(SiteError::UnknownCollection(_)) => {
                problem =
                    Some(lang.t_with("error-no-collection", &[("what", collection.to_arg())]));
                status = StatusCode::NOT_FOUND;
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    if let Some(found) = found {
        summary = Some(lang.t_with(
            "search-results",
            &[
                ("count", found.total.to_arg()),
                ("query", q.trim().to_arg()),
            ],
        ));
        if page > 1 {
            previous = Some(link(&p, page - 1));
        }
        if page * PER_PAGE < found.total && page < MAX_PAGE {
            next = Some(link(&p, page + 1));
        }
        for h in found.hits {
            let model = config.model.collection(&h.collection);
            rows.push(Row {
                link: super::document_url(&h.collection, &h.slug),
                collection: super::collection_label(model, &h.collection, lang),
                field: h
                    .field
                    .as_deref()
                    .map(|k| super::field_label(model, k, lang)),
                title: h.title,
                snippet: h.snippet,
            });
        }
    }
    let page = SearchPage {
        ctx: Layout::signed_in(&current).await?,
        q,
        collection,
        field,
        collections,
        fields,
        rows,
        summary,
        problem,
        previous,
        next,
    };
    Ok((status, render(&page)?).into_response())
}
